"""The one gate every outgoing connection passes: resolve once, check every address, connect to a checked one.

Why here and not per URL: a check on the URL (or on a redirect target) followed by a library's own connection
resolves the name twice, and a hostile DNS server can answer "public" to the check and "169.254.169.254" to
the connection (DNS rebinding). The gate sits *in* the connection: httpx's connection pool asks our network
backend (:class:`GatedBackend`) for a TCP stream to ``host:port``; the backend resolves the name through the
gate, refuses unless an address is allowed, and opens the socket to that checked address. TLS still sends the
host name (SNI) and verifies the certificate against it, and the ``Host`` header is unchanged.

Policy (:meth:`Gate.judge`):

* public addresses are allowed;
* loopback, private, link-local, CGNAT, multicast and reserved addresses are refused unless the user asked
  for exactly that address (:meth:`Gate.trust`: the scan target, an address given with ``--resolve`` for
  the target, a register URL the user configured) or ``allow_private`` (``--allow-private``) is set;
* cloud-metadata addresses (169.254.169.254 and friends, see ``net.address``) are refused even with
  ``allow_private``: only when the user's own target is that address;
* a name with several addresses is connected only through its allowed ones; a name with none is refused.

**Proxies.** ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY`` (:class:`ProxyRoutes`, read with the
standard library's own rules) are honoured: the proxy's address is the user's choice (like ``--resolve``), so it is
trusted; the *destination* is still judged here, by our own resolution of its name, before the request is sent to
the proxy (a private, loopback or metadata destination the user did not ask for is refused, exactly as without a
proxy). What remains is the proxy's own resolution: a name that answers "public" to us and "private" to the proxy
(DNS rebinding at the proxy) reaches what the proxy can reach. Names must resolve here (``--resolve`` for a name
only the proxy knows). Our own TLS handshake (certificate facts) connects directly, never through the proxy.

Answers are cached per gate for ``ttl`` seconds (one crawl, like a browser's host cache), and look-ups of the
same name in flight are shared: the address a check saw is the address a connection uses.

Using it elsewhere:

* **httpx** (crawl, register look-ups): ``client = make_client(gate, verify=..., timeout=..., headers=...)``.
  Every connection the client opens, redirects included, passes the gate; a refusal raises
  ``httpx.ConnectError`` whose ``__cause__`` is :class:`GateRefused` (its ``verdict`` says why). Register URLs
  the user configured: ``await gate.trust_url(url)`` before use, so a register on loopback works.
* **raw sockets** (our own TLS handshake): ``verdict = await gate.check(host, port)``, then connect to
  ``verdict.allowed`` only.
* **a headless browser**: route interception calls ``await gate.check(host, port)`` for every request and
  aborts the refused ones (``route.abort("blockedbyclient")``). Chromium resolves names itself, so a check
  alone would leave rebinding open: either fulfil allowed requests through ``make_client(gate)``
  (``route.fulfill`` with our response: the browser never connects itself), or pin each allowed name to the
  checked address before continuing (``--host-resolver-rules="MAP host ip"`` built from the verdicts and
  ``--resolve`` entries), so the browser connects to the address the gate saw.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import typing
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

from trustaudit.net.address import LABELS, PUBLIC, address_class, normalise_ip
from trustaudit.net.resolve import Resolver, ip_literal, resolver_for

MAX_ADDRESSES_TRIED = 4  # connect attempts per name (each bounded by the connect timeout)


@dataclass(frozen=True)
class Verdict:
    """What the gate decided for ``host:port``."""

    host: str
    port: int
    addresses: tuple[str, ...]  # every address the name resolved to, in resolver order
    allowed: tuple[str, ...]  # those a connection may use
    reason: str | None = None  # one line: why no connection may be made (refused, or does not resolve)

    @property
    def ok(self) -> bool:
        return bool(self.allowed)

    @property
    def resolved(self) -> bool:
        return bool(self.addresses)


class GateRefused(httpcore.ConnectError):
    """A connection the gate refused (raised inside httpx's pool; httpx re-raises it as ConnectError)."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.reason or f"connection to {verdict.host}:{verdict.port} refused")
        self.verdict = verdict


class Unresolved(httpcore.ConnectError):
    """The name does not resolve (its ``__cause__`` is a ``socket.gaierror``)."""


class ProxyRoutes:
    """Which proxy (if any) a URL goes through: ``<scheme>_proxy`` / ``all_proxy`` and ``no_proxy`` from the
    environment (either case), as ``urllib.request`` reads them. Only http(s) proxies."""

    def __init__(self, proxies: Mapping[str, str] | None = None):
        env = dict(urllib.request.getproxies_environment() if proxies is None else proxies)
        self.proxies = {k: v for k, v in env.items() if k in ("http", "https", "all", "no") and v}
        for k, v in self.proxies.items():
            if k != "no" and not v.lower().startswith(("http://", "https://")):
                if "://" in v:
                    raise ValueError(f"{k}_proxy {v!r}: only http:// and https:// proxies are supported")
                self.proxies[k] = "http://" + v  # "proxy:3128", as curl reads it

    def __bool__(self) -> bool:
        return any(k != "no" for k in self.proxies)

    def for_url(self, url: str) -> str | None:
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return None
        proxy = self.proxies.get(parts.scheme.lower()) or self.proxies.get("all")
        if not proxy or not host:
            return None
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        if urllib.request.proxy_bypass_environment(netloc, self.proxies):
            return None
        return proxy

    def addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for k, v in self.proxies.items() if k != "no"))


