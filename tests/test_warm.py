"""The page warmer (trustaudit/extract/warm.py): extraction done while the crawl fetches must give exactly what
extraction after the crawl gives, whatever the warmer got to, and must really take the work off the end."""

from __future__ import annotations

import dataclasses
import time

import pytest
import trustaudit.extract.warm as warm
from servers import send
from test_e2e_shops import PL_SHOP
from trustaudit.extract.parse import ParseCache
from trustaudit.extract.warm import PageWarmer

from trustaudit.cli import demo_path
from trustaudit.crawl import crawl
from trustaudit.extract import extract, extract_emails
from trustaudit.options import ScanOptions


def _cold(snapshot, country=None) -> dict:
    return dataclasses.asdict(extract(snapshot, ParseCache(), country))


def _warmed(snapshot, pages=None, warmer_country=None, country=None) -> tuple[dict, ParseCache]:
    cache = ParseCache()
    w = PageWarmer(cache, warmer_country)
    for p in snapshot.pages if pages is None else pages:
        w.page_fetched(p)
    while w.idle():
        pass
    return dataclasses.asdict(extract(snapshot, cache, country)), cache


@pytest.fixture(scope="module")
def demo_snapshot():
    return crawl(demo_path(), ScanOptions(), ParseCache())


def _slow(route, seconds: float):
    """A route that answers after ``seconds``, like a remote shop."""
    status, headers, body = route

    def handler(h) -> None:
        time.sleep(seconds)
        send(h, status, headers, body)

    return handler


def test_the_crawler_hands_its_waiting_time_to_the_warmer(serve, fast_options):
    """Against a shop that answers after 0.2 s, pages are extracted while the crawl waits for the next ones,
    and the result is exactly what extraction after the crawl gives."""
    shop = serve({path: _slow(route, 0.2) if path != "/robots.txt" else route for path, route in PL_SHOP.items()})
    cache = ParseCache()
    w = PageWarmer(cache)
    snapshot = crawl(shop.url + "/", fast_options, cache, w)
    pages = [p for p in snapshot.pages if p.text]
    assert len(pages) >= 10
    # the first pages were done during the crawl: parsed once into the shared cache, their extractors run
    assert w.pages_warmed >= 5
    for p in pages[: w.pages_warmed]:
        pp = cache.get(p)
        assert (extract_emails, ()) in pp.__dict__["_memo"], p.url
        assert pp.__dict__["_widgets"][1] is not None
    warm_result = dataclasses.asdict(extract(snapshot, cache, None))
    assert warm_result == _cold(snapshot)
    assert warm_result["emails"] and warm_result["tax_ids"] and warm_result["review_widgets"]


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


def test_demo_shop_same_result_warmed_or_not(demo_snapshot):
    got, _ = _warmed(demo_snapshot)
    assert got == _cold(demo_snapshot)
    assert got["country"] == "PL" and got["tax_ids"]


def test_a_wrong_country_guess_is_recomputed(demo_snapshot):
    """The warmer guessed Germany; extract decides otherwise and must not reuse the German phone/ID results."""
    got, cache = _warmed(demo_snapshot, warmer_country="DE")
    assert got == _cold(demo_snapshot)
    pp = cache.get(next(p for p in demo_snapshot.pages if p.text))
    countries = {key[1] for key in pp.__dict__["_memo"] if key[1]}
    assert ("DE",) in countries and ("PL",) in countries  # both were computed, the right one was used


def test_pages_warmed_in_another_order_are_scanned_again(demo_snapshot):
    """Widget results depend on the earlier pages; a different order must not leak into the result."""
    got, _ = _warmed(demo_snapshot, pages=list(reversed(demo_snapshot.pages)))
    assert got == _cold(demo_snapshot)


def test_partial_warming_is_completed_by_extract(demo_snapshot):
    got, _ = _warmed(demo_snapshot, pages=demo_snapshot.pages[:2])
    assert got == _cold(demo_snapshot)


def test_a_failing_warmer_changes_nothing(demo_snapshot, monkeypatch):
    calls = []

    def broken(pp):
        calls.append(pp.url)
        if len(calls) == 2:
            raise ValueError("boom")
        return real(pp)

    real = warm.warm_page
    monkeypatch.setattr(warm, "warm_page", broken)
    got, _ = _warmed(demo_snapshot)
    assert len(calls) == 2  # it stopped at the failure
    assert got == _cold(demo_snapshot)


def test_country_override_reaches_the_warmer(demo_snapshot):
    got, _ = _warmed(demo_snapshot, warmer_country="DE", country="DE")
    assert got == _cold(demo_snapshot, "DE")
    assert got["country"] == "DE"
