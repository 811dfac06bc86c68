"""Extraction: from a crawled ``SiteSnapshot`` to ``Artifacts`` (no I/O, no scoring), in two steps.

1. ``extract_page(page, context) -> PageFacts`` (``page.py``): everything one page shows, a pure function of
   the page, extractable as soon as the page arrives, in any order, on any thread or process;
2. ``merge(facts, snapshot) -> Artifacts`` (``merge.py``): the shop-level decisions (language and country,
   what depends on the country, which page is the contact page, de-duplication across pages).

``extract(snapshot)`` does both. One module per signal; all multilingual knowledge lives in
``rules/vocab/*.yaml`` and ``rules/countries.yaml``. A failing extractor degrades its signals and says so
(``Artifacts.extractor_errors``); it never loses the report.
"""

from __future__ import annotations

from trustaudit.extract.merge import MAX_PAGES, decide_country, merge
from trustaudit.extract.page import PageContext, PageFacts, extract_page, extractable, page_steps, strict_mode
from trustaudit.models import Artifacts, SiteSnapshot
from trustaudit.web.html import ParseCache

__all__ = [
    "MAX_PAGES",
    "PageContext",
    "PageFacts",
    "extract",
    "extract_page",
    "extractable",
    "decide_country",
    "merge",
    "page_steps",
    "strict_mode",
    "load_vocabulary",
]


def extract(
    snapshot: SiteSnapshot,
    cache: ParseCache | None = None,
    country_override: str | None = None,
    *,
    context: PageContext | None = None,
) -> Artifacts:
    """``merge`` of the facts of every extractable page of ``snapshot`` (``cache``: pages already parsed)."""
    ctx = context if context is not None else PageContext()
    facts = [extract_page(p, ctx, cache) for p in snapshot.pages if extractable(p)]
    return merge(facts, snapshot, country_override=country_override, strict=ctx.strict)


def load_vocabulary() -> None:
    """Build (or load from the build cache) every matcher extraction uses, so that the first page does not wait
    for it; the pipeline runs it on a thread while the crawl reaches the shop. Errors are left for the first
    real use to raise."""
    from trustaudit.extract import (
        company,
        country,
        emails,
        ids,
        markets,
        offers,
        pages,
        phones,
        phrases,
        platform,
        prices,
        text,
        widgets,
        withdrawal,
    )

    for build in (pages.vocab, phrases._index, widgets.db, ids.compiled, ids._owners, company._cfg, emails._cfg,
                  phones._cfg, text._number_regex, platform._default_packs, country.profiles, country.country_names,
                  country._currency_table, prices._cfg, offers.vocab, withdrawal.vocab, markets._money):
        try:
            build()
        except Exception:  # noqa: BLE001
            return
    # patterns from the build cache compile on first use (resources.LazyPattern); those every page runs are
    # compiled here, off the crawl's thread
    try:
        for rx in (phrases._index()[0]._scan, ids.compiled().label_at, ids.compiled().label_re,
                   text._number_regex(), *(company._cfg()["lines"] or ())):
            if rx is not None:
                rx.search("")
    except Exception:  # noqa: BLE001
        return
