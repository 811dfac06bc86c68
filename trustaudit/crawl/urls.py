"""What the crawl fetches: links to files that are not web pages are skipped by their extension.

URL parsing, normalisation and the same-site test live in the web layer (``trustaudit.web``), shared with
the extraction stage; the names the crawl uses are re-exported here.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from trustaudit.web.sites import registrable_domain, same_site  # noqa: F401 - re-exported for the crawl
from trustaudit.web.urls import (  # noqa: F401 - re-exported for the crawl
    ascii_host,
    clean_url,
    host_of,
    is_ip,
    origin_of,
    url_key,
)

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


@dataclass(frozen=True)
class Scope:
    """The shop's own site: its registrable domain (``help.`` and ``support.`` subdomains are the shop's own)
    on the shop's own port or the default port of the link's scheme, never another port of the same host (an
    admin panel, a database's HTTP interface, another tenant). ``site`` is the URL that defines the site; an
    empty one contains nothing."""

    site: str

    @classmethod
    def of(cls, url: str) -> Scope:
        return cls(url)

    def contains(self, url: str) -> bool:
        return bool(self.site) and same_site(url, self.site, ports=True)


def has_non_html_extension(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        return True
    ext = posixpath.splitext(path.lower())[1]
    return ext in NON_HTML_EXTENSIONS
