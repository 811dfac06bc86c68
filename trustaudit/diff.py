"""Compare two saved reports (their JSON dicts): what got better, what got worse.

Every string taken from the reports is passed through ``clean_text`` (saved reports are page text too).

Status order for "better / worse" is pass > warn > fail. Transitions that involve ``error``,
``not_applicable`` or ``manual`` say nothing about the shop (a timeout is not a regression, a recovered
timeout is not an improvement); they are listed separately under ``other`` and never make ``regressed``.

``ReportDiff.regressed`` is true when the score dropped or any check got worse: what
``trustaudit diff OLD NEW --fail-on-regression`` exits non-zero on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from trustaudit.messages import t
from trustaudit.models import CheckResult, Report, Status
from trustaudit.render._text import one_line
from trustaudit.report import report_from_dict

RANK: Mapping[Status, int] = {Status.PASS: 2, Status.WARN: 1, Status.FAIL: 0}


@dataclass(frozen=True)
class CheckChange:
    id: str
    category: str
    title: str  # title in the newer report (older one for removed checks)
    old_status: str | None  # None: the check is new
    new_status: str | None  # None: the check was removed
    severity: str
    weight: float


@dataclass(frozen=True)
class ReportDiff:
    old_target: str
    new_target: str
    old_score: int | None
    new_score: int | None
    old_grade: str | None
    new_grade: str | None
    old_scanned_at: str
    new_scanned_at: str
    language: str
    worse: tuple[CheckChange, ...] = ()
    better: tuple[CheckChange, ...] = ()
    added: tuple[CheckChange, ...] = ()  # checks only in the newer report
    removed: tuple[CheckChange, ...] = ()
    other: tuple[CheckChange, ...] = ()  # transitions to / from error, not_applicable, manual

    @property
    def score_delta(self) -> int | None:
        if self.old_score is None or self.new_score is None:
            return None
        return self.new_score - self.old_score

    @property
    def grade_changed(self) -> bool:
        return self.old_grade != self.new_grade

    @property
    def target_changed(self) -> bool:
        return self.old_target != self.new_target

    @property
    def regressed(self) -> bool:
        delta = self.score_delta
        return bool(self.worse) or (delta is not None and delta < 0)

    @property
    def changed(self) -> bool:
        return bool(
            self.worse or self.better or self.added or self.removed or self.other
            or self.score_delta or self.grade_changed
        )

    def to_dict(self) -> dict[str, Any]:
        def ch(c: CheckChange) -> dict[str, Any]:
            return {
                "id": c.id,
                "category": c.category,
                "title": c.title,
                "old_status": c.old_status,
                "new_status": c.new_status,
                "severity": c.severity,
                "weight": c.weight,
            }

        return {
            "before": {"target": self.old_target, "score": self.old_score, "grade": self.old_grade,
                    "scanned_at": self.old_scanned_at},
            "after": {"target": self.new_target, "score": self.new_score, "grade": self.new_grade,
                    "scanned_at": self.new_scanned_at},
            "score_delta": self.score_delta,
            "grade_changed": self.grade_changed,
            "target_changed": self.target_changed,
            "regressed": self.regressed,
            "worse": [ch(c) for c in self.worse],
            "better": [ch(c) for c in self.better],
            "added": [ch(c) for c in self.added],
            "removed": [ch(c) for c in self.removed],
            "other": [ch(c) for c in self.other],
        }


def _change(c: CheckResult, old: Status | None, new: Status | None) -> CheckChange:
    return CheckChange(
        id=one_line(c.id, 200),
        category=one_line(c.category, 100),
        title=one_line(c.title, 500),
        old_status=old.value if old else None,
        new_status=new.value if new else None,
        severity=c.severity.value,
        weight=c.weight,
    )


def _impact(c: CheckChange) -> tuple[float, str]:
    return (-c.weight, c.id)


def diff_report_objects(old: Report, new: Report) -> ReportDiff:
    before = {c.id: c for c in old.checks}
    after = {c.id: c for c in new.checks}
    worse, better, other, added, removed = [], [], [], [], []
    for cid, c in after.items():
        prev = before.get(cid)
        if prev is None:
            added.append(_change(c, None, c.status))
            continue
        if prev.status is c.status:
            continue
        if prev.status in RANK and c.status in RANK:
            (worse if RANK[c.status] < RANK[prev.status] else better).append(_change(c, prev.status, c.status))
        else:
            other.append(_change(c, prev.status, c.status))
    for cid, c in before.items():
        if cid not in after:
            removed.append(_change(c, c.status, None))
    return ReportDiff(
        old_target=one_line(old.target, 2000),
        new_target=one_line(new.target, 2000),
        old_score=old.score,
        new_score=new.score,
        old_grade=one_line(old.grade, 10) or None,
        new_grade=one_line(new.grade, 10) or None,
        old_scanned_at=one_line(old.scanned_at, 40),
        new_scanned_at=one_line(new.scanned_at, 40),
        language=new.language or "en",
        worse=tuple(sorted(worse, key=_impact)),
        better=tuple(sorted(better, key=_impact)),
        added=tuple(sorted(added, key=_impact)),
        removed=tuple(sorted(removed, key=_impact)),
        other=tuple(sorted(other, key=_impact)),
    )


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Diff two report dicts (as written by ``--format json``). Raises ValueError on an unknown schema."""
    return diff_report_objects(report_from_dict(old), report_from_dict(new))


