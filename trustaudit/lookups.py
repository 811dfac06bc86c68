"""Glue between a scan and the registers (``trustaudit.registry``): when to look up what, through which gate, by
when. Used by ``pipeline.scan``; the registry package is imported only when a scan verifies.

- The domain (RDAP registration date, CERT Polska warning list) is looked up as soon as it is known: for a shop
  URL when the crawl starts, for a saved copy (``--verify``) once its canonical URL / og:url has been read. When
  the crawl ends on another registrable domain than the target's (a shop that moved), that one is looked up too:
  its age is the shop's, and both are searched in the warning lists.
- The identifiers are looked up once extraction has found them, with the names and addresses the site shows
  (names found on the page of an ID first).
- Everything ends by the scan's deadline (``ScanOptions.total_timeout`` from the start of the scan); what has not
  answered by then is "could not check", with the reason.
- Every request goes through a connection gate of the scan's own options (``--resolve``, ``--allow-private``,
  proxies from the environment). Register addresses the user configured (environment, ``[registries]``) and
  register hosts the user gave ``--resolve`` entries for are trusted: they may be private or loopback addresses.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Mapping
from typing import Any

from trustaudit.models import Artifacts, SiteSnapshot
from trustaudit.options import ScanOptions

log = logging.getLogger(__name__)

OFF = "off"  # --no-verify
SAVED_COPY = "saved_copy"  # a saved page without --verify


def wanted(options: ScanOptions, local: bool) -> bool:
    """Do register look-ups run for this scan? ``--verify`` / ``--no-verify``, else only for a live shop."""
    return options.verify if options.verify is not None else not local


def off_signals(reason: str) -> dict[str, Any]:
    """What a report says when nothing was looked up, and why (``off``: --no-verify; ``saved_copy``)."""
    return {"enabled": False, "reason": reason, "ids": [], "domain": None, "warning_lists": [],
            "warning_lists_checked": [], "id_conflicts": [], "errors": []}


def domain_of(url_or_host: str) -> str | None:
    """The registrable domain of a URL or host; None for an IP address, ``localhost`` or an empty host."""
    from trustaudit.web.sites import registrable_domain
    from trustaudit.web.urls import host_of, is_ip

    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.strip().lower().rstrip(".")
    if not host or is_ip(host):
        return None
    domain = registrable_domain(host)
    return domain if "." in domain else None


class Lookups:
    """The register look-ups of one scan, started and collected on the scan's event loop."""

    def __init__(self, options: ScanOptions, deadline: float):
        from trustaudit.registry.config import RegistryConfig

        self.options = options
        self.deadline = deadline
        self.config = RegistryConfig.load(options.registries or {})
        self.gate = None
        self._domains: dict[str, asyncio.Task] = {}
        self._ready: asyncio.Lock | None = None
        self.errors: list[str] = []

    async def _gate(self):
        """The gate of the register client: the scan's options, and the register hosts the user chose."""
        if self._ready is None:
            self._ready = asyncio.Lock()
        async with self._ready:
            if self.gate is None:
                from trustaudit.net.gate import Gate, host_port
                from trustaudit.net.resolve import parse_resolve

                gate = Gate.for_options(self.options)
                for proxy in gate.proxies.addresses():  # a proxy the user configured is the user's choice
                    await gate.trust(*host_port(proxy))
                register_hosts = {host_port(self.config.url(s))[0].lower() for s in self.config.urls}
                for spec in self.options.resolve:
                    entry = parse_resolve(spec)
                    if entry.host in register_hosts:  # --resolve for a register: that address is the user's
                        for ip in entry.addresses:
                            gate.trust_address(ip)
                self.gate = gate
        return self.gate

    def _client(self):
        from trustaudit.net.gate import make_client

        assert self.gate is not None
        return make_client(self.gate, verify=_tls_context(), proxies=self.gate.proxies,
                           timeout=10.0, headers={"User-Agent": self.options.user_agent})

    async def _verify(self, ids=(), names=(), addresses=(), domain=None):
        from trustaudit.registry.verification import verify

        gate = await self._gate()
        return await verify(ids, names, addresses, domain, config=self.config, client_factory=self._client,
                            deadline=self.deadline, trust=gate.trust_url)

    def start_domain(self, domain: str | None) -> None:
        """Look up a domain's age and warning-list entries in the background (once per domain)."""
        if domain and domain not in self._domains:
            self._domains[domain] = asyncio.ensure_future(self._verify(domain=domain))

    def cancel(self) -> None:
        for task in self._domains.values():
            task.cancel()

    async def finish(self, snapshot: SiteSnapshot, artifacts: Artifacts) -> dict[str, Any]:
        """Look up the IDs, wait (at most until the deadline) for the domains, and return the report's view."""
        domain = artifacts.site_domain
        self.start_domain(domain)
        names = _seller_names(artifacts)
        addresses = [a.text for a in artifacts.addresses]
        ids_task = asyncio.ensure_future(self._verify(artifacts.tax_ids, names, addresses))
        tasks = [ids_task, *self._domains.values()]
        _done, pending = await asyncio.wait(tasks, timeout=max(0.0, self.deadline - time.monotonic()) + 0.5)
        for t in pending:  # verify returns by its deadline; this is only a safety net
            t.cancel()
        by_domain = {d: _result(t) for d, t in self._domains.items()}
        ids = _result(ids_task)
        out = off_signals("")
        out["enabled"] = True
        out["reason"] = None
        if ids is not None:
            sig = ids.to_signals()
            out["ids"] = sig["tax_ids"]
            out["id_conflicts"] = sig["id_conflicts"]
            out["errors"].extend(ids.errors)
        else:
            out["errors"].append("the identifiers could not be looked up before the scan's deadline")
        if domain is None:
            out["errors"].append("no domain to look up" + (" (the saved copy names none in its canonical URL or "
                                                           "og:url)" if snapshot.local else ""))
        hits: list[dict] = []
        checked: list[dict] = []
        for d, v in by_domain.items():
            if v is None:
                checked.append({"list": "cert.pl", "checked": False, "list_date": None, "stale": False,
                                "error": "the warning list could not be searched before the scan's deadline",
                                "domain": d})
                continue
            sig = v.to_signals()
            if d == domain:
                out["domain"] = sig["domain"]
            hits.extend(h for h in sig["warning_lists"] if h not in hits)
            checked.extend({**w, "domain": d} for w in sig["warning_lists_checked"])
            out["errors"].extend(e for e in v.errors if e not in out["errors"])
        out["warning_lists"] = hits
        out["warning_lists_checked"] = checked
        out["duration_s"] = round(max((v.duration_s for v in (ids, *by_domain.values()) if v is not None),
                                      default=0.0), 3)
        return out


