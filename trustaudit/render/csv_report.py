"""CSV hand-out: one row per check, for spreadsheets.

Columns: target, score, grade, check id, category, status, severity, weight, title, fix, first evidence URL,
snippet. The header row, status and severity are in the report language (a hand-out for people; scripts
should read the JSON); the check id column is the stable key.

Spreadsheet formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
CR (or their full-width forms) gets a leading ``'``. Page text is folded onto one line.

The text starts with a UTF-8 byte order mark so Excel opens Polish, Russian, Greek and Arabic text
correctly, and uses ``\\n`` line ends: write it as-is (``open(path, "w", encoding="utf-8", newline="")``).
"""

from __future__ import annotations

import csv
import io

from trustaudit.messages import t
from trustaudit.models import Report
from trustaudit.render._common import grade_cap_text, prepare, problems
from trustaudit.render._text import one_line

BOM = "\ufeff"
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
    w.writerow(
        [
            t(key, lang)
            for key in (
                "target", "score", "grade", "check", "category", "status", "severity", "weight",
                "title", "fix", "url", "snippet",
            )
        ]
    )
    rank = {c.id: i for i, c in enumerate(problems(report))}  # fail/warn: most to gain first
    checks = sorted(report.checks, key=lambda c: (_ORDER.get(c.status.value, 9), rank.get(c.id, 0), c.category, c.id))
    target = safe_cell(report.target)
    score = _number(report.score)
    cap = grade_cap_text(report, lang)
    grade = safe_cell(f"{report.grade} ({cap})" if cap else report.grade)
    for c in checks:
        ev = c.evidence[0] if c.evidence else None
        w.writerow(
            [
                target,
                score,
                grade,
                safe_cell(c.id),
                safe_cell(c.category),
                safe_cell(t("status." + c.status.value, lang)),
                safe_cell(t("severity." + c.severity.value, lang)),
                _number(c.weight),
                safe_cell(c.title),
                safe_cell(" ".join(x for x in (c.fix, c.fix_platform, c.reason) if x)),
                safe_cell(ev.url if ev else ""),
                safe_cell(ev.snippet if ev else ""),
            ]
        )
    return BOM + buf.getvalue()
