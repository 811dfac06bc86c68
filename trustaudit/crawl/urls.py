"""URL helpers: normalisation for de-duplication, and the "same shop site" heuristic."""

from __future__ import annotations

import ipaddress
import posixpath
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# second-level labels under which registrations happen (a small heuristic list, not the full PSL)
_SECOND_LEVEL = frozenset(
    """
    co.uk org.uk me.uk ltd.uk plc.uk net.uk ac.uk gov.uk
    com.pl org.pl net.pl info.pl biz.pl waw.pl edu.pl gov.pl sklep.pl shop.pl
    com.au net.au org.au co.nz org.nz net.nz co.za org.za
    co.jp ne.jp or.jp co.kr or.kr co.in net.in org.in co.id co.il co.th
    com.br net.br org.br com.ar com.mx com.co com.pe com.uy com.ve com.ec
    com.ru org.ru net.ru msk.ru spb.ru com.ua org.ua net.ua kiev.ua in.ua com.by
    com.tr net.tr org.tr com.gr com.cy com.mt com.ro com.hr com.es com.pt
    com.cn net.cn org.cn com.hk com.tw com.sg com.my com.ph com.vn com.pk com.bd
    com.sa net.sa com.eg com.ng co.ke com.kw com.qa com.om com.bh co.ae
    myshopify.com github.io herokuapp.com wixsite.com blogspot.com netlify.app vercel.app
    """.split()
)

_TRACKING_PREFIXES = ("utm_",)
_TRACKING = frozenset(
    "fbclid gclid dclid gbraid wbraid msclkid yclid mc_cid mc_eid _ga _gl igshid srsltid ref_src".split()
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

NON_HTML_EXTENSIONS = frozenset(
    """
    .jpg .jpeg .png .gif .webp .avif .svg .ico .bmp .tif .tiff .heic
    .css .js .mjs .map .json .xml .txt .csv .rss .atom
    .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .rtf .epub
    .zip .rar .7z .gz .tgz .bz2 .xz .tar .dmg .exe .msi .apk .iso .bin
    .mp3 .mp4 .m4a .m4v .mov .avi .webm .ogg .ogv .wav .flac .mkv
    .woff .woff2 .ttf .otf .eot
    """.split()
)


def ascii_host(host: str) -> str:
    """Lower-case host, IDNA (punycode) for internationalised names, no trailing dot."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except Exception:  # noqa: BLE001 - invalid IDN: keep it as is, the fetch will fail cleanly
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host


def host_of(url: str) -> str:
    try:
        return ascii_host(urlsplit(url).hostname or "")
    except ValueError:
        return ""


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def registrable_domain(host: str) -> str:
    """``www.shop.co.uk`` -> ``shop.co.uk``; ``a.b.shop.pl`` -> ``shop.pl``; IPs and single labels unchanged."""
    host = host.lower().rstrip(".")
    if not host or is_ip(host):
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if ".".join(labels[-2:]) in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url_or_host: str, site_host: str) -> bool:
    """Same host, www./bare variant, or another subdomain of the same registrable domain."""
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower()
    if not host or not site_host:
        return False
    if host == site_host:
        return True
    if is_ip(host) or is_ip(site_host):
        return False
    return registrable_domain(host) == registrable_domain(site_host)


def port_of(url: str) -> int | None:
    """The port a URL connects to (the scheme's default when none is written); None for a bad URL."""
    try:
        parts = urlsplit(url)
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


@dataclass(frozen=True)
class Scope:
    """The shop's own site: its registrable domain (``help.`` and ``support.`` subdomains are the shop's own)
    on the shop's own port or the default http/https ports, never another port of the same host (an admin
    panel, a database's HTTP interface, another tenant)."""

    host: str
    ports: frozenset[int]

    @classmethod
    def of(cls, url: str) -> Scope:
        own = port_of(url)
        return cls(host_of(url), frozenset({80, 443} | ({own} if own else set())))

    def contains(self, url: str) -> bool:
        return same_site(url, self.host) and port_of(url) in self.ports


def has_non_html_extension(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        return True
    ext = posixpath.splitext(path.lower())[1]
    return ext in NON_HTML_EXTENSIONS


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
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
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


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
