"""Shop language and country.

Language: ``<html lang>`` (or Content-Language), checked against the script of the visible text (a page marked
``lang="en"`` with Polish text is Polish).

Country: decided by weighing all the evidence the first pages show (``weigh``), not by the first rule that
answers. Each piece of evidence (``CountryEvidence``: the ccTLD, another domain the pages declare as theirs, the
language, locale regions, the currency of prices, phone numbers with a country code, postcodes, the country of
the postal address, registry and VAT numbers, the law a legal notice cites) adds a weight to a country; the
weights and the rule that turns scores into a decision are data (rules/countries.yaml ``country_evidence``,
where their rationale is written). An explicit ``--country`` always wins; a country whose evidence is too thin
or contested stays unknown.

Per page (``page_hints``, country-free): the declared language tag as written, og:locale and the page's own
hreflang, the hosts of canonical / og:url, the names of countries on a line of their own with the lines around
them (an address block: "6825 MB Arnhem / Niederlande"). The legal phrases come from the page's shared phrase
pass (``phrases`` payload ``("@law", country)``). ``merge`` gathers the evidence of the first pages and calls
``weigh``; phone numbers, ID schemes and addresses are read for the decided country after it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from trustaudit.extract.text import fold, phrase_regex
from trustaudit.models import CountryEvidence
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage
from trustaudit.web.sites import registrable_domain
from trustaudit.web.urls import host_of, is_ip, normalize_url

_U = "A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁЄІЇҐΑ-ΩΆ-Ώ"
_L = "a-zß-öø-ÿā-ſа-яёєіїґα-ωά-ώ"

# letters or words that betray a language when <html lang> is missing or wrong (checked on visible text)
_HINTS: dict[str, re.Pattern[str]] = {
    "pl": re.compile(r"[ąęłńśźżĄĘŁŃŚŹŻ]|\b(?:oraz|się|jest|sklep|zamówienia|dostawa|koszyk|regulamin|kontakt)\b", re.I),
    "de": re.compile(r"[äöüßÄÖÜ]|\b(?:und|oder|mit|Versand|Warenkorb|Impressum)\b"),
    # function words of one language only ("la", "le", "il", "con", "del", "para" are shared by several)
    "fr": re.compile(r"\b(?:et|les|des|du|pour|vous|votre|nous|avec|une|sur|livraison|panier)\b", re.I),
    "cs": re.compile(r"[ěřůĚŘŮ]|\b(?:košík|doprava)\b", re.I),
    "sk": re.compile(r"[ľĺŕôĽĹŔ]|\b(?:košík|tovar)\b", re.I),
    "da": re.compile(r"[æøåÆØÅ]|\b(?:og|til|kurv)\b", re.I),
    "es": re.compile(r"[ñ¿¡]|\b(?:envío|carrito|y|el|los|las|nuestro|más|pedido)\b", re.I),
    "it": re.compile(r"\b(?:della|delle|degli|dei|di|che|per|gli|nel|sono|anche|carrello|spedizione|prodotti)\b",
                     re.I),
    "pt": re.compile(r"[ãõ]|\b(?:carrinho|envio|não|você|em|uma|frete|também|produtos)\b", re.I),
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
    """The main country of a language (``lang_default``), if it has one."""
    return _lang_map().get(lang or "")


# --------------------------------------------------------------------------- the evidence: rules

@lru_cache(maxsize=1)
def evidence_rules() -> dict:
    """``country_evidence`` of rules/countries.yaml with its defaults filled in."""
    data = (load_yaml("countries.yaml") or {}).get("country_evidence") or {}
    return {
        "pages": int(data.get("pages") or 5),
        "threshold": float(data.get("threshold") or 2.0),
        "margin": float(data.get("margin") or 0.0),
        "saturation": float(data.get("saturation") or 6.0),
        "cap": float(data.get("cap") or 2),
        "weights": {str(k): float(v) for k, v in (data.get("weights") or {}).items()},
        "brand_tlds": frozenset(str(t).lower() for t in data.get("brand_tlds") or ()),
        "generic_tlds": {str(k).lower(): (str(v).upper() if v else None) for k, v in (data.get("generic_tlds") or {}).items()},
        "time_zones": {str(k): tuple(str(c).upper() for c in v or ()) for k, v in (data.get("time_zones") or {}).items()},
    }


def weight(signal: str) -> float:
    return evidence_rules()["weights"].get(signal, 0.0)


def legal_phrases() -> list[tuple[str, str]]:
    """(phrase, country) of ``country_evidence.legal_phrases`` (read by the shared phrase index)."""
    data = ((load_yaml("countries.yaml") or {}).get("country_evidence") or {}).get("legal_phrases") or {}
    return [(str(p), str(cc).upper()) for cc, phrases in data.items() for p in phrases or ()]


LAW = "@law"  # the payload kind of legal phrases in the shared phrase index: (LAW, country, countries sharing it)


def law_entries() -> list[tuple[str, tuple[str, str, int]]]:
    """(phrase, payload) for the shared phrase index: each phrase with its country and how many countries list
    it (its weight is split among them)."""
    pairs = legal_phrases()
    share = Counter(p for p, _cc in pairs)
    return [(p, (LAW, cc, share[p])) for p, cc in pairs]


def _alias(code: str) -> str:
    code = code.upper()
    return {"UK": "GB", "EL": "GR"}.get(code, code)


def is_country_code(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code.upper() not in ("ZZ", "XX", "EU")


@cached_build("country-names")
def country_names() -> dict[str, str]:
    """Folded (and lower-cased) names of the countries of rules/countries.yaml in each of their languages and
    English (CLDR territory names, through Babel) and the extra names of ``address_names`` -> country code."""
    from babel import Locale, UnknownLocaleError

    profs = profiles()
    langs = {"en"} | {str(lang) for p in profs.values() for lang in p.get("languages") or ()}
    out: dict[str, str] = {}

    def add(name: str, cc: str) -> None:
        for key in {name.lower().strip(), fold(name)}:
            if len(key) >= 2:
                out.setdefault(key, cc)

    for lang in sorted(langs):
        try:
            terr = Locale.parse(lang).territories
        except (UnknownLocaleError, ValueError):
            continue
        for cc in profs:
            name = terr.get(cc)
            if name:
                add(name, cc)
    extra = ((load_yaml("countries.yaml") or {}).get("country_evidence") or {}).get("address_names") or {}
    for cc, names in extra.items():
        for n in names or ():
            add(str(n), str(cc).upper())
    return out


def country_of_name(name: str) -> str | None:
    """A country code written as a code ("PL") or a name in a profile language ("Polska", "Niederlande")."""
    s = name.strip().strip(".,;:")
    if len(s) == 2 and s.isascii() and s.isalpha():
        return _alias(s) if is_country_code(s) else None
    names = country_names()
    return names.get(s.lower()) or names.get(fold(s))


# --------------------------------------------------------------------------- per page (country-free facts)

@dataclass(frozen=True)
class CountryHints:
    """What one page says about where the shop is, as written (nothing decided here)."""

    lang_tag: str | None = None  # <html lang> / Content-Language as written ("de-at")
    locales: tuple[str, ...] = ()  # og:locale, and the hreflang of the page's own alternate link
    declared_hosts: tuple[str, ...] = ()  # hosts of <link rel=canonical> and og:url
    # a line that is a country's name, with the three lines before it and the one after (an address block)
    country_lines: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (country, phrase as written, how many countries the phrase belongs to) of the legal phrases on the page
    law: tuple[tuple[str, str, int], ...] = ()


_NAME_LINE_MAX = 40


def page_hints(pp: ParsedPage, hits: Iterable | None = None) -> CountryHints:
    root = pp.root
    tag = None
    locales: list[str] = []
    declared: list[str] = []
    if root is not None:
        tag = (root.get("lang") or root.get("xml:lang") or "").strip().lower().replace("_", "-") or None
        own = normalize_url(pp.url) if pp.url else ""
        for el in root.iter("link", "meta"):
            if el.tag == "link":
                rel = (el.get("rel") or "").lower()
                if "canonical" in rel:
                    h = host_of(el.get("href") or "")
                    if h:
                        declared.append(h)
                elif "alternate" in rel and el.get("hreflang") and own:
                    href = (el.get("href") or "").strip()
                    if href and normalize_url(href) == own:
                        locales.append(el.get("hreflang").strip().lower()[:20])
            else:
                prop = (el.get("property") or "").lower()
                if prop == "og:url":
                    h = host_of(el.get("content") or "")
                    if h:
                        declared.append(h)
                elif prop == "og:locale":
                    locales.append((el.get("content") or "").strip().lower()[:20])
                elif not tag and (el.get("http-equiv") or "").lower() == "content-language":
                    tag = (el.get("content") or "").strip().lower().replace("_", "-")[:20] or None
    lines = pp.text[:300_000].split("\n")
    names = country_names()
    found: list[tuple[str, tuple[str, ...]]] = []
    # the lines that are a country's name, found by one set intersection in C (a page has thousands of lines)
    lowered = list(map(str.lower, map(str.strip, lines)))
    named = names.keys() & set(lowered)
    if named:
        for i, key in enumerate(lowered):
            if key in named and len(found) < 20:
                found.append((lines[i].strip()[:_NAME_LINE_MAX],
                              tuple(lines[max(0, i - 3): i] + lines[i + 1: i + 2])))
    law: dict[tuple[str, str, int], None] = {}
    for start, end, payload in hits or ():
        if isinstance(payload, tuple) and payload[:1] == (LAW,) and len(law) < 40:
            law[(payload[1], " ".join(pp.text[start:end].split())[:80], int(payload[2]))] = None
    return CountryHints(tag, tuple(dict.fromkeys(x for x in locales if x))[:10], tuple(dict.fromkeys(declared))[:10],
                        tuple(found), tuple(law))


# --------------------------------------------------------------------------- evidence of each kind

def _ev(signal: str, value: str, country: str | None, w: float) -> CountryEvidence:
    return CountryEvidence(signal, value[:120], country, round(w, 3))


def tld_evidence(hosts: Iterable[str], declared: Iterable[str]) -> list[CountryEvidence]:
    """The ccTLD of the shop's own hosts (``tld``) and of other hosts its pages declare (``own_domain``); a brand
    ccTLD (.io) and a generic TLD are recorded with what they weigh (nothing, or little)."""
    rules = evidence_rules()
    out: list[CountryEvidence] = []
    seen: set[str] = set()
    for signal, group in (("tld", hosts), ("own_domain", declared)):
        for host in group:
            host = (host or "").lower().rstrip(".")
            if not host or "." not in host or is_ip(host):
                continue
            site = registrable_domain(host)
            if site in seen:
                continue
            seen.add(site)
            labels = site.split(".")
            last, two = labels[-1], ".".join(labels[-2:])
            if last in rules["brand_tlds"] or two in rules["brand_tlds"]:
                out.append(_ev(signal, "." + last, None, 0.0))
                continue
            cc = country_from_host("http://" + host + "/")
            if cc:
                out.append(_ev(signal, "." + (two if two in _tld_map() else last), cc, weight(signal)))
            elif last in rules["generic_tlds"]:
                g = rules["generic_tlds"][last]
                out.append(_ev(signal, "." + last, g, weight("tld_generic") if g else 0.0))
            else:
                out.append(_ev(signal, "." + last, None, 0.0))
    return out


def _region(tag: str) -> str | None:
    parts = re.split(r"[-_]", tag.strip())
    for p in parts[1:]:
        if len(p) == 2 and p.isalpha():
            cc = _alias(p)
            return cc if is_country_code(cc) else None
    return None


def locale_evidence(tags: Iterable[str]) -> list[CountryEvidence]:
    """A region in a language tag ("de-AT", "pl_PL"): once per country."""
    out: list[CountryEvidence] = []
    seen: set[str] = set()
    for tag in tags:
        cc = _region(tag or "")
        if cc and cc not in seen:
            seen.add(cc)
            out.append(_ev("locale", tag, cc, weight("locale")))
    return out


def language_evidence(language: str | None) -> list[CountryEvidence]:
    """The text's language: its main country, and the other countries where it is an official language."""
    if not language:
        return []
    out: list[CountryEvidence] = []
    main = country_from_lang(language)
    if main:
        out.append(_ev("language", language, main, weight("language")))
    for cc, p in profiles().items():
        if cc != main and language in [str(x) for x in p.get("languages") or ()]:
            out.append(_ev("language", language, cc, weight("language_other")))
    return out


