"""Rendering: a live shop's pages loaded in headless Chromium (Playwright for Python, the system's Chromium).

A crawl mode, not a second pipeline. :class:`RenderingCrawl` is the HTTP crawl (``http.py``: robots.txt,
redirects, the same-site scope, page / byte / time limits, TLS facts, link discovery); each page it fetched is
then loaded in the browser and the DOM after the scripts ran becomes the page's text (``FetchedPage.rendered``),
so the same extractors read what a buyer sees, and links that only scripts add are followed. With ``--render
auto`` only the pages that are application shells are loaded (the crawl is given the test). What only a browser
sees - the requests and cookies a page makes before any interaction, the controls of a consent banner - goes to
``SiteSnapshot.browser``.

Where the browser connects: nowhere by itself (see ``trustaudit.net.gate``). Every request it makes is
intercepted and fulfilled by us: the page's own document from the crawl's fetch (never fetched twice),
everything else (scripts, XHR, frames, the tracker a page calls) through ``make_client(gate)``, whose every
connection resolves the name once, checks the address and connects to the checked one: ``--resolve`` maps
names for the browser as for the crawl, and DNS rebinding stays closed. Requests the gate refuses are aborted
("blockedbyclient") and recorded. What interception cannot see is shut: Chromium resolves no name itself
(``--host-resolver-rules=MAP * ~NOTFOUND``), its direct connections (pre-connects, WebRTC with
``disable_non_proxied_udp``) go to a proxy port we hold closed, web sockets are answered by us and closed, and
service workers are blocked. Images, media and fonts are recorded but not downloaded: they never change the
text, and a tracking pixel is a request the page made whether or not it is answered.

Bounds: per page, ``--timeout`` to load plus a short settle for late scripts (consent banners, widgets), at most
``MAX_REQUESTS_PER_PAGE`` requests and ``PAGE_BYTES_FACTOR`` x ``--max-bytes`` bytes, ``--max-bytes`` per
response, the DOM read back at most ``--max-bytes`` characters; the crawl's total deadline over all of it. A
page whose script never yields (an endless loop) is abandoned at its deadline and read as served. Popups are
blocked and any other window closed at once; dialogs are dismissed. No state between shops: a fresh browser
context (cookies, storage, cache) per crawl, closed at its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import logging
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import httpx

from trustaudit.crawl.common import CrawlObserver, ShellTest, TargetError, one_line
from trustaudit.crawl.decoders import BoundedDecoder
from trustaudit.crawl.fetch import ACCEPT_ENCODING, REDIRECT_CODES, classify, credential_headers, origin
from trustaudit.crawl.http import HttpCrawl
from trustaudit.crawl.priority import Scorer
from trustaudit.crawl.tls import insecure_context, verify_context
from trustaudit.models import (
    BrowserControl,
    BrowserCookie,
    BrowserFacts,
    BrowserRequest,
    FetchedPage,
    FetchError,
    SiteSnapshot,
)
from trustaudit.net.gate import Gate, make_client
from trustaudit.net.resolve import Resolver
from trustaudit.options import ScanOptions
from trustaudit.web.html import ParseCache

log = logging.getLogger(__name__)

# Where Chromium usually is: Debian / Ubuntu packages, snaps, Google's builds, macOS application bundles.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome")
CHROMIUM_PATHS = (
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome-stable",
    "/opt/google/chrome/chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
INSTALL_HINT = "install Debian's chromium package (apt-get install chromium) or give --chromium PATH"
PLAYWRIGHT_HINT = "--render needs Playwright for Python: pip install 'trustaudit[render]'"

LAUNCH_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    # Chromium never resolves a name: every request is fulfilled by us through the gate
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # what bypasses interception (pre-connects, WebRTC) may only go through the proxy, which is a port we hold
    # closed; loopback too (Chromium bypasses proxies for loopback unless told not to)
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)
RENDER_CONCURRENCY = 4  # pages loaded at once in one shop's context: most of a page's time is waiting for it to fall quiet
MAX_REQUESTS_PER_PAGE = 300
PAGE_BYTES_FACTOR = 4  # bytes fetched for one page's resources: at most this many times --max-bytes
MAX_RECORDED_REQUESTS = 3000  # per shop; beyond this they are counted, not kept
MAX_CONTROLS = 400  # visible controls read from the first page
MAX_FRAMES = 8  # frames whose controls are read (consent banners in frames)
SETTLE_FIRST = 4.0  # seconds the first page may take to fall quiet after load (consent banners arrive late)
SETTLE = 1.5  # the same for the other pages
QUIET_FIRST = 0.6  # quiet: no request of the page in flight, and none started or ended for this long
QUIET = 0.25
OP_TIMEOUT = 3.0  # seconds for one call into the page after it loaded (reading the DOM, the controls)
SKIPPED_KINDS = frozenset({"image", "media", "font"})
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
                         "trailer", "host", "content-length", "accept-encoding"})
_DROP_FROM_RESPONSE = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection",
                                 "keep-alive"})


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request) -> bool:
        return False

    def return_ok(self, cookie, request) -> bool:
        return False


class RenderUnavailable(TargetError):
    """--render cannot work here (no Playwright, no Chromium, Chromium does not start): one line naming what to
    install."""


# --------------------------------------------------------------------------- finding and starting Chromium


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium to drive: ``explicit`` (--chromium), else ``TRUSTAUDIT_CHROMIUM``, else the usual names on
    PATH and the usual install paths. Raises RenderUnavailable naming what to install."""
    given = explicit or os.environ.get("TRUSTAUDIT_CHROMIUM") or ""
    if given:
        path = shutil.which(given) or given
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        source = "--chromium" if explicit else "TRUSTAUDIT_CHROMIUM"
        raise RenderUnavailable(f"no Chromium at {given} ({source}); {INSTALL_HINT}")
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    for path in CHROMIUM_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise RenderUnavailable(f"--render needs Chromium, which was not found: {INSTALL_HINT}")


