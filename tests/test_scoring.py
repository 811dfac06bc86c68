from trustaudit.models import CheckResult, Severity, Status
from trustaudit.scoring import category_scores, grade, overall

CATS = [{"id": "a", "weight": 60, "title": {"en": "A"}}, {"id": "b", "weight": 40, "title": {"en": "B"}},
        {"id": "c", "weight": 10, "title": {"en": "C"}}]


def _c(cat, status, w=1.0):
    return CheckResult(id=f"{cat}.x", category=cat, status=status, weight=w, severity=Severity.HIGH, title="t")


def test_weighted_mean_and_statuses_that_weigh_nothing():
    checks = [_c("a", Status.PASS, 3), _c("a", Status.FAIL, 1), _c("a", Status.ERROR, 100),
              _c("b", Status.WARN, 2), _c("b", Status.NOT_APPLICABLE, 5), _c("c", Status.MANUAL, 1)]
    cats = category_scores(checks, CATS, "en")
    by = {c.id: c for c in cats}
    assert by["a"].score == 75  # error weighs nothing
    assert by["b"].score == 50  # warn = half credit
    assert by["c"].score is None  # nothing judged
    assert overall(cats) == round((60 * 75 + 40 * 50) / 100)


def test_grades():
    assert [grade(s) for s in (100, 90, 89, 80, 70, 60, 50, 49, 0)] == ["A", "A", "B", "B", "C", "D", "E", "F", "F"]
    assert grade(None) is None


def test_no_judged_checks_gives_no_score():
    assert overall(category_scores([_c("a", Status.ERROR)], CATS, "en")) is None
