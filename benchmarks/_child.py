"""One measurement in a fresh interpreter, so that peak RSS and CPU are this measurement's own.

    python benchmarks/_child.py scan  URL [--profile OUT.json]
    python benchmarks/_child.py floor URL [--concurrency N] [--max-pages N]
    python benchmarks/_child.py floor-many URLS.txt [--shops-concurrency N]   (the batch floor)

Prints one JSON line: wall/CPU seconds of the measured work (imports excluded and reported apart), the
process's peak RSS (ru_maxrss, which includes the interpreter and imports) and RSS after imports.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def _rss_now_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# --------------------------------------------------------------------------------------------------- floor


async def _floor(url: str, concurrency: int, max_pages: int, user_agent: str) -> dict:
    """Fetch the home page, parse it, follow its same-origin links (breadth first) up to ``max_pages``; every
    body is parsed once with lxml and nothing else is done."""
    import asyncio
    from urllib.parse import urldefrag, urljoin, urlsplit

    import httpx
    import lxml.html

    origin = urlsplit(url)[:2]
    sem = asyncio.Semaphore(concurrency)
    seen = {url}
    fetched = 0
    total_bytes = 0

    async def one(client: httpx.AsyncClient, u: str) -> list[str]:
        nonlocal fetched, total_bytes
        async with sem:
            r = await client.get(u)
        fetched += 1
        total_bytes += len(r.content)
        if "html" not in r.headers.get("content-type", ""):
            return []
        charset = r.charset_encoding  # header charset only; else let libxml2 read <meta charset>
        doc = lxml.html.document_fromstring(r.text if charset else r.content)
        out = []
        for a in doc.iter("a"):
            href = a.get("href")
            if href:
                v = urldefrag(urljoin(u, href))[0]
                if urlsplit(v)[:2] == origin:
                    out.append(v)
        return out

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        timeout=10.0, limits=limits, follow_redirects=True, headers={"user-agent": user_agent}
    ) as client:
        level = [url]
        while level and fetched < max_pages:
            level = level[: max_pages - fetched]
            found = await asyncio.gather(*(one(client, u) for u in level))
            nxt = []
            for links in found:
                for v in links:
                    if v not in seen:
                        seen.add(v)
                        nxt.append(v)
            level = nxt
    return {"pages": fetched, "bytes": total_bytes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("scan", "floor", "floor-many"))
    ap.add_argument("url", help="shop URL (floor-many: a file with one URL per line)")
    ap.add_argument("--shops-concurrency", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--max-pages", type=int, default=25)
    ap.add_argument("--profile", default=None, help="save the pyinstrument session here")
    args = ap.parse_args(argv)

    t_imp = time.perf_counter()
    if args.mode == "scan":
        import trustaudit.crawl  # noqa: F401 - imported up front: import time is reported apart
        import trustaudit.crawl.http  # noqa: F401 - (the CLI imports it lazily, after argument parsing)
        import trustaudit.extract  # noqa: F401
        from trustaudit.options import ScanOptions
        from trustaudit.pipeline import scan
    else:
        import asyncio

        import httpx  # noqa: F401
        import lxml.html  # noqa: F401
    import_s = time.perf_counter() - t_imp
    rss_imports = _rss_now_kb()

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="enabled")
        profiler.start()
    cpu0, t0 = _cpu(), time.perf_counter()
    info: dict = {}
    if args.mode == "scan":
        report = scan(args.url, ScanOptions())
        info = {
            "pages": len([p for p in report.pages_fetched if p.get("status") == 200]),
            "requests": len(report.pages_fetched),
            "bytes": sum(p.get("bytes") or 0 for p in report.pages_fetched),
            "errors": len(report.errors),
            "score": report.score,
            "inconclusive": report.inconclusive,
            "shop_language": report.shop_language,
        }
    else:
        from trustaudit.options import DEFAULT_USER_AGENT

        if args.mode == "floor":
            info = asyncio.run(_floor(args.url, args.concurrency, args.max_pages, DEFAULT_USER_AGENT))
        else:
            with open(args.url, encoding="utf-8") as fh:
                urls = [x.strip() for x in fh if x.strip()]

            async def many() -> dict:
                sem = asyncio.Semaphore(args.shops_concurrency)

                async def shop(u: str) -> dict:
                    async with sem:
                        return await _floor(u, args.concurrency, args.max_pages, DEFAULT_USER_AGENT)

                got = await asyncio.gather(*(shop(u) for u in urls))
                return {
                    "shops": len(got),
                    "pages": sum(g["pages"] for g in got),
                    "bytes": sum(g["bytes"] for g in got),
                }

            info = asyncio.run(many())
    wall = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    if profiler is not None:
        profiler.stop()
        profiler.last_session.save(args.profile)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "mode": args.mode,
                "wall_s": wall,
                "cpu_s": cpu,
                "import_s": import_s,
                "peak_rss_mb": ru.ru_maxrss / 1024,
                "rss_after_imports_mb": rss_imports / 1024,
                "threads_cpu_total_s": ru.ru_utime + ru.ru_stime,
                **info,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
