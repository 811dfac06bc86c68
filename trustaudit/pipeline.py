"""Glue: crawl -> extract -> evaluate -> score -> Report. No printing here (progress goes to an observer).

The crawl and the extraction overlap: ``PageExtractor`` is the crawl's observer; it extracts each page
(``extract.page_steps``, one extractor per step) while the crawl has nothing to do but wait for answers, then
lets the parse cache forget the page. The crawl is given the page-kind scorer of the extraction stage as a
parameter, so it never imports a later stage.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Generator, Mapping
from dataclasses import asdict, replace
from datetime import date, datetime, timezone
from typing import Any

from trustaudit import __version__
from trustaudit.models import PAGE_KINDS, Artifacts, FetchedPage, FetchError, Report, SiteSnapshot, TlsInfo
from trustaudit.options import ScanOptions

log = logging.getLogger(__name__)


def resolve_language(requested: str | None, shop_language: str | None) -> str:
    if requested:
        return requested
    from trustaudit.messages import report_languages

    if shop_language in report_languages():  # every complete catalogue in rules/locales/
        return shop_language  # type: ignore[return-value]
    return "en"


def signals_dict(a: Artifacts) -> dict[str, Any]:
    rating = a.aggregate_rating
    pages = {k: (a.pages.get(k).url if a.pages.get(k) else None) for k in PAGE_KINDS}
    return {
        "emails": [e.address for e in a.emails],
        "phones": [p.e164 for p in a.phones],
        "addresses": [x.text for x in a.addresses],
        "company_names": [e.snippet for e in a.company_names],
        "tax_ids": [
            {"scheme": t.scheme, "value": t.value, "valid": t.valid, "url": t.url, "label": t.label}
            for t in a.tax_ids
        ],
        "pages": pages,
        "reviews": {
            "widgets": _slugs(a.review_widgets),
            "aggregate_rating": (
                {"value": rating.value, "count": rating.count, "best": rating.best} if rating else None
            ),
        },
        "chat_widgets": _slugs(a.chat_widgets),
        "payment_providers": _slugs(a.payment_providers),
        "payment_methods": _slugs(a.payment_methods),
        "social": _slugs(a.social),
        "messengers": _slugs(a.messengers),
        "structured_data": list(a.structured_types),
        "prices": {"amounts": a.prices.amounts, "discounts": [d.percent for d in a.prices.discounts[:500]]},
        "markets": sorted(a.markets),  # groups the shop clearly sells to beyond its country (prices, delivery)
        **({"consent": _consent_dict(a.consent)} if a.consent is not None else {}),
    }


def _consent_dict(c) -> dict[str, Any]:
    return {
        "trackers": [e.snippet.split(" ", 1)[0] for e in c.trackers],
        "cookies": [e.snippet.split(" ", 1)[0] for e in c.cookies],
        "banner": c.banner,
        "reject_on_first_layer": bool(c.reject) if c.banner is not None else None,
    }


def _slugs(dets) -> list[str]:
    seen: list[str] = []
    for d in dets:
        if d.slug not in seen:
            seen.append(d.slug)
    return seen


def _day_of(iso: str) -> date | None:
    """The (UTC) day of an ISO timestamp such as the crawl's ``started_at``; None when there is none."""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).date() if iso else None
    except ValueError:
        return None


def tls_dict(snapshot: SiteSnapshot) -> dict[str, Any] | None:
    if snapshot.local:
        return None
    d = asdict(snapshot.tls)
    d.pop("checked", None)
    return d


