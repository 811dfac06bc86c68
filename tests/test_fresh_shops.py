"""Report truth on shops the rest of the suite has not seen, each served on loopback and scanned through the real
CLI as a new user would (``trustaudit scan URL -f json``): a check passes only on what the pages show, fails only
when the thing is absent from what was read, and its title says what was found.

Each case has its passing twin (the same shop with the thing really there) and a near miss.
"""

from __future__ import annotations

import json

from servers import html
from typer.testing import CliRunner

from trustaudit.cli import app

runner = CliRunner()


def _page(title: str, body: str, lang: str = "en") -> tuple[int, dict[str, str], bytes]:
    return html(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body>{body}</body></html>")


def _scan(url: str, *extra: str) -> dict:
    res = runner.invoke(app, ["scan", url, "-f", "json", "--no-verify", "--timeout", "3", "--max-pages", "12", *extra])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _checks(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["checks"]}


# --------------------------------------------------------------------------- a "soft 404" policy page

PL_HOME = """<h1>Pościel lniana</h1><p>Komplet pościeli lnianej 349,00 zł</p>
<footer><a href="/regulamin">Regulamin</a> <a href="/polityka-prywatnosci">Polityka prywatności</a>
<a href="/kontakt">Kontakt</a>
<p>Len Sp. z o.o., ul. Lniana 5, 00-001 Warszawa, NIP 5260250274, tel. +48 22 123 45 67, sklep@len.example</p></footer>"""
PL_CONTACT = _page("Kontakt", "<h1>Kontakt</h1><p>Tel. +48 22 123 45 67, sklep@len.example</p>", "pl")
# what a shop platform answers, with status 200, for a page that was deleted
PL_SOFT_404 = _page("Strona nie istnieje - Sklep Len",
                    "<h1>Strona nie istnieje</h1><p>Niestety, strona której szukasz nie została znaleziona.</p>", "pl")


def test_a_policy_link_to_a_page_not_found_message_served_with_200_is_not_a_published_policy(serve):
    shop = serve({"/": _page("Sklep Len", PL_HOME, "pl"), "/regulamin": PL_SOFT_404,
                  "/polityka-prywatnosci": PL_SOFT_404, "/kontakt": PL_CONTACT})
    checks = _checks(_scan(shop.url + "/", "--lang", "pl"))
    for rule in ("policies.terms", "policies.privacy"):
        c = checks[rule]
        assert c["status"] == "fail", c
        assert c["messages"]["title"]["id"] == "outcome.page_missing.title"
        assert "strona nie istnieje" in c["title"]
        assert "/regulamin" in c["fix"] or "/polityka-prywatnosci" in c["fix"]
    assert checks["contact.page"]["status"] == "pass"  # the working link still counts


def test_the_same_links_to_real_pages_pass_and_a_policy_that_mentions_not_found_items_still_counts(serve):
    terms = _page("Regulamin sklepu - Sklep Len", "<h1>Regulamin sklepu</h1><p>Regulamin określa zasady sprzedaży. "
                  "Jeśli nie znaleziono produktu w magazynie, zwracamy pieniądze.</p>", "pl")
    privacy = _page("Polityka prywatności", "<h1>Polityka prywatności</h1><p>Administratorem danych jest Len Sp. z o.o."
                    " Strona nie zbiera danych bez zgody.</p>", "pl")
    shop = serve({"/": _page("Sklep Len", PL_HOME, "pl"), "/regulamin": terms, "/polityka-prywatnosci": privacy,
                  "/kontakt": PL_CONTACT})
    checks = _checks(_scan(shop.url + "/", "--lang", "pl"))
    assert checks["policies.terms"]["status"] == "pass"
    assert checks["policies.privacy"]["status"] == "pass"


# --------------------------------------------------------------------------- a German address on the Impressum only

DE_HOME = """<h1>Kaffeerösterei Berg</h1><p>Espresso Bohne 500 g 14,90 €</p>
<footer><a href="/impressum">Impressum</a> <a href="/agb">AGB</a></footer>"""
DE_AGB = _page("AGB", "<h1>Allgemeine Geschäftsbedingungen</h1><p>Diese AGB gelten für alle Bestellungen.</p>", "de")


def _impressum(street: str) -> tuple[int, dict[str, str], bytes]:
    return _page("Impressum", f"<h1>Impressum</h1><p>Kaffeerösterei Berg GmbH<br>{street}<br>80331 München</p>"
                 "<p>Telefon: +49 89 1234567<br>E-Mail: info@berg-kaffee.example</p>"
                 "<p>Registergericht: Amtsgericht München, HRB 123456<br>USt-IdNr.: DE136695976</p>", "de")


def test_a_german_street_name_written_as_one_word_is_a_postal_address(serve):
    # "Bergstraße 12": German, Dutch and Nordic street names are compounds, the street word is their end
    for street in ("Bergstraße 12", "Hauptstr. 5", "Am Mühlenweg 3a", "Lindenallee 7"):
        shop = serve({"/": _page("Kaffeerösterei Berg", DE_HOME, "de"), "/impressum": _impressum(street),
                      "/agb": DE_AGB})
        c = _checks(_scan(shop.url + "/"))["contact.address"]
        assert c["status"] == "pass", (street, c)
        assert any(street in e["snippet"] for e in c["evidence"]), c


def test_a_postcode_line_without_any_street_is_still_no_address(serve):
    # near miss: a postcode and a town after a name that is not a street ("Kaffeerösterei Berg GmbH")
    shop = serve({"/": _page("Kaffeerösterei Berg", DE_HOME, "de"), "/impressum": _impressum("Abteilung Vertrieb"),
                  "/agb": DE_AGB})
    assert _checks(_scan(shop.url + "/"))["contact.address"]["status"] == "fail"


def test_a_leading_star_matches_the_end_of_a_compound_word_only():
    from trustaudit.extract.text import fold, phrase_regex

    rx = phrase_regex(["*strasse", "weg"])
    assert rx.search(fold("Bergstraße 12")) and rx.search(fold("Weg 3"))
    assert not rx.search(fold("Straße"))  # the word alone is listed on its own where it counts
    assert not rx.search(fold("Straßenbahn 12")) and not rx.search(fold("Bergstraßenfest"))


# --------------------------------------------------------------------------- policies published only as PDF files

PDF = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _ru_shop(delivery_href: str, terms_href: str = "/docs/oferta.pdf") -> dict:
    home = f"""<h1>Мёд с пасеки</h1><p>Мёд липовый 1 кг 890 ₽</p>
<footer><a href="{terms_href}">Публичная оферта</a> <a href="{delivery_href}">Доставка и оплата</a>
<p>ООО «Пасека», ИНН 7707083893. 127006, г. Москва, ул. Тверская, д. 10. Тел.: +7 (495) 123-45-67.
E-mail: med@paseka.example</p></footer>"""
    return {"/": _page("Мёд с пасеки", home, "ru"), "/docs/oferta.pdf": PDF, "/docs/dostavka.pdf": PDF}


def test_a_delivery_page_that_is_a_pdf_is_not_read_so_its_contents_are_could_not_check(serve):
    shop = serve(_ru_shop("/docs/dostavka.pdf"))
    report = _scan(shop.url + "/", "--lang", "ru")
    c = _checks(report)["policies.delivery-cost"]
    assert c["status"] == "error", c  # not "Не указана стоимость доставки": the page that would say it was not read
    assert c["messages"]["reason"]["id"] == "reason.evidence_not_read"
    assert "dostavka.pdf" in c["reason"]
    assert _checks(report)["policies.delivery"]["status"] == "pass"  # the published document itself counts


def test_the_same_delivery_page_in_html_is_read_and_judged_both_ways(serve):
    routes = _ru_shop("/dostavka")
    routes["/dostavka"] = _page("Доставка и оплата", "<h1>Доставка и оплата</h1><p>Доставка курьером по Москве "
                                "1-2 дня, стоимость доставки 300 ₽.</p>", "ru")
    shop = serve(routes)
    assert _checks(_scan(shop.url + "/", "--lang", "ru"))["policies.delivery-cost"]["status"] == "pass"
    # near miss: the pages are read and say nothing about the cost: the absence is real (the terms are read too,
    # since the cost could be stated there)
    routes["/"] = _ru_shop("/dostavka", "/oferta")["/"]
    routes["/oferta"] = _page("Публичная оферта", "<h1>Публичная оферта</h1><p>Настоящая оферта определяет "
                              "условия продажи товаров.</p>", "ru")
    routes["/dostavka"] = _page("Доставка и оплата", "<h1>Доставка и оплата</h1><p>Доставляем курьером по Москве.</p>",
                                "ru")
    shop = serve(routes)
    assert _checks(_scan(shop.url + "/", "--lang", "ru"))["policies.delivery-cost"]["status"] == "fail"


# --------------------------------------------------------------------------- ways to pay named by card scheme and wallet

def _pay_shop(sentence: str, lang: str = "en") -> dict:
    home = ("<h1>Pinecraft</h1><p>Pine bookshelf £149.00</p><footer><a href='/terms'>Terms and Conditions</a>"
            "</footer>")
    return {"/": _page("Pinecraft", home, lang),
            "/terms": _page("Terms and Conditions", f"<h1>Terms and Conditions</h1><p>{sentence}</p>", lang)}


def test_a_card_scheme_and_a_wallet_named_are_two_ways_to_pay(serve):
    for sentence, lang in (("We accept Visa, Mastercard and PayPal.", "en"),
                           ("طرق الدفع: مدى، فيزا، آبل باي.", "ar")):
        shop = serve(_pay_shop(sentence, lang))
        c = _checks(_scan(shop.url + "/"))["payments.methods"]
        assert c["status"] == "pass", (sentence, c)  # not "Fewer than two payment methods are visible"
        assert len({e["snippet"] for e in c["evidence"]}) >= 2


def test_two_card_schemes_are_still_one_way_to_pay(serve):
    for sentence in ("We accept Visa and Mastercard.", "We accept credit cards (Visa, Mastercard)."):
        shop = serve(_pay_shop(sentence))
        c = _checks(_scan(shop.url + "/"))["payments.methods"]
        assert c["status"] == "warn" and c["messages"]["reason"]["args"] == {"found": 1, "need": 2}, (sentence, c)


# --------------------------------------------------------------------------- a policy in a disclosure on the page

def _disclosure_shop(summary: str, text: str) -> dict:
    home = (f"<h1>Pinecraft</h1><p>Pine bookshelf £149.00</p><details><summary>{summary}</summary><p>{text}</p>"
            "</details><footer><p>Pinecraft Ltd, Unit 4, Mill Lane, Leeds LS1 4AB. hello@pinecraft.example</p></footer>")
    return {"/": _page("Pinecraft", home)}


def test_a_returns_policy_in_a_details_disclosure_is_a_returns_policy_on_the_page(serve):
    shop = serve(_disclosure_shop("Returns policy", "You can return any item within 30 days of delivery for a full "
                                  "refund. You may cancel your order within 14 days of delivery."))
    checks = _checks(_scan(shop.url + "/"))
    c = checks["policies.returns"]
    assert c["status"] == "pass", c  # not "No returns or withdrawal page found" next to a stated 14-day right
    assert c["evidence"][0]["snippet"] == "Returns policy"


def test_a_disclosure_that_names_no_policy_is_not_one(serve):
    shop = serve(_disclosure_shop("Size guide", "Our bookshelves are 180 cm tall and 80 cm wide."))
    assert _checks(_scan(shop.url + "/"))["policies.returns"]["status"] == "fail"


def test_disclosure_summaries_are_read_up_to_their_cap_and_a_cut_says_so():
    from trustaudit.extract import PageContext, extract_page
    from trustaudit.extract.pages import MAX_SUMMARIES
    from trustaudit.models import FetchedPage

    many = "".join(f"<details><summary>Question {i}</summary><p>Answer</p></details>" for i in range(MAX_SUMMARIES))
    page = f"<html lang='en'><body>{many}<details><summary>Returns policy</summary><p>30 days</p></details></body></html>"
    facts = extract_page(FetchedPage(url="https://shop.example/", status=200, text=page), PageContext(strict=True))
    cuts = {e.extractor: e.error for e in facts.errors if e.partial}
    assert f"the first {MAX_SUMMARIES:,} disclosure summaries read" in cuts.get("links", ""), facts.errors
    assert not any(k == "returns" for link in facts.links.links for k, _ in link.scores)  # past the cap: not read


# --------------------------------------------------------------------------- addresses in more countries' formats

def _address_shop(line: str, lang: str, tld_hint: str) -> dict:
    home = f"<h1>Shop</h1><p>{tld_hint}</p><footer><p>{line}</p><p>info@shop.example</p></footer>"
    return {"/": _page("Shop", home, lang)}


def test_an_address_in_a_country_without_a_report_language_is_read(serve):
    cases = [  # (address line, page language, price that tells the country, --country)
        ("Paprika Bolt Kft., 6720 Szeged, Kárász utca 10.", "hu", "2 490 Ft", "HU"),
        ("BigMarket Ltd, 20 Dock Rd, London E16 1AA.", "en", "£12.99", "GB"),
        ("Kahvila Oy, Mannerheimintie 5, 00100 Helsinki", "fi", "12,90 €", "FI"),
    ]
    for line, lang, price, country in cases:
        shop = serve(_address_shop(line, lang, price))
        c = _checks(_scan(shop.url + "/", "--country", country))["contact.address"]
        assert c["status"] == "pass", (line, c)  # not "No postal address on the site"


def test_a_postcode_and_town_with_no_street_is_still_not_an_address(serve):
    for line, lang, country in (("Paprika Bolt: 6720 Szeged", "hu", "HU"), ("Deliveries to London E16 1AA", "en", "GB")):
        shop = serve(_address_shop(line, lang, ""))
        assert _checks(_scan(shop.url + "/", "--country", country))["contact.address"]["status"] == "fail", line


# --------------------------------------------------------------------------- "free delivery" states the cost

def test_free_delivery_states_the_delivery_cost(serve):
    for sentence, lang in (("Free delivery on every order, to any address in the UK.", "en"),
                           ("توصيل مجاني لجميع الطلبات داخل المملكة", "ar"),
                           ("Darmowa dostawa na terenie całej Polski.", "pl")):
        shop = serve({"/": _page("Shop", f"<h1>Shop</h1><p>{sentence}</p>", lang)})
        c = _checks(_scan(shop.url + "/"))["policies.delivery-cost"]
        assert c["status"] == "pass", (sentence, c)  # not "mentioned, but no amount is given"


def test_delivery_costs_named_without_an_amount_and_free_returns_state_no_cost(serve):
    shop = serve({"/": _page("Shop", "<h1>Shop</h1><p>Delivery costs depend on the parcel size. Free returns.</p>")})
    c = _checks(_scan(shop.url + "/"))["policies.delivery-cost"]
    assert c["status"] == "fail" and c["messages"]["title"]["id"].endswith("no_money_title"), c


# --------------------------------------------------------------------------- a shop whose country is not known

def _nowhere_shop(footer: str) -> dict:
    return {"/": _page("Pinecraft", f"<h1>Pinecraft</h1><p>Handmade pine furniture.</p><footer>{footer}</footer>")}


def test_a_national_phone_number_of_a_shop_of_unknown_country_is_could_not_check_not_absent(serve):
    shop = serve(_nowhere_shop("<p>Call us: 0113 496 0123. hello@pinecraft.example</p>"))
    report = _scan(shop.url + "/")
    assert report["country"] is None
    c = _checks(report)["contact.phone"]
    assert c["status"] == "error", c  # not "No phone number on the site"
    assert "country" in c["reason"]
    # the passing twin: with the country given, the number is read
    assert _checks(_scan(shop.url + "/", "--country", "GB"))["contact.phone"]["status"] == "pass"


def test_a_shop_of_unknown_country_with_no_number_at_all_has_no_phone(serve):
    shop = serve(_nowhere_shop("<p>Write to hello@pinecraft.example. Orders ship in 2 days.</p>"))
    assert _checks(_scan(shop.url + "/"))["contact.phone"]["status"] == "fail"


# --------------------------------------------------------------------------- one language per report

def test_the_contact_channels_evidence_names_each_channel_in_the_report_language(serve):
    shop = serve({"/": _page("Ελαιόλαδο", "<h1>Ελαιόλαδο Κρήτης</h1><footer><p>Τηλ.: 2810 123456. "
                             "Email: info@elaiolado.example</p></footer>", "el")})
    expected = {"el": ("τηλέφωνο: ", "email: "), "ar": ("الهاتف: ", "البريد الإلكتروني: "),
                "pl": ("telefon: ", "e-mail: "), "en": ("phone: ", "e-mail: ")}
    for lang, (phone, email) in expected.items():
        c = _checks(_scan(shop.url + "/", "--lang", lang, "--country", "GR"))["contact.channels"]
        snippets = [e["snippet"] for e in c["evidence"]]
        assert snippets == [phone + "+302810123456", email + "info@elaiolado.example"], (lang, snippets)
        md = runner.invoke(app, ["scan", shop.url + "/", "-f", "md", "--no-verify", "--lang", lang,
                                 "--country", "GR", "--timeout", "3"]).stdout
        assert "phones:" not in md and "emails:" not in md, lang


# --------------------------------------------------------------------------- a shop in a language without vocabulary

def _returns_shop(lang: str, text: str) -> dict:
    return {"/": _page("Shop", f"<h1>Shop</h1><p>{text}</p>", lang)}


def test_a_phrase_check_on_a_shop_in_a_language_without_its_words_is_could_not_check(serve):
    # Hungarian: "the buyer may withdraw within 14 days of receipt without giving a reason"
    shop = serve(_returns_shop("hu", "A vásárló a termék átvételétől számított 14 napon belül indokolás nélkül "
                               "elállhat a szerződéstől. Szállítási idő 2-3 munkanap."))
    report = _scan(shop.url + "/", "--country", "HU")
    assert report["shop_language"] == "hu"
    for rule in ("policies.withdrawal-14-days", "policies.delivery-time"):
        c = _checks(report)[rule]
        assert c["status"] == "error", (rule, c)  # not "The 14-day right of withdrawal is not stated"
        assert c["messages"]["reason"]["id"] == "reason.no_vocabulary"


def test_the_same_checks_in_a_language_with_words_pass_and_fail_on_what_the_page_says(serve):
    shop = serve(_returns_shop("en", "You may withdraw from the contract within 14 days of delivery without giving a "
                               "reason. Delivery takes 2-3 working days."))
    checks = _checks(_scan(shop.url + "/", "--country", "GB"))
    assert checks["policies.withdrawal-14-days"]["status"] == "pass"
    assert checks["policies.delivery-time"]["status"] == "pass"
    shop = serve(_returns_shop("en", "Handmade pine furniture since 1998."))  # near miss: a number, no period
    checks = _checks(_scan(shop.url + "/", "--country", "GB"))
    assert checks["policies.withdrawal-14-days"]["status"] == "warn"
    assert checks["policies.delivery-time"]["status"] == "warn"


def test_no_registration_number_is_claimed_absent_for_a_country_whose_numbers_are_not_read(serve):
    shop = serve(_returns_shop("hu", "Paprika Bolt Kft. Adószám: 12892312-2-06. Cégjegyzékszám: 06-09-123456."))
    c = _checks(_scan(shop.url + "/", "--country", "HU"))["legal.company-ids"]
    assert c["status"] == "error" and c["messages"]["reason"]["id"] == "reason.no_id_schemes", c
    # its EU VAT number is read wherever the shop is: the check passes on it
    shop = serve(_returns_shop("hu", "Paprika Bolt Kft. EU VAT: HU12892312."))
    assert _checks(_scan(shop.url + "/", "--country", "HU"))["legal.company-ids"]["status"] == "pass"
    # near miss: a country whose numbers are read, none shown: the absence is real
    shop = serve(_returns_shop("pl", "Sklep Len. Zapraszamy do zakupów."))
    assert _checks(_scan(shop.url + "/", "--country", "PL"))["legal.company-ids"]["status"] == "warn"


def test_company_names_with_the_legal_forms_of_more_eu_countries_are_read(serve):
    for line, lang, country in (("Paprika Bolt Kft., 6720 Szeged, Kárász utca 10.", "hu", "HU"),
                                ("UAB Pirkimo Centras, Gedimino pr. 1, LT-01103 Vilnius", "lt", "LT"),
                                ("Kava d.o.o., Slovenska cesta 1, 1000 Ljubljana", "sl", "SI")):
        shop = serve(_returns_shop(lang, line))
        c = _checks(_scan(shop.url + "/", "--country", country))["contact.company-name"]
        assert c["status"] == "pass", (line, c)
    # near miss: a capitalised abbreviation that is no legal form
    shop = serve(_returns_shop("hu", "Paprika Bolt, 6720 Szeged. Szállítás: GLS."))
    assert _checks(_scan(shop.url + "/", "--country", "HU"))["contact.company-name"]["status"] == "fail"


# --------------------------------------------------------------------------- a home page that says "page not found"

def test_a_target_that_answers_a_page_not_found_message_with_200_is_inconclusive(serve):
    shop = serve({"/": _page("Sklep Len", PL_HOME, "pl"), "/stara-strona": PL_SOFT_404, "/kontakt": PL_CONTACT})
    res = runner.invoke(app, ["scan", shop.url + "/stara-strona", "-f", "json", "--no-verify", "--timeout", "3"])
    assert res.exit_code == 3, res.output  # not a score for the shop from its error page
    report = json.loads(res.stdout)
    assert report["score"] is None and report["grade"] is None
    assert "stara-strona" in report["inconclusive"]
    # the passing twin: the shop's real page is scored
    assert isinstance(_scan(shop.url + "/")["score"], int)
