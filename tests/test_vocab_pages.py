"""Page kinds in every supported language, plurals and inflections, the near-misses of each phrase and slug,
payment-guarantee anchors, and links that stay on the page ("#section", "#", javascript:)."""

from __future__ import annotations

import pytest

from trustaudit.extract import extract
from trustaudit.extract.pages import slug_kinds, text_scores, vocab
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.resources import load_yaml
from trustaudit.web.html import ParseCache

KINDS = (load_yaml("vocab/pages.yaml") or {})["kinds"]
PHRASES = [(kind, lang, str(t)) for kind, spec in KINDS.items() for lang, lst in (spec.get("texts") or {}).items()
           for t in lst or [] if "*" not in str(t)]
SLUGS = [(kind, str(s)) for kind, spec in KINDS.items() for s in spec.get("slugs") or [] if "/" not in str(s)]


@pytest.mark.parametrize("kind, lang, phrase", PHRASES, ids=[f"{k}:{lang}:{p}" for k, lang, p in PHRASES])
def test_every_phrase_names_its_kind_as_an_anchor(kind, lang, phrase):
    assert text_scores(phrase).get(kind, 0) >= 0.6 or any(
        k in KINDS and KINDS[k].get("fallback_for") == kind for k in text_scores(phrase)
    ), (kind, lang, phrase)


@pytest.mark.parametrize("kind, lang, phrase", PHRASES, ids=[f"{k}:{lang}:{p}" for k, lang, p in PHRASES])
def test_every_phrase_in_a_sentence_of_prose_is_not_a_page_link(kind, lang, phrase):
    # the same words inside an ordinary sentence (a long anchor or a heading of prose) do not name a page
    sentence = f"in our little shop we often talk with friends about {phrase} and many other things every day"
    assert kind not in text_scores(sentence)


@pytest.mark.parametrize("kind, slug", SLUGS, ids=[f"{k}:{s}" for k, s in SLUGS])
def test_every_slug_names_its_kind_and_not_when_glued_into_a_word(kind, slug):
    assert kind in slug_kinds(f"https://shop.example/{slug}/")
    assert kind not in slug_kinds(f"https://shop.example/zq{slug.replace('-', '')}zq/")


