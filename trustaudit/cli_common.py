"""What every command shares: exit codes, the one-line error, and turning options + config into ScanOptions."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand

from trustaudit.config import ConfigError, ProjectConfig, load_config
from trustaudit.messages import report_languages
from trustaudit.options import RENDER_MODES, ScanOptions, parse_as_of
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


def render_args(args: list[str]) -> list[str]:
    """``--render`` takes an optional mode: alone it means "always" (the word after it is then the target, or
    another option), ``--render auto`` renders only the pages that are application shells."""
    out: list[str] = []
    for i, a in enumerate(args):
        if a == "--":
            return out + args[i:]
        if a == "--render" and (i + 1 >= len(args) or args[i + 1] not in RENDER_MODES):
            out.append("--render=always")
            continue
        out.append(a)
    return out


class ScanCommand(TyperCommand):
    """A command whose ``--render`` takes an optional mode (``scan``, ``batch``)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, render_args(list(args)))


def check_render(options: ScanOptions) -> None:
    """With ``--render``: Playwright and a Chromium must be there before anything is fetched, else one line naming
    what to install (exit 2)."""
    from trustaudit.crawl.browser import RenderUnavailable, check_available

    try:
        check_available(options)
    except RenderUnavailable as exc:
        die(str(exc), EXIT_USAGE)


# --------------------------------------------------------------------------- the scan options of scan and batch
# One declaration each: ``batch`` applies them to every shop, so their names, metavars, limits and help are the
# same on both commands (tests/test_readme_options.py checks README against both).

MaxPagesOpt = Annotated[
    int | None, typer.Option("--max-pages", metavar="N", min=1, max=10000, help="Pages to fetch per shop [25].")
]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", metavar="S", min=0.1, help="Seconds per request [10].")]
TotalTimeoutOpt = Annotated[
    float | None,
    typer.Option("--total-timeout", metavar="S", min=1,
                 help="Seconds for a shop's whole scan: fetching and reading pages [120]."),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", metavar="LANG", help="Report language: en, pl, ru, el, ar or another complete "
                 "catalogue of rules/locales (default: the shop's)."),
]
CaBundleOpt = Annotated[
    str | None,
    typer.Option("--ca-bundle", metavar="PEM", help="File of trusted CAs (default: SSL_CERT_FILE or system)."),
]
UserAgentOpt = Annotated[str, typer.Option("--user-agent", metavar="UA", help="User-Agent header.", show_default=False)]
IgnoreRobotsOpt = Annotated[bool, typer.Option("--ignore-robots", help="Do not honour robots.txt.")]
AllowPrivateOpt = Annotated[
    bool, typer.Option("--allow-private", help="Allow private/loopback addresses (never cloud metadata).")
]
ResolveOpt = Annotated[
    list[str] | None,
    typer.Option("--resolve", metavar="HOST:PORT:ADDRESS", help="Connect to ADDRESS for HOST:PORT (as curl; repeatable)."),
]
VerifyOpt = Annotated[
    bool | None,
    typer.Option("--verify/--no-verify",
                 help="Look up the IDs in the official registers and the domain in RDAP and warning lists "
                 "(default: on for shop URLs, off for saved pages; --no-verify: nothing is looked up)."),
]
ConfigOpt = Annotated[
    str | None, typer.Option("--config", metavar="FILE", help="Config file (default: ./trustaudit.toml).")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="YYYY-MM-DD",
                 help="Judge dated legal duties (e.g. the withdrawal function from 2026-06-19) as of this day "
                 "instead of the day of the scan: preview a duty to come or reproduce an old report."),
]
RenderOpt = Annotated[
    str | None,
    typer.Option(
        "--render",
        metavar="[auto]",
        help="Load pages in headless Chromium and read the DOM after scripts ran; also checks cookies and "
        "trackers before consent. '--render auto': only pages built by JavaScript. Needs Chromium "
        "(apt-get install chromium) and pip install 'trustaudit[render]'.",
    ),
]
ChromiumOpt = Annotated[
    str | None,
    typer.Option("--chromium", metavar="PROGRAM",
                 help="Chromium to use for --render (default: TRUSTAUDIT_CHROMIUM, else found)."),
]


README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md")


def repository_root(cwd: Path | None = None) -> Path:
    """The enclosing git checkout of ``cwd`` (where code scanning resolves paths), else ``cwd``."""
    here = (cwd or Path.cwd()).resolve()
    return next((d for d in (here, *here.parents) if (d / ".git").exists()), here)


