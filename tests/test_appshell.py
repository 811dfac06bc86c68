"""Application shells: pages whose HTML as served holds nothing, because JavaScript builds the content.

Without --render, what such a page would show is "could not check … run with --render", never a failure; a
server-rendered page with scripts and a <noscript> tracking pixel is an ordinary page (near misses below).
"""

from __future__ import annotations

import pytest
from servers import html

from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract.appshell import is_app_shell
from trustaudit.models import Artifacts, Email, Evidence, FetchedPage, PageRef, Status, TlsInfo
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan
from trustaudit.web.html import ParsedPage


def _shell(body: str, head: str = "") -> bool:
    page = FetchedPage("https://shop.example/", 200, f"<html><head>{head}</head><body>{body}</body></html>")
    return is_app_shell(ParsedPage(page))


@pytest.mark.parametrize("body", [
    '<div id="root"></div><script src="/static/js/main.3f2a.js"></script>',  # create-react-app / Vite
    '<div id="__next"></div><script src="/_next/static/chunks/main.js"></script>',  # Next.js without SSR
    '<app-root></app-root><script src="/main.js" type="module"></script>',  # Angular
    '<div id="app"><div class="spinner"></div></div><script src="/app.js"></script>',  # Vue, a loading spinner
    '<noscript>Włącz JavaScript, aby korzystać ze sklepu.</noscript><div class="x"></div><script src="/a.js"></script>',
    '<noscript>Для работы сайта включите JavaScript</noscript><main></main><script>boot()</script>',
    '<noscript>You need to enable JavaScript to run this app.</noscript><div id="mount"></div>'
    '<script src="/a.js"></script>',
    '<script src="/bundle.js"></script>',  # nothing at all beside a bundle
])
def test_shells(body):
    assert _shell(body)


@pytest.mark.parametrize("body", [
    # an ordinary server-rendered page: text, scripts, and a <noscript> tracking pixel
    '<header><a href="/">Sklep</a></header><main><h1>Herbaty</h1><p>' + "Herbata zielona z Chin, 100 g. " * 12
    + '</p></main><footer>Kontakt: biuro@sklep.example, tel. 22 123 45 67</footer>'
    '<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"></noscript>'
    '<script src="/theme.js"></script><script>window.dataLayer = window.dataLayer || [];</script>',
    # a framework page rendered on the server: the mount point is full
    '<div id="__next"><main><h1>Sklep</h1><p>Kontakt: biuro@sklep.example</p></main></div>'
    '<script id="__NEXT_DATA__" type="application/json">{}</script><script src="/_next/main.js"></script>',
    # a short page without any script is what it is
    '<p>Strona w budowie. Napisz do nas: biuro@sklep.example</p>',
    # a short page whose <noscript> does not ask for JavaScript
    '<p>Wkrótce otwarcie</p><noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X"></iframe>'
    '</noscript><script src="/gtm.js"></script>',
])
def test_near_misses(body):
    assert not _shell(body)


# --------------------------------------------------------------------------- what the report says

FACTS = dict(tls=TlsInfo(https=True, valid=True, hostname_match=True, days_left=200, protocol="TLSv1.3", hsts=True,
                         http_redirects_to_https=True, checked=True), local=False, pages_fetched=1,
             home_url="https://shop.example/")


def _checks(artifacts: Artifacts, **facts) -> dict:
    return {c.id: c for c in evaluate(load_rules(), artifacts, Facts(**{**FACTS, **facts}), "en")}


def test_a_shell_home_makes_absences_could_not_check_and_keeps_evidence():
    art = Artifacts(country="PL", emails=(Email("biuro@sklep.example", "https://shop.example/"),))
    plain = _checks(art)
    shell = _checks(art, js_pages=("https://shop.example/",), js_home=True, js_reason="reason.js_needs_render")
    assert plain["contact.phone"].status is Status.FAIL
    phone = shell["contact.phone"]
    assert phone.status is Status.ERROR
    assert phone.reason == "this shop builds its pages with JavaScript; run with --render"
    # evidence found is still evidence; a pass that rests on nothing being found is not
    assert shell["contact.email"].status is Status.PASS
    assert plain["content.broken-links"].status is Status.PASS
    assert shell["content.broken-links"].status is Status.ERROR
    # the TLS verdicts come from our own handshake, not from the page
    assert shell["security.https"].status is Status.PASS
    assert not any(c.status is Status.FAIL and c.category not in ("security",) for c in shell.values())


def test_a_shell_page_other_than_home_affects_only_checks_whose_evidence_is_there():
    contact = "https://shop.example/kontakt"
    art = Artifacts(country="PL", pages={"contact": PageRef("contact", contact, fetched=True, status=200)})
    checks = _checks(art, js_pages=(contact,), js_home=False, js_reason="reason.js_needs_render")
    assert checks["contact.page"].status is Status.PASS  # the link to it is evidence
    assert checks["contact.phone"].status is Status.ERROR  # its evidence page is the shell
    assert checks["policies.terms"].status is Status.FAIL  # nothing to do with that page: a real finding


def test_scan_of_a_js_built_shop_without_render_could_not_check_not_fail(serve):
    srv = serve({"/": html('<html lang="pl"><head><title>Sklep</title></head><body><div id="root"></div>'
                           '<noscript>Włącz JavaScript</noscript><script src="/app.js"></script></body></html>'),
                 "/app.js": (200, {"Content-Type": "text/javascript"}, b"/* builds the shop */")})
    report = scan(srv.url + "/", ScanOptions(max_pages=3, timeout=3, total_timeout=15, country="PL"), lang="en")
    by_id = {c.id: c for c in report.checks}
    for rid in ("contact.email", "contact.phone", "legal.pl-nip", "support.chat", "reviews.visible"):
        assert by_id[rid].status is Status.ERROR, rid
        assert "builds its pages with JavaScript; run with --render" in by_id[rid].reason
    assert not [c.id for c in report.checks if c.status is Status.FAIL and c.category != "security"]
    assert report.pages_fetched[0].get("app_shell") is True
    for rid in ("privacy.trackers-before-consent", "privacy.cookies-before-consent", "privacy.reject-on-first-layer"):
        assert by_id[rid].status is Status.ERROR
        assert "run with --render" in by_id[rid].reason


def test_saved_shell_page_says_so(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<html lang="pl"><body><div id="root"></div><script src="app.js"></script></body></html>')
    report = scan(str(page), ScanOptions(country="PL"), lang="en")
    phone = next(c for c in report.checks if c.id == "contact.phone")
    assert phone.status is Status.ERROR and "saved before its JavaScript built the content" in phone.reason


def test_widget_evidence_says_loaded_or_markup_only():
    from trustaudit.models import Detection

    art = Artifacts(country="PL", chat_widgets=(
        Detection("tidio", "chat", "https://shop.example/", loaded="https://code.tidio.co/x.js", rendered=True),
        Detection("smartsupp", "chat", "https://shop.example/", rendered=True),
        Detection("livechat", "chat", "https://shop.example/"),
    ))
    chat = _checks(art)["support.chat"]
    snippets = [e.snippet for e in chat.evidence]
    assert snippets[0] == "tidio: loaded in the browser (https://code.tidio.co/x.js)"
    assert snippets[1].startswith("smartsupp: script tag or markup only")
    assert snippets[2] == "livechat"  # not rendered: no claim either way
    assert isinstance(chat.evidence[0], Evidence)
