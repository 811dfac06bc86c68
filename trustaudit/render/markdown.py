"""Markdown summary for a pull-request comment or a GitHub step summary.

Score, grade, the category table, then failed and warned checks (most to gain first) with their fixes,
then what could not be checked and what needs a person. The output stays under ``MAX_BYTES`` (GitHub
comments are capped at 65,536 characters) whatever the report size: items that do not fit are counted
in a "… N more" note.

Page text is folded onto one line, cleaned of control characters, and every Markdown / HTML control
character is escaped, so a shop cannot inject headings, tables, links, images, HTML or @mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from trustaudit import __version__
from trustaudit.messages import t
from trustaudit.models import CheckResult, Report, Status
from trustaudit.render._common import (
    STATUS_ICON,
    as_of_text,
    counts,
    grade_cap_text,
    partial_text,
    prepare,
    problems,
    registry_lines,
    score_text,
    with_status,
)
from trustaudit.render._text import is_http_url, one_line

MAX_BYTES = 60_000
_REGISTRY_ICON = {"active": "✅", "inactive": "❌", "not_found": "❌", "warning": "❌", "unknown": "❔", "info": "ℹ️"}
MAX_EVIDENCE = 3
MAX_SNIPPET = 160
MAX_FIX = 1000
_RESERVE = 800  # room kept for the "… N more" note and the footer

# Everything is placed inline after a prefix (never at a line start), so these are the characters that
# can start or end markup there: emphasis, code, links/images, tables, strikethrough, math, headings.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")
_URL_SAFE = ":/?#@!$&'()*+,;=%~-._"


def md_text(s: object, max_len: int | None = None) -> str:
    """Page text -> inert inline Markdown: one line, escaped, no HTML, no @mentions."""
    text = one_line(s, max_len)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # a zero-width space after @ keeps GitHub from notifying whoever the page names
    return text.replace("@", "@\u200b")


def md_code(s: object) -> str:
    """Short identifier in a code span (backticks and pipes cannot close it or split a table)."""
    return "`" + one_line(s, 200).replace("`", "'").replace("|", "/") + "`"


def md_url(url: object) -> str:
    """An http(s) URL as an autolink (unsafe characters percent-encoded); anything else as plain text."""
    u = one_line(url, 2000)
    if is_http_url(u):
        return "<" + quote(u, safe=_URL_SAFE) + ">"
    return md_text(u)


def _check_item(c: CheckResult, lang: str) -> str:
    head = f"- {STATUS_ICON[c.status]} **{md_text(c.title, 300)}** · {md_code(c.id)} · " + md_text(
        t("severity." + c.severity.value, lang)
    )
    lines = [head]
    if c.fix:
        lines.append(f"  {md_text(t('fix', lang))}: {md_text(c.fix, MAX_FIX)}")
    if c.fix_platform:
        lines.append(f"  {md_text(t('fix_platform', lang))}: {md_text(c.fix_platform, MAX_FIX)}")
    if c.evidence:
        ev = []
        for e in c.evidence[:MAX_EVIDENCE]:
            item = md_url(e.url)
            if e.snippet:
                item += f" — “{md_text(e.snippet, MAX_SNIPPET)}”"
            ev.append(item)
        more = len(c.evidence) - MAX_EVIDENCE
        if more > 0:
            ev.append(md_text(t("more_items", lang, n=more)))
        lines.append(f"  {md_text(t('evidence', lang))}: " + "; ".join(ev))
    return "  \n".join(lines) + "\n"


def _reason_item(c: CheckResult, lang: str) -> str:
    line = f"- {STATUS_ICON[c.status]} **{md_text(c.title, 300)}** · {md_code(c.id)}"
    if c.reason:
        line += f" — {md_text(c.reason, 500)}"
    return line + "\n"


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def add(self, text: str, *, force: bool = False) -> bool:
        n = len(text.encode("utf-8"))
        if not force and (self.dropped or self.size + n > self.limit - _RESERVE):
            self.dropped += 1
            return False
        self.parts.append(text)
        self.size += n
        return True

    def section(self, heading: str, items: Iterable[str], total: int) -> None:
        if total == 0:
            return
        if self.dropped or self.size + len(heading.encode()) > self.limit - _RESERVE:
            self.dropped += total
            return
        self.add(heading, force=True)
        for i, item in enumerate(items):
            if not self.add(item):
                self.dropped += total - i - 1  # the rest are counted, not rendered
                return


def render(report: Report, lang: str | None = None) -> str:
    report, lang = prepare(report, lang)
    n = counts(report)
    out = _Budget(MAX_BYTES)
    head = [f"## {md_text(t('report.title', lang))}: {md_text(report.target, 300)}", ""]
    grade = md_text(report.grade) if report.grade else "–"
    head.append(
        f"**{md_text(t('score', lang))}: {score_text(report.score)}/100** · "
        f"**{md_text(t('grade', lang))}: {grade}**"
        + (f" ({md_text(grade_cap_text(report, lang), 400)})" if report.grade_cap and report.grade else "")
    )
    head.append("")
    head.append(
        md_text(
            t(
                "summary_counts",
                lang,
                fail=n[Status.FAIL],
                warn=n[Status.WARN],
                passed=n[Status.PASS],
                error=n[Status.ERROR],
                manual=n[Status.MANUAL],
            )
        )
    )
    if report.inconclusive:
        head += ["", "> ⚠️ " + md_text(t("inconclusive", lang, reason=one_line(report.inconclusive, 300)))]
    if report.partial:
        head += ["", "> ⚠️ " + md_text(partial_text(report), 500)]
    head += ["", f"| {md_text(t('category', lang))} | {md_text(t('score', lang))} |", "| --- | ---: |"]
    for cat in report.categories[:50]:
        score = score_text(cat.score) if cat.score is not None else md_text(t("not_scored", lang))
        head.append(f"| {md_text(cat.title, 120)} | {score} |")
    out.add("\n".join(head) + "\n\n", force=True)

    failed_asserts = [a for a in report.assertions if a.get("outcome") == "failed"]
    if failed_asserts:
        cats = {c.id: c.title for c in report.categories}
        lines = [f"### {md_text(t('assertions', lang))} ({len(failed_asserts)} {md_text(t('assertion.failed', lang))})", ""]
        for a in failed_asserts[:100]:
            aid = str(a.get("id", ""))
            name = md_text(cats.get(aid[9:], aid[9:]), 120) if aid.startswith("category:") else md_code(aid)
            level = str(a.get("level", ""))
            lines.append(f"- {'❌' if level == 'error' else '⚠️'} {name}: {md_text(a.get('actual') or '–', 40)} "
                         f"({md_text(t('assertion.expected', lang, expected=one_line(a.get('expected'), 40)))}; "
                         f"{md_text(t('assertion.' + level, lang))})")
        out.add("\n".join(lines) + "\n\n", force=True)

    probs = problems(report)
    if probs:
        out.section(
            f"### {md_text(t('failed_checks', lang))} ({len(probs)})\n\n",
            (_check_item(c, lang) for c in probs),
            len(probs),
        )
    else:
        out.add(f"✅ {md_text(t('no_problems', lang))}\n", force=True)
    regs = registry_lines(report, lang)
    out.section(
        f"\n### {md_text(t('registry.heading', lang))}\n\n",
        (f"- {_REGISTRY_ICON.get(r.status, '•')} {md_text(r.text, 600)}\n" for r in regs),
        len(regs),
    )
    for status, key in ((Status.ERROR, "not_checked"), (Status.MANUAL, "manual_checks")):
        items = with_status(report.checks, status)
        out.section(
            f"\n### {md_text(t(key, lang))} ({len(items)})\n\n",
            (_reason_item(c, lang) for c in items),
            len(items),
        )
    tail = []
    if out.dropped:
        tail.append("\n" + md_text(t("truncated_note", lang, n=out.dropped)) + "\n")
    version = report.tool_version or __version__
    tail.append(
        f"\n<sub>{md_text(t('generated_by', lang, version=version))} · "
        f"{md_text(t('scanned_at', lang))}: {md_text(report.scanned_at, 40)}"
        + (f" · {md_text(as_of_text(report, lang), 200)}" if as_of_text(report, lang) else "")
        + "</sub>\n"
    )
    out.add("".join(tail), force=True)
    return "".join(out.parts)