def build_report(
    snapshot: SiteSnapshot,
    artifacts: Artifacts,
    *,
    lang: str | None = None,
    skip: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    duration_s: float | None = None,
    registry: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Report:
    """``registry``: what the register look-ups found (``lookups.Lookups.finish``), or why none were made
    (``lookups.off_signals``); None: not asked (the checks that need it say so).
    ``today``: the day the scan is judged on (dated duties: a warning before the date a duty applies from, a
    failure from it); default: the day the crawl started."""
    from trustaudit.engine import Facts, categories, evaluate, load_rules
    from trustaudit.extract.consent import with_browser_facts
    from trustaudit.lookups import merge_into_signals, off_signals
    from trustaudit.report import inconclusive_reason, read_in_part, verdicts
    from trustaudit.scoring import category_scores

    if registry is None:
        from trustaudit.lookups import OFF, SAVED_COPY

        registry = off_signals(SAVED_COPY if snapshot.local else OFF)
    artifacts = with_browser_facts(artifacts, snapshot)  # what only the browser saw (--render)
    report_lang = resolve_language(lang, artifacts.language)
    facts = Facts(
        tls=snapshot.tls if snapshot.tls else TlsInfo(),
        local=snapshot.local,
        pages_fetched=sum(1 for p in snapshot.pages if p.text),
        blocked=snapshot.blocked,
        home_url=snapshot.final_url or snapshot.base_url,
        # not the shop (an error page, a "page not found" answered with 200, bot protection ...): no score
        inconclusive=inconclusive_reason(snapshot, artifacts.home_says_missing),
        limit_hit=snapshot.limit_hit,
        scan_date=today or _day_of(snapshot.started_at) or datetime.now(timezone.utc).date(),
        **js_facts(snapshot),
        consent_reason=consent_reason(snapshot, artifacts),
        registry=registry,
    )
    checks = evaluate(load_rules(), artifacts, facts, report_lang, skip=skip, weights=weights)
    cats = category_scores(checks, categories(), report_lang)
    # score, grade (capped by blocking failures), gains, inconclusive / partial notes, extractor errors
    verdict = verdicts(snapshot, artifacts, facts, checks, cats, report_lang)
    plat = artifacts.platform
    return Report(
        target=snapshot.target,
        final_url=snapshot.final_url,
        scanned_at=snapshot.started_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        duration_s=duration_s if duration_s is not None else snapshot.duration_s,
        language=report_lang,
        shop_language=artifacts.language,
        country=artifacts.country,
        country_source=artifacts.country_source,
        country_confidence=artifacts.country_confidence,
        country_evidence=tuple(asdict(e) for e in artifacts.country_evidence),
        categories=cats,
        signals=merge_into_signals(signals_dict(artifacts), registry),
        tls=tls_dict(snapshot),
        pages_fetched=tuple(_page_entry(p) for p in snapshot.pages),
        errors=tuple({"url": e.url, "error": e.error, "kind": e.kind} for e in snapshot.errors) + read_in_part(artifacts),
        platform={"name": plat.slug, "evidence": plat.evidence} if plat else None,
        skipped=tuple({"id": k, "reason": v} for k, v in (skip or {}).items()),
        tool_version=__version__,
        as_of=facts.scan_date.isoformat(),
        **verdict,
    )


def js_facts(snapshot: SiteSnapshot) -> dict[str, Any]:
    """The pages whose content only JavaScript builds and that were read as served, for the engine (their
    checks become "could not check"), and why they were not rendered."""
    shells = tuple(p.url for p in snapshot.pages if p.app_shell and not p.rendered)
    if not shells:
        return {}
    if snapshot.local:
        reason = "reason.js_saved_copy"
    elif snapshot.render != "off":
        reason = "reason.js_render_failed"
    else:
        reason = "reason.js_needs_render"
    home = snapshot.pages[0].url if snapshot.pages else ""
    return {"js_pages": shells, "js_home": home in shells, "js_reason": reason}


def consent_reason(snapshot: SiteSnapshot, artifacts: Artifacts) -> str:
    """Why cookies and trackers before consent are unknown although --render was asked for ("" otherwise)."""
    if artifacts.consent is not None or snapshot.render == "off" or snapshot.local:
        return ""
    if snapshot.render == "auto":
        return "reason.consent_auto"  # only application shells were rendered, and the home page is not one
    return "reason.render_home_failed"


def _page_entry(p) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": p.url, "status": p.status, "bytes": p.bytes, "elapsed_ms": p.elapsed_ms}
    if p.rendered:
        entry["rendered"] = True  # its text is the DOM after its scripts ran
    elif p.app_shell:
        entry["app_shell"] = True  # its content is built by JavaScript and was not rendered
    return entry


class PageExtractor:
    """A crawl observer (``crawl.common.CrawlObserver``) that extracts every page it is told about, one
    extractor per ``idle()`` call (the crawl calls it while it waits for answers), and forwards every event to
    ``inner``. ``finish()`` extracts what is left and returns the facts of every page.

    Extraction is pure per page (``extract.extract_page``), so doing it here, while the crawl runs, gives
    exactly what extracting after the crawl gives. Why not a thread: extraction holds the GIL (regex scans in C
    hold it for milliseconds), so a thread delays every network event of the crawl's event loop (measured on
    loopback: 30 % slower); work done only when the loop is idle costs nothing when the network is fast and
    hides the extraction when it is slow. Each step is bounded (every extractor has per-page input caps,
    ``extract.limits``), so the crawl looks at the network and at its deadline at least every few tenths of a
    second whatever a page holds.

    ``deadline`` (``time.monotonic()``): no extraction starts after it, except that of the first page (a report
    needs one page read; the caps bound it). The pages fetched and not extracted by then are ``unread``.

    The machine's other core: once pages wait (at least ``FORK_PAGES`` of ``FORK_CHARS`` characters), this
    process forks one worker (``extract.worker``) and hands it the newest waiting pages, two at a time, while it
    goes on with the oldest (pages above ``WORKER_MAX_CHARS`` stay here, so that the worker never holds a very
    large tree beside this process's); what the worker sends back are the facts this process would have computed (pure
    per page), and ``finish`` returns every page's facts in the order the pages were fetched, whoever extracted
    them. ``fork``: None decides so (never in strict mode, off the main thread - a batch's scans - or when
    ``ready()`` says the vocabulary is still being loaded), False never, True whenever the platform can. A
    worker that fails, dies or stalls (``STALL`` seconds without an answer while nothing else is left) hands
    its pages back: this process extracts them."""

    FORK_PAGES = 2
    FORK_CHARS = 200_000
    WORKER_PAGES = 2  # pages the worker holds at once
    WORKER_MAX_CHARS = 1_000_000  # larger pages are extracted here
    STALL = 3.0

    def __init__(self, cache, context=None, inner=None, deadline: float | None = None, fork: bool | None = None,
                 ready=None):
        from trustaudit.extract import PageContext

        self.cache = cache
        self.context = context if context is not None else PageContext()
        self.inner = inner
        self.deadline = deadline
        self.facts: dict[str, Any] = {}
        self._order: dict[str, int] = {}  # page URL -> when it was fetched: the order of the facts returned
        self._fork = fork if fork is not None else (None if not self.context.strict else False)
        self._ready = ready
        self._worker = None
        self._sent: dict[int, FetchedPage] = {}  # with the worker: key -> page
        self._keys = 0
        self.by_worker = 0  # pages whose facts the worker computed
        self.unread: list[FetchedPage] = []  # set by finish(): fetched, not extracted by the deadline
        self._queue: deque[FetchedPage] = deque()
        self._first: FetchedPage | None = None
        self._page: FetchedPage | None = None
        self._steps: Generator | None = None
        self._failure: BaseException | None = None  # strict mode: raised by finish(), not lost in the crawl

    def page_fetched(self, page: FetchedPage) -> None:
        from trustaudit.extract import extractable

        if self.inner is not None:
            self.inner.page_fetched(page)
        if extractable(page):
            if self._first is None:
                self._first = page
            if self._fork is not False or self._worker is not None:
                # the pages already waiting had their links read: the worker may take them now rather than at
                # the crawl's next idle moment (rare while answers keep coming)
                self._share()
            self._order.setdefault(page.url, len(self._order))
            self._queue.append(page)

    def page_failed(self, err) -> None:
        if self.inner is not None:
            self.inner.page_failed(err)

    def idle(self) -> bool:
        """One step of the extraction of the queued pages; False when there is nothing (more) to do, or the
        deadline has passed (``finish`` then says which pages were not read)."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        self._share()
        return self._advance()

    def finish(self) -> list:
        """The facts of the pages extracted, once the crawl is over: extracting the rest now, as far as the
        deadline allows (``unread``: the pages left)."""
        heard = time.monotonic()
        while self._steps is not None or self._queue or self._sent:
            now = time.monotonic()
            if self.deadline is not None and now >= self.deadline and self._first_done():
                break
            if self._share():
                heard = now
            if self._steps is not None or self._queue:
                self._advance()
            elif self._sent and self._worker is not None:  # only the worker's pages are left: wait for them
                if len(self._sent) > 1:
                    # the worker reads its pages in turn: this process takes its last one back rather than wait
                    # (its answer for it, if any, is ignored)
                    self._queue.append(self._sent.pop(max(self._sent)))
                    continue
                if now - heard > self.STALL:
                    self._drop_worker()  # its pages come back to this process
                    continue
                left = self.STALL if self.deadline is None else min(self.STALL, self.deadline - now)
                self._worker.wait(max(0.0, min(left, 0.5)))
        if self._failure is not None:
            self.close()
            raise self._failure
        self.unread = ([self._page] if self._page is not None else []) + list(self._queue) + list(self._sent.values())
        self.close()
        for page in self.unread:
            self.cache.discard(page)
        self._queue.clear()
        self._sent.clear()
        self._steps = self._page = None
        order = self._order
        return [self.facts[u] for u in sorted(self.facts, key=lambda u: order.get(u, len(order)))]

    def close(self) -> None:
        """Stop the worker, if any (its pages not answered stay in ``_sent``)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _drop_worker(self) -> None:
        pages = sorted(self._sent.items())
        self._sent.clear()
        self.close()
        for _key, page in reversed(pages):
            self._queue.appendleft(page)

    def _share(self) -> int:
        """Take in the facts the worker sent back and hand it the newest waiting pages (forking it first once
        enough pages wait); how many pages came back."""
        from trustaudit.extract.worker import ExtractWorker, can_fork

        w = self._worker
        if w is None:
            if self._fork is False or len(self._queue) < self.FORK_PAGES:
                return 0
            if sum(len(p.text) for p in self._queue) < self.FORK_CHARS:
                return 0
            if self._fork is None and (not can_fork() or (self._ready is not None and not self._ready())):
                return 0
            self._fork = False  # one worker per scan, started once
            w = self._worker = ExtractWorker.start()
            if w is None:
                return 0
        back = w.poll()
        for key, facts in back:
            page = self._sent.pop(key, None)
            if page is None:
                continue
            if facts is None:
                self._queue.appendleft(page)  # the worker could not: this process extracts it (and sees why)
            else:
                self.facts[page.url] = facts
                self.by_worker += 1
        if w.broken:
            self._drop_worker()
            return len(back)
        queue = self._queue
        while len(w.outstanding) < self.WORKER_PAGES and len(queue) >= 2:
            # the newest page the worker may take (this process goes on from the oldest); a very large page stays
            # here: the worker would hold its tree beside the ones this process holds
            i = next((j for j in range(len(queue) - 1, 0, -1)
                      if queue[j] is not self._first and len(queue[j].text) <= self.WORKER_MAX_CHARS), None)
            if i is None:
                break
            page = queue[i]
            self._keys += 1
            if not w.send(self._keys, page, self.context):
                break
            del queue[i]
            self._sent[self._keys] = page
            self.cache.discard(page)  # the crawl read its links when it arrived; the worker parses it again
        return len(back)

    def _first_done(self) -> bool:
        return self._first is None or self._first.url in self.facts

    def _advance(self) -> bool:
        if self._steps is None:
            if not self._queue:
                return False
            self._start(self._queue.popleft())
        self._step()
        return True

    def _start(self, page: FetchedPage) -> None:
        from trustaudit.extract import page_steps

        self._page = page
        self._steps = page_steps(page, self.context, self.cache)

    def _step(self) -> None:
        from trustaudit.extract import PageFacts
        from trustaudit.models import ExtractorError

        assert self._steps is not None and self._page is not None
        page = self._page
        try:
            next(self._steps)
            return
        except StopIteration as done:
            self.facts[page.url] = done.value
        except Exception as e:  # noqa: BLE001 - extract_page records its extractors' failures; this is the rest
            if self.context.strict and self._failure is None:
                self._failure = e
            why = " ".join(f"{type(e).__name__}: {e}".split())[:300]
            self.facts[page.url] = PageFacts(page.url, parsed=False,
                                             errors=(ExtractorError("extract_page", page.url, why, ("*",)),))
        self.cache.discard(page)  # the crawl found the page's links when it arrived: the tree can go
        self._steps = self._page = None


def without_unread(snapshot: SiteSnapshot, unread: list[FetchedPage], total_timeout: float) -> SiteSnapshot:
    """The snapshot as far as it was read: the pages fetched but not extracted by the deadline are left out and
    recorded (kind ``limit``), and the crawl counts as stopped by its time limit, so that the checks whose
    evidence would be on those pages are "could not check" (``engine``: their pages were not read) and the
    report says the crawl is partial."""
    if not unread:
        return snapshot
    left = {id(p) for p in unread}
    errors = tuple(
        FetchError(p.url, f"fetched but not read: the time limit ({total_timeout:g}s) was reached first", "limit")
        for p in unread
    )
    return replace(snapshot, pages=tuple(p for p in snapshot.pages if id(p) not in left),
                   errors=snapshot.errors + errors, limit_hit="total_timeout")


def _suffix_list():
    """The parsed Public Suffix List from the build cache, under the list file's size and date: a list upgraded
    with its package is parsed again."""
    import os

    from publicsuffixlist import PSLFILE, PublicSuffixList

    from trustaudit.resources import load_or_build

    st = os.stat(PSLFILE)
    return load_or_build(f"psl-{st.st_size}-{st.st_mtime_ns}", PublicSuffixList)


def _warm_up() -> None:
    """What every scan needs before its first page: the vocabulary, the rules, the Public Suffix List. Run on a
    thread while the crawl waits for the shop's first answers."""
    from trustaudit.extract import load_vocabulary
    from trustaudit.web.sites import suffix_list

    suffix_list()
    load_vocabulary()


def link_scorer():
    """The crawl's link priority: the page-kind vocabulary of the extraction stage (``pages.link_priority``), and
    a few product links (``offers.product_link``, the budget in rules/vocab/offers.yaml) for the checks that read
    product pages."""
    from trustaudit.crawl.priority import safe
    from trustaudit.extract.offers import product_budget, product_link
    from trustaudit.extract.pages import MIN_SCORE, link_priority

    count, priority = product_budget()

    def group(link):
        return ("product", priority) if link.url and product_link(link.url) else None

    return safe(link_priority, MIN_SCORE, group, {"product": count})


def scan(
    target: str,
    options: ScanOptions | None = None,
    *,
    lang: str | None = None,
    skip: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    observer=None,
    http_port: int | None = None,
    today: date | None = None,
    browser=None,
) -> Report:
    """Run the whole audit of one target. Raises crawl.TargetError when the target cannot be scanned.

    The crawl, the extraction of each page (in the crawl's idle time) and the register look-ups (``lookups``:
    the domain from the start, the IDs once extracted) share one event loop and end by the scan's deadline.
    ``http_port``: where to probe the plain-HTTP -> HTTPS redirect when the shop is not on port 80 (tests).
    ``today``: judge dated duties as of this day (default: ``options.as_of``, else the day of the scan).
    ``browser``: a Chromium kept running between scans (``crawl.browser.BrowserHost``) for ``--render``;
    without it, a scan that renders starts its own.
    """
    from trustaudit.web.html import ParseCache
    from trustaudit.web.sites import use_suffix_list

    options = options or ScanOptions()
    if today is None and options.as_of:
        today = date.fromisoformat(options.as_of)
    t0 = time.perf_counter()
    # --total-timeout bounds the whole scan: the crawl stops fetching and extraction stops reading at the same
    # moment (pages fetched and not read by then are recorded as such)
    deadline = time.monotonic() + max(0.1, options.total_timeout)
    use_suffix_list(_suffix_list)
    # the vocabulary is compiled while the crawl waits for the shop's first answers (robots.txt, home page)
    warm = threading.Thread(target=_warm_up, name="trustaudit-vocabulary", daemon=True)
    warm.start()
    cache = ParseCache()
    # a worker process is forked only once the vocabulary is loaded: the child gets it compiled, and no lock of
    # the loading thread
    pages = PageExtractor(cache, inner=observer, deadline=deadline, ready=lambda: not warm.is_alive())
    out: list[tuple[SiteSnapshot, Artifacts, dict[str, Any]]] = []

    async def main() -> None:
        # returns None on purpose: asyncio.run (3.11) formats repr() of its main task at exit
        out.append(await _scan_async(target, options, cache, pages, http_port, deadline,
                                     browser.chromium if browser is not None else None))

    try:
        if browser is not None:  # a Chromium kept running between scans: the scan runs on its event loop
            browser.run(main())
        else:
            asyncio.run(main())
    finally:
        pages.close()
    snapshot, artifacts, registry = out[0]
    return build_report(snapshot, artifacts, lang=lang, skip=skip, weights=weights,
                        duration_s=time.perf_counter() - t0, registry=registry, today=today)


async def _scan_async(target: str, options: ScanOptions, cache, pages: PageExtractor, http_port: int | None,
                      deadline: float, chromium=None) -> tuple[SiteSnapshot, Artifacts, dict[str, Any]]:
    from trustaudit.crawl import crawl_async, resolve_target
    from trustaudit.extract import merge
    from trustaudit.extract.appshell import is_app_shell
    from trustaudit.lookups import OFF, SAVED_COPY, Lookups, domain_of, off_signals, wanted

    kind, where = resolve_target(target)
    local = kind == "local"
    lookups: Lookups | None = None
    registry: dict[str, Any] | None = None
    if wanted(options, local):
        try:
            lookups = Lookups(options, deadline)
        except ValueError as exc:  # a bad register address in the environment (the CLI says so before a scan)
            registry = off_signals(OFF)
            registry["errors"] = [" ".join(str(exc).split())[:300]]
        if lookups is not None and not local:
            lookups.start_domain(domain_of(where[0]))  # type: ignore[index]
    else:
        registry = off_signals(SAVED_COPY if local and options.verify is None else OFF)
    try:
        snapshot = await crawl_async(target, options, cache, pages, http_port=http_port, scorer=link_scorer(),
                                     app_shell=is_app_shell, chromium=chromium)
    except BaseException:
        if lookups is not None:
            lookups.cancel()
        raise
    facts = pages.finish()  # as far as the deadline allows: the pages not read are recorded as such
    snapshot = without_unread(snapshot, pages.unread, options.total_timeout)
    artifacts = merge(facts, snapshot, country_override=options.country)
    if lookups is not None:
        registry = await lookups.finish(snapshot, artifacts)
    assert registry is not None
    return snapshot, artifacts, registry