@cached_build("currencies")
def _currency_table() -> tuple[re.Pattern[str] | None, dict[str, tuple[str, ...]]]:
    """(one pattern finding every currency token as a whole word, token -> the countries that use it)."""
    owners: dict[str, list[str]] = {}
    for cc, p in profiles().items():
        for t in p.get("currencies") or ():
            owners.setdefault(str(t), []).append(cc)
    if not owners:
        return None, {}
    alt = "|".join(re.escape(t) for t in sorted(owners, key=len, reverse=True))
    # no look-behind at its start: the regex engine then skips to the tokens' first characters; the word start
    # is tested on the few matches (``currency_evidence``)
    rx = re.compile(r"(?:" + alt + r")(?![^\W\d_])")
    return rx, {t: tuple(sorted(v)) for t, v in owners.items()}


CURRENCY_SCAN = 20_000  # characters of each page's text looked at for prices (they come early on a shop page)
_NUM_BEFORE = re.compile(r"\d[\s\u00a0]?\Z")
_NUM_AFTER = re.compile(r"[\s\u00a0]?\d")


def currency_evidence(texts: Iterable[str]) -> list[CountryEvidence]:
    """Prices: a currency token right before or after a number. A currency of one country weighs
    ``currency``, one of several ``currency_shared`` for each; both scaled by how often it is written against
    the most written one (a single mention counts half)."""
    rx, owners = _currency_table()
    if rx is None:
        return []
    counts: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], str] = {}
    for text in texts:
        for m in rx.finditer(text, 0, CURRENCY_SCAN):
            a, b = m.span()
            if a and (text[a - 1].isalnum() or text[a - 1] == "_") and text[a].isalnum():
                continue  # inside a word
            if _NUM_BEFORE.search(text, max(0, a - 2), a) or _NUM_AFTER.match(text, b):
                key = owners[m.group(0)]
                counts[key] += 1
                shown.setdefault(key, m.group(0))
    if not counts:
        return []
    top = max(2, max(counts.values()))
    out: list[CountryEvidence] = []
    for key, n in counts.most_common():
        w = (weight("currency") if len(key) == 1 else weight("currency_shared")) * n / top
        for cc in key:
            out.append(_ev("currency", f"{shown[key]} ×{n}", cc, w))
    return out


