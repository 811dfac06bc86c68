"""The shared sanitiser: control characters, escape sequences and bidi overrides never survive."""

import re

from hypothesis import given
from hypothesis import strategies as st

from trustaudit.render._text import clean_text, is_http_url, one_line, truncate

_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def test_ansi_and_osc_sequences_are_removed_with_their_payload():
    assert clean_text("\x1b[31mred\x1b[0m") == "red"
    assert clean_text("\x1b[1;38;5;196mx") == "x"
    assert clean_text("a\x1b]8;;http://evil\x07link\x1b]8;;\x07b") == "alinkb"
    assert clean_text("a\x1b]0;title\x1b\\b") == "ab"
    assert clean_text("a\x9b31mb") == "ab"
    assert clean_text("a\x1bcb") == "ab"
    assert clean_text("a\x1b]8;;unterminated") == "a"


def test_controls_and_bidi_overrides_are_removed():
    assert clean_text("a\x00b\x07c\x7fd") == "abcd"
    assert clean_text("a\x85b\u2028c") == "a\nb\nc"  # NEL and line separators are line breaks
    assert clean_text("\u202egnp.exe\u202c") == "gnp.exe"
    assert clean_text("x\u2066y\u2069") == "xy"
    assert clean_text("العربية") == "العربية"  # real RTL text is untouched
    assert clean_text("l1\r\nl2\rl3") == "l1\nl2\nl3"


def test_one_line_and_truncation():
    assert one_line("  a\n\tb  \n c ") == "a b c"
    assert clean_text("abcdef", 4) == "abc…"
    assert truncate("abc", 3) == "abc"
    assert clean_text(None) == ""
    assert clean_text(42) == "42"


def test_rich_markup_is_not_touched_it_is_each_format_s_job():
    assert clean_text("[bold]x[/]") == "[bold]x[/]"


@given(st.text())
def test_never_leaves_dangerous_characters(s):
    out = clean_text(s)
    assert not _BAD.search(out)
    assert "\x1b" not in out
    assert "\n" not in one_line(s) and "\t" not in one_line(s)


def test_is_http_url():
    assert is_http_url("https://shop.example/a?b=c")
    assert is_http_url("HTTP://shop.example/")
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "file:///etc/passwd",
                " https://x.example", "https://x.example/\x1b[31m", "https://a b", "https://", "", None, 3,
                "java\nscript:alert(1)", "//evil.example/"):
        assert not is_http_url(bad), bad
