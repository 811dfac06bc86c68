"""Command line. The only module that prints, reads config files and chooses exit codes.

Exit codes: 0 ok, 1 below --fail-under / a --fail-on check failed / regression, 2 usage error,
3 the target could not be scanned or the report is inconclusive (no score: not the shop), 4 internal error.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from trustaudit import __version__
from trustaudit.batch.commands import register as register_batch_commands  # light: imports batch lazily
from trustaudit.cli_common import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_TARGET,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    AllowPrivateOpt,
    AsOfOpt,
    CaBundleOpt,
    ChromiumOpt,
    ConfigOpt,
    IgnoreRobotsOpt,
    LangOpt,
    MaxPagesOpt,
    RenderOpt,
    ResolveOpt,
    ScanCommand,
    TimeoutOpt,
    TotalTimeoutOpt,
    UserAgentOpt,
    VerifyOpt,
    check_render,
    choice,
    die,
    err,
    resolve_settings,
    sarif_anchor,
)
from trustaudit.config import ConfigError, parse_fail_on
from trustaudit.files import write_atomic
from trustaudit.models import Report, Severity, Status
from trustaudit.options import DEFAULT_USER_AGENT
from trustaudit.render import EXTENSIONS, Format, format_for_path, render
from trustaudit.render._text import clean_text

# the formats and their file extensions, as the renderers declare them: a new format needs no edit here
FORMAT_HELP = "What goes to stdout: table (default), " + ", ".join(f.value for f in Format if f is not Format.TABLE) + "."
OUTPUT_HELP = ("Write the report to FILE, format by extension ("
               + " ".join(e for f, e in EXTENSIONS.items() if f is not Format.TABLE) + f" {EXTENSIONS[Format.TABLE]}); "
               "repeatable.")
# what scan and report share: the formats and their destinations, the longer terminal report
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", metavar="FORMAT", help=FORMAT_HELP)]
OutputOpt = Annotated[list[str] | None, typer.Option("--output", "-o", metavar="FILE", help=OUTPUT_HELP)]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also list low-priority suggestions and passed checks.")
]
DEVELOPER_COMMANDS = ("eval",)  # listed last in --help: for people working on trustaudit itself
HELP = {"help_option_names": ["-h", "--help"]}


class _Commands(TyperGroup):
    """Commands in the order a user needs them; developer-only ones last."""

    def list_commands(self, ctx) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in names if n not in DEVELOPER_COMMANDS] + [n for n in names if n in DEVELOPER_COMMANDS]


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP,
    help="Audit how trustworthy an online shop looks to a buyer, and what to fix.",
    epilog="Developer commands (for work on trustaudit itself): eval, rules check.",
)
rules_app = typer.Typer(no_args_is_help=True, context_settings=HELP, help="List and explain the checks.")
app.add_typer(rules_app, name="rules")


def _version_cb(value: bool) -> None:
    if value:
        typer.echo(f"trustaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_cb, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    pass


def demo_path() -> str:
    return str(Path(__file__).resolve().parent / "demo")  # shipped inside the package


class _Progress:
    """Crawl observer: a one-line live status on stderr (only when stderr is a terminal)."""

    def __init__(self, console: Console, enabled: bool):
        self.console = console
        self.enabled = enabled
        self.count = 0
        self.status = None

    def __enter__(self):
        if self.enabled:
            self.status = self.console.status("crawling…")
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)

    def page_fetched(self, page) -> None:
        self.count += 1
        if self.status is not None:
            self.status.update(f"crawling… {self.count} pages — {clean_text(page.url, 80, newlines=False)}")

    def page_failed(self, error) -> None:
        pass


def _format(value: str | None) -> Format | None:
    """``--format``, case-insensitive (``-f JSON``)."""
    got = choice(value, "--format", [f.value for f in Format])
    return Format(got) if got else None


def _outputs(fmt: Format | None, outputs: list[str]) -> list[tuple[Format, str | None]]:
    """Pair formats with destinations: ``--format`` decides what goes to stdout (default: the table), each
    ``--output`` file's format comes from its extension (report.json, report.sarif, report.txt ...)."""
    pairs: list[tuple[Format, str | None]] = [(fmt or Format.TABLE, None)]
    for path in outputs:
        chosen = format_for_path(path)
        if chosen is None:
            known = " ".join(sorted({*EXTENSIONS.values(), ".sarif.json", ".markdown"}))
            die(f"cannot tell the format of {path!r} from its extension (one of: {known})", EXIT_USAGE)
        pairs.append((chosen, path))
    return pairs


