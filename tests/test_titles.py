"""Titles that describe the evidence (property tests).

For every rule: whatever form the thing it looks for takes on a shop (an ID with a right or a wrong check digit,
a link to a page that works or answers an error, a sentence with or without a number, a payment provider
without a list of methods ...), a shop that shows it never gets the rule's "missing" title. When the check does
not pass, its title is the more specific one and its evidence is what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from trustaudit import messages
from trustaudit.engine import Facts, evaluate, load_rules, states_quantity
from trustaudit.models import (
    Address,
    Artifacts,
    Detection,
    Email,
    Evidence,
    PageRef,
    Phone,
    Rating,
    Status,
    TaxId,
    TlsInfo,
)

RULES = {r.id: r for r in load_rules()}
FACTS = Facts(tls=TlsInfo(https=True, valid=True, hostname_match=True, days_left=200, protocol="TLSv1.3",
                          hsts=True, http_redirects_to_https=True, checked=True),
              local=False, pages_fetched=5, home_url="https://shop.example/")
URL = "https://shop.example/page"
# sentences a phrase hit may sit in: with and without a stated time / amount
SNIPPETS = ["Delivery time", "Delivery time: 2-3 working days", "We reply within 24 hours", "We reply quickly",
            "Shipping costs apply", "Shipping costs: £3.95", "14 dni na zwrot", "Prawo do odstąpienia od umowy",
            "Koszt dostawy 14,99 zł", "next-day delivery", "Доставка за 2 дня", "التوصيل خلال 3 أيام"]
DETECTION_KIND = {"review_widgets": "review", "chat_widgets": "chat", "payment_providers": "payment",
                  "payment_methods": "payment_method", "social": "social", "messengers": "messenger"}


def _presence_rules() -> list[str]:
    """Rules whose failure title claims that something is missing (not 'fewer than N', not 'found')."""
    out = []
    for r in RULES.values():
        p = r.params
        if r.predicate in ("page_found", "phrase_present", "tax_id_present", "any_of"):
            out.append(r.id)
        elif r.predicate == "signal_present" and int(p.get("min", 1)) == 1:
            out.append(r.id)
    return sorted(out)


PRESENCE = _presence_rules()


def _subs(rule) -> list[tuple[str, Mapping[str, Any]]]:
    if rule.predicate == "any_of":
        return [(s["predicate"], s["params"]) for s in rule.params["checks"]]
    return [(rule.predicate, rule.params)]


@st.composite
def shown(draw, rule) -> dict[str, Any]:
    """Artifacts fields in which ``rule``'s thing shows, in one of the forms it can take on a real page."""
    pred, p = draw(st.sampled_from(_subs(rule)))
    fields: dict[str, Any] = {}
    if pred == "tax_id_present":
        scheme = draw(st.sampled_from(p.get("schemes") or ["pl.nip", "gb.crn", "ru.inn", "eu.vat"]))
        valid = draw(st.sampled_from([True, False, None]))
        fields["tax_ids"] = (TaxId(scheme, "1234567890", valid, URL, label=scheme.split(".")[1].upper()),)
    elif pred == "phrase_present":
        group = draw(st.sampled_from(p["phrases"]))
        fields["phrases"] = {group: (Evidence(URL, draw(st.sampled_from(SNIPPETS))),)}
    elif pred == "page_found":
        choice = draw(st.sampled_from(["page"] * 3 + (["or"] if p.get("or_signals") else [])
                                      + (["partial"] if p.get("partial_signals") else [])))
        if choice == "page":
            kind = draw(st.sampled_from(p["kinds"]))
            status = draw(st.sampled_from([None, 200, 301, 404, 410, 500, 503]))
            region = draw(st.sampled_from(["footer", "nav", "header", "body", ""]))
            fields["pages"] = {kind: PageRef(kind, f"https://shop.example/{kind}", anchor=kind, region=region,
                                             status=status)}
        else:
            sig = draw(st.sampled_from(p["or_signals"] if choice == "or" else p["partial_signals"]))
            fields.update(_signal(draw, sig, None))
    elif pred == "signal_present":
        sig = draw(st.sampled_from(p["signals"]))
        fields.update(_signal(draw, sig, p.get("slugs") or None))
    return fields


