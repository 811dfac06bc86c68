"""The http crawl against real loopback servers: faults, limits, robots, sitemap, redirects, cookies, order."""

from __future__ import annotations

import os
import time

import pytest
from servers import (
    drip,
    free_port,
    gzip_bomb,
    gzipped,
    html,
    huge,
    infinite_links,
    redirect,
)

from trustaudit.crawl import TargetError, crawl
from trustaudit.models import FetchedPage, FetchError
from trustaudit.options import ScanOptions
from trustaudit.web.html import ParseCache


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def footer(*paths: str) -> str:
    return page("<footer>" + "".join(f"<a href='{p}'>{p.strip('/') or 'home'}</a>" for p in paths) + "</footer>")


def opts(**kw) -> ScanOptions:
    base = dict(max_pages=10, timeout=1.5, total_timeout=8.0, max_bytes=1_000_000, concurrency=4)
    base.update(kw)
    return ScanOptions(**base)


def by_path(snap, srv) -> dict[str, FetchedPage]:
    return {p.url[len(srv.url):]: p for p in snap.pages}


def kinds(snap) -> dict[str, str]:
    return {e.url: e.kind for e in snap.errors}


# --------------------------------------------------------------------------- the normal case


def test_snapshot_fields(serve):
    srv = serve({
        "/": html(footer("/kontakt", "/regulamin"), headers={"X-Shop": "yes"}),
        "/kontakt": html(page("tel")),
        "/regulamin": redirect("/regulamin/", 301),
        "/regulamin/": html(page("terms")),
    })
    snap = crawl(srv.url + "/", opts())
    assert snap.target == srv.url + "/" and snap.base_url == srv.url + "/" and snap.final_url == srv.url + "/"
    assert snap.local is False and snap.errors == () and snap.blocked is False
    assert snap.started_at.endswith("Z") and 0 < snap.duration_s < 5
    pages = by_path(snap, srv)
    assert set(pages) == {"/", "/kontakt", "/regulamin/"}
    home = snap.pages[0]
    assert home.url == srv.url + "/" and home.depth == 0 and home.status == 200
    assert home.headers["x-shop"] == "yes" and home.content_type == "text/html; charset=utf-8"
    assert home.encoding == "utf-8" and home.bytes == len(home.text.encode()) and home.elapsed_ms >= 0
    terms = pages["/regulamin/"]
    assert terms.redirect_chain == (srv.url + "/regulamin",) and terms.requested_url == srv.url + "/regulamin"
    assert terms.depth == 1 and not terms.truncated
    assert srv.paths()[0] == "/robots.txt"
    assert all(r.headers["user-agent"] == ScanOptions().user_agent for r in srv.requests)


def test_pages_are_parsed_once_into_the_shared_cache(serve):
    srv = serve({"/": html(footer("/a", "/b")), "/a": html(footer("/c")), "/b": html(page("b")), "/c": html(page("c"))})
    cache = ParseCache()
    snap = crawl(srv.url + "/", opts(), cache=cache)
    for p in snap.pages:
        if p.depth < 2:
            assert cache.get(p) is cache.get(p)  # already there: no re-parse
    assert len(cache) >= 3


def test_observer_sees_pages_and_failures(serve):
    class Obs:
        def __init__(self):
            self.pages, self.errors = [], []

        def page_fetched(self, page):
            self.pages.append(page)

        def page_failed(self, err):
            self.errors.append(err)

    srv = serve({"/": html(footer("/ok", "/missing")), "/ok": html(page("ok"))})
    obs = Obs()
    snap = crawl(srv.url + "/", opts(), observer=obs)
    assert obs.pages == list(snap.pages) and obs.errors == list(snap.errors)
    assert [(e.kind, e.error) for e in obs.errors] == [("http", "HTTP 404")]
    assert all(isinstance(e, FetchError) for e in obs.errors)


