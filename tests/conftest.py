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
# process, never to the user's ~/.cache; subprocesses started by tests inherit it.
if "TRUSTAUDIT_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="trustaudit-test-cache-")
    os.environ["TRUSTAUDIT_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, True)

# An extractor that raises fails the test instead of being recorded as an extractor error (trustaudit/extract/
# page.py); tests/test_extract_page.py proves the recording with the variable removed.
os.environ.setdefault("TRUSTAUDIT_STRICT", "1")

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
