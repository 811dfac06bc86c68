"""extract() survives any HTML: empty, garbage, deep nesting, huge text, and random mutations (hypothesis)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustaudit.extract import extract
from trustaudit.models import Artifacts, FetchedPage, SiteSnapshot
from trustaudit.web.html import ParseCache

SEED = """<html lang="pl"><head><script type="application/ld+json">{"@type":"Organization","name":"X"}</script></head>
<body><footer><a href="/kontakt">Kontakt</a> NIP: 123-456-32-18 tel. 603 177 807 biuro@sklep.pl
<div itemscope itemtype="http://schema.org/AggregateRating"><span itemprop="ratingValue">5</span></div>
<a href="mailto:x@y.pl">m</a><a href="tel:+48603177807">t</a></footer></body></html>"""


def run(html: str, url: str = "https://sklep.example.pl/") -> Artifacts:
    fp = FetchedPage(url=url, status=200, text=html)
    return extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(fp,)), ParseCache())


def test_degenerate_inputs():
    for html in ["", " ", "\x00\x01\x02", "<", "<html", "<<<>>>", "\ufffd" * 1000, "<?xml version='1.0'?><a/>",
                 "<html><body>" + "<div>" * 5000 + "x" + "</div>" * 5000 + "</body></html>",
                 '<script type="application/ld+json">' + "[" * 3000 + "</script>",
                 '<script type="application/ld+json">{"@type": "AggregateRating", "ratingValue": "NaN"}</script>']:
        assert isinstance(run(html), Artifacts)


def test_no_pages_and_error_pages():
    empty = SiteSnapshot(target="x", base_url="https://a.pl/", final_url="https://a.pl/", local=False)
    a = extract(empty, ParseCache())
    assert a.country == "PL" and a.emails == ()
    err = SiteSnapshot(target="x", base_url="https://a.pl/", final_url="https://a.pl/", local=False,
                       pages=(FetchedPage(url="https://a.pl/x", status=404, text="<p>biuro@a.pl</p>"),))
    assert extract(err, ParseCache()).broken_links


def test_big_page_is_fast():
    filler = ("<p>Lorem ipsum 123 456 789 dolor (at) sit [dot] amet, NIP ИНН 00-950 Warszawa tel </p>\n") * 20000
    t0 = time.process_time()
    a = run("<html><body>" + filler + SEED + "</body></html>")
    assert time.process_time() - t0 < 10
    assert isinstance(a, Artifacts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000), st.integers(min_value=0, max_value=len(SEED)))
def test_random_text_and_mutated_html_never_raise(garbage, pos):
    assert isinstance(run(garbage), Artifacts)
    assert isinstance(run(SEED[:pos] + garbage + SEED[pos:]), Artifacts)


_BASES = ["https://a.pl", "https://a.pl/", "http://a.pl:8080/x/y?z#f", "https://user@a.pl/p/", "https://[::1]:99/a",
          "https://a.pl?x", "https://a.pl#f", "file:///tmp/a/b.html", "http://a.pl/d/e.html"]
_HREFS = ["/", "/a/../b", "/./c", "/a?x#y", "/%zz", "/a//b", "https://b.pl/../x", "http://[::1/x", "https://b.pl#f",
          "/[", "/..", "https://a.pl/x/./y", "http://b.pl/./q?", "https://b.pl?#", "rel/x", "../up", "?q", "//cdn.x/y"]


def test_link_resolution_cache_gives_what_urljoin_gives():
    """urls.resolve caches links that resolve the same on every page; the result is urljoin's, always."""
    from urllib.parse import urldefrag, urljoin

    from trustaudit.web.urls import resolve as _absolute

    def reference(base: str, href: str) -> str:
        try:
            return urldefrag(urljoin(base, href))[0]
        except ValueError:
            return ""

    for _ in range(2):  # the second round is served from the cache
        for base in _BASES:
            for href in _HREFS:
                assert _absolute(base, href) == reference(base, href), (base, href)
