"""Selection and ordering of checks shared by the renderers (pure functions of a Report)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from trustaudit.messages import report_languages, t
from trustaudit.models import CheckResult, Report, Severity, Status
from trustaudit.report import localized

# Severity -> SARIF level; the same mapping decides how loud CI output is.
SARIF_LEVEL: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

STATUS_ICON: Mapping[Status, str] = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "❔",
    Status.NOT_APPLICABLE: "➖",
    Status.MANUAL: "👁️",
}


def report_lang(report: Report, lang: str | None) -> str:
    return lang or report.language or "en"


def prepare(report: Report, lang: str | None) -> tuple[Report, str]:
    """What every renderer starts with: the language to write in, and the report's texts written in it
    (localised at render time from the messages it carries; a saved report renders in any language)."""
    lang = report_lang(report, lang)
    if lang not in report_languages() and lang != report.language:
        lang = "en"
    return localized(report, lang), lang


def gain(c: CheckResult) -> float:
    """Points of the overall score a fix of this check would win back (computed once, in scoring)."""
    return c.gain if c.status in (Status.FAIL, Status.WARN) else 0.0


def _problem_key(c: CheckResult) -> tuple[float, int, int, str]:
    return (-gain(c), 0 if c.status is Status.FAIL else 1, -c.severity.rank, c.id)


def problems(report: Report) -> list[CheckResult]:
    """Failed and warned checks, the ones a fix gains most first (then fail before warn, severity, id)."""
    return sorted((c for c in report.checks if c.status in (Status.FAIL, Status.WARN)), key=_problem_key)


def top_fixes(report: Report, n: int = 5) -> list[CheckResult]:
    """What buyers see first: the ``n`` failed/warned checks with the most weight to gain."""
    return [c for c in problems(report) if gain(c) > 0][:n]


def with_status(checks: Iterable[CheckResult], *statuses: Status) -> list[CheckResult]:
    """Checks with one of ``statuses``, by category then id (stable, easy to scan)."""
    return sorted((c for c in checks if c.status in statuses), key=lambda c: (c.category, c.id))


def counts(report: Report) -> dict[Status, int]:
    out = {s: 0 for s in Status}
    for c in report.checks:
        out[c.status] += 1
    return out


def category_titles(report: Report) -> dict[str, str]:
    return {c.id: c.title for c in report.categories}


def sarif_level(c: CheckResult) -> str:
    """SARIF level of a result: from severity; a warning is never louder than ``warning``."""
    level = SARIF_LEVEL[c.severity]
    if c.status is Status.WARN and level == "error":
        return "warning"
    return level


def score_text(score: int | None) -> str:
    return "–" if score is None else str(score)


def grade_cap_text(report: Report, lang: str) -> str:
    """``capped at F: The TLS certificate is not valid`` (empty when the grade is not capped)."""
    cap = report.grade_cap
    if cap is None or report.grade is None:
        return ""
    return t("grade_cap", lang, grade=cap.grade, reason=cap.reason or cap.check)


def partial_text(report: Report) -> str:
    return str((report.partial or {}).get("reason") or "")
