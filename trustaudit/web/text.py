"""Text normalisation of page text, shared by every stage that compares text.

``fold()`` is the one normalisation used on both sides of every vocabulary match: NFKC, casefold, diacritics
removed (Greek tonos, Arabic harakat and tanween, Polish/Czech letters), Arabic tatweel, soft hyphens and
zero-width characters dropped, Eastern digits mapped to ASCII. ``fold_same_length`` folds character for character
(offsets in the result are offsets in the input); a mark that stands as a character of its own (Arabic harakat:
"نقدًا", a decomposed "e\u0301", a tatweel "مـــدى", a soft hyphen) cannot be removed there without moving what
follows, so it is moved to the end of its word as ``PAD`` (a space no folded text otherwise holds): the word
reads as without it ("نقدا"), and offsets stay those of the input up to the word's end (``word_end``).
``snippet`` / ``snippet_around`` cut evidence out of page text (hostile: renderers escape it).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

# letters NFD does not decompose
_EXTRA = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "þ": "th", "ŀ": "l", "ʼ": "'", "’": "'", "‘": "'", "`": "'", "´": "'",
    "\u0640": "",  # Arabic tatweel
    "\u00ad": "",  # soft hyphen
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
})

# Arabic-Indic and Extended Arabic-Indic (Persian) digits -> ASCII
DIGITS = str.maketrans({**{chr(0x660 + i): str(i) for i in range(10)}, **{chr(0x6F0 + i): str(i) for i in range(10)}})

# Greek / Cyrillic capitals that look like Latin ones (used on ID prefixes such as "ΕL", "РL")
HOMOGLYPHS = str.maketrans({
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Λ": "L",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "У": "Y",
})


def collapse(s: str) -> str:
    return " ".join(s.split())  # whitespace runs (what \s matches) as one space, none at the ends


def snippet(s: str, limit: int = 160) -> str:
    """Whitespace-collapsed, at most ``limit`` characters (page text is hostile: renderers escape it)."""
    s = collapse(s)
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def snippet_around(text: str, start: int, end: int, limit: int = 160) -> str:
    """A snippet of ``text`` centred on [start, end)."""
    span = end - start
    pad = max(0, (limit - span) // 2)
    a = max(0, start - pad)
    b = min(len(text), end + pad)
    return snippet(text[a:b], limit)


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """NFKC + casefold + no diacritics + ASCII digits; whitespace collapsed."""
    return collapse(fold_text(s)) if s else ""


def fold_text(s: str) -> str:
    """``fold`` for long texts: same result, no cache, lengths preserved per line where possible."""
    if not s:
        return ""
    if s.isascii():  # NFKC, NFD and NFC leave ASCII as it is and casefold is lower(): the common case
        return (s.translate(_EXTRA) if "`" in s else s).lower()
    s = unicodedata.normalize("NFKC", s)
    # str.translate with a dict costs a look-up per character: only when a character it maps is there
    if _EXTRA_CHARS.search(s):
        s = s.translate(_EXTRA)
    s = ascii_digits(s).casefold()
    d = unicodedata.normalize("NFD", s)
    if _MAYBE_MARK.search(d):
        d = d.translate(_NO_MARKS)  # combining marks out, one C pass over a lazily filled table
    return unicodedata.normalize("NFC", d)


class _NoMarks(dict):
    """str.translate table deleting combining marks (``unicodedata.combining``), keeping every other character."""

    def __missing__(self, code: int) -> str | None:
        c = chr(code)
        v = None if unicodedata.combining(c) else c
        self[code] = v
        return v


_NO_MARKS = _NoMarks()
_EXTRA_CHARS = re.compile("[" + re.escape("".join(map(chr, _EXTRA))) + "]")
# every combining mark is outside ASCII and Latin-1 (checked in tests/test_web.py): text without such
# characters after NFD has none to remove
_MAYBE_MARK = re.compile(r"[^\x00-\xff]")


class _FoldMap(dict):
    """str.translate table folding one character to one character (filled lazily, shared)."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        f = unicodedata.normalize("NFKC", c).translate(_EXTRA).translate(DIGITS).casefold()
        f = "".join(ch for ch in unicodedata.normalize("NFD", f) if not unicodedata.combining(ch))
        if len(f) != 1:
            low = c.lower()
            f = low if len(low) == 1 else c
        self[code] = f
        return f


_FOLD_MAP = _FoldMap()


# what a dropped mark leaves at the end of its word in ``fold_same_length``: a whitespace character (so the
# phrase separators accept it) that no folded text holds otherwise (NFKC maps U+2008 to a plain space)
PAD = "\u2008"
# characters dropped beside the combining marks (NFKC keeps them; ``_EXTRA`` removes them in ``fold``)
_DROPPED = frozenset("\u0640\u00ad\u200b\u200c\u200d\u2060\ufeff")


def _dropped(c: str) -> bool:
    return c in _DROPPED or unicodedata.combining(c) != 0


