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
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from trustaudit.batch import DEFAULT_CONCURRENCY  # noqa: F401 - re-exported
from trustaudit.batch.audit import REPORTS_DIR, BatchConfig, ScanFn, audit_shop, failed_result  # noqa: F401
from trustaudit.batch.inputs import Shop
from trustaudit.batch.pool import MAX_PER_PROCESS, Done, Lost, ProcessPool, ThreadPool, default_processes
from trustaudit.batch.store import FAILED, Run, ShopResult, Store


def worker_processes(cfg: BatchConfig) -> int:
    if cfg.processes is not None:
        return max(1, int(cfg.processes))
    return default_processes(max(1, int(cfg.concurrency)))


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
        self.processes = worker_processes(cfg)
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
