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

from trustaudit.extract import country as _country
from trustaudit.extract.emails import extract_emails
from trustaudit.extract.ids import dedupe as _dedupe_ids
from trustaudit.extract.ids import extract_ids
from trustaudit.extract.pages import find_pages
from trustaudit.extract.parse import ParseCache, ParsedPage
from trustaudit.extract.phones import extract_phones
from trustaudit.extract.site import shop_site_keys
from trustaudit.extract.structured import Structured, extract_structured
from trustaudit.extract.widgets import merge as _merge_widgets
from trustaudit.extract.widgets import scan_page as _scan_widgets
from trustaudit.models import Artifacts, Email, Phone, SiteSnapshot, TaxId

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

    widget_pages = [w for w in (_safe(_scan_widgets, None, pp) for pp in pps) if w is not None]
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
    platform = _pick_platform(widgets.get("platform", []))

    return Artifacts(
        language=language,
        country=country,
        country_source=country_source,
        emails=tuple(emails),
        phones=tuple(phones),
        tax_ids=tuple(_dedupe_ids(tax_ids)),
        pages=pages,
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


_GENERIC_PLATFORMS = {"wordpress", "joomla", "drupal"}


def _pick_platform(found):
    if not found:
        return None
    specific = [d for d in found if d.slug not in _GENERIC_PLATFORMS]
    return (specific or found)[0]
