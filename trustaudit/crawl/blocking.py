"""Recognise bot-protection answers (Cloudflare, DataDome, Akamai, Imperva, ...) instead of the shop itself."""

from __future__ import annotations

from collections.abc import Mapping

_BLOCK_STATUSES = frozenset({401, 403, 406, 429, 503})

# (vendor, header names that identify it, body markers (lower case))
_VENDORS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Cloudflare",
        ("cf-ray", "cf-mitigated", "cf-chl-bypass"),
        ("just a moment", "attention required", "cf-chl", "challenge-platform", "cf_chl_opt", "cf-browser-verification"),
    ),
    ("DataDome", ("x-datadome", "x-dd-b"), ("captcha-delivery.com", "datadome")),
    ("Akamai", ("akamai-grn",), ("errors.edgesuite.net", "reference #", "access denied")),
    ("Imperva", ("x-iinfo",), ("_incapsula_resource", "incapsula incident", "imperva")),
    ("PerimeterX", (), ("px-captcha", "_pxhd", "perimeterx")),
    ("Sucuri", ("x-sucuri-id", "x-sucuri-block"), ("sucuri website firewall", "access denied - sucuri")),
    ("AWS WAF", ("x-amzn-waf-action",), ("aws-waf-token", "awswaf")),
)
_GENERIC = (
    "captcha",
    "are you a robot",
    "are you human",
    "verify you are human",
    "unusual traffic",
    "bot protection",
    "ddos protection",
    "access denied",
    "request blocked",
)


def detect_block(status: int, headers: Mapping[str, str], text: str) -> str | None:
    """The protection vendor (or "bot protection") when the answer looks like a challenge page, else None."""
    mitigated = headers.get("cf-mitigated", "").lower() == "challenge"
    if status not in _BLOCK_STATUSES and not mitigated:
        return None
    body = text[:30_000].lower()
    server = headers.get("server", "").lower()
    for vendor, names, markers in _VENDORS:
        by_header = any(n in headers for n in names) or vendor.lower().split()[0] in server
        by_body = any(m in body for m in markers)
        if mitigated and vendor == "Cloudflare":
            return vendor
        if by_header and (by_body or status in (403, 429)):
            return vendor
        if by_body and vendor not in ("Akamai",):
            return vendor
        if vendor == "Akamai" and "access denied" in body and ("reference #" in body or "akamai" in server):
            return vendor
    if status in (403, 429) and any(m in body for m in _GENERIC):
        return "bot protection"
    if status == 429:
        return "rate limiting"
    return None
