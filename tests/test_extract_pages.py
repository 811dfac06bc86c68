"""Page-kind selection over a snapshot, link_priority for the crawler."""

from __future__ import annotations

from trustaudit.extract import extract
from trustaudit.extract.pages import link_priority
from trustaudit.models import FetchedPage, Region, SiteSnapshot
from trustaudit.web.html import Link, ParseCache


def snap(*pages: tuple[str, str]) -> SiteSnapshot:
    fps = tuple(FetchedPage(url=u, status=200, text=t) for u, t in pages)
    return SiteSnapshot(target=fps[0].url, base_url=fps[0].url, final_url=fps[0].url, local=False, pages=fps)


HOME = """<html lang="pl"><body>
<header><a href="/kontakt">Kontakt</a><a href="/koszyk">Koszyk</a></header>
<main><a href="/p/conti-sport-contact-5">Conti Sport Contact 5 205/55 R16</a>
<a href="/kategoria/cookies">Cookies & Biscuits</a></main>
<footer>
 <a href="/o-nas/">O nas</a> <a href="/regulamin">Regulamin</a>
 <a href="/polityka-prywatnosci">Polityka prywatności</a>
 <a href="/dostawa-i-zwroty/">Dostawa i zwroty</a>
 <a href="javascript:;">Reklamacje</a>
 <a href="#">FAQ</a>
 <a href="https://facebook.com/shop/about">About</a>
</footer></body></html>"""


def test_pages_from_footer_and_header():
    a = extract(snap(("https://sklep.example.pl/", HOME)), ParseCache())
    p = a.pages
    assert p["contact"].url == "https://sklep.example.pl/kontakt"
    assert p["about"].url == "https://sklep.example.pl/o-nas/"
    assert p["terms"].url.endswith("/regulamin")
    assert p["privacy"].url.endswith("/polityka-prywatnosci")
    assert p["delivery"].url == p["returns"].url == "https://sklep.example.pl/dostawa-i-zwroty/"
    # a javascript: control or a bare "#" with a clear label is reported as a page without URL
    assert p["complaints"] is not None and p["complaints"].url == ""
    assert p["faq"] is not None and p["faq"].url == ""
    assert p["order_tracking"] is None and p["payment"] is None
    assert p["contact"].region == "header" and p["about"].region == "footer"
    assert all(ref is None or ref.url == "" or ref.url.startswith("https://") for ref in p.values())


def test_fetched_page_classified_by_heading():
    other = "<html><head><title>Polityka zwrotów | Sklep</title></head><body><h1>Zwroty</h1></body></html>"
    a = extract(snap(("https://s.pl/", "<html><body><p>hi</p></body></html>"), ("https://s.pl/x/123", other)), ParseCache())
    assert a.pages["returns"] is not None and a.pages["returns"].url == "https://s.pl/x/123"
    assert a.pages["returns"].fetched


def test_legal_notice_is_its_own_key_and_contact_fallback():
    html = '<html lang="de"><body><footer><a href="/impressum">Impressum</a></footer></body></html>'
    a = extract(snap(("https://shop.de/", html)), ParseCache())
    assert a.pages["legal_notice"].url == "https://shop.de/impressum"
    assert a.pages["contact"].url == "https://shop.de/impressum"
    assert a.pages["about"] is None


def test_link_priority():
    footer = Link("https://s.pl/regulamin", "/regulamin", "Regulamin", Region.FOOTER)
    body = Link("https://s.pl/regulamin", "/regulamin", "Regulamin", Region.BODY)
    product = Link("https://s.pl/p/1", "/p/1", "Buty zimowe", Region.BODY)
    slug_only = Link("https://s.pl/dostawa", "/dostawa", "Więcej", Region.FOOTER)
    assert link_priority(footer) > link_priority(body) > 0
    assert link_priority(product) == 0
    assert link_priority(slug_only) > 0
    assert link_priority(Link("", "javascript:;", "", Region.BODY)) == 0
