"""Every rule speaks every report language, in the right script, as plain text."""

from __future__ import annotations

import re

import pytest

from trustaudit.engine import load_rules

LANGS = ("en", "pl", "ru", "el", "ar")
REQUIRED = ("title", "fail_title", "fix")
OPTIONAL = ("manual_note", "description")

SCRIPT = {
    "ru": re.compile(r"[\u0400-\u04FF]"),  # Cyrillic
    "el": re.compile(r"[\u0370-\u03FF\u1F00-\u1FFF]"),  # Greek (+ extended)
    "ar": re.compile(r"[\u0600-\u06FF]"),  # Arabic
}
MARKUP = re.compile(r"\[[^\]\n]*\]")  # rich-style tags such as [bold] or [/]
HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")

RULES = load_rules()


def _texts(rule):
    for key in REQUIRED + OPTIONAL:
        for lang, text in getattr(rule, key).items():
            yield key, lang, text


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_required_texts_in_every_language(rule):
    for key in REQUIRED:
        texts = getattr(rule, key)
        for lang in LANGS:
            assert (texts.get(lang) or "").strip(), f"{rule.id}: {key} has no {lang} text"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_optional_texts_when_present_cover_every_language(rule):
    for key in OPTIONAL:
        texts = getattr(rule, key)
        if texts:
            for lang in LANGS:
                assert (texts.get(lang) or "").strip(), f"{rule.id}: {key} has no {lang} text"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_texts_are_written_in_their_script(rule):
    """Guards against an English text pasted into the ru/el/ar slot."""
    for key, lang, text in _texts(rule):
        pattern = SCRIPT.get(lang)
        if pattern is not None:
            assert pattern.search(text), f"{rule.id}: {key}.{lang} has no {lang} letters: {text!r}"
        if lang != "en" and key in REQUIRED:
            assert text.strip() != getattr(rule, key).get("en", "").strip(), (
                f"{rule.id}: {key}.{lang} is a copy of the English text"
            )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_texts_have_no_markup(rule):
    for key, lang, text in _texts(rule):
        assert not MARKUP.search(text), f"{rule.id}: {key}.{lang} contains [..] markup: {text!r}"
        assert not HTML.search(text), f"{rule.id}: {key}.{lang} contains an HTML tag: {text!r}"
