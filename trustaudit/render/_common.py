"""Selection and ordering of checks shared by the renderers (pure functions of a Report)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


def as_of_text(report: Report, lang: str) -> str:
    """"legal duties judged as of 2026-07-01" when dated duties were judged on another day than the scan's own
    (``--as-of``); "" otherwise (the scan's date says it)."""
    if not report.as_of or report.scanned_at[:10] == report.as_of:
        return ""
    return t("as_of", lang, date=report.as_of)


def partial_text(report: Report) -> str:
    return str((report.partial or {}).get("reason") or "")


# --------------------------------------------------------------------------- the register verdicts


@dataclass(frozen=True)
class RegistryLine:
    """One line of the "identifiers in the official registers" section: an ID with its register's verdict, the
    domain's age, a warning-list entry, or why nothing was looked up. ``text`` holds register answers (names,
    errors) as they came: renderers clean and escape it like page text."""

    status: str  # active | inactive | not_found | unknown | info | warning
    text: str
    url: str = ""  # where a person can check by hand (http(s) only)


def registry_lines(report: Report, lang: str) -> list[RegistryLine]:
    """The register verdict next to each ID, then the domain and any warning-list entry (empty for a report
    made before look-ups existed)."""
    sig = report.signals or {}
    ver = sig.get("verification")
    if not isinstance(ver, Mapping):
        return []
    if not ver.get("enabled"):
        key = "registry.saved_copy" if ver.get("reason") == "saved_copy" else "registry.off"
        return [RegistryLine("info", t(key, lang))]
    out: list[RegistryLine] = []
    for tid in sig.get("tax_ids") or ():
        rec = tid.get("registry") if isinstance(tid, Mapping) else None
        if not isinstance(rec, Mapping):
            continue
        status = str(rec.get("status") or "unknown")
        if status not in ("active", "inactive", "not_found", "unknown"):
            status = "unknown"
        parts = [f"{tid.get('label') or tid.get('scheme')} {tid.get('value')}".strip(), t(f"registry.status.{status}", lang)]
        source = str(rec.get("source") or "manual")
        register = t(f"registry.source.{source}", lang)
        if rec.get("name"):
            register += f": {rec['name']}"
        if source != "manual" or status != "unknown":
            parts.append(register)
        if rec.get("name_match") is True:
            parts.append(t("registry.name_match.true", lang))
        elif rec.get("name_match") is False:
            parts.append(t("registry.name_match.false", lang))
        if rec.get("detail"):
            parts.append(str(rec["detail"]))
        url = ""
        if status == "unknown":
            if rec.get("error"):
                parts.append(str(rec["error"]))
            manual = rec.get("manual_check")
            if isinstance(manual, Mapping) and manual.get("url"):
                url = str(manual["url"])
                parts.append(t("registry.check_by_hand", lang, register=str(manual.get("register") or ""), url=url))
        out.append(RegistryLine(status, " — ".join(parts[:2]) + ("" if len(parts) < 3 else " · " + " · ".join(parts[2:])),
                                url))
    dom = sig.get("domain")
    if isinstance(dom, Mapping) and dom.get("name"):
        if isinstance(dom.get("age_days"), int):
            out.append(RegistryLine("info", t("registry.domain_age", lang, n=dom["age_days"], domain=dom["name"],
                                              date=str(dom.get("registered_on") or ""))))
        else:
            out.append(RegistryLine("unknown", t("registry.domain_unknown", lang, domain=dom["name"],
                                                 error=str(dom.get("error") or "—"))))
    for hit in sig.get("warning_lists") or ():
        if isinstance(hit, Mapping):
            out.append(RegistryLine("warning", t("registry.warning_hit", lang, domain=str(hit.get("domain") or ""),
                                                 list=str(hit.get("list") or ""),
                                                 date=str(hit.get("listed_on") or "")[:10] or "?")))
    return out
