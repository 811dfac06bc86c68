"""Crawl a live shop over http(s): robots.txt, home page, trust pages first, TLS facts alongside.

Order of work:

1. ``robots.txt`` of the target doubles as the connectivity probe: it picks https or http for a bare host,
   and switches content fetching to an unverified client when the certificate is rejected (the TLS verdict is
   reported by our own handshake, the content is still audited).
2. The home page. Redirects are followed by hand and recorded; if the home page moves to another registrable
   domain (a shop that changed domains) we follow it and the *final* home URL defines the site for the rest
   of the crawl. ``SiteSnapshot.final_url`` vs ``base_url`` shows the move.
3. Links of the home page (parsed once through the shared ParseCache) are ranked by the scorer the crawl is
   given (``priority.Scorer``; the pipeline passes the page-kind vocabulary's) and fetched best-first with
   bounded concurrency. Pages at depth 1 contribute their high-priority links (depth 2). When the home page
   yields few links, the sitemap is used.
4. The TLS handshake and the plain-HTTP probe run concurrently with step 3.

Every connection (robots.txt, pages, sitemaps, redirects, the TLS handshake) passes the connection gate of
``trustaudit.net``: the target's own addresses are trusted, other non-public addresses are refused (FetchError
kind ``blocked_address``, or ``blocked_redirect`` for a redirect target). Links are followed only inside the
shop's :class:`~trustaudit.crawl.urls.Scope` (its registrable domain on its own or the default ports).

Other pages that redirect to another site are not followed (FetchError kind ``offsite_redirect``). A same-site
``<meta http-equiv=refresh>`` on the home page is followed (``MAX_REFRESH_HOPS``, ``MAX_REFRESH_DELAY``): the
shop behind a stub is what gets crawled. A home page that answers an error status is recorded and nothing else
is crawled. When ``--max-pages`` or ``--total-timeout`` stops the crawl before every queued link was fetched,
``SiteSnapshot.limit_hit`` says which.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import logging
import re
import time
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from protego import Protego

from trustaudit.crawl.blocking import detect_block
from trustaudit.crawl.common import CrawlObserver, ShellTest, TargetError, one_line
from trustaudit.crawl.encoding import decode_html, looks_binary
from trustaudit.crawl.fetch import Failure, Fetcher, Outcome, always, html_or_unknown, mime_of, origin
from trustaudit.crawl.priority import FALLBACK, Ranker, Scorer, slug_text
from trustaudit.crawl.robots import (
    ROBOTS_MAX_BYTES,
    SITEMAP_MAX_BYTES,
    parse_robots,
    parse_sitemap,
    robots_allows,
    robots_crawl_delay,
    robots_sitemaps,
)
from trustaudit.crawl.tls import check_tls, parse_hsts, verify_context
from trustaudit.crawl.urls import (
    Scope,
    clean_url,
    has_non_html_extension,
    host_of,
    origin_of,
    url_key,
)
from trustaudit.models import FetchedPage, FetchError, Region, SiteSnapshot, TlsInfo
from trustaudit.net.gate import Gate, host_port
from trustaudit.net.resolve import Resolver
from trustaudit.options import ScanOptions
from trustaudit.web.html import Link, ParseCache

FEW_LINKS = 5  # fewer same-site links than this on the home page: read the sitemap too
MAX_DEPTH = 2
MAX_SKIPPED = 200
MAX_SITEMAPS = 4
MAX_URL_LENGTH = 2048
MAX_LINKS_PER_PAGE = 2000  # links considered per page (footer, header and navigation links first)
MAX_REFRESH_HOPS = 3  # <meta http-equiv=refresh> hops followed from the home page
MAX_REFRESH_DELAY = 10  # seconds: a slower refresh is the page itself, not a stub in front of the shop

log = logging.getLogger(__name__)


@dataclass
class _PageResult:
    page: FetchedPage | None = None
    errors: tuple[FetchError, ...] = ()
    robots: bool = False
    offsite: str | None = None


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class HttpCrawl:
    def __init__(
        self,
        target: str,
        candidates: list[str],
        options: ScanOptions,
        cache: ParseCache,
        observer: CrawlObserver | None,
        http_port: int | None,
        scorer: Scorer | None = None,
        resolver: Resolver | None = None,
        app_shell: ShellTest | None = None,
    ):
        self.target = target
        self._app_shell = app_shell
        self.candidates = candidates
        self.options = options
        self.cache = cache
        self.observer = observer
        self._idle = getattr(observer, "idle", None)
        self.http_port = http_port
        self.max_pages = max(1, options.max_pages)
        self.pages: list[FetchedPage] = []
        self.errors: list[FetchError] = []
        self.robots_disallowed: list[str] = []
        self.skipped: list[str] = []
        self.blocked = False
        self.limit_hit: str | None = None
        self._page_keys: set[str] = set()
        self._queued: set[str] = set()
        self._frontier: list[tuple[float, int, str, int]] = []
        self._seq = 0
        self._candidates: dict[str, tuple[str, str] | None] = {}
        self._low: set[str] = set()
        self._robots: dict[str, asyncio.Task[Protego | None]] = {}
        self._scorer = scorer or FALLBACK
        self._ranker = Ranker(self._scorer)
        self.site_host = ""
        self.scope = Scope("")
        self.tls_content_error: str | None = None
        self.gate = Gate.for_options(options, resolver)
        self._gap = 0.0  # robots.txt Crawl-delay (capped) between requests to the shop
        self._next_slot = 0.0

    # ------------------------------------------------------------------ recording
    def _error(self, url: str, message: str, kind: str) -> FetchError:
        err = FetchError(url=url, error=one_line(message), kind=kind)
        self.errors.append(err)
        if self.observer is not None:
            self.observer.page_failed(err)
        return err

    def _add_page(self, page: FetchedPage) -> bool:
        key = url_key(page.url)
        if key in self._page_keys:
            return False  # two links ended at the same page after redirects
        self._page_keys.add(key)
        self._queued.add(key)
        self.pages.append(page)
        if page.text:
            why = getattr(self.cache.get(page), "parse_error", None)
            if why:
                self._error(page.url, f"page not read to the end: {why}", "truncated")
        if self.observer is not None:
            self.observer.page_fetched(page)
        return True

    def _set_limit(self, which: str) -> None:
        if self.limit_hit != "total_timeout":  # running out of time is the stronger statement
            self.limit_hit = which

    async def _pace(self) -> None:
        """Keep robots.txt's Crawl-delay (capped) between the starts of requests to the shop."""
        if self._gap <= 0:
            return
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._gap
        if slot > now:
            await asyncio.sleep(min(slot, self.fetcher.deadline) - now)

    # ------------------------------------------------------------------ main
    async def run(self) -> SiteSnapshot:
        o = self.options
        started_at = _now_iso()
        t0 = time.monotonic()
        deadline = t0 + max(0.1, o.total_timeout)
        try:
            ctx = verify_context(o.ca_bundle)
        except (OSError, ValueError) as e:
            raise TargetError(f"cannot load CA bundle {o.ca_bundle}: {e}") from None
        for cand in self.candidates:  # the user asked for this host: its own addresses are allowed
            await self.gate.trust(*host_port(cand))
        for proxy in self.gate.proxies.addresses():  # a proxy the user configured is the user's choice too
            await self.gate.trust(*host_port(proxy))
        self.fetcher = Fetcher(o, ctx, self.gate, deadline, credential_origins(self.candidates))
        tls_task: asyncio.Task[TlsInfo] | None = None
        probe_task: asyncio.Task[bool | None] | None = None
        home_page: FetchedPage | None = None
        base_url = self.candidates[0]
        try:
            base_url, robots = await self._probe()
            self._robots[origin_of(base_url)] = _done(robots)
            if o.respect_robots:
                self._gap = robots_crawl_delay(robots, o.user_agent)
                self._next_slot = time.monotonic() + self._gap
            if o.check_tls and base_url.startswith("https://"):
                tls_task = asyncio.create_task(self._tls(base_url))  # overlaps with the home page fetch
            if o.respect_robots and not robots_allows(robots, base_url, o.user_agent):
                self.robots_disallowed.append(base_url)
                self._error(base_url, "robots.txt disallows the home page for our user agent", "robots")
            else:
                home_page = await self._fetch_home(base_url)
                tls_url = home_page.url if home_page else base_url
                if o.check_tls and tls_url.startswith("https://"):
                    if origin_of(tls_url) != origin_of(base_url) or tls_task is None:
                        if tls_task is not None:
                            tls_task.cancel()
                        tls_task = asyncio.create_task(self._tls(tls_url))
                    probe_task = asyncio.create_task(self._http_probe(base_url))
                if home_page is not None and not self.blocked and home_page.text and home_page.status < 400:
                    await self._crawl_rest(home_page)
            tls = await self._tls_info(base_url, home_page, tls_task, probe_task, deadline)
        finally:
            for task in (tls_task, probe_task, *self._robots.values()):
                if task is not None and not task.done():
                    task.cancel()
            await self.fetcher.aclose()
        return SiteSnapshot(
            target=self.target,
            base_url=base_url,
            final_url=home_page.url if home_page else base_url,
            local=False,
            pages=tuple(self.pages),
            errors=tuple(self.errors),
            tls=tls,
            blocked=self.blocked,
            robots_disallowed=tuple(self.robots_disallowed),
            skipped_links=tuple(self.skipped[:MAX_SKIPPED]),
            started_at=started_at,
            duration_s=round(time.monotonic() - t0, 3),
            limit_hit=self.limit_hit,
        )

    # ------------------------------------------------------------------ step 1: probe with robots.txt
    async def _probe(self) -> tuple[str, Protego | None]:
        failures: list[Failure] = []
        for cand in self.candidates:
            robots_url = origin_of(cand) + "/robots.txt"
            out = await self._get(robots_url, cand, max_bytes=ROBOTS_MAX_BYTES, read_body=always)
            f = out.failure
            if f is not None and f.connect and f.kind == "tls" and cand.startswith("https://"):
                await self.fetcher.use_insecure()
                out2 = await self._get(robots_url, cand, max_bytes=ROBOTS_MAX_BYTES, read_body=always)
                if out2.failure is None or not out2.failure.connect:
                    self.tls_content_error = f.message
                    out, f = out2, out2.failure
                else:
                    await self.fetcher.use_verified()
            if f is not None and f.connect:
                failures.append(f)
                continue
            robots = None
            if out.final is not None:
                robots = parse_robots(out.final.status, out.final.body)
            return cand, robots
        first, last = failures[0], failures[-1]
        if last is first or last.kind == first.kind == "dns":
            raise TargetError(first.message)
        raise TargetError(f"{first.message} (plain http: {last.message.split(': ', 1)[-1]})")

    async def _get(self, url: str, site_url: str, **kw) -> Outcome:
        return await self.fetcher.fetch(url, scope=Scope.of(site_url), **kw)

    # ------------------------------------------------------------------ step 2: home page
    async def _load_home(self, url: str) -> tuple[Outcome, _PageResult | None]:
        """Fetch a home page candidate (redirects to any site followed). A certificate rejected on the way
        (an http:// target moving to https:// with a bad certificate) switches to reading without verification,
        as for https:// targets: the TLS facts come from our own handshake."""
        await self._pace()
        out = await self.fetcher.fetch(url, scope=None, retry=True)
        f = out.failure
        if f is not None and f.cert and not self.fetcher.insecure:
            await self.fetcher.use_insecure()
            out2 = await self.fetcher.fetch(url, scope=None, retry=True)
            if out2.failure is None or not out2.failure.cert:
                self.tls_content_error = f.message
                out = out2
            else:
                await self.fetcher.use_verified()
        if out.failure is not None:
            return out, None
        return out, self._to_page(out, depth=0)

    async def _fetch_home(self, url: str) -> FetchedPage | None:
        out, result = await self._load_home(url)
        f = out.failure
        if f is not None:
            if f.kind in ("blocked_redirect", "blocked_address"):
                self._error(url, f.message, f.kind)
                return None
            raise TargetError(f.message if f.kind != "limit" else f"{url}: {f.message}")
        assert result is not None
        page = result.page
        assert page is not None
        if not page.text and page.status < 400:
            # an error status with an empty body is still an answer (recorded below); a 2xx one is not a site
            if page.bytes == 0 and html_or_unknown(mime_of(page.content_type)) and not result.errors:
                raise TargetError(f"{page.url} returned an empty page (HTTP {page.status})")
            mime = mime_of(page.content_type) or "no content type"
            why = "binary content" if any(e.kind == "not_html" for e in result.errors) else mime
            raise TargetError(f"{page.url} is not an HTML page ({why})")
        page, result = await self._follow_refresh(page, result)
        page, extra = await self._finish_page(page)
        result = replace(result, errors=(*result.errors, *extra))
        self._add_page(page)
        self.site_host = host_of(page.url)
        self.scope = Scope.of(page.url)
        vendor = detect_block(page.status, page.headers, page.text)
        if vendor:
            self.blocked = True
            self._error(page.url, f"blocked by {vendor} (HTTP {page.status}): results are inconclusive", "blocked")
        else:
            for err in result.errors:
                self._error(err.url, err.error, err.kind)
        return page

    async def _follow_refresh(self, page: FetchedPage, result: _PageResult) -> tuple[FetchedPage, _PageResult]:
        """A home page that is only a ``<meta http-equiv=refresh>`` stub in front of the shop: follow it (same
        site, bounded hops and delay). The stub joins the redirect chain of the page it leads to."""
        seen = {url_key(page.url)}
        for _ in range(MAX_REFRESH_HOPS):
            if not page.text or page.status >= 400:
                break
            nxt = _meta_refresh(self.cache.get(page), page.url)
            if nxt is None or url_key(nxt) in seen:
                break
            if not Scope.of(page.url).contains(nxt):
                self.skipped.append(nxt)
                self._error(page.url, f"refreshes to {nxt} on another site (not followed)", "offsite_redirect")
                break
            seen.add(url_key(nxt))
            out, res = await self._load_home(nxt)
            if out.failure is not None or res is None or res.page is None:
                why = out.failure.message if out.failure is not None else "no page"
                self._error(nxt, f"meta refresh target not fetched: {why}",
                            out.failure.kind if out.failure is not None else "error")
                break
            chain = (*page.redirect_chain, page.url, *res.page.redirect_chain)
            page = replace(res.page, requested_url=page.requested_url, redirect_chain=chain)
            result = res
            seen.add(url_key(page.url))
        return page, result

    # ------------------------------------------------------------------ step 3: the rest of the site
    def _candidate(self, raw: str) -> tuple[str, str] | None:
        """(clean URL, de-duplication key) of a same-site web link, or None; memoised per crawl."""
        hit = self._candidates.get(raw, False)
        if hit is not False:
            return hit
        result: tuple[str, str] | None = None
        if raw.startswith(("http://", "https://")) and len(raw) <= MAX_URL_LENGTH:
            if self.scope.contains(raw) and not has_non_html_extension(raw) and self.options.wants(raw):
                url = clean_url(raw)
                result = (url, url_key(url))
        if len(self._candidates) < 50_000:
            self._candidates[raw] = result
        return result

    def _consider(self, link: Link, depth: int, high_only: bool) -> None:
        cand = self._candidate(link.url) if link.url else None
        if cand is None:
            return
        url, key = cand
        if key in self._queued or (high_only and key in self._low):
            return
        score = self._ranker.score(link)
        if high_only and score < self._scorer.high:
            self._low.add(key)  # seen again on the next page: do not score it again
            return
        self._queued.add(key)
        self._seq += 1
        heapq.heappush(self._frontier, (-score, self._seq, url, depth))

    def _discover(self, page: FetchedPage, depth: int) -> int:
        before = len(self._frontier)
        parsed = self.cache.get(page)
        for link in _links_to_consider(parsed.links):
            self._consider(link, depth, high_only=depth > 1)
        dropped = getattr(parsed, "links_dropped", 0)
        if dropped:
            self._error(page.url, f"{dropped} links beyond the first and last ones read were ignored", "truncated")
        return len(self._frontier) - before

    async def _crawl_rest(self, home: FetchedPage) -> None:
        found = self._discover(home, 1)
        if found < FEW_LINKS and self.max_pages > 1:
            for url in await self._sitemap_urls(home):
                link = Link(url=url, href=url, text=slug_text(url), region=Region.BODY)
                self._consider(link, 1, high_only=False)
        await self._run_frontier()

    async def _wait_using_idle(self, pending, deadline: float) -> set:
        """While no fetch is done, give the observer's ``idle()`` one step of work at a time (the page warmer
        extracts one page), looking at the network between steps; returns the fetches done meanwhile."""
        idle = self._idle
        while idle is not None:
            done, _ = await asyncio.wait(pending, timeout=0)  # one turn of the loop: handles what has arrived
            if done or time.monotonic() >= deadline:
                return done
            try:
                if not idle():
                    return done
            except Exception:  # noqa: BLE001 - an observer's failure must not stop the crawl
                log.debug("crawl observer idle() failed", exc_info=True)
                self._idle = idle = None
        return set()

    async def _run_frontier(self) -> None:
        attempts = 1  # the home page
        pending: dict[asyncio.Task[_PageResult], tuple[str, int]] = {}
        conc = max(1, self.options.concurrency)
        deadline = self.fetcher.deadline
        try:
            while True:
                while self._frontier and len(pending) < conc and attempts < self.max_pages:
                    _, _, url, depth = heapq.heappop(self._frontier)
                    attempts += 1
                    pending[asyncio.create_task(self._fetch_page(url, depth))] = (url, depth)
                if not pending:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._set_limit("total_timeout")
                    break
                done = await self._wait_using_idle(pending, deadline)
                if not done:
                    done, _ = await asyncio.wait(
                        pending, timeout=max(0.0, deadline - time.monotonic()), return_when=asyncio.FIRST_COMPLETED
                    )
                for task in done:
                    url, depth = pending.pop(task)
                    try:
                        res = task.result()
                    except Exception as e:  # noqa: BLE001 - belt and braces: _fetch_page catches everything
                        res = _PageResult(errors=(FetchError(url, one_line(f"{type(e).__name__}: {e}"), "error"),))
                    if res.robots:
                        attempts -= 1
                        self.robots_disallowed.append(url)
                        continue
                    if res.offsite:
                        self.skipped.append(res.offsite)
                    added = res.page is not None and self._add_page(res.page)
                    for err in res.errors:
                        self._error(err.url, err.error, err.kind)
                        if err.kind == "limit" and "time limit" in err.error:
                            self._set_limit("total_timeout")
                    if added and res.page.text and depth < MAX_DEPTH:
                        self._discover(res.page, depth + 1)
        finally:
            if pending:
                self._set_limit("total_timeout")
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                self._error(
                    self.site_host,
                    f"crawl time limit ({self.options.total_timeout:g}s) reached; "
                    f"{len(pending)} page(s) in flight abandoned",
                    "limit",
                )
        if self._frontier:  # links worth fetching were left: a limit stopped the crawl
            self._set_limit("total_timeout" if time.monotonic() >= deadline else "max_pages")
        for _, _, url, _ in sorted(self._frontier):
            if len(self.skipped) >= MAX_SKIPPED:
                break
            self.skipped.append(url)

    async def _fetch_page(self, url: str, depth: int) -> _PageResult:
        try:
            if self.options.respect_robots and not robots_allows(
                await self._robots_for(url), url, self.options.user_agent
            ):
                return _PageResult(robots=True)
            await self._pace()
            out = await self.fetcher.fetch(url, scope=self.scope, retry=True)
            if out.offsite:
                return _PageResult(
                    errors=(FetchError(url, f"redirects off-site to {out.offsite} (not followed)", "offsite_redirect"),),
                    offsite=out.offsite,
                )
            if out.failure is not None:
                return _PageResult(errors=(FetchError(url, out.failure.message, out.failure.kind),))
            res = self._to_page(out, depth)
            if res.page is not None:
                page, extra = await self._finish_page(res.page)
                res = replace(res, page=page, errors=(*res.errors, *extra))
            return res
        except Exception as e:  # noqa: BLE001
            return _PageResult(errors=(FetchError(url, one_line(f"{type(e).__name__}: {e}"), "error"),))

    async def _finish_page(self, page: FetchedPage) -> tuple[FetchedPage, tuple[FetchError, ...]]:
        """A fetched page before the crawl keeps it: marked when it is an application shell (the crawl is given
        the test, ``app_shell``). The rendering crawl (``browser.py``) also loads pages in the browser here."""
        if self._is_shell(page):
            return replace(page, app_shell=True), ()
        return page, ()

    def _is_shell(self, page: FetchedPage) -> bool:
        if self._app_shell is None or not page.text or page.status >= 400:
            return False
        try:
            return bool(self._app_shell(self.cache.get(page)))
        except Exception:  # noqa: BLE001 - a failing test means "not known to be a shell", never a lost page
            log.debug("app-shell test failed on %s", page.url, exc_info=True)
            return False

    async def _robots_for(self, url: str) -> Protego | None:
        origin = origin_of(url)
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.create_task(self._load_robots(origin))
            self._robots[origin] = task
        try:
            return await asyncio.shield(task)
        except Exception:  # noqa: BLE001
            return None

    async def _load_robots(self, origin: str) -> Protego | None:
        await self._pace()
        out = await self.fetcher.fetch(
            origin + "/robots.txt", scope=self.scope, max_bytes=ROBOTS_MAX_BYTES, read_body=always
        )
        if out.final is None:
            return None
        return parse_robots(out.final.status, out.final.body)

    async def _sitemap_urls(self, home: FetchedPage) -> list[str]:
        robots = await self._robots_for(home.url)
        sources = [u for u in robots_sitemaps(robots) if self.scope.contains(u)]
        queue = sources[:MAX_SITEMAPS] or [origin_of(home.url) + "/sitemap.xml"]
        urls: list[str] = []
        fetched = 0
        limit = min(self.options.max_bytes, SITEMAP_MAX_BYTES)
        while queue and fetched < MAX_SITEMAPS:
            sm = queue.pop(0)
            fetched += 1
            await self._pace()
            out = await self.fetcher.fetch(sm, scope=self.scope, max_bytes=limit, read_body=always)
            if out.final is None or out.final.status != 200 or not out.final.body:
                continue
            locs, is_index = parse_sitemap(out.final.body)
            locs = [u for u in locs if self.scope.contains(u)]
            if is_index:
                queue.extend(locs[:MAX_SITEMAPS])
            else:
                urls.extend(locs)
        return urls

    # ------------------------------------------------------------------ page building
    def _to_page(self, out: Outcome, depth: int) -> _PageResult:
        hop = out.final
        assert hop is not None
        headers = hop.headers
        content_type = headers.get("content-type", "")
        mime = mime_of(content_type)
        errors: list[FetchError] = []
        text, encoding = "", None
        if hop.body is not None:
            if looks_binary(hop.body):
                errors.append(FetchError(hop.url, f"binary content labelled {mime or 'with no type'}", "not_html"))
            else:
                text, encoding = decode_html(hop.body, content_type)
                if mime == "" and not _looks_like_html(text):
                    errors.append(FetchError(hop.url, "no content type and the body is not HTML", "not_html"))
                    text = ""
                elif text and text.count("\ufffd") > max(50, len(text) // 10):
                    errors.append(FetchError(hop.url, "undecodable content labelled HTML", "not_html"))
                    text = ""
        if hop.truncated:
            errors.append(
                FetchError(hop.url, f"page larger than {self.options.max_bytes} bytes; truncated", "too_large")
            )
        if hop.status >= 400:
            errors.append(FetchError(hop.url, f"HTTP {hop.status}", "http"))
        page = FetchedPage(
            url=hop.url,
            status=hop.status,
            text=text,
            requested_url=out.requested,
            headers=headers,
            content_type=content_type,
            encoding=encoding,
            bytes=hop.nbytes,
            elapsed_ms=out.elapsed_ms,
            redirect_chain=tuple(out.chain),
            truncated=hop.truncated,
            depth=depth,
        )
        return _PageResult(page=page, errors=tuple(errors))

    # ------------------------------------------------------------------ step 4: TLS facts
    async def _tls(self, url: str) -> TlsInfo:
        host, port = host_port(url)
        verdict = await self.gate.check(host, port)
        if not verdict.ok:
            return TlsInfo(https=True, checked=False, error=f"TLS not checked: {verdict.reason}")
        return await check_tls(host, port, self.options.ca_bundle, self.options.timeout, verdict.allowed)

    async def _http_probe(self, base_url: str) -> bool | None:
        """Does plain http:// on the target host end up on https?"""
        host = urlsplit(base_url).hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = self.http_port
        url = f"http://{host}/" if not port or port == 80 else f"http://{host}:{port}/"
        await self._pace()
        out = await self.fetcher.fetch(url, scope=None, max_bytes=1024, read_body=html_or_unknown)
        if out.failure is not None:
            return None
        return out.url.startswith("https://")

    async def _tls_info(
        self,
        base_url: str,
        home: FetchedPage | None,
        tls_task: asyncio.Task[TlsInfo] | None,
        probe_task: asyncio.Task[bool | None] | None,
        deadline: float,
    ) -> TlsInfo:
        final = home.url if home else base_url
        https = final.startswith("https://")
        hsts, max_age = (False, None)
        if home is not None and https:
            hsts, max_age = parse_hsts(home.headers.get("strict-transport-security"))
        redirects: bool | None
        if base_url.startswith("http://"):
            redirects = https if home is not None else None
        else:
            redirects = await _await_bounded(probe_task, deadline, self.options.timeout)
        info = TlsInfo(https=https, checked=False)
        if tls_task is not None:
            got = await _await_bounded(tls_task, deadline, self.options.timeout + 1)
            if isinstance(got, TlsInfo):
                info = got
            else:
                info = TlsInfo(https=https, checked=False, error="TLS check did not finish in time")
        if self.tls_content_error and info.valid is not False and info.checked:
            # our handshake liked what httpx rejected: report the rejection
            info = _replace(info, valid=False, error=self.tls_content_error)
        return _replace(
            info,
            https=https,
            hsts=hsts if https else None,
            hsts_max_age=max_age if https else None,
            http_redirects_to_https=redirects,
        )


def credential_origins(candidates: list[str]) -> frozenset[tuple[str, str, int]]:
    """Where the user's --header / --cookie / --auth may go: the target's own origins (an http:// target also
    its https:// upgrade on the default port; never a downgrade from https to http)."""
    out: set[tuple[str, str, int]] = set()
    for cand in candidates:
        o = origin(cand)
        if o is None:
            continue
        out.add(o)
        if o[0] == "http" and o[2] == 80:
            out.add(("https", o[1], 443))
    if any(o[0] == "https" for o in out):  # a bare host tries https first; plain http only if that fails
        out = {o for o in out if o[0] == "https"} | {o for o in out if o[0] == "http" and len(candidates) == 1}
    return frozenset(out)


def _replace(info: TlsInfo, **kw) -> TlsInfo:
    return replace(info, **kw)


def _done(value):
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(value)
    return fut


async def _await_bounded(task, deadline: float, cap: float):
    if task is None:
        return None
    remaining = max(0.05, min(cap, deadline - time.monotonic() + cap))
    try:
        return await asyncio.wait_for(task, timeout=remaining)
    except Exception:  # noqa: BLE001 - timeouts and failures: not known
        return None


def _links_to_consider(links: tuple[Link, ...]) -> list[Link] | tuple[Link, ...]:
    """At most ``MAX_LINKS_PER_PAGE`` links of a page: footer, header and navigation links first (where trust
    pages are linked), then body links in page order. A page with 80,000 links costs what 2,000 cost."""
    if len(links) <= MAX_LINKS_PER_PAGE:
        return links
    framed = [lk for lk in links if lk.region is not Region.BODY]
    if len(framed) >= MAX_LINKS_PER_PAGE:
        return framed[:MAX_LINKS_PER_PAGE]
    body = [lk for lk in links if lk.region is Region.BODY]
    return framed + body[: MAX_LINKS_PER_PAGE - len(framed)]


_REFRESH_URL = re.compile(r"url\s*=\s*", re.I)


def _meta_refresh(parsed, base: str) -> str | None:
    """The URL a ``<meta http-equiv=refresh content="N; url=...">`` sends the browser to within
    ``MAX_REFRESH_DELAY`` seconds (WHATWG "shared declarative refresh steps"), or None."""
    root = getattr(parsed, "root", None)
    if root is None:
        return None
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        content = (meta.get("content") or "").strip()
        m = re.match(r"(\d*)(\.[\d.]*)?", content)
        if m is None or not (m.group(1) or m.group(2)):
            continue
        delay = int(m.group(1)[:6] or "0")
        rest = content[m.end():].lstrip()
        if rest[:1] in (";", ","):
            rest = rest[1:].lstrip()
        um = _REFRESH_URL.match(rest)
        if um:
            rest = rest[um.end():]
        if rest[:1] in ("'", '"'):
            rest = rest[1:].split(rest[0], 1)[0]
        rest = rest.strip()
        if not rest or delay > MAX_REFRESH_DELAY:
            return None
        try:
            url = clean_url(urljoin(getattr(parsed, "base_url", base) or base, rest))
        except ValueError:
            return None
        return url if url.startswith(("http://", "https://")) and len(url) <= MAX_URL_LENGTH else None
    return None


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith("<") or "<html" in head or "<body" in head or "<div" in head


async def crawl_http(
    target: str,
    candidates: list[str],
    options: ScanOptions,
    cache: ParseCache,
    observer: CrawlObserver | None,
    http_port: int | None = None,
    scorer: Scorer | None = None,
    resolver: Resolver | None = None,
    app_shell: ShellTest | None = None,
) -> SiteSnapshot:
    return await HttpCrawl(target, candidates, options, cache, observer, http_port, scorer, resolver, app_shell).run()
