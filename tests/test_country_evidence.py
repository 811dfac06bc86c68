"""The shop's country is decided by weighing all the evidence (rules/countries.yaml ``country_evidence``), not by
the first rule that answers: shops that sell abroad in their buyers' language, on a ccTLD that is not theirs or on
a generic .com are placed where they are established; thin or contested evidence leaves the country unknown
(and the checks scoped to a country then say so); ``--country`` always wins. National-format phone numbers and
IDs are read for the decided country."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from trustaudit.extract import extract, extract_page
from trustaudit.extract.country import (
    country_names,
    currency_evidence,
    legal_phrases,
    time_zone_evidence,
    tld_evidence,
    weigh,
)
from trustaudit.models import CountryEvidence, FetchedPage, SiteSnapshot, Status
from trustaudit.pipeline import build_report
from trustaudit.report import report_from_dict, report_to_dict
from trustaudit.web.html import ParseCache

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "trustaudit/schema/report.schema.json").read_text())


def snapshot(url: str, html: str) -> SiteSnapshot:
    page = FetchedPage(url=url, status=200, text=html, content_type="text/html")
    return SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,))


def shop(url: str, html: str, country: str | None = None):
    return extract(snapshot(url, html), ParseCache(), country)


def evidence(a) -> set[tuple[str, str | None]]:
    return {(e.signal, e.country) for e in a.country_evidence}


# -- the cases: shops the first-rule-that-answers placed wrongly --------------------------------------

DUTCH_ON_DE = """<html lang="nl"><body><h1>Welkom bij onze webwinkel voor tuinmeubelen</h1>
<p>Gratis verzending vanaf € 50. Tuinbank van eikenhout: € 249,95. Parasol: € 89,95</p>
<footer><p>Tuinhuis B.V.</p><p>Keizersgracht 123</p><p>1015 CJ Amsterdam</p><p>Nederland</p>
<p>Telefoon: 020 123 4567</p><p>KvK 12345678 · BTW NL004495445B01</p></footer></body></html>"""


def test_a_dutch_shop_on_a_german_domain_is_dutch():
    a = shop("https://tuinhuis-shop.de/", DUTCH_ON_DE)
    assert (a.language, a.country, a.country_source) == ("nl", "NL", "evidence")
    assert {("tld", "DE"), ("language", "NL"), ("postcode", "NL"), ("address_country", "NL"),
            ("registry_id", "NL")} <= evidence(a)
    assert 0 < a.country_confidence <= 1
    # read for the Netherlands after the decision: the national number and the VAT number
    assert "+31201234567" in {p.e164 for p in a.phones}
    assert ("eu.vat", "NL004495445B01", True) in {(t.scheme, t.value, t.valid) for t in a.tax_ids}


KAZAKH_IN_RUSSIAN = """<html lang="ru"><body><h1>Интернет-магазин одежды</h1>
<p>Платье летнее — 12 990 тг</p><p>Куртка демисезонная — 24 500 ₸</p>
<p>Звоните: +7 (727) 312-45-67, 8 (701) 123-45-67</p>
<p>ТОО «Мода Алматы», БИН 123456789012</p><p>г. Алматы, ул. Абая 10</p></body></html>"""


def test_a_russian_language_shop_in_kazakhstan_is_kazakh():
    a = shop("https://moda-shop.com/", KAZAKH_IN_RUSSIAN)
    assert (a.language, a.country) == ("ru", "KZ")
    assert {("currency", "KZ"), ("phone", "KZ"), ("registry_label", "KZ"), ("legal_phrase", "KZ"),
            ("language", "RU")} <= evidence(a)
    # the national number "8 (701) ..." is a Kazakh mobile number, read for KZ
    assert {"+77273124567", "+77011234567"} <= {p.e164 for p in a.phones}
    assert ("kz.bin", "123456789012") in {(t.scheme, t.value) for t in a.tax_ids}


UKRAINIAN_IN_RUSSIAN = """<html lang="ru"><body><h1>Интернет-магазин бытовой техники</h1>
<p>Чайник электрический — 899 грн</p><p>Утюг паровой — 1 299 ₴</p>
<p>Телефон: +380 44 123 45 67, (067) 123-45-67</p>
<p>ООО «Техно Дом», код ЄДРПОУ 32855961</p><p>г. Киев, ул. Крещатик 1</p></body></html>"""


def test_a_russian_language_shop_in_ukraine_is_ukrainian():
    a = shop("https://techno-dom.com/", UKRAINIAN_IN_RUSSIAN)
    assert (a.language, a.country) == ("ru", "UA")
    assert {("currency", "UA"), ("phone", "UA"), ("registry_id", "UA"), ("language", "RU")} <= evidence(a)
    assert "+380671234567" in {p.e164 for p in a.phones}
    assert ("ua.edrpou", "32855961", True) in {(t.scheme, t.value, t.valid) for t in a.tax_ids}


ITALIAN_WITHOUT_LANG = """<html><body><h1>Negozio di strumenti musicali</h1>
<p>Chitarra classica con custodia — € 129,00</p>
<p>Spedizione gratuita per tutti gli ordini sopra i 50 euro. I prodotti sono disponibili anche nel nostro negozio,
che trovate nel centro della città.</p>
<footer><p>Strumenti Musicali S.r.l. — Via Roma 12, 70121 Bari</p>
<p>P.IVA 00743110157 · Tel. +39 080 123 4567 · Fax 080 765 4321</p></footer></body></html>"""


def test_an_italian_page_without_lang_is_italian():
    a = shop("http://strumenti-shop.com/", ITALIAN_WITHOUT_LANG)
    assert (a.language, a.country) == ("it", "IT")
    assert {("language", "IT"), ("registry_id", "IT"), ("phone", "IT"), ("postcode", "IT"),
            ("currency", "IT")} <= evidence(a)
    # the CAP fits several countries' five-digit formats: its weight is split, not given to Italy alone
    cap = [e for e in a.country_evidence if e.signal == "postcode" and e.country == "IT"]
    assert cap and cap[0].weight < 2.0
    assert any("70121 Bari" in x.text for x in a.addresses)


UK_ON_COM = """<html lang="en"><body><h1>Quality garden furniture</h1><p>Oak bench £249.00</p><p>Parasol £89.99</p>
<footer><p>Garden Living Ltd, 10 Downing Street, London SW1A 2AA</p>
<p>Call us: 020 7946 0958 or +44 161 496 0000</p>
<p>Registered in England and Wales, Company No. 01234567. VAT No. GB 980 7806 84</p></footer></body></html>"""


def test_a_uk_shop_on_a_com_domain_is_british():
    a = shop("https://gardenliving.com/", UK_ON_COM)
    assert a.country == "GB"
    assert {("currency", "GB"), ("phone", "GB"), ("postcode", "GB"), ("registry_id", "GB"),
            ("legal_phrase", "GB"), ("tld", "US")} <= evidence(a)
    assert {"+442079460958", "+441614960000"} <= {p.e164 for p in a.phones}
    ids = {(t.scheme, t.value) for t in a.tax_ids}
    assert ("gb.crn", "01234567") in ids and ("gb.vat", "980780684") in ids


# -- near misses ---------------------------------------------------------------------------------------------

POLISH_WITH_GERMAN_PHONE = """<html lang="pl"><body><h1>Ceramika ręcznie malowana</h1><p>Kubek w groszki — 39,99 zł</p>
<footer><p>Ceramika Sp. z o.o., ul. Długa 5, 00-950 Warszawa</p>{pl_phone}
<p>Für Kunden aus Deutschland: +49 30 1234567</p><p>NIP 123-456-32-18</p></footer></body></html>"""


@pytest.mark.parametrize("url, pl_phone", [
    ("https://ceramika.pl/", "<p>Tel. 22 123 45 67</p>"),
    ("https://ceramika-shop.com/", ""),  # no Polish phone, no Polish domain: the rest still says Poland
])
def test_a_polish_shop_listing_a_german_phone_for_german_customers_stays_polish(url, pl_phone):
    a = shop(url, POLISH_WITH_GERMAN_PHONE.format(pl_phone=pl_phone))
    assert a.country == "PL"
    assert ("phone", "DE") in evidence(a)  # seen, and outweighed
    assert "+49301234567" in {p.e164 for p in a.phones}


ENGLISH_ONLY = """<html lang="en"><body><h1>Welcome to our store</h1>
<p>We sell handmade candles and soaps. Free shipping on all orders, and your cart is saved for you.</p></body></html>"""


@pytest.mark.parametrize("url", ["https://candles-store.com/", "https://candles.io/", "https://candles.shop/"])
def test_an_english_page_with_no_other_evidence_has_no_country(url):
    a = shop(url, ENGLISH_ONLY)
    assert (a.country, a.country_confidence, a.country_source) == (None, None, "")
    tld = [e for e in a.country_evidence if e.signal == "tld"]
    assert len(tld) == 1
    if url.endswith(".com/"):
        assert (tld[0].country, tld[0].weight) == ("US", 0.5)  # weak: not enough on its own
    else:
        assert (tld[0].country, tld[0].weight) == (None, 0.0)  # a brand ccTLD, a generic TLD: nothing


def test_checks_scoped_to_a_country_say_the_country_is_unknown():
    snap = snapshot("https://candles-store.com/", ENGLISH_ONLY)
    report = build_report(snap, extract(snap, ParseCache()), lang="en")
    scoped = {c.id: c for c in report.checks if c.id in ("legal.pl-nip", "legal.gb-company-number")}
    assert len(scoped) == 2
    for c in scoped.values():
        assert c.status is Status.NOT_APPLICABLE and "country is unknown" in c.reason, c


def test_the_override_always_wins_and_the_evidence_is_still_shown():
    a = shop("https://tuinhuis-shop.de/", DUTCH_ON_DE, "de")
    assert (a.country, a.country_source, a.country_confidence) == ("DE", "override", 1.0)
    assert a.country_evidence[0] == CountryEvidence("override", "DE", "DE", 0.0)
    assert ("address_country", "NL") in evidence(a)


def test_a_ccTLD_alone_is_not_outweighed_by_a_foreign_language():
    # a Polish shop's English page: .pl and złoty against English (which has no main country)
    a = shop("https://ceramika.pl/en/", '<html lang="en"><body><p>Mug with dots 39,99 zł, free shipping</p></body></html>')
    assert a.country == "PL"


def test_contested_evidence_leaves_the_country_unknown():
    # a German-language page on .at with a Swiss phone number and nothing else: no clear leader
    html = '<html lang="de"><body><p>Willkommen</p><p>Telefon: +41 44 668 18 00</p></body></html>'
    a = shop("https://example-shop.at/", html)
    assert a.country is None and {("tld", "AT"), ("phone", "CH"), ("language", "DE")} <= evidence(a)


# -- the report carries the evidence --------------------------------------------------------------------------

def test_the_json_report_has_the_country_evidence_and_confidence():
    snap = snapshot("https://moda-shop.com/", KAZAKH_IN_RUSSIAN)
    report = build_report(snap, extract(snap, ParseCache()), lang="en")
    d = json.loads(json.dumps(report_to_dict(report)))
    jsonschema.validate(d, SCHEMA)
    assert d["country"] == "KZ" and d["country_source"] == "evidence" and 0 < d["country_confidence"] <= 1
    assert {"signal": "phone", "value": "+77273124567", "country": "KZ", "weight": 2.0} in d["country_evidence"]
    assert all(set(e) == {"signal", "value", "country", "weight"} for e in d["country_evidence"])
    back = report_from_dict(d)
    assert (back.country_confidence, back.country_source) == (report.country_confidence, "evidence")
    assert list(back.country_evidence) == d["country_evidence"]
    # an unknown country validates too
    snap = snapshot("https://candles.io/", ENGLISH_ONLY)
    d = json.loads(json.dumps(report_to_dict(build_report(snap, extract(snap, ParseCache()), lang="en"))))
    jsonschema.validate(d, SCHEMA)
    assert (d["country"], d["country_source"], d["country_confidence"]) == (None, None, None)


def test_facts_stay_country_free():
    # the page's country hints are what it shows, whatever the shop's country turns out to be
    page = FetchedPage(url="https://tuinhuis-shop.de/", status=200, text=DUTCH_ON_DE)
    hints = extract_page(page).country
    assert hints.lang_tag == "nl" and ("Nederland", ("Tuinhuis B.V.", "Keizersgracht 123", "1015 CJ Amsterdam",
                                                    "Telefoon: 020 123 4567")) in hints.country_lines
    assert extract_page(page) == extract_page(page)


# -- each kind of evidence, with its near miss ----------------------------------------------------------------

@pytest.mark.parametrize("html, signal, country", [
    ('<html lang="de-AT"><body>x</body></html>', "locale", "AT"),
    ('<html><head><meta property="og:locale" content="pl_PL"></head><body>x</body></html>', "locale", "PL"),
    ('<html><head><link rel="alternate" hreflang="fr-BE" href="https://x.example/"></head><body>x</body></html>',
     "locale", "BE"),
    ('<html><head><link rel="canonical" href="https://www.sklep.pl/"></head><body>x</body></html>', "own_domain", "PL"),
    ('<html><body><script type="application/ld+json">{"@type": "Organization", "address": {"@type": "PostalAddress",'
     ' "addressCountry": "CZ"}}</script></body></html>', "address_country", "CZ"),
    ('<html><body><script type="application/ld+json">{"@type": "Store", "address": {"addressCountry": '
     '{"@type": "Country", "name": "Deutschland"}}}</script></body></html>', "address_country", "DE"),
])
def test_declared_evidence(html, signal, country):
    a = shop("https://x.example/", html)
    assert (signal, country) in evidence(a)


@pytest.mark.parametrize("html", [
    # hreflang of another page (an alternate of this one in another market) is not this page's locale
    '<html><head><link rel="alternate" hreflang="fr-BE" href="https://x.example/fr-be/"></head><body>x</body></html>',
    '<html lang="de"><body>x</body></html>',  # no region
    '<html><head><link rel="canonical" href="https://x.example/page"></head><body>x</body></html>',  # itself
])
def test_declared_evidence_near_misses(html):
    a = shop("https://x.example/", html)
    assert not {s for s, _c in evidence(a)} & {"locale", "own_domain"}


def test_a_country_named_next_to_its_postcode_is_the_address_country():
    near = "<p>Wir liefern nach:</p><p>Deutschland</p><p>Niederlande</p><p>Belgien</p>"
    assert ("address_country", "NL") not in evidence(shop("https://x.example/", f"<html><body>{near}</body></html>"))
    addr = "<p>Meander 151</p><p>6825 MB Arnhem</p><p>Niederlande</p>"
    assert ("address_country", "NL") in evidence(shop("https://x.example/", f"<html><body>{addr}</body></html>"))
    # named at the end of the address line itself
    inline = "<p>Via Roma 12, 70121 Bari (Italia)</p>"
    assert ("address_country", "IT") in evidence(shop("https://x.example/", f"<html><body>{inline}</body></html>"))
    wrong = "<p>Via Roma 12, 70121 Bari (Nederland)</p>"  # 70121 is no Dutch postcode
    assert ("address_country", "NL") not in evidence(shop("https://x.example/", f"<html><body>{wrong}</body></html>"))


def test_a_run_of_digit_groups_is_no_postcode():
    html = "<p>ул. Ленина 5</p><p>Корр. счет 301 018 106 000 000 00859</p>"
    assert ("postcode", "SA") not in evidence(shop("https://x.example/", f"<html><body>{html}</body></html>"))


@pytest.mark.parametrize("text, country", [
    ("Cena: 1 299 zł", "PL"), ("Итого 12 990 тг", "KZ"), ("Ціна 899 грн", "UA"), ("Price £49.99", "GB"),
    ("Cena 1 290 Kč", "CZ"), ("سعر 250 ر.س", "SA"), ("Цена 2 900 ₽", "RU"),
])
def test_currency(text, country):
    assert country in {e.country for e in currency_evidence([text])}


@pytest.mark.parametrize("text", [
    "Zloty Plaza opening hours",  # the word, no price
    "тгк Астана",  # a token inside a word
    "Wszystkie ceny zł",  # no number next to it
])
def test_currency_near_misses(text):
    assert currency_evidence([text]) == []


def test_a_shared_currency_is_split_and_weighs_little():
    ev = currency_evidence(["Preis 19,95 € und 5 €"])
    euro = {e.country for e in ev}
    assert {"DE", "FR", "IT", "NL"} <= euro and all(e.weight <= 0.3 for e in ev)


@pytest.mark.parametrize("text, countries", [
    ("Mon-Fri 7am to 7pm CST", {"US", "CA"}),
    ("Call us 9:00 EST", {"US", "CA"}),
    ("Пн–Пт с 9 до 18 МСК", {"RU"}),
    ("работаем до 21:00 (мск)", {"RU"}),
])
def test_time_zone_of_stated_hours(text, countries):
    assert {e.country for e in time_zone_evidence([text])} == countries


@pytest.mark.parametrize("text", ["We are CST certified", "Il est 9 heures", "BST filters in stock", "MSK-20 pump"])
def test_time_zone_near_misses(text):
    assert time_zone_evidence([text]) == []


@pytest.mark.parametrize("host, signal, country, w", [
    ("www.sklep.com.pl", "tld", "PL", 2.5), ("shop.co.uk", "tld", "GB", 2.5), ("shop.com", "tld", "US", 0.5),
    ("shop.io", "tld", None, 0.0), ("shop.ai", "tld", None, 0.0), ("shop.co", "tld", None, 0.0),
    ("shop.me", "tld", None, 0.0), ("shop.tv", "tld", None, 0.0), ("shop.shop", "tld", None, 0.0),
    ("127.0.0.1", None, None, None),
])
def test_tlds(host, signal, country, w):
    ev = tld_evidence([host], [])
    if signal is None:
        assert ev == []
    else:
        assert [(e.signal, e.country, e.weight) for e in ev] == [(signal, country, w)]


LEGAL = sorted({(p, cc) for p, cc in legal_phrases()})


def _written(phrase: str) -> str:
    """A phrase as a page writes it: a "*" word with an ending."""
    return " ".join(w[:-1] + "a" if w.endswith("*") else w for w in phrase.split())


@pytest.mark.parametrize("phrase, country", LEGAL, ids=[f"{cc}:{p}" for p, cc in LEGAL])
def test_every_legal_phrase_points_to_its_jurisdiction(phrase, country):
    page = f"<html><body><p>Informacje: {_written(phrase)}, zob. dalej.</p></body></html>"
    hits = {(e.signal, e.country) for e in weigh(shop("https://x.example/", page).country_evidence).evidence}
    assert ("legal_phrase", country) in hits


@pytest.mark.parametrize("phrase, country", LEGAL, ids=[f"{cc}:{p}" for p, cc in LEGAL])
def test_every_legal_phrase_glued_into_a_word_is_not_evidence(phrase, country):
    glued = "zq" + _written(phrase).replace(" ", "") + "zq"
    a = shop("https://x.example/", f"<html><body><p>Informacje {glued} dalej.</p></body></html>")
    assert ("legal_phrase", country) not in evidence(a)


def test_country_names_come_from_cldr_in_every_profile_language():
    names = country_names()
    for name, cc in [("niederlande", "NL"), ("polska", "PL"), ("казахстан", "KZ"), ("україна", "UA"),
                     ("italia", "IT"), ("united kingdom", "GB"), ("uk", "GB"), ("المملكة العربية السعودية", "SA")]:
        assert names.get(name) == cc, name


@pytest.mark.parametrize("url, lang, text, country", [
    ("https://gartenshop.at/", "de", "Gartenbank 249,00 €", "AT"),  # German text: Austria by its domain
    ("https://boutique.be/", "fr", "Table basse 149,00 €", "BE"),  # French text: Belgium by its domain
    ("https://weinhandel.ch/", "de", "Rotwein CHF 24.50", "CH"),  # its domain and its currency
    ("https://sklep.com/", "pl", "Kubek 39,99 zł", "PL"),  # the language of one country and its currency
])
def test_a_shared_language_does_not_outweigh_the_domain(url, lang, text, country):
    a = shop(url, f'<html lang="{lang}"><body><p>{text}</p></body></html>')
    assert a.country == country, [(e.signal, e.country, e.weight) for e in a.country_evidence]


@pytest.mark.parametrize("url, html, country", [
    # shops on a generic .com, placed by their language, prices, phones and IDs
    ("https://kalokairi-shop.com/", '<html lang="el"><body><p>Φόρεμα 39,90 €</p><footer><p>Τηλ.: 210 323 4567</p>'
     "<p>ΑΦΜ: 094259216</p><p>Ερμού 12, 105 63 Αθήνα</p></footer></body></html>", "GR"),
    ("https://matjar.com/", '<html lang="ar" dir="rtl"><body><p>عطر 250 ر.س</p><footer><p>الجوال: 0501234567</p>'
     "<p>الرقم الضريبي: 310409885600003</p><p>حي الروضة، الرياض</p></footer></body></html>", "SA"),
    ("https://sklep-online.com/", '<html lang="pl"><body><p>Kubek 39,99 zł</p><footer><p>tel. 22 123 45 67</p>'
     "<p>NIP 526-104-08-28</p><p>ul. Długa 5, 00-238 Warszawa</p></footer></body></html>", "PL"),
    ("https://magazin-online.com/", '<html lang="ru"><body><p>Цена 2 900 ₽</p><footer><p>Тел.: 8 (495) 648-31-32</p>'
     "<p>ИНН 7707083893</p></footer></body></html>", "RU"),
    # the near-misses: the same language, another country's phone, currency or domain
    ("https://matjar.com/", '<html lang="ar" dir="rtl"><body><p>عطر 120 د.إ</p><footer><p>هاتف: +971 4 234 5678</p>'
     "<p>شارع الوصل، جميرا، دبي</p></footer></body></html>", "AE"),
    ("https://matjar.com/", '<html lang="ar" dir="rtl"><body><p>عطر 12 د.ك</p><footer><p>هاتف: +965 2224 5678</p>'
     "</footer></body></html>", "KW"),
    ("https://katastima.com.cy/", '<html lang="el"><body><p>Φόρεμα 39,90 €</p><footer><p>Τηλ.: +357 22 123456</p>'
     "<p>Λεωφόρος Μακαρίου 12, 1065 Λευκωσία</p></footer></body></html>", "CY"),
])
def test_shops_on_generic_domains_in_the_first_class_languages(url, html, country):
    a = shop(url, html)
    assert a.country == country, [(e.signal, e.country, e.weight) for e in a.country_evidence]
