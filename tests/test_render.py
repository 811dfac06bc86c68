"""--render: pages loaded in headless Chromium (the system's, driven by Playwright) on loopback shops.

One browser process serves every test of a test process (``chromium_host`` in conftest.py); each scan gets its
own context. Third-party hosts (a chat widget, a review badge, a tracker) are names mapped to the loopback
server with --resolve: nothing is ever resolved by public DNS, and Chromium resolves nothing at all.
"""

from __future__ import annotations

import time

import pytest
from servers import TestServer, html
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.cli_common import render_args
from trustaudit.crawl import crawl
from trustaudit.extract.appshell import is_app_shell
from trustaudit.models import Status
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan

JS = {"Content-Type": "text/javascript; charset=utf-8"}

# --------------------------------------------------------------------------- a shop built by JavaScript

SHELL = """<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Sklep z herbatą</title></head>
<body><div id="root"></div><noscript>Włącz JavaScript, aby korzystać ze sklepu.</noscript>
<script src="/app.js"></script></body></html>"""

APP_JS = """
var port = location.port;
document.getElementById('root').innerHTML =
  '<header><a href="/">Sklep z herbatą</a></header><main><h1>Herbaty liściaste</h1>' +
  '<div class="trustpilot-widget" data-businessunit-id="abc123"></div></main>' +
  '<footer><p>Herbata Sp. z o.o., ul. Długa 5, 00-950 Warszawa</p><p>NIP: 123-456-32-18</p>' +
  '<p>Tel. <a href="tel:+48221234567">+48 22 123 45 67</a>, e-mail: ' +
  '<a href="mailto:sklep@herbata.example">sklep@herbata.example</a></p>' +
  '<a href="/kontakt">Kontakt</a> <a href="/regulamin">Regulamin</a></footer>';
['http://code.tidio.co:' + port + '/abcdefghijklmnopqrstuvwxyz123456.js',
 'http://widget.trustpilot.com:' + port + '/bootstrap/v5/tp.widget.bootstrap.min.js'].forEach(function (src) {
  var s = document.createElement('script'); s.src = src; document.body.appendChild(s);
});
"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<h1>{title}</h1>{body}<footer><a href="/">Sklep</a></footer></body></html>')


JS_SHOP = {
    "/": html(SHELL),
    "/app.js": (200, JS, APP_JS.encode()),
    "/abcdefghijklmnopqrstuvwxyz123456.js": (200, JS, b"window.tidioChatApi = {on: function () {}};"),
    "/bootstrap/v5/tp.widget.bootstrap.min.js": (200, JS, b"window.Trustpilot = {};"),
    "/kontakt": html(_page("Kontakt", "<p>Odpowiadamy w ciągu 24 godzin w dni robocze.</p>")),
    "/regulamin": html(_page("Regulamin", "<p>Konsument może odstąpić od umowy w terminie 14 dni.</p>")),
}
AFFECTED = ("contact.email", "contact.phone", "legal.pl-nip", "support.chat", "reviews.visible")


def _resolve(srv: TestServer, *hosts: str) -> tuple[str, ...]:
    return tuple(f"{h}:{srv.port}:127.0.0.1" for h in hosts)


def _options(srv: TestServer, render: str = "off", **kw) -> ScanOptions:
    base = dict(max_pages=5, timeout=5, total_timeout=40, country="PL", render=render,
                resolve=_resolve(srv, "code.tidio.co", "widget.trustpilot.com", "www.google-analytics.com"))
    return ScanOptions(**{**base, **kw})


@pytest.mark.browser
def test_shop_built_by_javascript_found_with_render_could_not_check_without(serve, chromium_host):
    srv = serve(JS_SHOP)
    static = {c.id: c for c in scan(srv.url + "/", _options(srv), lang="en").checks}
    for rid in AFFECTED:
        assert static[rid].status is Status.ERROR, rid
        assert static[rid].reason == "this shop builds its pages with JavaScript; run with --render"

    report = scan(srv.url + "/", _options(srv, "always"), lang="en", browser=chromium_host)
    checks = {c.id: c for c in report.checks}
    for rid in AFFECTED:
        assert checks[rid].status is Status.PASS, (rid, checks[rid].reason)
    assert "sklep@herbata.example" in [e.snippet for e in checks["contact.email"].evidence]
    assert any("1234563218" in e.snippet for e in checks["legal.pl-nip"].evidence)
    chat = [e.snippet for e in checks["support.chat"].evidence]
    assert chat[0].startswith("tidio: loaded in the browser (http://code.tidio.co:")
    assert any(e.snippet.startswith("trustpilot: loaded in the browser") for e in checks["reviews.visible"].evidence)
    assert report.pages_fetched[0]["rendered"] is True
    assert {p["url"].rsplit("/", 1)[-1] for p in report.pages_fetched} >= {"", "kontakt", "regulamin"}
    # the widgets' hosts were answered by the loopback server through the gate (--resolve), not by DNS
    hosts = {r.headers.get("host") for r in srv.requests}
    assert f"code.tidio.co:{srv.port}" in hosts and f"widget.trustpilot.com:{srv.port}" in hosts

    auto = scan(srv.url + "/", _options(srv, "auto"), lang="en", browser=chromium_host)
    assert {c.id: c.status for c in auto.checks if c.id in AFFECTED} == dict.fromkeys(AFFECTED, Status.PASS)
    rendered = {p["url"].rsplit("/", 1)[-1]: p.get("rendered", False) for p in auto.pages_fetched}
    assert rendered[""] is True and rendered["kontakt"] is False  # only the shell was rendered


# --------------------------------------------------------------------------- consent: trackers, cookies, banners

BANNER_ACCEPT_ONLY = """
<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" style="position:fixed;bottom:0;left:0;right:0;
 background:#fff;padding:20px">
 <p>Używamy plików cookie do analizy ruchu i reklam.</p>
 <button id="onetrust-accept-btn-handler">Akceptuję wszystkie</button>
 <button id="onetrust-pc-btn-handler">Ustawienia</button>
 <div id="onetrust-pc-sdk" style="display:none"><button class="ot-pc-refuse-all-handler">Odrzuć wszystkie</button></div>