def phone_evidence(regions: Iterable[tuple[str, str]]) -> list[CountryEvidence]:
    """(E.164, region) of the numbers written with a country code: the region with the most numbers weighs
    ``phone``, the others in proportion."""
    per: dict[str, list[str]] = {}
    for e164, region in regions:
        if region and is_country_code(region) and e164 not in per.setdefault(region, []):
            per[region].append(e164)
    per = {k: v for k, v in per.items() if v}
    if not per:
        return []
    top = max(len(v) for v in per.values())
    return [_ev("phone", ", ".join(v[:3]), cc, weight("phone") * len(v) / top)
            for cc, v in sorted(per.items(), key=lambda kv: -len(kv[1]))]


def national_phone_evidence(readings: Iterable[tuple[str, set[str]]]) -> list[CountryEvidence]:
    """(number as written, the countries where it is a valid number) of numbers written without a country
    code: each country gets ``phone_national`` split among the countries the number fits, the country with
    the most numbers in full and the others in proportion."""
    per: dict[str, float] = {}
    shown: dict[str, list[str]] = {}
    for raw, regions in readings:
        regions = {r for r in regions if r and is_country_code(r)}
        for r in regions:
            per[r] = per.get(r, 0.0) + 1 / len(regions)
            if raw not in shown.setdefault(r, []):
                shown[r].append(raw)
    if not per:
        return []
    top = max(per.values())
    return [_ev("phone_national", ", ".join(shown[cc][:3]), cc, weight("phone_national") * n / top)
            for cc, n in sorted(per.items(), key=lambda kv: -kv[1])]


