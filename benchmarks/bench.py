"""trustaudit benchmarks: how close to "as fast as the network allows" is a scan?

    python benchmarks/bench.py [--quick] [--json OUT.json] [--profile] [--reps N] [--no-batch]

1. single scan of a generated 25-page shop (50-300 KB pages) served on loopback, each run in a fresh
   interpreter: wall, CPU, peak RSS; median of --reps runs
2. the floor: the same pages fetched with httpx (same concurrency) and parsed once with lxml, nothing else,
   measured the same way; the ratio scan / floor
3. ``trustaudit batch`` of 200 shops at concurrency 8 and 32: shops/s and peak memory
4. growth: batch of 50, 200, 1,000 shops: time and peak memory (--quick: 10 and 20)
5. ``--process``: whole ``trustaudit scan`` processes of the product-grid shop against the floor process, and
   import times, side by side with older revisions (``--old REV``)

``--profile`` rewrites benchmarks/PROFILE.md for the product-grid shop: CPU by phase of a scan process and by
extraction step (minimum of --reps fresh processes), and a pyinstrument profile of one scan. Every child
process has a timeout; the shop server is stopped in ``finally``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from shopserver import ShopServer, offline_registers  # noqa: E402

offline_registers()

CHILD = str(HERE / "_child.py")
TARGETS = {
    "scan_wall_s": 1.0,  # one 25-page scan under 1 s on loopback
    "scan_floor_ratio": 2.0,  # within 2x of the floor
    "scan_peak_rss_mb": 150.0,
    "batch_shops_per_s": 20.0,
    "growth_rss_ratio": 1.25,  # "flat": peak RSS at the largest batch <= 1.25x the smallest
}


# ------------------------------------------------------------------------------------------------ helpers


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = 0.0
    try:
        from trustaudit import __version__ as tv
    except Exception:  # noqa: BLE001
        tv = "?"
    return {
        "loadavg_start": _loadavg(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "trustaudit": tv,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
    }


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run_child(args: list[str], timeout: float = 180.0, env: dict | None = None) -> dict:
    """Run ``_child.py`` in a fresh interpreter and return its JSON line (or an ``error`` entry)."""
    try:
        out = subprocess.run(
            [sys.executable, CHILD, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **env} if env else None,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": f"exit {out.returncode}: {out.stderr.strip()[-400:]}"}
    return json.loads(lines[-1])


def median_of(runs: list[dict], key: str) -> float | None:
    vals = [r[key] for r in runs if key in r and r[key] is not None]
    return statistics.median(vals) if vals else None


def _tree_rss_kb(root_pid: int, pss: bool = False) -> int:
    """Sum of VmRSS of ``root_pid`` and its descendants (from /proc); ``pss``: of their proportional set sizes
    (``smaps_rollup``: a page shared by two processes counts half in each, so a forked child's pages shared with
    its parent are counted once)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo, seen = 0, [root_pid], set()
    while todo and len(seen) < 10_000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            if pss:
                with open(f"/proc/{pid}/smaps_rollup") as fh:
                    total += next((int(x.split()[1]) for x in fh if x.startswith("Pss:")), 0)
            else:
                with open(f"/proc/{pid}/statm") as fh:
                    total += int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            pass
        todo.extend(children.get(pid, ()))
    return total


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)  # the group of the process we started (start_new_session=True)
    except (ProcessLookupError, PermissionError):
        pass


def run_measured(cmd: list[str], timeout: float, cwd: str | None = None, pss: bool = False) -> dict:
    """Run ``cmd`` with a wall-clock limit; peak RSS from wait4 (the process and its reaped children) and
    from sampling the process tree every 0.1 s (``pss``: also the tree's summed PSS). On timeout
    the process group is killed."""
    err_file = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child can never block on it
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=err_file,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        start_new_session=True,
    )
    peak_tree = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_pss
        while not stop.wait(0.1):
            peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
            if pss:
                peak_pss = max(peak_pss, _tree_rss_kb(proc.pid, pss=True))

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    timed_out = False
    reaped = False
    ru = None
    status = 0
    err_tail = ""
    try:
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                reaped = True
                break
            if time.perf_counter() > deadline:
                timed_out = True
                _killpg(proc.pid, 15)
                for i in range(100):  # up to 5 s to exit on SIGTERM, then SIGKILL
                    pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                    if pid == proc.pid:
                        reaped = True
                        break
                    if i == 99:
                        _killpg(proc.pid, 9)
                        pid, status, ru = os.wait4(proc.pid, 0)
                        reaped = True
                    time.sleep(0.05)
                break
            time.sleep(0.05)
    finally:
        stop.set()
        th.join(2)
        if reaped:
            proc.returncode = os.waitstatus_to_exitcode(status)
        else:  # an exception above: make sure it is gone
            _killpg(proc.pid, 9)
            proc.wait(10)
            ru = None
        try:
            err_file.seek(0)
            err_tail = err_file.read()[-600:].decode("utf-8", "replace")
        except OSError:
            pass
        err_file.close()
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "timed_out": timed_out,
        "exit": proc.returncode,
        "peak_rss_mb": (ru.ru_maxrss / 1024) if ru else None,
        "peak_tree_rss_mb": peak_tree / 1024,
        "peak_tree_pss_mb": peak_pss / 1024 if pss else None,
        "cpu_s": (ru.ru_utime + ru.ru_stime) if ru else None,
        "stderr": err_tail.strip(),
    }


