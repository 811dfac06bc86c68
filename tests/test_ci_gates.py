"""CI gates and artefacts: [assert] per check and category (as Lighthouse CI), --baseline, SARIF anchors and
suppressions, the badge."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from jsonschema.validators import validator_for
from typer.testing import CliRunner

from tests.sample_reports import make_report
from trustaudit.assertions import Assertions, CategoryAssertion, CheckAssertion, evaluate, level_for
from trustaudit.cli import app
from trustaudit.config import ConfigError, load_config
from trustaudit.models import Status
from trustaudit.render import badge, sarif

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "trustaudit/schema/report.schema.json").read_text())
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A project checkout: a .git folder and a README, the working directory of the scan."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text("# shop\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _toml(repo: Path, body: str) -> None:
    (repo / "trustaudit.toml").write_text(body, encoding="utf-8")


# --------------------------------------------------------------------------- [assert]


def test_assertions_decide_the_exit_code_and_the_report_lists_them(repo):
    _toml(repo, '[assert]\n"contact.email" = "error"\n"support.chat" = "off"\n"support.*" = "warn"\n'
                '[assert.categories]\npolicies = 50\n')
    res = run("scan", "--demo", "-f", "json")
    assert res.exit_code == 0, res.output  # e-mail passes, policies well above 50
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    got = {a["id"]: a for a in doc["assertions"]}
    assert got["contact.email"] == {"id": "contact.email", "level": "error", "outcome": "passed",
                                    "expected": "pass", "actual": "pass"}
    assert "support.chat" not in got  # "off" beats the glob
    assert got["support.order-tracking"]["outcome"] == "failed" and got["support.order-tracking"]["level"] == "warn"
    assert got["support.real-response-time"]["outcome"] == "not_checked"  # manual: neither met nor failed
    assert got["category:policies"]["outcome"] == "passed"
    assert "assertion failed: support.order-tracking" in res.stderr  # a warning, exit unchanged


def test_a_failed_error_assertion_exits_1_and_names_it(repo):
    _toml(repo, '[assert]\n"legal.ids-valid" = "error"\n"contact.email" = "error"\n[assert.categories]\npolicies = 99.5\n')
    res = run("scan", "--demo", "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "legal.ids-valid (fail)" in res.stderr and "category policies" in res.stderr
    assert "contact.email" not in res.stderr
    # the terminal report lists the failed ones too
    assert "Assertions (trustaudit.toml)" in res.stdout and "legal.ids-valid" in res.stdout.split("Assertions")[1]


@pytest.mark.parametrize("body, needle", [
    ('[assert]\n"contact.emial" = "error"\n', "nearest: 'contact.email'"),
    ('[assert]\n"legl.*" = "warn"\n', "nearest: 'legal'"),
    ('[assert]\n"contact.email" = "eror"\n', "nearest: 'error'"),
    ('[assert.categories]\npolicy = 80\n', "nearest: 'policies'"),
    ('[assert.categories]\npolicies = 180\n', "0 to 100"),
])
def test_unknown_ids_levels_and_categories_are_usage_errors(repo, body, needle):
    _toml(repo, body)
    res = run("scan", "--demo", "-q")
    assert res.exit_code == 2, res.output
    assert needle in res.stderr and res.stderr.count("\n") == 1
    with pytest.raises(ConfigError):
        load_config(cwd=repo)


def test_most_specific_pattern_wins():
    rules = (CheckAssertion("legal.*", "warn"), CheckAssertion("legal.pl-*", "error"),
             CheckAssertion("legal.pl-krs", "off"), CheckAssertion("*", "warn"))
    assert level_for("legal.pl-nip", rules) == "error"
    assert level_for("legal.pl-krs", rules) == "off"
    assert level_for("legal.ids-valid", rules) == "warn"
    assert level_for("contact.email", rules) == "warn"
    assert level_for("contact.email", rules[:3]) is None


def test_warn_status_does_not_meet_and_error_status_is_not_checked():
    report = make_report({"contact.email": Status.WARN, "contact.phone": Status.ERROR, "legal.terms": Status.PASS})
    res = {r.id: r for r in evaluate(report, Assertions(
        (CheckAssertion("contact.*", "error"), CheckAssertion("legal.terms", "error")),
        (CategoryAssertion("nope", 10),),
    ))}
    assert res["contact.email"].outcome == "failed"
    assert res["contact.phone"].outcome == "not_checked"
    assert res["legal.terms"].outcome == "passed"
    assert res["category:nope"].outcome == "not_checked"  # no score: never a pass or a fail


# --------------------------------------------------------------------------- --baseline


def test_baseline_fails_on_any_regression(repo, tmp_path):
    res = run("scan", "--demo", "-q", "-o", "now.json")
    assert res.exit_code == 0, res.output
    assert run("scan", "--demo", "-q", "--baseline", "now.json").exit_code == 0  # same site: no regression
    doc = json.loads(Path("now.json").read_text())
    for c in doc["checks"]:
        if c["id"] == "support.chat":
            c["status"] = "pass"  # it used to pass, now it warns
    Path("better-before.json").write_text(json.dumps(doc), encoding="utf-8")
    res = run("scan", "--demo", "-q", "--baseline", "better-before.json")
    assert res.exit_code == 1
    assert "worse than the baseline" in res.stderr and "support.chat pass -> warn" in res.stderr
    doc["score"] = 100
    Path("higher.json").write_text(json.dumps(doc), encoding="utf-8")
    res = run("scan", "--demo", "-q", "--baseline", "higher.json")
    assert res.exit_code == 1 and re.search(r"score 100 -> \d+", res.stderr)


@pytest.mark.parametrize("content", [None, "{not json", '{"schema_version": "9.0"}'])
def test_unusable_baseline_is_a_usage_error_before_scanning(repo, content):
    if content is not None:
        Path("old.json").write_text(content, encoding="utf-8")
    res = run("scan", "--demo", "-q", "--baseline", "old.json")
    assert res.exit_code == 2 and "--baseline" in res.stderr and res.stderr.count("\n") == 1


# --------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA} (../shared is absent)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return validator_for(schema)(schema)


def _sarif_run(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["runs"][0]


def test_sarif_points_at_the_config_and_suppresses_skipped_checks(repo, sarif_validator):
    _toml(repo, '[skip]\n"support.chat" = "we answer by phone only"\n')
    sub = repo / "sub"
    sub.mkdir()
    res = run("scan", "--demo", "-q", "-o", "out.sarif")
    assert res.exit_code == 0, res.output
    doc = json.loads(Path("out.sarif").read_text())
    sarif_validator.validate(doc)
    run_ = doc["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"] for loc in r["locations"]}
    assert uris == {"trustaudit.toml"} and all((repo / u).is_file() for u in uris)
    assert re.fullmatch(r"trustaudit/[a-z0-9][a-z0-9.-]*/", run_["automationDetails"]["id"])
    (sup,) = [r for r in run_["results"] if r.get("suppressions")]
    assert sup["ruleId"] == "support.chat"
    assert sup["suppressions"][0] == {
        "kind": "external", "status": "accepted", "justification": "we answer by phone only",
        "location": sup["locations"][0]}
    assert run_["tool"]["driver"]["rules"][sup["ruleIndex"]]["id"] == "support.chat"


def test_sarif_without_config_points_at_the_readme_from_a_subfolder(repo, monkeypatch, sarif_validator):
    sub = repo / "deep" / "er"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert run("scan", "--demo", "-q", "-o", "out.sarif").exit_code == 0
    run_ = _sarif_run(sub / "out.sarif")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"] for loc in r["locations"]}
    assert uris == {"README.md"}  # relative to the repository root, where it exists


def test_sarif_never_names_a_file_that_does_not_exist(tmp_path, monkeypatch, sarif_validator):
    monkeypatch.chdir(tmp_path)  # no repository, no config, no README
    assert run("scan", "--demo", "-q", "-o", "out.sarif").exit_code == 0
    doc = json.loads((tmp_path / "out.sarif").read_text())
    sarif_validator.validate(doc)
    run_ = doc["runs"][0]
    assert run_["results"] and not any("locations" in r for r in run_["results"])
    assert "no project config or README" in json.dumps(run_["invocations"])


@pytest.mark.parametrize("target, expected", [
    ("https://Sklep.Example.pl/", "trustaudit/sklep.example.pl/"),
    ("https://shop.example:8443/pl/kategoria?x=<script>", "trustaudit/shop.example-8443-pl-kategoria/"),
    ("/home/me/mirror/", "trustaudit/mirror/"),
    ("file:///tmp/saved/index.html", "trustaudit/index/"),
    ("", "trustaudit/shop/"),
])
def test_category_ids_are_clean(target, expected):
    assert sarif.category_id(target) == expected


# --------------------------------------------------------------------------- badge


@pytest.mark.parametrize("score, grade, colour", [
    (95, "A", "#4c1"), (87, "B", "#97ca00"), (74, "C", "#a4a61d"), (63, "D", "#dfb317"), (55, "E", "#fe7d37"),
    (20, "F", "#e05d44"), (92, "F", "#e05d44"),  # a capped grade is coloured as the grade it is
])
def test_badge_text_and_colour_by_grade(score, grade, colour):
    report = make_report({"contact.email": Status.PASS})
    from dataclasses import replace

    svg = badge.render(replace(report, score=score, grade=grade))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts == ["trust", "trust", f"{score} {grade}", f"{score} {grade}"]
    assert root.find(f"{ns}title").text == f"trust: {score} {grade}"
    fills = [r.get("fill") for r in root.iter(f"{ns}rect")]
    assert colour in fills and "#555" in fills
    assert int(root.get("width")) == sum(int(float(r.get("width"))) for r in list(root.iter(f"{ns}rect"))[1:3])


def test_inconclusive_badge_is_grey_and_has_no_score():
    from dataclasses import replace

    report = replace(make_report({"contact.email": Status.ERROR}), score=None, grade=None, inconclusive="blocked")
    svg = badge.render(report)
    assert "inconclusive" in svg and "#9f9f9f" in svg and not re.search(r">\d+ [A-F]<", svg)


def test_badge_from_the_command_line(repo):
    res = run("scan", "--demo", "-q", "-o", "badge.svg", "-o", "r.json")
    assert res.exit_code == 0, res.output
    score = json.loads(Path("r.json").read_text())
    root = ET.fromstring(Path("badge.svg").read_text())
    assert root.get("aria-label") == f"trust: {score['score']} {score['grade']}"
    assert run("report", "r.json", "-f", "badge").stdout == Path("badge.svg").read_text()
