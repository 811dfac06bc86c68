"""Smoke test of the benchmark shop generator (benchmarks/shopgen.py): valid pages of the advertised sizes
and encodings, deterministic. No timing here: the benchmarks themselves never run in the test suite."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lxml.html
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))
shopgen = pytest.importorskip("shopgen")


@pytest.fixture(scope="module")
def templates():
    return shopgen.generate_templates(seed=7, count=4)  # pl utf-8, ru cp1251, el cp1253, ar cp1256


def test_templates_cover_the_advertised_encodings(templates):
    assert [(t.lang, t.encoding) for t in templates] == [
        ("pl", "utf-8"),
        ("ru", "cp1251"),
        ("el", "cp1253"),
        ("ar", "cp1256"),
    ]


def test_pages_sizes_encodings_and_markup(templates):
    for t in templates:
        assert len(t.pages) == shopgen.PAGES_PER_SHOP
        kinds = {p.kind for p in t.pages.values()}
        assert set(shopgen.TRUST_KINDS) <= kinds and {"home", "category", "product"} <= kinds
        for page in t.pages.values():
            assert shopgen.MIN_PAGE_BYTES <= len(page.body) <= shopgen.MAX_PAGE_BYTES, (t.key, page.path)
            text = page.body.decode(t.encoding)  # strict: the body really is in the advertised encoding
            assert f"charset={t.charset_label}" in text[:2000] or f'charset="{t.charset_label}"' in text[:2000]
            if page.gz is not None:
                import gzip

                assert gzip.decompress(page.gz) == page.body
        home = lxml.html.document_fromstring(t.pages["/"].body)
        hrefs = {a.get("href") for a in home.iter("a")}
        assert set(t.pages) - {"/"} <= hrefs, "every page is linked from the home page"
        blocks = [json.loads(s.text) for s in home.iter("script") if s.get("type") == "application/ld+json"]
        assert "Organization" in {b["@type"] for b in blocks}
        assert any(s.get("src", "").startswith("https://") for s in home.iter("script"))


def test_native_script_survives_the_legacy_encodings(templates):
    samples = {"pl": "Regulamin", "ru": "Контакты", "el": "Επικοινωνία", "ar": "اتصل بنا"}
    for t in templates:
        assert samples[t.lang] in t.pages["/"].body.decode(t.encoding)


def test_deterministic_and_personalised():
    a = shopgen.generate_templates(seed=3, count=1)[0]
    b = shopgen.generate_templates(seed=3, count=1)[0]
    assert {k: p.body for k, p in a.pages.items()} == {k: p.body for k, p in b.pages.items()}
    body = a.pages["/"].body
    assert shopgen.SHOP_ID_MARK in body
    served = shopgen.personalise(body, 42)
    assert len(served) == len(body) and b"000042" in served and shopgen.SHOP_ID_MARK not in served
