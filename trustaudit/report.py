"""Report <-> JSON-ready dict. The dict shape is a public contract (see schema/report.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trustaudit import __version__
from trustaudit.models import (
    SCHEMA_VERSION,
    CategoryScore,
    CheckResult,
    Evidence,
    Report,
    Severity,
    Status,
)


def _evidence(ev: Evidence) -> dict[str, str]:
    return {"url": ev.url, "snippet": ev.snippet}


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
    return d


def report_to_dict(r: Report) -> dict[str, Any]:
    return {
        "schema_version": r.schema_version,
        "scoring_version": r.scoring_version,
        "tool": {"name": "trustaudit", "version": r.tool_version or __version__},
        "target": r.target,
        "final_url": r.final_url,
        "scanned_at": r.scanned_at,
        "duration_s": round(r.duration_s, 3),
        "language": r.language,
        "shop_language": r.shop_language,
        "country": r.country,
        "score": r.score,
        "grade": r.grade,
        "inconclusive": r.inconclusive,
        "categories": [
            {"id": c.id, "title": c.title, "score": c.score, "weight": c.weight} for c in r.categories
        ],
        "checks": [check_to_dict(c) for c in r.checks],
        "signals": _plain(r.signals),
        "platform": _plain(r.platform) if r.platform else None,
        "tls": _plain(r.tls) if r.tls is not None else None,
        "pages_fetched": [_plain(p) for p in r.pages_fetched],
        "errors": [_plain(e) for e in r.errors],
        "skipped": [_plain(s) for s in r.skipped],
    }


def report_from_dict(d: Mapping[str, Any]) -> Report:
    """Rebuild a Report from its JSON form (used by `diff`, `merge` and renderers of saved reports)."""
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
            evidence=tuple(Evidence(e.get("url", ""), e.get("snippet", "")) for e in c.get("evidence", [])),
            fix=c.get("fix", ""),
            fix_platform=c.get("fix_platform", ""),
            reason=c.get("reason", ""),
            source=c.get("source", ""),
        )
        for c in d.get("checks", [])
    )
    cats = tuple(
        CategoryScore(c["id"], c.get("title", c["id"]), c.get("score"), float(c.get("weight", 0)))
        for c in d.get("categories", [])
    )
    return Report(
        target=d.get("target", ""),
        final_url=d.get("final_url", ""),
        scanned_at=d.get("scanned_at", ""),
        duration_s=float(d.get("duration_s", 0.0)),
        language=d.get("language", "en"),
        country=d.get("country"),
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
    )


def _plain(obj: Any) -> Any:
    """Mappings/sequences/enums -> JSON-ready plain values."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (Status, Severity)):
        return obj.value
    return obj
