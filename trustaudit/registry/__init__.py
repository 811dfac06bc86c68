"""Verified identity: do the IDs on a site belong to a real, active company of that name, and is the domain
young or on a warning list?

Design
------
One entry point, :func:`verify` (trustaudit/registry/verification.py)::

    v = await verify(artifacts.tax_ids, seller_names, addresses, "shop.pl",
                     config=RegistryConfig.load(toml.get("registries")), client_factory=gate.client,
                     deadline=time.monotonic() + 20)
    v.to_signals()  # {"tax_ids": [{scheme, value, registry: {...}}], "domain": {...}, "warning_lists": [...]}

It runs every look-up concurrently on one injected ``httpx.AsyncClient`` (``client_factory``: the connection
gate decides where requests may go), returns by ``deadline`` whatever has answered (the rest is "unknown"
with the reason) and never raises.

Sources (one module each, all behind ``Source.lookup(RegId) -> RegistryRecord``, base.py):
``vies`` (EU VAT), ``pl_wl`` (Polish white list of VAT payers: NIP, REGON), ``pl_krs`` (KRS extract),
``ch`` (Companies House, only with ``COMPANIES_HOUSE_API_KEY``), ``gleif`` (LEIs, and a cross-check of
company numbers unique in their country), ``manual`` (no free API: Russia, Saudi Arabia, Handelsregister,
ΓΕΜΗ, HMRC; always unknown, with where to check by hand). ``rdap`` gives the domain's registration date
(IANA bootstrap file cached on disk); ``certpl`` searches CERT Polska's warning list (downloaded whole,
refreshed when older than a day). Which scheme goes to which register, every URL, time-to-live, request
spacing, daily budget, the legal forms and the free-mail providers are data: rules/registries.yaml.

Four statuses, never two: ``active`` / ``inactive`` (removed, dissolved, no longer a VAT payer) /
``not_found`` (the register answered and has no such entry) / ``unknown`` (no free register, unavailable,
rate-limited, deadline, an answer we cannot read). "unknown" is never a pass or a fail. A register's error
code (VIES ``MS_UNAVAILABLE``, ``MS_MAX_CONCURRENT_REQ``; white list ``WL-1xx``; HTTP 429/5xx) is an
"unknown" with the code in ``error``.

``name_match`` (match.py): the registered name against the seller names from the site, after transliteration,
case/punctuation folding and removal of legal forms in either spelling ("Sp. z o.o." = "spółka z ograniczoną
odpowiedzialnością", "ООО" = "Общество с ограниченной ответственностью", "Ltd" = "Limited"), word by word
with rapidfuzz. True / False / None; False only when no distinctive word is shared (generic words such as
"international" do not count), so a brand or a shortened name is not called a contradiction.

What is sent: only the identifier (to its register) or the domain name (to its TLD's RDAP server); the warning
list is downloaded whole. The seller's name goes to VIES only when ``send_trader_details`` is configured.

Limits and cache (cache.py): answers are kept in ``<cache dir>/registry.sqlite3`` (``TRUSTAUDIT_CACHE_DIR``,
default ~/.cache/trustaudit), shared by all worker processes of a batch: a definite answer for a day (KRS
three days, GLEIF a week), an "unknown" for half an hour; one process asks while the others wait for its
answer, so a batch of 500 shops makes at most one request per distinct ID per day. Requests to a register
are spaced across processes; HTTP 429 stops requests to it for Retry-After; the white list's daily budget
stops short of the ministry's per-address limit.
"""

from __future__ import annotations

import importlib

# names are loaded on first use: reading the configuration (trustaudit.registry.config) at start-up does not
# import the HTTP client, the name matcher or the cache
_WHERE = {
    "DomainInfo": "models",
    "IdConflict": "models",
    "IdVerification": "models",
    "ManualCheck": "models",
    "RegId": "models",
    "RegStatus": "models",
    "RegistryRecord": "models",
    "Verification": "models",
    "WarningHit": "models",
    "WarningListResult": "models",
    "RegistryConfig": "config",
    "RegistryConfigError": "config",
    "free_mail_addresses": "signals",
    "young_domain": "signals",
    "verify": "verification",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'trustaudit.registry' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"trustaudit.registry.{mod}"), name)
    globals()[name] = value
    return value
