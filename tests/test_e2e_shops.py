"""Whole audits of shops served by real loopback servers (HTTPS with trustme certificates)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from servers import TestServer, html, redirect

from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan
from trustaudit.render import render

FOOTER_PL = """
<footer class="site-footer">
 <p><strong>Herbapol Sklep Sp. z o.o.</strong>, ul. Długa 5, 00-950 Warszawa</p>
 <p>NIP: 525-224-84-81, REGON: 123456785, KRS: 0000123456</p>
 <p>Tel. <a href="tel:+48221234567">+48 22 123 45 67</a> (pon.–pt. 8:00–16:00),
    e-mail: <a href="mailto:kontakt@herbapol-sklep.example">kontakt@herbapol-sklep.example</a></p>
 <nav><a href="/kontakt">Kontakt</a> <a href="/o-nas">O nas</a> <a href="/regulamin">Regulamin</a>
  <a href="/polityka-prywatnosci">Polityka prywatności</a> <a href="/zwroty">Zwroty i odstąpienie od umowy</a>
  <a href="/reklamacje">Reklamacje</a> <a href="/dostawa">Dostawa</a> <a href="/platnosci">Formy płatności</a>
  <a href="/faq">FAQ</a> <a href="/status-zamowienia">Status zamówienia</a></nav>
 <p><a href="https://www.facebook.com/herbapolsklep">Facebook</a> <a href="https://www.instagram.com/herbapolsklep/">Instagram</a></p>
 <p>Płatności: Przelewy24, BLIK, karta, przelew, za pobraniem</p>
</footer>
<script src="https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js" async></script>
<script src="//code.tidio.co/abcdefghijklmnopqrstuvwxyz123456.js" async></script>
"""


def _pl(title: str, body: str) -> bytes:
    return f"""<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><a href="/">Herbapol Sklep</a></header><main><h1>{title}</h1>{body}</main>{FOOTER_PL}</body></html>""".encode()


PL_SHOP = {
    "/": html(_pl("Herbaty i zioła", '<div class="trustpilot-widget" data-businessunit-id="x"></div>'
                  '<div itemscope itemtype="https://schema.org/AggregateRating">'
                  '<span itemprop="ratingValue">4.8</span> / <span itemprop="reviewCount">1214</span> opinii</div>'),
              headers={"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}),
    "/kontakt": html(_pl("Kontakt", "<p>Odpowiadamy w ciągu 24 godzin.</p><form><input type=email name=email>"
                                    "<textarea name=message></textarea><button>Wyślij</button></form>")),
    "/o-nas": html(_pl("O nas", "<p>Od 1998 roku sprzedajemy zioła.</p>")),
    "/regulamin": html(_pl("Regulamin sklepu", "<p>Konsument może odstąpić od umowy w terminie 14 dni bez podania przyczyny.</p>")),
    "/polityka-prywatnosci": html(_pl("Polityka prywatności", "<p>Administratorem danych jest …</p>")),
    "/zwroty": html(_pl("Zwroty", "<p>Masz 14 dni na zwrot towaru. Formularz zwrotu do pobrania.</p>")),
    "/reklamacje": html(_pl("Reklamacje", "<p>Reklamacje rozpatrujemy w ciągu 14 dni.</p>")),
    "/dostawa": html(_pl("Dostawa", "<p>Koszt dostawy: kurier 15 zł. Czas dostawy: 1-2 dni robocze.</p>")),
    "/platnosci": html(_pl("Formy płatności", "<p>BLIK, Przelewy24, karta płatnicza, za pobraniem.</p>")),
    "/faq": html(_pl("Najczęściej zadawane pytania", "<p>Jak długo trwa dostawa?</p>")),
    "/status-zamowienia": html(_pl("Status zamówienia", "<form><input name=order></form>")),
    "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
}

POOR_EN_SHOP = {
    "/": html(b"""<!doctype html><html lang="en"><head><title>BEST DEALS 90% OFF</title></head><body>
