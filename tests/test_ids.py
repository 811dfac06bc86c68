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
        # ОГРНИП: the check digit is the lowest digit of the remainder mod 13 (remainder 10 -> 0, 11 -> 1, 12 -> 2)
        ("<p>ОГРНИП 314784704100200</p>", "RU", ("ru.ogrn", "314784704100200", True)),
        ("<p>ОГРНИП 304770000000031</p>", "RU", ("ru.ogrn", "304770000000031", True)),
        ("<p>ОГРНИП 304770000000042</p>", "RU", ("ru.ogrn", "304770000000042", True)),
        ("<p>ОГРНИП 304770000000041</p>", "RU", ("ru.ogrn", "304770000000041", False)),
        ("<p>ОГРНИП 304770000000012</p>", "RU", ("ru.ogrn", "304770000000012", False)),  # the whole remainder
        ("<p>ОГРН 1147746931618</p>", "RU", ("ru.ogrn", "1147746931618", False)),
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


# ---------------------------------------------------------------- identifiers declared in structured data


def _ld_shop(org: dict, url: str = "https://sklep.example.pl/", lang: str = "pl"):
    import json

    from trustaudit.extract import extract
    from trustaudit.models import SiteSnapshot

    html = (f'<html lang="{lang}"><head><script type="application/ld+json">{json.dumps(org)}</script></head>'
            "<body><p>Sklep</p></body></html>")
    page = FetchedPage(url=url, status=200, text=html)
    return extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)))


def test_json_ld_vat_and_tax_ids_are_read_with_their_check_digit_verdict():
    art = _ld_shop({"@type": "Organization", "name": "Sklep", "vatID": "PL 526-104-08-28",
                    "taxID": "1234567890", "leiCode": "529900T8BM49AURSDO55",
                    "identifier": [{"@type": "PropertyValue", "propertyID": "KRS", "value": "0000412345"},
                                   {"@type": "PropertyValue", "propertyID": "colour", "value": "1234567"}]})
    got = {(t.scheme, t.value, t.valid, t.label) for t in art.tax_ids}
    assert ("pl.nip", "5261040828", True, "vatID") in got  # the PL prefix: Poland's schemes
    assert ("pl.nip", "1234567890", False, "taxID") in got  # the shop's country; a wrong check digit
    assert ("lei", "529900T8BM49AURSDO55", True, "leiCode") in got
    assert ("pl.krs", "0000412345", None, "KRS") in got  # named like an ID label: that label's schemes
    assert len(got) == 4  # "colour" is no ID label
    assert all(t.snippet.startswith("schema.org ") for t in art.tax_ids)


def test_json_ld_ids_near_misses():
    # no country known and no prefix: which scheme it belongs to cannot be told, so it is not claimed
    art = _ld_shop({"@type": "Organization", "taxID": "5261040828"}, url="https://shop.example.com/", lang="")
    assert art.country is None and art.tax_ids == ()
    # not a number, an invalid LEI, a vatID that is not an Organization's
    art = _ld_shop({"@type": "Organization", "vatID": "n/a", "leiCode": "529900T8BM49AURSDO56"})
    assert [(t.scheme, t.valid) for t in art.tax_ids] == [("lei", False)]
    assert _ld_shop({"@type": "Product", "vatID": "PL5261040828"}).tax_ids == ()


def test_an_id_in_the_text_and_in_structured_data_is_reported_once():
    import json

    from trustaudit.extract import extract
    from trustaudit.models import SiteSnapshot

    url = "https://sklep.example.pl/"
    html = (f'<html lang="pl"><head><script type="application/ld+json">'
            f'{json.dumps({"@type": "Organization", "vatID": "PL5261040828"})}</script></head>'
            "<body><p>NIP: 526-104-08-28</p></body></html>")
    snap = SiteSnapshot(target=url, base_url=url, final_url=url, local=False,
                        pages=(FetchedPage(url=url, status=200, text=html),))
    (tid,) = extract(snap).tax_ids
    assert (tid.scheme, tid.value, tid.label) == ("pl.nip", "5261040828", "NIP")  # the text's wins


@pytest.mark.parametrize(
    "org, url, lang, expected",
    [
        ({"@type": "Organization", "taxID": "7707083893",
          "identifier": {"@type": "PropertyValue", "propertyID": "ОГРН", "value": "1147746931617"}},
         "https://magazin.example.ru/", "ru", {("ru.inn", "7707083893", True), ("ru.ogrn", "1147746931617", True)}),
        ({"@type": "Organization", "vatID": "DE136695976"}, "https://shop.example.de/", "de",
         {("de.vat", "136695976", True)}),
        ({"@type": "Store", "vatID": "EL094259216"}, "https://shop.example.gr/", "el", {("gr.vat", "094259216", True)}),
        ({"@type": "OnlineStore", "vatID": "310409885600003"}, "https://shop.example.sa/", "ar",
         {("sa.vat", "310409885600003", True)}),
        ({"@type": "Organization", "vatID": "GB980780684",
          "identifier": [{"@type": "PropertyValue", "propertyID": "Company number", "value": "04663281"}]},
         "https://shop.example.co.uk/", "en", {("gb.vat", "980780684", True), ("gb.crn", "04663281", None)}),
        # of the right kind but mistyped or of the wrong length: reported, and invalid
        ({"@type": "Organization", "taxID": "7707083894"}, "https://magazin.example.ru/", "ru",
         {("ru.inn", "7707083894", False)}),
        ({"@type": "Organization", "vatID": "DE136695977"}, "https://shop.example.de/", "de",
         {("de.vat", "136695977", False)}),
        ({"@type": "Organization", "identifier": {"@type": "PropertyValue", "propertyID": "ОГРНИП",
                                                  "value": "31478470280004"}},
         "https://magazin.example.ru/", "ru", {("ru.ogrn", "31478470280004", False)}),
    ],
)
def test_json_ld_ids_in_several_countries(org, url, lang, expected):
    assert {(t.scheme, t.value, t.valid) for t in _ld_shop(org, url, lang).tax_ids} == expected


@pytest.mark.parametrize(
    "org, url, lang",
    [
        # a product's numbers and an identifier without a label are nobody's tax ID
        ({"@type": "Product", "sku": "7707083893", "gtin13": "4006381333931"}, "https://magazin.example.ru/", "ru"),
        ({"@type": "Organization", "identifier": "7707083893"}, "https://magazin.example.ru/", "ru"),
        ({"@type": "Organization", "identifier": {"@type": "PropertyValue", "propertyID": "Kundennummer",
                                                  "value": "136695976"}}, "https://shop.example.de/", "de"),
        ({"@type": "Offer", "vatID": "EL094259216"}, "https://shop.example.gr/", "el"),
    ],
)
def test_json_ld_ids_near_misses_in_several_countries(org, url, lang):
    assert _ld_shop(org, url, lang).tax_ids == ()
