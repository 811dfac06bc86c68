"""Per-page extraction: ``extract_page(page, context) -> PageFacts``.

A pure function of one fetched page: the same page gives the same facts, whatever was extracted before, on
whichever thread or process, in whichever order. Nothing here depends on the shop: facts that need the shop's
country (which phone numbers are valid, which ID scheme a number belongs to, which lines are postal
addresses) are kept as candidates with what decides between them, and ``merge`` interprets them once the
country is known. So a page can be extracted the moment it arrives.

Every extractor runs guarded: one that raises leaves its field empty and records an ``ExtractorError`` naming
the signals it feeds (``PageFacts.errors``), so the checks reading those signals can say "could not check"
instead of "not found". ``PageContext.strict`` (or ``TRUSTAUDIT_STRICT=1``) re-raises instead, for tests.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from trustaudit.extract import limits
from trustaudit.extract.access import A11yPage, page_access
from trustaudit.extract.attributes import PageAttributes, page_attributes
from trustaudit.extract.company import (
    PageAddresses,
    address_lines,
    company_names,
    form_candidates,
    mixed_content,
    page_link_urls,
    review_blocks,
)
from trustaudit.extract.country import CountryHints, page_hints
from trustaudit.extract.elementtext import ElementTexts
from trustaudit.extract.emails import extract_emails
from trustaudit.extract.ids import MAX_SCAN as ID_SCAN
from trustaudit.extract.ids import PageIds, id_candidates
from trustaudit.extract.markets import page_currencies
from trustaudit.extract.offers import OfferFacts, page_offers
from trustaudit.extract.pages import PageLinks, page_links
from trustaudit.extract.phones import MAX_SCAN as PHONE_SCAN
from trustaudit.extract.phones import PhoneCandidate, phone_candidates
from trustaudit.extract.phrases import page_hits, page_phrases
from trustaudit.extract.platform import Fingerprint, page_fingerprints
from trustaudit.extract.prices import PagePrices, page_prices
from trustaudit.extract.site import SiteHints, site_hints
from trustaudit.extract.structured import Structured, extract_structured
from trustaudit.extract.text import number_scan
from trustaudit.extract.widgets import db as widgets_db
from trustaudit.extract.widgets import scan_page
from trustaudit.extract.withdrawal import WithdrawalFacts, page_withdrawal
from trustaudit.models import Detection, Email, Evidence, ExtractorError, FetchedPage
from trustaudit.web.html import ParseCache, ParsedPage
from trustaudit.web.urls import host_of

__all__ = ["PageContext", "PageFacts", "WidgetFacts", "extract_page", "extractable", "page_steps", "strict_mode"]

log = logging.getLogger(__name__)
TEXT_HEAD = 50_000  # characters of visible text kept as evidence of the language and the currency

# the signals (as rules name them) each extractor feeds
WIDGET_SIGNALS = ("review_widgets", "chat_widgets", "payment_providers", "payment_methods", "social", "messengers",
                  "trust_badges")
STRUCTURED_SIGNALS = ("structured:*", "aggregate_rating", "reviews_on_site", "addresses", "company_names", "emails",
                      "phones", "tax_ids")
COUNTRY_SIGNALS = ("language", "country")


def strict_mode() -> bool:
    """``TRUSTAUDIT_STRICT=1``: extractor failures raise instead of being recorded (the test suite sets it)."""
    return os.environ.get("TRUSTAUDIT_STRICT", "").strip() not in ("", "0")


@dataclass(frozen=True)
class PageContext:
    """How to extract a page. It carries nothing about the shop or the other pages (facts never depend on
    them); ``strict`` re-raises an extractor's failure instead of recording it."""

    strict: bool = field(default_factory=strict_mode)


