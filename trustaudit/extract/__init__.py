"""Extraction: pure functions from a crawled ``SiteSnapshot`` to ``Artifacts`` (no I/O, no scoring).

Every page is parsed once (``cache.get(page)``); each signal has its own module; all multilingual knowledge
lives in ``rules/vocab/*.yaml`` and ``rules/countries.yaml``. Every extractor is wrapped so that hostile HTML can
degrade a signal but never raise.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
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
from trustaudit.models import Address, Artifacts, Email, Evidence, FetchedPage, Phone, SiteSnapshot, TaxId

__all__ = ["extract", "extractable", "language_and_country", "scan_widgets", "scan_widgets_on", "warm_country", "warm_page"]

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


def _memo(pp: ParsedPage, fn: Callable[..., T], default: T, *args) -> T:
    """``_safe(fn, default, pp, *args)``, once per page and arguments. The page warmer (``warm.py``) calls the
    same functions while the crawl is still fetching, so most of them are already done when ``extract`` runs.
    Every memoised function is pure (a function of the page and the arguments) and its result is never
    mutated, so a result computed by the warmer is the one ``extract`` would compute."""
    store = pp.__dict__.get("_memo")
    if store is None:
        store = pp.__dict__["_memo"] = {}
    key = (fn, args)
    try:
        return store[key]
    except KeyError:
        pass
    result = _safe(fn, default, pp, *args)
    store[key] = result
    return result


def extractable(page: FetchedPage) -> bool:
    """Whether ``extract`` looks at a page (one of the snapshot's first MAX_PAGES): a body, no error status."""
    return page.status < 400 and bool(page.text)


def _pages(snapshot: SiteSnapshot, cache: ParseCache) -> list[ParsedPage]:
    out = []
    for page in snapshot.pages[:MAX_PAGES]:
        if not extractable(page):
            continue
        pp = _safe(cache.get, None, page)
        if pp is not None:
            out.append(pp)
    return out


def language_and_country(
    final_url: str, base_url: str, pps: list[ParsedPage], override: str | None
) -> tuple[str | None, str | None, str]:
    """(language, country, how the country was found), from the first pages only (``pps[:5]``)."""
    home = pps[0] if pps else None
    declared = [pp.lang for pp in pps[:3]]
    language = _safe(_country.detect_language, None, declared, home.text if home else "")
    return (language, *_detect_country(final_url, base_url, pps, language, override))


def _detect_country(
    final_url: str, base_url: str, pps: list[ParsedPage], language: str | None, override: str | None
) -> tuple[str | None, str]:
    if override:
        return override.strip().upper(), "override"
    for url in [final_url, base_url] + [p.url for p in pps[:3]]:
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
        for ph in _memo(pp, extract_phones, [], None):
            try:
                region = phonenumbers.region_code_for_number(phonenumbers.parse(ph.e164))
            except phonenumbers.NumberParseException:
                continue
            if region and region != "001":
                counts[region] += 1
    if counts:
        return counts.most_common(1)[0][0], "phone"
    return None, ""


def scan_widgets_on(pp: ParsedPage, before: tuple[ParsedPage, ...], seen: set):
    """``widgets.scan_page`` of ``pp`` after the pages ``before`` were scanned with the same ``seen`` (what
    earlier pages of the shop already showed); the result is kept on the page with the pages it came after."""
    w = _safe(_scan_widgets, None, pp, seen)
    pp.__dict__["_widgets"] = (before, w)
    return w


def scan_widgets(pps: list[ParsedPage]) -> list:
    """``widgets.scan_page`` of every page in order. When the warmer already scanned each page after exactly
    the same earlier pages, its results are used; otherwise the whole shop is scanned again here, so the result
    never depends on how far the warmer got."""
    done = [pp.__dict__.get("_widgets") for pp in pps]
    if all(d is not None and d[0] == tuple(pps[:i]) for i, d in enumerate(done)):
        return [d[1] for d in done]
    seen: set = set()
    return [scan_widgets_on(pp, tuple(pps[:i]), seen) for i, pp in enumerate(pps)]


def warm_page(pp: ParsedPage) -> Iterator[bool]:
    """The per-page extractors that need nothing but the page (see ``_memo``), in ``extract``'s order; a
    generator, so that the page warmer can interleave them with network work (one extractor per step)."""
    for fn, default in _PAGE_ONLY:
        _memo(pp, fn, default)
        yield True


def warm_country(pp: ParsedPage, country: str | None) -> Iterator[bool]:
    """The per-page extractors that also need the shop's country; one per step."""
    for fn in (extract_phones, extract_ids, _company.text_addresses):
        _memo(pp, fn, [], country)
        yield True


_PAGE_ONLY = (
    (extract_emails, []),
    (extract_structured, Structured()),
    (_company.company_names, []),
    (_company.review_blocks, []),
    (_company.mixed_content, []),
    (_phrases.page_phrases, {}),
)


def extract(snapshot: SiteSnapshot, cache: ParseCache, country_override: str | None = None) -> Artifacts:
    pps = _pages(snapshot, cache)
    language, country, country_source = language_and_country(
        snapshot.final_url, snapshot.base_url, pps, country_override
    )
    site_keys = _safe(shop_site_keys, set(), snapshot, cache)

    emails: list[Email] = []
    phones: list[Phone] = []
    tax_ids: list[TaxId] = []
    seen_e: set[str] = set()
    seen_p: set[str] = set()
    for pp in pps:
        for e in _memo(pp, extract_emails, []):
            if e.address not in seen_e:
                seen_e.add(e.address)
                emails.append(e)
        for ph in _memo(pp, extract_phones, [], country):
            if ph.e164 not in seen_p:
                seen_p.add(ph.e164)
                phones.append(ph)
        tax_ids.extend(_memo(pp, extract_ids, [], country))
    pages = _safe(find_pages, {}, snapshot, cache, site_keys)

    widget_pages = [w for w in scan_widgets(pps) if w is not None]
    widgets = _safe(_merge_widgets, {}, widget_pages)
    structured = [_memo(pp, extract_structured, Structured()) for pp in pps]
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
        for addr in _memo(pp, _company.text_addresses, [], country):
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
        for ev in _memo(pp, _company.company_names, []):
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
        reviews_on_site.extend(_memo(pp, _company.review_blocks, []))
        mixed.extend(_memo(pp, _company.mixed_content, []))
    phrases = _safe(_phrases.merge, {}, [_memo(pp, _phrases.page_phrases, {}) for pp in pps])

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
        trust_badges=tuple(widgets.get("trust_badge", [])),
        platform=platform,
        structured_types=tuple(types[:200]),
    )
