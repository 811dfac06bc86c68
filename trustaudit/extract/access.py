"""Accessibility basics that need no browser (WCAG 2.x success criteria that the markup alone shows):

- ``lang``: the page declares its language (``<html lang>``; SC 3.1.1);
- ``images``: images of product grids have a text alternative (an ``alt`` attribute; SC 1.1.1);
- ``fields``: form fields have a label (``<label for>``, a wrapping ``<label>``, ``aria-label``,
  ``aria-labelledby`` or ``title``; a placeholder is not a label; SC 1.3.1, 3.3.2, 4.1.2);
- ``links``: links have text (their text, an image's ``alt``, ``aria-label``, ``aria-labelledby``, ``title`` or an
  SVG ``<title>``; SC 2.4.4, 4.1.2).

Counted per page, with a few examples; the shop-level sums and the accessibility-statement page are the merge's
and the engine's. Elements hidden from assistive technology (``hidden``, ``aria-hidden="true"``) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustaudit.extract.offers import in_product_container
from trustaudit.extract.text import collapse, snippet
from trustaudit.web.html import ParsedPage, text_of

EXAMPLES = 3
MAX_ITEMS = 5000
# input types that take a value from the buyer and so need a label (HTML: the rest are buttons or hidden)
_LABELLED_INPUTS = {"", "text", "email", "tel", "number", "search", "password", "url", "date", "datetime-local",
                    "month", "week", "time", "checkbox", "radio", "file", "range", "color"}


@dataclass(frozen=True)
class A11yPage:
    """One page's counts: (looked at, failing, examples) per test."""

    lang: bool = False
    images: tuple[int, int, tuple[str, ...]] = (0, 0, ())
    fields: tuple[int, int, tuple[str, ...]] = (0, 0, ())
    links: tuple[int, int, tuple[str, ...]] = (0, 0, ())


_HIDERS = None


def _hidden_set(root) -> set:
    """Every element hidden from assistive technology: those with ``hidden`` or ``aria-hidden="true"`` and all
    their descendants (found by one XPath in C; usually a few icons)."""
    global _HIDERS
    if _HIDERS is None:
        from lxml import etree

        _HIDERS = etree.XPath("//*[@hidden or @aria-hidden]")
    out: set = set()
    for h in _HIDERS(root):
        if h.get("hidden") is None and (h.get("aria-hidden") or "").strip().lower() != "true":
            continue
        if h not in out:
            out.update(h.iter())
    return out


def _named_by_aria(el) -> bool:
    return bool((el.get("aria-label") or "").strip() or (el.get("aria-labelledby") or "").strip()
                or (el.get("title") or "").strip())


def _link_has_name(a) -> bool:
    if (a.text or "").strip() or collapse(text_of(a)) or _named_by_aria(a):
        return True
    for img in a.iter("img", "input"):
        if (img.get("alt") or "").strip() or _named_by_aria(img):
            return True
    for svg in a.iter("svg"):
        if _named_by_aria(svg):
            return True
        for t in svg.iter():
            if isinstance(t.tag, str) and t.tag.lower().endswith("title") and collapse(text_of(t)):
                return True
    return False


def _field_name(el) -> str:
    return snippet(el.get("name") or el.get("id") or el.get("placeholder") or el.tag.lower(), 60)


def page_access(pp: ParsedPage) -> A11yPage:
    if pp.root is None:
        return A11yPage()
    lang = bool((pp.root.get("lang") or pp.root.get("xml:lang") or "").strip())
    labelled_ids = {(lab.get("for") or "").strip() for lab in pp.root.iter("label") if lab.get("for")}
    img_n = img_bad = field_n = field_bad = link_n = link_bad = 0
    img_ex: list[str] = []
    field_ex: list[str] = []
    link_ex: list[str] = []
    hidden = _hidden_set(pp.root)
    for el in pp.root.iter("img", "input", "select", "textarea", "a"):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "img":
            if img_n >= MAX_ITEMS or not in_product_container(el) or el in hidden:
                continue
            img_n += 1
            if el.get("alt") is None and not _named_by_aria(el):
                img_bad += 1
                if len(img_ex) < EXAMPLES:
                    img_ex.append(snippet(el.get("src") or el.get("data-src") or "img", 100))
        elif tag == "a":
            href = (el.get("href") or "").strip()
            if not href or link_n >= MAX_ITEMS or el in hidden:
                continue
            link_n += 1
            if not _link_has_name(el):
                link_bad += 1
                if len(link_ex) < EXAMPLES:
                    link_ex.append(snippet(href, 100))
        elif tag:
            if tag == "input" and (el.get("type") or "").strip().lower() not in _LABELLED_INPUTS:
                continue
            if field_n >= MAX_ITEMS or el in hidden:
                continue
            field_n += 1
            fid = (el.get("id") or "").strip()
            ok = (fid and fid in labelled_ids) or _named_by_aria(el) or any(
                isinstance(a.tag, str) and a.tag.lower() == "label" for a in el.iterancestors())
            if not ok:
                field_bad += 1
                if len(field_ex) < EXAMPLES:
                    field_ex.append(_field_name(el))
    return A11yPage(lang, (img_n, img_bad, tuple(img_ex)), (field_n, field_bad, tuple(field_ex)),
                    (link_n, link_bad, tuple(link_ex)))
