"""``summary.csv`` and ``index.html`` of a batch, streamed from the database rows (never from Reports).

Both are written to a temporary file and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import base64
import csv
import hashlib
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2

from trustaudit import __version__
from trustaudit.batch.store import FAILED, INCONCLUSIVE, OK, Run, ShopResult, Store
from trustaudit.files import replace_into_place
from trustaudit.render._text import clean_text, is_http_url

SUMMARY_COLUMNS = (
    "url",
    "name",
    "score",
    "grade",
    "error",
    "country",
    "tags",
    "report_html",
    "report_json",
    "scanned_at",
)
GRADE_ORDER = ("A", "B", "C", "D", "E", "F")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or tab / CR) gets a leading '."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def write_summary(store: Store, run_id: int, path: Path) -> int:
    """One row per input shop in input order. Returns the number of rows."""
    n = 0

    def write(fh) -> None:
        nonlocal n
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SUMMARY_COLUMNS)
        for r in store.results(run_id):
            w.writerow(
                [
                    csv_cell(v)
                    for v in (
                        r.url,
                        r.name,
                        r.score,
                        r.grade,
                        r.error,
                        r.country,
                        r.tags,
                        r.html_file,
                        r.json_file,
                        r.scanned_at,
                    )
                ]
            )
            n += 1

    replace_into_place(path, write)
    return n


# --------------------------------------------------------------------------- index.html

# Static (no interpolation): its hash goes into the Content-Security-Policy, so nothing else can run.
SCRIPT = """
(function () {
  var table = document.getElementById('shops');
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var grade = document.getElementById('grade');
  var count = document.getElementById('shown');
  var dir = {};
  function key(row, col) {
    var v = row.getAttribute('data-' + col);
    if (col === 'score' || col === 'pos') { return v === '' ? null : parseFloat(v); }
    return (v || '').toLowerCase();
  }
  function sortBy(col) {
    var d = dir[col] = -(dir[col] || (col === 'score' ? 1 : -1));
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      if (x === y) { return key(a, 'pos') - key(b, 'pos'); }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return (x < y ? -1 : 1) * d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.querySelectorAll('th button'), function (b) {
      var th = b.parentNode;
      th.setAttribute('aria-sort', b.getAttribute('data-sort') === col ? (d > 0 ? 'ascending' : 'descending') : 'none');
    });
  }
  function filter() {
    var g = grade.value, n = 0;
    rows.forEach(function (r) {
      var show = g === '' || r.getAttribute('data-grade') === g;
      r.hidden = !show;
      if (show) { n += 1; }
    });
    count.textContent = String(n);
  }
  Array.prototype.forEach.call(table.querySelectorAll('th button'), function (b) {
    b.addEventListener('click', function () { sortBy(b.getAttribute('data-sort')); });
  });
  grade.addEventListener('change', filter);
  filter();
})();
"""

SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src '{SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trustaudit.batch", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html.j2")


def _link(rel: str | None) -> str | None:
    if not rel:
        return None
    return quote(rel, safe="/")


def _row(r: ShopResult) -> dict[str, object]:
    url = clean_text(r.url, 300, newlines=False)
    return {
        "pos": r.position,
        "name": clean_text(r.name, 120, newlines=False),
        "url": url,
        "href": r.url if is_http_url(r.url) else None,
        "score": "" if r.score is None else int(r.score),
        "grade": r.grade or "",
        "filter_grade": r.grade or ("failed" if r.status == FAILED else "none"),
        "status": r.status,
        "error": clean_text(r.error, 300, newlines=False),
        "country": clean_text(r.country or "", 8, newlines=False),
        "tags": clean_text(r.tags, 120, newlines=False),
        "html": _link(r.html_file),
        "json": _link(r.json_file),
        "scanned_at": clean_text(r.scanned_at, 40, newlines=False),
    }


def chart(histogram: list[int]) -> dict[str, object]:
    """Geometry of the score distribution bar chart (inline SVG: no script, no request)."""
    width, height, pad, top = 600, 180, 28, 16
    n = len(histogram) or 1
    peak = max(histogram) if histogram and max(histogram) > 0 else 1
    bw = (width - 2 * pad) / n
    bars = []
    for i, c in enumerate(histogram):
        h = (height - pad - top) * c / peak
        lo = i * 100 // n
        hi = 100 if i == n - 1 else (i + 1) * 100 // n - 1
        bars.append(
            {
                "x": round(pad + i * bw + 2, 1),
                "y": round(height - pad - h, 1),
                "w": round(bw - 4, 1),
                "h": round(h, 1),
                "count": c,
                "label": f"{lo}–{hi}",
                "cx": round(pad + i * bw + bw / 2, 1),
                "tone": "bad" if hi < 50 else ("mid" if hi < 80 else "good"),
            }
        )
    return {"width": width, "height": height, "pad": pad, "bars": bars, "base": height - pad}


def write_index(store: Store, run: Run, path: Path, title: str | None = None) -> None:
    counts = store.count(run.id)
    grades = store.grade_counts(run.id)
    total = sum(counts.values())

    def rows() -> Iterator[dict[str, object]]:
        for r in store.results(run.id):
            yield _row(r)

    ctx = {
        "title": clean_text(title or "trustaudit batch", 200, newlines=False),
        "csp": CSP,
        "script": SCRIPT,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "version": __version__,
        "total": total,
        "ok": counts.get(OK, 0),
        "failed": counts.get(FAILED, 0),
        "inconclusive": counts.get(INCONCLUSIVE, 0),
        "grades": [(g, grades.get(g, 0)) for g in GRADE_ORDER],
        "chart": chart(store.score_histogram(run.id)),
        "rows": rows(),
        "shard": run.shard or "",
    }

    def write(fh) -> None:
        for chunk in _template().generate(**ctx):
            fh.write(chunk)

    replace_into_place(path, write)


def write_outputs(store: Store, run: Run, out_dir: Path, title: str | None = None) -> int:
    """summary.csv + index.html of a run; returns the number of shops."""
    n = write_summary(store, run.id, Path(out_dir) / "summary.csv")
    write_index(store, run, Path(out_dir) / "index.html", title)
    return n
