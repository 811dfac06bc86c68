"""Which hosts belong to the shop, and URL normalisation used to compare and dedupe links."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from trustaudit.extract.parse import ParseCache, ParsedPage
from trustaudit.models import SiteSnapshot

_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu", "ltd", "plc", "me", "or", "ne", "gob", "nic"}


def host_of(url: str) -> str:
    # the same header / footer links come back on every page: short URLs are answered from a bounded cache
    return _host_of_cached(url) if len(url) <= 512 else _host_of(url)


def _host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


_host_of_cached = lru_cache(maxsize=16384)(_host_of)


def site_key(host: str) -> str:
    """A cheap registrable domain: ``shop.example.co.uk`` -> ``example.co.uk``, ``sklep.x.pl`` -> ``x.pl``."""
    return _site_key_cached(host) if len(host) <= 253 else _site_key(host)  # 253: the longest DNS name


def _site_key(host: str) -> str:
    host = host.lower().rstrip(".")
    parts = [p for p in host.split(".") if p]
    if len(parts) <= 2:
        return ".".join(parts)
    if len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


_site_key_cached = lru_cache(maxsize=4096)(_site_key)


def normalize_url(url: str) -> str:
    """Scheme-less, www-less, lower-case host, no fragment, no trailing slash: for comparing page URLs."""
    try:
        p = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (p.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = p.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit(("", host, path, p.query, "")).lstrip("/") if host else urlunsplit(("", "", path, p.query, ""))


def shop_site_keys(snapshot: SiteSnapshot, cache: ParseCache) -> set[str]:
    """Registrable domains of the shop: page hosts, canonical / og:url hosts, and for a local mirror the
    host most of its absolute links point to."""
    keys: set[str] = set()
    local_pages: list[ParsedPage] = []
    for url in (snapshot.final_url, snapshot.base_url):
        h = host_of(url)
        if h:
            keys.add(site_key(h))
    for page in snapshot.pages[:50]:
        h = host_of(page.url)
        if h:
            keys.add(site_key(h))
        else:
            local_pages.append(cache.get(page))
    for pp in local_pages[:10]:
        for h in _declared_hosts(pp):
            keys.add(site_key(h))
        counts: Counter[str] = Counter()
        total = 0
        for link in pp.links:
            h = host_of(link.url)
            if h:
                total += 1
                counts[site_key(h)] += 1
        if total:
            key, n = counts.most_common(1)[0]
            if n >= 5 and n / total >= 0.2:
                keys.add(key)
    return keys


def _declared_hosts(pp: ParsedPage) -> list[str]:
    out = []
    root = pp.root
    if root is None:
        return out
    for el in root.iter("link", "meta"):
        if el.tag == "link" and "canonical" in (el.get("rel") or "").lower():
            out.append(host_of(el.get("href") or ""))
        elif el.tag == "meta" and (el.get("property") or "").lower() == "og:url":
            out.append(host_of(el.get("content") or ""))
    return [h for h in out if h]


def is_same_site(url: str, keys: set[str]) -> bool:
    p_host = host_of(url)
    if not p_host:
        # relative or file:// URLs resolved inside a local mirror belong to the shop
        return url.startswith("file:") or not url.startswith(("http:", "https:"))
    return site_key(p_host) in keys
