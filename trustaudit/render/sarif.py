"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

- ``tool.driver.rules``: one rule per check id in the report (passed ones too, so the rule set is stable);
  ``defaultConfiguration.level`` from severity (critical/high -> error, medium -> warning, low/info -> note).
- one result per failed or warned check; a warning is never louder than ``warning``.
- every result is anchored to ``trustaudit.toml`` line 1: a website has no source file, code scanning
  rejects results without a location, and the config file is where a person acts on (or silences) it.
  The page URLs are in the message and in ``properties.urls``.
- ``partialFingerprints`` depend only on check id + target, so re-runs de-duplicate into one alert.
- ``automationDetails.id`` = ``trustaudit/<target>/`` so scans of several shops stay separate categories.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from trustaudit import __version__
from trustaudit.messages import t
from trustaudit.models import CheckResult, Report, Status
from trustaudit.render._common import (
    SARIF_LEVEL,
    grade_cap_text,
    partial_text,
    prepare,
    problems,
    sarif_level,
)
from trustaudit.render._text import clean_text, one_line

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ANCHOR_FILE = "trustaudit.toml"
MAX_URLS = 10
MAX_TEXT = 2000


def fingerprint(check_id: str, target: str) -> str:
    return hashlib.sha256(f"{check_id}\x00{target}".encode()).hexdigest()[:32]


def _rule(c: CheckResult, cat_title: str) -> dict[str, Any]:
    fix = clean_text(c.fix, MAX_TEXT) or one_line(c.title, MAX_TEXT)
    help_text = fix
    if c.fix_platform:
        help_text += "\n" + clean_text(c.fix_platform, MAX_TEXT)
    if c.source:
        help_text += "\n" + clean_text(c.source, MAX_TEXT)
    return {
        "id": c.id,
        "name": c.id,
        "shortDescription": {"text": one_line(c.title, MAX_TEXT) or c.id},
        "fullDescription": {"text": fix},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": SARIF_LEVEL[c.severity]},
        "properties": {
            "category": c.category,
            "categoryTitle": one_line(cat_title),
            "weight": c.weight,
            "severity": c.severity.value,
            "tags": ["trustaudit", c.category, c.severity.value],
        },
    }


def _result(c: CheckResult, rule_index: int, target: str, lang: str) -> dict[str, Any]:
    urls = [one_line(e.url, MAX_TEXT) for e in c.evidence if e.url][:MAX_URLS]
    urls = list(dict.fromkeys(u for u in urls if u))
    lines = [f"{one_line(c.title, MAX_TEXT)} [{t('status.' + c.status.value, lang)}]"]
    if urls:
        lines.append(f"{t('url', lang)}: " + ", ".join(urls))
    else:
        lines.append(f"{t('target', lang)}: {target}")
    if c.fix:
        lines.append(f"{t('fix', lang)}: {clean_text(c.fix, MAX_TEXT)}")
    if c.fix_platform:
        lines.append(f"{t('fix_platform', lang)}: {clean_text(c.fix_platform, MAX_TEXT)}")
    return {
        "ruleId": c.id,
        "ruleIndex": rule_index,
        "level": sarif_level(c),
        "kind": "fail",
        "message": {"text": "\n".join(lines)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": ANCHOR_FILE},
                    "region": {"startLine": 1},
                }
            }
        ],
        "partialFingerprints": {"trustauditCheck/v1": fingerprint(c.id, target)},
        "properties": {
            "status": c.status.value,
            "severity": c.severity.value,
            "category": c.category,
            "weight": c.weight,
            "urls": urls,
            "target": target,
        },
    }


def render_dict(report: Report, lang: str | None = None) -> dict[str, Any]:
    report, lang = prepare(report, lang)
    target = one_line(report.target) or one_line(report.final_url)
    cat_titles = {c.id: c.title for c in report.categories}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for c in sorted(report.checks, key=lambda c: c.id):
        if c.id not in index:
            index[c.id] = len(rules)
            rules.append(_rule(c, cat_titles.get(c.category, c.category)))
    results = [_result(c, index[c.id], target, lang) for c in problems(report)]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "trustaudit",
                "version": report.tool_version or __version__,
                "semanticVersion": report.tool_version or __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"trustaudit/{target}/"},
        "columnKind": "unicodeCodePoints",
        "language": lang,
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {"text": f"{one_line(e.get('url'), MAX_TEXT)}: {one_line(e.get('error'), MAX_TEXT)}"},
                    }
                    for e in report.errors[:100]
                ],
            }
        ],
        "properties": {
            "target": target,
            "finalUrl": one_line(report.final_url),
            "score": report.score,
            "grade": report.grade,
            "gradeCap": (
                {"grade": report.grade_cap.grade, "check": report.grade_cap.check,
                 "reason": one_line(grade_cap_text(report, lang), MAX_TEXT)}
                if report.grade_cap and report.grade
                else None
            ),
            "partial": one_line(partial_text(report), MAX_TEXT) or None,
            "scannedAt": one_line(report.scanned_at),
            "inconclusive": one_line(report.inconclusive) or None,
            "counts": {s.value: sum(1 for c in report.checks if c.status is s) for s in Status},
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, lang: str | None = None) -> str:
    return json.dumps(render_dict(report, lang), ensure_ascii=False, indent=2) + "\n"
