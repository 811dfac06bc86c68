"""Page text is hostile data: one sanitiser every renderer (terminal included) runs it through.

``clean_text`` removes what could change how a terminal, a viewer or a parser treats the text, before each
format applies its own escaping (HTML autoescape, Markdown escapes, XML, CSV formula guard):

- ANSI / VT escape sequences: CSI (``ESC [ ... m``), OSC (``ESC ] 8 ;; url BEL`` hyperlinks, window titles),
  DCS / SOS / PM / APC strings, two-byte ``ESC x`` sequences and their 8-bit C1 forms (``\\x9b``, ``\\x9d``);
- every other C0 / C1 control character and DEL (``\\n`` and ``\\t`` survive unless ``newlines=False``);
- bidi embedding / override / isolate controls (U+202A-U+202E, U+2066-U+2069), which can make a URL or a
  title read differently from what it is ("Trojan Source");
- characters XML 1.0 forbids (lone surrogates, U+FFFE, U+FFFF), so the result is always valid in XML.

It does not escape anything: rich markup (``[bold]``), HTML and Markdown are each format's job.
"""

from __future__ import annotations

import re

# A complete escape sequence, 7-bit or 8-bit form. Unterminated strings run to the end of the text.
_ESCAPE_SEQ = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?          # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC / DCS / SOS / PM / APC strings
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                  # other ESC sequences (ESC ( B, ESC c, ...)
    """,
    re.VERBOSE | re.DOTALL,
)
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 except \t \n (handled below), DEL, C1, bidi controls, lone surrogates, XML-illegal non-characters.
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[ \t\n]+")

ELLIPSIS = "…"


def clean_text(s: object, max_len: int | None = None, *, newlines: bool = True) -> str:
    """Return ``s`` as inert plain text (see module docstring).

    ``newlines=False`` folds every run of whitespace (newlines, tabs) into one space: for table cells,
    attributes and one-line contexts. ``max_len`` cuts the result to at most that many characters,
    ending with an ellipsis.
    """
    if s is None:
        return ""
    text = s if isinstance(s, str) else str(s)
    if not text:
        return ""
    text = _LINE_BREAKS.sub("\n", text)
    text = _ESCAPE_SEQ.sub("", text)
    text = _DROP.sub("", text)
    if newlines:
        text = text.strip("\n")
    else:
        text = _SPACES.sub(" ", text).strip()
    if max_len is not None and len(text) > max_len:
        text = truncate(text, max_len)
    return text


def one_line(s: object, max_len: int | None = None) -> str:
    """``clean_text`` folded onto one line."""
    return clean_text(s, max_len, newlines=False)


def truncate(text: str, max_len: int) -> str:
    """Cut ``text`` to ``max_len`` characters, ending with an ellipsis when cut."""
    if max_len <= 0:
        return ""
    if len(text) <= max_len:
        return text
    return text[: max_len - 1].rstrip() + ELLIPSIS


def is_http_url(url: object) -> bool:
    """True for an absolute http(s) URL that is safe to make a link of (no javascript:, data:, file:)."""
    if not isinstance(url, str):
        return False
    u = url.strip()
    if u != url or not u:
        return False
    if _DROP.search(u) or _ESCAPE_SEQ.search(u) or any(c.isspace() for c in u):
        return False
    low = u.lower()
    return (low.startswith("http://") or low.startswith("https://")) and len(u) > len("https://")
