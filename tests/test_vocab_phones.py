"""Phones written with typographic dashes, "+" glued to the label, labels in icons, order-line labels, and the
near-misses: street numbers before a "Tel." label, order numbers, prices."""

from __future__ import annotations

import pytest

from trustaudit.extract.phones import extract_phones
from trustaudit.models import FetchedPage
from trustaudit.resources import load_yaml
from trustaudit.web.html import ParsedPage


def phones(body: str, region: str | None) -> list[str]:
    pp = ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=f"<html><body>{body}</body></html>"))
    return [p.e164 for p in extract_phones(pp, region)]


@pytest.mark.parametrize(
    "body, region, expected",
    [
        # typographic dashes between groups
        ("<p>Телефон: 8–800–775–50–81</p>", "RU", "+78007755081"),
        ("<p>в Москве:</p><p>+7 (495) 775–50–81</p>", "RU", "+74957755081"),
        ("<p>Tel. 22 123 45 67</p><p>Infolinia: 801–123–456</p>", "PL", "+48801123456"),
        ("<p>Telefon: 030 – 123 456 78</p>", "DE", "+493012345678"),
        ("<p>Τηλ.: 210—323—4567</p>", "GR", "+302103234567"),
        ("<p>هاتف: 011–234–5678</p>", "SA", "+966112345678"),
        # "+" glued to the label
        ("<p>Tel.:+31 (0) 614392096</p>", "DE", "+31614392096"),
        ("<p>Telefon:+48 22 123 45 67</p>", "PL", "+48221234567"),
        ("<p>Τηλ.:+30 210 3234567</p>", "GR", "+302103234567"),
        ("<p>Тел.:+7 495 648-31-32</p>", "RU", "+74956483132"),
        # order lines are phone lines
        ("<p>Order line: 0345 602 4040</p>", "GB", "+443456024040"),
        ("<p>Bestellhotline: 02973 97 91 20</p>", "DE", "+492973979120"),
        ("<p>Zamówienia telefoniczne: 22 123 45 67</p>", "PL", "+48221234567"),
        ("<p>Приём заказов: 8 (495) 648-31-32</p>", "RU", "+74956483132"),
        # the label sits in an icon
        ('<p><img src="/i/tel.png" alt="Telefon"> 22 123 45 67</p>', "PL", "+48221234567"),
        ('<p><i class="fa fa-phone"></i> 030 12345678</p>', "DE", "+493012345678"),
        ('<p><span class="icon" title="Phone"></span><span>0845 123 4567</span></p>', "GB", "+448451234567"),
        ('<p><img alt="الجوال" src="/m.svg"> 0501234567</p>', "SA", "+966501234567"),
        ('<p><svg aria-label="Τηλέφωνο"></svg> 210 3234567</p>', "GR", "+302103234567"),
    ],
)
def test_phone_forms(body, region, expected):
    assert expected in phones(body, region)


@pytest.mark.parametrize(
    "body, region, expected",
    [
        # the icon's alt / title repeats the number after its label
        ('<p><img src="/i/tel.png" alt="Telefonas 852222222"/><strong>8 5 222 2222</strong> </br> pagalba@shop.example</p>', "LT",
         "+37052222222"),
        ('<p><img src="/i/t.png" alt="Tel. 22 123 45 67"> 22 123 45 67 (pn.–pt. 8–16)</p>', "PL", "+48221234567"),
        ('<p><img src="/i/t.png" alt="Телефон: +7 495 648-31-32"> 8 (495) 648-31-32 с 9 до 18</p>', "RU", "+74956483132"),
        ('<p><span class="ico" title="Telefon: 030 1234567"></span> 030 1234567 Mo–Fr</p>', "DE", "+49301234567"),
        ('<p><img alt="هاتف 0112345678" src="/p.svg"> 011 234 5678 من 9 إلى 5</p>', "SA", "+966112345678"),
    ],
)
def test_icon_label_followed_by_the_number(body, region, expected):
    assert expected in phones(body, region)


