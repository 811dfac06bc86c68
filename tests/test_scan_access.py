"""Scanning what real users scan: staging shops behind basic auth, headers and cookies (sent to the shop's own
site only), environment proxies (the gate still judges every destination), --include / --exclude."""

from __future__ import annotations

import base64
import json

import pytest
from servers import ProxyServer, TestServer, html, redirect, send
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.options import ScanOptions, url_matches

runner = CliRunner()
CREDS = ("--auth", "stage:s3cret", "--header", "X-Staging-Token: t0k", "--cookie", "preview=1; lang=pl")
BASIC = "Basic " + base64.b64encode(b"stage:s3cret").decode()


def run(*args: str):
    return runner.invoke(app, list(args))


def _behind_auth(page: str):
    def route(h):
        if h.headers.get("Authorization") != BASIC:
            send(h, 401, {"WWW-Authenticate": 'Basic realm="staging"', "Content-Type": "text/html"}, b"<h1>401</h1>")
        else:
            send(h, 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
    return route


def _sent_credentials(requests) -> list[str]:
    return [r.path for r in requests
            if "authorization" in r.headers or "x-staging-token" in r.headers or "preview=1" in r.headers.get("cookie", "")]


def test_credentials_go_to_the_shop_only(tmp_path):
    """The shop (shop.test) gets auth, header and cookie on every request; its own other host (www2.shop.test,
    same site, another address), a cross-site link and a cross-site redirect get none of them."""
    with TestServer({"/*": html("<h1>elsewhere</h1>")}, host="127.0.0.3") as other:
        page = ("<html lang=en><body><h1>Staging</h1><footer>"
                "<a href='/kontakt'>Contact</a> <a href='/regulamin'>Terms</a> <a href='/go'>Go</a>"
                f"<a href='http://www2.shop.test:{{port}}/about'>About us</a>"
                f"<a href='http://elsewhere.test:{other.port}/contact'>Partner contact</a></footer></body></html>")
        shop = TestServer({}, host="127.0.0.1").start()
        try:
            body = page.replace("{port}", str(shop.port))
            shop.routes.update({"/": _behind_auth(body), "/kontakt": _behind_auth(body),
                                "/regulamin": _behind_auth(body),
                                "/go": redirect(f"http://elsewhere.test:{other.port}/moved")})
            with TestServer({"/*": html(body)}, host="127.0.0.2", port=shop.port) as twin:
                res = run("scan", f"http://shop.test:{shop.port}/", "-q", "-f", "json", "--allow-private",
                          "--resolve", f"shop.test:{shop.port}:127.0.0.1",
                          "--resolve", f"www2.shop.test:{shop.port}:127.0.0.2",
                          "--resolve", f"elsewhere.test:{other.port}:127.0.0.3", *CREDS)
                assert res.exit_code == 0, res.output
                doc = json.loads(res.stdout)
                assert doc["score"] is not None  # the shop answered 200 to us: auth worked
                assert {r.path for r in shop.requests} >= {"/", "/kontakt", "/regulamin", "/go", "/robots.txt"}
                for r in shop.requests:
                    assert r.headers.get("authorization") == BASIC, r.path
                    assert r.headers.get("x-staging-token") == "t0k", r.path
                    assert "preview=1" in r.headers.get("cookie", "") and "lang=pl" in r.headers["cookie"]
                assert twin.requests, "the shop's other host was not crawled: the test would prove nothing"
                assert _sent_credentials(twin.requests) == []
        finally:
            shop.stop()
        assert _sent_credentials(other.requests) == []


def test_credentials_do_not_follow_a_home_page_moving_to_another_site():
    with TestServer({"/*": html("<html><body><h1>New shop</h1></body></html>")}, host="127.0.0.3") as new:
        with TestServer({"/": redirect(f"http://new.test:{new.port}/")}) as old:
            res = run("scan", f"http://old.test:{old.port}/", "-q", "-f", "json", "--allow-private",
                      "--resolve", f"old.test:{old.port}:127.0.0.1",
                      "--resolve", f"new.test:{new.port}:127.0.0.3", *CREDS)
            assert res.exit_code in (0, 3), res.output
            assert any(r.path == "/" for r in new.requests), "the moved home page was not followed"
            assert _sent_credentials(new.requests) == []
            assert all(r.headers.get("authorization") == BASIC for r in old.requests)


def test_https_credentials_never_downgrade_to_plain_http(certs):
    """The plain-http redirect probe of an https:// target must not carry the password in clear text."""
    with TestServer({"/*": html("<h1>plain</h1>")}) as plain:
        with TestServer({"/*": _behind_auth("<html><body><h1>Shop</h1></body></html>")},
                        ssl_context=certs.valid(), port=0) as tls:
            from trustaudit.options import ScanOptions as Opts
            from trustaudit.pipeline import scan

            report = scan(tls.url + "/", Opts(ca_bundle=certs.ca_bundle, auth="stage:s3cret", timeout=3,
                                              total_timeout=20), http_port=plain.port)
            assert report.score is not None
            assert plain.requests and _sent_credentials(plain.requests) == []


@pytest.mark.parametrize("args, needle", [
    (["--header", "NoColon"], "expected 'Name: value'"),
    (["--header", "Host: evil.example"], "use --resolve"),
    (["--header", "Authorization: Bearer x"], "use --auth"),
    (["--header", "X-A: b\nX-B: c"], "line break"),
    (["--cookie", "novalue"], "name=value"),
    (["--auth", "userwithoutpassword"], "USER:PASSWORD"),
])
def test_bad_credentials_are_usage_errors(args, needle):
    res = run("scan", "--demo", "-q", *args)
    assert res.exit_code == 2 and needle in res.stderr


def test_credentials_never_reach_a_batch_database():
    opts = ScanOptions(auth="stage:s3cret", cookie="sid=abc; x=1", headers=(("X-Token", "t0k"),))
    public = json.dumps(opts.public())
    assert "s3cret" not in public and "abc" not in public and "t0k" not in public
    assert "stage" in public and "sid" in public and "X-Token" in public
    assert "s3cret" not in repr(opts)


# --------------------------------------------------------------------------- proxies


def _shop_with_intranet_link(port: int) -> str:
    return ("<html lang=en><body><h1>Shop</h1><footer><a href='/kontakt'>Contact</a>"
            f"<a href='http://intranet.shop.test:{port}/secret'>Staff</a></footer></body></html>")


def test_environment_proxy_is_used_and_the_gate_still_refuses_private_destinations(monkeypatch):
    shop = TestServer({}).start()
    try:
        shop.routes.update({"/": html(_shop_with_intranet_link(shop.port)), "/kontakt": html("<h1>Kontakt</h1>")})
        with TestServer({"/*": html("<h1>secret</h1>")}, host="127.0.0.2", port=shop.port) as intranet, \
                ProxyServer({"shop.test": "127.0.0.1", "intranet.shop.test": "127.0.0.2"}) as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            res = run("scan", f"http://shop.test:{shop.port}/", "-q", "-f", "json",
                      "--resolve", f"shop.test:{shop.port}:127.0.0.1",
                      "--resolve", f"intranet.shop.test:{shop.port}:127.0.0.2")
            assert res.exit_code == 0, res.output
            asked = [r.path for r in proxy.requests]
            assert f"http://shop.test:{shop.port}/" in asked and f"http://shop.test:{shop.port}/kontakt" in asked
            assert not any("intranet" in p for p in asked), asked  # judged here, never sent to the proxy
            assert intranet.requests == []
            doc = json.loads(res.stdout)
            assert any(e["kind"] == "blocked_address" and "intranet" in e["url"] for e in doc["errors"])
            assert all(r.path.startswith("/") for r in shop.requests)  # the shop saw only the proxy's requests
    finally:
        shop.stop()


def test_no_proxy_goes_direct(monkeypatch):
    with TestServer({"/": html("<h1>Shop</h1>")}) as shop, ProxyServer({"shop.test": "127.0.0.1"}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "shop.test")
        res = run("scan", f"http://shop.test:{shop.port}/", "-q", "--resolve", f"shop.test:{shop.port}:127.0.0.1")
        assert res.exit_code == 0, res.output
        # the shop went direct; the register look-ups (at the suite's closed register port) use the proxy
        assert not any("shop.test" in r.path for r in proxy.requests) and shop.requests
        assert all(r.path.startswith("http://127.0.0.1:9/") for r in proxy.requests)


def test_a_socks_proxy_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    res = run("scan", "--demo", "-q")
    assert res.exit_code == 2 and "only http:// and https:// proxies" in res.stderr


# --------------------------------------------------------------------------- --include / --exclude


@pytest.mark.parametrize("pattern, url, hit", [
    ("/pl/*", "https://s.example/pl/kontakt", True),
    ("/pl/*", "https://s.example/en/contact", False),
    ("*/blog/*", "https://s.example/blog/post-1", True),
    ("/search?*", "https://s.example/search?q=x", True),
    ("https://s.example/*", "https://s.example/a", True),
    ("https://s.example/*", "https://www.s.example/a", False),
])
def test_url_patterns(pattern, url, hit):
    assert url_matches(pattern, url) is hit


def test_include_and_exclude_decide_which_links_are_followed():
    links = "".join(f"<a href='/{p}'>{p}</a>" for p in ("pl/kontakt", "pl/regulamin", "pl/blog/a", "en/contact"))
    routes = {"/": html(f"<html><body><footer>{links}</footer></body></html>"),
              "/*": html("<html><body><h1>page</h1></body></html>")}
    with TestServer(routes) as srv:
        res = run("scan", srv.url + "/", "-q", "-f", "json", "--include", "/pl/*", "--exclude", "*/blog/*")
        assert res.exit_code == 0, res.output
        fetched = {r.path for r in srv.requests}
        assert {"/pl/kontakt", "/pl/regulamin"} <= fetched
        assert "/pl/blog/a" not in fetched and "/en/contact" not in fetched