def check_available(options: ScanOptions) -> str:
    """Playwright importable and a Chromium found: the executable's path. Raises RenderUnavailable (one line)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise RenderUnavailable(PLAYWRIGHT_HINT) from None
    return find_chromium(options.chromium)


class Chromium:
    """One Chromium process driven by Playwright, usable from the event loop that launched it. Shops get a fresh
    context each (:class:`RenderSession`); the process can serve many shops one after another or at once."""

    def __init__(self, playwright: Any, browser: Any, sink: socket.socket, path: str):
        self._playwright = playwright
        self.browser = browser
        self._sink = sink  # the closed "proxy" port: held so that nobody else can listen on it
        self.path = path
        self.loop = asyncio.get_running_loop()

    @property
    def name(self) -> str:
        try:
            return f"Chromium {self.browser.version}"
        except Exception:  # noqa: BLE001
            return "Chromium"

    @classmethod
    async def launch(cls, options: ScanOptions) -> Chromium:
        path = check_available(options)
        from playwright.async_api import async_playwright

        sink = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sink.bind(("127.0.0.1", 0))  # bound, never listening: a connection to it is refused at once
        port = sink.getsockname()[1]
        pw = None
        try:
            pw = await async_playwright().start()
            browser = await pw.chromium.launch(
                executable_path=path,
                headless=True,
                args=[*LAUNCH_ARGS, f"--proxy-server=http://127.0.0.1:{port}"],
                # Playwright turns the popup blocker off by default; a shop's page may not open windows
                ignore_default_args=["--disable-popup-blocking"],
                timeout=30_000,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )
        except Exception as e:  # noqa: BLE001 - any launch failure is one line naming what to do
            sink.close()
            if pw is not None:
                with contextlib.suppress(Exception):
                    await pw.stop()
            first = one_line(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__, 160)
            raise RenderUnavailable(f"cannot start Chromium at {path} ({first}); {INSTALL_HINT}") from None
        return cls(pw, browser, sink, path)

    async def close(self) -> None:
        try:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.browser.close(), 15)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), 15)
        finally:
            self._sink.close()


class BrowserHost:
    """A Chromium kept running on its own thread and event loop, shared by several scans (a test session, a
    batch worker): each scan's crawl runs on this loop (``crawl.crawl(..., browser=host)``) in its own context.
    Use as a context manager; ``close()`` stops Chromium and the thread."""

    def __init__(self, options: ScanOptions | None = None):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="trustaudit-chromium", daemon=True)
        self._thread.start()
        try:
            self.chromium: Chromium = self.run(Chromium.launch(options or ScanOptions()))
        except BaseException:
            self._stop_loop()
            raise

    def run(self, coro, timeout: float | None = None):
        """Run ``coro`` on the host's loop and return its result (raises what it raises)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self.run(self.chromium.close(), timeout=40)
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        if not self.loop.is_running():
            self.loop.close()

    def __enter__(self) -> BrowserHost:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- one shop's browser context


