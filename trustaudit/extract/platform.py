"""Which shop platform runs the site (Shopify, WooCommerce, PrestaShop, Magento, Shoper, Salla …).

The fingerprints are data in the stack packs (``rules/stacks/<slug>.yaml``, whose fixes the engine reads);
each is ``{where: <place>, match: <substring or list>, weight: <n>}``:

========== ===================================================================================== ==========
where      what is searched                                                                      case
========== ===================================================================================== ==========
asset      ``<script src>`` and ``<link href>`` URLs (theme files, CDNs)                         insensitive
img        ``<img src>`` URLs (weak: anyone can hot-link a picture)                              insensitive
generator  ``<meta name="generator" content>``                                                   insensitive
meta       a ``<meta name|property>`` that exists (``shopify-digital-wallet``)                   insensitive
class      the ``class`` attribute of ``<html>`` / ``<body>``                                     insensitive
attr       an attribute name used on any element (``data-mage-init``)                            insensitive
id         an element ``id`` starting with the match (``sylius-``)                               insensitive
script     the ``type`` of a ``<script>`` (``text/x-magento-init``)                              insensitive
tag        a custom element whose tag name starts with the match (``salla-``)                    insensitive
inline     inline ``<script>`` bodies (JS globals such as ``Shopify.theme``)                     sensitive
html       the raw document (only what the parsed tree loses, e.g. comments)                     sensitive
header     the response headers as ``name: value`` lines (cookies, ``x-shopid``)                 insensitive
link       ``<a href>`` URLs on the shop's own host (``index.php?route=``)                       insensitive
========== ===================================================================================== ==========

A list ``match`` needs every part in the same value (``[/skins/, shoper]``). Visible text is never searched, so a
blog post about Shopify, or a "Powered by Shopify" link to shopify.com, does not make a site a Shopify shop.

Per page, ``page_fingerprints`` lists the fingerprints a page shows; for the shop, ``decide`` scores them: each
fingerprint counts once, at full weight when seen on the home page (the first page) and at half weight when only
another page shows it (only the first ``MAX_PAGES`` pages count). The best platform scoring at least its ``threshold`` (default 3) wins; a pack's
``overrides`` list names more generic platforms it beats whenever both qualify (WooCommerce over WordPress).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

from lxml import etree

from trustaudit.extract.attributes import TREE_ELEMENTS, TREE_IDS, PageAttributes
from trustaudit.models import Detection
from trustaudit.resources import load_yaml, rules_dir
from trustaudit.web.html import ParsedPage
from trustaudit.web.urls import host_of, strip_www

__all__ = ["decide", "detect_platform", "page_fingerprints"]

log = logging.getLogger(__name__)

HTML_SCAN_CHARS = 300_000  # raw document scanned for `html` fingerprints
INLINE_SCAN_CHARS = 300_000  # inline script text scanned for `inline` fingerprints
MAX_ELEMENTS = 30_000  # script/link/img/meta/a elements looked at per page
MAX_TREE_ELEMENTS = TREE_ELEMENTS  # elements walked for attribute names, ids and custom tags
MAX_IDS = TREE_IDS
MAX_LINKS = 1_000  # <a> elements looked at per page
MAX_VALUES = 400  # URLs kept per kind per page
MAX_PAGES = 6  # the home page and a few others as support
HEADER_SCAN_CHARS = 20_000
DEFAULT_THRESHOLD = 3.0
OTHER_PAGE_FACTOR = 0.5
WHERE = ("asset", "img", "generator", "meta", "class", "attr", "id", "script", "tag", "inline", "html", "header", "link")
_CASE_SENSITIVE = {"inline", "html"}


@dataclass(frozen=True)
class Fingerprint:
    slug: str
    where: str
    parts: tuple[str, ...]
    weight: float

    @property
    def label(self) -> str:
        return f"{self.where}: {' + '.join(self.parts)}"


@dataclass(frozen=True)
class Pack:
    slug: str
    fingerprints: tuple[Fingerprint, ...]
    threshold: float
    overrides: frozenset[str]


def compile_packs(packs: Mapping[str, Mapping[str, Any]]) -> tuple[Pack, ...]:
    """Turn stack-pack dicts into :class:`Pack` objects; malformed fingerprints are skipped, never raised."""
    out: list[Pack] = []
    for slug, pack in packs.items():
        if not isinstance(pack, Mapping):
            continue
        fps: list[Fingerprint] = []
        for fp in pack.get("fingerprints") or ():
            compiled = _compile_fp(str(slug), fp)
            if compiled is not None:
                fps.append(compiled)
        if not fps:
            continue
        try:
            threshold = float(pack.get("threshold", DEFAULT_THRESHOLD))
        except (TypeError, ValueError):
            threshold = DEFAULT_THRESHOLD
        overrides = pack.get("overrides") or ()
        if isinstance(overrides, str):
            overrides = (overrides,)
        out.append(Pack(str(slug), tuple(fps), threshold, frozenset(str(o) for o in overrides)))
    return tuple(out)


def _compile_fp(slug: str, fp: Any) -> Fingerprint | None:
    if not isinstance(fp, Mapping):
        return None
    where = str(fp.get("where") or "")
    if where not in WHERE:
        return None
    match = fp.get("match")
    parts = (match,) if isinstance(match, str) else tuple(match) if isinstance(match, (list, tuple)) else ()
    parts = tuple(str(p) for p in parts if str(p))
    if not parts:
        return None
    if where not in _CASE_SENSITIVE:
        parts = tuple(p.lower() for p in parts)
    try:
        weight = float(fp.get("weight", 1))
    except (TypeError, ValueError):
        return None
    if weight <= 0:
        return None
    return Fingerprint(slug, where, parts, weight)


@lru_cache(maxsize=1)
def _default_packs() -> tuple[Pack, ...]:
    """The fingerprints of every stack pack under rules/stacks (a pack that does not load is left out here; the
    engine, which also reads the packs' fixes, reports it)."""
    packs: dict[str, Mapping[str, Any]] = {}
    folder = rules_dir() / "stacks"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        try:
            data = load_yaml(f"stacks/{path.name}") or {}
        except Exception:  # noqa: BLE001 - OSError or the YAML parser's error: a broken pack is left out
            continue
        if isinstance(data, Mapping):
            packs[str(data.get("slug") or path.stem)] = data
    return compile_packs(packs)


# --------------------------------------------------------------------------- one page -> searchable views


@dataclass
class _Views:
    asset: list[str]
    img: list[str]
    generator: list[str]
    meta: set[str]
    cls: str
    script: set[str]
    inline: str
    html: str
    header: str
    link: list[str]
    attrs: set[str] = field(default_factory=set)
    ids: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)