def batch_available() -> bool:
    exe = shutil.which("trustaudit", path=os.path.dirname(sys.executable)) or shutil.which("trustaudit")
    if not exe:
        return False
    try:
        r = subprocess.run([exe, "batch", "--help"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


def run_batch(urls: list[str], concurrency: int, timeout: float) -> dict:
    exe = shutil.which("trustaudit", path=os.path.dirname(sys.executable)) or "trustaudit"
    with tempfile.TemporaryDirectory(prefix="ta-bench-") as tmp:
        csv_path = Path(tmp) / "shops.csv"
        csv_path.write_text("url\n" + "".join(u + "\n" for u in urls), encoding="utf-8")
        out = Path(tmp) / "out"
        r = run_measured(
            [
                exe,
                "batch",
                str(csv_path),
                "--out",
                str(out),
                "--concurrency",
                str(concurrency),
                "--fresh",
                "--quiet",
            ],
            timeout=timeout,
        )
        done = len(list((out / "reports").glob("*.json"))) if (out / "reports").is_dir() else 0
    r.update(
        shops=len(urls),
        concurrency=concurrency,
        done=done,
        shops_per_s=done / r["wall_s"] if r["wall_s"] else None,
    )
    return r


def run_floor_many(urls: list[str], shops_concurrency: int, timeout: float) -> dict:
    """The batch floor: the same shops fetched (httpx) and parsed (lxml) only, in one process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write("".join(u + "\n" for u in urls))
        path = fh.name
    try:
        r = run_child(["floor-many", path, "--shops-concurrency", str(shops_concurrency)], timeout=timeout)
    finally:
        os.unlink(path)
    if "error" not in r:
        r["shops_per_s"] = r["shops"] / r["wall_s"] if r["wall_s"] else None
    r.update(concurrency=shops_concurrency, size=len(urls))
    return r


# --------------------------------------------------------------------------------------------- measures


def measure_single(url: str, reps: int, concurrency: int, uncached: bool = True) -> dict:
    scans, floors = [], []
    # the first scan after installing (or changing) trustaudit builds the compiled-vocabulary cache
    # (trustaudit/resources.py); measure that apart, with the cache off, and warm it before the timed runs
    if uncached:
        uncached_run = run_child(["scan", url], timeout=180, env={"TRUSTAUDIT_NO_CACHE": "1"})
    run_child(["scan", url], timeout=180)
    for _ in range(reps):  # interleaved, so drift hits both alike
        floors.append(run_child(["floor", url, "--concurrency", str(concurrency)], timeout=120))
        scans.append(run_child(["scan", url], timeout=180))
    errors = [r["error"] for r in scans + floors if "error" in r]

    def summary(runs: list[dict]) -> dict:
        return {
            k: median_of(runs, k)
            for k in ("wall_s", "cpu_s", "peak_rss_mb", "rss_after_imports_mb", "import_s", "pages", "bytes")
        }

    s, f = summary(scans), summary(floors)
    ratio = s["wall_s"] / f["wall_s"] if s["wall_s"] and f["wall_s"] else None
    cpu_ratio = s["cpu_s"] / f["cpu_s"] if s["cpu_s"] and f["cpu_s"] else None
    return {
        "url": url,
        "reps": reps,
        "scan": s,
        "floor": f,
        "ratio_wall": ratio,
        "ratio_cpu": cpu_ratio,
        "scan_without_vocab_cache": uncached_run if uncached else {},
        "scan_runs": scans,
        "floor_runs": floors,
        "errors": errors,
    }


def cold_start() -> dict:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", "import trustaudit.cli"], capture_output=True, timeout=60)
        if r.returncode == 0:
            runs.append(time.perf_counter() - t0)
    return {"import_cli_s": statistics.median(runs) if runs else None}


# ------------------------------------------------------------------------------------ whole processes


def export_tree(rev: str, dest: Path) -> Path:
    """The source tree of git revision ``rev`` (package + rules) under ``dest``, to run an older trustaudit
    side by side with this one (``PYTHONPATH``); the installed dependencies are shared."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "trustaudit", "rules"], capture_output=True, timeout=120
    )
    if archive.returncode != 0:
        raise RuntimeError(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True, timeout=120)
    return dest


def import_seconds(tree: Path, args: list[str], env: dict) -> float | None:
    """Import time of ``python -m trustaudit ARGS`` from ``python -X importtime``: the sum of the top-level
    (cumulative) entries of every module imported after the interpreter's own start-up (``site``)."""
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "trustaudit", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=str(tree), stdin=subprocess.DEVNULL,
    )
    total = 0
    started = False
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        if not name.startswith(" ") or name.startswith("  "):
            continue  # nested: already counted in its parent's cumulative time
        if name.strip() == "site":
            started = True  # the interpreter's own start-up ends with site
            continue
        if started:
            total += int(parts[1])
    return total / 1e6 if started else None


