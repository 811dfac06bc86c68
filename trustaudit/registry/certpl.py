"""The CERT Polska warning list ("Lista ostrzeżeń"): domains that impersonate shops, banks, couriers.

The whole list is one file (``https://hole.cert.pl/domains/v2/domains.json``: rows ``{RegisterPositionId,
DomainAddress, InsertDate, DeleteDate}``; see CERT-Polska/warning-list-tools). It is downloaded when the copy on
disk is older than ``ttl_hours`` (a day), with If-None-Match / If-Modified-Since, by one process at a time, and
stored in the registry database (one row per listed domain), so a look-up is one indexed query. Rows with a
DeleteDate in the past are removals and are honoured. When a new copy cannot be had, a copy younger than
``max_stale_hours`` is still searched and the result says so; with none, the result is "could not check".
Nothing about the shop is sent: the list is downloaded whole.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx

from trustaudit.registry.base import Context, Source, Unavailable, one_line
from trustaudit.registry.cache import utc_iso
from trustaudit.registry.models import WarningHit, WarningListResult
from trustaudit.registry.rdap import normalise_domain

LIST = "cert.pl"


def candidates(domain: str) -> list[str]:
    """The host and every parent with at least two labels, in ASCII and Unicode forms."""
    host = normalise_domain(domain) or ""
    labels = host.split(".")
    out: list[str] = []
    for i in range(len(labels) - 1):
        name = ".".join(labels[i:])
        out.append(name)
        try:
            uni = name.encode("ascii").decode("idna")
            if uni != name:
                out.append(uni)
        except UnicodeError:
            pass
    return out


def _when(raw: Any) -> datetime | None:
    if not raw:
        return None
    try:
        dt = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def parse_list(body: bytes) -> Iterator[tuple[str, str | None]]:
    """(domain, listed_on) of every domain listed now. JSON rows, or one domain per line (the .txt form)."""
    now = datetime.now(timezone.utc)
    text = body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("["):
        rows = json.loads(text)
        for row in rows:
            if not isinstance(row, dict):
                continue
            domain = str(row.get("DomainAddress") or "").strip().rstrip(".").lower()
            if not domain:
                continue
            deleted = _when(row.get("DeleteDate"))
            if deleted is not None and deleted <= now:
                continue  # removed from the list
            inserted = _when(row.get("InsertDate"))
            yield domain, inserted.isoformat() if inserted else None
        return
    if stripped.startswith("{") or stripped.startswith("<"):
        raise ValueError("not the warning list format")
    for line in text.splitlines():
        domain = line.strip().rstrip(".").lower()
        if domain and not domain.startswith("#") and " " not in domain:
            yield domain, None


class CertPl(Source):
    id = "certpl"

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        extra = self.spec.extra or {}
        self.max_stale_s = float(extra.get("max_stale_hours", 168)) * 3600
        self.max_bytes = int(extra.get("max_bytes", 200_000_000))
        # the copy of a list from another address than the official one is kept apart from the official copy
        self.stored_as = LIST if self.ns == self.id else f"{LIST}@{ctx.config.url(self.id)}"
        self.meta = f"list:{self.stored_as}"

    async def check(self, domain: str) -> WarningListResult:
        try:
            meta_date, stale, error = await self._ensure()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - never fail the scan over the list
            return WarningListResult(LIST, checked=False, error=f"internal error: {one_line(exc)}")
        if meta_date is None:
            return WarningListResult(LIST, checked=False, error=error or "the warning list could not be had")
        rows = self.ctx.store.listed(self.stored_as, candidates(domain))
        hits = tuple(WarningHit(LIST, d, listed_on) for d, listed_on in rows)
        return WarningListResult(LIST, checked=True, hits=hits, list_date=utc_iso(meta_date), stale=stale,
                                 error=error if stale else None)

    async def _ensure(self) -> tuple[float | None, bool, str | None]:
        """(when the searchable copy was fetched, whether it is stale, why a fresh one could not be had)."""
        store = self.ctx.store
        meta = store.blob(self.meta)
        if meta is not None and time.time() - meta[0] < self.spec.ttl_s:
            return meta[0], False, None
        lease = self.spec.timeout + 60.0
        while not store.claim(self.ns, "list", lease, self.ctx.owner):
            if meta is not None and time.time() - meta[0] < self.max_stale_s:
                return meta[0], True, "a newer copy is being downloaded by another scan"
            await asyncio.sleep(0.2)
            meta = store.blob(self.meta)
            if meta is not None and time.time() - meta[0] < self.spec.ttl_s:
                return meta[0], False, None
        try:
            error = await self._download(meta)
        finally:
            store.release(self.ns, "list", self.ctx.owner)
        meta = store.blob(self.meta)
        if error is None and meta is not None:
            return meta[0], False, None
        if meta is not None and time.time() - meta[0] < self.max_stale_s:
            return meta[0], True, error
        return None, False, error

    async def _download(self, meta: tuple[float, str | None, str | None, bytes] | None) -> str | None:
        """None when the store now holds a fresh list, else why not."""
        url = self.ctx.config.url("certpl")
        headers = {"User-Agent": self.ctx.config.user_agent, "Accept": "application/json, text/plain"}
        if meta is not None and meta[1]:
            headers["If-None-Match"] = meta[1]
        if meta is not None and meta[2]:
            headers["If-Modified-Since"] = meta[2]
        timeout = self.spec.timeout
        rem = self.ctx.remaining()
        if rem is not None:
            timeout = min(timeout, max(0.05, rem))
        body = bytearray()
        try:
            async with self.ctx.client.stream("GET", url, headers=headers, timeout=timeout,
                                              follow_redirects=True) as resp:
                if resp.status_code == 304 and meta is not None:
                    self.ctx.store.touch_blob(self.meta)
                    return None
                if resp.status_code != 200:
                    return f"the warning list answered HTTP {resp.status_code}"
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        return f"the warning list is larger than {self.max_bytes // 1_000_000} MB"
                etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
        except httpx.TimeoutException:
            return f"the warning list did not download within {timeout:.0f} s"
        except httpx.HTTPError as exc:
            return f"could not download the warning list: {one_line(exc) or type(exc).__name__}"
        except Unavailable as exc:  # pragma: no cover - defensive
            return exc.reason

        def store_it() -> int:
            return self.ctx.store.replace_list(self.stored_as, parse_list(bytes(body)), etag, modified)

        try:
            n = await asyncio.to_thread(store_it)
        except (ValueError, UnicodeError, RecursionError) as exc:
            return f"the warning list is not in the expected format ({one_line(exc, 80)})"
        if n < 0:
            return "the warning list could not be stored"
        return None
