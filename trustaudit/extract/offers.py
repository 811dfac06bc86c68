"""Offers: product links and product pages, the product-safety information of a product page (GPSR Art. 19),
and announced price reductions with the lowest prior price beside them (Directive 98/6/EC Art. 6a).

Everything here is a pure function of one page (``page_offers``), with its vocabulary in rules/vocab/offers.yaml;
the shop-level verdicts are the engine's. ``product_link(url)`` is also the crawl's notion of a product link (the
pipeline gives it to the crawl's scorer, so that a few product pages are fetched).

Reductions. A reduction is a former price struck through (``<del>``, ``<s>``, an "old price" class) beside a lower
current price, or a "-30%" badge beside a price, in one product block: the largest element around the mark that
holds no other struck price and at most ``block_chars`` characters. A struck price without a lower price beside it
(a competitor's price in a comparison table, a lone old price) is not a reduction; nor is a struck recommended
retail price ("UVP", "RRP"), which is a reference price, not the shop's own former price. The disclosure of the
prior price counts when it is in the block or in the text right after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.elementtext import ElementTexts, element_lines, joined_lines
from trustaudit.extract.phrases import PhraseIndex
from trustaudit.extract.structured import _loads as _load_jsonld
from trustaudit.extract.text import (
    collapse,
    finditer_near_digits,
    fold,
    fold_same_length,
    phrase_regex,
    snippet,
)
from trustaudit.models import Reductions, SafetyInfo
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage, text_of

MAX_MARKERS = 400  # struck prices and badges looked at per page
MAX_LINKS = 20  # product links kept per page
AMOUNT = r"\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# ``(?<![\d.,])(?:AMOUNT)``: an amount not glued to a number before it, written to begin with a digit (the same
# matches), so that a search skips from digit to digit in C instead of trying the look-behind at every character
AMOUNT_AT_DIGIT = r"\d(?<![\d.,]\d)(?:\d{0,2}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d{1,2})?|\d*(?:[.,]\d{1,2})?)"
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Vocab:
    product_url: re.Pattern[str]  # any of the product URL schemes (one alternation)
    not_product_url: re.Pattern[str]
    product_types: frozenset[str]
    og_types: frozenset[str]
    cart_actions: tuple[re.Pattern[str], ...]
    cart_names: frozenset[str]
    cart_ids: frozenset[str]
    container_types: frozenset[str]
    container_classes: frozenset[str]
    struck_tags: frozenset[str]
    old_classes: frozenset[str]
    badge: re.Pattern[str]
    reference: re.Pattern[str] | None
    disclosure: PhraseIndex
    money: re.Pattern[str]
    money_near: tuple[int, frozenset[str], frozenset[str]] | None  # ``text.finditer_near_digits``'s (back, starts, ends)
    from_words: re.Pattern[str] | None
    min_ratio: float
    block_chars: int
    after_chars: int
    examples: int
    labels: tuple[tuple[str, re.Pattern[str]], ...]  # (who, label at a line start)
    value_chars: int
    value_lines: int
    electronic: re.Pattern[str]
    postal: tuple[re.Pattern[str], ...]


def _patterns(items: Iterable) -> tuple[re.Pattern[str], ...]:
    out = []
    for item in items or ():
        pat = item.get("pattern") if isinstance(item, dict) else item
        if pat:
            out.append(re.compile(str(pat), re.I))
    return tuple(out)


def _union(items: Iterable) -> re.Pattern[str]:
    pats = [p.pattern for p in _patterns(items)]
    return re.compile("|".join(f"(?:{p})" for p in pats) if pats else r"(?!)", re.I)


def currency_tokens() -> list[str]:
    """Every currency code and sign of the country profiles (rules/countries.yaml), longest first."""
    data = load_yaml("countries.yaml") or {}
    toks = {str(t) for p in (data.get("countries") or {}).values() for t in (p or {}).get("currencies") or ()}
    return sorted(toks, key=len, reverse=True)


def _near(tokens: list[str]) -> tuple[int, frozenset[str], frozenset[str]] | None:
    """Where an amount of ``money_regex(tokens)`` can start: a run of digits or a currency (its first character,
    the pattern is case-sensitive) at most this far before one, ending with one of these characters; None when
    a currency holds a digit."""
    if any(ch.isdigit() for t in tokens for ch in t):
        return None
    return (max(map(len, tokens), default=0) + 1, frozenset(t[0] for t in tokens if t),
            frozenset(t[-1] for t in tokens if t))


def money_regex(tokens: list[str]) -> re.Pattern[str]:
    """An amount with a currency sign or code before or after it (group ``cur1``/``cur2``: the token)."""
    alt = "|".join(re.escape(t) for t in tokens)
    return re.compile(
        rf"(?<![^\W\d_])(?P<cur1>{alt})\s?(?P<a1>{AMOUNT})(?![\d])"
        rf"|(?<![\d.,])(?P<a2>{AMOUNT})\s?(?P<cur2>{alt})(?![^\W\d_])"
    )


@cached_build("offers")
def vocab() -> _Vocab:
    data = load_yaml("vocab/offers.yaml") or {}
    red = data.get("reductions") or {}
    cart = data.get("add_to_cart") or {}
    cont = data.get("product_containers") or {}
    labels = []
    safety = data.get("safety_labels") or {}
    for who in ("manufacturer", "responsible_person"):
        words = [w for lst in (safety.get(who) or {}).values() for w in lst or ()]
        rx = phrase_regex(words)
        if rx is not None:
            # a label at the start of a line, then ":" (or a dash) or the end of the line
            labels.append((who, re.compile(r"^[\s•\-–*]*(?:" + rx.pattern + r")\s*(?:[:：\-–]|$)")))
    ref_words = [w for lst in (red.get("reference_labels") or {}).values() for w in lst or ()]
    disclosure = [(str(p), "disclosure") for lst in (red.get("disclosure") or {}).values() for p in lst or ()]
    return _Vocab(
        product_url=_union(data.get("product_urls")),
        not_product_url=_union(data.get("not_product_urls")),
        product_types=frozenset(str(t).lower() for t in data.get("product_types") or ()),
        og_types=frozenset(str(t).lower() for t in data.get("og_types") or ()),
        cart_actions=_patterns(cart.get("form_actions")),
        cart_names=frozenset(str(x).lower() for x in cart.get("control_names") or ()),
        cart_ids=frozenset(str(x).lower() for x in cart.get("ids") or ()),
        container_types=frozenset(str(t).lower() for t in cont.get("itemtypes") or ()),
        container_classes=frozenset(str(c).lower() for c in cont.get("classes") or ()),
        struck_tags=frozenset(str(t).lower() for t in red.get("struck_tags") or ()),
        old_classes=frozenset(str(c.get("class") if isinstance(c, dict) else c).lower()
                              for c in red.get("old_price_classes") or ()),
        badge=re.compile(str(red.get("badge") or r"(?!)")),
        reference=phrase_regex(ref_words),
        disclosure=PhraseIndex(disclosure),
        money=money_regex(currency_tokens()),
        money_near=_near(currency_tokens()),
        from_words=(re.compile(r"(?:" + rx.pattern + r")\s*\Z") if (rx := phrase_regex(
            [w for lst in (red.get("from_words") or {}).values() for w in lst or ()])) is not None else None),
        min_ratio=float(red.get("min_ratio", 0.05)),
        block_chars=int(red.get("block_chars", 800)),
        after_chars=int(red.get("after_chars", 300)),
        examples=int(red.get("examples", 3)),
        labels=tuple(labels),
        value_chars=int(safety.get("value_chars", 300)),
        value_lines=int(safety.get("value_lines", 4)),
        electronic=re.compile(str(data.get("electronic") or r"(?!)"), re.I),
        postal=tuple(re.compile(str(p)) for p in data.get("postal") or ()),
    )


# --------------------------------------------------------------------------- product links and pages


def product_budget() -> tuple[int, float]:
    """(product pages the crawl fetches early, their priority): rules/vocab/offers.yaml ``crawl``."""
    spec = (load_yaml("vocab/offers.yaml") or {}).get("crawl") or {}
    return int(spec.get("product_pages", 3)), float(spec.get("priority", 0.5))


@lru_cache(maxsize=16384)
def product_link(url: str) -> bool:
    """Does this URL look like the page of one product (platform URL schemes of rules/vocab/offers.yaml)?"""
    if not url or len(url) > 2048:
        return False
    v = vocab()
    return v.product_url.search(url) is not None and v.not_product_url.search(url) is None


def _classes(el) -> set[str]:
    return set((el.get("class") or "").lower().split())


def _type_names(value) -> list[str]:
    vals = value if isinstance(value, list) else [value]
    return [v.rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip().lower() for v in vals if isinstance(v, str)]


def _jsonld_products(pp: ParsedPage) -> list[dict]:
    """Product nodes at the top of the JSON-LD (or of its ``@graph``): one per offer the page is about."""
    types = vocab().product_types
    out: list[dict] = []
    for block in pp.json_ld_blocks[:50]:
        data = _load_jsonld(block[:500_000])
        items = data if isinstance(data, list) else [data]
        for item in items[:200]:
            if not isinstance(item, dict):
                continue
            nodes = item.get("@graph") if isinstance(item.get("@graph"), list) else [item]
            for node in nodes[:200]:
                if isinstance(node, dict) and set(_type_names(node.get("@type"))) & types:
                    out.append(node)
    return out


def _microdata_products(pp: ParsedPage) -> list:
    """Product items of the microdata that are not a property of another item."""
    types = vocab().product_types
    out = []
    for el in pp.elements:
        it = el.get("itemtype")
        if it is None or el.get("itemprop") is not None:
            continue
        if set(_type_names(it.split())) & types:
            out.append(el)
            if len(out) > 50:
                break
    return out


def _add_to_cart_controls(pp: ParsedPage) -> int:
    v = vocab()
    n = 0
    if pp.root is None:
        return 0
    for form in pp.root.iter("form"):
        action = form.get("action") or ""
        if (form.get("id") or "").lower() in v.cart_ids or any(p.search(action) for p in v.cart_actions):
            n += 1
            continue
        for el in form.iter("button", "input"):
            if (el.get("name") or "").lower() in v.cart_names:
                n += 1
                break
    return n


def _og_type(pp: ParsedPage) -> str:
    if pp.root is None:
        return ""
    for m in pp.root.iter("meta"):
        if (m.get("property") or m.get("name") or "").lower() == "og:type":
            return (m.get("content") or "").strip().lower()
    return ""


# --------------------------------------------------------------------------- safety information


def _first(v):
    return (v[0] if v else None) if isinstance(v, list) else v


def _address_ok(addr) -> bool:
    addr = _first(addr)
    if isinstance(addr, str):
        return any(ch.isdigit() for ch in addr) and len(addr) > 6
    if isinstance(addr, dict):
        return bool(_first(addr.get("streetAddress")) or _first(addr.get("postalCode")))
    return False


def _electronic_ok(node: dict) -> bool:
    for key in ("email", "url"):
        v = _first(node.get(key))
        if isinstance(v, str) and v.strip():
            return True
    for cp in (node.get("contactPoint") if isinstance(node.get("contactPoint"), list) else [node.get("contactPoint")]):
        if isinstance(cp, dict) and (_first(cp.get("email")) or _first(cp.get("url"))):
            return True
    return False


def _from_node(node, who: str, url: str) -> SafetyInfo | None:
    node = _first(node)
    if isinstance(node, str) and node.strip():
        return SafetyInfo(url, who, collapse(node)[:120], False, False, "structured data", collapse(node)[:120])
    if not isinstance(node, dict):
        return None
    name = _first(node.get("legalName")) or _first(node.get("name"))
    name = collapse(name)[:120] if isinstance(name, str) else ""
    if not name:
        return None
    postal, electronic = _address_ok(node.get("address")), _electronic_ok(node)
    return SafetyInfo(url, who, name, postal, electronic, "structured data", name)


def _structured_info(products: list[dict], micro: list, url: str) -> list[SafetyInfo]:
    out = []
    for node in products[:1]:
        for key, who in (("manufacturer", "manufacturer"), ("brand", "brand")):
            info = _from_node(node.get(key), who, url)
            if info is not None:
                out.append(info)
    for item in micro[:1]:
        for el in item.iter():
            prop = (el.get("itemprop") or "").split() if isinstance(el.tag, str) else []
            who = "manufacturer" if "manufacturer" in prop else "brand" if "brand" in prop else ""
            if not who:
                continue
            if el.get("itemscope") is not None:
                props: dict[str, object] = {}
                for sub in el.iter():
                    if not isinstance(sub.tag, str) or sub is el:
                        continue
                    for p in (sub.get("itemprop") or "").split():
                        val = sub.get("content") or sub.get("href") or collapse(text_of(sub))
                        props.setdefault(p, val)
                name = props.get("legalName") or props.get("name")
                if isinstance(name, str) and name.strip():
                    out.append(SafetyInfo(url, who, name[:120], bool(props.get("address") or props.get("streetAddress")),
                                          bool(props.get("email") or props.get("url")), "structured data",
                                          name[:120]))
            else:
                name = el.get("content") or collapse(text_of(el))
                if name:
                    out.append(SafetyInfo(url, who, name[:120], False, False, "structured data", name[:120]))
    return out


_LABEL_TAGS = ("p", "div", "li", "dd", "dt", "td", "th", "tr", "span", "strong", "b", "h2", "h3", "h4", "h5", "h6",
               "address", "section", "small", "em", "label")


def _text_info(pp: ParsedPage) -> list[SafetyInfo]:
    """Safety information under a label ("Producent:", "Hersteller", "Κατασκευαστής"): the smallest element whose
    text starts with the label and holds a value after it (or, for a label alone in a ``<dt>`` / ``<th>``, the
    next element: the ``<dd>`` / ``<td>``)."""
    v = vocab()
    best: dict[str, tuple[int, list[str], str]] = {}  # who -> (size, value lines, label line)
    looked = 0
    for el in pp.elements:
        if el.tag.lower() not in _LABEL_TAGS:
            continue
        looked += 1
        if looked > 20000:
            break
        text = collapse(text_of(el))
        if not text or len(text) > 600:
            continue
        folded = fold_same_length(text)
        for who, rx in v.labels:
            m = rx.match(folded)
            if m is None:
                continue
            lines = element_lines(el)
            if not lines:
                break
            first = lines[0]
            # the label's length in the first line (folding keeps the length of most scripts' letters)
            mf = rx.match(fold_same_length(first))
            cut = mf.end() if mf else 0
            rest = [first[cut:].strip(" :：-–\t")] + lines[1:]
            rest = [x for x in rest if x]
            if not rest:
                nxt = el.getnext()
                while nxt is not None and not isinstance(nxt.tag, str):
                    nxt = nxt.getnext()
                rest = element_lines(nxt) if nxt is not None else []
            value = rest[: v.value_lines]
            size = sum(len(x) for x in lines) + sum(len(x) for x in value)
            if value and (who not in best or size < best[who][0]):
                best[who] = (size, value, first)
            break
    out = []
    for who, (_size, value, first) in best.items():
        joined = "\n".join(value)[: v.value_chars]
        name = value[0].split(",")[0].strip()[:120]
        postal = any(p.search(joined) for p in v.postal)
        electronic = bool(v.electronic.search(joined))
        out.append(SafetyInfo(pp.url, who, name, postal, electronic, "text", snippet(f"{first} {' '.join(value)}", 160)))
    return out


def _rank(info: SafetyInfo) -> tuple:
    return (info.complete, info.who != "brand", info.postal + info.electronic, info.who == "manufacturer")


@dataclass(frozen=True)
class OfferFacts:
    """One page's offers: whether it is the page of one product (and then its safety information), the product
    links it shows, and the price reductions it announces."""

    product: SafetyInfo | None = None  # set on a product page: the best safety information found (maybe empty)
    product_links: tuple[str, ...] = ()
    reductions: Reductions | None = None


def _is_product_page(pp: ParsedPage, products: list[dict], micro: list) -> bool:
    n = max(len(products), len(micro))
    if n:
        return n == 1
    if _og_type(pp) in vocab().og_types:
        return True
    return _add_to_cart_controls(pp) == 1


def _safety(pp: ParsedPage, products: list[dict], micro: list) -> SafetyInfo:
    cands = _structured_info(products, micro, pp.url) + _text_info(pp)
    if not cands:
        return SafetyInfo(pp.url)
    return max(cands, key=_rank)


def _product_links(pp: ParsedPage) -> tuple[str, ...]:
    out: list[str] = []
    for link in pp.links:
        if link.url and link.url != pp.url and product_link(link.url) and link.url not in out:
            out.append(link.url)
            if len(out) >= MAX_LINKS:
                break
    return tuple(out)


# --------------------------------------------------------------------------- reductions


_GROUPING = re.compile(r"[ \u00a0\u202f'’]")  # thousands separators
_COMMA_DECIMALS = re.compile(r",\d{1,2}$")
_DOT_THOUSANDS = re.compile(r"\.\d{3}$")


def parse_amount(s: str) -> float | None:
    """A price as written ("1 099,00", "1,099.00", "35.90", "45,-") as a number."""
    s = _GROUPING.sub("", s.strip())
    if not s:
        return None
    if "." in s and "," in s:
        dec = max(s.rfind("."), s.rfind(","))
        s = s[:dec].replace(".", "").replace(",", "") + "." + s[dec + 1:]
    elif "," in s:
        s = s.replace(",", ".") if _COMMA_DECIMALS.search(s) else s.replace(",", "")
    elif "." in s and _DOT_THOUSANDS.search(s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


_DIGIT = re.compile(r"\d")


def _money(text: str) -> list[re.Match[str]]:
    """``vocab().money.finditer(text)``, looked for only near digits (``text.finditer_near_digits``)."""
    if _DIGIT.search(text) is None:  # every amount has a digit
        return []
    v = vocab()
    if v.money_near is None:
        return list(v.money.finditer(text))
    return list(finditer_near_digits(v.money, text, *v.money_near))


def _amounts(text: str, *, with_currency: bool | None = None, skip_from: bool = False,
             money: list[re.Match[str]] | None = None) -> list[float]:
    """The money amounts of a text: with a currency sign or code, or (``with_currency`` not True, and none with a
    currency in the text) written with two decimals. ``skip_from``: not those after "from" ("ab", "od", "от" …).
    ``money``: ``_money(text)`` when the caller has it."""
    if _DIGIT.search(text) is None:  # every amount has a digit (with a currency or two decimals)
        return []
    v = vocab()
    out = []
    folded = fold_same_length(text) if skip_from and v.from_words is not None else ""
    if money is None:
        money = _money(text)
    for m in money:
        if folded and v.from_words.search(folded[max(0, m.start() - 20): m.start()]):
            continue
        a = parse_amount(m.group("a1") or m.group("a2") or "")
        if a is not None:
            out.append(a)
    if not out and with_currency is not True and not money:
        for m in re.finditer(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0.,]\d{3})*[.,]\d{2})(?![\d])", text):
            if folded and v.from_words.search(folded[max(0, m.start() - 20): m.start()]):
                continue
            a = parse_amount(m.group(1))
            if a is not None:
                out.append(a)
    return out


@lru_cache(maxsize=1)
def _old_class_re() -> re.Pattern[str]:
    classes = sorted(vocab().old_classes, key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, classes)) + r")(?!\S)", re.I) if classes else re.compile("(?!)")


def _struck(pp: ParsedPage, attrs: PageAttributes | None = None, texts: ElementTexts | None = None) -> list:
    v = vocab()
    collapsed = texts.collapsed if texts is not None else (lambda el: collapse(text_of(el)))
    old_class = _old_class_re().search
    out = []
    if pp.elements_dropped:
        limits.cut(f"struck prices looked for among the first {len(pp.elements):,} elements")
    candidates = pp.elements  # the elements in document order (as root.iter(), without comments)
    if attrs is not None and not pp.elements_dropped and v.struck_tags and not old_class(" ".join(attrs.markup)):
        # no class value holds an "old price" class (the shared attribute walk read them all): only the struck
        # elements can be one, found by lxml in C
        candidates = pp.root.iter(*v.struck_tags)
    for el in candidates:
        tag = el.tag
        if tag.lower() not in v.struck_tags:
            cls = el.get("class")
            if not cls or old_class(cls) is None:
                continue
        text = collapsed(el)
        if not text or len(text) > 60 or not any(ch.isdigit() for ch in text):
            continue
        out.append(el)
        if len(out) >= MAX_MARKERS:
            limits.cut(f"the first {MAX_MARKERS:,} struck prices read")
            break
    # a struck element inside another one is the same price
    keep = set(out)
    result = []
    for el in out:
        anc = el.getparent()
        inner = False
        while anc is not None:
            if anc in keep:
                inner = True
                break
            anc = anc.getparent()
        if not inner:
            result.append(el)
    return result


_PERCENT = re.compile(r"[-\u2212\u2013]\s?\d{1,2}(?:[.,]\d)?\s?%")


def _badges(pp: ParsedPage) -> list:
    v = vocab()
    out: list = []
    if not _PERCENT.search(pp.text):
        return out
    for el in pp.elements:
        if len(el) > 2 or "%" not in (el.text or ""):
            continue
        text = collapse(text_of(el))
        if 0 < len(text) <= 12 and v.badge.match(text):
            # the innermost element holding the badge text
            if not any(collapse(text_of(c)) == text for c in el if isinstance(c.tag, str)):
                out.append(el)
                if len(out) >= MAX_MARKERS:
                    limits.cut(f"the first {MAX_MARKERS:,} discount badges read")
                    break
    return out


def _counts(markers: list) -> dict:
    counts: dict = {}
    for m in markers:
        a = m.getparent()
        while a is not None:
            counts[a] = counts.get(a, 0) + 1
            a = a.getparent()
    return counts


def _is_container(el) -> bool:
    v = vocab()
    cls = el.get("class")
    if cls and not v.container_classes.isdisjoint(cls.lower().split()):
        return True
    it = el.get("itemtype")
    return bool(it) and not v.container_types.isdisjoint(_type_names(it.split()))


ITEM_TAGS = frozenset({"li", "tr", "article"})  # elements that are one item of a list whatever their class
NEAR_SIBLINGS = 3  # siblings looked at on each side for one written like an element: the items of a list are adjacent


def repeated_item(el) -> bool:
    """Is ``el`` one of a run of like items (the cards of a grid, the items of a list, the rows of a table): a near
    sibling with its tag and class, the class not empty unless the tag is a list item, row or article? Its parent
    then holds other products: the price block of a product ends at ``el``."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    cls = el.get("class") or ""
    if not cls.strip() and tag.lower() not in ITEM_TAGS:
        return False  # classless spans and divs: the parts of one price line, not items
    for sibs in (el.itersiblings(), el.itersiblings(preceding=True)):
        for n, sib in enumerate(sibs):
            if n >= NEAR_SIBLINGS:
                break
            if sib.tag == tag and (sib.get("class") or "") == cls:
                return True
    return False


