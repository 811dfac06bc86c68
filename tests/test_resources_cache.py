"""The build cache of trustaudit/resources.py: plain data on disk (patterns as their source, compiled when
loaded), the same results as a fresh build; any damaged, foreign or unwritable cache only costs time."""

from __future__ import annotations

import os
import pickle
import pickletools
import re

import pytest

from trustaudit import resources as vocabcache
from trustaudit.extract import company, ids, pages, phrases, widgets

PATTERNS = [
    re.compile(r"(?<![^\W_])(?:kontakt|impressum|regulamin)(?![^\W_])"),
    re.compile(r"(?P<label>NIP|REGON)[:\s]*(?P<value>\d[\d\s-]{8,12}\d)", re.I),
    re.compile(r"^\s*(?:zł|руб|€)", re.I | re.M),
    re.compile(r"[\u0600-\u06ff]+(?:\s+[\u0600-\u06ff]+){0,3}"),
    re.compile(rb"\x00\xff+"),
]
SAMPLES = ["Kontakt | Regulamin", "NIP: 526-104-08-28 REGON 012100784", "\n zł 12", "شركة الأمل للتجارة", "x"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("TRUSTAUDIT_CACHE_DIR", str(d))
    monkeypatch.delenv("TRUSTAUDIT_NO_CACHE", raising=False)
    return d


def _globals(data: bytes) -> set[str]:
    """Module-level names a pickle calls when loaded (what it depends on)."""
    names, strings = set(), []
    for op, arg, _pos in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            names.add(".".join(strings[-2:]))
        elif op.name == "GLOBAL":
            names.add(arg.replace(" ", "."))
    return names


@pytest.mark.parametrize("rx", PATTERNS, ids=lambda p: repr(p.pattern[:20]))
def test_patterns_are_stored_as_their_source_and_compiled_on_load(rx):
    data = pickle.dumps({"rx": rx}, protocol=pickle.HIGHEST_PROTOCOL)
    assert not any("_sre" in n or "_compiler" in n or "_parser" in n for n in _globals(data))
    back = pickle.loads(data)["rx"]
    assert (back.pattern, back.flags, back.groups, back.groupindex) == (rx.pattern, rx.flags, rx.groups, rx.groupindex)
    for s in SAMPLES:
        s = s.encode() if isinstance(rx.pattern, bytes) else s
        assert [m.span() for m in back.finditer(s)] == [m.span() for m in rx.finditer(s)]
        assert [m.groups() for m in back.finditer(s)] == [m.groups() for m in rx.finditer(s)]


def test_a_stored_pattern_is_compiled_only_when_a_scan_uses_it(cache_dir):
    used, unused = re.compile(r"(?<![^\W_])(?:kontakt|regulamin)(?![^\W_])", re.I), re.compile(r"\d{2}-\d{3}")
    vocabcache.load_or_build("lazy-t", lambda: {"used": used, "unused": unused})
    back = vocabcache.load_or_build("lazy-t", lambda: pytest.fail("rebuilt"))  # read from the file
    assert isinstance(back["used"], vocabcache.LazyPattern) and "compiled" not in vars(back["unused"])
    text = "Kontakt | REGULAMIN | kontakty"
    assert [m.span() for m in back["used"].finditer(text)] == [m.span() for m in used.finditer(text)]
    assert back["used"].search(text).group(0) == "Kontakt" and back["used"].groups == used.groups
    assert "compiled" in vars(back["used"]) and "compiled" not in vars(back["unused"])
    assert (back["unused"].pattern, back["unused"].flags) == (unused.pattern, unused.flags)
    assert pickle.loads(pickle.dumps(back["unused"])).match("12-345")  # stored again as its source


def test_the_stored_vocabulary_holds_no_regex_engine_code(cache_dir):
    vocabcache.load_or_build("phrases-t", phrases._index.build)
    (path,) = cache_dir.glob("phrases-t-*.pickle")
    names = _globals(path.read_bytes())
    assert "re._compile" in names  # patterns are there, as source
    assert not any("_sre" in n or "_compiler" in n for n in names), names


def test_a_stored_build_is_read_back_equal(cache_dir):
    calls = []

    def build():
        calls.append(1)
        return {"rx": PATTERNS[1], "words": ("a", "b")}

    first = vocabcache.load_or_build("unit", build)
    files = list(cache_dir.glob("unit-*.pickle"))
    assert len(files) == 1
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"
    second = vocabcache.load_or_build("unit", build)
    assert calls == [1]  # the second call came from the file
    assert second["words"] == first["words"]
    assert second["rx"].pattern == first["rx"].pattern
    assert second["rx"].search("nip 5261040828").group("value") == "5261040828"


def test_cached_vocabulary_matches_a_fresh_build(cache_dir):
    """Every cached builder, loaded from disk, gives the same matches as building it from rules/ now."""
    for fn in (phrases._index, pages.vocab, widgets.db, ids.compiled, company._cfg):
        vocabcache.load_or_build(fn.__name__ + "-t", fn.build)  # write
    text = (
        "Kontakt z nami: Regulamin sklepu, zwrot towaru w ciągu 14 dni. Płatności: BLIK, Przelewy24, PayPal. "
        "Sprzedawca: Herbaciarnia Sp. z o.o., NIP 526-104-08-28. Trustpilot opinie. Impressum. Widerrufsrecht."
    )
    from trustaudit.extract.text import fold_same_length

    folded = fold_same_length(text)
    fresh_idx, _ = phrases._index.build()
    cached_idx, _ = vocabcache.load_or_build("_index-t", phrases._index.build)
    assert list(cached_idx.finditer(folded)) == list(fresh_idx.finditer(folded))
    assert list(cached_idx.finditer(folded))  # the sample really hits phrases
    fresh_w, cached_w = widgets.db.build(), vocabcache.load_or_build("db-t", widgets.db.build)
    assert [m.span() for m in cached_w.cs_re.finditer(text)] == [m.span() for m in fresh_w.cs_re.finditer(text)]
    assert any(True for _ in cached_w.cs_re.finditer(text))  # "BLIK"
    assert cached_w.by_name.keys() == fresh_w.by_name.keys()
    fresh_i, cached_i = ids.compiled.build(), vocabcache.load_or_build("compiled-t", ids.compiled.build)
    assert [m.span() for m in cached_i.label_re.finditer(text)] == [m.span() for m in fresh_i.label_re.finditer(text)]
    assert any(True for _ in cached_i.label_re.finditer(text))
    fresh_c, cached_c = company._cfg.build(), vocabcache.load_or_build("_cfg-t", company._cfg.build)
    assert [[m.span() for m in rx.finditer(text)] for rx in cached_c["lines"]] == [
        [m.span() for m in rx.finditer(text)] for rx in fresh_c["lines"]
    ]
    fresh_p, cached_p = pages.vocab.build(), vocabcache.load_or_build("vocab-t", pages.vocab.build)
    assert [k.name for k in cached_p.kinds] == [k.name for k in fresh_p.kinds]
    assert cached_p.lead_index == fresh_p.lead_index and cached_p.lead_index
    assert [k.text_re.search(folded) is not None for k in cached_p.kinds if k.text_re is not None] == [
        k.text_re.search(folded) is not None for k in fresh_p.kinds if k.text_re is not None]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95garbage", None])
def test_a_damaged_cache_file_is_rebuilt(cache_dir, damage):
    vocabcache.load_or_build("dmg", lambda: ["good"])
    (path,) = cache_dir.glob("dmg-*.pickle")
    if damage is None:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated
    else:
        path.write_bytes(damage)
    assert vocabcache.load_or_build("dmg", lambda: ["rebuilt"]) == ["rebuilt"]
    assert vocabcache.load_or_build("dmg", lambda: ["unused"]) == ["rebuilt"]  # and stored again


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_can_write_is_never_unpickled(cache_dir):
    vocabcache.load_or_build("perm", lambda: "ours")
    (path,) = cache_dir.glob("perm-*.pickle")
    path.write_bytes(pickle.dumps("planted"))
    os.chmod(path, 0o666)
    assert vocabcache.load_or_build("perm", lambda: "built") == "built"
    os.chmod(path, 0o600)
    os.chmod(cache_dir, 0o777)
    path.write_bytes(pickle.dumps("planted"))
    try:
        assert vocabcache.load_or_build("perm", lambda: "built again") == "built again"
    finally:
        os.chmod(cache_dir, 0o700)


def test_no_cache_and_unwritable_cache_only_cost_time(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTAUDIT_NO_CACHE", "1")
    monkeypatch.setenv("TRUSTAUDIT_CACHE_DIR", str(tmp_path / "off"))
    assert vocabcache.load_or_build("off", lambda: 1) == 1
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("TRUSTAUDIT_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("TRUSTAUDIT_CACHE_DIR", str(blocker / "sub"))
    assert vocabcache.load_or_build("ro", lambda: [2]) == [2]


def test_the_fingerprint_follows_rule_data(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    (rules / "checks").mkdir(parents=True)
    f = rules / "vocab.yaml"
    f.write_text("a: 1\n")
    monkeypatch.setattr(vocabcache, "rules_dir", lambda: rules)
    first = vocabcache.fingerprint.__wrapped__()
    assert vocabcache.fingerprint.__wrapped__() == first
    f.write_text("a: 2\n")
    assert vocabcache.fingerprint.__wrapped__() != first


def test_builds_of_other_versions_are_pruned(cache_dir, monkeypatch):
    vocabcache.load_or_build("prune", lambda: 1)
    old = next(cache_dir.glob("prune-*.pickle"))
    monkeypatch.setattr(vocabcache, "fingerprint", lambda: "0" * 24)
    vocabcache.load_or_build("prune", lambda: 2)
    assert not old.exists()
    assert [p.name for p in cache_dir.glob("prune-*.pickle")] == ["prune-" + "0" * 24 + ".pickle"]
