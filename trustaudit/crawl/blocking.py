"""Recognise bot-protection answers (Cloudflare, DataDome, Akamai, Imperva, ...) instead of the shop itself.

The vendors' fingerprints are data: rules/vocab/blocking.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from trustaudit.resources import load_yaml


@dataclass(frozen=True)
class _Vendor:
    name: str
    headers: tuple[str, ...]
    server: tuple[str, ...]
    body: tuple[str, ...]
    body_alone: bool
    body_all: tuple[tuple[str, ...], ...]
    challenge: tuple[tuple[str, str], ...]


def _words(v) -> tuple[str, ...]:
    return tuple(str(x).lower() for x in v or ())


@cache
def _db() -> tuple[frozenset[int], tuple[_Vendor, ...], tuple[str, ...]]:
    data = load_yaml("vocab/blocking.yaml") or {}
    vendors = tuple(
        _Vendor(
            name=str(name),
            headers=_words(spec.get("headers")),
            server=_words(spec.get("server")),
            body=_words(spec.get("body")),
            body_alone=bool(spec.get("body_alone", True)),
            body_all=tuple(_words(group) for group in spec.get("body_all") or ()),
            challenge=tuple((str(k).lower(), str(v).lower()) for k, v in (spec.get("challenge") or {}).items()),
        )
        for name, spec in (data.get("vendors") or {}).items()
    )
    return frozenset(int(s) for s in data.get("statuses") or ()), vendors, _words(data.get("generic"))


def detect_block(status: int, headers: Mapping[str, str], text: str) -> str | None:
    """The protection vendor (or "bot protection") when the answer looks like a challenge page, else None."""
    statuses, vendors, generic = _db()
    for v in vendors:
        if any(headers.get(k, "").lower() == value for k, value in v.challenge):
            return v.name
    if status not in statuses:
        return None
    body = text[:30_000].lower()
    server = headers.get("server", "").lower()
    for v in vendors:
        by_header = any(n in headers for n in v.headers) or any(w in server for w in v.server)
        by_body = any(m in body for m in v.body)
        if by_header and (by_body or status in (403, 429)):
            return v.name
        if by_body and v.body_alone:
            return v.name
        if any(all(m in body for m in group) for group in v.body_all):
            return v.name
    if status in (403, 429) and any(m in body for m in generic):
        return "bot protection"
    if status == 429:
        return "rate limiting"
    return None
