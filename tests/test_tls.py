"""TLS facts against real HTTPS servers on 127.0.0.1 with trustme certificates (badssl.com-style variants)."""

from __future__ import annotations

import ssl

import pytest
import trustme
from cryptography import x509
from servers import free_port, html, redirect

from trustaudit.crawl import TargetError, crawl
from trustaudit.crawl.tls import check_tls_blocking, hostname_matches, parse_hsts
from trustaudit.options import ScanOptions

HOME = html(
    "<html><body><footer><a href='/kontakt'>Kontakt</a></footer></body></html>",
    headers={"Strict-Transport-Security": "max-age=31536000; includeSubDomains"},
)
ROUTES = {"/": HOME, "/kontakt": html("<html><body><p>tel. 123 456 789</p></body></html>")}


def _opts(ca_bundle: str, **kw) -> ScanOptions:
    return ScanOptions(timeout=2.0, total_timeout=10.0, max_pages=5, ca_bundle=ca_bundle, **kw)


def _server_context(certs, variant: str) -> ssl.SSLContext:
    try:
        return getattr(certs, variant)()
    except (ssl.SSLError, ValueError, RuntimeError) as e:
        pytest.skip(f"local OpenSSL cannot serve the {variant} variant: {e}")


@pytest.mark.parametrize(
    ("variant", "error"),
    [
        ("expired", "certificate has expired"),
        ("not_yet_valid", "certificate is not yet valid"),
        ("wrong_host", "hostname mismatch"),
        ("self_signed", "self-signed certificate"),
        ("unknown_ca", "unable to get local issuer certificate"),
        ("incomplete_chain", "unable to get local issuer certificate"),
        ("weak_key", "too weak"),
        ("old_protocol", "obsolete protocol TLSv1"),
    ],
)
def test_bad_certificates_are_findings_not_crashes(serve, certs, ca_bundle, variant, error):
    srv = serve(ROUTES, ssl_context=_server_context(certs, variant))
    snap = crawl(srv.url + "/", _opts(ca_bundle))
    tls = snap.tls
    if variant == "old_protocol" and tls.protocol is None:
        pytest.skip(f"local OpenSSL refuses TLS 1.0 even without verification: {tls.error}")
    assert tls.checked and tls.https is True
    assert tls.valid is False
    assert error in (tls.error or ""), tls.error
    # the content is still audited, over an unverified connection
    assert [p.url.rsplit("/", 1)[1] for p in snap.pages] == ["", "kontakt"]
    assert tls.hsts is True and tls.hsts_max_age == 31536000
    assert tls.subject and tls.issuer and tls.not_after
    if variant == "expired":
        assert tls.days_left is not None and tls.days_left < 0
    if variant == "not_yet_valid":
        assert tls.days_left is not None and tls.days_left > 0
    if variant == "wrong_host":
        assert tls.hostname_match is False
    else:
        assert tls.hostname_match is True
    assert tls.self_signed is (variant == "self_signed")
    if variant == "weak_key":
        assert (tls.key_type, tls.key_bits) == ("RSA", 1024)
    if variant == "old_protocol":
        assert tls.protocol == "TLSv1"


def test_valid_certificate(serve, certs, ca_bundle):
    srv = serve(ROUTES, ssl_context=certs.valid())
    snap = crawl(srv.url + "/", _opts(ca_bundle))
    tls = snap.tls
    assert tls.valid is True and tls.error is None and tls.checked
    assert tls.hostname_match is True and tls.self_signed is False
    assert tls.protocol in ("TLSv1.2", "TLSv1.3")
    assert tls.key_type == "EC secp256r1" and tls.key_bits == 256
    assert tls.not_before.endswith("Z") and tls.days_left > 300
    assert "trustme" in tls.issuer
    assert len(snap.pages) == 2 and not snap.errors


def test_untrusted_without_our_ca_bundle(serve, certs, monkeypatch, tmp_path):
    srv = serve(ROUTES, ssl_context=certs.valid())
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    snap = crawl(srv.url + "/", ScanOptions(timeout=2.0, total_timeout=10.0))  # certifi: test CA unknown
    assert snap.tls.valid is False and "local issuer" in snap.tls.error
    assert len(snap.pages) == 2


def test_ssl_cert_file_env_is_honoured(serve, certs, ca_bundle, monkeypatch):
    srv = serve(ROUTES, ssl_context=certs.valid())
    monkeypatch.setenv("SSL_CERT_FILE", ca_bundle)
    snap = crawl(srv.url + "/", ScanOptions(timeout=2.0, total_timeout=10.0))
    assert snap.tls.valid is True


