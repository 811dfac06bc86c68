"""Pure per-page extraction (trustaudit/extract/page.py, merge.py): the same page gives the same facts whatever
was extracted before, in any order or thread; extraction while the crawl runs gives exactly what extraction
after the crawl gives; a failing extractor is recorded with the signals it feeds, or re-raised in strict mode."""

from __future__ import annotations

import dataclasses
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from servers import send
from test_e2e_shops import PL_SHOP

import trustaudit.extract.page as page_mod
from trustaudit.cli import demo_path
from trustaudit.crawl import crawl
from trustaudit.extract import PageContext, extract, extract_page, extractable, merge
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.options import ScanOptions
from trustaudit.pipeline import PageExtractor, link_scorer
from trustaudit.web.html import ParseCache


def _asdict(artifacts) -> dict:
    return dataclasses.asdict(artifacts)


@pytest.fixture(scope="module")
def demo_snapshot():
    return crawl(demo_path(), ScanOptions(), scorer=link_scorer())


def test_facts_do_not_depend_on_other_pages_order_or_thread(demo_snapshot):
    pages = [p for p in demo_snapshot.pages if extractable(p)]
    assert len(pages) >= 8
    alone = {p.url: extract_page(p) for p in pages}
    shuffled = pages[:]
    random.Random(3).shuffle(shuffled)
    cache = ParseCache()
    in_order = {p.url: extract_page(p, PageContext(), cache) for p in shuffled}
    with ThreadPoolExecutor(4) as pool:
        threaded = dict(zip([p.url for p in pages], pool.map(extract_page, pages), strict=True))
    assert in_order == alone == threaded
    # frozen all the way down: a later step cannot change a page's facts
    f = alone[pages[0].url]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.emails = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        f.phrases["x"] = ()  # type: ignore[index]


def test_merge_takes_facts_in_any_order(demo_snapshot):
    facts = [extract_page(p) for p in demo_snapshot.pages if extractable(p)]
    expected = _asdict(extract(demo_snapshot))
    assert expected["country"] == "PL" and expected["tax_ids"] and expected["emails"]
    for seed in range(3):
        random.Random(seed).shuffle(facts)
        assert _asdict(merge(facts, demo_snapshot)) == expected


def test_facts_are_country_free_and_the_country_is_decided_in_merge(demo_snapshot):
    """The same facts read for another country: phone numbers, ID schemes and addresses follow the override."""
    facts = [extract_page(p) for p in demo_snapshot.pages if extractable(p)]
    pl = merge(facts, demo_snapshot)
    de = merge(facts, demo_snapshot, country_override="de")
    assert pl.country == "PL" and de.country == "DE" and de.country_source == "override"
    assert _asdict(de) == _asdict(extract(demo_snapshot, None, "DE"))
    assert pl.addresses != de.addresses or pl.tax_ids != de.tax_ids or pl.phones != de.phones


def _slow(route, seconds: float):
    """A route that answers after ``seconds``, like a remote shop."""
    status, headers, body = route

    def handler(h) -> None:
        time.sleep(seconds)
        send(h, status, headers, body)

    return handler


def test_pages_are_extracted_while_the_crawl_waits_and_the_result_is_the_same(serve, fast_options):
    """Against a shop that answers after 0.2 s, pages are extracted while the crawl waits for the next ones (and
    their parsed trees dropped); the result is exactly what extraction after the crawl gives."""
    shop = serve({path: _slow(route, 0.2) if path != "/robots.txt" else route for path, route in PL_SHOP.items()})
    cache = ParseCache()
    extractor = PageExtractor(cache)
    snapshot = crawl(shop.url + "/", fast_options, cache, extractor, scorer=link_scorer())
    pages = [p for p in snapshot.pages if p.text]
    assert len(pages) >= 10
    during = len(extractor.facts)
    assert during >= 5  # done during the crawl
    assert len(cache) <= len(pages) - during + 1  # their trees were let go
    got = merge(extractor.finish(), snapshot)
    assert _asdict(got) == _asdict(extract(snapshot))
    assert got.emails and got.tax_ids and got.review_widgets


def test_a_failing_idle_step_does_not_stop_the_crawl(serve, fast_options):
    class Broken:
        calls = 0

        def page_fetched(self, page) -> None:
            pass

        def page_failed(self, err) -> None:
            pass

        def idle(self) -> bool:
            Broken.calls += 1
            raise RuntimeError("boom")

    shop = serve({path: _slow(route, 0.05) if path != "/robots.txt" else route for path, route in PL_SHOP.items()})
    snapshot = crawl(shop.url + "/", fast_options, ParseCache(), Broken())
    assert Broken.calls == 1  # called once, then left alone
    assert len([p for p in snapshot.pages if p.text]) >= 10


