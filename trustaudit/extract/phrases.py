"""Named phrase groups (rules/vocab/phrases.yaml) over the visible text of every page.

Adding a group is data-only: each group has per-language phrases; hits become
``Artifacts.phrases[group] = (Evidence(url, snippet), ...)``. A group's ``embeds`` (URL fragments) also count an
embedded map or a link to one as a hit.

Matching cost does not grow with the number of phrases: all phrases are compiled into ONE regex, a trie over
their tokens (characters, separators, gaps, numbers), run once per page by the C regex engine. It walks the
text word by word and stops only at word starts where some phrase matches; Python then tries the few phrases
whose first word fits (their own regexes, compiled on first use) to know which ones and where they end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from trustaudit.extract import limits
from trustaudit.extract.country import law_entries
from trustaudit.extract.text import PAD, fold, snippet, snippet_around, trie_regex, word_end
from trustaudit.models import Evidence
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage

_WORD = re.compile(r"[^\W_]+")
_WORDCH = r"[^\W_]"
_SEP = r"[\s\-\u2010-\u2015]+"  # whitespace, hyphens and typographic dashes ("Mon–Fri")
_GAP = r"(?:[^\W_]+" + _SEP + r"){0,5}"  # "...": up to 5 words, no punctuation (stays in one clause)
_NUM = r"\d{1,4}"
_END = r"(?![^\W_])"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015"
DEFAULT_MAX_HITS = 3
MAX_STOPS = 5_000  # places per text where a phrase may start that are tried (each: the phrases of that word)
# the sections of rules/vocab/widgets.yaml: kinds of third-party services, whose names the index also finds
SERVICE_KINDS = ("review", "chat", "payment", "payment_method", "social", "messenger", "trust_badge")


def _tokens(phrase: str) -> list[str] | None:
    """A phrase as regex tokens (one per character, separator, gap, number, prefix tail, end);
    ``"".join(tokens)`` is the phrase's regex."""
    toks: list[str] = []
    gap = False
    for w in phrase.split():
        if w == "...":
            gap = bool(toks)
            continue
        if not w.strip(_DASHES):
            continue  # a lone dash ("monday - friday") is already a separator
        star = w.endswith("*")
        f = fold(w.rstrip("*"))
        if not f:
            continue
        if toks:
            toks.append(_SEP)
            if gap:
                toks.append(_GAP)
        gap = False
        if f == "<n>":
            toks.append(_NUM)
            continue
        i = 0
        while i < len(f):
            if f.startswith("<n>", i):
                toks.append(_NUM)
                i += 3
                continue
            toks.append(_SEP if f[i] == "-" else re.escape(f[i]))
            i += 1
        if star:
            toks.append(_WORDCH + "*")
    if not toks:
        return None
    toks.append(_END)
    return toks


# The scan stops where the beginning of some phrase matches (its first word, the separator and the next few
# tokens), not the whole phrase: the phrases tried at that word decide exactly, so what is found is the same,
# and the trie is what every process compiles when it loads the vocabulary (CPython compiles patterns in pure
# Python). Whole phrases: an 88 KB pattern, 0.07-0.09 s; cut here: 49 KB, about half the time, and on the dev
# corpus about 6 more stops per page (each a dict look-up and a few short matches).
SCAN_TOKENS_AFTER_FIRST_WORD = 4


def _scan_prefix(toks: list[str]) -> list[str]:
    """The tokens of a phrase the scan's trie holds: its first word and ``SCAN_TOKENS_AFTER_FIRST_WORD`` more."""
    for j, tok in enumerate(toks):
        if tok == _SEP:
            return toks[: j + SCAN_TOKENS_AFTER_FIRST_WORD]
    return toks


