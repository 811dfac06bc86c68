"""Where the registers are, and what may be asked: the ``[registries]`` table of trustaudit.toml plus
environment variables.

```toml
[registries]
vies_url = "https://ec.europa.eu/taxation_customs/vies/rest-api"   # any source: <source>_url
off = ["gleif"]                  # sources never asked
send_trader_details = false      # also send the seller's name/address to VIES for its own matching
cache_dir = "/var/cache/trustaudit"
```

Precedence, for each base URL: environment variable (``TRUSTAUDIT_VIES_URL`` ...), then the config table, then
the official address from rules/registries.yaml. The Companies House key is read from the environment only
(``COMPANIES_HOUSE_API_KEY``): a secret does not belong in a file that is committed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trustaudit.options import DEFAULT_USER_AGENT
from trustaudit.registry import data


class RegistryConfigError(ValueError):
    pass


def _nearest(value: str, choices) -> str:
    import difflib

    got = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.5)
    return f" (nearest: {got[0]!r})" if got else ""


@dataclass(frozen=True)
class RegistryConfig:
    urls: Mapping[str, str] = field(default_factory=dict)  # source id -> base URL (all sources present)
    companies_house_key: str | None = None
    cache_dir: Path | None = None  # None: the trustaudit cache directory (TRUSTAUDIT_CACHE_DIR ...)
    use_cache: bool = True  # False: answers are kept in memory for this process only
    off: frozenset[str] = frozenset()
    send_trader_details: bool = False
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def load(cls, table: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
             where: str = "[registries]") -> RegistryConfig:
        env = os.environ if env is None else env
        table = dict(table or {})
        specs = data.sources()
        known = {f"{sid}_url" for sid in specs} | {"off", "send_trader_details", "cache_dir"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise RegistryConfigError(f"{where}: unknown key {unknown[0]!r}{_nearest(unknown[0], known)}")
        for k in (f"{sid}_url" for sid in specs):
            if k in table and not isinstance(table[k], str):
                raise RegistryConfigError(f"{where} {k}: must be a URL in quotes")
        if "send_trader_details" in table and not isinstance(table["send_trader_details"], bool):
            raise RegistryConfigError(f"{where} send_trader_details: must be true or false")
        if "cache_dir" in table and not isinstance(table["cache_dir"], str):
            raise RegistryConfigError(f"{where} cache_dir: must be a folder name in quotes")
        urls: dict[str, str] = {}
        for sid, spec in specs.items():
            url = (env.get(spec.env) or "").strip() or str(table.get(f"{sid}_url") or "").strip() or spec.url
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                origin = spec.env if env.get(spec.env) else f"{where} {sid}_url"
                raise RegistryConfigError(f"{origin}: not an http(s) URL: {url!r}")
            urls[sid] = url.rstrip("/") if sid not in ("rdap", "certpl") else url
        off_raw = table.get("off") or []
        if isinstance(off_raw, str) or not all(isinstance(x, str) for x in off_raw):
            raise RegistryConfigError(f"{where}: 'off' must be a list of source names")
        bad = sorted(set(off_raw) - set(specs))
        if bad:
            raise RegistryConfigError(f"{where}: 'off' names unknown source {bad[0]!r}{_nearest(bad[0], specs)} "
                                      f"(sources: {', '.join(specs)})")
        cache_dir = table.get("cache_dir")
        key_env = specs["ch"].key_env or "COMPANIES_HOUSE_API_KEY"
        return cls(
            urls=urls,
            companies_house_key=(env.get(key_env) or "").strip() or None,
            cache_dir=Path(str(cache_dir)).expanduser() if cache_dir else None,
            use_cache=(env.get("TRUSTAUDIT_NO_CACHE", "").strip() in ("", "0")),
            off=frozenset(off_raw),
            send_trader_details=bool(table.get("send_trader_details", False)),
        )

    def url(self, source: str) -> str:
        if source in self.urls:
            return self.urls[source]
        return data.sources()[source].url.rstrip("/")

    def default_url(self, source: str) -> str:
        spec = data.sources()[source]
        return spec.url if source in ("rdap", "certpl") else spec.url.rstrip("/")

    def configured(self, source: str) -> bool:
        """True when the user moved ``source`` away from its official address (environment or config file)."""
        return self.url(source) != self.default_url(source)

    def cache_ns(self, source: str) -> str:
        """The name ``source``'s answers, claims, pacing and budget are kept under in the cache: a register at
        another address than the official one (a mirror, a test service, a replay server) is kept apart, so its
        answers never pass for the official register's."""
        return source if not self.configured(source) else f"{source}@{self.url(source)}"

    def allowed_origins(self) -> tuple[str, ...]:
        """scheme://host:port of every register the user moved to another address (environment or config file):
        the connection gate lets these through even when they are private or loopback addresses (a register
        mirror, a test double). The official addresses are not listed: they must resolve to public addresses."""
        out = []
        for sid in data.sources():
            if not self.configured(sid):
                continue
            p = urlsplit(self.url(sid))
            port = p.port or (443 if p.scheme == "https" else 80)
            origin = f"{p.scheme}://{p.hostname}:{port}"
            if origin not in out:
                out.append(origin)
        return tuple(out)

    def resolved_cache_dir(self) -> Path | None:
        if not self.use_cache:
            return None
        if self.cache_dir is not None:
            return self.cache_dir
        from trustaudit.resources import cache_dir

        return cache_dir()