# one anchor per kind for the languages that were missing or thin
NEW_LANGUAGES = {
    "lt": {"contact": "Kontaktai", "about": "Apie mus", "terms": "Pirkimo taisyklės", "privacy": "Privatumo politika",
           "returns": "Prekių grąžinimas", "complaints": "Garantija", "delivery": "Pristatymas",
           "payment": "Mokėjimo būdai", "faq": "DUK", "order_tracking": "Užsakymo būsena"},
    "lv": {"contact": "Kontakti", "about": "Par mums", "terms": "Lietošanas noteikumi", "privacy": "Privātuma politika",
           "returns": "Preču atgriešana", "complaints": "Sūdzības", "delivery": "Piegāde", "payment": "Apmaksa",
           "faq": "BUJ", "order_tracking": "Pasūtījuma statuss"},
    "et": {"contact": "Kontakt", "about": "Meist", "terms": "Müügitingimused", "privacy": "Privaatsuspoliitika",
           "returns": "Tagastamine", "complaints": "Garantii", "delivery": "Tarne", "payment": "Makseviisid",
           "faq": "KKK", "order_tracking": "Tellimuse staatus"},
    "hu": {"contact": "Kapcsolat", "about": "Rólunk", "terms": "ÁSZF", "privacy": "Adatvédelmi nyilatkozat",
           "returns": "Elállási jog", "complaints": "Jótállás", "delivery": "Szállítási információk",
           "payment": "Fizetési módok", "faq": "GYIK", "order_tracking": "Rendelés állapota"},
    "ro": {"contact": "Contactează-ne", "about": "Despre noi", "terms": "Termeni și condiții",
           "privacy": "Politica de confidențialitate", "returns": "Politica de retur", "complaints": "Garanție",
           "delivery": "Livrare", "payment": "Modalități de plată", "faq": "Întrebări frecvente",
           "order_tracking": "Urmărire comandă"},
    "nl": {"contact": "Klantenservice", "about": "Over ons", "terms": "Algemene voorwaarden", "privacy": "Privacybeleid",
           "returns": "Retourneren", "complaints": "Klachten", "delivery": "Verzending", "payment": "Betaalmethoden",
           "faq": "Veelgestelde vragen", "order_tracking": "Bestelling volgen"},
    "pt": {"contact": "Contactos", "about": "Quem somos", "terms": "Termos e condições", "privacy": "Política de privacidade",
           "returns": "Trocas e devoluções", "complaints": "Livro de reclamações", "delivery": "Envios e entregas",
           "payment": "Métodos de pagamento", "faq": "Perguntas frequentes", "order_tracking": "Rastrear pedido"},
    "tr": {"contact": "İletişim", "about": "Hakkımızda", "terms": "Mesafeli satış sözleşmesi",
           "privacy": "Gizlilik politikası", "returns": "İade koşulları", "complaints": "Garanti", "delivery": "Teslimat",
           "payment": "Ödeme yöntemleri", "faq": "Sıkça sorulan sorular", "order_tracking": "Sipariş takibi"},
    "sl": {"contact": "Kontakt", "about": "O podjetju", "terms": "Splošni pogoji", "privacy": "Politika zasebnosti",
           "returns": "Vračilo blaga", "complaints": "Reklamacije", "delivery": "Dostava", "payment": "Načini plačila",
           "faq": "Pogosta vprašanja", "order_tracking": "Sledenje pošiljki"},
    "hr": {"contact": "Kontaktirajte nas", "about": "O nama", "terms": "Opći uvjeti", "privacy": "Politika privatnosti",
           "returns": "Povrat robe", "complaints": "Reklamacije", "delivery": "Dostava", "payment": "Načini plaćanja",
           "faq": "Česta pitanja", "order_tracking": "Praćenje narudžbe"},
    "bg": {"contact": "Контакти", "about": "За нас", "terms": "Общи условия", "privacy": "Политика за поверителност",
           "returns": "Връщане на стоки", "complaints": "Рекламации", "delivery": "Доставка", "payment": "Начини на плащане",
           "faq": "Често задавани въпроси", "order_tracking": "Проследяване на поръчка"},
    "fi": {"contact": "Yhteystiedot", "about": "Meistä", "terms": "Toimitusehdot", "privacy": "Tietosuojaseloste",
           "returns": "Palautukset", "complaints": "Reklamaatiot", "delivery": "Toimitus", "payment": "Maksutavat",
           "faq": "Usein kysytyt kysymykset", "order_tracking": "Tilauksen seuranta"},
    "sv": {"contact": "Kundtjänst", "about": "Om oss", "terms": "Köpvillkor", "privacy": "Integritetspolicy",
           "returns": "Returer", "complaints": "Reklamation", "delivery": "Leverans", "payment": "Betalsätt",
           "faq": "Vanliga frågor", "order_tracking": "Spåra order"},
    "da": {"contact": "Kontakt os", "about": "Om os", "terms": "Handelsbetingelser", "privacy": "Privatlivspolitik",
           "returns": "Fortrydelsesret", "complaints": "Reklamation", "delivery": "Levering", "payment": "Betaling",
           "faq": "Ofte stillede spørgsmål", "order_tracking": "Følg din ordre"},
    "cs": {"contact": "Kontakty", "about": "O nás", "terms": "Obchodní podmínky", "privacy": "Ochrana osobních údajů",
           "returns": "Vrácení zboží", "complaints": "Reklamační řád", "delivery": "Doprava", "payment": "Způsoby platby",
           "faq": "Časté dotazy", "order_tracking": "Sledování objednávky"},
    "sk": {"contact": "Kontakt", "about": "O nás", "terms": "Obchodné podmienky", "privacy": "Ochrana osobných údajov",
           "returns": "Vrátenie tovaru", "complaints": "Reklamačný poriadok", "delivery": "Doprava",
           "payment": "Spôsoby platby", "faq": "Časté otázky", "order_tracking": "Sledovanie objednávky"},
    "el": {"contact": "Επικοινωνία", "about": "Ποιοι είμαστε", "terms": "Όροι χρήσης", "privacy": "Πολιτική απορρήτου",
           "returns": "Επιστροφές", "complaints": "Εγγύηση", "delivery": "Τρόποι αποστολής", "payment": "Τρόποι πληρωμής",
           "faq": "Συχνές ερωτήσεις", "order_tracking": "Κατάσταση παραγγελίας"},
    "uk": {"contact": "Контакти", "about": "Про нас", "terms": "Публічна оферта", "privacy": "Політика конфіденційності",
           "returns": "Повернення товару", "complaints": "Гарантія", "delivery": "Доставка і оплата",
           "payment": "Способи оплати", "faq": "Питання та відповіді", "order_tracking": "Статус замовлення"},
}