class PhraseIndex:
    """Whole-word phrase matching: one trie regex finds the word starts where any phrase matches; there the
    phrases keyed by that first word (exact, prefix "word*", or a number) are tried in order."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        self._src: list[str] = []
        self._payload: list[str] = []
        self._rx: list[re.Pattern[str] | None] = []
        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.numeric: list[int] = []
        seqs: list[list[str]] = []
        for phrase, payload in entries:
            phrase = str(phrase)
            toks = _tokens(phrase)
            if toks is None:
                continue
            first = phrase.split()[0]
            ffirst = fold(first.rstrip("*"))
            lead = _WORD.match(ffirst)
            if "<n>" in ffirst:
                if toks[0] != _NUM and not toks[0].isdigit():
                    continue  # tried only at words starting with a digit: "no<n>" can never match
                bucket = self.numeric
            elif first.endswith("*") and lead and lead.group(0) == ffirst:
                bucket = self.prefix.setdefault(ffirst, [])
            elif lead:
                bucket = self.exact.setdefault(lead.group(0), [])
            else:
                continue  # starts with punctuation: never at a word start
            bucket.append(len(self._src))
            self._src.append("".join(toks))
            self._payload.append(payload)
            self._rx.append(None)
            seqs.append(_scan_prefix(toks))
        self._prefix_lengths = sorted({len(p) for p in self.prefix})
        # word by word, possessively (no backtracking): skip every word where no phrase can start, stop at the
        # first one where one may (group 1 = that word) or at the end of the text (group 1 unset); the phrases
        # keyed by that word then decide (``_match``)
        self._scan = re.compile(
            r"[\W_]*+(?:(?!" + trie_regex(seqs) + r")[^\W_]++[\W_]*+)*+(?:([^\W_]++)|\Z)"
        ) if self._src else None

    def _match(self, i: int, folded: str, pos: int) -> re.Match[str] | None:
        rx = self._rx[i]
        if rx is None:
            rx = self._rx[i] = re.compile(self._src[i])
        return rx.match(folded, pos)

    def _candidates(self, w: str) -> list[int]:
        out = list(self.exact.get(w, ()))
        if self.prefix:
            pre: list[int] = []
            for n in self._prefix_lengths:
                if n > len(w):
                    break
                pre.extend(self.prefix.get(w[:n], ()))
            out.extend(sorted(pre))
        if self.numeric and w[0].isdigit():
            out.extend(self.numeric)
        return out

    def finditer(self, folded: str, max_stops: int | None = MAX_STOPS) -> Iterator[tuple[int, int, str]]:
        """(start, end, payload) of every phrase matching in ``folded``, in order; as far as the first
        ``max_stops`` word starts where a phrase may start (a cut is recorded: ``limits.cut``)."""
        if self._scan is None:
            return
        stops = 0
        for m in self._scan.finditer(folded):
            start = m.start(1)
            if start < 0:
                break
            if max_stops is not None:
                if stops >= max_stops:
                    limits.cut(f"phrases tried at the first {max_stops:,} places where one may start "
                               f"(up to character {start:,})")
                    break
                stops += 1
            for i in self._candidates(m.group(1)):
                mm = self._match(i, folded, start)
                if mm:
                    yield start, mm.end(), self._payload[i]


@lru_cache(maxsize=1)
def _name_groups() -> tuple[frozenset[str], frozenset[str]]:
    """(groups whose hits count only next to a person's name (``then_name: true``), the capitalised words that are
    not names there (``name_stopwords``: "Team", "Kundenservice" ...))."""
    data = load_yaml("vocab/phrases.yaml") or {}
    groups = (data.get("groups") or {}).items()
    named = frozenset(str(g) for g, spec in groups if (spec or {}).get("then_name"))
    stop = frozenset(fold(str(w)) for _g, spec in groups for w in (spec or {}).get("name_stopwords") or ())
    return named, stop


# a capitalised given name + surname ("Thomas Berger", "Katarzyna Nowak-Kowalska", "Анне Петровой"), optionally
# after a courtesy title; Arabic has no capitals: two Arabic words
_CAP = r"[^\W\d_a-zа-яёα-ωß]\w+"
# given name, surname particles ("de", "van der", "von"), surname
_FULL_NAME = (_CAP + r"(?:-\w+)?\s+(?:(?:de|da|di|del|van|von|der|den|la|le|el|al)\s+){0,2}" + _CAP
              + r"|[\u0621-\u064a]{2,}\s+[\u0621-\u064a]{2,}")
_NAME_AFTER = re.compile(
    r"[\s:–—\-,]{0,4}(?:[^\W\d_A-ZА-ЯЁΑ-Ω\u0621-\u064a]{2,8}\s+)?(?:(?:Herr|Frau|Mr|Mrs|Ms|Pan|Pani|Dr|г-н|г-жа|κ\.|κα)\.?\s+)?"
    r"(?:" + _FULL_NAME + ")"
)
_NAME_BEFORE = re.compile(r"(?:" + _FULL_NAME + r")[\s,–—\-(]{1,4}\Z")


def _name_near(text: str, start: int, end: int) -> bool:
    """A person's name right after the hit ("Ihr Ansprechpartner: Thomas Berger") or right before it ("Anna
    Kowalska, opiekun klienta"): two capitalised words, or two Arabic words."""
    m = _NAME_AFTER.match(text, end)
    if m is not None and not _stopword(m.group(0)):
        return True
    m = _NAME_BEFORE.search(text[max(0, start - 60): start])
    return m is not None and not _stopword(m.group(0))


