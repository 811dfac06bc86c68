"""A fast loopback HTTP/1.1 server for the generated shops, run in its own process.

Why this design:

* **Own process** (``python shopserver.py``): the server never competes with the measured client for the GIL.
  On a 2-core machine the server gets one core and the scanner the other.
* **One port per shop** on 127.0.0.1 (``http://127.0.0.1:<port>/``): every shop is its own origin with pages
  at the root, its own ``/robots.txt`` and ``/sitemap.xml``, exactly like a real shop, and no DNS or Host
  header trickery is needed (``*.localhost`` does not resolve here). 1,000 listening sockets in one event loop
  cost nothing measurable.
* **asyncio protocol, bytes prepared in memory**: no per-request Python HTTP framework, keep-alive and
  pipelining, gzip bodies compressed once at generation. Shop ``i`` serves template ``i % len(templates)``;
  uncompressed bodies get the shop number written into them (``shopgen.personalise``).

Use ``ShopServer(n_shops, seed)`` as a context manager; ``urls`` lists the shop home URLs. The process is
terminated (then killed) on exit, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import subprocess
import sys

READY_TIMEOUT = 120.0  # seconds to generate the templates and bind the ports
REGISTER_VARS = ("TRUSTAUDIT_VIES_URL", "TRUSTAUDIT_PL_WL_URL", "TRUSTAUDIT_PL_KRS_URL", "TRUSTAUDIT_GLEIF_URL",
                 "TRUSTAUDIT_CH_URL", "TRUSTAUDIT_RDAP_BOOTSTRAP_URL", "TRUSTAUDIT_CERTPL_URL")


def offline_registers() -> None:
    """Scans look up the IDs they find in the official registers by default: the generated shops show real-looking
    IDs, so every register is pointed at a closed loopback port (nothing listens on port 9) unless the caller set
    it. The benchmark then measures the crawl and extraction, never a ministry's API, and asks nobody anything;
    child processes inherit the variables."""
    for var in REGISTER_VARS:
        os.environ.setdefault(var, "http://127.0.0.1:9/")


def _serve(
    n_shops: int, seed: int, n_templates: int | None, latency_ms: float = 0.0, grid: bool = False
) -> None:  # server process
    import asyncio
    import signal

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import shopgen

    templates = [shopgen.generate_grid(seed)] if grid else shopgen.generate_templates(seed, n_templates)
    port_shop: dict[int, int] = {}

    def response(status: str, ctype: str, body: bytes, head: bool, extra: str = "") -> bytes:
        hdr = (
            f"HTTP/1.1 {status}\r\nServer: benchshop\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Cache-Control: max-age=60\r\n\r\n"
        ).encode("latin-1")
        return hdr if head else hdr + body

    not_found = (
        b"<!DOCTYPE html><html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>"
    )

    def handle(port: int, method: str, target: str, headers: dict[str, str]) -> bytes:
        shop_no = port_shop.get(port, 0)
        t = templates[shop_no % len(templates)]
        path = target.split("?", 1)[0].split("#", 1)[0] or "/"
        head = method == "HEAD"
        origin = f"http://{headers.get('host') or f'127.0.0.1:{port}'}"
        if path == "/robots.txt":
            return response(
                "200 OK", "text/plain; charset=utf-8", t.robots.replace("{origin}", origin).encode(), head
            )
        if path == "/sitemap.xml":
            return response("200 OK", "application/xml", t.sitemap.replace("{origin}", origin).encode(), head)
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        page = t.pages.get(path)
        if page is None:
            return response("404 Not Found", "text/html; charset=utf-8", not_found, head)
        if page.gz is not None and "gzip" in headers.get("accept-encoding", ""):
            return response(
                "200 OK",
                t.content_type(),
                page.gz,
                head,
                "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n",
            )
        return response("200 OK", t.content_type(), shopgen.personalise(page.body, shop_no), head)

    class Proto(asyncio.Protocol):
        def __init__(self, port: int):
            self.port = port
            self.buf = b""
            self.transport = None

        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.buf += data
            if len(self.buf) > 65536:
                self.transport.close()
                return
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                raw, self.buf = self.buf[:end], self.buf[end + 4 :]
                lines = raw.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3:
                    self.transport.write(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    self.transport.close()
                    return
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                data = handle(self.port, parts[0], parts[1], headers)
                close = headers.get("connection", "").lower() == "close" or parts[2] == "HTTP/1.0"
                if latency_ms > 0:
                    # a remote shop's time to first byte: the answer leaves after the latency (clients here
                    # send one request at a time per connection, so answers keep their order)
                    asyncio.get_running_loop().call_later(latency_ms / 1000, self._send, data, close)
                else:
                    self._send(data, close)
                if close:
                    return

        def _send(self, data: bytes, close: bool) -> None:
            if self.transport is None or self.transport.is_closing():
                return
            self.transport.write(data)
            if close:
                self.transport.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = []
        ports = []
        for i in range(n_shops):
            holder: dict[str, int] = {}
            srv = await loop.create_server(lambda h=holder: Proto(h["port"]), "127.0.0.1", 0, backlog=512)
            port = srv.sockets[0].getsockname()[1]
            holder["port"] = port
            port_shop[port] = i
            servers.append(srv)
            ports.append(port)
        sys.stdout.write(json.dumps({"ports": ports, "templates": [t.key for t in templates]}) + "\n")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        for s in servers:
            s.close()

    asyncio.run(main())


class ShopServer:
    """Serve ``n_shops`` generated shops on loopback from a separate process (``python shopserver.py``)."""

    def __init__(
        self, n_shops: int, seed: int = 7, n_templates: int | None = None, latency_ms: float = 0.0, grid: bool = False
    ):
        self.n_shops = n_shops
        self.grid = grid  # serve the product-grid shop (shopgen.generate_grid) instead of the templates
        self.latency_ms = latency_ms
        self.seed = seed
        self.n_templates = n_templates
        self.proc: subprocess.Popen | None = None
        self.ports: list[int] = []
        self.template_keys: list[str] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}/" for p in self.ports]

    def template_of(self, shop_no: int) -> str:
        return self.template_keys[shop_no % len(self.template_keys)]

    def __enter__(self) -> ShopServer:
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--shops",
            str(self.n_shops),
            "--seed",
            str(self.seed),
        ]
        if self.n_templates:
            cmd += ["--templates", str(self.n_templates)]
        if self.latency_ms:
            cmd += ["--latency-ms", str(self.latency_ms)]
        if self.grid:
            cmd.append("--grid")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            ready, _, _ = select.select([self.proc.stdout], [], [], READY_TIMEOUT)
            line = self.proc.stdout.readline() if ready else ""
            if not line:
                raise RuntimeError(f"shop server did not start (exit code {self.proc.poll()})")
            msg = json.loads(line)
            self.ports, self.template_keys = msg["ports"], msg["templates"]
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        p = self.proc
        if p is None:
            return
        self.proc = None
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if p.stdout:
            p.stdout.close()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="serve generated shops on 127.0.0.1, one port per shop")
    ap.add_argument("--shops", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--templates", type=int, default=None)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer (a remote shop's TTFB)")
    ap.add_argument("--grid", action="store_true", help="serve the product-grid shop (25 pages of 300 cards)")
    a = ap.parse_args()
    _serve(a.shops, a.seed, a.templates, a.latency_ms, a.grid)
