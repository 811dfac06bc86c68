"""Messages, not sentences: every human-language text of a report comes from a catalogue at render time.

A catalogue is one file per language, ``rules/locales/<lang>.yaml``: a flat mapping of message id -> text with
``{name}`` placeholders (Python ``str.format`` fields). The ids:

- report frame: ``score``, ``status.fail``, ``reason.no_https``, ``evidence.not_found`` ...
- ``category.<category id>``: category titles
- ``check.<check id>.title`` (passed), ``.fail_title`` (not passed), ``.fix``, ``.description``,
  ``.manual_note``; when a check's finding is more specific than "missing", the engine asks for
  ``check.<check id>.<variant>_title`` / ``<variant>_fix`` first, then the shared ``outcome.<variant>.title`` /
  ``outcome.<variant>.fix`` (e.g. ``outcome.id_invalid.title``: an ID is shown but fails its check digit)
- ``stack.<platform slug>.<check id>``: where to click in that shop platform

**Country variants.** Any id may carry a suffix ``@<country>`` (ISO code) or ``@<group>`` (``@EU``): the text
for shops of that country or group. Resolution of ``(id, language, shop country)``:

1. in the report language: ``id@COUNTRY``, then ``id@GROUP`` for each group the country belongs to (the
   groups of ``rules/countries.yaml``, EU membership included), then ``id``;
2. the same chain in English;
3. the id itself (a report never fails for a missing text).

So a text without suffix must be true for a shop of any country (no country's law, words or deadlines): a
shop of unknown country only ever sees those. A language may lack variants English has; its plain text is then
used, which is correct everywhere, just less specific.

**Adding a language** is adding ``rules/locales/<lang>.yaml`` with the keys of ``en.yaml`` (the placeholders
must match; tests/test_catalogues.py checks both). Missing keys fall back to English. A catalogue with
``_status: draft`` is kept (its texts are used for ``rules show``) but not offered as a report language until
complete. Keys starting with ``_`` are metadata.

**Plurals.** A message with a count ``{n}`` may be a mapping of CLDR plural categories to texts, e.g. in pl
``pages_n: {one: '{n} strona', few: '{n} strony', many: '{n} stron', other: '{n} strony'}``: the form is chosen
by the language's CLDR plural rules (Babel's ``Locale.plural_form``; Polish and Russian have one/few/many,
Arabic zero/one/two/few/many, English one/other), so a report never says "1 pages" or "5 strony".
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

from trustaudit.models import Message
from trustaudit.resources import load_yaml, rules_dir

FALLBACK = "en"


def _data(lang: str) -> Mapping[str, Any]:
    if not lang or not lang.replace("-", "").isalnum():
        return {}
    try:
        return load_yaml(f"locales/{lang}.yaml") or {}
    except FileNotFoundError:
        return {}


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The plain messages of one language ({} when there is no catalogue for it); plural ones: ``plurals``."""
    return {
        str(k): str(v)
        for k, v in _data(lang).items()
        if not str(k).startswith("_") and v is not None and not isinstance(v, Mapping)
    }


@cache
def plurals(lang: str) -> Mapping[str, Mapping[str, str]]:
    """The plural messages of one language: id -> {CLDR category: text}."""
    return {
        str(k): {str(c): str(t) for c, t in v.items()}
        for k, v in _data(lang).items()
        if not str(k).startswith("_") and isinstance(v, Mapping)
    }


@cache
def plural_categories(lang: str) -> frozenset[str]:
    """The CLDR plural categories of a language (``other`` included)."""
    try:
        from babel import Locale

        return frozenset(Locale.parse(lang).plural_form.tags) | {"other"}
    except Exception:  # noqa: BLE001 - a language Babel does not know: the English categories
        return frozenset({"one", "other"})


