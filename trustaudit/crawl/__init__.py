"""The crawl stage: the only stage that does I/O.

``crawl(target, options) -> SiteSnapshot`` for an ``http(s)://`` URL, a bare host (``shop.pl``: https, then
http), a local ``.html`` file or a local folder (a saved mirror; never touches the network). Which links are
fetched first is the ``scorer``'s decision (``priority.Scorer``), given by the caller.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from trustaudit.crawl.common import CrawlObserver, TargetError
from trustaudit.crawl.priority import Scorer
from trustaudit.crawl.urls import clean_url
from trustaudit.models import SiteSnapshot
from trustaudit.options import ScanOptions
from trustaudit.web.html import ParseCache

if TYPE_CHECKING:
    from trustaudit.net.resolve import Resolver

__all__ = ["CrawlObserver", "Scorer", "TargetError", "crawl", "crawl_async", "resolve_target"]

_LOCAL_SUFFIXES = (".html", ".htm", ".xhtml")


def resolve_target(target: str) -> tuple[str, Path | list[str]]:
    """("local", path) or ("url", [candidate URLs in order]). Raises TargetError for unusable targets."""
    t = (target or "").strip()
    if not t:
        raise TargetError("empty target")
    low = t.lower()
    if low.startswith("file://"):
        return "local", Path(url2pathname(urlsplit(t).path))
    if low.startswith(("http://", "https://")):
        return "url", [_checked_url(t)]
    if "://" in t:
        raise TargetError(f"unsupported URL scheme: {t.split('://', 1)[0]}")
    path = Path(t).expanduser()
    if path.exists():
        return "local", path
    if _looks_like_path(t):
        raise TargetError(f"no such file or folder: {t}")
    return "url", [_checked_url("https://" + t), _checked_url("http://" + t)]


def _looks_like_path(t: str) -> bool:
    """A target that is neither an existing path nor a URL: is it a mistyped path rather than a host?"""
    if t.startswith((".", "/", "~", "\\")) or "\\" in t:
        return True
    first = t.split("/", 1)[0]
    host = first.rsplit(":", 1)[0] if first.count(":") == 1 else first
    if host.startswith("[") or host.lower() == "localhost":
        return False
    if "." not in host:
        return True  # "mirror/index.html", "shopfolder"
    return "/" not in t and t.lower().endswith(_LOCAL_SUFFIXES)  # "saved.html"


def _checked_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise TargetError(f"not a valid URL: {url}") from None
    if not host or any(c.isspace() for c in host):
        raise TargetError(f"not a valid URL: {url}")
    return clean_url(url)


async def crawl_async(
    target: str,
    options: ScanOptions,
    cache: ParseCache,
    observer: CrawlObserver | None = None,
    *,
    http_port: int | None = None,
    scorer: Scorer | None = None,
    resolver: Resolver | None = None,
) -> SiteSnapshot:
    """Crawl ``target``. ``http_port`` (internal, for tests): the port probed for the plain-HTTP redirect.
    ``resolver`` (tests): resolves host names instead of the system resolver (``--resolve`` entries, which
    ``options.resolve`` holds, apply only when it is None)."""
    options = options if options is not None else ScanOptions()
    kind, value = resolve_target(target)
    if kind == "local":
        from trustaudit.crawl.local import crawl_local

        assert isinstance(value, Path)
        return crawl_local(target, value, options, cache, observer, scorer)
    from trustaudit.crawl.http import crawl_http

    assert isinstance(value, list)
    return await crawl_http(
        target, value, options, cache, observer, http_port=http_port, scorer=scorer, resolver=resolver
    )


def crawl(
    target: str,
    options: ScanOptions | None = None,
    cache: ParseCache | None = None,
    observer: CrawlObserver | None = None,
    *,
    http_port: int | None = None,
    scorer: Scorer | None = None,
    resolver: Resolver | None = None,
) -> SiteSnapshot:
    """Synchronous wrapper around :func:`crawl_async` (one event loop per call)."""
    out: list[SiteSnapshot] = []

    async def main() -> None:
        # the task returns None on purpose: at exit, asyncio.run (3.11) formats repr() of its main task, which
        # would render the whole snapshot (every page's text) just to build an unused error message
        out.append(
            await crawl_async(
                target,
                options if options is not None else ScanOptions(),
                cache if cache is not None else ParseCache(),
                observer,
                http_port=http_port,
                scorer=scorer,
                resolver=resolver,
            )
        )

    asyncio.run(main())
    return out[0]
