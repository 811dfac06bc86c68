"""CSV for machines and spreadsheets: one row per check, the same columns in every report language.

Columns (stable English ids): ``target, final_url, score, grade, grade_cap, grade_cap_reason, check_id, category, status,
severity, weight, gain, title, reason, fix, fix_platform, evidence_url, evidence_snippet``. ``status``
(pass, warn, fail, error, not_applicable, manual) and ``severity`` (critical … info) are the ids of the JSON
report, never translated, so a script or a pivot table reads a Polish report as it reads an English one; the
texts a person reads (``title``, ``reason``, ``fix``, ``fix_platform``) are in the report language, each in a
column of its own. ``grade_cap`` is the id of the check that capped the grade (empty when none),
``grade_cap_reason`` says so in the report language ("capped at F: …").

Spreadsheet formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
CR (or their full-width forms) gets a leading ``'``. Page text is folded onto one line. UTF-8 without a byte
order mark (a BOM would become part of the first column's name for many readers), ``\\n`` line ends: write it
as-is (``open(path, "w", encoding="utf-8", newline="")``).
"""

from __future__ import annotations

import csv
import io

from trustaudit.models import Report, Status
from trustaudit.render._common import grade_cap_text, prepare, problems
from trustaudit.render._text import one_line

COLUMNS = (
    "target", "final_url", "score", "grade", "grade_cap", "grade_cap_reason", "check_id", "category", "status", "severity", "weight",
    "gain", "title", "reason", "fix", "fix_platform", "evidence_url", "evidence_snippet",
)
MAX_CELL = 30000  # Excel's limit is 32,767 characters per cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_ORDER = {"fail": 0, "warn": 1, "error": 2, "manual": 3, "not_applicable": 4, "pass": 5}


def safe_cell(value: object) -> str:
    """One-line, control-free text that a spreadsheet will not evaluate as a formula."""
    text = one_line(value, MAX_CELL)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(report: Report, lang: str | None = None) -> str:
    report, lang = prepare(report, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(COLUMNS)
    rank = {c.id: i for i, c in enumerate(problems(report))}  # fail/warn: most to gain first
    checks = sorted(report.checks, key=lambda c: (_ORDER.get(c.status.value, 9), rank.get(c.id, 0), c.category, c.id))
    head = [
        safe_cell(report.target),
        safe_cell(report.final_url),
        _number(report.score),
        safe_cell(report.grade),
        safe_cell(report.grade_cap.check if report.grade_cap and report.grade else ""),
        safe_cell(grade_cap_text(report, lang)),
    ]
    for c in checks:
        ev = c.evidence[0] if c.evidence else None
        w.writerow(
            [
                *head,
                safe_cell(c.id),
                safe_cell(c.category),
                c.status.value,
                c.severity.value,
                _number(c.weight),
                _number(round(c.gain, 2)) if c.status in (Status.FAIL, Status.WARN) else "",
                safe_cell(c.title),
                safe_cell(c.reason),
                safe_cell(c.fix),
                safe_cell(c.fix_platform),
                safe_cell(ev.url if ev else ""),
                safe_cell(ev.snippet if ev else ""),
            ]
        )
    return buf.getvalue()
