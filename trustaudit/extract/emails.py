"""E-mail addresses: visible text, mailto: links, written-out obfuscations, Cloudflare ``data-cfemail``.

Addresses inside scripts are ignored (only visible text and links are read); image names (``logo@2x.png``) and
placeholders (example.com, ``email@...``, Sentry/Wix ingest addresses) are rejected. Vocabulary:
rules/vocab/contact.yaml ``email``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.text import fold, fold_same_length, snippet_around
from trustaudit.models import Email
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage

MAX_SCAN = 400_000  # characters of a page's text read for e-mail addresses
MAX_AT = 2_000  # addresses looked at per page: "@"s tried and written-out ones ("name [at] shop.pl")
_EMAIL = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._%+-]{0,63})@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}[a-z]{2,24})(?![\w-])",
    re.I,
)
_HEX = re.compile(r"^[0-9a-f]+$", re.I)


@cached_build("emails")
def _cfg():
    data = (load_yaml("vocab/contact.yaml") or {}).get("email") or {}
    at_words = {re.escape(v).replace(r"\ ", r"\s+") for w in data.get("at_words") or [] for v in (str(w).lower(), fold(w))}
    dot_words = {re.escape(v).replace(r"\ ", r"\s+") for w in data.get("dot_words") or [] for v in (str(w).lower(), fold(w))}
    at_alt = "|".join(sorted(at_words, key=len, reverse=True))
    dot_alt = "|".join(sorted(dot_words, key=len, reverse=True))
    # "name [at] shop [dot] pl", "name (at) shop.pl", "name at shop dot pl", "name@shop[dot]pl"
    br_at = rf"\s*[\[\(\{{<]\s*(?:{at_alt}|@)\s*[\]\)\}}>]\s*"
    plain_at = rf"\s+(?:{at_alt})\s+"
    sep = rf"(?:\s*[\[\(\{{<]\s*(?:{dot_alt}|\.)\s*[\]\)\}}>]\s*|\s+(?:{dot_alt})\s+|\.)"
    dom = rf"([a-z0-9-]{{1,63}}(?:{sep}[a-z0-9-]{{1,63}}){{0,4}}{sep}[a-z]{{2,12}})"
    local = r"(?<![\w.+-])([a-z0-9][a-z0-9._+-]{0,63})"
    obf_br = re.compile(local + rf"(?:{br_at})" + dom + r"(?![\w-])", re.I)
    obf_plain = re.compile(
        local + plain_at + rf"([a-z0-9-]{{1,63}}(?:(?:\s*[\[\(\{{<]\s*(?:{dot_alt})\s*[\]\)\}}>]\s*|\s+(?:{dot_alt})\s+)[a-z0-9-]{{1,63}}){{1,4}})(?![\w-])",
        re.I,
    )
    sep_re = re.compile(sep, re.I)
    hint_br = re.compile(rf"[\[\(\{{<]\s*(?:{at_alt}|@)\s*[\]\)\}}>]", re.I)
    hint_plain = re.compile(rf"\s(?:{dot_alt})\s|[\[\(\{{<]\s*(?:{dot_alt})\s*[\]\)\}}>]", re.I)
    # hint_plain has to be tried at every whitespace (no literal to jump to): first look for its words in the
    # page's folded text, one substring search each (see _may_match)
    plain_needles = tuple(dict.fromkeys(
        fold_same_length(tok) for w in data.get("dot_words") or [] for v in (str(w).lower(), fold(w))
        for tok in [max(v.split(), key=len, default="")] if tok
    ))
    return {
        "obf": ((obf_br, hint_br, None), (obf_plain, hint_plain, plain_needles or None)),
        "sep": sep_re,
        "domains": tuple(str(d).lower() for d in data.get("placeholder_domains") or []),
        "locals": frozenset(str(x).lower() for x in data.get("placeholder_locals") or []),
        "ext": frozenset(str(x).lower() for x in data.get("file_extensions") or []),
    }


def clean_address(addr: str) -> str | None:
    """Normalise and vet one candidate; ``None`` when it is not a real shop address."""
    cfg = _cfg()
    addr = unquote(addr).strip().strip(".,;:<>()[]\"'").lower()
    if addr.startswith("mailto:"):
        addr = addr[7:]
    addr = addr.split("?")[0].strip()
    m = _EMAIL.fullmatch(addr)
    if not m:
        return None
    local, domain = m.group(1), m.group(2)
    tld = domain.rsplit(".", 1)[-1]
    if tld in cfg["ext"]:
        return None
    if local in cfg["locals"]:
        return None
    for d in cfg["domains"]:
        if domain == d or domain.endswith("." + d):
            return None
    if "sentry" in domain or "ingest" in domain:
        return None
    if len(local) >= 24 and _HEX.match(local):  # tracking / ingest ids
        return None
    if ".." in addr or local.endswith("."):
        return None
    return addr


def decode_cfemail(hexstr: str) -> str | None:
    """Cloudflare e-mail protection: first byte is the XOR key for the rest."""
    hexstr = hexstr.strip()
    if len(hexstr) < 4 or len(hexstr) % 2 or not _HEX.match(hexstr) or len(hexstr) > 512:
        return None
    data = bytes.fromhex(hexstr)
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _emails_in(text: str, limit: int | None = None) -> Iterator[re.Match[str]]:
    """``_EMAIL.finditer(text)`` without trying the pattern at every character: a match has its "@" at most
    64 characters (the longest local part) after its start, so only the 64 positions before each "@" are tried,
    leftmost first, which finds the same matches in the same order. With ``limit``: as far as the first
    ``limit`` "@"s (each costs up to 64 tries and a validation; the cut is recorded)."""
    match = _EMAIL.match
    find = text.find
    pos = 0
    tried = 0
    while True:
        at = find("@", pos)
        if at < 0:
            return
        if limit is not None:
            if tried >= limit:
                limits.cut(f"the first {limit:,} \"@\"s read")
                return
            tried += 1
        for p in range(max(pos, at - 64), at):
            m = match(text, p)
            if m is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = at + 1


def _may_match(pp: ParsedPage, text: str, needles: tuple[str, ...]) -> bool:
    """False only when a case-insensitive pattern needing one of ``needles`` (folded words) cannot match
    ``text``: none of them is in the page's folded text (folded character for character, so every character
    that re.IGNORECASE equates with a needle's folds to it; the dotless "ı" does not, so it disables the check)."""
    if len(pp.text) > 300_000 or len(text) != len(pp.text):
        return True  # folded_text covers the first 300k characters only
    folded = pp.folded_text
    if "ı" in folded:
        return True
    return any(n in folded for n in needles)


