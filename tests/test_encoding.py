"""decode_html: BOM, HTTP charset, <meta>, detection, WHATWG label quirks, hostile labels."""

from __future__ import annotations

import codecs

import pytest

from trustaudit.crawl.encoding import decode_html, looks_binary, normalize_label

RU = (
    "<html><head><title>Интернет-магазин</title></head><body><h1>Добро пожаловать в наш магазин</h1>"
    "<p>Контакты: ООО 'Ромашка', ИНН 7707083893, г. Москва, ул. Ленина 1. Доставка по всей России. "
    "Политика конфиденциальности. Возврат товара в течение 14 дней.</p></body></html>"
)
PL = (
    "<html><body><p>Sklep internetowy. Zażółć gęślą jaźń. Regulamin sklepu, polityka prywatności, "
    "kontakt: ul. Świętokrzyska 12, Łódź. Zwroty i reklamacje.</p></body></html>"
)
GR = (
    "<html><body><p>Ηλεκτρονικό κατάστημα. Επικοινωνία, όροι χρήσης, πολιτική απορρήτου. "
    "Αποστολή σε όλη την Ελλάδα.</p></body></html>"
)
AR = "<html><body><p>متجر إلكتروني. اتصل بنا، الشروط والأحكام، سياسة الخصوصية. الشحن إلى جميع أنحاء المملكة.</p></body></html>"


@pytest.mark.parametrize(
    ("text", "codec", "label"),
    [(RU, "cp1251", "windows-1251"), (PL, "cp1250", "windows-1250"), (GR, "cp1253", "windows-1253"),
     (AR, "cp1256", "windows-1256")],
)
def test_undeclared_legacy_encodings_are_detected(text, codec, label):
    decoded, enc = decode_html(text.encode(codec), "text/html")
    assert decoded == text
    assert enc == label


@pytest.mark.parametrize("codec", ["cp1250", "iso-8859-2", "cp1251", "koi8-r", "iso-8859-5", "cp1253", "iso-8859-7",
                                   "cp1256", "iso-8859-6", "utf-8"])
def test_http_charset_wins(codec):
    text = {"cp1250": PL, "iso-8859-2": PL, "cp1253": GR, "iso-8859-7": GR, "cp1256": AR, "iso-8859-6": AR}.get(codec, RU)
    decoded, _ = decode_html(text.encode(codec), f"text/html; charset={codec.upper()}")
    assert decoded == text


def test_meta_charset_and_http_equiv():
    body = '<html><head><meta charset="windows-1250"></head><body>Łódź</body></html>'.encode("cp1250")
    assert "Łódź" in decode_html(body, "text/html")[0]
    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
            "</head><body>Świętokrzyska</body></html>").encode("iso-8859-2")
    text, enc = decode_html(body, None)
    assert "Świętokrzyska" in text and enc == "iso-8859-2"


def test_bom_beats_everything():
    body = codecs.BOM_UTF8 + "Zażółć".encode()
    assert decode_html(body, "text/html; charset=windows-1251") == ("Zażółć", "utf-8")
    body = codecs.BOM_UTF16_LE + "Привет".encode("utf-16-le")
    assert decode_html(body, None)[0] == "Привет"


def test_iso_8859_1_means_windows_1252():
    body = "<p>Price \u20ac5 \u2013 caf\u00e9</p>".encode("cp1252")  # euro sign and en dash are 0x80 / 0x96
    text, enc = decode_html(body, "text/html; charset=ISO-8859-1")
    assert "\u20ac5 \u2013 café" in text
    assert enc == "windows-1252"


@pytest.mark.parametrize("label", ["bogus-charset", "x" * 200, "utf-8\x00", "rot13", "base64", "", "'\"", "zlib"])
def test_bogus_labels_do_not_crash(label):
    text, enc = decode_html("<p>zażółć</p>".encode(), f"text/html; charset={label}")
    assert "zażółć" in text and enc == "utf-8"


def test_meta_bogus_and_truncated_utf8():
    body = b'<meta charset="no-such-thing"><p>' + "żółw".encode() + "ż".encode()[:1]
    text, enc = decode_html(body, None)
    assert text.startswith('<meta charset="no-such-thing"><p>żółw') and enc == "utf-8"


def test_normalize_label():
    assert normalize_label("latin1") == "cp1252"
    assert normalize_label("Windows-1251") == "cp1251"
    assert normalize_label("nope") is None
    assert normalize_label(None) is None


def test_looks_binary():
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert looks_binary(b"<html>\x00\x01\x02")
    assert looks_binary(b"%PDF-1.7 ...")
    assert not looks_binary(b"<html><body>ok</body></html>")
    assert not looks_binary(codecs.BOM_UTF16_LE + "<html>".encode("utf-16-le"))
    assert not looks_binary(b"")


