"""Terminal report (rich). Page text only ever enters rich as ``Text`` objects, never as markup.

Short by design: failures and high/medium warnings in full; low-priority suggestions (low/info warnings)
collapsed into one line with a count (``verbose`` lists them); what was crawled said once in the header (the
"not found" evidence notes are not repeated on every check); checks that could not be checked grouped by
their reason; an inconclusive report is its reason and one line, plus any failure that was still judged.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from trustaudit.messages import number, t
from trustaudit.models import CheckResult, Report, Severity, Status
from trustaudit.render._common import (
    as_of_text,
    grade_cap_text,
    partial_text,
    prepare,
    problems,
    registry_lines,
    top_fixes,
    with_status,
)
from trustaudit.render._text import clean_text

_STATUS_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.MANUAL: "cyan",
}
_REGISTRY_STYLE = {"active": "green", "inactive": "bold red", "not_found": "bold red", "warning": "bold red",
                   "unknown": "magenta", "info": "dim"}
_GRADE_STYLE = {"A": "bold green", "B": "green", "C": "yellow", "D": "yellow", "E": "red", "F": "bold red"}


def _txt(s: object, style: str = "", max_len: int | None = 300) -> Text:
    return Text(clean_text(s, max_len, newlines=False), style=style)


def _score_text(score: int | None) -> Text:
    if score is None:
        return Text("—", style="dim")
    style = "green" if score >= 80 else "yellow" if score >= 60 else "red"
    return Text(str(score), style=style)


NOT_FOUND_NOTE = "evidence.not_found"  # "not found (pages crawled: N)": said once, in the header


def is_suggestion(c: CheckResult) -> bool:
    """A low-priority warning (blog, news, loyalty …): collapsed into one line unless --verbose."""
    return c.status is Status.WARN and c.severity in (Severity.LOW, Severity.INFO)


def _evidence(c: CheckResult):
    return [ev for ev in c.evidence if not (ev.msg is not None and ev.msg.id == NOT_FOUND_NOTE)]


def _grouped_reasons(checks: list[CheckResult], style: str) -> list[Text]:
    """One line per check, or one line per reason shared by several checks (a saved copy: nine TLS checks)."""
    by_reason: dict[str, list[CheckResult]] = {}
    for c in checks:
        by_reason.setdefault(clean_text(c.reason, 300, newlines=False), []).append(c)
    out = []
    for reason, group in by_reason.items():
        if len(group) == 1 or not reason:
            out.extend(_reason_line(c, style) for c in group)
            continue
        line = Text("  ")
        line.append(reason, style=style)
        line.append(f" ({len(group)}): ", style=style)
        line.append(", ".join(c.id for c in group), style="dim")
        out.append(line)
    return out


def _reason_line(c, style: str) -> Text:
    """One check that was not judged (could not check / manual), with why."""
    line = Text("  ")
    line.append(clean_text(c.title, 200, newlines=False))
    line.append(f" [{c.id}]", style="dim")
    if c.reason:
        line.append(": " + clean_text(c.reason, 300, newlines=False), style=style)
    return line


def renderables(report: Report, lang: str | None = None, verbose: bool = False) -> list[RenderableType]:
    report, lang = prepare(report, lang)
    out: list[RenderableType] = []
    pages = len(report.pages_fetched)
    meta = []
    if report.country:
        meta.append(report.country)
    if report.shop_language:
        meta.append(report.shop_language)
    if report.platform and report.platform.get("name"):
        meta.append(str(report.platform["name"]))
    meta.append(t("pages_n", lang, n=pages))
    meta.append(t("duration_s", lang, s=number(report.duration_s, lang)))

    head = Text()
    head.append(f"{t('report.title', lang)}: ", style="bold")
    head.append(clean_text(report.final_url or report.target, 200, newlines=False))
    head.append("\n")
    if report.score is None:
        head.append(
            t("inconclusive", lang, reason=clean_text(report.inconclusive or "—", 200, newlines=False)),
            style="bold magenta",
        )
        unjudged = sum(1 for c in report.checks if c.status is Status.ERROR)
        head.append("\n" + t("inconclusive.summary", lang, n=unjudged) + f" ({t('pages_n', lang, n=pages)})",
                    style="dim")
        out.append(head)  # no frame: three lines that say it all
        # what was still judged (our own TLS handshake) and failed is a real finding: one line each
        width = _status_width(report, lang)
        for c in problems(report):
            if c.status is Status.FAIL:
                line = Text(f"{t('status.fail', lang):<{width - 1}} ", style=_STATUS_STYLE[c.status])
                line.append(clean_text(c.title, 200, newlines=False))
                line.append(f"  [{c.id}]", style="dim")
                out.append(line)
        out.extend(_assertions(report, lang))
        return out
    head.append(f"{t('score', lang)}: ", style="bold")
    head.append(f"{report.score}/100", style=_GRADE_STYLE.get(report.grade or "", ""))
    head.append(f"   {t('grade', lang)}: ", style="bold")
    head.append(report.grade or "—", style=_GRADE_STYLE.get(report.grade or "", ""))
    if report.grade_cap:
        head.append(" (" + clean_text(grade_cap_text(report, lang), 200, newlines=False) + ")", style="bold red")
    if report.partial:
        head.append("\n" + clean_text(partial_text(report), 300, newlines=False), style="yellow")
    head.append("\n" + clean_text(" · ".join(meta), 200, newlines=False), style="dim")
    if as_of_text(report, lang):  # dated duties judged on another day than the scan's (--as-of)
        head.append("\n" + clean_text(as_of_text(report, lang), 200, newlines=False), style="dim")
    out.append(Panel(head, expand=False))

    cats = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    cats.add_column(t("category", lang))
    cats.add_column(t("score", lang), justify="right")
    cats.add_column("", no_wrap=True)
    for c in report.categories:
        bar = "" if c.score is None else "█" * round(c.score / 5) + "░" * (20 - round(c.score / 5))
        cats.add_row(_txt(c.title), _score_text(c.score), Text(bar, style="dim"))
    out.append(cats)

    tops = top_fixes(report, 5)
    if tops:
        tbl = Text()
        tbl.append(t("top_fixes", lang) + "\n", style="bold")
        for i, c in enumerate(tops, 1):
            tbl.append(f"{i}. ")
            tbl.append(clean_text(c.title, 200, newlines=False))
            tbl.append("\n")
        out.append(tbl)

    probs = problems(report)
    shown = [c for c in probs if verbose or not is_suggestion(c)]
    collapsed = len(probs) - len(shown)
    if probs:
        out.append(Text(t("failed_checks", lang), style="bold underline"))
        width = _status_width(report, lang)
        out.extend(_problem(c, lang, width) for c in shown)
        if collapsed:
            out.append(Text(t("suggestions_collapsed", lang, n=collapsed), style="dim"))

    regs = registry_lines(report, lang)
    if regs:
        line = Text(t("registry.heading", lang), style="bold underline")
        for r in regs[:20]:
            line.append("\n  ")
            line.append(clean_text(r.text, 400, newlines=False), style=_REGISTRY_STYLE.get(r.status, ""))
        if len(regs) > 20:
            line.append("\n  " + t("more_items", lang, n=len(regs) - 20), style="dim")
        out.append(line)

    for status, heading, style in ((Status.ERROR, "not_checked", "magenta"), (Status.MANUAL, "manual_checks", "cyan")):
        listed = with_status(report.checks, status)
        if listed:
            out.append(Text(t(heading, lang), style="bold underline"))
            out.extend(_grouped_reasons(listed, style))

    passed = with_status(report.checks, Status.PASS)
    if passed:
        line = Text(f"{t('passed_checks', lang)} ({len(passed)})", style="bold underline")
        if verbose:
            for c in passed:
                line.append("\n  ✓ ", style="green")
                line.append(clean_text(c.title, 200, newlines=False))
                if c.evidence:
                    line.append(" — " + clean_text(c.evidence[0].snippet or c.evidence[0].url, 120, newlines=False),
                                style="dim")
        else:
            line.append("\n  " + ", ".join(c.id for c in passed), style="dim")
        out.append(line)

    out.extend(_assertions(report, lang))

    if report.extractor_errors:
        line = Text(t("extractor_errors", lang), style="bold underline")
        for e in list(report.extractor_errors)[:10]:
            line.append("\n  ")
            line.append(clean_text(f"{e.get('extractor', '')} {e.get('url', '')}", 150, newlines=False), style="dim")
            line.append(": " + clean_text(e.get("error", ""), 200, newlines=False))
        out.append(line)

    if report.errors:
        line = Text(t("errors", lang), style="bold underline")
        for e in list(report.errors)[:10]:
            line.append("\n  ")
            line.append(clean_text(e.get("url", ""), 150, newlines=False), style="dim")
            line.append(": " + clean_text(e.get("error", ""), 200, newlines=False))
        if len(report.errors) > 10:
            line.append("\n  " + t("more_items", lang, n=len(report.errors) - 10), style="dim")
        out.append(line)
    return out


def _status_width(report: Report, lang: str) -> int:
    """Column of the status labels: the longest one in this language, then a space (whatever the language)."""
    labels = [t("status." + s.value, lang) for s in (Status.FAIL, Status.WARN)]
    return max(len(x) for x in labels) + 2


def _problem(c: CheckResult, lang: str, width: int) -> RenderableType:
    head = Text()
    head.append(f"{t('status.' + c.status.value, lang):<{width - 1}} ", style=_STATUS_STYLE[c.status])
    head.append(clean_text(c.title, 200, newlines=False), style="bold")
    head.append(f"  [{c.id}]", style="dim")
    body = Text()
    body.append(f"{t('fix', lang)}: ", style="bold")
    body.append(clean_text(c.fix, 1000, newlines=False))
    if c.fix_platform:
        body.append("\n→ ", style="bold")
        body.append(clean_text(c.fix_platform, 600, newlines=False))
    for ev in _evidence(c)[:3]:
        body.append(f"\n{t('evidence', lang)}: ", style="dim")
        body.append(clean_text(ev.url, 200, newlines=False), style="dim")
        if ev.snippet:
            body.append(" — " + clean_text(ev.snippet, 160, newlines=False), style="dim")
    return Group(head, Padding(body, (0, 0, 0, 4)))


def _assertions(report: Report, lang: str) -> list[RenderableType]:
    """The project's [assert] results: every one not met in full, the others counted."""
    if not report.assertions:
        return []
    cats = {c.id: c.title for c in report.categories}
    line = Text(t("assertions", lang), style="bold underline")
    counts: dict[str, int] = {}
    for a in report.assertions:
        outcome = str(a.get("outcome", ""))
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome != "failed":
            continue
        aid = str(a.get("id", ""))
        name = cats.get(aid[9:], aid[9:]) if aid.startswith("category:") else aid
        level = str(a.get("level", ""))
        line.append("\n  ✗ ", style="bold red" if level == "error" else "yellow")
        line.append(clean_text(name, 120, newlines=False))
        line.append(f": {clean_text(a.get('actual') or '—', 40, newlines=False)} ("
                    + t("assertion.expected", lang, expected=clean_text(a.get("expected"), 40, newlines=False))
                    + f"; {t('assertion.' + level, lang)})", style="dim")
    summary = " · ".join(f"{t('assertion.' + k, lang)}: {counts[k]}"
                         for k in ("failed", "passed", "not_checked") if counts.get(k))
    line.append("\n  " + summary, style="dim")
    return [line]


def render(report: Report, lang: str | None = None, verbose: bool = True) -> str:
    """Plain text (no colour codes) for --output files (everything listed) and tests."""
    buf = io.StringIO()
    console = Console(file=buf, width=110, color_system=None, force_terminal=False, highlight=False,
                      emoji=False, markup=False)
    console.print(Group(*renderables(report, lang, verbose=verbose)))
    return buf.getvalue()