def is_product_container(el) -> bool:
    """Is ``el`` the element of one product (a product item or card by its itemtype or class, or a link to a
    product page)?"""
    if not isinstance(el.tag, str):
        return False
    if _is_container(el):
        return True
    return el.tag.lower() == "a" and product_link(el.get("href") or "")


def _block(el, struck: dict, badges: dict, limit: int, collapsed=lambda el: collapse(text_of(el))):
    """The element of one product around ``el``: the nearest product container (a product item or card), else the
    largest element with no other struck price or badge, at most ``limit`` characters, and not climbing past one
    of a run of like items (a card of a grid: its neighbours are other products)."""
    node = el
    for _ in range(12):
        if node is not el and (_is_container(node) or repeated_item(node)):
            break
        parent = node.getparent()
        if parent is None or struck.get(parent, 0) > 1 or badges.get(parent, 0) > 1:
            break
        if len(collapsed(parent)) > limit:
            break
        node = parent
    return node


def _after(block, struck: dict, limit: int, joined=joined_lines) -> str:
    """The text right after a block (its following siblings) up to ``limit`` characters, stopping at the next
    struck price (``joined``: an element's lines joined, ``element_lines``, or a memo of it)."""
    parts: list[str] = []
    total = 0
    for sib in block.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        if struck.get(sib) or sib.tag.lower() in vocab().struck_tags:
            break
        t = joined(sib)
        parts.append(t)
        total += len(t)
        if total >= limit:
            break
    return " ".join(parts)[:limit]


