"""Fake-shop signals the published studies rank highest, each a check with a passing page and a near miss:
implausible discounts across the catalogue (prices read per page), a free-mail business contact, prepayment by
bank transfer as the only way to pay, and the register checks' verdicts from the register answers a scan carries
(``Facts.registry``). "Could not check" is never a pass or a fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract.prices import page_prices, parse_number
from trustaudit.models import Artifacts, FetchedPage, TaxId, TlsInfo
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan
from trustaudit.web.html import ParsedPage


def prices_of(body: str):
    return page_prices(ParsedPage(FetchedPage("https://shop.example/", 200, f"<html><body>{body}</body></html>")))


def scan_page(tmp_path: Path, body: str, lang: str = "pl", country: str = "PL"):
    path = tmp_path / "index.html"
    path.write_text(f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Sklep</title></head>'
                    f"<body>{body}</body></html>", encoding="utf-8")
    return {c.id: c for c in scan(str(path), ScanOptions(country=country)).checks}


# --------------------------------------------------------------------------- prices on a page


@pytest.mark.parametrize("raw, value", [("1 299,00", 1299.0), ("1,299.00", 1299.0), ("1.299", 1299.0),
                                        ("19,99", 19.99), ("1.299,5", 1299.5), ("2 000", 2000.0), ("100", 100.0)])
def test_numbers_as_shops_write_them(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("body, percent", [
    # WooCommerce: <del> before, <ins> after
    ('<p class="price"><del><span class="amount">100,00&nbsp;zł</span></del> <ins>20,00&nbsp;zł</ins></p>', 80),
    # Shopify Dawn: the compare-at price in <s class="price-item--regular">, the sale price after it
    ('<div class="price__sale"><span class="visually-hidden">Regular price</span><span><s class="price-item '
     'price-item--regular">€100,00</s></span><span class="visually-hidden">Sale price</span>'
     '<span class="price-item price-item--sale">€15,00</span></div>', 85),
    # PrestaShop: the regular price by class, the badge, then the price
    ('<div><span class="regular-price">250,00 zł</span> <span class="discount-percentage">-80%</span> '
     '<span class="price">50,00 zł</span></div>', 80),
    # an inline line-through
    ('<div><span style="text-decoration: line-through">$40.00</span> <b>$30.00</b></div>', 25),
])
def test_a_crossed_out_price_followed_by_a_lower_one_is_a_discount(body, percent):
    found = prices_of(body)
    assert [d.percent for d in found.discounts] == [percent]
    assert found.amounts == 2


@pytest.mark.parametrize("body", [
    '<p><del>Darmowa dostawa tylko dziś</del> Kubek 39 zł</p>',  # struck-through text, not a price
    '<p><span class="price-item price-item--regular">€30,00</span></p>',  # a theme's regular price, no sale
    '<p><del>30,00 zł</del> <ins>45,00 zł</ins></p>',  # the price went up: no discount
    '<p><span class="discount">-80%</span> Kubek 39 zł</p>',  # a badge alone is not a price pair
    '<div class="card"><del>Kubek 39 zł Talerz 49 zł</del></div>',  # a whole sold-out card struck through
])
def test_near_misses_are_not_discounts(body):
    assert prices_of(body).discounts == ()


def _catalogue(cut: int, n: int, normal: int = 0) -> str:
    items = "".join(f"<li>Kubek {i} <del>{100 + i},00 zł</del> <ins>{round((100 + i) * (100 - cut) / 100)},00 zł"
                    f"</ins></li>" for i in range(n))
    items += "".join(f"<li>Talerz {i} {40 + i},00 zł</li>" for i in range(normal))
    return f"<main><h1>Kubki</h1><ul>{items}</ul></main>"


def test_implausible_discounts_across_the_catalogue_fail(tmp_path):
    c = scan_page(tmp_path, _catalogue(80, 8))["security.implausible-discounts"]
    assert c.status.value == "fail"
    assert "8" in c.reason and "70 %" in c.reason  # 8 of the 8 prices seen are cut by 70 % or more
    assert c.evidence and "−80 %" in c.evidence[0].snippet and "zł" in c.evidence[0].snippet


@pytest.mark.parametrize("body", [
    _catalogue(80, 2, normal=8),  # a clearance corner, not the catalogue
    _catalogue(30, 10),  # an ordinary sale on everything
], ids=["few-products-cut", "ordinary-sale"])
def test_plausible_discounts_pass(tmp_path, body):
    c = scan_page(tmp_path, body)["security.implausible-discounts"]
    assert c.status.value == "pass", c.reason


def test_too_few_prices_is_could_not_check(tmp_path):
    c = scan_page(tmp_path, _catalogue(80, 2))["security.implausible-discounts"]
    assert c.status.value == "error" and "2" in c.reason


# --------------------------------------------------------------------------- free-mail contact


def test_a_free_mail_address_as_the_only_contact_fails(tmp_path):
    c = scan_page(tmp_path, "<footer><p>Kontakt: ceramika.kowalscy@gmail.com, zamowienia@wp.pl</p></footer>")[
        "contact.free-mail"]
    assert c.status.value == "fail" and {e.snippet for e in c.evidence} == {"ceramika.kowalscy@gmail.com",
                                                                          "zamowienia@wp.pl"}


@pytest.mark.parametrize("emails", [
    "sklep@ceramika-kowalscy.pl",  # the shop's own domain
    "sklep@ceramika-kowalscy.pl, ceramika.kowalscy@gmail.com",  # its own address next to a mailbox
    "biuro@mygmail.com.pl",  # a look-alike that only contains a provider's name
], ids=["own-domain", "own-and-mailbox", "look-alike"])
def test_near_misses_of_free_mail(tmp_path, emails):
    c = scan_page(tmp_path, f"<footer><p>Kontakt: {emails}</p></footer>")["contact.free-mail"]
    assert c.status.value == "pass", c.evidence


def test_no_address_is_not_applicable(tmp_path):
    assert scan_page(tmp_path, "<p>Kubki</p>")["contact.free-mail"].status.value == "not_applicable"


# --------------------------------------------------------------------------- prepayment only


def test_bank_transfer_in_advance_as_the_only_way_to_pay_fails(tmp_path):
    c = scan_page(tmp_path, "<footer><p>Płatność: przelew bankowy na konto przed wysyłką.</p></footer>")[
        "payments.prepayment-only"]
    assert c.status.value == "fail" and [e.snippet for e in c.evidence] == ["bank_transfer"]


@pytest.mark.parametrize("text", [
    "Płatność: przelew bankowy lub BLIK.",  # a provider with buyer protection next to the transfer
    "Płatność: przelew bankowy albo za pobraniem.",  # cash on delivery
    "Płatności obsługuje Przelewy24.",  # an online-transfer provider, not a transfer to an account
], ids=["transfer-and-blik", "transfer-and-cod", "pay-by-link-provider"])
def test_near_misses_of_prepayment_only(tmp_path, text):
    c = scan_page(tmp_path, f"<footer><p>{text}</p></footer>")["payments.prepayment-only"]
    assert c.status.value == "pass", c.evidence


def test_no_payment_information_is_could_not_check(tmp_path):
    assert scan_page(tmp_path, "<p>Kubki</p>")["payments.prepayment-only"].status.value == "error"


# --------------------------------------------------------------------------- the register checks' verdicts

RULES = [r for r in load_rules() if r.id in ("legal.id-registered", "legal.id-matches-seller",
                                               "security.domain-age", "security.warning-list")]


def rec(source: str, status: str, name: str | None = None, name_match: bool | None = None, **kw) -> dict:
    return {"source": source, "status": status, "name": name, "address": None, "registered_on": None,
            "name_match": name_match, "checked_at": "2026-07-05T10:00:00+00:00", "error": kw.pop("error", None), **kw}


def judge(ids: list[tuple[TaxId, dict]], country: str = "PL", domain: dict | None = None,
          checked: list | None = None, hits: list | None = None, conflicts: list | None = None,
          companies: tuple = ()) -> dict:
    registry = {"enabled": True, "reason": None, "errors": [], "domain": domain,
                "ids": [{"scheme": t.scheme, "value": t.value, "registry": r} for t, r in ids],
                "warning_lists": hits or [], "warning_lists_checked": checked or [], "id_conflicts": conflicts or []}
    facts = Facts(tls=TlsInfo(), local=False, pages_fetched=3, home_url="https://shop.example/", registry=registry)
    art = Artifacts(country=country, tax_ids=tuple(t for t, _ in ids), company_names=companies)
    return {c.id: c for c in evaluate(tuple(RULES), art, facts, "en")}


NIP = TaxId("pl.nip", "9512381607", True, "https://shop.example/kontakt", "NIP")
CRN = TaxId("gb.crn", "12345678", None, "https://shop.example/contact", "Company No.")
INN = TaxId("ru.inn", "7707083893", True, "https://shop.example/contacts", "ИНН")


def test_a_dissolved_company_fails_and_caps_the_grade():
    out = judge([(CRN, rec("ch", "inactive", "OLD TRADING LTD", True, detail="dissolved on 2023-01-10"))], "GB")
    c = out["legal.id-registered"]
    assert c.status.value == "fail" and c.caps_grade == "F" and "Companies House" in c.title
    assert "dissolved on 2023-01-10" in c.fix


def test_a_missing_entry_fails_without_capping():
    c = judge([(CRN, rec("ch", "not_found"))], "GB")["legal.id-registered"]
    assert c.status.value == "fail" and c.caps_grade is None


def test_no_free_register_is_could_not_check_with_where_to_check_by_hand():
    manual = {"register": "ЕГРЮЛ / ЕГРИП (ФНС России)", "url": "https://egrul.nalog.ru/"}
    out = judge([(INN, rec("manual", "unknown", error="no free register API", manual_check=manual))], "RU")
    c = out["legal.id-registered"]
    assert c.status.value == "error" and "https://egrul.nalog.ru/" in c.reason
    assert out["legal.id-matches-seller"].status.value == "error"


def test_a_register_that_gives_no_name_cannot_confirm_the_seller():
    c = judge([(NIP, rec("vies", "active", None, None))])["legal.id-matches-seller"]
    assert c.status.value == "error" and "no name" in c.reason


def test_an_inactive_entry_under_another_name_is_not_called_another_company():
    # a removed registration is the id-registered check's finding; only a live entry under another name is
    # "registered to another company"
    out = judge([(NIP, rec("pl_wl", "inactive", "INNA FIRMA SP. Z O.O.", False))])
    assert out["legal.id-registered"].status.value == "fail"
    assert out["legal.id-matches-seller"].status.value == "error"


def test_the_domain_checks_from_the_answers():
    young = {"name": "shop.example", "status": "active", "registered_on": "2026-06-20", "age_days": 15,
             "source": "https://rdap.example/"}
    mid = {**young, "age_days": 120}
    old = {**young, "age_days": 4000}
    unknown = {**young, "status": "unknown", "age_days": None, "error": "the registry publishes no registration date"}
    assert judge([], domain=young)["security.domain-age"].status.value == "fail"
    assert judge([], domain=mid)["security.domain-age"].status.value == "warn"
    assert judge([], domain=old)["security.domain-age"].status.value == "pass"
    assert judge([], domain=unknown)["security.domain-age"].status.value == "error"
    assert judge([], domain=None)["security.domain-age"].status.value == "error"
    clean = [{"list": "cert.pl", "checked": True, "list_date": "2026-07-05T00:00:00+00:00", "stale": False,
              "error": None, "domain": "shop.example"}]
    assert judge([], checked=clean)["security.warning-list"].status.value == "pass"
    missed = [{**clean[0], "checked": False, "error": "HTTP 503"}]
    assert judge([], checked=missed)["security.warning-list"].status.value == "error"
    hit = [{"list": "cert.pl", "domain": "shop.example", "listed_on": "2026-06-01T10:15:00+00:00"}]
    c = judge([], checked=clean, hits=hit)["security.warning-list"]
    assert c.status.value == "fail" and c.caps_grade == "F" and "2026-06-01" in c.evidence[0].snippet


def test_turned_off_is_could_not_check_and_says_how_to_turn_it_on():
    facts = Facts(tls=TlsInfo(), local=True, pages_fetched=1, home_url="file:///x/index.html",
                  registry={"enabled": False, "reason": "saved_copy"})
    out = {c.id: c for c in evaluate(tuple(RULES), Artifacts(country="PL", tax_ids=(NIP,)), facts, "en")}
    assert {c.status.value for c in out.values()} == {"error"}
    assert all("--verify" in c.reason for c in out.values())


@pytest.mark.parametrize("predicate, params, msg", [
    ("domain_age", {"fail_days": 200, "warn_days": 100}, "fail_days must not be larger"),
    ("prepayment_only", {"methods": ["bank_transfr"]}, "nearest: 'bank_transfer'"),
    ("prepayment_only", {}, "missing key 'methods'"),
    ("implausible_discounts", {"share": 1.5}, "share"),
    ("implausible_discounts", {"min_discont": 70}, "nearest: 'min_discount'"),
    ("warning_list", {"list": "cert.pl"}, "unknown key 'list'"),
])
def test_the_new_predicates_parameters_are_checked_when_rules_load(predicate, params, msg):
    from trustaudit.engine import known_names
    from trustaudit.ruleschema import check_params

    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        check_params(predicate, params, known_names(), "params")


def test_each_id_is_named_with_its_own_registered_name():
    krs = TaxId("pl.krs", "0000413516", None, "https://shop.example/kontakt", "KRS")
    out = judge([(NIP, rec("pl_wl", "active", "BOOKSY INTERNATIONAL SP. Z O.O.", False)),
                 (krs, rec("pl_krs", "active", "SWLEX SP. Z O.O.", False))])
    c = out["legal.id-matches-seller"]
    assert c.status.value == "fail" and "NIP 9512381607" in c.title and "BOOKSY" in c.title
    assert "KRS" not in c.title  # registered to another name: said in the evidence, not under BOOKSY's
    assert any("SWLEX" in e.snippet for e in c.evidence)
