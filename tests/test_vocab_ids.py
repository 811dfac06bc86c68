"""IDs labelled only in a title attribute, and IDs of the right kind but the wrong length (reported invalid)."""

from __future__ import annotations

import pytest

from trustaudit.extract.ids import extract_ids
from trustaudit.models import FetchedPage
from trustaudit.web.html import ParsedPage


def ids(body: str, country: str | None) -> list[tuple[str, str, bool | None]]:
    pp = ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=f"<html><body>{body}</body></html>"))
    return [(t.scheme, t.value, t.valid) for t in extract_ids(pp, country)]


@pytest.mark.parametrize(
    "body, country, expected",
    [
        ('<a href="#" title="الرقم الضريبي">310409885600003</a>', "SA", ("sa.vat", "310409885600003", True)),
        ('<span title="NIP">123-456-32-18</span>', "PL", ("pl.nip", "1234563218", True)),
        ('<span title="ИНН">7707083893</span>', "RU", ("ru.inn", "7707083893", True)),
        ('<span aria-label="USt-IdNr.">DE 136 695 976</span>', "DE", ("de.vat", "136695976", True)),
        ('<abbr title="Α.Φ.Μ.">094259216</abbr>', "GR", ("gr.vat", "094259216", True)),
    ],
)
def test_label_only_in_title(body, country, expected):
    assert expected in ids(body, country)


@pytest.mark.parametrize(
    "body, country",
    [
        ('<a title="Zadzwoń do nas">22 123 45 67</a>', "PL"),  # a title that is no ID label
        ('<a title="Посмотреть товар">Артикул 7707083893</a>', "RU"),
        ('<span title="NIP">Zapytaj o fakturę dla firmy, tel. 22 123 45 67 (pn-pt)</span>', "PL"),  # not the value
    ],
)
def test_title_near_misses(body, country):
    assert ids(body, country) == []


@pytest.mark.parametrize(
    "body, country, expected",
    [
        ("<p>ИП Калинина О.А. ОГРНИП №31478470280004. ИНН 781626309044.</p>", "RU", ("ru.ogrn", "31478470280004")),
        ("<p>ООО «Ромашка», ИНН 77070838930</p>", "RU", ("ru.inn", "77070838930")),  # 11 digits: 10 or 12 expected
        ("<p>REGON: 12345678</p>", "PL", ("pl.regon", "12345678")),
        ("<p>NIP 526-104-08-2</p>", "PL", ("pl.nip", "526104082")),
        ("<p>ΑΦΜ: 0942592161</p>", "GR", ("gr.vat", "0942592161")),
        ("<p>الرقم الضريبي: 31040988560000</p>", "SA", ("sa.vat", "31040988560000")),
    ],
)
def test_malformed_ids_are_reported_invalid(body, country, expected):
    got = {(s, v): valid for s, v, valid in ids(body, country)}
    assert expected in got and got[expected] is False, got


@pytest.mark.parametrize(
    "body, country",
    [
        ("<p>ИНН 7707083893, р/с 40702810938000012345</p>", "RU"),  # the bank account is not an ID
        ("<p>NIP: 123-456-32-18, tel. 22 123 45 67</p>", "PL"),  # the phone after a valid NIP is not a malformed NIP
        ("<p>inkl. 19% USt, Artikel 1234567</p>", "DE"),
        ("<p>REGON 123</p>", "PL"),  # far too short: not a number of that kind at all
    ],
)
def test_malformed_near_misses(body, country):
    got = ids(body, country)
    assert all(valid is not False for _s, _v, valid in got), got