<h1>Cheap watches</h1><p>Lorem ipsum dolor sit amet. Order now!</p>
<a href="/products">Products</a> <a href="/cart">Cart</a></body></html>"""),
    "/products": html(b"<html lang=en><body><p>Watch $9.99</p><a href='/'>Home</a></body></html>"),
    "/cart": html(b"<html lang=en><body><p>Your cart is empty</p></body></html>"),
}

RU_TEXT = """<html><head><title>Магазин посуды</title></head><body>
<h1>Посуда из стекла</h1>
<a href="/kontakty">Контакты</a> <a href="/dostavka">Доставка и оплата</a> <a href="/vozvrat">Возврат товара</a>
<a href="/oferta">Публичная оферта</a>
<footer>ООО «Загранторг», 125009, г. Москва, ул. Тверская, д. 1. ИНН 7709960645, ОГРН 1147746931617.
Телефон: +7 (495) 648-31-32</footer></body></html>"""


def _cp1251(text: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=windows-1251"}, text.encode("cp1251")


RU_SHOP = {
    "/": _cp1251(RU_TEXT),
    "/kontakty": _cp1251("<html><body><h1>Контакты</h1><p>Пишите: shop@zagrantorg.example</p></body></html>"),
    "/dostavka": _cp1251("<html><body><h1>Доставка и оплата</h1><p>Доставка по Москве 300 руб.</p></body></html>"),
    "/vozvrat": _cp1251("<html><body><h1>Возврат товара</h1><p>Вернуть товар можно в течение 7 дней.</p></body></html>"),
    "/oferta": _cp1251("<html><body><h1>Публичная оферта</h1></body></html>"),
}


@pytest.fixture
def schema():
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parents[1] / "trustaudit/schema/report.schema.json").read_text())


def _checks(report):
    return {c.id: c.status.value for c in report.checks}


def test_well_kept_polish_shop(serve, certs, ca_bundle, schema):
    shop = serve(PL_SHOP, ssl_context=certs.valid())
    http = serve({"/": redirect(shop.url + "/", 301)})
    report = scan(shop.url + "/", ScanOptions(ca_bundle=ca_bundle, timeout=5), http_port=http.port)
    st = _checks(report)
    assert report.tls["https"] is True and report.tls["valid"] is True and report.tls["hsts"] is True
    assert report.tls["http_redirects_to_https"] is True
    for rid in ("security.https", "security.certificate-valid", "security.hsts", "security.http-redirect",
                "contact.email", "contact.phone", "contact.page", "legal.pl-nip", "legal.ids-valid",
                "policies.terms", "policies.privacy", "policies.returns", "policies.complaints",
                "policies.delivery", "support.faq", "reviews.visible"):
        assert st[rid] == "pass", (rid, st[rid])
    assert report.country == "PL" and report.language == "pl"
    assert report.score >= 75, report.score
    sig = report.signals
    assert {"scheme": "pl.nip", "value": "5252248481", "valid": True}.items() <= sig["tax_ids"][0].items()
    assert sig["pages"]["returns"].endswith("/zwroty")
    assert "trustpilot" in sig["reviews"]["widgets"]
    jsonschema.validate(json.loads(render(report, "json")), schema)


def test_poor_english_shop(serve):
    shop = serve(POOR_EN_SHOP)
    report = scan(shop.url + "/", ScanOptions(timeout=5), http_port=shop.port)
    st = _checks(report)
    assert st["security.https"] == "fail"
    for rid in ("contact.email", "contact.phone", "contact.address", "policies.terms", "policies.returns",
                "policies.privacy"):
        assert st[rid] == "fail", rid
    assert st["content.placeholder-text"] == "fail"
    assert report.score < 40, report.score
    failed = [c for c in report.checks if c.status.value == "fail"]
    assert all(c.fix for c in failed)


def test_russian_shop_in_windows_1251(serve):
    shop = serve(RU_SHOP)
    report = scan(shop.url + "/", ScanOptions(timeout=5), http_port=shop.port)
    sig = report.signals
    assert report.language == "ru" and report.country == "RU"
    ids = {(t["scheme"], t["value"], t["valid"]) for t in sig["tax_ids"]}
    assert ("ru.inn", "7709960645", True) in ids and ("ru.ogrn", "1147746931617", True) in ids
    assert "+74956483132" in sig["phones"]
    assert sig["pages"]["contact"].endswith("/kontakty")
    assert sig["pages"]["delivery"].endswith("/dostavka")
    assert sig["pages"]["returns"].endswith("/vozvrat")
    assert "shop@zagrantorg.example" in sig["emails"]
    st = _checks(report)
    assert st["legal.ru-inn"] == "pass" and st["legal.ru-ogrn"] == "pass"
    assert st["legal.pl-nip"] == "not_applicable"


def test_expired_certificate_is_a_finding_not_a_crash(serve, certs, ca_bundle):
    shop = serve(PL_SHOP, ssl_context=certs.expired())
    report = scan(shop.url + "/", ScanOptions(ca_bundle=ca_bundle, timeout=5), http_port=shop.port)
    st = _checks(report)
    assert report.tls["valid"] is False and "expired" in (report.tls["error"] or "")
    assert st["security.certificate-valid"] == "fail"
    assert st["security.certificate-expiry"] == "fail"
    # the content was still audited
    assert st["contact.email"] == "pass"
    assert isinstance(report.score, int)


def test_bot_protection_is_inconclusive(serve):
    shop = serve({"/": html(b"<html><title>Just a moment...</title><body>Checking your browser</body></html>",
                            status=403, headers={"cf-ray": "abc", "server": "cloudflare"})})
    report = scan(shop.url + "/", ScanOptions(timeout=3), http_port=shop.port)
    assert report.score is None and report.grade is None and report.inconclusive
    assert all(c.status.value in ("error", "not_applicable", "manual") for c in report.checks
               if not c.id.startswith("security."))


def test_robots_txt_is_honoured(serve):
    shop = serve({**POOR_EN_SHOP, "/robots.txt": (200, {"Content-Type": "text/plain"},
                                                  b"User-agent: *\nDisallow: /products\n")})
    scan(shop.url + "/", ScanOptions(timeout=3), http_port=shop.port)
    assert "/products" not in shop.paths()
    assert "/cart" in shop.paths()


def test_server_unused_in_local_scan(tmp_path):
    # a saved mirror whose links point at a live server: nothing may be fetched from it
    srv = TestServer({"/": html(b"<html></html>")}).start()
    try:
        (tmp_path / "index.html").write_text(
            f'<html lang="en"><body><a href="{srv.url}/contact">Contact</a><a href="about.html">About us</a></body></html>',
            encoding="utf-8")
        (tmp_path / "about.html").write_text("<html><body><h1>About us</h1></body></html>", encoding="utf-8")
        report = scan(str(tmp_path))
        assert srv.paths() == []
        assert any(p["url"].endswith("about.html") for p in report.pages_fetched)
    finally:
        srv.stop()


@pytest.mark.parametrize(
    ("variant", "failing"),
    [
        ("expired", {"security.certificate-valid", "security.certificate-expiry"}),
        ("not_yet_valid", {"security.certificate-valid"}),
        ("wrong_host", {"security.certificate-valid", "security.hostname-match"}),
        ("self_signed", {"security.certificate-valid"}),
        ("unknown_ca", {"security.certificate-valid"}),
        ("incomplete_chain", {"security.certificate-valid"}),
        ("weak_key", {"security.certificate-valid"}),
        ("old_protocol", {"security.certificate-valid", "security.tls-protocol"}),
    ],
)
def test_tls_matrix_gives_failing_checks_in_the_report(serve, certs, ca_bundle, variant, failing):
    try:
        ctx = getattr(certs, variant)()
    except (ValueError, RuntimeError, OSError) as exc:
        pytest.skip(f"local OpenSSL cannot serve {variant}: {exc}")
    shop = serve(PL_SHOP, ssl_context=ctx)
    report = scan(shop.url + "/", ScanOptions(ca_bundle=ca_bundle, timeout=3, max_pages=3), http_port=shop.port)
    if variant == "old_protocol" and report.tls["protocol"] is None:
        pytest.skip("local OpenSSL refuses TLS 1.0 even without verification")
    st = _checks(report)
    for rid in failing:
        assert st[rid] == "fail", (variant, rid, st[rid], report.tls["error"])
    assert st["security.https"] == "pass"
    assert st["contact.email"] == "pass"  # the content was still audited