def measure_processes(url: str, reps: int, trees: dict[str, Path]) -> dict:
    """Whole processes side by side: ``python -m trustaudit scan URL`` of each tree (its default terminal report
    to a pipe) against the floor process (``_child.py floor``: start Python, import httpx + lxml, fetch and parse
    the same shop). Wall time and peak RSS of each process (wait4), interleaved, median of ``reps``."""
    out: dict = {"url": url, "reps": reps, "trees": {}, "floor_runs": []}
    envs = {}
    for label, tree in trees.items():
        cache = Path(tempfile.mkdtemp(prefix=f"ta-cache-{label}-"))
        envs[label] = {**os.environ, "PYTHONPATH": str(tree), "TRUSTAUDIT_CACHE_DIR": str(cache)}
        out["trees"][label] = {"tree": str(tree), "runs": []}
    scan_cmd = [sys.executable, "-m", "trustaudit", "scan", url]
    for label in trees:  # the first scan after an install fills the vocabulary cache: not measured
        subprocess.run(scan_cmd, env=envs[label], capture_output=True, timeout=180, cwd=str(trees[label]))
    floor_cmd = [sys.executable, CHILD, "floor", url]
    for _ in range(reps):
        out["floor_runs"].append(run_measured(floor_cmd, 120))
        for label, tree in trees.items():
            r = _run_env(scan_cmd, 180, envs[label], str(tree), pss=True)
            out["trees"][label]["runs"].append(r)
    fl = {k: median_of(out["floor_runs"], k) for k in ("wall_s", "cpu_s", "peak_rss_mb")}
    out["floor"] = fl
    for label, tree in trees.items():
        t = out["trees"][label]
        t.update({k: median_of(t["runs"], k) for k in ("wall_s", "cpu_s", "peak_rss_mb", "peak_tree_pss_mb")})
        t["ratio_wall"] = t["wall_s"] / fl["wall_s"] if t["wall_s"] and fl["wall_s"] else None
        t["ratio_cpu"] = t["cpu_s"] / fl["cpu_s"] if t["cpu_s"] and fl["cpu_s"] else None
        t["import_version_s"] = statistics.median(
            [v for v in (import_seconds(tree, ["--version"], envs[label]) for _ in range(3)) if v is not None] or [0]
        )
        t["import_scan_help_s"] = statistics.median(
            [v for v in (import_seconds(tree, ["scan", "--help"], envs[label]) for _ in range(3)) if v is not None]
            or [0]
        )
        t["errors"] = [r["stderr"][-300:] for r in t["runs"] if r["exit"] not in (0, 1)]
    return out


def _run_env(cmd: list[str], timeout: float, env: dict, cwd: str, pss: bool = False) -> dict:
    saved = os.environ.copy()
    try:
        os.environ.clear()
        os.environ.update(env)
        return run_measured(cmd, timeout, cwd=cwd, pss=pss)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def process_markdown(res: dict) -> str:
    p = res["process"]
    fl = p["floor"]
    labels = list(p["trees"])
    head = "| measurement | " + " | ".join(labels) + " | target |"
    rows = [
        head,
        "|---|" + "---:|" * len(labels) + "---|",
        f"| `trustaudit scan` process, wall (median of {p['reps']}) | "
        + " | ".join(f"{_f(p['trees'][x]['wall_s'])} s" for x in labels) + " | |",
        "| `trustaudit scan` process, CPU | " + " | ".join(f"{_f(p['trees'][x]['cpu_s'])} s" for x in labels) + " | |",
        "| scan process / floor process, wall | "
        + " | ".join(_f(p["trees"][x]["ratio_wall"], "{:.1f}x") for x in labels) + " | <= 3x |",
        "| scan process / floor process, CPU | "
        + " | ".join(_f(p["trees"][x]["ratio_cpu"], "{:.1f}x") for x in labels) + " | |",
        "| peak RSS of the scan process (wait4: with a worker, the larger of the two) | "
        + " | ".join(f"{_f(p['trees'][x]['peak_rss_mb'], '{:.0f}')} MB" for x in labels) + " | < 150 MB |",
        "| peak memory of the process tree (summed PSS, sampled every 0.1 s) | "
        + " | ".join(f"{_f(p['trees'][x].get('peak_tree_pss_mb'), '{:.0f}')} MB" for x in labels) + " | < 150 MB |",
        "| import time, `trustaudit --version` (-X importtime) | "
        + " | ".join(f"{_f(p['trees'][x]['import_version_s'], '{:.3f}')} s" for x in labels) + " | < 0.15 s |",
        "| import time, `trustaudit scan --help` | "
        + " | ".join(f"{_f(p['trees'][x]['import_scan_help_s'], '{:.3f}')} s" for x in labels) + " | < 0.15 s |",
    ]
    m = res["machine"]
    return (
        f"Whole processes on the product-grid shop (25 pages of ~150 KB, 300 product cards each; `{p['url']}`), "
        f"{m['nproc']} cores, Python {m['python']}, {m['date']}. Floor process (start Python, import httpx + "
        f"lxml, fetch + parse the same 25 pages): wall {_f(fl['wall_s'])} s, CPU {_f(fl['cpu_s'])} s, "
        f"peak RSS {_f(fl['peak_rss_mb'], '{:.0f}')} MB.\n\n" + "\n".join(rows) + "\n"
    )


