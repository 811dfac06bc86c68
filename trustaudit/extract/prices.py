"""Prices one page shows: how many amounts of money, and the discount of every crossed-out "before" price that a
lower price follows. The shop-level question (are implausible discounts the rule across the catalogue?) is the
rules' (``security.implausible-discounts``); this only reads one page.

A "before" price is an element that strikes its text through (``<del>``, ``<s>``, ``<strike>``, an inline
``line-through``) or carries a theme's "old price" class (rules/vocab/prices.yaml); its discount is counted only
when an amount follows it within its price block and is lower. The price block is the element or one of its three
nearest ancestors, never one that holds another product: the search stops at a product container (a card, a
product's item or link, rules/vocab/offers.yaml), at one of a run of like items (a grid's cards, a list's items),
and before an ancestor that holds another struck price. A grid showing the current price before the struck one
would otherwise pair each struck price with the next card's price.
Amounts are a number with a currency (rules/quantities.yaml ``money`` and the currencies of rules/countries.yaml),
written either way round ("€1,299.00", "1 299,00 zł").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.elementtext import ElementTexts
from trustaudit.extract.offers import is_product_container, repeated_item
from trustaudit.extract.text import case_variants, finditer_near_digits
from trustaudit.models import Discount
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage

MAX_TEXT = 300_000  # characters of visible text whose amounts are counted
MAX_AMOUNTS = 5_000
MAX_NUMBERS = 20_000  # runs of digits near which an amount is looked for per page
MAX_CROSSED = 400  # "before" prices read per page
MAX_MARKS = 4 * MAX_CROSSED  # struck or "old price" elements found per page (each tells where a price block ends)
MAX_AFTER = 160  # characters after a "before" price in which the price paid must be
ANCESTORS = 3

_DIGIT = re.compile(r"\d")
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"


@dataclass(frozen=True)
class PagePrices:
    amounts: int = 0  # amounts of money in the visible text (mostly the prices of the products listed)
    discounts: tuple[Discount, ...] = ()


@cached_build("prices")
def _cfg() -> dict:
    money = (load_yaml("quantities.yaml") or {}).get("money") or {}
    countries = (load_yaml("countries.yaml") or {}).get("countries") or {}
    tokens = {str(c) for c in money.get("currencies") or ()}
    for prof in countries.values():
        tokens |= {str(c) for c in (prof or {}).get("currencies") or ()}
    alts = []
    for tok in sorted(tokens, key=len, reverse=True):
        t = re.escape(tok)
        # a currency written with letters is a word of its own ("zł", "EUR"), a symbol need not be ("€5")
        # (the look-behind written after the first character, the same test: the regex engine then rejects most
        # alternatives at a position on their first character instead of evaluating a look-behind for each)
        head, rest = re.escape(tok[:1]), re.escape(tok[1:])
        alts.append(rf"{head}(?<![^\W\d_][\s\S]){rest}(?![^\W\d_])" if tok[-1:].isalpha() else t)
    cur = "|".join(alts)
    amount = rf"(?:{cur})\s?(?P<a>{_NUMBER})(?![\d])|(?<![\w.,])(?P<b>{_NUMBER})\s?(?:{cur})"
    vocab = load_yaml("vocab/prices.yaml") or {}
    ordered = sorted(tokens, key=len, reverse=True)
    return {
        "amount": re.compile(amount, re.I),
        # where an amount can start: a run of digits, or a currency at most this far before one (case-insensitive:
        # any case of a currency's first character, ending with any case of a currency's last character); None: a
        # currency holds a digit, the plain search is used
        "near": (max(map(len, ordered), default=0) + 1, case_variants(t[0] for t in ordered if t),
                 case_variants(t[-1] for t in ordered if t))
        if not any(ch.isdigit() for t in ordered for ch in t) else None,
        "tags": tuple(str(t).lower() for t in vocab.get("crossed_tags") or ()),
        "classes": tuple(str(c).lower() for c in vocab.get("crossed_classes") or ()),
        "styles": tuple(str(s).lower() for s in vocab.get("crossed_styles") or ()),
    }


_GROUPING = re.compile(r"[ \u00a0\u202f'’]")  # thousands separators


def parse_number(raw: str) -> float | None:
    """``1 299,00`` / ``1,299.00`` / ``1.299`` / ``19,99`` -> a float (None when it is not a number)."""
    s = _GROUPING.sub("", raw)
    if "." in s and "," in s:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        s = s.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        head, _, tail = s.rpartition(sep)
        s = (head.replace(sep, "") + "." + tail) if s.count(sep) == 1 and len(tail) <= 2 else s.replace(sep, "")
    try:
        return float(s)
    except ValueError:
        return None


def amounts_in(text: str, limit: int = MAX_AMOUNTS) -> list[tuple[float, int, int]]:
    """(value, start, end) of every amount of money in ``text`` (as far as ``MAX_NUMBERS`` runs of digits)."""
    if _DIGIT.search(text) is None:  # every amount has a digit: most texts of a card have none
        return []
    cfg = _cfg()
    near = cfg.get("near")
    out = []
    found = (finditer_near_digits(cfg["amount"], text, *near, max_runs=MAX_NUMBERS) if near
             else cfg["amount"].finditer(text))
    for m in found:
        value = parse_number(m.group("a") or m.group("b") or "")
        if value is not None and value > 0:
            out.append((value, m.start(), m.end()))
            if len(out) >= limit:
                break
    return out


def _crossed(el, cfg: dict) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in cfg["tags"]:
        return True
    cls = el.get("class")
    if cls and _contains_any(cfg["classes"])(cls.lower()):
        return True
    style = el.get("style")
    return bool(style) and _contains_any(cfg["styles"])(style.lower())


@lru_cache(maxsize=8)
def _contains_any(parts: tuple[str, ...]):
    """``lambda s: any(p in s for p in parts)`` as one regex search (a page has thousands of class values)."""
    if not parts:
        return lambda s: False
    rx = re.compile("|".join(map(re.escape, sorted(set(parts), key=len, reverse=True))))
    return lambda s: rx.search(s) is not None


def _crossed_candidates(pp: ParsedPage, cfg: dict, attrs: PageAttributes | None):
    """The elements ``_crossed`` may accept, in document order: every element, or, when the page's shared
    attribute walk (``attrs``) shows that no class value holds an "old price" class, only the struck elements
    (found by lxml in C) and those with a style attribute (most pages: a grid of 300 cards is not walked)."""
    if attrs is None or pp.elements_dropped or pp.root is None or (
            cfg["classes"] and _contains_any(cfg["classes"])(" ".join(attrs.markup).lower())):
        return pp.elements
    struck = list(pp.root.iter(*cfg["tags"])) if cfg["tags"] else []
    styled = [el for el in attrs.styled if el.tag.lower() not in cfg["tags"]] if cfg["styles"] else []
    if not styled:
        return struck
    if not struck:
        return styled
    order = {id(el): i for i, el in enumerate(pp.elements)}  # both lists hold elements of pp.elements
    return sorted(struck + styled, key=lambda el: order[id(el)])


def page_prices(pp: ParsedPage, attrs: PageAttributes | None = None, texts: ElementTexts | None = None) -> PagePrices:
    """The amounts and the discounts of struck prices on one page (``attrs``: the page's shared attribute walk,
    which spares walking every element when no class can mark an old price; ``texts``: its element texts, shared
    with ``offers``)."""
    cfg = _cfg()
    amounts = len(amounts_in(pp.text[:MAX_TEXT]))
    if len(pp.text) > MAX_TEXT:
        limits.cut(f"amounts counted in {limits.of(MAX_TEXT, max(len(pp.text), pp.text_chars), 'characters')}")
    if amounts >= MAX_AMOUNTS:
        limits.cut(f"the first {MAX_AMOUNTS:,} amounts counted")
    if not amounts or pp.root is None:
        return PagePrices(amounts)
    discounts: list[Discount] = []
    taken: set[int] = set()  # elements already read as a "before" price (a <del> inside an "old-price" block)
    # the collapsed text of each block looked at: the struck prices of a product grid share their ancestors (the
    # grid itself, read once instead of once per product)
    texts = texts if texts is not None else ElementTexts(pp)
    crossed = []
    for el in _crossed_candidates(pp, cfg, attrs):
        if _crossed(el, cfg):
            crossed.append(el)
            if len(crossed) >= MAX_MARKS:
                limits.cut(f"the first {MAX_MARKS:,} struck or old-price elements read")
                break
    struck = _struck_counts(crossed, texts)
    seen = 0
    for el in crossed:
        if any(id(a) in taken for a in _ancestors(el, ANCESTORS + 1)):
            continue
        seen += 1
        if seen > MAX_CROSSED:
            limits.cut(f"the first {MAX_CROSSED:,} struck prices read")
            break
        found = _discount(el, texts, struck)
        if found is not None:
            taken.add(id(el))
            discounts.append(Discount(found[0], found[1], found[2], pp.url))
    return PagePrices(amounts, tuple(discounts))


def _ancestors(el, n: int):
    cur = el.getparent()
    while cur is not None and n > 0:
        yield cur
        cur = cur.getparent()
        n -= 1


def _struck_counts(crossed: list, texts: ElementTexts) -> dict:
    """element -> how many struck prices it holds (the outermost crossed elements with an amount: an "old price"
    block and the <del> inside it are one). Keyed by the elements themselves, which keeps their proxies alive: an
    id() of a freed proxy can come back as another element's."""
    marks = set(crossed)
    counts: dict = {}
    for el in crossed:
        ancestors = list(el.iterancestors())
        if any(a in marks for a in ancestors) or not amounts_in(texts.collapsed(el), 1):
            continue
        for a in ancestors:
            counts[a] = counts.get(a, 0) + 1
    return counts


