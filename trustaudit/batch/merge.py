"""``trustaudit merge OUT_DIR SHARD_DIR...``: combine the outputs of ``--shard K/N`` runs.

Each shard folder holds its database (``trustaudit.db``) and its ``reports/``. The newest batch run of
each shard database is copied into ``OUT_DIR/trustaudit.db`` as one merge run (rows streamed, never all
in memory), each shop's report files are copied next to it, and ``summary.csv`` and ``index.html`` are
built from the merged rows, exactly as a single unsharded run would have. A shop found in two shards
counts once (the newer scan wins). Merging again into the same folder replaces the previous merge.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from trustaudit.batch.index import write_outputs
from trustaudit.batch.shard import parse_shard
from trustaudit.batch.store import Run, Store, StoreError, record_newer

DB_NAME = "trustaudit.db"


class MergeError(ValueError):
    pass


@dataclass
class MergeResult:
    run: Run
    shops: int = 0
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def locate_db(source: str | Path) -> Path:
    p = Path(source)
    if p.is_dir():
        db = p / DB_NAME
        if not db.is_file():
            raise MergeError(f"{source}: no {DB_NAME} in this folder (is it the --out of a batch run?)")
        return db
    if p.is_file():
        return p
    raise MergeError(f"no such shard folder or database: {source}")


def _safe_rel(rel: str | None) -> str | None:
    """Only plain relative paths inside the shard folder are copied (the database is input too)."""
    if not rel:
        return None
    parts = Path(rel).parts
    if Path(rel).is_absolute() or not parts or any(p in ("..", "") for p in parts):
        return None
    return rel


def merge(out_dir: str | Path, sources: list[str | Path]) -> MergeResult:
    out = Path(out_dir)
    dbs = [locate_db(s) for s in sources]  # all validated before anything is written
    resolved = sorted({str(d.resolve()) for d in dbs})
    out_db = (out / DB_NAME).resolve()
    if str(out_db) in resolved:
        raise MergeError(f"{out_dir}: the output folder cannot also be a shard folder")
    out.mkdir(parents=True, exist_ok=True)
    key = "merge:" + hashlib.sha256("\n".join(resolved).encode()).hexdigest()[:32]
    warnings: list[str] = []
    shards: set[tuple[int, int]] = set()
    with Store(out_db) as store:
        existing = store.latest_run(key)
        if existing is not None:
            store.clear_run(existing.id)
            run = existing
        else:
            run = store.new_run(key, kind="merge", out_dir=str(out.resolve()), options={"sources": resolved})
        for db in dbs:
            try:
                src = Store(db, readonly=True)
            except StoreError as exc:
                raise MergeError(str(exc)) from None
            with src:
                row = (
                    src.db.execute(
                        "SELECT * FROM runs WHERE kind = 'batch' ORDER BY id DESC LIMIT 1"
                    ).fetchone()
                    or src.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
                )
                if row is None:
                    warnings.append(f"{db}: no run in this database")
                    continue
                src_run = Run(**dict(row))
                if src_run.finished_at is None:
                    warnings.append(
                        f"{db.parent}: run #{src_run.id} did not finish (resume it before merging)"
                    )
                if src_run.shard:
                    try:
                        s = parse_shard(src_run.shard)
                        shards.add((s.k, s.n))
                    except ValueError:
                        pass
                base = db.parent
                for r in src.results(src_run.id):
                    json_rel, html_rel = _safe_rel(r.json_file), _safe_rel(r.html_file)
                    r = replace(r, json_file=json_rel, html_file=html_rel)
                    if record_newer(store, run.id, r):
                        for rel in (json_rel, html_rel):
                            if rel and (base / rel).is_file():
                                dest = out / rel
                                dest.parent.mkdir(parents=True, exist_ok=True)
                                shutil.copyfile(base / rel, dest)
        ns = {n for _, n in shards}
        if len(ns) > 1:
            warnings.append(f"shards of different splits: {', '.join(sorted(f'{k}/{n}' for k, n in shards))}")
        elif len(ns) == 1:
            n = ns.pop()
            missing = sorted(set(range(1, n + 1)) - {k for k, _ in shards})
            if missing:
                warnings.append("missing shards: " + ", ".join(f"{k}/{n}" for k in missing))
        store.finish_run(run.id)
        run = store.run(run.id) or run
        n_shops = write_outputs(store, run, out, title="trustaudit batch (merged)")
    return MergeResult(run=run, shops=n_shops, sources=[str(d) for d in dbs], warnings=warnings)
