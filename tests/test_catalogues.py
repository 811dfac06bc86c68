"""Message catalogues (rules/locales/<lang>.yaml): one file per language, the English one is the reference.

Adding a report language is adding its catalogue: these tests then check it has every key of the English one
with the same placeholders, in its own script, as plain text.
"""

from __future__ import annotations

import re

import pytest

from trustaudit import messages
from trustaudit.engine import load_rules
from trustaudit.models import Message

LANGS = messages.report_languages()
EN = messages.catalogue("en")
RULES = load_rules()
SCRIPT = {
    "ru": re.compile(r"[\u0400-\u04FF]"),  # Cyrillic
    "el": re.compile(r"[\u0370-\u03FF\u1F00-\u1FFF]"),  # Greek (+ extended)
    "ar": re.compile(r"[\u0600-\u06FF]"),  # Arabic
}
MARKUP = re.compile(r"\[[^\]\n]*\]")  # rich-style tags such as [bold] or [/]
HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")


def _base(key: str) -> str:
    return key.split("@", 1)[0]


def test_first_class_languages_are_report_languages():
    assert {"en", "pl", "ru", "el", "ar"} <= set(LANGS)
    assert LANGS[0] == "en"


@pytest.mark.parametrize("lang", messages.catalogue_languages())
def test_catalogue_keys_and_placeholders_match_english(lang):
    cat = messages.catalogue(lang)
    assert cat, lang
    for key, text in cat.items():
        assert isinstance(text, str) and text.strip(), (lang, key)
        base = _base(key)
        assert base in EN, f"{lang}: {key} is not a key of the English catalogue"
        if "@" in key:
            suffix = key.split("@", 1)[1]
            assert re.fullmatch(r"[A-Z]{2,3}", suffix), (lang, key)
        assert messages.placeholders(text) == messages.placeholders(EN[base]), (lang, key, text)


@pytest.mark.parametrize("lang", LANGS)
def test_report_language_catalogue_is_complete(lang):
    """Every English message (platform fixes excepted: admin menus are often English anyway) is translated."""
    cat = messages.catalogue(lang)
    missing = [k for k in EN if "@" not in k and not k.startswith("stack.") and k not in cat]
    assert missing == [], f"{lang} lacks {missing[:10]} (+{max(0, len(missing) - 10)})"
    # country variants (key@PL) are optional: without one, the plain text (true in every country) is used


@pytest.mark.parametrize("lang", LANGS)
def test_check_texts_are_in_their_script_and_not_copied(lang):
    """Guards against an English text pasted into the ru/el/ar slot."""
    cat = messages.catalogue(lang)
    pattern = SCRIPT.get(lang)
    for key, text in cat.items():
        if not key.startswith(("check.", "outcome.", "category.")):
            continue
        if pattern is not None:
            assert pattern.search(text), f"{key}.{lang} has no {lang} letters: {text!r}"
        if lang != "en" and re.search(r"\.(title|fail_title|fix)(@|$)", key):
            assert text.strip() != EN.get(key, "").strip(), f"{key}.{lang} is a copy of the English text"


@pytest.mark.parametrize("lang", messages.catalogue_languages())
def test_texts_have_no_markup(lang):
    for key, text in messages.catalogue(lang).items():
        assert not MARKUP.search(text), f"{lang}: {key} contains [..] markup: {text!r}"
        assert not HTML.search(text), f"{lang}: {key} contains an HTML tag: {text!r}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_check_has_its_texts_in_every_report_language(rule):
    for lang in LANGS:
        for which in ("title", "fail_title", "fix"):
            assert messages.catalogue(lang).get(f"check.{rule.id}.{which}"), (rule.id, which, lang)


def test_missing_key_falls_back_to_english_then_to_the_id():
    draft = [lang for lang in messages.catalogue_languages() if lang not in LANGS]
    assert draft, "the German draft catalogue is the example of a partial catalogue"
    de = draft[0]
    assert messages.lookup("category.security", de) != EN["category.security"]  # has its own
    assert messages.lookup("check.contact.email.title", de) == EN["check.contact.email.title"]  # falls back
    assert messages.lookup("check.contact.email.title", "xx") == EN["check.contact.email.title"]
    assert messages.render(Message("no.such.key"), "pl") == "no.such.key"
    assert messages.render(Message("no.such.key"), "pl", default="kept") == "kept"


def test_country_variants_resolve_country_then_group_then_plain():
    keys = [k for k in EN if "@" in k]
    assert keys, "country variants exist (law and words of the shop's own country)"
    for key in keys:
        base, suffix = key.split("@", 1)
        if suffix == "EU":
            assert messages.lookup(base, "en", "IE") == EN[key]  # an EU member without its own variant
        else:
            assert messages.lookup(base, "en", suffix) == EN[key]
        assert messages.lookup(base, "en", None) == EN[base]  # unknown country: the plain text
        assert messages.lookup(base, "en", "US") == EN.get(f"{base}@US", EN[base])


def test_arguments_are_filled_and_nested_messages_rendered_in_the_same_language():
    msg = Message("outcome.page_error.title",
                  {"page": Message("page.returns"), "where": Message("where.footer"), "status": 404})
    assert messages.render(msg, "en") == "The returns page linked in the footer answers 404"
    assert "404" in messages.render(msg, "pl") and "stopce" in messages.render(msg, "pl")
    assert messages.render(Message("outcome.page_error.title", {}), "en").count("{") == 3  # missing args stay visible