def _stopword(s: str) -> bool:
    """Capitalised words that are not a name ("Ihr Ansprechpartner: Kundenservice Team"): a listed noun, or a
    word too long for a name."""
    stop = _name_groups()[1]
    words = re.findall(r"\w+", s)
    return any(len(w) > 20 or fold(w) in stop for w in words)


@cached_build("phrases")
def _index() -> tuple[PhraseIndex, dict[str, int]]:
    """One index for every phrase looked for in page text: the phrase groups (payload: the group name), the
    names of third-party services from rules/vocab/widgets.yaml (payload: ``(kind, slug)``) and the legal phrases
    of rules/countries.yaml (payload: ``("@law", country, n)``), so that each page's text is walked once for all."""
    data = load_yaml("vocab/phrases.yaml") or {}
    entries: list[tuple[str, str | tuple[str, str]]] = []
    limits = {}
    for group, spec in (data.get("groups") or {}).items():
        spec = spec or {}
        limits[group] = int(spec.get("max_hits") or DEFAULT_MAX_HITS)
        for phrases in (spec.get("phrases") or {}).values():
            for p in phrases or []:
                entries.append((str(p), str(group)))
    widgets = load_yaml("vocab/widgets.yaml") or {}
    for kind in SERVICE_KINDS:
        for name, spec in (widgets.get(kind) or {}).items():
            for t in (spec or {}).get("texts") or []:
                # a name with a gap ("наличн* ... при получени*") must not hide the names inside the gap
                entries.append((str(t), (kind, str(name), "gap") if "..." in str(t).split() else (kind, str(name))))
            # names that are also ordinary words: a third element marks them (widgets._in_list decides)
            for t in (spec or {}).get("texts_list") or []:
                entries.append((str(t), (kind, str(name), "list")))
    # the law, registers and authorities of one jurisdiction: evidence of the shop's country (country.page_hints)
    entries.extend(law_entries())
    return PhraseIndex(entries), limits


Hit = tuple[int, int, str | tuple[str, ...]]


def text_hits(folded: str, raw: str | None = None) -> list[Hit]:
    """Every (start, end, payload) of the index in a folded text (``fold_same_length(raw)``); with ``raw``, a
    hit ending in a word whose marks the fold moved ends where the word ends in ``raw``."""
    if not folded:
        return []
    hits = list(_index()[0].finditer(folded))
    if raw is not None and PAD in folded:
        hits = [(a, word_end(raw, folded, b), p) for a, b, p in hits]
    return hits