@pytest.mark.parametrize("lang", sorted(NEW_LANGUAGES))
def test_every_kind_in_the_other_eu_languages(lang):
    for kind, text in NEW_LANGUAGES[lang].items():
        assert text_scores(text).get(kind, 0) >= 0.6, (lang, kind, text)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("حالة الطلبات", "order_tracking"),  # plural of "حالة الطلب"
        ("تتبع الطلبات", "order_tracking"),
        ("المرتجعات", "returns"),
        ("Проверить статус заказа", "order_tracking"),
        ("Ansprechpartnerin", "contact"),
        ("Zahlungsmittel", "payment"),
        ("Reklamationen", "complaints"),
    ],
)
def test_plurals_and_inflections(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.6, (text, kind)


@pytest.mark.parametrize(
    "text",
    ["Zahlungsgarantie", "Geld-zurück-Garantie", "Secure payment guarantee", "Gwarancja zwrotu pieniędzy",
     "Gwarancja satysfakcji", "Гарантия безопасной оплаты", "Гарантия возврата денег", "ضمان الدفع",
     "Εγγύηση ασφαλών πληρωμών", "Garantía de pago", "Price match guarantee"],
)
def test_payment_and_money_back_guarantees_are_not_complaints(text):
    assert "complaints" not in text_scores(text)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Apie mūsų gamyklos istoriją ir gamybos procesą", "about"),  # lt "apie" without "mus"
        ("Tarnebaumann Straße", "delivery"),  # et "tarne" glued
        ("Abiturienten-Rabatt", "faq"),  # et "abi" glued
        ("Povratna karta", "returns"),  # hr "povrat" glued
        ("Dostavljač mjeseca", "delivery"),  # sl/hr "dostava" inflected into another word
        ("Garantiibrošüür", "complaints"),
        ("Kuponkódok", "contact"),
    ],
)
def test_near_misses_of_new_words(text, kind):
    assert text_scores(text).get(kind, 0) < 0.6


def _pages(body: str, url: str = "https://shop.example/"):
    page = FetchedPage(url=url, status=200, text=f"<html><body>{body}</body></html>")
    snap = SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,))
    return extract(snap, ParseCache()).pages


def test_one_page_shop_sections_are_kept_and_a_real_page_wins():
    p = _pages('<nav><a href="#dostawa">Dostawa</a><a href="#kontakt">Kontakt</a></nav>'
               '<footer><a href="/kontakt">Kontakt</a></footer>')
    assert p["delivery"].url == "https://shop.example/#dostawa"
    assert p["contact"].url == "https://shop.example/kontakt"  # a page beats a section


@pytest.mark.parametrize(
    "anchor, kind",
    [("Проверить статус заказа", "order_tracking"), ("Como fazer uma devolução?", "returns"),
     ("FAQ", "faq"), ("Reklamacje", "complaints")],
)
def test_js_and_hash_links_with_a_clear_label_are_kept(anchor, kind):
    for href in ("#", "javascript:void(0)", "javascript:popup('x')"):
        p = _pages(f'<header><a href="{href}">{anchor}</a></header>')
        assert p[kind] is not None and p[kind].url == "", (href, anchor)


def test_hash_links_without_a_clear_label_are_not_pages():
    # a menu toggle and a vague body link
    p = _pages('<header><a href="#">Menu</a></header><main><a href="#">Mehr über Versand und so weiter</a></main>')
    assert all(ref is None for ref in p.values())


