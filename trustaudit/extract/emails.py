"""E-mail addresses: visible text, mailto: links, written-out obfuscations, Cloudflare ``data-cfemail``.

Addresses inside scripts are ignored (only visible text and links are read); image names (``logo@2x.png``) and
placeholders (example.com, ``email@...``, Sentry/Wix ingest addresses) are rejected. Vocabulary:
rules/vocab/contact.yaml ``email``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from trustaudit.extract.parse import ParsedPage
from trustaudit.extract.text import fold, snippet_around
from trustaudit.models import Email
from trustaudit.resources import load_yaml

MAX_SCAN = 400_000
_EMAIL = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._%+-]{0,63})@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}[a-z]{2,24})(?![\w-])",
    re.I,
)
_HEX = re.compile(r"^[0-9a-f]+$", re.I)


@lru_cache(maxsize=1)
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
    return {
        "obf": ((obf_br, hint_br), (obf_plain, hint_plain)),
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


def extract_emails(pp: ParsedPage) -> list[Email]:
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
    if pp.root is not None:
        for el in pp.root.iter():
            if not isinstance(el.tag, str):
                continue
            cf = el.get("data-cfemail")
            if cf:
                add(decode_cfemail(cf), "")
    text = pp.text[:MAX_SCAN]
    if "@" in text:
        for m in _EMAIL.finditer(text):
            add(m.group(0), snippet_around(text, m.start(), m.end()))
    for rx, hint in _cfg()["obf"]:
        if not hint.search(text):
            continue
        for m in rx.finditer(text):
            local, dom = m.group(1), m.group(2)
            dom = _cfg()["sep"].sub(".", dom)
            add(f"{local}@{dom}", snippet_around(text, m.start(), m.end()))
    return out
