"""Payment vocabulary: methods named in lists, icons and running text, and the same words in innocent prose.

Names that are also ordinary words ("Rechnung", "ideal", "Мир", "مدى") are ``texts_list`` in
rules/vocab/widgets.yaml: they count only as items of a list of ways to pay. Every such name is checked both
ways below (in a list: found; in a sentence: not found), every other name is checked in a payment list and
glued inside a longer word, and the classes of the issue have hand-written hits and near-misses in several
languages.
"""

from __future__ import annotations

import pytest

from trustaudit.extract import extract
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.resources import load_yaml
from trustaudit.web.html import ParseCache


def pay(body: str, lang: str = "en", host: str = "shop.example") -> set[str]:
    url = f"https://{host}/"
    page = FetchedPage(url=url, status=200, text=f"<html lang='{lang}'><body>{body}</body></html>")
    a = extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)), ParseCache(), None)
    return {d.slug for d in a.payment_providers + a.payment_methods}


def _entries(key: str) -> list[tuple[str, str, str]]:
    data = load_yaml("vocab/widgets.yaml") or {}
    return [(kind, slug, str(t)) for kind in ("payment", "payment_method")
            for slug, spec in (data.get(kind) or {}).items() for t in (spec or {}).get(key) or []]


LIST_ONLY = _entries("texts_list")
PLAIN = [e for e in _entries("texts") if "<n>" not in e[2] and "..." not in e[2].split() and "*" not in e[2]]


@pytest.mark.parametrize("kind, slug, term", LIST_ONLY, ids=[f"{s}:{t}" for _k, s, t in LIST_ONLY])
def test_list_only_name_counts_in_a_list_of_payments(kind, slug, term):
    assert slug in pay(f"<p>Zahlungsarten / Payment: PayPal, {term}, Klarna</p>"), term
    assert slug in pay(f"<ul><li>PayPal</li><li>{term}</li></ul>"), term


@pytest.mark.parametrize("kind, slug, term", LIST_ONLY, ids=[f"{s}:{t}" for _k, s, t in LIST_ONLY])
def test_list_only_name_in_a_sentence_is_not_a_payment(kind, slug, term):
    # the same word inside an ordinary sentence, on a page that does take PayPal
    assert slug not in pay(f"<p>Heute schreiben wir über {term} und andere Dinge.</p><p>PayPal</p>"), term


@pytest.mark.parametrize("kind, slug, term", PLAIN, ids=[f"{s}:{t}" for _k, s, t in PLAIN])
def test_every_payment_name_is_found_in_a_list(kind, slug, term):
    got = pay(f"<p>Payment / Zahlung / Оплата: PayPal, {term}, Klarna</p>")
    implied = {"visa", "mastercard", "mir", "maestro", "american_express"} & got if slug == "bank_card" else set()
    assert slug in got or implied, term


@pytest.mark.parametrize("kind, slug, term", PLAIN, ids=[f"{s}:{t}" for _k, s, t in PLAIN])
def test_a_payment_name_glued_into_a_longer_word_is_not_one(kind, slug, term):
    glued = "zq" + term.replace(" ", "") + "zq"
    assert slug not in pay(f"<p>{glued}</p><p>PayPal</p>") or slug == "paypal", term


