"""The Typer commands ``batch``, ``history`` and ``merge`` (added to the main app by ``register``).

Exit codes as for ``scan``: 0 the batch completed (shops that could not be scanned are results, not
errors), 1 a scanned shop is below ``--fail-under``, 2 usage error (bad input file, bad ``--shard``,
unusable database), 130 interrupted (run the same command again to resume).

The batch machinery (runner, pool, store, inputs) is imported by the commands that run, not by this module:
the CLI registers these commands for every invocation, ``trustaudit --version`` included.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from trustaudit.batch import DEFAULT_CONCURRENCY
from trustaudit.cli_common import (
    EXIT_INTERRUPTED,
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
    resolve_settings,
)
from trustaudit.cli_common import die as _die
from trustaudit.cli_common import err as _err
from trustaudit.options import DEFAULT_USER_AGENT
from trustaudit.render._text import clean_text

if TYPE_CHECKING:  # annotations only
    from trustaudit.batch.inputs import Shop
    from trustaudit.batch.shard import Shard
    from trustaudit.batch.store import ShopResult, Store

DB_NAME = "trustaudit.db"

def _out() -> Console:
    return Console(highlight=False, markup=False, emoji=False)


def _t(s: object, n: int = 60) -> str:
    return clean_text(s, n, newlines=False)


# --------------------------------------------------------------------------- progress


class _Progress:
    """Progress on stderr. On a terminal: a live bar (done / failed / ETA, the shops being scanned). Elsewhere
    (a CI log, a file): one line per finished shop, ``[12/300] 87 B  https://shop.example  2.4 s``, which reads
    well in a log that keeps every line."""

    def __init__(self, console: Console, enabled: bool, total: int, already: int, log: bool = False):
        self.console = console
        self.log = log and not enabled
        self.total = total
        self.done = already
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.enabled = enabled
        self.current: dict[str, str] = {}
        self.failed = 0
        self.progress: Progress | None = None
        if enabled:
            self.progress = Progress(
                TextColumn("batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[now]}"),
                console=console,
                transient=False,
            )
            self.task = self.progress.add_task(
                "batch", total=max(total, 1), completed=already, failed=0, now=""
            )

    def __enter__(self) -> _Progress:
        if self.progress is not None:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def _update(self, advance: int = 0) -> None:
        if self.progress is None:
            return
        names = list(self.current.values())
        now = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        self.progress.update(self.task, advance=advance, failed=self.failed, now=now)

    def started(self, shop: Shop) -> None:
        label = Path(shop.target).name if shop.key.startswith("file:") else shop.host
        self.current[shop.key] = _t(shop.name or label, 30)
        self._update()

    def finished(self, shop: Shop, result: ShopResult) -> None:
        from trustaudit.batch.store import FAILED

        self.current.pop(shop.key, None)
        if result.status == FAILED:
            self.failed += 1
        self.done += 1
        if self.log:
            self.console.print(Text(log_line(result, self.done, self.total)), soft_wrap=True, highlight=False)
        self._update(1)

    def skipped(self, shop: Shop, why: str) -> None:
        if why == "dup":
            self._update(1)


def log_line(r: ShopResult, done: int, total: int) -> str:
    """One finished shop, for a log: ``[12/300] 87 B  https://shop.example  2.4 s`` (or why it has no score)."""
    from trustaudit.batch.store import INCONCLUSIVE

    width = len(str(total))
    head = f"[{done:>{width}}/{total}]"
    if r.score is not None:
        verdict = f"{r.score:>3} {r.grade or '-'}"
    else:
        verdict = "inconclusive" if r.status == INCONCLUSIVE else "failed"
    took = f"{r.duration_s:.1f} s" if r.duration_s is not None else "-"
    line = f"{head} {verdict}  {_t(r.url, 200)}  {took}"
    if r.score is None and r.error:
        line += f"  ({_t(r.error, 160)})"
    return line


# --------------------------------------------------------------------------- batch


def _input_shops(path: Path, shard: Shard | None, allow_local: bool = False):
    from trustaudit.batch.inputs import read_shops

    for shop in read_shops(path, allow_local):
        if shard is None or shard.contains(shop.key):
            yield shop


