"""JSON report: the machine-readable contract (trustaudit/schema/report.schema.json)."""

from __future__ import annotations

import json

from trustaudit.models import Report
from trustaudit.report import report_to_dict


def render(report: Report, lang: str | None = None) -> str:
    # ensure_ascii=False keeps shop text readable; JSON strings escape control characters themselves.
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
