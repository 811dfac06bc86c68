"""Law and words of the shop's own country: every title, fix and cited source a shop is shown depends on its
country. Each check is rendered for a shop of every profiled country and of an unknown country, in every report
language, and must contain no other country's law or words (rules/countries.yaml ``markers``); a shop of unknown
country gets generic wording only, EU law only for EU shops.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from trustaudit import messages
from trustaudit.engine import Facts, applies, evaluate, load_rules, platform_fixes
from trustaudit.models import Artifacts, Status, TlsInfo
from trustaudit.resources import load_yaml

DATA = load_yaml("countries.yaml")
PROFILES = DATA["countries"]
COUNTRIES = [*sorted(PROFILES), None]
LANGS = messages.report_languages()
RULES = load_rules()
FACTS = Facts(tls=TlsInfo(https=True, valid=True, hostname_match=True, days_left=200, protocol="TLSv1.3",
                          hsts=True, http_redirects_to_https=True, checked=True),
              local=False, pages_fetched=5, home_url="https://shop.example/")


@cache
def _forbidden(country: str | None, lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """(owner, pattern) of every marker a text for a shop of ``country`` written in ``lang`` must not contain."""
    own = {country, *messages._groups().get(country or "", ())} if country else set()
    out = []
    for owner, spec in DATA["markers"].items():
        if owner in own:
            continue
        out += [(owner, re.compile(p)) for p in spec.get("law") or ()]
        langs = set((PROFILES.get(owner) or {}).get("languages") or ())
        if lang not in langs:
            out += [(owner, re.compile(p, re.I)) for p in spec.get("words") or ()]
    return out


@cache
def _keys(rule_id: str) -> tuple[str, ...]:
    base = f"check.{rule_id}."
    en = messages.catalogue("en")
    keys = sorted({k.split("@", 1)[0] for k in en if k.startswith(base)})
    return tuple(keys + sorted({k.split("@", 1)[0] for k in en if k.startswith("outcome.")}))


def _texts_shown(rule, country: str | None, lang: str) -> list[tuple[str, str]]:
    """(what, text) of every text this check can show a shop of ``country``: its title and failure titles,
    every fix (variants included), notes, platform fixes and the cited source."""
    out = [(k, messages.lookup(k, lang, country) or "") for k in _keys(rule.id)]
    out += [(f"platform fix {slug}", text) for slug, text in platform_fixes(rule, lang, country).items()]
    out.append(("source", rule.source_for(country)))
    return out


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c or "unknown")
def test_no_other_countrys_law_or_words(country):
    problems = []
    for lang in LANGS:
        forbidden = _forbidden(country, lang)
        for rule in RULES:
            if not applies(rule, country)[0]:
                continue  # another country's check: named by its title, no fix and no law (next test)
            for what, text in _texts_shown(rule, country, lang):
                for owner, pat in forbidden:
                    if m := pat.search(text):
                        problems.append(f"{rule.id} {what} [{lang}] shows {owner} {m.group(0)!r}: {text[:90]!r}")
    assert not problems, f"{len(problems)} problems for a shop of {country or 'unknown country'}:\n" + "\n".join(
        problems[:40]
    )


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c or "unknown")
def test_a_report_shows_no_fix_or_law_of_another_countrys_check(country):
    for lang in ("en", "pl"):
        for c in evaluate(RULES, Artifacts(country=country), FACTS, lang):
            if c.status is Status.NOT_APPLICABLE and c.reason and not applies(
                next(r for r in RULES if r.id == c.id), country
            )[0]:
                assert c.fix == "" and c.source == "" and c.fix_platform == "", (country, c.id)


def test_markers_name_real_countries_and_compile():
    for owner, spec in DATA["markers"].items():
        assert owner in PROFILES or owner == "EU", owner
        assert set(spec) <= {"law", "words"}, owner
        for p in (*spec.get("law", ()), *spec.get("words", ())):
            re.compile(p)


def test_the_markers_catch_what_they_are_for():
    """Near-miss guard: the texts this test was written against would fail it."""
    cases = [
        ("GB", "en", "Describe how to file a complaint (reklamacja) about faulty goods (14 days in Poland)."),
        ("SA", "ar", "ustawa o prawach konsumenta art. 7a"),
        ("US", "en", "copy it from the official register (KRS/CEIDG, ЕГРЮЛ, VIES, Companies House …)"),
        (None, "en", "Directive 2011/83/EU Art. 6(1)(g)"),
    ]
    for country, lang, text in cases:
        assert any(p.search(text) for _o, p in _forbidden(country, lang)), (country, text)
    # and allow what belongs: Polish law for a Polish shop, EU law for an EU shop, Polish words in Polish
    assert not any(p.search("ustawa o prawach konsumenta art. 7a") for _o, p in _forbidden("PL", "en"))
    assert not any(p.search("Directive 2011/83/EU") for _o, p in _forbidden("IE", "en"))
    assert not any(p.search("Opisz, jak złożyć reklamację") for _o, p in _forbidden("CZ", "pl"))
