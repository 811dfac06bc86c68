"""Scores: weighted mean per category, categories weighted into 0-100, then a grade.

pass = full credit, warn = half, fail = none. error ("could not check"), not_applicable and manual weigh
nothing: they are never a silent pass or fail. A category with nothing judged has no score (None) and does
not count towards the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trustaudit.models import CategoryScore, CheckResult, Status

CREDIT = {Status.PASS: 1.0, Status.WARN: 0.5, Status.FAIL: 0.0}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (50, "E"), (0, "F"))


def credit(status: Status) -> float | None:
    return CREDIT.get(status)


def category_scores(
    checks: Iterable[CheckResult], cats: Iterable[Mapping[str, Any]], lang: str
) -> tuple[CategoryScore, ...]:
    checks = list(checks)
    out = []
    for cat in cats:
        num = den = 0.0
        for c in checks:
            cr = credit(c.status)
            if c.category != cat["id"] or cr is None:
                continue
            num += c.weight * cr
            den += c.weight
        title = (cat.get("title") or {}).get(lang) or (cat.get("title") or {}).get("en") or cat["id"]
        score = round(100 * num / den) if den > 0 else None
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


def grade(score: int | None) -> str | None:
    if score is None:
        return None
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "F"
