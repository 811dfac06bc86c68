"""Vocabulary matchers compiled from ``rules/vocab`` data (phrase regexes and tries, the shared number scan),
and the text normalisation of ``trustaudit.web.text`` (re-exported here for the extractors).

Vocabulary is folded (``fold``) when loaded, so a YAML entry "Polityka prywatności" also matches the
ASCII-folded "Polityka prywatnosci" that some crawlers store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from trustaudit.extract import limits
from trustaudit.resources import cached_build
from trustaudit.web.text import (  # noqa: F401 - the extractors' text toolbox, in one import
    DIGITS,
    EASTERN_DIGITS,
    HOMOGLYPHS,
    PAD,
    ascii_digits,
    collapse,
    fold,
    fold_same_length,
    fold_text,
    snippet,
    snippet_around,
    word_end,
)


@lru_cache(maxsize=1)
def digit_class() -> str:
    r"""The body of a regex character class holding every character ``\d`` matches (Unicode decimal digits, those
    of this Python's Unicode database) and, besides, every character outside the BMP.

    For the first character of a pattern that scans a whole page. The regex engine tests ``\d`` with a lookup in
    the Unicode database per character (~10 ns); an explicit set of BMP characters is one bit test in a table,
    about twice as fast over a page. Characters outside the BMP cannot be in that table (each would be one more
    test per character), so they are all let in as one range: a pattern using this class as its first
    character checks ``(?<=\d)`` after it wherever a digit is meant. Build patterns with it in cached builders
    (``resources.cached_build``): computing the set costs a few milliseconds."""
    codes = [ord(c) for c in re.findall(r"\d", "".join(map(chr, range(0x10000))))]
    out: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(re.escape(chr(codes[i])) + ("-" + re.escape(chr(codes[j])) if j > i else ""))
        i = j + 1
    return "".join(out) + "\U00010000-\U0010ffff"


# -- numbers: one scan of a page shared by the extractors that start from digits ----------------------------

# separators inside an ID number ("526-104-08-28", "DE 136 695 976", "1234/56")
ID_SEPARATORS = "[ \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012/-]"
# what may follow the first character of a phone number: digits / separators, "(", ")" and ")\n"
_PHONE_X = r"(?:[\d \u00a0\u2009().\-/]|\)\n)"
PHONE_TAIL = (
    r"(?:(?<=\+)[ \u00a0]?\(?\d" + _PHONE_X + r"{5,20}\d|(?<=0)0[ \u00a0]?\(?\d" + _PHONE_X + r"{5,20}\d"
    r"|(?<=\()\d" + _PHONE_X + r"{5,20}\d|(?<=\d)" + _PHONE_X + r"{5,20}\d)"
)


@cached_build("numbers")
def _number_regex() -> re.Pattern[str]:
    r"""See ``number_scan``. Each match is the one character where something starts; what starts there is
    captured by look-aheads, so that nothing is consumed and each consumer replays its own non-overlapping scan.

    - ``run``: ``ids``: a run of >= 6 digits, ``\d(?:SEP{0,3}\d){5,}``, tried only where finditer can start
      one: at a digit that does not continue a chain of digits (no digit, or a digit and at most 3 separators,
      right before it). A run found later in a chain would also be found, longer, from the chain's start, and a
      run ends only where the chain ends; so each chain is read once (a page of "123456 123456 ..." would
      otherwise be read again from each of its groups);
    - ``hint``: ``ids``: a register number "HRB 12" / "HRA" / "GnR" / "VR" / "PR", not glued to a word before;
    - ``phone``: ``phones``: ``[+(\d](?<![\w+/.,:-].)PHONE_TAIL(?![\w/])`` ("+48 22 ...", "(0) 22 ...",
      "22 654 ..."), the match of the character class and the tail;
    - ``east``: an Eastern Arabic digit (the text needs ``ascii_digits``).

    The first character is one of a small set (digits, "+", "(", H, G, V, P: ``digit_class``), so the regex
    engine jumps from candidate character to candidate character, and one pass serves both extractors."""
    sep = ID_SEPARATORS
    run = (r"(?<=\d)(?<!\d\d)(?<!\d" + sep + r"\d)(?<!\d" + sep + r"{2}\d)(?<!\d" + sep + r"{3}\d)"
           r"(?=(?P<run>(?:" + sep + r"{0,3}\d){5,}))")
    phone = r"(?<![\w+/.,:-].)(?=(?P<phone>" + PHONE_TAIL + r")(?![\w/]))"
    east = r"(?<=[" + EASTERN_DIGITS + r"])(?P<east>)"
    hint = (r"(?<=[HGVP])(?:(?<=H)(?<![^\W_]H)(?=R[BA]\s?\d)|(?<=G)(?<![^\W_]G)(?=nR\s?\d)"
            r"|(?<=V)(?<![^\W_]V)(?=R\s?\d)|(?<=P)(?<![^\W_]P)(?=R\s?\d))(?P<hint>)")
    return re.compile(
        "[+(HGVP" + digit_class() + "]"
        # a digit inside a group of digits starts neither a run nor a phone number: it fails after two tests
        r"(?:(?:" + east + r"|(?<!\d\d))(?<=[\d+(])(?:" + run + ")?(?:" + phone + r")?(?(east)|(?(run)|(?(phone)|(?!))))"
        r"|" + hint + ")"
    )


def number_scan(text: str) -> tuple[re.Match[str], ...]:
    """Where number-like things start in ``text``, in order (see ``_number_regex`` for the groups).

    The ID and phone extractors both look for digits all over a page; the scan of the page for candidate
    characters is the costly part, so ``extract_page`` runs it once and hands it to both."""
    return tuple(_number_regex().finditer(text))


_DIGIT_RUN = re.compile(r"\d+")


def finditer_near_digits(rx: re.Pattern[str], text: str, back: int, starts: frozenset[str] | None = None,
                         ends: frozenset[str] | None = None, max_runs: int | None = None) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, the same matches, for a pattern each of whose matches starts at a run of digits or
    at most ``back`` characters before one, on a character of ``starts`` (an amount of money with a currency
    written before or after it: "1 299,00 zł", "€ 19.99"; ``starts``: every character a currency may begin
    with, None: any; ``ends``: every character a currency may end with, None: any).

    Such patterns (hundreds of currency alternatives, each behind a look-behind) are tried by the regex engine
    one alternative after the other at every position of a text, about a microsecond per character; here only
    the positions near digits are tried (``rx.match``: a match there is the one ``finditer`` finds, since every
    position before it where a match could start was tried first). A match starting before a run of digits is
    a currency, at most one space, and the amount from the run's first digit on: so with ``ends``, the positions
    before a run are tried only when one of the two characters right before it may end a currency (most runs
    follow a word or a space). ``max_runs``: as far as that many runs of digits (a cut recorded:
    ``limits.cut``)."""
    if len(text) <= 48:  # a few characters: the plain search costs less than finding the digits first
        yield from rx.finditer(text)
        return
    match = rx.match
    pos = tried = 0
    for n, run in enumerate(_DIGIT_RUN.finditer(text)):
        if max_runs is not None and n >= max_runs:
            limits.cut(f"amounts looked for near the first {max_runs:,} numbers (up to character {run.start():,})")
            return
        r = run.start()
        if r < pos:
            continue
        p = max(pos, tried, r - back)
        if ends is not None and p < r and not _may_end(text, r - 1, ends) and (
                r < 2 or not _may_end(text, r - 2, ends)):
            p = r  # no currency can end right before the digits (or before a space before them)
        while p <= r:
            if p == r or starts is None or text[p] in starts or ord(text[p]) > 0xFFFF:
                m = match(text, p)
                if m is not None:
                    yield m
                    pos = m.end()
                    break
            p += 1
        tried = max(tried, r + 1)


def _may_end(text: str, i: int, ends: frozenset[str]) -> bool:
    ch = text[i]
    return ch in ends or ord(ch) > 0xFFFF  # beyond the BMP: not in the case variants, tried as before


def case_variants(chars: Iterable[str]) -> frozenset[str]:
    """``chars`` and every character of the Basic Multilingual Plane whose lower or upper case begins like one of
    theirs: a superset of what a case-insensitive pattern's character can match (for ``finditer_near_digits``;
    a build-time computation of a few hundredths of a second)."""
    chars = set(chars)
    lows = {c.lower()[:1] for c in chars}
    ups = {c.upper()[:1] for c in chars}
    return frozenset(chars | {ch for ch in map(chr, range(0x10000))
                              if ch.lower()[:1] in lows or ch.upper()[:1] in ups})


_WORD_CHAR = r"[^\W_]"


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation matching any folded phrase as whole words.

    A word ending in ``*`` matches as a word prefix ("контакт*" matches "контакты" but not "вконтакте";
    "договор* оферт*" matches "договоре оферты"); one starting with ``*`` matches as the end of a longer word
    ("*strasse" matches "Bergstraße", not "Strasse" alone). Whitespace inside a phrase matches any run of whitespace or
    hyphens.
    """
    alts: list[str] = []
    seen: set[str] = set()
    for raw in phrases:
        if raw is None:
            continue
        words = []
        for w in str(raw).split():
            prefix = w.endswith("*")
            # "*strasse": the end of a compound word ("Bergstraße"), never the word alone (list that too)
            suffix = w.startswith("*") and len(w.strip("*")) > 0
            f = fold(w.strip("*"))
            if f:
                words.append((_WORD_CHAR + "+" if suffix else "") + re.escape(f) + (_WORD_CHAR + "*" if prefix else ""))
        if not words:
            continue
        body = r"[\s\-]+".join(words)
        if body in seen:
            continue
        seen.add(body)
        alts.append(body)
    if not alts:
        return None
    alts.sort(key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")


def trie_regex(seqs: Iterable[Iterable[str]]) -> str:
    """One regex (no group) matching what the alternation of the token sequences matches (each token a regex
    piece, e.g. one escaped character), written as a trie so that alternatives sharing a start are tried once.
    The order of the alternatives is not kept: use it to find where one matches, not which one."""
    root: dict = {}
    for seq in seqs:
        node = root
        for tok in seq:
            node = node.setdefault(tok, {})
        node[""] = {}
    out: list[str] = []
    _emit_trie(root, out)
    return "".join(out) if out else "(?!)"


def _emit_trie(node: dict, out: list[str]) -> None:
    """A trie of regex tokens ({token: subtrie}, "" = a phrase ends here) as one regex; chains need no group."""
    while len(node) == 1:
        ((tok, node),) = node.items()
        out.append(tok)
    if not node:
        return
    out.append("(?:")
    for j, (tok, kid) in enumerate(node.items()):
        if j:
            out.append("|")
        out.append(tok)
        _emit_trie(kid, out)
    out.append(")")