def _shown(block, joined=joined_lines) -> str:
    return snippet(joined(block), 160)


def _discloses(text: str) -> bool:
    return any(True for _ in vocab().disclosure.finditer(fold(text)))


def page_reductions(pp: ParsedPage, attrs: PageAttributes | None = None,
                    texts: ElementTexts | None = None) -> Reductions | None:
    """The price reductions one page announces (``attrs``: the page's shared attribute walk; ``texts``: its element
    texts, shared with the other price extractors: a product grid's cards are each a block and the text after the
    one before it)."""
    if pp.root is None:
        return None
    v = vocab()
    texts = texts if texts is not None else ElementTexts(pp)
    collapsed, joined = texts.collapsed, texts.joined
    struck = _struck(pp, attrs, texts)
    badges = _badges(pp)
    if not struck and not badges:
        return None
    sc, bc = _counts(struck), _counts(badges)
    blocks: dict = {}  # block element -> (snippet, disclosed)
    for el in struck:
        label = collapsed(el.getparent()) if el.getparent() is not None else ""
        if v.reference is not None and len(label) <= 160 and v.reference.search(fold(label)):
            continue  # a recommended retail price, not the shop's own former price
        struck_text = collapsed(el)
        struck_money = _money(struck_text)
        olds = _amounts(struck_text, money=struck_money)
        if not olds:
            continue
        old = max(olds)
        block = _block(el, sc, bc, v.block_chars, collapsed)
        text = joined(block)  # lines kept apart: "39,00 zł" + "Najniższa cena" are two words
        rest = text.replace(struck_text, " ", 1)
        currency = bool(struck_money)
        if not any(old * v.min_ratio <= a < old for a in _amounts(rest, with_currency=currency or None)):
            continue  # nothing lower beside it: not a reduction of this price
        if block not in blocks:
            blocks[block] = (_shown(block, joined),
                             _discloses(text) or _discloses(_after(block, sc, v.after_chars, joined)))
    for el in badges:
        block = _block(el, sc, bc, v.block_chars, collapsed)
        if sc.get(block) or block in blocks or any(b in blocks for b in block.iterancestors()):
            continue  # the badge of a struck price already counted
        text = joined(block)
        if not _amounts(text.replace(collapsed(el), " ", 1), skip_from=True):
            continue  # "-30%" with no price beside it (a banner, "prices from 50"): not a product's reduction
        blocks[block] = (_shown(block, joined),
                         _discloses(text) or _discloses(_after(block, sc, v.after_chars, joined)))
    if not blocks:
        return None
    missing = [s for s, ok in blocks.values() if not ok]
    shown = [s for s, ok in blocks.values() if ok]
    return Reductions(pp.url, len(blocks), len(shown), tuple(missing[: v.examples]), tuple(shown[: v.examples]))


