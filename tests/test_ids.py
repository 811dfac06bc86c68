"""Tax / registry IDs: label -> number, check digits, written forms, and numbers that are never IDs."""

from __future__ import annotations

import pytest

from trustaudit.extract.ids import compiled, extract_ids
from trustaudit.models import FetchedPage
from trustaudit.web.html import ParsedPage


def ids(body: str, country: str | None = None) -> list[tuple[str, str, bool | None]]:
    pp = ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=f"<html><body>{body}</body></html>"))
    return [(t.scheme, t.value, t.valid) for t in extract_ids(pp, country)]


@pytest.mark.parametrize(
    "body, country, expected",
    [
        # Poland
        ("<p>NIP: 123-456-32-18</p>", "PL", ("pl.nip", "1234563218", True)),
        ("<p>NIP 123-45-63-218</p>", "PL", ("pl.nip", "1234563218", True)),
        ("<p>NIP PL1234563218</p>", "PL", ("pl.nip", "1234563218", True)),
        ("<p>NIP: 123.456.32.18</p>", "PL", ("pl.nip", "1234563218", True)),
        ("<p>NIP: 1234563219</p>", "PL", ("pl.nip", "1234563219", False)),
        ("<p>REGON: 123456785</p>", "PL", ("pl.regon", "123456785", True)),
        ("<p>KRS 0000123456</p>", "PL", ("pl.krs", "0000123456", None)),
        # Russia
        ("<p>ИНН 7709960645</p>", "RU", ("ru.inn", "7709960645", True)),
        ("<p>ИНН/КПП 7725682963/772501001</p>", "RU", ("ru.inn", "7725682963", True)),
        ("<p>ИНН: 782701728810</p>", "RU", ("ru.inn", "782701728810", True)),
        ("<p>ОГРН 1147746931617</p>", "RU", ("ru.ogrn", "1147746931617", True)),
        ("<p>ОГРНИП 311784719600424</p>", "RU", ("ru.ogrn", "311784719600424", True)),
        ("<p>ОГРНИП 314784704100200</p>", "RU", ("ru.ogrn", "314784704100200", False)),
        # Greece (Greek capital Epsilon in the prefix)
        ("<p>ΑΦΜ: 094259216</p>", "GR", ("gr.vat", "094259216", True)),
        ("<p>Α.Φ.Μ. ΕL094259216</p>", "GR", ("gr.vat", "094259216", True)),
        ("<p>Αρ. ΓΕΜΗ: 123667045000</p>", "GR", ("gr.gemi", "123667045000", None)),
        # Germany
        ("<p>USt-IdNr.: DE 136 695 976</p>", "DE", ("de.vat", "136695976", True)),
        ("<p>USt-IdNr.: DE136695977</p>", "DE", ("de.vat", "136695977", False)),
        ("<p>Amtsgericht München HRB 12345</p>", "DE", ("de.handelsregisternummer", "München HRB 12345", None)),
        # UK
        ("<p>Registered in England and Wales No. 04663281</p>", "GB", ("gb.crn", "04663281", None)),
        ("<p>Company No: SC123456</p>", "GB", ("gb.crn", "SC123456", None)),
        ("<p>VAT No. GB 980 7806 84</p>", "GB", ("gb.vat", "980780684", True)),
        # France, Italy, Spain, Czechia, Ukraine, Denmark
        ("<p>SIREN 552 008 443</p>", "FR", ("fr.siren", "552008443", True)),
        ("<p>RCS Paris B 552 008 443</p>", "FR", ("fr.siren", "552008443", True)),
        ("<p>SIRET: 732 829 320 00074</p>", "FR", ("fr.siret", "73282932000074", True)),
        ("<p>P.IVA 00743110157</p>", "IT", ("it.iva", "00743110157", True)),
        ("<p>CIF: B-58378431</p>", "ES", ("es.nif", "B58378431", True)),
        ("<p>IČO: 25123891</p>", "CZ", ("cz.ico", "25123891", True)),
        ("<p>DIČ: CZ25123891</p>", "CZ", ("cz.dic", "25123891", True)),
        ("<p>Код ЄДРПОУ 32855961</p>", "UA", ("ua.edrpou", "32855961", True)),
        ("<p>CVR: 35545905</p>", "DK", ("dk.cvr", "35545905", True)),
        ("<p>Cvr-nr. 35545905</p>", "DK", ("dk.cvr", "35545905", True)),
        # Gulf: Arabic-Indic digits, ZATCA pattern, UAE TRN
        ("<p>الرقم الضريبي: ٣٠٠٠٥٥١٨٤٤٠٠٠٠٣</p>", "SA", ("sa.vat", "300055184400003", True)),
        ("<p>الرقم الضريبي 400055184400003</p>", "SA", ("sa.vat", "400055184400003", False)),
        ("<p>السجل التجاري: 1010123456</p>", "SA", ("sa.cr", "1010123456", None)),
        ("<p>TRN: 100495966200003</p>", "AE", ("ae.trn", "100495966200003", None)),
        # EU VAT id with its prefix after a generic label
        ("<p>VAT: PL1234563218</p>", "DE", ("eu.vat", "PL1234563218", True)),
    ],
)
def test_id_schemes(body, country, expected):
    assert expected in ids(body, country)


@pytest.mark.parametrize(
    "body",
    [
        "<p>1234563218</p>",  # a bare number is never an ID
        "<p>Tel. 7709960645</p>",
        "<p>Cena 1234563218 zł</p>",
        "<p>Bestellnummer DE136695976</p>",
        "<p>NIP: 123</p>",  # too short
        "<p>ИНН 77099606451234567890</p>",  # longer run: an account number, not an INN
        "<p>inkl. 19% USt. zzgl. Versand 4,90 EUR</p>",
        "<p>Prices include VAT 20%</p>",
    ],
)
def test_not_ids(body):
    assert ids(body, "PL") == [] or all(t[0] != "pl.nip" for t in ids(body, "PL"))
    assert [t for t in ids(body, "PL") if t[1] in {"1234563218", "7709960645", "136695976"}] == []


def test_label_table_is_data():
    c = compiled()
    assert {"pl.nip", "ru.inn", "ru.ogrn", "gr.vat", "de.vat", "gb.crn", "sa.vat", "ae.trn", "dk.cvr"} <= set(c.schemes)


def test_two_ids_in_one_footer():
    got = ids("<p>ООО «Загранторг», ИНН 7709960645, ОГРН 1147746931617</p>", "RU")
    assert ("ru.inn", "7709960645", True) in got and ("ru.ogrn", "1147746931617", True) in got
