"""Nothing leaves the machine during the test suite, even though register look-ups are on by default.

tests/conftest.py watches the connection gate for the whole session (every connection trustaudit opens passes
it) and answers no name through real DNS; here a default scan runs with the *official* register addresses (the
suite's closed-port variables removed), so every look-up is attempted for real: each must be stopped on the
machine (the names do not resolve here), never connected to.
"""

from __future__ import annotations

import json

import conftest
from servers import TestServer, html
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.registry import data as regdata
from trustaudit.web.urls import host_of

PAGE = """<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Sklep</title></head><body>
<main><h1>Kubki</h1></main><footer><p>Ceramika Kowalski sp. z o.o., ul. Garncarska 12, 59-700 Bolesławiec</p>
<p>NIP: 951-238-16-07, KRS: 0000413516, USt-IdNr.: DE136695976</p></footer></body></html>"""


def test_a_default_scan_attempts_no_connection_off_the_machine(monkeypatch):
    for var in conftest.REGISTER_ENV:
        monkeypatch.delenv(var)  # the official addresses, as a user gets them
    leaks, asked = len(conftest.LEAKS), len(conftest.ASKED_DNS)
    with TestServer({"/": html(PAGE)}) as shop:
        res = CliRunner().invoke(app, ["scan", f"http://shop.test:{shop.port}/", "-q", "-f", "json",
                                       "--resolve", f"shop.test:{shop.port}:127.0.0.1"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["signals"]["verification"]["enabled"] is True  # on by default for a shop URL
    # the look-ups were made: each official register host was asked for, and none resolved here
    wanted = {host_of(regdata.sources()[s].url) for s in ("pl_wl", "pl_krs", "vies", "rdap", "certpl")}
    assert wanted <= set(conftest.ASKED_DNS[asked:]), conftest.ASKED_DNS[asked:]
    assert conftest.LEAKS[leaks:] == []
    for t in doc["signals"]["tax_ids"]:
        assert t["registry"]["status"] == "unknown", t  # could not check, never a verdict
    assert {c["id"]: c["status"] for c in doc["checks"] if c["id"] in (
        "legal.id-registered", "legal.id-matches-seller", "security.domain-age", "security.warning-list")} == {
        "legal.id-registered": "error", "legal.id-matches-seller": "error", "security.domain-age": "error",
        "security.warning-list": "error"}


def test_the_guard_catches_a_connection_off_the_machine():
    """The watch itself works: a connection the gate allows off the machine is stopped and recorded (to a
    documentation address, TEST-NET-1, which the gate lets through only because it is trusted here: should the
    watch ever fail, that address leads nowhere)."""
    import asyncio

    from trustaudit.net.gate import Gate, make_client
    from trustaudit.net.resolve import StaticResolver, parse_resolve

    gate = Gate(resolver=StaticResolver([parse_resolve("public.test:80:192.0.2.10")]))
    gate.trust_address("192.0.2.10")

    async def go():
        async with make_client(gate, timeout=2) as client:
            try:
                await client.get("http://public.test/")
            except Exception as exc:  # noqa: BLE001 - the guard's refusal, as httpx reports it
                return exc
        return None

    before = len(conftest.LEAKS)
    exc = asyncio.run(go())
    assert exc is not None and "off the machine" in str(exc)
    assert conftest.LEAKS[before:] == [("192.0.2.10", 80)]
    del conftest.LEAKS[before:]  # recorded on purpose: not a leak of this test