@functools.cache
def _tls_context():
    """The system's trust store (SSL_CERT_FILE honoured), loaded once per process: --ca-bundle is the shop's, not
    the registers'. A context holds trust settings and a session cache, nothing of one scan."""
    import ssl

    return ssl.create_default_context()


def _result(task: asyncio.Task):
    if not task.done() or task.cancelled() or task.exception() is not None:
        return None
    return task.result()


def _seller_names(artifacts: Artifacts) -> list[str]:
    """The seller's names as the site gives them: those on a page that shows an ID first, then the rest."""
    id_pages = {t.url for t in artifacts.tax_ids}
    first = [e.snippet for e in artifacts.company_names if e.url in id_pages]
    rest = [e.snippet for e in artifacts.company_names if e.url not in id_pages]
    return list(dict.fromkeys(n for n in (*first, *rest) if n))


def merge_into_signals(signals: Mapping[str, Any], registry: Mapping[str, Any]) -> dict[str, Any]:
    """The report's signals with the register answers: ``tax_ids[].registry`` (matched by scheme and value),
    ``domain``, ``warning_lists``, ``warning_lists_checked``, ``id_conflicts`` and ``verification``."""
    out = dict(signals)
    by_id = {(i["scheme"], i["value"]): i["registry"] for i in registry.get("ids") or ()}
    out["tax_ids"] = [
        {**t, "registry": by_id[(t["scheme"], t["value"])]} if (t["scheme"], t["value"]) in by_id else dict(t)
        for t in signals.get("tax_ids") or ()
    ]
    out["domain"] = registry.get("domain")
    out["warning_lists"] = list(registry.get("warning_lists") or ())
    out["warning_lists_checked"] = list(registry.get("warning_lists_checked") or ())
    out["id_conflicts"] = list(registry.get("id_conflicts") or ())
    out["verification"] = {
        "enabled": bool(registry.get("enabled")),
        "reason": registry.get("reason"),
        "errors": list(registry.get("errors") or ()),
        "duration_s": registry.get("duration_s"),
    }
    return out
