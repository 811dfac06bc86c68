"""CSV: one row per check, fixed columns, formula injection neutralised."""

import csv
import io

import pytest

from tests.sample_reports import ALL, HOSTILE, make_report, poor_shop
from trustaudit.models import Evidence, Status
from trustaudit.render import csv_report

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("name", sorted(ALL))
def test_one_row_per_check(name):
    report = ALL[name]()
    rows = _rows(csv_report.render(report))
    header, body = rows[0], rows[1:]
    assert len(header) == 12
    assert len(body) == len(report.checks)
    assert all(len(r) == 12 for r in body)
    assert sorted(r[3] for r in body) == sorted(c.id for c in report.checks)
    assert {r[1] for r in body} == {"" if report.score is None else str(report.score)}


def test_columns_in_english():
    rows = _rows(csv_report.render(ALL["mixed"](), "en"))
    assert rows[0] == ["Shop", "Score", "Grade", "Check", "Category", "Status", "Severity", "Weight",
                       "Title", "Fix", "URL", "Snippet"]
    first = rows[1]
    assert first[3] == "legal.returns" and first[5] == "fail" and first[6] == "critical" and first[7] == "3"
    assert first[10] == "https://sklep.example.pl/kontakt"


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
