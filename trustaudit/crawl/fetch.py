"""One HTTP fetch, hardened: every connection through the gate (``trustaudit.net``), manual redirects
(recorded, bounded, checked), a wall-clock deadline per request, streamed bodies decoded layer by layer with a
bound on every layer (``decoders.py``), one capped retry on 429/503, and every failure turned into data.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from trustaudit.crawl.common import one_line
from trustaudit.crawl.decoders import BoundedDecoder, CorruptBody, UnsupportedEncoding
from trustaudit.crawl.tls import insecure_context
from trustaudit.crawl.urls import Scope, clean_url
from trustaudit.net.gate import Gate, GateRefused, host_port, make_client
from trustaudit.options import ScanOptions

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
RETRY_STATUSES = frozenset({429, 503})
MAX_RETRY_WAIT = 5.0  # seconds: a longer Retry-After is honoured by not retrying at all
DEFAULT_RETRY_WAIT = 1.0  # 429/503 without Retry-After
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "cannot resolve",
)


@dataclass(frozen=True)
class Failure:
    kind: str  # FetchError kind
    message: str  # one line
    connect: bool = False  # no HTTP exchange happened (DNS, refused, TLS, connect timeout)
    cert: bool = False  # the TLS certificate was rejected (content can still be read without verification)


@dataclass
class Hop:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes | None  # None when not read (redirect, non-HTML content)
    truncated: bool = False
    nbytes: int = 0


@dataclass
class Outcome:
    requested: str
    final: Hop | None = None
    chain: list[str] = field(default_factory=list)  # URLs that answered with a redirect, in order
    failure: Failure | None = None
    offsite: str | None = None  # redirect target on another site, not followed
    elapsed_ms: int = 0

    @property
    def url(self) -> str:
        return self.final.url if self.final else (self.chain[-1] if self.chain else self.requested)


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def html_or_unknown(mime: str) -> bool:
    return mime in HTML_MIMES or mime == ""


def always(_mime: str) -> bool:
    return True


def retry_delay(headers: dict[str, str], now: float | None = None) -> float | None:
    """Seconds a 429/503 answer asks us to wait (``Retry-After``: seconds or an HTTP date); the default wait
    when it says nothing; None when it is not a number or date we can read."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return DEFAULT_RETRY_WAIT
    if value.isdigit():
        return float(int(value[:6]))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port defaulted by scheme."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    return (scheme, host, port) if scheme in ("http", "https") and host else None


def credential_headers(options: ScanOptions) -> dict[str, str]:
    """The user's own headers and basic auth (sent only to the credential origins; cookies separately)."""
    out = {name: value for name, value in options.headers}
    if options.auth:
        out["Authorization"] = "Basic " + base64.b64encode(options.auth.encode("utf-8")).decode("ascii")
    return out


