"""Page kinds (contact, about, terms, ...): score links by anchor text + URL slug against rules/vocab/pages.yaml,
and classify fetched pages by their title / h1. Per page (``page_links``): the scored links and headings; for
the shop (``find_pages``): the best page of each kind.

JS-only links: a link whose href is ``javascript:`` or a bare ``#`` but whose text clearly names a page kind shows
the buyer that the page exists (a pop-up, an in-place panel), yet has no URL we can fetch. It is reported as a
``PageRef`` with ``url == ""``. In-page links (``#delivery``) are the sections of a one-page shop: reported as the
page's own URL with the fragment. Both count only when no link to another page exists for that kind (a page
beats a section, a section beats a JS control), and only with a clear label: an anchor that names the kind
(text score >= 0.8), or names it among other words (>= 0.6) in the header, navigation or footer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from trustaudit.extract import limits
from trustaudit.extract.site import is_same_site, normalize_url
from trustaudit.extract.text import fold, phrase_regex, snippet
from trustaudit.models import PAGE_KINDS, FetchedPage, PageRef, Region, SiteSnapshot
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import Link, ParsedPage, text_of

MIN_SCORE = 0.35
_NONWORD = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_EXT = re.compile(r"\.(?:html?|php\d?|aspx?|jsp|page|cfm|shtml)$", re.I)
_DIGIT = re.compile(r"\d")
_ITEM_COUNT = re.compile(r"[(\[]\s*\d[\d\s.,]*\s*[)\]]\s*\Z")


@dataclass(frozen=True)
class _Kind:
    name: str
    text_re: re.Pattern[str] | None
    whole: frozenset[str]  # normalised phrases that score 1.0 when they are the whole anchor
    slugs: frozenset[str]  # compacted slugs
    paths: tuple[str, ...]
    exclude_re: re.Pattern[str] | None
    fallback_for: str | None


@dataclass(frozen=True)
class _Leads:
    r"""Where a ``phrase_regex`` alternation can match, by the words of a folded text: each phrase's match starts
    a maximal run of letters and digits (``[^\W_]+``, a "word") equal to the run its first word starts with
    (``exact``), or, for a first word "word*" of letters and digits only, a word starting with it (``prefix``);
    ``always``: a phrase starting with punctuation, which only the search itself can rule out. A text none of
    whose words is such a word cannot match: the search is skipped, with the same result."""

    exact: frozenset[str] = frozenset()
    prefix: tuple[str, ...] = ()
    always: bool = False

    def may_match(self, words: frozenset[str]) -> bool:
        if self.always or not self.exact.isdisjoint(words):
            return True
        return bool(self.prefix) and any(w.startswith(self.prefix) for w in words)


_RUN = re.compile(r"[^\W_]+")


def _leads(phrases) -> _Leads:
    exact: set[str] = set()
    prefix: set[str] = set()
    for raw in phrases or ():
        first = next((w for w in str(raw).split() if fold(w.rstrip("*"))), None)
        if first is None:
            continue
        f = fold(first.rstrip("*"))
        m = _RUN.match(f)
        if m is None:
            return _Leads(always=True)
        if first.endswith("*") and m.end() == len(f):
            prefix.add(m.group(0))
        else:
            exact.add(m.group(0))
    return _Leads(frozenset(exact), tuple(sorted(prefix)))


@dataclass(frozen=True)
class _Vocab:
    kinds: tuple[_Kind, ...]
    connectors: frozenset[str]
    region_weight: dict[str, float]
    slug_index: dict[str, tuple[str, ...]]  # compact slug -> kinds
    # compact slug -> kinds, matched only as a whole path segment ("/policy/", never the tail of "/refund-policy")
    slug_whole_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # which kinds an anchor can score for, by its words (``_Leads`` of every kind's phrases, as one index):
    # word -> kinds, ("word*" prefix, kind) pairs, kinds whose phrases only a search can rule out; whole
    # anchor -> kinds
    lead_index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    lead_prefix: tuple[tuple[str, int], ...] = ()
    lead_always: tuple[int, ...] = ()
    whole_index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    exclude_leads: tuple[_Leads, ...] = ()  # per kind: where its exclusions can match
    lead_prefixes: tuple[str, ...] = ()  # every prefix of ``lead_prefix``


def _words(s: str) -> str:
    return _NONWORD.sub(" ", fold(s)).strip()


def _compact(s: str) -> str:
    return _NONWORD.sub("", fold(s))


@cached_build("pages")
def vocab() -> _Vocab:
    data = load_yaml("vocab/pages.yaml") or {}
    kinds = []
    text_leads: list[_Leads] = []
    exclude_leads: list[_Leads] = []
    for name, spec in (data.get("kinds") or {}).items():
        texts = [t for lst in (spec.get("texts") or {}).values() for t in (lst or [])]
        text_leads.append(_leads(texts))
        exclude_leads.append(_leads(spec.get("exclude") or []))
        exact = list(spec.get("exact") or [])
        whole = {_words(t.replace("*", "")) for t in texts + exact if "*" not in t}
        slugs = {_compact(s) for s in (spec.get("slugs") or []) if "/" not in str(s)}
        paths = tuple(str(p).lower() for p in (spec.get("paths") or []))
        paths += tuple(f"/{s}".lower() for s in (spec.get("slugs") or []) if "/" in str(s))
        kinds.append(
            _Kind(
                name=name,
                text_re=phrase_regex(texts),
                whole=frozenset(w for w in whole if w),
                slugs=frozenset(s for s in slugs if s),
                paths=paths,
                exclude_re=phrase_regex(spec.get("exclude") or []),
                fallback_for=spec.get("fallback_for"),
            )
        )
    rw = {k: float(v) for k, v in (data.get("region_weight") or {}).items()}
    conn = frozenset(fold(str(c)) for c in (data.get("connectors") or []))
    slug_index: dict[str, list[str]] = {}
    for k in kinds:
        for sl in k.slugs:
            slug_index.setdefault(sl, []).append(k.name)
    slug_whole_index: dict[str, list[str]] = {}
    for name, spec in (data.get("kinds") or {}).items():
        for sl in spec.get("slugs_whole") or []:
            if _compact(str(sl)):
                slug_whole_index.setdefault(_compact(str(sl)), []).append(name)
    lead_index: dict[str, list[int]] = {}
    whole_index: dict[str, list[int]] = {}
    for i, (k, leads) in enumerate(zip(kinds, text_leads, strict=True)):
        if k.text_re is not None:
            for w in leads.exact:
                lead_index.setdefault(w, []).append(i)
        for w in k.whole:
            whole_index.setdefault(w, []).append(i)
    enabled = [(i, leads) for i, (k, leads) in enumerate(zip(kinds, text_leads, strict=True)) if k.text_re is not None]
    return _Vocab(
        kinds=tuple(kinds),
        connectors=conn,
        region_weight=rw,
        slug_index={k: tuple(v) for k, v in slug_index.items()},
        slug_whole_index={k: tuple(v) for k, v in slug_whole_index.items()},
        lead_index={w: tuple(ix) for w, ix in lead_index.items()},
        lead_prefix=tuple((p, i) for i, leads in enabled for p in leads.prefix),
        lead_always=tuple(i for i, leads in enabled if leads.always),
        whole_index={w: tuple(ix) for w, ix in whole_index.items()},
        exclude_leads=tuple(exclude_leads),
        lead_prefixes=tuple(sorted({p for _i, leads in enabled for p in leads.prefix})),
    )


# --------------------------------------------------------------------------- text and URL scores


@lru_cache(maxsize=16384)
def text_scores(text: str) -> dict[str, float]:
    """Kind -> 0..1 for an anchor text or heading."""
    out: dict[str, float] = {}
    if not text:
        return out
    folded = fold(text)
    if not folded or len(folded) > 200:
        return out
    words = _NONWORD.sub(" ", folded).strip()
    n_words = len(words.split()) if words else 0
    if n_words == 0 or n_words > 12 or _ITEM_COUNT.search(folded):
        return out  # (a catalogue category with its number of products, "Pagalba judėjimui (4)", names no page)
    v = vocab()
    # the kinds this anchor can score for: a phrase match starts one of its words (``_Leads``); for the others
    # there is nothing to search, and their exclusions do not matter
    runs = frozenset(words.split())
    cand = set(v.lead_always)
    cand.update(v.whole_index.get(words, ()))
    for w in runs:
        cand.update(v.lead_index.get(w, ()))
    if v.lead_prefix and any(w.startswith(v.lead_prefixes) for w in runs):  # rarely: find which
        for pre, i in v.lead_prefix:
            if i not in cand and any(w.startswith(pre) for w in runs):
                cand.add(i)
    for i in sorted(cand):
        k = v.kinds[i]
        if k.exclude_re is not None and v.exclude_leads[i].may_match(runs) and k.exclude_re.search(folded):
            continue
        if words in k.whole:
            out[k.name] = 1.0
            continue
        if k.text_re is None:
            continue
        m = k.text_re.search(folded)
        if not m:
            continue
        lead = _NONWORD.sub("", folded[: m.start()])
        score = 0.8 if not lead or _joined_topic(folded[: m.start()], v.connectors) else 0.6
        if n_words > 6:
            score *= 0.5
        out[k.name] = score
    return out


def _joined_topic(lead: str, connectors: frozenset[str]) -> bool:
    """The words before a match are one or two words and a connector ("Service & Reklamationen", "Shipping and
    returns"): a link naming two topics, each as clearly as a link naming one."""
    toks = [t for t in re.split(r"\s+", lead.strip()) if t]
    if not 2 <= len(toks) <= 3 or toks[-1] not in connectors:
        return False
    return all(_NONWORD.sub("", t) for t in toks[:-1])


def _segments(url: str) -> list[tuple[list[str], bool]]:
    try:
        p = urlsplit(url)
    except ValueError:
        return []
    raw = unquote(p.path or "").split("/")
    if p.query:
        for _, v in parse_qsl(p.query, keep_blank_values=False)[:8]:
            raw.extend(unquote(v).split("/"))
    segs = []
    for seg in raw[:12]:
        seg = _EXT.sub("", seg)
        if not seg:
            continue
        camel = bool(_CAMEL.search(seg)) and not _NONWORD.search(seg)
        seg = _CAMEL.sub(" ", seg[:120])
        toks = [t for t in _NONWORD.split(fold(seg)) if t]
        # a record id before the slug ("/content/3-terms-and-conditions-of-use", "/12-kontakt")
        while len(toks) > 1 and toks[0].isdigit():
            del toks[0]
        if toks:
            segs.append((toks, camel))
    return segs


@lru_cache(maxsize=1)
def _all_paths() -> tuple[str, ...]:
    return tuple(p for k in vocab().kinds for p in k.paths)


@lru_cache(maxsize=16384)
def slug_kinds(url: str) -> frozenset[str]:
    """Kinds whose slug vocabulary names a URL path segment (whole, tail, or a part bounded by connectors)."""
    if not url:
        return frozenset()
    v = vocab()
    found: set[str] = set()
    try:
        p = urlsplit(url)
        pathq = (p.path or "/").lower() + (("?" + p.query.lower()) if p.query else "")
    except ValueError:
        pathq = ""
    if pathq.startswith(_all_paths()):
        for k in v.kinds:
            if k.paths and pathq.startswith(k.paths):
                found.add(k.name)
    for toks, camel in _segments(url):
        n = len(toks)
        cands: set[str] = set()
        for i in range(n):
            if i > 0 and toks[i - 1] not in v.connectors and not camel:
                continue
            for j in range(i + 1, min(n, i + 8) + 1):
                if j < n and toks[j] not in v.connectors and not camel:
                    continue
                cands.add("".join(toks[i:j]))
        for i in range(max(0, n - 6), n):  # tails: "next-day-delivery" -> "delivery"
            cands.add("".join(toks[i:]))
        for c in cands:
            found.update(v.slug_index.get(c, ()))
        if v.slug_whole_index:
            found.update(v.slug_whole_index.get("".join(toks), ()))
    return frozenset(found)


@lru_cache(maxsize=4096)
def excluded_kinds(text: str) -> frozenset[str]:
    """Kinds an anchor's words rule out ("Erste Hilfe" is a product category, not the help centre its URL's
    "/erste-hilfe/" would name)."""
    folded = fold(text) if text else ""
    if not folded or len(folded) > 200:
        return frozenset()
    return frozenset(k.name for k in vocab().kinds if k.exclude_re is not None and k.exclude_re.search(folded))


@cached_build("pages_payment_names")
def _payment_names() -> re.Pattern[str] | None:
    """The names of ways to pay (rules/vocab/widgets.yaml, payment and payment_method texts)."""
    data = load_yaml("vocab/widgets.yaml") or {}
    names = [str(t) for sec in ("payment", "payment_method") for spec in (data.get(sec) or {}).values()
             for key in ("texts", "texts_list", "texts_cs") for t in (spec or {}).get(key) or []
             if "<n>" not in str(t) and "..." not in str(t).split()]
    return phrase_regex(names)


@lru_cache(maxsize=1024)
def _names_a_way_to_pay(text: str) -> bool:
    """The anchor is the name of a way to pay, with at most three more words ("Contrassegno", "Bonifico per
    l'Italia", "PayPal")."""
    rx = _payment_names()
    folded = fold(text)
    m = rx.search(folded) if rx is not None and len(folded) <= 80 else None
    return m is not None and len(_NONWORD.sub(" ", folded[: m.start()] + " " + folded[m.end():]).split()) <= 3


def _link_kind_scores(text: str, url: str, region: str) -> dict[str, float]:
    v = vocab()
    ts = text_scores(text)
    sk = slug_kinds(url)
    if text and sk - ts.keys():
        sk = sk - excluded_kinds(text)
        if "payment" in sk and "payment" not in ts and _names_a_way_to_pay(text):
            # a way to pay named by a link into the page whose URL names the payment kind ("Contrassegno" ->
            # modalita_pagamento.asp#contrassegno): as clear as the page's own name
            ts = {**ts, "payment": 0.6}
    out: dict[str, float] = {}
    for name in set(ts) | set(sk):
        t = ts.get(name, 0.0)
        if t and name in sk:
            s = t + 0.4
        elif t:
            s = t
            if _DIGIT.search(text):
                s *= 0.5  # product names with sizes/models ("Conti Sport Contact 5 205/55")
        else:
            s = 0.5 if not text else 0.45
        out[name] = s * v.region_weight.get(region, 0.6)
    return out


def link_priority(link: Link) -> float:
    """How likely a link leads to a trust page (0 = irrelevant); the crawler fetches high scores first."""
    try:
        scores = _link_kind_scores(link.text, link.url, link.region.value if isinstance(link.region, Region) else str(link.region))
    except Exception:  # noqa: BLE001 - a hostile link must never break the crawl
        return 0.0
    if not scores:
        return 0.0
    best = max(scores.values())
    return round(best, 4) if best >= MIN_SCORE else 0.0


# --------------------------------------------------------------------------- site-level selection


@dataclass
class _Cand:
    kind: str
    url: str
    found_on: str
    anchor: str
    region: str
    score: float
    order: int
    tier: float = 0.0
    level: int = 2  # 2 = a link to a page, 1 = an in-page section ("#delivery"), 0 = a JS control


def _headings(pp: ParsedPage) -> list[str]:
    out = [pp.title] if pp.title else []
    if pp.root is not None:
        for i, h in enumerate(pp.root.iter("h1")):
            if i >= 3:
                break
            t = " ".join(text_of(h).split())
            if t:
                out.append(t[:200])
    return out


@dataclass(frozen=True)
class ScoredLink:
    """A link of one page that names a page kind, with its kind scores before the shop-level factors."""

    order: int  # position among the page's links (1-based)
    url: str  # "" for a JS control; the page's URL + the fragment for an in-page section
    anchor: str  # snippet of the anchor text
    region: str
    scores: tuple[tuple[str, float], ...]  # (kind, score) in the scorer's order
    level: int = 2  # 2 = a link to a page, 1 = an in-page section ("#delivery"), 0 = a JS control


@dataclass(frozen=True)
class PageLinks:
    """The page-kind facts of one page: its scored links and what its title / h1 headings name it."""

    links: tuple[ScoredLink, ...] = ()
    n_links: int = 0
    headings: tuple[tuple[str, float], ...] = ()  # (kind, best heading score)


def page_links(pp: ParsedPage) -> PageLinks:
    out: list[ScoredLink] = []
    links = pp.links
    if pp.links_dropped:
        limits.cut(f"{limits.of(len(links), len(links) + pp.links_dropped, 'links')} read (the first and the last)")
    for order, link in enumerate(links, 1):
        url, level = link.url, 2
        if not url:
            href = link.href.strip()
            low = href.lower()
            if low.startswith("javascript:") or low in ("#", "#!"):
                level = 0  # a control that opens the page in place (pop-up, panel)
            elif low.startswith("#") and len(href) > 1 and not low.startswith("#!/"):
                level, url = 1, pp.url.split("#", 1)[0] + href  # a section of this page
            else:
                continue  # mailto:, tel:, data: ...
        if level == 2:
            scores = _link_kind_scores(link.text, url, link.region.value)
        else:
            scores = _inpage_scores(link.text, link.href, link.region)
        if scores:
            out.append(ScoredLink(order, url, snippet(link.text, 160), link.region.value, tuple(scores.items()),
                                  level))
    best: dict[str, float] = {}
    for h in _headings(pp):
        for kind, s in text_scores(h).items():
            best[kind] = max(best.get(kind, 0.0), s)
    return PageLinks(tuple(out), len(pp.links), tuple(best.items()))


def find_pages(snapshot: SiteSnapshot, facts: Callable[[FetchedPage], PageLinks | None],
               site_keys: set[str]) -> dict[str, PageRef | None]:
    """The best page of each kind (``PAGE_KINDS`` and the vocabulary's extra kinds): links on the shop's own
    site, the home page's weighing most, and the fetched pages named by their headings."""
    fetched_urls = {normalize_url(p.url) for p in snapshot.pages if p.status < 400}
    statuses = _statuses(snapshot)
    cands: dict[str, list[_Cand]] = {}
    order = 0
    kinds_meta = {k.name: k for k in vocab().kinds}
    region_weight = vocab().region_weight
    for idx, page in enumerate(snapshot.pages):
        if page.status >= 400:
            continue
        pl = facts(page)
        if pl is None:
            continue
        page_factor = 1.0 if idx == 0 else 0.9
        for link in pl.links:
            if link.level == 2 and not is_same_site(link.url, site_keys):
                continue
            for kind, s in link.scores:
                s *= page_factor
                if s < MIN_SCORE:
                    continue
                rw = region_weight.get(link.region, 0.6)
                tier = round(s / rw, 1) - (0.3 if link.region == Region.BODY.value else 0.0) - (0.05 if idx else 0.0)
                cands.setdefault(kind, []).append(_Cand(
                    kind, "" if link.level == 0 else link.url, page.url, link.anchor, link.region, s,
                    order + link.order, tier, link.level,
                ))
        order += pl.n_links
        if idx > 0:
            # the fetched page itself, named by its title / h1
            for kind, s in pl.headings:
                order += 1
                cands.setdefault(kind, []).append(_Cand(kind, page.url, "", "", "", s * 0.9, order, s + 0.35))

    out: dict[str, PageRef | None] = {}
    for kind in PAGE_KINDS:
        out[kind] = _choose(kind, cands.get(kind, []), fetched_urls)
    for name in kinds_meta:  # extra kinds (legal_notice, cookies) are reported under their own key too
        if name not in out:
            out[name] = _choose(name, cands.get(name, []), fetched_urls)
    for name, meta in kinds_meta.items():
        if meta.fallback_for and out.get(meta.fallback_for) is None:
            ref = _choose(name, cands.get(name, []), fetched_urls)
            if ref is not None:
                out[meta.fallback_for] = PageRef(
                    meta.fallback_for, ref.url, ref.found_on, ref.anchor, ref.region, round(ref.score * 0.8, 4),
                    ref.fetched,
                )
    # what the linked page answered when it was fetched: a link to a 404 is not a published page
    return {k: (replace(ref, status=statuses.get(normalize_url(ref.url))) if ref and ref.url else ref)
            for k, ref in out.items()}


def _statuses(snapshot: SiteSnapshot) -> dict[str, int]:
    """Normalised URL -> HTTP status of the page it led to (after redirects), for every fetched page."""
    out: dict[str, int] = {}
    for p in snapshot.pages:
        for u in (*p.redirect_chain, p.requested_url, p.url):
            if u:
                out.setdefault(normalize_url(u), p.status)
    return out


def _inpage_scores(text: str, href: str, region: Region) -> dict[str, float]:
    """Kinds named by a link that stays on the page (a JS control or a "#section"): a clear anchor text, or (for a
    section) an anchor together with a fragment that names the kind ("#dostawa")."""
    rw = vocab().region_weight.get(region.value, 0.6)
    need = 0.8 if region is Region.BODY else 0.6
    frag = href.split("#", 1)[1] if href.startswith("#") else ""
    named = slug_kinds("http://x/" + frag) if frag and not frag.startswith("!") else frozenset()
    out = {}
    for k, s in text_scores(text).items():
        if s >= need or (s >= 0.6 and k in named):
            out[k] = s * 0.9 * rw
    return out


def _choose(kind: str, cands: list[_Cand], fetched_urls: set[str]) -> PageRef | None:
    if not cands:
        return None
    # a link to a page beats an in-page section, which beats a JS control
    top = max(c.level for c in cands)
    pool = [c for c in cands if c.level == top]
    # the same URL linked several times adds a little confidence
    by_url: dict[str, float] = {}
    for c in pool:
        key = normalize_url(c.url) if c.url else ""
        by_url[key] = by_url.get(key, 0.0) + 1
    # strength tiers first (exact anchor + slug > anchor > slug only; body links a tier lower), then the
    # first link in document order, like a buyer scanning the page
    best = max(pool, key=lambda c: (c.tier, -c.order))
    fetched = bool(best.url) and normalize_url(best.url) in fetched_urls
    return PageRef(kind, best.url, best.found_on, best.anchor, best.region, round(best.score, 4), fetched)
