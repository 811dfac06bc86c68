"""Arabic company names, Saudi and Irish addresses, Polish card payments: gaps found by the practice-rule tests."""

from __future__ import annotations

import pytest

from trustaudit.extract import extract
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.web.html import ParseCache


def _artifacts(body: str, lang: str, country: str | None = None, host: str = "shop.example"):
    url = f"https://{host}/"
    page = FetchedPage(url=url, status=200, text=f"<html lang='{lang}'><body>{body}</body></html>")
    snap = SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,))
    return extract(snap, ParseCache(), country)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("<footer>شركة الأمل للتجارة الرقم الضريبي 300000000000003</footer>", "شركة الأمل للتجارة"),
        ("<footer>مؤسسة النور للإلكترونيات، الرياض</footer>", "مؤسسة النور للإلكترونيات"),
    ],
)
def test_arabic_company_names(text, name):
    a = _artifacts(text, "ar", "SA")
    assert name in [e.snippet for e in a.company_names]


def test_bare_arabic_company_word_is_not_a_name():
    assert _artifacts("<p>عن الشركة</p>", "ar", "SA").company_names == ()


def test_saudi_address_needs_a_street_and_a_postcode():
    a = _artifacts("<footer><p>8228 شارع الأمير سلطان، حي الروضة، الرياض 12345-6789</p></footer>", "ar", "SA")
    assert a.addresses and "12345" in a.addresses[0].text
    assert _artifacts("<p>رقم الطلب 12345</p>", "ar", "SA").addresses == ()


def test_irish_eircode_address():
    a = _artifacts("<footer><p>Unit 4, Main Street, Cork T12 X2Y3</p></footer>", "en", "IE")
    assert a.addresses


@pytest.mark.parametrize("text", ["Płatność kartą lub BLIK", "Akceptujemy płatności kartą"])
def test_polish_card_payment_is_a_method(text):
    assert "credit_card" in [d.slug for d in _artifacts(f"<p>{text}</p>", "pl", "PL").payment_methods]


def test_gift_card_is_not_a_payment_method():
    assert _artifacts("<p>Karta podarunkowa</p>", "pl", "PL").payment_methods == ()
