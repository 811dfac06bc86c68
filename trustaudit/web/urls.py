"""URL parsing and normalisation: every stage reads hosts, ports and links through these functions.

Three forms of a URL, for three jobs:

* ``clean_url``: the URL we fetch (fragment and tracking parameters dropped, scheme and host lower-cased,
  IDNA host, default port dropped);
* ``url_key``: de-duplication of fetches (the clean URL, query parameters sorted, no trailing slash);
* ``normalize_url``: comparing page URLs found in links with pages fetched (no scheme, no ``www.``, no
  trailing slash), so that ``http://www.shop.pl/kontakt/`` and ``https://shop.pl/kontakt`` are one page.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

_TRACKING_PREFIXES = ("utm_",)
_TRACKING = frozenset(
    "fbclid gclid dclid gbraid wbraid msclkid yclid mc_cid mc_eid _ga _gl igshid srsltid ref_src".split()
)


def ascii_host(host: str) -> str:
    """Lower-case host, IDNA (punycode) for internationalised names, no trailing dot."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except Exception:  # noqa: BLE001 - invalid IDN: keep it as is, a fetch fails cleanly
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host


def host_of(url: str) -> str:
    """The URL's host as ``ascii_host`` gives it ("" when there is none or the URL does not parse)."""
    # the same header / footer links come back on every page: short URLs are answered from a bounded cache
    return _host_cached(url) if len(url) <= 512 else _host(url)


def _host(url: str) -> str:
    try:
        return ascii_host(urlsplit(url).hostname or "")
    except ValueError:
        return ""


_host_cached = lru_cache(maxsize=16384)(_host)


def strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def host_and_path(url: str) -> tuple[str, str]:
    """(host without ``www.``, path + query) of an absolute URL, by plain string splitting: for matching many
    URLs of a page against known service hosts (no IDNA, no validation; ``host_of`` for anything else)."""
    i = url.find("//")
    if i < 0 or i > 8:
        return "", ""
    rest = url[i + 2:]
    cut = len(rest)
    for ch in "/?#":
        j = rest.find(ch)
        if 0 <= j < cut:
            cut = j
    host = rest[:cut].rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if host.startswith("www."):
        host = host[4:]
    path = rest[cut:].split("#", 1)[0] or "/"
    if not path.startswith("/"):
        path = "/" + path
    return host, path


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def effective_port(url: str) -> int | None:
    """The port a request to ``url`` goes to: the explicit one, else the scheme's default; None if unknown."""
    try:
        parts = urlsplit(url)
        return parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def clean_url(url: str) -> str:
    """The URL we fetch: fragment dropped, tracking parameters removed, scheme/host lower-cased, default port dropped."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = ascii_host(parts.hostname or "")
        port = parts.port
    except ValueError:
        return url
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path or "/"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """De-duplication key: the clean URL with sorted query parameters and no trailing slash difference."""
    clean = clean_url(url)
    try:
        parts = urlsplit(clean)
    except ValueError:
        return clean
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True))) if parts.query else ""
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in _TRACKING or k.startswith(_TRACKING_PREFIXES)


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


def resolve(base: str, href: str) -> str:
    """``urldefrag(urljoin(base, href)).url`` ("" if unparsable). Header, menu and footer links repeat on every
    page of a shop: an absolute URL, or an absolute path ("/kontakt") resolved against the same scheme and host,
    gives the same result whatever page it is on (RFC 3986, 5.2.2), so those are resolved once per process."""
    if href.startswith(("http://", "https://")) and base.startswith(("http://", "https://")):
        return _join_cached(base[: base.index(":")] + "://x", href)  # only the base's scheme matters
    if href.startswith("/") and not href.startswith("//"):
        i = base.find("/", base.find("//") + 2) if "//" in base else -1
        origin = base if i < 0 else base[:i]
        return _join_cached(origin, href)
    return _join(base, href)


def _join(base: str, href: str) -> str:
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return ""


@lru_cache(maxsize=16384)
def _join_cached(origin: str, href: str) -> str:
    return _join(origin + "/", href)
