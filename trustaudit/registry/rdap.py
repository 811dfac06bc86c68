"""Domain age through RDAP, the successor of WHOIS.

The IANA bootstrap file (``{services: [[[tld, ...], [base_url, ...]], ...]}``, fixture
meeb/whoisit:tests/data_bootstrap.json) names each TLD's RDAP server; it is kept on disk for
``bootstrap_ttl_hours``. ``GET {server}domain/{name}`` answers ``events: [{eventAction: "registration",
eventDate}, ...]`` (fixture meeb/whoisit:tests/data_rdap_response_domain.json).

- a registration event -> registered_on and age_days (status active);
- no registration event (DENIC for .de publishes none) -> unknown, "the registry publishes no registration date";
- 404 -> not_found; a TLD without an RDAP server, 429, timeouts -> unknown.
Only the domain name is sent, to the registry of its TLD.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from trustaudit.registry.base import Source, Unavailable
from trustaudit.registry.cache import utc_iso
from trustaudit.registry.models import DomainInfo, RegId, RegistryRecord, RegStatus

BOOTSTRAP_BLOB = "rdap-bootstrap"


def normalise_domain(name: str) -> str | None:
    """Lower-case ASCII (IDNA) form without a trailing dot or a leading "www."; None when it is not a name."""
    n = (name or "").strip().rstrip(".").lower()
    if "://" in n:
        n = urlsplit(n).hostname or ""
    if n.startswith("www."):
        n = n[4:]
    if not n or "." not in n or any(c in n for c in "/\\ @:"):
        return None
    try:
        n = n.encode("idna").decode("ascii")
    except UnicodeError:
        if not n.isascii():
            return None
    return n


def parse_bootstrap(doc: Any) -> dict[str, str]:
    """TLD -> RDAP base URL (https preferred, ending in "/")."""
    out: dict[str, str] = {}
    services = doc.get("services") if isinstance(doc, Mapping) else None
    if not isinstance(services, list):
        raise ValueError("bootstrap file without services")
    for entry in services:
        if not (isinstance(entry, list) and len(entry) >= 2 and isinstance(entry[0], list)
                and isinstance(entry[1], list)):
            continue
        urls = [str(u) for u in entry[1] if isinstance(u, str) and u.startswith(("https://", "http://"))]
        if not urls:
            continue
        best = next((u for u in urls if u.startswith("https://")), urls[0])
        if not best.endswith("/"):
            best += "/"
        for tld in entry[0]:
            out[str(tld).lower().strip(".")] = best
    return out


def _registration(doc: Mapping[str, Any]) -> datetime | None:
    for ev in doc.get("events") or []:
        if isinstance(ev, Mapping) and str(ev.get("eventAction", "")).lower() == "registration":
            raw = str(ev.get("eventDate") or "")
            try:
                dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
            return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return None


class Rdap(Source):
    """Records of this source carry the RDAP server's base URL in ``address`` and the exact registration time
    in ``detail`` (see :func:`domain_info`), so they are cached like every other register's answer."""

    id = "rdap"

    def key(self, rid: RegId) -> str:
        return rid.value

    def pacing_key(self, url: str) -> str:
        return "rdap:" + (urlsplit(url).hostname or "")

    async def bootstrap(self) -> dict[str, str]:
        """The TLD table, from the copy on disk while it is fresh; otherwise one scan (thread or process)
        downloads it while the others wait for that copy."""
        store = self.ctx.store
        ttl = float((self.spec.extra or {}).get("bootstrap_ttl_hours", 168)) * 3600
        url = self.ctx.config.url("rdap")
        name = BOOTSTRAP_BLOB + ":" + url
        lease = self.spec.timeout + 5.0
        while True:
            fresh = self._fresh(name, ttl)
            if fresh is not None:
                return fresh
            if store.claim(self.ns, "bootstrap", lease, self.ctx.owner):
                break
            await asyncio.sleep(0.1)
        try:
            fresh = self._fresh(name, ttl)  # downloaded while this scan waited for its turn
            return fresh if fresh is not None else await self._download(url, name)
        finally:
            store.release(self.ns, "bootstrap", self.ctx.owner)

    def _fresh(self, name: str, ttl: float) -> dict[str, str] | None:
        blob = self.ctx.store.blob(name)
        if blob is not None and time.time() - blob[0] < ttl:
            try:
                return parse_bootstrap(json.loads(blob[3]))
            except ValueError:
                return None
        return None

    async def _download(self, url: str, name: str) -> dict[str, str]:
        store = self.ctx.store
        blob = store.blob(name)
        headers = {}
        if blob is not None and blob[1]:
            headers["If-None-Match"] = blob[1]
        try:
            status, doc, hdrs = await self.request("GET", url, headers=headers)
        except Unavailable:
            if blob is not None:  # an old copy is better than none: TLD servers rarely move
                return parse_bootstrap(json.loads(blob[3]))
            raise
        if status == 304 and blob is not None:
            store.touch_blob(name)
            return parse_bootstrap(json.loads(blob[3]))
        if status >= 400 or not isinstance(doc, Mapping):
            if blob is not None:
                return parse_bootstrap(json.loads(blob[3]))
            raise Unavailable(f"the RDAP bootstrap file could not be fetched (HTTP {status})")
        table = parse_bootstrap(doc)
        store.put_blob(name, json.dumps(doc).encode(), hdrs.get("etag"),
                       hdrs.get("last-modified"))
        return table

    async def ask(self, rid: RegId) -> RegistryRecord:
        domain = rid.value
        table = await self.bootstrap()
        tld = domain.rsplit(".", 1)[-1]
        server = table.get(tld)
        if server is None:
            return self.unknown(f"no RDAP server is published for .{tld}", manual_check=None)
        if self.ctx.trust is not None and self.ctx.config.configured("rdap"):
            await self.ctx.trust(server)  # named by the bootstrap file the user chose: the user's choice too
        status, doc, _ = await self.request("GET", f"{server}domain/{domain}",
                                            headers={"Accept": "application/rdap+json, application/json"})
        if status == 404:
            return self.record(RegStatus.NOT_FOUND, detail=f"{server}: no such domain", address=server)
        if status >= 400 or not isinstance(doc, Mapping):
            raise Unavailable(f"RDAP server {urlsplit(server).hostname} answered HTTP {status}")
        reg = _registration(doc)
        if reg is None:
            return self.unknown(f"the registry ({urlsplit(server).hostname}) publishes no registration date",
                                manual_check=None, address=server)
        return self.record(RegStatus.ACTIVE, registered_on=reg.date().isoformat(), address=server,
                           detail=reg.isoformat())


def domain_info(domain: str, rec: RegistryRecord) -> DomainInfo:
    """A DomainInfo from the RDAP source's record (the server's URL rides in ``address``)."""
    age = None
    if rec.status is RegStatus.ACTIVE and rec.registered_on:
        try:
            reg = datetime.fromisoformat(rec.detail) if rec.detail else datetime.fromisoformat(rec.registered_on)
            if reg.tzinfo is None:
                reg = reg.replace(tzinfo=timezone.utc)
            age = max(0, (datetime.now(timezone.utc) - reg).days)
        except ValueError:
            age = None
    return DomainInfo(
        name=domain,
        status=rec.status,
        registered_on=rec.registered_on,
        age_days=age,
        source=rec.address or "",
        checked_at=rec.checked_at or utc_iso(),
        error=rec.error if rec.status is not RegStatus.ACTIVE else None,
        cached=rec.cached,
    )
