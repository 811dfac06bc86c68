"""One HTTP fetch, hardened: manual redirects (recorded, bounded, SSRF-checked), a wall-clock deadline per
request, streamed bodies capped at ``max_bytes`` after decompression, and every failure turned into data.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from trustaudit.crawl.common import one_line
from trustaudit.crawl.netsafety import NetGuard
from trustaudit.crawl.tls import insecure_context
from trustaudit.crawl.urls import clean_url, host_of, same_site
from trustaudit.options import ScanOptions

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})
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


class _Inflate:
    """gzip/deflate decoding with a bounded output per call (a 10 KB bomb cannot expand to 10 GB in memory)."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self._d = zlib.decompressobj(47 if encoding in ("gzip", "x-gzip") else 15)
        self._started = False

    def feed(self, data: bytes, max_out: int) -> bytes:
        try:
            out = self._d.decompress(data, max_out)
        except zlib.error:
            if self.encoding == "deflate" and not self._started:
                self._d = zlib.decompressobj(-15)  # raw deflate without zlib header (old IIS)
                self._started = True
                out = self._d.decompress(data, max_out)
            else:
                raise
        self._started = True
        return out


class Fetcher:
    """One per crawl: a fresh httpx client (no cookies or connections shared between scans)."""

    def __init__(self, options: ScanOptions, verify_ctx: ssl.SSLContext, guard: NetGuard, deadline: float):
        self.options = options
        self.guard = guard
        self.deadline = deadline
        self._verify_ctx = verify_ctx
        self.insecure = False
        self.client = self._make_client(verify_ctx)

    def _make_client(self, ctx: ssl.SSLContext) -> httpx.AsyncClient:
        o = self.options
        conc = max(1, o.concurrency)
        return httpx.AsyncClient(
            verify=ctx,
            follow_redirects=False,
            timeout=httpx.Timeout(o.timeout),
            limits=httpx.Limits(max_connections=conc + 2, max_keepalive_connections=conc + 2),
            headers={
                "User-Agent": o.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
            trust_env=True,
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
        site_host: str | None,
        max_bytes: int | None = None,
        read_body: Callable[[str], bool] = html_or_unknown,
    ) -> Outcome:
        """GET ``url`` following redirects by hand. ``site_host`` None: follow redirects to any site."""
        out = Outcome(requested=url)
        limit = self.options.max_bytes if max_bytes is None else max_bytes
        current = url
        visits: dict[str, int] = {}
        start = time.monotonic()
        try:
            for _ in range(self.options.max_redirects + 1):
                hop = await self._hop_with_deadline(current, limit, read_body)
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
                reason = await self.guard.check(host_of(nxt))
                if reason:
                    out.failure = Failure("blocked_redirect", f"redirect to {nxt} not followed: {reason}")
                    return out
                if site_host is not None and not same_site(nxt, site_host):
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

    async def _hop(self, url: str, limit: int, read_body: Callable[[str], bool]) -> Hop:
        request = self.client.build_request("GET", url)
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
    """Stream the body, decompressed, stopping at ``limit`` bytes. Returns (body, truncated)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    chunks: list[bytes] = []
    total = 0
    if encoding in ("", "identity"):
        decoder = None
        stream = response.aiter_raw()
    elif encoding in ("gzip", "x-gzip", "deflate"):
        decoder = _Inflate(encoding)
        stream = response.aiter_raw()
    else:  # br, zstd, ...: we do not ask for them; let httpx decode (or fail) if a server sends them anyway
        decoder = None
        stream = response.aiter_bytes()
    async for raw in stream:
        data = decoder.feed(raw, limit - total + 1) if decoder is not None else raw
        if total + len(data) > limit:
            chunks.append(data[: limit - total])
            return b"".join(chunks), True
        chunks.append(data)
        total += len(data)
    return b"".join(chunks), False


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
    if isinstance(e, _WallTimeout):
        return Failure("timeout", f"no complete response from {url} within {e.seconds:g}s")
    if isinstance(e, httpx.ConnectTimeout):
        return Failure("timeout", f"cannot connect to {hp}: timed out after {timeout:g}s", connect=True)
    if isinstance(e, httpx.TimeoutException):
        return Failure("timeout", f"{url} timed out after {timeout:g}s")
    chain = _chain(e)
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