def test_trust_pages_first_and_limits_recorded(serve):
    body_links = "".join(f"<a href='/product/{i}'>Product {i}</a>" for i in range(15))
    routes = {"/": html(page(f"<main>{body_links}</main><footer><a href='/kontakt'>Kontakt</a>"
                             "<a href='/regulamin'>Regulamin</a></footer>"))}
    routes["/product/*"] = html(page("product"))
    routes["/kontakt"] = html(page("contact"))
    routes["/regulamin"] = html(page("terms"))
    srv = serve(routes)
    snap = crawl(srv.url + "/", opts(max_pages=3, concurrency=1))
    assert [p.url[len(srv.url):] for p in snap.pages] == ["/", "/kontakt", "/regulamin"] or \
        [p.url[len(srv.url):] for p in snap.pages] == ["/", "/regulamin", "/kontakt"]
    assert len(snap.skipped_links) == 15 and all("/product/" in u for u in snap.skipped_links)


def test_depth_two_only_for_high_priority_links(serve):
    srv = serve({
        "/": html(page("<footer><a href='/info'>Informacje</a></footer><main><a href='/cat'>Cat</a></main>")),
        "/info": html(page("<footer><a href='/info/regulamin'>Regulamin</a></footer>"
                           "<main><a href='/deep-body'>deep</a></main>")),
        "/cat": html(page("<main><a href='/cat/item'>item</a></main>")),
        "/info/regulamin": html(page("terms")),
    })
    snap = crawl(srv.url + "/", opts())
    pages = by_path(snap, srv)
    assert pages["/info/regulamin"].depth == 2
    assert "/deep-body" not in pages and "/cat/item" not in pages
    assert "/deep-body" not in srv.paths()


def test_duplicate_final_urls_are_kept_once(serve):
    srv = serve({"/": html(footer("/a", "/b", "/c#x", "/c?utm_source=news")), "/a": redirect("/c"),
                 "/b": redirect("/c"), "/c": html(page("c"))})
    snap = crawl(srv.url + "/", opts())
    assert [p.url for p in snap.pages].count(srv.url + "/c") == 1
    assert srv.paths().count("/c") <= 3  # /a and /b redirect there; the link itself is fetched once


def test_windows_1251_page_without_charset(serve):
    text = page("<h1>Интернет-магазин</h1><p>Контакты: ООО 'Ромашка', ИНН 7707083893, г. Москва. "
                "Доставка по всей России. Политика конфиденциальности.</p>")
    srv = serve({"/": (200, {"Content-Type": "text/html"}, text.encode("cp1251"))})
    snap = crawl(srv.url + "/", opts())
    assert snap.pages[0].encoding == "windows-1251"
    assert "Интернет-магазин" in snap.pages[0].text and "\ufffd" not in snap.pages[0].text


@pytest.mark.parametrize(("codec", "sample"), [("cp1250", "Zażółć gęślą jaźń, regulamin sklepu, Łódź"),
                                               ("cp1253", "Ηλεκτρονικό κατάστημα, επικοινωνία, όροι χρήσης"),
                                               ("cp1256", "متجر إلكتروني، اتصل بنا، سياسة الخصوصية والشحن")])
def test_legacy_encodings_wrong_or_missing_charset(serve, codec, sample):
    body = page(f"<p>{sample}</p>").encode(codec)
    srv = serve({"/": (200, {"Content-Type": "text/html"}, body),
                 "/wrong": (200, {"Content-Type": "text/html; charset=bogus-8"}, body)})
    snap = crawl(srv.url + "/", opts())
    assert sample in snap.pages[0].text
    snap = crawl(srv.url + "/wrong", opts())
    assert sample in snap.pages[0].text


def test_malformed_html(serve):
    junk = ("<html><body><div><table><tr><td><a href='/kontakt'>Kontakt<p><b><i></div></table>"
            "<footer><a href=/regulamin>Regulamin</footer><<<>>><script>if (a < b) {</script><a href='/x")
    srv = serve({"/": html(junk), "/kontakt": html(page("c")), "/regulamin": html(page("t"))})
    snap = crawl(srv.url + "/", opts())
    assert {"/kontakt", "/regulamin"} <= set(by_path(snap, srv))


def test_gzip_content_encoding(serve):
    srv = serve({"/": gzipped(footer("/kontakt").encode()), "/kontakt": html(page("tel"))})
    snap = crawl(srv.url + "/", opts())
    assert "/kontakt" in by_path(snap, srv)


