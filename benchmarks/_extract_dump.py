"""Worker of ``compare_extraction.py``, run with ``PYTHONPATH`` set to one source tree of trustaudit.

    python _extract_dump.py snapshots OUT_DIR [--corpus DIR] [--shop URL ...]   crawl / read the inputs once
    python _extract_dump.py extract SNAP_DIR OUT_DIR                             Artifacts of every snapshot

``snapshots`` writes one JSON file per input (the ``SiteSnapshot`` as a dict): every dev-corpus case as
``evaluation.case_snapshot`` reads it, every case folder crawled as a local mirror, the demo shop, and every
shop URL given (crawled over loopback). ``extract`` reads them back into this tree's ``SiteSnapshot`` and writes
``dataclasses.asdict(Artifacts)`` of each, so that two trees are compared on exactly the same pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path


def _jsonable(obj):
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict) or hasattr(obj, "items"):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(x) for x in obj]
    if hasattr(obj, "value") and type(obj).__module__.startswith("trustaudit"):
        return obj.value  # str enums
    return obj


def _build(cls, data: dict):
    """``cls(**data)`` for the fields this tree's dataclass knows; lists become tuples."""
    from trustaudit.models import FetchedPage, FetchError, TlsInfo

    nested = {"pages": FetchedPage, "errors": FetchError, "tls": TlsInfo}
    kw = {}
    names = {f.name for f in dataclasses.fields(cls)}
    for k, v in data.items():
        if k not in names:
            continue
        if k in nested and cls.__name__ == "SiteSnapshot":
            sub = nested[k]
            v = tuple(_build(sub, x) for x in v) if isinstance(v, list) else _build(sub, v)
        elif isinstance(v, list):
            v = tuple(v)
        kw[k] = v
    return cls(**kw)


def snapshots(out: Path, corpus: Path | None, shops: list[str]) -> None:
    from trustaudit.crawl import crawl
    from trustaudit.options import ScanOptions

    try:  # the crawl is given the page-kind link scorer, as pipeline.scan gives it
        from trustaudit.pipeline import link_scorer

        kw = {"scorer": link_scorer()}
    except ImportError:  # a tree from before: its crawl found the scorer itself
        kw = {}

    def crawl_(target: str):
        return crawl(target, ScanOptions(), **kw)

    out.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, object]] = []
    if corpus is not None:
        from trustaudit.evaluation import case_snapshot

        for case in sorted(p for p in corpus.iterdir() if (p / "labels.json").is_file()):
            items.append((f"corpus-{case.name}", case_snapshot(case)))
            items.append((f"mirror-{case.name}", crawl_(str(case))))
    demo = Path(__import__("trustaudit").__file__).parent / "demo"
    items.append(("demo", crawl_(str(demo))))
    for i, url in enumerate(shops):
        items.append((f"shop-{i:02d}", crawl_(url)))
    for name, snap in items:
        (out / f"{name}.json").write_text(json.dumps(_jsonable(snap), ensure_ascii=False), encoding="utf-8")


def extract_all(snap_dir: Path, out: Path) -> None:
    from trustaudit.extract import extract
    from trustaudit.models import SiteSnapshot

    try:
        from trustaudit.web.html import ParseCache
    except ImportError:  # a tree from before the web layer
        from trustaudit.extract.parse import ParseCache
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(snap_dir.glob("*.json")):
        snap = _build(SiteSnapshot, json.loads(path.read_text(encoding="utf-8")))
        art = extract(snap, ParseCache(), None)
        (out / path.name).write_text(json.dumps(_jsonable(art), ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("snapshots", "extract"))
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--shop", action="append", default=[])
    a = ap.parse_args()
    if a.mode == "snapshots":
        snapshots(Path(a.paths[0]), Path(a.corpus) if a.corpus else None, a.shop)
    else:
        extract_all(Path(a.paths[0]), Path(a.paths[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
