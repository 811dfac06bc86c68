"""schema.org structured data: JSON-LD (robust to broken JSON, ``@graph``, arrays, nesting) and microdata
(itemscope / itemtype / itemprop), plus RDFa ``typeof``/``property`` for ratings.

Produces the types seen, AggregateRating, PostalAddress texts, ContactPoint telephone/email, organisation
names and the identifiers an organisation declares (``vatID``, ``taxID``, ``leiCode``, and ``identifier``
PropertyValues such as ``{"propertyID": "KRS", "value": "0000123456"}``), which ``ids.structured_ids`` reads
and checks like the numbers in the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.text import collapse
from trustaudit.models import Rating
from trustaudit.web.html import ParsedPage, text_of

MAX_BLOCK = 500_000  # characters of a JSON-LD block read
MAX_NODES = 5_000  # JSON-LD nodes and microdata / RDFa items read per page
MAX_BLOCKS = 50  # JSON-LD blocks read per page
MAX_ITEMS = 500  # items of one JSON-LD array read (and 200 values of one object, 40 levels deep)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")
ORG_TYPES = {"organization", "localbusiness", "onlinestore", "store", "onlinebusiness", "corporation", "shoppingcenter"}


@dataclass(frozen=True)
class Structured:
    """What one page's structured data says (in document order)."""

    types: tuple[str, ...] = ()
    ratings: tuple[Rating, ...] = ()
    addresses: tuple[tuple[str, str], ...] = ()  # (text, source)
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    org_names: tuple[str, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()  # (property or propertyID, value): ("vatID", "PL5261040828")
    reviews: int = 0
    faq: bool = False
    address_countries: tuple[str, ...] = ()  # addressCountry values as written ("PL", "Polska", "DE")


@dataclass
class _Acc:
    """``Structured`` while it is being collected."""

    types: list[str] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    org_names: list[str] = field(default_factory=list)
    ids: list[tuple[str, str]] = field(default_factory=list)
    reviews: int = 0
    faq: bool = False
    address_countries: list[str] = field(default_factory=list)

    def freeze(self) -> Structured:
        return Structured(tuple(self.types), tuple(self.ratings), tuple(self.addresses), tuple(self.phones),
                          tuple(self.emails), tuple(self.org_names), tuple(self.ids), self.reviews, self.faq,
                          tuple(dict.fromkeys(self.address_countries[:20])))


def _loads(raw: str):
    raw = raw.strip()
    if not raw:
        return None
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    for attempt in (raw, _TRAILING_COMMA.sub(r"\1", _CTRL.sub(" ", raw))):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    # several objects glued together: "{...}{...}"
    out = []
    dec = json.JSONDecoder(strict=False)
    pos = 0
    cleaned = _TRAILING_COMMA.sub(r"\1", _CTRL.sub(" ", raw))
    while pos < len(cleaned) and len(out) < 50:
        start = cleaned.find("{", pos)
        if start < 0:
            break
        try:
            obj, end = dec.raw_decode(cleaned, start)
        except (ValueError, RecursionError):
            break
        out.append(obj)
        pos = end
    return out or None


def _type_names(t) -> list[str]:
    vals = t if isinstance(t, list) else [t]
    out = []
    for v in vals:
        if isinstance(v, str) and v:
            name = v.rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip()
            if name and len(name) < 80:
                out.append(name)
    return out


def _num(v) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        m = _NUM.search(v)
        if m:
            try:
                return float(m.group(0).replace(",", "."))
            except ValueError:
                return None
    if isinstance(v, dict):
        return _num(v.get("@value"))
    return None


def _first(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v


def _address_text(a) -> str:
    if isinstance(a, str):
        return collapse(a)[:300]
    if not isinstance(a, dict):
        return ""
    parts = []
    for k in ("streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry"):
        v = _first(a.get(k))
        if isinstance(v, dict):
            v = v.get("name")
        if isinstance(v, (str, int)) and str(v).strip():
            parts.append(collapse(str(v)))
    return ", ".join(parts)[:300]


def _rating(node: dict, url: str, source: str) -> Rating | None:
    value = _num(_first(node.get("ratingValue")))
    if value is None:
        return None
    count = _num(_first(node.get("ratingCount"))) or _num(_first(node.get("reviewCount")))
    best = _num(_first(node.get("bestRating"))) or 5.0
    if best <= 0 or value < 0 or value > best * 1.01:
        return None
    return Rating(round(value, 2), int(count) if count is not None else None, best, url, source)


def _walk_jsonld(obj, url: str, out: _Acc, budget: list[int], depth: int = 0) -> None:
    if budget[0] <= 0 or depth > 40:
        limits.cut(f"structured data read as far as {MAX_NODES:,} nodes, 40 levels deep")
        return
    budget[0] -= 1
    if isinstance(obj, list):
        if len(obj) > MAX_ITEMS:
            limits.cut(f"the first {MAX_ITEMS:,} items of a JSON-LD list read")
        for x in obj[:MAX_ITEMS]:
            _walk_jsonld(x, url, out, budget, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    types = _type_names(obj.get("@type"))
    low = {t.lower() for t in types}
    out.types.extend(types)
    _collect(obj, low, url, out, "jsonld")
    if len(obj) > 200:
        limits.cut("the first 200 values of a JSON-LD object read")
    for v in list(obj.values())[:200]:
        if isinstance(v, (dict, list)):
            _walk_jsonld(v, url, out, budget, depth + 1)


def _collect(node: dict, low: set[str], url: str, out: _Acc, source: str) -> None:
    if "aggregaterating" in low:
        r = _rating(node, url, source)
        if r:
            out.ratings.append(r)
    if "review" in low:
        out.reviews += 1
    if "faqpage" in low:
        out.faq = True
    if "postaladdress" in low:
        t = _address_text(node)
        if t:
            out.addresses.append((t, source))
    if "postaladdress" in low or "addressCountry" in node:
        c = _first(node.get("addressCountry"))
        if isinstance(c, dict):
            c = _first(c.get("name")) or _first(c.get("identifier"))
        if isinstance(c, str) and c.strip():
            out.address_countries.append(collapse(c)[:60])
    if low & ORG_TYPES or "contactpoint" in low or "postaladdress" in low:
        for k in ("telephone",):
            v = _first(node.get(k))
            if isinstance(v, str) and v.strip():
                out.phones.append(v.strip()[:40])
        v = _first(node.get("email"))
        if isinstance(v, str) and "@" in v:
            out.emails.append(v.strip()[:120])
    if low & ORG_TYPES:
        name = _first(node.get("legalName")) or _first(node.get("name"))
        if isinstance(name, str) and name.strip():
            out.org_names.append(collapse(name)[:160])
        for k in ("vatID", "taxID", "leiCode"):
            v = _first(node.get(k))
            if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip():
                out.ids.append((k, str(v).strip()[:40]))
        idents = node.get("identifier")
        for ident in (idents if isinstance(idents, list) else [idents])[:10]:
            # a registry or tax number is a PropertyValue named by the register ("KRS", "REGON", "HRB"...)
            if isinstance(ident, dict):
                name, v = _first(ident.get("propertyID")), _first(ident.get("value"))
                if isinstance(name, str) and name.strip() and isinstance(v, (str, int)) and not isinstance(v, bool):
                    out.ids.append((name.strip()[:40], str(v).strip()[:40]))
        addr = _first(node.get("address"))
        if isinstance(addr, str) and addr.strip():
            out.addresses.append((collapse(addr)[:300], source))


# --------------------------------------------------------------------------- microdata / RDFa


def _itemprop_value(el) -> str:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if el.get("content") is not None:
        return el.get("content") or ""
    if tag in ("a", "link", "area"):
        return el.get("href") or ""
    if tag in ("img", "audio", "video", "source", "iframe", "embed"):
        return el.get("src") or ""
    if tag == "meta":
        return el.get("content") or ""
    if tag in ("data", "meter"):
        return el.get("value") or ""
    if tag == "time":
        return el.get("datetime") or collapse(text_of(el))
    return collapse(text_of(el))[:500]


def _microdata(pp: ParsedPage, out: _Acc, attrs: PageAttributes | None = None) -> None:
    count = 0
    if pp.elements_dropped:
        limits.cut(f"microdata looked for among the first {len(pp.elements):,} elements")
    for el in attrs.items if attrs is not None else pp.elements:
        itemtype = el.get("itemtype")
        typeof = el.get("typeof")
        if itemtype is None and typeof is None:
            continue
        count += 1
        if count > MAX_NODES:
            limits.cut(f"the first {MAX_NODES:,} microdata / RDFa items read")
            break
        source = "microdata" if itemtype is not None else "rdfa"
        types = []
        for t in (itemtype or typeof or "").split():
            types.extend(_type_names(t))
        if not types:
            continue
        out.types.extend(types)
        low = {t.lower() for t in types}
        if not (low & (ORG_TYPES | {"aggregaterating", "postaladdress", "contactpoint", "review", "faqpage"})):
            continue
        props: dict[str, str] = {}
        _props_of(el, props, source)
        _collect(props, low, pp.url, out, source)


def _props_of(scope, props: dict[str, str], source: str) -> None:
    """Direct properties of an item (not those of nested items), breadth-limited."""
    attr = "itemprop" if source == "microdata" else "property"
    stack = list(scope)[::-1]
    seen = 0
    while stack and seen < 2000:
        el = stack.pop()
        seen += 1
        if not isinstance(el.tag, str):
            continue
        names = (el.get(attr) or el.get("itemprop") or "").split()
        nested = el.get("itemscope") is not None or el.get("typeof") is not None
        for n in names:
            n = n.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            if n not in props:
                props[n] = _itemprop_value(el) if not nested else collapse(text_of(el))[:300]
        if not nested:
            stack.extend(list(el)[::-1])


def extract_structured(pp: ParsedPage, attrs: PageAttributes | None = None) -> Structured:
    """The structured data of one page (``attrs``: the page's shared attribute walk, which lists its items)."""
    out = _Acc()
    budget = [MAX_NODES]
    blocks = pp.json_ld_blocks
    if len(blocks) > MAX_BLOCKS:
        limits.cut(f"{limits.of(MAX_BLOCKS, len(blocks), 'JSON-LD blocks')} read")
    for block in blocks[:MAX_BLOCKS]:
        if len(block) > MAX_BLOCK:
            limits.cut(f"the first {MAX_BLOCK:,} characters of a JSON-LD block read")
        data = _loads(block[:MAX_BLOCK])
        if data is not None:
            _walk_jsonld(data, pp.url, out, budget)
    _microdata(pp, out, attrs)
    return out.freeze()
