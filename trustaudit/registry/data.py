"""rules/registries.yaml, read once and checked: sources, schemes, manual checks, matching vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from trustaudit.registry.models import ManualCheck
from trustaudit.resources import load_yaml

SOURCES = ("vies", "pl_wl", "pl_krs", "ch", "gleif", "rdap", "certpl")
VIRTUAL_SOURCES = ("gleif_xcheck",)


@dataclass(frozen=True)
class SourceSpec:
    id: str
    title: str
    url: str
    env: str
    timeout: float = 10.0
    ttl_s: float = 86400.0
    error_ttl_s: float = 1800.0
    min_interval_s: float = 0.0
    concurrency: int = 2
    daily_limit: int | None = None
    block_s: float = 120.0
    limits: str = ""
    manual: str | None = None
    key_env: str | None = None
    extra: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SchemeSpec:
    scheme: str
    sources: tuple[str, ...]
    manual: str | None = None
    vies_country: str | None = None
    vies_format: str = "{value}"
    vies_invalid: str = "unknown"  # not_found | unknown
    gleif_jurisdiction: str | None = None


def _raw() -> Mapping[str, Any]:
    data = load_yaml("registries.yaml")
    if not isinstance(data, Mapping):
        raise ValueError("rules/registries.yaml: not a mapping")
    return data


@cache
def sources() -> dict[str, SourceSpec]:
    out: dict[str, SourceSpec] = {}
    for sid, s in (_raw().get("sources") or {}).items():
        known = {"title", "url", "env", "timeout", "ttl_hours", "error_ttl_min", "min_interval_s", "concurrency",
                 "daily_limit", "block_s", "limits", "manual", "key_env"}
        out[sid] = SourceSpec(
            id=sid,
            title=str(s["title"]),
            url=str(s["url"]),
            env=str(s["env"]),
            timeout=float(s.get("timeout", 10)),
            ttl_s=float(s.get("ttl_hours", 24)) * 3600,
            error_ttl_s=float(s.get("error_ttl_min", 30)) * 60,
            min_interval_s=float(s.get("min_interval_s", 0)),
            concurrency=max(1, int(s.get("concurrency", 2))),
            daily_limit=int(s["daily_limit"]) if s.get("daily_limit") is not None else None,
            block_s=float(s.get("block_s", 120)),
            limits=str(s.get("limits", "")),
            manual=s.get("manual"),
            key_env=s.get("key_env"),
            extra={k: v for k, v in s.items() if k not in known},
        )
    missing = set(SOURCES) - set(out)
    if missing:
        raise ValueError(f"rules/registries.yaml: sources missing: {', '.join(sorted(missing))}")
    return out


@cache
def schemes() -> dict[str, SchemeSpec]:
    out: dict[str, SchemeSpec] = {}
    known_sources = set(sources()) | set(VIRTUAL_SOURCES)
    for name, s in (_raw().get("schemes") or {}).items():
        srcs = tuple(str(x) for x in s.get("sources") or ())
        bad = set(srcs) - known_sources
        if bad:
            raise ValueError(f"rules/registries.yaml: scheme {name}: unknown source(s) {', '.join(sorted(bad))}")
        inval = str(s.get("vies_invalid", "unknown"))
        if inval not in ("unknown", "not_found"):
            raise ValueError(f"rules/registries.yaml: scheme {name}: vies_invalid must be unknown or not_found")
        out[name] = SchemeSpec(
            scheme=name,
            sources=srcs,
            manual=s.get("manual"),
            vies_country=s.get("vies_country"),
            vies_format=str(s.get("vies_format", "{value}")),
            vies_invalid=inval,
            gleif_jurisdiction=(s.get("gleif") or {}).get("jurisdiction"),
        )
    return out


@cache
def manual_checks() -> dict[str, ManualCheck]:
    return {k: ManualCheck(str(v["register"]), str(v["url"]), str(v.get("how", "")))
            for k, v in (_raw().get("manual") or {}).items()}


def manual_for(key: str | None) -> ManualCheck | None:
    return manual_checks().get(key) if key else None


@cache
def name_matching() -> Mapping[str, Any]:
    return _raw().get("name_matching") or {}


@cache
def legal_forms() -> dict[str, tuple[str, ...]]:
    """Legal-form group id -> written variants (rules/registries.yaml)."""
    return {k: tuple(str(x) for x in v) for k, v in (_raw().get("legal_forms") or {}).items()}


@cache
def vocab_legal_forms() -> tuple[str, ...]:
    """The legal-form markers of rules/vocab/company.yaml (read-only)."""
    data = load_yaml("vocab/company.yaml") or {}
    lf = data.get("legal_forms") or {}
    return tuple(str(x) for part in ("after", "before") for x in lf.get(part) or ())


@cache
def free_mail() -> tuple[frozenset[str], str]:
    fm = _raw().get("free_mail") or {}
    return frozenset(str(d).lower() for d in fm.get("domains") or ()), str(fm.get("source", ""))


@cache
def young_domain_days() -> int:
    return int((_raw().get("domain_age") or {}).get("young_days", 90))