def test_vocab_lists_have_no_duplicate_whole_phrases_across_kinds_that_would_be_ambiguous():
    # a phrase that is the whole anchor for two kinds must be a deliberate combined link (none today)
    seen: dict[str, str] = {}
    clash = []
    for k in vocab().kinds:
        if k.fallback_for:
            continue
        for w in k.whole:
            if w in seen and seen[w] != k.name:
                clash.append((w, seen[w], k.name))
            seen.setdefault(w, k.name)
    allowed = {"доставка и оплата", "доставка і оплата", "доставка та оплата", "dostawa i platnosc", "platnosc i dostawa",
               "versand & zahlung", "versand und zahlung", "doprava a platba", "τροποι αποστολης & πληρωμης",
               "τροποι πληρωμης & αποστολης", "доставка и плащане", "zwroty i reklamacje", "reklamacje i zwroty"}
    assert [c for c in clash if c[0] not in allowed] == []


@pytest.mark.parametrize(
    "link, kind, url",
    [
        ('<a href="#" onclick="window.open(\'/regulamin.html\',\'r\',\'width=600\')">Regulamin</a>', "terms",
         "https://shop.example/regulamin.html"),
        ("<a href=\"javascript:popup('agb.php?id=3')\">AGB</a>", "terms", "https://shop.example/agb.php?id=3"),
        ('<a href="#" onclick="location.href=\'/dostavka/\'">Доставка</a>', "delivery", "https://shop.example/dostavka/"),
        ('<a href="#" onclick="apri(\'modalita_pagamento.asp#bonifico\')">Modalità di pagamento</a>', "payment",
         "https://shop.example/modalita_pagamento.asp"),
    ],
)
def test_a_script_link_that_names_its_page_leads_to_that_page(link, kind, url):
    p = _pages(f"<footer>{link}</footer>")
    assert p[kind] is not None and p[kind].url == url


@pytest.mark.parametrize(
    "link, kind",
    [
        ("<a href=\"#\" onclick=\"ga('send', 'event', 'Regulamin')\">Regulamin</a>", "terms"),  # tracking, no page
        ("<a href=\"#\" onclick=\"zoom('img/dostavka.png')\">Доставка</a>", "delivery"),  # an image, not a page
        ("<a href=\"javascript:void(0)\" onclick=\"toggle('faq')\">FAQ</a>", "faq"),
    ],
)
def test_a_script_link_without_a_page_stays_a_js_control(link, kind):
    p = _pages(f"<footer>{link}</footer>")
    assert p[kind] is not None and p[kind].url == ""


@pytest.mark.parametrize(
    "text, kind",
    [
        # Baltic inflections and compounds from platform locale files (Shopify Dawn lt-LT, OpenCart lt-lt / et-ee)
        ("Kontaktinė informacija", "contact"), ("Kontaktinė forma", "contact"), ("Kontaktų forma", "contact"),
        ("Kontaktinformācija", "contact"), ("Kasutajatugi", "contact"), ("Kontaktandmed", "contact"),
        ("Grąžinimai", "returns"), ("Grąžinimo sąlygos", "returns"), ("Apmokėjimo būdai", "payment"),
        ("Pristatymo informacija", "delivery"), ("Garantijos sąlygos", "complaints"),
    ],
)
def test_baltic_inflections(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.6, (text, kind)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Kontaktiniai lęšiai", "contact"),  # contact lenses
        ("Kontaktinio klijo juosta", "contact"),  # contact adhesive tape
        ("Kasutajatugi vastab 24 tunni jooksul kõikidele küsimustele ja ettepanekutele", "contact"),  # prose
        ("Grąžinimo kodas", "returns"),  # a refund code field
        ("Apmokėjimo kortelės numeris", "payment"),  # a card-number field
        ("Garantijos laikotarpis", "complaints"),  # the warranty period of a product
    ],
)
def test_baltic_near_misses(text, kind):
    assert text_scores(text).get(kind, 0) < 0.6, (text, kind)


@pytest.mark.parametrize(
    "text", ["Centrum pomocy", "Hilfe-Center", "Справочный центр", "Центр допомоги", "Central de ajuda",
             "Yardım merkezi", "Κέντρο βοήθειας", "Pagalbos centras"],
)
def test_help_centres_are_faq(text):
    assert text_scores(text).get("faq", 0) >= 0.6, text


