"""Worst case wall time and peak memory of one `trustaudit scan` against hostile pages (run by hand).

    python benchmarks/hostile.py                  # every case
    python benchmarks/hostile.py --case links80k  # one case
    python benchmarks/hostile.py --json out.json
    python benchmarks/hostile.py --tree /tmp/old  # another source tree (e.g. `git archive REV trustaudit rules`)

Each case is one page served on 127.0.0.1 by a server in this process; the scan runs as a subprocess
(``python -m trustaudit scan URL -f json``) with a hard kill after ``--kill-after`` seconds. Wall time is
measured around the subprocess, peak RSS is the child's ``ru_maxrss`` from ``wait4``. Bodies are built once
(the 1 GiB bombs take a few seconds to compress) and held compressed in memory.

Nothing here runs in the test suite; the same pages at smaller sizes are tested in tests/test_hostile.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1 << 30


def _zlib_stream(total: int, wbits: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    out = [comp.compress(b"<html><body><p>")]
    block = b" " * (1 << 20)
    left = total
    while left > 0:
        out.append(comp.compress(block[: min(left, len(block))]))
        left -= len(block)
    out.append(comp.flush())
    return b"".join(out)


def gzip_gzip_bomb() -> bytes:
    """``Content-Encoding: gzip, gzip`` with 1 GiB inside: ~1 MB inner gzip, gzipped again to a few KB."""
    return gzip.compress(_zlib_stream(GIB, 31), 9)


def brotli_bomb() -> bytes:
    import brotli

    c = brotli.Compressor(quality=5)
    out = [c.process(b"<html><body><p>")]
    block = b" " * (1 << 20)
    for _ in range(GIB >> 20):
        out.append(c.process(block))
    out.append(c.finish())
    return b"".join(out)


def zstd_bomb() -> bytes:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
    except ImportError:
        from backports import zstd  # type: ignore[no-redef]
    c = zstd.ZstdCompressor(level=3)
    out = [c.compress(b"<html><body><p>")]
    block = b" " * (1 << 20)
    for _ in range(GIB >> 20):
        out.append(c.compress(block))
    out.append(c.flush())
    return b"".join(out)


def punycode_page(size: int = 1_000_000) -> bytes:
    """A page declared ``charset=punycode``: Python's punycode decoder is quadratic in the input."""
    n = size // 2
    return b"<html><head><meta charset='punycode'></head><body>" + b"a" * n + b"-" + b"99999" * (n // 5)


def links_page(n: int = 80_000) -> bytes:
    """3.5 MB: 80,000 same-site links whose anchors look like trust pages (the link scorer's worst case)."""
    words = ["kontakt", "regulamin", "zwroty", "reklamacje", "dostawa", "polityka-prywatnosci", "o-nas", "faq"]
    parts = ["<html><head><title>Sklep</title></head><body><footer>"]
    for i in range(n):
        w = words[i % len(words)]
        parts.append(f"<a href='/{w}-{i}'>{w} {i}</a>")
    parts.append("</footer></body></html>")
    return "".join(parts).encode()


def deep_page(depth: int = 100_000) -> bytes:
    return (
        b"<html><body>" + b"<div>" * depth + b"<p>x</p>" + b"<footer><a href='/kontakt'>Kontakt</a> "
        b"kontakt@sklep.pl</footer></body></html>"
    )


def big_text_page(size: int = 4_900_000) -> bytes:
    """Text without markup: one 4.9 MB paragraph of digits, e-mail-like and phone-like runs."""
    unit = b"tel. 12 345 67 89 a@b.pl NIP 123-456-32-18 "
    return b"<html><body><p>" + unit * (size // len(unit)) + b"</p></body></html>"


def big_text_shop_page(size: int = 4_900_000) -> bytes:
    """The 4.9 MB text page with 30 trust-page links in its footer: every linked page is the same size."""
    words = ["kontakt", "regulamin", "zwroty", "reklamacje", "dostawa", "polityka-prywatnosci", "o-nas", "faq"]
    links = "".join(f"<a href='/{w}-{i}'>{w}</a>" for i in range(4) for w in words)
    return big_text_page(size)[:-14] + f"<footer>{links}</footer></body></html>".encode()


CASES: dict[str, dict] = {
    "gzip-gzip-1GiB": {"body": gzip_gzip_bomb, "headers": {"Content-Encoding": "gzip, gzip"}},
    "br-1GiB": {"body": brotli_bomb, "headers": {"Content-Encoding": "br"}},
    "zstd-1GiB": {"body": zstd_bomb, "headers": {"Content-Encoding": "zstd"}},
    "deflate-1GiB": {"body": lambda: _zlib_stream(GIB, 15), "headers": {"Content-Encoding": "deflate"}},
    "punycode-1MB": {"body": punycode_page, "headers": {}, "ctype": "text/html; charset=punycode"},
    "links80k": {"body": links_page, "headers": {}, "args": ["--total-timeout", "5", "--max-pages", "1"]},
    "links80k-25pages": {"body": links_page, "headers": {}, "args": ["--total-timeout", "10"]},
    "deep100k": {"body": deep_page, "headers": {}},
    "text4.9MB": {"body": big_text_page, "headers": {}},
    "text4.9MB-x25": {"body": big_text_shop_page, "headers": {}, "all_paths": True},
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    page: bytes = b""
    headers_out: dict[str, str] = {}

    def log_message(self, *a) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path != "/" and (self.path == "/robots.txt" or not getattr(self.server, "all_paths", False)):
            body = b"<html><body>x</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        srv = self.server
        self.send_response(200)
        self.send_header("Content-Type", srv.ctype)  # type: ignore[attr-defined]
        for k, v in srv.headers_out.items():  # type: ignore[attr-defined]
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(srv.page)))  # type: ignore[attr-defined]
        self.end_headers()
        try:
            self.wfile.write(srv.page)  # type: ignore[attr-defined]
        except OSError:
            pass


def run_case(name: str, spec: dict, kill_after: float, total_timeout: float) -> dict:
    t0 = time.perf_counter()
    page = spec["body"]()
    build_s = time.perf_counter() - t0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.page = page  # type: ignore[attr-defined]
    srv.headers_out = spec.get("headers", {})  # type: ignore[attr-defined]
    srv.ctype = spec.get("ctype", "text/html; charset=utf-8")  # type: ignore[attr-defined]
    srv.all_paths = spec.get("all_paths", False)  # type: ignore[attr-defined]
    srv.handle_error = lambda *a: None  # type: ignore[method-assign]  # the scanner hangs up on purpose
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    th.start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/"
    args = spec.get("args") or ["--total-timeout", str(total_timeout)]
    cmd = [sys.executable, "-m", "trustaudit", "scan", url, "-f", "json", "-q", "--no-verify", *args]
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=_ENV, cwd=_TREE[0])
    killed = False
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if time.perf_counter() - start > kill_after:
            killed = True
            os.killpg(proc.pid, 9)
            pid, status, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    srv.shutdown()
    srv.server_close()
    err.seek(0)
    tail = err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return {
        "case": name,
        "page_bytes_on_wire": len(page),
        "build_s": round(build_s, 1),
        "args": " ".join(args),
        "wall_s": round(wall, 2),
        "killed": killed,
        "exit": None if killed else os.waitstatus_to_exitcode(status),
        "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
        "stderr": tail[0][:160],
    }


