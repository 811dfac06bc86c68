"""`merge` reads only regular files inside the shard folders and writes the merged database through SQLite.

Shard folders come from elsewhere (another machine, another user): a report entry that is a link to
/etc/passwd, a path out of the folder, or the shard's own database must never end up in the merged output,
and nothing may be written over the open merged database.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from trustaudit.batch.merge import MergeError, merge
from trustaudit.batch.store import OK, ShopResult, Store

SECRET = "root:x:0:0:secret-of-the-merging-machine"


def _shard(folder: Path, entries: list[tuple[str, str | None]]) -> Path:
    """A finished batch run with one shop per (json_file, html_file) entry."""
    folder.mkdir(parents=True, exist_ok=True)
    with Store(folder / "trustaudit.db") as st:
        run = st.new_run(f"run-{folder.name}", shard=None)
        for i, (js, ht) in enumerate(entries, 1):
            st.record(run.id, ShopResult(
                url_key=f"https://shop{i}.{folder.name}.example/", position=i, url=f"https://shop{i}.example/",
                status=OK, scanned_at=f"2026-01-0{i}T00:00:00Z", score=80, grade="B", json_file=js, html_file=ht,
            ))
        st.finish_run(run.id)
    return folder


def _report(folder: Path, name: str, text: str = '{"score": 80}') -> None:
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    (folder / "reports" / name).write_text(text, encoding="utf-8")


def _everything_written(out: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file() and p.suffix != ".db")


def test_links_escapes_and_the_database_itself_are_never_copied(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    a = tmp_path / "a"
    _report(a, "good.json")
    _report(a, "good.html", "<html>ok</html>")
    (a / "reports" / "link.json").symlink_to(secret)
    (a / "reports" / "etc.json").symlink_to("/etc/passwd")
    (a / "escape.json").write_text(SECRET, encoding="utf-8")
    _shard(a, [
        ("reports/good.json", "reports/good.html"),
        ("reports/link.json", None),
        ("reports/etc.json", None),
        ("reports/../escape.json", None),
        ("trustaudit.db", None),  # the shard's database "copied" over the merged one
        ("/etc/passwd", None),
        (str(secret), None),
    ])
    out = tmp_path / "merged"
    res = merge(out, [a])
    assert res.shops == 7  # every shop is merged; only its files are refused
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["good.html", "good.json"]
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert SECRET not in _everything_written(out) and "root:x:0:0" not in _everything_written(out)
    assert any("report file(s) not copied" in w for w in res.warnings)
    con = sqlite3.connect(out / "trustaudit.db")  # a sound SQLite database written by SQLite, not a copy
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        files = con.execute("SELECT json_file FROM results WHERE json_file IS NOT NULL").fetchall()
        assert files == [("reports/good.json",)]
        assert con.execute("SELECT count(*) FROM runs WHERE kind = 'merge'").fetchone()[0] == 1
    finally:
        con.close()
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert "shop1.example" in summary and "escape.json" not in summary


def test_a_reports_folder_that_is_a_link_is_not_followed(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.json").write_text(json.dumps({"secret": SECRET}), encoding="utf-8")
    b = tmp_path / "b"
    b.mkdir()
    (b / "reports").symlink_to(elsewhere, target_is_directory=True)
    _shard(b, [("reports/x.json", None)])
    out = tmp_path / "merged"
    merge(out, [b])
    assert not (out / "reports" / "x.json").exists() and SECRET not in _everything_written(out)


def test_a_link_in_the_output_folder_is_replaced_not_written_through(tmp_path: Path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    a = tmp_path / "a"
    _report(a, "good.json", '{"new": true}')
    _shard(a, [("reports/good.json", None)])
    out = tmp_path / "merged"
    (out / "reports").mkdir(parents=True)
    (out / "reports" / "good.json").symlink_to(victim)
    merge(out, [a])
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not (out / "reports" / "good.json").is_symlink()
    assert json.loads((out / "reports" / "good.json").read_text(encoding="utf-8")) == {"new": True}


def test_linked_databases_are_refused(tmp_path: Path):
    a = _shard(tmp_path / "a", [])
    c = tmp_path / "c"
    c.mkdir()
    (c / "trustaudit.db").symlink_to(a / "trustaudit.db")
    with pytest.raises(MergeError, match="link"):
        merge(tmp_path / "merged", [c])
    out = tmp_path / "out"
    out.mkdir()
    (out / "trustaudit.db").symlink_to(a / "trustaudit.db")
    with pytest.raises(MergeError, match="link"):
        merge(out, [a])
    with pytest.raises(MergeError, match="cannot also be a shard folder"):
        merge(a, [a])
