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



# --------------------------------------------------------------------------- right-to-left: links stay intact

RTL_URL = "https://matjar.example.sa/ar/contact-us/"  # ends with a neutral "/": what bidi moves first
PROBE_CSS = (
    "<style>html, body { background: #fff !important; margin: 0 !important; }"
    " body *:not(:has(#probe)):not(#probe):not(#probe *) { display: none !important; }"
    " body * { visibility: hidden !important; }"
    " #probe, #probe * { visibility: visible !important; position: fixed !important; top: 10px !important;"
    " left: 10px !important; right: auto !important; width: max-content !important; margin: 0 !important;"
    " padding: 0 !important; font: 22px/1 monospace !important; color: #000 !important;"
    " text-decoration: none !important; background: #fff !important; }</style>"
)


def png_pixels(data: bytes) -> list[bytes]:
    """Rows of RGB(A) pixels of an 8-bit PNG (the PNG filters undone), no Pillow."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return [bytes(px for i, px in enumerate(row) if i % bpp < 3) for row in rows]  # RGB only


def ink(data: bytes) -> list[bytes]:
    """The drawn part of a screenshot: its rows cropped to the box of non-white pixels."""
    rows = png_pixels(data)
    white = b"\xff\xff\xff"
    inked = [y for y, r in enumerate(rows) if r.strip(white)]
    assert inked, "blank screenshot"
    cols = [i for r in rows for i in range(0, len(r), 3) if r[i:i + 3] != white]
    left, right = min(cols), max(cols) + 3
    return [r[left:right] for r in rows[inked[0]:inked[-1] + 1]]


def _probe_page(doc: str, url: str) -> str:
    """The report with only the first link to ``url`` shown, at a fixed place, in a fixed font."""
    tag = f'<a href="{url}"'
    assert tag in doc
    return doc.replace(tag, f'<a id="probe" href="{url}"', 1).replace("</head>", PROBE_CSS + "</head>", 1)


def _arabic_with_url():
    from dataclasses import replace

    from trustaudit.models import Evidence

    report = arabic_report()
    checks = tuple(
        replace(c, evidence=(Evidence(RTL_URL, "ABC 123"),)) if c.id == "legal.returns" else c for c in report.checks
    )
    return replace(report, checks=checks)


def test_urls_and_evidence_are_isolated_in_right_to_left_reports():
    doc = html.render(_arabic_with_url())
    assert '<html lang="ar" dir="rtl">' in doc
    links = [a for t, a in _tags(doc) if t == "a"]
    assert links and all(a.get("dir") == "ltr" for a in links)
    ids = [a for t, a in _tags(doc) if t == "code"]
    assert ids and all(a.get("dir") == "ltr" for a in ids)
    assert '<q class="snippet"><bdi>ABC 123</bdi></q>' in doc  # evidence text: isolated, its own direction


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (/usr/bin/chromium)")
def test_arabic_report_shows_links_as_they_are_written(tmp_path):
    """Screenshot of the evidence link in the Arabic report == screenshot of the same link on a left-to-right
    page; the same link without its direction (the near miss) renders differently, so the comparison can fail."""
    doc = html.render(_arabic_with_url())
    pages = {
        "rtl": _probe_page(doc, RTL_URL),
        "ltr": PROBE_CSS.join(("<!doctype html><html lang=\"ar\" dir=\"ltr\"><head><meta charset=\"utf-8\">",
                               f'</head><body><p><a id="probe" href="{RTL_URL}">{RTL_URL}</a></p></body></html>')),
        "broken": _probe_page(doc, RTL_URL).replace(
            f'<a id="probe" href="{RTL_URL}" rel="noopener noreferrer nofollow" dir="ltr">',
            f'<a id="probe" href="{RTL_URL}" rel="noopener noreferrer nofollow">', 1),
    }
    shots = {}
    for name, text in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(text, encoding="utf-8")
        png = tmp_path / f"{name}.png"
        screenshot(page, png, size="700,60")
        assert png.is_file(), f"Chromium wrote no screenshot of {name}"
        shots[name] = png.read_bytes()
    drawn = {name: ink(data) for name, data in shots.items()}  # where on the page does not matter, only what
    assert len(drawn["ltr"]) > 5 and len(drawn["ltr"][0]) > 300  # the link was drawn
    assert drawn["rtl"] == drawn["ltr"], "the URL in the Arabic report is not shown as written"
    assert drawn["broken"] != drawn["ltr"], "without dir=ltr the URL should be reordered (near miss)"


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "docs" / "report-screenshot.png"
    with tempfile.TemporaryDirectory() as d:
        page = Path(d) / "report.html"
        page.write_text(html.render(readme_example()), encoding="utf-8")
        screenshot(page, out)
    print(out)