def plural_category(lang: str, n: float) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (one, few, many, other ...)."""
    try:
        from babel import Locale

        return str(Locale.parse(lang).plural_form(abs(n)))
    except Exception:  # noqa: BLE001
        return "one" if n == 1 else "other"


def _plural_text(key: str, lang: str, n: Any) -> str | None:
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        return None
    for language in (lang, FALLBACK) if lang != FALLBACK else (FALLBACK,):
        forms = plurals(language).get(key)
        if forms:
            return forms.get(plural_category(language, n)) or forms.get("other")
    return None


@cache
def _meta(lang: str) -> Mapping[str, Any]:
    try:
        data = load_yaml(f"locales/{lang}.yaml") or {}
    except FileNotFoundError:
        return {}
    return {str(k): v for k, v in data.items() if str(k).startswith("_")}


@lru_cache(maxsize=1)
def catalogue_languages() -> tuple[str, ...]:
    """Every language that has a catalogue file (drafts included), English first."""
    folder = rules_dir() / "locales"
    langs = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    return tuple(sorted(langs, key=lambda lang: (lang != FALLBACK, lang)))


@lru_cache(maxsize=1)
def report_languages() -> tuple[str, ...]:
    """Languages a report can be written in: every complete (non-draft) catalogue."""
    return tuple(lang for lang in catalogue_languages() if _meta(lang).get("_status") != "draft")


@lru_cache(maxsize=1)
def group_members() -> Mapping[str, frozenset[str]]:
    """Group -> its member countries (rules/countries.yaml ``groups``, a member naming a group standing for its
    members; EU: every profile with ``eu: true``)."""
    try:
        data = load_yaml("countries.yaml") or {}
    except FileNotFoundError:
        return {}
    raw: dict[str, set[str]] = {str(g).upper(): {str(c).upper() for c in (m or ())}
                                for g, m in (data.get("groups") or {}).items()}
    eu = {str(code).upper() for code, prof in (data.get("countries") or {}).items()
          if isinstance(prof, Mapping) and prof.get("eu")}
    if eu:
        raw["EU"] = raw.get("EU", set()) | eu

    def expand(group: str, seen: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for m in raw.get(group, ()):
            out |= expand(m, seen | {m}) if m in raw and m not in seen else ({m} if m not in raw else set())
        return out

    return {g: frozenset(expand(g, frozenset({g}))) for g in raw}


@lru_cache(maxsize=1)
def _groups() -> Mapping[str, tuple[str, ...]]:
    """Country -> the groups it belongs to, the smallest (most specific) first: EU before EEA."""
    out: dict[str, list[str]] = {}
    for group, members in sorted(group_members().items(), key=lambda kv: (len(kv[1]), kv[0])):
        for c in sorted(members):
            out.setdefault(c, []).append(group)
    return {k: tuple(v) for k, v in out.items()}


def variant_chain(key: str, country: str | None) -> tuple[str, ...]:
    """The ids tried in one language for a shop of ``country``: key@COUNTRY, key@GROUP..., key."""
    if not country:
        return (key,)
    c = country.upper()
    return (f"{key}@{c}", *(f"{key}@{g}" for g in _groups().get(c, ())), key)


def lookup(key: str, lang: str, country: str | None = None) -> str | None:
    """The text of ``key`` by the fallback chain (module docstring), or None when no catalogue has it."""
    chain = variant_chain(key, country)
    for language in (lang, FALLBACK) if lang != FALLBACK else (FALLBACK,):
        cat = catalogue(language)
        for k in chain:
            text = cat.get(k)
            if text:
                return text
    return None


def has(key: str) -> bool:
    """Does the reference catalogue define ``key`` (with or without a variant)?"""
    return key in catalogue(FALLBACK) or key in plurals(FALLBACK)


def number(value: float, lang: str, digits: int = 1) -> str:
    """A decimal number as the language writes it (0.7 / 0,7)."""
    try:
        from babel.numbers import format_decimal

        return format_decimal(round(value, digits), format="#,##0." + "#" * digits, locale=lang)
    except Exception:  # noqa: BLE001
        return f"{value:.{digits}f}"


class _Args(dict):
    """Format arguments: a missing placeholder stays visible as ``{name}`` instead of raising."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def fill(text: str, args: Mapping[str, Any], lang: str, country: str | None) -> str:
    if not args:
        return text
    values = _Args({k: (render(v, lang, country) if isinstance(v, Message) else v) for k, v in args.items()})
    try:
        return string.Formatter().vformat(text, (), values)
    except (ValueError, IndexError, AttributeError):
        return text


def render(msg: Message, lang: str, country: str | None = None, default: str | None = None) -> str:
    """The text of a message in ``lang`` for a shop of ``country``; ``default`` (else the id) when unknown."""
    text = _plural_text(msg.id, lang, msg.args.get("n")) if "n" in msg.args else None
    if text is None:
        text = lookup(msg.id, lang, country)
    if text is None:
        return default if default is not None else msg.id
    return fill(text, msg.args, lang, country)


def first(keys: Iterable[str], lang: str, country: str | None = None) -> str | None:
    """The first of ``keys`` that resolves (each with its own fallback chain)."""
    for k in keys:
        text = lookup(k, lang, country)
        if text is not None:
            return k
    return None


def t(key: str, lang: str = FALLBACK, **args: Any) -> str:
    """A report-frame string (no country variants) in ``lang``; English, then the key, when missing."""
    return render(Message(key, args), lang)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a text (for the catalogue tests)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
