"""Network safety: never let a public shop bounce the scanner into a private network (SSRF guard).

Every address is put in a class: ``public``, ``loopback``, ``private``, ``link_local`` or ``reserved``
(unspecified 0.0.0.0/::, multicast, reserved, CGNAT, documentation ranges). A request to a non-public address
is allowed only when ``allow_private`` is set or the scan target itself resolves to an address of that same
class: scanning ``http://127.0.0.1:8000/`` may follow redirects to other loopback addresses, but not to
``169.254.169.254`` (cloud metadata) or ``0.0.0.0``.

Limit: httpx resolves the host again when it connects, so a DNS answer that changes between our check and
the connection (DNS rebinding) is not caught; the guard stops the common redirect-based pivot.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def address_class(ip: str | IPAddress) -> str:
    try:
        addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    except ValueError:
        return "reserved"
    if isinstance(addr, ipaddress.IPv6Address):
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            addr = mapped
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link_local"
    if addr.is_unspecified or addr.is_multicast or addr.is_reserved:
        return "reserved"
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return "reserved"
    if addr.is_private or getattr(addr, "is_site_local", False):
        # is_private also covers documentation / benchmarking ranges; they are not public either way
        return "private"
    if not addr.is_global:
        return "reserved"
    return "public"


def blocked_reason(dest_ips: list[str], target_classes: set[str], allow_private: bool) -> str | None:
    """Why a request to an address in ``dest_ips`` must not be made, or None when it is fine."""
    if allow_private:
        return None
    for ip in dest_ips:
        cls = address_class(ip)
        if cls != "public" and cls not in target_classes:
            return f"{ip} is a {cls.replace('_', '-')} address"
    return None


async def resolve(host: str, port: int | None = None) -> list[str]:
    """All addresses of ``host`` (an IP literal resolves to itself); [] when it does not resolve."""
    host = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    if host.endswith(".invalid") or host == "invalid":
        return []  # RFC 6761: never resolves
    try:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    seen: list[str] = []
    for info in infos:
        ip = info[4][0].split("%")[0]
        if ip not in seen:
            seen.append(ip)
    return seen


class NetGuard:
    """Per-crawl guard; resolutions are cached for the crawl."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self.target_classes: set[str] = {"public"}
        self._cache: dict[str, list[str]] = {}

    async def set_target(self, host: str) -> None:
        ips = await self.addresses(host)
        self.target_classes = {"public"} | {address_class(ip) for ip in ips}

    async def addresses(self, host: str) -> list[str]:
        ips = self._cache.get(host)
        if ips is None:
            ips = await resolve(host)
            self._cache[host] = ips
        return ips

    async def check(self, host: str) -> str | None:
        """None when a request to ``host`` is allowed, else a one-line reason."""
        if self.allow_private or not host:
            return None
        ips = await self.addresses(host)
        return blocked_reason(ips, self.target_classes, False)