def extract_emails(pp: ParsedPage, attrs: PageAttributes | None = None) -> list[Email]:
    """The e-mail addresses of one page (``attrs``: the page's shared attribute walk, which tells whether any
    element carries a Cloudflare-protected address)."""
    out: list[Email] = []
    seen: set[str] = set()

    def add(addr: str | None, snip: str) -> None:
        if not addr:
            return
        a = clean_address(addr)
        if a and a not in seen:
            seen.add(a)
            out.append(Email(a, pp.url, snip))

    for link in pp.links:
        href = link.href.strip()
        if href[:7].lower() == "mailto:":
            for part in href[7:].split("?")[0].split(","):
                add(part, link.text or part)
        elif "/cdn-cgi/l/email-protection#" in href:
            add(decode_cfemail(href.split("#", 1)[1]), link.text)
    if pp.root is not None and (attrs is None or pp.elements_dropped or "data-cfemail" in attrs.markup):
        protected = pp.root.xpath("descendant-or-self::*[@data-cfemail]")
        if len(protected) > MAX_AT:
            limits.cut(f"the first {MAX_AT:,} protected addresses read")
        for el in protected[:MAX_AT]:
            cf = el.get("data-cfemail")
            if cf:
                add(decode_cfemail(cf), "")
    text = pp.text[:MAX_SCAN]
    if len(pp.text) > MAX_SCAN:
        limits.cut(f"{limits.of(MAX_SCAN, max(len(pp.text), pp.text_chars), 'characters of text')} read for "
                   "e-mail addresses")
    for m in _emails_in(text, MAX_AT):
        add(m.group(0), snippet_around(text, m.start(), m.end()))
    for rx, hint, needles in _cfg()["obf"]:
        if needles is not None and not _may_match(pp, text, needles):
            continue
        if not hint.search(text):
            continue
        for i, m in enumerate(rx.finditer(text)):
            if i >= MAX_AT:  # each costs a validation and a snippet
                limits.cut(f"the first {MAX_AT:,} written-out addresses read")
                break
            local, dom = m.group(1), m.group(2)
            dom = _cfg()["sep"].sub(".", dom)
            add(f"{local}@{dom}", snippet_around(text, m.start(), m.end()))
    return out
