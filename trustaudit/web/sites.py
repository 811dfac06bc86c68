"""Which URLs belong to one site: the registrable domain from the Public Suffix List, same-origin and same-site.

The registrable domain ("eTLD+1") comes from the Public Suffix List through ``publicsuffixlist``, which ships the
list inside the package and never downloads anything (a newer list arrives with a package upgrade). We chose it
over ``tldextract``, whose default is to fetch the list over HTTP at run time and cache it on disk (it can be
turned off, but then it is a larger dependency — requests, filelock — used for one look-up).

The list's private section counts: ``a.myshopify.com`` and ``b.myshopify.com`` are two sites (two shops), as
are ``a.github.io`` and ``b.github.io``; ``shop.co.at`` and ``www.shop.co.at`` are one. A host under no listed
suffix follows the list's default rule (its last label is the suffix: ``shop.test`` is registrable). An IP
address, a single label (``localhost``) or a public suffix itself is its own site.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from trustaudit.web.urls import DEFAULT_PORTS, effective_port, host_of, is_ip

_loader: list[Callable[[], Any]] = []
_lock = threading.Lock()
_loaded: list[Any] = []


def use_suffix_list(loader: Callable[[], Any]) -> None:
    """Where the parsed list comes from: ``loader()`` returns a ``PublicSuffixList`` (the pipeline gives one that
    keeps the parsed list in the build cache: parsing the file costs about 45 ms a process, loading it 3 ms).
    Without a loader, or if it fails, the list shipped with ``publicsuffixlist`` is parsed."""
    _loader[:] = [loader]


def _parse():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # ICANN and private sections, from the list shipped with the package


def _psl():
    if not _loaded:
        with _lock:  # the crawl and the vocabulary thread may ask at once: load it once
            if not _loaded:
                psl = None
                if _loader:
                    try:
                        psl = _loader[0]()
                    except Exception:  # noqa: BLE001 - a broken cache must not break a comparison
                        psl = None
                _loaded.append(psl if psl is not None else _parse())
    return _loaded[0]


_psl.cache_clear = _loaded.clear  # type: ignore[attr-defined]


def suffix_list() -> Any:
    """The Public Suffix List (loaded on first use)."""
    return _psl()


@lru_cache(maxsize=8192)
def registrable_domain(host: str) -> str:
    """``www.shop.co.uk`` -> ``shop.co.uk``; ``a.b.shop.pl`` -> ``shop.pl``; ``a.myshopify.com`` -> itself;
    IPs, single labels and public suffixes unchanged. ``host`` as ``urls.ascii_host`` gives it."""
    host = host.lower().rstrip(".")
    if not host or is_ip(host) or "." not in host:
        return host
    try:
        return _psl().privatesuffix(host) or host
    except Exception:  # noqa: BLE001 - a hostile host name must not break a comparison
        return host


def site_of(url: str) -> str:
    """The registrable domain of a URL's host ("" when it has no host)."""
    host = host_of(url)
    return registrable_domain(host) if host else ""


def _host(url_or_host: str) -> str:
    return host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().rstrip(".")


def same_origin(a: str, b: str) -> bool:
    """Same scheme, host and port (the port written or the scheme's default)."""
    try:
        sa, sb = a.split(":", 1)[0].lower(), b.split(":", 1)[0].lower()
    except (AttributeError, IndexError):
        return False
    ha, hb = host_of(a), host_of(b)
    return bool(ha) and sa == sb and ha == hb and effective_port(a) == effective_port(b)


def same_site(url_or_host: str, site: str, *, ports: bool = False) -> bool:
    """Is ``url_or_host`` on the site of ``site`` (a URL or a host)? The same host, or another host of the same
    registrable domain (``help.shop.pl`` is ``shop.pl``'s); never across IP addresses.

    Schemes do not matter (a shop moving between http and https stays itself). Ports: with ``ports=False``
    (the default) they are the caller's business. With ``ports=True`` both must be URLs, and ``url_or_host``
    must be on ``site``'s own port or on the default port of its own scheme (80 for http, 443 for https):
    ``http://shop.pl:8080/`` is not the site of ``https://shop.pl/``, ``http://shop.pl/`` is."""
    host, site_host = _host(url_or_host), _host(site)
    if not host or not site_host:
        return False
    if host != site_host:
        if is_ip(host) or is_ip(site_host) or registrable_domain(host) != registrable_domain(site_host):
            return False
    if not ports:
        return True
    port = effective_port(url_or_host)
    if port is None:
        return False
    scheme = url_or_host.split(":", 1)[0].lower()
    return port == effective_port(site) or port == DEFAULT_PORTS.get(scheme)