def _views(pp: ParsedPage, attrs: PageAttributes | None = None) -> _Views:
    assets: list[str] = []
    imgs: list[str] = []
    generators: list[str] = []
    metas: set[str] = set()
    classes: list[str] = []
    links: list[str] = []
    script_types: set[str] = set()
    home = _host(pp.url)
    root = pp.root
    if root is not None:
        for el in islice(root.iter("script", "link", "meta", "html", "body"), MAX_ELEMENTS):
            tag = el.tag
            if tag == "script":
                stype = el.get("type")
                if stype:
                    script_types.add(stype.strip()[:100].lower())
                src = el.get("src")
                if src and len(assets) < MAX_VALUES:
                    assets.append(src[:2000].lower())
            elif tag == "link":
                href = el.get("href")
                if href and len(assets) < MAX_VALUES:
                    assets.append(href[:2000].lower())
            elif tag == "meta":
                name = (el.get("name") or el.get("property") or "").strip().lower()
                if name:
                    metas.add(name[:200])
                    if name == "generator":
                        generators.append((el.get("content") or "")[:300].lower())
            else:  # html, body
                classes.append((el.get("class") or "")[:4000].lower())
        for el in islice(root.iter("img"), MAX_VALUES):
            src = el.get("src") or el.get("data-src")
            if src:
                imgs.append(src[:2000].lower())
        for el in islice(root.iter("a"), MAX_LINKS):
            href = el.get("href")
            if href and _own(href, home):
                links.append(href[:2000].lower())
    headers = getattr(pp.page, "headers", None) or {}
    header_lines: list[str] = []
    size = 0
    if isinstance(headers, Mapping):
        for k, v in headers.items():
            line = f"{k}: {v}".lower()
            header_lines.append(line)
            size += len(line)
            if size > HEADER_SCAN_CHARS:
                break
    html = pp.html or ""
    return _Views(
        asset=assets,
        img=imgs,
        generator=generators,
        meta=metas,
        cls=" ".join(classes),
        script=script_types,
        inline=(pp.inline_scripts or "")[:INLINE_SCAN_CHARS],
        html=html[:HTML_SCAN_CHARS] if isinstance(html, str) else "",
        header="\n".join(header_lines)[:HEADER_SCAN_CHARS],
        link=links,
        **(_tree_names(root) if attrs is None else {"attrs": set(attrs.names), "ids": list(attrs.ids),
                                                     "tags": set(attrs.custom_tags)}),
    )


def _tree_names(root) -> dict[str, Any]:
    """Attribute names, element ids and custom-element tag names of the first MAX_TREE_ELEMENTS elements.

    Platform markers sit in the page head and header, so a bounded walk finds them; the walk is the costly part
    (about 2 µs per element), hence the cap."""
    attrs: set[str] = set()
    ids: list[str] = []
    tags: set[str] = set()
    if root is None:
        return {"attrs": attrs, "ids": ids, "tags": tags}
    for el in islice(root.iter(etree.Element), MAX_TREE_ELEMENTS):
        tag = el.tag
        keys = el.keys()
        if keys:
            attrs.update(keys)
            ident = el.get("id")
            if ident and len(ids) < MAX_IDS:
                ids.append(ident[:200].lower())
        if "-" in tag:
            tags.add(tag.lower()[:200])
    return {"attrs": {a.lower() for a in attrs if isinstance(a, str)}, "ids": ids, "tags": tags}