class Fetcher:
    """One per crawl: a fresh httpx client (no cookies or connections shared between scans)."""

    def __init__(self, options: ScanOptions, verify_ctx: ssl.SSLContext, gate: Gate, deadline: float,
                 credential_origins: frozenset[tuple[str, str, int]] = frozenset()):
        self.options = options
        self.gate = gate
        self.deadline = deadline
        self._verify_ctx = verify_ctx
        self.insecure = False
        # the user's --header / --cookie / --auth go only to these origins (the target's own): never to another
        # host, another port, plain http when the target is https, or wherever a redirect leads
        self.credential_origins = credential_origins
        self._credentials = credential_headers(options)
        self.client = self._make_client(verify_ctx)

    def _make_client(self, ctx: ssl.SSLContext) -> httpx.AsyncClient:
        o = self.options
        conc = max(1, o.concurrency)
        return make_client(
            self.gate,
            verify=ctx,
            proxies=self.gate.proxies,
            timeout=o.timeout,
            limits=httpx.Limits(max_connections=conc + 2, max_keepalive_connections=conc + 2),
            headers={
                "User-Agent": o.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )

    async def use_insecure(self) -> None:
        """Read content without certificate verification (the TLS verdict is reported separately)."""
        if self.insecure:
            return
        await self.client.aclose()
        self.client = self._make_client(insecure_context())
        self.insecure = True

    async def use_verified(self) -> None:
        if not self.insecure:
            return
        await self.client.aclose()
        self.client = self._make_client(self._verify_ctx)
        self.insecure = False

    async def aclose(self) -> None:
        await self.client.aclose()

    # ------------------------------------------------------------------ one URL, all hops
    async def fetch(
        self,
        url: str,
        *,
        scope: Scope | None,
        max_bytes: int | None = None,
        read_body: Callable[[str], bool] = html_or_unknown,
        retry: bool = False,
    ) -> Outcome:
        """GET ``url`` following redirects by hand. ``scope`` None: follow redirects to any site.

        ``retry``: one more try of a 429/503 answer after the wait it asks for (at most ``MAX_RETRY_WAIT``
        seconds, and only when the crawl's deadline leaves room for it)."""
        out = Outcome(requested=url)
        limit = self.options.max_bytes if max_bytes is None else max_bytes
        current = url
        visits: dict[str, int] = {}
        start = time.monotonic()
        retried = not retry
        try:
            hops = 0
            while hops <= self.options.max_redirects:
                hop = await self._hop_with_deadline(current, limit, read_body)
                if hop.status in RETRY_STATUSES and not retried:
                    retried = True
                    wait = retry_delay(hop.headers)
                    if wait is not None and wait <= MAX_RETRY_WAIT and (
                        time.monotonic() + wait + 1.0 < self.deadline
                    ):
                        await asyncio.sleep(wait)
                        continue
                hops += 1
                location = hop.headers.get("location") if hop.status in REDIRECT_CODES else None
                if not location:
                    out.final = hop
                    return out
                out.chain.append(current)
                visits[current] = visits.get(current, 0) + 1
                try:
                    nxt = clean_url(urljoin(current, location.strip()))
                    scheme = urlsplit(nxt).scheme
                except ValueError:
                    out.failure = Failure("error", f"{current} redirects to an invalid URL")
                    return out
                if scheme not in ("http", "https"):
                    out.failure = Failure("error", f"{current} redirects to a non-web URL ({scheme or 'none'})")
                    return out
                host, port = host_port(nxt)
                verdict = await self.gate.check(host, port)
                if verdict.resolved and not verdict.ok:
                    out.failure = Failure("blocked_redirect", f"redirect to {nxt} not followed: {verdict.reason}")
                    return out
                if scope is not None and not scope.contains(nxt):
                    out.offsite = nxt
                    return out
                if visits.get(nxt, 0) >= 2:  # one revisit is allowed: cookie-setting bounces
                    out.failure = Failure("limit", f"redirect loop at {nxt}")
                    return out
                current = nxt
            out.failure = Failure("limit", f"too many redirects (more than {self.options.max_redirects})")
            return out
        except Exception as e:  # noqa: BLE001 - every failure becomes data
            out.failure = classify(e, current, self.options.timeout)
            return out
        finally:
            out.elapsed_ms = int((time.monotonic() - start) * 1000)

    async def _hop_with_deadline(self, url: str, limit: int, read_body: Callable[[str], bool]) -> Hop:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _CrawlTimeUp()
        budget = min(self.options.timeout, remaining)
        try:
            return await asyncio.wait_for(self._hop(url, limit, read_body), timeout=budget)
        except asyncio.TimeoutError:
            if budget < self.options.timeout:
                raise _CrawlTimeUp() from None
            raise _WallTimeout(budget) from None

    def _own(self, url: str) -> bool:
        return bool(self.credential_origins) and origin(url) in self.credential_origins

    async def _hop(self, url: str, limit: int, read_body: Callable[[str], bool]) -> Hop:
        own = bool(self._credentials or self.options.cookie) and self._own(url)
        request = self.client.build_request("GET", url, headers=self._credentials if own else None)
        if own and self.options.cookie:  # with the cookies the site set itself in this crawl, if any
            jar = request.headers.get("cookie")
            request.headers["Cookie"] = f"{jar}; {self.options.cookie}" if jar else self.options.cookie
        response = await self.client.send(request, stream=True)
        try:
            headers: dict[str, str] = {}
            for k, v in response.headers.multi_items():
                k = k.lower()
                headers[k] = f"{headers[k]}, {v}" if k in headers else v
            hop = Hop(url=str(response.url), status=response.status_code, headers=headers, body=None)
            if response.status_code in REDIRECT_CODES and "location" in headers:
                return hop
            if not read_body(mime_of(headers.get("content-type"))):
                try:
                    hop.nbytes = int(headers.get("content-length", "0"))
                except ValueError:
                    hop.nbytes = 0
                return hop
            hop.body, hop.truncated = await _read_limited(response, limit)
            hop.nbytes = len(hop.body)
            return hop
        finally:
            await response.aclose()


async def _read_limited(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Stream the body, every Content-Encoding layer decoded with a bound, stopping at ``limit`` bytes.
    Returns (body, truncated). Raises UnsupportedEncoding / CorruptBody."""
    decoder = BoundedDecoder(response.headers.get("content-encoding"), limit)
    async for raw in response.aiter_raw():
        decoder.feed(raw)
        if decoder.full:
            break
    return decoder.body, decoder.truncated


class _WallTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


class _CrawlTimeUp(Exception):
    pass


def _chain(e: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    todo = [e]
    while todo and len(out) < 12:
        x = todo.pop(0)
        if x in out:
            continue
        out.append(x)
        for nxt in (x.__cause__, x.__context__):
            if nxt is not None:
                todo.append(nxt)
        for sub in getattr(x, "exceptions", ()) or ():
            if isinstance(sub, BaseException):
                todo.append(sub)
    return out


def classify(e: BaseException, url: str, timeout: float) -> Failure:
    """Any exception from a fetch -> a Failure with a one-line message."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or url
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host, port = url, 0
    hp = f"{host}:{port}"
    if isinstance(e, _CrawlTimeUp):
        return Failure("limit", "crawl time limit reached before this page was fetched")
    if isinstance(e, UnsupportedEncoding):
        return Failure("encoding", f"{url}: {e}")
    if isinstance(e, CorruptBody):
        return Failure("error", f"{e} from {url}")
    if isinstance(e, _WallTimeout):
        return Failure("timeout", f"no complete response from {url} within {e.seconds:g}s")
    if isinstance(e, httpx.ConnectTimeout):
        return Failure("timeout", f"cannot connect to {hp}: timed out after {timeout:g}s", connect=True)
    if isinstance(e, httpx.TimeoutException):
        return Failure("timeout", f"{url} timed out after {timeout:g}s")
    chain = _chain(e)
    for x in chain:
        if isinstance(x, GateRefused):
            return Failure("blocked_address", f"{url} not fetched: {x.verdict.reason}", connect=True)
    for x in chain:
        if isinstance(x, ssl.SSLCertVerificationError):
            reason = getattr(x, "verify_message", "") or str(x)
            return Failure("tls", f"TLS certificate of {hp} rejected: {one_line(reason, 160)}", connect=True, cert=True)
    for x in chain:
        if isinstance(x, ssl.SSLError):
            reason = str(getattr(x, "reason", "") or x).lower().replace("_", " ")
            return Failure("tls", f"TLS handshake with {hp} failed: {one_line(reason, 160)}", connect=True)
    text = " ".join(str(x) for x in chain).lower()
    if any(isinstance(x, socket.gaierror) for x in chain) or any(h in text for h in _DNS_HINTS):
        return Failure("dns", f"cannot resolve host {host}", connect=True)
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "connection refused" in text:
        return Failure("refused", f"cannot connect to {hp}: connection refused", connect=True)
    if isinstance(e, httpx.ConnectError):
        detail = next((str(x) for x in reversed(chain) if str(x)), "connection failed")
        return Failure("error", f"cannot connect to {hp}: {one_line(detail, 160)}", connect=True)
    if isinstance(e, zlib.error):
        return Failure("error", f"corrupt compressed body from {url}")
    if isinstance(e, (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError)):
        return Failure("error", f"invalid HTTP response from {hp}: {one_line(e, 160)}")
    if isinstance(e, httpx.NetworkError):
        return Failure("error", f"connection to {hp} broken: {one_line(e, 160) or type(e).__name__}")
    if isinstance(e, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return Failure("error", f"invalid URL: {one_line(url, 200)}")
    return Failure("error", f"{type(e).__name__}: {one_line(e, 200)}")
