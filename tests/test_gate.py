"""The connection gate (trustaudit.net): address classes, --resolve, and every way a hostile shop can steer the
crawler at the scanning machine's own network, on loopback servers reached through a fake resolver.

Loopback addresses other than the target's play the private network: the target ``shop.test`` is
127.0.0.1 (the user asked for it), ``127.0.0.2`` plays "intranet" and "metadata" (a loopback address nobody
asked for is refused exactly as 10.x or 169.254.169.254 is). Answers that name the real metadata address are
refused before any connection is attempted.
"""

from __future__ import annotations

import asyncio
import csv
import json

import httpx
import pytest
from servers import FakeResolver, html, redirect
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.crawl import TargetError, crawl
from trustaudit.net import Gate, GateRefused, address_class, make_client, parse_resolve, resolver_for
from trustaudit.options import ScanOptions

INTRANET = "127.0.0.2"
SECRET = "root-credentials@intranet.example"


def opts(**kw) -> ScanOptions:
    base = dict(max_pages=10, timeout=1.5, total_timeout=8.0, max_bytes=1_000_000, concurrency=4)
    base.update(kw)
    return ScanOptions(**base)


def page(body: str) -> tuple[int, dict[str, str], bytes]:
    return html(f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>")


def all_text(snap) -> str:
    return "\n".join(p.text for p in snap.pages)


@pytest.fixture
def shop(serve):
    """The shop on 127.0.0.1; its pages are set by each test."""
    return serve({"/": page("<p>home</p>"), "/ok": page("<p>ok</p>")})


@pytest.fixture
def intranet(serve, shop):
    """A server on 127.0.0.2 that plays the cloud metadata service and an intranet page, on the shop's own port
    (so only the gate, not the same-port rule, stands between the crawler and it)."""
    return serve({
        "/latest/meta-data/iam/security-credentials/*": page(f"<p>{SECRET}</p>"),
        "/*": page(f"<footer><a href='/kontakt'>Kontakt</a> {SECRET}</footer>"),
    }, host=INTRANET, port=shop.port)


# --------------------------------------------------------------------------- address classes and policy


@pytest.mark.parametrize(
    ("ip", "cls"),
    [
        ("8.8.8.8", "public"), ("2606:4700::1111", "public"),
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("172.16.5.4", "private"), ("fd00::1", "private"),
        ("169.254.1.1", "link_local"), ("fe80::1", "link_local"),
        ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"), ("::ffff:169.254.169.254", "metadata"),
        ("100.64.0.1", "cgnat"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "reserved"), ("::", "reserved"), ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
        ("64:ff9b::7f00:1", "loopback"), ("2002:7f00:1::", "loopback"), ("2002:a00:1::", "private"),
        ("not-an-ip", "reserved"),
    ],
)
def test_address_class(ip, cls):
    assert address_class(ip) == cls


def _check(gate: Gate, host: str, port: int = 80):
    return asyncio.run(gate.check(host, port))


def test_policy_public_allowed_private_refused_target_trusted():
    res = FakeResolver({
        "shop.test": ["127.0.0.1"], "pub.test": ["93.184.216.34"], "intra.test": ["10.0.0.5"],
        "mixed.test": ["93.184.216.34", "10.0.0.5"], "meta.test": ["169.254.169.254"],
    })
    gate = Gate(resolver=res)
    assert _check(gate, "pub.test").allowed == ("93.184.216.34",)
    v = _check(gate, "intra.test")
    assert not v.ok and "10.0.0.5, a private-network address" in v.reason and "--allow-private" in v.reason
    v = _check(gate, "mixed.test")
    assert v.allowed == ("93.184.216.34",) and v.addresses == ("93.184.216.34", "10.0.0.5")  # only checked ones
    assert not _check(gate, "shop.test").ok
    asyncio.run(gate.trust("shop.test", 80))  # the user's own target
    assert _check(gate, "shop.test").allowed == ("127.0.0.1",)
    assert not _check(gate, "127.0.0.2").ok  # another loopback address is not what the user asked for
    assert "cannot resolve host nope.test" in _check(gate, "nope.test").reason


def test_allow_private_opens_private_but_never_metadata():
    res = FakeResolver({"intra.test": ["10.0.0.5"], "meta.test": ["169.254.169.254"], "zero.test": ["0.0.0.0"]})
    gate = Gate(resolver=res, allow_private=True)
    assert _check(gate, "intra.test").ok and _check(gate, "zero.test").ok
    v = _check(gate, "meta.test")
    assert not v.ok and "cloud-metadata" in v.reason and "only the scan target itself" in v.reason
    asyncio.run(gate.trust("meta.test", 80))  # scanning the metadata address itself, on purpose
    assert _check(gate, "meta.test").ok


@pytest.mark.parametrize(
    ("spec", "host", "port", "addrs"),
    [
        ("shop.test:443:127.0.0.1", "shop.test", 443, ("127.0.0.1",)),
        ("Shop.Test.:8080:127.0.0.1,[::1]", "shop.test", 8080, ("127.0.0.1", "::1")),
        ("+sklep.test:80:10.0.0.1", "sklep.test", 80, ("10.0.0.1",)),
        ("żółw.test:80:127.0.0.1", "xn--w-uga1v8h.test", 80, ("127.0.0.1",)),
    ],
)
def test_parse_resolve(spec, host, port, addrs):
    e = parse_resolve(spec)
    assert (e.host, e.port, e.addresses) == (host, port, addrs)


@pytest.mark.parametrize("spec", ["shop.test", "shop.test:443", "shop.test:https:127.0.0.1", "shop.test:0:127.0.0.1",
                                  "shop.test:443:not-an-ip", ":443:127.0.0.1", "shop.test:99999:127.0.0.1"])
def test_parse_resolve_rejects(spec):
    with pytest.raises(ValueError, match="--resolve"):
        parse_resolve(spec)


def test_resolve_entries_match_host_and_port_only():
    r = resolver_for(["shop.test:8443:127.0.0.1"])
    assert asyncio.run(r.resolve("shop.test", 8443)) == ["127.0.0.1"]
    assert asyncio.run(r.resolve("SHOP.test.", 8443)) == ["127.0.0.1"]
    assert asyncio.run(r.resolve("shop.test", 443)) == []  # another port: the system resolver, never DNS for .test
    assert asyncio.run(r.resolve("127.0.0.9", 1)) == ["127.0.0.9"]


# --------------------------------------------------------------------------- the crawl behind the gate


def test_links_to_own_subdomain_on_private_address_are_refused(shop, intranet):
    """The shop links to a subdomain of its own that resolves into the scanning machine's network."""
    meta_url = f"http://meta.shop.test:{intranet.port}/latest/meta-data/iam/security-credentials/"
    intra_url = f"http://intranet.shop.test:{intranet.port}/"
    cloud_url = "http://cloud.shop.test/latest/meta-data/"
    shop.routes["/"] = page(f"<footer><a href='{meta_url}'>Kontakt</a><a href='{intra_url}'>O nas</a>"
                            f"<a href='{cloud_url}'>Regulamin</a><a href='/ok'>FAQ</a></footer>")
    res = FakeResolver({"shop.test": ["127.0.0.1"], "meta.shop.test": [INTRANET], "intranet.shop.test": [INTRANET],
                        "cloud.shop.test": ["169.254.169.254"]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    blocked = {e.url: e for e in snap.errors if e.kind == "blocked_address"}
    assert set(blocked) == {meta_url, intra_url, cloud_url}
    assert f"meta.shop.test resolves to {INTRANET}, a loopback address" in blocked[meta_url].error
    assert "169.254.169.254, a cloud-metadata address" in blocked[cloud_url].error
    assert intranet.requests == [] and SECRET not in all_text(snap)
    assert f"http://shop.test:{shop.port}/ok" in [p.url for p in snap.pages]
    # the Host header is the shop's name, the connection went to the address the resolver gave
    assert {r.headers["host"] for r in shop.requests} == {f"shop.test:{shop.port}"}


def test_robots_sitemap_line_and_sitemap_entries_pass_the_gate(shop, intranet):
    shop.routes["/"] = page("<p>few links</p>")
    port = intranet.port
    shop.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                  f"User-agent: *\nSitemap: http://intranet.shop.test:{port}/sitemap.xml\n"
                                  f"Sitemap: http://shop.test:{shop.port}/sitemap.xml\n".encode())
    shop.routes["/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, (
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>http://intranet.shop.test:{port}/latest/meta-data/</loc></url>"
        f"<url><loc>http://shop.test:{shop.port}/ok</loc></url></urlset>").encode())
    res = FakeResolver({"shop.test": ["127.0.0.1"], "intranet.shop.test": [INTRANET]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    assert intranet.requests == [] and SECRET not in all_text(snap)
    assert f"http://shop.test:{shop.port}/ok" in [p.url for p in snap.pages]
    assert any(e.kind == "blocked_address" and "intranet.shop.test" in e.url for e in snap.errors)


def test_redirect_through_the_shop_into_the_intranet_is_refused(shop, intranet):
    shop.routes["/"] = page("<footer><a href='/kontakt'>Kontakt</a></footer>")
    shop.routes["/kontakt"] = redirect(f"http://intranet.shop.test:{intranet.port}/")
    res = FakeResolver({"shop.test": ["127.0.0.1"], "intranet.shop.test": [INTRANET]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    err = next(e for e in snap.errors if e.url == f"http://shop.test:{shop.port}/kontakt")
    assert err.kind == "blocked_redirect" and INTRANET in err.error
    assert intranet.requests == []


def test_dns_rebinding_cannot_switch_the_checked_address(shop, intranet):
    """First answer allowed, second private: the connection goes to the address that was checked.

    No test may touch the internet, so the allowed first answer is the target's own address (which the gate
    allows exactly as it allows a public one) rather than a public address."""
    www = f"http://www.shop.test:{shop.port}"
    shop.routes["/"] = page(f"<footer><a href='{www}/kontakt'>Kontakt</a><a href='{www}/regulamin'>Regulamin</a></footer>")
    shop.routes["/kontakt"] = page("<p>kontakt@shop.test</p>")
    shop.routes["/regulamin"] = page("<p>regulamin</p>")
    res = FakeResolver({"shop.test": ["127.0.0.1"], "www.shop.test": [["127.0.0.1"], [INTRANET]]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    assert {p.url.rsplit("/", 1)[-1] for p in snap.pages} == {"", "kontakt", "regulamin"}
    assert res.asked("www.shop.test") == 1  # one answer, checked once, used for every connection
    assert intranet.requests == []


def test_every_connection_is_checked_even_when_the_answer_changes(shop, intranet):
    """With no answer cache (ttl 0) the second connection sees the rebound answer and is refused."""
    res = FakeResolver({"www.shop.test": [["127.0.0.1"], [INTRANET]]})
    gate = Gate(resolver=res, ttl=0.0)

    async def two_requests():
        await gate.trust("127.0.0.1", shop.port)
        async with make_client(gate, timeout=2) as client:
            # a fresh connection each time: no keep-alive reuse
            first = await client.get(f"http://www.shop.test:{shop.port}/", headers={"Connection": "close"})
            with pytest.raises(httpx.ConnectError) as exc:
                await client.get(f"http://www.shop.test:{shop.port}/", headers={"Connection": "close"})
            return first, exc.value

    first, err = asyncio.run(two_requests())
    assert first.status_code == 200 and isinstance(err.__cause__, GateRefused)
    assert INTRANET in str(err) and res.asked("www.shop.test") == 2
    assert intranet.requests == []


def test_other_ports_of_the_same_host_are_not_crawled(serve, shop):
    other = serve({"/*": page("<p>admin panel admin@shop.test</p>")})
    shop.routes["/"] = page(f"<footer><a href='http://shop.test:{other.port}/admin'>Kontakt</a>"
                            f"<a href='http://127.0.0.1:{other.port}/x'>O nas</a><a href='/ok'>FAQ</a>"
                            f"<a href='/jump'>Regulamin</a></footer>")
    shop.routes["/jump"] = redirect(f"http://shop.test:{other.port}/admin")
    res = FakeResolver({"shop.test": ["127.0.0.1"]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    assert other.requests == []
    assert f"http://shop.test:{shop.port}/ok" in [p.url for p in snap.pages]
    assert any(e.kind == "offsite_redirect" and e.url.endswith("/jump") for e in snap.errors)


def test_the_shops_own_subdomains_on_its_own_address_are_crawled(shop):
    """help./support. subdomains are the shop's own site: followed when they resolve to the address the user
    asked for (the near miss of the refused intranet subdomain)."""
    shop.routes["/"] = page(f"<footer><a href='http://help.shop.test:{shop.port}/faq'>FAQ</a>"
                            f"<a href='http://support.shop.test:{shop.port}/kontakt'>Kontakt</a></footer>")
    shop.routes["/faq"] = page("<p>faq</p>")
    shop.routes["/kontakt"] = page("<p>kontakt</p>")
    res = FakeResolver({"shop.test": ["127.0.0.1"], "help.shop.test": ["127.0.0.1"],
                        "support.shop.test": ["127.0.0.1"]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(), resolver=res)
    assert {p.url for p in snap.pages} == {f"http://shop.test:{shop.port}/", f"http://help.shop.test:{shop.port}/faq",
                                           f"http://support.shop.test:{shop.port}/kontakt"}
    assert not snap.errors


def test_home_page_redirect_to_private_address_is_recorded_not_followed(serve):
    srv = serve({"/": redirect("http://169.254.169.254/")})
    snap = crawl(srv.url + "/", opts(timeout=1.0, total_timeout=5))
    assert snap.pages == ()
    assert [e.kind for e in snap.errors] == ["blocked_redirect"]


@pytest.mark.parametrize("allow", [False, True])
def test_allow_private_overrides_the_block(serve, allow):
    srv = serve({"/inside": page("<p>inside</p>")})
    # 0.0.0.0 reaches the loopback server on Linux: a classic SSRF bypass, "reserved" rather than loopback
    srv.routes["/"] = redirect(f"http://0.0.0.0:{srv.port}/inside")
    snap = crawl(srv.url + "/", opts(timeout=1.0, total_timeout=5, allow_private=allow))
    if allow:
        assert [p.url for p in snap.pages] == [f"http://0.0.0.0:{srv.port}/inside"]
        assert snap.pages[0].redirect_chain == (srv.url + "/",)
        assert not snap.errors
    else:
        assert snap.pages == ()
        assert [e.kind for e in snap.errors] == ["blocked_redirect"]
        assert "/inside" not in srv.paths()


def test_allow_private_reaches_the_intranet(shop, intranet):
    shop.routes["/"] = page(f"<footer><a href='http://intranet.shop.test:{intranet.port}/'>O nas</a></footer>")
    res = FakeResolver({"shop.test": ["127.0.0.1"], "intranet.shop.test": [INTRANET]})
    snap = crawl(f"http://shop.test:{shop.port}/", opts(allow_private=True), resolver=res)
    assert any(p.url.startswith("http://intranet.shop.test") for p in snap.pages)


def test_target_that_does_not_resolve_is_a_target_error():
    with pytest.raises(TargetError, match="cannot resolve host nowhere.test"):
        crawl("http://nowhere.test/", opts(), resolver=FakeResolver({}))


def test_tls_handshake_goes_to_the_checked_address_with_the_host_name(serve, certs, ca_bundle):
    srv = serve({"/": page("<p>ok</p>")}, ssl_context=certs.for_hosts("shop.test"))
    res = FakeResolver({"shop.test": ["127.0.0.1"]})
    snap = crawl(f"https://shop.test:{srv.port}/", opts(ca_bundle=ca_bundle), resolver=res, http_port=srv.port)
    assert snap.pages and snap.tls.checked and snap.tls.valid is True and snap.tls.hostname_match is True


# --------------------------------------------------------------------------- --resolve on the command line


def test_cli_resolve_scans_a_named_shop_on_loopback(serve, certs, ca_bundle):
    srv = serve({"/": page("<footer><a href='/kontakt'>Kontakt</a></footer>"),
                 "/kontakt": page("<p>sklep@shop.test</p>")}, ssl_context=certs.for_hosts("shop.test"))
    res = CliRunner().invoke(app, ["scan", f"https://shop.test:{srv.port}/", "-f", "json", "--ca-bundle", ca_bundle,
                                   "--resolve", f"shop.test:{srv.port}:127.0.0.1", "--max-pages", "3"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["tls"]["valid"] is True and len(doc["pages_fetched"]) == 2
    assert {r.headers["host"] for r in srv.requests} == {f"shop.test:{srv.port}"}


def test_cli_resolve_is_validated():
    res = CliRunner().invoke(app, ["scan", "https://shop.test/", "--resolve", "shop.test:443"])
    assert res.exit_code == 2 and "--resolve" in res.output


def test_register_client_on_loopback_is_allowed_when_configured(serve):
    """How the register look-ups use the gate: a register URL the user configured may be on loopback."""
    reg = serve({"/api": (200, {"Content-Type": "application/json"}, b'{"ok": true}')})
    url = f"http://registry.test:{reg.port}/api"

    async def get(trusted: bool):
        gate = Gate(resolver=resolver_for([f"registry.test:{reg.port}:127.0.0.1"]))
        if trusted:
            await gate.trust_url(url)
        async with make_client(gate, timeout=2) as client:
            return (await client.get(url)).json()

    assert asyncio.run(get(True)) == {"ok": True}
    with pytest.raises(httpx.ConnectError) as exc:
        asyncio.run(get(False))
    assert isinstance(exc.value.__cause__, GateRefused) and "loopback" in str(exc.value)
    assert len(reg.requests) == 1


def test_batch_resolve_reaches_named_shops(serve, tmp_path):
    srv = serve({"/": page("<footer><a href='/kontakt'>Kontakt</a> sklep@shop.test</footer>"),
                 "/kontakt": page("<p>tel. 22 123 45 67</p>")})
    lst = tmp_path / "shops.txt"
    lst.write_text(f"http://shop.test:{srv.port}/\nhttp://other.test:{srv.port}/\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["batch", str(lst), "--out", str(out), "--quiet", "--processes", "1",
                                   "--resolve", f"shop.test:{srv.port}:127.0.0.1", "--timeout", "3"])
    assert res.exit_code == 0, res.output
    with (out / "summary.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["url"] == f"http://shop.test:{srv.port}/" and rows[0]["score"].isdigit()
    assert rows[1]["score"] == "" and "cannot resolve host other.test" in rows[1]["error"]
    assert {r.headers["host"] for r in srv.requests} == {f"shop.test:{srv.port}"}