def _host(url: str) -> str:
    return strip_www(host_of(url))


def _own(href: str, home: str) -> bool:
    """Is a link on the page's own site? Relative links are; absolute ones must share the host."""
    h = href.strip().lower()
    if h.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return False
    if not h.startswith(("http:", "https:", "//")):
        return True
    return bool(home) and _host(h if not h.startswith("//") else "http:" + h) == home


def _in_any(parts: tuple[str, ...], values) -> str | None:
    """The first value containing every part, else None."""
    if len(parts) == 1:
        p = parts[0]
        for v in values:
            if p in v:
                return v
        return None
    for v in values:
        if all(p in v for p in parts):
            return v
    return None


def _match(fp: Fingerprint, v: _Views) -> bool:
    w = fp.where
    if w in ("asset", "img", "generator", "link"):
        return _in_any(fp.parts, getattr(v, w)) is not None
    if w == "meta":
        return all(p in v.meta for p in fp.parts)
    if w == "attr":
        return all(p in v.attrs for p in fp.parts)
    if w == "id":
        return all(any(i.startswith(p) for i in v.ids) for p in fp.parts)
    if w == "tag":
        return all(any(t.startswith(p) for t in v.tags) for p in fp.parts)
    if w == "script":
        return all(p in v.script for p in fp.parts)
    if w == "class":
        return all(p in v.cls for p in fp.parts)
    if w in ("inline", "html", "header"):
        text = getattr(v, w)
        return all(p in text for p in fp.parts)
    return False


# --------------------------------------------------------------------------- scoring


def detect_platform(
    pages: Sequence[ParsedPage], packs: Mapping[str, Mapping[str, Any]] | None = None
) -> Detection | None:
    """The shop platform, from fingerprints over the home page (``pages[0]``) and a few other pages; never raises."""
    try:
        compiled = compile_packs(packs) if packs is not None else _default_packs()
        return decide([(pp.url, page_fingerprints(pp, compiled)) for pp in list(pages)[:MAX_PAGES]], compiled)
    except RecursionError:
        return None
    except Exception:  # noqa: BLE001 - hostile markup or a broken pack must not lose the report
        log.debug("platform detection failed", exc_info=True)
        return None


def page_fingerprints(pp: ParsedPage, packs: tuple[Pack, ...] | None = None,
                      attrs: PageAttributes | None = None) -> frozenset[Fingerprint]:
    """The fingerprints (of every pack) that one page shows (``attrs``: the page's shared attribute walk)."""
    packs = packs if packs is not None else _default_packs()
    views = _views(pp, attrs)
    return frozenset(fp for pack in packs for fp in pack.fingerprints if _match(fp, views))


def decide(pages: Sequence[tuple[str, frozenset[Fingerprint]]], packs: tuple[Pack, ...] | None = None
           ) -> Detection | None:
    """The platform of a shop from the fingerprints of its pages, in crawl order: ``(url, fingerprints)``."""
    packs = packs if packs is not None else _default_packs()
    if not pages or not packs:
        return None
    # slug -> fingerprint -> (factor, page url); the home page's sighting wins over a later one
    seen: dict[str, dict[Fingerprint, tuple[float, str]]] = {}
    for i, (url, shown) in enumerate(list(pages)[:MAX_PAGES]):
        factor = 1.0 if i == 0 else OTHER_PAGE_FACTOR
        for pack in packs:
            hits = seen.setdefault(pack.slug, {})
            for fp in pack.fingerprints:
                prev = hits.get(fp)
                if prev is not None and prev[0] >= factor:
                    continue
                if fp in shown:
                    hits[fp] = (factor, url)

    scores: dict[str, float] = {}
    by_slug = {p.slug: p for p in packs}
    for slug, hits in seen.items():
        score = sum(fp.weight * f for fp, (f, _) in hits.items())
        if score >= by_slug[slug].threshold:
            scores[slug] = score
    if not scores:
        return None
    beaten = set()
    for slug in scores:
        beaten |= by_slug[slug].overrides
    candidates = [s for s in scores if s not in beaten] or list(scores)
    best = max(candidates, key=lambda s: (scores[s], -candidates.index(s)))
    hits = seen[best]
    ranked = sorted(hits.items(), key=lambda kv: (-kv[1][0], -kv[0].weight, kv[0].label))
    url = ranked[0][1][1]
    evidence = "; ".join(fp.label for fp, _ in ranked[:2])
    return Detection(best, "platform", url, evidence=evidence[:160])
