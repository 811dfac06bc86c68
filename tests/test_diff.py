"""diff: better / worse / added / removed / other, regression flag, and the three output formats."""

import dataclasses
import json

import pytest

from tests.sample_reports import HOSTILE, good_shop, make_report
from trustaudit.diff import diff_report_objects, diff_reports, render_diff
from trustaudit.models import Status
from trustaudit.report import report_to_dict


def _d(report):
    return report_to_dict(report)


def test_identical_reports_have_no_changes():
    d = diff_reports(_d(good_shop()), _d(good_shop()))
    assert not d.changed and not d.regressed and d.score_delta == 0
    assert "No check changed status." in render_diff(d, "text")


def test_worse_better_and_other_transitions():
    old = make_report({"security.hsts": Status.WARN, "contact.phone": Status.FAIL, "identity.tax-id": Status.PASS})
    new = make_report({"legal.returns": Status.FAIL, "security.hsts": Status.FAIL, "contact.phone": Status.WARN,
                       "identity.tax-id": Status.ERROR, "legal.complaints": Status.NOT_APPLICABLE})
    d = diff_reports(_d(old), _d(new))
    assert [c.id for c in d.worse] == ["legal.returns", "security.hsts"]  # heavier first
    assert [(c.old_status, c.new_status) for c in d.worse] == [("pass", "fail"), ("warn", "fail")]
    assert [c.id for c in d.better] == ["contact.phone"]
    assert {c.id for c in d.other} == {"identity.tax-id", "legal.complaints"}
    assert d.regressed and d.score_delta is not None and d.score_delta < 0


def test_error_transitions_alone_are_not_a_regression():
    old = make_report({"identity.tax-id": Status.FAIL})
    new = dataclasses.replace(make_report({"identity.tax-id": Status.ERROR}), score=old.score, grade=old.grade)
    d = diff_report_objects(old, new)
    assert not d.worse and not d.better and [c.id for c in d.other] == ["identity.tax-id"]
    assert not d.regressed


def test_score_drop_alone_is_a_regression():
    old = good_shop()
    new = dataclasses.replace(old, score=old.score - 3)
    d = diff_report_objects(old, new)
    assert not d.worse and d.score_delta == -3 and d.regressed


def test_added_and_removed_checks():
    old = good_shop()
    new = dataclasses.replace(old, checks=old.checks[1:] + (dataclasses.replace(old.checks[0], id="new.check"),))
    d = diff_report_objects(old, new)
    assert [c.id for c in d.added] == ["new.check"] and d.added[0].old_status is None
    assert [c.id for c in d.removed] == [old.checks[0].id] and d.removed[0].new_status is None
    assert not d.regressed  # a rule set change is not the shop getting worse


def test_unknown_score_and_grade_change():
    old = dataclasses.replace(good_shop(), score=None, grade=None)
    d = diff_report_objects(old, good_shop())
    assert d.score_delta is None and d.grade_changed and not d.regressed


def test_rejects_other_schema_versions():
    bad = _d(good_shop()) | {"schema_version": "9.0"}
    with pytest.raises(ValueError):
        diff_reports(bad, _d(good_shop()))


def _regression():
    old = make_report({"security.hsts": Status.WARN})
    new = make_report({"legal.returns": Status.FAIL, "security.hsts": Status.PASS},
                      target="https://sklep.example.pl/")
    return diff_reports(_d(old), _d(new))


def test_render_json():
    d = _regression()
    doc = json.loads(render_diff(d, "json"))
    assert doc["regressed"] is True and doc["score_delta"] == d.score_delta
    assert [c["id"] for c in doc["worse"]] == ["legal.returns"]
    assert [c["id"] for c in doc["better"]] == ["security.hsts"]
    assert set(doc) >= {"before", "after", "worse", "better", "added", "removed", "other", "grade_changed"}


def test_render_text_and_md():
    d = _regression()
    text = render_diff(d, "text")
    assert "Got worse (1):" in text and "legal.returns: pass → fail" in text and "Regression" in text
    md = render_diff(d, "md")
    assert md.startswith("## ") and "### Got worse (1)" in md and "`legal.returns` pass → fail" in md
    pl = render_diff(d, "text", "pl")
    assert "Pogorszyło się (1):" in pl and "zaliczone → niezaliczone" in pl
    with pytest.raises(ValueError):
        render_diff(d, "xml")  # type: ignore[arg-type]


def test_hostile_titles_and_targets_are_inert():
    payload = "".join(HOSTILE)
    old = make_report({}, target=payload)
    new = make_report({"legal.returns": Status.FAIL}, target=payload + "x",
                      texts={"legal.returns": (payload, payload, payload)})
    d = diff_reports(_d(old), _d(new))
    assert d.target_changed
    for fmt in ("text", "md", "json"):
        out = render_diff(d, fmt)
        assert "\x1b" not in out and "\u202e" not in out and "\x00" not in out
    md = render_diff(d, "md")
    assert "<script" not in md and "**bold**" not in md