def test_missing_ca_bundle_is_a_target_error(serve, certs, tmp_path):
    srv = serve(ROUTES, ssl_context=certs.valid())
    with pytest.raises(TargetError, match="CA bundle"):
        crawl(srv.url + "/", ScanOptions(timeout=2.0, ca_bundle=str(tmp_path / "nope.pem")))


@pytest.mark.parametrize(("http_route", "expected"), [("redirect", True), ("plain", False), ("none", None)])
def test_http_redirects_to_https(serve, certs, ca_bundle, http_route, expected):
    srv = serve(ROUTES, ssl_context=certs.valid())
    if http_route == "none":
        port = free_port()
    else:
        plain = serve({"/": redirect(srv.url + "/", 301) if http_route == "redirect" else HOME})
        port = plain.port
    snap = crawl(srv.url + "/", _opts(ca_bundle), http_port=port)
    assert snap.tls.http_redirects_to_https is expected


def test_http_target_redirecting_to_https(serve, certs, ca_bundle):
    secure = serve(ROUTES, ssl_context=certs.valid())
    plain = serve({"/": redirect(secure.url + "/", 301)})
    snap = crawl(plain.url + "/", _opts(ca_bundle))
    assert snap.final_url == secure.url + "/"
    assert snap.pages[0].redirect_chain == (plain.url + "/",)
    assert snap.tls.https is True and snap.tls.valid is True and snap.tls.http_redirects_to_https is True


def test_plain_http_site(serve, ca_bundle):
    srv = serve(ROUTES)
    snap = crawl(srv.url + "/", _opts(ca_bundle))
    assert snap.tls.https is False and snap.tls.http_redirects_to_https is False
    assert snap.tls.hsts is None and snap.tls.valid is None


def test_check_tls_off(serve, certs, ca_bundle):
    srv = serve(ROUTES, ssl_context=certs.expired())
    snap = crawl(srv.url + "/", _opts(ca_bundle, check_tls=False))
    assert snap.tls.checked is False and snap.tls.https is True and snap.tls.hsts is True
    assert len(snap.pages) == 2


def test_https_url_to_a_plain_http_server_is_a_target_error(serve, ca_bundle):
    srv = serve(ROUTES)
    with pytest.raises(TargetError) as exc:
        crawl(f"https://127.0.0.1:{srv.port}/", _opts(ca_bundle))
    assert "TLS handshake" in str(exc.value) and "\n" not in str(exc.value)


def test_bare_host_falls_back_to_http(serve, ca_bundle):
    srv = serve(ROUTES)
    snap = crawl(f"127.0.0.1:{srv.port}", _opts(ca_bundle))
    assert snap.base_url == srv.url + "/" and len(snap.pages) == 2


def test_bare_host_prefers_https(serve, certs, ca_bundle):
    srv = serve(ROUTES, ssl_context=certs.valid())
    snap = crawl(f"127.0.0.1:{srv.port}", _opts(ca_bundle))
    assert snap.base_url == srv.url + "/" and snap.tls.valid is True


def test_handshake_with_nothing_listening():
    info = check_tls_blocking("127.0.0.1", free_port(), None, 1.0)
    assert info.checked and info.valid is None and "connection refused" in info.error


def test_hostname_matching_rules():
    ca = trustme.CA()
    cert = x509.load_pem_x509_certificate(
        ca.issue_cert("*.shop.example", "shop.example", "10.0.0.7", "2001:db8::1").cert_chain_pems[0].bytes()
    )
    assert hostname_matches(cert, "shop.example")
    assert hostname_matches(cert, "www.shop.example")
    assert hostname_matches(cert, "WWW.Shop.Example.")
    assert not hostname_matches(cert, "a.b.shop.example")  # wildcard covers one label only
    assert not hostname_matches(cert, "evilshop.example")
    assert hostname_matches(cert, "10.0.0.7")
    assert hostname_matches(cert, "[2001:db8::1]")
    assert not hostname_matches(cert, "10.0.0.8")
    wild_tld = x509.load_pem_x509_certificate(ca.issue_cert("*.example").cert_chain_pems[0].bytes())
    assert not hostname_matches(wild_tld, "shop.example")  # no wildcard directly under a TLD-like suffix


@pytest.mark.parametrize(
    ("value", "expected"),
    [("max-age=31536000; includeSubDomains", (True, 31536000)), ('max-age="600"', (True, 600)),
     ("max-age=0", (False, 0)), ("includeSubDomains", (False, None)), ("max-age=abc", (False, None)),
     (None, (False, None))],
)
def test_parse_hsts(value, expected):
    assert parse_hsts(value) == expected
