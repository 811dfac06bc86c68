"""The fast scans of the text extractors find exactly what the plain patterns they replace find.

ids / phones share one scan of a page for digits (text.number_scan) and replay from it the non-overlapping
matches of their own patterns; ID labels are looked for through a trie of the labels; company names are looked
for on candidate lines only; review blocks map class / id values to elements without element proxies. Each is
checked against the plain form on tricky strings and on random strings from a small alphabet (fixed seed).
"""

from __future__ import annotations

import random
import re

import pytest

from trustaudit.extract import company, ids, phones
from trustaudit.extract import text as T
from trustaudit.models import FetchedPage
from trustaudit.web.html import ParsedPage

_SEP = "[ \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012/-]"
DIGIT_RUN = re.compile(r"\d(?:" + _SEP + r"{0,3}\d){5,}")
REGISTER = re.compile(r"(?<![^\W_])(?:HRB|HRA|GnR|VR|PR)\s?\d")
PHONE = re.compile(r"[+(\d](?<![\w+/.,:-].)" + T.PHONE_TAIL + r"(?![\w/])")
EASTERN = re.compile("[\u0660-\u0669\u06f0-\u06f9]")

TRICKY = [
    "", "1", "12345", "123456", "12 345678", "1 2 3 4 5 6", "1    23456", "12.34.56", "12-34/56 7",
    "HRB 12345", "HRB12345", "xHRB 1", "_HRB 1", "GnR 5", "VR1 PR 2", "HRA  1", "HRB\n1", "PR -1",
    "\u0661\u0662\u0663\u0664\u0665\u0666", "1\u06623", "x \u06f5", "\u0967\u0968\u0969\u096a\u096b\u096c",
    "+48 22 654 32 10", "(0) 22 654 32 10", "0048 22 654 32 10", "tel:+48226543210", "a1234567", "/1234567",
    "(22) 654-32-10)\n12", "+ (48) 22 654 32 10", "00 (22) 654 32 10", "1.234.567,89", "12/05/2024 10:00",
    "123456 " * 40, "1" * 500, "1 " * 300, "+1 " * 100, "(" * 50 + "1234567", "\U0001d7ce" * 8 + " 1234567",
    "😀123456😀", "NIP: 526-104-08-28, REGON 012345678\nKRS 0000123456 tel. +48 22 654 32 10",
]
_ALPHABET = "0123456789" * 3 + "  \u00a0\u2009\u2013.-/+()\n,:" + "HRBAGnVP" + "ab_" + "\u0661\u06f5\u0967" + "😀"


def _fuzz(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 90))) for _ in range(n)]


STRINGS = TRICKY + _fuzz(3000, 7)


def test_id_anchors_are_the_plain_scans():
    for s in STRINGS:
        want = sorted({m.start() for m in DIGIT_RUN.finditer(s)} | {m.start() for m in REGISTER.finditer(s)})
        assert ids._anchors(s) == (want, bool(EASTERN.search(s))), s


def test_phone_candidates_are_the_plain_scan():
    for s in STRINGS:
        assert list(phones._candidates(s)) == [m.span() for m in PHONE.finditer(s)], s


