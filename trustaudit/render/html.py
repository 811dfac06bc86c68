"""One self-contained HTML file for merchants and agencies.

No network requests when opened: CSS is inline, charts are inline SVG, no fonts, scripts or images are
loaded, and a Content-Security-Policy forbids them anyway (defence in depth if escaping ever failed).

Page text is hostile: the Python side only *cleans* it (``clean_text``: control characters, escape
sequences, bidi overrides) and builds a view model of plain strings; the Jinja2 template escapes it
(``autoescape=True``). Only http(s) URLs become links.

Layout: header (target, score ring and grade), "what buyers see first" (top five fixes by weight to gain),
category chart, failed and warned checks with fixes and evidence, could not be checked, manual checks,
not applicable / skipped and passed checks (collapsed), pages crawled and fetch errors. Responsive,
printable, ``lang`` always set and ``dir="rtl"`` for right-to-left languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2

from trustaudit import __version__
from trustaudit.messages import t
from trustaudit.models import CheckResult, Report, Status
from trustaudit.render._common import (
    as_of_text,
    category_titles,
    counts,
    gain,
    grade_cap_text,
    partial_text,
    prepare,
    problems,
    registry_lines,
    top_fixes,
    with_status,
)
from trustaudit.render._text import clean_text, is_http_url, one_line

RTL_LANGS = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})
MAX_EVIDENCE = 10
MAX_SNIPPET = 400
MAX_LIST = 500  # pages / errors shown
RING_CIRCUMFERENCE = 339.292  # 2 * pi * 54


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trustaudit.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def text_dir(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGS else "ltr"


def grade_class(grade: str | None) -> str:
    g = (grade or "").strip()[:1].upper()
    return f"g-{g.lower()}" if g in "ABCDEF" and g else "g-none"


def score_class(score: int | float | None) -> str:
    if score is None:
        return "s-none"
    if score >= 80:
        return "s-good"
    if score >= 50:
        return "s-mid"
    return "s-bad"


def _link(url: object) -> dict[str, str | None]:
    text = one_line(url, 2000)
    return {"text": text, "href": text if is_http_url(text) else None}


def _check_view(c: CheckResult, cat_titles: Mapping[str, str], lang: str) -> dict[str, Any]:
    evidence = [
        {**_link(e.url), "snippet": clean_text(e.snippet, MAX_SNIPPET)} for e in c.evidence[:MAX_EVIDENCE]
    ]
    return {
        "id": one_line(c.id),
        "category": one_line(cat_titles.get(c.category, c.category)),
        "status": c.status.value,
        "status_label": t("status." + c.status.value, lang),
        "severity": c.severity.value,
        "severity_label": t("severity." + c.severity.value, lang),
        "weight": c.weight,
        "gain": gain(c),
        "title": one_line(c.title, 500),
        "fix": clean_text(c.fix, 4000),
        "fix_platform": clean_text(c.fix_platform, 2000),
        "reason": clean_text(c.reason, 2000),
        "source": one_line(c.source, 500),
        "evidence": evidence,
        "more_evidence": max(0, len(c.evidence) - MAX_EVIDENCE),
    }


def _tls_lines(tls: Mapping[str, object] | None, lang: str) -> list[str]:
    if tls is None:
        return [t("tls.not_checked", lang)]

    def yn(v: object) -> str:
        return t("bool.yes", lang) if v is True else t("bool.no", lang) if v is False else t("unknown", lang)

    lines = [f"{t('tls.https', lang)}: {yn(tls.get('https'))}", f"{t('tls.valid', lang)}: {yn(tls.get('valid'))}"]
    days = tls.get("days_left")
    if isinstance(days, int) and not isinstance(days, bool):
        lines.append(t("tls.days_left", lang, n=days))
    if tls.get("error"):
        lines.append(one_line(tls.get("error"), 300))
    return lines


def _platform_name(p: Mapping[str, object] | None) -> str:
    if not p:
        return ""
    return one_line(p.get("name") or p.get("slug") or "", 100)


def build_view(report: Report, lang: str) -> dict[str, Any]:
    cats = category_titles(report)
    n = counts(report)
    score = report.score
    pct = max(0, min(100, score)) if isinstance(score, (int, float)) else 0
    return {
        "lang": one_line(lang, 20) or "en",
        "dir": text_dir(lang),
        "tr": lambda key, **kw: t(key, lang, **kw),
        "target": one_line(report.target, 500),
        "final_url": _link(report.final_url),
        "scanned_at": one_line(report.scanned_at, 40),
        "duration": f"{report.duration_s:.1f} s",
        "as_of": one_line(as_of_text(report, lang), 200),
        "country": one_line(report.country, 10),
        "platform": _platform_name(report.platform),
        "tls": _tls_lines(report.tls, lang),
        "inconclusive": one_line(report.inconclusive, 500),
        "grade_cap": one_line(grade_cap_text(report, lang), 500),
        "partial": one_line(partial_text(report), 500),
        "extractor_errors": [
            {**_link(e.get("url")), "extractor": one_line(e.get("extractor"), 100), "error": one_line(e.get("error"), 500)}
            for e in report.extractor_errors[:MAX_LIST]
        ],
        "score": "–" if score is None else str(score),
        "grade": one_line(report.grade, 5) or "–",
        "grade_class": grade_class(report.grade),
        "ring": {"dash": round(pct * RING_CIRCUMFERENCE / 100, 2), "circ": RING_CIRCUMFERENCE},
        "counts": {s.value: v for s, v in n.items()},
        "categories": [
            {
                "title": one_line(c.title, 120),
                "score": c.score,
                "width": 0 if c.score is None else max(0, min(100, c.score)),
                "cls": score_class(c.score),
            }
            for c in report.categories
        ],
        "top": [_check_view(c, cats, lang) for c in top_fixes(report, 5)],
        "problems": [_check_view(c, cats, lang) for c in problems(report)],
        "registry": [
            {"status": one_line(r.status, 20), "text": clean_text(r.text, 1000),
             "href": r.url if is_http_url(r.url) else None}
            for r in registry_lines(report, lang)[:MAX_LIST]
        ],
        "errors_checks": [_check_view(c, cats, lang) for c in with_status(report.checks, Status.ERROR)],
        "manual": [_check_view(c, cats, lang) for c in with_status(report.checks, Status.MANUAL)],
        "not_applicable": [
            _check_view(c, cats, lang) for c in with_status(report.checks, Status.NOT_APPLICABLE)
        ],
        "skipped": [
            {"id": one_line(s.get("id"), 200), "reason": one_line(s.get("reason"), 500)} for s in report.skipped
        ],
        "passed": [_check_view(c, cats, lang) for c in with_status(report.checks, Status.PASS)],
        "pages": [
            {
                **_link(p.get("url")),
                "status": one_line(p.get("status"), 10),
                "title": one_line(p.get("title"), 200),
            }
            for p in report.pages_fetched[:MAX_LIST]
        ],
        "more_pages": max(0, len(report.pages_fetched) - MAX_LIST),
        "crawl_errors": [
            {**_link(e.get("url")), "error": one_line(e.get("error"), 500), "kind": one_line(e.get("kind"), 40)}
            for e in report.errors[:MAX_LIST]
        ],
        "more_errors": max(0, len(report.errors) - MAX_LIST),
        "version": one_line(report.tool_version or __version__, 40),
        "assertions_failed": [
            {
                "name": one_line(cats.get(str(a.get("id"))[9:], str(a.get("id"))[9:]) if str(a.get("id")).startswith(
                    "category:") else a.get("id"), 200),
                "actual": one_line(a.get("actual"), 40) or "–",
                "expected": one_line(a.get("expected"), 40),
                "level": "error" if a.get("level") == "error" else "warn",
            }
            for a in report.assertions if a.get("outcome") == "failed"
        ],
    }


def render(report: Report, lang: str | None = None) -> str:
    report, lang = prepare(report, lang)
    return _env().get_template("report.html.j2").render(**build_view(report, lang))
