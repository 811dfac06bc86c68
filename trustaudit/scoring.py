"""Scores: weighted mean per category, categories weighted into 0-100, then a grade.

pass = full credit, warn = half, fail = none. error ("could not check"), not_applicable and manual weigh
nothing: they are never a silent pass or fail. A category with nothing judged has no score (None) and does
not count towards the total; so does a category where "could not check" holds more of its weight than its
``min_judged`` share (rules/categories.yaml) allows, unless something judged in it failed: one passed check out
of eleven is not "Security 100", and hiding a category never hides a failure from the total.

Two more things are decided here, once, so that no renderer has to re-derive them:

- ``gain``: how many points of the overall score fixing a failed or warned check would win back, with the
  category weights (a fix in a heavy, half-failed category is worth more than one in a light category).
- the grade cap: a blocking failure (an invalid certificate, no HTTPS on a shop that takes payments) caps the
  grade at F whatever the score, as SSL Labs caps an untrusted certificate; the numeric score stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from trustaudit.messages import lookup
from trustaudit.models import CategoryScore, CheckResult, GradeCap, Status

CREDIT = {Status.PASS: 1.0, Status.WARN: 0.5, Status.FAIL: 0.0}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (50, "E"), (0, "F"))


def credit(status: Status) -> float | None:
    return CREDIT.get(status)


def _sums(checks: Iterable[CheckResult]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for c in checks:
        cr = credit(c.status)
        if cr is None:
            continue
        num, den = out.get(c.category, (0.0, 0.0))
        out[c.category] = (num + c.weight * cr, den + c.weight)
    return out


def _coverage(checks: Iterable[CheckResult]) -> dict[str, tuple[float, bool]]:
    """Per category: the weight of the checks that could not be checked, and whether a judged check failed."""
    out: dict[str, tuple[float, bool]] = {}
    for c in checks:
        unjudged, failed = out.get(c.category, (0.0, False))
        if c.status is Status.ERROR:
            unjudged += c.weight
        elif c.status is Status.FAIL and c.weight > 0:
            failed = True
        out[c.category] = (unjudged, failed)
    return out


def category_scores(
    checks: Iterable[CheckResult], cats: Iterable[Mapping[str, Any]], lang: str
) -> tuple[CategoryScore, ...]:
    checks = tuple(checks)
    sums = _sums(checks)
    coverage = _coverage(checks)
    out = []
    for cat in cats:
        num, den = sums.get(cat["id"], (0.0, 0.0))
        title = lookup(f"category.{cat['id']}", lang) or cat["id"]
        unjudged, failed = coverage.get(cat["id"], (0.0, False))
        share = den / (den + unjudged) if den > 0 else 0.0
        enough = share >= float(cat.get("min_judged", 0.0)) or failed
        score = round(100 * num / den) if den > 0 and enough else None
        out.append(CategoryScore(cat["id"], title, score, float(cat.get("weight", 1))))
    return tuple(out)


def overall(cats: Iterable[CategoryScore]) -> int | None:
    num = den = 0.0
    for c in cats:
        if c.score is None or c.weight <= 0:
            continue
        num += c.weight * c.score
        den += c.weight
    return round(num / den) if den > 0 else None


def with_gains(checks: Iterable[CheckResult], category_weights: Mapping[str, float]) -> tuple[CheckResult, ...]:
    """Each failed / warned check with ``gain``: the points of the overall score (0-100) that turning it into a
    pass would add, other checks unchanged. Exact (unrounded) category means, so that two fixes compare fairly."""
    checks = tuple(checks)
    sums = _sums(checks)
    scored = {cat: (num / den) for cat, (num, den) in sums.items() if den > 0}
    total_weight = sum(w for cat, w in category_weights.items() if cat in scored and w > 0)
    out = []
    for c in checks:
        gain = 0.0
        cr = credit(c.status)
        w_cat = category_weights.get(c.category, 0.0)
        if cr is not None and cr < 1.0 and total_weight > 0 and w_cat > 0 and c.category in sums:
            num, den = sums[c.category]
            gain = 100 * w_cat * (c.weight * (1.0 - cr) / den) / total_weight
        out.append(replace(c, gain=round(gain, 3)) if gain != c.gain else c)
    return tuple(out)


def grade(score: int | None) -> str | None:
    if score is None:
        return None
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "F"


def grade_cap(checks: Iterable[CheckResult]) -> GradeCap | None:
    """The lowest cap among failed checks that cap the grade (ties: the first check in report order)."""
    best: GradeCap | None = None
    for c in checks:
        if c.status is Status.FAIL and c.caps_grade and (best is None or c.caps_grade > best.grade):
            best = GradeCap(grade=c.caps_grade, check=c.id, reason=c.title)
    return best


def capped(letter: str | None, cap: GradeCap | None) -> str | None:
    """``letter`` lowered to the cap (grades compare alphabetically: A best, F worst)."""
    if letter is None or cap is None:
        return letter
    return max(letter, cap.grade)
