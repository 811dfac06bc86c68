"""Reusable loopback test servers: routes or a directory, plain HTTP or HTTPS (certificates from trustme),
plus the hostile routes a crawler must survive (drip, huge body, gzip bomb, redirect loops, ...).

    with TestServer({"/": html("<a href='/kontakt'>Kontakt</a>")}) as srv:
        crawl(srv.url + "/", ...)

A route is ``(status, headers, body)`` or a callable ``fn(handler) -> None`` that writes the whole response
(use :func:`send`). Keys ending in ``*`` match by prefix. Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import ipaddress
import os
import socket
import ssl
import threading
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

Route = tuple[int, dict[str, str], bytes] | Callable[["Handler"], None]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


# --------------------------------------------------------------------------- responses


def send(handler: Handler, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
    handler.send_response(status)
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    if "content-length" not in hdrs:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD" and body:
        handler.wfile.write(body)


def html(body: str | bytes, status: int = 200, headers: dict[str, str] | None = None,
         charset: str | None = "utf-8") -> tuple[int, dict[str, str], bytes]:
    data = body.encode(charset or "utf-8") if isinstance(body, str) else body
    ctype = f"text/html; charset={charset}" if charset else "text/html"
    return status, {"Content-Type": ctype, **(headers or {})}, data


def redirect(location: str, status: int = 302) -> tuple[int, dict[str, str], bytes]:
    return status, {"Location": location}, b""


def drip(total: int = 200, interval: float = 1.0) -> Callable[[Handler], None]:
    """Headers at once, then one byte every ``interval`` seconds (defeats per-read timeouts)."""

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        h.wfile.flush()
        for _ in range(total):
            if h.server.stopping.wait(interval):
                return
            h.wfile.write(b"<")
            h.wfile.flush()

    return route


def huge(size: int = 60_000_000, chunk: int = 65_536) -> Callable[[Handler], None]:
    """A ``size``-byte HTML page generated lazily in chunks (never held in memory)."""
    block = (b"<p>" + b"x" * (chunk - 7) + b"</p>\n")[:chunk]

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        h.wfile.write(b"<html><body>")
        sent = 12
        while sent < size and not h.server.stopping.is_set():
            piece = block[: min(chunk, size - sent)]
            h.wfile.write(piece)
            sent += len(piece)

    return route


@functools.lru_cache(maxsize=4)
def gzip_bomb_bytes(decompressed: int = 200_000_000) -> bytes:
    """gzip of an HTML page whose body is ``decompressed`` bytes of spaces (about 1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(b"<html><body><p>")]
    block = b" " * 1_048_576
    left = decompressed
    while left > 0:
        out.append(comp.compress(block[: min(left, len(block))]))
        left -= len(block)
    out.append(comp.flush())
    return b"".join(out)


def gzip_bomb(decompressed: int = 200_000_000) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip_bomb_bytes(decompressed)