# ---------------------------------------------------------------------------------------------- profile


def _classify(chain: list[dict]) -> str:
    """Category of a sample by its innermost recognisable frame (``chain`` goes leaf -> root)."""
    for fr in chain:
        fn, path = fr.get("function") or "", (fr.get("file_path_short") or fr.get("file_path") or "")
        p = path.replace("\\", "/")
        if "importlib" in p or fn == "<module>":
            return "imports (lazy, inside scan)"
        if (
            "/yaml/" in p
            or p.startswith("yaml/")
            or fn == "load_yaml"
            or "re/_compiler" in p
            or "re/_parser" in p
            or "sre_compile" in p
            or (fn in ("compile", "_compile") and ("re/" in p or p.endswith("re.py")))
        ):
            return "loading rules/vocab (YAML, regex compile)"
        if "trustaudit/web/html.py" in p:
            if fn in ("text", "_iter_text", "_collapse"):
                return "text extraction (visible text)"
            if fn in ("_parse", "__init__", "get"):
                return "HTML parsing (lxml)"
            return "DOM views (links, scripts, JSON-LD)"
        if "lxml/" in p or p.startswith("lxml"):
            return "HTML parsing (lxml)"
        if "trustaudit/crawl/encoding.py" in p or "charset_normalizer" in p or "encodings/" in p:
            return "decoding (bytes -> text)"
        if "trustaudit/extract/" in p or "stdnum/" in p or "phonenumbers/" in p:
            return "signal extraction (regex, IDs, phones, pages)"
        if "trustaudit/engine.py" in p:
            return "rules (engine)"
        if any(
            x in p
            for x in (
                "trustaudit/scoring.py",
                "trustaudit/report.py",
                "trustaudit/pipeline.py",
                "trustaudit/render/",
            )
        ):
            return "scoring & report"
        if any(
            x in p
            for x in (
                "httpx/",
                "httpcore/",
                "h11/",
                "anyio/",
                "asyncio/",
                "selectors",
                "ssl",
                "socket",
                "trustaudit/crawl/",
            )
        ) or fn in ("[await]", "<await>"):
            return "fetching (httpx, event loop, waiting)"
    return "other"


def _fn_key(chain: list[dict]) -> tuple[str, str]:
    """(function, where) for a self-time entry: pyinstrument's ``[self]`` frames and built-ins are named after
    the Python function that called them."""
    fr = chain[-1]
    fn = fr.get("function") or "?"
    parent = chain[-2] if len(chain) > 1 else fr
    if fn == "[self]":
        fr, fn = parent, parent.get("function") or "?"
        parent = chain[-3] if len(chain) > 2 else fr
    where = f"{fr.get('file_path_short') or ''}:{fr.get('line_no') or ''}"
    if where.startswith("<built-in>"):
        where = (
            f"called from {parent.get('function')} ({parent.get('file_path_short')}:{parent.get('line_no')})"
        )
    return fn, where


