"""EU VAT numbers in VIES, the European Commission's REST service.

``POST {base}/check-vat-number`` with ``{countryCode, vatNumber}`` (contract: the Commission's Swagger file,
copy in conedevelopment/vies-php:openapi.yml). Only the number is sent, unless the configuration asks for VIES's
own matching (``send_trader_details``): then the seller's name and address as written on the site go too, and
the answer's ``trader*Match`` fields (VALID / INVALID / NOT_PROCESSED) are kept in ``register_match``.

- ``valid: true`` -> active, with VIES's name and address ("---" means the member state does not disclose them:
  Germany and Spain; the name cannot be compared then).
- ``valid: false`` -> not_found for a number that is by definition an intra-EU VAT ID (a prefixed EU VAT number,
  USt-IdNr., UID, TVA intracommunautaire); unknown for a national number that may belong to a business not
  registered for intra-EU trade (e.g. an Italian Partita IVA not opted into VIES).
- ``{actionSucceed: false, errorWrappers: [{error: MS_UNAVAILABLE | MS_MAX_CONCURRENT_REQ | TIMEOUT | ...}]}``,
  a ``userError`` other than VALID/INVALID, HTTP 429 or 5xx -> unknown with the code as the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trustaudit.registry import data
from trustaudit.registry.base import Source, Unavailable, one_line
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

# VIES's error codes, with the words a user reads
ERRORS = {
    "INVALID_INPUT": "VIES rejected the number as malformed",
    "SERVICE_UNAVAILABLE": "VIES is unavailable",
    "MS_UNAVAILABLE": "the member state's VAT database is unavailable in VIES",
    "TIMEOUT": "the member state's VAT database did not answer VIES in time",
    "VAT_BLOCKED": "VIES refuses to answer about this number",
    "IP_BLOCKED": "VIES refuses to answer this machine's address",
    "GLOBAL_MAX_CONCURRENT_REQ": "VIES has too many requests in progress",
    "GLOBAL_MAX_CONCURRENT_REQ_TIME": "VIES has too many requests in progress",
    "MS_MAX_CONCURRENT_REQ": "the member state's VAT database has too many requests in progress",
    "MS_MAX_CONCURRENT_REQ_TIME": "the member state's VAT database has too many requests in progress",
}
HIDDEN = {"", "---", "n/a"}


def split_vat(rid: RegId) -> tuple[str, str] | None:
    """(country code, number) as VIES wants them."""
    spec = data.schemes().get(rid.scheme)
    value = "".join(ch for ch in rid.value.upper() if ch.isalnum())
    if rid.scheme == "eu.vat":
        cc, number = value[:2], value[2:]
        if cc == "GR":
            cc = "EL"
        return (cc, number) if len(cc) == 2 and cc.isalpha() and number else None
    if spec is None or not spec.vies_country:
        return None
    cc = spec.vies_country
    if value.startswith(cc) or (cc == "EL" and value.startswith("GR")):
        value = value[2:]
    return cc, spec.vies_format.format(value=value)


class Vies(Source):
    id = "vies"

    def __init__(self, ctx, trader: Mapping[str, str] | None = None):
        super().__init__(ctx)
        self.trader = dict(trader or {})

    def key(self, rid: RegId) -> str:
        parts = split_vat(rid)
        base = "".join(parts) if parts else rid.value
        # an answer obtained with trader details carries VIES's matching: kept apart from a plain one
        return base + ("|" + "|".join(f"{k}={v}" for k, v in sorted(self.trader.items())) if self.trader else "")

    async def ask(self, rid: RegId) -> RegistryRecord:
        parts = split_vat(rid)
        if parts is None:
            return self.unknown(f"not a number VIES can check ({rid.scheme})")
        cc, number = parts
        body: dict[str, str] = {"countryCode": cc, "vatNumber": number}
        body.update(self.trader)
        status, doc, _ = await self.request("POST", f"{self.base_url}/check-vat-number", json_body=body)
        if not isinstance(doc, Mapping):
            raise Unavailable(f"VIES answered HTTP {status} without a JSON body")
        code = _error_code(doc)
        if code:
            raise Unavailable(f"{ERRORS.get(code, 'VIES error')} ({code})")
        if status >= 400 or "valid" not in doc:
            raise Unavailable(f"VIES answered HTTP {status} without a verdict")
        name = _shown(doc.get("name"))
        address = _shown(doc.get("address"))
        matches = {k: str(doc[k]) for k in ("traderNameMatch", "traderStreetMatch", "traderPostalCodeMatch",
                                            "traderCityMatch", "traderCompanyTypeMatch") if doc.get(k)}
        if doc.get("valid") is True:
            detail = "" if name else "the member state does not disclose the registered name"
            return self.record(RegStatus.ACTIVE, name=name, address=address, detail=detail,
                               register_match=matches)
        spec = data.schemes().get(rid.scheme)
        if spec is not None and spec.vies_invalid == "not_found":
            return self.record(RegStatus.NOT_FOUND, detail=f"VIES: not a valid VAT number in {cc}",
                               register_match=matches)
        return self.unknown(f"VIES: not registered for intra-EU trade in {cc}; the national register has no "
                            "free API to tell whether the number exists")


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    s = one_line(value, 400)
    return None if s.strip().lower() in HIDDEN else s


def _error_code(doc: Mapping[str, Any]) -> str | None:
    wrappers = doc.get("errorWrappers")
    if doc.get("actionSucceed") is False or wrappers:
        if isinstance(wrappers, Sequence) and wrappers and isinstance(wrappers[0], Mapping):
            return str(wrappers[0].get("error") or "UNKNOWN_ERROR")
        return "UNKNOWN_ERROR"
    user = doc.get("userError")
    if user and str(user) not in ("VALID", "INVALID"):
        return str(user)
    return None
