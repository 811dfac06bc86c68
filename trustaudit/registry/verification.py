"""The one entry point: every look-up of a scan at once, within a deadline, never raising."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

import httpx

from trustaudit.registry import data
from trustaudit.registry.base import Context, Source, one_line
from trustaudit.registry.cache import store_for, utc_iso
from trustaudit.registry.certpl import CertPl
from trustaudit.registry.companies_house import CompaniesHouse
from trustaudit.registry.config import RegistryConfig, RegistryConfigError
from trustaudit.registry.gleif import Gleif
from trustaudit.registry.manual import manual_record
from trustaudit.registry.match import best_name_match, compare_addresses, name_in_text
from trustaudit.registry.models import (
    DomainInfo,
    IdConflict,
    IdVerification,
    RegId,
    RegistryRecord,
    RegStatus,
    Verification,
    WarningListResult,
)
from trustaudit.registry.pl_krs import Krs
from trustaudit.registry.pl_wl import WhiteList
from trustaudit.registry.rdap import Rdap, domain_info, normalise_domain
from trustaudit.registry.vies import Vies

log = logging.getLogger(__name__)

SOURCE_CLASSES: dict[str, type[Source]] = {
    "vies": Vies, "pl_wl": WhiteList, "pl_krs": Krs, "ch": CompaniesHouse, "gleif": Gleif, "gleif_xcheck": Gleif,
}


class IdLike(Protocol):
    """trustaudit.models.TaxId, or anything with these fields."""

    scheme: str
    value: str


ClientFactory = Callable[[], httpx.AsyncClient]


def _as_regid(t: Any) -> tuple[RegId, bool | None, str, str]:
    """(RegId, check-digit verdict, page URL, snippet around the ID)."""
    return (RegId(str(t.scheme), str(t.value).strip()), getattr(t, "valid", None), str(getattr(t, "url", "") or ""),
            str(getattr(t, "snippet", "") or ""))


def _deadline_record(source: str, rid: RegId) -> RegistryRecord:
    title = data.sources()[source].title if source in data.sources() else source
    return RegistryRecord(source=source, status=RegStatus.UNKNOWN, checked_at=utc_iso(),
                          error=f"no answer from {title} before the scan's deadline",
                          manual_check=data.manual_for(data.sources()[source].manual)
                          if source in data.sources() else None)


async def verify(
    ids: Iterable[IdLike],
    seller_names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    domain: str | None = None,
    *,
    config: RegistryConfig | None = None,
    client_factory: ClientFactory,
    deadline: float | None = None,
    check_warning_lists: bool = True,
    trust: Callable[[str], Awaitable[Any]] | None = None,
) -> Verification:
    """Look up every identifier in its registers, the domain's age in RDAP and the domain in the warning lists,
    all concurrently.

    ``ids``: the scan's tax/registry IDs (``TaxId``: scheme, value, valid, url, snippet). An ID whose check digit
    is wrong (``valid is False``) is not sent anywhere. ``seller_names`` / ``addresses``: the seller's names and
    addresses as the site gives them (best: those found on the same page as the IDs). ``domain``: the shop's
    registrable domain (eTLD+1). ``client_factory``: makes the one ``httpx.AsyncClient`` every request goes
    through (the connection gate). ``trust``: the gate's ``trust_url``, called for every register address the
    user configured (and the RDAP servers a configured bootstrap file names), which may then be private or
    loopback addresses. ``deadline``: a ``time.monotonic()`` value; what has not answered by then is
    "unknown" with the reason, and the call returns by then (plus a fraction of a second).
    Never raises: a bad configuration or an internal error comes back in ``Verification.errors``."""
    started = time.monotonic()
    try:
        return await _verify(list(ids), list(seller_names), list(addresses), domain, config, client_factory,
                             deadline, check_warning_lists, started, trust)
    except asyncio.CancelledError:
        raise
    except RegistryConfigError as exc:
        return Verification(errors=(one_line(exc),), duration_s=time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - the scan goes on without the registers
        log.warning("registry verification failed", exc_info=True)
        return Verification(errors=(f"internal error: {type(exc).__name__}: {one_line(exc)}",),
                            duration_s=time.monotonic() - started)


async def _verify(ids: list[Any], seller_names: list[str], addresses: list[str], domain: str | None,
                  config: RegistryConfig | None, client_factory: ClientFactory, deadline: float | None,
                  check_warning_lists: bool, started: float,
                  trust: Callable[[str], Awaitable[Any]] | None = None) -> Verification:
    config = config or RegistryConfig.load()
    store = store_for(config.resolved_cache_dir())
    host = normalise_domain(domain) if domain else None
    entries: list[tuple[RegId, bool | None, str, str]] = []
    seen: set[RegId] = set()
    for t in ids:
        e = _as_regid(t)
        if e[0] not in seen:
            seen.add(e[0])
            entries.append(e)
    trader = _trader_details(seller_names, addresses) if config.send_trader_details else {}
    if not entries and not host:
        return Verification(duration_s=time.monotonic() - started)

    if trust is not None:
        for origin in config.allowed_origins():
            await trust(origin)
    async with client_factory() as client:
        ctx = Context(config=config, store=store, client=client, deadline=deadline, owner=uuid.uuid4().hex,
                      trust=trust)
        jobs: dict[tuple[str, str], asyncio.Task] = {}
        plan: list[tuple[RegId, bool | None, str, str, list[tuple[str, tuple[str, str] | RegistryRecord]]]] = []
        for rid, valid, url, snippet in entries:
            steps: list[tuple[str, tuple[str, str] | RegistryRecord]] = []
            if valid is False:
                steps.append(("manual", manual_record(rid, "not looked up: the check digit is wrong")))
            else:
                spec = data.schemes().get(rid.scheme)
                for sid in spec.sources if spec else ():
                    real = "gleif" if sid == "gleif_xcheck" else sid
                    if real in config.off:
                        continue
                    if real == "ch" and not config.companies_house_key:
                        steps.append(("manual", manual_record(
                            rid, "Companies House is asked only with an API key (COMPANIES_HOUSE_API_KEY)")))
                        continue
                    src = Vies(ctx, trader) if real == "vies" else SOURCE_CLASSES[sid](ctx)
                    jk = (real, src.key(rid))
                    if jk not in jobs:
                        jobs[jk] = asyncio.ensure_future(src.lookup(rid))
                    steps.append((real, jk))
                if not steps:
                    off = spec is not None and any(("gleif" if s == "gleif_xcheck" else s) in config.off
                                                   for s in spec.sources)
                    steps.append(("manual", manual_record(
                        rid, "the registers for this identifier are turned off in the configuration" if off
                        else None)))
            plan.append((rid, valid, url, snippet, steps))

        rdap_task = certpl_task = None
        if host and "rdap" not in config.off:
            rdap_task = asyncio.ensure_future(Rdap(ctx).lookup(RegId("domain", host)))
        if host and check_warning_lists and "certpl" not in config.off:
            certpl_task = asyncio.ensure_future(CertPl(ctx).check(host))

        everything = [*jobs.values(), *(t for t in (rdap_task, certpl_task) if t is not None)]
        await _wait(everything, deadline)

    results: dict[tuple[str, str], RegistryRecord] = {}
    for (sid, key), task in jobs.items():
        results[(sid, key)] = _result(task) or _deadline_record(sid, RegId("?", key))

    out: list[IdVerification] = []
    for rid, _valid, url, snippet, steps in plan:
        recs: list[RegistryRecord] = []
        for _sid, ref in steps:
            rec = ref if isinstance(ref, RegistryRecord) else results[ref]
            recs.append(_judge(rec, seller_names, addresses, snippet))
        primary = next((r for r in recs if r.status.definite), recs[0])
        if primary.status is RegStatus.UNKNOWN and primary.manual_check is None:
            spec = data.schemes().get(rid.scheme)
            primary = primary.with_(manual_check=data.manual_for(spec.manual if spec else None))
        others = tuple(r for r in recs if r is not primary)
        out.append(IdVerification(id=rid, record=primary, cross_checks=others, url=url))

    dom: DomainInfo | None = None
    if rdap_task is not None and host:
        rec = _result(rdap_task) or _deadline_record("rdap", RegId("domain", host))
        dom = domain_info(host, rec)
    warnings: list[WarningListResult] = []
    if certpl_task is not None:
        res = _result(certpl_task)
        warnings.append(res if isinstance(res, WarningListResult) else WarningListResult(
            "cert.pl", checked=False, error="the warning list could not be searched before the scan's deadline"))
    return Verification(ids=tuple(out), domain=dom, warning_lists=tuple(warnings), conflicts=_conflicts(out),
                        duration_s=time.monotonic() - started)


async def _wait(tasks: Sequence[asyncio.Future], deadline: float | None) -> None:
    if not tasks:
        return
    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for t in pending:
        t.cancel()
    if pending:
        # give cancelled requests a moment to close their connections; never wait on them for long
        await asyncio.wait(pending, timeout=0.25)


def _result(task: asyncio.Future) -> Any:
    if not task.done() or task.cancelled():
        return None
    exc = task.exception()
    if exc is not None:
        log.warning("registry look-up failed: %s", exc)
        return None
    return task.result()


def _judge(rec: RegistryRecord, seller_names: Sequence[str], addresses: Sequence[str], snippet: str
           ) -> RegistryRecord:
    """Add name_match / address_match to a register's answer (only a live or removed entry has a name to
    compare)."""
    if rec.status not in (RegStatus.ACTIVE, RegStatus.INACTIVE):
        return rec
    verdict, why = best_name_match(rec.name, seller_names)
    if verdict is not True and rec.name and name_in_text(rec.name, snippet):
        verdict, why = True, "the registered name is printed next to the ID on the page"
    if verdict is None and not rec.name:
        vies = rec.register_match.get("traderNameMatch")
        if vies in ("VALID", "INVALID"):
            verdict, why = vies == "VALID", f"VIES's own comparison: {vies}"
    addr = compare_addresses(rec.address, addresses) if rec.address else None
    return rec.with_(name_match=verdict, address_match=addr, match_detail=why)


_DIGITS = re.compile(r"\D")


def _conflicts(items: Sequence[IdVerification]) -> tuple[IdConflict, ...]:
    """A register that lists, for the entity behind one ID, a different number of a scheme the site also
    shows (a KRS extract naming another NIP): one of the two numbers belongs to another company."""
    shown: dict[str, list[RegId]] = {}
    for v in items:
        shown.setdefault(v.id.scheme, []).append(v.id)
    out: list[IdConflict] = []
    for v in items:
        for rec in (v.record, *v.cross_checks):
            if rec.status is not RegStatus.ACTIVE:
                continue
            for scheme, registered in rec.linked_ids.items():
                on_site = shown.get(scheme) or []
                reg_digits = _DIGITS.sub("", registered)
                if not on_site or not reg_digits:
                    continue
                if any(_DIGITS.sub("", o.value) == reg_digits for o in on_site):
                    continue
                for o in on_site:
                    out.append(IdConflict(id=v.id, other=o, registered=registered, source=rec.source))
    return tuple(dict.fromkeys(out))


def _trader_details(seller_names: Sequence[str], addresses: Sequence[str]) -> dict[str, str]:
    """VIES's own matching: the first seller name as written on the site (sent only when configured)."""
    out: dict[str, str] = {}
    names = [n.strip() for n in seller_names if n and n.strip()]
    if names:
        out["traderName"] = names[0][:200]
    return out


def run(coro: Awaitable[Verification]) -> Verification:
    """Run ``verify`` from synchronous code (tests, the CLI before it is async)."""
    return asyncio.run(coro)  # type: ignore[arg-type]


__all__ = ["verify", "run", "ClientFactory", "IdLike"]
