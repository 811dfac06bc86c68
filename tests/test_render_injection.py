"""Hostile page text comes out inert in every report format this package renders to files.

Each payload (rich markup, ANSI / OSC escapes, HTML / script, Markdown controls, CSV formulas, bidi
overrides, raw control characters) is put into every text field a shop controls, and each format is
checked with its own parser.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.sample_reports import HOSTILE, make_report
from trustaudit.models import CategoryScore, Evidence, Status
from trustaudit.render import csv_report, html, junit, markdown, sarif

PAYLOADS = (*HOSTILE, "\n".join(HOSTILE))
ALWAYS_BANNED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_report(payload: str):
    statuses = {"legal.returns": Status.FAIL, "contact.phone": Status.WARN, "identity.tax-id": Status.ERROR,
                "reputation.reviews-widget": Status.MANUAL, "legal.complaints": Status.NOT_APPLICABLE}
    ev = tuple(Evidence(u, payload) for u in ("https://shop.example/" + payload, payload, "javascript:" + payload))
    base = make_report(
        statuses,
        target=payload,
        final_url=payload,
        evidence=dict.fromkeys(statuses, ev),
        reasons=dict.fromkeys(statuses, payload),
        texts=dict.fromkeys(statuses, (payload, payload, payload)),
        pages_fetched=({"url": payload, "status": 200, "title": payload},),
        errors=({"url": payload, "error": payload, "kind": payload},),
        platform={"name": payload},
        inconclusive=payload,
        skipped=({"id": payload, "reason": payload},),
    )
    cats = tuple(CategoryScore(c.id, payload, c.score, c.weight) for c in base.categories)
    return dataclasses.replace(base, categories=cats)


def _common(out: str) -> None:
    assert "\x1b" not in out
    assert not ALWAYS_BANNED.search(out), repr(ALWAYS_BANNED.search(out))
    assert "\r" not in out


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_html(payload):
    out = html.render(hostile_report(payload))
    _common(out)
    p = _Collect()
    p.feed(out)
    assert not {t for t, _ in p.tags} & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in p.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "href" in attrs:
            assert re.match(r"https?://", attrs["href"]), attrs
    svg_tags = [t for t, _ in p.tags if t == "svg"]
    assert len(svg_tags) == 7  # our ring + six bars, none from page text


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_markdown(payload):
    out = markdown.render(hostile_report(payload))
    _common(out)
    assert "<script" not in out and "<img" not in out
    assert not re.search(r"(?<!\\)\]\(", out)  # no link syntax from page text
    assert "\x1b]8" not in out
    ours = {"## ", "### "}
    for line in out.splitlines():
        if line.startswith("#"):
            assert any(line.startswith(h) for h in ours), line
            assert not line.startswith("## #") and not line.startswith("### #")
        if line.startswith("|"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 3, line
    assert "**bold**" not in out and "`code`" not in out and "~~s~~" not in out
    if "_it_" in payload:
        assert "\\_it\\_" in out
    allowed_html = re.compile(r"</?sub>")
    assert not re.search(r"<(?!https?://)[a-zA-Z/]", allowed_html.sub("", out))


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_sarif(payload):
    report = hostile_report(payload)
    out = sarif.render(report)
    _common(out)
    doc = json.loads(out)
    text = json.dumps(doc, ensure_ascii=False)
    assert "\\u001b" not in text and "\\u0000" not in text
    skipped = [s for s in report.skipped if s.get("id")]  # suppressed results, with the config's reason
    assert len(doc["runs"][0]["results"]) == 2 + len(skipped)


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_junit(payload):
    out = junit.render(hostile_report(payload))
    _common(out)
    root = ET.fromstring(out.encode("utf-8"))
    assert len(root.findall(".//failure")) == 1 and len(root.findall(".//error")) == 1
    assert "<script" not in out


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_csv(payload):
    out = csv_report.render(hostile_report(payload))
    _common(out)
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    assert len(rows) == 1 + len(hostile_report(payload).checks)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert "\n" not in cell
