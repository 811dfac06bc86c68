"""One measurement in a fresh interpreter, so that peak RSS and CPU are this measurement's own.

    python benchmarks/_child.py scan  URL [--profile OUT.json]
    python benchmarks/_child.py floor URL [--concurrency N] [--max-pages N]
    python benchmarks/_child.py floor-many URLS.txt [--shops-concurrency N]   (the batch floor)
    python benchmarks/_child.py phases URL   CPU of each phase of one scan, as `trustaudit scan` runs it
    python benchmarks/_child.py steps -      CPU of each extraction step over the product-grid shop's pages

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
    """User + system CPU of this process and of its children reaped so far (a scan's extraction worker is
    reaped before the scan returns)."""
    ru, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime + kids.ru_utime + kids.ru_stime


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


def _phases(url: str) -> dict:
    """CPU (user + sys, all threads) of each phase of one scan in this fresh process, in the order a
    `trustaudit scan` process runs them: the imports of a scan, the vocabulary / rules / Public Suffix List
    (from the build cache), the crawl (fetching, decoding, parsing, link discovery and scoring), the extraction
    of every page, merge, rules, and rendering the terminal report. Each phase runs after the previous one
    (``pipeline.scan`` overlaps the first two with the crawl and extracts in the crawl's idle time)."""
    out: dict = {}
    c = _cpu()

    def lap(name: str) -> None:
        nonlocal c
        now = _cpu()
        out[name] = now - c
        c = now

    import trustaudit.cli  # noqa: F401
    import trustaudit.crawl.http  # noqa: F401
    import trustaudit.engine  # noqa: F401
    import trustaudit.extract as ex
    import trustaudit.pipeline as pl
    import trustaudit.render.terminal  # noqa: F401

    lap("imports")
    from trustaudit.engine import load_rules
    from trustaudit.web.sites import suffix_list, use_suffix_list

    use_suffix_list(pl._suffix_list)
    suffix_list()
    ex.load_vocabulary()
    load_rules()
    lap("vocabulary, rules, suffix list")
    from trustaudit.crawl import crawl
    from trustaudit.options import ScanOptions
    from trustaudit.web.html import ParseCache

    cache = ParseCache()
    snap = crawl(url, ScanOptions(), cache, scorer=pl.link_scorer())
    lap("crawl (fetch, decode, parse, links, link scoring)")
    facts = [ex.extract_page(p, None, cache) for p in snap.pages if ex.extractable(p)]
    lap("extraction (every page)")
    art = ex.merge(facts, snap)
    lap("merge")
    report = pl.build_report(snap, art)
    lap("rules, scores")
    from trustaudit.render import Format, render

    render(report, Format("table"), None)
    lap("terminal report")
    return {"phases": out, "pages": len(snap.pages)}


def _steps() -> dict:
    """CPU of each step of ``extract.page_steps`` (in its order) summed over the 25 pages of the product-grid
    shop, in this fresh process (the vocabulary loaded first; nothing else warm: the "links" step pays for
    scoring every anchor, which a scan shares with the crawl's link discovery), and the parse + link
    discovery the crawl does for each page."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import shopgen

    from trustaudit.extract import load_vocabulary
    from trustaudit.extract.page import _steps_of, page_steps
    from trustaudit.models import FetchedPage
    from trustaudit.web.html import ParseCache

    load_vocabulary()
    tpl = shopgen.generate_grid()
    pages = [FetchedPage(url="http://127.0.0.1:1" + path, status=200, text=pg.body.decode(tpl.encoding))
             for path, pg in tpl.pages.items()]
    steps_names = ("parse", "text", *(name for name, *_ in _steps_of(None, None)))  # page_steps' order
    out = dict.fromkeys(("crawl: parse + links", *steps_names), 0.0)
    for page in pages:
        cache = ParseCache()
        c = _cpu()
        _ = cache.get(page).links
        out["crawl: parse + links"] += _cpu() - c
        steps = page_steps(page, None, cache)
        for name in (*steps_names, None):
            c = _cpu()
            try:
                next(steps)
            except StopIteration:
                pass
            if name is not None:
                out[name] += _cpu() - c
    return {"steps": out, "pages": len(pages)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("scan", "floor", "floor-many", "phases", "steps"))
    ap.add_argument("url", help="shop URL (floor-many: a file with one URL per line)")
    ap.add_argument("--shops-concurrency", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--max-pages", type=int, default=25)
    ap.add_argument("--profile", default=None, help="save the pyinstrument session here")
    args = ap.parse_args(argv)
    if args.mode in ("phases", "steps"):
        print(json.dumps(_phases(args.url) if args.mode == "phases" else _steps()))
        return 0

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
                # the extraction worker a scan may fork (0: none): its own peak, pages shared with this one included
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "rss_after_imports_mb": rss_imports / 1024,
                "threads_cpu_total_s": ru.ru_utime + ru.ru_stime,
                **info,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
