"""Extract page by page while the crawl is still waiting on the network (issue #7).

A real shop answers in 100-500 ms per request, so a crawl spends most of its time waiting; extraction after
the crawl would add its whole CPU time on top. ``PageWarmer`` is a crawl observer: every page the crawler
keeps is handed to one background thread, which parses it (through the shared ``ParseCache``) and runs the
per-page extractors (``extract.warm_page`` / ``warm_country``) while the event loop waits for the next
responses. ``extract`` then finds those results memoised on the pages and only does the shop-level work.

Correctness does not depend on the warmer:

* every memoised extractor is a pure function of the page and its arguments, so a result made on this thread
  is the one ``extract`` would make (``extract._memo``);
* the country-dependent extractors run with the warmer's own country guess from the first five pages; when
  ``extract`` decides another country (it also sees the crawl's base URL), they are simply run again;
* the widget scan depends on the pages before it (see ``widgets.scan_page``): each result is kept with the
  pages it came after and reused only for exactly that order (``extract.scan_widgets``);
* any failure stops the warmer quietly: ``extract`` computes what is missing.

The thread only reads pages and holds the GIL for at most one switch interval at a time, so the event loop
keeps fetching; on loopback, with no waits to fill, it changes nothing but the order of the work.
"""

from __future__ import annotations

import logging
import queue
import threading

from trustaudit.extract import MAX_PAGES, language_and_country, scan_widgets_on, warm_country, warm_page
from trustaudit.extract.parse import ParseCache, ParsedPage
from trustaudit.models import FetchedPage

log = logging.getLogger(__name__)
COUNTRY_PAGES = 5  # language_and_country looks at the first five pages only


class PageWarmer:
    """A crawl observer (``crawl.common.CrawlObserver``) that also forwards every event to ``inner``."""

    def __init__(self, cache: ParseCache, country_override: str | None = None, inner=None):
        self.cache = cache
        self.country_override = country_override
        self.inner = inner
        self._queue: queue.SimpleQueue[FetchedPage | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trustaudit-warm", daemon=True)
        self._started = False
        self.pages_seen = 0

    # -- observer ---------------------------------------------------------------------------------------
    def page_fetched(self, page: FetchedPage) -> None:
        if self.inner is not None:
            self.inner.page_fetched(page)
        self._queue.put(page)

    def page_failed(self, err) -> None:
        if self.inner is not None:
            self.inner.page_failed(err)

    # -- lifetime ---------------------------------------------------------------------------------------
    def __enter__(self) -> PageWarmer:
        self._thread.start()
        self._started = True
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._stopped.set()  # the scan failed: drop the rest, do not wait for the page in hand
        self._queue.put(None)
        if exc_type is None and self._started:
            self._thread.join()

    # -- the thread -------------------------------------------------------------------------------------
    def _run(self) -> None:
        pps: list[ParsedPage] = []
        seen: set = set()
        country: str | None = None
        guessed = False
        try:
            while not self._stopped.is_set():
                page = self._queue.get()
                if page is None:
                    break
                # the pages extract() looks at: those with a body and no error status among the first MAX_PAGES
                self.pages_seen += 1
                if self.pages_seen > MAX_PAGES or page.status >= 400 or not page.text:
                    continue
                pp = self.cache.get(page)
                warm_page(pp)
                scan_widgets_on(pp, tuple(pps), seen)
                pps.append(pp)
                if guessed:
                    warm_country(pp, country)
                elif len(pps) >= COUNTRY_PAGES:
                    country, guessed = self._guess(pps), True
            if pps and not guessed and not self._stopped.is_set():
                self._guess(pps)
        except Exception:  # noqa: BLE001 - extract() computes whatever is missing
            log.debug("page warmer stopped", exc_info=True)

    def _guess(self, pps: list[ParsedPage]) -> str | None:
        home = pps[0].url  # the crawl's final URL; its base URL is not known here (a wrong guess only costs time)
        _lang, country, _src = language_and_country(home, home, pps, self.country_override)
        for pp in pps:
            if self._stopped.is_set():
                break
            warm_country(pp, country)
        return country
