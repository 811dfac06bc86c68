"""The web layer (trustaudit/web): registrable domains from the Public Suffix List (shipped, never downloaded),
same-site and same-origin tests with and without ports, and the URL forms."""

from __future__ import annotations

import socket

import pytest

from trustaudit.web.sites import registrable_domain, same_origin, same_site, site_of
from trustaudit.web.urls import clean_url, effective_port, host_of, normalize_url, url_key


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.shop.co.uk", "shop.co.uk"),
        ("a.b.sklepik.pl", "sklepik.pl"),
        ("a.b.shop.pl", "b.shop.pl"),  # shop.pl is itself a suffix (like com.pl)
        ("sklep.legtech.pl", "legtech.pl"),
        ("shop.com.pl", "shop.com.pl"),
        ("shop.co.at", "shop.co.at"),  # co.at is a public suffix: a hand-made list said "co.at"
        ("www.shop.co.at", "shop.co.at"),
        ("a.myshopify.com", "a.myshopify.com"),  # private section: every Shopify shop is its own site
        ("b.myshopify.com", "b.myshopify.com"),
        ("shop.github.io", "shop.github.io"),
        ("xn--80ak6aa92e.xn--p1ai", "xn--80ak6aa92e.xn--p1ai"),
        ("shop.test", "shop.test"),  # no listed suffix: the list's default rule
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("myshopify.com", "myshopify.com"),  # a public suffix is its own site
        ("WWW.SKLEPIK.PL.", "sklepik.pl"),
    ],
)
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


def test_the_list_is_shipped_and_never_fetched(monkeypatch):
    """Loading the list opens no connection: it comes with the package."""
    import trustaudit.web.sites as sites

    def no_network(*a, **k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    sites._psl.cache_clear()
    registrable_domain.cache_clear()
    assert registrable_domain("x.shop.co.uk") == "shop.co.uk"


@pytest.mark.parametrize(
    ("url", "site", "same"),
    [
        ("https://help.sklepik.pl/faq", "sklepik.pl", True),
        ("http://www.sklepik.pl/", "https://sklepik.pl/", True),
        ("https://a.myshopify.com/", "b.myshopify.com", False),
        ("https://shop.github.io/", "other.github.io", False),
        ("https://other.co.at/", "shop.co.at", False),
        ("https://shop.co.at.evil.com/", "shop.co.at", False),
        ("http://10.0.0.1/", "10.0.0.2", False),
        ("http://127.0.0.1:8080/", "127.0.0.1", True),  # ports are the caller's business by default
        ("", "sklepik.pl", False),
    ],
)
def test_same_site(url, site, same):
    assert same_site(url, site) is same


@pytest.mark.parametrize(
    ("url", "site", "same"),
    [
        ("https://sklepik.pl/a", "https://sklepik.pl/", True),
        ("http://sklepik.pl/a", "https://sklepik.pl/", True),  # the default port of its own scheme
        ("http://sklepik.pl:8080/", "https://sklepik.pl/", False),  # another port of the same host
        ("https://sklepik.pl:8443/", "https://sklepik.pl:8443/", True),  # the site's own port
        ("https://help.sklepik.pl/", "https://sklepik.pl:8443/", True),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:8000/", False),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/", True),
        ("sklepik.pl", "https://sklepik.pl/", False),  # a bare host has no port to compare
    ],
)
def test_same_site_with_ports(url, site, same):
    assert same_site(url, site, ports=True) is same


def test_same_origin():
    assert same_origin("https://sklepik.pl/a", "https://sklepik.pl:443/b")
    assert not same_origin("http://sklepik.pl/", "https://sklepik.pl/")
    assert not same_origin("https://sklepik.pl/", "https://www.sklepik.pl/")
    assert not same_origin("https://sklepik.pl:8443/", "https://sklepik.pl/")
    assert not same_origin("not a url", "not a url")