# --------------------------------------------------------------------------- WHATWG labels only


@pytest.mark.parametrize("label", ["utf-7", "UTF-32", "utf-32le", "cp037", "punycode", "rot13", "idna", "iso-2022-kr",
                                   "hz-gb-2312", "replacement", "mbcs", "unicode_escape", "raw_unicode_escape"])
def test_labels_outside_the_encoding_standard_are_not_honoured(label):
    text, enc = decode_html("<p>Zażółć gęślą jaźń</p>".encode(), f"text/html; charset={label}")
    assert text == "<p>Zażółć gęślą jaźń</p>" and enc == "utf-8"
    assert normalize_label(label) is None


@pytest.mark.parametrize(("label", "sample", "codec", "name"), [
    ("gb2312", "网上商店 联系我们", "gb18030", "gbk"),
    ("x-sjis", "お問い合わせ", "cp932", "shift_jis"),
    ("ks_c_5601-1987", "고객센터", "cp949", "euc-kr"),
    ("latin1", "Café – 5 €", "cp1252", "windows-1252"),
    ("x-mac-cyrillic", "Контакты", "mac-cyrillic", "x-mac-cyrillic"),
])
def test_whatwg_labels_map_to_what_browsers_use(label, sample, codec, name):
    text, enc = decode_html(f"<p>{sample}</p>".encode(codec), f"text/html; charset={label}")
    assert text == f"<p>{sample}</p>" and enc == name


def test_meta_x_user_defined_means_windows_1252():
    body = "<meta charset='x-user-defined'><p>Caf\u00e9</p>".encode("cp1252")
    assert decode_html(body, None) == ("<meta charset='x-user-defined'><p>Café</p>", "windows-1252")


def test_a_few_nul_bytes_do_not_make_a_page_binary():
    body = b"<html><body><p>Sklep\x00 internetowy</p>\x00\x01 kontakt</body></html>" + b" " * 200
    assert not looks_binary(body)
    assert looks_binary(bytes(range(32)) * 20)


# --------------------------------------------------------------------------- a stale legacy <meta> on UTF-8 bytes

SAVED = {
    "de": ("iso-8859-1", "cp1252", "Größe, Grüße aus München – Rückgabe innerhalb von 14 Tagen. Straße 5"),
    "pl": ("windows-1250", "cp1250", "Zwroty i reklamacje: Świętokrzyska 12, Łódź. Zażółć gęślą jaźń"),
    "ru": ("windows-1251", "cp1251", "Доставка по всей России. Возврат товара в течение 14 дней"),
    "el": ("windows-1253", "cp1253", "Επικοινωνία, όροι χρήσης, πολιτική απορρήτου. Αποστολή σε όλη την Ελλάδα"),
    "cs": ("iso-8859-2", "iso8859-2", "Obchodní podmínky, reklamační řád, ochrana osobních údajů. Žluťoučký kůň"),
    "ar": ("windows-1256", "cp1256", "اتصل بنا، سياسة الاسترجاع، الشحن إلى جميع مدن المملكة خلال ثلاثة أيام"),
}


def _saved_page(label: str, text: str) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}"></head><body>{text}</body></html>'


@pytest.mark.parametrize("lang", sorted(SAVED))
def test_utf8_bytes_under_a_legacy_meta_are_read_as_utf8(lang):
    label, _codec, text = SAVED[lang]
    decoded, enc = decode_html(_saved_page(label, text).encode("utf-8"), None)
    assert text in decoded and enc == "utf-8"
    decoded, enc = decode_html(_saved_page(label, text).encode("utf-8"), "text/html")  # no charset in the header
    assert text in decoded and enc == "utf-8"


@pytest.mark.parametrize("lang", sorted(SAVED))
def test_real_legacy_bytes_keep_their_declared_charset(lang):
    """The near miss: the same page really in the declared encoding is not valid UTF-8, and is read as declared."""
    label, codec, text = SAVED[lang]
    decoded, enc = decode_html(_saved_page(label, text).encode(codec), None)
    assert text in decoded and enc == normalize_label(label).replace("cp", "windows-").replace("iso8859", "iso-8859")


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_an_http_charset_still_wins_over_the_bytes(lang):
    """A charset in the HTTP header is what browsers use, even for bytes that look like UTF-8."""
    label, codec, text = SAVED[lang]
    body = _saved_page(label, text).encode("utf-8")
    decoded, enc = decode_html(body, f"text/html; charset={label}")
    assert text not in decoded and decoded == body.decode(codec, "replace")
