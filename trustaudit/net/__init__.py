"""Everything that leaves the machine goes through here: the connection gate and name resolution.

Public interface (see ``gate.py`` for the policy and how a browser or a register client uses it)::

    from trustaudit.net import Gate, make_client
    gate = Gate.for_options(options)            # --allow-private, --resolve
    await gate.trust(host, port)                # the user's own target / a configured register: allowed
    verdict = await gate.check(host, port)      # Verdict: .ok, .allowed addresses, .reason
    client = make_client(gate, verify=ctx, timeout=10, headers={...})   # httpx.AsyncClient behind the gate

Names are loaded on first use, so ``trustaudit.net.resolve`` (used to validate ``--resolve`` on the command
line) does not import httpx.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Gate": "gate",
    "GateRefused": "gate",
    "GatedBackend": "gate",
    "GatedTransport": "gate",
    "ProxyRoutes": "gate",
    "Unresolved": "gate",
    "Verdict": "gate",
    "host_port": "gate",
    "make_client": "gate",
    "ResolveEntry": "resolve",
    "Resolver": "resolve",
    "StaticResolver": "resolve",
    "SystemResolver": "resolve",
    "parse_resolve": "resolve",
    "resolver_for": "resolve",
    "address_class": "address",
    "describe": "address",
    "normalise_ip": "address",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'trustaudit.net' has no attribute {name!r}")
    return getattr(importlib.import_module(f"trustaudit.net.{mod}"), name)
