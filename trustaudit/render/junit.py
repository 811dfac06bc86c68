"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure, GitHub test-reporter actions).

One ``<testsuite>`` per category, one ``<testcase classname="trustaudit.<category>" name="<check id>">``
per check:

- fail -> ``<failure message="title" type="severity">`` with the fix and the evidence;
- error -> ``<error message="title">`` with the reason it could not be checked;
- not_applicable, manual -> ``<skipped message="reason"/>``;
- warn -> a *passed* test case with a ``<system-out>`` note. JUnit has no "warning" outcome; counting a
  warning as a failure would turn every CI run red for advice (``--fail-under`` / SARIF levels are the place
  to be strict), and hiding it would lose it. The note keeps it visible in every JUnit viewer.

Built with ElementTree (escaping is the library's job); text goes through ``clean_text`` first, which also
drops the characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from trustaudit.messages import t
from trustaudit.models import CheckResult, Report, Status
from trustaudit.render._common import grade_cap_text, partial_text, prepare
from trustaudit.render._text import clean_text, one_line

MAX_EVIDENCE = 20
MAX_TEXT = 4000


def _evidence_lines(c: CheckResult, lang: str) -> list[str]:
    lines = []
    for e in c.evidence[:MAX_EVIDENCE]:
        url = one_line(e.url, MAX_TEXT)
        snippet = one_line(e.snippet, 500)
        lines.append(f"- {url}" + (f" — {snippet}" if snippet else ""))
    if len(c.evidence) > MAX_EVIDENCE:
        lines.append(t("more_items", lang, n=len(c.evidence) - MAX_EVIDENCE))
    if lines:
        lines.insert(0, t("evidence", lang) + ":")
    return lines


def _body(c: CheckResult, lang: str) -> str:
    lines = [f"{t('severity', lang)}: {t('severity.' + c.severity.value, lang)}"]
    if c.fix:
        lines.append(f"{t('fix', lang)}: {clean_text(c.fix, MAX_TEXT)}")
    if c.fix_platform:
        lines.append(f"{t('fix_platform', lang)}: {clean_text(c.fix_platform, MAX_TEXT)}")
    if c.reason:
        lines.append(f"{t('reason', lang)}: {clean_text(c.reason, MAX_TEXT)}")
    if c.source:
        lines.append(f"{t('source', lang)}: {clean_text(c.source, MAX_TEXT)}")
    lines.extend(_evidence_lines(c, lang))
    return "\n".join(lines)


def _testcase(parent: ET.Element, c: CheckResult, lang: str) -> None:
    case = ET.SubElement(parent, "testcase", classname=f"trustaudit.{one_line(c.category)}", name=one_line(c.id))
    case.set("time", "0")
    title = one_line(c.title, 500)
    if c.status is Status.FAIL:
        el = ET.SubElement(case, "failure", message=title, type=c.severity.value)
        el.text = _body(c, lang)
    elif c.status is Status.ERROR:
        el = ET.SubElement(case, "error", message=one_line(c.reason, 500) or title, type="could-not-check")
        el.text = _body(c, lang)
    elif c.status in (Status.NOT_APPLICABLE, Status.MANUAL):
        reason = one_line(c.reason, 500) or t("status." + c.status.value, lang)
        ET.SubElement(case, "skipped", message=reason)
    elif c.status is Status.WARN:
        out = ET.SubElement(case, "system-out")
        out.text = t("junit.warn_note", lang, title=title) + "\n" + _body(c, lang)


def render_tree(report: Report, lang: str | None = None) -> ET.Element:
    report, lang = prepare(report, lang)
    by_cat: dict[str, list[CheckResult]] = defaultdict(list)
    for c in report.checks:
        by_cat[c.category].append(c)
    order = [c.id for c in report.categories if c.id in by_cat] + sorted(
        k for k in by_cat if k not in {c.id for c in report.categories}
    )
    titles = {c.id: c.title for c in report.categories}
    target = one_line(report.target)
    root = ET.Element("testsuites", name=f"trustaudit {target}")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for cat in order:
        checks = sorted(by_cat[cat], key=lambda c: c.id)
        n = {
            "tests": len(checks),
            "failures": sum(c.status is Status.FAIL for c in checks),
            "errors": sum(c.status is Status.ERROR for c in checks),
            "skipped": sum(c.status in (Status.NOT_APPLICABLE, Status.MANUAL) for c in checks),
        }
        suite = ET.SubElement(root, "testsuite", name=f"trustaudit.{one_line(cat)}")
        for k, v in n.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", "0")
        if report.scanned_at:
            suite.set("timestamp", one_line(report.scanned_at))
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("target", target),
            ("category.title", one_line(titles.get(cat, cat))),
            ("score", "" if report.score is None else str(report.score)),
            ("grade", one_line(report.grade)),
            *((("grade.cap", one_line(grade_cap_text(report, lang))),) if report.grade_cap else ()),
            *((("partial", one_line(partial_text(report))),) if report.partial else ()),
            *((("inconclusive", one_line(report.inconclusive)),) if report.inconclusive else ()),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        for c in checks:
            _testcase(suite, c, lang)
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{report.duration_s:.3f}")
    return root


def render(report: Report, lang: str | None = None) -> str:
    root = render_tree(report, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
