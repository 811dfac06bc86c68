"""The HTML parser and the views of a parsed page: visible text, links by page region, scripts, JSON-LD.

Each page is parsed once (``ParseCache``): the crawler's link discovery and the extraction of the page share it.

We parse with lxml (libxml2's HTML parser) directly rather than through BeautifulSoup's tree: the same parser,
without building a second Python object tree per page (BeautifulSoup costs 5-10x more time and memory per page).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree

from trustaudit.models import FetchedPage, Region
from trustaudit.web.text import fold_same_length
from trustaudit.web.urls import resolve

_SKIP_TEXT_TAGS = {"script", "style", "noscript", "template", "svg", "head", "title", "meta", "link"}
_FOOTER_HINT = re.compile(r"foot", re.I)
_HEADER_HINT = re.compile(r"(^|[-_ ])(header|masthead|topbar|top-bar)", re.I)
_NAV_HINT = re.compile(r"(^|[-_ ])(nav|menu)", re.I)
# Per-page caps of the views (see trustaudit/extract/limits.py for all of them); a view cut at its cap says so
# (``text_chars``, ``elements_dropped``, ``links_dropped``) and the extractors reading it record that
MAX_TEXT_CHARS = 2_000_000  # visible text kept per page (a hard cap: what follows is not read)
MAX_ELEMENTS = 50_000  # elements in ``elements`` (the Python-level walks of the tree); the rest not walked
MAX_LINKS = 5_000  # links read per page (the first 4,000 and the last 1,000: header, navigation, footer)
FOLD_CHARS = 300_000  # characters of ``text`` in ``folded_text`` (phrases, service names)
SCRIPT_CHARS = 200_000  # characters of each inline script in ``inline_script_bodies``


class Link(NamedTuple):  # a named tuple: a page of product cards has thousands, made several times faster
    url: str  # absolute, fragment removed ("" for javascript:/mailto:/tel: links)
    href: str  # as written
    text: str  # anchor text, whitespace-collapsed (falls back to title/aria-label/img alt)
    region: Region
    rel: str = ""


# a page a script opens: a quoted path ("/regulamin", "info.php?id=5", "modalita_pagamento.asp#bonifico") in an
# onclick handler or a javascript: href; a path must start with "/" or end in a page extension
_SCRIPT_TARGET = re.compile(
    r"""['"]((?:https?://[^'"\s]+|/[\w\-./%]*[\w\-/%]|[\w\-./%]+\.(?:html?|php\d?|aspx?|jsp|cfm|shtml))"""
    r"""(?:[?#][^'"\s]*)?)['"]""",
    re.I,
)


def _script_target(code: str) -> str:
    if not code or len(code) > 500:
        return ""
    m = _SCRIPT_TARGET.search(code)
    return m.group(1) if m else ""


def _collapse(s: str) -> str:
    return " ".join(s.split())  # whitespace runs (what \s matches) as one space, none at the ends


def _own_region(node) -> Region | None:
    """What a single element says about itself: footer, header, nav or nothing."""
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag == "footer":
        return Region.FOOTER
    ident = f"{node.get('id') or ''} {node.get('class') or ''} {node.get('role') or ''}"
    # a shop's layout repeats on every page: the same (tag, id, class, role) is looked at once
    return _region_cached(tag, ident) if len(ident) <= 300 else _region_from(tag, ident)


def _region_from(tag: str, ident: str) -> Region | None:
    if ident.strip():
        if _FOOTER_HINT.search(ident) or "contentinfo" in ident:
            return Region.FOOTER
        if _HEADER_HINT.search(ident) or "banner" in ident:
            return Region.HEADER
        if _NAV_HINT.search(ident) or "navigation" in ident:
            return Region.NAV
    if tag == "header":
        return Region.HEADER
    if tag == "nav":
        return Region.NAV
    return None


_region_cached = lru_cache(maxsize=8192)(_region_from)


