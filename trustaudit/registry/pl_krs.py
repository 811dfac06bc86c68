"""Poland: the National Court Register (KRS), current extract ("odpis aktualny").

``GET {base}/OdpisAktualny/{10-digit KRS}?rejestr=P&format=json`` (``rejestr=S`` for associations and
foundations, asked when P has no such entry) -> ``odpis.naglowekA{numerKRS, dataRejestracjiWKRS, ...}``,
``odpis.dane.dzial1.danePodmiotu{nazwa, formaPrawna, identyfikatory{nip, regon}}``,
``odpis.dane.dzial1.siedzibaIAdres.adres{ulica, nrDomu, nrLokalu, kodPocztowy, miejscowosc, kraj}``.
Recorded answer: michal-bed/el-proyecte-grande-naspolke:src/main/java/com/company/naspolke/controller/KRSMock.java.

- an extract -> active (struck off the register -> inactive; liquidation or bankruptcy in section 6 is said in
  ``detail``: the company still exists);
- HTTP 404 in both registers -> not_found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trustaudit.registry.base import Source, Unavailable, one_line
from trustaudit.registry.models import RegId, RegistryRecord, RegStatus

SECTION6_NOTES = {  # dzial6 keys -> what they mean for a buyer
    "likwidacja": "in liquidation",
    "postepowanieUpadlosciowe": "in bankruptcy proceedings",
    "upadlosc": "in bankruptcy proceedings",
    "postepowanieRestrukturyzacyjne": "in restructuring proceedings",
    "zawieszenieDzialalnosci": "business activity suspended",
}


def krs_date(value: Any) -> str | None:
    """KRS writes dates as DD.MM.YYYY."""
    s = str(value or "").strip()[:10]
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _address(adres: Mapping[str, Any]) -> str | None:
    street = " ".join(str(adres[k]) for k in ("ulica", "nrDomu") if adres.get(k))
    if adres.get("nrLokalu"):
        street += f"/{adres['nrLokalu']}"
    town = " ".join(str(adres[k]) for k in ("kodPocztowy", "miejscowosc") if adres.get(k))
    parts = [p for p in (street, town, str(adres.get("kraj") or "")) if p]
    return ", ".join(parts) or None


def _nonempty(v: Any) -> bool:
    if isinstance(v, Mapping):
        return any(_nonempty(x) for x in v.values())
    if isinstance(v, list):
        return any(_nonempty(x) for x in v)
    return v not in (None, "", False)


class Krs(Source):
    id = "pl_krs"

    async def ask(self, rid: RegId) -> RegistryRecord:
        if rid.scheme != "pl.krs":
            return self.unknown(f"KRS is not searched by {rid.scheme}")
        digits = "".join(ch for ch in rid.value if ch.isdigit())
        if not digits or len(digits) > 10:
            return self.unknown("not a KRS number")
        number = digits.zfill(10)
        for register in ("P", "S"):
            status, doc, _ = await self.request(
                "GET", f"{self.base_url}/OdpisAktualny/{number}", params={"rejestr": register, "format": "json"}
            )
            if status == 404:
                continue
            if status >= 400:
                raise Unavailable(f"KRS answered HTTP {status}")
            if not isinstance(doc, Mapping) or not isinstance(doc.get("odpis"), Mapping):
                raise Unavailable("KRS answer without an extract")
            return self._extract(doc["odpis"])
        return self.record(RegStatus.NOT_FOUND, detail="no entry with this number in the KRS")

    def _extract(self, odpis: Mapping[str, Any]) -> RegistryRecord:
        header = odpis.get("naglowekA") if isinstance(odpis.get("naglowekA"), Mapping) else {}
        dane = odpis.get("dane") if isinstance(odpis.get("dane"), Mapping) else {}
        d1 = dane.get("dzial1") if isinstance(dane.get("dzial1"), Mapping) else {}
        d6 = dane.get("dzial6") if isinstance(dane.get("dzial6"), Mapping) else {}
        subject = d1.get("danePodmiotu") if isinstance(d1.get("danePodmiotu"), Mapping) else {}
        name = subject.get("nazwa")
        if not name:
            raise Unavailable("KRS extract without the entity's name")
        ids = subject.get("identyfikatory") if isinstance(subject.get("identyfikatory"), Mapping) else {}
        linked: dict[str, str] = {}
        if ids.get("nip"):
            linked["pl.nip"] = str(ids["nip"])
        regon = str(ids.get("regon") or "")
        if regon:
            # 14-digit REGONs of a head office end in 00000: the 9-digit number is the one shops show
            linked["pl.regon"] = regon[:9] if len(regon) == 14 and regon.endswith("00000") else regon
        seat = d1.get("siedzibaIAdres") if isinstance(d1.get("siedzibaIAdres"), Mapping) else {}
        adres = seat.get("adres") if isinstance(seat.get("adres"), Mapping) else {}
        struck = next((krs_date(v) or str(v) for k, v in header.items()
                       if str(k).startswith("dataWykreslenia") and v), None)
        if struck is None:
            for key in ("informacjeOWykresleniu", "wykreslenie"):
                info = d6.get(key)
                if _nonempty(info):
                    struck = next((krs_date(v) for k, v in info.items() if "data" in str(k).lower() and v),
                                  None) if isinstance(info, Mapping) else None
                    struck = struck or "a date the extract does not give"
        notes = [text for key, text in SECTION6_NOTES.items() if _nonempty(d6.get(key))]
        status = RegStatus.ACTIVE
        if struck is not None:
            status = RegStatus.INACTIVE
            notes.insert(0, f"struck off the register on {struck}")
        return self.record(
            status,
            name=one_line(name, 300),
            address=_address(adres) if adres else None,
            registered_on=krs_date(header.get("dataRejestracjiWKRS")),
            removed_on=struck if struck and re.fullmatch(r"\d{4}-\d{2}-\d{2}", struck) else None,
            legal_form=one_line(subject["formaPrawna"], 120) if subject.get("formaPrawna") else None,
            linked_ids=linked,
            detail="; ".join(dict.fromkeys(notes)),
        )
