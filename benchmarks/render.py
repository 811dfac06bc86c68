"""What --render costs: one generated 25-page shop scanned as served, with --render auto and with --render.

    python benchmarks/render.py [--reps N] [--latency-ms MS] [--json OUT.json]

The shop comes from the benchmark generator (``shopgen.py``, served by ``shopserver.py`` in its own process on
loopback). Every page names third-party widgets (Trustpilot, Tidio, GTM ...); no name is ever resolved here:
the system resolver is replaced by one that knows only IP literals, so the browser's requests to those hosts
fail at once at the gate, as they would for hosts that do not exist (nothing leaves the machine).

Measured, in this process, after one untimed scan that fills the vocabulary cache:

* ``static``: ``pipeline.scan`` as today (HTML as served);
* ``auto``: ``--render auto`` (the generated pages are server-rendered: nothing is rendered, the cost is the
  app-shell test on each page);
* ``render, shared browser``: ``--render`` with one Chromium kept running between scans (``BrowserHost``: a
  batch worker, the test suite), so each scan pays for its context and its pages only;
* ``render, own browser``: ``--render`` as ``trustaudit scan --render`` runs it: Chromium is started and
  stopped by the scan.

Median wall seconds of ``--reps`` runs each, and the pages rendered.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from shopserver import ShopServer, offline_registers  # noqa: E402

offline_registers()


def _no_dns() -> None:
    from trustaudit.net import resolve

    async def only_literals(self, host: str, port: int) -> list[str]:
        lit = resolve.ip_literal(host)
        return [lit] if lit else []

    resolve.SystemResolver.resolve = only_literals  # nothing of this benchmark may leave the machine


def _timed(fn, reps: int) -> tuple[list[float], object]:
    times, last = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - t0)
    return times, last


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay before every answer of the shop [0]")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args(argv)

    _no_dns()
    from trustaudit.crawl.browser import BrowserHost
    from trustaudit.options import ScanOptions
    from trustaudit.pipeline import scan

    results: dict[str, dict] = {}
    with ShopServer(1, seed=args.seed, n_templates=1, latency_ms=args.latency_ms) as server:
        url = server.urls[0]
        scan(url, ScanOptions())  # fills the vocabulary cache; not timed

        def run(name: str, options: ScanOptions, **kw) -> None:
            times, report = _timed(lambda: scan(url, options, **kw), args.reps)
            rendered = sum(1 for p in report.pages_fetched if p.get("rendered"))
            results[name] = {"median_s": round(statistics.median(times), 2), "runs_s": [round(t, 2) for t in times],
                             "pages": len(report.pages_fetched), "rendered": rendered}

        run("static", ScanOptions())
        run("auto", ScanOptions(render="auto"))
        with BrowserHost() as host:
            run("render, shared browser", ScanOptions(render="always"), browser=host)
            browser = host.chromium.name
        run("render, own browser", ScanOptions(render="always"))

    print(f"| scan of a generated 25-page shop ({browser}) | median wall s | runs | pages | rendered |")
    print("|---|---:|---|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['median_s']:.2f} | {', '.join(f'{t:.2f}' for t in r['runs_s'])} | {r['pages']} "
              f"| {r['rendered']} |")
    base = results["static"]["median_s"]
    for name in ("render, shared browser", "render, own browser"):
        print(f"{name}: {results[name]['median_s'] / base:.1f}x the static scan")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"browser": browser, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
