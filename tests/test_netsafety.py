"""SSRF guard: address classes, the redirect rule, and real redirects to private addresses."""

from __future__ import annotations

import asyncio

import pytest
from servers import html, redirect

from trustaudit.crawl import crawl
from trustaudit.crawl.netsafety import address_class, blocked_reason, resolve
from trustaudit.options import ScanOptions


@pytest.mark.parametrize(
    ("ip", "cls"),
    [
        ("8.8.8.8", "public"), ("2606:4700::1111", "public"),
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("172.16.5.4", "private"), ("fd00::1", "private"),
        ("169.254.169.254", "link_local"), ("fe80::1", "link_local"),
        ("0.0.0.0", "reserved"), ("::", "reserved"), ("224.0.0.1", "reserved"), ("240.0.0.1", "reserved"),
        ("100.64.0.1", "reserved"), ("not-an-ip", "reserved"),
    ],
)
def test_address_class(ip, cls):
    assert address_class(ip) == cls


def test_public_target_may_not_reach_private_addresses():
    public = {"public"}
    for ip in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "::1", "::ffff:10.0.0.1"]:
        assert blocked_reason([ip], public, allow_private=False), ip
        assert blocked_reason([ip], public, allow_private=True) is None
    assert blocked_reason(["93.184.216.34"], public, allow_private=False) is None
    # one private address among public ones is enough to refuse
    assert blocked_reason(["93.184.216.34", "10.0.0.5"], public, allow_private=False)


def test_private_target_may_reach_its_own_class_only():
    loopback = {"public", "loopback"}
    assert blocked_reason(["127.0.0.2"], loopback, allow_private=False) is None
    assert "link-local" in blocked_reason(["169.254.169.254"], loopback, allow_private=False)


def test_resolve_literals_and_invalid():
    assert asyncio.run(resolve("127.0.0.1")) == ["127.0.0.1"]
    assert asyncio.run(resolve("[::1]")) == ["::1"]
    assert asyncio.run(resolve("shop.invalid")) == []


def _site(serve):
    return serve({
        "/": html("<html><body><footer><a href='/meta'>Kontakt</a><a href='/zero'>Regulamin</a>"
                  "<a href='/ok'>O nas</a></footer></body></html>"),
        "/meta": redirect("http://169.254.169.254/latest/meta-data/"),
        "/ok": html("<p>ok</p>"),
    })


def test_redirect_to_link_local_is_blocked(serve):
    srv = _site(serve)
    srv.routes["/zero"] = redirect(f"http://0.0.0.0:{srv.port}/ok")
    snap = crawl(srv.url + "/", ScanOptions(timeout=1.5, total_timeout=8))
    blocked = {e.url: e for e in snap.errors if e.kind == "blocked_redirect"}
    assert set(blocked) == {srv.url + "/meta", srv.url + "/zero"}
    assert "169.254.169.254" in blocked[srv.url + "/meta"].error
    assert "0.0.0.0" in blocked[srv.url + "/zero"].error
    assert srv.url + "/ok" in [p.url for p in snap.pages]


@pytest.mark.parametrize("allow", [False, True])
def test_allow_private_overrides_the_block(serve, allow):
    srv = serve({"/inside": html("<html><body><p>inside</p></body></html>")})
    # 0.0.0.0 reaches the loopback server on Linux: a classic SSRF bypass, "reserved" rather than loopback
    srv.routes["/"] = redirect(f"http://0.0.0.0:{srv.port}/inside")
    snap = crawl(srv.url + "/", ScanOptions(timeout=1.0, total_timeout=5, allow_private=allow))
    if allow:
        assert [p.url for p in snap.pages] == [f"http://0.0.0.0:{srv.port}/inside"]
        assert snap.pages[0].redirect_chain == (srv.url + "/",)
        assert not snap.errors
    else:
        assert snap.pages == ()
        assert [e.kind for e in snap.errors] == ["blocked_redirect"]
        assert "/inside" not in srv.paths()


def test_home_page_redirect_to_private_address_is_recorded_not_followed(serve):
    srv = serve({"/": redirect("http://169.254.169.254/")})
    snap = crawl(srv.url + "/", ScanOptions(timeout=1.0, total_timeout=5))
    assert snap.pages == ()
    assert [e.kind for e in snap.errors] == ["blocked_redirect"]
