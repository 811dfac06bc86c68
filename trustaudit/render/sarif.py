"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

- ``tool.driver.rules``: one rule per check id in the report (passed ones too, so the rule set is stable);
  ``defaultConfiguration.level`` from severity (critical/high -> error, medium -> warning, low/info -> note).
- one result per failed or warned check; a warning is never louder than ``warning``.
- every result is anchored to line 1 of ``anchor``, a file that exists in the repository (the project config,
  else the README; the CLI picks it, relative to the repository root): a website has no source file, code
  scanning rejects results without a location, and the config file is where a person acts on (or silences)
  it. Without an anchor the results carry no location (and a notification says why), never a made-up path.
  The page URLs are in the message and in ``properties.urls``.
- checks skipped by the project config are results with a ``suppressions`` entry (``external``, accepted,
  the config's reason as justification), so code scanning shows them as dismissed, with why.
- ``partialFingerprints`` depend only on check id + target, so re-runs de-duplicate into one alert.
- ``automationDetails.id`` = ``trustaudit/<host-and-path>/`` (lower-case letters, digits, ``.`` and ``-``) so
  scans of several shops stay separate categories.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from trustaudit import __version__
from trustaudit.messages import lookup, t
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
from trustaudit.web.urls import host_of

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ANCHOR_FILE = "trustaudit.toml"  # the default anchor of render(); the CLI passes a file that exists
_UNSAFE_ID = re.compile(r"[^a-z0-9.]+")
MAX_URLS = 10
MAX_TEXT = 2000


def fingerprint(check_id: str, target: str) -> str:
    return hashlib.sha256(f"{check_id}\x00{target}".encode()).hexdigest()[:32]


def category_id(target: str) -> str:
    """``https://Shop.example:8443/pl/?x=1`` -> ``trustaudit/shop.example-8443-pl/``; a saved site -> its folder."""
    raw = one_line(target)
    slug = ""
    try:
        parts = urlsplit(raw)
        host = host_of(raw)
        if parts.scheme in ("http", "https") and host:
            slug = host + (f"-{parts.port}" if parts.port else "") + "-" + parts.path
        elif raw:
            path = PurePath(parts.path if parts.scheme == "file" else raw)
            slug = path.stem if path.suffix.lower() in (".html", ".htm") else path.name
    except ValueError:
        slug = raw
    slug = _UNSAFE_ID.sub("-", slug.lower()).strip(".-")[:80].strip(".-")
    return f"trustaudit/{slug or 'shop'}/"


def _location(anchor: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": anchor, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1},
        }
    }


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


def _skipped_rule(check_id: str, lang: str, country: str | None) -> dict[str, Any]:
    title = one_line(lookup(f"check.{check_id}.title", lang, country) or check_id, MAX_TEXT)
    fix = clean_text(lookup(f"check.{check_id}.fix", lang, country) or title, MAX_TEXT)
    category = check_id.split(".", 1)[0]
    return {
        "id": check_id,
        "name": check_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": fix},
        "help": {"text": fix},
        "properties": {"category": category, "tags": ["trustaudit", category]},
    }


def _suppressed(check_id: str, reason: str, rule_index: int, target: str, lang: str,
                anchor: str | None) -> dict[str, Any]:
    why = one_line(reason, MAX_TEXT)
    out: dict[str, Any] = {
        "ruleId": check_id,
        "ruleIndex": rule_index,
        "kind": "informational",
        "level": "none",
        "message": {"text": f"{t('skipped_checks', lang)}: {why}" if why else t("skipped_checks", lang)},
        "suppressions": [{"kind": "external", "status": "accepted", "justification": why or "-"}],
        "partialFingerprints": {"trustauditCheck/v1": fingerprint(check_id, target)},
        "properties": {"status": "skipped", "target": target},
    }
    if anchor:
        out["locations"] = [_location(anchor)]
        out["suppressions"][0]["location"] = _location(anchor)
    return out


def _result(c: CheckResult, rule_index: int, target: str, lang: str, anchor: str | None) -> dict[str, Any]:
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
        **({"locations": [_location(anchor)]} if anchor else {}),
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


def render_dict(report: Report, lang: str | None = None, anchor: str | None = ANCHOR_FILE) -> dict[str, Any]:
    """``anchor``: a repository-relative path of a file that exists (None: results without a location)."""
    report, lang = prepare(report, lang)
    target = one_line(report.target) or one_line(report.final_url)
    cat_titles = {c.id: c.title for c in report.categories}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for c in sorted(report.checks, key=lambda c: c.id):
        if c.id not in index:
            index[c.id] = len(rules)
            rules.append(_rule(c, cat_titles.get(c.category, c.category)))
    results = [_result(c, index[c.id], target, lang, anchor) for c in problems(report)]
    for s in report.skipped:
        sid = one_line(s.get("id"), 200)
        if not sid:
            continue
        if sid not in index:
            index[sid] = len(rules)
            rules.append(_skipped_rule(sid, lang, report.country))
        results.append(_suppressed(sid, str(s.get("reason") or ""), index[sid], target, lang, anchor))
    notes = [
        {"level": "warning", "message": {"text": f"{one_line(e.get('url'), MAX_TEXT)}: {one_line(e.get('error'), MAX_TEXT)}"}}
        for e in report.errors[:100]
    ]
    if not anchor:
        notes.insert(0, {"level": "note", "message": {"text": (
            "no project config or README in the repository: results carry no file location "
            "(GitHub code scanning needs one; add trustaudit.toml or run from the repository root)")}})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "trustaudit",
                "version": report.tool_version or __version__,
                "semanticVersion": report.tool_version or __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": category_id(report.target or report.final_url)},
        "columnKind": "unicodeCodePoints",
        "language": lang,
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notes,
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
            "asOf": one_line(report.as_of) or None,
            "inconclusive": one_line(report.inconclusive) or None,
            "counts": {s.value: sum(1 for c in report.checks if c.status is s) for s in Status},
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, lang: str | None = None, anchor: str | None = ANCHOR_FILE) -> str:
    return json.dumps(render_dict(report, lang, anchor), ensure_ascii=False, indent=2) + "\n"
