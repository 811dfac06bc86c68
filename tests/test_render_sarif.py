"""SARIF 2.1.0: valid against the official schema, one result per failed / warned check, stable anchors."""

import json
import re
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from tests.sample_reports import ALL, huge_report, mixed_statuses, poor_shop
from trustaudit.models import Severity, Status
from trustaudit.render import sarif

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    if not SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SCHEMA} (../shared is absent)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("name", sorted(ALL))
def test_valid_and_one_result_per_failed_or_warned_check(name, validator):
    report = ALL[name]()
    doc = json.loads(sarif.render(report))
    validator.validate(doc)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    driver = run["tool"]["driver"]
    assert driver["name"] == "trustaudit" and driver["version"]
    skipped = {s["id"] for s in report.skipped}
    assert sorted(r["id"] for r in driver["rules"]) == sorted({c.id for c in report.checks} | skipped)
    problems = [c for c in report.checks if c.status in (Status.FAIL, Status.WARN)]
    assert len(run["results"]) == len(problems) + len(skipped)
    assert sorted(r["ruleId"] for r in run["results"] if r.get("suppressions")) == sorted(skipped)
    assert re.fullmatch(r"trustaudit/[a-z0-9][a-z0-9.-]*/", run["automationDetails"]["id"])
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "trustaudit.toml"
        assert loc["region"]["startLine"] == 1
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]
        for url in res["properties"].get("urls", ()):
            assert url in res["message"]["text"]


def test_rule_metadata_and_levels():
    report = mixed_statuses()
    run = json.loads(sarif.render(report))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    expected = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
                Severity.LOW: "note", Severity.INFO: "note"}
    for c in report.checks:
        r = rules[c.id]
        assert r["shortDescription"]["text"] == c.title
        assert r["help"]["text"].startswith(c.fix)
        assert r["fullDescription"]["text"] == c.fix
        assert r["properties"]["category"] == c.category and r["properties"]["weight"] == c.weight
        assert r["defaultConfiguration"]["level"] == expected[c.severity]
    by_id = {r["ruleId"]: r for r in run["results"]}
    assert by_id["legal.returns"]["level"] == "error"  # critical failure
    assert by_id["contact.phone"]["level"] == "warning"  # medium warning


def test_a_warning_is_never_an_error():
    report = poor_shop()
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    for res in results:
        if res["properties"]["status"] == "warn":
            assert res["level"] in ("warning", "note")


def test_fingerprints_stable_across_runs_and_distinct_per_target():
    a = json.loads(sarif.render(poor_shop()))["runs"][0]["results"]
    b = json.loads(sarif.render(poor_shop()))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert len({json.dumps(r["partialFingerprints"]) for r in a}) == len(a)
    assert sarif.fingerprint("x.y", "https://a.example/") != sarif.fingerprint("x.y", "https://b.example/")


def test_large_report_stays_valid(validator):
    doc = sarif.render_dict(huge_report(600))
    validator.validate(doc)