@functools.lru_cache(maxsize=8)
def stacked_bomb_bytes(content_encoding: str, decompressed: int) -> bytes:
    """A body for ``Content-Encoding: <content_encoding>`` (e.g. "gzip, gzip", "br", "zstd", "gzip, br") whose
    innermost layer holds ``decompressed`` bytes of an HTML page of spaces. Each layer is applied in header
    order, the first one streamed so the page is never in memory."""
    tokens = [t.strip() for t in content_encoding.split(",") if t.strip()]
    first, rest = tokens[0], tokens[1:]
    block = b" " * 1_048_576
    head = b"<html><body><p>"
    if first in ("gzip", "deflate"):
        comp = zlib.compressobj(9, zlib.DEFLATED, 31 if first == "gzip" else 15)
        out = [comp.compress(head)] + [comp.compress(block) for _ in range(decompressed // len(block))]
        data = b"".join(out) + comp.flush()
    elif first == "br":
        import brotli

        c = brotli.Compressor(quality=5)
        data = c.process(head) + b"".join(c.process(block) for _ in range(decompressed // len(block))) + c.finish()
    elif first == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            from backports import zstd  # type: ignore[no-redef]
        c = zstd.ZstdCompressor()
        data = c.compress(head) + b"".join(c.compress(block) for _ in range(decompressed // len(block))) + c.flush()
    else:
        raise ValueError(first)
    for t in rest:
        data = _encode_once(t, data)
    return data


def _encode_once(token: str, data: bytes) -> bytes:
    if token == "gzip":
        return gzip.compress(data, 9)
    if token == "deflate":
        return zlib.compress(data, 9)
    if token == "br":
        import brotli

        return brotli.compress(data)
    if token == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            from backports import zstd  # type: ignore[no-redef]
        return zstd.compress(data)
    raise ValueError(token)


def encoded(body: bytes, content_encoding: str,
            content_type: str = "text/html; charset=utf-8") -> tuple[int, dict[str, str], bytes]:
    """``body`` with the encodings of ``content_encoding`` applied in order (an ordinary compressed page)."""
    for t in [t.strip() for t in content_encoding.split(",") if t.strip() and t.strip() != "identity"]:
        body = _encode_once(t, body)
    return 200, {"Content-Type": content_type, "Content-Encoding": content_encoding}, body


def gzipped(body: bytes, content_type: str = "text/html; charset=utf-8") -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": content_type, "Content-Encoding": "gzip"}, gzip.compress(body)


def infinite_links(prefix: str = "/page/") -> Callable[[Handler], None]:
    """/page/N links to /page/N+1, /page/N+2 and a random ?id= URL: an unbounded crawler trap."""

    def route(h: Handler) -> None:
        path = urlsplit(h.path).path
        try:
            n = int(path[len(prefix):].strip("/") or 0)
        except ValueError:
            n = 0
        nonce = os.urandom(4).hex()
        body = (
            f"<html><body><h1>Page {n}</h1><footer><a href='{prefix}{n + 1}'>next</a>"
            f"<a href='{prefix}{n + 2}'>next 2</a><a href='{prefix}{n}?id={nonce}'>random</a>"
            f"<a href='{prefix}{n}?utm_source=x#frag'>same</a></footer></body></html>"
        )
        send(h, 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())

    return route


# --------------------------------------------------------------------------- server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: _Server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(
            Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        )
        route = self.server.find(self.path)
        try:
            if route is None:
                send(self, 404, {"Content-Type": "text/html"}, b"<html><body><h1>Not found</h1></body></html>")
            elif callable(route):
                route(self)
            else:
                status, headers, body = route
                send(self, status, headers, body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    do_HEAD = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, routes: dict[str, Route], directory: Path | None, ctx: ssl.SSLContext | None):
        self.routes = routes
        self.directory = directory
        self.ssl_context = ctx
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls on loopback
        if self.ssl_context is not None:
            # the handshake happens in the handler thread (first read), never in the accept loop
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address) -> None:
        pass  # clients hang up on purpose in these tests

    def find(self, raw_path: str) -> Route | None:
        if raw_path in self.routes:
            return self.routes[raw_path]
        path = urlsplit(raw_path).path
        if path in self.routes:
            return self.routes[path]
        for key, route in self.routes.items():
            if key.endswith("*") and path.startswith(key[:-1]):
                return route
        if self.directory is not None:
            return self._file(path)
        return None

    def _file(self, path: str) -> Route | None:
        rel = path.lstrip("/")
        target = (self.directory / rel).resolve()
        if self.directory not in target.parents and target != self.directory:
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return None
        ctype = "text/html" if target.suffix in (".html", ".htm") else "application/octet-stream"
        return 200, {"Content-Type": ctype}, target.read_bytes()


class TestServer:
    """A threaded HTTP(S) server on 127.0.0.1 (or ``host``, e.g. 127.0.0.2 to play another machine) and a random
    port (or ``port``); use as a context manager."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: dict[str, Route] | None = None, *, directory: str | Path | None = None,
                 ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1", port: int = 0):
        self._server = _Server(
            (host, port), dict(routes or {}), Path(directory).resolve() if directory else None, ssl_context
        )
        self.host = host
        self.port = self._server.server_address[1]
        self.scheme = "https" if ssl_context is not None else "http"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def routes(self) -> dict[str, Route]:
        return self._server.routes

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    def paths(self) -> list[str]:
        return [r.path for r in self._server.requests]

    def start(self) -> TestServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A loopback port with nothing listening (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- DNS


class FakeResolver:
    """Test DNS for the connection gate (``trustaudit.net.resolve.Resolver``): host name -> addresses.

    An answer is a list of addresses, or a list of such lists answered in turn (the last one repeats), which
    plays DNS rebinding. Unknown names do not resolve; nothing is ever sent to a real DNS server. Every
    question is recorded in ``calls`` as (host, port).
    """

    def __init__(self, answers: dict[str, list[str] | list[list[str]]]):
        self.answers = {k.lower(): v for k, v in answers.items()}
        self.calls: list[tuple[str, int]] = []

    def asked(self, host: str) -> int:
        return sum(1 for h, _ in self.calls if h == host.lower())

    async def resolve(self, host: str, port: int) -> list[str]:
        host = host.lower().rstrip(".")
        self.calls.append((host, port))
        ans = self.answers.get(host)
        if not ans:
            return []
        if isinstance(ans[0], (list, tuple)):
            turn = self.asked(host) - 1
            return list(ans[min(turn, len(ans) - 1)])
        return list(ans)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- certificates


class Certs:
    """A trustme CA and the badssl.com-style server certificates made from it (files in ``folder``)."""

    def __init__(self, folder: Path):
        import trustme

        self.folder = Path(folder)
        self.ca = trustme.CA()
        self.ca_bundle = str(self._write("ca.pem", self.ca.cert_pem.bytes()))
        self._trustme = trustme

    def _write(self, name: str, data: bytes) -> Path:
        p = self.folder / name
        p.write_bytes(data)
        return p

    def _context(self, name: str, chain: bytes, key: bytes, *, weak: bool = False,
                 max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
        cert_file = self._write(f"{name}.crt", chain)
        key_file = self._write(f"{name}.key", key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if weak or max_version is not None:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        if max_version is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = max_version
                ctx.maximum_version = max_version
        ctx.load_cert_chain(str(cert_file), str(key_file))
        return ctx

    def _leaf(self, name: str, leaf, *, chain: bool = True, **kw) -> ssl.SSLContext:
        pems = [b.bytes() for b in leaf.cert_chain_pems]
        return self._context(name, b"".join(pems if chain else pems[:1]), leaf.private_key_pem.bytes(), **kw)

    def valid(self) -> ssl.SSLContext:
        return self._leaf("valid", self.ca.issue_cert("127.0.0.1", "localhost"))

    def for_hosts(self, *names: str) -> ssl.SSLContext:
        """A valid certificate for the given host names (reached through a FakeResolver or --resolve)."""
        return self._leaf("hosts-" + "-".join(n.replace("*", "star") for n in names), self.ca.issue_cert(*names))

    def expired(self) -> ssl.SSLContext:
        now = dt.datetime.now(dt.timezone.utc)
        leaf = self.ca.issue_cert(
            "127.0.0.1", "localhost", not_before=now - dt.timedelta(days=60), not_after=now - dt.timedelta(days=2)
        )
        return self._leaf("expired", leaf)

    def not_yet_valid(self) -> ssl.SSLContext:
        now = dt.datetime.now(dt.timezone.utc)
        leaf = self.ca.issue_cert(
            "127.0.0.1", "localhost", not_before=now + dt.timedelta(days=10), not_after=now + dt.timedelta(days=100)
        )
        return self._leaf("future", leaf)

    def wrong_host(self) -> ssl.SSLContext:
        return self._leaf("wronghost", self.ca.issue_cert("wrong.example", "*.wrong.example"))

    def unknown_ca(self) -> ssl.SSLContext:
        return self._leaf("unknownca", self._trustme.CA().issue_cert("127.0.0.1", "localhost"))

    def incomplete_chain(self) -> ssl.SSLContext:
        intermediate = self.ca.create_child_ca()
        return self._leaf("incomplete", intermediate.issue_cert("127.0.0.1", "localhost"), chain=False)

    def self_signed(self) -> ssl.SSLContext:
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        chain, key_pem = _make_cert(key, issuer_key=key, issuer_name=None, cn="127.0.0.1")
        return self._context("selfsigned", chain, key_pem)

    def weak_key(self) -> ssl.SSLContext:
        """RSA-1024 leaf signed by the trusted CA (needs the CA key: trustme keeps it as ``_private_key``)."""
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import rsa

        ca_key = getattr(self.ca, "_private_key", None)
        if ca_key is None:
            raise RuntimeError("trustme CA key not reachable")
        ca_cert = x509.load_pem_x509_certificate(self.ca.cert_pem.bytes())
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        chain, key_pem = _make_cert(key, issuer_key=ca_key, issuer_name=ca_cert.subject, cn="127.0.0.1")
        return self._context("weak", chain, key_pem, weak=True)

    def old_protocol(self) -> ssl.SSLContext:
        """A valid certificate, but the server speaks only TLS 1.0."""
        leaf = self.ca.issue_cert("127.0.0.1", "localhost", key_type=self._trustme.KeyType.RSA)
        return self._leaf("tls10", leaf, max_version=ssl.TLSVersion.TLSv1)


def _make_cert(key, *, issuer_key, issuer_name, cn: str) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(cn)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem


# --------------------------------------------------------------------------- a forward proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    """Forwards ``GET http://host:port/path`` (absolute form, as clients send to a proxy), resolving the host with
    the proxy's own name table; records every request it is asked for."""

    protocol_version = "HTTP/1.1"
    timeout = 5

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence
        pass

    def do_GET(self) -> None:  # noqa: N802
        import http.client

        self.server.requests.append(Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        parts = urlsplit(self.path)
        if parts.scheme != "http" or not parts.hostname:
            send(self, 400, {"Content-Type": "text/plain"}, b"absolute http:// URLs only")
            return
        address = self.server.names.get(parts.hostname, parts.hostname)
        conn = http.client.HTTPConnection(address, parts.port or 80, timeout=5)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
            conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            out = {k: v for k, v in resp.getheaders() if k.lower() not in ("transfer-encoding", "connection")}
            out["Content-Length"] = str(len(body))
            send(self, resp.status, out, body)
        except OSError:
            send(self, 502, {"Content-Type": "text/plain"}, b"bad gateway")
        finally:
            conn.close()


class ProxyServer:
    """A loopback HTTP forward proxy; ``names`` maps host names to the addresses the proxy connects to."""

    __test__ = False

    def __init__(self, names: dict[str, str] | None = None):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
        self._server.daemon_threads = True
        self._server.requests = []  # type: ignore[attr-defined]
        self._server.names = dict(names or {})  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> list[Request]:
        return self._server.requests  # type: ignore[attr-defined]

    def __enter__(self) -> ProxyServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
