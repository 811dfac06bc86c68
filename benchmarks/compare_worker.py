"""Does the extraction worker change a report? Each generated shop scanned with it and without it.

    python benchmarks/compare_worker.py

Serves the 12 generated shops and the product-grid shop on loopback (``shopserver.py``) and scans each twice in
this process, as the CLI does (not strict, on the main thread): once as it comes (the worker forked once pages
wait, ``extract/worker.py``) and once with ``TRUSTAUDIT_FORK=0``. One request at a time (the pages are fetched in
the same order both times) and no register look-ups (their answers carry the time they were asked). The two
reports must be identical apart from the times they took; prints how many pages the worker extracted and exits 1
on any difference.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shopserver import ShopServer, offline_registers  # noqa: E402


def _comparable(report) -> str:
    d = asdict(report)
    d.pop("scanned_at")
    d.pop("duration_s")
    for page in d["pages_fetched"]:
        page.pop("elapsed_ms", None)
    return json.dumps(d, sort_keys=True, default=str)


def main() -> int:
    offline_registers()
    os.environ["TRUSTAUDIT_STRICT"] = "0"
    import trustaudit.pipeline as pipeline
    from trustaudit.options import ScanOptions

    by_worker: list[int] = []
    finish = pipeline.PageExtractor.finish

    def counted(self):
        facts = finish(self)
        by_worker.append(self.by_worker)
        return facts

    pipeline.PageExtractor.finish = counted
    options = ScanOptions(concurrency=1, verify=False)
    same = total = 0
    for grid in (False, True):
        with ShopServer(1, grid=True) if grid else ShopServer(12) as server:
            for url in server.urls:
                os.environ["TRUSTAUDIT_FORK"] = "1"
                forked = _comparable(pipeline.scan(url, options))
                pages = by_worker[-1]
                os.environ["TRUSTAUDIT_FORK"] = "0"
                alone = _comparable(pipeline.scan(url, options))
                total += 1
                same += forked == alone
                print(f"{url}{' (grid)' if grid else ''}: worker extracted {pages} pages, "
                      f"{'identical' if forked == alone else 'DIFFERENT'}")
    print(f"{same} of {total} reports identical with and without the worker")
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main())
