"""Valid identifiers of other companies on a shop's pages are never reported as the shop's: a payment operator's
NIP and KRS in the footer, the agency that made the site, a carrier in a delivery table, a marketplace's list of
sellers (rules/vocab/ids.yaml ``not_the_shop``). Each page is scanned as a whole shop (``pipeline.scan`` of a local
page); the shop's own numbers on the same page are still reported, and near misses (a carrier or a payment
method named in the sentence before the shop's own number) keep it."""

from __future__ import annotations

import pytest

from trustaudit.models import Status
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan

SHOP_NIP = ("pl.nip", "1234563218")


def scan_page(tmp_path, lang: str, country: str, body: str):
    path = tmp_path / "index.html"
    path.write_text(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Sklep</title></head>'
                    f"<body>{body}</body></html>", encoding="utf-8")
    return scan(str(path), ScanOptions(country=country))


def reported(report) -> set[tuple[str, str]]:
    return {(t["scheme"], t["value"]) for t in report.signals["tax_ids"]}


def valid(report) -> set[tuple[str, str]]:
    return {(t["scheme"], t["value"]) for t in report.signals["tax_ids"] if t["valid"]}


OTHERS = [
    # Polish: a payment operator's disclosure line in the footer (NIP and KRS of the operator)
    ("pl", "PL", "<footer><p>Ceramika sp. z o.o., ul. Długa 5, 00-950 Warszawa, NIP 123-456-32-18</p>"
     "<p>Płatności obsługuje PayU S.A. z siedzibą w Poznaniu, NIP 779-23-08-495, KRS 0000274399</p></footer>",
     {SHOP_NIP}, {("pl.nip", "7792308495"), ("pl.krs", "0000274399")}),
    # the operator named on the line before its number
    ("pl", "PL", "<footer><p>Ceramika sp. z o.o., NIP 123-456-32-18</p><p>Operator płatności:</p><p>PayU S.A.</p>"
     "<p>NIP 779-23-08-495</p></footer>", {SHOP_NIP}, {("pl.nip", "7792308495")}),
    # the agency that made the site
    ("pl", "PL", "<footer><p>Ceramika sp. z o.o., NIP 123-456-32-18</p>"
     "<p>Projekt i wykonanie: WebStudio sp. z o.o., NIP 525-234-40-78</p></footer>",
     {SHOP_NIP}, {("pl.nip", "5252344078")}),
    # a carrier in a delivery table
    ("pl", "PL", "<table><tr><th>Przewoźnik</th><th>Dane</th></tr><tr><td>DPD Polska sp. z o.o.</td>"
     "<td>NIP 526-104-08-28</td></tr></table><footer><p>Ceramika sp. z o.o.</p><p>NIP 123-456-32-18</p></footer>",
     {SHOP_NIP}, {("pl.nip", "5261040828")}),
    # a marketplace's sellers (each with a number), and the marketplace itself in the footer
    ("pl", "PL", "<ul><li>Kubek — 39 zł. Sprzedawca: Garncarnia sp. z o.o., NIP 525-234-40-78</li>"
     "<li>Talerz — 49 zł. Sprzedawca: Glina S.A., NIP 526-104-08-28</li></ul>"
     "<footer><p>Operator serwisu: Ceramika sp. z o.o., NIP 123-456-32-18</p></footer>",
     {SHOP_NIP}, {("pl.nip", "5252344078"), ("pl.nip", "5261040828")}),
    # Russian: the payment operator and the web studio
    ("ru", "RU", "<footer><p>ИП Иванов И. И., ИНН 7707083893</p>"
     "<p>Оператор платежей: ООО НКО «ЮМани», ИНН 7750005725</p>"
     "<p>Сайт разработан: ООО «Веб Студия», ИНН 7736207543</p></footer>",
     {("ru.inn", "7707083893")}, {("ru.inn", "7750005725"), ("ru.inn", "7736207543")}),
    # German: a carrier named in the delivery terms
    ("de", "DE", "<p>Versanddienstleister: Paket Express GmbH, USt-IdNr. DE 100 000 016</p>"
     "<footer><p>Impressum: Gartenwelt GmbH, Amtsgericht München HRB 12345, USt-IdNr. DE 136 695 976</p></footer>",
     {("de.vat", "136695976")}, {("de.vat", "100000016")}),
    # English: a credit line of the agency
    ("en", "GB", "<footer><p>Garden Living Ltd, Company No. 01234567, VAT No. GB 980 7806 84</p>"
     "<p>Website by Pixel Studio Ltd, Company No. 07654321, VAT No. GB 123 4567 82</p></footer>",
     {("gb.crn", "01234567"), ("gb.vat", "980780684")}, {("gb.crn", "07654321"), ("gb.vat", "123456782")}),
]


@pytest.mark.parametrize("lang, country, body, shops, others", OTHERS,
                         ids=[f"{x[1]}-{i}" for i, x in enumerate(OTHERS)])
def test_another_companys_valid_ids_are_not_the_shops(tmp_path, lang, country, body, shops, others):
    report = scan_page(tmp_path, lang, country, body)
    got = reported(report)
    assert shops <= got, got
    assert not got & others, got
    assert valid(report) <= shops  # no valid number reported that is not the shop's


def test_only_an_operators_number_does_not_make_the_shop_identified(tmp_path):
    body = "<footer><p>Płatności obsługuje PayU S.A., NIP 779-23-08-495, KRS 0000274399</p></footer>"
    report = scan_page(tmp_path, "pl", "PL", body)
    assert reported(report) == set()
    nip = next(c for c in report.checks if c.id == "legal.pl-nip")
    assert nip.status is not Status.PASS


NEAR_MISSES = [
    # a carrier or payment methods named in the sentence before the shop's own number
    ("pl", "PL", "<p>Wysyłamy kurierem DPD. Ceramika sp. z o.o., NIP 123-456-32-18</p>", {SHOP_NIP}),
    ("pl", "PL", "<p>Płatności: PayU, BLIK.</p><p>Ceramika sp. z o.o., NIP 123-456-32-18</p>", {SHOP_NIP}),
    ("pl", "PL", "<p>Wysyłka: DPD</p><p>NIP 123-456-32-18</p>", {SHOP_NIP}),
    # the shop names itself the seller (one seller, its numbers)
    ("pl", "PL", "<p>Sprzedawca: Ceramika sp. z o.o., NIP 123-456-32-18, KRS 0000123456</p>",
     {SHOP_NIP, ("pl.krs", "0000123456")}),
    ("ru", "RU", "<p>Доставка курьерской службой СДЭК.</p><p>Продавец: ИП Иванов И. И., ИНН 7707083893</p>",
     {("ru.inn", "7707083893")}),
    ("de", "DE", "<p>Wir versenden mit DHL. Gartenwelt GmbH, USt-IdNr. DE 136 695 976</p>", {("de.vat", "136695976")}),
    ("en", "GB", "<p>Payments by PayPal and Stripe.</p><p>Garden Living Ltd, Company No. 01234567</p>",
     {("gb.crn", "01234567")}),
]


@pytest.mark.parametrize("lang, country, body, shops", NEAR_MISSES, ids=[f"{x[1]}-{i}" for i, x in enumerate(NEAR_MISSES)])
def test_the_shops_own_numbers_next_to_a_carrier_or_payment_name_are_kept(tmp_path, lang, country, body, shops):
    assert shops <= reported(scan_page(tmp_path, lang, country, body))