@pytest.mark.parametrize("text", ["Centrum pomocy drogowej", "Centrum Pomocy Rodzinie w Krakowie i okolicach bez przerwy",
                                  "Help us improve", "Hilfecentermanager"])
def test_help_centre_near_misses(text):
    assert text_scores(text).get("faq", 0) < 0.6, text


@pytest.mark.parametrize("text", ["Способы оплаты и гарантии", "Оплата и гарантии", "Гарантии и оплата",
                                  "Оплата та гарантії", "Płatności i gwarancje", "Payment & guarantees",
                                  "Zahlung und Garantie"])
def test_payment_named_with_guarantees_is_a_payment_page_not_complaints(text):
    scores = text_scores(text)
    assert "complaints" not in scores and scores.get("payment", 0) >= 0.6, (text, scores)


@pytest.mark.parametrize("text", ["Гарантия и возврат", "Возврат и гарантия", "Gwarancja i reklamacje",
                                  "Garantie und Gewährleistung", "Warranty & returns"])
def test_guarantees_without_payment_stay_complaints(text):
    assert text_scores(text).get("complaints", 0) >= 0.6, text


@pytest.mark.parametrize("text, kind", [("Pagalba judėjimui (4)", "faq"), ("Pirmoji pagalba (301)", "faq"),
                                        ("Kontakt-Grill [12]", "contact"), ("Garantie-Verlängerung (7)", "complaints"),
                                        ("Доставка цветов (1 245)", "delivery")])
def test_catalogue_categories_with_item_counts_name_no_page(text, kind):
    assert kind not in text_scores(text)


@pytest.mark.parametrize(
    "url, kinds",
    [
        # "and" in the languages whose slugs join two topics with it: lt "ir", lv "un", et/fi "ja", ro "si", sl "in"
        ("/aptarnavimas-ir-pagalba/", {"faq"}),
        ("/piegade-un-apmaksa/", {"delivery", "payment"}),
        ("/toimitus-ja-maksutavat/", {"delivery", "payment"}),
        ("/tarne-ja-tagastamine/", {"delivery", "returns"}),
        ("/livrare-si-plata/", {"delivery", "payment"}),
        ("/dostava-in-placilo/", {"delivery", "payment"}),
    ],
)
def test_slugs_joined_by_and_in_more_languages(url, kinds):
    assert kinds <= slug_kinds("https://shop.example" + url), url


@pytest.mark.parametrize("url", ["/sign-in/", "/made-in-germany/", "/plug-in-hybrid/", "/un-cadeau-pour-elle/",
                                 "/ja-vai-ei/"])
def test_connector_words_alone_name_no_page(url):
    assert slug_kinds("https://shop.example" + url) == frozenset(), url


@pytest.mark.parametrize(
    "link, kind",
    [
        # an anchor the vocabulary rules out is not that kind, whatever its URL's words say
        ('<a href="/pirmoji-pagalba/">Pirmoji pagalba</a>', "faq"),
        ('<a href="/pierwsza-pomoc/">Pierwsza pomoc</a>', "faq"),
        ('<a href="/erste-hilfe/">Erste Hilfe</a>', "faq"),
        ('<a href="/pervaya-pomoshch/help">Первая помощь</a>', "faq"),
        ('<a href="/first-aid-help/">First aid kits</a>', "faq"),
        ('<a href="/garantie/">Preisgarantie</a>', "complaints"),
    ],
)
def test_an_excluded_anchor_vetoes_its_url_slug(link, kind):
    assert _pages(f"<nav>{link}</nav>")[kind] is None, link


@pytest.mark.parametrize(
    "link, kind",
    [
        ('<a href="/aptarnavimas-ir-pagalba/">Informacija</a>', "faq"),
        ('<a href="/pomoc/">Informacje</a>', "faq"),
        ('<a href="/hilfe/">Service</a>', "faq"),
        ('<a href="/palidziba/">Informācija</a>', "faq"),
    ],
)
def test_a_help_slug_behind_a_vague_anchor_is_the_help_centre(link, kind):
    p = _pages(f"<footer>{link}</footer>")
    assert p[kind] is not None, link


