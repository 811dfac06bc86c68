"""Turn a page body into text: BOM, then HTTP charset, then ``<meta>`` in the first 4 KB, then detection.

Labels follow the WHATWG encoding standard where it differs from Python's codecs (``iso-8859-1`` and ``ascii``
mean windows-1252, ``iso-8859-9`` means windows-1254, ...). Unknown or bogus labels are ignored, never raised.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG label -> the codec browsers really use
_WHATWG = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "x-mac-roman": "mac_roman",
    "unicode": "utf-16-le",
    "utf-16": "utf-16-le",
}

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


def normalize_label(label: str | None) -> str | None:
    """A charset label from a header or meta tag -> a Python codec name, or None when unknown/bogus."""
    if not label:
        return None
    low = label.strip().strip("\"'").lower()
    if not low or len(low) > 40:
        return None
    low = _WHATWG.get(low, low)
    try:
        info = codecs.lookup(low)
    except (LookupError, ValueError):
        return None
    name = info.name
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if not _is_text_codec(name):
        return None
    return name


def _is_text_codec(name: str) -> bool:
    # rot13, base64, zlib, ... are registered codecs but not character encodings
    try:
        return codecs.lookup(name)._is_text_encoding  # type: ignore[attr-defined]
    except (LookupError, AttributeError):
        return False


def display_name(codec: str) -> str:
    """Python codec name -> the label people know (``cp1251`` -> ``windows-1251``, ``iso8859-2`` -> ``iso-8859-2``)."""
    name = codec.lower().replace("_", "-")
    if name.startswith("cp125") and len(name) == 6:
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-" + name[3:]
    if name == "utf-8-sig":
        return "utf-8"
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def charset_from_meta(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:_META_SCAN])
    if not m:
        return None
    try:
        return m.group(1).decode("ascii", "replace")
    except Exception:  # noqa: BLE001
        return None


def looks_binary(body: bytes) -> bool:
    """True for bodies that are clearly not text (images, archives, executables), even if labelled text/html."""
    head = body[:4096]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27)
    return controls > len(head) * 0.05


def _detect(body: bytes) -> str | None:
    sample = body[:_DETECT_SAMPLE]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None and best.encoding:
            return normalize_label(best.encoding)
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    try:
        from bs4.dammit import EncodingDetector

        for enc in EncodingDetector(sample).encodings:
            codec = normalize_label(enc)
            if codec:
                try:
                    sample.decode(codec)
                except (UnicodeDecodeError, LookupError):
                    continue
                return codec
    except Exception:  # noqa: BLE001
        pass
    return None


def _decode(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec, "replace")
    except (LookupError, TypeError, ValueError):
        return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """Decode an HTML body; returns (text, encoding label). Never raises for hostile input."""
    if not body:
        return "", None
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(codec, "replace")
            return text, display_name(codec)

    for label in (charset_from_content_type(content_type), charset_from_meta(body)):
        codec = normalize_label(label)
        if codec and codec.startswith("utf-16"):
            # a meta tag cannot really declare UTF-16 (it would not be readable as ASCII); WHATWG says utf-8
            codec = "utf-8" if b"\x00" not in body[:512] else codec
        if codec:
            text = _decode(body, codec)
            if text is not None:
                return text, display_name(codec)

    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        # a UTF-8 page cut at the byte limit ends in a partial character: still UTF-8
        if e.start >= len(body) - 3 and e.reason == "unexpected end of data":
            return body.decode("utf-8", "replace"), "utf-8"

    codec = _detect(body)
    if codec:
        text = _decode(body, codec)
        if text is not None:
            return text, display_name(codec)
    return body.decode("utf-8", "replace"), "utf-8"