@pytest.mark.parametrize(
    "lang, body, expected",
    [
        # bare terms of the issue
        ("de", "<p>Zahlungsarten: Vorkasse, Rechnung, PayPal</p>", {"bank_transfer", "invoice", "paypal"}),
        ("de", "<p>Zahlung per Vorauskasse</p><p>PayPal</p>", {"bank_transfer", "paypal"}),
        ("ru", "<p>Вы можете оплатить покупки наличными при получении</p>", {"cash_on_delivery"}),
        ("ru", "<a title='Оплата через Яндекс. Деньги онлайн'>yad</a><a title='Qiwi'>q</a>", {"yandex_money", "qiwi"}),
        ("en", "<p>We accept Visa and Master Card</p>", {"visa", "mastercard"}),
        # methods listed in running text
        ("ru", "<p>Оплата картой, СБП, наличными при получении</p>", {"bank_card", "sbp", "cash_on_delivery"}),
        ("ar", "<p>طرق الدفع: مدى، فيزا، ماستركارد، أبل باي</p>", {"mada", "visa", "mastercard", "apple_pay"}),
        ("ar", "<p>طرق الدفع: مدى، فيزا</p>", {"mada", "visa"}),
        ("pl", "<p>Płatności: BLIK, przelew, za pobraniem</p>", {"blik", "bank_transfer", "cash_on_delivery"}),
        ("ru", "<p>Наличными или банковскими картами при получении товара</p>", {"cash_on_delivery", "bank_card"}),
        ("el", "<p>Τρόποι πληρωμής: αντικαταβολή, τραπεζικό έμβασμα, PayPal</p>",
         {"cash_on_delivery", "bank_transfer", "paypal"}),
        ("lt", "<p>Apmokėjimas: banko kortele, bankiniu pavedimu arba išperkamuoju mokesčiu</p>",
         {"credit_card", "cash_on_delivery"}),
        ("hu", "<p>Fizetés: bankkártya, utánvét, banki átutalás</p>", {"credit_card", "cash_on_delivery", "bank_transfer"}),
        ("ro", "<p>Plata: card bancar, ramburs, ordin de plată</p>", {"credit_card", "cash_on_delivery", "bank_transfer"}),
        ("nl", "<p>Betaalmethoden: iDEAL, Bancontact, achteraf betalen</p>", {"ideal", "bancontact", "invoice"}),
        ("hr", "<p>Plaćanje: kreditna kartica, pouzećem, virman</p>", {"credit_card", "cash_on_delivery", "bank_transfer"}),
        ("fi", "<p>Maksutavat: luottokortti, tilisiirto, MobilePay</p>", {"credit_card", "bank_transfer", "mobilepay"}),
    ],
)
def test_payment_methods_named_in_text(lang, body, expected):
    assert expected <= pay(body, lang)


@pytest.mark.parametrize(
    "lang, body, absent",
    [
        # too-broad terms in prose
        ("de", "<p>Das Netzteil eignet sich ideal für Desktop-Systeme. Wir akzeptieren PayPal.</p>", "ideal"),
        ("pl", "<p>Do każdego zamówienia wystawiamy fakturę VAT. Płatność: BLIK.</p>", "invoice"),
        ("de", "<p>Die Rechnung liegt dem Paket bei. Zahlung mit PayPal.</p>", "invoice"),
        ("ar", "<p>على مدى عشر سنوات نخدم عملاءنا. نقبل Apple Pay.</p>", "mada"),
        ("ru", "<p>Мир детства в каждой игрушке. Принимаем Visa.</p>", "mir"),
        ("ru", "<p>Наличные в кассе магазина не принимаются до обеда, подробнее у продавца. PayPal.</p>", "cash"),
        ("en", "<p>Please rate this product. Shipping rates apply. PayPal accepted.</p>", "instalments"),
        ("lt", "<p>Visa informacija apie prekes</p>", "visa"),
        ("ar", "<p>احصل على فيزا السفر بسهولة عبر مكتبنا للسياحة</p>", "visa"),
        ("en", "<p>Discover our new collection for spring</p><p>PayPal</p>", "discover"),
        ("ru", "<p>При получении заказа проверьте комплектность</p>", "cash_on_delivery"),
        ("sv", "<p>Swish! The ball went in. PayPal.</p>", "swish"),
    ],
)
def test_payment_words_in_innocent_sentences(lang, body, absent):
    assert absent not in pay(body, lang)


def test_payment_name_in_a_list_needs_no_other_evidence_but_one_name_alone_does():
    # "Visa" on its own is a weak hit (a Lithuanian word); in a list of payment names it is a method
    assert "visa" in pay("<p>Payment: Visa, Mastercard</p>")
    assert pay("<p>Visa</p>", "lt", "shop.lt") == set()


def phrase_groups(body: str, lang: str) -> set[str]:
    url = "https://shop.example/"
    page = FetchedPage(url=url, status=200, text=f"<html lang='{lang}'><body>{body}</body></html>")
    a = extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)), ParseCache(), None)
    return {g for g, hits in a.phrases.items() if hits}


