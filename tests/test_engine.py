"""Rules engine: every predicate can pass and can fail; could-not-check is never a pass or fail."""

from __future__ import annotations

import pytest

from trustaudit.engine import (
    PREDICATES,
    Facts,
    RuleError,
    applies,
    evaluate,
    load_rules,
    parse_rule,
    validate_all_rules,
)
from trustaudit.models import (
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

GOOD_TLS = TlsInfo(https=True, valid=True, hostname_match=True, days_left=200, not_after="2027-06-01",
                   protocol="TLSv1.3", hsts=True, hsts_max_age=31536000, http_redirects_to_https=True, checked=True)
REMOTE = Facts(tls=GOOD_TLS, local=False, pages_fetched=5)


def _by_id(results):
    return {r.id: r for r in results}


def _eval(artifacts, facts=REMOTE, lang="en"):
    return _by_id(evaluate(load_rules(), artifacts, facts, lang))


def test_rule_files_are_valid_and_complete():
    rules = load_rules()
    assert len(rules) >= 40
    assert validate_all_rules() == []
    assert len({r.id for r in rules}) == len(rules)


def test_every_predicate_used_by_rules_exists():
    for r in load_rules():
        assert r.predicate in PREDICATES


def test_empty_shop_fails_core_checks_and_passes_none_of_them():
    res = _eval(Artifacts(country="PL"))
    for rid in ("contact.email", "contact.phone", "contact.address", "policies.terms", "policies.returns",
                "legal.pl-nip"):
        assert res[rid].status is Status.FAIL, rid
        assert res[rid].fix
    # nothing to validate is "does not apply", not a pass
    assert res["legal.ids-valid"].status is Status.NOT_APPLICABLE
    assert res["reviews.rating"].status is Status.NOT_APPLICABLE


def test_signals_make_checks_pass_with_evidence():
    a = Artifacts(
        country="PL",
        emails=(Email("biuro@sklep.pl", "https://sklep.pl/kontakt"),),
        phones=(Phone("+48123456789", "https://sklep.pl/"),),
        tax_ids=(TaxId("pl.nip", "5252248481", True, "https://sklep.pl/", label="NIP"),),
        pages={"terms": PageRef("terms", "https://sklep.pl/regulamin", anchor="Regulamin")},
        aggregate_rating=Rating(4.6, 120, url="https://sklep.pl/"),
    )
    res = _eval(a)
    assert res["contact.email"].status is Status.PASS
    assert res["contact.email"].evidence[0].snippet == "biuro@sklep.pl"
    assert res["legal.pl-nip"].status is Status.PASS
    assert res["legal.ids-valid"].status is Status.PASS
    assert res["policies.terms"].status is Status.PASS
    assert res["policies.terms"].evidence[0].url == "https://sklep.pl/regulamin"
    assert res["reviews.rating"].status is Status.PASS
    assert res["reviews.visible"].status is Status.PASS


def test_invalid_check_digit_is_a_failure_with_evidence():
    a = Artifacts(country="RU", tax_ids=(TaxId("ru.ogrn", "304770000000041", False, "https://x.ru/", label="ОГРНИП"),))
    res = _eval(a)
    assert res["legal.ids-valid"].status is Status.FAIL
    assert "304770000000041" in res["legal.ids-valid"].evidence[0].snippet
    # shown but wrong: the presence check does not pass either
    assert res["legal.ru-ogrn"].status is Status.FAIL


def test_country_rules_do_not_apply_elsewhere_or_when_unknown():
    res_us = _eval(Artifacts(country="US"))
    assert res_us["legal.pl-nip"].status is Status.NOT_APPLICABLE
    assert res_us["policies.withdrawal-14-days"].status is Status.NOT_APPLICABLE
    res_unknown = _eval(Artifacts(country=None))
    assert res_unknown["legal.pl-nip"].status is Status.NOT_APPLICABLE
    assert "unknown" in res_unknown["legal.pl-nip"].reason


def test_tls_checks_are_errors_for_a_local_target():
    res = _eval(Artifacts(), Facts(tls=TlsInfo(), local=True, pages_fetched=3))
    for rid in ("security.https", "security.certificate-valid", "security.hsts", "security.mixed-content"):
        assert res[rid].status is Status.ERROR, rid
        assert res[rid].reason


def test_tls_verdicts():
    bad = TlsInfo(https=True, valid=False, hostname_match=False, days_left=-3, not_after="2026-01-01",
                  protocol="TLSv1", hsts=False, http_redirects_to_https=False, error="certificate has expired",
                  checked=True)
    res = _eval(Artifacts(), Facts(tls=bad, local=False, pages_fetched=1))
    assert res["security.certificate-valid"].status is Status.FAIL
    assert res["security.certificate-valid"].evidence[0].snippet == "certificate has expired"
    assert res["security.certificate-expiry"].status is Status.FAIL
    assert res["security.tls-protocol"].status is Status.FAIL
    assert res["security.hsts"].status is Status.WARN  # on_fail: warn
    assert res["security.http-redirect"].status is Status.FAIL
    good = _eval(Artifacts())
    for rid in ("security.https", "security.certificate-valid", "security.certificate-expiry",
                "security.tls-protocol", "security.hsts", "security.http-redirect", "security.mixed-content"):
        assert good[rid].status is Status.PASS, rid


def test_expiry_warns_before_it_fails():
    soon = TlsInfo(https=True, valid=True, days_left=20, not_after="x", checked=True)
    assert _eval(Artifacts(), Facts(tls=soon, local=False, pages_fetched=1))["security.certificate-expiry"].status is Status.WARN


def test_no_https_makes_https_dependent_checks_not_applicable():
    plain = TlsInfo(https=False, http_redirects_to_https=False, checked=True)
    res = _eval(Artifacts(), Facts(tls=plain, local=False, pages_fetched=1))
    assert res["security.https"].status is Status.FAIL
    assert res["security.hsts"].status is Status.NOT_APPLICABLE
    assert res["security.http-redirect"].status is Status.FAIL


def test_blocked_site_is_inconclusive_not_failing():
    res = _eval(Artifacts(), Facts(tls=GOOD_TLS, local=False, pages_fetched=1, blocked=True))
    assert res["contact.email"].status is Status.ERROR
    assert "bot" in res["contact.email"].reason


def test_mixed_content_fails_with_evidence():
    a = Artifacts(mixed_content=(Evidence("https://s.pl/", "http://cdn.s.pl/a.js"),))
    assert _eval(a)["security.mixed-content"].status is Status.FAIL


def test_phrases_and_any_of():
    a = Artifacts(country="PL", phrases={"complaints_procedure": (Evidence("https://s.pl/r", "Reklamacje w 14 dni"),)})
    res = _eval(a)
    assert res["policies.complaints"].status is Status.PASS
    assert res["policies.withdrawal-14-days"].status is Status.WARN


def test_channels_count_distinct_kinds():
    a = Artifacts(
        emails=(Email("a@b.pl", "u"),),
        phones=(Phone("+48123456789", "u"),),
        social=(Detection("facebook", "social", "https://facebook.com/x"),),
    )
    assert _eval(a)["contact.channels"].status is Status.PASS
    assert _eval(Artifacts(emails=(Email("a@b.pl", "u"),)))["contact.channels"].status is Status.FAIL


def test_texts_in_report_language():
    res = _eval(Artifacts(country="PL"), lang="pl")
    assert res["contact.email"].title == "Brak adresu e-mail na stronie"
    res_fallback = _eval(Artifacts(country="PL"), lang="xx")
    assert res_fallback["contact.email"].title == "No e-mail address on the site"


def test_skip_and_weight_overrides():
    out = _by_id(evaluate(load_rules(), Artifacts(), REMOTE, "en", skip={"support.chat": "phone only"},
                          weights={"contact.email": 0}))
    assert "support.chat" not in out
    assert out["contact.email"].weight == 0


def test_country_groups():
    rule = next(r for r in load_rules() if r.id == "policies.withdrawal-14-days")
    assert applies(rule, "PL")[0] and applies(rule, "GR")[0] and applies(rule, "GB")[0]
    assert not applies(rule, "US")[0]


_OK = {"id": "contact.a", "category": "contact", "weight": 1, "severity": "high", "predicate": "manual",
       "source": "Practice"}


@pytest.mark.parametrize(
    "data,msg",
    [
        ({"id": "x.a"}, "missing"),
        ({**_OK, "predicate": "nope"}, "unknown predicate 'nope'"),
        ({**_OK, "severity": "loud"}, "unknown severity 'loud'"),
        ({**_OK, "id": "other.a"}, "must start with"),
        ({**_OK, "title": "t"}, "unknown key 'title'.*rules/locales"),
    ],
)
def test_malformed_rules_are_rejected_with_a_clear_message(data, msg):
    with pytest.raises(RuleError, match=msg):
        parse_rule(data, data["id"])


def test_pay_on_delivery_counts_bnpl_providers_but_not_any_provider():
    bnpl = Artifacts(payment_providers=(Detection("klarna", "payment", "https://s.de/"),))
    card = Artifacts(payment_providers=(Detection("stripe", "payment", "https://s.de/"),))
    cod_text = Artifacts(phrases={"cash_on_delivery": (Evidence("https://s.pl/", "płatność przy odbiorze"),)})
    assert _eval(bnpl)["payments.pay-on-delivery"].status is Status.PASS
    assert _eval(cod_text)["payments.pay-on-delivery"].status is Status.PASS
    assert _eval(card)["payments.pay-on-delivery"].status is Status.WARN


def test_absence_findings_say_where_we_looked_and_passes_carry_no_stray_reason():
    facts = Facts(tls=GOOD_TLS, local=False, pages_fetched=7, home_url="https://s.pl/")
    res = _eval(Artifacts(country="PL"), facts)
    ev = res["contact.email"].evidence
    assert ev and ev[0].url == "https://s.pl/" and ev[0].snippet == "not found (pages crawled: 7)"
    good = TlsInfo(https=True, valid=True, hostname_match=True, days_left=90, protocol="TLSv1.3", hsts=True,
                   hsts_max_age=100, http_redirects_to_https=True, error="stale note", checked=True)
    res = _eval(Artifacts(), Facts(tls=good, local=False, pages_fetched=1, home_url="https://s.pl/"))
    assert res["security.certificate-valid"].status is Status.PASS
    assert res["security.certificate-valid"].reason == ""


def test_every_message_the_code_names_is_in_the_catalogues():
    import re
    from pathlib import Path

    from trustaudit import messages

    root = Path(__file__).resolve().parents[1] / "trustaudit"
    src = "".join(p.read_text(encoding="utf-8") for p in (root / "engine.py", root / "report.py"))
    keys = set(re.findall(r'"((?:reason|evidence|inconclusive|limit|report|outcome)\.[a-z_.]+)"', src))
    assert len(keys) >= 15
    for key in keys:
        for lang in ("en", "pl", "ru", "el", "ar"):
            assert messages.catalogue(lang).get(key) or messages.plurals(lang).get(key), (key, lang)


def test_reasons_and_evidence_in_the_report_language():
    local = Facts(tls=TlsInfo(), local=True, pages_fetched=2, home_url="file:///x/index.html")
    res = _eval(Artifacts(country="PL"), local, lang="pl")
    assert res["security.https"].reason.startswith("zapisana kopia")
    assert "przeskanowane strony: 2" in res["contact.email"].evidence[0].snippet
    res_ar = _eval(Artifacts(country="US"), local, lang="ar")
    assert "PL" in res_ar["legal.pl-nip"].reason and "فقط" in res_ar["legal.pl-nip"].reason


def test_a_predicate_bug_is_could_not_check_and_re_raises_in_strict_mode(monkeypatch):
    from trustaudit.engine import PREDICATES, Rule, predicate
    from trustaudit.models import Severity

    @predicate("test_raises")
    def _raises(ctx, p):
        raise ZeroDivisionError("bug")

    try:
        rule = Rule(id="content.test-raises", category="content", weight=1, severity=Severity.LOW,
                    predicate="test_raises", params={}, source={"default": "test"})
        monkeypatch.delenv("TRUSTAUDIT_STRICT", raising=False)
        (res,) = evaluate((rule,), Artifacts(), REMOTE, "en")
        assert res.status is Status.ERROR and "ZeroDivisionError" in res.reason
        monkeypatch.setenv("TRUSTAUDIT_STRICT", "1")
        with pytest.raises(ZeroDivisionError):
            evaluate((rule,), Artifacts(), REMOTE, "en")
    finally:
        PREDICATES.pop("test_raises", None)
