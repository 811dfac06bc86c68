"""What users of other command-line tools expect: -h, case-insensitive choices with clear messages, readable
metavars, `rules show` in plain words, developer-only commands last in --help."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from trustaudit.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("args", [["-h"], ["scan", "-h"], ["batch", "-h"], ["rules", "show", "-h"], ["diff", "-h"]])
def test_dash_h_is_help(args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.stdout and "-h, --help" in res.stdout


def test_scan_help_uses_human_metavars():
    text = run("scan", "--help").stdout
    for shown in ("-o, --output FILE", "-f, --format FORMAT", "--fail-under N", "--max-pages N", "--timeout S",
                  "--lang LANG", "--country CC", "--resolve HOST:PORT:ADDRESS", "--config FILE",
                  "--baseline OLD.json", "--header 'NAME: VALUE'", "--auth USER:PASSWORD"):
        assert shown in text, shown
    # no type names in place of what the user types
    assert not re.search(r"\b(TEXT|INTEGER|FLOAT|PATH)\b|<str>|<int|<float|list\[", text), text


def test_developer_commands_are_listed_last():
    text = run("--help").stdout
    commands = re.findall(r"^  ([a-z]+)\s", text.split("Commands:")[1], re.M)
    assert commands[0] == "scan"
    assert commands[-1] == "eval" and "rules" in commands
    assert "rules check" in text  # the epilog names the developer subcommand too
    rules = run("rules", "--help").stdout
    sub = re.findall(r"^  (\w+)\s", rules.split("Commands:")[1], re.M)
    assert sub[-1] == "check"


@pytest.mark.parametrize("args", [
    ["scan", "--demo", "-q", "--fail-on", "CRITICAL"],
    ["scan", "--demo", "-q", "--fail-on", "Legal.IDS-Valid"],
])
def test_enum_values_are_case_insensitive(args):
    res = run(*args)
    assert res.exit_code == 1, res.output  # the demo's mistyped REGON is a critical failure
    assert "legal.ids-valid" in res.stderr


def test_format_and_lang_are_case_insensitive(tmp_path):
    res = run("scan", "--demo", "-f", "JSON", "--lang", "EN")
    assert res.exit_code == 0, res.output
    assert res.stdout.lstrip().startswith("{") and '"language": "en"' in res.stdout
    assert run("rules", "list", "-f", "Json").stdout.lstrip().startswith("[")


@pytest.mark.parametrize("args, needle", [
    (["scan", "--demo", "--fail-on", "critcal"], "did you mean 'critical'"),
    (["scan", "--demo", "-f", "jsno"], "did you mean 'json'"),
    (["scan", "--demo", "--lang", "pll"], "did you mean 'pl'"),
    (["rules", "list", "-f", "tabel"], "did you mean 'table'"),
    (["diff", "a.json", "b.json", "-f", "mdd"], "did you mean 'md'"),
])
def test_bad_choices_name_the_nearest(args, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert needle in res.stderr and res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_rules_show_is_plain_words():
    out = run("rules", "show", "support.chat").stdout
    assert "{" not in out and "'signals'" not in out and "signal_present" not in out
    assert "live-chat widget" in out and "messenger" in out
    out = run("rules", "show", "policies.delivery-time", "--lang", "pl").stdout
    assert "number and a unit of time" in out and "{" not in out
    out = run("rules", "show", "Legal.PL-NIP").stdout  # ids read case-insensitively too
    assert "check digit" in out


def test_rules_show_says_the_register_checks_in_plain_words():
    from trustaudit.engine import load_rules

    for rule in load_rules():
        out = run("rules", "show", rule.id).stdout
        fallback = rule.predicate.replace("_", " ").capitalize() + "."  # what an undescribed predicate shows
        assert fallback not in out.splitlines() and "{" not in out, (rule.id, out)
    out = run("rules", "show", "security.domain-age").stdout
    assert "90 days ago or less" in out and "--no-verify" in out
    assert "crossed-out prices cut by 70 %" in run("rules", "show", "security.implausible-discounts").stdout