def _region_of(el, memo: dict | None = None) -> Region:
    """Walk up the ancestors: <footer> or a footer-ish id/class wins, then the nearest header / nav.

    ``memo`` (element -> Region) makes a page's links cost one walk of the tree instead of one per link."""
    chain = []
    node = el
    inherited = Region.BODY
    while node is not None and len(chain) < 200:
        if memo is not None and node in memo:
            inherited = memo[node]
            break
        chain.append(node)
        node = node.getparent()
    for node in reversed(chain):
        own = _own_region(node)
        if inherited is not Region.FOOTER and own is not None:
            inherited = own
        if memo is not None:
            memo[node] = inherited
    return inherited


class ParsedPage:
    """One page's parsed tree and the views extractors need, each computed once on first use."""

    def __init__(self, page: FetchedPage):
        self.page = page
        self.url = page.url
        self.root = _parse(page.text)
        self.parse_error = _depth_error() if self.root is not None else None  # the tree stops early
        self.links_dropped = 0  # anchors beyond MAX_LINKS, not read (set by ``links``)
        self._text_chars = 0
        self.scripts_cut = False  # an inline script longer than SCRIPT_CHARS (set by ``inline_script_bodies``)
        self._elements_dropped = 0

    @property
    def text_chars(self) -> int:
        """Characters of raw visible text when ``text`` was cut at ``MAX_TEXT_CHARS``, else 0."""
        _ = self.text
        return self._text_chars

    @property
    def elements_dropped(self) -> int:
        """Elements beyond ``MAX_ELEMENTS``, not in ``elements`` (0 for almost every page)."""
        _ = self.elements
        return self._elements_dropped

    # -- basic views -------------------------------------------------------------
    @cached_property
    def base_url(self) -> str:
        if self.root is not None:
            for b in self.root.iter("base"):
                href = (b.get("href") or "").strip()
                if href:
                    return urljoin(self.url, href)
        return self.url

    @cached_property
    def lang(self) -> str | None:
        if self.root is None:
            return None
        val = self.root.get("lang") or self.root.get("xml:lang") or ""
        if not val:
            for m in self.root.iter("meta"):
                if (m.get("http-equiv") or "").lower() == "content-language":
                    val = m.get("content") or ""
                    break
        val = val.strip().lower().replace("_", "-")
        return val.split("-")[0] or None if val else None

    @cached_property
    def title(self) -> str:
        if self.root is None:
            return ""
        for t in self.root.iter("title"):
            return _collapse(text_of(t))[:300]
        return ""

    @cached_property
    def text(self) -> str:
        """Visible text, block elements separated by newlines, whitespace collapsed within lines."""
        if self.root is None:
            return ""
        raw = None if "\u212a" in self.page.text else _raw_text(self.root)
        if raw is None:
            parts: list[str] = []
            total = 0
            for chunk in _iter_text(self.root):
                parts.append(chunk)
                total += len(chunk)
                if total > MAX_TEXT_CHARS:
                    break
            raw = "".join(parts)
        if len(raw) > MAX_TEXT_CHARS:  # hostile pages: the work of every text extractor grows with it
            self._text_chars = len(raw)
            raw = raw[:MAX_TEXT_CHARS]
        # str.split() splits on exactly the characters \s matches: each line whitespace-collapsed and stripped
        return "\n".join(filter(None, (" ".join(x.split()) for x in raw.split("\n"))))

    @cached_property
    def links(self) -> tuple[Link, ...]:
        if self.root is None:
            return ()
        out: list[Link] = []
        base = self.base_url
        memo: dict = {}
        anchors = list(self.root.iter("a", "area"))
        if len(anchors) > MAX_LINKS:  # a hard cap on per-link work (joining, scoring) for hostile pages
            self.links_dropped = len(anchors) - MAX_LINKS
            anchors = anchors[: MAX_LINKS - MAX_LINKS // 5] + anchors[-(MAX_LINKS // 5):]
        for a in anchors:
            href = (a.get("href") or "").strip()
            if not href:
                continue
            text = _collapse(text_of(a))
            if not text:
                text = a.get("title") or a.get("aria-label") or ""
                if not text:
                    for img in a.iter("img"):
                        text = img.get("alt") or img.get("title") or ""
                        if text:
                            break
                text = _collapse(text)
            low = href.lower()
            if low.startswith(("javascript:", "mailto:", "tel:", "callto:", "sms:", "data:", "#")):
                absolute = ""
                if low.startswith(("javascript:", "#")):
                    # a control that opens a page by script (a pop-up): the page it names, when it names one
                    target = _script_target(href if low.startswith("javascript:") else a.get("onclick") or "")
                    if target:
                        absolute = resolve(base, target)
            else:
                absolute = resolve(base, href)
            out.append(Link(absolute, href, text[:300], _region_of(a, memo), (a.get("rel") or "").lower()))
        return tuple(out)

    @cached_property
    def inline_script_bodies(self) -> tuple[str, ...]:
        """Inline script bodies (JSON-LD excluded), each cut at 200k characters; used for widget globals."""
        if self.root is None:
            return ()
        parts = []
        for s in self.root.iter("script"):
            if s.get("src"):
                continue
            if (s.get("type") or "").lower() == "application/ld+json":
                continue
            if s.text:
                if len(s.text) > SCRIPT_CHARS:
                    self.scripts_cut = True
                parts.append(s.text[:SCRIPT_CHARS])
        return tuple(parts)

    @cached_property
    def inline_scripts(self) -> str:
        """Inline script bodies (JSON-LD excluded), joined."""
        return "\n".join(self.inline_script_bodies)

    @cached_property
    def json_ld_blocks(self) -> tuple[str, ...]:
        if self.root is None:
            return ()
        return tuple(
            s.text or ""
            for s in self.root.iter("script")
            if (s.get("type") or "").lower().strip() == "application/ld+json"
        )

    @cached_property
    def html(self) -> str:
        return self.page.text

    # -- additions for extractors (computed once, shared) ---------------------------
    @cached_property
    def folded_text(self) -> str:
        """``text`` folded for vocabulary matching (casefold, no diacritics, ASCII digits), the first
        ``FOLD_CHARS`` characters; character for character, so offsets are offsets in ``text``."""
        return fold_same_length(self.text[:FOLD_CHARS])

    @cached_property
    def elements(self) -> tuple:
        """The elements of the tree once, in document order (comments / processing instructions skipped), the
        first ``MAX_ELEMENTS`` of them (``elements_dropped``: how many more there are)."""
        if self.root is None:
            return ()
        els = tuple(islice(self.root.iter(etree.Element), MAX_ELEMENTS + 1))  # elements only, filtered in C
        if len(els) > MAX_ELEMENTS:
            els = els[:MAX_ELEMENTS]
            self._elements_dropped = sum(1 for _el in self.root.iter(etree.Element)) - MAX_ELEMENTS
        return els


def _parse(text: str):
    if not text or not text.strip():
        return None
    try:
        root = etree.fromstring(text, _parser())
    except (etree.ParserError, ValueError, TypeError):
        root = None  # e.g. a str with an XML encoding declaration: parse the UTF-8 bytes instead
    except Exception:  # noqa: BLE001
        return None
    if root is None:
        try:
            root = etree.fromstring(text.encode("utf-8", "replace"), _parser())
        except Exception:  # noqa: BLE001 - hostile bytes must never escape as an exception
            return None
    return root


def text_of(el) -> str:
    """All text inside an element (``HtmlElement.text_content()`` for plain lxml elements)."""
    try:
        if not len(el):  # no child node: its own text (what string() gives, without evaluating XPath)
            return el.text or ""
        return _STRING(el)
    except (etree.Error, ValueError):
        return ""


_STRING = etree.XPath("string()")
_local = threading.local()


def _parser():
    p = getattr(_local, "parser", None)
    if p is None:
        # libxml2's HTML parser (what lxml.html uses) with lxml's plain element classes: lxml.html would call a
        # Python class-lookup function for every element an extractor touches (~10 % of extraction time)
        # huge_tree: libxml2 stops building the tree 256 elements deep without it (2048 with it); browsers keep
        # such pages (300 unclosed <div>s before the footer). Deeper than 2048 is recorded (_depth_error).
        p = etree.HTMLParser(recover=True, remove_comments=True, huge_tree=True, encoding=None)
        _local.parser = p
    return p


def _depth_error() -> str | None:
    """Why the last parse stopped early: libxml2 drops everything nested past its depth limit, and says so
    only in the parser's error log."""
    for e in _parser().error_log:
        if "Excessive depth" in e.message:
            return "elements nested deeper than 2048 levels; the rest of the page was not parsed"
    return None


_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "footer",
    "header", "nav", "h1", "h2", "h3", "h4", "h5", "h6", "address", "dd", "dt", "dl", "form", "option",
    "blockquote", "aside", "main", "label", "button", "span",
}


