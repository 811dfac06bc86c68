"""`trustaudit batch / history / merge` end to end: real local shops (saved folders) and real loopback
HTTP servers, including dead, slow and hostile shops, a batch killed with SIGKILL and resumed, and a
sharded run merged back."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import TestServer, drip, free_port, html, send
from typer.testing import CliRunner

from trustaudit.cli import app

REPO = Path(__file__).resolve().parents[1]

GOOD_FOOTER = """<footer>
<p>Zielony Koszyk Sp. z o.o., ul. Długa 5, 00-950 Warszawa, NIP: 525-224-84-81</p>
<p>Tel. <a href="tel:+48221234567">+48 22 123 45 67</a>, e-mail: <a href="mailto:sklep@zielony.example">sklep@zielony.example</a></p>
<a href="kontakt.html">Kontakt</a> <a href="regulamin.html">Regulamin</a>
<a href="polityka-prywatnosci.html">Polityka prywatności</a> <a href="zwroty.html">Zwroty</a>
</footer>"""


def _page(title: str, body: str, footer: str = "") -> str:
    return (
        f'<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}{footer}</body></html>"
    )


def make_shop(folder: Path, quality: int, title: str = "Sklep") -> Path:
    """A saved shop folder. quality 0: a bare page; 1: contact data; 2: contact data and legal pages."""
    folder.mkdir(parents=True, exist_ok=True)
    footer = GOOD_FOOTER if quality >= 1 else ""
    (folder / "index.html").write_text(_page(title, "<p>Herbaty i zioła.</p>", footer), encoding="utf-8")
    if quality >= 2:
        for name, text in (
            ("kontakt", "Kontakt: sklep@zielony.example"),
            ("regulamin", "Konsument może odstąpić od umowy w terminie 14 dni."),
            ("polityka-prywatnosci", "Administratorem danych jest Zielony Koszyk."),
            ("zwroty", "Masz 14 dni na zwrot towaru."),
        ):
            (folder / f"{name}.html").write_text(_page(name, f"<p>{text}</p>", footer), encoding="utf-8")
    return folder


def invoke(*args: str, code: int | None = 0):
    result = CliRunner().invoke(app, list(args))
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    return result


def unstamped(name: str) -> str:
    """A report file name without the time of its scan (every scan has its own files)."""
    import re

    return re.sub(r"-\d{8}T\d{6}Z(-\d+)?(?=\.(json|html)$)", "", name)


def summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def db_rows(db: Path) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT url_key, scanned_at, score, error FROM results ORDER BY position").fetchall()
    finally:
        con.close()


@pytest.fixture
def local_shops(tmp_path: Path) -> list[Path]:
    return [make_shop(tmp_path / "shops" / f"shop{i}", i % 3, f"Sklep {i}") for i in range(8)]


# --------------------------------------------------------------------------- a mixed batch


def test_batch_of_local_and_network_shops(tmp_path: Path, local_shops: list[Path]):
    dead = f"http://127.0.0.1:{free_port()}/"
    with (
        TestServer({"/": html(_page("Sklep sieciowy", "<p>Herbata</p>", GOOD_FOOTER))}) as live,
        TestServer({"/*": drip(total=200, interval=0.5)}) as slow,
        TestServer({"/": html(_page('<script>alert("title")</script>', "<p>x</p>"))}) as hostile,
    ):
        rows = [
            ("url", "name", "country", "tags"),
            (str(local_shops[0]), "<script>alert('name')</script>", "PL", "=1+1"),
            *((str(p), f"Local {i}", "", "") for i, p in enumerate(local_shops[1:4], 1)),
            (live.url + "/", "Live", "pl", "network"),
            (dead, "Dead", "", ""),
            (slow.url + "/", "Slow", "", ""),
            (hostile.url + "/?q=\"><script>", "@Hostile", "", ""),
            ("ftp://nope.example/", "Bad scheme", "", ""),
            (str(local_shops[1]), "Listed twice", "", ""),
        ]
        shops_csv = tmp_path / "shops.csv"
        with shops_csv.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        out = tmp_path / "out"
        t0 = time.monotonic()
        res = invoke("batch", str(shops_csv), "--out", str(out), "--allow-local", "--timeout", "2", "--total-timeout", "4",
                     "--max-pages", "5", "--concurrency", "4")
        assert time.monotonic() - t0 < 20

    assert "Traceback" not in res.output
    got = summary(out)
    # one row per distinct input shop, in input order (the duplicate row is the same shop)
    assert [r["url"] for r in got] == [r[0] for r in rows[1:-1]]
    by_name = {r["name"]: r for r in got}
    for name in ("Local 1", "Local 2", "Local 3", "Live"):
        assert by_name[name]["score"].isdigit() and by_name[name]["grade"] and not by_name[name]["error"], by_name[name]
    assert by_name["Dead"]["score"] == "" and "refused" in by_name["Dead"]["error"]
    assert by_name["Slow"]["score"] == "" and by_name["Slow"]["error"]
    assert by_name["Bad scheme"]["error"].startswith("not a shop URL")
    assert by_name["'@Hostile"]["url"].startswith("http://127.0.0.1")  # formula guard on the name cell
    assert by_name["<script>alert('name')</script>"]["tags"] == "'=1+1"
    # reports: one JSON and one HTML per scanned shop, valid JSON, links from the index
    index = (out / "index.html").read_text(encoding="utf-8")
    for r in got:
        if r["report_json"]:
            doc = json.loads((out / r["report_json"]).read_text(encoding="utf-8"))
            assert doc["score"] == (int(r["score"]) if r["score"] else None)
            assert r["report_json"] in index
        if r["report_html"]:
            assert (out / r["report_html"]).is_file() and r["report_html"] in index
    assert index.count("<tr data-pos=") == len(got)
    assert "<script>alert" not in index and "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in index
    assert "&#34;&gt;&lt;script&gt;" in index  # the hostile URL, escaped
    assert "could not be scanned" in index


def test_a_list_naming_local_files_reads_none_of_them(tmp_path: Path, local_shops: list[Path]):
    """Someone else's list says /etc/passwd, notes.txt and a saved shop: without --allow-local every row is
    refused with its reason and nothing local is read; with it, only the saved shop (a folder) is scanned."""
    (tmp_path / "notes.txt").write_text("Kontakt: boss@secret.example", encoding="utf-8")
    txt = tmp_path / "shops.txt"
    txt.write_text(f"/etc/passwd\nnotes.txt\n{local_shops[0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    invoke("batch", str(txt), "--out", str(out), "--quiet")
    rows = summary(out)
    assert [r["score"] for r in rows] == ["", "", ""] and not list((out / "reports").glob("*.json"))
    assert all("is a local path: lists hold shop URLs" in r["error"] for r in rows)
    out2 = tmp_path / "out2"
    invoke("batch", str(txt), "--out", str(out2), "--quiet", "--allow-local")
    rows = summary(out2)
    assert [bool(r["score"]) for r in rows] == [False, False, True]
    assert "only folders and .html/.htm files" in rows[0]["error"] and "only folders" in rows[1]["error"]
    assert "boss@secret.example" not in "".join(p.read_text("utf-8") for p in (out2 / "reports").glob("*.json"))


def test_usage_errors_exit_2(tmp_path: Path, local_shops: list[Path]):
    txt = tmp_path / "shops.txt"
    txt.write_text(f"{local_shops[0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert "--shard" in invoke("batch", str(txt), "--out", str(out), "--shard", "0/2", code=2).output
    assert "no such input file" in invoke("batch", str(tmp_path / "missing.csv"), "--out", str(out), code=2).output
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nA\n", encoding="utf-8")
    assert "url" in invoke("batch", str(bad), "--out", str(out), code=2).output
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    invoke("batch", str(empty), "--out", str(out), code=2)
    assert not (out / "index.html").exists()


def test_fail_under_and_resume_of_a_finished_run(tmp_path: Path, local_shops: list[Path]):
    txt = tmp_path / "shops.txt"
    txt.write_text("\n".join(str(p) for p in local_shops[:3]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = invoke("batch", str(txt), "--out", str(out), "--allow-local", "--fail-under", "100", code=1)
    assert "below --fail-under 100" in res.output
    first = db_rows(out / "trustaudit.db")
    # the same command again: nothing is redone, exit code still reflects the results
    invoke("batch", str(txt), "--out", str(out), "--allow-local", "--fail-under", "100", "--quiet", code=1)
    assert db_rows(out / "trustaudit.db") == first
    invoke("batch", str(txt), "--out", str(out), "--allow-local", "--fail-under", "0", "--quiet", code=0)


# --------------------------------------------------------------------------- kill -9 and resume


def _slow_shop(delay: float):
    body = _page("Powolny sklep", "<p>Herbata</p>", GOOD_FOOTER).encode()

    def route(h) -> None:
        if h.server.stopping.wait(delay):
            return
        if h.path == "/":
            send(h, 200, {"Content-Type": "text/html; charset=utf-8"}, body)
        else:
            send(h, 404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")

    return {"/*": route}


def test_killed_batch_resumes_without_redoing_or_losing_shops(tmp_path: Path):
    servers = [TestServer(_slow_shop(0.25)).start() for _ in range(8)]
    try:
        urls = [s.url + "/" for s in servers]
        txt = tmp_path / "shops.txt"
        txt.write_text("\n".join(urls) + "\n", encoding="utf-8")
        out = tmp_path / "out"
        db = out / "trustaudit.db"
        cmd = [sys.executable, "-m", "trustaudit", "batch", str(txt), "--out", str(out), "--concurrency", "2",
               "--max-pages", "3", "--timeout", "3", "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        done: list[tuple] = []
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    done = db_rows(db)
                except sqlite3.OperationalError:
                    done = []
                if len(done) >= 3:
                    break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        workers = _descendants(proc.pid)
        assert len(workers) >= 2, "the scans do not run in worker processes"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stderr.close()
        _assert_gone(workers)  # no worker outlives a batch killed with SIGKILL
        before = db_rows(db)  # what was committed when the process died
        assert 3 <= len(before) < len(urls), "kill did not land midway"
        requests_at_kill = {s.url + "/": len(s.requests) for s in servers}

        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        after = db_rows(db)
    finally:
        for s in servers:
            s.stop()

    keys = [r[0] for r in after]
    assert sorted(keys) == sorted(urls) and len(set(keys)) == len(keys)  # every shop exactly once
    finished = {r[0]: r for r in before}
    for url_key, scanned_at, score, error in after:
        if url_key in finished:
            assert (url_key, scanned_at, score, error) == finished[url_key]  # not redone
    for s in servers:
        if s.url + "/" in finished:
            assert len(s.requests) == requests_at_kill[s.url + "/"], "a finished shop was crawled again"
    assert all(score is not None for _, _, score, _ in after)
    assert len(summary(out)) == len(urls)


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an orphan's zombie may never be reaped here)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _descendants(root: int) -> set[int]:
    """Running descendants of ``root`` (from /proc), waiting up to 10 s for at least one."""
    deadline = time.monotonic() + 10
    while True:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", encoding="utf-8") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                children.setdefault(ppid, []).append(int(d))
        found, todo = set(), [root]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in found:
                    found.add(c)
                    todo.append(c)
        found = {p for p in found if _running(p)}
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _assert_gone(pids: set[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if _running(p)], "worker processes outlived the batch"


def test_ctrl_c_stops_workers_and_writes_partial_outputs(tmp_path: Path):
    servers = [TestServer(_slow_shop(0.4)).start() for _ in range(6)]
    try:
        txt = tmp_path / "shops.txt"
        txt.write_text("".join(s.url + "/\n" for s in servers), encoding="utf-8")
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "trustaudit", "batch", str(txt), "--out", str(out), "--concurrency", "2",
               "--processes", "2", "--max-pages", "3", "--timeout", "3", "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        db = out / "trustaudit.db"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if db.exists() and db_rows(db):
                    break
            except sqlite3.OperationalError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        workers = _descendants(proc.pid)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=15)[1].decode()
        assert time.monotonic() - t0 < 5, "Ctrl-C did not exit promptly"
    finally:
        for s in servers:
            s.stop()
    assert proc.returncode == 130 and "interrupted after" in err and "Traceback" not in err, err
    _assert_gone(workers)
    done = db_rows(db)
    assert 1 <= len(done) < len(servers) and len(summary(out)) == len(done)
    assert (out / "index.html").is_file()


def test_processes_give_the_same_results_as_one_process(tmp_path: Path, local_shops: list[Path]):
    txt = tmp_path / "shops.txt"
    txt.write_text("".join(f"{p}\n" for p in local_shops) + f"http://127.0.0.1:{free_port()}/\n", encoding="utf-8")
    got = {}
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        invoke("batch", str(txt), "--out", str(out), "--allow-local", "--quiet", "--timeout", "5", "--concurrency", "4",
               "--processes", str(n))
        got[n] = [{k: unstamped(v) for k, v in r.items() if k != "scanned_at"} for r in summary(out)]
    assert len(got[1]) == len(local_shops) + 1 and got[2] == got[1]
    assert sum(1 for r in got[2] if r["score"]) == len(local_shops)


# --------------------------------------------------------------------------- shards + merge


def test_merged_shards_equal_the_unsharded_run(tmp_path: Path, local_shops: list[Path]):
    shops_csv = tmp_path / "shops.csv"
    with shops_csv.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["url", "name"])
        for i, p in enumerate(local_shops):
            w.writerow([str(p), f"Shop {i}"])
        w.writerow([f"http://127.0.0.1:{free_port()}/", "Dead"])
    whole = tmp_path / "whole"
    invoke("batch", str(shops_csv), "--out", str(whole), "--allow-local", "--quiet", "--timeout", "5")
    parts = []
    for k in (1, 2):
        part = tmp_path / f"part{k}"
        invoke("batch", str(shops_csv), "--out", str(part), "--allow-local", "--shard", f"{k}/2", "--quiet", "--timeout", "5")
        parts.append(part)
    sizes = [len(summary(p)) for p in parts]
    assert sum(sizes) == len(local_shops) + 1 and all(sizes)  # a real split, nothing lost

    merged = tmp_path / "merged"
    invoke("merge", str(merged), *map(str, parts), "--quiet")

    def key(rows):
        return [(r["url"], r["name"], r["score"], r["grade"], r["error"], unstamped(r["report_json"])) for r in rows]

    assert key(summary(merged)) == key(summary(whole))
    index = (merged / "index.html").read_text(encoding="utf-8")
    for r in summary(merged):
        if r["report_html"]:
            assert (merged / r["report_html"]).is_file() and r["report_html"] in index
    # merging again is idempotent; a missing shard is reported
    res = invoke("merge", str(merged), str(parts[0]))
    assert "missing shards: 2/2" in res.output and len(summary(merged)) == sizes[0]
    assert invoke("merge", str(merged), str(tmp_path / "nope"), code=2).exit_code == 2


# --------------------------------------------------------------------------- history


def test_history_shows_scans_and_changed_checks(tmp_path: Path):
    shop = make_shop(tmp_path / "evolving", 0, "Sklep")
    txt = tmp_path / "shops.txt"
    txt.write_text("evolving\n", encoding="utf-8")
    out = tmp_path / "out"
    invoke("batch", str(txt), "--out", str(out), "--allow-local", "--quiet")
    make_shop(shop, 2, "Sklep")  # the merchant added contact data and legal pages
    time.sleep(1.05)  # scanned_at has one-second resolution
    invoke("batch", str(txt), "--out", str(out), "--allow-local", "--quiet", "--fresh")

    res = invoke("history", str(shop), "--db", str(out), "--format", "json")
    doc = json.loads(res.output)
    assert len(doc["scans"]) == 2
    first, second = doc["scans"]
    assert second["score"] > first["score"] and second["score_delta"] == second["score"] - first["score"]
    better = [c for c in second["changes"] if c["kind"] == "better"]
    assert better and all(c["from"] != c["to"] for c in second["changes"])
    text = invoke("history", str(shop), "--db", str(out / "trustaudit.db")).output
    assert "2 scan(s)" in text and "check(s) changed" in text
    assert "no scans" in invoke("history", "https://unknown.example/", "--db", str(out), code=2).output