def write_profile(url: str, out_md: Path, phases: dict[str, float] | None = None,
                  steps: dict[str, float] | None = None) -> dict:
    from pyinstrument.session import Session

    with tempfile.TemporaryDirectory(prefix="ta-prof-") as tmp:
        sess_path = Path(tmp) / "session.pyisession"
        r = run_child(["scan", url, "--profile", str(sess_path)], timeout=300)
        if "error" in r:
            raise RuntimeError(f"profiled scan failed: {r['error']}")
        session = Session.load(str(sess_path))
    from pyinstrument.renderers import ConsoleRenderer, JSONRenderer

    tree = json.loads(JSONRenderer(show_all=True).render(session))
    root = tree["root_frame"]
    total = root["time"] or 1e-9
    by_cat: dict[str, float] = {}
    by_fn: dict[tuple[str, str], float] = {}
    stack: list[tuple[dict, list[dict]]] = [(root, [root])]
    n = 0
    while stack and n < 1_000_000:
        n += 1
        fr, chain = stack.pop()
        kids = fr.get("children") or []
        self_t = fr["time"] - sum(k["time"] for k in kids)
        if self_t > 0:
            cat = _classify(list(reversed(chain)))
            by_cat[cat] = by_cat.get(cat, 0.0) + self_t
            key = _fn_key(chain)
            by_fn[key] = by_fn.get(key, 0.0) + self_t
        for k in kids:
            stack.append((k, chain + [k]))
    text = ConsoleRenderer(unicode=False, color=False, show_all=False, short_mode=False).render(session)
    cats = sorted(by_cat.items(), key=lambda x: -x[1])
    fns = sorted(by_fn.items(), key=lambda x: -x[1])[:15]
    head = [
        "# Where the time of one scan goes",
        "",
        "Re-generated by `python benchmarks/bench.py --profile [--reps N]` on the product-grid shop "
        "(`shopgen.generate_grid`: 25 pages of about 150 KB, 300 product cards each, served on loopback), the "
        "shop of `bench.py --process`. Two CPU tables (user + sys of the process, all threads; the minimum of "
        "N fresh processes each, so that a busy machine disturbs them least), then a pyinstrument profile.",
        "",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{r.get('pages')} pages, {(r.get('bytes') or 0) / 1e6:.1f} MB",
        "",
    ]
    if phases:
        tot = sum(phases.values()) or 1e-9
        head += [
            "## CPU by phase of a scan (`_child.py phases`)",
            "",
            "One `trustaudit scan` process's work, phase after phase in a fresh interpreter (a real scan overlaps "
            "the vocabulary with the crawl, extracts pages in the crawl's idle time and, once pages wait, hands "
            "about half of them to a forked worker on the other core (`extract/worker.py`); the sum is about the "
            "same, plus the worker's own parse of its pages and the pickled facts). Interpreter start-up (about "
            "0.02 s) is not included.",
            "",
            "| phase | CPU s | share |",
            "|---|---:|---:|",
            *[f"| {k} | {v:.3f} | {100 * v / tot:.0f} % |" for k, v in phases.items()],
            f"| **total** | **{tot:.3f}** | |",
            "",
        ]
    if steps:
        ext = sum(v for k, v in steps.items() if not k.startswith("crawl")) or 1e-9
        head += [
            "## CPU per extraction step (`_child.py steps`)",
            "",
            "`extract.page_steps` one step at a time over the 25 pages (vocabulary loaded, nothing else warm: "
            "`links` here pays for scoring every anchor, which a scan shares with the crawl's link discovery; "
            "the first step that needs the page's one attribute walk (`extract.attributes`) pays for it).",
            "",
            "| step | CPU ms (25 pages) | share of extraction |",
            "|---|---:|---:|",
            *[f"| {k} | {1000 * v:.1f} | {'' if k.startswith('crawl') else f'{100 * v / ext:.0f} %'} |"
              for k, v in sorted(steps.items(), key=lambda kv: -kv[1])],
            f"| **extraction total** | **{1000 * ext:.0f}** | |",
            "",
        ]
    lines = head + [
        "## By stage (pyinstrument, one scan)",
        "",
        "pyinstrument, 0.5 ms interval, async mode, one scan in a fresh interpreter with trustaudit imported "
        "before the clock starts: the scan's own process only (the pages its extraction worker reads are not in "
        "it; the wait for the worker's last answers is). Time is wall time; each sample is charged to the innermost frame that names a "
        "stage. The profiler's per-call hook inflates Python-level loops about 2-3x against C-level work "
        "(regex, lxml): the CPU tables above are the numbers to size changes.",
        "",
        f"- scan wall time under the profiler: **{total:.2f} s**",
        "",
        "",
        "| stage | seconds | share |",
        "|---|---:|---:|",
        *[f"| {c} | {t:.3f} | {100 * t / total:.1f} % |" for c, t in cats],
        "",
        "## Top functions by self time",
        "",
        "| function | where | self s | share |",
        "|---|---|---:|---:|",
        *[f"| `{f}` | `{w}` | {t:.3f} | {100 * t / total:.1f} % |" for (f, w), t in fns],
        "",
        "## Call tree (pyinstrument text renderer)",
        "",
        "```",
        text.strip(),
        "```",
        "",
    ]
    out_md.write_text("\n".join(lines), encoding="utf-8")
    return {
        "total_s": total,
        "by_stage": dict(cats),
        "top_functions": [{"function": f, "where": w, "self_s": t} for (f, w), t in fns],
    }


# ----------------------------------------------------------------------------------------------- report


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _f(v, fmt: str = "{:.2f}", none: str = "-") -> str:
    return none if v is None else fmt.format(v)


