"""The batch database: SQLite in WAL mode, written by one thread, one commit per finished shop.

Tables
    runs     one row per batch run (or merge). ``run_key`` is a hash of the input file, the scan options,
             the shard and the output folder: the same command finds its run again and resumes it;
             ``--fresh`` adds a new run with the same key (the newest one is the one resumed).
    results  one row per shop and run, primary key (run_id, url_key): a shop is finished exactly when its
             row exists, so it can be neither lost nor counted twice. ``checks`` holds {check id: status}
             for `history`.

Crash safety: every shop is committed on its own (``synchronous=FULL``: a commit survives power loss);
its report files are written (atomically) *before* the commit, so a committed shop always has its files.
A shop whose scan was under way when the process died has no row and is simply scanned again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = 1

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_key TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'batch',
    created_at TEXT NOT NULL,
    finished_at TEXT,
    input TEXT,
    out_dir TEXT,
    shard TEXT,
    options TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key, id);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    url_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    country TEXT,
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    score INTEGER,
    grade TEXT,
    error TEXT NOT NULL DEFAULT '',
    json_file TEXT,
    html_file TEXT,
    final_url TEXT,
    scanned_at TEXT NOT NULL,
    duration_s REAL,
    checks TEXT,
    PRIMARY KEY (run_id, url_key)
);
CREATE INDEX IF NOT EXISTS results_by_url ON results (url_key, scanned_at);
"""

OK, INCONCLUSIVE, FAILED = "ok", "inconclusive", "failed"


def parse_time(value: str | None) -> datetime | None:
    """A stored ``scanned_at`` (ISO 8601, ``Z`` or an offset; naive means UTC) as an aware datetime."""
    try:
        when = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ShopResult:
    url_key: str
    position: int
    url: str
    status: str  # ok | inconclusive | failed
    scanned_at: str
    name: str = ""
    country: str | None = None
    tags: str = ""
    score: int | None = None
    grade: str | None = None
    error: str = ""
    json_file: str | None = None
    html_file: str | None = None
    final_url: str | None = None
    duration_s: float | None = None
    checks: str | None = None  # JSON {check id: status}

    def check_statuses(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.checks)) if self.checks else {}
        except (ValueError, TypeError):
            return {}


_COLS = tuple(f.name for f in fields(ShopResult))


@dataclass(frozen=True)
class Run:
    id: int
    run_key: str
    kind: str
    created_at: str
    finished_at: str | None
    input: str | None
    out_dir: str | None
    shard: str | None
    options: str | None


class StoreError(Exception):
    pass