def _page(body: str, url: str = "https://shop.example.pl/") -> FetchedPage:
    return FetchedPage(url=url, status=200, text=f"<html><body>{body}</body></html>")


def test_a_failing_extractor_is_recorded_with_its_signals(monkeypatch):
    """Outside strict mode an extractor that raises leaves its signals empty and says so: the error names the
    extractor, the page and the signals it feeds (for the engine's "could not check"). The others still run."""
    monkeypatch.delenv("TRUSTAUDIT_STRICT", raising=False)

    def broken(pp, numbers=None):
        raise ValueError("hostile page")

    monkeypatch.setattr(page_mod, "phone_candidates", broken)
    page = _page("<p>Tel. +48 22 654 32 10</p><p>kontakt@sklep.pl</p>")
    facts = extract_page(page)
    assert facts.phones == () and [e.address for e in facts.emails] == ["kontakt@sklep.pl"]
    (err,) = facts.errors
    assert (err.extractor, err.url, err.signals) == ("phones", page.url, ("phones",))
    assert err.error == "ValueError: hostile page"
    snap = SiteSnapshot(target=page.url, base_url=page.url, final_url=page.url, local=False, pages=(page,))
    art = merge([facts], snap)
    assert art.extractor_errors == (err,) and art.phones == () and art.emails


def test_strict_mode_re_raises(monkeypatch):
    def broken(pp):
        raise ValueError("hostile page")

    monkeypatch.setattr(page_mod, "mixed_content", broken)
    with pytest.raises(ValueError, match="hostile page"):
        extract_page(_page("<p>x</p>"), PageContext(strict=True))
    monkeypatch.setenv("TRUSTAUDIT_STRICT", "1")
    with pytest.raises(ValueError, match="hostile page"):
        extract_page(_page("<p>x</p>"))
    monkeypatch.setenv("TRUSTAUDIT_STRICT", "0")
    assert extract_page(_page("<p>x</p>")).errors[0].signals == ("mixed_content",)


def test_a_strict_failure_during_the_crawl_is_raised_after_it(demo_snapshot, monkeypatch):
    """The crawl swallows an observer's failure (it must not stop the crawl); in strict mode the page
    extractor keeps it and raises it when its facts are asked for, so a test cannot miss it."""

    def broken(pp):
        raise ValueError("hostile page")

    monkeypatch.setattr(page_mod, "mixed_content", broken)
    strict = PageExtractor(ParseCache(), PageContext(strict=True))
    lenient = PageExtractor(ParseCache(), PageContext(strict=False))
    for p in demo_snapshot.pages:
        strict.page_fetched(p)
        lenient.page_fetched(p)
    with pytest.raises(ValueError, match="hostile page"):
        strict.finish()
    facts = lenient.finish()
    assert len(facts) == len([p for p in demo_snapshot.pages if extractable(p)])
    assert all(f.errors and f.errors[0].extractor == "mixed_content" for f in facts)


def test_country_dependent_readings_are_kept_as_candidates_and_read_by_merge():
    """A number after a phone icon counts where an unlabelled number of the page is valid; a city with a street
    and no postcode is an address in a Gulf shop; a title-labelled ID counts when a number is left unclaimed:
    the page's facts keep the candidates, ``merge`` decides for the shop's country (one extraction, any country)."""
    url = "https://shop.example/"
    home = FetchedPage(url=url, status=200, text=(
        "<html><body><p><img src='/i/tel.png' alt='Telefon'> 22 123 45 67 od 9 do 17</p>"
        "<footer><p>Prince Sultan Rd, Ar Rawdah Dist., Riyadh</p></footer></body></html>"))
    about = FetchedPage(url=url + "o-nas", status=200, text=(
        "<html><body><p>Dane firmy: <span title='NIP'>123-456-32-18</span></p></body></html>"))
    snap = SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(home, about))
    facts = [extract_page(home), extract_page(about)]
    assert {c.role for c in facts[0].phones} == {"unlabelled", "icon"}
    assert facts[0].addresses.parts_lines and facts[1].ids.titled

    def read(cc):
        a = merge(facts, snap, country_override=cc)
        return ([p.e164 for p in a.phones if p.url == url], [x.text for x in a.addresses],
                [(t.scheme, t.value) for t in a.tax_ids])

    assert read("PL") == (["+48221234567"], [], [("pl.nip", "1234563218")])
    assert read("GB")[0] == []  # "22 123 45 67" is no GB number: nothing lets the icon's number count
    assert read("SA")[1] == ["Prince Sultan Rd, Ar Rawdah Dist., Riyadh"]
    for cc in ("PL", "GB", "SA"):  # the same as extracting for that country from the start
        assert _asdict(merge(facts, snap, country_override=cc)) == _asdict(extract(snap, ParseCache(), cc))