def _write(path: str, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        die(f"cannot write {path}: {exc.strerror or exc}", EXIT_USAGE)


def _print_terminal(report: Report, lang: str | None, verbose: bool) -> None:
    from trustaudit.render.terminal import renderables

    out = Console(highlight=False, markup=False, emoji=False)
    for r in renderables(report, lang, verbose=verbose):
        out.print(r)


def gate(
    report: Report,
    fail_under: float | None,
    fail_on: Severity | None,
    fail_on_checks: tuple[str, ...] = (),
    baseline: Report | None = None,
) -> tuple[int, list[str]]:
    """Decide the exit code of a finished scan for CI, with every reason it fails (one line each). An
    inconclusive report (no score: the scan did not see the shop) is exit 3 whatever the thresholds: it is
    neither a pass nor a fail of the shop."""
    if report.inconclusive:
        return EXIT_TARGET, [f"inconclusive: {report.inconclusive}"]
    why: list[str] = []
    if fail_under is not None:
        if report.score is None:
            why.append(f"no score (inconclusive: {report.inconclusive}); --fail-under {fail_under:g} not met")
        elif report.score < fail_under:
            why.append(f"score {report.score} is below --fail-under {fail_under:g}")
    if fail_on is not None:
        bad = [c for c in report.checks if c.status is Status.FAIL and c.severity.rank >= fail_on.rank]
        if bad:
            why.append(f"{len(bad)} failed check(s) of severity {fail_on.value} or worse: "
                       + ", ".join(c.id for c in bad[:5]))
    if fail_on_checks:
        bad = [c for c in report.checks if c.status is Status.FAIL and c.id in fail_on_checks]
        if bad:
            why.append(f"{len(bad)} check(s) named by --fail-on failed: " + ", ".join(c.id for c in bad[:5]))
    bad_asserts = [a for a in report.assertions if a.get("outcome") == "failed" and a.get("level") == "error"]
    if bad_asserts:
        from trustaudit.assertions import AssertionResult, describe

        why.append(f"{len(bad_asserts)} assertion(s) failed: "
                   + "; ".join(describe(AssertionResult(**a)) for a in bad_asserts[:8]))
    if baseline is not None:
        from trustaudit.diff import diff_report_objects

        d = diff_report_objects(baseline, report)
        if d.regressed:
            parts = []
            if d.score_delta is not None and d.score_delta < 0:
                parts.append(f"score {d.old_score} -> {d.new_score}")
            parts += [f"{c.id} {c.old_status} -> {c.new_status}" for c in d.worse[:8]]
            if len(d.worse) > 8:
                parts.append(f"+{len(d.worse) - 8} more")
            why.append("worse than the baseline: " + "; ".join(parts))
    return (EXIT_THRESHOLD if why else EXIT_OK), why


def _load_report(path: Path, option: str) -> Report:
    """A saved JSON report, or a usage error (exit 2) saying what is wrong with it."""
    from trustaudit.report import report_from_dict

    try:
        return report_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        die(f"{option}: no such file: {path}", EXIT_USAGE)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        die(f"{option}: {path} is not a JSON report: {exc}", EXIT_USAGE)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        die(f"{option}: {path} is not a trustaudit JSON report: {exc}", EXIT_USAGE)
    raise AssertionError("unreachable")  # die() exits


def _warn_assertions(report: Report, quiet: bool) -> None:
    """Warn-level assertions that failed: one line each on stderr; they do not change the exit code."""
    from trustaudit.assertions import AssertionResult, describe

    for a in report.assertions:
        if a.get("outcome") == "failed" and a.get("level") == "warn" and not quiet:
            err.print(Text(f"trustaudit: warning: assertion failed: {describe(AssertionResult(**a))}",
                           style="yellow"), soft_wrap=True)


@app.command(cls=ScanCommand)
def scan(
    target: Annotated[
        str | None,
        typer.Argument(metavar="TARGET", help="Shop URL, a saved page (.html) or a saved site folder.", show_default=False),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Scan the bundled demo shop (offline).")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", metavar="N", min=0, max=100, help="Exit 1 when the score is below N (0-100)."),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITY|CHECK",
            help="Exit 1 when a check of this severity or worse fails (critical, high, medium, low, info), or a "
            "check named by id fails; repeat or separate with commas.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="OLD.json",
                     help="Exit 1 when anything got worse than in this saved JSON report (score or a check)."),
    ] = None,
    max_pages: MaxPagesOpt = None,
    timeout: TimeoutOpt = None,
    total_timeout: TotalTimeoutOpt = None,
    max_bytes: Annotated[
        int | None, typer.Option("--max-bytes", metavar="N", min=1024, help="Bytes read per page [5000000].")
    ] = None,
    lang: LangOpt = None,
    country: Annotated[
        str | None,
        typer.Option("--country", metavar="CC", help="Override the detected country (ISO code, e.g. PL)."),
    ] = None,
    ca_bundle: CaBundleOpt = None,
    user_agent: UserAgentOpt = DEFAULT_USER_AGENT,
    ignore_robots: IgnoreRobotsOpt = False,
    allow_private: AllowPrivateOpt = False,
    resolve: ResolveOpt = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", metavar="'NAME: VALUE'",
                     help="Send this header to the shop's own site only (repeatable), e.g. a staging token."),
    ] = None,
    cookie: Annotated[
        str | None,
        typer.Option("--cookie", metavar="'NAME=VALUE; ...'", help="Send these cookies to the shop's own site only."),
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option("--auth", metavar="USER:PASSWORD",
                     help="HTTP basic auth for a staging shop, sent to the shop's own site only."),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", metavar="PATTERN",
                     help="Follow only links matching a pattern ('/pl/*' on the path, or a whole URL; repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", metavar="PATTERN", help="Never follow links matching a pattern (repeatable)."),
    ] = None,
    verify: VerifyOpt = None,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    render_mode: RenderOpt = None,
    chromium: ChromiumOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal report or progress.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Audit one shop and print a scored report with fixes."""
    from trustaudit.crawl import TargetError
    from trustaudit.pipeline import scan as run_scan

    if demo:
        if target:
            die("give either a TARGET or --demo, not both", EXIT_USAGE)
        target = demo_path()
    if not target:
        die("missing TARGET (a shop URL, a saved page or folder); try --demo", EXIT_USAGE)
    fmt_choice = _format(fmt)
    cfg, report_lang, options = resolve_settings(
        config=config, lang=lang, country=country, max_pages=max_pages, timeout=timeout,
        total_timeout=total_timeout, max_bytes=max_bytes, user_agent=user_agent, ca_bundle=ca_bundle,
        ignore_robots=ignore_robots, allow_private=allow_private, resolve=resolve,
        headers=header, cookie=cookie, auth=auth, include=include, exclude=exclude, render=render_mode,
        chromium=chromium, verify=verify, as_of=as_of,
    )
    if options.render != "off":
        from trustaudit.crawl import resolve_target

        try:
            live = resolve_target(target)[0] == "url"
        except TargetError:
            live = True  # the scan itself says what is wrong with the target
        if live:
            check_render(options)
    pairs = _outputs(fmt_choice, output or [])
    fail_severity, fail_checks = cfg.fail_on, cfg.fail_on_checks
    if fail_on:
        try:
            fail_severity, fail_checks = parse_fail_on(fail_on, "--fail-on")
        except ConfigError as exc:
            die(str(exc), EXIT_USAGE)
    old_report = _load_report(baseline, "--baseline") if baseline is not None else None
    show_progress = not quiet and err.is_terminal
    try:
        with _Progress(err, show_progress) as progress:
            report = run_scan(
                target, options, lang=report_lang, skip=cfg.skip, weights=cfg.weights, observer=progress
            )
    except TargetError as exc:
        msg = str(exc)
        die(msg if target in msg else f"cannot scan {target}: {msg}", EXIT_TARGET)
        return
    except KeyboardInterrupt:
        die("interrupted", 130)
        return

    if cfg.assertions:
        from trustaudit.assertions import evaluate

        report = replace(report, assertions=tuple(r.to_dict() for r in evaluate(report, cfg.assertions)))
    emit(report, pairs, report_lang, quiet=quiet, verbose=verbose, anchor=sarif_anchor(cfg.file))
    _warn_assertions(report, quiet)
    code, why = gate(
        report, fail_under if fail_under is not None else cfg.fail_under, fail_severity, fail_checks, old_report
    )
    for line in why[:-1]:
        err.print(Text(f"trustaudit: {clean_text(line, 500, newlines=False)}", style="red"), soft_wrap=True)
    if code:
        die(why[-1], code)


def emit(
    report: Report,
    pairs: list[tuple[Format, str | None]],
    lang: str | None,
    *,
    quiet: bool,
    verbose: bool,
    anchor: str | None = None,
) -> None:
    """Render every output first, then write the files (atomically) and stdout: a renderer failing leaves
    every existing report file untouched."""
    rendered: list[tuple[Format, str | None, str]] = []
    for f, path in pairs:
        if path is None and f is Format.TABLE:
            continue  # the terminal table is printed with colours, below
        rendered.append((f, path, render(report, f, lang, anchor=anchor)))
    for _f, path, text in rendered:
        if path is not None:
            _write(path, text)
    for _f, path, text in rendered:
        if path is None:
            sys.stdout.write(text)
    if not quiet and any(path is None and f is Format.TABLE for f, path in pairs):
        _print_terminal(report, lang, verbose)


@app.command("report")
def report_cmd(
    report_file: Annotated[
        Path, typer.Argument(metavar="REPORT.json", help="A JSON report saved by `scan --format json`.")
    ],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="LANG", help="Language to write it in (default: the report's).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal report.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Render a saved JSON report again, in any format and language (CI keeps the JSON, people read the HTML)."""
    from trustaudit.messages import report_languages
    from trustaudit.report import report_from_dict

    lang = choice(lang, "--lang", report_languages())
    pairs = _outputs(_format(fmt), output or [])
    try:
        data = json.loads(report_file.read_text(encoding="utf-8"))
        report = report_from_dict(data)
    except FileNotFoundError:
        die(f"no such file: {report_file}", EXIT_USAGE)
        return
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        die(f"{report_file} is not a JSON report: {exc}", EXIT_USAGE)
        return
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        die(f"{report_file} is not a trustaudit JSON report: {exc}", EXIT_USAGE)
        return
    emit(report, pairs, lang, quiet=quiet, verbose=verbose, anchor=sarif_anchor(_config_file()))