@pytest.mark.parametrize(
    "body, region",
    [
        # an icon whose text is not a phone label, even with a number in it
        ('<p><img alt="Produkt 4006381333931" src="/x.png"> 4006381333931 auf Lager</p>', "DE"),
        ('<p><img alt="Art. 22 123 45 67" src="/x.png"> 22 123 45 67 w ofercie</p>', "PL"),
        ('<p><img alt="Заказ 84956483132" src="/x.png"> 8 (495) 648-31-32 в наличии</p>', "RU"),
        ('<p><img alt="Telefonas Samsung 852222222" src="/x.png"> 8 5 222 2222 vnt.</p>', "LT"),
    ],
)
def test_icon_with_a_number_but_no_phone_label(body, region):
    assert phones(body, region) == []


@pytest.mark.parametrize(
    "body, region",
    [
        # a street number and postcode before the next line's "Tel." label
        ("<p>Meander 151 (8510) 6825 MB Arnhem Niederlande Tel.:+31 (0) 614392096</p>", "DE"),
        ("<p>ul. Długa 12 (lok. 3) 80-827 Gdańsk, tel. 58 123 45 67</p>", "PL"),
        # order numbers, prices, dates with typographic dashes
        ("<p>Order number: 0345 602 4040</p>", "GB"),
        ("<p>Bestellnummer 0297397912</p>", "DE"),
        ("<p>Номер заказа 8–800–775–50–81</p>", "RU"),
        ("<p>Cena: 603–177–807 zł</p>", "PL"),
        ("<p>Gültig 01.10.2019–31.12.2019</p>", "DE"),
        ("<p>Öffnungszeiten 09:00–18:00</p>", "DE"),
        ('<p><img alt="Produktbild" src="/x.png"> 4006381333931</p>', "DE"),  # an EAN after a product image
    ],
)
def test_phone_near_misses(body, region):
    got = phones(body, region)
    if "Tel.:+31" in body:
        assert got == ["+31614392096"]
    elif "tel. 58" in body:
        assert got == ["+48581234567"]
    else:
        assert got == []


NEW_LABELS = ["order line", "bestellhotline", "bestelltelefon", "zamowienia telefoniczne", "заказ по телефону",
              "прием заказов", "τηλεφωνικες παραγγελιες", "commandes par telephone", "pedidos por telefono",
              "ordini telefonici", "telefonas", "talrunis", "telefoon", "telefone", "puhelin", "mobitel"]


@pytest.mark.parametrize("label", NEW_LABELS)
def test_new_labels_are_vocabulary_and_introduce_a_phone_but_not_a_price(label):
    assert label in [str(x) for x in load_yaml("vocab/contact.yaml")["phone"]["labels"]]
    assert phones(f"<p>{label}: 22 123 45 67</p>", "PL") == ["+48221234567"]
    assert phones(f"<p>{label}: 1 299 zł</p>", "PL") == []


@pytest.mark.parametrize(
    "body, region, expected",
    [
        # a register label, a word or a place starting with a currency's letters after the number is no price
        ("<p>Tel. 22 123 45 67</p><p>KRS 0000123456</p>", "PL", "+48221234567"),
        ("<p>Tel. 22 123 45 67 KRS 0000123456</p>", "PL", "+48221234567"),
        ("<p>Telefon: 030 1234567 Europaweit erreichbar</p>", "DE", "+49301234567"),
        ("<p>Tel. 58 123 45 67</p><p>Sarl Dupont</p>", "PL", "+48581234567"),
        ("<p>Телефон: 8 (495) 648-31-32</p><p>Рубрики каталога</p>", "RU", "+74956483132"),
        ("<p>Tlf. 33 12 34 56</p><p>Krone Apotek</p>", "DK", "+4533123456"),
        ("<p>Phone 020 7946 0958</p><p>GBP prices include VAT</p>", "GB", "+442079460958"),
        # the next line's price is the next line's
        ("<p>Tel. 22 123 45 67</p><p>zł 49,99</p>", "PL", "+48221234567"),
    ],
)
def test_a_currency_must_be_a_whole_word_on_the_same_line(body, region, expected):
    assert expected in phones(body, region)


