"""Batch building blocks: input parsing and URL identity, shards, file names, the store, the runner's
failure handling (a scan that raises or never returns), summary.csv and index.html safety."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from trustaudit.batch.index import CSP, SCRIPT, csv_cell, write_outputs
from trustaudit.batch.inputs import InputError, file_stem, normalise_url, read_shops, shop_from_raw
from trustaudit.batch.runner import BatchConfig, BatchRunner
from trustaudit.batch.shard import parse_shard, shard_of
from trustaudit.batch.store import FAILED, OK, ShopResult, Store
from trustaudit.crawl import TargetError
from trustaudit.options import ScanOptions

# --------------------------------------------------------------------------- inputs


def test_normalise_url_identity():
    assert normalise_url("HTTPS://Shop.Example:443/a/?b=1#frag") == "https://shop.example/a?b=1"
    assert normalise_url("http://shop.example") == "http://shop.example/"
    assert normalise_url("http://user:pw@shop.example:8080/") == "http://shop.example:8080/"
    assert normalise_url("https://bücher.example/") == "https://xn--bcher-kva.example/"
    with pytest.raises(ValueError):
        normalise_url("ftp://shop.example/")


def test_shop_from_raw_kinds(tmp_path: Path):
    folder = tmp_path / "saved"
    folder.mkdir()
    local = shop_from_raw(1, "saved", base_dir=tmp_path, allow_local=True)
    assert not local.error and local.key == folder.resolve().as_uri() and local.target == str(folder.resolve())
    bare = shop_from_raw(2, "Shop.Example/pl/")
    assert bare.key == "https://shop.example/pl" and bare.target == "Shop.Example/pl/" and not bare.error
    assert shop_from_raw(3, "https://www.shop.example/x").host == "shop.example"
    assert shop_from_raw(3, "http://127.0.0.1:8001/").host == "127.0.0.1:8001"
    assert shop_from_raw(4, "javascript:alert(1)").error
    assert shop_from_raw(5, "=HYPERLINK(\"x\")").error
    assert "country" in shop_from_raw(6, "https://a.example", country="Poland").error
    assert shop_from_raw(7, "https://a.example", country="pl").country == "PL"


def test_lists_hold_urls_local_paths_are_refused_row_by_row(tmp_path: Path):
    """A list someone else wrote must not make the batch read local files: paths are refused with a reason,
    and --allow-local reads only folders and .html/.htm files (judged by where a link really leads)."""
    (tmp_path / "notes.txt").write_text("boss@example.com", encoding="utf-8")
    (tmp_path / "page.html").write_text("<html><body>ok</body></html>", encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "trap.html").symlink_to(tmp_path / "notes.txt")
    (tmp_path / "passwd-link").symlink_to("/etc/passwd")
    lst = tmp_path / "shops.txt"
    rows = ["/etc/passwd", "notes.txt", "./page.html", "site", (tmp_path / "notes.txt").as_uri(), "~/nowhere-x.html",
            "trap.html", "passwd-link", "https://shop.example/", "shop.example"]
    lst.write_text("\n".join(rows) + "\n", encoding="utf-8")
    strict = list(read_shops(lst))
    assert [s.key for s in strict if not s.error] == ["https://shop.example/", "https://shop.example/"]
    for s in strict[:8]:
        assert s.error.endswith("is a local path: lists hold shop URLs (--allow-local reads saved pages)"), s
        assert s.key.startswith("invalid:")
    loose = list(read_shops(lst, allow_local=True))
    assert [s.target for s in loose if not s.error and s.key.startswith("file:")] == [
        str((tmp_path / "page.html").resolve()), str((tmp_path / "site").resolve())]
    refused = [s.error for s in loose if s.error]
    # /etc/passwd, notes.txt (twice), trap.html (a link to notes.txt), passwd-link: not saved pages
    assert sum("only folders and .html/.htm files are read" in e for e in refused) == 5
    assert [e for e in refused if e.startswith("no such file or folder")] == [
        "no such file or folder: ~/nowhere-x.html"]


def test_read_csv_and_txt(tmp_path: Path):
    p = tmp_path / "shops.csv"
    p.write_text(
        "\ufeffURL,Name,Country,Tags\nhttps://a.example,A,pl,x\n\n#https://skipped.example,,,\n"
        "https://b.example,\"B, Ltd\",,\"t1,t2\"\n",
        encoding="utf-8",
    )
    shops = list(read_shops(p))
    assert [(s.position, s.key, s.name, s.country, s.tags) for s in shops] == [
        (1, "https://a.example/", "A", "PL", "x"),
        (2, "https://b.example/", "B, Ltd", None, "t1,t2"),
    ]
    t = tmp_path / "shops.txt"
    t.write_text("# agency list\nhttps://a.example\n\n  https://c.example/  \n", encoding="utf-8")
    assert [s.key for s in read_shops(t)] == ["https://a.example/", "https://c.example/"]


@pytest.mark.parametrize(
    "content, why",
    [
        ("name,country\nA,PL\n", "no 'url' column"),
        (b"url\n\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_bad_input_files(tmp_path: Path, content, why):
    p = tmp_path / "shops.csv"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=why):
        list(read_shops(p))
    with pytest.raises(InputError, match="no such input file"):
        list(read_shops(tmp_path / "missing.csv"))


def test_file_stem_safe_and_collision_proof():
    a = file_stem("https://shop.example/")
    b = file_stem("https://shop.example/de")
    c = file_stem("http://shop.example:8080/")
    assert len({a, b, c}) == 3 and all(s.startswith("shop.example-") for s in (a, b, c))
    assert file_stem("https://con.example/").startswith("_con.example-")
    assert file_stem("file:///tmp/My%20Shop%20%3Cx%3E").startswith("my-shop-x-")
    for key in ("https://xn--bcher-kva.example/", "https://../../etc/", "https://" + "a" * 300 + ".example/"):
        stem = file_stem(key)
        assert re.fullmatch(r"_?[a-z0-9][a-z0-9.-]{0,59}-[0-9a-f]{10}", stem), stem


# --------------------------------------------------------------------------- shards


def test_shards_partition_and_are_stable():
    keys = [f"https://shop{i}.example/" for i in range(400)]
    n = 4
    slices = [{k for k in keys if parse_shard(f"{s}/{n}").contains(k)} for s in range(1, n + 1)]
    assert sum(len(s) for s in slices) == len(keys) and set().union(*slices) == set(keys)
    assert all(60 < len(s) < 140 for s in slices)  # roughly even
    # adding shops never moves the others
    before = {k: shard_of(k, n) for k in keys}
    assert {k: shard_of(k, n) for k in keys + ["https://new.example/"] if k in before} == before


@pytest.mark.parametrize("spec", ["0/4", "5/4", "1/0", "x", "1-4", ""])
def test_bad_shard_specs(spec):
    with pytest.raises(ValueError):
        parse_shard(spec)


# --------------------------------------------------------------------------- store, runner


def _result(key: str, pos: int, **kw) -> ShopResult:
    base = {"url": key, "status": OK, "scanned_at": "2024-01-01T00:00:00Z", "score": 50, "grade": "E"}
    base.update(kw)
    return ShopResult(url_key=key, position=pos, **base)


def test_store_records_each_shop_once(tmp_path: Path):
    with Store(tmp_path / "t.db") as store:
        run = store.new_run("k")
        assert store.record(run.id, _result("https://a.example/", 1))
        assert not store.record(run.id, _result("https://a.example/", 1, score=99))
        assert [r.score for r in store.results(run.id)] == [50]
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.latest_run("k").id == run.id
        fresh = store.new_run("k")
        assert store.latest_run("k").id == fresh.id and store.is_done(run.id, "https://a.example/")
        assert not store.is_done(fresh.id, "https://a.example/")


def _hostile_scan(target, options, **kw):
    """A scan function standing in for shops that break in ways the real crawler rarely shows. Module-level
    (worker processes import it by name); it logs each scan's (host, start, end) to ``$TA_SCAN_LOG``."""
    host = target.split("/")[2]
    t0 = time.monotonic()
    try:
        time.sleep(0.05)
        if "boom" in target:
            raise KeyError("Traceback (most recent call last): secret")
        if "hang" in target:
            time.sleep(120)
        if "gone" in target:
            raise TargetError("cannot connect to gone.example: connection refused")
        if "crash" in target:
            os.kill(os.getpid(), signal.SIGKILL)  # a segfault / the OOM killer, as the batch sees it
        from trustaudit.pipeline import scan

        return scan(str(Path(__file__).resolve().parents[1] / "trustaudit" / "demo"), options)
    finally:
        with open(os.environ["TA_SCAN_LOG"], "a", encoding="utf-8") as fh:
            fh.write(f"{host} {t0} {time.monotonic()} {os.getpid()}\n")