@pytest.mark.parametrize(
    "text, kind",
    [("Service & Reklamationen", "complaints"), ("Shipping and returns", "returns"), ("Obsługa i reklamacje", "complaints"),
     ("Сервис и гарантия", "complaints"), ("Αποστολές και επιστροφές", "returns"), ("الشحن و الإرجاع", "returns")],
)
def test_the_second_topic_of_a_combined_link_counts_as_much_as_the_first(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.8, (text, text_scores(text))


@pytest.mark.parametrize(
    "text, kind",
    [("Alles über unseren Service & Reklamationen", "complaints"), ("Read how we handle shipping and returns", "returns"),
     ("Wszystko o naszej obsłudze i reklamacje", "complaints")],
)
def test_a_longer_lead_before_and_stays_a_weaker_match(text, kind):
    assert text_scores(text).get(kind, 0) < 0.8, (text, text_scores(text))


# the default titles and URL slugs of shop platforms (PrestaShop install-dev/langs/<xx>/data/meta.xml, Magento 2's
# footer, Shopify's policy URLs, PrestaShop's "/content/<id>-<slug>" CMS pages)
PLATFORM_DEFAULTS = [
    ("Kontaktieren Sie uns", "/kontaktieren-sie-uns", "contact"),
    ("Contact met ons opnemen", "/contact-met-ons-opnemen", "contact"),
    ("Entre em Contacto", "/contacte-nos", "contact"),
    ("Contactați-ne", "/contact", "contact"),
    ("Auftragsverfolgung Gast", "/auftragsverfolgung-gast", "order_tracking"),
    ("Śledzenie zamówień gości", "/sledzenie-zamowienia-gosc", "order_tracking"),
    ("Urmărire pentru oaspeți", "/urmarire-pentru-oaspeti", "order_tracking"),
    ("Gast traceren", "/gast traceren", "order_tracking"),
    ("Acompanhar cliente não registado", "/acompanhar-cliente-nao-registado", "order_tracking"),
    ("Returnări", "/returnari", "returns"),
    ("Orders and Returns", "/sales/guest/form/", "order_tracking"),
    ("Terms and conditions of use", "/content/3-terms-and-conditions-of-use", "terms"),
]


@pytest.mark.parametrize("anchor, path, kind", PLATFORM_DEFAULTS, ids=[p[1] for p in PLATFORM_DEFAULTS])
def test_platform_default_pages_by_anchor_and_by_url_alone(anchor, path, kind):
    assert _pages(f'<footer><a href="{path}">{anchor}</a></footer>')[kind] is not None, anchor
    assert kind in slug_kinds("https://shop.example" + path), path  # an icon link with no text


@pytest.mark.parametrize(
    "link, kind",
    [
        # the same words in other URLs and anchors
        ('<a href="/blog/kontaktieren-sie-uns-jederzeit-tipps">Tipps zur Kundenbindung für Händler</a>', "contact"),
        ('<a href="/gast">Gastgeschenke</a>', "order_tracking"),
        ('<a href="/sales/">Sale</a>', "order_tracking"),
        ('<a href="/returnari-gratuite-pentru-toti">Livrare rapidă</a>', "returns"),
        ('<a href="/sales/guest/form/">Orders and Returns</a>', "returns"),  # the order look-up, not the policy
        # a Shopify policy's URL names its own kind, not a privacy policy
        ('<a href="/policies/refund-policy">Refund policy</a>', "privacy"),
        ('<a href="/policies/shipping-policy">Versand</a>', "privacy"),
    ],
)
def test_platform_default_near_misses(link, kind):
    assert _pages(f"<footer>{link}</footer>")[kind] is None, link


def test_a_bare_policy_segment_is_still_the_privacy_policy():
    assert "privacy" in slug_kinds("https://shop.example/policy/")
    assert "privacy" in slug_kinds("https://shop.example/info/policy.html")
    assert "privacy" not in slug_kinds("https://shop.example/returns-policy/")


@pytest.mark.parametrize("url, kind", [("/content/1-delivery", "delivery"), ("/content/4-about-us", "about"),
                                       ("/12-kontakt", "contact"), ("/content/5-secure-payment", "payment")])
def test_a_record_id_before_the_slug_is_ignored(url, kind):
    assert kind in slug_kinds("https://shop.example" + url)


@pytest.mark.parametrize("url", ["/content/1-2", "/2024-11-black-friday", "/12-34-56"])
def test_numbers_alone_name_no_page(url):
    assert slug_kinds("https://shop.example" + url) == frozenset()


# the titles shops give their policy pages (refund, shipping, terms of service, privacy, contact information,
# legal notice) in the languages of the wider EU market
POLICY_TITLES = [
    ("Rückerstattungsrichtlinie", "returns"), ("Restitutiebeleid", "returns"), ("Política de reembolso", "returns"),
    ("Politica di rimborso", "returns"), ("Zasady zwrotu kosztów", "returns"), ("Återbetalningspolicy", "returns"),
    ("Refusionspolitik", "returns"), ("Palautuskäytäntö", "returns"), ("Politica de rambursare", "returns"),
    ("Visszatérítési szabályzat", "returns"), ("Cayma hakkı", "returns"), ("Πολιτική επιστροφής χρημάτων", "returns"),
    ("Versandrichtlinie", "delivery"), ("Verzendbeleid", "delivery"), ("Zasady wysyłki", "delivery"),
    ("Fraktpolicy", "delivery"), ("Forsendelsespolitik", "delivery"), ("Zásady dopravy", "delivery"),
    ("Politica de expediere", "delivery"), ("Szállítási szabályzat", "delivery"), ("Πολιτική αποστολής", "delivery"),
    ("Servicevoorwaarden", "terms"), ("Conditions d'utilisation", "terms"), ("Términos del servicio", "terms"),
    ("Termini di servizio", "terms"), ("Användarvillkor", "terms"), ("Smluvní podmínky", "terms"),
    ("Hizmet şartları", "terms"), ("Όροι παροχής υπηρεσιών", "terms"), ("شروط الخدمة", "terms"),
    ("Zásady ochrany osobních údajů", "privacy"), ("Zásady ochrany osobných údajov", "privacy"),
    ("Adatvédelmi irányelvek", "privacy"), ("Kontaktinformationen", "contact"), ("Informacje kontaktowe", "contact"),
    ("Kontaktoplysninger", "contact"), ("Kapcsolattartási adatok", "contact"), ("Juridische kennisgeving", "legal_notice"),
    ("Právní upozornění", "legal_notice"), ("Yasal bildirim", "legal_notice"), ("Юридическое уведомление", "legal_notice"),
    ("Νομική ειδοποίηση", "legal_notice"), ("Gyakran ismételt kérdések", "faq"),
]


@pytest.mark.parametrize("text, kind", POLICY_TITLES, ids=[t for t, _k in POLICY_TITLES])
def test_policy_titles_in_more_languages(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.6, (text, text_scores(text))


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Meine Kontaktdaten ändern", "contact"),  # an account form, not the shop's contact page
        ("Mes coordonnées", "contact"),
        ("Rückerstattung der Mehrwertsteuer für Geschäftskunden in der Europäischen Union", "returns"),  # prose
        ("Zasady wysyłki newslettera i powiadomień e-mail dla klientów sklepu", "delivery"),
        ("Termini di servizio della garanzia estesa per i prodotti elettronici acquistati online", "terms"),
    ],
)
def test_policy_title_near_misses(text, kind):
    assert text_scores(text).get(kind, 0) < 0.6, (text, text_scores(text))