# --------------------------------------------------------------------------- faults


def test_drip_page_times_out_on_wall_clock(serve):
    srv = serve({"/": html(footer("/kontakt", "/drip")), "/kontakt": html(page("ok")), "/drip": drip(100, 0.2)})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(timeout=1.0))
    elapsed = time.monotonic() - t
    assert elapsed < 3.5, elapsed  # httpx's read timeout alone would wait 100 x 0.2 s
    assert kinds(snap)[srv.url + "/drip"] == "timeout"
    assert "/kontakt" in by_path(snap, srv) and "/drip" not in by_path(snap, srv)


def test_drip_home_page_is_a_target_error(serve):
    srv = serve({"/": drip(100, 0.2)})
    t = time.monotonic()
    with pytest.raises(TargetError, match="within 1s"):
        crawl(srv.url + "/", opts(timeout=1.0))
    assert time.monotonic() - t < 3.5


def test_total_timeout_bounds_the_crawl(serve):
    routes = {"/": html(footer(*[f"/slow/{i}" for i in range(8)]))}
    routes["/slow/*"] = drip(100, 0.3)
    srv = serve(routes)
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(timeout=5.0, total_timeout=1.5, concurrency=2))
    assert time.monotonic() - t < 4.0
    assert "limit" in kinds(snap).values()
    assert len(snap.pages) == 1


def test_huge_page_is_truncated_while_streaming(serve):
    srv = serve({"/": html(footer("/huge")), "/huge": huge(60_000_000)})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(max_bytes=500_000))
    assert time.monotonic() - t < 5
    big = by_path(snap, srv)["/huge"]
    assert big.truncated and big.bytes == 500_000 and len(big.text) == 500_000
    assert kinds(snap)[srv.url + "/huge"] == "too_large"


def test_gzip_bomb_is_cut_at_max_bytes(serve):
    srv = serve({"/": html(footer("/bomb")), "/bomb": gzip_bomb(50_000_000)})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(max_bytes=1_000_000))
    assert time.monotonic() - t < 5
    bomb = by_path(snap, srv)["/bomb"]
    assert bomb.truncated and bomb.bytes == 1_000_000


def test_gzip_bomb_home_page(serve):
    srv = serve({"/": gzip_bomb(50_000_000)})
    snap = crawl(srv.url + "/", opts(max_bytes=200_000))
    assert snap.pages[0].truncated and snap.pages[0].bytes == 200_000


def test_corrupt_gzip_is_an_error_not_a_traceback(serve):
    srv = serve({"/": html(footer("/bad")), "/bad": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                                                     b"\x1f\x8b\x08\x00garbage" * 10)})
    snap = crawl(srv.url + "/", opts())
    assert kinds(snap)[srv.url + "/bad"] == "error"
    assert "corrupt" in next(e.error for e in snap.errors)


def test_binary_labelled_html_is_not_parsed(serve):
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(5000)
    noise = os.urandom(20000).replace(b"\x00", b"\x01")
    srv = serve({"/": html(footer("/img", "/noise", "/pdf")), "/img": (200, {"Content-Type": "text/html"}, png),
                 "/noise": (200, {"Content-Type": "text/html; charset=utf-8"}, b"\x00" + noise),
                 "/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ...")})
    snap = crawl(srv.url + "/", opts())
    pages = by_path(snap, srv)
    assert pages["/img"].text == "" and pages["/noise"].text == ""
    assert kinds(snap)[srv.url + "/img"] == "not_html" and kinds(snap)[srv.url + "/noise"] == "not_html"
    assert pages["/pdf"].text == "" and pages["/pdf"].content_type == "application/pdf"
    assert srv.url + "/pdf" not in kinds(snap)  # a non-HTML document is recorded, not an error


def test_binary_home_page_is_a_target_error(serve):
    srv = serve({"/": (200, {"Content-Type": "text/html"}, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)})
    with pytest.raises(TargetError, match="not an HTML page"):
        crawl(srv.url + "/", opts())
    srv.routes["/"] = (200, {"Content-Type": "application/zip"}, b"PK\x03\x04")
    with pytest.raises(TargetError, match="application/zip"):
        crawl(srv.url + "/", opts())


