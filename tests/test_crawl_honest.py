"""What the crawl hands on must be the shop, and say when it is not all of it: meta-refresh stubs, error home
pages, limits that cut the crawl short, certificates behind an http:// redirect, bot protection, 429/503 and
Crawl-delay. Loopback servers only."""

from __future__ import annotations

import time

import pytest
from servers import drip, html, redirect

from trustaudit.crawl import crawl
from trustaudit.crawl.fetch import retry_delay
from trustaudit.crawl.robots import MAX_CRAWL_DELAY
from trustaudit.options import ScanOptions


def opts(**kw) -> ScanOptions:
    base = dict(max_pages=10, timeout=2.0, total_timeout=10.0, max_bytes=1_000_000, concurrency=4)
    base.update(kw)
    return ScanOptions(**base)


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def footer(*paths: str) -> str:
    return page("<footer>" + "".join(f"<a href='{p}'>{p.strip('/') or 'home'}</a>" for p in paths) + "</footer>")


def paths(snap, srv) -> list[str]:
    return [p.url[len(srv.url):] for p in snap.pages]


# --------------------------------------------------------------------------- meta refresh stubs


@pytest.mark.parametrize("content", ["0; url=/sklep/", "0;URL='/sklep/'", "3, /sklep/", " 0 ; url = '/sklep/' "])
def test_a_meta_refresh_stub_leads_to_the_shop(serve, content):
    srv = serve({
        "/": html(page("<p>Loading…</p>", f"<meta http-equiv='Refresh' content=\"{content}\">")),
        "/sklep/": html(footer("/sklep/kontakt")),
        "/sklep/kontakt": html(page("kontakt@sklep.pl")),
    })
    snap = crawl(srv.url + "/", opts())
    assert paths(snap, srv) == ["/sklep/", "/sklep/kontakt"]
    home = snap.pages[0]
    assert snap.final_url == srv.url + "/sklep/" and home.redirect_chain == (srv.url + "/",)
    assert home.requested_url == srv.url + "/"


def test_meta_refresh_hops_are_bounded_and_loops_stop(serve):
    hop = "<meta http-equiv=refresh content='0; url=/{}'>"
    srv = serve({"/": html(page("", hop.format("a"))), "/a": html(page("", hop.format("b"))),
                 "/b": html(page("", hop.format("c"))), "/c": html(page("", hop.format("d"))),
                 "/d": html(page("shop")), "/loop": html(page("", hop.format("loop2"))),
                 "/loop2": html(page("", hop.format("loop")))})
    snap = crawl(srv.url + "/", opts())
    assert paths(snap, srv) == ["/c"] and snap.pages[0].redirect_chain == (srv.url + "/", srv.url + "/a",
                                                                           srv.url + "/b")
    snap = crawl(srv.url + "/loop", opts())
    assert paths(snap, srv) == ["/loop2"]


def test_meta_refresh_near_misses_are_not_followed(serve, certs):
    other = serve({"/": html(page("other shop"))})
    srv = serve({
        "/": html(page("<p>Sklep</p>", f"<meta http-equiv='refresh' content='0; url={other.url}/'>")),
        "/slow": html(page("<p>Sklep</p>", "<meta http-equiv='refresh' content='600; url=/elsewhere'>")),
        "/self": html(page("<p>Sklep</p>", "<meta http-equiv='refresh' content='30'>")),
        "/named": html(page("<p>Sklep</p>", "<meta name='refresh' content='0; url=/elsewhere'>")),
    })
    snap = crawl(srv.url + "/", opts())
    assert paths(snap, srv) == ["/"] and other.requests == []
    assert [(e.kind, e.url) for e in snap.errors] == [("offsite_redirect", srv.url + "/")]
    for p in ("/slow", "/self", "/named"):
        assert paths(crawl(srv.url + p, opts()), srv) == [p]
    assert "/elsewhere" not in srv.paths()


# --------------------------------------------------------------------------- error home page


@pytest.mark.parametrize("status", [401, 403, 404, 500, 503])
def test_an_error_home_page_is_recorded_and_nothing_else_is_crawled(serve, status):
    srv = serve({"/": html(footer("/kontakt", "/regulamin"), status=status), "/kontakt": html(page("k")),
                 "/regulamin": html(page("r")), "/robots.txt": (200, {"Content-Type": "text/plain"},
                                                                 b"User-agent: *\nSitemap: /sitemap.xml\n")})
    snap = crawl(srv.url + "/", opts())
    assert [p.status for p in snap.pages] == [status]
    assert set(srv.paths()) <= {"/", "/robots.txt"}
    assert ("http", f"HTTP {status}") in [(e.kind, e.error) for e in snap.errors]


# --------------------------------------------------------------------------- limits


def test_limit_hit_max_pages(serve):
    srv = serve({"/": html(footer("/kontakt", "/regulamin", "/zwroty", "/dostawa")),
                 "/kontakt": html(page("k")), "/regulamin": html(page("r")), "/zwroty": html(page("z")),
                 "/dostawa": html(page("d"))})
    assert crawl(srv.url + "/", opts(max_pages=2)).limit_hit == "max_pages"
    assert crawl(srv.url + "/", opts(max_pages=1)).limit_hit == "max_pages"
    assert crawl(srv.url + "/", opts(max_pages=5)).limit_hit is None  # everything queued was fetched
    assert crawl(srv.url + "/", opts(max_pages=50)).limit_hit is None


def test_limit_hit_total_timeout(serve):
    srv = serve({"/": html(footer(*[f"/slow/{i}" for i in range(6)])), "/slow/*": drip(100, 0.3)})
    snap = crawl(srv.url + "/", opts(timeout=5.0, total_timeout=1.5, concurrency=2))
    assert snap.limit_hit == "total_timeout"


