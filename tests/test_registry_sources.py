"""Each register's documented answers and errors, replayed by loopback servers (tests/fixtures/registry/)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from registry_fakes import RegisterServer, fixture, fixture_route, json_route, plain_client, tax_id

from trustaudit.registry import RegStatus, verify


def run(srv, tmp_path, ids, names=(), addresses=(), domain=None, deadline_s=10.0, **table):
    cfg = srv.config(tmp_path / "cache", **table)
    return asyncio.run(verify(ids, names, addresses, domain, config=cfg, client_factory=plain_client,
                              deadline=time.monotonic() + deadline_s))


@pytest.fixture
def register():
    servers = []

    def start(routes):
        srv = RegisterServer(routes).start()
        servers.append(srv)
        return srv

    yield start
    for s in servers:
        s.stop()


# --------------------------------------------------------------------------- VIES


def test_vies_valid_number_is_active_with_name_and_address(register, tmp_path):
    srv = register({"/vies/check-vat-number": fixture_route("vies_valid.json")})
    v = run(srv, tmp_path, [tax_id("eu.vat", "PL9512381607")], names=["Booksy International sp. z o.o."])
    rec = v.ids[0].record
    assert rec.source == "vies" and rec.status is RegStatus.ACTIVE
    assert rec.name.startswith("BOOKSY INTERNATIONAL")
    assert "00-838 WARSZAWA" in rec.address
    assert rec.name_match is True
    # only the number was sent: country code and number, nothing about the shop
    assert [json.loads(b) for _p, b in srv.bodies] == [{"countryCode": "PL", "vatNumber": "9512381607"}]


@pytest.mark.parametrize("name, code", [("vies_ms_unavailable.json", "MS_UNAVAILABLE"),
                                        ("vies_ms_max_concurrent.json", "MS_MAX_CONCURRENT_REQ")])
def test_vies_member_state_errors_are_unknown_never_invalid(register, tmp_path, name, code):
    # VIES answers these with HTTP 200 or 500 depending on the error: both are "could not check"
    for status in (200, 500):
        srv = register({"/vies/check-vat-number": fixture_route(name, status=status)})
        v = run(srv, tmp_path / str(status), [tax_id("eu.vat", "DE136695976")])
        rec = v.ids[0].record
        assert rec.status is RegStatus.UNKNOWN
        assert code in rec.error
        assert rec.name_match is None
        assert rec.manual_check is not None and "ec.europa.eu" in rec.manual_check.url


def test_vies_http_429_is_unknown_and_the_register_is_left_alone(register, tmp_path):
    srv = register({"/vies/check-vat-number": json_route({}, status=429, headers={"Retry-After": "600"})})
    v = run(srv, tmp_path, [tax_id("eu.vat", "DE136695976"), tax_id("eu.vat", "ATU13585627")])
    assert [i.record.status for i in v.ids] == [RegStatus.UNKNOWN, RegStatus.UNKNOWN]
    assert any("429" in i.record.error for i in v.ids)
    # after the first 429 the second number is not sent: VIES asked us to wait 600 s
    assert len(srv.bodies) == 1
    assert any("slow down" in (i.record.error or "") for i in v.ids)


def test_vies_hidden_name_cannot_be_compared(register, tmp_path):
    srv = register({"/vies/check-vat-number": fixture_route("vies_valid_hidden.json")})
    v = run(srv, tmp_path, [tax_id("de.vat", "136695976")], names=["Irgendwas GmbH"])
    rec = v.ids[0].record
    assert rec.status is RegStatus.ACTIVE and rec.name is None
    assert rec.name_match is None  # Germany does not disclose the name: never a contradiction
    assert json.loads(srv.bodies[0][1]) == {"countryCode": "DE", "vatNumber": "136695976"}


def test_vies_invalid_means_not_found_only_for_intra_eu_vat_ids(register, tmp_path):
    srv = register({"/vies/check-vat-number": fixture_route("vies_invalid.json")})
    v = run(srv, tmp_path, [tax_id("eu.vat", "PL5260250995"), tax_id("it.iva", "00743110157")])
    eu, it = v.ids
    assert eu.record.status is RegStatus.NOT_FOUND
    # an Italian Partita IVA may simply not be opted into VIES: that says nothing about the company
    assert it.record.status is RegStatus.UNKNOWN and "intra-EU" in it.record.error
    assert json.loads(srv.bodies[1][1]) == {"countryCode": "IT", "vatNumber": "00743110157"}


def test_vies_trader_details_are_sent_only_when_configured(register, tmp_path):
    answer = dict(fixture("vies_valid_hidden.json"), traderNameMatch="INVALID")
    srv = register({"/vies/check-vat-number": json_route(answer)})
    v = run(srv, tmp_path, [tax_id("de.vat", "136695976")], names=["Andere Firma GmbH"],
            send_trader_details=True)
    assert json.loads(srv.bodies[0][1])["traderName"] == "Andere Firma GmbH"
    rec = v.ids[0].record
    assert rec.register_match["traderNameMatch"] == "INVALID"
    assert rec.name_match is False and "VIES" in rec.match_detail


# --------------------------------------------------------------------------- white list (Poland)


def test_white_list_active_vat_payer(register, tmp_path):
    srv = register({"/wl/api/search/nip/9512381607": fixture_route("wl_active.json")})
    v = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")], names=["BOOKSY INTERNATIONAL Sp. z o.o."],
            addresses=["ul. Prosta 67, 00-838 Warszawa"])
    rec = v.ids[0].record
    assert (rec.source, rec.status, rec.registered_on) == ("pl_wl", RegStatus.ACTIVE, "2014-07-31")
    assert rec.name_match is True and rec.address_match is True
    assert rec.linked_ids == {"pl.nip": "9512381607", "pl.regon": "147315920", "pl.krs": "0000515914"}
    (req,) = srv.hits("/wl/")
    assert len(srv.query(req)["date"][0]) == 10  # the API wants ?date=YYYY-MM-DD


def test_white_list_removed_vat_payer_is_inactive(register, tmp_path):
    srv = register({"/wl/api/search/nip/5631410744": fixture_route("wl_removed.json")})
    v = run(srv, tmp_path, [tax_id("pl.nip", "5631410744")], names=["Marek Zieliński Usługi Remontowe"])
    rec = v.ids[0].record
    assert rec.status is RegStatus.INACTIVE
    assert "removed from the VAT register on 2022-11-02" in rec.detail and rec.removed_on == "2022-11-02"
    assert rec.name_match is True  # the right company, no longer a VAT payer


def test_white_list_unknown_number_is_not_found(register, tmp_path):
    srv = register({"/wl/api/search/regon/*": fixture_route("wl_not_found.json")})
    v = run(srv, tmp_path, [tax_id("pl.regon", "123456785")])
    assert v.ids[0].record.status is RegStatus.NOT_FOUND
    assert srv.hits("/wl/api/search/regon/123456785")


@pytest.mark.parametrize("name, code", [("wl_error_wl113.json", "WL-113"), ("wl_error_wl196.json", "WL-196")])
def test_white_list_error_codes_are_unknown_with_the_code(register, tmp_path, name, code):
    srv = register({"/wl/api/search/nip/*": fixture_route(name, status=400)})
    v = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")])
    rec = v.ids[0].record
    assert rec.status is RegStatus.UNKNOWN and code in rec.error
    assert rec.manual_check is not None and "podatki.gov.pl" in rec.manual_check.url


def test_white_list_wl195_is_asked_again_once(register, tmp_path):
    answers = [json_route({"code": "WL-195", "message": "Database has been updated. Send a request again."}, 400),
               fixture_route("wl_active.json")]

    def route(h):
        from servers import send

        send(h, *answers.pop(0))

    srv = register({"/wl/api/search/nip/*": route})
    v = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")])
    assert v.ids[0].record.status is RegStatus.ACTIVE
    assert len(srv.hits("/wl/")) == 2


def test_valid_nip_of_another_company_does_not_match_the_seller(register, tmp_path):
    # a fake shop shows a real company's NIP (the check digit is valid) under its own name
    srv = register({"/wl/api/search/nip/9512381607": fixture_route("wl_active.json")})
    v = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")], names=["Super Okazje Sklep Sp. z o.o."])
    rec = v.ids[0].record
    assert rec.status is RegStatus.ACTIVE
    assert rec.name_match is False
    assert "BOOKSY" in rec.match_detail
    assert v.to_signals()["tax_ids"][0]["registry"]["name_match"] is False


# --------------------------------------------------------------------------- KRS


def test_krs_extract(register, tmp_path):
    srv = register({"/krs/OdpisAktualny/0000413516": fixture_route("krs_swlex.json"),
                    "/gleif/lei-records": json_route({"data": []})})
    v = run(srv, tmp_path, [tax_id("pl.krs", "0000413516")], names=["SWLEX Sp. z o.o."])
    rec = v.ids[0].record
    assert (rec.source, rec.status, rec.registered_on) == ("pl_krs", RegStatus.ACTIVE, "2012-03-08")
    assert rec.legal_form == "SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ"
    assert rec.linked_ids == {"pl.nip": "9721237317", "pl.regon": "302046830"}
    assert rec.address == "UL. SZELĄGOWSKA 49, 61-626 POZNAŃ, POLSKA"
    assert rec.name_match is True
    (req,) = srv.hits("/krs/")
    assert srv.query(req) == {"rejestr": ["P"], "format": ["json"]}
    # GLEIF has no LEI for it: a cross-check that says "unknown", never "not found"
    (x,) = v.ids[0].cross_checks
    assert x.source == "gleif" and x.status is RegStatus.UNKNOWN


def test_krs_404_in_both_registers_is_not_found(register, tmp_path):
    srv = register({"/gleif/lei-records": json_route({"data": []})})  # /krs/* answers 404
    v = run(srv, tmp_path, [tax_id("pl.krs", "0000999999")])
    assert v.ids[0].record.status is RegStatus.NOT_FOUND
    assert [srv.query(r)["rejestr"] for r in srv.hits("/krs/")] == [["P"], ["S"]]


def test_krs_struck_off_is_inactive(register, tmp_path):
    doc = fixture("krs_swlex.json")
    doc["odpis"]["naglowekA"]["dataWykresleniaZRejestruPrzedsiebiorcow"] = "01.02.2024"
    doc["odpis"]["dane"]["dzial6"] = {"likwidacja": {"likwidatorzy": [{"nazwisko": "X"}]}}
    srv = register({"/krs/OdpisAktualny/*": json_route(doc), "/gleif/lei-records": json_route({"data": []})})
    rec = run(srv, tmp_path, [tax_id("pl.krs", "413516")]).ids[0].record
    assert rec.status is RegStatus.INACTIVE
    assert "struck off the register on 2024-02-01" in rec.detail and "in liquidation" in rec.detail
    assert rec.removed_on == "2024-02-01"


def test_krs_and_gleif_agree(register, tmp_path):
    srv = register({"/krs/OdpisAktualny/0000413516": fixture_route("krs_swlex.json"),
                    "/gleif/lei-records": json_route({"data": [fixture("gleif_lei.json")["data"]]})})
    v = run(srv, tmp_path, [tax_id("pl.krs", "0000413516")], names=["Swlex spółka z o.o."])
    (x,) = v.ids[0].cross_checks
    assert (x.source, x.status, x.name_match) == ("gleif", RegStatus.ACTIVE, True)
    (req,) = srv.hits("/gleif/")
    q = srv.query(req)
    assert q["filter[entity.registeredAs]"] == ["0000413516"] and q["filter[entity.jurisdiction]"] == ["PL"]


# --------------------------------------------------------------------------- Companies House, GLEIF, manual


def test_companies_house_only_with_a_key(register, tmp_path):
    srv = register({"/ch/company/10592650": fixture_route("ch_active.json"),
                    "/gleif/lei-records": json_route({"data": []})})
    no_key = run(srv, tmp_path / "a", [tax_id("gb.crn", "10592650")])
    assert no_key.ids[0].record.status is RegStatus.UNKNOWN
    assert not srv.hits("/ch/")
    with_key = run(srv, tmp_path / "b", [tax_id("gb.crn", "10592650")], names=["SMH IoT Solutions Limited"],
                   companies_house_key="test-key")
    rec = with_key.ids[0].record
    assert (rec.source, rec.status, rec.registered_on, rec.name_match) == ("ch", RegStatus.ACTIVE, "2017-01-31",
                                                                           True)
    (req,) = srv.hits("/ch/")
    assert req.headers["authorization"].startswith("Basic ")  # key as the user name


def test_companies_house_dissolved_and_missing(register, tmp_path):
    srv = register({"/ch/company/10592650": fixture_route("ch_dissolved.json"),
                    "/gleif/lei-records": json_route({"data": []})})
    v = run(srv, tmp_path, [tax_id("gb.crn", "10592650"), tax_id("gb.crn", "SC123456")],
            companies_house_key="k")
    assert v.ids[0].record.status is RegStatus.INACTIVE
    assert v.ids[1].record.status is RegStatus.NOT_FOUND


def test_lei_lookup(register, tmp_path):
    srv = register({"/gleif/lei-records/259400SWLEXEXAMPLE89": fixture_route("gleif_lei.json")})
    v = run(srv, tmp_path, [tax_id("lei", "259400SWLEXEXAMPLE89"), tax_id("lei", "259400NOSUCHEXAMPL12")])
    found, missing = v.ids
    assert found.record.status is RegStatus.ACTIVE and found.record.registered_on == "2011-09-06"
    assert missing.record.status is RegStatus.NOT_FOUND


@pytest.mark.parametrize("scheme, value, where", [("ru.inn", "7707083893", "egrul.nalog.ru"),
                                                   ("sa.vat", "300000000000003", "zatca.gov.sa"),
                                                   ("de.handelsregisternummer", "Berlin (Charlottenburg) HRB 1234",
                                                    "handelsregister.de"),
                                                   ("gr.gemi", "123456789000", "businessportal.gr")])
def test_registers_without_a_free_api_are_unknown_with_where_to_check(register, tmp_path, scheme, value, where):
    srv = register({})
    rec = run(srv, tmp_path, [tax_id(scheme, value)]).ids[0].record
    assert rec.status is RegStatus.UNKNOWN and rec.source == "manual"
    assert where in rec.manual_check.url
    assert srv.requests == []  # nothing is sent anywhere


def test_wrong_check_digit_is_never_sent(register, tmp_path):
    srv = register({})
    rec = run(srv, tmp_path, [tax_id("pl.nip", "1234567890", valid=False)]).ids[0].record
    assert rec.status is RegStatus.UNKNOWN and "check digit" in rec.error
    assert srv.requests == []


def test_turned_off_source_is_not_asked(register, tmp_path):
    srv = register({})
    rec = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")], off=["pl_wl"]).ids[0].record
    assert rec.status is RegStatus.UNKNOWN and "turned off" in rec.error
    assert srv.requests == []


def test_gleif_only_cross_check_without_an_lei_points_to_the_national_register(register, tmp_path):
    srv = register({"/gleif/lei-records": json_route({"data": []})})
    rec = run(srv, tmp_path, [tax_id("fr.siren", "552008443")]).ids[0].record
    assert rec.source == "gleif" and rec.status is RegStatus.UNKNOWN and "only some companies" in rec.error
    assert "annuaire-entreprises" in rec.manual_check.url