@pytest.mark.parametrize(
    "link, url",
    [
        # a way to pay named by a link into the page whose URL names the payment kind, even in the page body
        ('<a href="#" onclick="modpagamenti(\'modalita_pagamento.asp#contrassegno\')">Contrassegno</a>',
         "https://shop.example/modalita_pagamento.asp"),
        ('<a href="/zahlungsarten#rechnung">Kauf auf Rechnung</a>', "https://shop.example/zahlungsarten#rechnung"),
        ('<a href="/formy-platnosci/#blik">BLIK</a>', "https://shop.example/formy-platnosci/#blik"),
        ('<a href="/oplata/#nalozhennyj">Наложенный платёж</a>', "https://shop.example/oplata/#nalozhennyj"),
        ('<a href="/bezahlung/#AmazonPayment"><img src="/i/amazon.png" alt="Amazon Pay"></a>',
         "https://shop.example/bezahlung/#AmazonPayment"),
    ],
)
def test_a_way_to_pay_linking_into_the_payment_page_names_it(link, url):
    ref = _pages(f"<main><p>{link}</p></main>")["payment"]
    assert ref is not None and ref.url.split("#")[0] == url.split("#")[0], link


@pytest.mark.parametrize(
    "link",
    [
        '<a href="https://www.paypal.com/">PayPal</a>',  # the provider's site, not the shop's payment page
        '<a href="/blog/rechnung-oder-paypal">Rechnung</a>',
        '<a href="/produkte/visa-kartenhuelle">Visa</a>',
        '<a href="/zahlungsarten">Jetzt unseren Newsletter abonnieren und sparen</a>',  # the URL alone, in the body
    ],
)
def test_a_way_to_pay_or_a_payment_url_alone_is_not_enough(link):
    assert _pages(f"<main><p>{link}</p></main>")["payment"] is None, link


