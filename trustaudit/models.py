"""The types that flow through the pipeline.

    Target --crawl--> SiteSnapshot --extract--> Artifacts --evaluate--> CheckResult --score--> Report --render-->

Every type is a frozen dataclass; closed sets are ``str`` enums. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

SCHEMA_VERSION = "1.4"
SCORING_VERSION = "3"


class Status(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check: never counted as pass or fail
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"  # cannot be judged from outside; a person must look


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Region(str, Enum):
    """Where on a page a link or text sits; footer links weigh most for trust pages."""

    HEADER = "header"
    NAV = "nav"
    FOOTER = "footer"
    BODY = "body"


PAGE_KINDS: tuple[str, ...] = (
    "contact",
    "about",
    "terms",
    "privacy",
    "returns",
    "complaints",
    "delivery",
    "payment",
    "faq",
    "order_tracking",
)


# --------------------------------------------------------------------------- crawl


@dataclass(frozen=True)
class FetchedPage:
    url: str  # final URL after redirects (file:// URI for a local target)
    status: int
    text: str  # decoded document ("" when not HTML)
    requested_url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    content_type: str = ""
    encoding: str | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    redirect_chain: tuple[str, ...] = ()
    truncated: bool = False  # body cut at the per-page byte limit
    depth: int = 0
    rendered: bool = False  # ``text`` is the DOM after the page's scripts ran in a browser (--render)
    app_shell: bool = False  # the HTML as served is an application shell: its content is built by JavaScript


@dataclass(frozen=True)
class FetchError:
    url: str
    error: str  # one line, human readable
    kind: str = "error"  # timeout | refused | dns | tls | http | too_large | not_html | robots | blocked |
    # blocked_redirect (redirect to a private address refused) | blocked_address (a link or resource on a
    # private/loopback/metadata address refused by the connection gate, never fetched) | offsite_redirect |
    # encoding (unsupported Content-Encoding) | truncated (page not parsed to the end) | limit | render (a page
    # that --render could not load in the browser, read as served) | error


@dataclass(frozen=True)
class TlsInfo:
    """TLS and transport facts. ``None`` means not known (local target, or could not be checked)."""

    https: bool | None = None
    valid: bool | None = None
    hostname_match: bool | None = None
    issuer: str | None = None
    subject: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    days_left: int | None = None
    protocol: str | None = None
    key_type: str | None = None
    key_bits: int | None = None
    self_signed: bool | None = None
    hsts: bool | None = None
    hsts_max_age: int | None = None
    http_redirects_to_https: bool | None = None
    error: str | None = None  # why the certificate is not valid, or why TLS could not be checked
    checked: bool = False


@dataclass(frozen=True)
class SiteSnapshot:
    target: str  # what the user asked for
    base_url: str  # URL (or file:// URI) the crawl started from
    final_url: str  # home page URL after redirects
    local: bool
    pages: tuple[FetchedPage, ...] = ()
    errors: tuple[FetchError, ...] = ()
    tls: TlsInfo = field(default_factory=TlsInfo)
    blocked: bool = False  # bot protection answered instead of the shop: results are inconclusive
    robots_disallowed: tuple[str, ...] = ()  # URLs we skipped because robots.txt said so
    skipped_links: tuple[str, ...] = ()  # links seen but not fetched (live links from a local mirror, limits)
    started_at: str = ""
    duration_s: float = 0.0
    limit_hit: str | None = None  # "max_pages" | "total_timeout": a limit stopped the crawl before every link
    # it found worth fetching was fetched
    render: str = "off"  # how pages were loaded: "off" (HTML as served), "auto" (app shells rendered), "always"
    browser: BrowserFacts | None = None  # what only a browser sees (None: no page was run in a browser)


@dataclass(frozen=True)
class BrowserRequest:
    """A request a page made while it was loaded in the browser (before any interaction)."""

    url: str
    kind: str  # the browser's resource type: script, xhr, fetch, image, document (a frame), ping ...
    page: str  # the page being loaded
    outcome: str = "fetched"  # fetched | not_fetched (images, media and fonts are not downloaded) | refused
    # (the connection gate) | failed | over_limit


@dataclass(frozen=True)
class BrowserCookie:
    name: str
    domain: str
    page: str  # the first page after which it was there
    third_party: bool = False


@dataclass(frozen=True)
class BrowserControl:
    """A control (button, link) visible in the first screen of a page without scrolling or clicking."""

    text: str  # its text or accessible name (one line, capped)
    page: str
    path: str  # its ancestors as "tag#id.class" labels, outermost first, " > "-joined (shadow hosts included)
    layer_text: str = ""  # the visible text of the layer it sits in: the overlay (fixed / sticky / dialog) that
    # holds it, else the nearest ancestor with some text (capped)
    overlay: bool = False  # it sits in a fixed / sticky / dialog layer over the page
    frame: str = ""  # the frame's URL when it is not in the page's main frame


@dataclass(frozen=True)
class BrowserFacts:
    """What a browser saw while loading the shop's pages, without any interaction (no click, no consent)."""

    browser: str  # "Chromium 150.0.7871.100"
    first_page: str  # the first page loaded (the home page), where the consent banner is looked for
    pages: tuple[str, ...] = ()  # pages loaded in the browser, in order
    requests: tuple[BrowserRequest, ...] = ()
    cookies: tuple[BrowserCookie, ...] = ()
    controls: tuple[BrowserControl, ...] = ()  # on the first page only
    requests_dropped: int = 0  # requests beyond the cap, not recorded


