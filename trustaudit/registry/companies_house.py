"""United Kingdom: Companies House public data API, only when ``COMPANIES_HOUSE_API_KEY`` is set.

``GET {base}/company/{number}`` with HTTP Basic auth (the key as user name, empty password) ->
``{company_name, company_number, company_status, date_of_creation, registered_office_address{...},
has_insolvency_history, registered_office_is_in_dispute, accounts{overdue}}``; 404 -> not_found.
Recorded answer: digicatapult/veritable-ui:src/models/__tests__/fixtures/companyHouseFixtures.ts.
Limit: 600 requests per 5 minutes, then 429.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trustaudit.registry.base import Source, Unavailable, one_line
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

# company_status values (Companies House API enumeration): what still exists vs what no longer does
INACTIVE = {"dissolved", "converted-closed", "removed", "closed"}
STILL_EXISTS_NOTE = {
    "liquidation": "in liquidation",
    "receivership": "in receivership",
    "administration": "in administration",
    "voluntary-arrangement": "in a voluntary arrangement with creditors",
    "insolvency-proceedings": "in insolvency proceedings",
}
ADDRESS_FIELDS = ("care_of", "po_box", "premises", "address_line_1", "address_line_2", "locality", "region",
                  "postal_code", "country")


def company_number(value: str) -> str:
    v = "".join(ch for ch in value.upper() if ch.isalnum())
    return v.zfill(8) if v.isdigit() else v[:2] + v[2:].zfill(6)


class CompaniesHouse(Source):
    id = "ch"

    async def ask(self, rid: RegId) -> RegistryRecord:
        key = self.ctx.config.companies_house_key
        if not key:
            return self.unknown("Companies House needs an API key (COMPANIES_HOUSE_API_KEY is not set)")
        number = company_number(rid.value)
        status, doc, _ = await self.request("GET", f"{self.base_url}/company/{number}", auth=(key, ""))
        if status == 404:
            return self.record(RegStatus.NOT_FOUND, detail="no company with this number at Companies House")
        if status in (401, 403):
            raise Unavailable(f"Companies House refused the API key (HTTP {status})")
        if status >= 400 or not isinstance(doc, Mapping):
            raise Unavailable(f"Companies House answered HTTP {status}")
        return self._profile(doc)

    def _profile(self, doc: Mapping[str, Any]) -> RegistryRecord:
        raw = str(doc.get("company_status") or "").strip().lower()
        if not raw or not doc.get("company_name"):
            raise Unavailable("Companies House answer without a company status or name")
        status = RegStatus.INACTIVE if raw in INACTIVE else RegStatus.ACTIVE
        notes = [f"company status: {raw}"] if raw != "active" else []
        if raw in STILL_EXISTS_NOTE:
            notes = [STILL_EXISTS_NOTE[raw]]
        if doc.get("has_insolvency_history"):
            notes.append("has an insolvency history")
        if doc.get("registered_office_is_in_dispute"):
            notes.append("registered office address is in dispute")
        acc = doc.get("accounts")
        if isinstance(acc, Mapping) and (acc.get("overdue") or (isinstance(acc.get("next_accounts"), Mapping)
                                                               and acc["next_accounts"].get("overdue"))):
            notes.append("accounts overdue")
        addr = doc.get("registered_office_address")
        address = None
        if isinstance(addr, Mapping):
            address = ", ".join(str(addr[k]) for k in ADDRESS_FIELDS if addr.get(k)) or None
        created = str(doc.get("date_of_creation") or "")[:10] or None
        return self.record(
            status,
            name=one_line(doc["company_name"], 300),
            address=address,
            registered_on=created,
            removed_on=(str(doc.get("date_of_cessation") or "")[:10] or None) if status is RegStatus.INACTIVE
            else None,
            legal_form=str(doc["type"]) if doc.get("type") else None,
            detail="; ".join(notes),
        )
