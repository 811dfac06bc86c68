"""Pages built to stall or exhaust the crawler, on loopback servers: stacked compression bombs, unknown
encodings, charsets browsers refuse, CPU traps under a deadline, deep nesting, NUL bytes.

Speed is measured by hand in benchmarks/hostile.py; the time bounds here are generous ceilings that only a
crawler ignoring its deadline would cross.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from servers import encoded, html, stacked_bomb_bytes

from trustaudit.crawl import TargetError, crawl
from trustaudit.crawl.decoders import BoundedDecoder, UnsupportedEncoding
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan


def opts(**kw) -> ScanOptions:
    base = dict(max_pages=10, timeout=3.0, total_timeout=10.0, max_bytes=1_000_000, concurrency=4)
    base.update(kw)
    return ScanOptions(**base)


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def footer(*paths: str) -> str:
    return page("<footer>" + "".join(f"<a href='{p}'>{p.strip('/') or 'home'}</a>" for p in paths) + "</footer>")


def by_path(snap, srv) -> dict:
    return {p.url[len(srv.url):]: p for p in snap.pages}


def kinds(snap) -> dict[str, str]:
    return {e.url: e.kind for e in snap.errors}


# --------------------------------------------------------------------------- every Content-Encoding layer bounded


@pytest.mark.parametrize("ce", ["gzip, gzip", "br", "zstd", "deflate", "gzip, br", "zstd, gzip, gzip"])
def test_stacked_and_modern_compression_bombs_are_cut_at_max_bytes(serve, ce):
    """256 MB inside a few hundred bytes: memory stays near --max-bytes (measured with tracemalloc)."""
    body = stacked_bomb_bytes(ce, 256 * 1_048_576)
    srv = serve({"/": html(footer("/bomb")), "/bomb": (200, {"Content-Type": "text/html", "Content-Encoding": ce},
                                                       body)})
    tracemalloc.start()
    try:
        snap = crawl(srv.url + "/", opts(max_bytes=300_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1_048_576, peak
    bomb = by_path(snap, srv)["/bomb"]
    assert bomb.truncated and bomb.bytes == 300_000 and bomb.text.startswith("<html><body><p>")
    assert kinds(snap)[srv.url + "/bomb"] == "too_large"


@pytest.mark.parametrize("ce", ["gzip", "x-gzip", "deflate", "br", "zstd", "gzip, br", "br, zstd, gzip", "identity",
                                "gzip, identity", "GZIP"])
def test_every_supported_encoding_reads_the_page(serve, ce):
    srv = serve({"/": encoded(footer("/kontakt").encode(), ce.lower().replace("x-gzip", "gzip")),
                 "/kontakt": html(page("kontakt@sklep.pl"))})
    srv.routes["/"][1]["Content-Encoding"] = ce
    snap = crawl(srv.url + "/", opts())
    assert "/kontakt" in by_path(snap, srv) and not snap.errors
    assert "gzip, deflate, br, zstd" in srv.requests[1].headers["accept-encoding"]


def test_unknown_or_too_many_encodings_are_refused_with_a_reason(serve):
    srv = serve({"/": html(footer("/compress", "/xz", "/layers")),
                 "/compress": (200, {"Content-Type": "text/html", "Content-Encoding": "compress"}, b"\x1f\x9d..."),
                 "/xz": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip, xz"}, b"..."),
                 "/layers": encoded(b"<p>x</p>", "gzip, gzip, gzip, gzip, gzip")})
    snap = crawl(srv.url + "/", opts())
    errs = {e.url[len(srv.url):]: e for e in snap.errors}
    assert {k: e.kind for k, e in errs.items()} == {"/compress": "encoding", "/xz": "encoding", "/layers": "encoding"}
    assert "unsupported content encoding 'compress'" in errs["/compress"].error
    assert "'xz'" in errs["/xz"].error and "5 stacked content encodings" in errs["/layers"].error
    srv.routes["/"] = (200, {"Content-Type": "text/html", "Content-Encoding": "sdch"}, b"...")
    with pytest.raises(TargetError, match="unsupported content encoding 'sdch'"):
        crawl(srv.url + "/", opts())


def test_an_inner_layer_cannot_expand_beyond_the_limit():
    """gzip around a zstd bomb: the intermediate (zstd) stream is itself bounded, not only the final output."""
    data = stacked_bomb_bytes("gzip, zstd", 64 * 1_048_576)
    dec = BoundedDecoder("gzip, zstd", 100_000)
    for i in range(0, len(data), 4096):
        dec.feed(data[i:i + 4096])
        if dec.full:
            break
    assert dec.truncated and len(dec.body) == 100_000
    assert max(dec._produced) <= 100_000 + 65_536 * 2
    with pytest.raises(UnsupportedEncoding):
        BoundedDecoder("gzip, bzip2", 10)


def test_a_compressed_body_larger_than_the_limit_is_not_read_whole(serve):
    """Compressed bytes that decode to nothing (empty deflate blocks) still count against the limit."""
    import struct
    import zlib

    text = b"<html><body>ok</body></html>"
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = raw.compress(text) + raw.flush()
    empty_block = b"\x00\x00\x00\xff\xff"  # a stored block of length 0: five bytes in, nothing out
    body = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + empty_block * 40_000 + last
            + struct.pack("<II", zlib.crc32(text), len(text)))
    assert zlib.decompress(body, 31) == text and len(body) > 150_000
    srv = serve({"/": html(footer("/empty")), "/empty": (200, {"Content-Type": "text/html",
                                                               "Content-Encoding": "gzip"}, body)})
    snap = crawl(srv.url + "/", opts(max_bytes=50_000))
    assert by_path(snap, srv)["/empty"].truncated


# --------------------------------------------------------------------------- charsets browsers refuse


@pytest.mark.parametrize("label", ["utf-7", "utf-32", "cp037", "punycode", "rot13", "iso-2022-kr", "hz-gb-2312"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_charsets_outside_the_whatwg_standard_are_ignored(serve, label, where):
    text = footer("/kontakt").replace("<title>t</title>", f"<meta charset='{label}'><title>Sklep Zażółć</title>")
    ctype = f"text/html; charset={label}" if where == "header" else "text/html"
    srv = serve({"/": (200, {"Content-Type": ctype}, text.encode("utf-8")), "/kontakt": html(page("k"))})
    snap = crawl(srv.url + "/", opts())
    home = snap.pages[0]
    assert "Zażółć" in home.text and home.encoding == "utf-8" and "/kontakt" in by_path(snap, srv)


def test_a_punycode_page_cannot_stall_the_deadline(serve):
    """Python's punycode decoder is quadratic: 1 MB of it ran for minutes. The label is not a web encoding."""
    n = 500_000
    body = b"<html><head><meta charset='punycode'></head><body>" + b"a" * n + b"-" + b"99999" * (n // 5)
    srv = serve({"/": (200, {"Content-Type": "text/html; charset=punycode"}, body)})
    t = time.monotonic()
    report = scan(srv.url + "/", opts(total_timeout=3))
    assert time.monotonic() - t < 3 + 5
    assert report.pages_fetched and report.pages_fetched[0]["status"] == 200


# --------------------------------------------------------------------------- CPU traps and the deadline


def _many_links(n: int) -> str:
    words = ["kontakt", "regulamin", "zwroty", "reklamacje", "dostawa", "polityka-prywatnosci", "o-nas", "faq"]
    return page("<footer>" + "".join(f"<a href='/{words[i % 8]}-{i}'>{words[i % 8]} {i}</a>" for i in range(n))
                + "</footer>")


def test_a_page_with_80000_links_is_bounded(serve):
    srv = serve({"/": html(_many_links(80_000))})
    t = time.monotonic()
    report = scan(srv.url + "/", opts(total_timeout=5, max_pages=1))
    wall = time.monotonic() - t
    assert wall < 5 + 5, wall  # was 23 s before the caps
    cut = [e["error"] for e in report.errors if e["kind"] == "truncated"]
    assert any("links beyond the first and last ones read were ignored" in e for e in cut), cut  # the crawl
    assert any(e.startswith("read in part by links: the first 5,000 of") for e in cut), cut  # the page kinds


def test_link_work_per_page_is_capped_footer_first(serve):
    body = page("<main>" + "".join(f"<a href='/p{i}'>produkt {i}</a>" for i in range(6000)) + "</main>"
                "<footer><a href='/kontakt'>Kontakt</a><a href='/regulamin'>Regulamin</a></footer>")
    srv = serve({"/": html(body), "/kontakt": html(page("k")), "/regulamin": html(page("r"))})
    snap = crawl(srv.url + "/", opts(max_pages=3))
    assert {"/kontakt", "/regulamin"} <= set(by_path(snap, srv))
    assert snap.limit_hit == "max_pages"


# --------------------------------------------------------------------------- parse like a browser


def test_300_unclosed_divs_do_not_hide_the_footer(serve):
    body = page("<div>" * 300 + "<p>oferta</p><footer><a href='/kontakt'>Kontakt</a> sklep@shop.pl</footer>")
    srv = serve({"/": html(body), "/kontakt": html(page("tel. 22 123 45 67"))})
    snap = crawl(srv.url + "/", opts())
    assert "/kontakt" in by_path(snap, srv) and "truncated" not in kinds(snap).values()
    report = scan(srv.url + "/", opts())
    assert "sklep@shop.pl" in report.signals["emails"]


def test_nesting_beyond_the_parser_limit_is_recorded(serve):
    body = page("<div>" * 3000 + "<footer><a href='/kontakt'>Kontakt</a></footer>")
    srv = serve({"/": html(body)})
    snap = crawl(srv.url + "/", opts())
    err = next(e for e in snap.errors if e.kind == "truncated")
    assert err.url == srv.url + "/" and "nested deeper than 2048" in err.error


def test_nul_bytes_and_control_characters_are_tolerated(serve):
    body = page("<p>Sklep\x00 internetowy\x01\x02\x0b\x1f\x7f</p>\x00<footer><a href='/kontakt'>Kontakt</a>"
                " biuro@sklep.pl</footer>")
    srv = serve({"/": html(body), "/kontakt": html(page("ok\x00"))})
    snap = crawl(srv.url + "/", opts())
    assert "/kontakt" in by_path(snap, srv) and not snap.errors
    assert "biuro@sklep.pl" in scan(srv.url + "/", opts()).signals["emails"]
