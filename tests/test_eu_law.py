"""EU consumer law as it stands in 2026 (../shared/reference/eu-law-2026.md): the withdrawal function, the lowest
prior price beside price reductions, product-safety information on product pages (GPSR), the accessibility
basics (EAA) and Germany's ADR statement; who they apply to (EU/EEA shops, and shops elsewhere that clearly target
EU buyers) and from when (a warning before the date a duty applies from, a failure from it: the scan date decides,
injected here, never the system clock).

Each check passes on realistic pages in Polish, German, English and Greek and does not pass on near misses.
Pages are written to ``tmp_path`` and scanned with ``pipeline.scan`` (a local target never touches the network).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustaudit.cli import demo_path
from trustaudit.crawl import crawl
from trustaudit.crawl.priority import Ranker, Scorer
from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract.offers import parse_amount, product_link
from trustaudit.extract.withdrawal import label_of
from trustaudit.models import Artifacts, Status, TlsInfo
from trustaudit.options import ScanOptions
from trustaudit.pipeline import link_scorer, scan
from trustaudit.resources import load_yaml
from trustaudit.web.html import Link, ParseCache, Region

AFTER = dt.date(2026, 11, 2)  # every duty here applies
WITHDRAWAL_DAY = dt.date(2026, 6, 19)
SHOP = {"pl": "PL", "de": "DE", "en": "IE", "el": "GR"}  # a shop of an EU country per language


def _doc(lang: str | None, body: str, title: str = "Sklep") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return (f'<!doctype html><html{attr}><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>")


def _site(folder: Path, pages: dict[str, str], lang: str | None) -> str:
    for name, body in pages.items():
        (folder / name).write_text(_doc(lang, body), encoding="utf-8")
    return str(folder / "index.html")


def _check(folder: Path, rule_id: str, pages: dict[str, str], lang: str | None, country: str | None,
           today: dt.date = AFTER, **options):
    report = scan(_site(folder, pages, lang), ScanOptions(country=country, **options), today=today, lang="en")
    return next(c for c in report.checks if c.id == rule_id)


# --------------------------------------------------------------------------- the withdrawal function

WITHDRAWAL_PASS = {
    "pl": '<footer><a href="odstapienie.html">Odstąp od umowy tutaj</a></footer>',
    "de": '<footer><a href="/widerruf">Vertrag widerrufen</a></footer>',
    "en": '<footer><button type="button" class="js-withdraw">Withdraw from contract here</button></footer>',
    "el": '<footer><a href="ypanachorisi.html">Υπαναχώρηση από τη σύμβαση εδώ</a></footer>',
}


@pytest.mark.parametrize("lang", sorted(WITHDRAWAL_PASS))
def test_withdrawal_function_passes(tmp_path, lang):
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": WITHDRAWAL_PASS[lang]}, lang, SHOP[lang])
    assert c.status is Status.PASS, c.reason
    assert c.evidence and c.evidence[0].snippet in WITHDRAWAL_PASS[lang]


@pytest.mark.parametrize("text", [
    "Vertrag hier widerrufen", "Se rétracter du contrat ici", "Recedere dal contratto qui", "Odstąp od umowy →",
    "withdraw from the contract here", "Υπαναχωρήστε από τη σύμβαση",
])
def test_withdrawal_labels_in_other_words_and_languages(text):
    assert label_of(text)


# (language, page body, whether the words are there but not as a function, why)
WITHDRAWAL_NEAR = [
    ("pl", '<a href="formularz-odstapienia.pdf">Odstąp od umowy tutaj</a>', True, "pdf-form"),
    ("pl", '<footer><a href="zwroty.html">Odstąpienie od umowy</a></footer>', False, "returns-policy-link"),
    ("de", '<a href="mailto:widerruf@shop.example">Vertrag widerrufen</a>', True, "email-link"),
    ("de", '<a href="/faq#w">Wie kann ich den Vertrag widerrufen, wenn die Ware beschädigt ankommt?</a>', False,
     "faq-question"),
    ("de", '<a href="/muster-widerrufsformular.pdf">Muster-Widerrufsformular</a>', False, "model-form"),
    ("en", "<h2>Withdraw from contract here</h2><p>Send us an e-mail with your order number.</p>", True, "heading"),
    ("en", "<p>To withdraw from the contract, simply write to us at shop@example.com.</p>", False, "prose"),
    ("el", '<footer><a href="epistrofes.html">Υπαναχώρηση</a></footer>', False, "returns-noun"),
    ("el", '<a href="entypo.pdf">Υπαναχώρηση από τη σύμβαση εδώ</a>', True, "pdf-form-el"),
]


@pytest.mark.parametrize("lang, body, words_shown, why", WITHDRAWAL_NEAR, ids=[w[3] for w in WITHDRAWAL_NEAR])
def test_withdrawal_function_near_misses(tmp_path, lang, body, words_shown, why):
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": body}, lang, SHOP[lang])
    assert c.status is Status.FAIL, (why, c.evidence)
    if words_shown:
        assert c.messages["title"].id.endswith("not_function_title"), c.title
        assert "not as a function" in c.title
    else:
        assert c.messages["title"].id == "check.policies.withdrawal-function.fail_title"


def test_withdrawal_function_is_a_warning_before_19_june_2026_and_a_failure_from_it(tmp_path):
    pages = {"index.html": WITHDRAWAL_NEAR[1][1]}
    before = _check(tmp_path, "policies.withdrawal-function", pages, "pl", "PL", today=dt.date(2026, 6, 18))
    assert before.status is Status.WARN and "2026-06-19" in before.reason
    on = _check(tmp_path, "policies.withdrawal-function", pages, "pl", "PL", today=WITHDRAWAL_DAY)
    assert on.status is Status.FAIL and not on.reason
    # the date is data: the rule's applies_from, not a constant in the code
    data = load_yaml("checks/policies.withdrawal-function.yaml")
    assert data["applies_from"] == WITHDRAWAL_DAY
    # a passing shop passes on both sides
    ok = {"index.html": WITHDRAWAL_PASS["pl"]}
    assert _check(tmp_path, "policies.withdrawal-function", ok, "pl", "PL", today=dt.date(2026, 1, 1)).status is Status.PASS


def test_the_dates_of_every_rule_are_data_and_decide_on_both_sides():
    rules = {r.id: r for r in load_rules()}
    facts = Facts(tls=TlsInfo(), local=True, pages_fetched=3, home_url="file:///shop/index.html")
    for rid, day in [("policies.withdrawal-function", WITHDRAWAL_DAY), ("legal.product-safety-info", dt.date(2024, 12, 13)),
                     ("content.accessibility-basics", dt.date(2025, 6, 28)),
                     ("policies.price-reduction-history", dt.date(2022, 5, 28))]:
        rule = rules[rid]
        assert rule.date_for("GR") == day, rid
        for when, want in ((day - dt.timedelta(days=1), Status.WARN), (day, Status.FAIL)):
            facts_then = Facts(**{**facts.__dict__, "scan_date": when})
            art = _failing_artifacts(rid)
            (res,) = evaluate((rule,), art, facts_then, "en")
            assert res.status is want, (rid, when, res.status)
    # a country's own date: the Polish transposition of the price rule took effect on 1 January 2023
    assert rules["policies.price-reduction-history"].date_for("PL") == dt.date(2023, 1, 1)


def _failing_artifacts(rule_id: str) -> Artifacts:
    from trustaudit.models import Accessibility, ProductPages, Reductions, SafetyInfo

    base = {"country": "GR"}
    if rule_id == "legal.product-safety-info":
        base["products"] = ProductPages((SafetyInfo("file:///shop/p.html"),))
    if rule_id == "policies.price-reduction-history":
        base["reductions"] = (Reductions("file:///shop/index.html", 1, 0, ("Kubek 49,00 zł 39,00 zł",)),)
    if rule_id == "content.accessibility-basics":
        base["accessibility"] = Accessibility({"lang": 1}, {"lang": 1}, {"lang": (("file:///shop/index.html", ""),)})
    return Artifacts(**base)


# --------------------------------------------------------------------------- who the rules apply to

def test_a_shop_outside_the_eu_that_prices_in_euro_is_judged(tmp_path):
    body = "<p>Oak mug 12,00 €</p><p>Oak plate 19,90 €</p><p>Oak bowl 24,50 €</p>"
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": body}, "en", "US")
    assert c.status is Status.FAIL, c.reason
    report = scan(_site(tmp_path, {"index.html": body}, "en"), ScanOptions(country="US"), today=AFTER)
    assert report.signals["markets"] == ["EEA"]


def test_a_shop_of_unknown_country_that_ships_to_the_eu_is_judged(tmp_path):
    body = "<p>Handmade oak furniture, $149.</p><p>We ship to all EU countries within 5 days.</p>"
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": body}, "en", None)
    assert c.status is Status.FAIL, c.reason


@pytest.mark.parametrize("body, country", [
    ('<p>Oak mug $12.00</p><p>Oak plate $19.90</p><select name="cur"><option>USD</option><option>EUR</option></select>',
     "US"),  # a currency switcher that names the euro shows no price in it
    ("<p>Oak mug £12.00</p><p>Made in the EU from EU-sourced oak. EU VAT included for business buyers.</p>", "GB"),
    ("<p>Free delivery to Ireland on orders over €50.</p><p>Oak mug £12.00</p>", "GB"),  # one euro amount
    ("<p>Oak mug $12.00</p><p>Oak plate $19.90</p>", "CA"),  # dollars: not an EEA currency
], ids=["currency-switcher", "made-in-the-eu", "one-euro-amount", "dollars"])
def test_shops_that_do_not_clearly_target_eu_buyers_are_not_judged(tmp_path, body, country):
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": body}, "en", country)
    assert c.status is Status.NOT_APPLICABLE, c.reason
    assert "clearly sell to buyers there" in c.reason  # says why: neither an EEA shop nor selling to EEA buyers


def test_the_currencies_that_show_eea_buyers_are_data():
    from trustaudit.extract.markets import group_tokens

    toks = group_tokens("EEA")
    assert {"€", "EUR", "zł", "PLN", "Kč", "kr"} <= toks  # "kr": only Denmark, Sweden and Norway use it here
    assert not {"$", "USD", "£", "GBP", "CHF", "руб"} & toks


def test_eea_countries_outside_the_eu_are_judged_with_generic_texts(tmp_path):
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": "<p>Hei</p>"}, "en", "NO")
    assert c.status is Status.FAIL
    assert "Directive" not in c.fix and "Directive" not in c.source  # EU law texts are for EU shops


# --------------------------------------------------------------------------- price reductions

REDUCTION_PASS = {
    "pl": '<div class="product"><h2>Kubek w groszki</h2><del>49,00 zł</del> <strong>39,00 zł</strong>'
          "<p>Najniższa cena z 30 dni przed obniżką: 42,00 zł</p></div>",
    "de": '<div class="product"><h2>Teekanne</h2><s>59,90 €</s> 49,90 € <span class="badge">-17%</span>'
          "<small>Niedrigster Preis der letzten 30 Tage: 52,90 €</small></div>",
    "en": '<ul><li class="product"><h2>Oak board</h2><span class="old-price">£30.00</span> <span>£24.00</span>'
          "<p>Lowest price in the 30 days before the reduction: £27.00</p></li></ul>",
    "el": '<div class="product"><h2>Ελαιόλαδο 1 λίτρο</h2><del>20,00 €</del> 15,00 €'
          "<p>Χαμηλότερη τιμή των τελευταίων 30 ημερών: 18,00 €</p></div>",
}


@pytest.mark.parametrize("lang", sorted(REDUCTION_PASS))
def test_price_reductions_with_the_prior_price_pass(tmp_path, lang):
    c = _check(tmp_path, "policies.price-reduction-history", {"index.html": REDUCTION_PASS[lang]}, lang, SHOP[lang])
    assert c.status is Status.PASS, c.evidence
    assert "1 of 1" in c.evidence[0].snippet


def test_reductions_are_counted_per_page_with_examples(tmp_path):
    body = REDUCTION_PASS["pl"] + ('<div class="product"><h2>Talerz</h2><del>89,00 zł</del> <strong>59,00 zł</strong>'
                                   "</div>")
    c = _check(tmp_path, "policies.price-reduction-history", {"index.html": body}, "pl", "PL")
    assert c.status is Status.FAIL
    assert "1 of 2" in c.title
    assert any("1 of 2" in e.snippet for e in c.evidence)
    assert any("Talerz" in e.snippet and "89,00" in e.snippet for e in c.evidence)  # the example without it
    assert "Najniższa cena z 30 dni przed obniżką" in c.fix  # the Polish wording for a Polish shop


REDUCTION_NEAR = [
    # a reduction without the disclosure, or with words that are not it: fails
    ("pl", '<div class="product"><del>49,00 zł</del> 39,00 zł <span class="badge">-20%</span></div>', "fail",
     "no-disclosure"),
    ("pl", '<div class="product"><del>49,00 zł</del> 39,00 zł <p>Najniższa cena gwarantowana!</p></div>', "fail",
     "lowest-price-guarantee"),
    ("pl", '<div class="product"><del>49,00 zł</del> 39,00 zł <p>Masz 30 dni na zwrot.</p></div>', "fail",
     "30-days-to-return"),
    ("de", '<div class="product"><s>59,90 €</s> 49,90 € <p>Bestpreis-Garantie: 30 Tage Rückgaberecht</p></div>', "fail",
     "best-price-guarantee"),
    ("el", '<div class="product"><del>20,00 €</del> 15,00 € <p>Δωρεάν επιστροφή σε 30 ημέρες</p></div>', "fail",
     "greek-30-day-returns"),
    # no reduction of the shop's own price: not applicable
    ("de", '<div class="product">UVP <s>79,00 €</s> unser Preis 59,00 €</div>', "not_applicable", "uvp"),
    ("en", "<table><tr><td>Our shop</td><td>140.50 £</td></tr><tr><td>Other shop</td><td><s>178.78 £</s></td></tr>"
           "<tr><td>Another shop</td><td><s>154.20 £</s></td></tr></table>", "not_applicable", "competitor-prices"),
    ("el", '<div class="banner"><span>-50%</span> σε όλα τα μαγιό, τιμές από 9,90 €</div>', "not_applicable",
     "campaign-banner"),
    ("pl", '<div class="product">Pierścionek z diamentem 0,05 ct <p class="old-price">899,00 zł</p></div>',
     "not_applicable", "lone-old-price-and-carats"),
    ("en", "<p>Oak board £24.00</p><p>Lowest price in the last 30 days!</p>", "not_applicable", "no-reduction"),
]


@pytest.mark.parametrize("lang, body, status, why", REDUCTION_NEAR, ids=[r[3] for r in REDUCTION_NEAR])
def test_price_reduction_near_misses(tmp_path, lang, body, status, why):
    c = _check(tmp_path, "policies.price-reduction-history", {"index.html": body}, lang, SHOP[lang])
    assert c.status.value == status, (why, [e.snippet for e in c.evidence])


@pytest.mark.parametrize("text, value", [
    ("1 099,00", 1099.0), ("1,099.00", 1099.0), ("35.90", 35.9), ("45,-", None), ("1.595,00", 1595.0), ("12", 12.0),
])
def test_prices_as_written(text, value):
    assert parse_amount(text.replace(",-", "")) == (value if value is not None else 45.0)


# --------------------------------------------------------------------------- product safety information

def _product(body: str, jsonld: str = "") -> str:
    script = f'<script type="application/ld+json">{jsonld}</script>' if jsonld else ""
    return (f'{script}<h1>Product</h1><form action="/cart/add" method="post"><input type="hidden" name="id" value="1">'
            f'<button type="submit">Add</button></form>{body}')


SAFETY_PASS = {
    "pl": _product("<p>Producent: Ceramika Kowalscy Sp. z o.o.<br>ul. Garncarska 12, 59-700 Bolesławiec<br>"
                   "kontakt@ceramika.example</p>"),
    "de": _product("<table><tr><th>Hersteller</th><td>Muster Teekannen GmbH, Musterstraße 1, 12345 Berlin, "
                   "info@muster.example</td></tr></table>"),
    "en": _product("", '{"@context":"https://schema.org","@type":"Product","name":"Oak board","manufacturer":'
                   '{"@type":"Organization","name":"Bristol Timber Co.","address":{"@type":"PostalAddress",'
                   '"streetAddress":"Unit 4, Canons Road","postalCode":"BS1 5UH","addressLocality":"Bristol"},'
                   '"email":"hello@bristoltimber.example"}}'),
    "el": _product("<p>Κατασκευαστής: Ελαιώνας Κρήτης Α.Ε., Λεωφόρος Κνωσού 25, 71306 Ηράκλειο, "
                   "info@elaionas.example</p>"),
}


@pytest.mark.parametrize("lang", sorted(SAFETY_PASS))
def test_product_safety_information_passes(tmp_path, lang):
    c = _check(tmp_path, "legal.product-safety-info", {"index.html": "<p>Shop</p><a href='p.html'>x</a>",
                                                       "p.html": SAFETY_PASS[lang]}, lang, SHOP[lang])
    assert c.status is Status.PASS, [e.snippet for e in c.evidence]


def test_a_manufacturer_outside_the_eu_with_an_eu_responsible_person_passes(tmp_path):
    body = _product("<p>Manufacturer: Shenzhen Lamp Factory</p><p>EU responsible person: Lampen Import GmbH, "
                    "Hauptstraße 5, 10115 Berlin, eu@lampen.example</p>")
    c = _check(tmp_path, "legal.product-safety-info", {"index.html": body}, "en", "IE")
    assert c.status is Status.PASS


SAFETY_NEAR = [
    ("en", _product("", '{"@type":"Product","name":"Oak board","brand":{"@type":"Brand","name":"Harbour & Pine"}}'),
     "partial_safety", "brand-only"),
    ("de", _product("<p>Hersteller: Muster Teekannen GmbH</p>"), "partial_safety", "name-only"),
    ("pl", _product("<p>Producent herbaty z Yunnanu od 1990 roku, z tradycją.</p>"), "no_safety", "producer-in-prose"),
    ("el", _product("<p>Κατασκευαστής: Ελαιώνας Κρήτης, Ηράκλειο</p>"), "partial_safety", "town-only"),
]


@pytest.mark.parametrize("lang, body, variant, why", SAFETY_NEAR, ids=[s[3] for s in SAFETY_NEAR])
def test_product_safety_near_misses(tmp_path, lang, body, variant, why):
    c = _check(tmp_path, "legal.product-safety-info", {"index.html": body}, lang, SHOP[lang])
    assert c.status is Status.FAIL, why
    assert c.messages["title"].id == f"check.legal.product-safety-info.{variant}_title", c.title


def test_a_listing_is_not_a_product_page(tmp_path):
    items = "".join(f'<div itemscope itemtype="https://schema.org/Product"><h2 itemprop="name">Λάδι {i}</h2>'
                    f"<p>{i}0,00 €</p></div>" for i in range(1, 4))
    c = _check(tmp_path, "legal.product-safety-info", {"index.html": items}, "el", "GR")
    assert c.status is Status.NOT_APPLICABLE and "no product page" in c.reason


def test_product_links_seen_but_not_read_could_not_be_checked(tmp_path):
    pages = {"index.html": '<a href="produkt-kubek.html">Kubek</a> <a href="produkt-talerz.html">Talerz</a>',
             "produkt-kubek.html": SAFETY_PASS["pl"], "produkt-talerz.html": SAFETY_PASS["pl"]}
    c = _check(tmp_path, "legal.product-safety-info", pages, "pl", "PL", max_pages=1)
    assert c.status is Status.ERROR and "produkt-kubek.html" in c.reason
    c = _check(tmp_path, "legal.product-safety-info", pages, "pl", "PL", max_pages=3)
    assert c.status is Status.PASS


@pytest.mark.parametrize("url, yes", [
    ("https://s.example/products/mug", True), ("https://s.example/products/mug?variant=2", True),
    ("https://s.example/product/mug/", True), ("https://s.example/pl/p/Kubek-w-groszki/123", True),
    ("https://s.example/product-pol-123-Kubek.html", True), ("https://s.example/en/men/1-1-shirt.html", True),
    ("https://s.example/index.php?route=product/product&product_id=42", True),
    ("https://s.example/products", False), ("https://s.example/product-category/tea/", False),
    ("https://s.example/content/1-delivery", False), ("https://s.example/blog/2023/05/10-best-teas.html", False),
    ("https://s.example/2-home", False), ("https://s.example/kategoria/herbaty", False),
])
def test_product_links(url, yes):
    assert product_link(url) is yes


# --------------------------------------------------------------------------- the crawl fetches a few product pages

def test_a_scorer_gives_a_group_priority_up_to_its_quota():
    def group(link):
        return ("product", 0.5) if "/products/" in link.url else None

    ranker = Ranker(Scorer(lambda link: 0.0, 0.35, group, {"product": 2}))
    links = [Link(f"https://s.example/products/p{i}", "", f"p{i}", Region.BODY) for i in range(4)]
    assert [ranker.score(link) for link in links] == [0.5, 0.5, 0.0, 0.0]
    assert ranker.score(Link("https://s.example/about", "", "About", Region.BODY)) == 0.0


def test_the_crawl_reads_product_pages_before_other_pages_within_its_quota(tmp_path):
    other = "".join(f'<a href="strona-{i}.html">Strona {i}</a> ' for i in range(5))
    products = "".join(f'<a href="produkt-{i}.html">Produkt {i}</a> ' for i in range(5))
    pages = {"index.html": other + products}
    pages |= {f"strona-{i}.html": "<p>x</p>" for i in range(5)} | {f"produkt-{i}.html": "<p>y</p>" for i in range(5)}
    _site(tmp_path, pages, "pl")
    snap = crawl(str(tmp_path / "index.html"), ScanOptions(max_pages=20), ParseCache(), scorer=link_scorer())
    order = [p.url.rsplit("/", 1)[-1] for p in snap.pages]
    quota = (load_yaml("vocab/offers.yaml") or {})["crawl"]["product_pages"]
    assert order[1:1 + quota] == [f"produkt-{i}.html" for i in range(quota)]  # first, up to the quota
    assert order.index("strona-0.html") < order.index(f"produkt-{quota}.html")  # the rest take their turn


# --------------------------------------------------------------------------- Germany's ADR statement

@pytest.mark.parametrize("lang, text", [
    ("de", "Wir sind nicht bereit und nicht verpflichtet, an Streitbeilegungsverfahren vor einer "
           "Verbraucherschlichtungsstelle teilzunehmen."),
    ("en", "We are neither willing nor obliged to take part in dispute resolution proceedings before a consumer "
           "arbitration board."),
    ("pl", "Nie jesteśmy gotowi ani zobowiązani do udziału w postępowaniu w sprawie pozasądowego rozwiązywania "
           "sporów konsumenckich."),
    ("el", "Δεν συμμετέχουμε σε διαδικασία εναλλακτικής επίλυσης καταναλωτικών διαφορών."),
])
def test_adr_statement_passes(tmp_path, lang, text):
    c = _check(tmp_path, "policies.adr-statement", {"index.html": f"<p>{text}</p>"}, lang, "DE")
    assert c.status is Status.PASS, c.reason


@pytest.mark.parametrize("lang, text", [
    ("de", "Die Europäische Kommission stellt eine Plattform zur Online-Streitbeilegung (OS) bereit."),
    ("en", "Our support team resolves every dispute quickly and fairly."),
    ("pl", "Spory rozstrzyga sąd właściwy dla siedziby sprzedawcy."),
    ("el", "Επίλυση διαφορών: επικοινωνήστε με την εξυπηρέτηση πελατών."),
])
def test_adr_statement_near_misses(tmp_path, lang, text):
    c = _check(tmp_path, "policies.adr-statement", {"index.html": f"<p>{text}</p>"}, lang, "DE")
    assert c.status is Status.WARN  # small traders are exempt: a warning, not a failure


def test_adr_statement_is_german_and_the_odr_check_stays(tmp_path):
    text = "<p>Wir sind nicht bereit, an Streitbeilegungsverfahren vor einer Verbraucherschlichtungsstelle teilzunehmen.</p>"
    assert _check(tmp_path, "policies.adr-statement", {"index.html": text}, "de", "AT").status is Status.NOT_APPLICABLE
    odr = '<p>Plattform der EU-Kommission zur Online-Streitbeilegung: <a href="https://ec.europa.eu/consumers/odr">OS</a></p>'
    assert _check(tmp_path, "policies.odr-outdated", {"index.html": odr}, "de", "DE").status is Status.WARN


# --------------------------------------------------------------------------- accessibility basics

A11Y_PASS = {
    "pl": ("Deklaracja dostępności", "Szukaj", "Koszyk"),
    "de": ("Erklärung zur Barrierefreiheit", "Suche", "Warenkorb"),
    "en": ("Accessibility statement", "Search", "Basket"),
    "el": ("Δήλωση προσβασιμότητας", "Αναζήτηση", "Καλάθι"),
}


def _a11y_page(statement: str, search: str, cart: str, *, img_alt: bool = True, label: bool = True,
               icon_text: bool = True) -> str:
    alt = ' alt="Kubek w groszki"' if img_alt else ""
    field = (f'<label for="q">{search}</label><input id="q" name="q">' if label
             else f'<input name="q" placeholder="{search}">')
    icon = f'<a href="koszyk.html" aria-label="{cart}"><i class="icon-cart"></i></a>' if icon_text else (
        '<a href="koszyk.html"><i class="icon-cart"></i></a>')
    return (f'<header><form action="szukaj.html">{field}</form>{icon}</header>'
            f'<main><div class="product-card"><a href="produkt-kubek.html"><img src="kubek.jpg"{alt}></a>'
            f'<a href="produkt-kubek.html">Kubek</a></div><img src="ozdobnik.svg"></main>'
            f'<footer><a href="deklaracja.html">{statement}</a></footer>')


@pytest.mark.parametrize("lang", sorted(A11Y_PASS))
def test_accessibility_basics_pass(tmp_path, lang):
    c = _check(tmp_path, "content.accessibility-basics", {"index.html": _a11y_page(*A11Y_PASS[lang])}, lang, SHOP[lang],
               max_pages=1)
    assert c.status is Status.PASS, [e.snippet for e in c.evidence]
    assert any(A11Y_PASS[lang][0] == e.snippet for e in c.evidence)


@pytest.mark.parametrize("lang, kwargs, doc_lang, needle", [
    ("pl", {"img_alt": False}, "pl", "product images without a text alternative (alt): 1 of 1, e.g. kubek.jpg"),
    ("de", {"label": False}, "de", "form fields without a label: 1 of 1, e.g. q"),
    ("en", {"icon_text": False}, "en", "links without text: 1 of 4, e.g. koszyk.html"),
    ("el", {}, None, "no page language declared"),
], ids=["image-without-alt", "placeholder-only", "icon-link", "no-lang"])
def test_accessibility_basics_near_misses(tmp_path, lang, kwargs, doc_lang, needle):
    body = _a11y_page(*A11Y_PASS[lang], **kwargs)
    c = _check(tmp_path, "content.accessibility-basics", {"index.html": body}, doc_lang, SHOP[lang], max_pages=1)
    assert c.status is Status.FAIL
    assert any(needle in e.snippet for e in c.evidence), [e.snippet for e in c.evidence]
    assert "micro-enterprises" in c.fix


def test_stock_availability_is_not_an_accessibility_statement(tmp_path):
    body = _a11y_page("Dostępność: w magazynie", "Szukaj", "Koszyk")
    c = _check(tmp_path, "content.accessibility-basics", {"index.html": body}, "pl", "PL", max_pages=1)
    assert c.status is Status.FAIL
    assert any("no accessibility statement" in e.snippet for e in c.evidence)


def test_accessibility_basics_warn_before_28_june_2025(tmp_path):
    body = _a11y_page(*A11Y_PASS["de"], img_alt=False)
    c = _check(tmp_path, "content.accessibility-basics", {"index.html": body}, "de", "DE", today=dt.date(2025, 6, 27),
               max_pages=1)
    assert c.status is Status.WARN and "2025-06-28" in c.reason


# --------------------------------------------------------------------------- the demo shop shows them

def test_the_demo_shop_shows_every_new_check():
    report = scan(demo_path(), today=AFTER, lang="en")
    checks = {c.id: c for c in report.checks}
    assert checks["policies.withdrawal-function"].status is Status.PASS
    assert checks["content.accessibility-basics"].status is Status.PASS
    price = checks["policies.price-reduction-history"]
    assert price.status is Status.FAIL and "2 of 4" in price.title
    assert "Najniższa cena z 30 dni przed obniżką" in price.fix
    safety = checks["legal.product-safety-info"]
    assert safety.status is Status.FAIL and "1 of 2" in safety.title
    assert any("Makaibari" in e.snippet for e in safety.evidence)
    assert checks["policies.adr-statement"].status is Status.NOT_APPLICABLE  # a Polish shop
    before = {c.id: c for c in scan(demo_path(), today=dt.date(2022, 1, 1), lang="en").checks}
    assert before["policies.price-reduction-history"].status is Status.WARN  # before the Polish date


def test_platform_fixes_name_the_platform_setting(tmp_path):
    shopify = ('<script src="https://cdn.shopify.com/s/files/1/theme.js"></script>'
               "<script>Shopify.theme = {};</script><h1>Oak &amp; Pine</h1><p>Handmade oak mugs, plates and boards "
               "from our workshop in Galway, delivered across Ireland.</p><p>Oak mug 12,00 €</p>"
               '<footer><a href="/pages/contact">Contact us</a> <a href="/policies/refund-policy">Refund policy</a>'
               "</footer>")
    c = _check(tmp_path, "policies.withdrawal-function", {"index.html": shopify}, "en", "IE")
    assert c.status is Status.FAIL and "Shopify App Store" in c.fix_platform
    woo = ('<script src="/wp-content/plugins/woocommerce/assets/js/frontend/woocommerce.min.js"></script>'
           '<div class="woocommerce product"><del>49,00 €</del> 39,00 €</div>')
    c = _check(tmp_path, "policies.price-reduction-history", {"index.html": woo}, "de", "DE")
    assert c.status is Status.FAIL and "Omnibus" in c.fix_platform  # an EU shop: the plugin by name


# --------------------------------------------------------------------------- every word of the vocabulary, and its near miss

def _labels():
    data = load_yaml("vocab/withdrawal.yaml")
    return [(lang, item["text"], item["status"]) for lang, items in data["labels"].items() for item in items]


@pytest.mark.parametrize("lang, label, status", _labels(), ids=[f"{x[0]}:{x[1]}" for x in _labels()])
def test_every_withdrawal_label_counts_on_a_button_and_not_in_a_sentence(lang, label, status):
    from trustaudit.extract.withdrawal import page_withdrawal
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    assert status in ("official", "national", "secondary", "equivalent")
    assert label_of(label) and label_of(label.upper() + " →")
    # in a sentence (a question in a FAQ, a paragraph) the words are not the label of a control
    assert label_of(f"how and when can one {label} after the parcel has already arrived") is None
    assert label_of(label.split()[0]) is None  # the first word alone
    page = FetchedPage("https://shop.example/", 200, f'<p><a href="/faq">{label}? Read our long guide to returns '
                                                     f"and refunds first</a></p>")
    assert not page_withdrawal(ParsedPage(page)).functions


def _disclosures():
    data = load_yaml("vocab/offers.yaml")["reductions"]["disclosure"]
    return [(lang, str(p)) for lang, items in data.items() for p in items]


def _example(phrase: str) -> str:
    return phrase.replace("<n>", "30").replace(" ... ", " z ").replace("*", "a").replace('"', "")


@pytest.mark.parametrize("lang, phrase", _disclosures(), ids=[f"{x[0]}:{x[1]}" for x in _disclosures()])
def test_every_disclosure_phrase_counts_and_its_first_word_alone_does_not(lang, phrase):
    from trustaudit.extract.offers import _discloses

    assert _discloses(f"{_example(phrase)}: 42,00"), phrase
    words = _example(phrase).split()
    if len(words) > 1:
        assert not _discloses(f"{words[0]} 42,00"), phrase
    if "<n>" in phrase:  # the days are part of it: the words without the number of days say nothing of the past
        assert not _discloses(_example(phrase.split("<n>")[0]).strip() + " gwarantowana"), phrase


def _safety_labels():
    data = load_yaml("vocab/offers.yaml")["safety_labels"]
    return [(who, lang, w) for who in ("manufacturer", "responsible_person") for lang, ws in data[who].items() for w in ws]


@pytest.mark.parametrize("who, lang, label", _safety_labels(), ids=[f"{x[0]}:{x[1]}:{x[2]}" for x in _safety_labels()])
def test_every_safety_label_is_read_and_not_inside_a_sentence(who, lang, label):
    from trustaudit.extract.offers import _text_info
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    def infos(body):
        return _text_info(ParsedPage(FetchedPage("https://shop.example/p", 200, f"<html><body>{body}</body></html>")))

    found = infos(f"<p>{label}: Muster GmbH, Musterstraße 1, 12345 Berlin, info@muster.example</p>")
    assert [i.who for i in found] == [who] and found[0].complete, (label, found)
    assert not infos(f"<p>Our tea comes from a {label} we have known for years, in Berlin.</p>"), label


def _classes():
    return [c["class"] for c in load_yaml("vocab/offers.yaml")["reductions"]["old_price_classes"]]


@pytest.mark.parametrize("cls", _classes())
def test_every_old_price_class_marks_a_reduction_only_beside_a_lower_price(cls):
    from trustaudit.extract.offers import page_reductions
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    def reductions(body):
        return page_reductions(ParsedPage(FetchedPage("https://shop.example/", 200, f"<html><body>{body}</body></html>")))

    assert reductions(f'<div class="product"><span class="{cls}">49,00 €</span> <b>39,00 €</b></div>').total == 1
    assert reductions(f'<div class="product"><span class="{cls}">49,00 €</span></div>') is None  # the price alone
    assert reductions(f'<div class="product"><span class="{cls}x">49,00 €</span> <b>39,00 €</b></div>') is None


def _words(key):
    data = load_yaml("vocab/offers.yaml")["reductions"][key]
    return [(lang, w) for lang, ws in data.items() for w in ws]


@pytest.mark.parametrize("lang, word", _words("reference_labels"), ids=[f"{x[0]}:{x[1]}" for x in _words("reference_labels")])
def test_every_reference_price_label_makes_a_struck_price_no_reduction(lang, word):
    from trustaudit.extract.offers import page_reductions
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    def reductions(body):
        return page_reductions(ParsedPage(FetchedPage("https://shop.example/", 200, f"<html><body>{body}</body></html>")))

    assert reductions(f'<div class="product"><p>{word} <s>79,00 €</s></p> <b>59,00 €</b></div>') is None
    assert reductions('<div class="product"><p>bisher <s>79,00 €</s></p> <b>59,00 €</b></div>').total == 1


@pytest.mark.parametrize("lang, word", _words("from_words"), ids=[f"{x[0]}:{x[1]}" for x in _words("from_words")])
def test_every_from_word_makes_a_badge_a_campaign_banner(lang, word):
    from trustaudit.extract.offers import page_reductions
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    def reductions(body):
        return page_reductions(ParsedPage(FetchedPage("https://shop.example/", 200, f"<html><body>{body}</body></html>")))

    assert reductions(f'<div class="banner"><span>-50%</span> Sale {word} 9,90 €</div>') is None
    assert reductions('<div class="product"><span>-50%</span> Kubek 9,90 €</div>').total == 1


def _phrases(group):
    data = load_yaml("vocab/phrases.yaml")["groups"][group]["phrases"]
    return [(group, lang, str(p)) for lang, ps in data.items() for p in ps or ()]


PHRASES = _phrases("eu_delivery") + _phrases("adr_statement")


@pytest.mark.parametrize("group, lang, phrase", PHRASES, ids=[f"{g}:{lang}:{p}" for g, lang, p in PHRASES])
def test_every_new_phrase_matches_and_its_first_word_alone_does_not(group, lang, phrase):
    from trustaudit.extract.phrases import page_phrases
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParsedPage

    def groups(text):
        pp = ParsedPage(FetchedPage("https://shop.example/", 200, f"<html><body><p>{text}</p></body></html>"))
        return {g for g, v in page_phrases(pp).items() if v}

    ex = phrase.replace(" ... ", " wirklich ").replace("*", "a")
    assert group in groups(ex), (phrase, ex)
    first = ex.split()[0]
    if len(ex.split()) > 1:
        assert group not in groups(f"{first} zq"), (phrase, first)


@pytest.mark.parametrize("rule_id, words", [
    ("policies.withdrawal-function", "labelled as the withdrawal function"),
    ("policies.price-reduction-history", "lowest price of the prior 30 days"),
    ("legal.product-safety-info", "postal and an electronic address"),
    ("content.accessibility-basics", "labelled form fields"),
])
def test_rules_show_says_what_and_from_when_in_plain_words(rule_id, words):
    from typer.testing import CliRunner

    from trustaudit.cli import app

    out = " ".join(CliRunner().invoke(app, ["rules", "show", rule_id, "--country", "GR"]).stdout.split())
    assert words in out and "{" not in out and "_function" not in out and "accessibility_basics" not in out
    assert "applies from: 20" in out and "shops elsewhere that clearly sell to buyers in EEA" in out


def test_an_http_crawl_follows_product_links_within_the_quota_also_from_a_category_page(serve):
    from servers import html

    def page(body):
        return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"

    products = "".join(f"<a href='/products/item-{i}'>Item {i}</a>" for i in range(6))
    srv = serve({
        "/": html(page(f"<main><a href='/kategoria'>Herbaty</a>{products}</main>"
                       "<footer><a href='/kontakt'>Kontakt</a></footer>")),
        "/kategoria": html(page("<main><a href='/products/deep-one'>Deep one</a></main>")),
        "/products/*": html(page("<h1>Item</h1>")),
        "/kontakt": html(page("<p>tel</p>")),
    })
    opts = ScanOptions(max_pages=6, timeout=1.5, total_timeout=8.0, concurrency=1)
    snap = crawl(srv.url + "/", opts, ParseCache(), scorer=link_scorer())
    got = [p.url[len(srv.url):] for p in snap.pages]
    quota = (load_yaml("vocab/offers.yaml") or {})["crawl"]["product_pages"]
    assert got[:2] == ["/", "/kontakt"]  # a trust page first
    assert got[2:2 + quota] == [f"/products/item-{i}" for i in range(quota)]  # then the quota of product pages
    assert "/products/item-5" not in got  # the rest wait behind other pages
    # from a page at depth 1 only links worth it are followed (depth 2): a product link within the quota is one
    srv2 = serve({
        "/": html(page("<main><a href='/kategoria'>Herbaty</a><a href='/o-firmie-historia'>Historia</a></main>")),
        "/kategoria": html(page("<main><a href='/products/deep-one'>Deep one</a><a href='/tag/zielone'>Zielone</a>"
                                "</main>")),
        "/products/*": html(page("<h1>Item</h1>")), "/tag/*": html(page("tag")), "/o-firmie-historia": html(page("x")),
    })
    snap = crawl(srv2.url + "/", ScanOptions(max_pages=10, timeout=1.5, total_timeout=8.0), ParseCache(),
                 scorer=link_scorer())
    depth = {p.url[len(srv2.url):]: p.depth for p in snap.pages}
    assert depth.get("/products/deep-one") == 2 and "/tag/zielone" not in depth


@pytest.mark.parametrize("change, message", [
    ({"applies_from": {"PL": "2023-01-01"}}, "applies_from: a 'default' date"),
    ({"applies_from": {"default": "2022-05-28", "XX": "2023-01-01"}}, "unknown applies_from country or group 'XX'"),
    ({"applies_from": "not a date"}, "applies_from"),
    ({"also_targeting": ["EEA"], "countries": []}, "also_targeting needs countries"),
    ({"also_targeting": ["EAA"]}, "unknown country or group 'EAA' (nearest: 'EEA')"),
    ({"params": {"tests": ["lang", "colour"]}}, "unknown accessibility test 'colour'"),
    ({"params": {"statement_page": "accesibility"}}, "unknown page kind 'accesibility' (nearest: 'accessibility')"),
])
def test_rule_files_of_dated_and_targeting_rules_are_validated(change, message):
    from trustaudit.engine import RuleError, parse_rule

    data = dict(load_yaml("checks/content.accessibility-basics.yaml"))
    data.update(change)
    with pytest.raises(RuleError) as exc:
        parse_rule(data, "content.accessibility-basics.yaml")
    assert message in str(exc.value)


def test_a_home_page_built_by_javascript_gives_could_not_check_not_an_absence(tmp_path):
    shell = '<div id="root"></div><script src="/static/js/main.3f2a.js"></script>'
    report = scan(_site(tmp_path, {"index.html": shell}, "pl"), ScanOptions(country="PL"), today=AFTER, lang="en")
    checks = {c.id: c for c in report.checks}
    for rid in ("policies.price-reduction-history", "legal.product-safety-info", "content.accessibility-basics",
                "policies.withdrawal-function"):
        assert checks[rid].status is Status.ERROR, (rid, checks[rid].status)
        assert "JavaScript" in checks[rid].reason


def test_a_home_page_featuring_one_product_is_a_storefront_not_a_product_page(tmp_path):
    featured = ('<div itemscope itemtype="https://schema.org/Product"><h2 itemprop="name">Kubek</h2>'
                '<form action="/cart/add"><button>Dodaj</button></form></div>'
                '<a href="produkt-talerz.html">Talerz</a>')
    pages = {"index.html": featured, "produkt-talerz.html": SAFETY_PASS["pl"]}
    c = _check(tmp_path, "legal.product-safety-info", pages, "pl", "PL")
    assert c.status is Status.PASS and all("produkt-talerz" in e.url for e in c.evidence)
    # a one-product shop: its home page is the product page
    c = _check(tmp_path, "legal.product-safety-info", {"index.html": SAFETY_PASS["pl"]}, "pl", "PL")
    assert c.status is Status.PASS