def _config_file() -> str | None:
    """The project config of the working directory, if any (for a re-rendered report's SARIF anchor)."""
    from trustaudit.config import load_config

    try:
        return load_config().file
    except ConfigError:
        return None


# --------------------------------------------------------------------------- rules


@rules_app.command("list")
def rules_list(
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json")] = "table",
) -> None:
    """List every check: id, category, weight, severity, countries."""
    from trustaudit.engine import load_rules

    fmt = choice(fmt, "--format", ("table", "json"))

    rules = load_rules()
    if fmt == "json":
        typer.echo(
            json.dumps(
                [
                    {"id": r.id, "category": r.category, "weight": r.weight, "severity": r.severity.value,
                     "countries": list(r.countries), "predicate": r.predicate}
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for col in ("id", "category", "weight", "severity", "countries"):
        table.add_column(col)
    for r in rules:
        table.add_row(r.id, r.category, f"{r.weight:g}", r.severity.value, ", ".join(r.countries) or "all")
    Console(highlight=False, markup=False).print(table)
    typer.echo(f"{len(rules)} checks")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="Check id, e.g. contact.email")],
    lang: Annotated[str, typer.Option("--lang", metavar="LANG", help="Language of the texts.")] = "en",
    country: Annotated[
        str | None,
        typer.Option("--country", metavar="CC", help="Texts and legal basis for a shop of this country (ISO code)."),
    ] = None,
) -> None:
    """Explain one check: what it looks for, why (legal basis), how to fix it."""
    from trustaudit.engine import load_rules, platform_fixes, unknown_rule_message
    from trustaudit.messages import catalogue_languages
    from trustaudit.rule_words import describe

    rule_id = rule_id.strip().lower()
    lang = choice(lang, "--lang", catalogue_languages()) or "en"
    rule = next((r for r in load_rules() if r.id == rule_id), None)
    if rule is None:
        die(unknown_rule_message(rule_id), EXIT_USAGE)
        return
    ctry = country.upper() if country else None
    out = Console(highlight=False, markup=False)
    body = Text()
    body.append(f"{rule.id}\n", style="bold")
    body.append(f"{rule.text('title', lang, ctry)}\n")
    body.append(f"category: {rule.category}   weight: {rule.weight:g}   severity: {rule.severity.value}\n")
    body.append(f"applies to: {', '.join(rule.countries) or 'all countries'}")
    if rule.exclude_countries:
        body.append(f" (except {', '.join(rule.exclude_countries)})")
    if rule.also_targeting:
        body.append(f", and shops elsewhere that clearly sell to buyers in {', '.join(rule.also_targeting)}")
    body.append("\n")
    day = rule.date_for(ctry)
    if day is not None:
        body.append(f"applies from: {day.isoformat()} (before that day a missing one is a warning)\n")
    if rule.only_when:
        from trustaudit.rule_words import only_when_words

        body.append(f"applies only when the shop shows {only_when_words(rule.only_when['signals'])} "
                    "(otherwise: not applicable)\n")
    if rule.predicate == "manual":
        body.append("judged: by hand — this cannot be seen from the site; the report lists it as a manual item, "
                    "never as a pass\n", style="cyan")
        if rule.text("manual_note", lang, ctry):
            body.append(f"why: {rule.text('manual_note', lang, ctry)}\n")
    else:
        rule_text = describe(rule.predicate, rule.params, lang)
        body.append(rule_text[:1].upper() + rule_text[1:] + ".\n")
        body.append(f"when missing: {rule.on_fail.value}: {rule.text('fail_title', lang, ctry)}\n")
    if rule.grade_cap:
        body.append(f"caps the grade at {rule.grade_cap.get('grade', 'F')} when it fails\n")
    if rule.text("description", lang, ctry):
        body.append(f"\n{rule.text('description', lang, ctry)}\n")
    body.append("\nfix: ", style="bold")
    body.append(rule.text("fix", lang, ctry) + "\n")
    for plat, text in platform_fixes(rule, lang, ctry).items():
        body.append(f"  on {plat}: ", style="bold")
        body.append(text + "\n")
    body.append("\nsource: ", style="bold")
    body.append(rule.source_for(ctry) + "\n")
    if not ctry and len(rule.source) > 1:
        for where, cite in rule.source.items():
            if where != "default":
                body.append(f"  for {where}: {cite}\n")
    out.print(body)


