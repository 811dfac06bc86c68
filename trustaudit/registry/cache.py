"""The registers' answers on disk, shared by every worker process of a batch (one SQLite file, WAL mode).

Tables:
- ``answers``: (source, key) -> the register's answer as JSON, with the time it was fetched and when it expires.
  A definite answer lives ``ttl`` (a day for most registers), an "unknown" one ``error_ttl`` (half an hour), so
  500 shops sharing a NIP cause one request a day, and a register that is down is not asked again at once.
- ``claims``: (source, key) -> which process is asking right now, until when. A process that finds a live
  claim waits for the answer instead of asking too (at most one request per ID, across processes).
- ``pacing``: per source (or RDAP server) the earliest time of its next request, and "blocked until" after a
  429. Reserving a slot is one ``BEGIN IMMEDIATE`` transaction, so processes space their requests together.
- ``budget``: requests made per source and UTC day (registers with a daily quota).
- ``blobs``: downloaded files (the RDAP bootstrap file), with their fetch time and validators (ETag ...).
- ``warning``: the CERT Polska warning list, one row per domain, replaced whole on each download.

Anything wrong with the file (read-only directory, corrupt database, locked for too long) makes the store fall
back to an in-memory database for this process: a cache problem never fails a scan.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "registry.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (source TEXT NOT NULL, key TEXT NOT NULL, fetched_at REAL NOT NULL,
    expires_at REAL NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (source, key));
CREATE TABLE IF NOT EXISTS claims (source TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL,
    until REAL NOT NULL, PRIMARY KEY (source, key));
CREATE TABLE IF NOT EXISTS pacing (source TEXT PRIMARY KEY, next_at REAL NOT NULL DEFAULT 0,
    blocked_until REAL NOT NULL DEFAULT 0, blocked_reason TEXT);
CREATE TABLE IF NOT EXISTS budget (source TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (source, day));
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, fetched_at REAL NOT NULL, etag TEXT,
    last_modified TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS warning (list TEXT NOT NULL, domain TEXT NOT NULL, listed_on TEXT,
    PRIMARY KEY (list, domain));
"""
_OWNER = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def utc_iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, timezone.utc).isoformat(timespec="seconds")


def utc_day(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, timezone.utc).strftime("%Y-%m-%d")