def _price_block(el, struck: dict):
    """``el`` and the ancestors that are still its product's price block (at most ``ANCESTORS``), innermost first:
    the climb ends at a product container or at one of a run of like items (its parent holds other products), and
    before an ancestor that holds another struck price."""
    yield el
    child = el
    for anc in _ancestors(el, ANCESTORS):
        if is_product_container(child) or repeated_item(child) or struck.get(anc, 0) > 1:
            return
        yield anc
        child = anc


def _discount(el, texts: ElementTexts, struck: dict) -> tuple[int, str, str] | None:
    """(percent off, before, after) when ``el`` is a "before" price followed by a lower one in its price block
    (``texts``: the page's element texts; ``struck``: ``_struck_counts``)."""
    own = texts.collapsed(el)
    before = amounts_in(own, 2)
    if len(before) != 1:
        return None  # no amount, or a whole block struck through (a sold-out product card)
    old, s, e = before[0]
    old_text = own[s:e]
    for block in _price_block(el, struck):
        text = texts.collapsed(block)
        at = text.find(own)
        if at < 0:
            continue
        tail = text[at + len(own): at + len(own) + MAX_AFTER]
        after = amounts_in(tail, 1)
        if after:
            new, s2, e2 = after[0]
            if new >= old:
                return None
            return round(100 * (1 - new / old)), old_text, tail[s2:e2]
    return None
