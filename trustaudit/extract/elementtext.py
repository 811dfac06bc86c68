"""The texts of a page's elements that the price extractors read, each computed once per page.

A product grid's struck prices make the price extractors (``prices``, ``offers``) read the text of the same
elements again and again: the struck price, its price line, its product card, the cards after it. Each of them
alone costs microseconds of Python; 300 cards a page make them most of the time of a scan. ``ElementTexts`` keeps
them for one page, whichever extractor asked first, and reads the lines of all the children of one element (the
cards of a grid) in one pass of libxslt instead of one walk in Python per card.

Everything here is a pure function of the page: an extractor given an ``ElementTexts`` gets exactly what it
would compute alone (``texts=None``).
"""

from __future__ import annotations

import threading

from lxml import etree

from trustaudit.web.html import ParsedPage, text_of
from trustaudit.web.text import collapse

# a line break before and after these (and at <br>) in ``element_lines``
BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "section",
                        "article", "address", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "form"})
SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
MIN_CHILDREN = 4  # children an element needs before the lines of all of them are read in one pass
BULK_SLACK = 200_000  # characters read in such passes beyond 4x the page's text (then: one element at a time)
_OPEN, _CLOSE = "\ue000", "\ue001"  # where each child's text starts and ends in a pass's output


def element_lines(el) -> list[str]:
    """The visible text of an element as lines (a line break at ``<br>`` and at block elements), whitespace
    collapsed; iterative, so that deep markup cannot exhaust the stack."""
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if closing:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if tag in SKIP_TAGS or not tag:
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if tag in BLOCK_TAGS or tag == "br":
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        for child in reversed(node):
            stack.append((child, False))
    return [line for line in (collapse(x) for x in "".join(parts).split("\n")) if line]


def joined_lines(el) -> str:
    """``" ".join(element_lines(el))``: the element's visible text, a space between the lines."""
    return " ".join(element_lines(el))


_local = threading.local()


def _children_xslt():
    """A transform writing the text of each child of the element it is given between _OPEN and _CLOSE, with a
    line break at the tags where ``element_lines`` breaks a line and nothing of the tags it skips."""
    x = getattr(_local, "children_xslt", None)
    if x is None:
        x = etree.XSLT(etree.XML(
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="UTF-8"/>'
            '<xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>'
            f'<xsl:template match="{"|".join(sorted(SKIP_TAGS))}"/>'
            '<xsl:template match="br"><xsl:text>&#10;</xsl:text></xsl:template>'
            f'<xsl:template match="{"|".join(sorted(BLOCK_TAGS))}"><xsl:text>&#10;</xsl:text><xsl:apply-templates/>'
            '<xsl:text>&#10;</xsl:text></xsl:template>'
            f'<xsl:template match="/*/*" priority="2"><xsl:text>&#x{ord(_OPEN):X};</xsl:text><xsl:apply-templates/>'
            f'<xsl:text>&#x{ord(_CLOSE):X};</xsl:text></xsl:template>'
            "</xsl:stylesheet>"
        ))
        _local.children_xslt = x
    return x


class ElementTexts:
    """One page's element texts, each computed once: ``collapsed(el)`` (the whitespace-collapsed ``text_of``) and
    ``joined(el)`` (``joined_lines``). The elements read are kept alive with their texts (their ``id`` and
    identity stay their own) until the page's extraction ends."""

    def __init__(self, pp: ParsedPage):
        self._collapsed: dict = {}
        self._joined: dict = {}
        self._parents: set = set()  # elements whose children's lines were read in one pass
        # one pass reads elements' own texts as the page's parse gave them: not when a tag's name depends on how
        # Python lower-cases it (the Kelvin sign lower-cases to "k") or the page holds the pass's markers
        html = pp.page.text
        self._bulk = pp.root is not None and not any(ch in html for ch in ("\u212a", _OPEN, _CLOSE))
        self._budget = 4 * len(pp.text) + BULK_SLACK

    def collapsed(self, el) -> str:
        got = self._collapsed.get(el)
        if got is None:
            got = self._collapsed[el] = collapse(text_of(el))
        return got

    def joined(self, el) -> str:
        got = self._joined.get(el)
        if got is None:
            parent = el.getparent()
            if self._bulk and parent is not None and parent not in self._parents and len(parent) >= MIN_CHILDREN:
                self._parents.add(parent)
                self._children(parent)
                got = self._joined.get(el)
            if got is None:
                got = self._joined[el] = joined_lines(el)
        return got

    def _children(self, parent) -> None:
        """The joined lines of every element child of ``parent``, in one pass (nothing when it fails or the
        page's budget for such passes is spent)."""
        if self._budget <= 0:
            return
        try:
            out = bytes(_children_xslt()(parent)).decode("utf-8")
        except (etree.Error, UnicodeDecodeError, ValueError):
            return
        self._budget -= len(out)
        segments = out.split(_OPEN)[1:]
        children = [c for c in parent if isinstance(c.tag, str)]
        if len(segments) != len(children):
            return
        for child, seg in zip(children, segments, strict=True):
            if child in self._joined:
                continue
            tag = child.tag.lower()
            if tag in SKIP_TAGS:
                self._joined[child] = ""
            else:
                self._joined[child] = " ".join(seg.split(_CLOSE, 1)[0].split())
