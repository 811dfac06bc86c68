"""E-mails and phones: positives, obfuscations, and the near-misses that must not be reported."""

from __future__ import annotations

import pytest

from trustaudit.extract.emails import clean_address, decode_cfemail, extract_emails
from trustaudit.extract.phones import extract_phones, parse_number
from trustaudit.models import FetchedPage
from trustaudit.web.html import ParsedPage


def page(body: str, url: str = "https://shop.example.pl/") -> ParsedPage:
    return ParsedPage(FetchedPage(url=url, status=200, text=f"<html><body>{body}</body></html>"))


def emails(body: str) -> list[str]:
    return [e.address for e in extract_emails(page(body))]


def phones(body: str, region: str | None = "PL") -> list[str]:
    return [p.e164 for p in extract_phones(page(body), region)]


# --------------------------------------------------------------------------- e-mails


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<p>Napisz: biuro@sklep.pl</p>", ["biuro@sklep.pl"]),
        ('<a href="mailto:Info@Shop.DE?subject=Hi">write</a>', ["info@shop.de"]),
        ("<p>kontakt [at] sklep [dot] pl</p>", ["kontakt@sklep.pl"]),
        ("<p>kontakt (at) sklep.pl</p>", ["kontakt@sklep.pl"]),
        ("<p>sales at shop dot co dot uk</p>", ["sales@shop.co.uk"]),
        ("<p>info (małpa) sklep (kropka) pl</p>", ["info@sklep.pl"]),
        ("<p>shop&#64;example-store.com</p>", ["shop@example-store.com"]),
        ("<p>a@shop.pl and A@SHOP.PL</p>", ["a@shop.pl"]),
    ],
)
def test_email_positives(body, expected):
    assert emails(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        '<img src="logo@2x.png"><p>logo@2x.png</p>',
        "<p>you@example.com</p>",
        "<p>email@domain.com</p>",
        "<p>name@yourdomain.com</p>",
        "<p>605a7baede844d278b89dc95ae0a9123@sentry-next.wixpress.com</p>",
        "<script>var a='hidden@shop.pl';</script>",
        "<p>we meet at noon</p>",
    ],
)
def test_email_near_misses(body):
    assert emails(body) == []


def test_cloudflare_cfemail_decoded():
    # "info@shop.pl" XOR 0x42
    key = 0x42
    enc = bytes([key]) + bytes(b ^ key for b in b"info@shop.pl")
    assert decode_cfemail(enc.hex()) == "info@shop.pl"
    body = f'<a href="/cdn-cgi/l/email-protection" class="__cf_email__" data-cfemail="{enc.hex()}">[email protected]</a>'
    assert emails(body) == ["info@shop.pl"]
    assert decode_cfemail("zz") is None


def test_clean_address_rejects_file_names():
    assert clean_address("icon@2x.webp") is None
    assert clean_address("mailto:Biuro@Sklep.pl") == "biuro@sklep.pl"


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "body, region, expected",
    [
        ('<a href="tel:+48 603 177 807">zadzwoń</a>', "PL", ["+48603177807"]),
        ('<a href="callto:88003332134">call</a>', "RU", ["+78003332134"]),
        ("<p>Telefon: 603 177 807</p>", "PL", ["+48603177807"]),
        ("<p>Тел.: 8 (495) 648-31-32</p>", "RU", ["+74956483132"]),
        ("<p>Τηλ: 210 3234567</p>", "GR", ["+302103234567"]),
        ("<p>هاتف: 0112345678</p>", "SA", ["+966112345678"]),
        ("<p>Kundenservice 02973 97 91 20</p>", "DE", ["+492973979120"]),
        ("<p>Tlf.: 3123 6110</p>", "DK", ["+4531236110"]),
        ("<p>Hotline: +44 20 7946 0958</p>", None, ["+442079460958"]),
        ("<p>Call us</p><p>0844 822 1010</p>", "GB", ["+448448221010"]),
        ("<div>Infolinia</div><div>1-800-226-7667</div>", "US", ["+18002267667"]),
        ("<p>TEL/FAX: +48 76 743 64 21</p>", "PL", ["+48767436421"]),
    ],
)
def test_phone_positives(body, region, expected):
    assert phones(body, region) == expected


@pytest.mark.parametrize(
    "body, region",
    [
        ("<p>NIP: 691-250-41-99</p>", "PL"),
        ("<p>ИНН 7709960645</p>", "RU"),
        ("<p>Zamówienie nr 603177807</p>", "PL"),
        ("<p>Cena: 603 177 807 zł</p>", "PL"),
        ("<p>Fax: 22 123 45 67</p>", "PL"),
        ("<p>Tel: 22 123 45 67, Fax: 22 765 43 21</p>", "PL"),
        ("<p>Data: 12.10.2019</p>", "PL"),
        ("<p>00-950 Warszawa</p>", "PL"),
        ("<p>Artikelnummer 0297397912</p>", "DE"),
    ],
)
def test_phone_near_misses(body, region):
    got = phones(body, region)
    if "Tel: 22 123 45 67" in body:
        assert got == ["+48221234567"]  # the fax after it is dropped
    else:
        assert got == []


def test_parse_number_rejects_garbage():
    assert parse_number("12", "PL") is None
    assert parse_number("+999 123", None) is None
    assert parse_number("٠١١٢٣٤٥٦٧٨", "SA") == "+966112345678"  # Arabic-Indic digits
