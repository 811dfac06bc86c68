"""Third-party services from fingerprints in rules/vocab/widgets.yaml: review widgets, live chat, payment
providers and methods, social profiles, messengers (the shop platform: trustaudit/extract/platform.py).

Social: only ``<a>`` links to a network with a profile path count (``//plus.google.com`` alone, share buttons
``sharer.php``/``intent/tweet``, plugin and policy pages do not); a ``#!/name`` fragment is read as the path, and
on networks whose profiles are subdomains (``shop.tumblr.com``) the subdomain is the profile. Messengers:
``wa.me``, ``t.me``, ``viber:``, ``m.me`` ... links.

Payment names that are also ordinary words ("Rechnung", "ideal", "مدى") are listed under ``texts_list``: they
count only as an item of a list of ways to pay (between separators, next to another payment name), not in
prose. A live-chat control whose vendor nothing identifies (a "Live chat" button) is reported as the chat
slug ``unidentified``, only when no vendor was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, islice

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.phrases import SERVICE_KINDS, Hit, page_hits, service_hits, text_hits
from trustaudit.extract.text import fold, fold_same_length, phrase_regex, snippet, snippet_around
from trustaudit.models import Detection
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import FOLD_CHARS, MAX_ELEMENTS, SCRIPT_CHARS, ParsedPage, text_of
from trustaudit.web.urls import host_and_path as _host_path

_URL_ATTRS = {"script": ("src",), "iframe": ("src", "data-src"), "img": ("src", "data-src"), "link": ("href",),
              "a": ("href",), "form": ("action",), "embed": ("src",), "source": ("src",), "object": ("data",)}
_TLDS = "com|net|org|de|ru|pl|io|co|me|ai|sk|cz|gr|sa|ae|to|ua|uk|fr|it|es|eu|info|biz|chat|dk"
_HOSTLIKE = re.compile(r"(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})(/[\w./?=&%+~:-]*)?|\b((?:[a-z0-9-]+\.)+(?:" + _TLDS + r")(?:/[\w./?=&%+~-]*)?)", re.I)
# Every _HOSTLIKE match holds an anchor, "//" or "." + one of the TLDs (the same case-insensitive literals),
# and no character of _NOT_HOST_CHAR (see _host_matches)
_HOST_ANCHOR = re.compile(r"//|\.(?:" + _TLDS + ")", re.I)
_NOT_HOST_CHAR = re.compile(r"[^\w.\-/?=&%+~:]")
_ALNUM_RUN = re.compile(r"[^\W_]*")  # letters and digits, as str.isalnum
_NOT_ALNUM = re.compile(r"[\W_]")
_IDENT = re.compile(r"[$A-Za-z_][$\w]*")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SCAN_TAGS = frozenset((*_URL_ATTRS, "input", "area", "meta"))  # elements the URL / alt text / generator pass reads
_SCAN_TAG_NAMES = tuple(sorted(_SCAN_TAGS))
_ALT_TAGS = ("img", "a", "input", "area")
SECTIONS = SERVICE_KINDS
PAYMENT_KINDS = ("payment", "payment_method")
UNIDENTIFIED_CHAT = "unidentified"
# what may stand between two items of a list of payment names ("Vorkasse, Rechnung", "مدى، فيزا", "Visa / Mastercard")
_LIST_SEPARATORS = frozenset(",;/|•·–—-:+&()[]{}<>*\u060c\u061b\u2022\u00b7\n\t")
_LIST_NEAR = 150  # another payment name within this many characters makes a list
MAX_MARKUP = 2_000_000  # characters of class / id / data-* names per page
MAX_INLINE = 1_000_000  # characters of inline scripts per page
MAX_ALT = 200_000  # characters of alt / title texts and link fragments per page


@dataclass
class _Slug:
    slug: str
    kind: str
    hosts: list[tuple[str, str]] = field(default_factory=list)  # (host, path prefix)
    paths: list[str] = field(default_factory=list)  # "/wp-content/": path substrings on any host
    url_patterns: list[str] = field(default_factory=list)
    globals: frozenset[str] = frozenset()
    markup: list[str] = field(default_factory=list)
    links_only: bool = False
    needs_company: bool = False
    generator: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    implied_by: frozenset[str] = frozenset()
    profile_subdomains: bool = False


@dataclass(frozen=True)
class _Db:
    slugs: tuple[_Slug, ...]
    by_host: dict[str, list[tuple[_Slug, str]]]
    cs_re: re.Pattern[str] | None
    cs_map: dict[str, _Slug]
    social_exclude: tuple[str, ...]
    by_name: dict[tuple[str, str], _Slug]
    markup_tags: tuple[str, ...]
    host_labels: int  # labels of the longest host in by_host
    list_words: frozenset[str]  # connector words allowed between list items ("und", "или", "أو")
    chat_controls: re.Pattern[str] | None  # texts of a live-chat control (folded, whole anchor start)
    sprite_words: frozenset[str]  # words of an SVG sprite symbol's id that name no service ("icon", "logo")


@cached_build("widgets")
def db() -> _Db:
    data = load_yaml("vocab/widgets.yaml") or {}
    slugs: list[_Slug] = []
    by_host: dict[str, list[tuple[_Slug, str]]] = {}
    cs: dict[str, _Slug] = {}
    for kind in SECTIONS:
        for name, spec in (data.get(kind) or {}).items():
            spec = spec or {}
            s = _Slug(str(name), kind)
            for h in spec.get("hosts") or []:
                h = str(h).lower()
                if h.startswith("/"):
                    s.paths.append(h)
                    continue
                host, _, path = h.partition("/")
                host = host[4:] if host.startswith("www.") else host
                s.hosts.append((host, "/" + path if path else ""))
                by_host.setdefault(host, []).append((s, "/" + path if path else ""))
            s.url_patterns = [str(x).lower() for x in spec.get("url_patterns") or []]
            s.globals = frozenset(str(g) for g in spec.get("globals") or [])
            s.markup = [str(m).lower() for m in spec.get("markup") or []]
            s.links_only = bool(spec.get("links_only"))
            s.needs_company = bool(spec.get("needs_company"))
            s.generator = [str(g).lower() for g in spec.get("generator") or []]
            s.schemes = [str(x).lower() for x in spec.get("schemes") or []]
            s.implied_by = frozenset(str(x) for x in spec.get("implied_by") or [])
            s.profile_subdomains = bool(spec.get("profile_subdomains"))
            for t in spec.get("texts_cs") or []:
                if str(t):
                    cs[str(t)] = s
            slugs.append(s)
    cs_re = None
    if cs:
        # whole words: the "no word character before" check comes after each phrase's first character, so the
        # pattern starts with literals and the regex engine skips straight to the candidate characters
        cs_re = re.compile(r"(?:" + "|".join(
            re.escape(k[0]) + r"(?<![^\W_][\s\S])" + re.escape(k[1:]) for k in sorted(cs, key=len, reverse=True)
        ) + r")(?![^\W_])")
    return _Db(
        slugs=tuple(slugs),
        by_host=by_host,
        cs_re=cs_re,
        cs_map=cs,
        social_exclude=tuple(str(x).lower() for x in data.get("social_exclude") or []),
        by_name={(s.kind, s.slug): s for s in slugs},
        markup_tags=tuple(str(x).lower() for x in data.get("markup_tags") or []),
        host_labels=max((h.count(".") + 1 for h in by_host), default=0),
        list_words=frozenset(fold(str(x)) for x in data.get("list_connectors") or []),
        chat_controls=_control_regex(data.get("chat_controls") or []),
        sprite_words=frozenset(str(x).lower() for x in data.get("sprite_words") or []),
    )


def _control_regex(phrases) -> re.Pattern[str] | None:
    """A folded anchor / button text that starts with one of ``phrases`` (whole words)."""
    rx = phrase_regex([str(p) for p in phrases])
    return None if rx is None else re.compile(r"\A\W*(?:" + rx.pattern + ")")


def _host_matches(text: str) -> Iterator[re.Match[str]]:
    """``_HOSTLIKE.finditer(text)``, the slow pattern (no literal start: the regex engine tries it at every
    position of long script code) run only on the runs of host characters that hold an anchor.

    A run is bounded by characters no match contains (or the text's ends), so no match crosses it, the scan
    restarts fresh after it and the pattern's word-boundary test sees a non-word character there as at the
    text's ends: each anchored run searched alone (``pos`` / ``endpos``) gives the same matches, in the same
    order, as the whole text. Where anchors come thick (hostile text), the rest is searched in one go."""
    n = len(text)
    pos = 0
    runs = 0
    rev = None
    while pos < n:
        if runs > 64 and runs * 40 > pos:
            yield from _HOSTLIKE.finditer(text, pos)
            return
        a = _HOST_ANCHOR.search(text, pos)
        if a is None:
            return
        i = a.start()
        if rev is None:
            rev = text[::-1]
        b = _NOT_HOST_CHAR.search(rev, n - i, n - pos)  # the last non-host character before the anchor
        start = n - b.start() if b is not None else pos
        b = _NOT_HOST_CHAR.search(text, a.end())
        end = b.start() if b is not None else n
        yield from _HOSTLIKE.finditer(text, start, end)
        pos = end
        runs += 1


def _match_url(url: str) -> list[tuple[_Slug, str]]:
    """Slugs whose host (and path prefix) match an absolute URL."""
    host, path = _host_path(url)
    out = []
    if host:
        parts = host.split(".")
        lpath = path.lower()
        # suffixes of at most as many labels as the longest known host (a hostile host has thousands)
        d = db()
        for i in range(max(0, len(parts) - d.host_labels), len(parts) - 1):
            cand = ".".join(parts[i:])
            for s, prefix in d.by_host.get(cand, ()):
                if not prefix or lpath.startswith(prefix.lower()):
                    out.append((s, url))
    return out


@dataclass
class PageWidgets:
    found: dict[tuple[str, str], Detection] = field(default_factory=dict)
    text_only: set[tuple[str, str]] = field(default_factory=set)

    def add(self, s: _Slug, url: str, evidence: str, via_text: bool = False) -> None:
        key = (s.kind, s.slug)
        if key not in self.found:
            self.found[key] = Detection(s.slug, s.kind, url, snippet(evidence, 160))
            if via_text:
                self.text_only.add(key)
        elif not via_text:
            self.text_only.discard(key)

    def add_around(self, s: _Slug, url: str, text: str, start: int, end: int, via_text: bool = False) -> None:
        """``add`` with the snippet of ``text`` around [start, end) as evidence, cut only if it is kept (a name
        can repeat thousands of times on a page)."""
        key = (s.kind, s.slug)
        if key in self.found:
            if not via_text:
                self.text_only.discard(key)
            return
        self.add(s, url, snippet_around(text, start, end, 120), via_text)


def scan_page(pp: ParsedPage, hits: list[Hit] | None = None, attrs: PageAttributes | None = None) -> PageWidgets:
    """Third-party fingerprints on one page (``hits``: the page's ``phrases.page_hits`` when the caller has
    them). A URL, class name, alt text or inline script repeated on the page is looked at once.

    Cost: Python touches only the elements that can carry a URL, alt text or generator, and each element's
    attributes once for markup; the long texts (scripts, page text) go through literal-led regex scans, the
    slower exact patterns only where those found something. Each shortcut gives exactly what the plain pass
    gave (tests/test_widgets_fast_paths.py)."""
    d = db()
    shared, res = attrs, PageWidgets()
    root = pp.root
    if root is None:
        return res
    seen: set = set()
    alt_texts: list[str] = []
    generator = ""
    scheme_slugs = _scheme_slugs()
    elements = pp.elements
    if pp.elements_dropped:
        limits.cut(f"the first {len(elements):,} elements read")
    if shared is not None and not pp.elements_dropped and all(t == t.lower() for t in shared.tags):
        # the element names from the shared walk, and only the elements this pass reads (filtered by lxml in C)
        tags, mixed_case = set(shared.tags), False
        scanned: Iterable = ((el, el.tag) for el in root.iter(*_SCAN_TAG_NAMES))
        tag_list = None
    else:
        tag_list = [el.tag for el in elements]
        tags = set(tag_list)
        mixed_case = any(t != t.lower() for t in tags)
        if mixed_case:  # never from lxml's HTML parser, which lowercases names
            tag_list = [t.lower() for t in tag_list]
            tags = set(tag_list)
        # only the elements whose attributes this pass reads, in document order
        scanned = compress(zip(elements, tag_list, strict=True), map(_SCAN_TAGS.__contains__, tag_list))
    for el, tag in scanned:
        attrs = _URL_ATTRS.get(tag)
        if attrs:
            for a in attrs:
                v = el.get(a)
                if not v:
                    continue
                v = v.strip()
                key = (tag, v)
                if key in seen:
                    continue
                seen.add(key)
                low = v.lower()
                if tag == "a":
                    if "#" in v:
                        frag = v.split("#", 1)[1][:60]
                        if frag and not frag.startswith(("!", "/")):
                            alt_texts.append(_CAMEL.sub(" ", frag))
                    for s, schemes in scheme_slugs:
                        if low.startswith(schemes):
                            res.add(s, v[:200], v)
                    if low.startswith(("mailto:", "tel:", "javascript:", "#")):
                        continue
                if low.startswith(("http://", "https://")):
                    absolute = v
                elif low.startswith("//"):
                    absolute = "http:" + v
                elif low.startswith(("data:", "about:", "blob:")):
                    continue
                else:
                    # relative: on the shop's own host, only path fingerprints (platforms, self-hosted chat)
                    _check_paths(res, v if low.startswith("/") else "/" + v, tag, pp.url)
                    continue
                _check_url(res, absolute, tag, pp.url)
        if tag in _ALT_TAGS:
            for a in ("alt", "title", "aria-label"):
                v = el.get(a)
                if v and ("alt", v) not in seen:
                    seen.add(("alt", v))
                    # file-name-like texts ("ico_visa", "visa_card") name it as words
                    alt_texts.append(v[:200].replace("_", " "))
        elif tag == "meta" and (el.get("name") or "").lower() == "generator":
            generator = (el.get("content") or "").lower()
    # an inline SVG logo names itself in its <title> or aria-label, as an <img> does in its alt (shop platforms
    # render payment icons so: <svg aria-labelledby="pi-visa"><title id="pi-visa">Visa</title>...), or by the
    # sprite symbol it shows (<svg><use xlink:href="#icon-logo-visa"></svg>: the symbols a sprite defines are
    # not read, only the ones a page shows)
    if "svg" in tags:
        # at most as many as the other Python-level walks read (a hostile page holds millions)
        for el in islice(root.iter("svg", "title", "use"), MAX_ELEMENTS):
            if el.tag == "svg":
                v = el.get("aria-label")
            elif el.tag == "use":
                ref = _CAMEL.sub(" ", (el.get("href") or el.get("xlink:href") or "").partition("#")[2][:60])
                v = " ".join(w for w in re.split(r"[\s_-]+", ref) if w.lower() not in d.sprite_words) or None
            else:
                parent = el.getparent()
                v = text_of(el) if parent is not None and parent.tag == "svg" else None
            if v and ("alt", v) not in seen:
                seen.add(("alt", v))
                alt_texts.append(v[:200].replace("_", " "))
    # class / id / aria-labelledby values, data-* names and vendor element names, in order of first occurrence,
    # minus what earlier pages had
    vendor_tags = bool(d.markup_tags) and any(t.startswith(d.markup_tags) for t in tags)
    if shared is not None and not mixed_case:
        parts: Iterable[str] = shared.markup  # the same, from the page's shared walk (``page_attributes``)
    else:
        parts = _markup_parts(elements, tag_list if vendor_tags else None, d.markup_tags)
    markup_parts = [p for p in parts if ("markup", p) not in seen]
    seen.update([("markup", p) for p in markup_parts])
    markup = " ".join(markup_parts).lower()
    if len(markup) > MAX_MARKUP:
        limits.cut(f"{limits.of(MAX_MARKUP, len(markup), 'characters of class / id names')} read")
        markup = markup[:MAX_MARKUP]
    if markup or generator:
        for s in d.slugs:
            for m in s.markup:
                if m.endswith("$"):  # the whole name, not the start of a longer one ("pi-mb", not "pi-mbway")
                    if m[:-1] in markup and _whole_name(m[:-1]).search(markup):
                        res.add(s, pp.url, f"markup: {m[:-1]}")
                        break
                elif m in markup:
                    res.add(s, pp.url, f"markup: {m}")
                    break
            if generator and any(g in generator for g in s.generator):
                res.add(s, pp.url, f"generator: {generator}")
    bodies = []
    for body in pp.inline_script_bodies:
        if ("script", body) not in seen:
            seen.add(("script", body))
            bodies.append(body)
    inline = "\n".join(bodies)
    if len(inline) > MAX_INLINE or pp.scripts_cut:
        limits.cut(f"{limits.of(MAX_INLINE, len(inline), 'characters of inline scripts')} read"
                   + (f" (each script's first {SCRIPT_CHARS:,})" if pp.scripts_cut else ""))
        inline = inline[:MAX_INLINE]
    if inline:
        low_inline = inline.lower()
        for m in _host_matches(low_inline):
            host = m.group(1) or ""
            path = m.group(2) or ""
            if not host and m.group(3):
                host, _, rest = m.group(3).partition("/")
                path = "/" + rest
            for s, _u in _match_url(f"http://{host}{path}"):
                if not s.links_only:
                    res.add_around(s, pp.url, inline, m.start(), m.end())
        idents = set(_IDENT.findall(inline))
        for s in d.slugs:
            if s.globals and s.globals & idents:
                res.add(s, pp.url, "script global: " + sorted(s.globals & idents)[0])
            for pat in s.url_patterns:
                if pat in low_inline:
                    res.add(s, pp.url, f"script: {pat}")
            for pat in s.paths:
                if pat in low_inline:
                    res.add(s, pp.url, f"script: {pat}")
    # service names in the visible text (the page's shared phrase pass) and in alt / title texts and link
    # fragments, through the same phrase index; case-sensitive names ("BLIK", "VISA") on the raw texts
    alt_raw = "\n".join(alt_texts)
    if len(alt_raw) > MAX_ALT:
        limits.cut(f"{limits.of(MAX_ALT, len(alt_raw), 'characters of alt / title texts')} read")
        alt_raw = alt_raw[:MAX_ALT]
    text_cs: list[tuple[int, int, str]] = []
    alt_cs: list[tuple[int, int, str]] = []
    if d.cs_re is not None:
        head = pp.text[:FOLD_CHARS]  # the text the phrase pass reads (it records the cut)
        for start, end, name in _cs_matches(head + "\n" + "\n".join(alt_texts)):
            if start < len(head):
                text_cs.append((start, end, name))
            else:
                cut = len(head) + 1
                alt_cs.append((start - cut, end - cut, name))
    page = hits if hits is not None else page_hits(pp)
    for raw, in_raw, cs in ((pp.text, page, text_cs), (alt_raw, text_hits(fold_same_length(alt_raw), alt_raw), alt_cs)):
        found = service_hits(in_raw)
        # where payment names stand in this text: a list-only name needs one of them close by
        pay_spans = [(a, b) for a, b, name in found if name[0] in PAYMENT_KINDS]
        pay_spans += [(a, b) for a, b, name in cs if name in d.cs_map and d.cs_map[name].kind in PAYMENT_KINDS]
        for start, end, name in found:
            s = d.by_name.get(name[:2])
            if s is None:
                continue
            # a payment name in a list of payment names is as good as a logo: it needs no other evidence
            listed = s.kind in PAYMENT_KINDS and _in_list(raw, start, end, pay_spans, d.list_words)
            if name[2:] == ("list",) and not listed:
                continue
            res.add_around(s, pp.url, raw, start, end, via_text=not listed)
        for start, end, name in cs:
            s = d.cs_map.get(name)
            if s is not None:
                listed = s.kind in PAYMENT_KINDS and _in_list(raw, start, end, pay_spans, d.list_words)
                res.add_around(s, pp.url, raw, start, end, via_text=not listed)
    if d.chat_controls is not None:
        for text in _control_texts(pp):
            if d.chat_controls.match(fold(text)):
                res.add(_UNIDENTIFIED, pp.url, text)
                break
    return res


_UNIDENTIFIED = _Slug(UNIDENTIFIED_CHAT, "chat")


def _control_texts(pp: ParsedPage) -> Iterator[str]:
    """Short texts of the page's links and buttons (what a buyer clicks to open a chat)."""
    for link in pp.links:
        if link.text and len(link.text) <= 60:
            yield link.text
    if pp.root is not None:
        for el in islice(pp.root.iter("button"), MAX_ELEMENTS):
            t = " ".join(text_of(el).split()) or el.get("aria-label") or el.get("title") or ""
            if t and len(t) <= 60:
                yield t


def _in_list(text: str, start: int, end: int, spans: list[tuple[int, int]], words: frozenset[str]) -> bool:
    """Whether the name at [start, end) of ``text`` is an item of a list of payment names: set off on its line
    by separators or connector words (or the line's ends) on both sides, with another payment name (``spans``)
    within ``_LIST_NEAR`` characters. "Vorkasse, Rechnung, PayPal" yes; "Die Rechnung liegt bei" no."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    left = text[ls:start].rstrip(" \t\u00a0")
    right = text[end:le].lstrip(" \t\u00a0")
    if left and left[-1] not in _LIST_SEPARATORS:
        last = left.rsplit(None, 1)[-1]
        if fold(last) not in words:
            return False
    if right and right[0] in ".!…":
        if right.strip(".!… \t\u00a0"):
            return False  # the name ends a sentence that goes on ("Swish! The ball went in.")
    elif right and right[0] not in _LIST_SEPARATORS:
        first = right.split(None, 1)[0]
        if fold(first) not in words:
            return False
    return any((a, b) != (start, end) and (abs(a - end) <= _LIST_NEAR or abs(start - b) <= _LIST_NEAR)
               for a, b in spans)


@lru_cache(maxsize=1)
def _cs_anchors() -> tuple[re.Pattern[str], ...] | None:
    """Patterns that find, in a few literal scans, a piece of every case-sensitive service name, when each name
    is one word of letters and digits (else None): from its first character that is not a lowercase letter
    ("DEAL" of "iDEAL"), one pattern per starting character, so the regex engine skips to that character."""
    names = db().cs_map
    if not names or not all(k.isalnum() for k in names):
        return None
    groups: dict[str, set[str]] = {}
    for k in names:
        j = next((i for i, ch in enumerate(k) if not ch.islower()), 0)
        groups.setdefault(k[j], set()).add(k[j:])
    return tuple(re.compile("|".join(re.escape(a) for a in sorted(g, key=len, reverse=True)))
                 for _c, g in sorted(groups.items()))


def _cs_matches(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of what ``db().cs_re.finditer(raw)`` matches.

    With names of letters and digits only, ``cs_re`` matches exactly the maximal runs of letters and digits
    (``[^\\W_]``, i.e. ``str.isalnum``) that are a name, so it is enough to look at the runs around the anchors."""
    d = db()
    anchors = _cs_anchors()
    if anchors is None:
        return [(m.start(), m.end(), m.group(0)) for m in d.cs_re.finditer(raw)] if d.cs_re is not None else []
    cands = sorted((m.start(), m.end()) for rx in anchors for m in rx.finditer(raw))
    out = []
    n = len(raw)
    rev = raw[::-1] if cands else ""
    pos = 0  # end of the last run looked at: runs do not overlap
    for a, b in cands:
        if a < pos:
            continue
        c = _NOT_ALNUM.search(rev, n - a, n - pos)  # the last non-alphanumeric character before the anchor
        start = n - c.start() if c is not None else pos
        end = _ALNUM_RUN.match(raw, b).end()
        if raw[start:end] in d.cs_map:
            out.append((start, end, raw[start:end]))
        pos = end
    return out


@lru_cache(maxsize=256)
def _whole_name(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")


def _markup_parts(elements, tag_list: list[str] | None, tag_prefixes: tuple[str, ...]) -> dict[str, None]:
    """Each element's non-empty class / id / aria-labelledby values and data-* attribute names, in attribute
    order, then its (lowercased, in ``tag_list``) name if that starts with one of ``tag_prefixes``; in order of
    first occurrence (a dict as an ordered set). ``tag_list`` None: no element name has such a start."""
    parts: dict[str, None] = {}
    prefixes = tag_prefixes if tag_list is not None else ()
    tags = tag_list if tag_list is not None else [""] * len(elements)
    for el, tag in zip(elements, tags, strict=True):
        for k, v in el.items():
            if k == "class" or k == "id" or k == "aria-labelledby":
                if v:
                    parts[v] = None
            elif k.startswith("data-"):
                parts[k] = None
        if prefixes and tag.startswith(prefixes):
            parts[tag] = None
    return parts


def _check_url(res: PageWidgets, url: str, tag: str, page_url: str) -> None:
    low = url.lower()
    for s, u in _match_url(url):
        if s.kind == "social":
            if tag == "a" and _is_profile(url, s):
                res.add(s, url, url)
            continue
        if s.links_only and tag != "a":
            continue
        res.add(s, page_url, u)
    _h, path = _host_path(url)
    _check_paths(res, path, tag, page_url, low)


@lru_cache(maxsize=1)
def _scheme_slugs() -> tuple[tuple[_Slug, tuple[str, ...]], ...]:
    return tuple((s, tuple(s.schemes)) for s in db().slugs if s.schemes)


@lru_cache(maxsize=1)
def _path_slugs() -> tuple[tuple[_Slug, tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((s, tuple(s.url_patterns), tuple(s.paths)) for s in db().slugs if s.url_patterns or s.paths)


def _check_paths(res: PageWidgets, path: str, tag: str, page_url: str, full: str | None = None) -> None:
    if tag not in ("script", "iframe", "link", "img", "a", "form"):
        return
    lpath = path.lower()
    full = full if full is not None else lpath
    for s, pats, paths in _path_slugs():
        for pat in pats:
            if pat in full:
                res.add(s, page_url, path[:200])
        if paths and tag != "a" and any(p in lpath for p in paths):
            res.add(s, page_url, path[:200])


def _is_profile(url: str, s: _Slug | None = None) -> bool:
    """Whether a link to a social network names a profile: a path ("/shop"), a "#!/shop" fragment (the old
    AJAX URLs of Twitter and others), or on networks with ``profile_subdomains`` a subdomain ("shop.tumblr.com")."""
    low = url.lower()
    if any(x in low for x in db().social_exclude):
        return False
    host, path = _host_path(url)
    frag = low.split("#", 1)[1] if "#" in low else ""
    if frag.startswith("!/") and frag[2:].strip("/?"):
        return True
    if path.strip("/?#") and path not in ("/", "/#"):
        return True
    if s is not None and s.profile_subdomains:
        for own, _prefix in s.hosts:
            if host.endswith("." + own) and host[: -len(own) - 1] not in ("www", "m", "mobile", ""):
                return True
    return False


def merge(pages: list[PageWidgets]) -> dict[str, list[Detection]]:
    """Site-level detections per kind; text-only hits of ``needs_company`` slugs need another payment hit."""
    d = db()
    weak = {(s.kind, s.slug) for s in d.slugs if s.needs_company}
    out: dict[str, list[Detection]] = {k: [] for k in SECTIONS}
    seen: set[tuple[str, str]] = set()
    all_found: dict[tuple[str, str], Detection] = {}
    text_only: set[tuple[str, str]] = set()
    for pw in pages:
        for key, det in pw.found.items():
            if key not in all_found:
                all_found[key] = det
                if key in pw.text_only:
                    text_only.add(key)
            elif key not in pw.text_only:
                text_only.discard(key)
    strong_payment = any(
        k[0] in ("payment", "payment_method") and not (k in weak and k in text_only) for k in all_found
    )
    implied = {(s.kind, s.slug): s.implied_by for s in d.slugs if s.implied_by}
    found_slugs = {k[1] for k in all_found}
    named_chat = any(k[0] == "chat" and k[1] != UNIDENTIFIED_CHAT for k in all_found)
    for key, det in all_found.items():
        if key in weak and key in text_only and not strong_payment:
            continue
        if key == ("chat", UNIDENTIFIED_CHAT) and named_chat:
            continue  # a chat button of a vendor that is identified elsewhere on the site
        if implied.get(key, frozenset()) & found_slugs:
            continue
        if key in seen:
            continue
        seen.add(key)
        out[key[0]].append(det)
    return out


def services_of_url(url: str) -> list[tuple[str, str]]:
    """(kind, slug) of the review, chat, payment and trust-badge services whose host (and path prefix) an
    absolute URL is on: a request the browser made to them (social and messenger hosts are links, not loads)."""
    out: list[tuple[str, str]] = []
    for s, _u in _match_url(url):
        if s.kind in ("review", "chat", "payment", "payment_method", "trust_badge") and not s.links_only:
            if (s.kind, s.slug) not in out:
                out.append((s.kind, s.slug))
    return out