# a build cache of our own: the default one is shared with every other trustaudit tree of this user, and a tree
# whose code differs replaces it (the first scan of each case would then build the vocabulary)
_ENV = {**os.environ, "TRUSTAUDIT_CACHE_DIR": tempfile.mkdtemp(prefix="ta-hostile-cache-")}
_TREE: list[str | None] = [None]  # where the scan runs: ``python -m trustaudit`` imports that folder's package


def _warm_up() -> None:
    """One ordinary scan first: the compiled-vocabulary cache is built once, as for every scan after the first."""
    run_case("warm-up", {"body": lambda: b"<html><body><p>ok</p></body></html>", "headers": {}}, 120, 10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--kill-after", type=float, default=90.0, help="seconds before the scan is killed [90]")
    ap.add_argument("--total-timeout", type=float, default=10.0, help="--total-timeout of the scan [10]")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--tree", help="run the scans in this source tree (its trustaudit/ and rules/) [this one]")
    a = ap.parse_args(argv)
    _TREE[0] = a.tree
    _warm_up()
    results = []
    print("| case | bytes on the wire | scan options | wall s | peak RSS MB | exit | last stderr line |")
    print("|---|---|---|---|---|---|---|")
    for name in a.case or list(CASES):
        r = run_case(name, CASES[name], a.kill_after, a.total_timeout)
        results.append(r)
        ex = "killed" if r["killed"] else r["exit"]
        print(f"| {name} | {r['page_bytes_on_wire']:,} | `{r['args']}` | {r['wall_s']} | {r['peak_rss_mb']} | {ex} "
              f"| {r['stderr'].replace('|', '/')} |", flush=True)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
