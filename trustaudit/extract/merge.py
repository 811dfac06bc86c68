"""Shop-level decisions: ``merge(facts, snapshot) -> Artifacts``.

Reads only the pages' facts (``extract_page``) and the snapshot (page order, URLs, statuses): which pages count
(the first ``MAX_PAGES`` extractable ones, in crawl order), the shop's language and country (all the evidence of
the first pages weighed: ``country.weigh``), then everything
that depends on them: phone numbers read for the country, the ID scheme of each number, postal addresses by
the country's postcode, which page is the contact page (and so which forms are contact forms), the
first-found-wins de-duplication of every signal, widgets seen on any page, the platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import phonenumbers

from trustaudit.extract import company as _company
from trustaudit.extract import country as _country
from trustaudit.extract import markets as _markets
from trustaudit.extract import phrases as _phrases
from trustaudit.extract import widgets as _widgets
from trustaudit.extract.emails import clean_address
from trustaudit.extract.ids import dedupe as _dedupe_ids
from trustaudit.extract.ids import resolve_ids, structured_ids
from trustaudit.extract.page import (
    COUNTRY_SIGNALS,
    STRUCTURED_SIGNALS,
    WIDGET_SIGNALS,
    PageFacts,
    extractable,
)
from trustaudit.extract.pages import find_pages
from trustaudit.extract.phones import parse_number, resolve_phones
from trustaudit.extract.platform import decide as _decide_platform
from trustaudit.extract.site import external_links, normalize_url, shop_site_keys, site_domain
from trustaudit.extract.text import snippet
from trustaudit.models import (
    Accessibility,
    Address,
    Artifacts,
    CountryEvidence,
    Email,
    Evidence,
    ExtractorError,
    Phone,
    Prices,
    ProductPages,
    SiteSnapshot,
    TaxId,
)
from trustaudit.web.urls import host_of

__all__ = ["MAX_PAGES", "accessibility", "country_evidence", "decide_country", "merge", "product_pages"]

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_PAGES = 60  # pages (in crawl order) whose facts make the shop's signals; page kinds look at every page
LANGUAGE_PAGES = 3  # pages whose declared language decides the shop's language
MAX_DISCOUNTS = 2_000
MAX_EXAMPLES = 5  # examples kept per accessibility test and per withdrawal finding


def decide_country(
    final_url: str, base_url: str, facts: list[PageFacts], override: str | None
) -> tuple[str | None, _country.CountryDecision]:
    """(the shop's language, its country with the evidence weighed and the confidence), from the first pages."""
    home = facts[0] if facts else None
    declared = [f.lang for f in facts[:LANGUAGE_PAGES]]
    language = _country.detect_language(declared, home.text_head if home else "")
    first = facts[: _country.evidence_rules()["pages"]]
    evidence = country_evidence(final_url, base_url, first, language)
    return language, _country.weigh(evidence, override)


def country_evidence(final_url: str, base_url: str, facts: list[PageFacts], language: str | None
                     ) -> list[CountryEvidence]:
    """Every piece of evidence of the shop's country on ``facts`` (the first pages), unweighed."""
    c = _country
    hosts = [host_of(u) for u in (final_url, base_url, *(f.url for f in facts))]
    ev = c.tld_evidence(hosts, [h for f in facts for h in f.country.declared_hosts])
    tags = [t for f in facts for t in ((f.country.lang_tag,) if f.country.lang_tag else ()) + f.country.locales]
    ev += c.locale_evidence(tags)
    ev += c.language_evidence(language)
    ev += c.currency_evidence(f.text_head for f in facts)
    regions: list[tuple[str, str]] = []
    for f in facts:
        numbers = [ph.e164 for ph in resolve_phones(f.phones, f.url, None)]
        numbers += [e for raw in f.structured.phones if raw.strip().startswith("+") and (e := parse_number(raw, None))]
        for e164 in numbers:
            try:
                regions.append((e164, phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""))
            except phonenumbers.NumberParseException:
                continue
    ev += c.phone_evidence(regions)
    ev += c.time_zone_evidence(f.text_head for f in facts)
    ev += c.postcode_evidence((al.line, al.before) for f in facts for al in f.addresses.lines)
    ev += c.address_country_evidence([x for f in facts for x in f.structured.address_countries],
                                     [x for f in facts for x in f.country.country_lines])
    ev += c.id_evidence(_id_readings(facts))
    ev += c.legal_evidence(x for f in facts for x in f.country.law)
    # numbers written without a country code: valid numbers of which of the countries the rest points to most
    ranked = sorted(c.scores(ev).items(), key=lambda kv: (-kv[1], kv[0]))
    in_play = [cc for cc, w in ranked[:NATIONAL_COUNTRIES] if w > 0]
    ev += c.national_phone_evidence(_national_readings(facts, in_play))
    return ev


def _home_says_missing(pages: list[PageFacts], final_url: str) -> bool:
    """Whether the page the crawl landed on says that it does not exist."""
    home = next((f for f in pages if f.url == final_url), pages[0] if pages else None)
    return bool(home is not None and home.links is not None and home.links.says_missing)


def _unread_without_country(pages: list[PageFacts], have_phone: bool, have_address: bool) -> list[ExtractorError]:
    """What could not be read because the shop's country is unknown: phone numbers written without a country
    code and postcode lines in some country's format are read only for a known country. Recorded as a partial
    read, so that "no phone number" or "no postal address" is not claimed while such numbers or lines are shown."""
    out: list[ExtractorError] = []
    if not have_phone:
        url = next((f.url for f in pages for c in f.phones
                    if c.role in ("phone", "unlabelled") and not c.raw.strip().startswith(("+", "00"))), None)
        if url is not None:
            out.append(ExtractorError("phones", url, "numbers written without a country code are read only for a "
                                      "known country (--country)", ("phones",), partial=True))
    if not have_address:
        for f in pages:
            if _country.postcode_evidence((al.line, al.before) for al in f.addresses.lines):
                out.append(ExtractorError("addresses", f.url, "postcode lines are read as addresses only for a known "
                                          "country (--country)", ("addresses",), partial=True))
                break
    return out


NATIONAL_NUMBERS = 10  # numbers without a country code looked at (the first ones, each once)
NATIONAL_COUNTRIES = 3  # ... read for the countries the other evidence ranks highest


def _national_readings(facts: list[PageFacts], countries: list[str]):
    """(number as written, the countries it is a valid number of), for phone numbers written without a
    country code: parsed for each country in play, the number's own country (an area code of Canada read for
    the US is Canadian) is the one phonenumbers gives for the result."""
    seen: set[str] = set()
    for f in facts:
        for cand in f.phones:
            raw = cand.raw.strip()
            if cand.role != "phone" or raw.startswith(("+", "00")) or raw in seen:
                continue
            seen.add(raw)
            if len(seen) > NATIONAL_NUMBERS:
                return
            regions = set()
            for cc in countries:
                e164 = parse_number(raw, cc)
                if e164:
                    regions.add(phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or "")
            yield raw, regions


def _id_readings(facts: list[PageFacts]):
    """Per ID label followed by a number (each number once): what it shows, and each scheme's reading of it with
    the country it points to (a VAT number with a country prefix: that country)."""
    seen: set[str] = set()
    for f in facts:
        for cands in f.ids.labels:
            if not cands or cands[0].owner:
                continue  # another company's number says nothing of where the shop is
            t = cands[0].tax_id
            shown = f"{t.label} {t.value}"
            if shown in seen:
                continue
            seen.add(shown)
            rs = []
            for x in cands:
                cc = x.country
                if cc is None and x.tax_id.scheme == "eu.vat" and x.tax_id.valid:
                    cc = _country.country_of_name(x.tax_id.value[:2])
                rs.append((x.tax_id.scheme, cc, x.tax_id.valid))
            yield shown, rs


def merge(
    facts: Iterable[PageFacts],
    snapshot: SiteSnapshot,
    *,
    country_override: str | None = None,
    strict: bool | None = None,
) -> Artifacts:
    """The shop's ``Artifacts`` from the facts of its pages (any order; matched to ``snapshot.pages`` by URL).
    A page without facts counts as not extracted. Shop-level steps are guarded like the extractors: a failure
    leaves its signals empty and is recorded in ``Artifacts.extractor_errors`` (``strict``: re-raised;
    default ``TRUSTAUDIT_STRICT``)."""
    from trustaudit.extract.page import strict_mode

    strict = strict_mode() if strict is None else strict
    by_url: dict[str, PageFacts] = {}
    for f in facts:
        by_url[f.url] = f
    home_url = snapshot.final_url or snapshot.base_url
    errors: list[ExtractorError] = [e for p in snapshot.pages if p.url in by_url for e in by_url[p.url].errors]

    def run(name: str, signals: tuple[str, ...], fn: Callable[..., T], default: T, *args: Any) -> T:
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - one broken step must not lose the whole report
            if strict:
                raise
            log.debug("merge step %s failed", name, exc_info=True)
            errors.append(ExtractorError(name, home_url, " ".join(f"{type(e).__name__}: {e}".split())[:300], signals))
            return default

    def facts_of(page) -> PageFacts | None:
        f = by_url.get(page.url)
        return f if f is not None and f.parsed else None

    pages = [f for f in (facts_of(p) for p in snapshot.pages[:MAX_PAGES] if extractable(p)) if f is not None]
    language, decision = run(
        "country", COUNTRY_SIGNALS, decide_country, (None, _country.weigh((), country_override)),
        snapshot.final_url, snapshot.base_url, pages, country_override,
    )
    country = decision.country
    site_keys = run("site", ("page:*", "external_links"), shop_site_keys, set(), snapshot,
                    lambda p: f.site if (f := facts_of(p)) is not None else None)

    emails: list[Email] = []
    phones: list[Phone] = []
    tax_ids: list[TaxId] = []
    seen_e: set[str] = set()
    seen_p: set[str] = set()
    for f in pages:
        for e in f.emails:
            if e.address not in seen_e:
                seen_e.add(e.address)
                emails.append(e)
        for ph in run("phones", ("phones",), resolve_phones, [], f.phones, f.url, country):
            if ph.e164 not in seen_p:
                seen_p.add(ph.e164)
                phones.append(ph)
        tax_ids.extend(run("ids", ("tax_ids",), resolve_ids, [], f.ids, country))
    found = run("pages", ("page:*",), find_pages, {}, snapshot,
                lambda p: f.links if (f := facts_of(p)) is not None else None, site_keys)

    widgets = run("widgets", WIDGET_SIGNALS, _widgets.merge, {}, [f.widgets for f in pages if f.widgets is not None])
    types: list[str] = []
    ratings = []
    for f in pages:
        for t in f.structured.types:
            if t not in types:
                types.append(t)
        ratings.extend(f.structured.ratings)
    rating = max(ratings, key=lambda r: (r.count or 0)) if ratings else None
    platform = run("platform", ("platform",), _decide_platform, None, [(f.url, f.platform) for f in pages])

    # structured data adds contact evidence (ContactPoint / Organization telephone and email)
    for f in pages:
        for raw in f.structured.emails:
            a = run("structured", STRUCTURED_SIGNALS, clean_address, None, raw)
            if a and a not in seen_e:
                seen_e.add(a)
                emails.append(Email(a, f.url, "structured data"))
        for raw in f.structured.phones:
            e164 = run("structured", STRUCTURED_SIGNALS, parse_number, None, raw, country)
            if e164 and e164 not in seen_p:
                seen_p.add(e164)
                phones.append(Phone(e164, f.url, raw, "structured data"))
    # identifiers declared in structured data come after those read in the text (which win a duplicate)
    for f in pages:
        tax_ids.extend(run("ids", ("tax_ids",), structured_ids, [], f.structured.ids, f.url, country))

    addresses: list[Address] = []
    seen_a: set[str] = set()
    for f in pages:
        for text, source in f.structured.addresses:
            if text.lower() not in seen_a:
                seen_a.add(text.lower())
                addresses.append(Address(text, f.url, source))
    for f in pages:
        for addr in run("addresses", ("addresses",), _company.addresses_from, [], f.addresses, f.url, country):
            if addr.text.lower() not in seen_a:
                seen_a.add(addr.text.lower())
                addresses.append(addr)

    if country is None:
        errors.extend(run("country", ("phones", "addresses"), _unread_without_country, [], pages, bool(phones),
                          bool(addresses)))

    names: list[Evidence] = []
    seen_n: set[str] = set()
    for f in pages:
        for n in f.structured.org_names:
            if n.lower() not in seen_n:
                seen_n.add(n.lower())
                names.append(Evidence(f.url, snippet(n, 160)))
    for f in pages:
        for ev in f.company_names:
            if ev.snippet.lower() not in seen_n:
                seen_n.add(ev.snippet.lower())
                names.append(ev)

    contact = found.get("contact")
    contact_url = normalize_url(contact.url) if contact and contact.url else None
    forms: list[Evidence] = []
    reviews_on_site: list[Evidence] = []
    mixed: list[Evidence] = []
    for f in pages:
        on_contact = normalize_url(f.url) == contact_url
        forms.extend(ev for ev, has_mail in f.forms if has_mail or on_contact)
        if f.structured.reviews:
            reviews_on_site.append(Evidence(f.url, f"{f.structured.reviews} schema.org Review item(s)"))
        reviews_on_site.extend(f.review_blocks)
        mixed.extend(f.mixed_content)
    phrases = run("phrases", ("phrase:*",), _phrases.merge, {}, [f.phrases for f in pages])
    prices = Prices(sum(f.prices.amounts for f in pages),
                    tuple(d for f in pages for d in f.prices.discounts)[:MAX_DISCOUNTS])
    domain = run("site", ("page:*", "external_links"), site_domain, None, snapshot,
                 lambda p: f.site if (f := facts_of(p)) is not None else None)
    markets = run("markets", ("markets",), _markets.decide, {}, [(f.url, f.currencies) for f in pages], phrases)
    functions = _first_seen(e for f in pages for e in f.withdrawal.functions)
    near = _first_seen(e for f in pages for e in f.withdrawal.near)
    reductions = tuple(f.offers.reductions for f in pages if f.offers.reductions is not None)
    products = run("products", ("products",), product_pages, ProductPages(), pages, snapshot, site_keys)
    access = run("accessibility", ("accessibility",), accessibility, Accessibility(), pages)

    return Artifacts(
        language=language,
        country=country,
        country_source=decision.source,
        country_evidence=decision.evidence,
        country_confidence=decision.confidence,
        emails=tuple(emails),
        phones=tuple(phones),
        tax_ids=tuple(run("ids", ("tax_ids",), _dedupe_ids, tax_ids, tax_ids)),
        company_names=tuple(names[:20]),
        addresses=tuple(addresses[:20]),
        pages=found,
        contact_forms=tuple(forms[:10]),
        reviews_on_site=tuple(reviews_on_site[:10]),
        phrases=phrases,
        mixed_content=tuple(mixed[:50]),
        broken_links=tuple(run("broken_links", ("broken_links",), _company.broken_links, [], snapshot)),
        external_links=tuple(run("external_links", ("external_links",), external_links, [],
                                 [f.link_urls for f in pages], site_keys)),
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
        site_domain=domain,
        prices=prices,
        markets=markets,
        withdrawal_functions=functions[:MAX_EXAMPLES],
        withdrawal_near=near[:MAX_EXAMPLES],
        reductions=reductions,
        products=products,
        accessibility=access,
        extractor_errors=tuple(errors),
        home_says_missing=_home_says_missing(pages, snapshot.final_url),
    )


def _first_seen(evs) -> tuple[Evidence, ...]:
    """One evidence per text (the same footer link on every page is one finding), in page order."""
    out: dict[str, Evidence] = {}
    for e in evs:
        out.setdefault(e.snippet, e)
    return tuple(out.values())


def product_pages(pages: list[PageFacts], snapshot: SiteSnapshot, site_keys: set[str]) -> ProductPages:
    """The product pages read (their safety information), and the product links seen on the shop's own site that
    were not fetched (when no product page was read, the product-safety check could not look at one)."""
    # a home page with one featured product that also links to product pages is a storefront, not the page of
    # that product (a one-product shop's home page, linking to none, is its product page)
    home = pages[0].url if pages else ""
    infos = tuple(f.offers.product for f in pages
                  if f.offers.product is not None and not (f.url == home and f.offers.product_links))
    fetched = {normalize_url(u) for p in snapshot.pages for u in (p.url, p.requested_url, *p.redirect_chain) if u}
    unfetched: list[str] = []
    for f in pages:
        for url in f.offers.product_links:
            if normalize_url(url) not in fetched and url not in unfetched and _same_site(url, site_keys):
                unfetched.append(url)
    return ProductPages(infos, tuple(unfetched[:10]))


def _same_site(url: str, site_keys: set[str]) -> bool:
    from trustaudit.extract.site import is_same_site

    return is_same_site(url, site_keys)


def accessibility(pages: list[PageFacts]) -> Accessibility:
    """The accessibility basics summed over the pages read (``lang``: pages without a declared language)."""
    checked = {"lang": 0, "images": 0, "fields": 0, "links": 0}
    failing = dict.fromkeys(checked, 0)
    examples: dict[str, list[tuple[str, str]]] = {k: [] for k in checked}
    for f in pages:
        a = f.access
        if a is None:
            continue
        checked["lang"] += 1
        if not a.lang:
            failing["lang"] += 1
            if len(examples["lang"]) < MAX_EXAMPLES:
                examples["lang"].append((f.url, ""))
        for key, (n, bad, ex) in (("images", a.images), ("fields", a.fields), ("links", a.links)):
            checked[key] += n
            failing[key] += bad
            for item in ex:
                if len(examples[key]) < MAX_EXAMPLES:
                    examples[key].append((f.url, item))
    return Accessibility(checked, failing, {k: tuple(v) for k, v in examples.items()})
