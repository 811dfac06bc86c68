"""What every command shares: exit codes, the one-line error, and turning options + config into ScanOptions."""

from __future__ import annotations

import os

import typer
from rich.console import Console
from rich.text import Text

from trustaudit.config import ConfigError, ProjectConfig, load_config
from trustaudit.messages import report_languages
from trustaudit.options import RENDER_MODES, ScanOptions
from trustaudit.render._text import clean_text

EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, EXIT_TARGET, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

err = Console(stderr=True, highlight=False, markup=False, emoji=False)


def die(message: str, code: int) -> None:
    """Print ``trustaudit: message`` as one line on stderr (whatever the terminal width) and exit."""
    err.print(
        Text(f"trustaudit: {clean_text(message, 500, newlines=False)}", style="red" if code else ""),
        soft_wrap=True,
    )
    raise typer.Exit(code)


def resolve_settings(
    *,
    config: str | None,
    lang: str | None,
    country: str | None,
    max_pages: int | None,
    timeout: float | None,
    total_timeout: float | None,
    max_bytes: int | None = None,
    user_agent: str,
    ca_bundle: str | None,
    ignore_robots: bool,
    allow_private: bool,
    resolve: list[str] | None = None,
    render: str | None = None,
    chromium: str | None = None,
) -> tuple[ProjectConfig, str | None, ScanOptions]:
    """Command-line options win over the project config, which wins over defaults. Exits 2 on bad input."""
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        die(str(exc), EXIT_USAGE)
        raise  # unreachable: die() exits
    report_lang = lang or cfg.lang
    if report_lang and report_lang not in report_languages():
        die(f"--lang must be one of {', '.join(report_languages())}", EXIT_USAGE)
    ctry = (country or cfg.country or "").upper() or None
    if ctry and (len(ctry) != 2 or not ctry.isalpha()):
        die("--country takes a two-letter ISO code such as PL", EXIT_USAGE)
    from trustaudit.net.resolve import parse_resolve

    for spec in resolve or ():
        try:
            parse_resolve(spec)
        except ValueError as exc:
            die(str(exc), EXIT_USAGE)
    if render is not None and render not in RENDER_MODES:
        die(f"--render takes no value or one of {', '.join(RENDER_MODES)} (got {render!r})", EXIT_USAGE)
    defaults = ScanOptions()
    options = ScanOptions(
        max_pages=max_pages or cfg.max_pages or defaults.max_pages,
        timeout=timeout or cfg.timeout or defaults.timeout,
        total_timeout=total_timeout or defaults.total_timeout,
        max_bytes=max_bytes or defaults.max_bytes,
        user_agent=user_agent,
        ca_bundle=ca_bundle or os.environ.get("SSL_CERT_FILE") or None,
        country=ctry,
        respect_robots=not ignore_robots,
        allow_private=allow_private,
        resolve=tuple(resolve or ()),
        render=render or defaults.render,
        chromium=chromium or None,
    )
    return cfg, report_lang, options
