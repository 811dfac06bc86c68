"""Extraction on the machine's other core (``extract.worker``, ``pipeline.PageExtractor``): a forked worker
extracts the newest waiting pages while the scan's process goes on with the oldest. What it sends back is
exactly what this process computes, in the order the pages were fetched; a worker that dies hands its pages
back; small scans, strict mode and scans off the main thread (a batch's) never fork. Real forks, real pipes."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from trustaudit.extract import PageContext, extract_page, merge
from trustaudit.extract.worker import can_fork
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.pipeline import PageExtractor
from trustaudit.web.html import ParseCache

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked on Linux only")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
shopgen = pytest.importorskip("shopgen")

LENIENT = PageContext(strict=False)


@pytest.fixture(scope="module")
def grid_pages() -> list[FetchedPage]:
    """Eight pages of the product-grid shop (about 150 KB and 300 product cards each) and two small ones."""
    tpl = shopgen.generate_grid()
    pages = [FetchedPage(url="https://shop.example" + path, status=200, text=pg.body.decode(tpl.encoding))
             for path, pg in list(tpl.pages.items())[:8]]
    small = [FetchedPage(url=f"https://shop.example/small-{i}", status=200,
                         text=f"<html><body><p>Kontakt: sklep{i}@example.pl, tel. +48 22 654 32 1{i}</p></body></html>")
             for i in range(2)]
    return pages[:3] + small + pages[3:]


def _run(pages: list[FetchedPage], extractor: PageExtractor, idle_steps: int = 40) -> list:
    for page in pages:
        extractor.page_fetched(page)
    for _ in range(idle_steps):  # the crawl's idle time
        extractor.idle()
    return extractor.finish()


def test_the_worker_extracts_pages_and_the_facts_are_those_of_this_process(grid_pages, monkeypatch):
    from trustaudit.extract import worker

    serial = [extract_page(p, LENIENT) for p in grid_pages]
    extractor = PageExtractor(ParseCache(), LENIENT, fork=True)
    waits: list[int] = []
    real_wait = worker.ExtractWorker.wait

    def wait(self, timeout):  # a spy: finish() waits only while the worker holds pages of this scan
        waits.append(len(extractor._sent))
        return real_wait(self, timeout)

    monkeypatch.setattr(worker.ExtractWorker, "wait", wait)
    got = _run(grid_pages, extractor)
    assert all(waits)
    assert extractor.by_worker >= 2  # the worker took its share
    assert extractor.by_worker < len(grid_pages)  # and this process too
    assert [f.url for f in got] == [p.url for p in grid_pages]  # in the order the pages were fetched
    assert got == serial
    home = grid_pages[0].url
    snapshot = SiteSnapshot(target=home, base_url=home, final_url=home, local=False, pages=tuple(grid_pages))
    assert merge(got, snapshot) == merge(serial, snapshot)
    assert extractor._worker is None  # the worker is gone once the facts are in


def test_a_worker_that_dies_hands_its_pages_back(grid_pages):
    extractor = PageExtractor(ParseCache(), LENIENT, fork=True)
    for page in grid_pages:
        extractor.page_fetched(page)
    extractor.idle()
    worker = extractor._worker
    assert worker is not None and worker.outstanding
    os.kill(worker.pid, signal.SIGKILL)
    got = extractor.finish()
    assert [f.url for f in got] == [p.url for p in grid_pages]
    assert got == [extract_page(p, LENIENT) for p in grid_pages]
    assert not extractor.unread


def test_a_worker_pages_not_back_by_the_deadline_are_unread(grid_pages):
    extractor = PageExtractor(ParseCache(), LENIENT, fork=True)
    for page in grid_pages:
        extractor.page_fetched(page)
    extractor.idle()  # the worker holds two pages; this process starts on the first one
    sent = {p.url for p in extractor._sent.values()}
    assert sent
    worker = extractor._worker
    os.kill(worker.pid, signal.SIGSTOP)  # a worker that never answers
    try:
        extractor.deadline = time.monotonic()
        got = extractor.finish()
    finally:
        with contextlib.suppress(ProcessLookupError):  # finish() killed and reaped it
            os.kill(worker.pid, signal.SIGCONT)
    assert [f.url for f in got] == [grid_pages[0].url]  # the first page is always read
    assert sent <= {p.url for p in extractor.unread}


def test_very_large_pages_stay_with_this_process(grid_pages):
    """The worker would hold a page's tree beside the trees this process holds: a page above
    ``WORKER_MAX_CHARS`` is extracted here (and the facts are the same)."""
    big = FetchedPage(url="https://shop.example/big", status=200, text=grid_pages[3].text * 3)
    pages = [*grid_pages[:4], big, *grid_pages[4:]]
    extractor = PageExtractor(ParseCache(), LENIENT, fork=True)
    extractor.WORKER_MAX_CHARS = len(grid_pages[3].text) * 2
    sent: list[str] = []
    for page in pages:
        extractor.page_fetched(page)
        sent += [p.url for p in extractor._sent.values()]
    for _ in range(40):
        extractor.idle()
        sent += [p.url for p in extractor._sent.values()]
    got = extractor.finish()
    assert extractor.by_worker >= 2 and big.url not in sent
    assert got == [extract_page(p, LENIENT) for p in pages]


def test_small_scans_strict_mode_and_other_threads_never_fork(grid_pages):
    small = [p for p in grid_pages if "small" in p.url] * 3
    extractor = PageExtractor(ParseCache(), LENIENT)
    _run([FetchedPage(url=f"{p.url}-{i}", status=200, text=p.text) for i, p in enumerate(small)], extractor)
    assert extractor.by_worker == 0 and extractor._fork is None  # too little to read: never tried

    strict = PageExtractor(ParseCache(), PageContext(strict=True))
    _run(grid_pages, strict, idle_steps=3)
    assert strict.by_worker == 0

    assert can_fork() or os.environ.get("TRUSTAUDIT_FORK") == "0"
    seen: list[bool] = []
    t = threading.Thread(target=lambda: seen.append(can_fork()))
    t.start()
    t.join()
    assert seen == [False]  # a batch runs its scans on threads: a fork there would copy the others' state


def test_the_worker_waits_for_the_vocabulary(grid_pages):
    ready = threading.Event()
    extractor = PageExtractor(ParseCache(), LENIENT, ready=ready.is_set)
    for page in grid_pages:
        extractor.page_fetched(page)
    for _ in range(3):
        extractor.idle()
    assert extractor._worker is None
    ready.set()
    extractor.idle()
    try:
        assert extractor._worker is not None
    finally:
        extractor.close()


def test_a_scan_with_the_worker_reports_what_a_scan_without_it_reports(serve, monkeypatch):
    """A whole scan of the product-grid shop over loopback, as the CLI runs it (not strict): the worker is
    forked and the report is the one of a scan that never forks (the times it took aside)."""
    from dataclasses import asdict

    from trustaudit.extract import worker
    from trustaudit.options import ScanOptions
    from trustaudit.pipeline import scan

    tpl = shopgen.generate_grid()
    shop = serve({path: (200, {"Content-Type": f"text/html; charset={tpl.encoding}"}, pg.body)
                  for path, pg in tpl.pages.items()})
    monkeypatch.setenv("TRUSTAUDIT_STRICT", "0")
    started: list = []
    real_start = worker.ExtractWorker.start.__func__

    def spy(cls):
        w = real_start(cls)
        started.append(w)
        return w

    monkeypatch.setattr(worker.ExtractWorker, "start", classmethod(spy))
    # one request at a time: the pages are fetched in the same order both times (four at once race)
    options = ScanOptions(max_pages=25, verify=False, total_timeout=60.0, concurrency=1)
    forked = asdict(scan(shop.url + "/", options))
    assert started and started[0] is not None  # the worker ran
    monkeypatch.setenv("TRUSTAUDIT_FORK", "0")
    alone = asdict(scan(shop.url + "/", options))
    assert len(started) == 1
    for report in (forked, alone):
        report.pop("scanned_at")
        report.pop("duration_s")
        for page in report["pages_fetched"]:
            page.pop("elapsed_ms")
    assert forked.keys() == alone.keys()
    for key in forked:
        if key == "checks":
            for a, b in zip(forked[key], alone[key], strict=True):
                assert a == b
        assert forked[key] == alone[key], key
