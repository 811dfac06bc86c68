"""Turn a page body into text as a browser would: BOM, then the HTTP charset, then ``<meta>``, then detection.

Only the encodings of the WHATWG Encoding Standard (the list browsers support) are honoured, looked up by
their WHATWG labels through ``webencodings``: ``iso-8859-1`` and ``ascii`` mean windows-1252, ``gb2312``
means gbk, ``utf-16`` means utf-16le... A label outside the standard (``utf-7``, ``utf-32``, ``cp037``,
``punycode``, ``rot13``, ``base64``, the "replacement" labels such as ``iso-2022-kr``) is ignored as browsers
ignore it, so a page cannot pick one of Python's exotic (or quadratic-time) codecs.

One deliberate difference from browsers: a page whose ``<meta>`` declares a legacy encoding but whose bytes
are valid UTF-8 with multi-byte characters, and whose HTTP header declares nothing, is read as UTF-8. Saved
pages and re-encoded templates often keep a stale ``<meta charset=iso-8859-1>``; bytes that really are in a
legacy encoding are (in practice) never valid multi-byte UTF-8, so such a page is decoded as declared.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

import webencodings

_BOMS: tuple[tuple[bytes, str, str], ...] = (  # (BOM, Python codec, WHATWG name)
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16be"),
)

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_META_SCAN = 4096
_DETECT_SAMPLE = 65536
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"MZ",
    b"RIFF",
    b"OggS",
    b"\x00\x00\x01\x00",
    b"wOFF",
    b"wOF2",
)
# WHATWG's gbk decoder is the gb18030 decoder (a superset); Python's gbk codec would lose characters
_DECODE_AS = {"gbk": "gb18030"}
_UTF16 = ("utf-16le", "utf-16be")


def whatwg_encoding(label: str | None) -> webencodings.Encoding | None:
    """A WHATWG label (case and surrounding spaces ignored) -> its encoding, or None (unknown, or a
    "replacement" label that browsers refuse to decode)."""
    if not label:
        return None
    low = label.strip().strip("\"'")
    if not low or len(low) > 40:
        return None
    enc = webencodings.lookup(low)
    if enc is None or enc.name == "replacement":
        return None
    return enc


@lru_cache(maxsize=1)
def _by_python_codec() -> dict[str, str]:
    """Python codec name -> WHATWG name, for names that detectors report (``cp1251``, ``mac_cyrillic``)."""
    out: dict[str, str] = {}
    for label in webencodings.LABELS:
        enc = webencodings.lookup(label)
        if enc is None or enc.name == "replacement":
            continue
        out.setdefault(enc.codec_info.name, enc.name)
    return out


def _from_detector(name: str | None) -> webencodings.Encoding | None:
    """A detector's answer (a Python codec name or a label) -> a WHATWG encoding, or None."""
    if not name:
        return None
    enc = whatwg_encoding(name) or whatwg_encoding(name.replace("_", "-"))
    if enc is not None:
        return enc
    try:
        py = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    what = _by_python_codec().get(py)
    return webencodings.lookup(what) if what else None


def normalize_label(label: str | None) -> str | None:
    """A charset label from a header or meta tag -> the Python codec used to decode it, or None when the label
    is not one of the WHATWG Encoding Standard's."""
    enc = whatwg_encoding(label)
    if enc is None:
        return None
    return _DECODE_AS.get(enc.name, enc.codec_info.name)


def display_name(codec: str) -> str:
    """A WHATWG name or Python codec name -> the WHATWG name (``cp1251`` -> ``windows-1251``)."""
    enc = whatwg_encoding(codec) or _from_detector(codec)
    return enc.name if enc is not None else codec.lower()


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def charset_from_meta(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:_META_SCAN])
    if not m:
        return None
    return m.group(1).decode("ascii", "replace")


def looks_binary(body: bytes) -> bool:
    """True for bodies that are clearly not text (images, archives, executables), even if labelled text/html.

    A few NUL bytes or control characters in an otherwise textual page do not make it binary (browsers show
    such pages): only a known file signature, or a head where more than one byte in twenty is a NUL or
    another control character (random binary data has about one in ten)."""
    head = body[:4096]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27)
    return controls > len(head) * 0.05


def _detect(body: bytes) -> webencodings.Encoding | None:
    sample = body[:_DETECT_SAMPLE]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None and best.encoding:
            enc = _from_detector(best.encoding)
            if enc is not None:
                return enc
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return None


def _decode(body: bytes, enc: webencodings.Encoding) -> str | None:
    name = _DECODE_AS.get(enc.name)
    try:
        if name:
            return body.decode(name, "replace")
        return enc.codec_info.decode(body, "replace")[0]
    except (LookupError, TypeError, ValueError):
        return None


def _utf8_or_none(body: bytes) -> str | None:
    """The body as UTF-8 when it is valid UTF-8 (a character cut at the very end, as at the byte limit,
    allowed), else None."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(body) - 3 and e.reason == "unexpected end of data":
            return body.decode("utf-8", "replace")
        return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """Decode an HTML body; returns (text, WHATWG encoding name). Never raises for hostile input."""
    if not body:
        return "", None
    for bom, codec, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace"), name

    declared = whatwg_encoding(charset_from_content_type(content_type))
    if declared is not None:
        text = _decode(body, declared)
        if text is not None:
            return text, declared.name

    meta = whatwg_encoding(charset_from_meta(body))
    if meta is not None:
        if meta.name in _UTF16 or meta.name == "x-user-defined":
            # WHATWG: a meta tag cannot really declare UTF-16 (it would not be readable as ASCII)
            meta = webencodings.lookup("utf-8" if meta.name in _UTF16 else "windows-1252")
        if meta.name != "utf-8" and not body.isascii():
            as_utf8 = _utf8_or_none(body)
            if as_utf8 is not None:
                return as_utf8, "utf-8"  # a stale legacy <meta> on a UTF-8 page (see the module docstring)
        text = _decode(body, meta)
        if text is not None:
            return text, meta.name

    as_utf8 = _utf8_or_none(body)
    if as_utf8 is not None:
        return as_utf8, "utf-8"

    enc = _detect(body)
    if enc is not None:
        text = _decode(body, enc)
        if text is not None:
            return text, enc.name
    return body.decode("utf-8", "replace"), "utf-8"