class Store:
    """One connection, used from one thread (the batch's main thread)."""

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        try:
            if readonly:
                if not self.path.is_file():
                    raise StoreError(f"no such database: {self.path}")
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(str(self.path), timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.row_factory = sqlite3.Row
            if not readonly:
                with self.db:
                    self.db.executescript(_DDL)
                    self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            else:
                self.db.execute("SELECT 1 FROM results LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a trustaudit batch database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ runs

    def latest_run(self, run_key: str | None = None) -> Run | None:
        if run_key is None:
            row = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = self.db.execute(
                "SELECT * FROM runs WHERE run_key = ? ORDER BY id DESC LIMIT 1", (run_key,)
            ).fetchone()
        return Run(**dict(row)) if row else None

    def run(self, run_id: int) -> Run | None:
        row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return Run(**dict(row)) if row else None

    def new_run(
        self,
        run_key: str,
        *,
        kind: str = "batch",
        input: str | None = None,
        out_dir: str | None = None,
        shard: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> Run:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (run_key, kind, created_at, input, out_dir, shard, options) VALUES (?,?,?,?,?,?,?)",
                (run_key, kind, now_iso(), input, out_dir, shard, json.dumps(options or {}, sort_keys=True)),
            )
        run = self.run(int(cur.lastrowid))
        assert run is not None
        return run

    def finish_run(self, run_id: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (now_iso(), run_id))

    def clear_run(self, run_id: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM results WHERE run_id = ?", (run_id,))
            self.db.execute(
                "UPDATE runs SET finished_at = NULL, created_at = ? WHERE id = ?", (now_iso(), run_id)
            )

    # ------------------------------------------------------------------ results

    def is_done(self, run_id: int, url_key: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM results WHERE run_id = ? AND url_key = ?", (run_id, url_key)
            ).fetchone()
            is not None
        )

    def record(self, run_id: int, result: ShopResult) -> bool:
        """Commit one finished shop. False when it was already there (it is never counted twice)."""
        values = asdict(result)
        cols = ", ".join(("run_id",) + _COLS)
        marks = ", ".join("?" * (len(_COLS) + 1))
        with self.db:
            cur = self.db.execute(
                f"INSERT OR IGNORE INTO results ({cols}) VALUES ({marks})",
                (run_id, *(values[c] for c in _COLS)),
            )
        return cur.rowcount == 1

    def results(self, run_id: int, order: str = "position") -> Iterator[ShopResult]:
        """Stream the rows of a run (a cursor: never all in memory)."""
        order_by = {
            "position": "position, url_key",
            "score": "score IS NULL, score DESC, position",
        }[order]
        cur = self.db.execute(
            f"SELECT {', '.join(_COLS)} FROM results WHERE run_id = ? ORDER BY {order_by}", (run_id,)
        )
        for row in cur:
            yield ShopResult(**dict(row))

    def count(self, run_id: int) -> dict[str, int]:
        out = {OK: 0, INCONCLUSIVE: 0, FAILED: 0}
        for row in self.db.execute(
            "SELECT status, COUNT(*) AS n FROM results WHERE run_id = ? GROUP BY status", (run_id,)
        ):
            out[row["status"]] = row["n"]
        return out

    def grade_counts(self, run_id: int) -> dict[str, int]:
        return {
            row["grade"]: row["n"]
            for row in self.db.execute(
                "SELECT grade, COUNT(*) AS n FROM results WHERE run_id = ? AND grade IS NOT NULL GROUP BY grade",
                (run_id,),
            )
        }

    def score_histogram(self, run_id: int, bins: int = 10) -> list[int]:
        """Counts of scores in ``bins`` equal bins over 0-100 (100 falls in the last one)."""
        counts = [0] * bins
        for row in self.db.execute(
            "SELECT score, COUNT(*) AS n FROM results WHERE run_id = ? AND score IS NOT NULL GROUP BY score",
            (run_id,),
        ):
            s = max(0, min(100, int(row["score"])))
            counts[min(bins - 1, s * bins // 100)] += row["n"]
        return counts

    def extremes(self, run_id: int, n: int = 5) -> tuple[list[ShopResult], list[ShopResult]]:
        """(best n, worst n) scored shops."""
        sel = f"SELECT {', '.join(_COLS)} FROM results WHERE run_id = ? AND score IS NOT NULL"
        best = [
            ShopResult(**dict(r))
            for r in self.db.execute(sel + " ORDER BY score DESC, position LIMIT ?", (run_id, n))
        ]
        worst = [
            ShopResult(**dict(r))
            for r in self.db.execute(sel + " ORDER BY score ASC, position LIMIT ?", (run_id, n))
        ]
        return best, worst

    def failures(self, run_id: int, limit: int = 20) -> list[ShopResult]:
        sel = f"SELECT {', '.join(_COLS)} FROM results WHERE run_id = ? AND status != 'ok'"
        return [
            ShopResult(**dict(r))
            for r in self.db.execute(sel + " ORDER BY position LIMIT ?", (run_id, limit))
        ]

    def below(self, run_id: int, threshold: float) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM results WHERE run_id = ? AND score IS NOT NULL AND score < ?",
            (run_id, threshold),
        ).fetchone()
        return int(row[0])

    def stale(self, run_id: int, cutoff: datetime) -> int:
        """Rows of a run scanned before ``cutoff`` (or at a time that cannot be read)."""
        n = 0
        for row in self.db.execute("SELECT scanned_at FROM results WHERE run_id = ?", (run_id,)):
            when = parse_time(row[0])
            n += when is None or when < cutoff
        return n

    def copy_recent(self, from_run: int, to_run: int, cutoff: datetime) -> int:
        """Copy the rows of ``from_run`` scanned at or after ``cutoff`` into ``to_run`` (their report files are
        shared: every scan has its own). Returns how many."""
        n = 0
        for r in list(self.results(from_run)):
            when = parse_time(r.scanned_at)
            if when is not None and when >= cutoff and self.record(to_run, r):
                n += 1
        return n

    def below_list(self, run_id: int, threshold: float, limit: int = 20) -> list[ShopResult]:
        """The scored shops below ``threshold``, lowest first."""
        sel = f"SELECT {', '.join(_COLS)} FROM results WHERE run_id = ? AND score IS NOT NULL AND score < ?"
        return [
            ShopResult(**dict(r))
            for r in self.db.execute(sel + " ORDER BY score, position LIMIT ?", (run_id, threshold, limit))
        ]

    def history(self, url_key: str) -> list[ShopResult]:
        """Every scan of one shop over all runs, oldest first (a shop copied by `merge` counted once)."""
        cur = self.db.execute(
            f"SELECT {', '.join(_COLS)} FROM results WHERE url_key = ? ORDER BY scanned_at, run_id",
            (url_key,),
        )
        seen: set[tuple] = set()
        out: list[ShopResult] = []
        for row in cur:
            r = ShopResult(**dict(row))
            ident = (r.scanned_at, r.score, r.error, r.checks, r.json_file)  # a copied row shares its file
            if ident not in seen:
                seen.add(ident)
                out.append(r)
        return out

    def known_keys_like(self, text: str, limit: int = 5) -> list[str]:
        cur = self.db.execute(
            "SELECT DISTINCT url_key FROM results WHERE url_key LIKE ? ESCAPE '\\' LIMIT ?",
            ("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit),
        )
        return [r[0] for r in cur]


def record_newer(store: Store, run_id: int, result: ShopResult) -> bool:
    """Insert, or replace a row of the same shop scanned earlier (merge of overlapping shards).
    True when the row was written."""
    values = asdict(result)
    cols = ", ".join(("run_id",) + _COLS)
    marks = ", ".join("?" * (len(_COLS) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLS if c != "url_key")
    with store.db:
        cur = store.db.execute(
            f"INSERT INTO results ({cols}) VALUES ({marks}) ON CONFLICT (run_id, url_key) DO UPDATE SET {updates} "
            "WHERE excluded.scanned_at > results.scanned_at",
            (run_id, *(values[c] for c in _COLS)),
        )
    return cur.rowcount == 1
