"""Does the register agree with the site? Company names and addresses, compared the way a careful person would.

Names (:func:`compare_names`):
1. normalise: NFKC, Greek "ου" -> "ou", transliteration to Latin letters (anyascii: "Общество" -> "Obshchestvo",
   "ΑΕ" -> "AE", "Spółka" -> "Spolka"), case folding, punctuation to spaces, runs of single letters joined
   ("S.A." -> "sa", "Sp. z o.o." -> "sp zoo", "Α.Ε." -> "ae");
2. legal forms (rules/registries.yaml ``legal_forms`` in both spellings, plus rules/vocab/company.yaml markers)
   are removed from both ends, repeatedly; noise words ("pl" of "Allegro.pl", "and") are dropped;
3. words are aligned one to one with rapidfuzz (same word: ratio >= ``token_threshold``), in any order.

Verdict: True when every distinctive word of the shorter name has its twin in the other (and the shorter one is
not a lone short word); False when no distinctive word of either name is found in the other ("generic" words
such as "international" or "polska" do not make two names the same company); None (could not judge) otherwise,
or when a name is missing. A register may be right while the site names a brand: a False here is evidence, and
the caller weighs it.

Addresses (:func:`compare_addresses`): the numbers (postcode, house number) and the words of the street and town.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii
from rapidfuzz import fuzz

from trustaudit.registry import data


@dataclass(frozen=True)
class NameMatch:
    match: bool | None
    score: float  # 0-100: share of the shorter name's distinctive words found in the other
    registered: str  # normalised core of the registered name
    site: str  # normalised core of the site's name
    forms: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())  # legal-form groups found
    reason: str = ""


@cache
def _pre_table() -> tuple[tuple[str, str], ...]:
    pre = data.name_matching().get("pre_transliteration") or {}
    return tuple(sorted(((str(k), str(v)) for k, v in pre.items()), key=lambda kv: -len(kv[0])))


def words(text: str) -> list[str]:
    """Normalised words of ``text`` (see the module docstring, step 1)."""
    s = unicodedata.normalize("NFKC", text or "")
    for k, v in _pre_table():
        s = s.replace(k, v)
    s = anyascii(s).casefold()
    s = s.replace("&", " & ").replace("+", " & ")
    raw = [w for w in re.split(r"[^0-9a-z&]+", s) if w]
    out: list[str] = []
    run = ""
    for w in raw:
        if len(w) == 1 and w != "&":
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        out.append(w)
    if run:
        out.append(run)
    return out


@cache
def _forms() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """Every legal-form spelling as a word tuple, with the groups it belongs to; longest first."""
    table: dict[tuple[str, ...], set[str]] = {}
    for group, variants in data.legal_forms().items():
        for v in variants:
            w = tuple(words(v))
            if w:
                table.setdefault(w, set()).add(group)
    for v in data.vocab_legal_forms():
        w = tuple(words(v))
        if w:
            table.setdefault(w, set())
    return tuple(sorted(((k, frozenset(v)) for k, v in table.items()), key=lambda kv: -len(kv[0])))


@cache
def _word_sets() -> tuple[frozenset[str], frozenset[str], float]:
    nm = data.name_matching()
    generic = frozenset(w for g in nm.get("generic_words") or () for w in words(str(g)))
    noise = frozenset(w for g in nm.get("noise_words") or () for w in words(str(g))) | {"&"}
    return generic, noise, float(nm.get("token_threshold", 88))


def core(name: str) -> tuple[list[str], frozenset[str]]:
    """(words of the name without legal forms and noise words, legal-form groups removed)."""
    ws = words(name)
    _generic, noise, _t = _word_sets()
    groups: set[str] = set()
    found_form = True
    while found_form and ws:
        found_form = False
        for form, gids in _forms():
            n = len(form)
            if len(ws) > n and tuple(ws[-n:]) == form:
                ws = ws[:-n]
            elif len(ws) > n and tuple(ws[:n]) == form:
                ws = ws[n:]
            else:
                continue
            groups |= gids or {" ".join(form)}
            found_form = True
            ws = [w for w in ws if w not in noise] or ws
            break
    ws = [w for w in ws if w not in noise]
    return ws, frozenset(groups)


def _align(a: Sequence[str], b: Sequence[str], threshold: float) -> int:
    """How many words of ``a`` find a distinct twin in ``b`` (best pairs first)."""
    pairs = sorted(((fuzz.ratio(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    n = 0
    for score, i, j in pairs:
        if score < threshold:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        n += 1
    return n


def compare_names(registered: str | None, site: str | None) -> NameMatch:
    if not registered or not site:
        return NameMatch(None, 0.0, "", "", reason="a name is missing")
    ra, rf = core(registered)
    sa, sf = core(site)
    rs, ss = " ".join(ra), " ".join(sa)
    if not ra or not sa:
        return NameMatch(None, 0.0, rs, ss, (rf, sf), "nothing left to compare after removing legal forms")
    if rs == ss or rs.replace(" ", "") == ss.replace(" ", ""):
        return NameMatch(True, 100.0, rs, ss, (rf, sf), "same name")
    generic, _noise, threshold = _word_sets()
    rd = [w for w in ra if w not in generic] or ra
    sd = [w for w in sa if w not in generic] or sa
    short, long_ = (rd, sd) if len(rd) <= len(sd) else (sd, rd)
    n = _align(short, long_, threshold)
    score = 100.0 * n / len(short)
    if n == len(short) and (len(short) >= 2 or len(short[0]) >= 5 or len(short) == len(long_)):
        why = "same words" if len(short) == len(long_) else "every word of the shorter name is in the other"
        return NameMatch(True, score, rs, ss, (rf, sf), why)
    if n == 0 and _align(sd, rd, threshold) == 0:
        # joined spellings ("mediaexpert" vs "media expert") are the same name
        if fuzz.ratio(rs.replace(" ", ""), ss.replace(" ", "")) >= threshold:
            return NameMatch(True, 90.0, rs, ss, (rf, sf), "same letters, other spacing")
        return NameMatch(False, 0.0, rs, ss, (rf, sf), "no distinctive word in common")
    return NameMatch(None, score, rs, ss, (rf, sf), "some words in common, others differ")


def best_name_match(registered: str | None, site_names: Iterable[str]) -> tuple[bool | None, str]:
    """Compare the registered name with every name the site gives for its seller: True if one matches, False
    when every one was compared and none matches, None otherwise. Returns (verdict, one-line detail)."""
    names = [n for n in dict.fromkeys(s.strip() for s in site_names if s and s.strip())]
    if not registered:
        return None, "the register gives no name"
    if not names:
        return None, "the site names no seller"
    results = [(compare_names(registered, n), n) for n in names]
    for m, n in results:
        if m.match is True:
            return True, f"{n!r} matches the registered name ({m.reason})"
    if all(m.match is False for m, _ in results):
        shown = ", ".join(repr(n) for _, n in results[:3])
        return False, f"registered name {registered!r} shares no distinctive word with {shown}"
    m, n = next((m, n) for m, n in results if m.match is None)
    return None, f"{n!r} vs registered {registered!r}: {m.reason}"


def name_in_text(registered: str | None, text: str | None) -> bool:
    """True when every distinctive word of the registered name appears in ``text`` (e.g. the words printed
    around the ID on the page)."""
    if not registered or not text:
        return False
    ra, _ = core(registered)
    generic, _noise, threshold = _word_sets()
    rd = [w for w in ra if w not in generic] or ra
    if not rd or (len(rd) == 1 and len(rd[0]) < 5):
        return False
    tw = words(text)
    return bool(tw) and _align(rd, tw, threshold) == len(rd)


# ------------------------------------------------------------------------------------------------- addresses

_NUM = re.compile(r"\d+")
_DASHED = re.compile(r"(?<=\d)[-\u2010-\u2013](?=\d)")


def _address_parts(text: str) -> tuple[set[str], list[str]]:
    """(numbers, street/town words). A dash between digits is dropped first, so "00-838" and "00838" meet."""
    joined = _DASHED.sub("", anyascii(unicodedata.normalize("NFKC", text)))
    nums = set(_NUM.findall(joined))
    letters = [w for w in words(text) if not any(c.isdigit() for c in w) and len(w) > 2]
    return nums, letters


def compare_addresses(registered: str | None, site: Iterable[str]) -> bool | None:
    """True when some address on the site has every number of the registered address (postcode, house number)
    and most of its street and town words; False when no site address shares any number or word with it;
    None otherwise (or when either side is missing)."""
    if not registered:
        return None
    rn, rw = _address_parts(registered)
    verdicts = []
    for s in site:
        if not s or not s.strip():
            continue
        sn, sw = _address_parts(s)
        if not rn and not rw:
            continue
        _generic, _noise, threshold = _word_sets()
        word_share = _align(rw, sw, threshold) / len(rw) if rw else 0.0
        if rn and rn <= sn and (not rw or word_share >= 0.5):
            return True
        verdicts.append(not (rn & sn) and word_share == 0.0)
    if verdicts and all(verdicts):
        return False
    return None