# --------------------------------------------------------------------------- extract


@dataclass(frozen=True)
class Message:
    """A text by reference: a catalogue id (rules/locales/<lang>.yaml) and its arguments; an argument may itself
    be a Message. Rendered in any language at render time (trustaudit/messages.py)."""

    id: str
    args: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    url: str
    snippet: str = ""  # page text; for a note written by trustaudit, the note in the report language
    msg: Message | None = None  # set for notes written by trustaudit ("not found (pages crawled: 7)")


@dataclass(frozen=True)
class Email:
    address: str
    url: str
    snippet: str = ""


@dataclass(frozen=True)
class Phone:
    e164: str
    url: str
    raw: str = ""
    snippet: str = ""


@dataclass(frozen=True)
class Address:
    text: str
    url: str
    source: str = "text"  # text | jsonld | microdata


@dataclass(frozen=True)
class TaxId:
    scheme: str  # python-stdnum module path ("pl.nip"), or our own ("pl.krs", "gb.crn", "sa.vat")
    value: str  # compact form
    valid: bool | None  # None = the scheme has no check digit
    url: str
    label: str = ""  # the label it was found next to ("NIP", "ИНН")
    snippet: str = ""


@dataclass(frozen=True)
class PageRef:
    kind: str  # one of PAGE_KINDS
    url: str  # absolute
    found_on: str = ""  # page URL that linked to it ("" when it is the page itself)
    anchor: str = ""
    region: str = ""  # Region value of the link
    score: float = 0.0
    fetched: bool = False
    status: int | None = None  # HTTP status of the page the link points to (after redirects); None = not fetched
    says_missing: bool = False  # it answered 200 but its title / h1 says the page does not exist (a "soft 404")


@dataclass(frozen=True)
class Rating:
    value: float
    count: int | None
    best: float = 5.0
    url: str = ""
    source: str = ""  # jsonld | microdata | rdfa | widget


@dataclass(frozen=True)
class Detection:
    """A named third-party service or social network found on the site (slug is lowercase)."""

    slug: str
    kind: str  # review | chat | payment | payment_method | social | platform | messenger
    url: str
    evidence: str = ""
    loaded: str = ""  # a request the browser made to the service while the pages loaded (--render): stronger
    # evidence than a script tag or markup, which may be dead or wait for consent
    rendered: bool = False  # seen by the browser: found on a page it ran, or called by one


@dataclass(frozen=True)
class Discount:
    """A crossed-out "before" price followed by the lower price a buyer pays."""

    percent: int  # how much lower, in per cent of the "before" price
    before: str  # both as the page writes them
    after: str
    url: str


@dataclass(frozen=True)
class Prices:
    """The prices the crawled pages show: how many amounts of money, and every discount shown."""

    amounts: int = 0
    discounts: tuple[Discount, ...] = ()


@dataclass(frozen=True)
class ExtractorError:
    """An extractor that failed on a page (or on the shop): the signals it feeds are unknown, not empty."""

    extractor: str
    url: str
    error: str  # one line
    signals: tuple[str, ...]  # signal names as rules use them: "phones", "page:contact", "phrase:<group>", "phrase:*"
    # True: the extractor did not fail but stopped at a per-page cap (``extract.limits``): what it found stands,
    # whether something is absent is not known
    partial: bool = False


