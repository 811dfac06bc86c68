"""robots.txt (protego) and sitemap.xml: bounded and forgiving."""

from __future__ import annotations

import re
import zlib

from lxml import etree
from protego import Protego

ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB
SITEMAP_MAX_BYTES = 5_000_000
SITEMAP_MAX_URLS = 2_000

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.I)


def parse_robots(status: int, body: bytes | None) -> Protego | None:
    """A parsed robots.txt, or None when there is none (4xx) or it could not be read (everything allowed).

    A 5xx answer is also treated as "no rules": an audit fetches a couple of dozen pages, not a site.
    """
    if status != 200 or not body:
        return None
    try:
        return Protego.parse(body.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - hostile robots.txt
        return None


def robots_allows(robots: Protego | None, url: str, user_agent: str) -> bool:
    if robots is None:
        return True
    try:
        return bool(robots.can_fetch(url, user_agent))
    except Exception:  # noqa: BLE001
        return True


MAX_CRAWL_DELAY = 2.0  # seconds: a longer robots.txt Crawl-delay is honoured up to this gap


def robots_crawl_delay(robots: Protego | None, user_agent: str) -> float:
    """The gap to keep between requests to the shop: robots.txt ``Crawl-delay`` for our user agent, capped
    at ``MAX_CRAWL_DELAY`` (an audit fetches a couple of dozen pages; a 10 s delay would make it minutes);
    0 when there is none."""
    if robots is None:
        return 0.0
    try:
        delay = robots.crawl_delay(user_agent)
    except Exception:  # noqa: BLE001 - hostile robots.txt
        return 0.0
    try:
        value = float(delay) if delay is not None else 0.0
    except (TypeError, ValueError):
        return 0.0
    if value != value or value <= 0:  # NaN or nothing
        return 0.0
    return min(value, MAX_CRAWL_DELAY)


def robots_sitemaps(robots: Protego | None) -> list[str]:
    if robots is None:
        return []
    try:
        return [s.strip() for s in robots.sitemaps if s and s.strip()][:10]
    except Exception:  # noqa: BLE001
        return []


def gunzip_limited(body: bytes, limit: int = SITEMAP_MAX_BYTES) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return zlib.decompressobj(47).decompress(body, limit)
    except zlib.error:
        return b""


def parse_sitemap(body: bytes) -> tuple[list[str], bool]:
    """(<loc> URLs, is a sitemap index). Entities are not resolved and nothing is fetched by the parser."""
    body = gunzip_limited(body)
    if not body:
        return [], False
    locs: list[str] = []
    is_index = False
    try:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
        )
        root = etree.fromstring(body, parser=parser)
    except Exception:  # noqa: BLE001
        root = None
    if root is not None:
        is_index = etree.QName(root).localname.lower() == "sitemapindex"
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).localname == "loc" and el.text and el.text.strip():
                locs.append(el.text.strip())
                if len(locs) >= SITEMAP_MAX_URLS:
                    break
    if not locs:
        is_index = b"<sitemapindex" in body[:2000]
        locs = [m.decode("utf-8", "replace") for m in _LOC.findall(body[:SITEMAP_MAX_BYTES])][:SITEMAP_MAX_URLS]
    return locs, is_index
