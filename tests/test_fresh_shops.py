"""Report truth on shops the rest of the suite has not seen, each served on loopback and scanned through the real
CLI as a new user would (``trustaudit scan URL -f json``): a check passes only on what the pages show, fails only
when the thing is absent from what was read, and its title says what was found.

Each case has its passing twin (the same shop with the thing really there) and a near miss.
"""

from __future__ import annotations

import json

from servers import html
from typer.testing import CliRunner

from trustaudit.cli import app

runner = CliRunner()


def _page(title: str, body: str, lang: str = "en") -> tuple[int, dict[str, str], bytes]:
    return html(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body>{body}</body></html>")


def _scan(url: str, *extra: str) -> dict:
    res = runner.invoke(app, ["scan", url, "-f", "json", "--no-verify", "--timeout", "3", "--max-pages", "12", *extra])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _checks(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["checks"]}


# --------------------------------------------------------------------------- a "soft 404" policy page

PL_HOME = """<h1>Pościel lniana</h1><p>Komplet pościeli lnianej 349,00 zł</p>
<footer><a href="/regulamin">Regulamin</a> <a href="/polityka-prywatnosci">Polityka prywatności</a>
<a href="/kontakt">Kontakt</a>
<p>Len Sp. z o.o., ul. Lniana 5, 00-001 Warszawa, NIP 5260250274, tel. +48 22 123 45 67, sklep@len.example</p></footer>"""
PL_CONTACT = _page("Kontakt", "<h1>Kontakt</h1><p>Tel. +48 22 123 45 67, sklep@len.example</p>", "pl")
# what a shop platform answers, with status 200, for a page that was deleted
PL_SOFT_404 = _page("Strona nie istnieje - Sklep Len",
                    "<h1>Strona nie istnieje</h1><p>Niestety, strona której szukasz nie została znaleziona.</p>", "pl")


def test_a_policy_link_to_a_page_not_found_message_served_with_200_is_not_a_published_policy(serve):
    shop = serve({"/": _page("Sklep Len", PL_HOME, "pl"), "/regulamin": PL_SOFT_404,
                  "/polityka-prywatnosci": PL_SOFT_404, "/kontakt": PL_CONTACT})
    checks = _checks(_scan(shop.url + "/", "--lang", "pl"))
    for rule in ("policies.terms", "policies.privacy"):
        c = checks[rule]
        assert c["status"] == "fail", c
        assert c["messages"]["title"]["id"] == "outcome.page_missing.title"
        assert "strona nie istnieje" in c["title"]
        assert "/regulamin" in c["fix"] or "/polityka-prywatnosci" in c["fix"]
    assert checks["contact.page"]["status"] == "pass"  # the working link still counts


def test_the_same_links_to_real_pages_pass_and_a_policy_that_mentions_not_found_items_still_counts(serve):
    terms = _page("Regulamin sklepu - Sklep Len", "<h1>Regulamin sklepu</h1><p>Regulamin określa zasady sprzedaży. "
                  "Jeśli nie znaleziono produktu w magazynie, zwracamy pieniądze.</p>", "pl")
    privacy = _page("Polityka prywatności", "<h1>Polityka prywatności</h1><p>Administratorem danych jest Len Sp. z o.o."
                    " Strona nie zbiera danych bez zgody.</p>", "pl")
    shop = serve({"/": _page("Sklep Len", PL_HOME, "pl"), "/regulamin": terms, "/polityka-prywatnosci": privacy,
                  "/kontakt": PL_CONTACT})
    checks = _checks(_scan(shop.url + "/", "--lang", "pl"))
    assert checks["policies.terms"]["status"] == "pass"
    assert checks["policies.privacy"]["status"] == "pass"
