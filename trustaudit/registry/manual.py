"""Registers without a free API (Russia's ЕГРЮЛ, Saudi ZATCA and the commercial register, Germany's
Handelsregister, Greece's ΓΕΜΗ, HMRC's VAT check ...): the answer is always "unknown", with where a person can
check by hand (rules/registries.yaml ``manual``). Nothing is sent anywhere."""

from __future__ import annotations

from trustaudit.registry import data
from trustaudit.registry.cache import utc_iso
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus


def manual_record(rid: RegId, reason: str | None = None) -> RegistryRecord:
    spec = data.schemes().get(rid.scheme)
    mc = data.manual_for(spec.manual if spec else None)
    if reason is None:
        reason = "no free register API for this identifier" if spec is not None else \
            f"no register is known for identifiers of type {rid.scheme}"
        if mc is not None:
            reason += f"; check by hand: {mc.register}"
    return RegistryRecord(source="manual", status=RegStatus.UNKNOWN, error=reason, manual_check=mc,
                          checked_at=utc_iso())
