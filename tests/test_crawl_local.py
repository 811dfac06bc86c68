"""Local targets: a saved page or a mirror folder, read from disk; never the network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from trustaudit.crawl import TargetError, crawl
from trustaudit.options import ScanOptions

HOME = """<!doctype html><html><head><meta charset="utf-8"><title>Sklep</title></head><body>
<nav><a href="produkty.html">Produkty</a></nav>
<footer>
  <a href="/kontakt/">Kontakt</a>
  <a href="regulamin.html#sec2">Regulamin</a>
  <a href="/polityka-prywatnosci">Polityka prywatności</a>
  <a href="https://sklep.example.pl/o-nas">O nas</a>
  <a href="//cdn.example.pl/x">cdn</a>
  <a href="mailto:biuro@sklep.example.pl">mail</a>
  <a href="../../../../etc/passwd">escape</a>
  <a href="logo.png">logo</a>
</footer></body></html>"""


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "sklep.example.pl"
    (root / "kontakt").mkdir(parents=True)
    (root / "index.html").write_text(HOME, encoding="utf-8")
    (root / "kontakt" / "index.html").write_text(
        "<html><body><h1>Kontakt</h1><footer><a href='../regulamin.html'>Regulamin</a></footer></body></html>",
        encoding="utf-8",
    )
    (root / "regulamin.html").write_bytes(
        "<html><head><meta charset='windows-1250'></head><body>Regulamin sklepu, Łódź</body></html>".encode("cp1250")
    )
    (root / "polityka-prywatnosci.html").write_text("<html><body>Polityka</body></html>", encoding="utf-8")
    (root / "produkty.html").write_text("<html><body>Produkty</body></html>", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return root


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a local target touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def names(snap, root: Path) -> list[str]:
    base = root.resolve().as_uri()
    return [p.url[len(base) + 1:] for p in snap.pages]


def test_folder_mirror(mirror, no_network):
    snap = crawl(str(mirror), ScanOptions())
    assert snap.local is True
    assert snap.base_url == snap.final_url == (mirror / "index.html").resolve().as_uri()
    got = names(snap, mirror)
    assert got[0] == "index.html"
    assert set(got) == {"index.html", "kontakt/index.html", "regulamin.html", "polityka-prywatnosci.html",
                        "produkty.html"}
    assert len(got) == len(set(got))
    assert "https://sklep.example.pl/o-nas" in snap.skipped_links
    assert "https://cdn.example.pl/x" in snap.skipped_links
    assert not any("passwd" in u for u in got)
    tls = snap.tls
    assert tls.checked is False and tls.https is None and tls.valid is None
    terms = next(p for p in snap.pages if p.url.endswith("regulamin.html"))
    assert "Łódź" in terms.text and terms.encoding == "windows-1250"
    assert all(p.url.startswith("file://") and p.status == 200 for p in snap.pages)
    assert snap.errors == () and snap.started_at.endswith("Z")


def test_trust_pages_come_first(mirror, no_network):
    snap = crawl(str(mirror), ScanOptions(max_pages=3))
    got = names(snap, mirror)
    assert len(got) == 3 and "produkty.html" not in got
    assert any(u.endswith("produkty.html") for u in snap.skipped_links)


def test_single_file_reads_only_its_folder(mirror, no_network):
    snap = crawl(str(mirror / "index.html"), ScanOptions())
    assert len(snap.pages) == 5  # siblings and subfolders are followed
    snap = crawl(str(mirror / "kontakt" / "index.html"), ScanOptions())
    got = names(snap, mirror / "kontakt")
    assert got[0] == "index.html"
    # ../regulamin.html is outside the start page's folder: a single saved page only reads its own folder
    assert len(got) == 1


def test_file_uri_target(mirror, no_network):
    snap = crawl((mirror / "index.html").resolve().as_uri(), ScanOptions())
    assert len(snap.pages) == 5


def test_folder_without_index_uses_the_only_html_file(tmp_path, no_network):
    (tmp_path / "saved.htm").write_text("<html><body>ok</body></html>", encoding="utf-8")
    (tmp_path / "style.css").write_text("body{}", encoding="utf-8")
    snap = crawl(str(tmp_path), ScanOptions())
    assert [p.url for p in snap.pages] == [(tmp_path / "saved.htm").resolve().as_uri()]


def test_folder_errors(tmp_path, no_network):
    with pytest.raises(TargetError, match="no HTML file"):
        crawl(str(tmp_path), ScanOptions())
    (tmp_path / "a.html").write_text("<p>a</p>")
    (tmp_path / "b.html").write_text("<p>b</p>")
    with pytest.raises(TargetError, match="2 HTML files"):
        crawl(str(tmp_path), ScanOptions())


def test_binary_or_empty_file_is_a_target_error(tmp_path, no_network):
    f = tmp_path / "page.html"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(TargetError, match="not a readable HTML page"):
        crawl(str(f), ScanOptions())
    f.write_bytes(b"")
    with pytest.raises(TargetError):
        crawl(str(f), ScanOptions())


def test_large_local_file_is_truncated(tmp_path, no_network):
    f = tmp_path / "big.html"
    f.write_bytes(b"<html><body>" + b"<p>x</p>" * 100_000)
    snap = crawl(str(f), ScanOptions(max_bytes=10_000))
    assert snap.pages[0].truncated and snap.pages[0].bytes == 10_000
    assert [e.kind for e in snap.errors] == ["too_large"]


def test_windows_1251_file_without_charset(tmp_path, no_network):
    text = ("<html><body><h1>Интернет-магазин</h1><p>Контакты, доставка по всей России, политика "
            "конфиденциальности, возврат товара.</p></body></html>")
    f = tmp_path / "index.html"
    f.write_bytes(text.encode("cp1251"))
    snap = crawl(str(tmp_path), ScanOptions())
    assert snap.pages[0].text == text and snap.pages[0].encoding == "windows-1251"


@pytest.mark.parametrize(("label", "codec", "text"), [
    ("iso-8859-1", "cp1252", "Impressum – Rückgabe und Widerruf, Größe, Straße"),
    ("iso-8859-2", "iso8859-2", "Regulamin sklepu: zwroty i reklamacje, Łódź, ul. Świętokrzyska"),
    ("windows-1251", "cp1251", "Контакты: доставка по всей России, возврат товара"),
    ("windows-1253", "cp1253", "Επικοινωνία: όροι χρήσης και πολιτική επιστροφών"),
])
def test_saved_utf8_pages_with_a_stale_legacy_meta(tmp_path, no_network, label, codec, text):
    """A saved page keeps its original <meta charset> while the browser wrote UTF-8 bytes: read UTF-8. The same
    page really in the declared encoding (not valid UTF-8) is read as declared."""
    html = f"<html><head><meta charset='{label}'></head><body><p>{text}</p></body></html>"
    (tmp_path / "utf8").mkdir()
    (tmp_path / "utf8" / "index.html").write_bytes(html.encode("utf-8"))
    snap = crawl(str(tmp_path / "utf8"), ScanOptions())
    assert text in snap.pages[0].text and snap.pages[0].encoding == "utf-8"
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "index.html").write_bytes(html.encode(codec))
    snap = crawl(str(tmp_path / "legacy"), ScanOptions())
    assert text in snap.pages[0].text and snap.pages[0].encoding == label.replace("iso-8859-1", "windows-1252")
