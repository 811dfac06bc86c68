"""Assertions per check and per category, as Lighthouse CI's: what a project's CI insists on.

```toml
[assert]
"contact.email" = "error"      # must pass, else exit 1
"legal.*" = "warn"             # every legal check: listed when not passing, exit code unchanged
"legal.pl-krs" = "off"         # ...except this one
[assert.categories]
policies = 80                  # the policies score must be at least 80 (exit 1 below)
security = { min = 90, level = "warn" }
```

A check assertion is met when the check passes (a warning is half a pass: not met, as Lighthouse CI's default
``minScore: 1``). A check that was not judged (could not check, not applicable, manual, skipped) neither meets
nor fails its assertion: it is listed as ``not_checked``, never counted as a pass or a fail. The most specific
pattern wins: an exact id over a glob, a longer glob over a shorter one, a later line over an earlier one.

Pure: ``evaluate(report, assertions) -> tuple[AssertionResult, ...]``; the CLI turns ``error`` failures into exit
code 1 and the report lists every result (JSON ``assertions``, terminal, Markdown, HTML).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from trustaudit.models import Report, Status

LEVELS = ("error", "warn", "off")
FAILED, PASSED, NOT_CHECKED = "failed", "passed", "not_checked"
_GLOB = set("*?[")


@dataclass(frozen=True)
class CheckAssertion:
    pattern: str  # a check id or a glob ("legal.*")
    level: str  # error | warn | off


@dataclass(frozen=True)
class CategoryAssertion:
    category: str
    min_score: float
    level: str = "error"


@dataclass(frozen=True)
class Assertions:
    checks: tuple[CheckAssertion, ...] = ()
    categories: tuple[CategoryAssertion, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.checks or self.categories)


@dataclass(frozen=True)
class AssertionResult:
    id: str  # check id, or "category:<id>"
    level: str  # error | warn
    outcome: str  # failed | passed | not_checked
    expected: str  # "pass" or ">= 80"
    actual: str  # the check's status, or the category's score ("" when none)

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "level": self.level, "outcome": self.outcome, "expected": self.expected,
                "actual": self.actual}


class AssertionConfigError(ValueError):
    """A bad ``[assert]`` table (the message names the key and the nearest valid value)."""


def is_glob(pattern: str) -> bool:
    return bool(_GLOB & set(pattern))


def _nearest(value: str, options: Iterable[str]) -> str:
    from difflib import get_close_matches

    near = get_close_matches(value, list(options), n=1, cutoff=0.5)
    return f" (nearest: {near[0]!r})" if near else ""


def _level(value: Any, where: str) -> str:
    level = str(value).strip().lower()
    if level not in LEVELS:
        raise AssertionConfigError(f"{where}: level {value!r} is not one of {', '.join(LEVELS)}{_nearest(level, LEVELS)}")
    return level


def parse(table: Mapping[str, Any], where: str, check_ids: Iterable[str], category_ids: Iterable[str]) -> Assertions:
    """The ``[assert]`` table -> Assertions. Every id, glob, category and level must exist (a typo would
    otherwise silently assert nothing)."""
    if not isinstance(table, Mapping):
        raise AssertionConfigError(f"{where}: [assert] must be a table of check id = level")
    known = sorted(set(check_ids))
    cats = sorted(set(category_ids))
    checks: list[CheckAssertion] = []
    categories: list[CategoryAssertion] = []
    for key, value in table.items():
        key = str(key)
        if key == "categories":
            if not isinstance(value, Mapping):
                raise AssertionConfigError(f"{where}: [assert.categories] must be a table of category = minimum score")
            for cat, spec in value.items():
                categories.append(_category(str(cat), spec, f"{where}: [assert.categories]", cats))
            continue
        pattern = key.strip().lower()
        level = _level(value, f"{where}: [assert] {key!r}")
        if is_glob(pattern):
            if not any(fnmatchcase(i, pattern) for i in known):
                prefix = pattern.split(".", 1)[0]
                hint = _nearest(prefix, cats) if prefix not in cats else ""
                raise AssertionConfigError(f"{where}: [assert] {key!r} matches no check id{hint}")
        elif pattern not in known:
            from trustaudit.engine import unknown_rule_message

            raise AssertionConfigError(f"{where}: [assert] {unknown_rule_message(pattern)}")
        checks.append(CheckAssertion(pattern, level))
    return Assertions(tuple(checks), tuple(categories))


def _category(cat: str, spec: Any, where: str, cats: list[str]) -> CategoryAssertion:
    cid = cat.strip().lower()
    if cid not in cats:
        raise AssertionConfigError(f"{where}: unknown category {cat!r}{_nearest(cid, cats)} (categories: {', '.join(cats)})")
    level = "error"
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"min", "level"}
        if unknown or "min" not in spec:
            raise AssertionConfigError(f"{where}: {cat} = {{ min = N, level = \"error\" | \"warn\" }}")
        level = _level(spec.get("level", "error"), f"{where}: {cat}")
        spec = spec["min"]
    if isinstance(spec, bool) or not isinstance(spec, (int, float)) or not 0 <= spec <= 100:
        raise AssertionConfigError(f"{where}: {cat} takes a minimum score from 0 to 100, not {spec!r}")
    return CategoryAssertion(cid, float(spec), level)


def level_for(check_id: str, rules: Iterable[CheckAssertion]) -> str | None:
    """The level of the most specific pattern naming ``check_id`` (None: not asserted)."""
    best: tuple[int, int, int] | None = None
    level = None
    for n, a in enumerate(rules):
        if a.pattern == check_id:
            rank = (2, len(a.pattern), n)
        elif is_glob(a.pattern) and fnmatchcase(check_id, a.pattern):
            rank = (1, len(a.pattern), n)
        else:
            continue
        if best is None or rank > best:
            best, level = rank, a.level
    return level


def evaluate(report: Report, assertions: Assertions) -> tuple[AssertionResult, ...]:
    out: list[AssertionResult] = []
    seen: set[str] = set()
    for c in sorted(report.checks, key=lambda c: c.id):
        seen.add(c.id)
        level = level_for(c.id, assertions.checks)
        if level in (None, "off"):
            continue
        if c.status is Status.PASS:
            outcome = PASSED
        elif c.status in (Status.FAIL, Status.WARN):
            outcome = FAILED
        else:
            outcome = NOT_CHECKED
        out.append(AssertionResult(c.id, level, outcome, "pass", c.status.value))
    for s in report.skipped:  # skipped by the config: neither met nor failed
        sid = str(s.get("id", ""))
        level = level_for(sid, assertions.checks)
        if sid and sid not in seen and level not in (None, "off"):
            out.append(AssertionResult(sid, level, NOT_CHECKED, "pass", "skipped"))
    scores = {c.id: c.score for c in report.categories}
    for a in assertions.categories:
        if a.level == "off":
            continue
        score = scores.get(a.category)
        if score is None:
            outcome = NOT_CHECKED
        else:
            outcome = PASSED if score >= a.min_score else FAILED
        out.append(AssertionResult(f"category:{a.category}", a.level, outcome, f">= {a.min_score:g}",
                                   "" if score is None else str(score)))
    return tuple(out)


def failed(results: Iterable[AssertionResult], level: str | None = None) -> list[AssertionResult]:
    return [r for r in results if r.outcome == FAILED and (level is None or r.level == level)]


def describe(r: AssertionResult) -> str:
    """``contact.email (fail)`` / ``category policies: 72, expected >= 80``"""
    if r.id.startswith("category:"):
        return f"category {r.id[9:]}: {r.actual or 'no score'}, expected {r.expected}"
    return f"{r.id} ({r.actual})"
