"""Loopback doubles of the registers: a TestServer (tests/servers.py) that also takes POST (VIES), serving the
recorded answers in tests/fixtures/registry/, plus the client factory and config that point trustaudit at it.

    with RegisterServer({"/vies/check-vat-number": fixture_route("vies_valid.json")}) as srv:
        cfg = srv.config(tmp_path)
        v = asyncio.run(verify(ids, config=cfg, client_factory=plain_client, deadline=...))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from servers import Handler, Request, TestServer, send

from trustaudit.models import TaxId
from trustaudit.registry.config import RegistryConfig

FIXTURES = Path(__file__).parent / "fixtures" / "registry"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def json_route(obj: Any, status: int = 200, headers: dict[str, str] | None = None
               ) -> tuple[int, dict[str, str], bytes]:
    body = obj if isinstance(obj, bytes) else json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body


def fixture_route(name: str, status: int = 200, headers: dict[str, str] | None = None
                  ) -> tuple[int, dict[str, str], bytes]:
    return json_route(fixture_bytes(name), status, headers)


def slow(seconds: float, route: tuple[int, dict[str, str], bytes]) -> Callable[[Handler], None]:
    """Answer ``route`` after ``seconds`` (interrupted when the server stops)."""

    def handler(h: Handler) -> None:
        if h.server.stopping.wait(seconds):
            return
        status, headers, body = route
        send(h, status, headers, body)

    return handler


def counting(route: tuple[int, dict[str, str], bytes] | Callable[[Handler], None], counter: list[int]
             ) -> Callable[[Handler], None]:
    def handler(h: Handler) -> None:
        counter.append(1)
        if callable(route):
            route(h)
        else:
            send(h, *route)

    return handler


class PostHandler(Handler):
    """GET/HEAD as tests/servers.py, plus POST: the body is read and kept in ``server.bodies``."""

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.bodies.append((self.path, body))  # type: ignore[attr-defined]
        self.do_GET()


class RegisterServer(TestServer):
    def __init__(self, routes: dict[str, Any] | None = None):
        super().__init__(routes)
        self._server.RequestHandlerClass = PostHandler
        self._server.bodies = []  # type: ignore[attr-defined]

    @property
    def bodies(self) -> list[tuple[str, bytes]]:
        return self._server.bodies  # type: ignore[attr-defined]

    def hits(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if urlsplit(r.path).path.startswith(prefix)]

    def query(self, r: Request) -> dict[str, list[str]]:
        return parse_qs(urlsplit(r.path).query)

    def config(self, cache_dir: Path | None, **table: Any) -> RegistryConfig:
        """Every register at this server: /vies, /wl, /krs, /gleif, /ch, /rdap/dns.json, /certpl.json."""
        env = {
            "TRUSTAUDIT_VIES_URL": f"{self.url}/vies",
            "TRUSTAUDIT_PL_WL_URL": f"{self.url}/wl",
            "TRUSTAUDIT_PL_KRS_URL": f"{self.url}/krs",
            "TRUSTAUDIT_GLEIF_URL": f"{self.url}/gleif",
            "TRUSTAUDIT_CH_URL": f"{self.url}/ch",
            "TRUSTAUDIT_RDAP_BOOTSTRAP_URL": f"{self.url}/rdap/dns.json",
            "TRUSTAUDIT_CERTPL_URL": f"{self.url}/certpl.json",
        }
        key = table.pop("companies_house_key", None)
        if key:
            env["COMPANIES_HOUSE_API_KEY"] = key
        if cache_dir is not None:
            table.setdefault("cache_dir", str(cache_dir))
        cfg = RegistryConfig.load(table, env)
        if cache_dir is None:
            from dataclasses import replace

            cfg = replace(cfg, use_cache=False)
        return cfg

    def bootstrap_route(self) -> tuple[int, dict[str, str], bytes]:
        """The reduced IANA bootstrap file with every RDAP server moved to this server's /rdap/<tld>/."""
        text = fixture_bytes("rdap_bootstrap.json").decode()
        for real, tld in (("https://rdap.verisign.com/com/v1/", "com"), ("https://rdap.dns.pl/", "pl"),
                          ("https://rdap.denic.de/", "de")):
            text = text.replace(real, f"{self.url}/rdap/{tld}/")
        return json_route(text.encode())


def plain_client() -> httpx.AsyncClient:
    """What the connection gate will provide; in tests a plain client (every server is on loopback)."""
    return httpx.AsyncClient(trust_env=False)


def tax_id(scheme: str, value: str, valid: bool | None = True, snippet: str = "",
           url: str = "https://shop.example/kontakt") -> TaxId:
    return TaxId(scheme, value, valid, url, "", snippet)


def worker_lookup(base_url: str, cache_dir: str, scheme: str, value: str, out) -> None:
    """In a separate process (spawn): verify one ID against the loopback registers, report (status, cached)."""
    import asyncio
    import time

    from trustaudit.registry import verify

    env = {"TRUSTAUDIT_PL_WL_URL": f"{base_url}/wl", "TRUSTAUDIT_VIES_URL": f"{base_url}/vies"}
    cfg = RegistryConfig.load({"cache_dir": cache_dir}, env)
    v = asyncio.run(verify([tax_id(scheme, value)], config=cfg, client_factory=plain_client,
                           deadline=time.monotonic() + 30))
    rec = v.ids[0].record
    out.put((rec.status.value, rec.cached, rec.checked_at))