def _text_xslt():
    x = getattr(_local, "text_xslt", None)
    if x is None:
        skip = "|".join(sorted(_SKIP_TEXT_TAGS))
        block = "|".join(sorted(_BLOCK))
        x = etree.XSLT(etree.XML(
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="UTF-8"/>'
            '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
            f'<xsl:template match="{skip}"/>'
            f'<xsl:template match="{block}"><xsl:text>&#10;</xsl:text><xsl:apply-templates/>'
            '<xsl:text>&#10;</xsl:text></xsl:template>'
            "</xsl:stylesheet>"
        ))
        _local.text_xslt = x
    return x


def _raw_text(root) -> str | None:
    """``"".join(_iter_text(root))`` computed by libxslt in one C pass (5x faster); None if the transform fails.

    The document's first element is ``root`` (lxml's getroot); libxml2 lower-cases ASCII tag names, so the
    name tests match what ``tag.lower()`` matches in ``_iter_text`` except for a tag spelled with the Kelvin
    sign (U+212A lower-cases to "k"): callers take the slow path for pages containing it."""
    try:
        res = _text_xslt()(root)
    except etree.Error:
        return None
    return bytes(res).decode("utf-8") + (root.tail or "")


def _iter_text(root):
    """Iterate text of visible elements; block tags produce line breaks."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if closing:
            if tag in _BLOCK:
                yield "\n"
            if el.tail:
                yield el.tail
            continue
        if not tag or tag in _SKIP_TEXT_TAGS:
            if el.tail:
                yield el.tail
            continue
        if tag in _BLOCK:
            yield "\n"
        if el.text:
            yield el.text
        stack.append((el, True))
        for child in reversed(el):
            stack.append((child, False))


MAX_CACHED_CHARS = 20_000_000  # characters of page text whose parsed trees a ParseCache keeps at once


@dataclass
class ParseCache:
    """URL -> ParsedPage: a page parsed for the crawler's link discovery is not parsed again for its extraction.
    ``discard`` lets go of a page nobody needs any more (its tree and views are most of a scan's memory).

    Memory is bounded: when the pages kept exceed ``max_chars`` of text (a crawl fetching large pages faster
    than they are extracted), the trees of the most recent pages but one are dropped, and such a page is
    parsed again when it is extracted. Shop pages stay far below the bound and are parsed once."""

    _pages: dict[str, ParsedPage] = field(default_factory=dict)
    max_chars: int = MAX_CACHED_CHARS
    _chars: int = 0

    def get(self, page: FetchedPage) -> ParsedPage:
        pp = self._pages.get(page.url)
        if pp is None or pp.page is not page:
            if pp is not None:
                self._drop(page.url)
            pp = ParsedPage(page)
            self._pages[page.url] = pp
            self._chars += len(page.text)
            if self._chars > self.max_chars:
                self._shrink(page.url)
        return pp

    def discard(self, page: FetchedPage) -> None:
        pp = self._pages.get(page.url)
        if pp is not None and pp.page is page:
            self._drop(page.url)

    def _drop(self, url: str) -> None:
        self._chars -= len(self._pages.pop(url).page.text)

    def _shrink(self, keep: str) -> None:
        # keep the oldest page (the one being extracted) and the newest (its links are being read)
        for url in list(reversed(self._pages))[1:-1]:
            if self._chars <= self.max_chars:
                return
            if url != keep:
                self._drop(url)

    def __len__(self) -> int:
        return len(self._pages)