def _signal(draw, sig: str, slugs) -> dict[str, Any]:
    if sig.startswith("phrase:"):
        return {"phrases": {sig[7:]: (Evidence(URL, draw(st.sampled_from(SNIPPETS))),)}}
    if sig.startswith("structured:"):
        return {"structured_types": (sig[11:],)}
    if sig.startswith("page:"):
        k = sig[5:]
        return {"pages": {k: PageRef(k, f"https://shop.example/{k}", anchor=k)}}
    if sig in DETECTION_KIND:
        slug = draw(st.sampled_from(sorted(slugs) if slugs else ["paypal", "stripe", "trustpilot", "tidio"]))
        return {sig: (Detection(slug, DETECTION_KIND[sig], URL),)}
    return {
        "emails": {"emails": (Email("hello@shop.example", URL),)},
        "phones": {"phones": (Phone("+441179251234", URL),)},
        "addresses": {"addresses": (Address("4 Canons Road, Bristol BS1 5UH", URL),)},
        "company_names": {"company_names": (Evidence(URL, "Oak Shop Ltd"),)},
        "tax_ids": {"tax_ids": (TaxId("gb.crn", "01234567", None, URL, label="Company No."),)},
        "contact_forms": {"contact_forms": (Evidence(URL, "form /contact"),)},
        "reviews_on_site": {"reviews_on_site": (Evidence(URL, "★★★★★ Great table"),)},
        "aggregate_rating": {"aggregate_rating": Rating(draw(st.sampled_from([4.8, 3.1, 1.0])), 10, url=URL)},
    }[sig]


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        elif isinstance(v, tuple) and isinstance(out.get(k), tuple):
            out[k] = out[k] + v
        else:
            out[k] = v
    return out


@st.composite
def shop_showing(draw):
    rule = RULES[draw(st.sampled_from(PRESENCE))]
    fields = draw(shown(rule))
    for _ in range(draw(st.integers(0, 2))):  # unrelated things on the same shop
        other = RULES[draw(st.sampled_from(PRESENCE))]
        fields = _merge(draw(shown(other)), fields)
    country = draw(st.sampled_from(["PL", "GB", "RU", "GR", "DE", "SA", "AE", "US", None]))
    lang = draw(st.sampled_from(messages.report_languages()))
    return rule, Artifacts(country=country, **fields), lang


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shop_showing())
def test_a_shop_that_shows_the_thing_never_gets_the_missing_title(case):
    rule, artifacts, lang = case
    check = {c.id: c for c in evaluate(load_rules(), artifacts, FACTS, lang)}[rule.id]
    if check.status in (Status.PASS, Status.NOT_APPLICABLE, Status.ERROR, Status.MANUAL):
        return
    missing = f"check.{rule.id}.fail_title"
    assert check.messages["title"].id != missing, (rule.id, check.title, artifacts)
    assert check.title != messages.lookup(missing, lang, artifacts.country)
    assert check.evidence and all(e.url and "pages crawled" not in e.snippet for e in check.evidence), check.evidence


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PRESENCE), st.sampled_from(["PL", "GB", None]))
def test_a_shop_without_the_thing_gets_the_missing_title_and_says_where_it_looked(rule_id, country):
    check = {c.id: c for c in evaluate(load_rules(), Artifacts(country=country), FACTS, "en")}[rule_id]
    if check.status is Status.NOT_APPLICABLE:
        return
    assert check.status in (Status.FAIL, Status.WARN)
    assert check.messages["title"].id == f"check.{rule_id}.fail_title"
    assert check.evidence[0].url == FACTS.home_url and "pages crawled: 5" in check.evidence[0].snippet


# --------------------------------------------------------------------------- quantities: twins and near misses

DURATIONS = [  # (text, states a time?)
    ("Orders are dispatched within 24 h.", True), ("Delivery in 2-3 working days", True),
    ("Czas dostawy: 1–2 dni robocze", True), ("Срок доставки — от 2 до 5 рабочих дней", True),
    ("Ответим в течение одного рабочего дня", True), ("Χρόνος παράδοσης: 1–3 εργάσιμες ημέρες", True),
    ("مدة التوصيل من 3 إلى 5 أيام عمل", True), ("Next-day delivery on orders before 2 pm", True),
    ("Lieferzeit: 2-4 Werktage", True), ("We answer within two working days", True),
    ("Delivery time", False), ("Czas dostawy", False), ("Срок доставки", False), ("Χρόνος παράδοσης", False),
    ("مدة التوصيل", False), ("We reply quickly", False), ("Open 7 days a week? Call 0800 123 456", True),
    ("2 times a day we check the mail", False), ("Model 2024 delivery van", False), ("Size 42 shoes", False),
    ("12 happy customers", False), ("Order number 1234567", False),
]
MONEY = [
    ("Delivery costs £3.95", True), ("Koszt dostawy: 14,99 zł", True), ("Стоимость доставки — 300 ₽", True),
    ("Κόστος αποστολής 3,50 €", True), ("تكلفة الشحن 25 ريال", True), ("Free delivery over $50", True),
    ("Versandkosten: 4,90 EUR", True), ("PLN 15 per parcel", True),
    ("Shipping costs apply", False), ("Koszty dostawy", False), ("Delivery in 2 days", False),
    ("Order 3 items", False), ("Call 0800 123 456", False), ("EUR", False),
]


def test_durations_need_a_number_and_a_unit():
    for text, expected in DURATIONS:
        assert states_quantity(text, "duration") is expected, text


def test_amounts_need_a_number_and_a_currency():
    for text, expected in MONEY:
        assert states_quantity(text, "money") is expected, text
