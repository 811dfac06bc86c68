"""One pure renderer per format: ``render(report, lang=None) -> str``. Renderers never do I/O."""

from __future__ import annotations

import importlib
from enum import Enum

from trustaudit.models import Report


class Format(str, Enum):
    TABLE = "table"
    JSON = "json"
    HTML = "html"
    MD = "md"
    SARIF = "sarif"
    JUNIT = "junit"
    CSV = "csv"
    BADGE = "badge"


_MODULES = {
    Format.TABLE: "trustaudit.render.terminal",
    Format.JSON: "trustaudit.render.json_report",
    Format.HTML: "trustaudit.render.html",
    Format.MD: "trustaudit.render.markdown",
    Format.SARIF: "trustaudit.render.sarif",
    Format.JUNIT: "trustaudit.render.junit",
    Format.CSV: "trustaudit.render.csv_report",
    Format.BADGE: "trustaudit.render.badge",
}

EXTENSIONS = {
    Format.TABLE: ".txt",
    Format.JSON: ".json",
    Format.HTML: ".html",
    Format.MD: ".md",
    Format.SARIF: ".sarif",
    Format.JUNIT: ".xml",
    Format.CSV: ".csv",
    Format.BADGE: ".svg",
}


def render(report: Report, fmt: Format | str, lang: str | None = None, *, anchor: str | None = None) -> str:
    """``anchor`` (SARIF only): the repository file results point at (see render/sarif.py)."""
    fmt = Format(fmt)
    module = importlib.import_module(_MODULES[fmt])
    if fmt is Format.SARIF and anchor is not None:
        return module.render(report, lang, anchor=anchor or None)
    return module.render(report, lang)


def format_for_path(path: str) -> Format | None:
    """Guess a format from an output file name (report.sarif -> SARIF)."""
    low = path.lower()
    if low.endswith(".sarif.json"):
        return Format.SARIF
    for fmt, ext in EXTENSIONS.items():
        if low.endswith(ext):
            return fmt  # .txt: the terminal report as plain text
    if low.endswith((".markdown",)):
        return Format.MD
    return None
