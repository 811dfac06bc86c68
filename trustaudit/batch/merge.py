"""``trustaudit merge OUT_DIR SHARD_DIR...``: combine the outputs of ``--shard K/N`` runs.

Each shard folder holds its database (``trustaudit.db``) and its ``reports/``. The newest batch run of
each shard database is copied into ``OUT_DIR/trustaudit.db`` as one merge run (rows streamed, never all
in memory), each shop's report files are copied next to it, and ``summary.csv`` and ``index.html`` are
built from the merged rows, exactly as a single unsharded run would have. A shop found in two shards
counts once (the newer scan wins). Merging again into the same folder replaces the previous merge.

Shard folders are input from elsewhere (another machine, another user): only regular files are read, only
``reports/<name>.json|.html`` as the batch writes them, never through a symbolic link and never from outside
the shard folder; report files are written into ``OUT_DIR/reports/`` by renaming a new file into place, so
nothing (least of all the merged database) is overwritten through a link. The merged database is written
through SQLite only.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from trustaudit.batch.index import write_outputs
from trustaudit.batch.shard import parse_shard
from trustaudit.batch.store import Run, Store, StoreError, record_newer
from trustaudit.files import write_atomic

DB_NAME = "trustaudit.db"
REPORTS_DIR = "reports"
MAX_REPORT_BYTES = 64_000_000  # a report file larger than this is not a report
_REPORT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}\.(json|html)$")


class MergeError(ValueError):
    pass


@dataclass
class MergeResult:
    run: Run
    shops: int = 0
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _regular(p: Path) -> bool:
    """A regular file, not a symbolic link to one."""
    try:
        return stat.S_ISREG(os.lstat(p).st_mode)
    except OSError:
        return False


def locate_db(source: str | Path) -> Path:
    p = Path(source)
    if p.is_dir():
        db = p / DB_NAME
        if not db.is_file():
            raise MergeError(f"{source}: no {DB_NAME} in this folder (is it the --out of a batch run?)")
        if not _regular(db):
            raise MergeError(f"{db}: the shard database is a link, not a file; merge reads only regular files")
        return db
    if p.is_file():
        if not _regular(p):
            raise MergeError(f"{source}: the shard database is a link, not a file; merge reads only regular files")
        return p
    raise MergeError(f"no such shard folder or database: {source}")


def _safe_rel(rel: str | None) -> str | None:
    """Only ``reports/<name>.json|.html``, as the batch writes them, is copied (the database is input too)."""
    if not rel:
        return None
    parts = rel.split("/")
    if len(parts) != 2 or parts[0] != REPORTS_DIR or not _REPORT_NAME.match(parts[1]):
        return None
    return rel


def _read_report(base: Path, rel: str) -> bytes | None:
    """The bytes of ``base/rel`` if it is a regular file really inside ``base/reports`` (no link on the way)."""
    folder = base / REPORTS_DIR
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):  # a link named "reports" leads elsewhere
            return None
        if folder.resolve().parent != base.resolve():
            return None
        fd = os.open(base / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_REPORT_BYTES:
            return None
        return fh.read(MAX_REPORT_BYTES + 1)[:MAX_REPORT_BYTES]


def _write_report(out: Path, rel: str, data: bytes) -> None:
    """Write ``out/rel`` by renaming a new file into place (a link there is replaced, never followed)."""
    folder = out / REPORTS_DIR
    if folder.is_symlink():
        raise MergeError(f"{folder} is a link; merge writes reports only into a real folder")
    write_atomic(out / rel, data)


def merge(out_dir: str | Path, sources: list[str | Path]) -> MergeResult:
    out = Path(out_dir)
    dbs = [locate_db(s) for s in sources]  # all validated before anything is written
    resolved = sorted({str(d.resolve()) for d in dbs})
    if (out / DB_NAME).is_symlink():
        raise MergeError(f"{out / DB_NAME} is a link; the merged database must be a regular file")
    out_db = (out / DB_NAME).resolve()
    if str(out_db) in resolved or any(str(out.resolve()) == str(d.parent.resolve()) for d in dbs):
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
                refused = 0
                for r in src.results(src_run.id):
                    files: dict[str, bytes] = {}
                    for rel in (_safe_rel(r.json_file), _safe_rel(r.html_file)):
                        data = _read_report(base, rel) if rel else None
                        if data is not None and rel:
                            files[rel] = data
                    refused += sum(1 for x in (r.json_file, r.html_file) if x) - len(files)
                    json_rel = _safe_rel(r.json_file) if _safe_rel(r.json_file) in files else None
                    html_rel = _safe_rel(r.html_file) if _safe_rel(r.html_file) in files else None
                    r = replace(r, json_file=json_rel, html_file=html_rel)
                    if record_newer(store, run.id, r):
                        for rel, data in files.items():
                            _write_report(out, rel, data)
                if refused:
                    warnings.append(
                        f"{db.parent}: {refused} report file(s) not copied (missing, not a regular file inside "
                        f"{REPORTS_DIR}/, or a link)"
                    )
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
