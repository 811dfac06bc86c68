"""A struck price is paired only with a price of the same product: the search for the price paid never leaves
one product's price block (a product card, an item of a list, a block with no other struck price). Product grids
show the current price before or after the struck one; pairing a struck price with the next card's price would
invent discounts (and a fake-shop signal) that the page does not show."""

from __future__ import annotations

import json

import pytest
from servers import TestServer, html
from typer.testing import CliRunner

from trustaudit.cli import app
from trustaudit.extract.page import extract_page
from trustaudit.models import FetchedPage

# prices of neighbouring cards very different, so that a pairing across cards shows as a large discount
PRICES = [(1135.81, 1300.00), (346.52, 399.00), (2499.00, 2899.00), (19.99, 24.99), (780.40, 899.00),
          (64.00, 79.00), (1549.00, 1699.00), (12.50, 15.00), (999.00, 1199.00), (205.10, 249.00)]


# names without digits: "Kubek 3 19,99 zł" would read as one amount, 319,99
NAMES = ["Aster", "Bez", "Cis", "Dąb", "Erika", "Fiołek", "Goździk", "Hortensja", "Irys", "Jaśmin"]


def _zl(v: float) -> str:
    return f"{v:,.2f}".replace(",", " ").replace(".", ",") + " zł"


def _facts(body: str):
    page = FetchedPage("https://sklep.example/kategoria", 200,
                       f'<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Kubki</title></head>'
                       f"<body>{body}</body></html>")
    return extract_page(page)


def _card(i: int, now: float, old: float, *, struck_first: bool, cls: str = "product-card", item: str = "li") -> str:
    pair = (f"<s>{_zl(old)}</s> <span class='now'>{_zl(now)}</span>" if struck_first
            else f"<span class='now'>{_zl(now)}</span> <s>{_zl(old)}</s>")
    attr = f' class="{cls}"' if cls else ""
    return (f'<{item}{attr}><a href="/p/kubek-{i}"><h3>Kubek {NAMES[i % len(NAMES)]}</h3></a><div class="price">{pair}</div>'
            f'<div class="stars">★★★★</div><button>Do koszyka</button></{item}>')


def _grid(struck_first: bool, **kw) -> str:
    wrap = "ul" if kw.get("item", "li") == "li" else "div"
    cards = "".join(_card(i, now, old, struck_first=struck_first, **kw) for i, (now, old) in enumerate(PRICES))
    return f'<main><h1>Kubki</h1><{wrap} class="grid">{cards}</{wrap}></main>'


def _true(pairs=PRICES) -> list[int]:
    return [round(100 * (1 - now / old)) for now, old in pairs]


@pytest.mark.parametrize("kw", [{}, {"cls": ""}, {"cls": "tile", "item": "div"}],
                         ids=["product-cards", "plain-list-items", "unknown-card-class"])
def test_a_grid_showing_the_current_price_first_invents_no_discount(kw):
    found = _facts(_grid(struck_first=False, **kw)).prices
    # the price paid stands before each struck price: nothing after it in its card, and the next card's price is
    # not this product's
    assert found.discounts == ()
    assert found.amounts == 2 * len(PRICES)


@pytest.mark.parametrize("kw", [{}, {"cls": ""}, {"cls": "tile", "item": "div"}],
                         ids=["product-cards", "plain-list-items", "unknown-card-class"])
def test_a_grid_showing_the_struck_price_first_pairs_each_card_with_its_own_price(kw):
    found = _facts(_grid(struck_first=True, **kw)).prices
    assert [d.percent for d in found.discounts] == _true()
    assert [(d.before, d.after) for d in found.discounts] == [(_zl(o), _zl(n)) for n, o in PRICES]


def test_a_struck_price_with_no_price_in_its_card_is_not_paired_with_the_next_card():
    # a sold-out card shows only its former price; the next cards show one price each, lower
    cards = (f'<li><a href="/p/a"><h3>Dzbanek</h3></a><div class="price"><del>{_zl(1299)}</del></div></li>'
             + "".join(f'<li><a href="/p/{i}"><h3>Kubek {NAMES[i % len(NAMES)]}</h3></a><div class="price">{_zl(n)}</div></li>'
                       for i, (n, _o) in enumerate(PRICES)))
    found = _facts(f"<main><ul>{cards}</ul></main>").prices
    assert found.discounts == ()


