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
        self._cache: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = {}
        self._inflight: dict[tuple[str, int], asyncio.Future[tuple[str, ...]]] = {}

    @classmethod
    def for_options(cls, options: typing.Any, resolver: Resolver | None = None) -> Gate:
        """The gate of a scan: ``options.allow_private`` and ``options.resolve`` (``--resolve`` entries)."""
        res = resolver if resolver is not None else resolver_for(tuple(getattr(options, "resolve", ()) or ()))
        return cls(allow_private=bool(getattr(options, "allow_private", False)), resolver=res)

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
    backend is the gate. Environment proxies are not used: a proxy would resolve and connect on our behalf,
    beyond the gate's reach."""

    def __init__(
        self,
        gate: Gate,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        http2: bool = False,
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


def make_client(
    gate: Gate,
    *,
    verify: ssl.SSLContext | bool = True,
    timeout: float | httpx.Timeout = 10.0,
    limits: httpx.Limits | None = None,
    headers: typing.Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    http2: bool = False,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every connection (redirects included) passes ``gate``.

    No cookies persist beyond the client, no environment proxies or ``.netrc`` credentials are used."""
    return httpx.AsyncClient(
        transport=GatedTransport(gate, verify=verify, limits=limits, http2=http2),
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        headers=dict(headers or {}),
        follow_redirects=follow_redirects,
        trust_env=False,
    )
