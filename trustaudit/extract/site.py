"""Which hosts belong to the shop: the registrable domains (``web.sites``) of its pages, and for a saved mirror
(pages with no host) the domains its canonical URLs name and most of its links point to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.web.html import ParsedPage
from trustaudit.web.sites import registrable_domain
from trustaudit.web.urls import host_of, is_ip, normalize_url  # noqa: F401 - normalize_url: the extractors' URL key

LOCAL_PAGES = 10  # pages of a local mirror whose links are looked at
SITE_PAGES = 50  # pages whose hosts are the shop's


@dataclass(frozen=True)
class SiteHints:
    """What one page of a local mirror says about the shop's own domain."""

    declared: tuple[str, ...] = ()  # registrable domains of <link rel=canonical> / og:url
    links: tuple[str, int, int] | None = None  # (the domain most absolute links point to, how many, of how many)


def site_hints(pp: ParsedPage) -> SiteHints:
    declared: list[str] = []
    root = pp.root
    if root is not None:
        for el in root.iter("link", "meta"):
            if el.tag == "link" and "canonical" in (el.get("rel") or "").lower():
                h = host_of(el.get("href") or "")
            elif el.tag == "meta" and (el.get("property") or "").lower() == "og:url":
                h = host_of(el.get("content") or "")
            else:
                continue
            if h:
                declared.append(registrable_domain(h))
    counts: Counter[str] = Counter()
    total = 0
    for link in pp.links:
        h = host_of(link.url)
        if h:
            total += 1
            counts[registrable_domain(h)] += 1
    top = (*counts.most_common(1)[0], total) if total else None
    return SiteHints(tuple(declared), top)


def shop_site_keys(snapshot: SiteSnapshot, hints: Callable[[FetchedPage], SiteHints | None]) -> set[str]:
    """Registrable domains of the shop: page hosts, and for a local mirror the domains its first pages declare
    (canonical / og:url) and the one most of their absolute links point to (``hints`` of a page)."""
    keys: set[str] = set()
    local: list[FetchedPage] = []
    for url in (snapshot.final_url, snapshot.base_url):
        h = host_of(url)
        if h:
            keys.add(registrable_domain(h))
    for page in snapshot.pages[:SITE_PAGES]:
        h = host_of(page.url)
        if h:
            keys.add(registrable_domain(h))
        else:
            local.append(page)
    for page in local[:LOCAL_PAGES]:
        hint = hints(page)
        if hint is None:
            continue
        keys.update(hint.declared)
        if hint.links is not None:
            key, n, total = hint.links
            if n >= 5 and n / total >= 0.2:
                keys.add(key)
    return keys


def site_domain(snapshot: SiteSnapshot, hints: Callable[[FetchedPage], SiteHints | None]) -> str | None:
    """The shop's own registrable domain: the final URL's (a live scan), else the one the first pages of a saved
    copy name in their canonical URL or og:url (the home page first). None for an IP address or a single label,
    and for a saved copy that names no domain."""
    for url in (snapshot.final_url, snapshot.base_url):
        h = host_of(url)
        if h:
            return _named(registrable_domain(h))
    for page in snapshot.pages[:LOCAL_PAGES]:
        if host_of(page.url):
            continue
        hint = hints(page)
        for d in hint.declared if hint is not None else ():
            if _named(d):
                return d
    return None


def _named(domain: str) -> str | None:
    return domain if domain and "." in domain and not is_ip(domain) else None


def is_same_site(url: str, keys: set[str]) -> bool:
    host = host_of(url)
    if not host:
        # relative or file:// URLs resolved inside a local mirror belong to the shop
        return url.startswith("file:") or not url.startswith(("http:", "https:"))
    return registrable_domain(host) in keys


def external_links(pages: Iterable[tuple[str, ...]], keys: set[str], limit: int = 300) -> list[str]:
    """Links that leave the shop, each once, in page order (``pages``: each page's ``page_link_urls``)."""
    out: list[str] = []
    seen: set[str] = set()
    for urls in pages:
        for u in urls:
            if u in seen or is_same_site(u, keys):
                continue
            seen.add(u)
            out.append(u)
            if len(out) >= limit:
                return out
    return out