@pytest.mark.parametrize("body, lang, slug", [
    # Arabic harakat and tanween inside a word, tatweel
    ("<p>طرق الدفع: مدى، فيزا، الدفع نقدًا عند الاستلام</p>", "ar", "cash_on_delivery"),
    ("<p>طرق الدفع: مـــدى، فيزا</p>", "ar", "mada"),
    ("<p>وسائل الدَّفْع: فيزا، مَدى، ماستركارد</p>", "ar", "mastercard"),
    # a soft hyphen inside a German word, a stress mark in Russian, a decomposed Greek accent
    ("<p>Zahlungsarten: Vor\u00adkasse, Rech\u00adnung, PayPal</p>", "de", "invoice"),
    ("<p>Способы оплаты: нало\u0301женный платёж, карта</p>", "ru", "cash_on_delivery"),
    ("<p>Τρόποι πληρωμής: αντικαταβολη\u0301, Visa</p>", "el", "cash_on_delivery"),
])
def test_marks_inside_words_do_not_stop_payment_names(body, lang, slug):
    assert slug in pay(body, lang)


@pytest.mark.parametrize("body, lang, group", [
    ("<p>الدفعُ عندَ الاستلامِ متاحٌ في جميع المدن</p>", "ar", "cash_on_delivery"),
    ("<p>الدَّفْع عِنْدَ الاستلام</p>", "ar", "cash_on_delivery"),
    ("<p>Zahlung bei Liefe\u00adrung möglich</p>", "de", "cash_on_delivery"),
    ("<p>Возможен нало\u0301женный платёж</p>", "ru", "cash_on_delivery"),
])
def test_marks_inside_words_do_not_stop_phrase_groups(body, lang, group):
    assert group in phrase_groups(body, lang)


@pytest.mark.parametrize("body, lang", [
    ("<p>نقدًا وعدًا، كتبنا قصتنا بأيدينا</p>", "ar"),  # the word "cash" in prose, no payment list
    ("<p>Die Rech\u00adnung liegt der Sendung bei.</p>", "de"),  # an invoice in a sentence
])
def test_marks_near_misses(body, lang):
    assert not pay(body, lang) & {"cash", "cash_on_delivery", "invoice"}


@pytest.mark.parametrize(
    "lang, body, expected",
    [
        ("es", "<p>Formas de pago: tarjeta, Bizum, transferencia bancaria</p>", {"bizum", "bank_transfer"}),
        ("lt", "<p>Apmokėjimas: Paysera, Montonio, banko kortele</p>", {"paysera", "montonio"}),
        ("hu", "<p>Fizetési módok: Barion, OTP SimplePay, utánvétel</p>", {"barion", "simplepay", "cash_on_delivery"}),
        ("ro", "<p>Modalități de plată: card prin Netopia, ramburs</p>", {"netopia", "cash_on_delivery"}),
        ("el", "<p>Τρόποι πληρωμής: IRIS, Cardlink, αντικαταβολή</p>", {"iris_payments", "cardlink", "cash_on_delivery"}),
        ("it", "<p>Pagamenti: Nexi, PayPal, bonifico</p>", {"nexi", "paypal", "bank_transfer"}),
        ("ru", "<p>Способы оплаты: Kaspi QR, наличными при получении</p>", {"kaspi", "cash_on_delivery"}),
        ("ar", "<p>طرق الدفع: Fawry، Paymob، الدفع عند الاستلام</p>", {"fawry", "paymob", "cash_on_delivery"}),
        ("nl", "<p>Betaalmethoden: iDEAL, Billink, Payconiq, overschrijving</p>",
         {"ideal", "billink", "payconiq", "bank_transfer"}),
        ("fi", "<p>Maksutavat: verkkopankki, MobilePay</p>", {"bank_transfer", "mobilepay"}),
    ],
)
def test_national_payment_services_named_in_text(lang, body, expected):
    assert expected <= pay(body, lang), pay(body, lang)


