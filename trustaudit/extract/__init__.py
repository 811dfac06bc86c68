"""Extraction: pure functions from a crawled ``SiteSnapshot`` to ``Artifacts`` (no I/O, no scoring).

Every page is parsed once (``cache.get(page)``); each signal has its own module; all multilingual knowledge
lives in ``rules/vocab/*.yaml`` and ``rules/countries.yaml``. Every extractor is wrapped so that hostile HTML can
degrade a signal but never raise.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

import phonenumbers

from trustaudit.extract import company as _company
from trustaudit.extract import country as _country
from trustaudit.extract import phrases as _phrases
from trustaudit.extract.emails import clean_address, extract_emails
from trustaudit.extract.ids import dedupe as _dedupe_ids
from trustaudit.extract.ids import extract_ids
from trustaudit.extract.pages import find_pages
from trustaudit.extract.parse import ParseCache, ParsedPage
from trustaudit.extract.phones import extract_phones, parse_number
from trustaudit.extract.platform import detect_platform
from trustaudit.extract.site import normalize_url, shop_site_keys
from trustaudit.extract.structured import Structured, extract_structured
from trustaudit.extract.text import snippet
from trustaudit.extract.widgets import merge as _merge_widgets
from trustaudit.extract.widgets import scan_page as _scan_widgets
from trustaudit.models import Address, Artifacts, Email, Evidence, Phone, SiteSnapshot, TaxId

__all__ = ["extract"]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_PAGES = 60


def _safe(fn: Callable[..., T], default: T, *args, **kwargs) -> T:
    try:
        return fn(*args, **kwargs)
    except RecursionError:
        return default
    except Exception:  # noqa: BLE001 - one broken extractor must not lose the whole report
        log.debug("extractor %s failed", getattr(fn, "__name__", fn), exc_info=True)
        return default


def _pages(snapshot: SiteSnapshot, cache: ParseCache) -> list[ParsedPage]:
    out = []
    for page in snapshot.pages[:MAX_PAGES]:
        if page.status >= 400 or not page.text:
            continue
        pp = _safe(cache.get, None, page)
        if pp is not None:
            out.append(pp)
    return out


def _detect_country(
    snapshot: SiteSnapshot, pps: list[ParsedPage], language: str | None, override: str | None
) -> tuple[str | None, str]:
    if override:
        return override.strip().upper(), "override"
    for url in [snapshot.final_url, snapshot.base_url] + [p.url for p in pps[:3]]:
        cc = _country.country_from_host(url)
        if cc:
            return cc, "tld"
    cc = _country.country_from_lang(language)
    if cc:
        return cc, "lang"
    text = "\n".join(pp.text[:50000] for pp in pps[:3])
    cc = _country.country_from_currency(text)
    if cc:
        return cc, "currency"
    # international phone numbers on the page
    counts: Counter[str] = Counter()
    for pp in pps[:5]:
        for ph in _safe(extract_phones, [], pp, None):
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(ph.e164))
            except phonenumbers.NumberParseException:
                continue
            if region and region != "001":
                counts[region] += 1
    if counts:
        return counts.most_common(1)[0][0], "phone"
    return None, ""


def extract(snapshot: SiteSnapshot, cache: ParseCache, country_override: str | None = None) -> Artifacts:
    pps = _pages(snapshot, cache)
    home = pps[0] if pps else None
    declared = [pp.lang for pp in pps[:3]]
    language = _safe(_country.detect_language, None, declared, home.text if home else "")
    country, country_source = _detect_country(snapshot, pps, language, country_override)
    site_keys = _safe(shop_site_keys, set(), snapshot, cache)

    emails: list[Email] = []
    phones: list[Phone] = []
    tax_ids: list[TaxId] = []
    seen_e: set[str] = set()
    seen_p: set[str] = set()
    for pp in pps:
        for e in _safe(extract_emails, [], pp):
            if e.address not in seen_e:
                seen_e.add(e.address)
                emails.append(e)
        for ph in _safe(extract_phones, [], pp, country):
            if ph.e164 not in seen_p:
                seen_p.add(ph.e164)
                phones.append(ph)
        tax_ids.extend(_safe(extract_ids, [], pp, country))
    pages = _safe(find_pages, {}, snapshot, cache, site_keys)

    widget_seen: set = set()  # what earlier pages of this shop already showed (see widgets.scan_page)
    widget_pages = [w for w in (_safe(_scan_widgets, None, pp, widget_seen) for pp in pps) if w is not None]
    widgets = _safe(_merge_widgets, {}, widget_pages)
    structured = [_safe(extract_structured, Structured(), pp) for pp in pps]
    types: list[str] = []
    ratings = []
    for st in structured:
        for t in st.types:
            if t not in types:
                types.append(t)
        ratings.extend(st.ratings)
    rating = max(ratings, key=lambda r: (r.count or 0)) if ratings else None
    platform = _safe(detect_platform, None, pps)

    # structured data adds contact evidence (ContactPoint / Organization telephone and email)
    for pp, st in zip(pps, structured, strict=True):
        for raw in st.emails:
            a = clean_address(raw)
            if a and a not in seen_e:
                seen_e.add(a)
                emails.append(Email(a, pp.url, "structured data"))
        for raw in st.phones:
            e164 = _safe(parse_number, None, raw, country)
            if e164 and e164 not in seen_p:
                seen_p.add(e164)
                phones.append(Phone(e164, pp.url, raw, "structured data"))

    addresses: list[Address] = []
    seen_a: set[str] = set()
    for pp, st in zip(pps, structured, strict=True):
        for text, source in st.addresses:
            if text.lower() not in seen_a:
                seen_a.add(text.lower())
                addresses.append(Address(text, pp.url, source))
    for pp in pps:
        for addr in _safe(_company.text_addresses, [], pp, country):
            if addr.text.lower() not in seen_a:
                seen_a.add(addr.text.lower())
                addresses.append(addr)

    names: list[Evidence] = []
    seen_n: set[str] = set()
    for pp, st in zip(pps, structured, strict=True):
        for n in st.org_names:
            if n.lower() not in seen_n:
                seen_n.add(n.lower())
                names.append(Evidence(pp.url, snippet(n, 160)))
    for pp in pps:
        for ev in _safe(_company.company_names, [], pp):
            if ev.snippet.lower() not in seen_n:
                seen_n.add(ev.snippet.lower())
                names.append(ev)

    contact_url = normalize_url(pages["contact"].url) if pages.get("contact") and pages["contact"].url else None
    forms: list[Evidence] = []
    reviews_on_site: list[Evidence] = []
    mixed: list[Evidence] = []
    for pp, st in zip(pps, structured, strict=True):
        forms.extend(_safe(_company.contact_forms, [], pp, normalize_url(pp.url) == contact_url))
        if st.reviews:
            reviews_on_site.append(Evidence(pp.url, f"{st.reviews} schema.org Review item(s)"))
        reviews_on_site.extend(_safe(_company.review_blocks, [], pp))
        mixed.extend(_safe(_company.mixed_content, [], pp))
    phrases = _safe(_phrases.merge, {}, [_safe(_phrases.page_phrases, {}, pp) for pp in pps])

    return Artifacts(
        language=language,
        country=country,
        country_source=country_source,
        emails=tuple(emails),
        phones=tuple(phones),
        tax_ids=tuple(_dedupe_ids(tax_ids)),
        company_names=tuple(names[:20]),
        addresses=tuple(addresses[:20]),
        pages=pages,
        contact_forms=tuple(forms[:10]),
        reviews_on_site=tuple(reviews_on_site[:10]),
        phrases=phrases,
        mixed_content=tuple(mixed[:50]),
        broken_links=tuple(_safe(_company.broken_links, [], snapshot)),
        external_links=tuple(_safe(_company.external_links, [], pps, site_keys)),
        review_widgets=tuple(widgets.get("review", [])),
        aggregate_rating=rating,
        chat_widgets=tuple(widgets.get("chat", [])),
        payment_providers=tuple(widgets.get("payment", [])),
        payment_methods=tuple(widgets.get("payment_method", [])),
        social=tuple(widgets.get("social", [])),
        messengers=tuple(widgets.get("messenger", [])),
        platform=platform,
        structured_types=tuple(types[:200]),
    )
