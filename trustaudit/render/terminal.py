"""Terminal report (rich). Page text only ever enters rich as ``Text`` objects, never as markup."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from trustaudit.messages import t
from trustaudit.models import Report, Status
from trustaudit.render._common import grade_cap_text, partial_text, prepare, problems, top_fixes, with_status
from trustaudit.render._text import clean_text

_STATUS_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.MANUAL: "cyan",
}
_GRADE_STYLE = {"A": "bold green", "B": "green", "C": "yellow", "D": "yellow", "E": "red", "F": "bold red"}


def _txt(s: object, style: str = "", max_len: int | None = 300) -> Text:
    return Text(clean_text(s, max_len, newlines=False), style=style)


def _score_text(score: int | None) -> Text:
    if score is None:
        return Text("—", style="dim")
    style = "green" if score >= 80 else "yellow" if score >= 60 else "red"
    return Text(str(score), style=style)


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

    head = Text()
    head.append(f"{t('report.title', lang)}: ", style="bold")
    head.append(clean_text(report.final_url or report.target, 200, newlines=False))
    head.append("\n")
    if report.score is None:
        head.append(
            t("inconclusive", lang, reason=clean_text(report.inconclusive or "—", 200, newlines=False)),
            style="bold magenta",
        )
    else:
        head.append(f"{t('score', lang)}: ", style="bold")
        head.append(f"{report.score}/100", style=_GRADE_STYLE.get(report.grade or "", ""))
        head.append(f"   {t('grade', lang)}: ", style="bold")
        head.append(report.grade or "—", style=_GRADE_STYLE.get(report.grade or "", ""))
        if report.grade_cap:
            head.append(" (" + clean_text(grade_cap_text(report, lang), 200, newlines=False) + ")", style="bold red")
    if report.partial:
        head.append("\n" + clean_text(partial_text(report), 300, newlines=False), style="yellow")
    meta = []
    if report.country:
        meta.append(report.country)
    if report.shop_language:
        meta.append(report.shop_language)
    if report.platform and report.platform.get("name"):
        meta.append(str(report.platform["name"]))
    meta.append(f"{len(report.pages_fetched)} pages, {report.duration_s:.1f}s")
    head.append("\n" + clean_text(" · ".join(meta), 200, newlines=False), style="dim")
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
    if probs:
        out.append(Text(t("failed_checks", lang), style="bold underline"))
        for c in probs:
            head = Text()
            head.append(f"{t('status.' + c.status.value, lang):<14}", style=_STATUS_STYLE[c.status])
            head.append(clean_text(c.title, 200, newlines=False), style="bold")
            head.append(f"  [{c.id}]", style="dim")
            body = Text()
            body.append(f"{t('fix', lang)}: ", style="bold")
            body.append(clean_text(c.fix, 1000, newlines=False))
            if c.fix_platform:
                body.append("\n→ ", style="bold")
                body.append(clean_text(c.fix_platform, 600, newlines=False))
            for ev in c.evidence[:3]:
                body.append(f"\n{t('evidence', lang)}: ", style="dim")
                body.append(clean_text(ev.url, 200, newlines=False), style="dim")
                if ev.snippet:
                    body.append(" — " + clean_text(ev.snippet, 160, newlines=False), style="dim")
            out.append(Group(head, Padding(body, (0, 0, 0, 4))))

    for status, heading, style in ((Status.ERROR, "not_checked", "magenta"), (Status.MANUAL, "manual_checks", "cyan")):
        listed = with_status(report.checks, status)
        if listed:
            out.append(Text(t(heading, lang), style="bold underline"))
            out.extend(_reason_line(c, style) for c in listed)

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
            line.append(f"\n  … +{len(report.errors) - 10}", style="dim")
        out.append(line)
    return out


def render(report: Report, lang: str | None = None) -> str:
    """Plain text (no colour codes) for --output files and tests."""
    buf = io.StringIO()
    console = Console(file=buf, width=110, color_system=None, force_terminal=False, highlight=False,
                      emoji=False, markup=False)
    console.print(Group(*renderables(report, lang, verbose=True)))
    return buf.getvalue()
