"""What the registry package returns: one frozen dataclass per concept, JSON-ready through ``to_dict``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


class RegStatus(str, Enum):
    ACTIVE = "active"  # the register has a live entry for the number
    INACTIVE = "inactive"  # removed, dissolved, struck off, no longer a VAT payer
    NOT_FOUND = "not_found"  # the register answered, and has no entry for the number
    UNKNOWN = "unknown"  # could not check: no free register, unavailable, rate-limited, deadline, odd answer

    @property
    def definite(self) -> bool:
        return self is not RegStatus.UNKNOWN


@dataclass(frozen=True)
class RegId:
    """An identifier as the registers see it: scheme (rules/vocab/ids.yaml names, plus "lei") and compact value."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@dataclass(frozen=True)
class ManualCheck:
    """Where a person can check the number by hand."""

    register: str
    url: str
    how: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"register": self.register, "url": self.url}
        if self.how:
            out["how"] = self.how
        return out


@dataclass(frozen=True)
class RegistryRecord:
    """One register's answer about one identifier."""

    source: str  # "vies", "pl_wl", "pl_krs", "ch", "gleif", "manual"
    status: RegStatus
    name: str | None = None  # registered name
    address: str | None = None  # registered address, one line
    registered_on: str | None = None  # ISO date the entity was registered / incorporated
    removed_on: str | None = None  # ISO date it was removed / struck off / dissolved (status inactive)
    name_match: bool | None = None  # registered name vs the seller named on the site (None: not judged)
    address_match: bool | None = None
    checked_at: str | None = None  # ISO-8601 UTC time of the register's answer (cached answers keep theirs)
    error: str | None = None  # one line: why the status is unknown
    detail: str = ""  # one line: what else the register says ("VAT-exempt", "in liquidation", ...)
    legal_form: str | None = None
    linked_ids: Mapping[str, str] = field(default_factory=dict)  # other IDs of the entity (scheme -> value)
    register_match: Mapping[str, str] = field(default_factory=dict)  # the register's own matching (VIES)
    manual_check: ManualCheck | None = None
    cached: bool = False
    match_detail: str = ""  # which name on the site was compared, and how

    def with_(self, **kw: Any) -> RegistryRecord:
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``signals.tax_ids[].registry``."""
        out: dict[str, Any] = {
            "source": self.source,
            "status": self.status.value,
            "name": self.name,
            "address": self.address,
            "registered_on": self.registered_on,
            "name_match": self.name_match,
            "address_match": self.address_match,
            "checked_at": self.checked_at,
            "error": self.error,
        }
        if self.removed_on:
            out["removed_on"] = self.removed_on
        if self.detail:
            out["detail"] = self.detail
        if self.legal_form:
            out["legal_form"] = self.legal_form
        if self.linked_ids:
            out["linked_ids"] = dict(self.linked_ids)
        if self.register_match:
            out["register_match"] = dict(self.register_match)
        if self.manual_check is not None:
            out["manual_check"] = self.manual_check.to_dict()
        if self.match_detail:
            out["match_detail"] = self.match_detail
        out["cached"] = self.cached
        return out

    # the cache stores what the register said, never what was compared with one shop's page
    def to_cache(self) -> dict[str, Any]:
        d = self.to_dict()
        for k in ("name_match", "address_match", "match_detail", "cached"):
            d.pop(k, None)
        return d

    @classmethod
    def from_cache(cls, d: Mapping[str, Any]) -> RegistryRecord:
        mc = d.get("manual_check")
        return cls(
            source=str(d["source"]),
            status=RegStatus(d["status"]),
            name=d.get("name"),
            address=d.get("address"),
            registered_on=d.get("registered_on"),
            removed_on=d.get("removed_on"),
            checked_at=d.get("checked_at"),
            error=d.get("error"),
            detail=d.get("detail") or "",
            legal_form=d.get("legal_form"),
            linked_ids=dict(d.get("linked_ids") or {}),
            register_match=dict(d.get("register_match") or {}),
            manual_check=ManualCheck(**mc) if isinstance(mc, Mapping) else None,
            cached=True,
        )


@dataclass(frozen=True)
class IdVerification:
    """Everything learnt about one identifier found on the site."""

    id: RegId
    record: RegistryRecord  # the first definite answer in the scheme's source order (or the first unknown)
    cross_checks: tuple[RegistryRecord, ...] = ()  # the other sources' answers
    url: str = ""  # page the ID was found on

    def to_dict(self) -> dict[str, Any]:
        out = self.record.to_dict()
        if self.cross_checks:
            out["cross_checks"] = [r.to_dict() for r in self.cross_checks]
        return out


@dataclass(frozen=True)
class DomainInfo:
    """Registration facts of the shop's domain from RDAP."""

    name: str
    status: RegStatus  # active: the registry has the domain; unknown: no answer or no registration date
    registered_on: str | None = None  # ISO date
    age_days: int | None = None
    source: str = ""  # RDAP server base URL
    checked_at: str | None = None
    error: str | None = None
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "registered_on": self.registered_on,
            "age_days": self.age_days,
            "source": self.source,
            "status": self.status.value,
            "checked_at": self.checked_at,
            "error": self.error,
        }


@dataclass(frozen=True)
class WarningHit:
    list: str  # "cert.pl"
    domain: str  # the listed domain (the shop's host or a parent of it)
    listed_on: str | None = None  # ISO date-time the list added it

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list, "domain": self.domain, "listed_on": self.listed_on}


@dataclass(frozen=True)
class WarningListResult:
    list: str
    checked: bool  # False: the list could not be had (then ``error`` says why)
    hits: tuple[WarningHit, ...] = ()
    list_date: str | None = None  # when the copy that was searched was downloaded
    error: str | None = None
    stale: bool = False  # an old copy was searched because a new one could not be had


@dataclass(frozen=True)
class IdConflict:
    """A register lists, for the entity behind one ID, another number of a scheme the site also shows."""

    id: RegId
    other: RegId  # the number shown on the site
    registered: str  # the number the register lists for that scheme
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"id": str(self.id), "shown": str(self.other), "registered": self.registered, "source": self.source}


@dataclass(frozen=True)
class Verification:
    """The result of :func:`trustaudit.registry.verify`."""

    ids: tuple[IdVerification, ...] = ()
    domain: DomainInfo | None = None
    warning_lists: tuple[WarningListResult, ...] = ()
    conflicts: tuple[IdConflict, ...] = ()
    errors: tuple[str, ...] = ()  # problems not tied to one look-up (bad configuration ...)
    duration_s: float = 0.0

    @property
    def warning_hits(self) -> tuple[WarningHit, ...]:
        return tuple(h for w in self.warning_lists for h in w.hits)

    def for_id(self, scheme: str, value: str) -> IdVerification | None:
        for v in self.ids:
            if v.id.scheme == scheme and v.id.value == value:
                return v
        return None

    def to_signals(self) -> dict[str, Any]:
        """Report fields: ``tax_ids`` (parallel to the scan's tax IDs, keyed by scheme and value),
        ``domain`` and ``warning_lists``."""
        return {
            "tax_ids": [{"scheme": v.id.scheme, "value": v.id.value, "registry": v.to_dict()} for v in self.ids],
            "domain": self.domain.to_dict() if self.domain is not None else None,
            "warning_lists": [h.to_dict() for h in self.warning_hits],
            "warning_lists_checked": [
                {"list": w.list, "checked": w.checked, "list_date": w.list_date, "error": w.error, "stale": w.stale}
                for w in self.warning_lists
            ],
            "id_conflicts": [c.to_dict() for c in self.conflicts],
        }
