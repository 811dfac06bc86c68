"""Scan options: every limit the crawl honours, all overridable from the CLI or a config file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from trustaudit import __version__

DEFAULT_USER_AGENT = f"trustaudit/{__version__} (+https://pypi.org/project/trustaudit/; shop trust audit)"


@dataclass(frozen=True)
class ScanOptions:
    max_pages: int = 25
    timeout: float = 10.0  # seconds per request (connect, read, each)
    total_timeout: float = 120.0  # seconds for the whole scan: fetching pages and reading them
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
    # --as-of YYYY-MM-DD: the day dated legal duties are judged on (rules' applies_from), to preview a duty to come
    # or reproduce an old report; None: the day of the scan. An ISO string, validated by the CLI (parse_as_of)
    as_of: str | None = None
    # sent only to the target's own origin(s) (scheme, host, port), never to other hosts or after a cross-site
    # redirect; repr=False: never printed, never in a batch database
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # --header "Name: value"
    cookie: str | None = field(default=None, repr=False)  # --cookie "a=1; b=2"
    auth: str | None = field(default=None, repr=False)  # --auth user:password (HTTP basic)
    include: tuple[str, ...] = ()  # --include URL patterns: links followed only when one matches
    exclude: tuple[str, ...] = ()  # --exclude URL patterns: links never followed when one matches
    # register and reputation look-ups (official registers, RDAP, warning lists): None = on for http(s) targets and
    # off for saved pages; True = --verify (saved pages too); False = --no-verify
    verify: bool | None = None
    # the config file's [registries] table (base URLs, sources turned off ...), validated by the CLI
    registries: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def wants(self, url: str) -> bool:
        """May the crawl follow a link to ``url`` (``--include`` / ``--exclude``)?"""
        if not self.include and not self.exclude:
            return True
        return (not self.include or any(url_matches(p, url) for p in self.include)) and not any(
            url_matches(p, url) for p in self.exclude
        )

    def public(self) -> dict[str, object]:
        """What may be stored or shown of these options: credentials replaced by the names they carry."""
        from dataclasses import asdict

        d = asdict(self)
        d["headers"] = [name for name, _ in self.headers]
        d["cookie"] = [c.split("=", 1)[0].strip() for c in (self.cookie or "").split(";") if c.strip()]
        d["auth"] = (self.auth or "").split(":", 1)[0] or None
        return d


def url_matches(pattern: str, url: str) -> bool:
    """A ``--include`` / ``--exclude`` pattern (shell-style: ``*`` any run of characters, ``?`` one): one that
    starts with ``/`` is matched against the URL's path (and query), any other against the whole URL."""
    if pattern.startswith("/"):
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return fnmatchcase(target, pattern)
    return fnmatchcase(url, pattern)


RENDER_MODES = ("off", "auto", "always")


def parse_as_of(value: object, where: str = "--as-of") -> str | None:
    """``--as-of`` / ``as_of``: a calendar day written YYYY-MM-DD (a TOML date too) -> its ISO string; raises
    ValueError with a one-line message naming ``where`` otherwise."""
    import datetime as dt
    import re

    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{where} {str(value)[:40]!r}: expected a date YYYY-MM-DD (e.g. 2026-06-19)")