@dataclass(frozen=True)
class Reductions:
    """Announced price reductions on one page (a struck-through or "old" price beside a lower current price, or a
    "-30%" badge beside a price) and how many show the lowest price of the prior 30 days beside them."""

    url: str
    total: int = 0
    disclosed: int = 0
    missing: tuple[str, ...] = ()  # snippets of reductions without the disclosure (a few)
    shown: tuple[str, ...] = ()  # snippets of reductions with it (a few)


@dataclass(frozen=True)
class SafetyInfo:
    """What a product page says about who made the product (GPSR Art. 19): the manufacturer, or the person
    responsible in the EU, each with whether a name, a postal address and an electronic address are given."""

    url: str
    who: str = ""  # "manufacturer" | "responsible_person" | "" (nothing labelled)
    name: str = ""
    postal: bool = False
    electronic: bool = False
    source: str = ""  # "structured data" | "text"
    snippet: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.name) and self.postal and self.electronic


@dataclass(frozen=True)
class ProductPages:
    """Product pages the crawl fetched (one offer per page) with their safety information, and links to
    product pages that were seen but not fetched."""

    pages: tuple[SafetyInfo, ...] = ()
    unfetched_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Accessibility:
    """Accessibility basics that need no browser, over the pages read: per test (``lang``, ``images``,
    ``fields``, ``links``) how many items were looked at, how many fail, and examples (page URL, item)."""

    checked: Mapping[str, int] = field(default_factory=dict)
    failing: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CountryEvidence:
    """One piece of evidence of where the shop is: what it is (``signal``: tld, language, currency, phone,
    registry_id, legal_phrase ... as rules/countries.yaml ``country_evidence.weights`` names them), what was
    seen, the country it points to (None: a ccTLD used as a brand, a generic TLD of no country) and the weight it
    added to that country."""

    signal: str
    value: str
    country: str | None
    weight: float


@dataclass(frozen=True)
class Artifacts:
    language: str | None = None  # detected page language (ISO 639-1)
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    country_source: str = ""  # "override" (--country) | "evidence" (weighed) | "" (unknown)
    country_evidence: tuple[CountryEvidence, ...] = ()  # what was weighed, the strongest first
    country_confidence: float | None = None  # 0..1 for a decided country (1.0 for an override), None when unknown
    company_names: tuple[Evidence, ...] = ()
    emails: tuple[Email, ...] = ()
    phones: tuple[Phone, ...] = ()
    addresses: tuple[Address, ...] = ()
    tax_ids: tuple[TaxId, ...] = ()
    pages: Mapping[str, PageRef | None] = field(default_factory=dict)
    contact_forms: tuple[Evidence, ...] = ()
    review_widgets: tuple[Detection, ...] = ()
    aggregate_rating: Rating | None = None
    reviews_on_site: tuple[Evidence, ...] = ()
    chat_widgets: tuple[Detection, ...] = ()
    payment_providers: tuple[Detection, ...] = ()
    payment_methods: tuple[Detection, ...] = ()
    social: tuple[Detection, ...] = ()
    messengers: tuple[Detection, ...] = ()
    platform: Detection | None = None
    structured_types: tuple[str, ...] = ()  # schema.org types seen in JSON-LD / microdata
    phrases: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)  # phrase group -> hits
    mixed_content: tuple[Evidence, ...] = ()
    broken_links: tuple[Evidence, ...] = ()
    external_links: tuple[str, ...] = ()
    trust_badges: tuple[Detection, ...] = ()  # trust marks / business verification (Maroof, EHI, Thuiswinkel ...)
    # the shop's own registrable domain: the final URL's, or for a saved copy the one its canonical URL / og:url
    # names (None: an IP address, or a saved copy that does not say)
    site_domain: str | None = None
    prices: Prices = Prices()
    # markets the shop clearly targets beyond its own country (group or country code -> what shows it: prices
    # in the market's currency, delivery there)
    markets: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    withdrawal_functions: tuple[Evidence, ...] = ()  # controls labelled as the withdrawal function
    withdrawal_near: tuple[Evidence, ...] = ()  # that label on what is not a function (a PDF, an e-mail link, text)
    reductions: tuple[Reductions, ...] = ()  # pages that announce price reductions
    products: ProductPages = field(default_factory=ProductPages)
    accessibility: Accessibility = field(default_factory=Accessibility)
    extractor_errors: tuple[ExtractorError, ...] = ()
    # the page the scan landed on says it does not exist (a "page not found" answered with 200): not the shop
    home_says_missing: bool = False
    consent: Consent | None = None  # cookies, trackers and the consent banner before any interaction; None: the
    # pages did not run in a browser