def test_mixed_grid_counts_only_the_cards_own_pairs():
    cards = "".join(_card(i, n, o, struck_first=i % 2 == 0, cls="") for i, (n, o) in enumerate(PRICES))
    found = _facts(f"<main><ul>{cards}</ul></main>").prices
    assert [d.percent for d in found.discounts] == [p for i, p in enumerate(_true()) if i % 2 == 0]


# --------------------------------------------------------------------------- near misses: one product, still read


def test_a_product_page_with_the_struck_price_in_a_sibling_block_is_a_discount():
    body = ('<main><div class="product-info"><h1>Dzbanek</h1><div class="price-box">'
            f'<div class="price-before"><s>{_zl(200)}</s></div><div class="price-now">{_zl(150)}</div></div>'
            '<p>Najniższa cena z 30 dni przed obniżką: 180,00 zł</p></div></main>')
    assert [(d.percent, d.after) for d in _facts(body).prices.discounts] == [(25, _zl(150))]


def test_a_card_whose_old_price_is_in_a_nested_span_is_a_discount():
    cards = "".join(f'<li class="product-card"><h3>Kubek {NAMES[i % len(NAMES)]}</h3><div class="price"><span class="old-price">'
                    f'<span class="amount">{_zl(o)}</span></span> <span class="price">{_zl(n)}</span></div></li>'
                    for i, (n, o) in enumerate(PRICES))
    found = _facts(f"<main><ul>{cards}</ul></main>").prices
    assert [d.percent for d in found.discounts] == _true()


def test_a_product_page_price_line_in_a_table_is_a_discount():
    body = (f"<table><tr><th>Cena</th><td><del>{_zl(120)}</del></td><td>{_zl(90)}</td></tr></table>")
    assert [d.percent for d in _facts(body).prices.discounts] == [25]


# --------------------------------------------------------------------------- reductions (offers) alike


def test_reductions_of_a_grid_count_only_cards_with_a_lower_price_of_their_own():
    # cards with no known class: a sold-out card (struck price alone) between cards with one lower price each
    cards = "".join(f'<div class="tile"><h3>Kubek {NAMES[i % len(NAMES)]}</h3><p>{_zl(n)}</p></div>' for i, (n, _o) in enumerate(PRICES))
    lone = f'<div class="tile"><h3>Dzbanek</h3><p><del>{_zl(1299)}</del></p></div>'
    red = _facts(f"<main><div class='grid'>{lone}{cards}</div></main>").offers.reductions
    assert red is None or red.total == 0


# --------------------------------------------------------------------------- the whole scan, through the CLI


def test_a_scan_of_a_grid_shop_claims_no_implausible_discount():
    # every card: the current price, then a struck price 10-20 % higher; neighbouring cards' prices far apart
    cards = "".join(_card(i, n, o, struck_first=False) for i, (n, o) in enumerate(PRICES * 3))
    page = (f'<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Sklep z kubkami</title></head>'
            f'<body><main><h1>Kubki</h1><ul class="product-grid">{cards}</ul></main></body></html>')
    with TestServer({"/": html(page), "/*": html(page)}) as srv:
        res = CliRunner().invoke(app, ["scan", srv.url + "/", "-q", "-f", "json", "--max-pages", "3"])
    assert res.exit_code in (0, 1), res.output
    checks = {c["id"]: c for c in json.loads(res.stdout)["checks"]}
    c = checks["security.implausible-discounts"]
    assert c["status"] != "fail", c
    # whatever the verdict, its evidence states no discount larger than the page's own (at most 23 %)
    args = [e["message"]["args"] for e in c["evidence"] if e.get("message")]
    assert args and all(a.get("top", 0) <= max(_true()) for a in args), c


def test_reductions_of_a_product_page_with_the_old_price_in_a_sibling_block_still_count():
    body = ('<main><div class="product-info"><h1>Dzbanek</h1><div class="price-box">'
            f'<div class="price-before"><s>{_zl(200)}</s></div><div class="price-now">{_zl(150)}</div></div>'
            '<p>Najniższa cena z 30 dni przed obniżką: 180,00 zł</p></div></main>')
    red = _facts(body).offers.reductions
    assert red is not None and (red.total, red.disclosed) == (1, 1)


def test_reductions_of_a_grid_of_like_cards_count_each_card_once():
    cards = "".join(f'<div class="tile"><h3>Kubek {NAMES[i]}</h3><p><del>{_zl(o)}</del> {_zl(n)}</p></div>'
                    for i, (n, o) in enumerate(PRICES))
    red = _facts(f"<main><div class='grid'>{cards}</div></main>").offers.reductions
    assert red is not None and red.total == len(PRICES)
