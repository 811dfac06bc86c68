"""Reading what the browser saw before any interaction (trustaudit/extract/consent.py) and the privacy checks.

The browser's raw facts are built by hand here (tests/test_render.py gets them from headless Chromium): every
tracker host, cookie name, platform marker and label has a passing case and a near miss.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract.consent import (
    consent_of,
    label_kind,
    tracker_of_cookie,
    tracker_of_url,
    with_browser_facts,
)
from trustaudit.models import (
    Artifacts,
    BrowserControl,
    BrowserCookie,
    BrowserFacts,
    BrowserRequest,
    Detection,
    FetchedPage,
    SiteSnapshot,
    Status,
    TlsInfo,
)

HOME = "https://sklep.example/"


def _snap(requests=(), cookies=(), controls=(), home_rendered: bool = True) -> SiteSnapshot:
    home = FetchedPage(HOME, 200, "<html><body><p>Sklep</p></body></html>", rendered=home_rendered)
    return SiteSnapshot(HOME, HOME, HOME, False, pages=(home,), render="always", browser=BrowserFacts(
        browser="Chromium", first_page=HOME, pages=(HOME,),
        requests=tuple(BrowserRequest(u, k, HOME) for u, k in requests),
        cookies=tuple(BrowserCookie(n, d, HOME) for n, d in cookies),
        controls=tuple(controls),
    ))


def _control(text: str, path: str = "html > body > div", layer: str = "", overlay: bool = False, frame: str = ""):
    return BrowserControl(text, HOME, path, layer, overlay, frame)


@pytest.mark.parametrize("url,vendor", [
    ("https://www.google-analytics.com/g/collect?v=2&tid=G-1", "Google Analytics"),
    ("https://region1.google-analytics.com/g/collect", "Google Analytics"),
    ("https://www.googletagmanager.com/gtag/js?id=G-1", "Google Analytics"),
    ("https://connect.facebook.net/pl_PL/fbevents.js", "Meta Pixel"),
    ("https://www.facebook.com/tr?id=1&ev=PageView", "Meta Pixel"),
    ("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/", "Google Ads / DoubleClick"),
    ("https://analytics.tiktok.com/i18n/pixel/events.js", "TikTok Pixel"),
    ("https://bat.bing.com/bat.js", "Microsoft Advertising (UET)"),
    ("https://mc.yandex.ru/metrika/tag.js", "Yandex Metrica"),
    ("https://static.hotjar.com/c/hotjar-1.js", "Hotjar"),
])
def test_tracker_hosts(url, vendor):
    assert tracker_of_url(url).name == vendor


@pytest.mark.parametrize("url", [
    "https://www.googletagmanager.com/gtm.js?id=GTM-X",  # a tag loader sends nothing by itself
    "https://www.facebook.com/herbapolsklep",  # a profile link, not the pixel endpoint
    "https://www.google.com/recaptcha/api.js",  # same host as ad endpoints, another path
    "https://cdn.jsdelivr.net/npm/vue",
    "https://notgoogle-analytics.com/x",  # only the host itself and its subdomains
    "https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js",
])
def test_not_tracker_hosts(url):
    assert tracker_of_url(url) is None


@pytest.mark.parametrize("name", ["_ga", "_ga_ABC123XYZ", "_gid", "_fbp", "_gcl_au", "_ttp", "_uetsid", "_clck",
                                  "_hjSessionUser_123", "_ym_uid", "_pk_id.1.a3f2", "mp_abc_mixpanel"])
def test_tracking_cookie_names(name):
    assert tracker_of_cookie(name) is not None


@pytest.mark.parametrize("name", ["PHPSESSID", "cart", "woocommerce_items_in_cart", "OptanonConsent",
                                  "CookieConsent", "_gab", "ga", "_ga_", "mp_", "session_id", "_shopify_y2"])
def test_not_tracking_cookie_names(name):
    assert tracker_of_cookie(name) is None


@pytest.mark.parametrize("text,kind", [
    ("Reject All", "reject"), ("Decline", "reject"), ("Use necessary cookies only", "reject"),
    ("Accept only necessary", "reject"), ("Odrzuć wszystkie", "reject"), ("Tylko niezbędne", "reject"),
    ("Отклонить все", "reject"), ("Απόρριψη όλων", "reject"), ("رفض الكل", "reject"), ("Alle ablehnen", "reject"),
    ("Continue without accepting →", "reject"), ("Tout refuser", "reject"), ("Rechazar todo", "reject"),
    ("Accept All Cookies", "accept"), ("Allow all", "accept"), ("Akceptuję", "accept"), ("Zgadzam się", "accept"),
    ("Принять все", "accept"), ("Αποδοχή όλων", "accept"), ("قبول الكل", "accept"), ("OK", "accept"),
    ("Customize", None), ("Cookie settings", None), ("Ustawienia", None), ("Privacy policy", None),
    ("Okazje dnia", None), ("Rejection of goods: our returns policy", None), ("Deny cookies on our partner sites and "
                                                                              "learn more about them here", None),
])
def test_labels(text, kind):
    assert label_kind(text) == kind


def test_trackers_and_cookies_before_consent():
    c = consent_of(_snap(
        requests=[("https://www.google-analytics.com/g/collect?v=2", "fetch"), ("https://cdn.example.net/a.js", "script"),
                  ("https://connect.facebook.net/en_US/fbevents.js", "script"), (HOME + "app.js", "script")],
        cookies=[("_ga", "sklep.example"), ("PHPSESSID", "sklep.example"), ("_fbp", "sklep.example")],
    ))
    assert [e.snippet for e in c.trackers] == ["google-analytics.com (Google Analytics)",
                                               "connect.facebook.net (Meta Pixel)"]
    assert [e.snippet for e in c.cookies] == ["_ga (Google Analytics)", "_fbp (Meta Pixel)"]
    assert c.third_party_hosts == 3 and c.cookies_seen == 3
    assert c.banner is None


def test_platform_banner_with_and_without_reject():
    onetrust = "html > body > div#onetrust-consent-sdk > div#onetrust-banner-sdk.otFlat > div > div > button"
    with_reject = consent_of(_snap(controls=[
        _control("Accept All Cookies", onetrust + "#onetrust-accept-btn-handler", overlay=True),
        _control("Reject All", onetrust + "#onetrust-reject-all-handler", overlay=True),
        _control("Kontakt", "html > body > footer > a"),
    ]))
    assert with_reject.banner == "onetrust" and with_reject.reject == ("Reject All",)
    assert with_reject.accept == ("Accept All Cookies",)
    cookiebot = "html > body > div#CybotCookiebotDialog.CybotEdge > div > div > button"
    accept_only = consent_of(_snap(controls=[
        _control("Allow all", cookiebot + "#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", overlay=True),
        _control("Customize", cookiebot + "#CybotCookiebotDialogBodyLevelButtonCustomize", overlay=True),
        _control("Odrzuć", "html > body > main > div.product > button"),  # not in the banner
    ]))
    assert accept_only.banner == "cookiebot" and accept_only.reject == () and accept_only.accept == ("Allow all",)


def test_banner_recognised_by_its_text_and_near_misses():
    layer = "Używamy plików cookie, aby sklep działał i aby mierzyć ruch."
    c = consent_of(_snap(controls=[_control("Akceptuję", "html > body > div.bar > button", layer, overlay=True),
                                   _control("Odrzuć", "html > body > div.bar > button", layer, overlay=True)]))
    assert c.banner == "text" and c.reject == ("Odrzuć",) and c.accept == ("Akceptuję",)
    # a footer link to the cookie policy is not a banner; nor is an overlay about something else
    none = consent_of(_snap(controls=[
        _control("Polityka cookies", "html > body > footer > a", "Polityka prywatności i cookies. Regulamin."),
        _control("Zapisz się", "html > body > div.newsletter > button", "Zapisz się do newslettera i odbierz rabat",
                 overlay=True),
    ]))
    assert none.banner is None


def _privacy(consent_snapshot: SiteSnapshot, country: str = "PL") -> dict:
    art = with_browser_facts(Artifacts(country=country), consent_snapshot)
    facts = Facts(tls=TlsInfo(https=True), local=False, pages_fetched=1, home_url=HOME)
    return {c.id: c for c in evaluate(load_rules(), art, facts, "en") if c.category == "privacy"}


def test_privacy_checks_fail_with_evidence_and_pass_when_clean():
    onetrust = "html > body > div#onetrust-banner-sdk > button"
    bad = _privacy(_snap(requests=[("https://www.google-analytics.com/g/collect", "fetch")],
                         cookies=[("_ga", "sklep.example")],
                         controls=[_control("Accept All Cookies", onetrust, overlay=True)]))
    t = bad["privacy.trackers-before-consent"]
    assert t.status is Status.FAIL and t.evidence[0].snippet == "google-analytics.com (Google Analytics)"
    assert "Art. 5(3)" in t.fix and "EDPB" in t.fix and "January 2023" in t.fix
    assert bad["privacy.cookies-before-consent"].evidence[0].snippet == "_ga (Google Analytics)"
    r = bad["privacy.reject-on-first-layer"]
    assert r.status is Status.FAIL and r.title == "The cookie banner has no reject choice on its first layer"
    assert any("«Accept All Cookies»" in e.snippet for e in r.evidence)
    good = _privacy(_snap(requests=[("https://cdn.example.net/a.js", "script")], cookies=[("PHPSESSID", "x")],
                          controls=[_control("Accept All Cookies", onetrust, overlay=True),
                                    _control("Reject All", onetrust, overlay=True)]))
    assert {k: v.status for k, v in good.items()} == dict.fromkeys(good, Status.PASS)
    assert "1 third-party hosts called" in good["privacy.trackers-before-consent"].evidence[0].snippet


def test_no_banner_at_all():
    trackers = _privacy(_snap(requests=[("https://connect.facebook.net/pl_PL/fbevents.js", "script")]))
    r = trackers["privacy.reject-on-first-layer"]
    assert r.status is Status.FAIL and r.title.startswith("No cookie banner")
    clean = _privacy(_snap(requests=[(HOME + "app.js", "script")]))
    assert clean["privacy.reject-on-first-layer"].status is Status.NOT_APPLICABLE


def test_without_a_browser_could_not_check_and_only_in_eu_and_uk():
    art = Artifacts(country="PL")
    facts = Facts(tls=TlsInfo(https=True), local=False, pages_fetched=1, home_url=HOME)
    checks = [c for c in evaluate(load_rules(), art, facts, "en") if c.category == "privacy"]
    assert len(checks) == 3 and all(c.status is Status.ERROR and "--render" in c.reason for c in checks)
    us = _privacy(_snap(requests=[("https://www.google-analytics.com/g/collect", "fetch")]), country="US")
    assert all(c.status is Status.NOT_APPLICABLE for c in us.values())
    gb = _privacy(_snap(requests=[("https://www.google-analytics.com/g/collect", "fetch")]), country="GB")
    assert "PECR" in gb["privacy.trackers-before-consent"].fix and "Directive" not in gb[
        "privacy.trackers-before-consent"].fix


def test_widgets_really_called_are_marked_and_come_first():
    snap = _snap(requests=[("https://code.tidio.co/abcdefghijklmnopqrstuvwxyz123456.js", "script"),
                           ("https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js", "script")])
    art = Artifacts(
        chat_widgets=(Detection("smartsupp", "chat", HOME, "markup"), Detection("tidio", "chat", HOME, "script")),
        review_widgets=(),
    )
    out = with_browser_facts(art, snap)
    assert [(d.slug, bool(d.loaded), d.rendered) for d in out.chat_widgets] == [("tidio", True, True),
                                                                                ("smartsupp", False, True)]
    # called by a script the HTML does not name (a tag manager): found from the request alone
    assert [d.slug for d in out.review_widgets] == ["trustpilot"] and out.review_widgets[0].loaded
    assert with_browser_facts(art, SiteSnapshot(HOME, HOME, HOME, False)) is art  # no browser: unchanged
    # a request that got no answer (refused by the gate, failed) is not a widget that loaded
    failed = _snap()
    failed = replace(failed, browser=replace(failed.browser, requests=(
        BrowserRequest("https://code.tidio.co/abcdefghijklmnopqrstuvwxyz123456.js", "script", HOME, "failed"),)))
    assert [(d.slug, d.loaded) for d in with_browser_facts(art, failed).chat_widgets] == [("smartsupp", ""),
                                                                                          ("tidio", "")]


def test_judged_on_the_home_page_only():
    """--render auto renders application shells only: when the home page was not among them (or its render
    failed) nothing is said about the banner, not a verdict from another page."""
    from dataclasses import replace

    from trustaudit.pipeline import consent_reason

    snap = _snap(requests=[("https://www.google-analytics.com/g/collect", "fetch")], home_rendered=False)
    assert consent_of(snap) is None
    auto = replace(snap, render="auto")
    assert consent_reason(auto, with_browser_facts(Artifacts(), auto)) == "reason.consent_auto"
    assert consent_reason(snap, with_browser_facts(Artifacts(), snap)) == "reason.render_home_failed"
    art = with_browser_facts(Artifacts(country="PL"), auto)
    facts = Facts(tls=TlsInfo(https=True), local=False, pages_fetched=1, home_url=HOME,
                  consent_reason=consent_reason(auto, art))
    checks = [c for c in evaluate(load_rules(), art, facts, "en") if c.category == "privacy"]
    assert all(c.status is Status.ERROR and c.reason.startswith("--render auto loads only pages built by JavaScript")
               for c in checks)
