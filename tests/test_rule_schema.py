"""Rules are validated when loaded: each predicate declares its parameters (trustaudit/ruleschema.py), and a
rule file that names something that does not exist is an error naming the file, the key and the nearest valid
value, never a rule that silently never matches."""

from __future__ import annotations

import copy

import pytest
import yaml
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.engine import PREDICATES, RuleError, known_names, load_rules, parse_rule
from trustaudit.resources import load_yaml, rules_dir
from trustaudit.ruleschema import PARAMS

GOOD = {
    "id": "policies.delivery-time",
    "category": "policies",
    "weight": 3,
    "severity": "medium",
    "on_fail": "warn",
    "predicate": "phrase_present",
    "params": {"phrase": "delivery_time", "quantity": "duration"},
    "source": {"default": "Practice", "EU": "Directive 2011/83/EU Art. 6(1)(g)"},
    "evidence_pages": ["delivery", "faq"],
}


def _bad(path: list, value):
    data = copy.deepcopy(GOOD)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def test_every_predicate_declares_its_parameters():
    assert set(PARAMS) == set(PREDICATES)


def test_the_good_rule_loads_normalised():
    rule = parse_rule(GOOD, "policies.delivery-time.yaml")
    assert rule.params == {"phrases": ["delivery_time"], "quantity": "duration", "partial_phrases": []}
    assert rule.reads == ("phrase:delivery_time",)
    assert rule.source_for("PL") == "Directive 2011/83/EU Art. 6(1)(g)" and rule.source_for("US") == "Practice"


