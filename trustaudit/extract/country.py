"""Shop language and country.

Language: ``<html lang>`` (or Content-Language), checked against the script of the visible text (a page marked
``lang="en"`` with Polish text is Polish). Country: the override, else the ccTLD (rules/countries.yaml), else the
language's default country, else the currency in prices, else the country code of ``+NN`` phone numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from trustaudit.resources import load_yaml
from trustaudit.web.urls import host_of

_U = "A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁЄІЇҐΑ-ΩΆ-Ώ"
_L = "a-zß-öø-ÿā-ſа-яёєіїґα-ωά-ώ"

# letters or words that betray a language when <html lang> is missing or wrong (checked on visible text)
_HINTS: dict[str, re.Pattern[str]] = {
    "pl": re.compile(r"[ąęłńśźżĄĘŁŃŚŹŻ]|\b(?:oraz|się|jest|sklep|zamówienia|dostawa|koszyk|regulamin|kontakt)\b", re.I),
    "de": re.compile(r"[äöüßÄÖÜ]|\b(?:und|oder|mit|Versand|Warenkorb|Impressum)\b"),
    "fr": re.compile(r"\b(?:et|le|la|les|des|livraison|panier)\b", re.I),
    "cs": re.compile(r"[ěřůĚŘŮ]|\b(?:košík|doprava)\b", re.I),
    "sk": re.compile(r"[ľĺŕôĽĹŔ]|\b(?:košík|tovar)\b", re.I),
    "da": re.compile(r"[æøåÆØÅ]|\b(?:og|til|kurv)\b", re.I),
    "es": re.compile(r"[ñ¿¡]|\b(?:envío|carrito|y|el|los)\b", re.I),
    "it": re.compile(r"\b(?:il|della|carrello|spedizione)\b", re.I),
    "pt": re.compile(r"[ãõ]|\b(?:carrinho|envio|não)\b", re.I),
    "en": re.compile(r"\b(?:the|and|your|cart|shipping|free)\b", re.I),
    "uk": re.compile(r"[іїєґІЇЄҐ]"),
    "bg": re.compile(r"\b(?:и|на|за|със|поръчка|количка)\b", re.I),
    "ru": re.compile(r"[ыэЫЭъЪ]|\b(?:и|на|для|корзина|заказ)\b", re.I),
}
_SCRIPTS = {
    "cyrl": re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]"),
    "grek": re.compile(r"[Α-Ωα-ωΆ-ώ]"),
    "arab": re.compile(r"[\u0600-\u06FF]"),
    "latn": re.compile(r"[A-Za-zÀ-ɏ]"),
}
_LANG_SCRIPT = {"ru": "cyrl", "uk": "cyrl", "bg": "cyrl", "be": "cyrl", "kk": "cyrl", "sr": "cyrl", "mk": "cyrl",
                "el": "grek", "ar": "arab", "fa": "arab", "ur": "arab"}


@lru_cache(maxsize=1)
def profiles() -> dict[str, dict]:
    return (load_yaml("countries.yaml") or {}).get("countries") or {}


@lru_cache(maxsize=1)
def _tld_map() -> dict[str, str]:
    out = {}
    for cc, p in profiles().items():
        for t in p.get("tlds") or []:
            out[str(t).lower()] = cc
    return out


@lru_cache(maxsize=1)
def _lang_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for cc, p in profiles().items():
        langs = p.get("languages") or []
        if langs and p.get("lang_default"):
            out.setdefault(str(langs[0]), cc)
    return out


def postcode_regex(country: str | None) -> re.Pattern[str] | None:
    if not country:
        return None
    pat = (profiles().get(country) or {}).get("postcode")
    if not pat:
        return None
    pat = pat.replace(r"\p{Lu}", f"[{_U}]").replace(r"\p{Ll}", f"[{_L}]")
    try:
        return re.compile(pat)
    except re.error:
        return None


def country_from_host(url: str) -> str | None:
    host = host_of(url)
    if not host or "." not in host:
        return None
    parts = host.split(".")
    tmap = _tld_map()
    two = ".".join(parts[-2:])
    if two in tmap:
        return tmap[two]
    return tmap.get(parts[-1])


def detect_language(declared: list[str | None], text: str) -> str | None:
    """The page language: the declared one unless the visible text is plainly in another script/language."""
    sample = text[:20000]
    counts = {k: len(rx.findall(sample[:8000])) for k, rx in _SCRIPTS.items()}
    total = sum(counts.values()) or 1
    script = max(counts, key=counts.get) if total > 1 else None
    decl = next((d for d in declared if d), None)
    if decl and len(decl) == 2:
        want = _LANG_SCRIPT.get(decl, "latn")
        if script is None or counts.get(want, 0) / total >= 0.3:
            if decl == "en" and script == "latn":
                guess = _guess_latin(sample)
                if guess and guess != "en":
                    return guess
            return decl
    if script is None:
        return decl
    if script == "grek":
        return "el"
    if script == "arab":
        return "ar"
    if script == "cyrl":
        scores = {k: len(_HINTS[k].findall(sample)) for k in ("uk", "bg", "ru")}
        if scores["uk"] > 20:
            return "uk"
        return "bg" if scores["bg"] > scores["ru"] * 1.5 else "ru"
    return _guess_latin(sample) or decl


def _guess_latin(sample: str) -> str | None:
    scores = Counter({k: len(rx.findall(sample)) for k, rx in _HINTS.items() if k not in ("uk", "bg", "ru")})
    if not scores:
        return None
    best, n = scores.most_common(1)[0]
    if n < 5:
        return None
    en = scores.get("en", 0)
    if best != "en" and en >= n * 0.8:
        return "en"
    return best


def country_from_lang(lang: str | None) -> str | None:
    return _lang_map().get(lang or "")


@lru_cache(maxsize=1)
def _currency_re() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for cc, p in profiles().items():
        toks = [str(t) for t in p.get("currencies") or [] if str(t) not in {"€", "EUR", "kr"}]
        if not toks:
            continue
        alt = "|".join(re.escape(t) for t in sorted(toks, key=len, reverse=True))
        out.append((cc, re.compile(r"\d[\d\s.,]*\s?(?:" + alt + r")(?![^\W\d_])|(?<![^\W\d_])(?:" + alt + r")\s?\d")))
    return out


def country_from_currency(text: str) -> str | None:
    sample = text[:50000]
    counts: Counter[str] = Counter()
    for cc, rx in _currency_re():
        n = len(rx.findall(sample))
        if n:
            counts[cc] = n
    if not counts:
        return None
    (cc, n), *rest = counts.most_common(2) + [("", 0)]
    if n >= 2 and (not rest or rest[0][1] * 2 < n):
        return cc
    return None
