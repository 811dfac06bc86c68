"""--as-of: dated legal duties (a rule's ``applies_from``) judged as of a chosen day instead of the scan's own,
through the real CLI on a loopback shop: an agency previews a duty to come or reproduces an old report. The day
used is in the JSON report and, when it is not the scan's own, in the human formats."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from servers import html
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.resources import load_yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "trustaudit/schema/report.schema.json").read_text(encoding="utf-8"))
CHECK = "policies.withdrawal-function"
DUTY_DAY = str(load_yaml(f"checks/{CHECK}.yaml")["applies_from"])  # the date is data (2026-06-19)

# a Polish shop with terms and a 14-day withdrawal form, but no withdrawal function (button or link)
SHOP = """<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Sklep z herbatą</title></head>
<body><h1>Herbaty liściaste</h1><p>Herbata Sp. z o.o., ul. Długa 5, 00-950 Warszawa, NIP 123-456-32-18</p>
<p>Konsument może odstąpić od umowy w terminie 14 dni; formularz odstąpienia do pobrania (PDF).</p>
<footer><a href="/regulamin">Regulamin</a> <a href="mailto:sklep@herbata.example">sklep@herbata.example</a></footer>
</body></html>"""

SCAN = ("--allow-private", "--no-verify", "--country", "PL", "--max-pages", "3", "--lang", "en")


def run(*args: str, code: int = 0):
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == code, (res.exit_code, res.output, res.exception)
    return res


def _day_before(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def shop(serve) -> str:
    return serve({"/": html(SHOP), "/regulamin": html(SHOP.replace("Herbaty liściaste", "Regulamin"))}).url + "/"


def _check(doc: dict, rid: str = CHECK) -> dict:
    return next(c for c in doc["checks"] if c["id"] == rid)


def test_a_missing_withdrawal_function_is_a_warning_before_the_day_and_a_failure_from_it(shop: str):
    before = json.loads(run("scan", shop, *SCAN, "-f", "json", "--as-of", _day_before(DUTY_DAY)).stdout)
    assert before["as_of"] == _day_before(DUTY_DAY)
    assert _check(before)["status"] == "warn"
    assert f"applies from {DUTY_DAY}" in _check(before)["reason"]  # "not yet required": says from when
    on = json.loads(run("scan", shop, *SCAN, "-f", "json", "--as-of", DUTY_DAY).stdout)
    assert on["as_of"] == DUTY_DAY
    assert _check(on)["status"] == "fail" and not _check(on).get("reason")
    # a failure weighs more than the warning of what is coming: in its category (the 0-100 total is rounded, and
    # one check's half credit can vanish in it)
    policies = [next(c["score"] for c in doc["categories"] if c["id"] == "policies") for doc in (before, on)]
    assert policies[1] < policies[0], policies
    assert on["score"] <= before["score"]
    for doc in (before, on):
        jsonschema.validate(doc, SCHEMA)


def test_the_day_used_is_shown_in_the_human_formats(shop: str, tmp_path: Path):
    day = "2026-07-01"
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    res = run("scan", shop, *SCAN, "--as-of", day, "-o", str(md), "-o", str(page))
    assert f"legal duties judged as of {day}" in res.stdout  # the terminal report's header
    assert f"legal duties judged as of {day}" in md.read_text(encoding="utf-8")
    assert f"legal duties judged as of {day}" in page.read_text(encoding="utf-8")
    pl = run("scan", shop, *SCAN[:-2], "--lang", "pl", "--as-of", day).stdout
    assert f"obowiązki prawne ocenione na dzień {day}" in pl


def test_without_as_of_the_scan_day_decides_and_the_human_formats_do_not_repeat_it(shop: str):
    doc = json.loads(run("scan", shop, *SCAN, "-f", "json").stdout)
    assert doc["as_of"] == doc["scanned_at"][:10]
    assert "judged as of" not in run("scan", shop, *SCAN).stdout


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "2026-6-1", "tomorrow", "20260619", "2026-06-19T00:00"])
def test_a_bad_day_is_one_line_and_exit_2(bad: str):
    res = run("scan", "--demo", "--as-of", bad, code=2)
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--as-of" in lines[0] and "YYYY-MM-DD" in lines[0], res.output
    res = run("batch", "shops.txt", "--out", "out", "--as-of", bad, code=2)
    assert "--as-of" in res.output and len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


def test_the_config_file_sets_the_day_and_the_command_line_wins(shop: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "trustaudit.toml").write_text(f"as_of = {DUTY_DAY}\n", encoding="utf-8")  # a TOML date
    assert json.loads(run("scan", shop, *SCAN, "-f", "json").stdout)["as_of"] == DUTY_DAY
    doc = json.loads(run("scan", shop, *SCAN, "-f", "json", "--as-of", "2026-01-02").stdout)
    assert doc["as_of"] == "2026-01-02" and _check(doc)["status"] == "warn"
    (tmp_path / "trustaudit.toml").write_text('as_of = "next week"\n', encoding="utf-8")
    res = run("scan", shop, *SCAN, code=2)
    assert "as_of" in res.output and "YYYY-MM-DD" in res.output


def test_batch_judges_every_shop_as_of_the_day(shop: str, tmp_path: Path):
    shops = tmp_path / "shops.txt"
    shops.write_text(f"{shop}\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ("batch", str(shops), "--out", str(out), "--allow-private", "--no-verify", "--processes", "1",
            "--max-pages", "3", "--quiet")
    run(*args, "--as-of", _day_before(DUTY_DAY))
    run(*args, "--as-of", DUTY_DAY)  # another day is another run: not resumed from the first
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "reports").glob("*.json"))]
    assert sorted((d["as_of"], _check(d)["status"]) for d in docs) == [
        (_day_before(DUTY_DAY), "warn"), (DUTY_DAY, "fail")]


def test_an_old_report_without_the_day_still_renders(shop: str, tmp_path: Path):
    doc = json.loads(run("scan", shop, *SCAN, "-f", "json", "--as-of", "2026-07-01").stdout)
    del doc["as_of"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    assert "judged as of" not in run("report", str(old), "-f", "md").stdout
    doc["as_of"] = "2026-07-01"
    old.write_text(json.dumps(doc), encoding="utf-8")
    assert "legal duties judged as of 2026-07-01" in run("report", str(old), "-f", "md").stdout
