"""Run a batch: many shops at once, one commit per finished shop, resumable.

Each shop gets exactly what ``trustaudit scan`` does: ``pipeline.scan`` (crawl -> extract -> evaluate ->
score, each call with its own event loop and HTTP client) run by ``audit_shop``, which also renders and
writes the shop's JSON and HTML reports (atomically) and returns a small ``ShopResult`` - the Report
object is dropped right there, so memory does not grow with the number of shops.

Where scans run (``pool.py``): extraction is CPU-bound Python (lxml parsing, regexes over every page), so
threads of one process share one core. By default the scans run in ``min(CPUs, concurrency)`` worker
processes, each running a few of them at once on threads (the network part of a crawl releases the GIL);
``processes=1`` runs them on threads of this process. Scans are never put in one shared event loop: a shop
with huge pages would stall the timers of every other crawl and turn them into spurious timeouts.

Scheduling (main thread only): the input is streamed; a shop whose host is being scanned waits in a
small bounded ``deferred`` list (never two scans of one host at once). The main thread is the only
database writer and commits each result as it arrives; it also runs the watchdog (a scan that does not
return within ``watchdog_s`` is recorded as timed out, and its worker process killed and replaced).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from trustaudit.batch.inputs import Shop, file_stem
from trustaudit.batch.pool import MAX_PER_PROCESS, Done, Lost, ProcessPool, ThreadPool, default_processes
from trustaudit.batch.store import FAILED, INCONCLUSIVE, OK, Run, ShopResult, Store, now_iso
from trustaudit.options import ScanOptions
from trustaudit.render._text import clean_text

REPORTS_DIR = "reports"
DEFAULT_CONCURRENCY = 8

ScanFn = Callable[..., Any]


@dataclass(frozen=True)
class BatchConfig:
    out_dir: Path
    options: ScanOptions = field(default_factory=ScanOptions)
    lang: str | None = None
    skip: Mapping[str, str] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    stuck_after: float | None = None  # seconds before a scan that does not return is given up on
    processes: int | None = None  # worker processes; None: min(CPUs, concurrency); 1: threads, in-process
    per_process: int | None = None  # scans at once in one worker process [pool.MAX_PER_PROCESS]

    def worker_processes(self) -> int:
        if self.processes is not None:
            return max(1, int(self.processes))
        return default_processes(max(1, int(self.concurrency)))

    def watchdog_s(self) -> float:
        if self.stuck_after is not None:
            return self.stuck_after
        return self.options.total_timeout * 1.5 + 60.0


def run_key(input_file: str | Path, cfg: BatchConfig, shard: str | None) -> str:
    """The identity of a run: same input file, same options, same shard, same output -> same run (resume).

    The input is keyed by its path, not its content: adding shops to the list and re-running the same
    command scans only the new ones. Concurrency, progress and the like do not change results: not in it.
    """
    opts = cfg.options.public()  # credentials never go into a key or the database
    opts.pop("concurrency", None)
    doc = {
        "input": str(Path(input_file).resolve()),
        "out": str(Path(cfg.out_dir).resolve()),
        "shard": shard or "",
        "options": opts,
        "lang": cfg.lang,
        "skip": dict(sorted(cfg.skip.items())),
        "weights": dict(sorted(cfg.weights.items())),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:32]


def run_options(cfg: BatchConfig) -> dict[str, Any]:
    d = cfg.options.public()
    d.update(lang=cfg.lang, skip=dict(cfg.skip), weights=dict(cfg.weights))
    return d


# --------------------------------------------------------------------------- one shop


def failed_result(
    shop: Shop, error: str, started: str | None = None, duration: float | None = None
) -> ShopResult:
    return ShopResult(
        url_key=shop.key,
        position=shop.position,
        url=shop.target if not shop.error else clean_text(shop.target, 500, newlines=False),
        status=FAILED,
        scanned_at=started or now_iso(),
        name=shop.name,
        country=shop.country,
        tags=shop.tags,
        error=clean_text(error, 300, newlines=False) or "error",
        duration_s=duration,
    )


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


def scan_stem(folder: Path, shop_stem: str, started: str) -> str:
    """``shop.example-1a2b3c4d5e-20250301T120000Z``: every scan its own report files (``history`` opens any of
    them; a new run never overwrites an old one). Two scans of one shop in the same second get ``-2``, ``-3``."""
    stamp = "".join(ch for ch in started if ch.isalnum())[:16] or "scan"
    stem = f"{shop_stem}-{stamp}"
    n = 1
    while (folder / f"{stem}.json").exists() or (folder / f"{stem}.html").exists():
        n += 1
        stem = f"{shop_stem}-{stamp}-{n}"
    return stem


def audit_shop(
    shop: Shop,
    cfg: BatchConfig,
    scan_fn: ScanFn | None = None,
    cancelled: threading.Event | None = None,
) -> ShopResult:
    """Scan one shop and write its reports. Never raises (except BaseException such as KeyboardInterrupt):
    a shop that cannot be scanned is a result with ``error`` - the TargetError message, or
    ``internal error: <type>`` for anything unexpected (never a traceback)."""
    from trustaudit.crawl import TargetError
    from trustaudit.render import Format, render

    started = now_iso()
    t0 = time.perf_counter()
    if shop.error:
        return failed_result(shop, shop.error, started, 0.0)
    if scan_fn is None:
        from trustaudit.pipeline import scan as scan_fn
    options = replace(cfg.options, country=shop.country or cfg.options.country)
    try:
        report = scan_fn(
            shop.target, options, lang=cfg.lang, skip=cfg.skip or None, weights=cfg.weights or None
        )
    except TargetError as exc:
        return failed_result(shop, str(exc) or "cannot be scanned", started, time.perf_counter() - t0)
    except Exception as exc:  # a hostile page must never stop the batch
        return failed_result(shop, f"internal error: {type(exc).__name__}", started, time.perf_counter() - t0)

    try:
        reports = Path(cfg.out_dir) / REPORTS_DIR
        reports.mkdir(parents=True, exist_ok=True)
        stem = scan_stem(reports, file_stem(shop.key), started)
        json_text = render(report, Format.JSON, cfg.lang)
        try:
            html_text: str | None = render(report, Format.HTML, cfg.lang)
        except Exception:  # the JSON report is the record; an HTML renderer bug costs only the HTML page
            html_text = None
        if cancelled is not None and cancelled.is_set():
            return failed_result(shop, "abandoned", started)
        json_name = f"{REPORTS_DIR}/{stem}.json"
        _write_atomic(Path(cfg.out_dir) / json_name, json_text)
        html_name = None
        if html_text is not None:
            html_name = f"{REPORTS_DIR}/{stem}.html"
            _write_atomic(Path(cfg.out_dir) / html_name, html_text)
        del json_text, html_text
        checks = json.dumps({c.id: c.status.value for c in report.checks}, separators=(",", ":"))
        inconclusive = report.inconclusive
        return ShopResult(
            url_key=shop.key,
            position=shop.position,
            url=shop.target,
            status=INCONCLUSIVE if report.score is None else OK,
            scanned_at=report.scanned_at or started,
            name=shop.name,
            country=report.country or shop.country,
            tags=shop.tags,
            score=report.score,
            grade=report.grade,
            error=clean_text(f"inconclusive: {inconclusive or 'no score'}", 300, newlines=False)
            if report.score is None
            else "",
            json_file=json_name,
            html_file=html_name,
            final_url=clean_text(report.final_url, 2000, newlines=False),
            duration_s=round(time.perf_counter() - t0, 3),
            checks=checks,
        )
    except OSError as exc:
        return failed_result(shop, f"cannot write report: {exc.strerror or type(exc).__name__}", started)
    except Exception as exc:
        return failed_result(shop, f"internal error: {type(exc).__name__}", started)


# --------------------------------------------------------------------------- the batch


class Observer(Protocol):
    def started(self, shop: Shop) -> None: ...

    def finished(self, shop: Shop, result: ShopResult) -> None: ...

    def skipped(self, shop: Shop, why: str) -> None: ...


class _NullObserver:
    def started(self, shop: Shop) -> None:
        pass

    def finished(self, shop: Shop, result: ShopResult) -> None:
        pass

    def skipped(self, shop: Shop, why: str) -> None:
        pass


@dataclass
class BatchStats:
    scanned: int = 0  # scanned (or recorded as failed) by this process
    failed: int = 0  # of those, could not be scanned
    already_done: int = 0  # finished by an earlier, interrupted process: not redone
    duplicates: int = 0  # the same shop (normalised URL) listed again in the input
    abandoned: int = 0  # scans that never returned (given up by the watchdog)
    lost: int = 0  # recorded as failed because their worker process died


@dataclass
class _Task:
    token: int
    shop: Shop
    started: float


MAX_RETRIES = 3  # a shop handed back by a lost worker is started again at most this many times


class BatchRunner:
    """Main-thread scheduler around a pool of workers: threads of this process (``processes=1``) or worker
    processes (see ``pool.py``). The main thread alone schedules, keeps hosts apart, writes the database
    and runs the watchdog; an unfinished shop simply has no row and is redone next time."""

    def __init__(
        self,
        store: Store,
        run: Run,
        cfg: BatchConfig,
        observer: Observer | None = None,
        scan_fn: ScanFn | None = None,
    ):
        self.store = store
        self.run = run
        self.cfg = cfg
        self.observer = observer or _NullObserver()
        self.scan_fn = scan_fn
        self.stats = BatchStats()
        self.concurrency = max(1, int(cfg.concurrency))
        self.processes = cfg.worker_processes()
        self._in_flight: dict[int, _Task] = {}
        self._busy_hosts: set[str] = set()
        self._in_flight_keys: set[str] = set()
        self._deferred: deque[Shop] = deque()
        self._deferred_limit = max(64, self.concurrency * 16)
        self._retries: dict[str, int] = {}  # shop key -> times handed back by a lost worker
        self._solo: set[str] = set()  # shop keys to run alone in a worker process of their own
        self._token = 0
        self.pool: ThreadPool | ProcessPool
        if self.processes == 1:
            self.pool = ThreadPool(self._run_in_thread, self.concurrency)
        else:
            self.pool = ProcessPool(
                (cfg, scan_fn), self.processes, self.concurrency, cfg.per_process or MAX_PER_PROCESS
            )
            self.concurrency = min(self.concurrency, self.pool.processes * self.pool.per_process)

    def _run_in_thread(self, shop: Shop, cancelled: threading.Event) -> ShopResult:
        try:
            return audit_shop(shop, self.cfg, self.scan_fn, cancelled)
        except BaseException as exc:  # noqa: BLE001 - e.g. SystemExit from deep inside a library
            return failed_result(shop, f"internal error: {type(exc).__name__}")

    def alive_workers(self) -> int:
        return self.pool.alive()

    # scheduling ------------------------------------------------------------

    def _eligible(self, shop: Shop) -> str:
        """'' when the shop can start now; else 'busy' (host in use), 'done' or 'dup'."""
        if shop.key in self._in_flight_keys:
            return "dup"
        if self.store.is_done(self.run.id, shop.key):
            return "done"
        if shop.host in self._busy_hosts:
            return "busy"
        return ""

    def _next_shop(self, it: Iterator[Shop]) -> Shop | None:
        for _ in range(len(self._deferred)):
            shop = self._deferred.popleft()
            if self._ready(shop):
                return shop
        while len(self._deferred) < self._deferred_limit:
            shop = next(it, None)
            if shop is None:
                return None
            if self._ready(shop):
                return shop
        return None

    def _ready(self, shop: Shop) -> bool:
        """True when ``shop`` can start now; a shop whose host is busy waits, any other reason skips it."""
        why = self._eligible(shop)
        if not why:
            return True
        if why == "busy":
            self._deferred.append(shop)
        else:
            self._skip(shop, why)
        return False

    def _skip(self, shop: Shop, why: str) -> None:
        if why == "done":
            self.stats.already_done += 1
        else:
            self.stats.duplicates += 1
        self.observer.skipped(shop, why)

    def _start(self, shop: Shop) -> _Task:
        self._token += 1
        task = _Task(self._token, shop, time.monotonic())
        self._in_flight[task.token] = task
        self._in_flight_keys.add(shop.key)
        self._busy_hosts.add(shop.host)
        self.observer.started(shop)
        return task

    def _release(self, token: int) -> _Task | None:
        task = self._in_flight.pop(token, None)
        if task is not None:
            self._in_flight_keys.discard(task.shop.key)
            self._busy_hosts.discard(task.shop.host)
        return task

    def _complete(self, token: int, result: ShopResult) -> None:
        task = self._release(token)
        if task is None:
            return  # given up by the watchdog earlier: already recorded
        self._solo.discard(task.shop.key)
        if self.store.record(self.run.id, result):
            self.stats.scanned += 1
            if result.status == FAILED:
                self.stats.failed += 1
        else:
            self.stats.duplicates += 1
        self.observer.finished(task.shop, result)

    def _handle(self, events: Iterable[Done | Lost]) -> None:
        for ev in events:
            if isinstance(ev, Done):
                self._complete(ev.token, ev.result)
                continue
            task = self._in_flight.get(ev.token)
            if task is None:
                continue
            shop = task.shop
            n = self._retries.get(shop.key, 0)
            if ev.retry and n < MAX_RETRIES:
                self._retries[shop.key] = n + 1
                if ev.solo:
                    self._solo.add(shop.key)
                self._release(ev.token)
                self._deferred.appendleft(shop)  # no row yet: started again, before anything new
            else:
                self.stats.lost += 1
                self._complete(ev.token, failed_result(shop, ev.reason))

    def _check_stuck(self) -> None:
        limit = self.cfg.watchdog_s()
        now = time.monotonic()
        for token, task in list(self._in_flight.items()):
            if token in self._in_flight and now - max(task.started, self.pool.ready_at(token)) > limit:
                self.stats.abandoned += 1
                handed_back = self.pool.abandon(token)
                self._complete(
                    token, failed_result(task.shop, f"timed out: the scan did not finish in {limit:g} s")
                )
                self._handle(handed_back)
        self._handle(self.pool.check())

    def in_flight(self) -> list[Shop]:
        return [t.shop for t in self._in_flight.values()]

    def run_all(self, shops: Iterable[Shop]) -> BatchStats:
        it = iter(shops)
        self.pool.start()
        exhausted = False
        last_check = time.monotonic()
        try:
            while True:
                while len(self._in_flight) < self.concurrency and (self.pool.free_slots() > 0 or self._solo):
                    shop = self._next_shop(it)
                    if shop is None:
                        # None with nothing deferred means the input is read to the end; with deferred
                        # shops it means they wait for their hosts (or the deferred list is full)
                        exhausted = not self._deferred
                        break
                    solo = shop.key in self._solo
                    if not (shop.error or solo) and self.pool.free_slots() <= 0:
                        self._deferred.appendleft(shop)  # only a solo retry could start now
                        break
                    task = self._start(shop)
                    if shop.error:  # an unusable input row: recorded at once, never scanned
                        self._complete(task.token, audit_shop(shop, self.cfg))
                        continue
                    self.pool.submit(task.token, shop, solo=solo)
                if not self._in_flight:
                    if exhausted and not self._deferred:
                        break
                    if self.pool.free_slots() > 0:
                        continue  # deferred shops wait for hosts that are free now: start them
                self._handle(self.pool.poll(0.5))
                if time.monotonic() - last_check >= 1.0:
                    last_check = time.monotonic()
                    self._check_stuck()
        finally:
            self.pool.close()
        return self.stats
