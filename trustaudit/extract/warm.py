"""Extract page by page while the crawl is waiting on the network (issue #7).

A real shop answers in 100-500 ms per request, so a crawl spends most of its time waiting; extraction after
the crawl would add its whole CPU time on top. ``PageWarmer`` is a crawl observer: it queues every page the
crawler keeps, and the crawler calls ``idle()`` whenever it has nothing to do but wait for answers. Each call
extracts one page (``extract.warm_page`` / ``warm_country``, a few milliseconds to tens of milliseconds), then
the crawler looks at the network again, so answers that arrived meanwhile are handled after at most one page
of work. ``extract`` then finds those results memoised on the pages and only does the shop-level work.

Why not a thread: extraction holds the GIL (regex scans in C hold it for milliseconds at a time), so a
background thread delays every network event of the event loop; measured on loopback it made a scan 30%
slower. Working only when the loop is idle costs nothing when the network is fast and hides the extraction
when it is slow.

Correctness does not depend on the warmer:

* every memoised extractor is a pure function of the page and its arguments, so a result made here is the one
  ``extract`` would make (``extract._memo``);
* the country-dependent extractors run with the warmer's own country guess from the first five pages; when
  ``extract`` decides another country (it also sees the crawl's base URL), they are simply run again;
* the widget scan depends on the pages before it (see ``widgets.scan_page``): each result is kept with the
  pages it came after and reused only for exactly that order (``extract.scan_widgets``);
* any failure stops the warmer quietly: ``extract`` computes what is missing.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator

from trustaudit.extract import (
    MAX_PAGES,
    extractable,
    language_and_country,
    scan_widgets_on,
    warm_country,
    warm_page,
)
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
        self._queue: deque[FetchedPage] = deque()
        self._pps: list[ParsedPage] = []
        self._seen: set = set()  # the widget scan's "already seen on an earlier page"
        self._country: str | None = None
        self._guessed = False
        self._broken = False
        self._steps: Iterator[bool] | None = None
        self.pages_seen = 0
        self.pages_warmed = 0

    # -- observer ---------------------------------------------------------------------------------------
    def page_fetched(self, page: FetchedPage) -> None:
        if self.inner is not None:
            self.inner.page_fetched(page)
        self.pages_seen += 1
        if self.pages_seen <= MAX_PAGES and extractable(page):  # the pages extract() looks at
            self._queue.append(page)

    def page_failed(self, err) -> None:
        if self.inner is not None:
            self.inner.page_failed(err)

    def idle(self) -> bool:
        """Do one step of the extraction of the queued pages (one extractor on one page, a few ms); False when
        there is nothing (more) to do."""
        if self._broken:
            return False
        try:
            while True:
                if self._steps is None:
                    if not self._queue:
                        return False
                    self._steps = self._warm(self._queue.popleft())
                if next(self._steps, None) is not None:
                    return True
                self._steps = None
        except Exception:  # noqa: BLE001 - extract() computes whatever is missing
            log.debug("page warmer stopped", exc_info=True)
            self._broken = True
            return False

    # -- work -------------------------------------------------------------------------------------------
    def _warm(self, page: FetchedPage) -> Iterator[bool]:
        """The extraction of one page, one step per extractor (``next`` runs the next one)."""
        pp = self.cache.get(page)
        yield True
        yield from warm_page(pp)
        scan_widgets_on(pp, tuple(self._pps), self._seen)
        self._pps.append(pp)
        self.pages_warmed += 1
        yield True
        if self._guessed:
            yield from warm_country(pp, self._country)
        elif len(self._pps) >= COUNTRY_PAGES:
            home = self._pps[0].url  # the crawl's final URL; its base URL is not known here (a wrong guess
            # only costs time: extract() runs the country-dependent extractors again)
            _lang, self._country, _src = language_and_country(home, home, self._pps, self.country_override)
            self._guessed = True
            for p in self._pps:
                yield from warm_country(p, self._country)