def test_phone_candidates_of_a_page_longer_than_the_scan_limit():
    s = "\n".join(STRINGS)
    s = (s * (phones.MAX_SCAN // len(s) + 1))[: phones.MAX_SCAN]  # the text extract_phones reads, cut there
    assert list(phones._candidates(s)) == [m.span() for m in PHONE.finditer(s)]


def test_one_number_scan_per_page_shared_by_phones_and_ids(monkeypatch):
    """extract_page scans a page's digits once and hands the scan to both extractors, which read exactly what
    they read when each scans on its own."""
    import trustaudit.extract.page as page_mod
    from trustaudit.extract.ids import id_candidates
    from trustaudit.extract.page import extract_page
    from trustaudit.extract.phones import phone_candidates
    from trustaudit.models import FetchedPage

    html = "<html><body><p>KRS 0000412345</p><p>NIP 526-104-08-28, tel. +48 22 654 32 10</p></body></html>"
    page = FetchedPage(url="https://shop.example.pl/", status=200, text=html)
    calls = []

    def counting(text):
        calls.append(text)
        return T.number_scan(text)

    monkeypatch.setattr(page_mod, "number_scan", counting)
    facts = extract_page(page)
    assert len(calls) == 1
    pp = ParsedPage(page)
    assert list(facts.phones) == phone_candidates(pp) and facts.phones
    assert facts.ids == id_candidates(pp) and facts.ids.labels


def test_digit_class_is_every_digit():
    rx = re.compile("[" + T.digit_class() + "]")
    bmp = "".join(map(chr, range(0x10000)))
    assert rx.findall(bmp) == re.findall(r"\d", bmp)
    assert rx.match("\U0001d7ce") and rx.match("😀")  # outside the BMP: all let in (the patterns check \d)


@pytest.mark.parametrize("s", ["", "abc", "zażółć 123", "٣٠٠", "x" * 300 + "۵", "ł" * 300, "é" * 300 + "١"])
def test_ascii_digits(s):
    assert T.ascii_digits(s) == s.translate(T.DIGITS)


def test_id_labels_are_the_plain_search():
    c = ids.compiled()
    rng = random.Random(3)
    words = ["NIP", "nip", "Nr", "REGON", "KRS", "ИНН", "ΑΦΜ", "Α.Φ.Μ.", "USt-IdNr.", "VAT", "No", "UID", "IČO",
             "ICO", "HRB", "Company", "Registered", "in", "England", "x", "PL", "-", ":", " ", "\n", "1234"]
    for _ in range(1500):
        s = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        start, end = rng.randint(0, len(s)), rng.randint(0, len(s) + 4)
        want = [m.span() for m in c.label_re.finditer(s, start, end)]
        assert [m.span() for m in ids._labels(c, s, start, end)] == want, (s, start, end)


def _page(html: str) -> ParsedPage:
    return ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=html))


def test_company_candidate_lines_hold_every_match():
    cfg = company._cfg()
    rng = random.Random(5)
    forms = ["GmbH", "AG", "Sp. z o.o.", "sp. z o.o.", "s.r.o.", "a.s.", "ООО", "mbH", "Ltd", "S.A.", "e.K."]
    lines = []
    for _ in range(400):
        n = rng.choice([10, 100, 390, 396, 398, 399, 400, 401, 600])
        line = ("Acme " * 200)[:n]
        form = rng.choice(forms)
        at = max(0, rng.choice([n - len(form), 400 - len(form), rng.randint(0, n)]))
        line = (line[:at] + form + rng.choice(["", "x", " Foo", ",", "B"]) + line[at:])[: max(n, 1)]
        lines.append(line)
    text = "\n".join(lines)
    cand = company._candidate_lines(text, lines, cfg)
    for line in lines:
        cut = line[:400]
        if cfg["after"].search(cut) or cfg["before"].search(cut):
            assert line in cand, line
    assert company.company_names(_page("<pre>" + text + "</pre>"))  # some lines do hold a name


def test_review_candidates_are_the_elements_with_a_mark():
    marks = company._cfg()["review_markup"]
    html = (
        "<div id='Reviews'><p class='x'>a</p><div class='REVIEW big' id='r1'>b</div><span class=''>c</span>"
        "<section id='opinie' class='reviews'>d</section><div class='testimonialS'>e</div><i id='x'>f</i>"
        "<div class='nothing'>g</div><div id='customer-reviews-2' class='a b'>h</div></div>"
    )
    pp = _page(html)
    want = [el for el in pp.root.iter() if any(m in (el.get("class") or "").lower() or m in (el.get("id") or "").lower()
                                               for m in marks)]
    assert list(company._review_candidates(pp, marks)) == want
    assert len(want) == 5


def _vocabulary_texts(seed: int, n: int) -> list[str]:
    """Folded texts made of the vocabulary's own words: whole phrases, their first words followed by other
    words (the near misses a shortened trie stops at), glued words, punctuation and dashes."""
    from trustaudit.extract import pages as P
    from trustaudit.resources import load_yaml

    phrases = [str(p) for spec in (load_yaml("vocab/phrases.yaml") or {}).get("groups", {}).values()
               for lst in ((spec or {}).get("phrases") or {}).values() for p in lst or []]
    kinds = (load_yaml("vocab/pages.yaml") or {}).get("kinds") or {}
    phrases += [str(t) for spec in kinds.values() for lst in (spec.get("texts") or {}).values() for t in lst or []]
    words = sorted({w.rstrip("*") for p in phrases for w in p.split() if w != "..."})
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.3:
                parts.append(rng.choice(phrases).replace("*", rng.choice(["", "ami", "s"])).replace("...", "x y"))
            elif r < 0.6:
                p = rng.choice(phrases).split()
                parts.append(" ".join(p[: rng.randint(1, len(p))]) + " " + rng.choice(words))
            else:
                parts.append(rng.choice(words) + rng.choice(["", "", "x", "-", "—", "1"]))
            parts.append(rng.choice([" ", " ", ", ", ". ", " - ", "\n", "/"]))
        out.append(P.fold("".join(parts)))
    return out