class Store:
    """Thread-safe (one lock) access to the registry database. Every method swallows database errors."""

    def __init__(self, folder: Path | None):
        self.path: Path | None = None
        self._lock = threading.Lock()
        self._db = self._open(folder)

    # ------------------------------------------------------------------ opening

    def _open(self, folder: Path | None) -> sqlite3.Connection:
        if folder is not None:
            path = Path(folder) / FILE_NAME
            for attempt in (1, 2):
                try:
                    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    db = self._connect(str(path))
                    self.path = path
                    return db
                except sqlite3.DatabaseError as exc:
                    # a damaged file: start afresh once (it only holds answers that can be asked again)
                    log.warning("registry cache %s unusable (%s)", path, exc)
                    if attempt == 1 and path.exists() and "locked" not in str(exc):
                        with contextlib.suppress(OSError):
                            path.unlink()
                        continue
                    break
                except OSError as exc:
                    log.warning("registry cache folder %s unusable (%s); answers kept in memory", folder, exc)
                    break
        return self._connect(":memory:")

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=10.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 10000")
        if target != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        db.execute("SELECT count(*) FROM answers").fetchone()  # a corrupt file fails here
        return db

    @property
    def shared(self) -> bool:
        return self.path is not None

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    @contextlib.contextmanager
    def _tx(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield self._db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    # ------------------------------------------------------------------ answers

    def get(self, source: str, key: str, now: float | None = None) -> dict[str, Any] | None:
        now = time.time() if now is None else now
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT payload FROM answers WHERE source=? AND key=? AND expires_at>?", (source, key, now)
                ).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def put(self, source: str, key: str, payload: dict[str, Any], ttl: float) -> None:
        now = time.time()
        try:
            with self._tx():
                self._db.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?)",
                    (source, key, now, now + max(0.0, ttl), json.dumps(payload, ensure_ascii=False)),
                )
                self._db.execute("DELETE FROM claims WHERE source=? AND key=?", (source, key))
        except sqlite3.Error as exc:
            log.debug("registry cache write failed: %s", exc)

    # ------------------------------------------------------------------ claims (one request per key)

    def claim(self, source: str, key: str, lease: float, owner: str = _OWNER) -> bool:
        """True when ``owner`` (one verify call) may ask the register; False when another scan, in this process
        or another one, is asking right now."""
        now = time.time()
        try:
            with self._tx(immediate=True):
                row = self._db.execute(
                    "SELECT owner, until FROM claims WHERE source=? AND key=?", (source, key)
                ).fetchone()
                if row and row[0] != owner and row[1] > now:
                    return False
                self._db.execute("INSERT OR REPLACE INTO claims VALUES (?,?,?,?)", (source, key, owner, now + lease))
            return True
        except sqlite3.Error:
            return True

    def release(self, source: str, key: str, owner: str = _OWNER) -> None:
        try:
            with self._tx():
                self._db.execute("DELETE FROM claims WHERE source=? AND key=? AND owner=?", (source, key, owner))
        except sqlite3.Error:
            pass

    def claim_until(self, source: str, key: str) -> float:
        try:
            with self._lock:
                row = self._db.execute("SELECT until FROM claims WHERE source=? AND key=?", (source, key)).fetchone()
            return float(row[0]) if row else 0.0
        except sqlite3.Error:
            return 0.0

    # ------------------------------------------------------------------ pacing, blocks, budgets

    def reserve_slot(self, source: str, interval: float, latest: float | None = None) -> float | None:
        """The wall-clock time at which this process may send its next request to ``source`` (now or later);
        None when that would be after ``latest`` (nothing is reserved then)."""
        now = time.time()
        try:
            with self._tx(immediate=True):
                row = self._db.execute("SELECT next_at FROM pacing WHERE source=?", (source,)).fetchone()
                slot = max(now, float(row[0]) if row else 0.0)
                if latest is not None and slot > latest:
                    return None
                self._db.execute(
                    "INSERT INTO pacing (source, next_at) VALUES (?, ?) "
                    "ON CONFLICT(source) DO UPDATE SET next_at=excluded.next_at",
                    (source, slot + max(0.0, interval)),
                )
            return slot
        except sqlite3.Error:
            return now

    def block(self, source: str, until: float, reason: str) -> None:
        try:
            with self._tx():
                self._db.execute(
                    "INSERT INTO pacing (source, blocked_until, blocked_reason) VALUES (?, ?, ?) "
                    "ON CONFLICT(source) DO UPDATE SET blocked_until=max(blocked_until, excluded.blocked_until), "
                    "blocked_reason=excluded.blocked_reason",
                    (source, until, reason),
                )
        except sqlite3.Error:
            pass

    def blocked(self, source: str) -> tuple[float, str] | None:
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT blocked_until, blocked_reason FROM pacing WHERE source=?", (source,)
                ).fetchone()
        except sqlite3.Error:
            return None
        if row and row[0] > time.time():
            return float(row[0]), str(row[1] or "")
        return None

    def spend(self, source: str, limit: int | None) -> bool:
        """Count one request against today's budget; False (nothing counted) when it is used up."""
        if limit is None:
            return True
        day = utc_day()
        try:
            with self._tx(immediate=True):
                row = self._db.execute("SELECT used FROM budget WHERE source=? AND day=?", (source, day)).fetchone()
                used = int(row[0]) if row else 0
                if used >= limit:
                    return False
                self._db.execute("INSERT OR REPLACE INTO budget VALUES (?,?,?)", (source, day, used + 1))
                self._db.execute("DELETE FROM budget WHERE source=? AND day<>?", (source, day))
            return True
        except sqlite3.Error:
            return True

    def used_today(self, source: str) -> int:
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT used FROM budget WHERE source=? AND day=?", (source, utc_day())
                ).fetchone()
            return int(row[0]) if row else 0
        except sqlite3.Error:
            return 0

    # ------------------------------------------------------------------ blobs and the warning list

    def blob(self, name: str) -> tuple[float, str | None, str | None, bytes] | None:
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT fetched_at, etag, last_modified, data FROM blobs WHERE name=?", (name,)
                ).fetchone()
            return (float(row[0]), row[1], row[2], bytes(row[3] or b"")) if row else None
        except sqlite3.Error:
            return None

    def put_blob(self, name: str, data: bytes, etag: str | None = None, last_modified: str | None = None) -> None:
        try:
            with self._tx():
                self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?,?,?,?,?)",
                                 (name, time.time(), etag, last_modified, data))
        except sqlite3.Error:
            pass

    def touch_blob(self, name: str) -> None:
        """The file on the server has not changed (HTTP 304): the copy counts as fresh again."""
        try:
            with self._tx():
                self._db.execute("UPDATE blobs SET fetched_at=? WHERE name=?", (time.time(), name))
        except sqlite3.Error:
            pass

    def replace_list(self, name: str, rows: Iterable[tuple[str, str | None]], etag: str | None,
                     last_modified: str | None) -> int:
        """Replace the whole warning list ``name`` (and record when it was fetched) in one transaction."""
        n = 0
        try:
            with self._tx(immediate=True):
                self._db.execute("DELETE FROM warning WHERE list=?", (name,))
                counted = [0]

                def numbered() -> Iterator[tuple[str, str, str | None]]:
                    for domain, listed_on in rows:
                        counted[0] += 1
                        yield name, domain, listed_on

                self._db.executemany("INSERT OR REPLACE INTO warning VALUES (?,?,?)", numbered())
                n = counted[0]
                self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?,?,?,?,?)",
                                 (f"list:{name}", time.time(), etag, last_modified, str(n).encode()))
        except sqlite3.Error as exc:
            log.warning("warning list %s could not be stored: %s", name, exc)
            return -1
        return n

    def listed(self, name: str, domains: Iterable[str]) -> list[tuple[str, str | None]]:
        ds = list(dict.fromkeys(domains))
        if not ds:
            return []
        try:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT domain, listed_on FROM warning WHERE list=? AND domain IN ({','.join('?' * len(ds))})",
                    (name, *ds),
                ).fetchall()
            return [(str(r[0]), r[1]) for r in rows]
        except sqlite3.Error:
            return []


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def store_for(folder: Path | None) -> Store:
    """One Store per cache folder per process (a memory-only one when ``folder`` is None)."""
    key = str(Path(folder).resolve()) if folder is not None else ":memory:"
    with _STORES_LOCK:
        st = _STORES.get(key)
        if st is None:
            st = _STORES[key] = Store(folder)
        return st
