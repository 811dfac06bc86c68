"""The crawl stage: the only stage that does I/O.

``crawl(target, options) -> SiteSnapshot`` for an ``http(s)://`` URL, a bare host (``shop.pl``: https, then
http), a local ``.html`` file or a local folder (a saved mirror; never touches the network). Which links are
fetched first is the ``scorer``'s decision (``priority.Scorer``), given by the caller. With ``options.render``
("always" or "auto") a live shop's pages are also loaded in headless Chromium (``browser.py``): the same crawl,
the same ``SiteSnapshot``, the DOM after scripts ran as page text; which pages are application shells is the
``app_shell`` test's decision, also given by the caller.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from trustaudit.crawl.common import CrawlObserver, ShellTest, TargetError
from trustaudit.crawl.priority import Scorer
from trustaudit.crawl.urls import clean_url
from trustaudit.models import FetchError, SiteSnapshot
from trustaudit.options import ScanOptions
from trustaudit.web.html import ParseCache

if TYPE_CHECKING:
    from trustaudit.crawl.browser import BrowserHost, Chromium
    from trustaudit.net.resolve import Resolver

__all__ = ["CrawlObserver", "Scorer", "ShellTest", "TargetError", "crawl", "crawl_async", "resolve_target"]

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
    app_shell: ShellTest | None = None,
    chromium: Chromium | None = None,
) -> SiteSnapshot:
    """Crawl ``target``. ``http_port`` (internal, for tests): the port probed for the plain-HTTP redirect.
    ``resolver`` (tests): resolves host names instead of the system resolver (``--resolve`` entries, which
    ``options.resolve`` holds, apply only when it is None). ``app_shell``: tells whether a parsed page is an
    application shell (marked on the page; with ``--render auto`` these pages are rendered). ``chromium``: a
    browser launched on this event loop to render with (else one is launched for this crawl when
    ``options.render`` asks for it)."""
    options = options if options is not None else ScanOptions()
    kind, value = resolve_target(target)
    if kind == "local":
        from trustaudit.crawl.local import crawl_local

        assert isinstance(value, Path)
        snapshot = crawl_local(target, value, options, cache, observer, scorer, app_shell)
        if options.render != "off":  # a saved copy is read as saved: its scripts would call the live site
            note = FetchError(snapshot.base_url, "not rendered: --render loads live shops; a saved copy is read "
                                                 "as saved", "render")
            snapshot = replace(snapshot, errors=(*snapshot.errors, note))
        return snapshot
    assert isinstance(value, list)
    if options.render != "off":
        from trustaudit.crawl.browser import crawl_rendered

        return await crawl_rendered(
            target, value, options, cache, observer, http_port=http_port, scorer=scorer, resolver=resolver,
            app_shell=app_shell, chromium=chromium,
        )
    from trustaudit.crawl.http import crawl_http

    return await crawl_http(
        target, value, options, cache, observer, http_port=http_port, scorer=scorer, resolver=resolver,
        app_shell=app_shell,
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
    app_shell: ShellTest | None = None,
    browser: BrowserHost | None = None,
) -> SiteSnapshot:
    """Synchronous wrapper around :func:`crawl_async` (one event loop per call). ``browser``: a Chromium kept
    running between scans (``browser.BrowserHost``); the crawl then runs on its event loop."""
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
                app_shell=app_shell,
                chromium=browser.chromium if browser is not None else None,
            )
        )

    if browser is not None:
        browser.run(main())
    else:
        asyncio.run(main())
    return out[0]
