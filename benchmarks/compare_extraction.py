"""Is extraction output unchanged? Artifacts of an older revision and of this tree, field by field.

    python benchmarks/compare_extraction.py --old 4307b03 [--corpus ../shared/corpus/dev] [--keep DIR [--reuse]]

The inputs are made once, by the OLD tree (so both trees see exactly the same pages): every dev-corpus case
as ``trustaudit eval`` reads it and crawled as a local mirror, the demo shop, the 12 generated benchmark shops
and the product-grid shop, crawled over loopback (``shopserver.py``). Each tree then extracts every snapshot in
its own process (``_extract_dump.py``, ``PYTHONPATH`` = the tree) and the two ``Artifacts`` are compared field
by field. Prints every difference (for lists: what only one side has, or the same items in another order) and
exits 1 when there is any. Run by hand, like the benchmarks: it needs ``git`` and takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import export_tree  # noqa: E402
from shopserver import ShopServer  # noqa: E402

DUMP = str(HERE / "_extract_dump.py")


def _run(tree: Path, args: list[str], cache: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree), "TRUSTAUDIT_CACHE_DIR": str(cache)}
    r = subprocess.run([sys.executable, DUMP, *args], env=env, cwd=str(tree), capture_output=True, text=True,
                       timeout=1800, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"{tree}: {' '.join(args[:1])} failed:\n{r.stderr[-3000:]}")


def _key(x) -> str:
    return json.dumps(x, sort_keys=True, ensure_ascii=False)


def diff_field(old, new) -> list[str]:
    """Human-readable differences of one Artifacts field."""
    if isinstance(old, list) and isinstance(new, list):
        ko, kn = [_key(x) for x in old], [_key(x) for x in new]
        only_old = [x for x in ko if x not in kn]
        only_new = [x for x in kn if x not in ko]
        out = [f"  - only old: {x}" for x in only_old] + [f"  + only new: {x}" for x in only_new]
        if not out and ko != kn:
            out.append("  ~ same items, another order")
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new)):
            if old.get(k) != new.get(k):
                sub = diff_field(old.get(k), new.get(k))
                out += [f"  [{k}]"] + ["  " + s for s in sub] if sub else [f"  [{k}] {old.get(k)!r} -> {new.get(k)!r}"]
        return out
    return [f"  {old!r} -> {new!r}"]


def compare(old_dir: Path, new_dir: Path) -> tuple[int, int, list[str]]:
    lines: list[str] = []
    same = 0
    files = sorted(p.name for p in old_dir.glob("*.json"))
    for name in files:
        old = json.loads((old_dir / name).read_text(encoding="utf-8"))
        newp = new_dir / name
        if not newp.is_file():
            lines.append(f"{name}: missing in the new output")
            continue
        new = json.loads(newp.read_text(encoding="utf-8"))
        fields = [k for k in old if old[k] != new.get(k)] + [k for k in new if k not in old and new[k]]
        if not fields:
            same += 1
            continue
        for f in fields:
            if f not in old:
                lines.append(f"{name} :: {f} (new field): {_key(new[f])[:300]}")
                continue
            lines.append(f"{name} :: {f}")
            lines += diff_field(old[f], new.get(f))
    return same, len(files), lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="git revision to compare against")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "dev"))
    ap.add_argument("--keep", default=None, help="keep snapshots and outputs in this folder")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: reuse the snapshots and the old tree's output already in that folder")
    a = ap.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="ta-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    if not (a.reuse and (work / "old").is_dir() and any((work / "old").glob("*.json"))):
        old_tree = export_tree(a.old, work / "old-tree")
        corpus = Path(a.corpus)
        with ShopServer(12, a.seed) as shops, ShopServer(1, a.seed, grid=True) as grid:
            args = ["snapshots", str(work / "snapshots")]
            if corpus.is_dir():
                args += ["--corpus", str(corpus)]
            for u in shops.urls + grid.urls:
                args += ["--shop", u]
            print(f"snapshots (crawled by {a.old}) ...", file=sys.stderr)
            _run(old_tree, args, work / "cache-old")
        print(f"extracting with {a.old} ...", file=sys.stderr)
        _run(old_tree, ["extract", str(work / "snapshots"), str(work / "old")], work / "cache-old")
    print("extracting with this tree ...", file=sys.stderr)
    _run(ROOT, ["extract", str(work / "snapshots"), str(work / "new")], work / "cache-new")
    same, total, lines = compare(work / "old", work / "new")
    print(f"{same} of {total} inputs identical field by field ({a.old} vs this tree); outputs in {work}")
    print("\n".join(lines))
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main())
