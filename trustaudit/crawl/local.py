"""Crawl a saved mirror (a folder) or a single saved page from disk. Never touches the network.

Links between local files are followed (``kontakt.html``, ``../regulamin/``, and root-relative ``/kontakt/``
resolved inside the mirror folder to ``kontakt/index.html`` or ``kontakt.html``); links to the live site are
recorded in ``SiteSnapshot.skipped_links`` and not fetched. Nothing outside the mirror folder is read.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from trustaudit.crawl.common import CrawlObserver, ShellTest, TargetError
from trustaudit.crawl.encoding import decode_html, looks_binary
from trustaudit.crawl.priority import FALLBACK, Ranker, Scorer
from trustaudit.models import FetchedPage, FetchError, SiteSnapshot, TlsInfo
from trustaudit.options import ScanOptions
from trustaudit.web.html import ParseCache

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"})
INDEX_NAMES = ("index.html", "index.htm")
MAX_DEPTH = 3
MAX_SKIPPED = 200


def find_start(folder: Path) -> Path:
    for name in INDEX_NAMES:
        p = folder / name
        if p.is_file():
            return p
    htmls = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".html", ".htm"))
    if len(htmls) == 1:
        return htmls[0]
    if not htmls:
        raise TargetError(f"no HTML file in folder {folder}")
    raise TargetError(f"folder {folder} has {len(htmls)} HTML files and no index.html; name the start page")


def _read(path: Path, limit: int) -> tuple[bytes, bool]:
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return (data[:limit], True) if len(data) > limit else (data, False)


class LocalCrawl:
    def __init__(self, target: str, path: Path, options: ScanOptions, cache: ParseCache, observer,
                 scorer: Scorer | None = None, app_shell: ShellTest | None = None):
        self.target = target
        self.scorer = scorer or FALLBACK
        self.app_shell = app_shell
        self.options = options
        self.cache = cache
        self.observer: CrawlObserver | None = observer
        path = path.expanduser()
        if path.is_dir():
            self.root = path.resolve()
            self.start = find_start(self.root).resolve()
        elif path.is_file():
            self.start = path.resolve()
            self.root = self.start.parent
        else:
            raise TargetError(f"no such file or folder: {path}")
        self.pages: list[FetchedPage] = []
        self.errors: list[FetchError] = []
        self.skipped: list[str] = []
        self._skipped_set: set[str] = set()

    def run(self) -> SiteSnapshot:
        started_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        t0 = time.monotonic()
        deadline = t0 + max(0.1, self.options.total_timeout)
        max_pages = max(1, self.options.max_pages)
        scorer = Ranker(self.scorer)
        home = self._load(self.start, 0)
        if home is None or not home.text:
            why = self.errors[-1].error if self.errors else "empty file"
            raise TargetError(f"{self.start} is not a readable HTML page ({why})")
        self._record(home)
        seen = {self.start}
        frontier: list[tuple[float, int, Path, int]] = []
        seq = 0

        def discover(page: FetchedPage, path: Path, depth: int) -> None:
            nonlocal seq
            for link in self.cache.get(page).links:
                target = self._resolve(link.href, path)
                if target is None or target in seen:
                    continue
                seen.add(target)
                seq += 1
                score = scorer.score(link._replace(url=target.as_uri()))
                heapq.heappush(frontier, (-score, seq, target, depth))

        discover(home, self.start, 1)
        limit_hit: str | None = None
        while frontier and len(self.pages) < max_pages:
            if time.monotonic() > deadline:
                self._error(self.root.as_uri(), "crawl time limit reached", "limit")
                limit_hit = "total_timeout"
                break
            _, _, path, depth = heapq.heappop(frontier)
            page = self._load(path, depth)
            if page is None:
                continue
            self._record(page)
            if page.text and depth < MAX_DEPTH:
                discover(page, path, depth + 1)
        if frontier and limit_hit is None:
            limit_hit = "max_pages"
        for _, _, path, _ in sorted(frontier):
            self._skip(path.as_uri())
        return SiteSnapshot(
            target=self.target,
            base_url=self.start.as_uri(),
            final_url=self.start.as_uri(),
            local=True,
            pages=tuple(self.pages),
            errors=tuple(self.errors),
            tls=TlsInfo(),
            skipped_links=tuple(self.skipped),
            started_at=started_at,
            duration_s=round(time.monotonic() - t0, 3),
            limit_hit=limit_hit,
        )

    # ------------------------------------------------------------------ helpers
    def _record(self, page: FetchedPage) -> None:
        self.pages.append(page)
        if self.observer is not None:
            self.observer.page_fetched(page)

    def _error(self, url: str, message: str, kind: str) -> None:
        err = FetchError(url, message, kind)
        self.errors.append(err)
        if self.observer is not None:
            self.observer.page_failed(err)

    def _skip(self, url: str) -> None:
        if url not in self._skipped_set and len(self.skipped) < MAX_SKIPPED:
            self._skipped_set.add(url)
            self.skipped.append(url)

    def _load(self, path: Path, depth: int) -> FetchedPage | None:
        uri = path.as_uri()
        t0 = time.monotonic()
        try:
            body, truncated = _read(path, self.options.max_bytes)
        except OSError as e:
            self._error(uri, f"cannot read {path.name}: {e.strerror or e}", "error")
            return None
        text, encoding = "", None
        if looks_binary(body):
            self._error(uri, "binary content, not HTML", "not_html")
        else:
            text, encoding = decode_html(body, None)
        if truncated:
            self._error(uri, f"file larger than {self.options.max_bytes} bytes; truncated", "too_large")
        page = FetchedPage(
            url=uri,
            status=200,
            text=text,
            requested_url=uri,
            headers={},
            content_type="text/html" if text else "",
            encoding=encoding,
            bytes=len(body),
            elapsed_ms=int((time.monotonic() - t0) * 1000),
            truncated=truncated,
            depth=depth,
        )
        if text and self.app_shell is not None:
            try:
                if self.app_shell(self.cache.get(page)):
                    page = replace(page, app_shell=True)  # saved before its scripts ran: its content is not there
            except Exception:  # noqa: BLE001 - a failing test means "not known to be a shell"
                pass
        return page

    def _resolve(self, href: str, current: Path) -> Path | None:
        """A link as written -> an HTML file inside the mirror, or None (recording live links as skipped)."""
        href = (href or "").strip()
        if not href or href.startswith("#"):
            return None
        try:
            parts = urlsplit(href)
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") or href.startswith("//"):
            self._skip(href if scheme else "https:" + href)
            return None
        if scheme == "file":
            candidate = Path(url2pathname(parts.path))
        elif scheme:
            return None  # mailto:, tel:, javascript:, data:, ...
        else:
            raw = unquote(parts.path)
            if not raw:
                return None
            candidate = self.root / raw.lstrip("/") if raw.startswith("/") else current.parent / raw
        return self._html_file(candidate, trailing_slash=href.split("?")[0].split("#")[0].endswith("/"))

    def _html_file(self, candidate: Path, trailing_slash: bool) -> Path | None:
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None  # never read outside the mirror
        options: list[Path] = []
        if resolved.is_dir():
            options = [resolved / n for n in INDEX_NAMES]
        elif resolved.is_file() and not trailing_slash:
            options = [resolved]
        else:
            options = [resolved.with_name(resolved.name + ".html"), resolved.with_name(resolved.name + ".htm")]
        for opt in options:
            if opt.is_file() and (opt.suffix.lower() in HTML_SUFFIXES or opt.suffix == ""):
                return opt
        return None


def crawl_local(target: str, path: Path, options: ScanOptions, cache: ParseCache, observer=None,
                scorer: Scorer | None = None, app_shell: ShellTest | None = None) -> SiteSnapshot:
    return LocalCrawl(target, path, options, cache, observer, scorer, app_shell).run()