@pytest.mark.parametrize("processes", [1, 2])
def test_runner_isolates_failures_and_serialises_hosts(tmp_path: Path, monkeypatch, processes: int):
    targets = [
        "https://boom.example/", "https://hang.example/", "https://gone.example/",
        "https://same.example/a", "https://same.example/b", "https://www.same.example/c",
        "https://ok.example/",
    ]
    if processes > 1:  # a worker process that dies takes only itself down (in-process it would be the batch)
        targets += ["https://crash.example/", "https://after.example/"]
    shops = [shop_from_raw(i + 1, t) for i, t in enumerate(targets)]
    log = tmp_path / "scans.log"
    monkeypatch.setenv("TA_SCAN_LOG", str(log))
    _hostile_scan("https://warm.example/", ScanOptions())  # rules loaded once before the clock starts
    cfg = BatchConfig(out_dir=tmp_path, options=ScanOptions(), concurrency=4, stuck_after=8, processes=processes)
    with Store(tmp_path / "t.db") as store:
        run = store.new_run("k")
        t0 = time.monotonic()
        runner = BatchRunner(store, run, cfg, scan_fn=_hostile_scan)
        stats = runner.run_all(iter(shops))
        assert time.monotonic() - t0 < 60  # the hung scan (120 s) was given up on, not waited for
        rows = {r.url: r for r in store.results(run.id)}
    assert stats.scanned == len(targets) and stats.abandoned == 1, [(r.url, r.error) for r in rows.values()]
    assert rows["https://boom.example/"].error == "internal error: KeyError"
    assert "Traceback" not in "".join(r.error for r in rows.values())
    assert rows["https://hang.example/"].status == FAILED and "timed out" in rows["https://hang.example/"].error
    assert rows["https://gone.example/"].error == "cannot connect to gone.example: connection refused"
    assert rows["https://ok.example/"].status == OK and rows["https://ok.example/"].score is not None
    assert (tmp_path / rows["https://ok.example/"].json_file).is_file()
    # never two scans of one host at once (also across worker processes)
    spans: dict[str, list[tuple[float, float]]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        host, start, end, _pid = line.split()
        spans.setdefault(host.removeprefix("www."), []).append((float(start), float(end)))
    same = sorted(spans["same.example"])
    assert len(same) == 3 and all(a[1] <= b[0] for a, b in zip(same, same[1:], strict=False)), same
    if processes > 1:
        pids = {line.split()[3] for line in log.read_text(encoding="utf-8").splitlines()[1:]}
        assert len(pids) >= 2 and str(os.getpid()) not in pids  # the scans ran in worker processes
        crash = rows["https://crash.example/"]
        assert crash.status == FAILED and "worker process died (SIGKILL)" in crash.error, crash
        assert rows["https://after.example/"].status == OK  # the dead worker was replaced
        assert stats.lost == 1 and runner.alive_workers() == 0  # and none outlives the batch


# --------------------------------------------------------------------------- outputs


def test_csv_cell_formula_guard():
    assert [csv_cell(v) for v in ("=1+1", "+x", "-2", "@SUM(A1)", "\tx", "ok", None, 7)] == [
        "'=1+1", "'+x", "'-2", "'@SUM(A1)", "'\tx", "ok", "", "7",
    ]


def test_index_is_self_contained_and_escaped(tmp_path: Path):
    with Store(tmp_path / "t.db") as store:
        run = store.new_run("k")
        store.record(run.id, _result("https://a.example/", 1, name='<script>alert("x")</script>', score=91, grade="A",
                                     html_file="reports/a.html", json_file="reports/a.json"))
        store.record(run.id, _result("javascript:alert(1)", 2, status=FAILED, score=None, grade=None,
                                     error="<img src=x onerror=alert(1)>"))
        store.record(run.id, _result("https://c.example/", 3, name="=cmd|' /C calc'!A0", score=12, grade="F"))
        assert write_outputs(store, run, tmp_path) == 3
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and 'href="javascript:' not in page
    # nothing is loaded: no src attributes, no <link>, no CSS url() or @import (links to shops are only links)
    assert not re.search(r"<[a-z]+[^<>]*\ssrc=|<link|url\(|@import", page)
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP and f"<script>{SCRIPT}</script>" in page
    assert page.count("<tr data-pos=") == 3 and "<svg" in page
    rows = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8")))
    assert rows[0][:5] == ["url", "name", "score", "grade", "error"]
    assert rows[3][1].startswith("'=") and rows[2][2] == "" and rows[2][4]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed")
def test_index_script_runs_under_its_csp(tmp_path: Path):
    with Store(tmp_path / "t.db") as store:
        run = store.new_run("k")
        store.record(run.id, _result("https://a.example/", 1, score=91, grade="A"))
        store.record(run.id, _result("https://b.example/", 2, status=FAILED, score=None, grade=None, error="x"))
        write_outputs(store, run, tmp_path)
    page = tmp_path / "index.html"
    # preselect a filter in the markup (not the script, whose hash must stay valid): the script applies it
    page.write_text(page.read_text(encoding="utf-8").replace('value="failed">', 'value="failed" selected>'))
    dom = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60,
    ).stdout
    assert re.search(r'<tr data-pos="1"[^>]*hidden', dom) and not re.search(r'<tr data-pos="2"[^>]*hidden', dom)
    assert '<span id="shown">1</span>' in dom