def markdown(res: dict) -> str:
    m = res["machine"]
    s = res["single"]
    sc, fl = s["scan"], s["floor"]
    out = [
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['mem_gb']} GB, Python {m['python']}, trustaudit "
        f"{m['trustaudit']} @ {m['commit']}, {m['date']}; mode: {res['mode']}",
        "",
        "| measurement | value | target | status |",
        "|---|---:|---:|---|",
        f"| single scan, 25 pages ({_f((sc['bytes'] or 0) / 1e6, '{:.1f}')} MB): wall, median of {s['reps']} | "
        f"{_f(sc['wall_s'])} s | < {TARGETS['scan_wall_s']:.0f} s | "
        f"{_met(sc['wall_s'] < TARGETS['scan_wall_s'] if sc['wall_s'] else None)} |",
        f"| single scan: CPU (user+sys) | {_f(sc['cpu_s'])} s | | |",
        f"| floor (httpx + lxml parse, same pages, concurrency {res['concurrency']}): wall | {_f(fl['wall_s'])} s | | |",
        f"| floor: CPU | {_f(fl['cpu_s'])} s | | |",
        f"| scan / floor, wall | {_f(s['ratio_wall'], '{:.1f}x')} | <= {TARGETS['scan_floor_ratio']:.0f}x | "
        f"{_met(s['ratio_wall'] <= TARGETS['scan_floor_ratio'] if s['ratio_wall'] else None)} |",
        f"| scan / floor, CPU | {_f(s['ratio_cpu'], '{:.1f}x')} | | |",
        f"| single scan: peak RSS (whole process) | {_f(sc['peak_rss_mb'], '{:.0f}')} MB | "
        f"< {TARGETS['scan_peak_rss_mb']:.0f} MB | "
        f"{_met(sc['peak_rss_mb'] < TARGETS['scan_peak_rss_mb'] if sc['peak_rss_mb'] else None)} |",
        f"| single scan: RSS after imports / floor peak RSS | {_f(sc['rss_after_imports_mb'], '{:.0f}')} MB / "
        f"{_f(fl['peak_rss_mb'], '{:.0f}')} MB | | |",
        f"| single scan without the vocabulary cache (first scan after install / upgrade): wall | "
        f"{_f(s.get('scan_without_vocab_cache', {}).get('wall_s'))} s | | |",
        f"| cold start: `import trustaudit.cli` | {_f(res['cold_start']['import_cli_s'])} s | | |",
    ]
    lat = res.get("latency")
    if lat:
        ls, lf, ms = lat["scan"], lat["floor"], f"{res['latency_ms']:g} ms"
        out += [
            f"| with {ms} per answer (a remote shop's time to first byte): scan wall / CPU | "
            f"{_f(ls['wall_s'])} s / {_f(ls['cpu_s'])} s | | |",
            f"| with {ms} per answer: floor wall | {_f(lf['wall_s'])} s | | |",
            f"| with {ms} per answer: scan / floor, wall | {_f(lat['ratio_wall'], '{:.1f}x')} | "
            f"<= {TARGETS['scan_floor_ratio']:.0f}x | "
            f"{_met(lat['ratio_wall'] <= TARGETS['scan_floor_ratio'] if lat['ratio_wall'] else None)} |",
        ]
    for b in res.get("batch") or []:
        tag = (
            f" (timed out after {b['wall_s']:.0f} s: {b['done']}/{b['shops']} done)" if b["timed_out"] else ""
        )
        rate = b["shops_per_s"]
        ok = None if rate is None else rate >= TARGETS["batch_shops_per_s"]
        if b["timed_out"] and b["shops"] / b["wall_s"] < TARGETS["batch_shops_per_s"]:
            ok = False  # could not even have finished at the target rate
        out.append(
            f"| batch {b['shops']} shops, concurrency {b['concurrency']}: shops/s{tag} | "
            f"{_f(rate)} | >= {TARGETS['batch_shops_per_s']:.0f} | {_met(ok)} |"
        )
        out.append(
            f"| batch {b['shops']} @ {b['concurrency']}: peak RSS (process / tree) | "
            f"{_f(b['peak_rss_mb'], '{:.0f}')} / {_f(b['peak_tree_rss_mb'], '{:.0f}')} MB | flat with batch size "
            "(see growth) | |"
        )
    for f in res.get("batch_floor") or []:
        if "error" in f:
            out.append(f"| batch floor {f['size']} @ {f['concurrency']} | {f['error'][:80]} | | |")
            continue
        out.append(
            f"| batch floor {f['size']} shops @ {f['concurrency']} (httpx + lxml only, one process): shops/s, "
            f"peak RSS | {_f(f['shops_per_s'])} shops/s, {_f(f['peak_rss_mb'], '{:.0f}')} MB | | |"
        )
        twin = [
            b
            for b in res.get("batch") or []
            if b["shops"] == f["size"] and b["concurrency"] == f["concurrency"]
        ]
        if twin and twin[0]["shops_per_s"] and f.get("shops_per_s"):
            out.append(
                f"| batch / batch floor throughput, {f['size']} @ {f['concurrency']} | "
                f"{twin[0]['shops_per_s'] / f['shops_per_s']:.2f} | | |"
            )
    if res.get("batch_note"):
        out.append(f"| batch | {res['batch_note']} | | n/a |")
    g = res.get("growth") or []
    if g:
        out += [
            "",
            f"Growth (batch, concurrency {res['growth_concurrency']}):",
            "",
            "| shops | done | wall s | shops/s | peak RSS MB (process) | peak RSS MB (tree) |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for b in g:
            out.append(
                f"| {b['shops']} | {b['done']}{' (timeout)' if b['timed_out'] else ''} | {b['wall_s']:.1f} | "
                f"{_f(b['shops_per_s'])} | {_f(b['peak_rss_mb'], '{:.0f}')} | "
                f"{_f(b['peak_tree_rss_mb'], '{:.0f}')} |"
            )
        ok = [b for b in g if b["peak_rss_mb"] and b["done"]]
        if len(ok) >= 2:
            ratio = ok[-1]["peak_rss_mb"] / ok[0]["peak_rss_mb"]
            out += [
                "",
                f"Peak memory {ok[-1]['shops']} vs {ok[0]['shops']} shops: {ratio:.2f}x "
                f"(flat = <= {TARGETS['growth_rss_ratio']}x): {_met(ratio <= TARGETS['growth_rss_ratio'])}",
            ]
    per = res.get("per_template") or []
    if per:
        out += [
            "",
            "Per shop template (median of runs; each a fresh process):",
            "",
            "| template | pages | MB | scan wall s | scan CPU s | floor wall s | ratio | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in per:
            out.append(
                f"| {p['template']} | {_f(p['scan']['pages'], '{:.0f}')} | "
                f"{_f((p['scan']['bytes'] or 0) / 1e6, '{:.1f}')} | {_f(p['scan']['wall_s'])} | "
                f"{_f(p['scan']['cpu_s'])} | {_f(p['floor']['wall_s'])} | {_f(p['ratio_wall'], '{:.1f}x')} | "
                f"{_f(p['scan']['peak_rss_mb'], '{:.0f}')} |"
            )
    la0, la1 = m.get("loadavg_start"), res.get("loadavg_end")
    if la0 is not None and la1 is not None:
        busy = max(la0, la1) > 0.5 * (m["nproc"] or 1)
        out += [
            "",
            f"Load average at start / end: {la0:.1f} / {la1:.1f}"
            + (
                " -- **the machine was busy with other work: wall times are inflated; CPU times are the more "
                "trustworthy numbers**"
                if busy
                else ""
            ),
        ]
    errs = s["errors"] + [e for p in per for e in p["errors"]]
    if errs:
        out += ["", "Errors:", *[f"- {e}" for e in errs[:10]]]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="fewer repetitions and smaller batches (about a minute)"
    )
    ap.add_argument("--json", dest="json_out", default=None, help="also write all results as JSON here")
    ap.add_argument(
        "--profile", action="store_true",
        help="only rewrite benchmarks/PROFILE.md: CPU by phase and by extraction step, one scan profiled"
    )
    ap.add_argument("--reps", type=int, default=None, help="runs per single-scan measurement [5; quick 2]")
    ap.add_argument("--no-batch", action="store_true", help="skip the batch and growth measurements")
    ap.add_argument(
        "--batch-timeout",
        type=float,
        default=None,
        help="wall-clock limit per batch run in seconds [300; quick 12]",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--latency-ms",
        type=float,
        default=100.0,
        help="also measure scan vs floor against a server that answers after this delay, like a remote shop "
        "(0: skip) [100]",
    )
    ap.add_argument(
        "--process",
        action="store_true",
        help="only the whole-process measurement: `trustaudit scan` processes of the product-grid shop against "
        "the floor process, and import times (see --old)",
    )
    ap.add_argument(
        "--old",
        action="append",
        default=[],
        metavar="REV",
        help="with --process: also measure git revision REV side by side (repeatable)",
    )
    a = ap.parse_args(argv)

    quick = a.quick
    reps = a.reps or (2 if quick else 5)
    concurrency = 4  # ScanOptions().concurrency
    batch_sizes = (200,) if not quick else (20,)
    batch_conc = (8, 32)
    growth_sizes = (10, 20) if quick else (50, 200, 1000)
    growth_conc = 32
    batch_timeout = a.batch_timeout or (12.0 if quick else 300.0)
    n_shops = max(growth_sizes + batch_sizes + (12,))

    if a.process:
        return main_process(a.reps or 5, a.old, a.seed, a.json_out)
    if a.profile:
        return main_profile(a.reps or 5, a.seed, a.json_out)
    res: dict = {
        "mode": "quick" if quick else "full",
        "machine": machine_info(),
        "concurrency": concurrency,
        "targets": TARGETS,
        "seed": a.seed,
    }
    t_start = time.perf_counter()
    print(f"starting the shop server ({n_shops} shops) ...", file=sys.stderr)
    with ShopServer(n_shops, a.seed) as srv:
        urls = srv.urls
        print(f"single scan vs floor, {reps} runs each ...", file=sys.stderr)
        res["single"] = measure_single(urls[0], reps, concurrency)
        res["single"]["template"] = srv.template_of(0)
        res["cold_start"] = cold_start()
        if a.latency_ms > 0:
            print(f"single scan vs floor with {a.latency_ms:g} ms per answer ...", file=sys.stderr)
            with ShopServer(1, a.seed, latency_ms=a.latency_ms) as slow:
                res["latency"] = measure_single(slow.urls[0], reps, concurrency, uncached=False)
            res["latency_ms"] = a.latency_ms
        per = []
        if not quick:
            for i in range(1, min(7, len(srv.template_keys))):  # one per language / legacy encoding
                print(f"template {srv.template_of(i)} ...", file=sys.stderr)
                m = measure_single(urls[i], 3, concurrency)
                m["template"] = srv.template_of(i)
                per.append(m)
        res["per_template"] = [res["single"]] + per if per else []
        if a.no_batch:
            res["batch_note"] = "skipped (--no-batch)"
        elif not batch_available():
            res["batch_note"] = "`trustaudit batch` not available in this checkout"
        else:
            res["batch"] = []
            for size in batch_sizes:
                for c in batch_conc:
                    print(f"batch {size} shops @ {c} ...", file=sys.stderr)
                    res["batch"].append(run_batch(urls[:size], c, batch_timeout))
                    res.setdefault("batch_floor", []).append(
                        run_floor_many(urls[:size], c, batch_timeout)
                    )
            res["growth"] = []
            res["growth_concurrency"] = growth_conc
            for size in growth_sizes:
                same = [b for b in res["batch"] if b["shops"] == size and b["concurrency"] == growth_conc]
                if same:  # already measured above
                    res["growth"].append(same[0])
                    continue
                print(f"growth: batch {size} shops @ {growth_conc} ...", file=sys.stderr)
                res["growth"].append(run_batch(urls[:size], growth_conc, batch_timeout))
        res["elapsed_s"] = time.perf_counter() - t_start
        res["loadavg_end"] = _loadavg()
        md = markdown(res)
        res["markdown"] = md
        print(md)
    if a.json_out:
        Path(a.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json_out).write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    return 0


def _min_runs(args: list[str], key: str, reps: int) -> dict[str, float]:
    """Per-item minimum of ``_child.py ARGS`` over ``reps`` fresh processes (the least disturbed run of each)."""
    best: dict[str, float] = {}
    for _ in range(reps):
        r = run_child(args, timeout=300)
        if "error" in r:
            raise RuntimeError(f"{args[0]} failed: {r['error']}")
        for k, v in r[key].items():
            best[k] = min(best.get(k, v), v)
    return best


def main_profile(reps: int, seed: int, json_out: str | None) -> int:
    """Rewrite benchmarks/PROFILE.md: where the CPU of a scan of the product-grid shop goes, by phase of a scan
    process and by extraction step (minimum of ``reps`` fresh processes each), and a pyinstrument profile of
    one scan."""
    with ShopServer(1, seed, grid=True) as srv:
        url = srv.urls[0]
        run_child(["scan", url], timeout=180)  # fills the build cache
        print(f"phases of a scan, {reps} processes ...", file=sys.stderr)
        phases = _min_runs(["phases", url], "phases", reps)
        print(f"extraction steps, {reps} processes ...", file=sys.stderr)
        steps = _min_runs(["steps", "-"], "steps", reps)
        print("profiling one scan ...", file=sys.stderr)
        prof = write_profile(url, HERE / "PROFILE.md", phases, steps)
    print((HERE / "PROFILE.md").read_text(encoding="utf-8").split("## Call tree")[0])
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps({"phases": phases, "steps": steps, "profile": prof}, indent=2,
                                             default=str), encoding="utf-8")
    return 0


def main_process(reps: int, old: list[str], seed: int, json_out: str | None) -> int:
    res: dict = {"mode": "process", "machine": machine_info()}
    with tempfile.TemporaryDirectory(prefix="ta-trees-") as tmp:
        trees = {rev: export_tree(rev, Path(tmp) / rev) for rev in old}
        trees[res["machine"]["commit"] or "this tree"] = ROOT
        print(f"product-grid shop: whole processes, {reps} runs each ...", file=sys.stderr)
        with ShopServer(1, seed, grid=True) as srv:
            res["process"] = measure_processes(srv.urls[0], reps, trees)
    res["loadavg_end"] = _loadavg()
    md = process_markdown(res)
    res["markdown"] = md
    print(md)
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