def test_url_forms():
    assert host_of("HTTPS://Sklep.PL./x") == "sklep.pl"
    assert host_of("https://пример.рф/") == "xn--e1afmkfd.xn--p1ai"
    assert host_of("http://[::1") == ""
    assert site_of("https://www.shop.co.uk/x") == "shop.co.uk" and site_of("/relative") == ""
    assert effective_port("https://sklepik.pl/") == 443 and effective_port("http://sklepik.pl:81/") == 81
    assert clean_url("HTTPS://Sklepik.PL:443/a?utm_source=x&b=1#top") == "https://sklepik.pl/a?b=1"
    assert url_key("https://sklepik.pl/a/?b=2&a=1") == url_key("https://sklepik.pl/a?a=1&b=2")
    assert normalize_url("http://www.sklepik.pl/kontakt/") == normalize_url("https://sklepik.pl/kontakt")


def _fold_plain(s: str) -> str:
    """fold_text as defined: NFKC, the extra letters, ASCII digits, casefold, no combining marks, NFC."""
    import unicodedata

    from trustaudit.web.text import _EXTRA, DIGITS

    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s).translate(_EXTRA).translate(DIGITS).casefold()
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", s)


def test_fold_text_shortcuts_give_the_plain_definition():
    import random
    import unicodedata

    from trustaudit.web.text import fold_text

    # the shortcut for text without characters above Latin-1 after NFD rests on this
    assert not any(unicodedata.combining(chr(c)) for c in range(256))
    rng = random.Random(11)
    pool = [chr(c) for c in range(0, 0x3100, 3)] + list("ąęłŁßẞﬁ٣۵ΆάΐЁёǅ`´’\u0301\u0308\u0640\u00ad\u200bİı\U0001d7ce")
    for s in ["", "`Kontakt`", "Zwroty i reklamacje", "Polityka prywatności", "ΕΠΙΚΟΙΝΩΝΙΑ", "اتصل بنا ٣"]:
        assert fold_text(s) == _fold_plain(s), s
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 25)))
        assert fold_text(s) == _fold_plain(s), repr(s)


@pytest.mark.parametrize("raw, word", [
    ("نقداً", "نقدا"),  # tanween after the alef
    ("نقدًا", "نقدا"),  # tanween before it: the mark stood inside the word
    ("الدَّفْعُ", "الدفع"),  # shadda, sukun, damma
    ("مـــدى", "مدى"),  # tatweel
    ("Zahlungs\u00adarten", "zahlungsarten"),  # soft hyphen
    ("Rechnun\u200bg", "rechnung"),  # zero-width space
    ("cafe\u0301", "cafe"),  # a decomposed accent
    ("Καλάθι", "καλαθι"),
])
def test_fold_same_length_drops_marks_inside_words_as_fold_does(raw, word):
    from trustaudit.web.text import PAD, fold, fold_same_length

    folded = fold_same_length(f"x {raw} y")
    assert len(folded) == len(raw) + 4
    assert folded.split()[1] == word == fold(raw)
    assert folded.replace(PAD, "") == f"x {word} y"


def test_word_end_maps_a_folded_word_back_to_the_raw_text():
    from trustaudit.web.text import fold_same_length, word_end

    raw = "طرق الدفع: نقدًا، مدى"
    folded = fold_same_length(raw)
    start = folded.index("نقدا")
    end = word_end(raw, folded, start + 4)
    assert raw[start:end] == "نقدًا" and raw[end] == "،"
    plain = "cash, card"
    assert word_end(plain, fold_same_length(plain), 4) == 4  # nothing moved: the same offset


@pytest.mark.parametrize("text, n", [("Zahlungs\u00adarten", 1), ("نقدًا", 1), ("Płatność", 0), ("abc", 0)])
def test_marks_are_moved_on_every_path_of_fold_same_length(text, n):
    from trustaudit.web import text as t

    # the charmap path and the plain translate path (a page of more than 256 distinct characters) agree
    wide = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 300))
    for s in (text, text + " " + wide):
        folded = t.fold_same_length(s)
        assert len(folded) == len(s) and folded.count(t.PAD) == n
