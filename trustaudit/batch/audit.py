"""What a batch does for one shop: ``audit_shop`` runs ``pipeline.scan``, writes the shop's JSON and HTML
reports (atomically) and returns a small ``ShopResult``; the Report object is dropped right there, so memory
does not grow with the number of shops. Used by the runner's threads and by worker processes (``pool.py``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trustaudit.batch import DEFAULT_CONCURRENCY
from trustaudit.batch.inputs import Shop, file_stem
from trustaudit.batch.store import FAILED, INCONCLUSIVE, OK, ShopResult, now_iso
from trustaudit.files import write_atomic
from trustaudit.options import ScanOptions
from trustaudit.render._text import clean_text

REPORTS_DIR = "reports"

ScanFn = Callable[..., Any]


@dataclass(frozen=True)
class BatchConfig:
    out_dir: Path
    options: ScanOptions = field(default_factory=ScanOptions)
    lang: str | None = None
    skip: Mapping[str, str] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    stuck_after: float | None = None  # seconds before a scan that does not return is given up on
    processes: int | None = None  # worker processes; None: min(CPUs, concurrency); 1: threads, in-process
    per_process: int | None = None  # scans at once in one worker process [pool.MAX_PER_PROCESS]

    def watchdog_s(self) -> float:
        if self.stuck_after is not None:
            return self.stuck_after
        return self.options.total_timeout * 1.5 + 60.0


def failed_result(
    shop: Shop, error: str, started: str | None = None, duration: float | None = None
) -> ShopResult:
    return ShopResult(
        url_key=shop.key,
        position=shop.position,
        url=shop.target if not shop.error else clean_text(shop.target, 500, newlines=False),
        status=FAILED,
        scanned_at=started or now_iso(),
        name=shop.name,
        country=shop.country,
        tags=shop.tags,
        error=clean_text(error, 300, newlines=False) or "error",
        duration_s=duration,
    )


def scan_stem(folder: Path, shop_stem: str, started: str) -> str:
    """``shop.example-1a2b3c4d5e-20250301T120000Z``: every scan its own report files (``history`` opens any of
    them; a new run never overwrites an old one). Two scans of one shop in the same second get ``-2``, ``-3``."""
    stamp = "".join(ch for ch in started if ch.isalnum())[:16] or "scan"
    stem = f"{shop_stem}-{stamp}"
    n = 1
    while (folder / f"{stem}.json").exists() or (folder / f"{stem}.html").exists():
        n += 1
        stem = f"{shop_stem}-{stamp}-{n}"
    return stem


def audit_shop(
    shop: Shop,
    cfg: BatchConfig,
    scan_fn: ScanFn | None = None,
    cancelled: threading.Event | None = None,
) -> ShopResult:
    """Scan one shop and write its reports. Never raises (except BaseException such as KeyboardInterrupt):
    a shop that cannot be scanned is a result with ``error`` - the TargetError message, or
    ``internal error: <type>`` for anything unexpected (never a traceback)."""
    from trustaudit.crawl import TargetError
    from trustaudit.render import Format, render

    started = now_iso()
    t0 = time.perf_counter()
    if shop.error:
        return failed_result(shop, shop.error, started, 0.0)
    if scan_fn is None:
        from trustaudit.pipeline import scan as scan_fn
    options = replace(cfg.options, country=shop.country or cfg.options.country)
    try:
        report = scan_fn(
            shop.target, options, lang=cfg.lang, skip=cfg.skip or None, weights=cfg.weights or None
        )
    except TargetError as exc:
        return failed_result(shop, str(exc) or "cannot be scanned", started, time.perf_counter() - t0)
    except Exception as exc:  # a hostile page must never stop the batch
        return failed_result(shop, f"internal error: {type(exc).__name__}", started, time.perf_counter() - t0)

    try:
        reports = Path(cfg.out_dir) / REPORTS_DIR
        reports.mkdir(parents=True, exist_ok=True)
        stem = scan_stem(reports, file_stem(shop.key), started)
        json_text = render(report, Format.JSON, cfg.lang)
        try:
            html_text: str | None = render(report, Format.HTML, cfg.lang)
        except Exception:  # the JSON report is the record; an HTML renderer bug costs only the HTML page
            html_text = None
        if cancelled is not None and cancelled.is_set():
            return failed_result(shop, "abandoned", started)
        json_name = f"{REPORTS_DIR}/{stem}.json"
        write_atomic(Path(cfg.out_dir) / json_name, json_text)
        html_name = None
        if html_text is not None:
            html_name = f"{REPORTS_DIR}/{stem}.html"
            write_atomic(Path(cfg.out_dir) / html_name, html_text)
        del json_text, html_text
        checks = json.dumps({c.id: c.status.value for c in report.checks}, separators=(",", ":"))
        inconclusive = report.inconclusive
        return ShopResult(
            url_key=shop.key,
            position=shop.position,
            url=shop.target,
            status=INCONCLUSIVE if report.score is None else OK,
            scanned_at=report.scanned_at or started,
            name=shop.name,
            country=report.country or shop.country,
            tags=shop.tags,
            score=report.score,
            grade=report.grade,
            error=clean_text(f"inconclusive: {inconclusive or 'no score'}", 300, newlines=False)
            if report.score is None
            else "",
            json_file=json_name,
            html_file=html_name,
            final_url=clean_text(report.final_url, 2000, newlines=False),
            duration_s=round(time.perf_counter() - t0, 3),
            checks=checks,
        )
    except OSError as exc:
        return failed_result(shop, f"cannot write report: {exc.strerror or type(exc).__name__}", started)
    except Exception as exc:
        return failed_result(shop, f"internal error: {type(exc).__name__}", started)


# --------------------------------------------------------------------------- the batch
