"""Extraction accuracy over the labelled dev corpus (../shared/corpus/dev) and the evaluation API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustaudit.evaluation import EvalResult, evaluate_corpus, format_table, result_to_dict

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "corpus" / "dev"

# Signals with >= 5 labelled instances must reach F1_FLOOR on the 44-shop dev corpus, and the micro-F1 over all
# signals TOTAL_FLOOR (measured at 0.986; the held-out third 0.984, scored blind at 0.978 before the last two
# vocabulary fixes). The exceptions below are kept at the measured value because of label disagreements checked
# by hand (see README "Accuracy"), not missing vocabulary alone:
# - page.complaints (6 labelled): of two valid complaint links the tool prefers the one whose anchor and URL both
#   name the kind over the first in document order.
# - page.faq (21): "FAQs" and a JS "#" help-centre link labelled as no FAQ; a community-help page preferred over
#   "Infocenter / Hilfe"; a help page whose only anchor is a phone number and an e-mail address.
# - chat_widgets (9): a chat snippet inside an HTML comment (inactive, not reported) labelled as present.
# - tax_ids_valid: its recall is bounded by the labelled IDs that fail their own check digit or length (6 of 37),
#   which the tool reports as invalid; its precision must stay 1.0 (test_valid_tax_ids_are_never_wrong).
# The country (44 labelled, one decision per shop, not in the total) is held to F1_FLOOR like any signal.
F1_FLOOR = 0.95
TOTAL_FLOOR = 0.98
HELD_FLOOR = 0.975
EXCEPTIONS = {"page.complaints": 0.83, "page.faq": 0.88, "chat_widgets": 0.94, "tax_ids_valid": 0.91}


@pytest.fixture(scope="module")
def dev_result() -> EvalResult:
    if not DEV.is_dir():
        pytest.skip(f"labelled corpus not found at {DEV} (../shared is absent)")
    return evaluate_corpus(DEV)


def test_f1_floor_for_signals_with_support(dev_result):
    table = format_table(dev_result)
    low = {n: round(s.f1, 3) for n, s in dev_result.signals.items()
           if s.support >= 5 and s.f1 < EXCEPTIONS.get(n, F1_FLOOR)}
    assert not low, table
    assert dev_result.total.f1 >= TOTAL_FLOOR, table


def test_held_out_third_floor():
    if not DEV.is_dir():
        pytest.skip(f"labelled corpus not found at {DEV} (../shared is absent)")
    held = evaluate_corpus(DEV, split="held")
    assert held.cases == 14 and held.total.f1 >= HELD_FLOOR, format_table(held)


def test_valid_tax_ids_are_never_wrong(dev_result):
    s = dev_result.signals["tax_ids_valid"]
    assert s.precision == 1.0, format_table(dev_result)


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


def _case(root: Path, name: str, labels: dict, html: str) -> None:
    case = root / name
    case.mkdir()
    (case / "index.html").write_text(html, encoding="utf-8")
    (case / "labels.json").write_text(json.dumps({"shop": f"{name}.example", **labels}), encoding="utf-8")


def test_a_page_label_may_be_a_list_of_hrefs_naming_one_page(tmp_path):
    html = ('<html lang="de"><body><footer><a href="/info/11/popup/true">Versandkosten</a>'
            '<a href="#">Sendungsverfolgung</a><a href="#agb">AGB</a></footer></body></html>')
    _case(tmp_path, "de-a", {"pages": {"delivery": ["/info/11/labels/true", "/info/11/popup/true"],
                                        "order_tracking": "#", "terms": "#agb"}}, html)
    res = evaluate_corpus(tmp_path)
    for sig in ("page.delivery", "page.order_tracking", "page.terms"):
        s = res.signals[sig]
        assert (s.tp, s.fp, s.fn) == (1, 0, 0), format_table(res)
    # a prediction matching no member is one false positive and one false negative
    _case(tmp_path, "de-b", {"pages": {"delivery": ["/a", "/b"]}}, html)
    s = evaluate_corpus(tmp_path / "de-b").signals["page.delivery"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_split_is_the_sha256_rule_and_reproducible(tmp_path):
    import hashlib

    from trustaudit.evaluation import in_split

    names = [f"xx-case{i}" for i in range(12)]
    held = {n for n in names if int(hashlib.sha256(n.encode()).hexdigest(), 16) % 3 == 0}
    assert held and held != set(names)
    assert {n for n in names if in_split(n, "held")} == held
    assert {n for n in names if in_split(n, "tune")} == set(names) - held
    assert all(in_split(n, "all") for n in names)
    with pytest.raises(ValueError):
        in_split("x", "test")
    for n in names:
        _case(tmp_path, n, {"emails": []}, "<html><body>x</body></html>")
    assert evaluate_corpus(tmp_path, split="held").cases == len(held)
    assert evaluate_corpus(tmp_path, split="tune").cases == len(names) - len(held)
    assert evaluate_corpus(tmp_path).cases == len(names)


def test_cli_split_option(tmp_path):
    from typer.testing import CliRunner

    from trustaudit.cli import app

    for n in ("xx-case0", "xx-case1", "xx-case2", "xx-case3"):
        _case(tmp_path, n, {"emails": []}, "<html><body>x</body></html>")
    runner = CliRunner()
    counts = {}
    for split in ("all", "tune", "held"):
        r = runner.invoke(app, ["eval", str(tmp_path), "--split", split, "--json"])
        assert r.exit_code == 0, r.output
        counts[split] = json.loads(r.output)["cases"]
    assert counts["tune"] + counts["held"] == counts["all"] == 4
    r = runner.invoke(app, ["eval", str(tmp_path), "--split", "test"])
    assert r.exit_code != 0 and "--split" in r.output


def test_labels_name_services_through_the_slug_aliases(tmp_path):
    from trustaudit.evaluation import slug_aliases

    assert slug_aliases()["amex"] == "american_express"
    html = '<html lang="en"><body><footer><p>We accept: Visa, Mastercard, American Express</p></footer></body></html>'
    _case(tmp_path, "en-a", {"payment_providers": ["visa", "mastercard", "amex"]}, html)
    s = evaluate_corpus(tmp_path).signals["payment_providers"]
    assert (s.tp, s.fp, s.fn) == (3, 0, 0), format_table(evaluate_corpus(tmp_path))


def test_every_slug_alias_is_unique_and_no_slug_itself():
    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "rules/vocab/widgets.yaml").read_text())
    slugs = {s for sec in data.values() if isinstance(sec, dict) for s in sec}
    aliases = [a for sec in data.values() if isinstance(sec, dict) for spec in sec.values() if isinstance(spec, dict)
               for a in spec.get("aliases") or ()]
    assert len(aliases) == len(set(aliases)) and not set(aliases) & slugs
