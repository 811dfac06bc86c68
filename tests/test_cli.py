"""The command line: every exit code, output formats, config, and the JSON contract (schema-validated)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from trustaudit.cli import app

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "trustaudit/schema/report.schema.json").read_text())
runner = CliRunner()


def run(*args, **kw):
    return runner.invoke(app, list(args), catch_exceptions=False, **kw)


@pytest.fixture(scope="module")
def demo_json():
    res = run("scan", "--demo", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and res.stdout.startswith("trustaudit ")


def test_demo_report_matches_the_schema(demo_json):
    jsonschema.validate(demo_json, SCHEMA)


def test_demo_report_content(demo_json):
    d = demo_json
    assert d["language"] == "pl" and d["country"] == "PL"
    assert isinstance(d["score"], int) and 0 < d["score"] <= 100
    assert d["tls"] is None  # a local target has no TLS facts
    checks = {c["id"]: c for c in d["checks"]}
    assert checks["contact.email"]["status"] == "pass"
    assert checks["legal.pl-nip"]["status"] == "pass"
    # the demo's REGON is mistyped on purpose: the check-digit check must catch it
    assert checks["legal.ids-valid"]["status"] == "fail"
    assert "123456786" in checks["legal.ids-valid"]["evidence"][0]["snippet"]
    assert checks["security.https"]["status"] == "error"  # could not check, never pass/fail
    nip = [t for t in d["signals"]["tax_ids"] if t["scheme"] == "pl.nip"]
    assert nip and nip[0]["value"] == "5252248481" and nip[0]["valid"] is True
    assert d["signals"]["pages"]["returns"].endswith("zwroty.html")
    assert "sklep@lisc-herbata.example" in d["signals"]["emails"]
    assert "+48123456789" in d["signals"]["phones"]
    # live links of a local mirror are never fetched
    assert all(p["url"].startswith("file://") for p in d["pages_fetched"])


def test_terminal_report_shows_score_fixes_and_unchecked(tmp_path):
    res = run("scan", "--demo", "--lang", "en")
    assert res.exit_code == 0
    out = res.stdout
    assert "Score:" in out and "Grade:" in out
    assert "Fix:" in out
    assert "Could not be checked" in out


def test_report_language_polish_by_default():
    res = run("scan", "--demo")
    assert "Wynik" in res.stdout


def test_fail_under_exit_1():
    res = run("scan", "--demo", "--quiet", "--fail-under", "99")
    assert res.exit_code == 1
    assert "below --fail-under 99" in res.stderr


def test_fail_on_severity_exit_1():
    res = run("scan", "--demo", "--quiet", "--fail-on", "critical")
    assert res.exit_code == 1  # the mistyped REGON is a critical failure
    assert "legal.ids-valid" in res.stderr


def test_threshold_met_exit_0():
    res = run("scan", "--demo", "--quiet", "--fail-under", "10")
    assert res.exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["scan"],
        ["scan", "--demo", "somewhere"],
        ["scan", "--demo", "--lang", "xx"],
        ["scan", "--demo", "--country", "Poland"],
        ["scan", "--demo", "--fail-under", "150"],
        ["scan", "--demo", "--no-such-option"],
        ["scan", "--demo", "-o", "report.weird"],
        ["rules", "show", "no.such-rule"],
    ],
)
def test_usage_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


def test_missing_file_exit_3(tmp_path):
    res = run("scan", str(tmp_path / "nope.html"))
    assert res.exit_code == 3
    assert res.stderr.count("\n") == 1 and "trustaudit:" in res.stderr


def test_unreachable_exit_3():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    res = run("scan", f"http://127.0.0.1:{port}/", "--timeout", "2")
    assert res.exit_code == 3
    assert res.stderr.count("\n") == 1


def test_several_formats_from_one_scan(tmp_path):
    outs = [tmp_path / n for n in ("r.json", "r.html", "r.md", "r.sarif", "r.xml", "r.csv")]
    args = ["scan", "--demo", "--quiet"]
    for o in outs:
        args += ["-o", str(o)]
    res = run(*args)
    assert res.exit_code == 0, res.output
    for o in outs:
        assert o.stat().st_size > 200, o
    jsonschema.validate(json.loads(outs[0].read_text()), SCHEMA)
    assert outs[1].read_text().lstrip().lower().startswith("<!doctype html")


def test_config_file_skips_and_thresholds(tmp_path, monkeypatch):
    (tmp_path / "trustaudit.toml").write_text(
        'fail_under = 99\n[skip]\n"support.chat" = "we answer by phone only"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    res = run("scan", "--demo", "--format", "json")
    assert res.exit_code == 1  # fail_under from the config
    d = json.loads(res.stdout)
    assert {"id": "support.chat", "reason": "we answer by phone only"} in d["skipped"]
    assert "support.chat" not in {c["id"] for c in d["checks"]}


def test_bad_config_exit_2(tmp_path, monkeypatch):
    (tmp_path / "trustaudit.toml").write_text("bogus = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["scan", "--demo"])
    assert res.exit_code == 2 and "unknown key" in res.stderr


def test_rules_list_and_show():
    res = run("rules", "list", "--format", "json")
    rules = json.loads(res.stdout)
    assert len(rules) >= 60 and {"id", "category", "weight", "severity", "countries"} <= set(rules[0])
    res = run("rules", "show", "legal.pl-nip")
    assert "Prawo przedsiębiorców" in res.stdout and "PL" in res.stdout
    res = run("rules", "show", "support.real-response-time")
    assert "manual" in res.stdout


def test_diff_and_regression_gate(tmp_path, demo_json):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(demo_json), encoding="utf-8")
    worse = json.loads(json.dumps(demo_json))
    for c in worse["checks"]:
        if c["id"] == "contact.email":
            c["status"] = "fail"
    worse["score"] = demo_json["score"] - 5
    new.write_text(json.dumps(worse), encoding="utf-8")
    res = run("diff", str(old), str(new), "--fail-on-regression")
    assert res.exit_code == 1
    assert "contact.email" in res.stdout
    assert run("diff", str(old), str(old), "--fail-on-regression").exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert runner.invoke(app, ["diff", str(bad), str(new)]).exit_code == 2


def test_hostile_page_text_is_inert_in_the_terminal(tmp_path):
    page = tmp_path / "evil.html"
    page.write_text(
        "<html lang=en><head><title>x</title></head><body>"
        "<p>Contact: <a href='mailto:[bold red]boss@evil.example[/]'>mail</a></p>"
        "<footer>Evil Shop Ltd \x1b[31mRED\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 [link=http://x]y[/link]"
        " <a href='regulamin.html'>Terms [blink]now[/blink]</a></footer></body></html>",
        encoding="utf-8",
    )
    res = run("scan", str(page), "--lang", "en", "--verbose")
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