def _summary_tables(store: Store, run_id: int, out_dir: Path, quiet: bool) -> None:
    from rich.table import Table

    from trustaudit.batch.store import FAILED, INCONCLUSIVE, OK

    if quiet:
        return
    out = _out()
    counts = store.count(run_id)
    total = sum(counts.values())
    out.print(
        Text(
            f"{total} shops: {counts[OK]} scored, {counts[INCONCLUSIVE]} inconclusive, "
            f"{counts[FAILED]} could not be scanned"
        )
    )
    scored = counts[OK]
    best, worst = store.extremes(run_id, 5 if scored > 10 else 10)
    groups = (("Best", best), ("Worst", worst)) if scored > 10 else (("Scores", best),)
    for title, rows in groups if scored else ():
        table = Table(title=title, title_justify="left", box=None, header_style="bold")
        for col in ("score", "grade", "shop"):
            table.add_column(col, justify="right" if col == "score" else "left")
        for r in rows:
            shown = _t(r.name or r.url, 70) + (f"  {_t(r.url, 70)}" if r.name else "")
            table.add_row(str(r.score), r.grade or "", shown)
        out.print(table)
    failures = store.failures(run_id, 20)
    if failures:
        table = Table(title="Not scored", title_justify="left", box=None, header_style="bold")
        table.add_column("shop")
        table.add_column("reason")
        for r in failures:
            table.add_row(_t(r.url, 70), _t(r.error, 120))
        out.print(table)
        missing = counts[FAILED] + counts[INCONCLUSIVE] - len(failures)
        if missing > 0:
            out.print(Text(f"… and {missing} more (see summary.csv)"))
    out.print(Text(f"index: {out_dir / 'index.html'}\nsummary: {out_dir / 'summary.csv'}"))