@pytest.mark.parametrize("text", ["Reklamaatio", "Скарги", "Beschwerdemanagement", "Gwarancje", "Rękojmia",
                                  "Postępowanie reklamacyjne", "Reklamační podmínky", "Garantiebedingungen",
                                  "Jótállási feltételek", "Garantías"])
def test_more_forms_of_the_statutory_guarantee_and_complaints(text):
    assert text_scores(text).get("complaints", 0) >= 0.6, (text, text_scores(text))


@pytest.mark.parametrize("text", ["Garantías de pago seguro", "Gwarancje płatności", "Garantie-Verlängerung (7)",
                                  "Reklamaatio-ohjeet tuotteen valmistajalle ja maahantuojalle kaikissa tapauksissa"])
def test_more_guarantee_near_misses(text):
    assert text_scores(text).get("complaints", 0) < 0.6, (text, text_scores(text))


@pytest.mark.parametrize(
    "text, kind",
    [("Правила магазина", "terms"), ("Όροι Αγοράς", "terms"), ("Koszty i czas dostawy", "delivery"),
     ("Способы получения", "delivery"), ("Пункты выдачи", "delivery"), ("Formularz zwrotu", "returns"),
     ("مساعدة", "faq"), ("Często zadawane pytania", "faq"), ("ЧаВо", "faq"), ("Śledź przesyłkę", "order_tracking"),
     ("Gdzie jest moja paczka?", "order_tracking"), ("Παρακολούθηση αποστολής", "order_tracking")],
)
def test_more_first_class_language_page_names(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.6, (text, text_scores(text))


@pytest.mark.parametrize(
    "text, kind",
    [("Правила магазина распространяются на все товары, купленные в розничной сети и через сайт", "terms"),
     ("Пункты выдачи заказов откроются в новых районах города в следующем месяце", "delivery"),
     ("Formularz zwrotu podatku VAT dla podróżnych spoza Unii Europejskiej", "returns")],
)
def test_more_first_class_language_near_misses(text, kind):
    assert text_scores(text).get(kind, 0) < 0.6, (text, text_scores(text))


@pytest.mark.parametrize("text, kind", [("Užsakymo sekimas", "order_tracking"), ("Acompanhar encomenda", "order_tracking"),
                                        ("Levertijden", "delivery"), ("Ön bilgilendirme formu", "terms")])
def test_more_names_in_the_thin_languages(text, kind):
    assert text_scores(text).get(kind, 0) >= 0.6, (text, text_scores(text))


@pytest.mark.parametrize("text, kind", [("Levertijden van onze leveranciers kunnen in de zomer en rond de feestdagen variëren", "delivery"),
                                        ("Ön bilgilendirme formu nasıl doldurulur ve nereye gönderilir sorusunun yanıtı", "terms")])
def test_more_names_in_the_thin_languages_near_misses(text, kind):
    assert text_scores(text).get(kind, 0) < 0.6, (text, text_scores(text))
