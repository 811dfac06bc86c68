"""CSV: one row per check, the same English column ids and status ids in every language, texts in their own
columns, formula injection neutralised."""

import csv
import io

import pytest

from tests.sample_reports import ALL, HOSTILE, make_report, poor_shop
from trustaudit.models import Evidence, Status
from trustaudit.render import csv_report

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _rows(text: str) -> list[list[str]]:
    assert not text.startswith("\ufeff")  # a BOM would become part of the first column's name
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", sorted(ALL))
def test_one_row_per_check(name):
    report = ALL[name]()
    rows = _rows(csv_report.render(report))
    header, body = rows[0], rows[1:]
    assert tuple(header) == csv_report.COLUMNS
    assert len(body) == len(report.checks)
    assert all(len(r) == len(header) for r in body)
    col = header.index
    assert sorted(r[col("check_id")] for r in body) == sorted(c.id for c in report.checks)
    assert {r[col("score")] for r in body} == {"" if report.score is None else str(report.score)}


def _dicts(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("lang", ["en", "pl", "ru", "el", "ar"])
def test_columns_and_statuses_are_the_same_in_every_language(lang):
    en = _dicts(csv_report.render(ALL["mixed"](), "en"))
    got = _dicts(csv_report.render(ALL["mixed"](), lang))
    assert list(got[0]) == list(csv_report.COLUMNS)
    stable = ("check_id", "category", "status", "severity", "weight", "score", "grade", "evidence_url")
    assert [{k: r[k] for k in stable} for r in got] == [{k: r[k] for k in stable} for r in en]
    assert {r["status"] for r in got} <= {s.value for s in Status}
    first = got[0]
    assert first["check_id"] == "legal.returns" and first["status"] == "fail" and first["severity"] == "critical"
    assert first["evidence_url"] == "https://sklep.example.pl/kontakt"


def test_title_reason_and_fix_have_their_own_columns():
    report = ALL["mixed"]()
    rows = {r["check_id"]: r for r in _dicts(csv_report.render(report, "en"))}
    for c in report.checks:
        row = rows[c.id]
        assert row["title"] == c.title.strip()
        assert row["fix"] == c.fix.strip() and row["reason"] == c.reason.strip()
        assert c.fix == "" or row["fix"] not in row["reason"]


def test_formula_cells_are_prefixed():
    rows = _rows(csv_report.render(poor_shop()))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA)]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells
    assert "'+1+1" in cells and "'-2+3" in cells and "'@SUM(A1:A2)" in cells


@pytest.mark.parametrize("payload", ["=1+1", "+cmd", "-1", "@x", "\t=1", "\r=1", " =1", "\uff1d1"])
def test_each_formula_prefix(payload):
    report = make_report({"legal.returns": Status.FAIL}, target=payload,
                         evidence={"legal.returns": (Evidence(payload, payload),)})
    rows = _rows(csv_report.render(report))
    for cell in rows[1]:
        assert not cell.startswith(FORMULA + ("\uff1d", " "))


def test_no_control_characters_or_newlines_in_cells():
    text = csv_report.render(make_report({"legal.returns": Status.FAIL},
                                         evidence={"legal.returns": (Evidence("x", "\n".join(HOSTILE)),)}))
    for row in _rows(text):
        for cell in row:
            assert "\n" not in cell and "\x1b" not in cell and "\u202e" not in cell