def batch(
    input_file: Annotated[
        Path, typer.Argument(help="Shops: .csv (url, name, country, tags) or .txt (one URL per line).")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Output folder: reports, summary.csv, index.html, database.")
    ],
    db: Annotated[Path | None, typer.Option("--db", metavar="PATH", help="Database file [OUT/trustaudit.db].")] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            "-j",
            metavar="N",
            min=1,
            max=256,
            help="Shops audited at once (at most 4 per worker process).",
        ),
    ] = DEFAULT_CONCURRENCY,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            metavar="N",
            min=1,
            max=256,
            help="Worker processes sharing the --concurrency scans [min(CPUs, concurrency)]; 1: one process.",
        ),
    ] = None,
    shard: Annotated[
        str | None, typer.Option("--shard", metavar="K/N", help="Audit only slice K of N (e.g. 2/4), stable by URL hash.")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start a new run instead of resuming the last one.")
    ] = False,
    max_age: Annotated[
        str | None,
        typer.Option("--max-age", metavar="AGE",
                     help="Scan again the shops whose last result is older than AGE (e.g. 7d, 12h, 2w)."),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", metavar="N", min=0, max=100, help="Exit 1 when any scanned shop is below N."),
    ] = None,
    max_pages: MaxPagesOpt = None,
    timeout: TimeoutOpt = None,
    total_timeout: TotalTimeoutOpt = None,
    lang: LangOpt = None,
    ca_bundle: CaBundleOpt = None,
    user_agent: UserAgentOpt = DEFAULT_USER_AGENT,
    allow_private: AllowPrivateOpt = False,
    allow_local: Annotated[
        bool, typer.Option("--allow-local", help="Read local folders and .html/.htm files named in the list.")
    ] = False,
    resolve: ResolveOpt = None,
    ignore_robots: IgnoreRobotsOpt = False,
    verify: VerifyOpt = None,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    render_mode: RenderOpt = None,
    chromium: ChromiumOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary table.")] = False,
) -> None:
    """Audit many shops: one JSON + HTML report each, summary.csv and index.html; resumable."""
    from trustaudit.batch.index import write_outputs
    from trustaudit.batch.inputs import InputError, read_shops
    from trustaudit.batch.pool import WorkerStartError
    from trustaudit.batch.runner import BatchConfig, BatchRunner, run_key, run_options
    from trustaudit.batch.shard import parse_shard
    from trustaudit.batch.store import Store, StoreError

    cfg, report_lang, options = resolve_settings(
        config=config, lang=lang, country=None, max_pages=max_pages, timeout=timeout,
        total_timeout=total_timeout, user_agent=user_agent, ca_bundle=ca_bundle,
        ignore_robots=ignore_robots, allow_private=allow_private, resolve=resolve, verify=verify,
        render=render_mode, chromium=chromium, as_of=as_of,
    )
    if options.render != "off":
        check_render(options)
    try:
        sh = parse_shard(shard) if shard is not None else None
    except ValueError as exc:
        _die(str(exc), EXIT_USAGE)
        return
    if out.exists() and not out.is_dir():
        _die(f"--out {out} exists and is not a folder", EXIT_USAGE)
    try:
        max_age_s = parse_age(max_age) if max_age is not None else None
    except ValueError as exc:
        _die(str(exc), EXIT_USAGE)
        return
    bcfg = BatchConfig(
        out_dir=out,
        options=options,
        lang=report_lang,
        skip=dict(cfg.skip),
        weights=dict(cfg.weights),
        concurrency=concurrency,
        processes=processes,
    )

    # a first streaming pass: validates the whole file (exit 2 before any scan) and counts the shops
    try:
        in_file = sum(1 for _ in read_shops(input_file, allow_local))
        total = sum(1 for _ in _input_shops(input_file, sh, allow_local)) if sh else in_file
    except InputError as exc:
        _die(str(exc), EXIT_USAGE)
        return
    if in_file == 0:
        _die(f"{input_file}: no shops in the input file", EXIT_USAGE)
    _report_duplicates(input_file, allow_local)

    db_path = db or out / DB_NAME
    try:
        out.mkdir(parents=True, exist_ok=True)
        store = Store(db_path)
    except (OSError, StoreError) as exc:
        _die(f"cannot open the database {db_path}: {exc}", EXIT_USAGE)
        return
    with store:
        key = run_key(input_file, bcfg, str(sh) if sh else None)
        run = None if fresh else store.latest_run(key)
        if run is not None and max_age_s is not None:
            run = _renew_stale(store, run, max_age_s, max_age or "", quiet)
        if run is None:
            run = store.new_run(
                key,
                input=str(input_file.resolve()),
                out_dir=str(out.resolve()),
                shard=str(sh) if sh else None,
                options=run_options(bcfg),
            )
        already = sum(store.count(run.id).values())
        show = not quiet and _err.is_terminal
        log = not quiet and not _err.is_terminal
        if not quiet and already:
            _err.print(
                Text(f"resuming run #{run.id}: {already} shop(s) already done (--fresh to start over)")
            )
        runner = BatchRunner(store, run, bcfg)
        t0 = time.monotonic()
        try:
            with _Progress(_err, show, total, min(already, total), log=log) as progress:
                runner.observer = progress
                stats = runner.run_all(_input_shops(input_file, sh, allow_local))
        except KeyboardInterrupt:
            done = sum(store.count(run.id).values())
            write_outputs(store, run, out)
            _err.print(
                Text(f"trustaudit: interrupted after {done} of {total} shops; run the same command to resume")
            )
            store.close()
            sys.stdout.flush()
            sys.stderr.flush()
            if runner.alive_workers():
                os._exit(EXIT_INTERRUPTED)  # do not wait for crawls in flight: they are redone next time
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except InputError as exc:  # the file changed under us between the two passes
            _die(str(exc), EXIT_USAGE)
            return
        except WorkerStartError as exc:  # shops finished so far are kept: the same command resumes
            write_outputs(store, run, out)
            _die(f"{exc} (try --processes 1)", EXIT_USAGE)
            return
        store.finish_run(run.id)
        run = store.run(run.id) or run
        write_outputs(store, run, out)
        if not quiet:
            extra = []
            if stats.already_done:
                extra.append(f"{stats.already_done} done earlier")
            if stats.duplicates:
                extra.append(f"{stats.duplicates} duplicate row(s) skipped")
            _err.print(
                Text(
                    f"audited {stats.scanned} shop(s) in {time.monotonic() - t0:.1f} s"
                    + (f" ({', '.join(extra)})" if extra else "")
                )
            )
        _summary_tables(store, run.id, out, quiet)
        _fail_under(store, run.id, fail_under)


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_AGE_UNITS = {"": 86400, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """``7d`` / ``12h`` / ``30m`` / ``2w`` / ``90s`` (a bare number is days) -> seconds."""
    m = _AGE.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"--max-age {text!r}: expected a duration such as 7d, 12h, 30m or 2w")
    return float(m.group(1)) * _AGE_UNITS[m.group(2).lower()]