@dataclass
class _PageState:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    served: bool = False
    requests: int = 0
    bytes: int = 0
    inflight: int = 0  # requests of the page being answered now
    last: float = 0.0  # when a request of the page last started or ended (monotonic)

    def busy(self) -> None:
        self.last = time.monotonic()


@dataclass
class _Rendered:
    html: str = ""
    truncated: bool = False
    error: str = ""  # why the page could not be rendered (it is then read as served)
    elapsed_ms: int = 0


# Reads the DOM back, cut at ``limit`` characters (a page can build a DOM of any size).
_SERIALIZE_JS = """(limit) => {
  const d = document.documentElement;
  if (!d) return ["", false];
  const s = d.outerHTML;
  return s.length > limit ? [s.slice(0, limit), true] : [s, false];
}"""

# The controls a buyer sees in the first screen without scrolling or clicking (open shadow roots included):
# their text, their ancestors (ids and classes name the consent platform), and the text of the layer they sit
# in: the overlay that holds them (fixed, sticky, a dialog), or in a frame (a banner served in an iframe) the
# nearest ancestor with some text. Layer texts are read once per layer (innerText lays the page out).
_CONTROLS_JS = """([cap, inFrame]) => {
  const SEL = 'button, a[href], [role=button], input[type=button], input[type=submit], [onclick]';
  const vw = window.innerWidth, vh = window.innerHeight;
  const out = [];
  const roots = [document];
  for (let i = 0; i < roots.length && i < 200; i++) {
    for (const el of roots[i].querySelectorAll('*')) { if (el.shadowRoot) roots.push(el.shadowRoot); }
  }
  const up = (n) => n.parentNode && n.parentNode.nodeType === 11 ? n.parentNode.host : n.parentElement;
  const label = (n) => {
    let s = n.tagName.toLowerCase();
    if (n.id) s += '#' + String(n.id).slice(0, 60);
    const cls = typeof n.className === 'string' ? n.className.trim().split(/\\s+/).slice(0, 3) : [];
    for (const c of cls) if (c) s += '.' + c.slice(0, 40);
    return s;
  };
  const isOverlay = (n) => {
    const cs = getComputedStyle(n);
    const role = n.getAttribute('role');
    return cs.position === 'fixed' || cs.position === 'sticky' || role === 'dialog' || role === 'alertdialog'
      || n.getAttribute('aria-modal') === 'true' || n.tagName === 'DIALOG';
  };
  const texts = new Map();
  const textOf = (n) => {
    if (!texts.has(n)) texts.set(n, ((n.innerText || n.textContent || '') + '').replace(/\\s+/g, ' ').trim().slice(0, 600));
    return texts.get(n);
  };
  for (const root of roots) {
    for (const el of root.querySelectorAll(SEL)) {
      if (out.length >= cap) return out;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.right <= 0 || r.top >= vh || r.left >= vw) continue;
      if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const text = ((el.innerText || el.textContent || '') + '' || el.value || el.getAttribute('aria-label')
        || el.title || '').toString().replace(/\\s+/g, ' ').trim().slice(0, 120);
      if (!text) continue;
      const path = [];
      let layer = null, near = null, depth = 0;
      for (let n = el; n && n.nodeType === 1 && path.length < 40; n = up(n), depth++) {
        path.push(label(n));
        if (n !== el && isOverlay(n)) layer = n;
        if (inFrame && !near && n !== el && depth <= 6 && (n.textContent || '').length >= 60) near = n;
      }
      const holder = layer || near;
      out.push({text: text, path: path.reverse().join(' > '), layer: holder ? textOf(holder) : '',
                overlay: !!layer});
    }
  }
  return out;
}"""