@lru_cache(maxsize=1)
def _zone_regex() -> re.Pattern[str] | None:
    zones = evidence_rules()["time_zones"]
    if not zones:
        return None
    alt = "|".join(re.escape(z) for z in sorted(zones, key=len, reverse=True))
    # right after a time of day: "7pm CST", "9:00 EST", "18:00 (МСК)", "до 18 по мск"
    return re.compile(r"\d(?:\s?[AaPp]\.?[Mm]\.?)?[\s\u00a0]?\(?(?:по[\s\u00a0])?(" + alt + r")(?![^\W\d_])")


def time_zone_evidence(texts: Iterable[str]) -> list[CountryEvidence]:
    """The time zone of stated hours: each zone once, its weight split among the countries that keep it."""
    rx = _zone_regex()
    if rx is None:
        return []
    zones = evidence_rules()["time_zones"]
    found: dict[str, str] = {}
    for text in texts:
        for m in rx.finditer(text):
            found.setdefault(m.group(1), text[max(0, m.start() - 12): m.end()].strip())
            if len(found) >= 5:
                break
    out: list[CountryEvidence] = []
    for zone, shown in found.items():
        owners = zones.get(zone, ())
        for cc in owners:
            out.append(_ev("time_zone", shown, cc, weight("time_zone") / len(owners)))
    return out


