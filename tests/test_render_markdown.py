"""Markdown summary: structure, escaping, and the hard size cap."""

import re

import pytest

from tests.sample_reports import ALL, arabic_report, huge_report, mixed_statuses, poor_shop
from trustaudit.render import markdown
from trustaudit.render.markdown import md_text, md_url


@pytest.mark.parametrize("name", sorted(ALL))
def test_structure(name):
    report = ALL[name]()
    md = markdown.render(report)
    assert md.startswith("## ")
    assert f"{report.score}/100" in md
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == len(report.categories) + 2  # header, separator, one row per category
    for row in table:
        assert len(re.findall(r"(?<!\\)\|", row)) == 3, row  # page text never adds a column
    problems = [c for c in report.checks if c.status.value in ("fail", "warn")]
    assert md.count("\n- ❌ ") + md.count("\n- ⚠️ ") == len(problems)


def test_failed_checks_carry_fix_platform_and_evidence():
    md = markdown.render(mixed_statuses())
    assert "Explain how to return goods within 14 days" in md
    assert "Shopify admin → Settings → Policies" in md
    assert "<https://sklep.example.pl/kontakt>" in md
    assert "### Could not be checked (2)" in md and "The contact page timed out" in md
    assert "### To check by hand (2)" in md
    assert "Inconclusive: blocked by bot protection" in md


def test_in_report_language():
    md = markdown.render(arabic_report())
    assert "تدقيق موثوقية المتجر" in md and "الفحوصات الفاشلة والتحذيرات" in md


def test_page_text_is_escaped():
    md = markdown.render(poor_shop())
    assert "<script" not in md and "<img" not in md
    assert not re.search(r"(?<!\\)\]\(", md)  # no [text](url) links from page text
    assert "\\*\\*bold\\*\\*" in md and "\\`code\\`" in md
    for line in md.splitlines():
        assert not line.startswith("# "), line  # page text never starts a heading
    assert "\x1b" not in md and "\u202e" not in md


def test_escape_helpers():
    assert md_text("a|b*c_d[e]f<g>h`i#j~k$l\\") == "a\\|b\\*c\\_d\\[e\\]f&lt;g&gt;h\\`i\\#j\\~k\\$l\\\\"
    assert md_text("line1\nline2\r\n# x") == "line1 line2 \\# x"
    assert md_text("ping @octocat") == "ping @\u200boctocat"
    assert md_url("javascript:alert(1)") == "javascript:alert(1)"  # text, not a link
    assert md_url("https://x.example/a%20b|d") == "<https://x.example/a%20b%7Cd>"
    url = md_url("https://x.example/p?q=<b>")
    assert url.startswith("<https://") and url.endswith(">") and "<b>" not in url


def test_size_cap_on_thousands_of_checks():
    md = markdown.render(huge_report(5000))
    size = len(md.encode("utf-8"))
    assert size < 64 * 1024
    assert size <= markdown.MAX_BYTES
    m = re.search(r"… (\d+) more not shown", md)
    assert m and int(m.group(1)) > 1000
    assert md.rstrip().endswith("</sub>")
