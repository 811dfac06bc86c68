"""The terminal report reads in a minute: failures and high/medium warnings in full, low-priority suggestions
collapsed, what was crawled said once, an inconclusive report in three lines, every frame word translated with
its plural form, and a space between status and title in every language."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from servers import TestServer, html
from typer.testing import CliRunner

from tests.sample_reports import make_report
from trustaudit import messages
from trustaudit.cli import app
from trustaudit.models import Severity, Status
from trustaudit.render import terminal

runner = CliRunner()
LANGS = messages.report_languages()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def demo_json():
    import json

    return json.loads(run("scan", "--demo", "-f", "json", "--lang", "en").stdout)


def test_low_priority_suggestions_collapse_into_one_line(demo_json):
    text = run("scan", "--demo", "--lang", "en").stdout
    problems = [c for c in demo_json["checks"] if c["status"] in ("fail", "warn")]
    low = [c for c in problems if c["status"] == "warn" and c["severity"] in ("low", "info")]
    loud = [c for c in problems if c not in low]
    assert low and loud
    for c in loud:
        assert f"[{c['id']}]" in text, c["id"]
    failed_section = text.split("Failed and warned checks")[1].split("Could not be checked")[0]
    for c in low:
        assert f"[{c['id']}]" not in failed_section, c["id"]
    assert f"+ {len(low)} low-priority suggestions (--verbose shows them)" in text
    verbose = run("scan", "--demo", "--lang", "en", "--verbose").stdout
    for c in problems:
        assert f"[{c['id']}]" in verbose, c["id"]
    assert "low-priority suggestions" not in verbose


def test_what_was_crawled_is_said_once(demo_json):
    text = run("scan", "--demo", "--lang", "en", "--verbose").stdout
    pages = len(demo_json["pages_fetched"])
    assert "not found (pages crawled" not in text
    assert text.count(f"{pages} pages crawled") == 1
    # evidence that is page text is still shown
    assert "REGON 123456786" in text


def test_unchecked_checks_sharing_a_reason_are_one_line(demo_json):
    text = run("scan", "--demo", "--lang", "en").stdout
    section = text.split("Could not be checked")[1].split("To check by hand")[0]
    reason = "a saved copy of a site cannot show this; scan the live URL"
    assert section.count(reason) == 1 and "security.https" in section


def _content_lines(text: str) -> list[str]:
    """Lines with words (the panel's border lines excluded)."""
    return [ln for ln in text.splitlines() if re.search(r"\w", ln)]


def test_an_inconclusive_report_says_why_in_three_lines(certs):
    down = {"/": html("<html><body>Service Unavailable</body></html>", status=503)}
    with TestServer(down, ssl_context=certs.valid()) as srv:
        res = run("scan", srv.url + "/", "--lang", "en", "--timeout", "3", "--ca-bundle", certs.ca_bundle)
    assert res.exit_code == 3, res.output
    lines = _content_lines(res.stdout)
    assert len(lines) == 3, res.stdout
    assert "Inconclusive" in lines[1] and "503" in lines[1]
    assert "checks could not be judged for this reason" in lines[2]
    assert "1 page crawled" in lines[2]  # one page, not "1 pages"


def test_failures_still_judged_on_an_inconclusive_report_are_one_line_each():
    with TestServer({"/": html("<html><body>Service Unavailable</body></html>", status=503)}) as srv:
        res = run("scan", srv.url + "/", "--lang", "en", "--timeout", "3")
    assert res.exit_code == 3, res.output
    lines = _content_lines(res.stdout)
    assert "[security.https]" in res.stdout  # plain http: a real finding from our own connection
    fails = [ln for ln in lines if ln.startswith("fail ")]
    assert fails and len(lines) == 3 + len(fails) and "Fix:" not in res.stdout


@pytest.mark.parametrize("lang", LANGS)
def test_status_and_title_are_apart_in_every_language(lang):
    report = make_report({"legal.returns": Status.FAIL, "contact.phone": Status.WARN,
                          "security.hsts": Status.WARN}, language=lang)
    text = terminal.render(report, lang)
    for st in (Status.FAIL, Status.WARN):
        label = messages.t("status." + st.value, lang)
        heads = [ln for ln in text.splitlines() if ln.startswith(label)]
        assert heads, (lang, label)
        for ln in heads:
            assert re.match(re.escape(label) + r" +\S", ln), (lang, ln)


@pytest.mark.parametrize("lang", [x for x in LANGS if x != "en"])
def test_every_frame_word_is_translated(lang):
    report = make_report({"legal.returns": Status.FAIL, "contact.phone": Status.WARN}, language=lang)
    text = terminal.render(replace(report, pages_fetched=({"url": "https://sklep.example.pl/"},) * 3), lang)
    for english in ("pages crawled", "page crawled", "Score", "Grade", "Fix:", "Evidence", "Category",
                    "Passed checks", "warning", "low-priority"):
        assert english not in text, (lang, english)


@pytest.mark.parametrize("lang, n, expected", [
    ("en", 1, "1 page crawled"), ("en", 2, "2 pages crawled"),
    ("pl", 1, "przeczytano 1 stronę"), ("pl", 3, "przeczytano 3 strony"), ("pl", 5, "przeczytano 5 stron"),
    ("pl", 22, "przeczytano 22 strony"), ("pl", 25, "przeczytano 25 stron"),
    ("ru", 1, "прочитана 1 страница"), ("ru", 21, "прочитана 21 страница"), ("ru", 3, "прочитаны 3 страницы"),
    ("ru", 11, "прочитано 11 страниц"),
    ("el", 1, "διαβάστηκε 1 σελίδα"), ("el", 7, "διαβάστηκαν 7 σελίδες"),
    ("ar", 2, "قُرئت صفحتان (2)"), ("ar", 3, "قُرئت 3 صفحات"),
])
def test_plural_forms_follow_cldr(lang, n, expected):
    assert messages.t("pages_n", lang, n=n) == expected


@pytest.mark.parametrize("lang", messages.catalogue_languages())
def test_plural_messages_have_the_language_s_cldr_categories(lang):
    """Every plural message of a catalogue has exactly the CLDR categories of its language (no "1 pages"
    because a form is missing), with the English placeholders."""
    en = messages.plurals("en")
    cats = messages.plural_categories(lang)
    for key, forms in messages.plurals(lang).items():
        assert key in en, (lang, key)
        assert set(forms) == cats, (lang, key, sorted(forms), sorted(cats))
        want = set().union(*(messages.placeholders(x) for x in en[key].values()))
        for cat, text in forms.items():
            assert messages.placeholders(text) <= want and text.strip(), (lang, key, cat)
    if lang in LANGS:
        assert set(en) <= set(messages.plurals(lang)), lang  # report languages have them all


def test_low_failures_are_never_collapsed():
    report = make_report({"security.hsts": Status.FAIL, "contact.form": Status.WARN})
    assert {c.severity for c in report.checks if c.id in ("security.hsts", "contact.form")} == {Severity.LOW}
    text = terminal.render(report, "en")
    short = terminal.render(report, "en", verbose=False)
    assert "[security.hsts]" in text
    assert "[security.hsts]" in short
    assert "[contact.form]" not in short and "1 low-priority suggestion (--verbose shows it)" in short