_HOUSE_NUMBER = re.compile(r"[^\W\d_]{2,}\.?\s+\d{1,4}\s?[A-Za-z]?(?![\d])")


@lru_cache(maxsize=1)
def _postcode_table() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((cc, rx) for cc in profiles() if (rx := postcode_regex(cc)) is not None)


@lru_cache(maxsize=1)
def _any_postcode() -> re.Pattern[str] | None:
    """Every country's postcode pattern in one (which one matched is asked of each pattern afterwards). The
    patterns that start with a digit and those that start with a capital are grouped behind one look-ahead each,
    so most positions of the text are rejected by one test instead of one per pattern."""
    table = _postcode_table()
    if not table:
        return None
    digit, capital, other = [], [], []
    for _cc, rx in table:
        pat = rx.pattern
        if re.match(r"(?:\\b|\(\?<!\\d\))?\\d", pat):
            digit.append(pat)
        elif re.match(r"(?:\\b)?\[A", pat):
            capital.append(pat)
        else:
            other.append(pat)
    alts = []
    if digit:
        alts.append(r"(?=\d)(?:" + "|".join(f"(?:{p})" for p in digit) + ")")
    if capital:
        alts.append(r"(?=[A-Z])(?:" + "|".join(f"(?:{p})" for p in capital) + ")")
    alts.extend(f"(?:{p})" for p in other)
    return re.compile("|".join(alts))


