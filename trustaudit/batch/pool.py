"""Where the scans run: worker threads in this process, or worker processes each running a few threads.

Extraction is CPU-bound Python, so threads of one process use one core whatever the concurrency.
``ProcessPool`` runs ``processes`` worker processes (``spawn``: a fresh interpreter, never a fork of a process
that already has threads), each scanning up to ``per_process`` shops at once on its own threads.
A worker gets the batch config once, then one ``(token, Shop)`` per task over its own pipe, and sends back
only the small ``ShopResult`` - never a Report. Nothing else is shared: every scan builds its own HTTP
client (no cookies or credentials cross shops), and each worker has its own pipe, so a worker holds no
descriptor of another one's.

The main process keeps everything that needs one owner: scheduling, host politeness, the database, progress
and the watchdog. What the pools add for it:

* A scan the watchdog gives up on: in a process its worker is killed (threads could not be) and replaced;
  the other scans that were in flight there are handed back to be started again (``lost`` with
  ``retry=True``) - none of them had a database row, so nothing is lost or doubled.
* A worker process that dies (a crash in a C extension, the OOM killer): with one shop in flight, that
  shop is recorded as failed with the reason; with several, nobody knows which one killed it, so each is
  retried once alone in a fresh process of its own (``solo``), and only a shop that kills that one too is
  recorded as failed. A replacement worker is started either way.
* Workers never outlive the batch: each blocks reading its pipe and exits at once when the pipe reports
  end-of-file (the main process exited or was killed, even with SIGKILL); ``close`` kills them on every
  way out of ``run_all`` (done, Ctrl-C, an error). They ignore SIGINT (a terminal's Ctrl-C goes to the
  whole process group): the main process decides, and it kills them.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from trustaudit.batch.inputs import Shop

MAX_PER_PROCESS = 4  # scans at once in one worker process (each holds ~35 MB of parsed pages in flight)
STARTUP_TIMEOUT = 120.0  # seconds for a worker process to import trustaudit and load the rules
MAX_START_FAILURES = 3  # worker processes in a row that die before they are ready: give up
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_ENTRY = "from trustaudit.batch.pool import worker_entry; worker_entry()"


def default_processes(concurrency: int) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, concurrency))


class WorkerStartError(RuntimeError):
    """Worker processes die before they are ready (broken installation, no memory)."""


# events handed to the runner
@dataclass(frozen=True)
class Done:
    token: int
    result: Any  # ShopResult


@dataclass(frozen=True)
class Lost:
    """The scan of ``token`` ended without a result: its worker died or was killed."""

    token: int
    reason: str
    retry: bool  # True: start it again (solo when ``solo``); False: record it as failed with ``reason``
    solo: bool = False


# --------------------------------------------------------------------------- threads (--processes 1)


class ThreadPool:
    """Daemon worker threads in this process (daemon: Ctrl-C never waits for a stuck crawl)."""

    def __init__(self, run_task: Callable[[Shop, threading.Event], Any], concurrency: int):
        self.run_task = run_task
        self.concurrency = concurrency
        self._tasks: queue.Queue[tuple[int, Shop, threading.Event] | None] = queue.Queue()
        self._done: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._cancel: dict[int, threading.Event] = {}
        self._workers: list[threading.Thread] = []

    def start(self) -> None:
        for _ in range(self.concurrency):
            self._spawn()

    def _spawn(self) -> None:
        t = threading.Thread(target=self._worker, name=f"trustaudit-batch-{len(self._workers)}", daemon=True)
        t.start()
        self._workers.append(t)

    def _worker(self) -> None:
        while True:
            item = self._tasks.get()
            if item is None:
                return
            token, shop, cancelled = item
            self._done.put((token, self.run_task(shop, cancelled)))
            if cancelled.is_set():
                return  # a replacement worker took this one's place

    def free_slots(self) -> int:
        return self.concurrency - len(self._cancel)

    def submit(self, token: int, shop: Shop, solo: bool = False) -> None:
        ev = threading.Event()
        self._cancel[token] = ev
        self._tasks.put((token, shop, ev))

    def poll(self, timeout: float) -> list[Done | Lost]:
        try:
            token, result = self._done.get(timeout=timeout)
        except queue.Empty:
            return []
        if self._cancel.pop(token, None) is None:
            return []  # given up by the watchdog earlier: already recorded
        return [Done(token, result)]

    def ready_at(self, token: int) -> float:
        return 0.0

    def abandon(self, token: int) -> list[Lost]:
        """The watchdog gave up on ``token``: the thread cannot be stopped; it keeps its slot until it
        returns (its result is then dropped) and a new thread takes its place."""
        ev = self._cancel.pop(token, None)
        if ev is not None:
            ev.set()
            self._spawn()
        return []

    def check(self) -> list[Lost]:
        return []

    def alive(self) -> int:
        return sum(1 for t in self._workers if t.is_alive())

    def close(self) -> None:
        for _ in self._workers:
            self._tasks.put(None)


# --------------------------------------------------------------------------- processes


def worker_entry() -> None:  # ``python -c "...; worker_entry()" FD`` - the worker process
    """Entry point of a worker process: warm up, then run tasks from its pipe on its own threads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(sys.argv[1]))
    try:
        sys.path[:] = conn.recv()  # the batch's own: a scan function given by a test imports by name
        cfg, scan_fn, threads = conn.recv()
    except (EOFError, OSError):
        os._exit(0)
    from trustaudit.batch.audit import audit_shop, failed_result

    try:  # load the rules and vocabularies before saying ready, not inside the first scans' time
        import trustaudit.pipeline  # noqa: F401
        import trustaudit.render  # noqa: F401
        from trustaudit.engine import load_rules

        load_rules()
    except Exception:  # noqa: BLE001 - the first scan reports whatever is wrong, as a result
        pass
    send_lock = threading.Lock()

    def send(msg: Any) -> None:
        with send_lock:
            try:
                conn.send(msg)
            except (OSError, EOFError, ValueError):
                os._exit(0)  # the batch is gone

    tasks: queue.SimpleQueue[tuple[int, Shop] | None] = queue.SimpleQueue()

    def run() -> None:
        while True:
            item = tasks.get()
            if item is None:
                return
            token, shop = item
            try:
                result = audit_shop(shop, cfg, scan_fn)
            except BaseException as exc:  # noqa: BLE001 - e.g. SystemExit from deep inside a library
                result = failed_result(shop, f"internal error: {type(exc).__name__}")
            send((token, result))

    for i in range(threads):
        threading.Thread(target=run, name=f"trustaudit-scan-{i}", daemon=True).start()
    send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            msg = None  # end of file: the main process exited or was killed - never outlive it
        if msg is None:
            os._exit(0)  # scans in flight are abandoned: they have no database row, they are redone
        tasks.put(msg)


