"""verify(): everything at once, within the deadline, never raising; the report fields; the configuration."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from registry_fakes import RegisterServer, fixture_route, json_route, plain_client, slow, tax_id

from trustaudit.registry import RegistryConfig, RegistryConfigError, RegStatus, verify
from trustaudit.registry import data as regdata


def test_a_slow_register_does_not_hold_the_scan(tmp_path):
    routes = {"/wl/api/search/nip/*": slow(8.0, fixture_route("wl_active.json")),
              "/vies/check-vat-number": fixture_route("vies_valid.json")}
    with RegisterServer(routes) as srv:
        cfg = srv.config(tmp_path)
        t0 = time.monotonic()
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607"), tax_id("eu.vat", "PL9512381607")],
                               ["Booksy International sp. z o.o."], config=cfg, client_factory=plain_client,
                               deadline=t0 + 1.5))
        elapsed = time.monotonic() - t0
    assert elapsed < 2.5, elapsed
    wl, vies = v.ids
    assert wl.record.status is RegStatus.UNKNOWN and "deadline" in wl.record.error
    assert wl.record.name_match is None
    assert vies.record.status is RegStatus.ACTIVE and vies.record.name_match is True  # the fast one answered
    # the deadline was ours, not the register's fault: not kept as its answer
    from trustaudit.registry.cache import store_for

    assert store_for(tmp_path).get(cfg.cache_ns("pl_wl"), "pl.nip:9512381607") is None
    assert store_for(tmp_path).get(cfg.cache_ns("vies"), "PL9512381607") is not None


def test_everything_runs_concurrently(tmp_path):
    routes = {"/wl/api/search/nip/*": slow(1.0, fixture_route("wl_active.json")),
              "/krs/OdpisAktualny/*": slow(1.0, fixture_route("krs_swlex.json")),
              "/gleif/lei-records": slow(1.0, json_route({"data": []})),
              "/vies/check-vat-number": slow(1.0, fixture_route("vies_valid.json"))}
    with RegisterServer(routes) as srv:
        t0 = time.monotonic()
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607"), tax_id("pl.krs", "0000413516"),
                                tax_id("eu.vat", "PL9512381607")], config=srv.config(tmp_path),
                               client_factory=plain_client, deadline=t0 + 10))
        elapsed = time.monotonic() - t0
    assert [i.record.status for i in v.ids] == [RegStatus.ACTIVE] * 3
    assert elapsed < 2.5, elapsed  # four one-second registers in parallel, not in a row


def test_an_id_that_belongs_to_another_company_and_conflicting_numbers(tmp_path):
    # the site shows a KRS number whose extract names another NIP than the one the site shows
    routes = {"/wl/api/search/nip/9512381607": fixture_route("wl_active.json"),
              "/krs/OdpisAktualny/0000413516": fixture_route("krs_swlex.json"),
              "/gleif/lei-records": json_route({"data": []})}
    with RegisterServer(routes) as srv:
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607"), tax_id("pl.krs", "0000413516")],
                               ["Booksy International sp. z o.o."], config=srv.config(tmp_path),
                               client_factory=plain_client, deadline=time.monotonic() + 10))
    nip, krs = v.ids
    assert nip.record.name_match is True and krs.record.name_match is False
    # each register names the other number differently: the two numbers belong to two companies
    assert {(str(c.id), str(c.other), c.registered, c.source) for c in v.conflicts} == {
        ("pl.krs:0000413516", "pl.nip:9512381607", "9721237317", "pl_krs"),
        ("pl.nip:9512381607", "pl.krs:0000413516", "0000515914", "pl_wl"),
    }
    assert v.to_signals()["id_conflicts"] == [c.to_dict() for c in v.conflicts]


def test_name_printed_next_to_the_id_counts_as_the_seller(tmp_path):
    with RegisterServer({"/wl/api/search/nip/*": fixture_route("wl_active.json")}) as srv:
        ids = [tax_id("pl.nip", "9512381607", snippet="Booksy International sp. z o.o., NIP: 951-238-16-07")]
        v = asyncio.run(verify(ids, ["PayU S.A."], config=srv.config(tmp_path), client_factory=plain_client))
    assert v.ids[0].record.name_match is True


def test_signals_shape(tmp_path):
    routes = {"/wl/api/search/nip/*": fixture_route("wl_active.json")}
    with RegisterServer(routes) as srv:
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607")], ["Booksy International"],
                               config=srv.config(tmp_path), client_factory=plain_client))
    sig = json.loads(json.dumps(v.to_signals()))  # JSON-ready
    reg = sig["tax_ids"][0]["registry"]
    assert sig["tax_ids"][0]["scheme"] == "pl.nip"
    assert {"source", "status", "name", "address", "registered_on", "name_match", "checked_at", "error"} <= set(reg)
    assert reg["status"] == "active" and reg["error"] is None
    assert sig["domain"] is None and sig["warning_lists"] == []


def test_never_raises(tmp_path):
    def broken_factory():
        raise RuntimeError("gate refused")

    v = asyncio.run(verify([tax_id("pl.nip", "9512381607")], client_factory=broken_factory,
                           config=RegistryConfig.load({"cache_dir": str(tmp_path)}, {})))
    assert v.ids == () and "gate refused" in v.errors[0]
    v = asyncio.run(verify([tax_id("pl.nip", "9512381607")], client_factory=plain_client, config=_BadConfig()))
    assert v.errors == ("[registries]: broken",)


class _BadConfig:
    def resolved_cache_dir(self):
        raise RegistryConfigError("[registries]: broken")


def test_unreachable_register_is_unknown(tmp_path):
    from servers import free_port

    env = {"TRUSTAUDIT_PL_WL_URL": f"http://127.0.0.1:{free_port()}"}
    cfg = RegistryConfig.load({"cache_dir": str(tmp_path)}, env)
    v = asyncio.run(verify([tax_id("pl.nip", "9512381607")], config=cfg, client_factory=plain_client,
                           deadline=time.monotonic() + 5))
    rec = v.ids[0].record
    assert rec.status is RegStatus.UNKNOWN and "could not connect" in rec.error


def test_garbage_answers_are_unknown(tmp_path):
    routes = {"/wl/api/search/nip/*": (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"),
              "/krs/OdpisAktualny/*": json_route({"odpis": "???"}),
              "/gleif/lei-records": json_route(["not", "a", "mapping"])}
    with RegisterServer(routes) as srv:
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607"), tax_id("pl.krs", "0000413516")],
                               config=srv.config(tmp_path), client_factory=plain_client,
                               deadline=time.monotonic() + 10))
    assert all(i.record.status is RegStatus.UNKNOWN for i in v.ids)
    assert all(i.record.error for i in v.ids)


def test_hostile_register_answers(tmp_path):
    evil = {"result": {"subject": {"name": "\x1b[31mEVIL\x1b[0m SP. Z O.O.\n\n[bold]x[/bold]", "statusVat": "Czynny",
                                   "workingAddress": "ul. \x07Prosta 1" + " " * 5000 + "end"}}}
    nested = b"[" * 100_000 + b"]" * 100_000
    routes = {"/wl/api/search/nip/*": json_route(evil), "/krs/OdpisAktualny/*": json_route(nested),
              "/gleif/lei-records": json_route({"data": []})}
    with RegisterServer(routes) as srv:
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607"), tax_id("pl.krs", "0000413516"),
                                tax_id("lei", "../../admin?x=1")], config=srv.config(tmp_path),
                               client_factory=plain_client, deadline=time.monotonic() + 10))
        assert not srv.hits("/gleif/lei-records/")  # a malformed LEI is never put in a URL
    wl, krs, lei = v.ids
    assert "\x1b" not in wl.record.name and "\n" not in wl.record.name and "\x07" not in wl.record.address
    assert len(wl.record.address) <= 400
    assert krs.record.status is RegStatus.UNKNOWN
    assert lei.record.status is RegStatus.UNKNOWN


# --------------------------------------------------------------------------- configuration


def test_urls_from_environment_then_table_then_default():
    specs = regdata.sources()
    cfg = RegistryConfig.load({"vies_url": "http://127.0.0.1:9/table-vies", "pl_wl_url": "http://127.0.0.1:9/wl"},
                              {"TRUSTAUDIT_VIES_URL": "http://127.0.0.1:9/env-vies"})
    assert cfg.url("vies") == "http://127.0.0.1:9/env-vies"
    assert cfg.url("pl_wl") == "http://127.0.0.1:9/wl"
    assert cfg.url("pl_krs") == specs["pl_krs"].url
    assert cfg.url("certpl") == "https://hole.cert.pl/domains/v2/domains.json"
    assert cfg.allowed_origins() == ("http://127.0.0.1:9",)  # only what the user configured is trusted
    assert RegistryConfig.load({}, {}).allowed_origins() == ()
    assert {s.env for s in specs.values()} == {
        "TRUSTAUDIT_VIES_URL", "TRUSTAUDIT_PL_WL_URL", "TRUSTAUDIT_PL_KRS_URL", "TRUSTAUDIT_GLEIF_URL",
        "TRUSTAUDIT_CH_URL", "TRUSTAUDIT_RDAP_BOOTSTRAP_URL", "TRUSTAUDIT_CERTPL_URL"}


def test_official_addresses_are_the_defaults():
    cfg = RegistryConfig.load({}, {})
    assert cfg.url("vies") == "https://ec.europa.eu/taxation_customs/vies/rest-api"
    assert cfg.url("pl_wl") == "https://wl-api.mf.gov.pl"
    assert cfg.url("rdap") == "https://data.iana.org/rdap/dns.json"
    assert cfg.companies_house_key is None
    assert RegistryConfig.load({}, {"COMPANIES_HOUSE_API_KEY": " k "}).companies_house_key == "k"


@pytest.mark.parametrize("table, env, msg", [
    ({"vies": "x"}, {}, "unknown key 'vies' .nearest: 'vies_url'."),
    ({"vies_url": 3}, {}, "in quotes"),
    ({"send_trader_details": "yes"}, {}, "true or false"),
    ({"vies_url": "ftp://x"}, {}, r"not an http\(s\) URL"),
    ({}, {"TRUSTAUDIT_GLEIF_URL": "file:///etc/passwd"}, "TRUSTAUDIT_GLEIF_URL"),
    ({"off": "vies"}, {}, "list"),
    ({"off": ["nope"]}, {}, "unknown source"),
    ({"off": ["veis"]}, {}, "nearest: 'vies'"),
])
def test_bad_configuration_is_a_clear_error(table, env, msg):
    with pytest.raises(RegistryConfigError, match=msg):
        RegistryConfig.load(table, env)


def test_rules_data_is_consistent():
    from trustaudit.extract.ids import compiled

    schemes = regdata.schemes()
    # every identifier scheme the extractor knows has a register or a place to check by hand
    assert sorted(set(compiled().schemes) - set(schemes)) == []
    for name, spec in schemes.items():
        assert spec.sources or regdata.manual_for(spec.manual) is not None, name
        if "vies" in spec.sources:
            assert name == "eu.vat" or spec.vies_country, name
