"""A duty about something a shop may not show at all is not applicable when the shop does not show it.

The EU duty to say how reviews are verified (Directive 2005/29/EC Art. 7(6), as amended by 2019/2161) binds a
trader who gives access to consumer reviews: a shop showing none is not told it fails to verify them. Scanned
through the real command line on saved pages.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.engine import load_rules

RULES = {r.id: r for r in load_rules()}
runner = CliRunner()

REVIEWS = {
    "en": '<div class="reviews"><div class="review">★★★★★ Solid oak, arrived well packed. – Sophie</div>'
          '<div class="review">★★☆☆☆ Delivery was a week late. – Tom</div></div>',
    "pl": '<div class="reviews"><div class="review">★★★★★ Świetny kubek, szybka wysyłka. – Anna</div>'
          '<div class="review">★★☆☆☆ Paczka przyszła po tygodniu. – Piotr</div></div>',
}
VERIFIED = {"en": "<p>All reviews come from verified buyers.</p>",
            "pl": "<p>Opinie pochodzą wyłącznie od zweryfikowanych klientów.</p>"}
# about the shop and its payments, not its reviews: words a review statement uses, with no reviews shown
NO_REVIEWS = {"en": "<p>Secure payments: Verified by Visa. Write to us, we reply to every message.</p>",
              "pl": "<p>Bezpieczne płatności. Odpowiadamy na każdą wiadomość.</p>"}
COUNTRY = {"en": "IE", "pl": "PL"}


def _checks(tmp_path, lang: str, body: str) -> dict:
    page = tmp_path / "index.html"
    page.write_text(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Shop</title></head>'
                    f"<body><h1>Shop</h1>{body}</body></html>", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(page), "--country", COUNTRY[lang], "--format", "json", "--lang", "en"])
    assert res.exit_code in (0, 1), res.output
    return {c["id"]: c for c in json.loads(res.stdout)["checks"]}


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_no_reviews_shown_makes_the_review_duties_not_applicable(tmp_path, lang):
    checks = _checks(tmp_path, lang, NO_REVIEWS[lang])
    assert checks["reviews.visible"]["status"] in ("warn", "fail")
    for rid in ("reviews.verified", "reviews.negative-replied"):
        assert checks[rid]["status"] == "not_applicable", checks[rid]
        assert "no customer reviews are shown" in checks[rid]["reason"]
        assert "does not say" not in checks[rid]["title"] and "No shop replies" not in checks[rid]["title"]


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_reviews_without_a_verification_statement_still_warn(tmp_path, lang):
    checks = _checks(tmp_path, lang, REVIEWS[lang] + NO_REVIEWS[lang])
    assert checks["reviews.visible"]["status"] == "pass"
    assert checks["reviews.verified"]["status"] == "warn", checks["reviews.verified"]
    assert checks["reviews.negative-replied"]["status"] == "warn", checks["reviews.negative-replied"]


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_reviews_with_a_verification_statement_pass(tmp_path, lang):
    checks = _checks(tmp_path, lang, REVIEWS[lang] + VERIFIED[lang])
    assert checks["reviews.verified"]["status"] == "pass", checks["reviews.verified"]
    assert checks["reviews.verified"]["evidence"]


def test_a_rating_alone_is_reviews_shown(tmp_path):
    rating = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", '
              '"name": "Oak table", "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4.6, '
              '"reviewCount": 31}}</script>')
    checks = _checks(tmp_path, "en", rating)
    assert checks["reviews.verified"]["status"] == "warn", checks["reviews.verified"]


def test_the_review_duties_say_what_they_concern():
    for rid in ("reviews.verified", "reviews.negative-replied"):
        assert set(RULES[rid].only_when["signals"]) == set(RULES["reviews.visible"].params["signals"])
        assert set(RULES[rid].only_when["signals"]) <= set(RULES[rid].reads)


def test_rules_show_says_when_the_check_applies():
    res = runner.invoke(app, ["rules", "show", "reviews.verified"])
    assert res.exit_code == 0, res.output
    assert "applies only when the shop shows" in " ".join(res.output.split())
