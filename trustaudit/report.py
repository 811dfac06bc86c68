"""Report <-> JSON-ready dict, and the report-level verdicts the pipeline asks for.

The dict shape is a public contract (see schema/report.schema.json). Texts are in the report language
(consumers read ``title``, ``fix``, ``reason``); next to them, ``messages`` holds the same texts by reference
(catalogue id + arguments), so a saved report can be rendered again in any format and language
(``trustaudit report REPORT.json --format html --lang en``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from trustaudit import __version__, messages
from trustaudit.models import (
    SCHEMA_VERSION,
    Artifacts,
    CategoryScore,
    CheckResult,
    Evidence,
    GradeCap,
    Message,
    Report,
    Severity,
    SiteSnapshot,
    Status,
)

# --------------------------------------------------------------------------- verdicts for build_report


def home_page(snapshot: SiteSnapshot):
    """The page the crawl landed on for the target (after redirects), or None."""
    for p in snapshot.pages:
        if p.url == snapshot.final_url:
            return p
    return snapshot.pages[0] if snapshot.pages else None


def inconclusive_reason(snapshot: SiteSnapshot, home_says_missing: bool = False) -> Message | None:
    """Why the scan saw something other than the shop, or None: no score is given for what is not the shop.
    ``home_says_missing``: the page landed on says it does not exist, under a 200 status."""
    if snapshot.blocked:
        return Message("inconclusive.blocked")
    home = home_page(snapshot)
    if home is None:
        robots = snapshot.robots_disallowed and any(e.kind == "robots" for e in snapshot.errors)
        return Message("inconclusive.robots" if robots else "inconclusive.no_pages")
    if home.status >= 400:
        key = "inconclusive.http_error" if home.text.strip() else "inconclusive.http_empty"
        return Message(key, {"status": home.status, "url": home.url})
    if not home.text.strip():
        return Message("inconclusive.not_html", {"url": home.url})
    if home_says_missing:
        return Message("inconclusive.says_missing", {"url": home.url})
    if not any(p.text for p in snapshot.pages):
        return Message("inconclusive.no_pages")
    return None


def verdicts(snapshot: SiteSnapshot, artifacts: Artifacts, facts, checks, cats, lang: str) -> dict[str, Any]:
    """The report-level verdicts, as Report fields: score and grade (none when inconclusive; the grade capped by
    a blocking failure), the checks with their score gains, the inconclusive and partial-crawl notes (text in
    ``lang`` and by reference), and the extractor failures."""
    from trustaudit.scoring import capped, grade, grade_cap, overall, with_gains

    checks = with_gains(checks, {c.id: c.weight for c in cats if c.score is not None})
    why: Message | None = facts.inconclusive
    score = overall(cats)
    cap = grade_cap(checks)
    report_messages: dict[str, Message] = {"inconclusive": why} if why else {}
    partial = None
    if snapshot.limit_hit:
        report_messages["partial"] = Message("report.partial", {"limit": Message(f"limit.{snapshot.limit_hit}")})
        partial = {"limit": snapshot.limit_hit,
                   "reason": messages.render(report_messages["partial"], lang, artifacts.country)}
    return {
        "score": None if why else score,
        "grade": None if why else capped(grade(score), cap),
        "grade_cap": None if why else cap,
        "checks": checks,
        "inconclusive": messages.render(why, lang, artifacts.country) if why else None,
        "partial": partial,
        "extractor_errors": extractor_errors(artifacts),
        "messages": report_messages,
    }


def extractor_errors(artifacts: Artifacts) -> tuple[dict[str, Any], ...]:
    """The extractors that failed (the checks reading their signals could not be checked)."""
    return tuple(
        {"extractor": e.extractor, "url": e.url, "error": e.error, "signals": list(e.signals)}
        for e in artifacts.extractor_errors if not e.partial
    )


def read_in_part(artifacts: Artifacts) -> tuple[dict[str, Any], ...]:
    """The pages an extractor read only in part (a per-page cap), as report errors of kind ``truncated``: what
    it found stands, what it would have found further on is not known."""
    return tuple(
        {"url": e.url, "error": f"read in part by {e.extractor}: {e.error}", "kind": "truncated"}
        for e in artifacts.extractor_errors if e.partial
    )


# --------------------------------------------------------------------------- to / from JSON


def message_to_dict(m: Message) -> dict[str, Any]:
    return {"id": m.id, "args": {k: (message_to_dict(v) if isinstance(v, Message) else v) for k, v in m.args.items()}}


def message_from_dict(d: Any) -> Message | None:
    if not isinstance(d, Mapping) or not isinstance(d.get("id"), str):
        return None
    args = {}
    for k, v in (d.get("args") or {}).items():
        sub = message_from_dict(v) if isinstance(v, Mapping) else None
        args[str(k)] = sub if sub is not None else v
    return Message(d["id"], args)


def _evidence(ev: Evidence) -> dict[str, Any]:
    d: dict[str, Any] = {"url": ev.url, "snippet": ev.snippet}
    if ev.msg is not None:
        d["message"] = message_to_dict(ev.msg)
    return d


def check_to_dict(c: CheckResult) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": c.id,
        "category": c.category,
        "status": c.status.value,
        "weight": c.weight,
        "severity": c.severity.value,
        "title": c.title,
        "evidence": [_evidence(e) for e in c.evidence],
        "fix": c.fix,
    }
    if c.fix_platform:
        d["fix_platform"] = c.fix_platform
    if c.reason:
        d["reason"] = c.reason
    if c.source:
        d["source"] = c.source
    if c.status in (Status.FAIL, Status.WARN):
        d["gain"] = c.gain
    if c.caps_grade:
        d["caps_grade"] = c.caps_grade
    if c.messages:
        d["messages"] = {k: message_to_dict(m) for k, m in c.messages.items()}
    return d


def report_to_dict(r: Report) -> dict[str, Any]:
    return {
        "schema_version": r.schema_version,
        "scoring_version": r.scoring_version,
        "tool": {"name": "trustaudit", "version": r.tool_version or __version__},
        "target": r.target,
        "final_url": r.final_url,
        "scanned_at": r.scanned_at,
        "as_of": r.as_of or None,
        "duration_s": round(r.duration_s, 3),
        "language": r.language,
        "shop_language": r.shop_language,
        "country": r.country,
        "country_source": r.country_source or None,
        "country_confidence": r.country_confidence,
        "country_evidence": [_plain(e) for e in r.country_evidence],
        "score": r.score,
        "grade": r.grade,
        "grade_cap": (
            {"grade": r.grade_cap.grade, "check": r.grade_cap.check, "reason": r.grade_cap.reason}
            if r.grade_cap
            else None
        ),
        "inconclusive": r.inconclusive,
        "partial": _plain(r.partial) if r.partial else None,
        "categories": [
            {"id": c.id, "title": c.title, "score": c.score, "weight": c.weight} for c in r.categories
        ],
        "checks": [check_to_dict(c) for c in r.checks],
        "signals": _signals(r.signals),
        "platform": _plain(r.platform) if r.platform else None,
        "tls": _plain(r.tls) if r.tls is not None else None,
        "pages_fetched": [_plain(p) for p in r.pages_fetched],
        "errors": [_plain(e) for e in r.errors],
        "extractor_errors": [_plain(e) for e in r.extractor_errors],
        "skipped": [_plain(s) for s in r.skipped],
        "assertions": [_plain(a) for a in r.assertions],
        "messages": {k: message_to_dict(m) for k, m in r.messages.items()},
    }


def _signals(signals: Mapping[str, Any]) -> dict[str, Any]:
    """The signals as plain data; a rating that is not a finite number (JSON-LD ``ratingValue: NaN``) is no
    rating at all, as the checks treat it."""
    out = _plain(signals)
    rating = (out.get("reviews") or {}).get("aggregate_rating")
    if isinstance(rating, dict) and not all(
        isinstance(rating.get(k), (int, float)) and math.isfinite(rating[k]) for k in ("value", "best") if k in rating
    ):
        out["reviews"] = {**out["reviews"], "aggregate_rating": None}
    return out


def _default_messages(c: Mapping[str, Any]) -> dict[str, Message]:
    """A check saved before reports carried messages (schema 1.0): its id still names its texts."""
    base = f"check.{c.get('id')}"
    if not messages.has(f"{base}.title"):
        return {}
    failed = c.get("status") in ("fail", "warn")
    return {"title": Message(f"{base}.fail_title" if failed else f"{base}.title"), "fix": Message(f"{base}.fix")}


def _messages_of(d: Mapping[str, Any]) -> dict[str, Message]:
    out = {}
    for k, v in (d.get("messages") or {}).items():
        m = message_from_dict(v)
        if m is not None:
            out[str(k)] = m
    return out


def report_from_dict(d: Mapping[str, Any]) -> Report:
    """Rebuild a Report from its JSON form (used by `diff`, `merge`, `report` and renderers of saved reports)."""
    if str(d.get("schema_version", "")).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ValueError(f"unsupported report schema_version {d.get('schema_version')!r}")
    checks = tuple(
        CheckResult(
            id=c["id"],
            category=c["category"],
            status=Status(c["status"]),
            weight=float(c.get("weight", 0)),
            severity=Severity(c.get("severity", "medium")),
            title=c.get("title", ""),
            evidence=tuple(
                Evidence(e.get("url", ""), e.get("snippet", ""), message_from_dict(e.get("message")))
                for e in c.get("evidence", [])
            ),
            fix=c.get("fix", ""),
            fix_platform=c.get("fix_platform", ""),
            reason=c.get("reason", ""),
            source=c.get("source", ""),
            messages=_messages_of(c) or _default_messages(c),
            gain=float(c.get("gain") or 0.0),
            caps_grade=c.get("caps_grade"),
        )
        for c in d.get("checks", [])
    )
    cats = tuple(
        CategoryScore(c["id"], c.get("title", c["id"]), c.get("score"), float(c.get("weight", 0)))
        for c in d.get("categories", [])
    )
    if checks and not any("gain" in c for c in d.get("checks", [])):
        # a report from before gains were stored: compute them the same way the scan does
        from trustaudit.scoring import with_gains

        checks = with_gains(checks, {c.id: c.weight for c in cats if c.score is not None})
    cap = d.get("grade_cap")
    return Report(
        target=d.get("target", ""),
        final_url=d.get("final_url", ""),
        scanned_at=d.get("scanned_at", ""),
        as_of=str(d.get("as_of") or ""),
        duration_s=float(d.get("duration_s", 0.0)),
        language=d.get("language", "en"),
        country=d.get("country"),
        country_source=d.get("country_source") or "",
        country_confidence=d.get("country_confidence"),
        country_evidence=tuple(e for e in d.get("country_evidence") or () if isinstance(e, Mapping)),
        score=d.get("score"),
        grade=d.get("grade"),
        categories=cats,
        checks=checks,
        signals=d.get("signals", {}),
        tls=d.get("tls"),
        pages_fetched=tuple(d.get("pages_fetched", [])),
        errors=tuple(d.get("errors", [])),
        platform=d.get("platform"),
        skipped=tuple(d.get("skipped", [])),
        inconclusive=d.get("inconclusive"),
        shop_language=d.get("shop_language"),
        tool_version=(d.get("tool") or {}).get("version", ""),
        schema_version=d.get("schema_version", SCHEMA_VERSION),
        scoring_version=d.get("scoring_version", ""),
        grade_cap=(
            GradeCap(str(cap.get("grade", "F")), str(cap.get("check", "")), str(cap.get("reason", "")))
            if isinstance(cap, Mapping)
            else None
        ),
        partial=d.get("partial"),
        extractor_errors=tuple(d.get("extractor_errors", [])),
        messages=_messages_of(d),
        assertions=tuple(a for a in d.get("assertions", []) if isinstance(a, Mapping)),
    )


# --------------------------------------------------------------------------- localisation


def localized(report: Report, lang: str) -> Report:
    """The report with every text that has a message written in ``lang`` (for a shop of the report's country);
    texts without a message (page text, TLS errors, skip reasons) stay as they are."""
    from dataclasses import replace

    country = report.country

    def text(m: Message | None, current: str) -> str:
        return current if m is None else messages.render(m, lang, country, default=current)

    checks = []
    for c in report.checks:
        m = c.messages
        evidence = tuple(
            replace(e, snippet=text(e.msg, e.snippet)) if e.msg is not None else e for e in c.evidence
        )
        checks.append(
            replace(
                c,
                title=text(m.get("title"), c.title),
                fix=text(m.get("fix"), c.fix),
                fix_platform=text(m.get("fix_platform"), c.fix_platform),
                reason=text(m.get("reason"), c.reason),
                evidence=evidence,
            )
        )
    by_id = {c.id: c for c in checks}
    cats = tuple(
        replace(cat, title=messages.lookup(f"category.{cat.id}", lang) or cat.title) for cat in report.categories
    )
    cap = report.grade_cap
    if cap is not None and cap.check in by_id:
        cap = replace(cap, reason=by_id[cap.check].title)
    partial = report.partial
    if partial is not None:
        partial = {**partial, "reason": text(report.messages.get("partial"), str(partial.get("reason", "")))}
    return replace(
        report,
        language=lang,
        checks=tuple(checks),
        categories=cats,
        grade_cap=cap,
        partial=partial,
        inconclusive=(
            text(report.messages.get("inconclusive"), report.inconclusive or "") or None
            if report.inconclusive is not None or "inconclusive" in report.messages
            else None
        ),
    )


# --------------------------------------------------------------------------- strict JSON


def strict(obj: Any) -> Any:
    """JSON-safe copy: NaN / Infinity become null (JSON has neither), unpaired surrogates become U+FFFD."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, Mapping):
        return {strict(str(k)): strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    return obj


_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(obj: Any) -> Any:
    """Mappings/sequences/enums -> JSON-ready plain values."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (Status, Severity)):
        return obj.value
    if isinstance(obj, Message):
        return message_to_dict(obj)
    return obj


def iter_texts(report: Report) -> Iterable[str]:
    """Every human-language text of a report (tests: no foreign law, no markup)."""
    for c in report.checks:
        yield from (c.title, c.fix, c.fix_platform, c.reason, c.source)
    for cat in report.categories:
        yield cat.title
    if report.inconclusive:
        yield report.inconclusive