def sarif_anchor(config_file: str | None, cwd: Path | None = None) -> str:
    """The repository file SARIF results point at: the project config when there is one inside the repository,
    else the README; "" when neither exists (results then carry no location, never a made-up path)."""
    root = repository_root(cwd)
    cands = [Path(config_file)] if config_file else []
    cands += [root / n for n in README_NAMES]
    for cand in cands:
        try:
            real = cand.resolve()
            if real.is_file() and real.is_relative_to(root):
                return real.relative_to(root).as_posix()
        except OSError:
            continue
    return ""


def choice(value: str | None, option: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """A value of a closed set, read case-insensitively (``--fail-on CRITICAL``, ``-f JSON``); anything else is a
    usage error that lists the choices and names the nearest."""
    if value is None:
        return None
    v = value.strip().lower()
    if v in choices:
        return v
    from difflib import get_close_matches

    near = get_close_matches(v, list(choices), n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    die(f"{option} {value!r} is not one of {', '.join(choices)}{hint}", EXIT_USAGE)
    return None  # unreachable: die() exits


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
    headers: list[str] | None = None,
    cookie: str | None = None,
    auth: str | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    verify: bool | None = None,
    as_of: str | None = None,
) -> tuple[ProjectConfig, str | None, ScanOptions]:
    """Command-line options win over the project config, which wins over defaults. Exits 2 on bad input."""
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        die(str(exc), EXIT_USAGE)
        raise  # unreachable: die() exits
    report_lang = choice(lang or cfg.lang, "--lang", report_languages())
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
    render = render or cfg.render
    try:
        day = parse_as_of(as_of) if as_of is not None else cfg.as_of
    except ValueError as exc:
        die(str(exc), EXIT_USAGE)
        raise  # unreachable: die() exits
    from trustaudit.net.gate import ProxyRoutes

    try:
        ProxyRoutes()  # HTTP(S)_PROXY / ALL_PROXY from the environment: a SOCKS proxy is a usage error
    except ValueError as exc:
        die(str(exc), EXIT_USAGE)
    if verify is not False:
        _check_registries(cfg)
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
        headers=tuple(parse_header(h) for h in headers or ()),
        cookie=_checked_cookie(cookie),
        auth=_checked_auth(auth),
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        verify=verify,
        registries=dict(cfg.registries),
        as_of=day,
    )
    return cfg, report_lang, options


def _check_registries(cfg: ProjectConfig) -> None:
    """Register addresses from the environment (TRUSTAUDIT_VIES_URL ...) and the config file: a bad one is a usage
    error now, not a scan that silently skips the registers."""
    from trustaudit.registry.config import RegistryConfig, RegistryConfigError

    try:
        RegistryConfig.load(cfg.registries, where=f"{cfg.path or 'config'} [registries]")
    except RegistryConfigError as exc:
        die(str(exc), EXIT_USAGE)


_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name
_NOT_YOURS = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer",
              "keep-alive", "proxy-connection", "proxy-authorization", "cookie", "authorization"}


def parse_header(spec: str) -> tuple[str, str]:
    """``--header "Name: value"`` -> (name, value); a usage error says what is wrong."""
    name, sep, value = (spec or "").partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not _TOKEN.match(name):
        die(f"--header {spec!r}: expected 'Name: value' (e.g. 'X-Staging-Token: abc')", EXIT_USAGE)
    if any(c in value for c in "\r\n\x00"):
        die(f"--header {name}: the value has a line break", EXIT_USAGE)
    if name.lower() in _NOT_YOURS:
        hint = {"cookie": "use --cookie", "authorization": "use --auth", "host": "use --resolve"}.get(
            name.lower(), "the HTTP client sets it")
        die(f"--header {name}: not settable here ({hint})", EXIT_USAGE)
    return name, value


def _checked_cookie(cookie: str | None) -> str | None:
    if cookie is None:
        return None
    pairs = [c.strip() for c in cookie.split(";") if c.strip()]
    if not pairs or any("=" not in c or not _TOKEN.match(c.split("=", 1)[0].strip()) for c in pairs) or any(
            ch in cookie for ch in "\r\n\x00"):
        die("--cookie: expected 'name=value' pairs separated by ';' (e.g. 'session=abc; preview=1')", EXIT_USAGE)
    return "; ".join(pairs)


def _checked_auth(auth: str | None) -> str | None:
    if auth is None:
        return None
    user, sep, _password = auth.partition(":")
    if not sep or not user or any(ch in auth for ch in "\r\n\x00"):
        die("--auth: expected USER:PASSWORD", EXIT_USAGE)
    return auth
