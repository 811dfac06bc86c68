"""Name resolution for the connection gate: the system resolver, and ``--resolve HOST:PORT:ADDRESS`` entries.

``--resolve`` follows curl's convention: ``shop.test:443:127.0.0.1`` makes every connection to ``shop.test``
on port 443 go to 127.0.0.1 (several addresses: ``HOST:PORT:ADDR1,ADDR2``; IPv6 in brackets:
``shop.test:443:[::1]``). The entry applies to that host and port only, exactly as in curl. TLS still
verifies the certificate for the host name, and the ``Host`` header is still the host name.

Names under ``.test`` and ``.invalid`` (RFC 6761) are never sent to DNS: they resolve only through
``--resolve``, so tests and staging set-ups cannot leak look-ups to public resolvers.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from trustaudit.net.address import normalise_ip

_NEVER_DNS = ("test", "invalid")


@runtime_checkable
class Resolver(Protocol):
    """Anything that turns a host name into addresses. ``[]`` means "does not resolve"; never raises."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


def ip_literal(host: str) -> str | None:
    """The canonical address when ``host`` is an IP literal (``[::1]`` included), else None."""
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if not h or not (h[0].isdigit() or ":" in h):
        return None
    try:
        import ipaddress

        return str(ipaddress.ip_address(h.split("%", 1)[0]))
    except ValueError:
        return None


def _canonical_host(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def _ascii(name: str) -> str:
    """An internationalised name as the ASCII (punycode) form connections use."""
    if name.isascii():
        return name
    try:
        import idna

        return idna.encode(name, uts46=True).decode("ascii")
    except Exception:  # noqa: BLE001 - an IDN that cannot be encoded stays as written (and will not match)
        return name


class SystemResolver:
    """``getaddrinfo`` in the event loop's thread pool; IP literals resolve to themselves."""

    async def resolve(self, host: str, port: int) -> list[str]:
        lit = ip_literal(host)
        if lit is not None:
            return [lit]
        name = _canonical_host(host)
        if not name or name.rsplit(".", 1)[-1] in _NEVER_DNS:
            return []
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(name, port or 0, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            return []
        seen: list[str] = []
        for info in infos:
            ip = normalise_ip(str(info[4][0]))
            if ip and ip not in seen:
                seen.append(ip)
        return seen


@dataclass(frozen=True)
class ResolveEntry:
    host: str  # lower-case, no trailing dot
    port: int
    addresses: tuple[str, ...]


def parse_resolve(spec: str) -> ResolveEntry:
    """``HOST:PORT:ADDRESS[,ADDRESS...]`` -> ResolveEntry. Raises ValueError with a one-line reason."""
    s = (spec or "").strip()
    host, sep, rest = s.partition(":")
    port_s, sep2, addrs = rest.partition(":")
    if not sep or not sep2 or not host or not addrs:
        raise ValueError(f"--resolve {spec!r}: expected HOST:PORT:ADDRESS (e.g. shop.test:443:127.0.0.1)")
    if host.startswith("+"):  # curl's "add with timeout" marker
        host = host[1:]
    try:
        port = int(port_s)
    except ValueError:
        raise ValueError(f"--resolve {spec!r}: {port_s!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ValueError(f"--resolve {spec!r}: port {port} is out of range")
    out: list[str] = []
    for raw in addrs.split(","):
        ip = ip_literal(raw)
        if ip is None:
            raise ValueError(f"--resolve {spec!r}: {raw.strip()!r} is not an IP address")
        if ip not in out:
            out.append(ip)
    name = _canonical_host(host)
    if not name or any(c.isspace() or c in "/@" for c in name):
        raise ValueError(f"--resolve {spec!r}: {host!r} is not a host name")
    return ResolveEntry(_ascii(name), port, tuple(out))


class StaticResolver:
    """``--resolve`` entries first (host and port must both match), then ``fallback`` (None: nothing else)."""

    def __init__(self, entries: Iterable[ResolveEntry], fallback: Resolver | None = None):
        self._map: dict[tuple[str, int], tuple[str, ...]] = {}
        for e in entries:
            self._map[(e.host, e.port)] = e.addresses  # the last entry for a host:port wins, as in curl
        self.fallback = fallback

    def __bool__(self) -> bool:
        return True

    async def resolve(self, host: str, port: int) -> list[str]:
        hit = self._map.get((_ascii(_canonical_host(host)), port))
        if hit is not None:
            return list(hit)
        if self.fallback is None:
            return []
        return await self.fallback.resolve(host, port)


def resolver_for(specs: Sequence[str] = (), fallback: Resolver | None = None) -> Resolver:
    """The resolver a scan uses: ``--resolve`` entries (``specs``), then ``fallback`` (the system resolver)."""
    base = fallback if fallback is not None else SystemResolver()
    if not specs:
        return base
    return StaticResolver([parse_resolve(s) for s in specs], base)
