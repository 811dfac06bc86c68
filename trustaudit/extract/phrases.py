"""Named phrase groups (rules/vocab/phrases.yaml) over the visible text of every page.

Adding a group is data-only: each group has per-language phrases; hits become
``Artifacts.phrases[group] = (Evidence(url, snippet), ...)``. Matching uses a first-word index, so the cost is
one pass over a page's words whatever the number of groups. A group's ``embeds`` (URL fragments) also count an
embedded map or a link to one as a hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from trustaudit.extract.parse import ParsedPage
from trustaudit.extract.text import fold, snippet, snippet_around
from trustaudit.models import Evidence
from trustaudit.resources import load_yaml

_WORD = re.compile(r"[^\W_]+")
_WORDCH = r"[^\W_]"
_SEP = r"[\s\-\u2010-\u2015]+"  # whitespace, hyphens and typographic dashes ("Mon–Fri")
_GAP = r"(?:[^\W_]+" + _SEP + r"){0,5}"  # "...": up to 5 words, no punctuation (stays in one clause)
DEFAULT_MAX_HITS = 3


@dataclass(frozen=True)
class _Entry:
    rx: re.Pattern[str]
    payload: str


class PhraseIndex:
    """Whole-word phrase matching keyed by the first word (exact, prefix "word*", or a number "#")."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        self.exact: dict[str, list[_Entry]] = {}
        self.prefix: list[tuple[str, _Entry]] = []
        self.numeric: list[_Entry] = []
        for phrase, payload in entries:
            words = str(phrase).split()
            if not words:
                continue
            parts: list[str] = []
            gap = False
            for w in words:
                if w == "...":
                    gap = bool(parts)
                    continue
                if not w.strip("-\u2010\u2011\u2012\u2013\u2014\u2015"):
                    continue  # a lone dash ("monday - friday") is already a separator
                star = w.endswith("*")
                f = fold(w.rstrip("*"))
                if not f:
                    continue
                if f == "<n>":
                    part = r"\d{1,4}"
                else:
                    esc = re.escape(f).replace(re.escape("<n>"), r"\d{1,4}").replace(r"\-", _SEP)
                    part = esc + (_WORDCH + "*" if star else "")
                parts.append(_SEP + _GAP + part if gap else (_SEP + part if parts else part))
                gap = False
            if not parts:
                continue
            rx = re.compile("".join(parts) + r"(?![^\W_])")
            entry = _Entry(rx, payload)
            first = words[0]
            ffirst = fold(first.rstrip("*"))
            lead = _WORD.match(ffirst)
            if "<n>" in ffirst:
                self.numeric.append(entry)
            elif first.endswith("*") and lead and lead.group(0) == ffirst:
                self.prefix.append((ffirst, entry))
            elif lead:
                self.exact.setdefault(lead.group(0), []).append(entry)

    def finditer(self, folded: str) -> Iterable[tuple[int, int, str]]:
        exact, prefix, numeric = self.exact, self.prefix, self.numeric
        for m in _WORD.finditer(folded):
            w = m.group(0)
            cands = exact.get(w)
            if cands:
                for e in cands:
                    mm = e.rx.match(folded, m.start())
                    if mm:
                        yield m.start(), mm.end(), e.payload
            if prefix:
                for p, e in prefix:
                    if w.startswith(p):
                        mm = e.rx.match(folded, m.start())
                        if mm:
                            yield m.start(), mm.end(), e.payload
            if numeric and w[0].isdigit():
                for e in numeric:
                    mm = e.rx.match(folded, m.start())
                    if mm:
                        yield m.start(), mm.end(), e.payload


@lru_cache(maxsize=1)
def _index() -> tuple[PhraseIndex, dict[str, int]]:
    data = load_yaml("vocab/phrases.yaml") or {}
    entries = []
    limits = {}
    for group, spec in (data.get("groups") or {}).items():
        spec = spec or {}
        limits[group] = int(spec.get("max_hits") or DEFAULT_MAX_HITS)
        for phrases in (spec.get("phrases") or {}).values():
            for p in phrases or []:
                entries.append((str(p), str(group)))
    return PhraseIndex(entries), limits


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


def page_phrases(pp: ParsedPage) -> dict[str, list[Evidence]]:
    index, limits = _index()
    folded = pp.folded_text
    out: dict[str, list[Evidence]] = {}
    for start, end, group in index.finditer(folded):
        hits = out.setdefault(group, [])
        if len(hits) >= limits.get(group, DEFAULT_MAX_HITS):
            continue
        ev = Evidence(pp.url, snippet_around(pp.text, start, end))
        if ev not in hits:
            hits.append(ev)
    embeds = _embeds()
    if embeds and pp.root is not None:
        urls = [el.get("src") or "" for el in pp.root.iter("iframe")] + [link.href for link in pp.links]
        for group, frags in embeds:
            hits = out.setdefault(group, [])
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
