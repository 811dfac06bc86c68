"""Project configuration for CI: ``trustaudit.toml`` or ``[tool.trustaudit]`` in ``pyproject.toml``.

```toml
# trustaudit.toml
fail_under = 70            # exit 1 when the score is below
fail_on = "high"           # exit 1 when a failed check has this severity or worse (or names: ["high", "security.https"])
lang = "pl"
country = "PL"
max_pages = 25
timeout = 10
render = "auto"            # --render: true / "always", "auto" (only pages built by JavaScript), false / "off"
as_of = 2026-06-19         # --as-of: judge dated legal duties as of this day (default: the day of the scan)

[skip]                     # checks to skip, each with the reason (recorded in the JSON report)
"support.chat" = "we answer by phone only"

[weights]                  # weight overrides
"content.social-profiles" = 0

[assert]                   # per check, as Lighthouse CI: error (exit 1 unless it passes) | warn | off
"contact.email" = "error"
"legal.*" = "warn"
[assert.categories]        # minimum category scores (exit 1 below)
policies = 80

[registries]               # register and reputation look-ups (see README "Verified identity")
off = ["gleif"]            # sources never asked
vies_url = "https://ec.europa.eu/taxation_customs/vies/rest-api"   # any source: <source>_url
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustaudit.assertions import AssertionConfigError, Assertions
from trustaudit.assertions import parse as parse_assertions
from trustaudit.models import Severity

CONFIG_NAMES = ("trustaudit.toml", ".trustaudit.toml")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ProjectConfig:
    path: str | None = None  # where it was read, for messages ("pyproject.toml [tool.trustaudit]")
    file: str | None = None  # the file itself
    fail_under: float | None = None
    fail_on: Severity | None = None
    lang: str | None = None
    country: str | None = None
    max_pages: int | None = None
    timeout: float | None = None
    skip: Mapping[str, str] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    fail_on_checks: tuple[str, ...] = ()  # exit 1 when one of these checks fails
    assertions: Assertions = field(default_factory=Assertions)
    registries: Mapping[str, Any] = field(default_factory=dict)  # [registries], checked by RegistryConfig.load
    render: str | None = None  # one of options.RENDER_MODES
    as_of: str | None = None  # YYYY-MM-DD


def parse_fail_on(values: Iterable[object], where: str) -> tuple[Severity | None, tuple[str, ...]]:
    """``fail_on`` / ``--fail-on``: severities (the lowest named wins) and check ids, in any mix; a value may
    hold several, comma-separated. Raises ConfigError naming an unknown check id and the nearest known one."""
    severity: Severity | None = None
    checks: list[str] = []
    for value in values:
        for item in str(value).split(","):
            item = item.strip().lower()  # severities and check ids are lower-case: CRITICAL means critical
            if not item:
                continue
            try:
                sev = Severity(item.lower())
            except ValueError:
                checks.append(item)
                continue
            if severity is None or sev.rank < severity.rank:
                severity = sev
    bad = [c for c in checks if "." not in c]
    if bad:
        from difflib import get_close_matches

        names = [s.value for s in Severity]
        near = get_close_matches(bad[0], names, n=1, cutoff=0.5)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ConfigError(f"{where}: {bad[0]!r} is neither a severity ({', '.join(names)}) nor a check id{hint}")
    check_rule_ids(checks, where)
    return severity, tuple(dict.fromkeys(checks))


def check_rule_ids(ids: Iterable[str], where: str) -> None:
    """Every id must name a check: a typo would otherwise be skipped, weighted or gated silently."""
    from trustaudit.engine import rule_ids, unknown_rule_message

    known = set(rule_ids())
    for rid in ids:
        if rid not in known:
            raise ConfigError(f"{where}: {unknown_rule_message(rid)}")


_KNOWN = {"fail_under", "fail_on", "lang", "country", "max_pages", "timeout", "skip", "weights", "assert",
          "registries", "render", "as_of"}


def _nearest(value: str, choices: Iterable[str]) -> str:
    from difflib import get_close_matches

    got = get_close_matches(value, sorted(choices), n=1, cutoff=0.5)
    return f" (nearest: {got[0]!r})" if got else ""


def parse_registries(table: Any, where: str) -> dict[str, Any]:
    """The ``[registries]`` table, checked now (an unknown key names the nearest known one) so that a typo is a
    usage error before any scan, never a silently ignored setting."""
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: 'registries' must be a table ([registries])")
    from trustaudit.registry.config import RegistryConfig, RegistryConfigError

    try:
        RegistryConfig.load(table, env={}, where=f"{where} [registries]")
    except RegistryConfigError as exc:
        raise ConfigError(str(exc)) from None
    return dict(table)


def parse_render(value: Any, where: str) -> str | None:
    """``render``: true (always), false (off) or one of the modes, as ``--render`` takes them."""
    from trustaudit.options import RENDER_MODES

    if value is None:
        return None
    if isinstance(value, bool):
        return "always" if value else "off"
    mode = str(value).strip().lower()
    if mode not in RENDER_MODES:
        raise ConfigError(f"{where}: render {str(value)[:40]!r} is not true, false or one of "
                          f"{', '.join(RENDER_MODES)}{_nearest(mode, RENDER_MODES)}")
    return mode


def parse_config(data: Mapping[str, Any], path: str | None = None, file: str | None = None) -> ProjectConfig:
    where = path or "config"
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}{_nearest(unknown[0], _KNOWN)}")
    skip_raw = data.get("skip") or {}
    if isinstance(skip_raw, list):  # also accept [[skip]] id=..., reason=...
        skip_raw = {str(s.get("id")): str(s.get("reason", "")) for s in skip_raw if isinstance(s, Mapping)}
    if not isinstance(skip_raw, Mapping):
        raise ConfigError(f"{where}: 'skip' must be a table of check id = reason")
    skip = {str(k): str(v) for k, v in skip_raw.items()}
    for k, v in skip.items():
        if not v.strip():
            raise ConfigError(f"{where}: skipping {k} needs a reason")
    weights_raw = data.get("weights") or {}
    if not isinstance(weights_raw, Mapping):
        raise ConfigError(f"{where}: 'weights' must be a table of check id = number")
    raw_fail_on = data.get("fail_on") or []
    fail_on, fail_on_checks = parse_fail_on(
        raw_fail_on if isinstance(raw_fail_on, list) else [raw_fail_on], f"{where}: fail_on"
    )
    try:
        weights = {str(k): float(v) for k, v in weights_raw.items()}
        fail_under = float(data["fail_under"]) if data.get("fail_under") is not None else None
        max_pages = int(data["max_pages"]) if data.get("max_pages") is not None else None
        timeout = float(data["timeout"]) if data.get("timeout") is not None else None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if any(w < 0 for w in weights.values()):
        raise ConfigError(f"{where}: weights must be >= 0")
    check_rule_ids(skip, f"{where}: [skip]")
    check_rule_ids(weights, f"{where}: [weights]")
    from trustaudit.options import parse_as_of

    try:
        as_of = parse_as_of(data.get("as_of"), f"{where}: as_of")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    render = parse_render(data.get("render"), where)
    assertions = Assertions()
    if data.get("assert") is not None:
        from trustaudit.engine import categories, rule_ids

        try:
            assertions = parse_assertions(
                data["assert"], where, rule_ids(), [str(c["id"]) for c in categories()]
            )
        except AssertionConfigError as exc:
            raise ConfigError(str(exc)) from None
    return ProjectConfig(
        path=path,
        file=file if file is not None else path,
        fail_under=fail_under,
        fail_on=fail_on,
        lang=data.get("lang"),
        country=(str(data["country"]).upper() if data.get("country") else None),
        max_pages=max_pages,
        timeout=timeout,
        skip=skip,
        weights=weights,
        fail_on_checks=fail_on_checks,
        assertions=assertions,
        registries=parse_registries(data.get("registries"), where),
        render=render,
        as_of=as_of,
    )


def load_config(explicit: str | None = None, cwd: Path | None = None) -> ProjectConfig:
    """Load the explicit file, else trustaudit.toml in cwd, else [tool.trustaudit] of pyproject.toml."""
    cwd = cwd or Path.cwd()
    candidates: list[Path] = [Path(explicit)] if explicit else [cwd / n for n in CONFIG_NAMES]
    for p in candidates:
        if p.is_file():
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{p}: {exc}") from None
            if "tool" in data and "trustaudit" in data.get("tool", {}):
                data = data["tool"]["trustaudit"]
            return parse_config(data, str(p))
        if explicit:
            raise ConfigError(f"config file not found: {explicit}")
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return ProjectConfig()
        section = data.get("tool", {}).get("trustaudit")
        if isinstance(section, Mapping):
            return parse_config(section, f"{pyproject} [tool.trustaudit]", str(pyproject))
    return ProjectConfig()