@pytest.mark.parametrize(
    "data,expected",
    [
        (_bad(["params", "phrase"], "delivery_tme"),
         "policies.delivery-time.yaml: params.phrase: unknown phrase group 'delivery_tme' (nearest: 'delivery_time')"),
        (_bad(["params", "quantity"], "durations"), "params.quantity: unknown quantity 'durations' (nearest: 'duration')"),
        (_bad(["params", "phrasse"], "x"), "params: unknown key 'phrasse' (nearest: 'phrases')"),
        (_bad(["predicate"], "phrase_presnt"), "predicate: unknown predicate 'phrase_presnt' (nearest: 'phrase_present')"),
        (_bad(["evidence_pages"], ["deliverry"]), "evidence_pages.0: unknown page kind 'deliverry' (nearest: 'delivery')"),
        (_bad(["category"], "policy"), "category: unknown category 'policy' (nearest: 'policies')"),
        (_bad(["severity"], "hihg"), "severity: unknown severity 'hihg' (nearest: 'high')"),
        (_bad(["countries"], ["PLL"]), "countries.0: unknown country or group 'PLL' (nearest: 'PL')"),
        (_bad(["source"], {"EU": "x"}), "a 'default' citation"),
        (_bad(["source"], {"default": "x", "Europe": "y"}), "unknown source country or group 'Europe'"),
        (_bad(["wieght"], 3), "unknown key 'wieght' (nearest: 'weight')"),
        (_bad(["weight"], -1), "weight: Input should be greater than or equal to 0"),
        (_bad(["params"], {}), "'phrase' (or a non-empty 'phrases') is required"),
        (_bad(["params", "partial_phrases"], ["returns_perod"]),
         "params.partial_phrases.0: unknown phrase group 'returns_perod' (nearest: 'returns_period')"),
        (_bad(["id"], "other.delivery-time"), "id must start with its category"),
        (_bad(["source"], KeyError), "missing key 'source'"),
        (_bad(["only_when"], {"signals": ["review_widgts"], "reason": "reason.no_reviews"}),
         "only_when.signals.0: unknown signal 'review_widgts' (nearest: 'review_widgets')"),
        (_bad(["only_when"], {"signals": ["review_widgets"], "reason": "reason.no_reveiws"}),
         "only_when.reason: 'reason.no_reveiws' is not a reason of rules/locales/en.yaml"),
        (_bad(["only_when"], {"signals": [], "reason": "reason.no_reviews"}), "only_when.signals"),
        (_bad(["only_when"], {"signal": ["review_widgets"], "reason": "reason.no_reviews"}),
         "unknown key 'signal' (nearest: 'signals')"),
    ],
)
def test_a_misspelt_name_is_an_error_naming_file_key_and_nearest_value(data, expected):
    with pytest.raises(RuleError) as exc:
        parse_rule(data, "policies.delivery-time.yaml")
    assert expected in str(exc.value), str(exc.value)
    assert str(exc.value).startswith("policies.delivery-time.yaml: ") or "must equal" in str(exc.value)


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"signal": "phones"}, None),
        ({"signal": "phonse"}, "unknown signal 'phonse' (nearest: 'phones')"),
        ({"signals": ["page:contakt"]}, "unknown page kind 'contakt' (nearest: 'contact')"),
        ({"signals": ["phrase:cash_on_delivry"]}, "unknown phrase group 'cash_on_delivry' (nearest: 'cash_on_delivery')"),
        ({"signal": "payment_providers", "slugs": ["klarnaa"]}, "unknown service slug 'klarnaa' (nearest: 'klarna')"),
        ({"signal": "phones", "min": 0}, "min: Input should be greater than or equal to 1"),
        ({"signal": "phones", "signals": ["emails"]}, "either 'signal' or 'signals'"),
    ],
)
def test_signal_params_are_checked(params, expected):
    data = {**GOOD, "id": "contact.x", "category": "contact", "predicate": "signal_present", "params": params}
    if expected is None:
        parse_rule(data, "contact.x.yaml")
        return
    with pytest.raises(RuleError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        parse_rule(data, "contact.x.yaml")


def test_sub_checks_of_any_of_are_checked_with_their_own_predicate():
    data = {**GOOD, "predicate": "any_of", "params": {"checks": [
        {"predicate": "page_found", "params": {"kind": "delivery"}},
        {"predicate": "phrase_present", "params": {"phrase": "delivery_cots"}}]}}
    with pytest.raises(RuleError, match=r"params\.checks\.1\.params\.phrase: unknown phrase group 'delivery_cots' "
                                        r"\(nearest: 'delivery_cost'\)"):
        parse_rule(data, "policies.delivery-time.yaml")
    data["params"]["checks"][1] = {"predicate": "tax_id_present", "params": {"schemes": ["pl.nipp"]}}
    with pytest.raises(RuleError, match=r"unknown ID scheme 'pl.nipp' \(nearest: 'pl.nip'\)"):
        parse_rule(data, "policies.delivery-time.yaml")


def test_texts_in_a_rule_file_point_to_the_catalogues():
    with pytest.raises(RuleError, match=r"unknown key 'title' \(texts live in the catalogues"):
        parse_rule({**GOOD, "title": {"en": "x"}}, "policies.delivery-time.yaml")


def test_every_shipped_rule_passes_validation_and_keeps_its_reads():
    known = known_names()
    for path in sorted((rules_dir() / "checks").glob("*.yaml")):
        rule = parse_rule(load_yaml(f"checks/{path.name}"), path.name, known)
        assert rule.reads or rule.predicate == "manual", rule.id
    assert len(load_rules()) >= 60


def test_rules_check_command_validates_user_rule_files(tmp_path):
    good = tmp_path / "policies.delivery-time.yaml"
    good.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    bad = tmp_path / "contact.x.yaml"
    bad.write_text(yaml.safe_dump({**GOOD, "id": "contact.x", "category": "contact",
                                   "params": {"phrase": "opening_hurs"}}), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["rules", "check", str(good)])
    assert res.exit_code == 0 and "1 rule file(s) valid" in res.stdout
    res = runner.invoke(app, ["rules", "check", str(good), str(bad)])
    assert res.exit_code == 2
    assert "contact.x.yaml: params.phrase: unknown phrase group 'opening_hurs' (nearest: 'opening_hours')" in res.stderr
