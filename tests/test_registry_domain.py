"""Domain age through RDAP (bootstrap file cached on disk), the CERT Polska warning list, and the pure
fake-shop signal helpers."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime, timedelta, timezone

from registry_fakes import RegisterServer, fixture, fixture_route, json_route, plain_client

from trustaudit.registry import RegStatus, free_mail_addresses, verify, young_domain
from trustaudit.registry.cache import FILE_NAME
from trustaudit.registry.certpl import candidates
from trustaudit.registry.models import DomainInfo
from trustaudit.registry.rdap import normalise_domain


def run(srv, cache, domain, **table):
    return asyncio.run(verify([], domain=domain, config=srv.config(cache, **table), client_factory=plain_client,
                              deadline=time.monotonic() + 10))


def rdap_server(extra=None):
    srv = RegisterServer({})
    srv.routes["/rdap/dns.json"] = srv.bootstrap_route()
    srv.routes["/rdap/com/domain/example.com"] = fixture_route("rdap_example_com.json")
    srv.routes["/rdap/de/domain/example.de"] = fixture_route("rdap_no_registration.json")
    srv.routes["/certpl.json"] = fixture_route("certpl_domains.json")
    srv.routes.update(extra or {})
    return srv


def test_domain_age_from_rdap(tmp_path):
    with rdap_server() as srv:
        v = run(srv, tmp_path, "https://www.example.com/")
        assert "/rdap/dns.json" in srv.paths() and "/rdap/com/domain/example.com" in srv.paths()
    d = v.domain
    assert (d.name, d.status, d.registered_on) == ("example.com", RegStatus.ACTIVE, "1995-08-14")
    assert d.age_days > 10_000 and d.source.endswith("/rdap/com/")
    assert young_domain(d) is False
    assert v.to_signals()["domain"]["age_days"] == d.age_days


def test_rdap_without_a_registration_date_is_unknown(tmp_path):
    with rdap_server() as srv:
        d = run(srv, tmp_path, "example.de").domain
    assert d.status is RegStatus.UNKNOWN and d.age_days is None
    assert "no registration date" in d.error
    assert young_domain(d) is None


def test_young_domain(tmp_path):
    doc = fixture("rdap_example_com.json")
    doc["events"][0]["eventDate"] = (datetime.now(timezone.utc) - timedelta(days=12)).isoformat()
    with rdap_server({"/rdap/com/domain/fresh-deals.com": json_route(doc)}) as srv:
        d = run(srv, tmp_path, "fresh-deals.com").domain
    assert d.age_days == 12 and young_domain(d) is True
    assert young_domain(d, threshold_days=7) is False


def test_bootstrap_is_kept_on_disk(tmp_path):
    with rdap_server() as srv:
        run(srv, tmp_path, "example.com")
        run(srv, tmp_path, "example.de")
        assert srv.paths().count("/rdap/dns.json") == 1


def test_tld_without_rdap_and_missing_domain(tmp_path):
    with rdap_server() as srv:
        a = run(srv, tmp_path, "shop.xyz").domain
        b = run(srv, tmp_path, "no-such-domain.com").domain  # the server answers 404
    assert a.status is RegStatus.UNKNOWN and "no RDAP server" in a.error
    assert b.status is RegStatus.NOT_FOUND and b.age_days is None


def test_rdap_429_is_unknown(tmp_path):
    with rdap_server({"/rdap/com/domain/example.com": json_route({}, 429)}) as srv:
        d = run(srv, tmp_path, "example.com").domain
    assert d.status is RegStatus.UNKNOWN and "429" in d.error


def test_domain_names_are_normalised():
    assert normalise_domain("WWW.Example.COM.") == "example.com"
    assert normalise_domain("https://sklep.example.pl/koszyk") == "sklep.example.pl"
    idn = normalise_domain("Zażółć.pl")
    assert idn.startswith("xn--") and idn.encode().decode("idna") == "zażółć.pl"
    assert normalise_domain("localhost") is None
    assert normalise_domain("a b.pl") is None


# --------------------------------------------------------------------------- CERT Polska warning list


def test_listed_domain_and_parent_domains(tmp_path):
    with rdap_server() as srv:
        v = run(srv, tmp_path, "sklep.tanie-buty-outlet.example")
    (w,) = v.warning_lists
    assert w.checked and not w.stale
    (hit,) = w.hits
    assert (hit.list, hit.domain) == ("cert.pl", "tanie-buty-outlet.example")
    assert hit.listed_on.startswith("2026-06-01")
    assert v.to_signals()["warning_lists"] == [hit.to_dict()]


def test_removed_and_unlisted_domains_are_not_hits(tmp_path):
    with rdap_server() as srv:
        removed = run(srv, tmp_path, "juz-usunieta.example")
        clean = run(srv, tmp_path, "example.com")
        assert srv.paths().count("/certpl.json") == 1  # downloaded once, then searched on disk
    assert removed.warning_lists[0].checked and removed.warning_lists[0].hits == ()
    assert clean.warning_lists[0].hits == ()


def _age_list(cache, hours):
    with sqlite3.connect(cache / FILE_NAME) as db:
        n = db.execute("UPDATE blobs SET fetched_at = ? WHERE name LIKE 'list:cert.pl%'",
                       (time.time() - hours * 3600,)).rowcount
    assert n == 1


def test_list_refreshed_when_older_than_a_day_with_validators(tmp_path):
    seen = []

    def route(h):
        from servers import send

        seen.append(h.headers.get("If-None-Match"))
        if h.headers.get("If-None-Match") == '"v1"':
            send(h, 304, {"ETag": '"v1"'})
        else:
            send(h, *fixture_route("certpl_domains.json", headers={"ETag": '"v1"'}))

    with rdap_server({"/certpl.json": route}) as srv:
        run(srv, tmp_path, "example.com")
        _age_list(tmp_path, 25)
        v = run(srv, tmp_path, "paczka-doplata.example")
    assert seen == [None, '"v1"']  # asked again after a day, with the ETag: unchanged, 304
    assert v.warning_lists[0].checked and not v.warning_lists[0].stale
    assert v.warning_lists[0].hits[0].domain == "paczka-doplata.example"


def test_stale_copy_is_used_and_said_when_the_list_cannot_be_had(tmp_path):
    answers = [fixture_route("certpl_domains.json"), json_route({}, 503)]

    def route(h):
        from servers import send

        send(h, *answers.pop(0))

    with rdap_server({"/certpl.json": route}) as srv:
        run(srv, tmp_path, "example.com")
        _age_list(tmp_path, 30)
        w = run(srv, tmp_path, "tanie-buty-outlet.example").warning_lists[0]
    assert w.checked and w.stale and "503" in w.error
    assert len(w.hits) == 1


def test_list_unavailable_is_could_not_check(tmp_path):
    with rdap_server({"/certpl.json": json_route({}, 503)}) as srv:
        w = run(srv, tmp_path, "example.com").warning_lists[0]
    assert not w.checked and "503" in w.error and w.hits == ()


def test_list_in_an_unexpected_format_is_could_not_check(tmp_path):
    with rdap_server({"/certpl.json": json_route({"error": "moved"})}) as srv:
        w = run(srv, tmp_path, "example.com").warning_lists[0]
    assert not w.checked and "format" in w.error


def test_candidates():
    assert candidates("www.a.b.example.pl") == ["a.b.example.pl", "b.example.pl", "example.pl"]


# --------------------------------------------------------------------------- pure signal helpers


def test_free_mail_addresses():
    emails = ["sklep@gmail.com", "biuro@sklep-xyz.pl", "kontakt@WP.PL", "zamowienia@mail.ru",
              "info@gmail.com.example.pl", "no-at-sign"]
    assert free_mail_addresses(emails) == ["sklep@gmail.com", "kontakt@WP.PL", "zamowienia@mail.ru"]
    # near misses: the shop's own domain, a look-alike that merely contains a provider's name
    assert free_mail_addresses(["office@o2.pl.example.com", "shop@mygmail.com"]) == []


def test_young_domain_threshold_is_data():
    from trustaudit.registry import data as regdata

    limit = regdata.young_domain_days()
    at = DomainInfo("x.pl", RegStatus.ACTIVE, "2026-01-01", age_days=limit)
    after = DomainInfo("x.pl", RegStatus.ACTIVE, "2026-01-01", age_days=limit + 1)
    assert young_domain(at) is True and young_domain(after) is False
    assert young_domain(None) is None