@cached_build("street-markers")
def _street() -> re.Pattern[str] | None:
    return phrase_regex((load_yaml("vocab/company.yaml") or {}).get("street_markers") or [])


def postcode_evidence(lines: Iterable[tuple[str, str]]) -> list[CountryEvidence]:
    """(line, line before) of short lines with a digit: a postcode + town in a country's format on an address
    line (a street word on it or on the line before, or a street and house number before it). A line that
    fits several formats ("70121 Bari": five digits and a town) is split among them."""
    street = _street()
    out: list[CountryEvidence] = []
    seen: set[str] = set()
    tails: set[str] = set()
    lines = [(line, before) for line, before in lines if len(line) <= 80]
    # the lines where some country's postcode format matches: one scan of them all joined
    joined = "\n".join(line for line, _b in lines)
    any_rx = _any_postcode()
    if any_rx is None or not joined:
        return out
    starts = list(accumulate((len(line) + 1 for line, _b in lines), initial=0))
    candidates = sorted({bisect_right(starts, m.start()) - 1 for m in any_rx.finditer(joined)})
    for line, before in (lines[i] for i in candidates):
        if line in seen:
            continue
        fl = fold(line)
        if not ((street is not None and (street.search(fl) or (before and street.search(fold(before)))))
                or (before and len(before) <= 60 and _HOUSE_NUMBER.search(before))):
            continue
        seen.add(line)
        fits = [cc for cc, rx in _postcode_table() if _postcode_in(rx, line)]
        for cc in fits:
            out.append(_ev("postcode", line.strip(), cc, weight("postcode") / len(fits)))
        # "..., 00-950 Warszawa, Polska", "70125 BARI (Italy)": the country named at the end of the line
        tail = _TAIL_SPLIT.split(line.strip(" \t\u00a0.,;()"))[-1]
        named = country_of_name(tail) if 2 < len(tail) <= _NAME_LINE_MAX else None
        if named and named in fits and named not in tails:
            tails.add(named)
            out.append(_ev("address_country", line.strip(), named, weight("address_country")))
        if len(seen) > 200:
            break
    return out


_TAIL_SPLIT = re.compile(r"[,()|\u2013\u2014]|\s-\s")


def _postcode_in(rx: re.Pattern[str], line: str) -> bool:
    """A postcode of ``rx``'s format on the line, not a piece of a longer run of digit groups (an account or
    phone number: "301 018 106 000 000 00859")."""
    for m in rx.finditer(line):
        if not re.search(r"\d[\s\u00a0.\-]?\Z", line[max(0, m.start() - 2): m.start()]):
            return True
    return False


def address_country_evidence(declared: Iterable[str], name_lines: Iterable[tuple[str, tuple[str, ...]]]
                             ) -> list[CountryEvidence]:
    """JSON-LD ``addressCountry``, and a country's name on a line of its own next to a postcode line in that
    country's format."""
    out: list[CountryEvidence] = []
    seen: set[tuple[str, str]] = set()
    for value in declared:
        cc = country_of_name(value)
        if cc and ("jsonld", cc) not in seen:
            seen.add(("jsonld", cc))
            out.append(_ev("address_country", f"addressCountry {value}", cc, weight("address_country")))
    for name, around in name_lines:
        cc = country_of_name(name)
        rx = postcode_regex(cc) if cc else None
        if cc and rx is not None and ("text", cc) not in seen and any(rx.search(x) for x in around):
            seen.add(("text", cc))
            out.append(_ev("address_country", name, cc, weight("address_country")))
    return out