@rules_app.command("check")
def rules_check(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Rule files (rules/checks/<id>.yaml) to validate.")
    ],
) -> None:
    """(for developers) Validate rule files: every key, predicate parameter, phrase group, page kind, signal and slug they name."""
    import yaml

    from trustaudit.engine import RuleError, known_names, parse_rule

    known = known_names()
    bad = 0
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            parse_rule(data, f.name, known)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            err.print(f"{f}: {exc}", markup=False, highlight=False, soft_wrap=True)
            bad += 1
        except RuleError as exc:
            err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            bad += 1
    if bad:
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{len(files)} rule file(s) valid")


# --------------------------------------------------------------------------- eval / diff


@app.command("eval")
def eval_cmd(
    corpus: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of labelled cases (saved pages + labels.json).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
    split: Annotated[str, typer.Option(
        "--split", metavar="SPLIT", help="Cases to score: all, tune, or held (the third with sha256(case id) % 3 == 0)."
    )] = "all",
) -> None:
    """(for developers) Measure extraction accuracy (precision, recall, F1 per signal) on a labelled corpus."""
    from trustaudit import evaluation

    if not corpus.is_dir():
        die(f"not a folder: {corpus}", EXIT_USAGE)
    split = choice(split, "--split", tuple(evaluation.SPLITS))
    result = evaluation.evaluate_corpus(corpus, split=split)
    if as_json and hasattr(evaluation, "result_to_dict"):
        typer.echo(json.dumps(evaluation.result_to_dict(result), indent=2, ensure_ascii=False))
    else:
        typer.echo(evaluation.format_table(result))


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(metavar="OLD.json", help="Earlier JSON report.")],
    new: Annotated[Path, typer.Argument(metavar="NEW.json", help="Later JSON report.")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text, json or md")] = "text",
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when the score dropped or a check got worse.")
    ] = False,
) -> None:
    """Compare two JSON reports: score change, checks that got worse or better."""
    from trustaudit.diff import diff_reports, render_diff

    fmt = choice(fmt, "--format", ("text", "json", "md"))
    docs = []
    for p in (old, new):
        try:
            docs.append(json.loads(p.read_text(encoding="utf-8")))
        except FileNotFoundError:
            die(f"no such file: {p}", EXIT_USAGE)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            die(f"{p} is not a JSON report: {exc}", EXIT_USAGE)
    try:
        d = diff_reports(docs[0], docs[1])
    except (KeyError, TypeError, ValueError) as exc:
        die(f"not a trustaudit JSON report: {exc}", EXIT_USAGE)
        return
    sys.stdout.write(render_diff(d, fmt))
    if fail_on_regression and d.regressed:
        raise typer.Exit(EXIT_THRESHOLD)




register_batch_commands(app)  # batch, history, merge


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("trustaudit: interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a bug gets one line and its own exit code, never a traceback
        msg = f"trustaudit: internal error: {type(exc).__name__}: {exc}"[:500]
        err.print(msg.encode("utf-8", "replace").decode("utf-8"), markup=False, highlight=False, soft_wrap=True)
        err.print("trustaudit: please report it (TRUSTAUDIT_DEBUG=1 shows the traceback)")
        if os.environ.get("TRUSTAUDIT_DEBUG"):
            raise
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