def _renew_stale(store: Store, run, max_age_s: float, shown: str, quiet: bool):
    """With ``--max-age``: when the run to resume holds results older than that, a new run starts (the old one
    stays for ``history``) holding the recent results; the stale shops are scanned again."""
    from datetime import datetime, timedelta, timezone

    cutoff = datetime.now(timezone.utc) - timedelta(seconds=max_age_s)
    stale = store.stale(run.id, cutoff)
    if not stale:
        return run
    new = store.new_run(run.run_key, input=run.input, out_dir=run.out_dir, shard=run.shard,
                        options=json.loads(run.options or "{}"))
    kept = store.copy_recent(run.id, new.id, cutoff)
    if not quiet:
        _err.print(Text(f"{stale} shop(s) scanned more than {shown.strip()} ago will be scanned again "
                        f"(run #{new.id}; {kept} recent result(s) kept; run #{run.id} stays in history)"))
    return new


def _fail_under(store: Store, run_id: int, fail_under: float | None) -> None:
    """Exit 1 naming the shops below ``--fail-under`` (the first 20, then how many more)."""
    if fail_under is None:
        return
    n = store.below(run_id, fail_under)
    if not n:
        return
    shown = store.below_list(run_id, fail_under, 20)
    names = ", ".join(f"{_t(r.url, 120)} ({r.score})" for r in shown)
    more = f" … and {n - len(shown)} more (see summary.csv)" if n > len(shown) else ""
    _die(f"{n} shop(s) scored below --fail-under {fail_under:g}: {names}{more}", EXIT_THRESHOLD)


MAX_DUPLICATES_SHOWN = 20


def _report_duplicates(input_file: Path, allow_local: bool) -> None:
    """Every shop listed twice (same normalised URL) is named, with both rows: it is audited once."""
    from trustaudit.batch.inputs import duplicates, read_shops

    n = 0
    for repeat, first in duplicates(read_shops(input_file, allow_local)):
        n += 1
        if n <= MAX_DUPLICATES_SHOWN:
            where = f"line {repeat.line}" if repeat.line else f"shop {repeat.position}"
            was = f"line {first.line}" if first.line else f"shop {first.position}"
            _err.print(Text(f"trustaudit: warning: {input_file}: {where} repeats {was} "
                            f"({_t(repeat.key, 200)}): audited once", style="yellow"), soft_wrap=True)
    if n > MAX_DUPLICATES_SHOWN:
        _err.print(Text(f"trustaudit: warning: {input_file}: … and {n - MAX_DUPLICATES_SHOWN} more repeated "
                        "shops", style="yellow"), soft_wrap=True)


# --------------------------------------------------------------------------- history

_RANK = {"pass": 2, "warn": 1, "fail": 0}


def check_changes(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str | None, str | None, str]]:
    """(check id, old status, new status, kind) for every check whose status changed.
    kind: better | worse | other (to or from error / not_applicable / manual, or added / removed)."""
    out = []
    for cid in sorted(set(old) | set(new)):
        a, b = old.get(cid), new.get(cid)
        if a == b:
            continue
        if a in _RANK and b in _RANK:
            kind = "better" if _RANK[b] > _RANK[a] else "worse"
        else:
            kind = "other"
        out.append((cid, a, b, kind))
    return out


def _db_arg(db: Path | None) -> Path:
    if db is None:
        return Path(DB_NAME)
    return db / DB_NAME if db.is_dir() else db


