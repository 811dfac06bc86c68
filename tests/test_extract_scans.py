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
from trustaudit.resources import load_yaml
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


def test_anchor_scores_skip_only_the_searches_that_cannot_match():
    """``text_scores`` searches only the kinds one of whose phrases starts with a word of the anchor (and skips
    an exclusion none of whose phrases can): the scores are those of searching every kind."""
    from trustaudit.extract import pages as P

    v = P.vocab.build()

    def plain(text: str) -> dict[str, float]:
        out: dict[str, float] = {}
        folded = P.fold(text)
        if not folded or len(folded) > 200:
            return out
        words = P._NONWORD.sub(" ", folded).strip()
        n_words = len(words.split()) if words else 0
        if n_words == 0 or n_words > 12:
            return out
        for k in v.kinds:
            if k.exclude_re is not None and k.exclude_re.search(folded):
                continue
            if words in k.whole:
                out[k.name] = 1.0
                continue
            m = k.text_re.search(folded) if k.text_re is not None else None
            if m:
                lead = P._NONWORD.sub("", folded[: m.start()])
                joined = P._joined_topic(folded[: m.start()], v.connectors)  # "Service & Reklamationen"
                out[k.name] = (0.8 if not lead or joined else 0.6) * (0.5 if n_words > 6 else 1.0)
        return out

    texts = [t[:rng_len] for t, rng_len in zip(_vocabulary_texts(5, 3000), [40, 90, 200] * 1000, strict=False)]
    kinds = (load_yaml("vocab/pages.yaml") or {}).get("kinds") or {}
    texts += [str(t).replace("*", "ing") for spec in kinds.values() for key in ("texts", "exclude")
              for lst in ((spec.get(key) or {}).values() if isinstance(spec.get(key), dict) else [spec.get(key)])
              for t in lst or []]
    scored = 0
    for text in texts:
        got = P.text_scores.__wrapped__(text)
        assert got == plain(text), text
        scored += bool(got)
    assert scored > len(texts) // 4  # the texts do name page kinds


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


def _attribute_pages() -> list[str]:
    """Pages whose elements carry every attribute the shared walk reads, with and without values."""
    rng = random.Random(9)
    attrs = ["class='a b'", "class=''", "id='x'", "id=''", "aria-labelledby='l'", "data-id='1'", "data-sku",
             "class='old-price'", "style='text-decoration: line-through'", "style='color: red'",
             "title='NIP'", "title=''", "aria-label='VAT number'", "itemtype='https://schema.org/Organization'",
             "typeof='schema:Product'", "itemscope", "href='/a'", "src='x.js'", "alt='Telefon'", "name='n'"]
    tags = ["div", "span", "img", "a", "p", "b", "i", "klarna-placement", "my-widget", "section", "s", "del", "li"]
    pages = []
    for _ in range(30):
        parts = []
        for _ in range(rng.randint(5, 400)):
            tag = rng.choice(tags)
            at = " ".join(rng.sample(attrs, rng.randint(0, 4)))
            text = rng.choice(["", "123 456 789", "NIP 526-104-08-28", "x", "129,99 zł", "99,00 zł -20%"])
            parts.append(f"<{tag} {at}>{text}</{tag}>")
        pages.append("<html><body>" + "".join(parts) + "<?php echo 1 ?></body></html>")
    return pages


def test_one_walk_of_the_attributes_gives_each_extractor_what_its_own_walk_gives():
    from trustaudit.extract import offers, platform, prices, structured, widgets
    from trustaudit.extract.attributes import page_attributes
    from trustaudit.extract.phrases import page_hits

    for i, html in enumerate(_demo_html() + _attribute_pages()):
        pp = ParsedPage(FetchedPage(url=f"https://shop.example/{i}", status=200, text=html))
        shared = page_attributes(pp, widgets.db().markup_tags)
        hits = page_hits(pp)
        alone, walked = widgets.scan_page(pp, hits), widgets.scan_page(pp, hits, shared)
        assert (alone.found, alone.text_only) == (walked.found, walked.text_only), i
        assert platform._views(pp) == platform._views(pp, shared), i
        assert ids.id_candidates(pp) == ids.id_candidates(pp, None, shared), i
        assert structured.extract_structured(pp) == structured.extract_structured(pp, shared), i
        assert prices.page_prices(pp) == prices.page_prices(pp, shared), i
        assert offers.page_offers(pp) == offers.page_offers(pp, shared), i


def test_amounts_looked_for_near_digits_are_the_plain_search():
    """Prices and offers look for amounts of money only near runs of digits (``text.finditer_near_digits``): the
    matches (spans and groups) are those of the pattern's own ``finditer``, on texts short and long, with
    currencies in any case (the prices' pattern ignores case), glued to words or not, a space of any kind or none
    between the currency and the amount."""
    from trustaudit.extract import offers, prices
    from trustaudit.extract.text import finditer_near_digits

    cfg, v = prices._cfg.build(), offers.vocab.build()
    assert cfg["near"] is not None and v.money_near is not None
    rng = random.Random(11)
    toks = offers.currency_tokens()[:60] + ["Zł", "ZŁ", "eur", "Usd", "KČ", "руб", "бел. руб"]
    parts = ["12", "1 299,00", "19.99", "0", "5", "100", "1.000,50", " ", "\n", "a", "xzł", "-", ".", ",", "K", "İ",
             "ſ", "é", "lorem ipsum ", "★★★ ", "%", "od ", "\u00a0", "\t", "\u2009", "\U0001d7d8", "ǅ"] + toks
    for _ in range(8000):
        t = "".join(rng.choice(parts) for _ in range(rng.randint(1, 60)))
        for rx, near in ((cfg["amount"], cfg["near"]), (v.money, v.money_near)):
            want = [(m.span(), m.groupdict()) for m in rx.finditer(t)]
            assert [(m.span(), m.groupdict()) for m in finditer_near_digits(rx, t, *near)] == want, t


