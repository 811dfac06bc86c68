"""Register look-ups end to end: ``trustaudit scan`` of a loopback shop (``shop.test`` through ``--resolve``) with
every register replaced by a loopback server replaying its documented answers (tests/fixtures/registry/), reached
by name (``registers.test``, also through ``--resolve``) from the TRUSTAUDIT_*_URL variables.

What a register says lands in the JSON report (``signals.tax_ids[].registry``, ``signals.domain``,
``signals.warning_lists``), in the checks (``legal.id-registered``, ``legal.id-matches-seller``,
``security.domain-age``, ``security.warning-list``), in the grade (a contradicted identity caps it) and next to
each ID in the terminal, HTML and Markdown reports. "Could not check" is never a pass or a fail.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from registry_fakes import RegisterServer, fixture, fixture_bytes, fixture_route, json_route, slow
from servers import TestServer, html, send
from typer.testing import CliRunner

from trustaudit.cli import app

runner = CliRunner()
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "trustaudit/schema/report.schema.json").read_text())
OTHER_SELLER = "Ceramika Kowalski sp. z o.o."
REGISTERED = "Booksy International sp. z o.o."  # the company the white-list fixture answers for NIP 951-238-16-07

PAGE = """<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Ceramika</title>{head}</head><body>
<header><a href="/">Ceramika</a> <a href="/kontakt">Kontakt</a></header>
<main><h1>Kubki ręcznie malowane</h1><p>Kubek w groszki 39 zł</p></main>
<footer><p>{seller}, ul. Garncarska 12, 59-700 Bolesławiec</p><p>{ids}</p>
<p>E-mail: sklep@ceramika.test, tel. +48 75 612 34 56</p><p>Płatności: BLIK, karta płatnicza, przelew bankowy</p>
</footer></body></html>"""


def page(seller: str = REGISTERED, ids: str = "NIP: 951-238-16-07", head: str = "") -> str:
    return PAGE.format(seller=seller, ids=ids, head=head)


def rdap_answer(days_ago: int | None, name: str = "shop.test") -> dict:
    doc = fixture("rdap_example_com.json")
    doc["ldhName"] = name
    if days_ago is None:
        doc["events"] = [e for e in doc["events"] if e.get("eventAction") != "registration"]
    else:
        doc["events"][0]["eventDate"] = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat()
    return doc


class Registers:
    """Every register on one loopback server, named ``registers.test`` in the TRUSTAUDIT_*_URL variables."""

    def __init__(self, monkeypatch, routes: dict | None = None):
        self.srv = RegisterServer({}).start()
        base = f"http://registers.test:{self.srv.port}"
        bootstrap = {"services": [[["test"], [f"{base}/rdap/test/"]], [["pl"], [f"{base}/rdap/pl/"]]]}
        self.srv.routes.update({
            "/rdap/dns.json": json_route(bootstrap),
            "/rdap/test/domain/shop.test": json_route(rdap_answer(4000)),
            "/certpl.json": fixture_route("certpl_domains.json"),
            "/wl/api/search/nip/9512381607": fixture_route("wl_active.json"),
            "/gleif/lei-records": json_route({"data": []}),
        })
        self.srv.routes.update(routes or {})
        for var, path in (("TRUSTAUDIT_VIES_URL", "/vies"), ("TRUSTAUDIT_PL_WL_URL", "/wl"),
                          ("TRUSTAUDIT_PL_KRS_URL", "/krs"), ("TRUSTAUDIT_GLEIF_URL", "/gleif"),
                          ("TRUSTAUDIT_CH_URL", "/ch"), ("TRUSTAUDIT_RDAP_BOOTSTRAP_URL", "/rdap/dns.json"),
                          ("TRUSTAUDIT_CERTPL_URL", "/certpl.json")):
            monkeypatch.setenv(var, base + path)
        self.resolve = ["--resolve", f"registers.test:{self.srv.port}:127.0.0.1"]

    def hits(self, prefix: str) -> list:
        return self.srv.hits(prefix)

    def stop(self) -> None:
        self.srv.stop()


@pytest.fixture
def registers(monkeypatch):
    made: list[Registers] = []

    def factory(routes: dict | None = None) -> Registers:
        r = Registers(monkeypatch, routes)
        made.append(r)
        return r

    yield factory
    for r in made:
        r.stop()


@pytest.fixture
def shop():
    made: list[TestServer] = []

    def factory(body: str) -> TestServer:
        srv = TestServer({"/": html(body), "/kontakt": html(body)}).start()
        made.append(srv)
        return srv

    yield factory
    for s in made:
        s.stop()


def scan(shop_srv: TestServer, regs: Registers | None, *extra: str, fmt: str = "json"):
    args = ["scan", f"http://shop.test:{shop_srv.port}/", "-q", "-f", fmt, "--resolve",
            f"shop.test:{shop_srv.port}:127.0.0.1", *(regs.resolve if regs else ()), "--total-timeout", "20", *extra]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res


def report(res) -> dict:
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def check(doc: dict, cid: str) -> dict:
    return next(c for c in doc["checks"] if c["id"] == cid)


def registry_of(doc: dict, scheme: str) -> dict:
    return next(t["registry"] for t in doc["signals"]["tax_ids"] if t["scheme"] == scheme)


# --------------------------------------------------------------------------- identity


def test_a_valid_nip_of_another_company_fails_and_caps_the_grade(registers, shop):
    regs, srv = registers(), shop(page(seller=OTHER_SELLER))
    doc = report(scan(srv, regs))
    rec = registry_of(doc, "pl.nip")
    assert rec["source"] == "pl_wl" and rec["status"] == "active" and rec["name_match"] is False
    assert rec["name"].startswith("BOOKSY INTERNATIONAL") and rec["checked_at"] and rec["error"] is None
    c = check(doc, "legal.id-matches-seller")
    assert c["status"] == "fail" and c["caps_grade"] == "F" and "BOOKSY" in c["title"]
    assert doc["grade_cap"]["check"] == "legal.id-matches-seller" and doc["grade"] == "F"
    assert doc["score"] is not None and doc["score"] > 50  # the score stays; the grade is capped
    assert check(doc, "legal.id-registered")["status"] == "pass"  # the number exists: it is just not theirs
    assert len(regs.hits("/wl/api/search/nip/9512381607")) == 1
    # only the number was sent: no seller name, no page text
    assert all("Ceramika" not in r.path for r in regs.srv.requests)


def test_the_seller_named_as_registered_passes_and_every_format_shows_the_verdict(registers, shop, tmp_path):
    regs, srv = registers(), shop(page(seller=REGISTERED))
    doc = report(scan(srv, regs))
    rec = registry_of(doc, "pl.nip")
    assert (rec["status"], rec["name_match"]) == ("active", True)
    assert check(doc, "legal.id-matches-seller")["status"] == "pass"
    assert check(doc, "legal.id-registered")["status"] == "pass"
    assert not any(c.get("caps_grade") for c in doc["checks"] if c["id"].startswith("legal."))
    assert doc["signals"]["verification"]["enabled"] is True and doc["signals"]["verification"]["errors"] == []
    scan(srv, regs, "--lang", "en", "-o", str(tmp_path / "report.txt"))
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "Identifiers in the official registers" in text
    line = next(x for x in text.splitlines() if "9512381607" in x)
    assert "registered and active" in line and "white list of VAT payers" in line
    assert "BOOKSY INTERNATIONAL" in text and "the registered name is the seller's" in text
    md = scan(srv, regs, "--lang", "pl", fmt="md").stdout
    assert "Numery w oficjalnych rejestrach" in md and "zarejestrowany i aktywny" in md
    page_html = scan(srv, regs, "--lang", "ru", fmt="html").stdout
    assert 'id="registers"' in page_html and "зарегистрирован и действует" in page_html
    assert len(regs.hits("/wl/")) == 1  # four scans, one question: the others read the cache


def test_a_removed_vat_payer_fails_and_caps_the_grade(registers, shop):
    regs = registers({"/wl/api/search/nip/5631410744": fixture_route("wl_removed.json")})
    srv = shop(page(seller="Marek Zieliński Usługi Remontowe", ids="NIP: 563-141-07-44"))
    doc = report(scan(srv, regs))
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "inactive" and rec["removed_on"] == "2022-11-02"
    c = check(doc, "legal.id-registered")
    assert c["status"] == "fail" and c["caps_grade"] == "F" and "5631410744" in c["title"]
    assert doc["grade"] == "F" and doc["grade_cap"]["check"] == "legal.id-registered"


def test_a_number_not_on_the_white_list_is_a_warning_not_a_failure(registers, shop):
    regs = registers({"/wl/api/search/nip/9512381607": fixture_route("wl_not_found.json")})
    doc = report(scan(shop(page()), regs))
    assert registry_of(doc, "pl.nip")["status"] == "not_found"
    c = check(doc, "legal.id-registered")
    assert c["status"] == "warn" and not c.get("caps_grade")  # VAT-exempt businesses are not listed
    assert check(doc, "legal.id-matches-seller")["status"] == "error"  # nothing to compare: could not check


def test_krs_404_is_not_found_and_fails(registers, shop):
    regs = registers({"/wl/api/search/nip/9512381607": fixture_route("wl_active.json")})
    srv = shop(page(ids="KRS: 0000999999"))
    doc = report(scan(srv, regs))
    rec = registry_of(doc, "pl.krs")
    assert rec["source"] == "pl_krs" and rec["status"] == "not_found"
    assert {r.path.split("?")[0] for r in regs.hits("/krs/")} == {"/krs/OdpisAktualny/0000999999"}
    assert sorted(regs.srv.query(r)["rejestr"][0] for r in regs.hits("/krs/")) == ["P", "S"]
    c = check(doc, "legal.id-registered")
    assert c["status"] == "fail" and "0000999999" in c["title"] and not c.get("caps_grade")


@pytest.mark.parametrize("route, code", [
    (fixture_route("vies_ms_unavailable.json", status=500), "MS_UNAVAILABLE"),
    (fixture_route("vies_ms_max_concurrent.json", status=500), "MS_MAX_CONCURRENT_REQ"),
    (json_route({}, 429, {"Retry-After": "120"}), "429"),
])
def test_vies_unavailable_busy_or_rate_limited_is_could_not_check(registers, shop, route, code):
    regs = registers({"/vies/check-vat-number": route})
    srv = shop(page(ids="USt-IdNr.: DE136695976"))
    doc = report(scan(srv, regs, "--country", "DE"))
    rec = registry_of(doc, "de.vat")
    assert rec["source"] == "vies" and rec["status"] == "unknown" and code in rec["error"]
    assert rec["manual_check"]["url"].startswith("https://ec.europa.eu/taxation_customs/vies")
    for cid in ("legal.id-registered", "legal.id-matches-seller"):
        c = check(doc, cid)
        assert c["status"] == "error", (cid, c)  # never a pass, never a fail
    assert code in check(doc, "legal.id-registered")["reason"]
    assert "ec.europa.eu" in check(doc, "legal.id-registered")["reason"]  # where to check by hand
    assert not any(c.get("caps_grade") for c in doc["checks"] if c["id"].startswith("legal."))


@pytest.mark.parametrize("name, code", [("wl_error_wl113.json", "WL-113"), ("wl_error_wl196.json", "WL-196")])
def test_white_list_error_codes_are_could_not_check(registers, shop, name, code):
    regs = registers({"/wl/api/search/nip/9512381607": fixture_route(name, status=400)})
    doc = report(scan(shop(page()), regs))
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "unknown" and code in rec["error"]
    c = check(doc, "legal.id-registered")
    assert c["status"] == "error" and code in c["reason"] and "podatki.gov.pl" in c["reason"]


def test_numbers_of_two_companies_conflict(registers, shop):
    # the KRS extract names another NIP than the one shown next to it
    regs = registers({"/krs/OdpisAktualny/0000413516": fixture_route("krs_swlex.json")})
    srv = shop(page(ids="NIP: 951-238-16-07, KRS: 0000413516"))
    doc = report(scan(srv, regs))
    assert any(c["id"] == "pl.krs:0000413516" and c["registered"] == "9721237317"
               for c in doc["signals"]["id_conflicts"])
    c = check(doc, "legal.id-matches-seller")
    assert c["status"] == "fail" and c["caps_grade"] == "F"


# --------------------------------------------------------------------------- domain and warning list


def test_a_domain_registered_weeks_ago_fails(registers, shop):
    regs = registers({"/rdap/test/domain/shop.test": json_route(rdap_answer(12))})
    doc = report(scan(shop(page()), regs))
    d = doc["signals"]["domain"]
    assert (d["name"], d["age_days"]) == ("shop.test", 12) and d["source"].endswith("/rdap/test/")
    c = check(doc, "security.domain-age")
    assert c["status"] == "fail" and "12" in c["evidence"][0]["snippet"]


def test_an_old_domain_passes(registers, shop):
    doc = report(scan(shop(page()), registers()))
    assert doc["signals"]["domain"]["age_days"] >= 4000
    assert check(doc, "security.domain-age")["status"] == "pass"
    c = check(doc, "security.warning-list")
    assert c["status"] == "pass" and "cert.pl" in c["evidence"][0]["snippet"]
    assert doc["signals"]["warning_lists"] == []


def test_rdap_without_a_registration_date_is_could_not_check(registers, shop):
    regs = registers({"/rdap/test/domain/shop.test": json_route(rdap_answer(None))})
    doc = report(scan(shop(page()), regs))
    d = doc["signals"]["domain"]
    assert d["age_days"] is None and d["registered_on"] is None and "no registration date" in d["error"]
    c = check(doc, "security.domain-age")
    assert c["status"] == "error" and "no registration date" in c["reason"]


def test_a_domain_on_the_warning_list_fails_and_caps_the_grade(registers, shop):
    rows = json.loads(fixture_bytes("certpl_domains.json")) + [
        {"RegisterPositionId": 9, "DomainAddress": "shop.test", "InsertDate": "2026-06-02T08:00:00", "DeleteDate": None}]
    regs = registers({"/certpl.json": json_route(rows)})
    doc = report(scan(shop(page()), regs))
    assert doc["signals"]["warning_lists"] == [{"list": "cert.pl", "domain": "shop.test",
                                                 "listed_on": "2026-06-02T08:00:00+00:00"}]
    c = check(doc, "security.warning-list")
    assert c["status"] == "fail" and c["severity"] == "critical" and c["caps_grade"] == "F"
    assert doc["grade"] == "F"


def test_the_warning_list_unavailable_is_could_not_check(registers, shop):
    regs = registers({"/certpl.json": json_route({}, 503)})
    doc = report(scan(shop(page()), regs))
    c = check(doc, "security.warning-list")
    assert c["status"] == "error" and "503" in c["reason"]


# --------------------------------------------------------------------------- deadline, switches, addresses


def test_a_slow_register_does_not_hold_the_scan_past_its_deadline(registers, shop):
    regs = registers({"/wl/api/search/nip/9512381607": slow(30, fixture_route("wl_active.json"))})
    srv = shop(page())
    t0 = time.monotonic()
    res = runner.invoke(app, ["scan", f"http://shop.test:{srv.port}/", "-q", "-f", "json", "--total-timeout", "3",
                              "--resolve", f"shop.test:{srv.port}:127.0.0.1", *regs.resolve])
    elapsed = time.monotonic() - t0
    assert res.exit_code == 0, res.output
    assert elapsed < 6, elapsed  # the scan's deadline (3 s) holds; the register would answer in 30 s
    doc = report(res)
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "unknown" and "deadline" in rec["error"]
    assert check(doc, "legal.id-registered")["status"] == "error"
    assert check(doc, "security.domain-age")["status"] == "pass"  # the fast registers still answered


def test_no_verify_asks_nothing(registers, shop):
    regs = registers()
    doc = report(scan(shop(page()), regs, "--no-verify"))
    assert regs.srv.requests == []
    assert doc["signals"]["verification"] == {"enabled": False, "reason": "off", "errors": [], "duration_s": None}
    assert doc["signals"]["domain"] is None and "registry" not in doc["signals"]["tax_ids"][0]
    for cid in ("legal.id-registered", "legal.id-matches-seller", "security.domain-age", "security.warning-list"):
        c = check(doc, cid)
        assert c["status"] == "error" and "--no-verify" in c["reason"], cid


def test_register_hosts_resolve_only_through_resolve(registers, shop):
    regs = registers()
    srv = shop(page())
    res = runner.invoke(app, ["scan", f"http://shop.test:{srv.port}/", "-q", "-f", "json",
                              "--resolve", f"shop.test:{srv.port}:127.0.0.1"])  # no entry for registers.test
    doc = report(res)
    assert regs.srv.requests == []
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "unknown" and "registers.test" in rec["error"]


def test_a_register_on_a_private_address_is_refused_unless_the_user_configured_it(monkeypatch, registers, shop,
                                                                                   tmp_path):
    """The official address resolving to loopback (a hostile or broken DNS answer) is refused; only register
    addresses the user chose (environment, [registries], --resolve) may be private."""
    from trustaudit.registry import data as regdata

    regs = registers()
    monkeypatch.delenv("TRUSTAUDIT_PL_WL_URL")
    official = regdata.sources()["pl_wl"].url.split("//", 1)[1]
    srv = shop(page())
    # the official white-list host resolves to a loopback address the user did not choose
    from trustaudit.net import resolve as resolve_mod

    real = resolve_mod.SystemResolver.resolve

    async def hostile(self, host, port):
        return ["127.0.0.3"] if host == official else await real(self, host, port)

    monkeypatch.setattr(resolve_mod.SystemResolver, "resolve", hostile)
    cfg = tmp_path / "trustaudit.toml"  # answers of the official address kept by other tests are not ours
    cfg.write_text(f'[registries]\ncache_dir = "{tmp_path / "cache"}"\n', encoding="utf-8")
    doc = report(scan(srv, regs, "--config", str(cfg)))
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "unknown" and "refused" in rec["error"]


def test_registries_table_of_the_config_file(registers, shop, tmp_path, monkeypatch):
    regs = registers()
    monkeypatch.delenv("TRUSTAUDIT_PL_WL_URL")
    cfg = tmp_path / "trustaudit.toml"
    cfg.write_text(f'[registries]\npl_wl_url = "http://registers.test:{regs.srv.port}/wl"\n', encoding="utf-8")
    doc = report(scan(shop(page()), regs, "--config", str(cfg)))
    assert registry_of(doc, "pl.nip")["status"] == "active" and len(regs.hits("/wl/")) == 1
    cfg.write_text('[registries]\noff = ["pl_wl"]\n', encoding="utf-8")
    doc = report(scan(shop(page()), regs, "--config", str(cfg)))
    rec = registry_of(doc, "pl.nip")
    assert rec["status"] == "unknown" and "turned off" in rec["error"] and len(regs.hits("/wl/")) == 1


@pytest.mark.parametrize("text, msg", [
    ('[registries]\npl_wl_ulr = "http://x.test/wl"\n', "unknown key 'pl_wl_ulr' (nearest: 'pl_wl_url')"),
    ('[registries]\noff = ["veis"]\n', "nearest: 'vies'"),
    ('[registries]\nvies_url = "ftp://x"\n', "not an http(s) URL"),
    ('[registrys]\noff = []\n', "unknown key 'registrys' (nearest: 'registries')"),
])
def test_a_bad_registries_table_is_a_usage_error(tmp_path, text, msg):
    cfg = tmp_path / "trustaudit.toml"
    cfg.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["scan", "--demo", "-q", "--config", str(cfg)])
    assert res.exit_code == 2 and msg in res.stderr, res.stderr


def test_a_bad_register_address_in_the_environment_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("TRUSTAUDIT_VIES_URL", "file:///etc/passwd")
    res = runner.invoke(app, ["scan", "--demo", "-q"])
    assert res.exit_code == 2 and "TRUSTAUDIT_VIES_URL" in res.stderr
    assert runner.invoke(app, ["scan", "--demo", "-q", "--no-verify"]).exit_code == 0  # nothing is asked then


# --------------------------------------------------------------------------- saved pages and the demo


def test_saved_page_is_looked_up_only_with_verify_using_its_canonical_domain(registers, tmp_path):
    regs = registers({"/rdap/pl/domain/ceramika-kowalski.pl": json_route(rdap_answer(20, "ceramika-kowalski.pl"))})
    saved = tmp_path / "index.html"
    saved.write_text(page(head='<link rel="canonical" href="https://www.ceramika-kowalski.pl/">'), encoding="utf-8")
    res = runner.invoke(app, ["scan", str(saved), "-q", "-f", "json"])
    doc = report(res)
    assert regs.srv.requests == [] and doc["signals"]["verification"]["reason"] == "saved_copy"
    assert "--verify" in check(doc, "legal.id-registered")["reason"]
    res = runner.invoke(app, ["scan", str(saved), "-q", "-f", "json", "--verify", *regs.resolve])
    doc = report(res)
    assert doc["signals"]["domain"]["name"] == "ceramika-kowalski.pl"
    assert check(doc, "security.domain-age")["status"] == "fail"
    assert registry_of(doc, "pl.nip")["status"] == "active"
    assert regs.hits("/rdap/pl/domain/ceramika-kowalski.pl") and regs.hits("/wl/")


def test_saved_page_with_og_url_only(registers, tmp_path):
    regs = registers({"/rdap/pl/domain/ceramika-kowalski.pl": json_route(rdap_answer(900, "ceramika-kowalski.pl"))})
    saved = tmp_path / "index.html"
    saved.write_text(page(head='<meta property="og:url" content="https://sklep.ceramika-kowalski.pl/kubki">'),
                     encoding="utf-8")
    doc = report(runner.invoke(app, ["scan", str(saved), "-q", "-f", "json", "--verify", *regs.resolve]))
    assert doc["signals"]["domain"]["name"] == "ceramika-kowalski.pl"
    assert check(doc, "security.domain-age")["status"] == "pass"


def test_saved_page_without_a_domain_says_so(registers, tmp_path):
    regs = registers()
    saved = tmp_path / "index.html"
    saved.write_text(page(), encoding="utf-8")
    doc = report(runner.invoke(app, ["scan", str(saved), "-q", "-f", "json", "--verify", *regs.resolve]))
    assert doc["signals"]["domain"] is None
    assert check(doc, "security.domain-age")["status"] == "error"
    assert registry_of(doc, "pl.nip")["status"] == "active"  # the IDs are still looked up


def test_the_demo_shop_stays_offline(registers):
    regs = registers()
    res = runner.invoke(app, ["scan", "--demo", "-q", "-f", "json"])
    doc = report(res)
    assert regs.srv.requests == []
    assert doc["signals"]["verification"]["enabled"] is False


# --------------------------------------------------------------------------- batch


def test_a_batch_of_shops_sharing_a_nip_asks_the_register_once(registers, shop, tmp_path):
    regs = registers({"/rdap/test/domain/*": json_route(rdap_answer(4000))})
    srv = shop(page())
    names = [f"shop{i}.test" for i in range(6)]
    shops = tmp_path / "shops.txt"
    shops.write_text("".join(f"http://{n}:{srv.port}/\n" for n in names), encoding="utf-8")
    args = ["batch", str(shops), "--out", str(tmp_path / "out"), "-q", "--concurrency", "4", "--processes", "2"]
    for n in names:
        args += ["--resolve", f"{n}:{srv.port}:127.0.0.1"]
    res = runner.invoke(app, args + regs.resolve)
    assert res.exit_code == 0, res.output
    assert len(regs.hits("/wl/api/search/nip/9512381607")) == 1  # one request per distinct ID, across processes
    assert len(regs.hits("/certpl.json")) == 1 and len(regs.hits("/rdap/dns.json")) == 1
    assert len(regs.hits("/rdap/test/domain/")) == len(names)  # each shop's own domain
    reports = sorted((tmp_path / "out" / "reports").glob("*.json"))
    assert len(reports) == len(names)
    for path in reports:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert registry_of(doc, "pl.nip")["status"] == "active"


# --------------------------------------------------------------------------- the report contract


def test_schema_1_3_describes_the_register_answers_and_older_reports_still_render(registers, shop):
    from trustaudit.models import SCHEMA_VERSION
    from trustaudit.render import Format, render
    from trustaudit.report import report_from_dict

    assert tuple(map(int, SCHEMA_VERSION.split("."))) >= (1, 3)  # fields are only added within 1.x
    doc = report(scan(shop(page(ids="NIP: 951-238-16-07, USt-IdNr.: DE136695976")), registers(), "--country", "PL"))
    assert doc["schema_version"] == SCHEMA_VERSION
    bad = json.loads(json.dumps(doc))
    bad["signals"]["tax_ids"][0]["registry"]["status"] = "valid"  # four statuses, never two
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    bad = json.loads(json.dumps(doc))
    del bad["signals"]["tax_ids"][0]["registry"]["name_match"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    # a 1.2 report (before look-ups) is still a valid 1.x report and renders without the registers' section
    old = json.loads(json.dumps(doc))
    old["schema_version"] = "1.2"
    for key in ("domain", "warning_lists", "warning_lists_checked", "id_conflicts", "verification", "prices"):
        del old["signals"][key]
    for t in old["signals"]["tax_ids"]:
        del t["registry"]
    jsonschema.validate(old, SCHEMA)
    text = render(report_from_dict(old), Format.MD, "en")
    assert "official registers" not in text
    assert "official registers" in render(report_from_dict(doc), Format.MD, "en")


def test_the_registry_client_is_imported_only_when_a_scan_verifies():
    import subprocess
    import sys

    code = ("import sys\nfrom trustaudit.cli import main\nsys.argv = ['trustaudit', 'scan', '--demo', '-q']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('trustaudit.registry.verification', 'trustaudit.registry.match', 'rapidfuzz',"
            " 'anyascii') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_domain_is_looked_up_while_the_shop_is_crawled(registers):
    """The domain's age is asked for as soon as the target is known: the first RDAP request (the bootstrap file)
    arrives while the shop's home page is still being answered, and the two waits overlap instead of adding up."""
    seen: dict[str, float] = {}
    bootstrap = json_route({"services": [[["test"], ["http://registers.test:{port}/rdap/test/"]]]})

    def first_rdap(h):
        seen.setdefault("rdap", time.monotonic())
        status, headers, body = bootstrap
        send(h, status, headers, body.replace(b"{port}", str(h.server.server_address[1]).encode()))

    def slow_home(h):
        seen.setdefault("home", time.monotonic())
        slow(2.5, html(page()))(h)
        seen["home_done"] = time.monotonic()

    regs = registers({"/rdap/dns.json": first_rdap,
                      "/rdap/test/domain/shop.test": slow(2.5, json_route(rdap_answer(4000)))})
    with TestServer({"/": slow_home}) as srv:
        t0 = time.monotonic()
        doc = report(scan(srv, regs))
        elapsed = time.monotonic() - t0
    assert doc["signals"]["domain"]["age_days"] >= 4000
    assert seen["rdap"] < seen["home_done"]  # asked while the crawl waited for the shop
    after_start = t0 + elapsed - seen["home"]  # from the crawl's first page request to the end of the scan
    assert after_start < 4.5, after_start  # 2.5 s + 2.5 s in a row would be 5 s and more


def test_rdap_servers_named_by_a_configured_bootstrap_file_may_be_on_loopback(registers, shop):
    """A bootstrap file the user chose names the RDAP servers: they are the user's choice too (here a server on
    another loopback address, 127.0.0.2, that nothing else trusts)."""
    with TestServer({"/domain/shop.test": json_route(rdap_answer(30))}, host="127.0.0.2") as rdap:
        regs = registers({"/rdap/dns.json": json_route(
            {"services": [[["test"], [f"http://rdap.test:{rdap.port}/"]]]})})
        doc = report(scan(shop(page()), regs, "--resolve", f"rdap.test:{rdap.port}:127.0.0.2"))
        assert rdap.paths() == ["/domain/shop.test"]
    assert doc["signals"]["domain"]["age_days"] == 30
    assert check(doc, "security.domain-age")["status"] == "fail"
