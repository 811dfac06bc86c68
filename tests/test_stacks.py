"""Stack packs (rules/stacks/<slug>.yaml: fingerprints) and their fixes (catalogue keys stack.<slug>.<check id>):
valid data, real rule ids, texts in English at least."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustaudit import messages
from trustaudit.engine import load_rules, platform_fixes, stack_packs, validate_all_rules
from trustaudit.extract.platform import WHERE, compile_packs
from trustaudit.resources import rules_dir

STACKS = rules_dir() / "stacks"
FILES = sorted(STACKS.glob("*.yaml"))
RULE_IDS = {r.id for r in load_rules()}
LANGS = {"en", "pl", "ru", "el", "ar", "de", "fr", "es", "it", "cs", "sk", "uk"}


def _load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_there_are_packs():
    assert len(FILES) >= 20
    assert set(stack_packs()) == {p.stem for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pack_is_valid(path):
    data = _load(path)
    assert isinstance(data, dict)
    assert data["slug"] == path.stem
    assert data["slug"] == data["slug"].lower()
    assert isinstance(data.get("name"), str) and data["name"].strip()
    assert set(data) <= {"slug", "name", "url", "fingerprints", "overrides", "threshold"}
    fps = data.get("fingerprints")
    assert isinstance(fps, list) and fps, "fingerprints must be a non-empty list"
    for fp in fps:
        assert isinstance(fp, dict) and set(fp) == {"where", "match", "weight"}, fp
        assert fp["where"] in WHERE, fp
        match = fp["match"]
        parts = [match] if isinstance(match, str) else match
        assert isinstance(parts, list) and parts and all(isinstance(p, str) and p.strip() for p in parts), fp
        assert isinstance(fp["weight"], (int, float)) and 0 < fp["weight"] <= 5, fp
    # every fingerprint compiles (none silently dropped)
    (pack,) = compile_packs({data["slug"]: data})
    assert len(pack.fingerprints) == len(fps)
    # the pack can be detected at all: its strongest signals reach the threshold
    assert sum(fp["weight"] for fp in fps) >= float(data.get("threshold", 3))
    for other in data.get("overrides") or ():
        assert (STACKS / f"{other}.yaml").is_file(), f"overrides unknown pack {other}"


def _fixes(slug: str) -> dict[str, dict[str, str]]:
    """check id -> language -> text of one platform, from every catalogue."""
    out: dict[str, dict[str, str]] = {}
    prefix = f"stack.{slug}."
    for lang in messages.catalogue_languages():
        for key, text in messages.catalogue(lang).items():
            if key.startswith(prefix) and "@" not in key:  # country variants (key@PL) are checked by test_catalogues
                out.setdefault(key[len(prefix):], {})[lang] = text
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pack_fixes(path):
    for rid, texts in _fixes(path.stem).items():
        assert rid in RULE_IDS, f"{path.name}: unknown rule id {rid}"
        assert texts.get("en", "").strip(), f"{path.name}: {rid} has no English text"
        assert set(texts) <= LANGS, f"{path.name}: {rid} has unknown languages {set(texts) - LANGS}"
        for lang, text in texts.items():
            assert isinstance(text, str) and text.strip(), (rid, lang)
            assert len(text) <= 400, f"{path.name}: {rid}/{lang} is too long for a one-line fix"
            assert "\n" not in text.strip(), (rid, lang)


def test_validate_all_rules_is_clean():
    assert validate_all_rules() == []


def test_platform_fixes_reach_rules():
    rules = {r.id: r for r in load_rules()}
    shopify_returns = platform_fixes(rules["policies.returns"], "en").get("shopify")
    assert shopify_returns and "Settings → Policies" in shopify_returns
    woo_terms = platform_fixes(rules["policies.terms"], "pl").get("woocommerce")
    assert woo_terms and "Page setup" in woo_terms and "Regulamin" in woo_terms


def test_main_platforms_have_core_fixes():
    core = {"policies.terms", "policies.privacy", "contact.page", "security.https"}
    for slug in ("shopify", "woocommerce", "prestashop", "magento", "opencart"):
        missing = core - set(_fixes(slug))
        assert not missing, f"{slug} lacks {missing}"