def test_redirect_loop_and_long_chain(serve):
    routes = {"/": html(footer("/loop-a", "/r/0", "/short/0")), "/loop-a": redirect("/loop-b"),
              "/loop-b": redirect("/loop-a"), "/short/3": html(page("end"))}
    for i in range(30):
        routes[f"/r/{i}"] = redirect(f"/r/{i + 1}")
    for i in range(3):
        routes[f"/short/{i}"] = redirect(f"/short/{i + 1}", 307)
    srv = serve(routes)
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(max_redirects=10))
    assert time.monotonic() - t < 3
    errs = {e.url: e for e in snap.errors}
    assert errs[srv.url + "/loop-a"].kind == "limit" and "loop" in errs[srv.url + "/loop-a"].error
    assert errs[srv.url + "/r/0"].kind == "limit" and "too many redirects" in errs[srv.url + "/r/0"].error
    end = by_path(snap, srv)["/short/3"]
    assert end.redirect_chain == tuple(f"{srv.url}/short/{i}" for i in range(3))


def test_redirect_loop_on_home_page(serve):
    srv = serve({"/": redirect("/a"), "/a": redirect("/")})
    with pytest.raises(TargetError, match="redirect loop"):
        crawl(srv.url + "/", opts())


def test_redirect_to_another_site_is_recorded_not_crawled(serve):
    other = serve({"/terms": html(page("elsewhere"))})
    other_url = f"http://localhost:{other.port}/terms"
    srv = serve({"/": html(footer("/regulamin", "/kontakt")), "/regulamin": redirect(other_url),
                 "/kontakt": html(page("c"))})
    snap = crawl(srv.url + "/", opts())
    assert kinds(snap)[srv.url + "/regulamin"] == "offsite_redirect"
    assert other_url in snap.skipped_links
    assert other.requests == []


def test_home_page_moved_to_another_domain_is_followed(serve):
    new = serve({"/": html(footer("/kontakt")), "/kontakt": html(page("c"))})
    new_home = f"http://localhost:{new.port}/"
    old = serve({"/": redirect(new_home, 301)})
    snap = crawl(old.url + "/", opts())
    assert snap.base_url == old.url + "/" and snap.final_url == new_home
    assert [p.url for p in snap.pages] == [new_home, new_home + "kontakt"]
    assert snap.pages[0].redirect_chain == (old.url + "/",)


@pytest.mark.parametrize(
    ("status", "headers", "body", "vendor"),
    [
        (403, {"cf-ray": "8a1b2c3d4e5f-WAW", "Server": "cloudflare"}, "<title>Just a moment...</title>", "Cloudflare"),
        (503, {"Server": "cloudflare", "cf-ray": "1"}, "<title>Attention Required! | Cloudflare</title>", "Cloudflare"),
        (403, {"x-datadome": "protected"}, "<script src='https://ct.captcha-delivery.com/c.js'></script>", "DataDome"),
        (403, {"Server": "AkamaiGHost"}, "<H1>Access Denied</H1>Reference&#32;#18.abc", "Akamai"),
        (429, {}, "<p>Please solve the captcha to continue</p>", "bot protection"),
    ],
)
def test_bot_protection_means_blocked(serve, status, headers, body, vendor):
    srv = serve({"/": html(page(body + "<footer><a href='/kontakt'>Kontakt</a></footer>"), status=status,
                           headers=headers), "/kontakt": html(page("c"))})
    snap = crawl(srv.url + "/", opts())
    assert snap.blocked is True
    assert [e.kind for e in snap.errors] == ["blocked"] and vendor in snap.errors[0].error
    assert [p.status for p in snap.pages] == [status]
    assert "/kontakt" not in srv.paths()


