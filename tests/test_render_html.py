"""HTML report: self-contained, escaped, structured, RTL-aware, and it really renders in Chromium.

Regenerate the README screenshot with ``python tests/test_render_html.py`` (writes docs/report-screenshot.png).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sample_reports import ALL, arabic_report, local_report, mixed_statuses, poor_shop, readme_example  # noqa: E402
from trustaudit.models import Status  # noqa: E402
from trustaudit.render import html  # noqa: E402

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(doc: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(doc)
    return p.tags


@pytest.mark.parametrize("name", sorted(ALL))
def test_self_contained_and_safe(name):
    doc = html.render(ALL[name]())
    tags = _tags(doc)
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "form", "input"}
    for tag, attrs in tags:
        for key in attrs:
            assert not key.startswith("on"), (tag, key)
            if key in ("src", "srcset", "background", "poster", "data"):
                pytest.fail(f"external resource attribute {key} on {tag}")
        if tag == "a":
            assert re.match(r"https?://", attrs["href"] or ""), attrs
            assert "noopener" in (attrs.get("rel") or "")
    assert "@import" not in doc and "url(" not in doc
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc


def test_page_text_is_escaped():
    doc = html.render(poor_shop())
    assert "<script" not in doc and "<img" not in doc and "<svg onload" not in doc
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert 'href="javascript' not in doc.lower() and 'href="data:' not in doc.lower()
    assert "javascript:alert(document.cookie)" in doc  # shown as text
    assert "\x1b" not in doc and "\u202e" not in doc and "\x00" not in doc


def test_sections_in_order_and_content():
    report = mixed_statuses()
    doc = html.render(report)
    order = ["top-fixes", "categories", "problems", "not-checked", "manual", "not-applicable", "passed",
             "pages", "errors"]
    positions = [doc.index(f'id="{s}"') for s in order]
    assert positions == sorted(positions)
    assert "Shopify admin → Settings → Policies" in doc  # fix_platform
    assert "The contact page timed out after 10 s." in doc  # error reason
    assert "Checkout requires an account." in doc  # manual reason
    assert "disabled in trustaudit.toml" in doc  # skipped by config
    assert "Inconclusive: blocked by bot protection on 2 pages" in doc
    assert '<details id="passed">' in doc  # passed checks collapsed
    assert doc.count("<svg") == 1 + len(report.categories)  # score ring + one bar per category
    assert f">{report.score}<" in doc and f"Grade {report.grade}<" in doc


def test_top_fixes_ordered_by_weight_to_gain():
    report = readme_example()
    doc = html.render(report)
    top = doc[doc.index('id="top-fixes"'): doc.index('id="categories"')]
    items = re.findall(r"<li><strong>(.*?)</strong>", top)
    gains = {c.title: c.gain for c in report.checks if c.status in (Status.FAIL, Status.WARN)}
    assert len(items) == min(5, len(gains))
    assert [gains[i] for i in items] == sorted((gains[i] for i in items), reverse=True)
    # the category weights count: a fix in a heavy, half-failed category outranks one with the same own weight
    assert items[0] == "No valid tax ID (NIP) found"


def test_lang_and_direction():
    assert re.search(r'<html lang="ar" dir="rtl">', html.render(arabic_report()))
    assert re.search(r'<html lang="en" dir="ltr">', html.render(mixed_statuses()))
    assert re.search(r'<html lang="pl" dir="ltr">', html.render(mixed_statuses(), "pl"))
    assert "Audyt wiarygodności sklepu" in html.render(mixed_statuses(), "pl")


def test_responsive_and_printable():
    doc = html.render(mixed_statuses())
    assert 'name="viewport"' in doc and "@media (max-width" in doc and "@media print" in doc


def test_local_target_without_tls():
    doc = html.render(local_report())
    assert "not checked (local target)" in doc
    assert 'href="file:' not in doc and "file:///home/anna/mirror/sklep/index.html" in doc


def test_page_title_column_only_when_pages_have_titles():
    import dataclasses

    report = mixed_statuses()
    assert "<th>Page title</th>" in html.render(report)
    bare = dataclasses.replace(report, pages_fetched=({"url": "https://x.example/", "status": 200, "bytes": 10},))
    assert "<th>Page title</th>" not in html.render(bare)


# --------------------------------------------------------------------------- Chromium

def screenshot(html_path: Path, png_path: Path, size: str = "1200,1600", timeout: float = 60) -> None:
    assert CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png_path}",
             f"--window-size={size}", html_path.resolve().as_uri()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False,
        )


def png_stats(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the decompressed image data) of a PNG, no Pillow."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (/usr/bin/chromium)")
def test_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html.render(readme_example()), encoding="utf-8")
    png = tmp_path / "shot.png"
    screenshot(page, png)
    assert png.is_file(), "Chromium wrote no screenshot"
    data = png.read_bytes()
    width, height, distinct = png_stats(data)
    assert (width, height) == (1200, 1600)
    # a blank page is a few KB of one colour; the report has text, bars and a score ring
    assert len(data) > 30_000 and distinct > 100


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "docs" / "report-screenshot.png"
    with tempfile.TemporaryDirectory() as d:
        page = Path(d) / "report.html"
        page.write_text(html.render(readme_example()), encoding="utf-8")
        screenshot(page, out)
    print(out)
