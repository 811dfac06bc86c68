"""Poland: the Ministry of Finance white list of VAT payers ("Wykaz podatników VAT", API "Rejestr WL").

``GET {base}/api/search/nip/{nip}?date=YYYY-MM-DD`` (or ``/regon/{regon}``) ->
``{result: {subject: {name, nip, statusVat, regon, krs, residenceAddress, workingAddress,
registrationLegalDate, registrationDenialDate, removalDate, removalBasis, restorationDate, ...} | null,
requestId, requestDateTime}}``. Errors: ``{code: "WL-1xx", message}`` (list: myslak71/vater:src/vater/errors.py).

- ``statusVat`` "Czynny" (active VAT payer) -> active; "Zwolniony" (registered, VAT-exempt) -> active with that
  detail; "Niezarejestrowany" (removed, refused, or never registered) -> inactive, with the removal date and basis;
- ``subject: null`` -> not_found: not in the VAT register (a business exempt from VAT that never registered is
  not listed either, so this says "no VAT registration", not "no such NIP");
- any WL-1xx code -> unknown with the code and the ministry's message; WL-195 ("database has been updated, send
  the request again") is retried once at once.

The ministry limits searches per address and day and blocks an address that asks more until midnight: the
daily budget in rules/registries.yaml stops short of that, and each NIP is asked at most once a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from trustaudit.registry.base import Source, Unavailable, one_line
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

STATUS = {
    "czynny": (RegStatus.ACTIVE, ""),
    "zwolniony": (RegStatus.ACTIVE, "registered as exempt from VAT (Zwolniony)"),
    "niezarejestrowany": (RegStatus.INACTIVE, "not a registered VAT payer (Niezarejestrowany)"),
}
RETRY_CODES = {"WL-195"}


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class WhiteList(Source):
    id = "pl_wl"

    async def ask(self, rid: RegId) -> RegistryRecord:
        kind = {"pl.nip": "nip", "pl.regon": "regon"}.get(rid.scheme)
        if kind is None:
            return self.unknown(f"the white list is not searched by {rid.scheme}")
        number = "".join(ch for ch in rid.value if ch.isdigit())
        url = f"{self.base_url}/api/search/{kind}/{number}"
        params = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d")}
        for attempt in (1, 2):
            status, doc, _ = await self.request("GET", url, params=params)
            code, message = _error(doc)
            if code in RETRY_CODES and attempt == 1:
                continue
            if code:
                raise Unavailable(f"white list error {code}: {one_line(message or 'no message', 160)}")
            if status >= 400 or not isinstance(doc, Mapping):
                raise Unavailable(f"white list answered HTTP {status}" + ("" if isinstance(doc, Mapping)
                                                                           else " without a JSON body"))
            result = doc.get("result")
            if not isinstance(result, Mapping) or "subject" not in result:
                raise Unavailable("white list answer without a result")
            return self._subject(result.get("subject"))
        raise Unavailable("white list kept answering that its database was updated")  # pragma: no cover

    def _subject(self, subject: Any) -> RegistryRecord:
        if subject is None:
            return self.record(RegStatus.NOT_FOUND, detail="not in the white list of VAT payers")
        if not isinstance(subject, Mapping):
            raise Unavailable("white list answer with an unreadable subject")
        raw_status = str(subject.get("statusVat") or "").strip()
        status, detail = STATUS.get(raw_status.lower(), (RegStatus.UNKNOWN, ""))
        removed = _day(subject.get("removalDate"))
        restored = _day(subject.get("restorationDate"))
        denied = _day(subject.get("registrationDenialDate"))
        notes = [detail] if detail else []
        removed_on = None
        if removed and (restored is None or restored < removed):
            status = RegStatus.INACTIVE
            removed_on = removed.isoformat()
            basis = one_line(subject.get("removalBasis") or "", 120)
            notes = [f"removed from the VAT register on {removed.isoformat()}" + (f" ({basis})" if basis else "")]
        elif denied and status is not RegStatus.ACTIVE:
            status = RegStatus.INACTIVE
            notes.append(f"registration as a VAT payer refused on {denied.isoformat()}")
        elif removed and restored:
            notes.append(f"removed on {removed.isoformat()}, restored on {restored.isoformat()}")
        if status is RegStatus.UNKNOWN:
            return self.unknown(f"white list: unrecognised VAT status {raw_status!r}")
        linked = {k: str(subject[f]) for k, f in (("pl.nip", "nip"), ("pl.regon", "regon"), ("pl.krs", "krs"))
                  if subject.get(f)}
        address = subject.get("workingAddress") or subject.get("residenceAddress")
        registered = _day(subject.get("registrationLegalDate"))
        return self.record(
            status,
            name=one_line(subject.get("name"), 300) if subject.get("name") else None,
            address=one_line(address, 300) if address else None,
            registered_on=registered.isoformat() if registered else None,
            removed_on=removed_on,
            detail="; ".join(n for n in notes if n),
            linked_ids=linked,
        )


def _error(doc: Any) -> tuple[str | None, str | None]:
    if not isinstance(doc, Mapping):
        return None, None
    inner = doc.get("exception") if isinstance(doc.get("exception"), Mapping) else doc
    code = inner.get("code")
    if isinstance(code, str) and code.upper().startswith("WL-"):
        return code.upper(), str(inner.get("message") or "")
    return None, None