@lru_cache(maxsize=64)
def _word_with_marks(chars: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a word holding one of ``chars``: letters, digits and those characters, one of ``chars``)."""
    cls = "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
    return re.compile(r"(?:[^\W_]|" + cls + ")*" + cls + r"(?:[^\W_]|" + cls + ")*"), re.compile(cls)


def _compact(s: str, chars: frozenset[str]) -> str:
    """Each word of ``s`` holding characters of ``chars`` (dropped by the fold) with them moved to its end as
    ``PAD``: the same length, the letters together."""
    word, one = _word_with_marks(chars)

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        kept = one.sub("", w)
        return kept + PAD * (len(w) - len(kept))

    return word.sub(fix, s)


def word_end(raw: str, folded: str, end: int) -> int:
    """The offset in ``raw`` where the word ending at ``end`` in ``fold_same_length(raw)`` ends: past the marks
    the fold moved to the word's end (``end`` itself for a word that had none)."""
    n = min(len(raw), len(folded))
    while end < n and folded[end] == PAD and raw[end] != PAD:
        end += 1
    return end


def fold_same_length(s: str) -> str:
    """Like ``fold`` but character for character (no whitespace collapsing, no expansions such as
    "ß" -> "ss"), so match offsets in the result are offsets in ``s``.

    Same result as ``s.translate(_FOLD_MAP)``, which costs 40-60 ns per character on non-ASCII text (a
    dict lookup per character). A page uses few distinct characters, so they are numbered as bytes of a
    charmap codec: encode (characters -> numbers) and decode (numbers -> folded characters) run in C at
    ~5 ns per character. The numbering grows as pages bring new characters (at most 256; ASCII first)."""
    if s.isascii():
        return s.translate(_FOLD_MAP)  # CPython's ASCII fast path
    cm = _charmap
    try:
        b = codecs.charmap_encode(s, "strict", cm[2])[0]
    except UnicodeEncodeError:
        new = set(s).difference(cm[0])
        if "\ufffe" in new:  # the codec's "undefined" mark
            return _with_marks_moved(s, s.translate(_FOLD_MAP), None)
        nxt = _build_charmap(cm[1] + tuple(sorted(new))) if len(cm[1]) + len(new) <= 256 else None
        if nxt is None:
            page = tuple(sorted(set(s).difference(_ASCII)))
            nxt = _build_charmap(_ASCII + page) if len(page) <= 128 else None
        if nxt is None:
            return _with_marks_moved(s, s.translate(_FOLD_MAP), None)
        cm = _set_charmap(nxt)
        b = codecs.charmap_encode(s, "strict", cm[2])[0]
    return _with_marks_moved(s, codecs.charmap_decode(b, "strict", cm[3])[0], cm[4])


def _with_marks_moved(s: str, folded: str, candidates: frozenset[str] | None) -> str:
    """``folded`` with the characters the fold drops moved to their word's end (``_compact``), when ``s`` has
    any: ``candidates`` are the dropped characters that can be in ``s`` (those of the charmap; None: unknown,
    look at every character)."""
    if candidates is None:
        present = frozenset(c for c in set(s) if _dropped(c))
    elif not candidates:
        return folded
    else:
        present = frozenset(c for c in candidates if c in s)  # a C search each; a page has few such characters
    return _compact(folded, present) if present else folded


_ASCII = tuple(chr(i) for i in range(128))
# (frozenset of chars, chars in byte order, encoding map, folded chars in byte order, the chars the fold drops)
_CharMap = tuple


def _build_charmap(chars: tuple[str, ...]) -> _CharMap | None:
    enc = codecs.charmap_build("".join(chars).ljust(256, "\ufffe"))
    if isinstance(enc, dict):  # characters outside the BMP or too scattered: no C encoding map
        return None
    return (frozenset(chars), chars, enc, "".join(_FOLD_MAP[ord(c)] for c in chars).ljust(256, "\ufffe"),
            frozenset(c for c in chars if _dropped(c)))


def _set_charmap(cm: _CharMap) -> _CharMap:
    global _charmap
    _charmap = cm  # one assignment: a thread still using the old tuple gets a consistent old numbering
    return cm


_charmap: _CharMap = _build_charmap(_ASCII)  # type: ignore[assignment]


EASTERN_DIGITS = "\u0660-\u0669\u06f0-\u06f9"  # the characters DIGITS maps, as a regex class body
_EASTERN_DIGIT = re.compile("[" + EASTERN_DIGITS + "]")
_EASTERN_CHARS = tuple(chr(c) for c in (*range(0x660, 0x66A), *range(0x6F0, 0x6FA)))


def ascii_digits(s: str) -> str:
    """``s`` with Eastern Arabic digits mapped to ASCII (``s`` itself when it has none, the usual case).

    str.translate with a dict costs a lookup per character, so first test whether there is anything to map:
    an ASCII string (a flag) or one whose characters all fit in one byte (``in`` then returns at once) has
    none; otherwise one ``in`` per digit is a C search (memchr on the low byte): on a long Polish page the 20
    searches take about a third of the time of one regex character-class scan, which is kept for short
    strings (less call overhead). The ID extractor learns it from its number scan instead."""
    if s.isascii():
        return s
    if len(s) < 256:
        return s.translate(DIGITS) if _EASTERN_DIGIT.search(s) else s
    for ch in _EASTERN_CHARS:
        if ch in s:
            return s.translate(DIGITS)
    return s