def test_phrase_index_with_the_shortened_scan_finds_what_whole_phrases_find(monkeypatch):
    """The index's scan stops where the start of a phrase matches (first word and a few tokens); the phrases
    tried there decide. Against the same index built with a scan of whole phrases: the same hits, in order."""
    from trustaudit.extract import phrases as Ph

    short = Ph._index.build()[0]
    monkeypatch.setattr(Ph, "SCAN_TOKENS_AFTER_FIRST_WORD", 10_000)
    whole = Ph._index.build()[0]
    assert len(short._scan.pattern) < 0.7 * len(whole._scan.pattern)
    demo = [ParsedPage(FetchedPage(url=f"https://x/{i}", status=200, text=t)).folded_text
            for i, t in enumerate(_demo_html())]
    for text in _vocabulary_texts(11, 1500) + demo:
        assert list(short.finditer(text)) == list(whole.finditer(text)), text[:200]


def test_phrase_scanner_contains_and_search_are_the_plain_search():
    """pages' union of anchor phrases: ``contains`` (the trie alone) and ``search`` (trie + alternation) agree
    with ``phrase_regex(...).search``."""
    from trustaudit.extract import pages as P

    scanner = P.vocab.build().any_text
    plain = scanner.rx
    assert scanner._scan is not None
    for text in _vocabulary_texts(5, 3000):
        m = plain.search(text)
        assert scanner.contains(text) is (m is not None), text
        got = scanner.search(text)
        assert (got.span() if got else None) == (m.span() if m else None), text


def _demo_html() -> list[str]:
    from pathlib import Path

    from trustaudit.cli import demo_path

    return [p.read_text(encoding="utf-8") for p in sorted(Path(demo_path()).rglob("*.html"))]


_ICON_XPATH = ("//img[@alt] | //*[self::i or self::span or self::svg or self::em or self::b][@title or @aria-label"
               " or contains(@class, 'phone') or contains(@class, 'tel') or contains(@class, 'call')]")
_TITLED_XPATH = "//*[@title or @aria-label][not(self::img)]"
_ICON_HTML = [
    "<p><img src=a.png alt='Telefon'> 22 123 45 67</p><img src=b.png><img alt=''>",
    "<p><i class='fa fa-phone'></i><span title='Tel'>1</span><svg aria-label='x'></svg><em class='hotel'>"
    "<b class='Call'>2</b></em><b class='recall'></b><span class=''></span><I TITLE='T'>3</I></p>",
    "<div title='NIP'><img title='x' alt='y'><abbr title='Α.Φ.Μ.'>094259216</abbr><a aria-label='VAT'>1</a>"
    "<!-- c --><?pi x?><span title=''>2</span></div>",
    "<svg><title>t</title><g aria-label='tel'></g></svg><math title='m'></math>",
]


@pytest.mark.parametrize("html", _ICON_HTML + ["<html><body>" + "<div><img alt='p' src='x'><span>1</span></div>" * 300])
def test_icon_and_title_walks_are_the_xpaths(html):
    from lxml import etree

    pp = ParsedPage(FetchedPage(url="https://x/", status=200, text=html))
    assert list(phones._icons(pp.root)) == etree.XPath(_ICON_XPATH)(pp.root)
    assert list(ids._titled(pp.root)) == etree.XPath(_TITLED_XPATH)(pp.root)


def test_icon_and_title_walks_are_the_xpaths_on_the_demo_shop():
    from lxml import etree

    for html in _demo_html():
        root = ParsedPage(FetchedPage(url="https://x/", status=200, text=html)).root
        assert list(phones._icons(root)) == etree.XPath(_ICON_XPATH)(root)
        assert list(ids._titled(root)) == etree.XPath(_TITLED_XPATH)(root)
