"""A returns period the shop grants is not the statutory right of withdrawal: the title says what was found.

"The 14-day right of withdrawal is stated" passes on a statement of the right (14 days, or longer stated as
withdrawal). A returns promise of 30 days alone warns with "A returns period of 30 days is stated, but not the right
of withdrawal" and the sentence as evidence; a 30-day period of something else (delivery) is no returns period.
Scanned through the pipeline on saved pages in English, Polish and German.
"""

from __future__ import annotations

import pytest

from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan

RID = "policies.withdrawal-14-days"
COUNTRY = {"en": "IE", "pl": "PL", "de": "DE"}


def _check(tmp_path, lang: str, body: str, report_lang: str = "en"):
    page = tmp_path / "index.html"
    page.write_text(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Shop</title></head>'
                    f"<body><h1>Shop</h1><p>{body}</p></body></html>", encoding="utf-8")
    report = scan(str(page), ScanOptions(country=COUNTRY[lang]), lang=report_lang)
    return next(c for c in report.checks if c.id == RID)


@pytest.mark.parametrize("lang, sentence", [
    ("en", "You have 14 days to return any item."),
    ("en", "You have the right to withdraw from this contract within 30 days without giving any reason."),
    ("pl", "Masz 14 dni na zwrot towaru bez podania przyczyny."),
    ("pl", "Przysługuje Ci prawo do odstąpienia od umowy w terminie 30 dni."),
    ("de", "Widerrufsrecht: Sie können binnen vierzehn Tagen ohne Angabe von Gründen widerrufen."),
    ("de", "Widerrufsrecht: Sie haben das Recht, diesen Vertrag innerhalb von 30 Tagen zu widerrufen."),
])
def test_the_right_of_withdrawal_passes(tmp_path, lang, sentence):
    check = _check(tmp_path, lang, sentence)
    assert check.status.value == "pass", (check.title, [e.snippet for e in check.evidence])
    assert check.title == "The 14-day right of withdrawal is stated"


@pytest.mark.parametrize("lang, sentence, found", [
    ("en", "Changed your mind? You have 30 days to return your order.", "30 days"),
    ("en", "Enjoy 30 day returns on every order.", "30 day"),
    ("pl", "Masz 30 dni na zwrot zakupionego towaru.", "30 dni"),
    ("de", "Bei uns gilt: 30 Tage Rückgaberecht auf alle Artikel.", "30 Tage"),
])
def test_a_longer_returns_period_is_named_not_taken_for_the_right(tmp_path, lang, sentence, found):
    check = _check(tmp_path, lang, sentence)
    assert check.status.value == "warn", check.title
    assert check.title == f"A returns period of {found} is stated, but not the right of withdrawal"
    assert check.evidence and all(found.split()[0] in e.snippet for e in check.evidence)


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Delivery within 30 days of your order."),
    ("pl", "Dostawa do 30 dni od złożenia zamówienia."),
    ("de", "Lieferung innerhalb von 30 Tagen nach Bestellung."),
])
def test_another_30_day_period_is_neither(tmp_path, lang, sentence):
    check = _check(tmp_path, lang, sentence)
    assert check.status.value == "warn"
    assert check.title == "The 14-day right of withdrawal is not stated"


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Right of withdrawal: see our terms and conditions."),
    ("pl", "Prawo do odstąpienia od umowy opisuje regulamin."),
])
def test_the_right_named_without_its_period_is_no_pass(tmp_path, lang, sentence):
    check = _check(tmp_path, lang, sentence)
    assert check.status.value == "warn"
    assert check.title == "A right of withdrawal is mentioned, but not its period"


def test_the_title_is_in_the_report_language(tmp_path):
    check = _check(tmp_path, "pl", "Masz 30 dni na zwrot zakupionego towaru.", report_lang="pl")
    assert check.title == "Podano termin zwrotu (30 dni), ale nie prawo odstąpienia od umowy"


def test_rules_show_names_the_returns_period_as_not_passing():
    from typer.testing import CliRunner

    from trustaudit.cli import app

    res = CliRunner().invoke(app, ["rules", "show", RID])
    assert res.exit_code == 0, res.output
    assert "wording about returns period" in " ".join(res.output.split())
