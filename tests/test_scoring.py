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


def test_a_category_mostly_unchecked_has_no_score_and_no_gains():
    """One passed check beside ten that could not be checked is not a perfect category: with less than the
    category's ``min_judged`` share of its weight judged, it has no score and counts neither in the total nor
    in the gains; at the share it is scored (the near miss)."""
    from trustaudit.scoring import with_gains

    cats = [dict(c, min_judged=0.5) for c in CATS]
    mostly_unchecked = [_c("a", Status.PASS, 1), _c("a", Status.ERROR, 10), _c("b", Status.FAIL, 2)]
    scored = category_scores(mostly_unchecked, cats, "en")
    by = {c.id: c for c in scored}
    assert by["a"].score is None and by["b"].score == 0
    assert overall(scored) == 0  # only b counts
    gains = with_gains(mostly_unchecked, {c.id: c.weight for c in scored if c.score is not None})
    assert [g.gain for g in gains if g.category == "b"] == [100.0]
    half_checked = [_c("a", Status.PASS, 1), _c("a", Status.ERROR, 1)]
    assert {c.id: c.score for c in category_scores(half_checked, cats, "en")}["a"] == 100


def test_shipped_categories_state_their_judged_share():
    from trustaudit.engine import categories

    shares = [c.get("min_judged") for c in categories()]
    assert all(isinstance(s, float) and 0 < s <= 1 for s in shares), shares


def test_a_mostly_unchecked_category_with_a_failure_keeps_its_score():
    """Hiding a category must never hide a failure: an http:// shop scanned without register look-ups has most
    of its security weight unchecked, but its failed HTTPS check still counts (the near miss of the test above)."""
    cats = [dict(c, min_judged=0.5) for c in CATS]
    checks = [_c("a", Status.FAIL, 1), _c("a", Status.PASS, 1), _c("a", Status.ERROR, 10), _c("b", Status.PASS, 1)]
    by = {c.id: c.score for c in category_scores(checks, cats, "en")}
    assert by["a"] == 50 and by["b"] == 100