def test_limit_hit_on_a_saved_mirror(tmp_path):
    (tmp_path / "index.html").write_text(footer("kontakt.html", "regulamin.html"), encoding="utf-8")
    (tmp_path / "kontakt.html").write_text(page("k"), encoding="utf-8")
    (tmp_path / "regulamin.html").write_text(page("r"), encoding="utf-8")
    assert crawl(str(tmp_path), opts(max_pages=2)).limit_hit == "max_pages"
    assert crawl(str(tmp_path), opts(max_pages=3)).limit_hit is None


# --------------------------------------------------------------------------- certificates behind http://


@pytest.mark.parametrize(("variant", "error"), [("self_signed", "self-signed"), ("expired", "expired"),
                                                ("wrong_host", "hostname mismatch")])
def test_http_target_redirecting_to_a_bad_certificate_is_still_read(serve, certs, ca_bundle, variant, error):
    secure = serve({"/": html(footer("/kontakt")), "/kontakt": html(page("kontakt@sklep.pl"))},
                   ssl_context=getattr(certs, variant)())
    plain = serve({"/": redirect(secure.url + "/", 301)})
    snap = crawl(plain.url + "/", opts(ca_bundle=ca_bundle))
    assert [p.url for p in snap.pages] == [secure.url + "/", secure.url + "/kontakt"]
    assert snap.final_url == secure.url + "/"
    assert snap.tls.checked and snap.tls.https is True and snap.tls.valid is False
    assert error in (snap.tls.error or "").lower()
    assert snap.tls.http_redirects_to_https is True


# --------------------------------------------------------------------------- bot protection, 429/503, Crawl-delay


@pytest.mark.parametrize(("variant", "valid"), [("valid", True), ("expired", False)])
def test_a_blocked_shop_keeps_its_tls_verdict(serve, certs, ca_bundle, variant, valid):
    srv = serve({"/": html(page("<title>Just a moment...</title>"), status=403,
                           headers={"Server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-WAW"})},
                ssl_context=getattr(certs, variant)())
    plain = serve({"/": redirect(srv.url + "/", 301)})
    snap = crawl(srv.url + "/", opts(ca_bundle=ca_bundle), http_port=plain.port)
    assert snap.blocked is True
    assert snap.tls.checked is True and snap.tls.valid is valid and snap.tls.not_after
    assert snap.tls.http_redirects_to_https is True


def _flaky(status: int, retry_after: str | None, body: str):
    calls = {"n": 0}

    def route(h) -> None:
        from servers import send

        calls["n"] += 1
        if calls["n"] == 1:
            send(h, status, {"Content-Type": "text/html", **({"Retry-After": retry_after} if retry_after else {})},
                 b"<html><body>busy</body></html>")
        else:
            send(h, 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())

    return route, calls


@pytest.mark.parametrize(("status", "retry_after"), [(429, "1"), (503, None), (429, "0")])
def test_one_retry_honours_retry_after(serve, status, retry_after):
    home, home_calls = _flaky(status, retry_after, footer("/kontakt"))
    kontakt, kontakt_calls = _flaky(status, retry_after, page("kontakt@sklep.pl"))
    srv = serve({"/": home, "/kontakt": kontakt})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts())
    assert [p.status for p in snap.pages] == [200, 200] and not snap.blocked and not snap.errors
    assert home_calls["n"] == 2 and kontakt_calls["n"] == 2
    if retry_after == "1":
        assert time.monotonic() - t >= 2.0  # waited as asked, on the home page and on the page


def test_a_long_retry_after_is_honoured_by_not_retrying(serve):
    home, calls = _flaky(429, "120", footer("/kontakt"))
    srv = serve({"/": home})
    snap = crawl(srv.url + "/", opts())
    assert calls["n"] == 1 and snap.blocked and [p.status for p in snap.pages] == [429]


def test_retry_waits_fit_the_deadline(serve):
    home, calls = _flaky(503, "4", footer("/kontakt"))
    srv = serve({"/": home})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(total_timeout=3))
    assert calls["n"] == 1 and time.monotonic() - t < 3 and snap.pages[0].status == 503


def test_retry_after_parsing():
    assert retry_delay({"retry-after": "3"}) == 3.0
    assert retry_delay({}) == 1.0
    assert retry_delay({"retry-after": "soon"}) is None
    assert retry_delay({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert 9 < retry_delay({"retry-after": "Thu, 01 Jan 1970 00:00:20 GMT"}, now=10.0) < 11


@pytest.mark.parametrize(("delay", "gap"), [("1", 1.0), ("30", MAX_CRAWL_DELAY)])
def test_crawl_delay_is_honoured_with_a_cap(serve, delay, gap):
    srv = serve({"/": html(footer("/a", "/b", "/c", "/d", "/e")), "/a": html(page("a")), "/b": html(page("b")),
                 "/robots.txt": (200, {"Content-Type": "text/plain"}, f"User-agent: *\nCrawl-delay: {delay}\n".encode())})
    starts: list[float] = []
    orig = srv._server.find

    def find(path):
        starts.append(time.monotonic())
        return orig(path)

    srv._server.find = find
    snap = crawl(srv.url + "/", opts(concurrency=4, max_pages=3))
    assert len(snap.pages) == 3 and srv.paths()[:2] == ["/robots.txt", "/"]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(gaps) == 3 and all(g >= gap - 0.15 for g in gaps), gaps
    assert all(g < gap + 1.0 for g in gaps), gaps  # capped: never the 30 s the shop asked for