class RenderSession:
    """One shop's browser context: created at the first page rendered, closed at the end of the crawl."""

    def __init__(self, chromium: Chromium, gate: Gate, options: ScanOptions, verify,
                 credential_origins: frozenset = frozenset()):
        self.chromium = chromium
        self.gate = gate
        self.options = options
        self._verify = verify
        # the user's --header / --cookie / --auth go only to the target's own origins, as in the crawl
        self._credential_origins = credential_origins
        self._credentials = credential_headers(options)
        self._context: Any = None
        self._client: httpx.AsyncClient | None = None
        self._opening: asyncio.Lock | None = None
        self._states: dict[Any, _PageState] = {}
        self._ours: set[Any] = set()
        self._idle: list[Any] = []  # tabs that loaded a page and were left for about:blank: reused
        self.first_page = ""
        self.pages: list[str] = []
        self.requests: list[BrowserRequest] = []
        self.requests_dropped = 0
        self.cookies: dict[tuple[str, str], BrowserCookie] = {}
        self.controls: list[BrowserControl] = []
        self.errors: list[FetchError] = []
        self._refused_hosts: set[str] = set()

    # -- lifecycle --------------------------------------------------------------------------------------
    async def _open(self) -> None:
        if self._context is not None:
            return
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._context is not None:
                return
            o = self.options
            self._client = make_client(
                self.gate,
                verify=self._verify,
                proxies=self.gate.proxies,
                timeout=o.timeout,
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            )
            # the browser's cookie jar is the only one: ours keeps nothing (a cookie the browser refused, such as
            # a third-party one, must not come back through us)
            self._client.cookies = http.cookiejar.CookieJar(policy=_NoCookies())
            ctx = await self.chromium.browser.new_context(
                user_agent=o.user_agent,
                service_workers="block",
                accept_downloads=False,
                viewport={"width": 1366, "height": 900},
            )
            await ctx.route("**/*", self._route)
            with contextlib.suppress(Exception):  # Playwright before 1.48 has no web-socket routes
                await ctx.route_web_socket("**/*", self._web_socket)
            ctx.on("page", self._on_page)
            self._context = ctx

    async def close(self) -> BrowserFacts:
        if self._context is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._context.close(), 10)
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
        return BrowserFacts(
            browser=self.chromium.name,
            first_page=self.first_page,
            pages=tuple(self.pages),
            requests=tuple(self.requests),
            cookies=tuple(self.cookies.values()),
            controls=tuple(self.controls),
            requests_dropped=self.requests_dropped,
        )

    def _on_page(self, page: Any) -> None:
        """Every window the context opens: ours are kept, any other (a popup that got past the blocker, a
        window.open loop) is closed. Its requests are refused meanwhile (it has no page state)."""
        asyncio.ensure_future(self._close_unless_ours(page))

    async def _close_unless_ours(self, page: Any) -> None:
        await asyncio.sleep(0.2)  # the event comes before new_page() returns the page it made for us
        if page not in self._ours:
            await _quietly(asyncio.wait_for(page.close(run_before_unload=False), OP_TIMEOUT))

    # -- one page ---------------------------------------------------------------------------------------
    async def render(self, page: FetchedPage, budget: float) -> _Rendered:
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(self._open(), OP_TIMEOUT * 5)
            pw_page = await asyncio.wait_for(self._new_page(), OP_TIMEOUT * 2)
        except Exception as e:  # noqa: BLE001
            return _Rendered(error=f"the browser could not open the page: {_why(e)}")
        first = not self.first_page
        if first:
            self.first_page = page.url
        self.pages.append(page.url)
        body = page.text.encode("utf-8", "replace")
        self._states[pw_page] = _PageState(page.url, page.status, _document_headers(page), body)
        reuse = False
        try:
            out = await asyncio.wait_for(self._load(pw_page, page, budget, first), budget + OP_TIMEOUT)
            reuse = True
        except asyncio.TimeoutError:
            out = _Rendered(error=f"the page did not finish loading within {budget:g}s (a script that never "
                                  "ends?)")
        except Exception as e:  # noqa: BLE001 - a crashed renderer, a closed page ...: read as served
            out = _Rendered(error=_why(e))
        finally:
            self._states.pop(pw_page, None)
            if reuse and await self._blank(pw_page):
                self._idle.append(pw_page)  # the next page of the shop loads in this tab
            else:  # a tab whose script never ends, or whose load failed, is closed
                await _quietly(asyncio.wait_for(pw_page.close(run_before_unload=False), OP_TIMEOUT))
                self._ours.discard(pw_page)
        await self._note_cookies(page.url)
        out.elapsed_ms = int((time.monotonic() - t0) * 1000)
        return out

    async def _new_page(self) -> Any:
        while self._idle:
            tab = self._idle.pop()
            if not tab.is_closed():
                return tab
        created = await self._context.new_page()
        self._ours.add(created)
        return created

    async def _blank(self, tab: Any) -> bool:
        """Leave the page (its scripts and timers end with it) so that the tab can load the next one."""
        try:
            await asyncio.wait_for(tab.goto("about:blank"), OP_TIMEOUT)
            return True
        except Exception:  # noqa: BLE001 - a beforeunload that holds the tab, a hung renderer: closed instead
            return False

    async def _load(self, pw_page: Any, page: FetchedPage, budget: float, first: bool) -> _Rendered:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        end = time.monotonic() + budget
        settle = SETTLE_FIRST if first else SETTLE
        load_ms = max(100, int(1000 * min(self.options.timeout, max(0.1, budget - settle))))
        try:
            await pw_page.goto(page.url, wait_until="load", timeout=load_ms)
        except PlaywrightTimeout:
            pass  # what was built by then is still read (a page whose subresources never finish)
        state = self._states.get(pw_page)
        if state is not None:  # late scripts (consent banners, widgets, data for the page) until it is quiet
            await _settle(state, QUIET_FIRST if first else QUIET, min(end, time.monotonic() + settle))
        limit = max(1024, self.options.max_bytes)
        html, truncated = await asyncio.wait_for(pw_page.evaluate(_SERIALIZE_JS, limit), OP_TIMEOUT)
        if first:
            await self._read_controls(pw_page, page.url)
        return _Rendered(html=str(html or ""), truncated=bool(truncated))

    async def _read_controls(self, pw_page: Any, url: str) -> None:
        for i, frame in enumerate(pw_page.frames[:MAX_FRAMES]):
            try:
                found = await asyncio.wait_for(frame.evaluate(_CONTROLS_JS, [MAX_CONTROLS, i > 0]), OP_TIMEOUT)
            except Exception:  # noqa: BLE001 - a detached or hung frame: its controls are not known
                continue
            where = "" if i == 0 else frame.url
            for c in found or ():
                if len(self.controls) >= MAX_CONTROLS:
                    return
                self.controls.append(BrowserControl(
                    text=one_line(c.get("text", ""), 120), page=url, path=str(c.get("path", ""))[:2000],
                    layer_text=one_line(c.get("layer", ""), 600), overlay=bool(c.get("overlay")), frame=where,
                ))

    async def _note_cookies(self, url: str) -> None:
        if self._context is None:
            return
        try:
            jar = await asyncio.wait_for(self._context.cookies(), OP_TIMEOUT)
        except Exception:  # noqa: BLE001
            return
        for c in jar:
            key = (str(c.get("name", "")), str(c.get("domain", "")).lstrip("."))
            if key not in self.cookies and len(self.cookies) < 500:
                self.cookies[key] = BrowserCookie(name=key[0][:200], domain=key[1][:253], page=url)

    # -- every request the browser makes ----------------------------------------------------------------
    def _record(self, url: str, kind: str, page: str, outcome: str) -> None:
        if len(self.requests) >= MAX_RECORDED_REQUESTS:
            self.requests_dropped += 1
            return
        self.requests.append(BrowserRequest(url=url[:2048], kind=kind, page=page, outcome=outcome))

    async def _route(self, route: Any, request: Any) -> None:
        try:
            await self._handle(route, request)
        except Exception:  # noqa: BLE001 - the page went away meanwhile, or the route was already answered
            log.debug("browser request %s not handled", getattr(request, "url", "?"), exc_info=True)
            await _quietly(route.abort("failed"))

    async def _handle(self, route: Any, request: Any) -> None:
        try:
            frame = request.frame
            owner = frame.page
        except Exception:  # noqa: BLE001 - a request of a worker: not ours to make
            await route.abort("blockedbyclient")
            return
        state = self._states.get(owner)
        if state is None:  # a closed page's late request, or a window that is not ours
            await route.abort("blockedbyclient")
            return
        url, kind = request.url, request.resource_type
        if request.is_navigation_request() and frame.parent_frame is None:
            if not state.served:
                state.served = True  # the page itself: the document the crawl fetched
                await route.fulfill(status=state.status, headers=state.headers, body=state.body)
            else:  # the page's script navigates away: the page stays the one the crawl fetched
                self._record(url, kind, state.url, "not_followed")
                await route.abort("blockedbyclient")
            return
        state.requests += 1
        state.inflight += 1
        state.busy()
        try:
            await self._answer(route, request, state, url, kind)
        finally:
            state.inflight -= 1
            state.busy()

    async def _answer(self, route: Any, request: Any, state: _PageState, url: str, kind: str) -> None:
        if not url.startswith(("http://", "https://")):
            await route.abort("blockedbyclient")
            return
        if state.requests > MAX_REQUESTS_PER_PAGE or state.bytes > PAGE_BYTES_FACTOR * self.options.max_bytes:
            self._record(url, kind, state.url, "over_limit")
            await route.abort("blockedbyclient")
            return
        if kind in SKIPPED_KINDS:
            self._record(url, kind, state.url, "not_fetched")
            await route.abort("blockedbyclient")
            return
        answer = await self._fetch(request, url, state)
        if isinstance(answer, str):
            self._record(url, kind, state.url, answer)
            await route.abort("blockedbyclient" if answer == "refused" else "failed")
            return
        status, headers, body = answer
        self._record(url, kind, state.url, "fetched")
        await route.fulfill(status=status, headers=headers, body=body)

    async def _fetch(self, request: Any, url: str, state: _PageState) -> tuple[int, dict[str, str], bytes] | str:
        """The response to one browser request, fetched through the gate (redirects followed, each hop gated);
        or why not: "refused" (the gate), "failed", "over_limit"."""
        assert self._client is not None
        try:
            headers = {k: v for k, v in (await request.all_headers()).items()
                       if k.lower() not in _HOP_BY_HOP and not k.startswith(":")}
        except Exception:  # noqa: BLE001
            headers = {}
        headers["accept-encoding"] = ACCEPT_ENCODING
        method = request.method or "GET"
        try:
            content = request.post_data_buffer if method not in ("GET", "HEAD") else None
        except Exception:  # noqa: BLE001
            content = None
        limit = max(1024, self.options.max_bytes)
        current = url
        try:
            for _ in range(max(0, self.options.max_redirects) + 1):
                req = self._client.build_request(method, current, headers=headers, content=content)
                if self._credential_origins and origin(current) in self._credential_origins:
                    req.headers.update(self._credentials)
                    if self.options.cookie:
                        jar = req.headers.get("cookie")
                        req.headers["Cookie"] = f"{jar}; {self.options.cookie}" if jar else self.options.cookie
                response = await asyncio.wait_for(self._client.send(req, stream=True), self.options.timeout)
                try:
                    location = response.headers.get("location") if response.status_code in REDIRECT_CODES else None
                    if location:
                        current = str(httpx.URL(current).join(location))
                        if not current.startswith(("http://", "https://")):
                            return "failed"
                        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                            method, content = "GET", None
                        continue
                    body, truncated = await asyncio.wait_for(_read(response, limit), self.options.timeout)
                    if truncated:
                        return "over_limit"
                    state.bytes += len(body)
                    return response.status_code, _response_headers(response), body
                finally:
                    await response.aclose()
            return "failed"  # too many redirects
        except Exception as e:  # noqa: BLE001 - every failure is an aborted request, recorded
            failure = classify(e, current, self.options.timeout)
            if failure.kind == "blocked_address":
                host = httpx.URL(current).host
                if host not in self._refused_hosts and len(self._refused_hosts) < 20:
                    self._refused_hosts.add(host)
                    self.errors.append(FetchError(current, f"browser request {failure.message}", "blocked_address"))
                return "refused"
            return "failed"

    async def _web_socket(self, ws: Any) -> None:
        """A page's web socket is answered here and closed: it never connects (the gate cannot follow it)."""
        self._record(ws.url, "websocket", self.pages[-1] if self.pages else "", "not_fetched")
        await _quietly(ws.close())