def _host_key(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


class Gate:
    """Per scan (or per register client): the policy, the trusted addresses and the answer cache."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        ttl: float = 60.0,
        resolve_timeout: float = 10.0,
    ):
        self.allow_private = allow_private
        self.resolver: Resolver = resolver if resolver is not None else resolver_for(())
        self.ttl = ttl
        self.resolve_timeout = resolve_timeout
        self.trusted: set[str] = set()
        self.proxies = ProxyRoutes({})  # none unless the scan's options say so (for_options: the environment)
        self._cache: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = {}
        self._inflight: dict[tuple[str, int], asyncio.Future[tuple[str, ...]]] = {}

    @classmethod
    def for_options(cls, options: typing.Any, resolver: Resolver | None = None) -> Gate:
        """The gate of a scan: ``options.allow_private`` and ``options.resolve`` (``--resolve`` entries)."""
        res = resolver if resolver is not None else resolver_for(tuple(getattr(options, "resolve", ()) or ()))
        gate = cls(allow_private=bool(getattr(options, "allow_private", False)), resolver=res)
        gate.proxies = ProxyRoutes()
        return gate

    # ------------------------------------------------------------------ trust
    async def trust(self, host: str, port: int) -> tuple[str, ...]:
        """The user asked for ``host:port`` (the scan target, a configured register): its addresses are allowed
        whatever their class. Returns them (empty when the name does not resolve)."""
        ips = await self.addresses(host, port)
        self.trusted.update(ips)
        return ips

    async def trust_url(self, url: str) -> tuple[str, ...]:
        host, port = host_port(url)
        return await self.trust(host, port) if host else ()

    def trust_address(self, ip: str) -> None:
        norm = normalise_ip(ip)
        if norm:
            self.trusted.add(norm)

    # ------------------------------------------------------------------ resolution
    async def addresses(self, host: str, port: int) -> tuple[str, ...]:
        """The name's addresses (normalised), cached for ``ttl``; concurrent look-ups of one name are shared."""
        lit = ip_literal(host)
        if lit is not None:
            return (normalise_ip(lit) or lit,)
        key = (_host_key(host), int(port))
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        fut = self._inflight.get(key)
        if fut is None or fut.get_loop() is not asyncio.get_running_loop():
            fut = asyncio.ensure_future(self._lookup(key[0], key[1]))
            self._inflight[key] = fut
            fut.add_done_callback(lambda _f, k=key: self._inflight.pop(k, None))
        return await asyncio.shield(fut)

    async def _lookup(self, host: str, port: int) -> tuple[str, ...]:
        try:
            raw = await asyncio.wait_for(self.resolver.resolve(host, port), self.resolve_timeout)
        except asyncio.TimeoutError:
            raw = []
        except Exception:  # noqa: BLE001 - a broken resolver means "does not resolve", never a crash
            raw = []
        ips: list[str] = []
        for ip in raw or ():
            norm = normalise_ip(str(ip))
            if norm and norm not in ips:
                ips.append(norm)
        out = tuple(ips)
        self._cache[(host, port)] = (time.monotonic() + self.ttl, out)
        return out

    # ------------------------------------------------------------------ policy
    def judge(self, ip: str) -> str | None:
        """None when a connection to ``ip`` is allowed, else what the address is (for the refusal message)."""
        norm = normalise_ip(ip)
        if norm is None:
            return f"{ip} (not an IP address)"
        cls = address_class(norm)
        if cls == PUBLIC or norm in self.trusted:
            return None
        if self.allow_private and cls != "metadata":
            return None
        return f"{norm}, a {LABELS.get(cls, cls)} address"

    async def check(self, host: str, port: int) -> Verdict:
        """Resolve ``host`` (once, cached) and decide. Never raises."""
        host = _host_key(host)
        ips = await self.addresses(host, port)
        if not ips:
            return Verdict(host, port, (), (), f"cannot resolve host {host}")
        allowed: list[str] = []
        refused: str | None = None
        for ip in ips:
            why = self.judge(ip)
            if why is None:
                allowed.append(ip)
            elif refused is None:
                refused = why
        reason = None
        if not allowed:
            who = refused if ip_literal(host) else f"{host} resolves to {refused}"
            hint = (
                "only the scan target itself may be such an address"
                if "metadata" in (refused or "")
                else "not the scan target's address; --allow-private allows it"
            )
            reason = f"refused: {who} ({hint})"
        return Verdict(host, int(port), ips, tuple(allowed), reason)

    async def check_url(self, url: str) -> Verdict:
        host, port = host_port(url)
        return await self.check(host, port)

    def backend(self, inner: httpcore.AsyncNetworkBackend | None = None) -> GatedBackend:
        return GatedBackend(self, inner)


def host_port(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL, the port defaulted by scheme; ("", 0) when it has no host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme.lower() in ("https", "wss") else 80)
    except ValueError:
        return "", 0
    return host, port


class GatedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend: every TCP connection goes through the gate and to a checked address."""

    def __init__(self, gate: Gate, inner: httpcore.AsyncNetworkBackend | None = None):
        self.gate = gate
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        verdict = await self.gate.check(host, port)
        if not verdict.ok:
            if not verdict.resolved:
                raise Unresolved(verdict.reason) from socket.gaierror(socket.EAI_NONAME, verdict.reason)
            raise GateRefused(verdict)
        last: Exception | None = None
        for ip in verdict.allowed[:MAX_ADDRESSES_TRIED]:
            try:
                return await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as e:  # refused / unreachable: the next checked address
                last = e
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise GateRefused(Verdict(path, 0, (), (), f"refused: unix socket {path}"))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GatedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its error mapping, streaming, keep-alive) over a connection pool whose network
    backend is the gate. A request whose URL goes through a proxy (``proxies``) has its destination judged by
    the gate first, then goes to the proxy over a gated pool of its own (the proxy address is trusted)."""

    def __init__(
        self,
        gate: Gate,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        http2: bool = False,
        proxies: ProxyRoutes | None = None,
    ):
        limits = limits or httpx.Limits(max_connections=10, max_keepalive_connections=10)
        super().__init__(verify=verify, limits=limits, http2=http2, trust_env=False)
        ctx = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        if not hasattr(self, "_pool"):  # pragma: no cover - httpx changed its internals: fail loudly
            raise RuntimeError("httpx.AsyncHTTPTransport has no _pool: the connection gate cannot be installed")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ctx,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=GatedBackend(gate),
        )
        self.gate = gate
        self.proxies = proxies or ProxyRoutes({})
        self._ctx, self._limits, self._http2 = ctx, limits, http2
        self._proxied: dict[str, httpx.AsyncHTTPTransport] = {}

    def _via(self, proxy_url: str) -> httpx.AsyncHTTPTransport:
        transport = self._proxied.get(proxy_url)
        if transport is None:
            proxy = httpx.Proxy(proxy_url)
            transport = httpx.AsyncHTTPTransport(verify=self._ctx, limits=self._limits, trust_env=False)
            transport._pool = httpcore.AsyncHTTPProxy(
                proxy_url=httpcore.URL(str(proxy.url)),
                proxy_auth=proxy.raw_auth,
                proxy_headers=proxy.headers.raw,
                ssl_context=self._ctx,
                max_connections=self._limits.max_connections,
                max_keepalive_connections=self._limits.max_keepalive_connections,
                keepalive_expiry=self._limits.keepalive_expiry,
                http1=True,
                http2=self._http2,
                network_backend=GatedBackend(self.gate),  # to the proxy's own address, which is trusted
            )
            self._proxied[proxy_url] = transport
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self.proxies.for_url(str(request.url)) if self.proxies else None
        if proxy is None:
            return await super().handle_async_request(request)
        verdict = await self.gate.check(request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80))
        if not verdict.ok:  # judged by our own resolution, before anything is sent to the proxy
            cause: Exception = GateRefused(verdict) if verdict.resolved else Unresolved(verdict.reason)
            if not verdict.resolved:
                cause.__cause__ = socket.gaierror(socket.EAI_NONAME, verdict.reason)
            raise httpx.ConnectError(verdict.reason or "refused", request=request) from cause
        return await self._via(proxy).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._proxied.values():
            await transport.aclose()
        await super().aclose()


def make_client(
    gate: Gate,
    *,
    verify: ssl.SSLContext | bool = True,
    timeout: float | httpx.Timeout = 10.0,
    limits: httpx.Limits | None = None,
    headers: typing.Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    http2: bool = False,
    proxies: ProxyRoutes | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every connection (redirects included) passes ``gate``.

    No cookies persist beyond the client and no ``.netrc`` credentials are used; environment proxies only when
    ``proxies`` is given (the crawl passes the gate's: see "Proxies" above)."""
    return httpx.AsyncClient(
        transport=GatedTransport(gate, verify=verify, limits=limits, http2=http2, proxies=proxies),
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        headers=dict(headers or {}),
        follow_redirects=follow_redirects,
        trust_env=False,
    )
