"""What the attributes of a page's elements say, collected in one walk of the tree for several extractors.

A product grid holds thousands of elements, and walking them in Python costs about half a microsecond per
element per walk (lxml hands out an element proxy, Python reads its attributes). Four extractors each walked all
of them for a few attributes: the widget scan (class / id / aria-labelledby values and data-* names), the
platform fingerprints (attribute names, ids and custom-element names of the first elements), the IDs labelled
by a title attribute, structured data (microdata / RDFa items) and the struck prices (prices, offers). ``page_attributes`` reads every element's
attributes once and gives each of them what it used to collect; each extractor still collects it alone when it
is called without them (``attrs=None``), with the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustaudit.web.html import ParsedPage

TREE_ELEMENTS = 8_000  # platform: the first elements whose attribute names, ids and custom tags are read
TREE_IDS = 5_000  # platform: ids kept
_MARKUP_ATTRS = frozenset(("class", "id", "aria-labelledby"))


@dataclass(frozen=True)
class PageAttributes:
    """One walk of ``pp.elements`` (the first ``web.html.MAX_ELEMENTS``)."""

    # widgets: class / id / aria-labelledby values, data-* names, and element names starting with one of the
    # vendor prefixes, each once, in order of first occurrence
    markup: tuple[str, ...]
    # platform: attribute names (lower-cased), ids (lower-cased, cut at 200) and names of custom elements (with
    # a "-") of the first TREE_ELEMENTS elements
    names: frozenset[str]
    ids: tuple[str, ...]
    custom_tags: frozenset[str]
    titled: tuple  # ids: elements other than img with a title or aria-label, in document order
    items: tuple  # structured data: elements with an itemtype or typeof, in document order
    tags: frozenset[str] = frozenset()  # widgets: the element names
    styled: tuple = ()  # prices: elements with a style attribute, in document order


def page_attributes(pp: ParsedPage, tag_prefixes: tuple[str, ...] = ()) -> PageAttributes:
    """``tag_prefixes``: the element-name starts the widget vocabulary knows (``widgets.db().markup_tags``)."""
    markup: dict[str, None] = {}
    names: set[str] = set()
    ids: list[str] = []
    custom: set[str] = set()
    titled = []
    items = []
    tags: set[str] = set()
    styled = []
    for n, el in enumerate(pp.elements):
        attrs = el.items()
        tag = el.tag
        tags.add(tag)
        head = n < TREE_ELEMENTS
        if attrs:
            is_titled = is_item = is_styled = False
            for k, v in attrs:
                if k in _MARKUP_ATTRS:
                    if v:
                        markup[v] = None
                    if k == "id" and v and head and len(ids) < TREE_IDS:
                        ids.append(v[:200].lower())
                elif k.startswith("data-"):
                    markup[k] = None
                elif k == "title" or k == "aria-label":
                    is_titled = True
                elif k == "itemtype" or k == "typeof":
                    is_item = True
                elif k == "style":
                    is_styled = True
                if head:
                    names.add(k)
            if is_titled and tag != "img":
                titled.append(el)
            if is_item:
                items.append(el)
            if is_styled:
                styled.append(el)
        if tag_prefixes and tag.startswith(tag_prefixes):
            markup[tag] = None
        if head and "-" in tag:
            custom.add(tag.lower()[:200])
    return PageAttributes(tuple(markup), frozenset(a.lower() for a in names), tuple(ids), frozenset(custom),
                          tuple(titled), tuple(items), frozenset(tags), tuple(styled))