def page_hits(pp: ParsedPage) -> list[Hit]:
    """``text_hits`` of the page's folded text: phrase groups and service names in one pass (``extract_page``
    computes it once and hands it to ``page_phrases`` and ``widgets.scan_page``)."""
    if len(pp.text) > len(pp.folded_text):
        limits.cut(f"{limits.of(len(pp.folded_text), max(len(pp.text), pp.text_chars), 'characters of text')} "
                   "read for phrases")
    return text_hits(pp.folded_text, pp.text)


def service_hits(hits: list[Hit]) -> list[tuple[int, int, tuple[str, ...]]]:
    """The service-name hits ``(kind, slug)`` (``(kind, slug, "list")`` for a name that counts only in a list)
    among ``hits``, as a regex alternation of the names would find them: the longest name at the leftmost start
    wins and matches do not overlap."""
    longest: dict[int, tuple[int, tuple[str, ...]]] = {}
    for start, end, payload in hits:
        if isinstance(payload, str) or payload[0] not in SERVICE_KINDS:
            continue  # a phrase group, or a legal phrase (country evidence)
        if start not in longest or end > longest[start][0]:
            longest[start] = (end, payload)
    out = []
    last_end = -1
    for start in sorted(longest):
        end, name = longest[start]
        if start >= last_end:
            out.append((start, end, name))
            # a name with a gap covers only its start: the words in the gap may be names of their own
            last_end = start + 1 if name[2:] == ("gap",) else end
    return out


@lru_cache(maxsize=1)
def _embeds() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(group, URL fragments) for groups with ``embeds``: an iframe or link to one of them is a hit."""
    data = load_yaml("vocab/phrases.yaml") or {}
    out = []
    for group, spec in (data.get("groups") or {}).items():
        frags = tuple(str(x).lower() for x in (spec or {}).get("embeds") or ())
        if frags:
            out.append((str(group), frags))
    return tuple(out)


def group_names() -> tuple[str, ...]:
    return tuple(_index()[1])


def page_phrases(pp: ParsedPage, hits: list[Hit] | None = None) -> dict[str, list[Evidence]]:
    """Phrase-group hits of one page (``hits``: its ``page_hits`` when the caller has them)."""
    _idx, limits = _index()
    named = _name_groups()[0]
    out: dict[str, list[Evidence]] = {}
    for start, end, group in hits if hits is not None else page_hits(pp):
        if not isinstance(group, str):
            continue  # a service name: widgets.scan_page
        hits = out.setdefault(group, [])
        if len(hits) >= limits.get(group, DEFAULT_MAX_HITS):
            continue
        if group in named and not _name_near(pp.text, start, end):
            continue
        ev = Evidence(pp.url, snippet_around(pp.text, start, end))
        if ev not in hits:
            hits.append(ev)
    embeds = _embeds()
    if embeds and pp.root is not None:
        urls = [el.get("src") or "" for el in pp.root.iter("iframe")] + [link.href for link in pp.links]
        # one lower-cased text of all of them: a group none of whose fragments is in it has no hit (most pages)
        joined = "\n".join(urls).lower()
        for group, frags in embeds:
            hits = out.setdefault(group, [])
            if not any(f in joined for f in frags):
                continue
            for u in urls:
                if len(hits) >= limits.get(group, DEFAULT_MAX_HITS):
                    break
                if any(f in u.lower() for f in frags):
                    ev = Evidence(pp.url, snippet(u, 160))
                    if ev not in hits:
                        hits.append(ev)
    return out


def merge(pages: list[dict[str, list[Evidence]]]) -> dict[str, tuple[Evidence, ...]]:
    """Every group appears as a key (empty tuple = looked for, not found)."""
    _idx, limits = _index()
    out: dict[str, list[Evidence]] = {g: [] for g in limits}
    for per_page in pages:
        for g, hits in per_page.items():
            lst = out.setdefault(g, [])
            for h in hits:
                if len(lst) < limits.get(g, DEFAULT_MAX_HITS) and h not in lst:
                    lst.append(h)
    return {g: tuple(v) for g, v in out.items()}