@dataclass
class _Worker:
    proc: subprocess.Popen
    conn: Connection
    slots: int
    started: float
    solo: bool = False
    ready: bool = False
    ready_at: float = math.inf
    tasks: dict[int, Shop] = field(default_factory=dict)
    served: int = 0


def _death(code: int | None) -> str:
    if code is None:
        return "the worker process died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process died ({name})"
    return f"the worker process died (exit code {code})"


class ProcessPool:
    def __init__(self, payload: Any, processes: int, concurrency: int, per_process: int = MAX_PER_PROCESS):
        self.payload = payload
        self.processes = max(1, processes)
        self.per_process = max(1, min(per_process, math.ceil(concurrency / self.processes)))
        pickle.dumps(payload)  # a scan function that cannot be pickled fails here, not in every worker
        self._workers: list[_Worker] = []
        self._where: dict[int, _Worker] = {}  # token -> its worker
        self._start_failures = 0
        self._closed = False

    # workers ---------------------------------------------------------------

    def _spawn(self, solo: bool = False) -> _Worker:
        ours, theirs = socket.socketpair()
        slots = 1 if solo else self.per_process
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_PACKAGE_ROOT, env.get("PYTHONPATH"))))
        # a Ctrl-C while the child starts up must not print its traceback: it inherits SIG_IGN until it
        # has set its own (only the main thread may change signal handlers)
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),  # and no other descriptor: not another worker's pipe
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        finally:
            if main:
                signal.signal(signal.SIGINT, old)
            theirs.close()  # ours would keep the pipe open after the worker died: no end-of-file
        conn = Connection(ours.detach())
        w = _Worker(proc, conn, slots, time.monotonic(), solo=solo)
        self._workers.append(w)
        try:
            conn.send(sys.path)
            conn.send((*self.payload, slots))
        except OSError:
            pass  # it died at once: seen as a dead worker by poll()
        return w

    def start(self) -> None:
        for _ in range(self.processes):
            self._spawn()

    def _kill(self, w: _Worker) -> None:
        if w in self._workers:
            self._workers.remove(w)
        with contextlib.suppress(Exception):
            w.conn.close()
        with contextlib.suppress(Exception):
            w.proc.kill()
            w.proc.wait(5)
        for token in w.tasks:
            self._where.pop(token, None)

    def alive(self) -> int:
        return sum(1 for w in self._workers if w.proc.poll() is None)

    def close(self) -> None:
        """Stop every worker now (scans in flight have no database row: they are redone next time)."""
        self._closed = True
        for w in list(self._workers):
            with contextlib.suppress(Exception):
                w.conn.close()  # an idle worker exits on end-of-file
        deadline = time.monotonic() + 1.0
        for w in list(self._workers):
            if w.tasks:
                with contextlib.suppress(Exception):
                    w.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.proc.wait(max(0.0, deadline - time.monotonic()))
            if w.proc.poll() is None:
                w.proc.kill()
                w.proc.wait(5)
        self._workers.clear()
        self._where.clear()

    # tasks -----------------------------------------------------------------

    def free_slots(self) -> int:
        return sum(w.slots - len(w.tasks) for w in self._workers if w.ready and not w.solo)

    def submit(self, token: int, shop: Shop, solo: bool = False) -> None:
        if solo:
            w = self._spawn(solo=True)  # queued in its pipe until it is ready
        else:
            w = max(
                (w for w in self._workers if w.ready and not w.solo and len(w.tasks) < w.slots),
                key=lambda w: w.slots - len(w.tasks),
            )
        w.tasks[token] = shop
        w.served += 1
        self._where[token] = w
        w.conn.send((token, shop))

    def poll(self, timeout: float) -> list[Done | Lost]:
        if not self._workers:
            time.sleep(timeout)
            return []
        # a worker's pipe is readable for a result, and at end-of-file when it died (it alone held the other end)
        ready = wait([w.conn for w in self._workers], timeout)
        events: list[Done | Lost] = []
        for w in list(self._workers):
            if w.conn in ready:
                events.extend(self._drain(w))
        return events

    def _drain(self, w: _Worker) -> list[Done | Lost]:
        events: list[Done | Lost] = []
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                if msg[0] == "ready":
                    w.ready, w.ready_at = True, time.monotonic()
                    self._start_failures = 0
                    continue
                token, result = msg
                if w.tasks.pop(token, None) is not None:
                    self._where.pop(token, None)
                    events.append(Done(token, result))
                if w.solo and not w.tasks:
                    self._kill(w)  # a solo worker runs its one shop and goes
                    return events
        except (EOFError, OSError):
            pass
        else:
            return events  # no end-of-file: alive
        if w not in self._workers:
            return events
        # the worker died
        with contextlib.suppress(subprocess.TimeoutExpired):
            w.proc.wait(2)
        reason = _death(w.proc.returncode)
        lost = dict(w.tasks)
        was_ready = w.ready
        self._kill(w)
        if not was_ready and not w.solo:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise WorkerStartError(f"cannot start batch worker processes: {reason}")
        if not w.solo and not self._closed:
            self._spawn()
        if len(lost) == 1 or w.solo:
            events.extend(Lost(t, f"{reason} while scanning this shop", retry=False) for t in lost)
        else:  # nobody knows which one killed it: each runs once more alone
            events.extend(Lost(t, reason, retry=True, solo=True) for t in lost)
        return events

    def ready_at(self, token: int) -> float:
        """When the worker of ``token`` became ready (a solo task waits for its new worker to start: that
        time is not the scan's); inf while it is starting (``check`` handles a worker that never does)."""
        w = self._where.get(token)
        return w.ready_at if w is not None else 0.0

    def abandon(self, token: int) -> list[Lost]:
        """The watchdog gave up on ``token``: kill its worker (a stuck scan cannot be stopped otherwise)
        and start a new one. The other scans it was running are handed back to be started again."""
        w = self._where.pop(token, None)
        if w is None:
            return []
        w.tasks.pop(token, None)
        others = list(w.tasks)
        self._kill(w)
        if not w.solo:
            self._spawn()
        return [Lost(t, "its worker process was stopped", retry=True) for t in others]

    def check(self) -> list[Lost]:
        """Workers that do not become ready in time are killed and replaced (their tasks handed back)."""
        events: list[Lost] = []
        now = time.monotonic()
        for w in list(self._workers):
            if not w.ready and now - w.started > STARTUP_TIMEOUT:
                lost = list(w.tasks)
                self._kill(w)
                self._start_failures += 1
                if self._start_failures >= MAX_START_FAILURES:
                    raise WorkerStartError("cannot start batch worker processes: they do not get ready")
                if not w.solo:
                    self._spawn()
                events.extend(
                    Lost(t, "its worker process did not start", retry=not w.solo, solo=w.solo) for t in lost
                )
        return events