def history(
    url: Annotated[str, typer.Argument(help="Shop URL (or local path) as given to `batch`.")],
    db: Annotated[
        Path | None, typer.Option("--db", metavar="PATH", help="Database file or batch output folder [./trustaudit.db].")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json")] = "text",
) -> None:
    """Scores of one shop over time, and the checks that changed between consecutive scans."""
    from rich.table import Table

    from trustaudit.batch.inputs import shop_from_raw
    from trustaudit.batch.store import Store, StoreError

    if fmt not in ("text", "json"):
        _die("--format must be text or json", EXIT_USAGE)
    path = _db_arg(db)
    shop = shop_from_raw(1, url, allow_local=True)  # typed by the user, not read from someone's list
    if shop.error:
        _die(shop.error, EXIT_USAGE)
    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        _die(str(exc), EXIT_USAGE)
        return
    with store:
        rows = store.history(shop.key)
        if not rows:
            alt = (
                shop.key.replace("https://", "http://", 1)
                if shop.key.startswith("https://")
                else (shop.key.replace("http://", "https://", 1))
            )
            rows = store.history(alt)
        if not rows:
            host = shop.host if not shop.key.startswith("file:") else shop.key
            like = store.known_keys_like(host)
            hint = f"; did you mean: {', '.join(like)}" if like else ""
            _die(f"no scans of {shop.key} in {path}{hint}", EXIT_USAGE)
    scans = []
    prev: ShopResult | None = None
    for r in rows:
        entry: dict[str, object] = {
            "scanned_at": r.scanned_at,
            "score": r.score,
            "grade": r.grade,
            "status": r.status,
            "error": r.error or None,
            "report_json": r.json_file,
            "report_html": r.html_file,
        }
        if prev is not None:
            entry["score_delta"] = (
                (r.score - prev.score) if (r.score is not None and prev.score is not None) else None
            )
            entry["changes"] = (
                [
                    {"id": cid, "from": a, "to": b, "kind": kind}
                    for cid, a, b, kind in check_changes(prev.check_statuses(), r.check_statuses())
                ]
                if (prev.checks and r.checks)
                else []
            )
        scans.append(entry)
        prev = r
    if fmt == "json":
        typer.echo(
            json.dumps(
                {"url": rows[-1].url, "url_key": rows[-1].url_key, "scans": scans},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    out = _out()
    out.print(Text(f"{_t(rows[-1].url, 200)}: {len(rows)} scan(s)", style="bold"), soft_wrap=True)
    table = Table(box=None, header_style="bold")
    for col in ("scanned at", "score", "grade", "change", "result"):
        table.add_column(col, justify="right" if col in ("score", "change") else "left")
    base = path.parent
    reports: list[str] = []
    for e in scans:
        d = e.get("score_delta")
        rel = e.get("report_html") or e.get("report_json")
        table.add_row(
            _t(e["scanned_at"], 40),
            "" if e["score"] is None else str(e["score"]),
            str(e["grade"] or ""),
            "" if d is None else f"{d:+d}",
            _t(e["error"] or "ok", 100),
        )
        if rel:
            reports.append(f"  {_t(e['scanned_at'], 40)}  {_t(base / str(rel), 400)}")
    out.print(table)
    if reports:  # every scan keeps its own report files: any of them can be opened
        out.print(Text("reports:\n" + "\n".join(reports)), soft_wrap=True)
    for prev_e, e in zip(scans, scans[1:], strict=False):
        changes = e.get("changes") or []
        head = f"{_t(prev_e['scanned_at'], 40)} → {_t(e['scanned_at'], 40)}: "
        if not changes:
            out.print(Text(head + "no check changed"), soft_wrap=True)
            continue
        out.print(Text(head + f"{len(changes)} check(s) changed"), soft_wrap=True)
        for c in changes:
            mark = {"better": "+", "worse": "-", "other": "~"}[c["kind"]]  # type: ignore[index]
            out.print(
                Text(
                    f"  {mark} {_t(c['id'], 80)}: {c['from'] or 'absent'} → {c['to'] or 'absent'}",
                    style={"better": "green", "worse": "red"}.get(c["kind"], ""),
                )
            )  # type: ignore[arg-type]


# --------------------------------------------------------------------------- merge


def merge(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder for the merged index.html, summary.csv, reports and database.")
    ],
    shard_dirs: Annotated[
        list[Path], typer.Argument(help="Output folders (or databases) of the shard runs.")
    ],
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", metavar="N", min=0, max=100, help="Exit 1 when any scanned shop is below N."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary table.")] = False,
) -> None:
    """Combine the outputs of `batch --shard K/N` runs into one index.html and summary.csv."""
    from trustaudit.batch.merge import MergeError
    from trustaudit.batch.merge import merge as do_merge
    from trustaudit.batch.store import Store, StoreError

    try:
        result = do_merge(out_dir, list(shard_dirs))
    except (MergeError, StoreError) as exc:
        _die(str(exc), EXIT_USAGE)
        return
    except OSError as exc:
        _die(f"cannot write {out_dir}: {exc.strerror or exc}", EXIT_USAGE)
        return
    for w in result.warnings:
        _err.print(Text(f"trustaudit: warning: {_t(w, 300)}", style="yellow"))
    with Store(Path(out_dir) / DB_NAME) as store:
        if not quiet:
            _err.print(Text(f"merged {len(result.sources)} shard(s): {result.shops} shops"))
        _summary_tables(store, result.run.id, Path(out_dir), quiet)
        _fail_under(store, result.run.id, fail_under)


def register(app: typer.Typer) -> None:
    app.command("batch", cls=ScanCommand)(batch)
    app.command("history")(history)
    app.command("merge")(merge)