@pytest.mark.parametrize("status", [404, 500])
@pytest.mark.parametrize("body", [page("<h1>Oops</h1>"), ""])
def test_error_home_page_is_a_snapshot(serve, status, body):
    srv = serve({"/": html(body, status=status)})
    snap = crawl(srv.url + "/", opts())
    assert snap.blocked is False and snap.pages[0].status == status
    assert [(e.kind, e.error) for e in snap.errors] == [("http", f"HTTP {status}")]


def test_empty_rate_limited_home_page_is_blocked(serve):
    srv = serve({"/": (429, {"Retry-After": "60"}, b"")})
    snap = crawl(srv.url + "/", opts())
    assert snap.blocked is True and [e.kind for e in snap.errors] == ["blocked"]


def test_empty_home_page_is_a_target_error(serve):
    srv = serve({"/": html("")})
    with pytest.raises(TargetError, match="empty page"):
        crawl(srv.url + "/", opts())


def test_infinite_links_are_bounded(serve):
    srv = serve({"/": html(footer("/page/1", "/page/1?utm_campaign=x", "/page/1#top")), "/page/*": infinite_links()})
    t = time.monotonic()
    snap = crawl(srv.url + "/", opts(max_pages=8))
    assert time.monotonic() - t < 3
    assert len(snap.pages) <= 8
    urls = [p.url for p in snap.pages]
    assert len(urls) == len(set(urls))
    assert not any("utm_" in u or "#" in u for u in urls)
    page_requests = [p for p in srv.paths() if p.startswith("/page/")]
    assert len(page_requests) <= 8


# --------------------------------------------------------------------------- robots.txt and sitemap


def test_robots_disallowing_everything(serve):
    srv = serve({"/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"),
                 "/": html(footer("/kontakt"))})
    snap = crawl(srv.url + "/", opts())
    assert snap.pages == ()
    assert [e.kind for e in snap.errors] == ["robots"]
    assert snap.robots_disallowed == (srv.url + "/",)
    assert srv.paths() == ["/robots.txt"]


def test_robots_disallowed_page_is_skipped_unless_told_otherwise(serve):
    robots = b"User-agent: trustaudit\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
    srv = serve({"/robots.txt": (200, {"Content-Type": "text/plain"}, robots),
                 "/": html(footer("/private", "/kontakt")), "/private": html(page("p")), "/kontakt": html(page("k"))})
    snap = crawl(srv.url + "/", opts())
    assert snap.robots_disallowed == (srv.url + "/private",)
    assert "/private" not in srv.paths() and "/kontakt" in by_path(snap, srv)
    snap = crawl(srv.url + "/", opts(respect_robots=False))
    assert "/private" in by_path(snap, srv) and snap.robots_disallowed == ()


def test_sitemap_from_robots_with_index(serve):
    sm_index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{base}/sm-pages.xml</loc></sitemap></sitemapindex>"""
    sm_pages = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{base}/kontakt</loc></url><url><loc>{base}/regulamin</loc></url>
      <url><loc>https://elsewhere.example/x</loc></url></urlset>"""
    srv = serve({"/": html(page("<p>a JavaScript shop with no links</p>")),
                 "/kontakt": html(page("c")), "/regulamin": html(page("t"))})
    base = srv.url.encode()
    srv.routes["/robots.txt"] = (200, {}, b"Sitemap: " + base + b"/sm-index.xml\n")
    srv.routes["/sm-index.xml"] = (200, {"Content-Type": "application/xml"}, sm_index.replace(b"{base}", base))
    srv.routes["/sm-pages.xml"] = (200, {"Content-Type": "application/xml"}, sm_pages.replace(b"{base}", base))
    snap = crawl(srv.url + "/", opts())
    assert set(by_path(snap, srv)) == {"/", "/kontakt", "/regulamin"}