@dataclass(frozen=True)
class WidgetFacts:
    """Third-party services one page shows (``widgets.scan_page``): the first sighting of each (kind, slug), and
    which of them were seen only as a name in the text."""

    found: Mapping[tuple[str, str], Detection] = field(default_factory=lambda: MappingProxyType({}))
    text_only: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class PageFacts:
    """Everything extraction reads from one page; ``merge`` makes the shop's ``Artifacts`` of them."""

    url: str
    parsed: bool = True  # False: the page could not be parsed at all (it then counts as not extracted)
    lang: str | None = None  # declared language (<html lang>, Content-Language)
    text_head: str = ""  # the first TEXT_HEAD characters of the visible text: language and currency evidence
    emails: tuple[Email, ...] = ()
    phones: tuple[PhoneCandidate, ...] = ()  # read for the shop's country by ``phones.resolve_phones``
    ids: PageIds = PageIds()  # per ID label, its readings by each scheme: ``ids.resolve_ids``
    addresses: PageAddresses = PageAddresses()  # address candidates: ``company.addresses_from``
    structured: Structured = Structured()
    company_names: tuple[Evidence, ...] = ()
    review_blocks: tuple[Evidence, ...] = ()
    mixed_content: tuple[Evidence, ...] = ()
    forms: tuple[tuple[Evidence, bool], ...] = ()  # forms with a text area, and whether they ask for an e-mail
    phrases: Mapping[str, tuple[Evidence, ...]] = field(default_factory=lambda: MappingProxyType({}))
    widgets: WidgetFacts | None = None  # None: the widget scan failed on this page
    platform: frozenset[Fingerprint] = frozenset()  # stack-pack fingerprints the page shows
    links: PageLinks = PageLinks()  # links and headings that name page kinds
    link_urls: tuple[str, ...] = ()  # absolute http(s) links, each once
    site: SiteHints | None = None  # for a page with no host (a local mirror): where it says the shop lives
    country: CountryHints = CountryHints()  # what the page says about where the shop is (merge weighs it)
    prices: PagePrices = PagePrices()  # amounts of money shown and the discounts of crossed-out prices
    withdrawal: WithdrawalFacts = WithdrawalFacts()  # controls labelled as the withdrawal function
    offers: OfferFacts = OfferFacts()  # product page and its safety information, product links, price reductions
    access: A11yPage | None = None  # accessibility basics (None: not looked at)
    currencies: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # currency sign -> prices shown
    errors: tuple[ExtractorError, ...] = ()


def extractable(page: FetchedPage) -> bool:
    """Whether a page is extracted at all: a body and no error status."""
    return page.status < 400 and bool(page.text)


def extract_page(page: FetchedPage, context: PageContext | None = None, cache: ParseCache | None = None) -> PageFacts:
    """The facts of one page. ``cache``: where the crawl keeps the page parsed for its link discovery, so that
    it is not parsed twice."""
    steps = page_steps(page, context, cache)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


class _Shared:
    """Intermediate results several extractors of one page read (computed once, for this page only)."""

    def __init__(self, pp: ParsedPage):
        self.pp = pp

    @cached_property
    def _hits(self) -> tuple[list, list[str]]:
        with limits.recording() as cuts:
            return page_hits(self.pp), cuts  # phrase groups and service names: one pass over the folded text

    def hits(self) -> list:
        """The page's phrase hits; each extractor reading them records the cuts of that shared pass."""
        hits, cuts = self._hits
        for c in cuts:
            limits.cut(c)
        return hits

    @cached_property
    def attrs(self) -> PageAttributes:
        return page_attributes(self.pp, widgets_db().markup_tags)  # one walk of the elements for four extractors

    @cached_property
    def texts(self) -> ElementTexts:
        return ElementTexts(self.pp)  # element texts the price extractors both read (a grid's cards, once)

    @cached_property
    def numbers(self) -> tuple:
        return number_scan(self.pp.text[:ID_SCAN])  # digit runs and phone numbers: one pass

    def phone_numbers(self) -> tuple | None:
        # the phone extractor reads the first PHONE_SCAN characters and longer texts on its own
        return self.numbers if len(self.pp.text) < PHONE_SCAN else None