def id_evidence(readings: Iterable[tuple[str, list[tuple[str, str | None, bool | None]]]]) -> list[CountryEvidence]:
    """Per ID label followed by a number: (shown as, [(scheme, scheme's country, valid)]). A reading with a
    valid check digit points to its scheme's country (a VAT number to its prefix's country: ``registry_id``,
    split when valid in several); a label of one country's schemes before a number that fails or has no check
    is weaker (``registry_label``)."""
    out: list[CountryEvidence] = []
    for shown, rs in readings:
        valid = sorted({cc for _s, cc, ok in rs if ok and cc})
        if valid:
            for cc in valid:
                out.append(_ev("registry_id", shown, cc, weight("registry_id") / len(valid)))
            continue
        label_countries = {cc for _s, cc, _ok in rs if cc}
        if len(label_countries) == 1 and all(cc for _s, cc, _ok in rs):
            out.append(_ev("registry_label", shown, label_countries.pop(), weight("registry_label")))
    return out


def legal_evidence(hits: Iterable[tuple[str, str, int]]) -> list[CountryEvidence]:
    """(country, phrase as written, how many countries the phrase belongs to) of the legal phrases found: each
    phrase once per country, its weight split among its countries."""
    out: list[CountryEvidence] = []
    seen: set[tuple[str, str]] = set()
    for cc, written, share in hits:
        key = (cc, fold(written))
        if key not in seen:
            seen.add(key)
            out.append(_ev("legal_phrase", written, cc, weight("legal_phrase") / max(1, share)))
    return out


# --------------------------------------------------------------------------- the decision

@dataclass(frozen=True)
class CountryDecision:
    country: str | None
    confidence: float | None
    evidence: tuple[CountryEvidence, ...]
    source: str  # "override" | "evidence" | ""


MAX_EVIDENCE = 40


def scores(evidence: Iterable[CountryEvidence]) -> dict[str, float]:
    """Per country, the sum of its evidence, each kind counting at most ``cap`` times its weight."""
    rules = evidence_rules()
    per: dict[tuple[str, str], float] = {}
    for e in evidence:
        if e.country and e.weight > 0:
            k = (e.country, e.signal)
            per[k] = per.get(k, 0.0) + e.weight
    out: dict[str, float] = {}
    for (cc, signal), w in per.items():
        base = rules["weights"].get(signal, w)
        out[cc] = out.get(cc, 0.0) + min(w, rules["cap"] * base if base else w)
    return out


def weigh(evidence: Iterable[CountryEvidence], override: str | None = None) -> CountryDecision:
    """The shop's country from its evidence: the best-scoring country when it reaches the threshold and leads
    the next by the margin (else unknown); ``override`` wins whatever the evidence says."""
    rules = evidence_rules()
    ev = sorted(evidence, key=lambda e: (-e.weight, e.signal, e.country or "", e.value))
    if override:
        cc = override.strip().upper()
        sc = sorted(scores(ev).items(), key=lambda kv: (-kv[1], kv[0]))
        shown = _shown(ev, {c for c, _s in sc[:SHOWN_COUNTRIES]})
        return CountryDecision(cc, 1.0, (_ev("override", cc, cc, 0.0), *shown), "override")
    sc = scores(ev)
    if not sc:
        return CountryDecision(None, None, _shown(ev, set()), "")
    ranked = sorted(sc.items(), key=lambda kv: (-kv[1], kv[0]))
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    shown = _shown(ev, {cc for cc, _s in ranked[:SHOWN_COUNTRIES]})
    if top < rules["threshold"] or top - second < rules["margin"]:
        return CountryDecision(None, None, shown, "")
    confidence = round(min(1.0, top / rules["saturation"]) * (top - second) / top, 2)
    return CountryDecision(best, confidence, shown, "evidence")


SHOWN_COUNTRIES = 3  # the evidence reported: that of the best-scoring countries (why this one, what spoke for others)


def _shown(ev: list[CountryEvidence], countries: set[str]) -> tuple[CountryEvidence, ...]:
    """The evidence of ``countries`` and what weighed nothing (a brand ccTLD, a generic TLD), strongest first."""
    return tuple([e for e in ev if e.country in countries or (e.country is None and e.signal in ("tld", "own_domain"))]
                 [:MAX_EVIDENCE])