def test_default_sitemap_location_and_hostile_xml(serve):
    xxe = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <urlset><url><loc>{base}/kontakt</loc></url><url><loc>&x;</loc></url></urlset>"""
    srv = serve({"/": html(page("no links")), "/kontakt": html(page("c"))})
    srv.routes["/sitemap.xml"] = (200, {"Content-Type": "text/xml"}, xxe.replace(b"{base}", srv.url.encode()))
    snap = crawl(srv.url + "/", opts())
    assert set(by_path(snap, srv)) == {"/", "/kontakt"}
    assert not any("root:" in p.url for p in snap.pages)


# --------------------------------------------------------------------------- unreachable targets


def test_connection_refused_is_a_target_error():
    port = free_port()
    with pytest.raises(TargetError) as exc:
        crawl(f"http://127.0.0.1:{port}/", opts())
    assert str(exc.value) == f"cannot connect to 127.0.0.1:{port}: connection refused"


def test_bare_host_refused_on_both_schemes():
    port = free_port()
    with pytest.raises(TargetError) as exc:
        crawl(f"127.0.0.1:{port}", opts())
    assert str(exc.value) == f"cannot connect to 127.0.0.1:{port}: connection refused (plain http: connection refused)"


@pytest.mark.parametrize("target", ["https://shop.invalid/", "shop.invalid"])
def test_dns_failure_is_a_target_error(target):
    with pytest.raises(TargetError) as exc:
        crawl(target, opts())
    assert str(exc.value) == "cannot resolve host shop.invalid"


@pytest.mark.parametrize("target", ["", "ftp://shop.example/", "http://", "./no/such/folder", "missing.html"])
def test_bad_targets(target):
    with pytest.raises(TargetError) as exc:
        crawl(target, opts())
    assert "\n" not in str(exc.value) and str(exc.value)


# --------------------------------------------------------------------------- isolation between scans


def test_no_cookies_leak_between_crawls(serve):
    a = serve({"/": html(footer("/kontakt"), headers={"Set-Cookie": "session=shop-a-secret; Path=/"}),
               "/kontakt": html(page("a"))})
    b = serve({"/": html(footer("/kontakt")), "/kontakt": html(page("b"))})
    # same host name for both shops: only the port differs, so a shared cookie jar would send it
    crawl(a.url + "/", opts())
    crawl(b.url + "/", opts())
    assert any("shop-a-secret" in r.headers.get("cookie", "") for r in a.requests)  # kept within one scan
    assert not any("cookie" in r.headers for r in b.requests)
    assert not any("authorization" in r.headers for r in a.requests + b.requests)


# --------------------------------------------------------------------------- hostile responses


def _raw(data: bytes):
    def route(h):
        h.wfile.write(data)
        h.wfile.flush()
        h.close_connection = True

    return route


def _hang_up(h):
    h.close_connection = True
    h.connection.shutdown(2)


@pytest.mark.parametrize(
    ("route", "kind"),
    [
        (_raw(b"garbage that is not HTTP\r\n\r\n"), "error"),
        (_hang_up, "error"),
        (_raw(b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\nContent-Type: text/html\r\n\r\n<p>short"), "error"),
        (_raw(b"HTTP/1.1 302 Found\r\nLocation: javascript:alert(1)\r\nContent-Length: 0\r\n\r\n"), "error"),
        (_raw(b"HTTP/1.1 301 Moved\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n"), "error"),
        (_raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\xff\xfe\r\nContent-Length: 5\r\n\r\n<p>x</p>"),
         None),
    ],
)
def test_hostile_responses_become_errors(serve, route, kind):
    srv = serve({"/": html(footer("/bad", "/kontakt")), "/bad": route, "/kontakt": html(page("c"))})
    snap = crawl(srv.url + "/", opts(timeout=1.0))
    errs = kinds(snap)
    assert errs.get(srv.url + "/bad") == kind, snap.errors
    assert "/kontakt" in by_path(snap, srv)
    for e in snap.errors:
        assert "\n" not in e.error and "Traceback" not in e.error


def test_crawl_async_interface(serve):
    import asyncio

    from trustaudit.crawl import CrawlObserver, crawl_async

    class Obs:
        def page_fetched(self, page):
            pass

        def page_failed(self, err):
            pass

    assert isinstance(Obs(), CrawlObserver)
    srv = serve({"/": html(footer("/kontakt")), "/kontakt": html(page("c"))})
    cache = ParseCache()
    snap = asyncio.run(crawl_async(srv.url + "/", opts(), cache, Obs()))
    assert len(snap.pages) == 2 and len(cache) >= 1