def _grid_pages() -> list[str]:
    """Product grids and the markup around them that a one-pass read of an element's children must survive:
    children that are skipped tags, line breaks, processing instructions, text between the children, nested
    grids, a tag spelled with the Kelvin sign, and page text holding the pass's own marker characters."""
    rng = random.Random(11)
    kids = ["<li class='product-card'><a href='/p/1'><h3>Lampa {n}</h3></a><div class='price'><span>{a} zł</span> "
            "<s>{b} zł</s></div><p>Najniższa cena z 30 dni: {a} zł</p></li>",
            "<li><b>{n}</b>x<i>y</i><br>z<script>var p = '{b} zł';</script></li>",
            "<script>{n}</script>", "<style>.a{{}}</style>", "<br>", "<?pi {n}?>", "tekst {n} ",
            "<noscript>{a} zł</noscript>", "<template><s>{b} zł</s></template>",
            "<li><ul><li><del>{b} zł</del> {a} zł</li><li>a</li><li>b</li><li>c</li></ul></li>",
            "<div class='old-price'>{b} zł</div><div>{a} zł</div>", "<li>\ue000{n}\ue001</li>",
            "<li><LIN\u212a>{n}</LIN\u212a><tr>{a} zł</tr></li>"]
    pages = []
    for _ in range(30):
        parts = []
        for n in range(rng.randint(1, 60)):
            a = rng.randint(10, 900)
            parts.append(rng.choice(kids).format(n=n, a=f"{a},99", b=f"{a + rng.randint(-5, 300)},00"))
        body = "<ul class='product-grid'>" + "".join(parts) + "</ul>"
        pages.append("<html><body><main>" + (body * rng.randint(1, 3)) + "</main></body></html>")
    return pages


def test_element_texts_are_what_each_element_alone_gives():
    """``ElementTexts`` reads the lines of all the children of an element in one libxslt pass: every element's
    text is the one ``element_lines`` walks for it alone, whichever element is asked first, and the price
    extractors give the same facts with the texts shared as alone."""
    from trustaudit.extract import offers, prices
    from trustaudit.extract.elementtext import ElementTexts, joined_lines
    from trustaudit.web.html import text_of
    from trustaudit.web.text import collapse

    for i, html in enumerate(_demo_html() + _attribute_pages() + _grid_pages()):
        pp = ParsedPage(FetchedPage(url=f"https://shop.example/{i}", status=200, text=html))
        els = list(pp.elements)
        for order in (els, els[::-1]):
            texts = ElementTexts(pp)
            for el in order:
                assert texts.joined(el) == joined_lines(el), (i, el.tag)
                assert texts.collapsed(el) == collapse(text_of(el)), (i, el.tag)
        shared = ElementTexts(pp)
        assert prices.page_prices(pp, None, shared) == prices.page_prices(pp), i
        assert offers.page_offers(pp, None, shared) == offers.page_offers(pp), i


def test_element_texts_read_grids_in_one_pass():
    """The one-pass read is taken on a grid (not every element walked alone): a grid's cards are read by it."""
    from trustaudit.extract import elementtext

    card = "<li class='product-card'><h3>Lampa</h3><div><span>{0},99 zł</span> <s>{1},00 zł</s></div></li>"
    html = "<html><body><ul>" + "".join(card.format(n, n + 20) for n in range(10, 50)) + "</ul></body></html>"
    pp = ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=html))
    texts = elementtext.ElementTexts(pp)
    grid = next(pp.root.iter("ul"))
    cards = [c for c in grid if isinstance(c.tag, str)]
    texts.joined(cards[0])
    assert grid in texts._parents and all(c in texts._joined for c in cards)


def test_amount_written_from_its_first_digit_is_the_amount():
    """``offers.AMOUNT_AT_DIGIT`` (what the currency counts search for) finds exactly the matches of
    ``(?<![\\d.,])(?:AMOUNT)``, on texts of digits, separators, letters and other scripts' digits."""
    from trustaudit.extract.offers import AMOUNT, AMOUNT_AT_DIGIT

    plain, fast = re.compile(r"(?<![\d.,])(?:" + AMOUNT + r")(?![\d])"), re.compile(AMOUNT_AT_DIGIT + r"(?![\d])")
    rng = random.Random(5)
    alphabet = "0123456789 .,'’\u00a0\u202f-azł€\u0661\u06f2\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    texts += ["1 299,00 zł", "€1,299.00", "12.345.678,9", "0,5", ",99", "1.2.3", "1 2345", "x1'000'000.50"]
    for t in texts:
        assert [(m.span(), m.group()) for m in fast.finditer(t)] == [(m.span(), m.group()) for m in plain.finditer(t)], t
