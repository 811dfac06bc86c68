"""widgets.scan_page's fast paths give exactly what the plain passes they replace give."""

from __future__ import annotations

import random

from trustaudit.extract import widgets as W
from trustaudit.models import FetchedPage
from trustaudit.web.html import ParsedPage


def _page(body: str, url: str = "https://shop.example.pl/") -> ParsedPage:
    return ParsedPage(FetchedPage(url=url, status=200, text=f"<html><body>{body}</body></html>"))


def _summary(res: W.PageWidgets):
    return [(k, d.url, d.evidence) for k, d in res.found.items()], sorted(res.text_only)


def test_host_matches_equal_the_plain_search():
    pieces = list("abcdehikmnoprstuwxz0123456789./:-_?=&%+~# \n\"'();$@") + [
        "http://", "https://", "//", ".com", ".co", ".de", ".info", "www.", "ı", "ſ", "İ", "\u212a", "é", "COM",
        ".Chat", "/path", "é.com", "a.co ", "x.it;", "widget.trustpilot.com/x?y=1",
    ]
    rnd = random.Random(7)
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.choice([5, 30, 300, 2000])))
        if rnd.random() < 0.5:
            text = text.lower()
        assert [(m.span(), m.groups()) for m in W._host_matches(text)] == [
            (m.span(), m.groups()) for m in W._HOSTLIKE.finditer(text)
        ], text
    # dense anchors: the rest of the text is searched in one go
    text = "var a = x.co.uk/y;" * 2000 + " //connect.ekomi.de/x.js"
    assert [m.span() for m in W._host_matches(text)] == [m.span() for m in W._HOSTLIKE.finditer(text)]


def test_case_sensitive_names_equal_the_regex():
    d = W.db()
    assert d.cs_re is not None and W._cs_anchors() is not None
    pieces = list("aiDEVISAPBLKU24lkysx _-\n.,é9ł²ǅⅣ١") + list(d.cs_map) * 3
    rnd = random.Random(3)
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert W._cs_matches(text) == [(m.start(), m.end(), m.group(0)) for m in d.cs_re.finditer(text)], text


def test_match_url_on_a_host_of_many_labels():
    host = "a.co" * 1500 + ".trustpilot.com"  # as in a hostile inline script: a "host" of 3,000 labels
    found = W._match_url(f"http://{host}/review/x")
    parts = host.split(".")
    expected = [(s, f"http://{host}/review/x") for i in range(len(parts) - 1)
                for s, prefix in W.db().by_host.get(".".join(parts[i:]), ())
                if not prefix or "/review/x".startswith(prefix)]
    assert found == expected and found


def test_markup_parts_in_order_of_first_occurrence():
    pp = _page('<div class="b" data-y="1" id="a"><klarna-placement class="b" aria-labelledby="pi-visa">'
               '</klarna-placement><span data-x="" class=""></span><p class="a"></p></div>')
    tag_list = [el.tag for el in pp.elements]
    assert list(W._markup_parts(pp.elements, tag_list, ("klarna",))) == [
        "b", "data-y", "a", "pi-visa", "klarna-placement", "data-x"]
    assert list(W._markup_parts(pp.elements, None, ("klarna",))) == ["b", "data-y", "a", "pi-visa", "data-x"]


def test_upper_case_element_names_are_read_like_lower_case_ones():
    body = ('<a href="https://www.facebook.com/shopname#payWithKlarna" title="Zapłać BLIK">x</a>'
            '<img src="//widget.trustpilot.com/x.png" alt="VISA"><klarna-placement></klarna-placement>'
            '<div class="pi-paypal"></div><meta name="generator" content="WooCommerce 8">'
            '<script>window.$zopim||1</script><p>Płatność kartą Mastercard</p>')
    lower = _page(body)
    upper = _page(body)
    for el in upper.root.iter():  # not what lxml's HTML parser gives, but read the same way
        if isinstance(el.tag, str):
            el.tag = el.tag.upper()
    for view in ("text", "folded_text", "inline_script_bodies"):  # the page's other views: web/html.py's business
        upper.__dict__[view] = getattr(lower, view)
    assert {el.tag for el in upper.elements} != {el.tag for el in lower.elements}
    a, b = W.scan_page(lower), W.scan_page(upper)
    assert _summary(a) == _summary(b)
    assert {("social", "facebook"), ("review", "trustpilot"), ("payment", "klarna"), ("payment", "paypal"),
            ("chat", "zendesk_chat"), ("payment", "blik"), ("payment", "visa")} <= set(a.found)


def test_a_name_repeated_thousands_of_times_keeps_the_first_snippet():
    pp = _page("<p>Zapłać VISA start.</p>" + "<p>VISA x</p>" * 5000)
    res = W.scan_page(pp)
    det = res.found[("payment", "visa")]
    assert det.evidence.startswith("Zapłać VISA start.")
