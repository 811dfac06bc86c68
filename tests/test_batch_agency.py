"""Agencies: lists as people make them (';' and tab, BOMs, repeated rows), logs that read well in CI, the
shops under --fail-under named, results that age (--max-age) and one report file per scan."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_batch import make_shop, summary
from trustaudit.batch.commands import log_line, parse_age
from trustaudit.batch.inputs import InputError, duplicates, read_shops
from trustaudit.batch.store import FAILED, INCONCLUSIVE, OK, ShopResult
from trustaudit.cli import app


def invoke(*args: str, code: int | None = 0):
    res = CliRunner().invoke(app, list(args))
    if code is not None:
        assert res.exit_code == code, (res.exit_code, res.output, res.exception)
    return res


# --------------------------------------------------------------------------- lists


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8", ";"), ("utf-8-sig", ";"), ("utf-8-sig", ","), ("utf-8", "\t"), ("utf-16", "\t"), ("utf-16", ";"),
])
def test_lists_as_excel_writes_them(tmp_path: Path, encoding, delimiter):
    rows = [["URL", "Name", "Country"], ["https://a.example/", "Sklep A; Kraków", "pl"],
            ["b.example", "Магазин Б", "RU"]]
    body = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in r) for r in rows) + "\r\n"
    f = tmp_path / "shops.csv"
    f.write_bytes(body.encode(encoding))
    shops = list(read_shops(f))
    assert [s.key for s in shops] == ["https://a.example/", "https://b.example/"]
    assert [s.name for s in shops] == ["Sklep A; Kraków", "Магазин Б"] and shops[0].country == "PL"
    assert not any(s.error for s in shops)


def test_a_tab_separated_txt_export_is_read_as_a_table(tmp_path: Path):
    f = tmp_path / "shops.txt"
    f.write_bytes("url\tname\r\nhttps://a.example/\tA\r\n".encode("utf-16"))
    (shop,) = read_shops(f)
    assert shop.key == "https://a.example/" and shop.name == "A"


@pytest.mark.parametrize("delimiter, named", [(";", "semicolon"), (",", "comma"), ("\t", "tab")])
def test_a_header_without_url_names_the_columns_it_found(tmp_path: Path, delimiter, named):
    f = tmp_path / "shops.csv"
    f.write_text(delimiter.join(["adres", "nazwa", "kraj"]) + "\nhttps://a.example/;x;PL\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_shops(f))
    msg = str(err.value)
    assert "'adres', 'nazwa', 'kraj'" in msg and named in msg and "no 'url' column" in msg


def test_repeated_shops_are_reported_with_their_lines(tmp_path: Path):
    f = tmp_path / "shops.csv"
    f.write_text("url;name\nhttps://a.example/;A\nhttps://b.example/;B\nHTTPS://A.example;A again\n"
                 "https://b.example/#x;B again\n", encoding="utf-8")
    pairs = [(r.line, first.line) for r, first in duplicates(read_shops(f))]
    assert pairs == [(4, 2), (5, 3)]


def test_batch_names_repeated_rows_and_scans_them_once(tmp_path: Path):
    shop = make_shop(tmp_path / "s1", 1)
    f = tmp_path / "shops.txt"
    f.write_text(f"{shop}\n# a comment\n{shop}/\n", encoding="utf-8")
    res = invoke("batch", str(f), "--out", str(tmp_path / "out"), "--allow-local", "--quiet")
    assert "line 3 repeats line 1" in res.stderr and "audited once" in res.stderr
    assert len(summary(tmp_path / "out")) == 1


# --------------------------------------------------------------------------- logs


def test_one_log_line_per_finished_shop_without_a_terminal(tmp_path: Path):
    shops = [make_shop(tmp_path / f"s{i}", i % 3, f"Sklep {i}") for i in range(3)]
    f = tmp_path / "shops.txt"
    f.write_text("\n".join(str(s) for s in shops) + "\n/nonexistent/shop\n", encoding="utf-8")
    res = invoke("batch", str(f), "--out", str(tmp_path / "out"), "--allow-local", "--processes", "1",
                 "--fail-under", "60", code=1)
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("[")]
    assert len(lines) == 4, res.stderr
    for ln in lines:
        assert ln.startswith(("[1/4]", "[2/4]", "[3/4]", "[4/4]"))
        assert ln.rstrip().endswith(" s") or "failed" in ln
    scored = [ln for ln in lines if "failed" not in ln]
    assert len(scored) == 3 and all(any(str(s) in ln for s in shops) for ln in scored)
    # the summary names the shops under --fail-under, lowest first
    rows = [r for r in summary(tmp_path / "out") if r["score"] and int(r["score"]) < 60]
    assert rows
    last = res.stderr.strip().splitlines()[-1]
    assert f"{len(rows)} shop(s) scored below --fail-under 60:" in last
    for r in rows:
        assert f"({r['score']})" in last


def test_log_line_format():
    ok = ShopResult("k", 1, "https://shop.example/", OK, "t", score=87, grade="B", duration_s=2.43)
    assert log_line(ok, 12, 300) == "[ 12/300]  87 B  https://shop.example/  2.4 s"
    bad = ShopResult("k", 1, "https://down.example/", FAILED, "t", error="cannot connect", duration_s=0.1)
    assert log_line(bad, 3, 9) == "[3/9] failed  https://down.example/  0.1 s  (cannot connect)"
    inc = ShopResult("k", 1, "https://x.example/", INCONCLUSIVE, "t", error="inconclusive: 503", duration_s=1)
    assert "inconclusive" in log_line(inc, 1, 1)


# --------------------------------------------------------------------------- results that age


@pytest.mark.parametrize("text, seconds", [("7d", 7 * 86400), ("12h", 43200), ("30m", 1800), ("2w", 1209600),
                                           ("90s", 90), ("3", 3 * 86400), ("1.5h", 5400)])
def test_parse_age(text, seconds):
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "7x", "-1d", "0d", "soon"])
def test_bad_age_is_a_usage_error(tmp_path: Path, text):
    f = tmp_path / "shops.txt"
    f.write_text("https://a.example/\n", encoding="utf-8")
    res = invoke("batch", str(f), "--out", str(tmp_path / "out"), "--max-age", text, code=2)
    assert "--max-age" in res.stderr


def test_max_age_rescans_old_results_and_every_scan_keeps_its_reports(tmp_path: Path):
    shop = make_shop(tmp_path / "evolving", 0, "Sklep")
    f = tmp_path / "shops.txt"
    f.write_text("evolving\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ("batch", str(f), "--out", str(out), "--allow-local", "--quiet")
    invoke(*args)
    first = summary(out)[0]
    make_shop(shop, 2, "Sklep")  # the merchant fixed the shop
    invoke(*args)  # resumed: the result is fresh enough, nothing is scanned again
    assert summary(out)[0]["scanned_at"] == first["scanned_at"]
    time.sleep(2.1)  # scanned_at has one-second resolution
    res = invoke(*args[:-1], "--max-age", "2s")
    assert "scanned again" in res.stderr
    second = summary(out)[0]
    assert second["scanned_at"] != first["scanned_at"] and int(second["score"]) > int(first["score"])
    invoke(*args, "--fresh")
    third = summary(out)[0]
    # three scans, three report files each: --max-age and --fresh never overwrite an older report
    paths = {r[k] for r in (first, second, third) for k in ("report_json", "report_html")}
    assert len(paths) == 6 and all((out / p).is_file() for p in paths)
    hist = json.loads(invoke("history", str(shop), "--db", str(out), "--format", "json").output)
    scans = hist["scans"]
    assert len(scans) == 3
    for scan in scans:  # every past report can be opened, and it is the one of that scan
        doc = json.loads((out / scan["report_json"]).read_text(encoding="utf-8"))
        assert doc["score"] == scan["score"]
        assert (out / scan["report_html"]).is_file()
    text = invoke("history", str(shop), "--db", str(out)).output
    for scan in scans:
        assert str(out / scan["report_html"]) in text
