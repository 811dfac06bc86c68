"""GLEIF: Legal Entity Identifiers (LEI), and a cross-check of national company numbers.

- An LEI: ``GET {base}/lei-records/{LEI}`` -> ``data.attributes.entity{legalName{name}, legalAddress{...},
  status, creationDate}``, ``data.attributes.registration{status, initialRegistrationDate}``; 404 -> not_found.
  Entity status INACTIVE, or a registration RETIRED / ANNULLED / DUPLICATE / MERGED -> inactive; a LAPSED LEI
  (not renewed) still names a live entity -> active with that detail.
- A company number: ``GET {base}/lei-records?filter[entity.registeredAs]=N&filter[entity.jurisdiction]=CC``.
  Only companies that needed an LEI have one, so no match is *unknown*, never not_found; two or more matches
  are unknown too (the number is ambiguous). Only numbers unique in their country are cross-checked
  (rules/registries.yaml ``gleif_xcheck``), never a German HRB number without its court.
Field names: owasp-amass/amass:engine/plugins/support/org/types.go and ../shared/reference/registries.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trustaudit.registry import data
from trustaudit.registry.base import Source, Unavailable, one_line
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

GONE = {"RETIRED", "ANNULLED", "DUPLICATE", "MERGED"}


def _address(a: Any) -> str | None:
    if not isinstance(a, Mapping):
        return None
    lines = [str(x) for x in a.get("addressLines") or [] if x]
    town = " ".join(str(a[k]) for k in ("postalCode", "city") if a.get(k))
    parts = lines + [p for p in (town, str(a.get("country") or "")) if p]
    return ", ".join(parts) or None


class Gleif(Source):
    id = "gleif"

    def key(self, rid: RegId) -> str:
        if rid.scheme == "lei":
            return f"lei:{rid.value.upper()}"
        spec = data.schemes().get(rid.scheme)
        return f"x:{spec.gleif_jurisdiction if spec else '?'}:{rid.value}"

    async def ask(self, rid: RegId) -> RegistryRecord:
        if rid.scheme == "lei":
            lei = rid.value.strip().upper()
            if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", lei):
                return self.unknown("not an LEI (20 letters and digits)", manual_check=None)
            return await self._lei(lei)
        return await self._cross_check(rid)

    async def _lei(self, lei: str) -> RegistryRecord:
        status, doc, _ = await self.request("GET", f"{self.base_url}/lei-records/{lei}")
        if status == 404:
            return self.record(RegStatus.NOT_FOUND, detail="no LEI record with this code")
        if status >= 400 or not isinstance(doc, Mapping) or not isinstance(doc.get("data"), Mapping):
            raise Unavailable(f"GLEIF answered HTTP {status}" + ("" if isinstance(doc, Mapping) else " without JSON"))
        return self._entity(doc["data"])

    async def _cross_check(self, rid: RegId) -> RegistryRecord:
        spec = data.schemes().get(rid.scheme)
        if spec is None or not spec.gleif_jurisdiction:
            return self.unknown(f"GLEIF is not searched by {rid.scheme}")
        params = {"filter[entity.registeredAs]": rid.value, "filter[entity.jurisdiction]": spec.gleif_jurisdiction,
                  "page[size]": "5"}
        status, doc, _ = await self.request("GET", f"{self.base_url}/lei-records", params=params)
        if status >= 400 or not isinstance(doc, Mapping) or not isinstance(doc.get("data"), list):
            raise Unavailable(f"GLEIF answered HTTP {status}")
        rows = [r for r in doc["data"] if isinstance(r, Mapping)]
        if not rows:
            return self.unknown("no LEI is registered for this number (only some companies have one)",
                                manual_check=None)
        if len(rows) > 1:
            return self.unknown(f"{len(rows)} LEI records carry this number; cannot tell which", manual_check=None)
        return self._entity(rows[0])

    def _entity(self, row: Mapping[str, Any]) -> RegistryRecord:
        attrs = row.get("attributes") if isinstance(row.get("attributes"), Mapping) else {}
        entity = attrs.get("entity") if isinstance(attrs.get("entity"), Mapping) else {}
        reg = attrs.get("registration") if isinstance(attrs.get("registration"), Mapping) else {}
        legal = entity.get("legalName")
        name = legal.get("name") if isinstance(legal, Mapping) else legal
        if not name:
            raise Unavailable("GLEIF record without a legal name")
        ent_status = str(entity.get("status") or "").upper()
        reg_status = str(reg.get("status") or "").upper()
        notes = []
        status = RegStatus.ACTIVE
        if ent_status == "INACTIVE" or reg_status in GONE:
            status = RegStatus.INACTIVE
            notes.append(f"GLEIF: entity {ent_status.lower() or 'unknown'}, LEI {reg_status.lower() or 'unknown'}")
        elif reg_status == "LAPSED":
            notes.append("the LEI has lapsed (not renewed)")
        lei = str(attrs.get("lei") or row.get("id") or "")
        linked = {"lei": lei} if lei else {}
        if entity.get("registeredAs"):
            linked["registered_as"] = str(entity["registeredAs"])
        created = str(entity.get("creationDate") or "")[:10] or None
        if reg.get("initialRegistrationDate"):
            notes.append(f"LEI issued {str(reg['initialRegistrationDate'])[:10]}")
        return self.record(
            status,
            name=one_line(name, 300),
            address=_address(entity.get("legalAddress")),
            registered_on=created,
            linked_ids=linked,
            detail="; ".join(notes),
        )