@pytest.mark.parametrize(
    "lang, body, absent",
    [
        ("el", "<p>Ανθοδέσμη με iris και τριαντάφυλλα για κάθε περίσταση. PayPal.</p>", "iris_payments"),
        ("en", "<p>Our Iris collection is back in stock. We accept PayPal.</p>", "iris_payments"),
        ("it", "<p>La nexialità del design moderno. PayPal.</p>", "nexi"),
        ("hu", "<p>A Barionix termékcsalád. PayPal.</p>", "barion"),
    ],
)
def test_national_payment_service_near_misses(lang, body, absent):
    assert absent not in pay(body, lang)


@pytest.mark.parametrize(
    "alt, slug",
    [("ico_mastercard", "mastercard"), ("logo_klarna", "klarna"), ("apple_pay", "apple_pay"), ("ApplePay", "apple_pay"),
     ("GooglePay", "google_pay"), ("G Pay", "google_pay"), ("AmazonPay", "amazon_pay"), ("paydirekt", "giropay"),
     ("Яндекс.Касса", "yookassa"), ("Сбер Pay", "sberpay")],
)
def test_payment_logos_named_as_file_names_or_wordmarks(alt, slug):
    assert slug in pay(f'<footer><img src="/i/1.png" alt="{alt}"><img src="/i/2.png" alt="PayPal"></footer>'), alt


@pytest.mark.parametrize(
    "alt, slug",
    [("superapplepayday_banner", "apple_pay"), ("klarnaesque_pattern_01", "klarna"), ("gpaysafe_logo", "google_pay"),
     ("dinersmenu_photo", "diners_club")],
)
def test_a_name_glued_into_a_file_name_word_is_not_a_payment(alt, slug):
    assert slug not in pay(f'<main><img src="/i/1.jpg" alt="{alt}"><img src="/i/2.png" alt="PayPal"></main>'), alt


@pytest.mark.parametrize(
    "lang, body, expected",
    [
        ("cs", "<p>Způsoby platby: platba kartou, bankovním převodem, na dobírku</p>",
         {"credit_card", "bank_transfer", "cash_on_delivery"}),
        ("sk", "<p>Spôsoby platby: platba kartou, bankovým prevodom, na dobierku</p>",
         {"credit_card", "bank_transfer", "cash_on_delivery"}),
        ("uk", "<p>Оплата: карткою, накладений платіж, безготівковий розрахунок</p>",
         {"bank_card", "cash_on_delivery", "bank_transfer"}),
        ("et", "<p>Makseviisid: pangalink, kaardimakse, järelmaks</p>", {"bank_transfer", "credit_card", "instalments"}),
        ("lv", "<p>Apmaksa: ar karti, bankas pārskaitījums, pēcmaksa</p>",
         {"credit_card", "bank_transfer", "cash_on_delivery"}),
        ("ro", "<p>Plata: card online, ordin de plată, ramburs la curier</p>",
         {"credit_card", "bank_transfer", "cash_on_delivery"}),
        ("sl", "<p>Načini plačila: plačilo po povzetju, kreditna kartica, predračun</p>",
         {"cash_on_delivery", "credit_card", "bank_transfer"}),
        ("hr", "<p>Načini plaćanja: pouzeće, kartično plaćanje, uplatnica</p>",
         {"cash_on_delivery", "credit_card", "bank_transfer"}),
        ("lt", "<p>Atsiskaitymas: el. bankininkystė, mokėjimo kortele, grynaisiais kurjeriui</p>",
         {"bank_transfer", "credit_card", "cash_on_delivery"}),
    ],
)
def test_inflected_ways_to_pay_in_running_text(lang, body, expected):
    assert expected <= pay(body, lang), pay(body, lang)


@pytest.mark.parametrize(
    "lang, body, absent",
    [
        ("cs", "<p>Zboží převezme kurýr a předá ho s dokladem o bankovním převodem nesouvisejícím. PayPal.</p>",
         "cash_on_delivery"),
        ("hr", "<p>Uplatnica za članarinu kluba priložena je u paketu. PayPal.</p>", "cash_on_delivery"),
        ("et", "<p>Pangalinkide ajalugu Eestis on pikk. PayPal.</p>", "bank_transfer"),
        ("uk", "<p>Подарункова картка недоступна. PayPal.</p>", "bank_card"),
    ],
)
def test_inflected_ways_to_pay_near_misses(lang, body, absent):
    assert absent not in pay(body, lang)
