"""Extraction accuracy over the labelled dev corpus (../shared/corpus/dev) and the evaluation API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustaudit.evaluation import EvalResult, evaluate_corpus, format_table, result_to_dict

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "corpus" / "dev"

# Signals with >= 5 labelled instances must reach this F1 on the dev corpus. Below 1.0 because of known label
# disagreements: a chat widget that sits inside an HTML comment (inactive, not reported), an "FAQs" footer
# link labelled as no FAQ, an "Unternehmen" (company) page labelled as no about page, Amazon Pay loaded by
# script but not named in text.
F1_FLOOR = 0.85


@pytest.fixture(scope="module")
def dev_result() -> EvalResult:
    if not DEV.is_dir():
        pytest.skip(f"labelled corpus not found at {DEV} (../shared is absent)")
    return evaluate_corpus(DEV)


def test_f1_floor_for_signals_with_support(dev_result):
    table = format_table(dev_result)
    low = {n: round(s.f1, 3) for n, s in dev_result.signals.items() if s.support >= 5 and s.f1 < F1_FLOOR}
    assert not low, table


def test_valid_tax_ids_are_never_wrong(dev_result):
    s = dev_result.signals["tax_ids_valid"]
    assert s.precision == 1.0, format_table(dev_result)
    assert dev_result.total.f1 >= 0.95


def test_table_format(dev_result):
    table = format_table(dev_result)
    assert table.splitlines()[0].split()[:5] == ["signal", "P", "R", "F1", "support"]
    assert "TOTAL" in table and "page.contact" in table
    d = json.loads(json.dumps(result_to_dict(dev_result)))
    assert d["cases"] == dev_result.cases and d["signals"]["emails"]["support"] == dev_result.signals["emails"].support


def test_synthetic_corpus(tmp_path):
    case = tmp_path / "pl-mini"
    case.mkdir()
    (case / "index.html").write_text(
        '<html lang="pl"><body><footer><a href="/kontakt">Kontakt</a><a href="javascript:;">Zwroty</a>'
        "<p>Tel. 603 177 807, biuro@mini.pl, NIP 123-456-32-18</p>"
        '<a href="https://facebook.com/mini">fb</a></footer></body></html>', encoding="utf-8")
    labels = {"shop": "mini.pl", "emails": ["biuro@mini.pl"], "phones": ["+48603177807"],
              "tax_ids": [{"scheme": "pl.nip", "value": "1234563218"}],
              "pages": {"contact": "/kontakt", "returns": "javascript:;", "about": None},
              "reviews": {"widgets": [], "aggregate_rating": False}, "chat_widgets": [], "payment_providers": [],
              "social": ["facebook", "instagram"]}
    (case / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    res = evaluate_corpus(tmp_path)
    assert res.cases == 1
    for sig in ("emails", "phones", "tax_ids", "page.contact", "page.returns"):
        assert res.signals[sig].f1 == 1.0, format_table(res)
    assert res.signals["social"].fn == 1 and res.signals["social"].fp == 0
    assert "instagram" in format_table(res)
