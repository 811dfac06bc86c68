"""JSON report: the machine-readable contract (trustaudit/schema/report.schema.json)."""

from __future__ import annotations

import json

from trustaudit.models import Report
from trustaudit.render._common import prepare
from trustaudit.report import report_to_dict, strict


def render(report: Report, lang: str | None = None) -> str:
    """Strict JSON (RFC 8259): no NaN or Infinity (null instead), no unpaired surrogates (U+FFFD instead), so
    jq, JavaScript and every other parser read it. ensure_ascii=False keeps shop text readable."""
    report, _lang = prepare(report, lang)
    return json.dumps(strict(report_to_dict(report)), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