# --------------------------------------------------------------------------- rendering

DiffFormat = Literal["text", "json", "md"]


def _status(s: str | None, lang: str) -> str:
    return "—" if s is None else t("status." + s, lang)


def _score(s: int | None) -> str:
    return "–" if s is None else str(s)


def _delta(d: ReportDiff) -> str:
    delta = d.score_delta
    if delta is None:
        return ""
    return f" ({delta:+d})"


def _sections(d: ReportDiff) -> list[tuple[str, tuple[CheckChange, ...]]]:
    return [
        ("diff.worse", d.worse),
        ("diff.better", d.better),
        ("diff.new", d.added),
        ("diff.removed", d.removed),
        ("diff.other", d.other),
    ]


def _render_text(d: ReportDiff, lang: str) -> str:
    lines = [f"{t('diff.title', lang)}: {one_line(d.new_target, 300)}"]
    if d.target_changed:
        lines.append(t("diff.target_changed", lang, old=one_line(d.old_target, 300), new=one_line(d.new_target, 300)))
    lines.append(
        f"{t('score', lang)}: {_score(d.old_score)} → {_score(d.new_score)}{_delta(d)}   "
        f"{t('grade', lang)}: {one_line(d.old_grade) or '–'} → {one_line(d.new_grade) or '–'}"
    )
    lines.append(t("diff.regressed", lang) if d.regressed else t("diff.not_regressed", lang))
    any_change = False
    for key, items in _sections(d):
        if not items:
            continue
        any_change = True
        lines.append("")
        lines.append(f"{t(key, lang)} ({len(items)}):")
        for c in items:
            lines.append(
                f"  - {one_line(c.id, 200)}: {_status(c.old_status, lang)} → {_status(c.new_status, lang)}"
                f"  {one_line(c.title, 300)}"
            )
    if not any_change:
        lines += ["", t("diff.no_changes", lang)]
    return "\n".join(lines) + "\n"


def _render_md(d: ReportDiff, lang: str) -> str:
    from trustaudit.render.markdown import md_code, md_text

    lines = [f"## {md_text(t('diff.title', lang))}: {md_text(d.new_target, 300)}", ""]
    if d.target_changed:
        lines += [
            "> " + md_text(t("diff.target_changed", lang, old=one_line(d.old_target, 300), new=one_line(d.new_target, 300))),
            "",
        ]
    lines.append(
        f"**{md_text(t('score', lang))}: {_score(d.old_score)} → {_score(d.new_score)}{_delta(d)}** · "
        f"**{md_text(t('grade', lang))}: {md_text(d.old_grade) or '–'} → {md_text(d.new_grade) or '–'}**"
    )
    lines += ["", ("❌ " + md_text(t("diff.regressed", lang))) if d.regressed else ("✅ " + md_text(t("diff.not_regressed", lang)))]
    any_change = False
    for key, items in _sections(d):
        if not items:
            continue
        any_change = True
        lines += ["", f"### {md_text(t(key, lang))} ({len(items)})", ""]
        lines += [
            f"- {md_code(c.id)} {md_text(_status(c.old_status, lang))} → {md_text(_status(c.new_status, lang))}"
            f" — {md_text(c.title, 300)}"
            for c in items[:500]
        ]
        if len(items) > 500:
            lines.append(md_text(t("more_items", lang, n=len(items) - 500)))
    if not any_change:
        lines += ["", md_text(t("diff.no_changes", lang))]
    return "\n".join(lines) + "\n"


def render_diff(d: ReportDiff, fmt: DiffFormat = "text", lang: str | None = None) -> str:
    """Render a diff as plain ``text`` (no markup: print it without rich markup), ``json`` or ``md``."""
    lang = lang or d.language or "en"
    if fmt == "json":
        return json.dumps(d.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return _render_md(d, lang)
    if fmt == "text":
        return _render_text(d, lang)
    raise ValueError(f"unknown diff format {fmt!r} (expected text, json or md)")