# --------------------------------------------------------------------------- the page


def page_offers(pp: ParsedPage, attrs: PageAttributes | None = None, texts: ElementTexts | None = None) -> OfferFacts:
    """The product, product links and reductions of one page (``attrs``: the page's shared attribute walk;
    ``texts``: its element texts, shared with ``prices``)."""
    products = _jsonld_products(pp)
    micro = _microdata_products(pp)
    product = _safety(pp, products, micro) if _is_product_page(pp, products, micro) else None
    return OfferFacts(product, _product_links(pp), page_reductions(pp, attrs, texts))


def in_product_container(el) -> bool:
    """Is ``el`` inside the element of one product in a grid (an item of a product type, a product-card class, or
    a link to a product page)?"""
    v = vocab()
    node = el.getparent()
    for _ in range(8):
        if node is None or not isinstance(node.tag, str):
            return False
        it = node.get("itemtype")
        if it and set(_type_names(it.split())) & v.container_types:
            return True
        if _classes(node) & v.container_classes:
            return True
        if node.tag.lower() == "a" and product_link(node.get("href") or ""):
            return True
        node = node.getparent()
    return False


__all__ = ["AMOUNT", "AMOUNT_AT_DIGIT", "OfferFacts", "in_product_container", "is_product_container", "page_offers",
           "parse_amount", "product_link", "repeated_item"]
