"""Scan options: every limit the crawl honours, all overridable from the CLI or a config file."""

from __future__ import annotations

from dataclasses import dataclass

from trustaudit import __version__

DEFAULT_USER_AGENT = f"trustaudit/{__version__} (+https://pypi.org/project/trustaudit/; shop trust audit)"


@dataclass(frozen=True)
class ScanOptions:
    max_pages: int = 25
    timeout: float = 10.0  # seconds per request (connect, read, each)
    total_timeout: float = 120.0  # seconds for the whole crawl
    max_bytes: int = 5_000_000  # per page body; longer bodies are truncated and recorded
    max_redirects: int = 10
    concurrency: int = 4  # requests in flight to one shop
    user_agent: str = DEFAULT_USER_AGENT
    ca_bundle: str | None = None  # PATH to PEM bundle; SSL_CERT_FILE is honoured when unset
    country: str | None = None  # override the detected country (ISO alpha-2)
    respect_robots: bool = True
    allow_private: bool = False  # let the connection gate reach private/loopback/link-local addresses
    # (cloud-metadata addresses stay refused unless they are the target itself)
    check_tls: bool = True
    resolve: tuple[str, ...] = ()  # --resolve HOST:PORT:ADDRESS entries (curl's convention), validated by the CLI
    render: str = "off"  # --render: "always" loads every page in headless Chromium, "auto" only pages that are
    # application shells (content built by JavaScript), "off" reads the HTML as served
    chromium: str | None = None  # --chromium PATH (else TRUSTAUDIT_CHROMIUM, else found on the system)


RENDER_MODES = ("off", "auto", "always")