def _steps_of(pp: ParsedPage, sh: _Shared) -> tuple[tuple[str, tuple[str, ...], Callable[[], Any], Any], ...]:
    """(field, signals, computation, value on failure) in extraction order."""
    return (
        ("emails", ("emails",), lambda: tuple(extract_emails(pp, sh.attrs)), ()),
        ("structured", STRUCTURED_SIGNALS, lambda: extract_structured(pp, sh.attrs), Structured()),
        ("company_names", ("company_names",), lambda: tuple(company_names(pp)), ()),
        ("review_blocks", ("reviews_on_site",), lambda: tuple(review_blocks(pp, attrs=sh.attrs)), ()),
        ("mixed_content", ("mixed_content",), lambda: tuple(mixed_content(pp)), ()),
        ("phrases", ("phrase:*",), lambda: _frozen_phrases(page_phrases(pp, sh.hits())), MappingProxyType({})),
        ("widgets", WIDGET_SIGNALS, lambda: _frozen_widgets(scan_page(pp, sh.hits(), sh.attrs)), None),
        ("phones", ("phones",), lambda: tuple(phone_candidates(pp, sh.phone_numbers())), ()),
        ("ids", ("tax_ids",), lambda: id_candidates(pp, sh.numbers, sh.attrs), PageIds()),
        ("addresses", ("addresses",), lambda: address_lines(pp), PageAddresses()),
        ("forms", ("contact_forms",), lambda: tuple(form_candidates(pp)), ()),
        ("links", ("page:*",), lambda: page_links(pp), PageLinks()),
        ("link_urls", ("external_links",), lambda: page_link_urls(pp), ()),
        ("platform", ("platform",), lambda: page_fingerprints(pp, attrs=sh.attrs), frozenset()),
        ("country", COUNTRY_SIGNALS, lambda: page_hints(pp, sh.hits()), CountryHints()),
        ("prices", ("prices",), lambda: page_prices(pp, sh.attrs, sh.texts), PagePrices()),
        ("withdrawal", ("withdrawal",), lambda: page_withdrawal(pp), WithdrawalFacts()),
        ("offers", ("reductions", "products"), lambda: page_offers(pp, sh.attrs, sh.texts), OfferFacts()),
        ("access", ("accessibility",), lambda: page_access(pp), None),
        ("currencies", ("markets",), lambda: page_currencies(pp), MappingProxyType({})),
    )


def page_steps(
    page: FetchedPage, context: PageContext | None = None, cache: ParseCache | None = None
) -> Generator[None, None, PageFacts]:
    """``extract_page`` one extractor at a time: each ``next()`` runs one step (a few milliseconds), so that a
    caller can interleave the work with other work (the pipeline runs it while the crawl waits for answers);
    the generator's return value is the facts."""
    ctx = context if context is not None else PageContext()
    errors: list[ExtractorError] = []

    def run(name: str, signals: tuple[str, ...], fn: Callable[[], Any], default: Any) -> Any:
        with limits.recording() as cuts:
            try:
                value = fn()
            except Exception as e:  # noqa: BLE001 - RecursionError included: hostile markup degrades one signal
                if ctx.strict:
                    raise
                log.debug("extractor %s failed on %s", name, page.url, exc_info=True)
                errors.append(ExtractorError(name, page.url, _one_line(e), signals))
                return default
        if cuts:  # stopped at a per-page cap: found what it found, the rest of the page unread (never silent)
            errors.append(ExtractorError(name, page.url, _one_line_text("; ".join(cuts)), signals, partial=True))
        return value

    everything = ("*",)
    pp = run("parse", everything, lambda: cache.get(page) if cache is not None else ParsedPage(page), None)
    if pp is None:
        return PageFacts(page.url, parsed=False, errors=tuple(errors))
    yield
    facts: dict[str, Any] = {
        "lang": run("language", COUNTRY_SIGNALS, lambda: pp.lang, None),
        "text_head": run("text", everything, lambda: pp.text[:TEXT_HEAD], ""),
    }
    sh = _Shared(pp)
    for name, signals, fn, default in _steps_of(pp, sh):
        yield
        facts[name] = run(name, signals, fn, default)
    if not host_of(page.url):
        facts["site"] = run("site", ("page:*", "external_links"), lambda: site_hints(pp), None)
    return PageFacts(page.url, errors=tuple(errors), **facts)


def _frozen_phrases(found: dict[str, list[Evidence]]) -> Mapping[str, tuple[Evidence, ...]]:
    return MappingProxyType({g: tuple(v) for g, v in found.items()})


def _frozen_widgets(pw) -> WidgetFacts:
    return WidgetFacts(MappingProxyType(dict(pw.found)), frozenset(pw.text_only))


def _one_line(e: BaseException, limit: int = 300) -> str:
    return _one_line_text(f"{type(e).__name__}: {e}", limit)


def _one_line_text(text: str, limit: int = 300) -> str:
    s = " ".join(text.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
