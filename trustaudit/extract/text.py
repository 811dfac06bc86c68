"""Text normalisation shared by every extractor, and phrase matchers compiled from ``rules/vocab`` data.

``fold()`` is the one normalisation used on both sides of every vocabulary match: NFKC, casefold, diacritics
removed (Greek tonos, Arabic harakat, Polish/Czech letters), Arabic tatweel dropped, Eastern digits mapped to
ASCII. Vocabulary is folded when loaded, so a YAML entry "Polityka prywatności" also matches the ASCII-folded
"Polityka prywatnosci" that some crawlers store.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from trustaudit.vocabcache import cached_build

_WS = re.compile(r"\s+")

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
    return _WS.sub(" ", s).strip()


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
    s = unicodedata.normalize("NFKC", s).translate(_EXTRA).translate(DIGITS).casefold()
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", s)


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
            return s.translate(_FOLD_MAP)
        nxt = _build_charmap(cm[1] + tuple(sorted(new))) if len(cm[1]) + len(new) <= 256 else None
        if nxt is None:
            page = tuple(sorted(set(s).difference(_ASCII)))
            nxt = _build_charmap(_ASCII + page) if len(page) <= 128 else None
        if nxt is None:
            return s.translate(_FOLD_MAP)
        cm = _set_charmap(nxt)
        b = codecs.charmap_encode(s, "strict", cm[2])[0]
    return codecs.charmap_decode(b, "strict", cm[3])[0]


_ASCII = tuple(chr(i) for i in range(128))
_CharMap = tuple  # (frozenset of chars, chars in byte order, encoding map, folded chars in byte order)


def _build_charmap(chars: tuple[str, ...]) -> _CharMap | None:
    enc = codecs.charmap_build("".join(chars).ljust(256, "\ufffe"))
    if isinstance(enc, dict):  # characters outside the BMP or too scattered: no C encoding map
        return None
    return (frozenset(chars), chars, enc, "".join(_FOLD_MAP[ord(c)] for c in chars).ljust(256, "\ufffe"))


def _set_charmap(cm: _CharMap) -> _CharMap:
    global _charmap
    _charmap = cm  # one assignment: a thread still using the old tuple gets a consistent old numbering
    return cm


_charmap: _CharMap = _build_charmap(_ASCII)  # type: ignore[assignment]


EASTERN_DIGITS = "\u0660-\u0669\u06f0-\u06f9"  # the characters DIGITS maps, as a regex class body
_EASTERN_DIGIT = re.compile("[" + EASTERN_DIGITS + "]")
_EASTERN_CHARS = tuple(chr(c) for c in (*range(0x660, 0x66A), *range(0x6F0, 0x6FA)))


@lru_cache(maxsize=1)
def digit_class() -> str:
    r"""The body of a regex character class holding every character ``\d`` matches (Unicode decimal digits, those
    of this Python's Unicode database) and, besides, every character outside the BMP.

    For the first character of a pattern that scans a whole page. The regex engine tests ``\d`` with a lookup in
    the Unicode database per character (~10 ns); an explicit set of BMP characters is one bit test in a table,
    about twice as fast over a page. Characters outside the BMP cannot be in that table (each would be one more
    test per character), so they are all let in as one range: a pattern using this class as its first
    character checks ``(?<=\d)`` after it wherever a digit is meant. Build patterns with it in cached builders
    (``vocabcache``): computing the set costs a few milliseconds."""
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


_last_numbers: tuple = (None, ())


def number_scan(text: str) -> tuple[re.Match[str], ...]:
    """Where number-like things start in ``text``, in order (see ``_number_regex`` for the groups).

    The ID and phone extractors both look for digits all over a page; the scan of the page for candidate
    characters is the costly part, so they share it: the result for the last text is kept (by identity), and
    ``extract_phones`` and ``extract_ids``, called one after the other on a page, scan it once."""
    global _last_numbers
    last = _last_numbers
    if last[0] is text:
        return last[1]
    found = tuple(_number_regex().finditer(text))
    _last_numbers = (text, found)  # one assignment: another thread sees the old pair or the new one, not a mix
    return found


_WORD_CHAR = r"[^\W_]"


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation matching any folded phrase as whole words.

    A word ending in ``*`` matches as a word prefix ("контакт*" matches "контакты" but not "вконтакте";
    "договор* оферт*" matches "договоре оферты"). Whitespace inside a phrase matches any run of whitespace or
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
            f = fold(w.rstrip("*"))
            if f:
                words.append(re.escape(f) + (_WORD_CHAR + "*" if prefix else ""))
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


class PhraseScanner:
    """``phrase_regex(phrases).finditer`` for long texts (whole pages): the same matches, found faster.

    A search with ``phrase_regex`` tries every alternative at every word start, in Python's backtracking
    engine one after the other (hundreds of them). Here one trie of all phrases (each character a branch)
    walks the text word by word, possessively, and stops only at word starts where some phrase matches;
    there ``rx.match`` gives the very match ``rx.finditer`` would have given (same alternative order).
    """

    def __init__(self, phrases: Iterable[str]):
        plist = [str(p) for p in phrases if p is not None]
        self.rx = phrase_regex(plist)
        self._scan: re.Pattern[str] | None = None
        if self.rx is None:
            return
        root: dict = {}
        for raw in plist:
            toks: list[str] = []
            for w in raw.split():
                prefix = w.endswith("*")
                f = fold(w.rstrip("*"))
                if not f:
                    continue
                if toks:
                    toks.append(r"[\s\-]+")
                elif not _WORD_START.match(f):
                    return  # a phrase may start with punctuation: only the plain search finds it
                toks.extend(re.escape(c) for c in f)
                if prefix:
                    toks.append(_WORD_CHAR + "*")
            node = root
            for t in toks:
                node = node.setdefault(t, {})
            if toks:
                node[""] = {}
        out: list[str] = []
        _emit_trie(root, out)
        self._scan = re.compile(r"[\W_]*+(?:(?!" + "".join(out) + r"(?![^\W_]))[^\W_]++[\W_]*+)*+(?:([^\W_]++)|\Z)")

    def search(self, text: str) -> re.Match[str] | None:
        """The first match, as ``phrase_regex(phrases).search`` would find it."""
        return next(self.finditer(text), None)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.rx is None:
            return
        if self._scan is None:
            yield from self.rx.finditer(text)
            return
        match = self.rx.match
        end = 0
        for m in self._scan.finditer(text):
            start = m.start(1)
            if start < 0:
                break
            if start < end:
                continue
            mm = match(text, start)
            if mm is not None:
                end = mm.end()
                yield mm


_WORD_START = re.compile(r"[^\W_]")


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