@pytest.mark.parametrize(
    "body, region",
    [
        ("<p>Tel. 603 177 807 zł</p>", "PL"),
        ("<p>Telefon 0301234567 EUR</p>", "DE"),
        ("<p>Tlf. 33 12 34 56 kr.</p>", "DK"),
        ("<p>Тел. 8 800 775 50 81 руб.</p>", "RU"),
        ("<p>Tel. 22 123 45 67%</p>", "PL"),
        ("<p>هاتف 0112345678 ريال</p>", "SA"),
    ],
)
def test_a_currency_right_after_the_number_still_makes_it_a_price(body, region):
    assert phones(body, region) == []


MORE_LABELS = ["rufen sie uns an", "handy", "mobiel", "gsm", "cel.", "sunati-ne", "bizi arayin", "hivjon minket",
               "soita meille", "τηλεφωνηστε μας", "obsluga klienta", "ring oss", "ring til os"]


@pytest.mark.parametrize("label", MORE_LABELS)
def test_call_us_and_mobile_labels_introduce_a_phone_but_not_a_price(label):
    assert label in [str(x) for x in load_yaml("vocab/contact.yaml")["phone"]["labels"]]
    assert phones(f"<p>{label}: 22 123 45 67 w godz. 8-16</p>", "PL") == ["+48221234567"]
    assert phones(f"<p>{label}: 1 299 zł</p>", "PL") == []


@pytest.mark.parametrize(
    "body, region, expected",
    [
        # hours or a note in brackets right after the number
        ("<p>Tel. 22 123 45 67 (8-16)</p>", "PL", "+48221234567"),
        ("<p>Telefon: 030 1234567 (9:00-17:00)</p>", "DE", "+49301234567"),
        ("<p>Τηλ.: 210 323 4567 (9–17)</p>", "GR", "+302103234567"),
        ("<p>Тел. 8 (800) 555-35-35 (бесплатно)</p>", "RU", "+78005553535"),
        ("<p>هاتف: 011 234 5678 (9-5)</p>", "SA", "+966112345678"),
    ],
)
def test_a_bracketed_note_after_the_number_is_not_part_of_it(body, region, expected):
    assert expected in phones(body, region)


@pytest.mark.parametrize(
    "body, region",
    [
        ("<p>Art. 12345678 (2 Stück)</p>", "DE"),  # an article number, no label
        ("<p>Bestellnummer 0301234567 (bezahlt)</p>", "DE"),
        ("<p>Cena 221 234 567 (brutto) zł</p>", "PL"),
        ("<p>Moduł GSM 900 1800 (dual band)</p>", "PL"),
    ],
)
def test_bracketed_tail_near_misses(body, region):
    assert phones(body, region) == []


@pytest.mark.parametrize(
    "body, region, expected",
    [
        ("<p>Tel. 22 123 45 67 / 601 234 567</p>", "PL", {"+48221234567", "+48601234567"}),
        ("<p>Τηλ.: 210 323 4567 / 6944 123456</p>", "GR", {"+302103234567", "+306944123456"}),
        ("<p>Телефон: 8 (495) 648-31-32 / 8 (800) 555-35-35</p>", "RU", {"+74956483132", "+78005553535"}),
        ("<p>هاتف: 011 234 5678 / 050 123 4567</p>", "SA", {"+966112345678", "+966501234567"}),
        # a slash after an area code is part of one number
        ("<p>Telefon: 030/1234567</p>", "DE", {"+49301234567"}),
        ("<p>Tel.: 0 30 / 12 34 56 78</p>", "DE", {"+493012345678"}),
    ],
)
def test_two_numbers_joined_by_a_slash(body, region, expected):
    assert set(phones(body, region)) == expected


@pytest.mark.parametrize(
    "body, region",
    [("<p>Art.-Nr. 12345678 / 87654321</p>", "DE"), ("<p>NIP 123-456-32-18 / REGON 123456785</p>", "PL"),
     ("<p>Zamówienie 22 123 45 67 / 601 234 567</p>", "PL")],
)
def test_numbers_joined_by_a_slash_near_misses(body, region):
    assert phones(body, region) == []