async def _settle(state: _PageState, quiet: float, until: float) -> None:
    """Wait until no request of the page is in flight and none started or ended for ``quiet`` seconds (the
    page's scripts have what they asked for), or until ``until``. All its requests pass through us, so this is
    known exactly; Playwright's "networkidle" would wait a fixed 500 ms of silence on every page."""
    state.last = max(state.last, time.monotonic())
    while True:
        now = time.monotonic()
        if now >= until or (state.inflight <= 0 and now - state.last >= quiet):
            return
        await asyncio.sleep(min(0.05, max(0.0, until - now)))


async def _read(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    decoder = BoundedDecoder(response.headers.get("content-encoding"), limit)
    async for raw in response.aiter_raw():
        decoder.feed(raw)
        if decoder.full:
            break
    return decoder.body, decoder.truncated


def _response_headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in response.headers.multi_items():
        k = k.lower()
        if k in _DROP_FROM_RESPONSE:
            continue
        sep = "\n" if k == "set-cookie" else ", "  # Playwright splits Set-Cookie on newlines
        out[k] = f"{out[k]}{sep}{v}" if k in out else v
    return out


def _document_headers(page: FetchedPage) -> dict[str, str]:
    """The page's response headers for the browser: the text as UTF-8 (the crawl decoded it), the shop's
    cookies and security headers as they came."""
    out = {k: v for k, v in page.headers.items() if k not in _DROP_FROM_RESPONSE and k != "content-type"}
    if "set-cookie" in out:
        out["set-cookie"] = "\n".join(_split_set_cookie(out["set-cookie"]))
    out["content-type"] = "text/html; charset=utf-8"
    return out


def _split_set_cookie(joined: str) -> list[str]:
    """Set-Cookie values the crawl joined with ", " (a comma also appears in Expires dates: "Wed, 21 Oct")."""
    parts: list[str] = []
    for piece in joined.split(", "):
        head = piece.split(";", 1)[0]
        if parts and ("=" not in head or head[:3].isdigit() or head.split(" ", 1)[0].isdigit()):
            parts[-1] += ", " + piece
        else:
            parts.append(piece)
    return parts


def _why(e: BaseException) -> str:
    text = str(getattr(e, "message", "") or e).strip()
    return one_line(text.splitlines()[0] if text else type(e).__name__, 200)


async def _quietly(awaitable) -> None:
    with contextlib.suppress(Exception):
        await awaitable


# --------------------------------------------------------------------------- the crawl mode


class RenderingCrawl(HttpCrawl):
    """The HTTP crawl whose pages are also loaded in the browser (all of them, or the application shells)."""

    def __init__(self, *args, chromium: Chromium | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chromium = chromium  # None: started at the first page to render (--render auto may need none)
        self._own = chromium is None
        self._unavailable = ""  # why Chromium could not be started (then nothing more is tried)
        self.session: RenderSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None

    async def run(self) -> SiteSnapshot:
        self._slots = asyncio.Semaphore(max(1, min(RENDER_CONCURRENCY, self.options.concurrency)))
        self._starting = asyncio.Lock()
        try:
            snapshot = await super().run()
        finally:
            facts = await self.session.close() if self.session is not None else None
            if self._own and self.chromium is not None:
                await self.chromium.close()
        errors = snapshot.errors + tuple(self.session.errors if self.session is not None else ())
        return replace(snapshot, errors=errors, render=self.options.render,
                       browser=facts if facts is not None and facts.pages else None)

    async def _session(self) -> RenderSession | None:
        assert self._starting is not None
        async with self._starting:
            if self.session is None and not self._unavailable:
                if self.chromium is None:
                    try:
                        self.chromium = await Chromium.launch(self.options)
                    except RenderUnavailable as e:
                        self._unavailable = str(e)
                        return None
                verify = insecure_context() if self.fetcher.insecure else verify_context(self.options.ca_bundle)
                self.session = RenderSession(self.chromium, self.gate, self.options, verify,
                                             self.fetcher.credential_origins)
        return self.session

    def _wants(self, page: FetchedPage) -> bool:
        if not page.text or page.status >= 400:
            return False
        return self.options.render == "always" or (self.options.render == "auto" and page.app_shell)

    async def _finish_page(self, page: FetchedPage) -> tuple[FetchedPage, tuple[FetchError, ...]]:
        errors: tuple[FetchError, ...] = ()
        if self.options.render != "always":  # every page is rendered anyway: no need to test for shells
            page, errors = await super()._finish_page(page)
        if not self._wants(page):
            return page, errors
        try:
            return await self._render(page, errors)
        except Exception as e:  # noqa: BLE001 - rendering is extra: a failure leaves the page as served
            log.debug("rendering %s failed", page.url, exc_info=True)
            return page, (*errors, FetchError(page.url, f"not rendered, read as served: {_why(e)}", "render"))

    async def _render(self, page: FetchedPage, errors: tuple[FetchError, ...]) -> tuple[FetchedPage,
                                                                                        tuple[FetchError, ...]]:
        remaining = self.fetcher.deadline - time.monotonic()
        if remaining < 1.0:
            return page, (*errors, FetchError(page.url, "not rendered: the crawl time limit was reached", "render"))
        session = await self._session()
        if session is None:
            return page, (*errors, FetchError(page.url, f"not rendered: {self._unavailable}", "render"))
        assert self._slots is not None
        async with self._slots:
            budget = min(self.options.timeout + SETTLE_FIRST, self.fetcher.deadline - time.monotonic())
            if budget < 1.0:
                return page, (*errors, FetchError(page.url, "not rendered: the crawl time limit was reached", "render"))
            out = await session.render(page, budget)
        if out.error:
            return page, (*errors, FetchError(page.url, f"not rendered, read as served: {out.error}", "render"))
        rendered = replace(page, text=out.html, rendered=True, truncated=page.truncated or out.truncated,
                           elapsed_ms=page.elapsed_ms + out.elapsed_ms)
        if out.truncated:
            errors = (*errors, FetchError(page.url, f"rendered page longer than {self.options.max_bytes} "
                                                    "characters; truncated", "too_large"))
        return rendered, errors


async def crawl_rendered(
    target: str,
    candidates: list[str],
    options: ScanOptions,
    cache: ParseCache,
    observer: CrawlObserver | None,
    *,
    http_port: int | None = None,
    scorer: Scorer | None = None,
    resolver: Resolver | None = None,
    app_shell: ShellTest | None = None,
    chromium: Chromium | None = None,
) -> SiteSnapshot:
    """The HTTP crawl with pages loaded in Chromium (``chromium``: one launched on this loop; else one is
    launched for this crawl and stopped after it: at once for --render, where it must work (RenderUnavailable,
    one line, when it cannot start), at the first application shell for --render auto)."""
    own = chromium is None and options.render == "always"
    if own:
        chromium = await Chromium.launch(options)
    try:
        crawler = RenderingCrawl(target, candidates, options, cache, observer, http_port, scorer, resolver,
                                 app_shell, chromium=chromium)
        return await crawler.run()
    finally:
        if own and chromium is not None:
            await chromium.close()