</div></div>"""

# a platform that draws its banner in a shadow root (as Usercentrics does): found through the shadow host
BANNER_WITH_REJECT = """
<div id="usercentrics-root"></div>
<script>
var root = document.getElementById('usercentrics-root').attachShadow({mode: 'open'});
root.innerHTML = '<div role="dialog" style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:20px">' +
  '<p>Używamy plików cookie do analizy ruchu i reklam.</p>' +
  '<button onclick="consented()">Akceptuję wszystkie</button> <button>Odrzuć wszystkie</button></div>';
</script>"""

TRACK_NOW = """<script>
document.cookie = '_ga=GA1.1.1234567890.1700000000; path=/';
fetch('http://www.google-analytics.com:' + location.port + '/g/collect?v=2&tid=G-TEST&en=page_view',
      {mode: 'no-cors'}).catch(function () {});
</script>"""

TRACK_ON_CONSENT = """<script>
function consented() {
  document.cookie = '_ga=GA1.1.1234567890.1700000000; path=/';
  fetch('http://www.google-analytics.com:' + location.port + '/g/collect?v=2&tid=G-TEST', {mode: 'no-cors'});
}
</script>"""

TEXT = "<main><p>" + "Herbaty liściaste z małych plantacji, pakowane w Krakowie. " * 6 + "</p></main>"


def _privacy(report) -> dict:
    return {c.id: c for c in report.checks if c.category == "privacy"}


@pytest.mark.browser
def test_tracker_and_cookie_before_consent_and_a_banner_without_reject(serve, chromium_host):
    srv = serve({"/": html(_page("Sklep", TEXT + BANNER_ACCEPT_ONLY + TRACK_NOW)), "/g/collect": (204, {}, b"")})
    report = scan(srv.url + "/", _options(srv, "always", max_pages=1), lang="en", browser=chromium_host)
    checks = _privacy(report)
    trackers = checks["privacy.trackers-before-consent"]
    assert trackers.status is Status.FAIL
    assert [e.snippet for e in trackers.evidence] == ["google-analytics.com (Google Analytics)"]
    assert "ePrivacy Directive 2002/58/EC Art. 5(3)" in trackers.fix and "EDPB" in trackers.fix
    cookies = checks["privacy.cookies-before-consent"]
    assert cookies.status is Status.FAIL and [e.snippet for e in cookies.evidence] == ["_ga (Google Analytics)"]
    reject = checks["privacy.reject-on-first-layer"]
    assert reject.status is Status.FAIL  # the reject button exists only in the hidden second layer
    assert reject.evidence[0].snippet.startswith("OneTrust")
    assert "«Akceptuję wszystkie»" in reject.evidence[1].snippet
    # the tracker's name went to the loopback server through --resolve; the real host was never contacted
    collect = [r for r in srv.requests if r.path.startswith("/g/collect")]
    assert collect and collect[0].headers["host"] == f"www.google-analytics.com:{srv.port}"
    assert report.signals["consent"] == {"trackers": ["google-analytics.com"], "cookies": ["_ga"],
                                         "banner": "onetrust", "reject_on_first_layer": False}


@pytest.mark.browser
def test_banner_with_reject_and_tracking_only_after_consent(serve, chromium_host):
    srv = serve({"/": html(_page("Sklep", TEXT + BANNER_WITH_REJECT + TRACK_ON_CONSENT)), "/g/collect": (204, {}, b"")})
    report = scan(srv.url + "/", _options(srv, "always", max_pages=1), lang="en", browser=chromium_host)
    checks = _privacy(report)
    assert {k: c.status for k, c in checks.items()} == dict.fromkeys(checks, Status.PASS), {
        k: (c.status, c.reason, [e.snippet for e in c.evidence]) for k, c in checks.items()}
    reject = checks["privacy.reject-on-first-layer"]
    assert reject.evidence[0].snippet == "Usercentrics (#usercentrics-root)"
    assert "«Odrzuć wszystkie»" in reject.evidence[1].snippet
    assert not [r for r in srv.requests if r.path.startswith("/g/collect")]  # nothing was clicked


# --------------------------------------------------------------------------- bounds and the gate

HOSTILE = """<!doctype html><html lang="pl"><head><title>Sklep</title></head><body><h1>Sklep</h1>
<p>Herbaty i zioła z całego świata, wysyłka w 24 godziny.</p>
<script>
setInterval(function () { window.open('/popup?' + Math.random()); }, 5);
fetch('http://127.0.0.2:' + location.port + '/secret').catch(function () {});
fetch('http://metadata.test:' + location.port + '/latest/meta-data/').catch(function () {});
setTimeout(function () { for (;;) {} }, 300);
</script></body></html>"""


@pytest.mark.browser
def test_endless_script_popups_and_private_addresses_are_bounded(serve, chromium_host):
    srv = serve({"/": html(HOSTILE), "/popup": html("<p>popup</p>")})
    other = TestServer({"/secret": html("<p>secret</p>")}, host="127.0.0.2", port=srv.port).start()
    try:
        opts = ScanOptions(max_pages=2, timeout=2, total_timeout=12, render="always",
                           resolve=(f"metadata.test:{srv.port}:169.254.169.254",))
        t0 = time.monotonic()
        snap = crawl(srv.url + "/", opts, app_shell=is_app_shell, browser=chromium_host)
        elapsed = time.monotonic() - t0
    finally:
        other.stop()
    assert elapsed < opts.total_timeout
    home = snap.pages[0]
    assert not home.rendered and "Herbaty i zioła" in home.text  # read as served
    assert any(e.kind == "render" and "not rendered" in e.error for e in snap.errors)
    assert not [p for p in srv.paths() if p.startswith("/popup")]  # no window was opened
    assert other.requests == []  # a loopback address the user did not ask for: refused by the gate
    refused = [e for e in snap.errors if e.kind == "blocked_address"]
    assert any("127.0.0.2" in e.error for e in refused) and any("metadata" in e.error for e in refused)
    outcomes = {r.url.split("/")[2].split(":")[0]: r.outcome for r in snap.browser.requests}
    assert outcomes["127.0.0.2"] == "refused" and outcomes["metadata.test"] == "refused"


@pytest.mark.browser
def test_no_state_between_shops(chromium_host):
    first = {"/": html(_page("Sklep A", TEXT + '<script src="/a.js"></script>'),
                       headers={"Set-Cookie": "visitor=shop-a; Path=/"}),
             "/a.js": (200, JS, b"var s = document.createElement('script'); s.src = '/again.js';"
                                b"document.body.appendChild(s);"),
             "/again.js": (200, JS, b"/* second request, after the cookie was set */")}
    second = {"/": html(_page("Sklep B", TEXT + '<script src="/probe.js"></script>')),
              "/probe.js": (200, JS, b"/* probe */")}
    with TestServer(first) as a, TestServer(second) as b:  # both on 127.0.0.1: cookies do not tell ports apart
        for srv in (a, b):
            crawl(srv.url + "/", ScanOptions(max_pages=1, timeout=5, total_timeout=20, render="always"),
                  browser=chromium_host)
        again = [r for r in a.requests if r.path == "/again.js"]
        probe = [r for r in b.requests if r.path == "/probe.js"]
    assert again and "visitor=shop-a" in again[0].headers.get("cookie", "")  # cookies do flow within a shop
    assert probe and "cookie" not in probe[0].headers  # but never into the next shop's context


# --------------------------------------------------------------------------- the command line


def test_render_flag_takes_an_optional_mode():
    assert render_args(["scan", "--render", "https://shop.example"]) == ["scan", "--render=always",
                                                                         "https://shop.example"]
    assert render_args(["scan", "https://shop.example", "--render"]) == ["scan", "https://shop.example",
                                                                         "--render=always"]
    assert render_args(["scan", "--render", "auto", "x.pl"]) == ["scan", "--render", "auto", "x.pl"]
    assert render_args(["scan", "--render", "--max-pages", "3"])[1] == "--render=always"


def test_without_chromium_one_line_naming_the_package(monkeypatch):
    monkeypatch.setenv("TRUSTAUDIT_CHROMIUM", "/nonexistent/chromium")
    res = CliRunner().invoke(app, ["scan", "--render", "https://shop.example/"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "chromium" in lines[0] and "apt-get install chromium" in lines[0]


def test_without_playwright_one_line_naming_the_extra(monkeypatch):
    import sys

    from trustaudit.crawl.browser import RenderUnavailable, check_available

    monkeypatch.setitem(sys.modules, "playwright.async_api", None)  # import fails as if not installed
    with pytest.raises(RenderUnavailable) as exc:
        check_available(ScanOptions(render="always"))
    assert str(exc.value) == "--render needs Playwright for Python: pip install 'trustaudit[render]'"


def test_render_of_a_saved_copy_is_said_not_done(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<html><body><p>Sklep</p></body></html>")
    snap = crawl(str(page), ScanOptions(render="always"))
    assert any(e.kind == "render" and "saved copy is read as saved" in e.error for e in snap.errors)


def test_the_shops_cookies_reach_the_browser_as_separate_headers():
    from trustaudit.crawl.browser import _document_headers
    from trustaudit.models import FetchedPage

    joined = "sid=1; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT, cart=; Max-Age=0, lang=pl"
    page = FetchedPage("https://shop.example/", 200, "<p>é</p>", headers={
        "set-cookie": joined, "content-type": "text/html; charset=windows-1250", "content-encoding": "gzip",
        "content-security-policy": "default-src 'self'"})
    headers = _document_headers(page)
    assert headers["set-cookie"].split("\n") == ["sid=1; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
                                                 "cart=; Max-Age=0", "lang=pl"]
    assert headers["content-type"] == "text/html; charset=utf-8"  # the crawl decoded the text already
    assert "content-encoding" not in headers and headers["content-security-policy"] == "default-src 'self'"


@pytest.mark.browser
def test_credentials_reach_the_shops_own_origin_only(serve, chromium_host):
    """A staging shop behind basic auth: the browser's requests to the shop carry --auth and --cookie, a
    third-party host (here a name mapped to the same loopback server) never does."""
    page = _page("Sklep", TEXT + '<script src="/app.js"></script>'
                 '<script>var s = document.createElement("script");'
                 's.src = "http://cdn.example.test:" + location.port + "/lib.js"; document.body.appendChild(s);</script>')
    srv = serve({"/": html(page), "/app.js": (200, JS, b"/* app */"), "/lib.js": (200, JS, b"/* lib */")})
    opts = ScanOptions(max_pages=1, timeout=5, total_timeout=20, render="always", auth="staging:secret",
                       cookie="preview=1", resolve=(f"cdn.example.test:{srv.port}:127.0.0.1",))
    crawl(srv.url + "/", opts, browser=chromium_host)
    own = next(r for r in srv.requests if r.path == "/app.js")
    third = next(r for r in srv.requests if r.path == "/lib.js")
    assert own.headers.get("authorization", "").startswith("Basic ") and "preview=1" in own.headers.get("cookie", "")
    assert third.headers["host"] == f"cdn.example.test:{srv.port}"
    assert "authorization" not in third.headers and "preview" not in third.headers.get("cookie", "")


# --------------------------------------------------------------------------- batch --render, render in trustaudit.toml


def _need_chromium() -> str:
    from trustaudit.crawl.browser import RenderUnavailable, check_available

    try:
        return check_available(ScanOptions(render="always"))
    except RenderUnavailable as exc:
        pytest.skip(f"no headless Chromium for the --render tests: {exc}")


def _batch_statuses(out, rids) -> dict[str, str]:
    import json

    (doc,) = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "reports").glob("*.json")]
    return {c["id"]: c["status"] for c in doc["checks"] if c["id"] in rids}


@pytest.mark.browser
def test_batch_renders_each_shop_with_render(serve, tmp_path):
    """The same list through the real CLI: read as served, the script-built shop's checks are "could not check";
    with ``batch --render`` (a Chromium of its own, as every batch has) they pass."""
    chromium = _need_chromium()
    srv = serve(JS_SHOP)
    shops = tmp_path / "shops.csv"
    shops.write_text(f"url,country\n{srv.url}/,PL\n", encoding="utf-8")
    args = ["batch", str(shops), "--allow-private", "--no-verify", "--processes", "1", "--max-pages", "5",
            "--quiet", *[a for r in _resolve(srv, "code.tidio.co", "widget.trustpilot.com") for a in ("--resolve", r)]]
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "static")])
    assert res.exit_code == 0, res.output
    assert _batch_statuses(tmp_path / "static", AFFECTED) == dict.fromkeys(AFFECTED, "error")
    res = CliRunner().invoke(app, [*args, "--render", "--out", str(tmp_path / "rendered"), "--chromium", chromium])
    assert res.exit_code == 0, res.output
    assert _batch_statuses(tmp_path / "rendered", AFFECTED) == dict.fromkeys(AFFECTED, "pass")


@pytest.mark.parametrize("argv", [
    ["batch", "shops.txt", "--out", "out", "--render"],
    ["batch", "shops.txt", "--render", "auto", "--out", "out"],
    ["batch", "shops.txt", "--out", "out", "--render", "--chromium", "/nonexistent/chromium"],
])
def test_batch_without_chromium_one_line_naming_the_package(argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shops.txt").write_text("https://shop.example/\n", encoding="utf-8")
    monkeypatch.setenv("TRUSTAUDIT_CHROMIUM", "/nonexistent/chromium")
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "apt-get install chromium" in lines[0], res.output
    assert not (tmp_path / "out").exists()  # refused before anything was opened or fetched


@pytest.mark.parametrize("value, mode", [("true", "always"), ('"auto"', "auto"), ('"ALWAYS"', "always"),
                                         ("false", "off"), ('"off"', "off")])
def test_render_in_the_config_file(value, mode, tmp_path):
    from trustaudit.config import load_config

    (tmp_path / "trustaudit.toml").write_text(f"render = {value}\n", encoding="utf-8")
    assert load_config(cwd=tmp_path).render == mode


def test_render_in_the_config_file_is_honoured_and_the_command_line_wins(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRUSTAUDIT_CHROMIUM", "/nonexistent/chromium")
    (tmp_path / "trustaudit.toml").write_text('render = "auto"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", "https://shop.example/"])
    assert res.exit_code == 2 and "apt-get install chromium" in res.output  # the config asked for Chromium
    (tmp_path / "trustaudit.toml").write_text('render = "sometimes"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", "--demo"])
    assert res.exit_code == 2 and "render 'sometimes'" in res.output and "auto" in res.output
    (tmp_path / "trustaudit.toml").write_text("render = true\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", "--demo", "--render", "off", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output  # --render off wins over the file: no Chromium needed