@dataclass(frozen=True)
class Consent:
    """What the shop does before the buyer answers its cookie banner (from ``SiteSnapshot.browser``)."""

    url: str  # the first page loaded in the browser (the home page)
    trackers: tuple[Evidence, ...] = ()  # requests to analytics / advertising hosts: snippet "host (vendor)"
    cookies: tuple[Evidence, ...] = ()  # analytics / advertising cookies set: snippet "name (vendor)"
    third_party_hosts: int = 0  # third-party hosts the pages called at all
    cookies_seen: int = 0  # cookies of any kind
    banner: str | None = None  # consent platform slug, "text" (recognised by its text), or None (none seen)
    banner_evidence: str = ""
    accept: tuple[str, ...] = ()  # texts of accept controls on the banner's first layer
    reject: tuple[str, ...] = ()  # texts of reject controls on the banner's first layer


# --------------------------------------------------------------------------- evaluate / score


@dataclass(frozen=True)
class CheckResult:
    id: str
    category: str
    status: Status
    weight: float
    severity: Severity
    title: str  # in the report language; the failure title when not passed
    evidence: tuple[Evidence, ...] = ()
    fix: str = ""
    fix_platform: str = ""  # platform-specific path to the fix, when the platform is known
    reason: str = ""  # why it is error / not applicable / manual
    source: str = ""  # law or practice the check rests on (for the shop's country)
    # the texts above by reference, so a renderer can write them in any language: field name -> message
    # ("title", "fix", "fix_platform", "reason"); a field without a message is plain text (e.g. a TLS error)
    messages: Mapping[str, Message] = field(default_factory=dict)
    gain: float = 0.0  # points of the overall score a fix would win back (scoring.with_gains)
    caps_grade: str | None = None  # this failure caps the grade at that letter (an invalid certificate ...)


@dataclass(frozen=True)
class CategoryScore:
    id: str
    title: str
    score: int | None  # None when nothing in it could be judged
    weight: float


@dataclass(frozen=True)
class GradeCap:
    """A blocking failure caps the grade whatever the score (as SSL Labs caps an untrusted certificate)."""

    grade: str
    check: str  # id of the failed check that caps it
    reason: str = ""  # in the report language: the failed check's title


@dataclass(frozen=True)
class Report:
    target: str
    final_url: str
    scanned_at: str
    duration_s: float
    language: str  # report language
    country: str | None
    score: int | None
    grade: str | None
    categories: tuple[CategoryScore, ...]
    checks: tuple[CheckResult, ...]
    signals: Mapping[str, object]
    tls: Mapping[str, object] | None
    pages_fetched: tuple[Mapping[str, object], ...]
    errors: tuple[Mapping[str, object], ...]
    platform: Mapping[str, object] | None = None
    skipped: tuple[Mapping[str, str], ...] = ()  # checks skipped by config, with reasons
    inconclusive: str | None = None  # e.g. "blocked by bot protection"
    shop_language: str | None = None
    tool_version: str = ""
    schema_version: str = SCHEMA_VERSION
    scoring_version: str = SCORING_VERSION
    grade_cap: GradeCap | None = None
    partial: Mapping[str, str] | None = None  # {"limit": "max_pages" | "total_timeout", "reason": text}
    extractor_errors: tuple[Mapping[str, object], ...] = ()
    messages: Mapping[str, Message] = field(default_factory=dict)  # "inconclusive", "partial" -> message
    # the project's [assert] results: {id, level, outcome, expected, actual} (empty without assertions)
    assertions: tuple[Mapping[str, str], ...] = ()
    country_source: str = ""  # "override" | "evidence" | "" (unknown, or a report from before it was kept)
    country_confidence: float | None = None
    country_evidence: tuple[Mapping[str, object], ...] = ()  # {signal, value, country, weight}, strongest first
    as_of: str = ""  # the day dated legal duties were judged on (YYYY-MM-DD: --as-of, else the scan's day)
