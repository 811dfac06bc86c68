"""What kind of address an IP is, for the connection gate (``trustaudit.net.gate``).

Classes: ``public``; ``loopback``; ``private`` (RFC 1918, unique-local IPv6, and what Python's ``ipaddress``
calls private: documentation and benchmarking ranges); ``link_local``; ``cgnat`` (100.64.0.0/10, carrier and
cloud-internal NAT); ``multicast``; ``reserved`` (unspecified 0.0.0.0 / ::, 240.0.0.0/4, broadcast, anything
else that is not globally routable); ``metadata`` (the instance-metadata and host-agent endpoints of cloud
providers, some of which sit in public or CGNAT ranges).

IPv4 addresses embedded in IPv6 ones (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64
``64:ff9b::/96``) are classified by the IPv4 address they reach.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC = "public"

# instance metadata / host agents: AWS (IMDS v4 and v6, ECS task credentials, EKS pod identity), GCP, Azure
# (IMDS and the WireServer), Oracle Cloud (legacy), Alibaba Cloud, DigitalOcean, OpenStack (169.254.169.254)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "fd00:ec2::254",
        "fd00:ec2::23",
        "168.63.129.16",
        "192.0.0.192",
        "100.100.100.200",
    )
)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

LABELS = {
    "loopback": "loopback",
    "private": "private-network",
    "link_local": "link-local",
    "metadata": "cloud-metadata",
    "cgnat": "carrier-grade-NAT",
    "multicast": "multicast",
    "reserved": "reserved",
}


def parse_ip(ip: str | IPAddress) -> IPAddress | None:
    """An address object (IPv4 for IPv4-mapped IPv6), or None for something that is not an IP address."""
    if not isinstance(ip, str):
        addr: IPAddress = ip
    else:
        try:
            addr = ipaddress.ip_address(ip.strip().strip("[]").split("%", 1)[0])
        except ValueError:
            return None
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        if addr in _NAT64:
            return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return addr


def normalise_ip(ip: str | IPAddress) -> str | None:
    """Canonical text of an address (``::ffff:127.0.0.1`` -> ``127.0.0.1``), or None."""
    addr = parse_ip(ip)
    return None if addr is None else str(addr)


def address_class(ip: str | IPAddress) -> str:
    addr = parse_ip(ip)
    if addr is None:
        return "reserved"
    if addr in METADATA_ADDRESSES:
        return "metadata"
    if isinstance(addr, ipaddress.IPv6Address) and addr.sixtofour is not None:
        inner = address_class(addr.sixtofour)
        if inner != PUBLIC:
            return inner
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link_local"
    if addr.is_multicast:
        return "multicast"
    if addr.is_unspecified or addr.is_reserved:
        return "reserved"
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return "cgnat"
    if addr.is_private or getattr(addr, "is_site_local", False):
        return "private"
    if not addr.is_global:
        return "reserved"
    return PUBLIC


def describe(ip: str) -> str:
    """``169.254.169.254`` -> ``169.254.169.254 (a cloud-metadata address)``."""
    cls = address_class(ip)
    return ip if cls == PUBLIC else f"{ip} (a {LABELS.get(cls, cls)} address)"
