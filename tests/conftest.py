"""Shared fixtures. Network fixtures start real servers on 127.0.0.1 (see tests/servers.py)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator

import pytest
from servers import Certs, TestServer

from trustaudit.options import ScanOptions

# The build cache (trustaudit/resources.py: parsed rules, compiled vocabulary) goes to a private folder per test
# process, never to the user's ~/.cache nor to a TRUSTAUDIT_CACHE_DIR set in the shell (the register answers
# cached there by an earlier run would stand in for the look-ups a test watches); subprocesses inherit it.
_cache = tempfile.mkdtemp(prefix="trustaudit-test-cache-")
os.environ["TRUSTAUDIT_CACHE_DIR"] = _cache
atexit.register(shutil.rmtree, _cache, True)

# Register look-ups are on by default for every http(s) scan: in the suite every register address points at a
# closed loopback port (nothing listens on port 9, and no test server is ever given a port below 1024), so a scan
# that does not set up its own replay servers gets "could not check" at once and nothing leaves the machine.
# Tests that replay a register's answers set these variables themselves (monkeypatch.setenv).
CLOSED = "http://127.0.0.1:9"
REGISTER_ENV = {
    "TRUSTAUDIT_VIES_URL": f"{CLOSED}/vies",
    "TRUSTAUDIT_PL_WL_URL": f"{CLOSED}/wl",
    "TRUSTAUDIT_PL_KRS_URL": f"{CLOSED}/krs",
    "TRUSTAUDIT_GLEIF_URL": f"{CLOSED}/gleif",
    "TRUSTAUDIT_CH_URL": f"{CLOSED}/ch",
    "TRUSTAUDIT_RDAP_BOOTSTRAP_URL": f"{CLOSED}/rdap/dns.json",
    "TRUSTAUDIT_CERTPL_URL": f"{CLOSED}/certpl.json",
}
for _k, _v in REGISTER_ENV.items():
    os.environ[_k] = _v
os.environ.pop("COMPANIES_HOUSE_API_KEY", None)

# An extractor that raises fails the test instead of being recorded as an extractor error (trustaudit/extract/
# page.py); tests/test_extract_page.py proves the recording with the variable removed.
os.environ.setdefault("TRUSTAUDIT_STRICT", "1")

# --------------------------------------------------------------------------- nothing leaves the machine

# Every HTTP connection (the gate's, and the tests' own clients) is opened by httpcore's network backend, which is
# watched for the whole session; names are never sent to a real DNS server (only ``localhost`` resolves through
# the system; ``--resolve`` entries and test resolvers answer everything else). A connection to an address outside
# this machine is refused as unreachable and recorded, and fails the test that made it (tests/test_no_leaks.py).
LEAKS: list[tuple[str, int]] = []
ASKED_DNS: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def _no_traffic_off_the_machine():
    import ipaddress

    import httpcore

    from trustaudit.net import resolve as resolve_mod

    # the gate hands httpcore's network backend the checked address: watched there, after the gate's own check
    real_connect = httpcore.AnyIOBackend.connect_tcp
    real_resolve = resolve_mod.SystemResolver.resolve

    async def connect_tcp(self, host, port, *args, **kw):
        ip = resolve_mod.ip_literal(host)
        here = host == "localhost" if ip is None else (
            ipaddress.ip_address(ip).is_loopback or ipaddress.ip_address(ip).is_unspecified)  # 0.0.0.0: here too
        if not here:
            LEAKS.append((ip or host, port))
            raise httpcore.ConnectError(f"test suite: no connection to {host}:{port} (off the machine)")
        return await real_connect(self, host, port, *args, **kw)

    async def system_resolve(self, host, port):
        name = host.strip().strip("[]").lower().rstrip(".")
        if resolve_mod.ip_literal(name) is None and name != "localhost":
            ASKED_DNS.append(name)
            return []
        return await real_resolve(self, host, port)

    httpcore.AnyIOBackend.connect_tcp = connect_tcp
    resolve_mod.SystemResolver.resolve = system_resolve
    yield
    httpcore.AnyIOBackend.connect_tcp = real_connect
    resolve_mod.SystemResolver.resolve = real_resolve


@pytest.fixture(autouse=True)
def _no_leak_in_this_test(_no_traffic_off_the_machine):
    """Every test of the suite: no connection off the machine was attempted while it ran."""
    before = len(LEAKS)
    yield
    assert LEAKS[before:] == [], f"connections off the machine were attempted: {LEAKS[before:]}"


# --------------------------------------------------------------------------- network / TLS (crawl stage)


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certs:
    """A trustme CA plus badssl-style server certificates (valid, expired, wrong host, ...)."""
    return Certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def ca_bundle(certs: Certs) -> str:
    """PEM path of the test CA: pass it as ScanOptions(ca_bundle=...)."""
    return certs.ca_bundle


@pytest.fixture
def serve() -> Iterator[Callable[..., TestServer]]:
    """Factory: ``serve(routes, ssl_context=None, directory=None)`` -> a started TestServer, stopped at teardown."""
    started: list[TestServer] = []

    def factory(routes=None, **kw) -> TestServer:
        srv = TestServer(routes, **kw).start()
        started.append(srv)
        return srv

    yield factory
    for srv in reversed(started):
        srv.stop()


@pytest.fixture
def fast_options(ca_bundle: str) -> ScanOptions:
    """Scan options with short limits for fault tests; trusts the test CA."""
    return ScanOptions(
        max_pages=10, timeout=1.5, total_timeout=8.0, max_bytes=1_000_000, concurrency=4, ca_bundle=ca_bundle
    )


# --------------------------------------------------------------------------- headless Chromium (--render)


@pytest.fixture(scope="session")
def chromium_host():
    """One headless Chromium for the render tests of this test process (each scan gets a fresh context, as
    every shop does). Skips, saying what to install, only where no Chromium or Playwright can be had."""
    from trustaudit.crawl.browser import BrowserHost, RenderUnavailable

    try:
        host = BrowserHost(ScanOptions())
    except RenderUnavailable as exc:
        pytest.skip(f"no headless Chromium for the --render tests: {exc}")
    yield host
    host.close()
