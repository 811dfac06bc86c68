"""Tax and registry identifiers next to their labels, validated with python-stdnum.

Only a number that directly follows a label from rules/vocab/ids.yaml is read (a bare number is never claimed
as an ID). Text is scanned with Eastern digits mapped to ASCII; Greek/Cyrillic look-alike prefix letters are mapped
to Latin; separators (space, dot, dash, and slash where the scheme allows) are removed before validation.
``valid`` is True/False from the scheme's check digit (python-stdnum or a documented pattern), None when the scheme
has no check. A number of the wrong length after a label of its kind (a 14-digit ОГРНИП, an 8-digit REGON) is
reported with ``valid=False``: a mistyped ID is a finding, not nothing. A label given only in an element's
``title`` / ``aria-label`` (``<a title="VAT number">300…003</a>``) is read with the element's text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

from lxml import etree

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.company import _cfg as _company_cfg
from trustaudit.extract.text import (
    DIGITS,
    HOMOGLYPHS,
    ascii_digits,
    fold,
    number_scan,
    phrase_regex,
    snippet,
    snippet_around,
    trie_regex,
)
from trustaudit.models import TaxId
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import MAX_ELEMENTS, ParsedPage, text_of

MAX_SCAN = 400_000  # characters of a page's text read for IDs
MAX_NUMBERS = 2_000  # numbers (runs of 6+ digits, register numbers) per page before which a label is looked for
_SEP = " \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012-"
_PREFIX = r"([A-Za-zΑ-ΩΆ-Ώα-ωА-Яа-яЁёІі]{2})[\s\u00a0.\-:]{0,2}"
_COURT = re.compile(
    r"(?:Amtsgericht|Registergericht|Registergericht:\s*Amtsgericht|AG|Handelsregister(?:\s+des)?\s+Amtsgerichts?)"
    r"[:\s]+([A-ZÄÖÜ][\wäöüß\-]+(?:\s?\([^)\n]{2,30}\))?(?:\s(?:am|an der|in der|im|i\.\s?Br\.)\s?[A-ZÄÖÜ][\wäöüß\-.]+)?)"
)


@dataclass(frozen=True)
class Scheme:
    name: str
    country: str | None
    lengths: frozenset[int]
    prefixes: frozenset[str]
    require_prefix: bool
    alnum: bool
    stdnum: str | None
    pattern: re.Pattern[str] | None
    value_re: re.Pattern[str] | None
    gap_words: int
    register_label: bool
    suffix_letter: bool
    court: bool
    min_digits: int
    slash: bool


@dataclass(frozen=True)
class _Compiled:
    label_re: re.Pattern[str]
    label_at: re.Pattern[str]  # zero-width, at every position where some label_re alternative starts
    by_label: dict[str, tuple[Scheme, ...]]
    gap_re: re.Pattern[str]
    gap_words_re: re.Pattern[str]
    schemes: dict[str, Scheme]


def _label_key(s: str) -> str:
    return re.sub(r"[\s.:\-/]+", "", fold(s))


@cached_build("ids")
def compiled() -> _Compiled:
    data = load_yaml("vocab/ids.yaml") or {}
    schemes: dict[str, Scheme] = {}
    by_label: dict[str, list[Scheme]] = {}
    alts: set[str] = set()
    words: set[tuple[str, ...]] = set()
    for name, spec in (data.get("schemes") or {}).items():
        vp = spec.get("value_pattern")
        pat = spec.get("pattern")
        sch = Scheme(
            name=name,
            country=spec.get("country"),
            lengths=frozenset(int(x) for x in spec.get("lengths") or []),
            prefixes=frozenset(str(x).upper() for x in spec.get("prefixes") or []),
            require_prefix=bool(spec.get("require_prefix")),
            alnum=bool(spec.get("alnum")),
            stdnum=spec.get("stdnum"),
            pattern=re.compile(pat) if pat else None,
            value_re=re.compile(r"(?:" + vp + r")(?![\w])", re.I) if vp else None,
            gap_words=int(spec.get("gap_words") or 0),
            register_label=bool(spec.get("register_label")),
            suffix_letter=bool(spec.get("suffix_letter")),
            court=bool(spec.get("court")),
            min_digits=int(spec.get("min_digits") or 0),
            slash=bool(spec.get("slash")),
        )
        schemes[name] = sch
        for label in spec.get("labels") or []:
            label = str(label).strip()
            for variant in {label, fold(label)}:
                if not variant:
                    continue
                body = r"\s*".join(re.escape(part) for part in variant.split())
                alts.add(body)
                words.add(tuple(variant.split()))
            by_label.setdefault(_label_key(label), []).append(sch)
    ordered = sorted(alts, key=len, reverse=True)
    label_re = re.compile(r"(?<![^\W_])(?:" + "|".join(ordered) + r")(?![^\W_])", re.I)
    # the same alternatives as one trie (a character per branch), without the end test: a look-ahead that
    # holds wherever label_re can match (and a few more places), tested in a few steps per word start
    seqs = ([tok for j, part in enumerate(ws) for tok in ([r"\s*"] if j else []) + [re.escape(c) for c in part]]
            for ws in sorted(words))
    label_at = re.compile(r"(?<![^\W_])(?=" + trie_regex(seqs) + ")", re.I)
    fillers = sorted({re.escape(str(f)) for f in data.get("fillers") or []}, key=len, reverse=True)
    gap = r"[\s:.\-–—#№°º/()]*(?:(?:" + "|".join(fillers) + r")(?![^\W_])\.?[\s:.\-–—#№°º/()]*){0,2}"
    return _Compiled(
        label_re=label_re,
        label_at=label_at,
        by_label={k: tuple(v) for k, v in by_label.items()},
        gap_re=re.compile(gap, re.I),
        gap_words_re=re.compile(r"(?:[^\W\d_][^\s\d]{0,25}[\s,]+){0,3}"),
        schemes=schemes,
    )


@lru_cache(maxsize=64)
def _module(path: str):
    try:
        return importlib.import_module("stdnum." + path)
    except ImportError:
        return None


def _ru_ogrn(value: str) -> bool:
    """ОГРН (13 digits) / ОГРНИП (15 digits) by the registry's own rule: the check digit is the lowest digit of the
    remainder of the number before it divided by 11 (ОГРН) or 13 (ОГРНИП). python-stdnum 2.2 compares the whole
    remainder for ОГРНИП, so it rejects every real one whose remainder is 10, 11 or 12."""
    if not value.isdigit():
        return False
    if len(value) == 13:
        return value[0] != "0" and int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return value[0] in "34" and int(value[:14]) % 13 % 10 == int(value[14])
    return False


# check-digit rules where the python-stdnum module differs from the scheme's official definition
_STDNUM_FIXES = {"ru.ogrn": _ru_ogrn}


def check(scheme: Scheme, value: str, prefix: str = "") -> bool | None:
    """True/False by the scheme's check digit or documented pattern; None when there is none."""
    if scheme.stdnum in _STDNUM_FIXES:
        return _STDNUM_FIXES[scheme.stdnum](value)
    if scheme.stdnum:
        mod = _module(scheme.stdnum)
        if mod is None:
            return None
        try:
            return bool(mod.is_valid((prefix + value) if scheme.name == "eu.vat" else value))
        except Exception:  # noqa: BLE001 - stdnum should not raise from is_valid, but never trust input
            return False
    if scheme.pattern is not None:
        return bool(scheme.pattern.match(value))
    return None


_RUN = re.compile(r"[0-9A-Za-z](?:[ \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012-]{0,2}[0-9A-Za-z]){0,24}")
_RUN_SLASH = re.compile(r"[0-9A-Za-z](?:[ \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012/-]{0,2}[0-9A-Za-z]){0,24}")


MALFORMED_SLACK = 2  # how many digits too few or too many still make "an ID of this kind, mistyped"


def _read_value(scheme: Scheme, text: str, pos: int) -> tuple[str, str, int, int] | None:
    """(value, prefix, start, end) of the number at ``pos`` for ``scheme``; a digit-only number whose length is
    not one of the scheme's but within ``MALFORMED_SLACK`` of them comes back too (``malformed`` tells)."""
    prefix = ""
    start = pos
    m = re.compile(_PREFIX).match(text, pos) if scheme.prefixes else None
    if m:
        cand = m.group(1).translate(HOMOGLYPHS).upper()
        if cand in scheme.prefixes:
            prefix = cand
            pos = m.end()
    if scheme.require_prefix and not prefix:
        return None
    if scheme.value_re is not None:
        vm = scheme.value_re.match(text, pos)
        if not vm:
            return None
        value = re.sub(r"[^0-9A-Za-z]", "", vm.group(0)).upper()
        if scheme.lengths and len(value) not in scheme.lengths:
            return None
        return value, prefix, start, vm.end()
    rm = (_RUN_SLASH if scheme.slash else _RUN).match(text, pos)
    if not rm:
        return None
    run = rm.group(0)
    # cut at group boundaries: the longest prefix of separator-delimited groups with an allowed length
    groups = re.split(r"[ \u00a0\u2009\u202f.\u2011\u2010\u2013\u2012/-]+", run)
    best = None
    acc = ""
    consumed = 0
    for g in groups:
        if not scheme.alnum and not g.isdigit():
            if scheme.suffix_letter and best is not None and len(g) == 1 and g.isalpha():
                acc_s = best[0] + " " + g.upper()
                return acc_s, prefix, start, rm.start() + run.find(g, consumed) + 1
            break
        acc += g
        consumed = run.find(g, consumed) + len(g)
        n = len(acc)
        if n in scheme.lengths and n >= scheme.min_digits:
            best = (acc.upper(), rm.start() + consumed)
        if n > max(scheme.lengths or {0}):
            break
    if best is None:
        return _malformed(scheme, groups, run, rm.start(), text, prefix, start)
    end = best[1]
    # the number must not continue with more digits right after (e.g. an IBAN)
    if end < len(text) and text[end].isdigit():
        return None
    return best[0], prefix, start, end


def _malformed(scheme: Scheme, groups: list[str], run: str, run_start: int, text: str, prefix: str,
               start: int) -> tuple[str, str, int, int] | None:
    """The whole digit run after a label when its length is near, but not one of, the scheme's lengths."""
    if scheme.alnum or not scheme.lengths or not all(g.isdigit() for g in groups):
        return None
    digits = "".join(groups)
    lo, hi = min(scheme.lengths), max(scheme.lengths)
    if len(digits) < max(6, lo - MALFORMED_SLACK) or len(digits) > hi + MALFORMED_SLACK:
        return None
    end = run_start + len(run)
    if end < len(text) and text[end].isdigit():
        return None
    return digits, prefix, start, end


def malformed(scheme: Scheme, value: str) -> bool:
    """Whether a value read for ``scheme`` has none of its lengths (a mistyped number)."""
    return bool(scheme.lengths) and not scheme.alnum and scheme.value_re is None and not scheme.register_label \
        and len(value) not in scheme.lengths


LABEL_LOOKBACK = 90


def _anchors(text: str, numbers: tuple[re.Match[str], ...] | None = None,
             limit: int | None = None) -> tuple[list[int], bool]:
    r"""(anchors, whether ``text`` has Eastern Arabic digits). Anchors are the starts of the non-overlapping
    matches of ``\d(?:SEP{0,3}\d){5,}`` (runs of >= 6 digits) and of ``(?<![^\W_])(?:HRB|HRA|GnR|VR|PR)\s?\d``
    (register numbers), in order: replayed from the page's number scan (``text.number_scan``), shared with the
    phone extractor (``numbers``, when the caller has it). They are the same before and after mapping Eastern
    digits (both are ``\d``). With ``limit``: stops at the ``limit + 1``-th anchor (Eastern digits are then
    known up to it: a run of them is itself an anchor)."""
    anchors: list[int] = []
    east = False
    run_end = 0
    for m in numbers if numbers is not None else number_scan(text):
        if m.start("east") >= 0:
            east = True
        if m.start("run") >= 0:
            if m.start() >= run_end:  # finditer goes on after the end of the run it found
                anchors.append(m.start())
                run_end = m.end("run")
        elif m.start("hint") >= 0:
            anchors.append(m.start())
        else:
            continue
        if limit is not None and len(anchors) > limit:
            break
    return anchors, east


@dataclass(frozen=True)
class IdCandidate:
    """One reading of the number after an ID label: as one scheme would read it."""

    tax_id: TaxId
    span: tuple[int, int]  # where the number is (a number is reported once, under the label before it)
    rank: int  # 2 check digit valid, 1 no check digit, 0 invalid; an eu.vat reading 1 less; a register 3
    country: str | None = None  # the scheme's country: its readings rank 4 higher in a shop of that country
    # "" = the shop's, as far as the page tells; else whose it is: "credit" (the agency that made the site),
    # "payment" (the payment operator), "courier", "seller_list" (one of a marketplace's sellers)
    owner: str = ""


@dataclass(frozen=True)
class PageIds:
    """The ID facts of one page, before the shop's country is known (``resolve_ids`` reads them for it)."""

    labels: tuple[tuple[IdCandidate, ...], ...] = ()  # per ID label in the text (page order), its readings
    # per element labelled only by its title / aria-label, the readings of its text; they count when a number
    # of the text (``anchors``: where the numbers start) is left unclaimed by the labels in the text
    titled: tuple[tuple[IdCandidate, ...], ...] = ()
    anchors: tuple[int, ...] = ()


def extract_ids(pp: ParsedPage, country: str | None) -> list[TaxId]:
    """IDs on one page, read for a shop of ``country``."""
    return resolve_ids(id_candidates(pp), country)


def _best(cands: tuple[IdCandidate, ...], country: str | None) -> IdCandidate:
    return max(cands, key=lambda c: c.rank + (4 if country and c.country == country else 0))


def resolve_ids(page: PageIds, country: str | None) -> list[TaxId]:
    """For each label of one page (in page order), the best reading for a shop of ``country``; a number
    already taken by an earlier label is not reported again. When a number of the text is left that no label
    claimed, the IDs labelled by a title attribute follow (each (scheme, value) once)."""
    found: list[TaxId] = []
    taken: set[tuple[int, int]] = set()
    for cands in page.labels:
        if not cands:
            continue
        best = _best(cands, country)
        if best.span in taken:
            continue
        taken.add(best.span)
        if not best.owner:  # another company's number is read (and so claimed) but not the shop's
            found.append(best.tax_id)
    if page.titled and any(not any(a <= anchor < b for a, b in taken) for anchor in page.anchors):
        have = {(t.scheme, t.value) for t in found}
        for cands in page.titled:
            if not cands:
                continue
            t = _best(cands, country).tax_id
            if (t.scheme, t.value) not in have:
                have.add((t.scheme, t.value))
                found.append(t)
    return found


def id_candidates(pp: ParsedPage, numbers: tuple[re.Match[str], ...] | None = None,
                  attrs: PageAttributes | None = None) -> PageIds:
    """Every ID label of one page followed by a number, with that number's readings by each scheme the label
    names (in page order; the shop's country picks one in ``resolve_ids``). Labels are looked for only in the
    few characters before each run of >= 6 digits (and before "HRB 123"-style register numbers), so long pages
    cost one cheap scan; ``numbers`` is the page's ``number_scan`` when the caller already has it."""
    c = compiled()
    text = pp.text[:MAX_SCAN]
    if len(pp.text) > MAX_SCAN:
        limits.cut(f"{limits.of(MAX_SCAN, max(len(pp.text), pp.text_chars), 'characters of text')} read for IDs")
    anchors, east = _anchors(text, numbers, MAX_NUMBERS)
    if len(anchors) > MAX_NUMBERS:  # each number costs a label search, each label a reading per scheme
        limits.cut(f"labels looked for before the first {MAX_NUMBERS:,} numbers only")
        anchors = anchors[:MAX_NUMBERS]
    if not anchors:
        return PageIds()
    if east:
        text = text.translate(DIGITS)  # = ascii_digits(text), character for character
    found: list[tuple[IdCandidate, ...]] = []
    done_labels: set[int] = set()
    floor = 0  # where the previous number ends: the clause of the next label starts after it
    prev_owner = ""
    for anchor in anchors:
        for lm in _labels(c, text, max(0, anchor - LABEL_LOOKBACK), anchor + 4):
            if lm.start() in done_labels:
                continue
            done_labels.add(lm.start())
            cands = _at_label(c, lm, text, pp.url)
            if not cands:
                found.append(cands)
                continue
            if floor and _CONTINUES.fullmatch(text, floor, lm.start()):
                owner = prev_owner  # "NIP 779…, KRS 000…": the same company's next number
            else:
                owner = _owner(text, lm.start(), floor)
            if owner:
                cands = tuple(replace(x, owner=owner) for x in cands)
            found.append(cands)
            floor, prev_owner = max(floor, max(x.span[1] for x in cands)), owner
    found = _seller_lists(found)
    # a number that every reading of some label covers is claimed whatever the shop's country; while one is
    # not, a title attribute may be its label
    if all(any(all(x.span[0] <= anchor < x.span[1] for x in cands) for cands in found if cands)
           for anchor in anchors):
        return PageIds(tuple(found))
    return PageIds(tuple(found), tuple(_title_labelled(pp, c, attrs)), tuple(anchors))


MAX_TITLED = 2_000  # elements labelled by a title / aria-label read per page


@cached_build("ids-owners")
def _owners() -> tuple[int, tuple[tuple[str, re.Pattern[str]], ...]]:
    """(window, (kind, pattern of folded text) ...) from ``not_the_shop`` in rules/vocab/ids.yaml; the payment
    providers' names of rules/vocab/widgets.yaml count as payment operators."""
    data = (load_yaml("vocab/ids.yaml") or {}).get("not_the_shop") or {}
    widgets = load_yaml("vocab/widgets.yaml") or {}
    names = data.get("names") or {}
    out = []
    for kind in ("credit", "payment", "courier", "seller"):
        words = [str(w) for ws in (data.get(kind) or {}).values() for w in ws or ()]
        words += [str(w) for w in names.get(kind) or ()]
        if kind == "payment":
            words += [str(t) for spec in (widgets.get("payment") or {}).values() for t in (spec or {}).get("texts") or ()]
        rx = phrase_regex(words)
        if rx is not None:
            out.append((kind, rx))
    return int(data.get("window") or 160), tuple(out)


# the end of a sentence: a full stop, "!" or "?" and a capital after it (the dot of a legal form such as "S.A." or
# "Sp. z o.o." is not one)
_SENTENCE_END = re.compile(r"[.!?](?=[\s\u00a0]+[A-ZÀ-ÞĀ-ŽА-ЯЁЄІЇΑ-Ω\u0600-\u06ff])")
_CLAUSE_BREAK = re.compile(r"[|•·\n]")
# what may stand between two numbers of one company ("NIP 779-23-08-495, KRS 0000274399", "ИНН … / КПП … и ОГРН")
_CONTINUES = re.compile(r"[\s\u00a0,;:/()\-–—]*(?:(?:and|i|oraz|und|и|та|et|e|y|και|و)[\s\u00a0]+)?")


def _owner(text: str, label_start: int, floor: int) -> str:
    """Whose number the label at ``label_start`` introduces: "" (the shop's) or the kind of other company its
    clause names (``_owners``). The clause: the text before the label on its line, after the previous number
    (``floor``) and after the last sentence end, at most the window's length."""
    window, kinds = _owners()
    lo = max(floor, label_start - window)
    clause = text[lo:label_start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(clause)]
    if breaks:
        clause = clause[breaks[-1]:]
        if not clause.strip() and text[lo + breaks[-1] - 1] == "\n":
            # the label starts its line (a table cell, a footer line): the line before counts when it names a
            # company ("DPD Polska sp. z o.o." / "NIP 526…")
            prev = text[lo + (breaks[-2] if len(breaks) >= 2 else 0): lo + breaks[-1] - 1]
            cfg = _company_cfg()
            if any(rx is not None and rx.search(prev) for rx in (cfg["after"], cfg["before"])):
                clause = prev
    legal_end = _company_cfg()["after_at_end"]
    for m in reversed(list(_SENTENCE_END.finditer(clause))):
        if legal_end is None or not legal_end.search(clause, 0, m.end()):
            clause = clause[m.end():]
            break
    if not clause.strip():
        return ""
    folded = fold(clause)
    for kind, rx in kinds:
        if rx.search(folded):
            return kind
    return ""


def _seller_lists(found: list[tuple[IdCandidate, ...]]) -> list[tuple[IdCandidate, ...]]:
    """A seller named before each of two or more different numbers of one scheme: a marketplace's list of
    sellers (none of them the shop); a single one (with its other numbers) is the shop naming itself."""
    values: dict[str, set[str]] = {}
    for cands in found:
        for x in cands:
            if x.owner == "seller":
                values.setdefault(x.tax_id.scheme, set()).add(x.tax_id.value)
    mark = "seller_list" if any(len(v) >= 2 for v in values.values()) else ""
    return [tuple(replace(x, owner=mark) if x.owner == "seller" else x for x in cands) for cands in found]


def _titled(root) -> Iterator:
    """Elements other than ``img`` with a title or aria-label, in document order (the XPath
    ``//*[@title or @aria-label][not(self::img)]``, walked by lxml's ``iter`` in C), among the first
    ``MAX_ELEMENTS`` elements."""
    for el in islice(root.iter(etree.Element), MAX_ELEMENTS):  # elements only (no comments, PIs)
        if (el.get("title") is not None or el.get("aria-label") is not None) and el.tag != "img":
            yield el


def _title_labelled(pp: ParsedPage, c: _Compiled, attrs: PageAttributes | None = None) -> list[tuple[IdCandidate, ...]]:
    """IDs whose label is only in the element's ``title`` / ``aria-label`` and whose text is the number: per
    such element, the readings of its number (``attrs``: the page's shared walk, which lists those elements)."""
    root = pp.root
    if root is None:
        return []
    try:
        els = list(attrs.titled[: MAX_TITLED + 1] if attrs is not None else islice(_titled(root), MAX_TITLED + 1))
    except Exception:  # noqa: BLE001 - a broken tree must not break ID extraction
        return []
    if len(els) > MAX_TITLED:
        limits.cut(f"the first {MAX_TITLED:,} elements labelled by a title read")
        els = els[:MAX_TITLED]
    elif pp.elements_dropped:
        limits.cut(f"elements labelled by a title looked for among the first {MAX_ELEMENTS:,} elements")
    out: list[tuple[IdCandidate, ...]] = []
    for el in els:
        label = (el.get("title") or el.get("aria-label") or "").strip()
        if not label or len(label) > 60 or not any(ch.isalpha() for ch in label):
            continue
        value = " ".join(text_of(el).split())
        if not value or len(value) > 40 or not any(ch.isdigit() for ch in value):
            continue
        text = ascii_digits(f"{label}: {value}")
        for lm in _labels(c, text, 0, len(label) + 1):
            snip = snippet(f'title="{label}": {value}', 160)
            out.append(tuple(replace(x, tax_id=replace(x.tax_id, snippet=snip)) for x in _at_label(c, lm, text, pp.url)))
            break
    return out


def _labels(c: _Compiled, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``c.label_re.finditer(text, start, end)``, the same matches: label_re (hundreds of alternatives, tried
    one after the other at every word start) is only tried where ``c.label_at`` (the alternatives as one trie)
    says that one of them starts."""
    nxt = start
    for p in c.label_at.finditer(text, start, end):
        p = p.start()
        if p < nxt:
            continue
        lm = c.label_re.match(text, p, end)
        if lm is not None:
            nxt = lm.end()
            yield lm


def _at_label(c: _Compiled, lm: re.Match, text: str, url: str) -> tuple[IdCandidate, ...]:
    label = lm.group(0)
    schemes = c.by_label.get(_label_key(label), ())
    if not schemes:
        return ()
    gm = c.gap_re.match(text, lm.end())
    pos = gm.end() if gm else lm.end()
    cands: list[IdCandidate] = []
    for sch in schemes:
        p = pos
        if sch.gap_words:
            wm = c.gap_words_re.match(text, p)
            if wm:
                # "RCS Paris B 552 008 443": skip words, then an optional register letter
                p2 = wm.end()
                if p2 != p and _read_value(sch, text, p2) is not None:
                    p = p2
        if sch.register_label:
            tid = _register(sch, label, text, lm.start(), pos, url)
            if tid:
                cands.append(IdCandidate(tid, (lm.start(), lm.end()), 3))
            continue
        got = _read_value(sch, text, p)
        if got is None:
            continue
        value, prefix, vstart, vend = got
        if len(value.replace(" ", "")) < max(sch.min_digits, 1):
            continue
        valid = check(sch, value, prefix)
        out_value = (prefix + value) if sch.name == "eu.vat" else value
        if sch.name == "gr.vat" and len(value) == 8:
            out_value = "0" + value
            valid = check(sch, out_value)
        if malformed(sch, value):
            valid = False  # a wrong length is a wrong number, whether or not the scheme has a check digit
        rank = 2 if valid else 1 if valid is None else 0
        if sch.name == "eu.vat":
            rank -= 1  # a national scheme with the same number wins
        tid = TaxId(sch.name, out_value, valid, url, label.strip(), snippet_around(text, lm.start(), vend))
        cands.append(IdCandidate(tid, (vstart, vend), rank, sch.country))
    return tuple(cands)


def _register(sch: Scheme, label: str, text: str, lstart: int, pos: int, url: str) -> TaxId | None:
    """German Handelsregister: "HRB 12345" (+ optional suffix letter), court looked for nearby."""
    m = re.compile(r"(\d{1,6})(?:\s?([A-Z])(?![\w]))?").match(text, pos)
    if not m:
        return None
    if pos - (lstart + len(label)) > 3:
        return None
    reg = label.strip().upper() if label.strip().upper() in {"HRA", "HRB", "VR", "PR"} else "GnR"
    number = m.group(1) + (" " + m.group(2) if m.group(2) else "")
    around = text[max(0, lstart - 120): m.end() + 120]
    court_m = _COURT.search(around)
    value = f"{reg} {number}"
    if court_m:
        court = court_m.group(1).strip()
        mod = _module("de.handelsregisternummer")
        if mod is not None:
            try:
                value = mod.compact(f"{court} {reg} {number}")
            except Exception:  # noqa: BLE001 - unknown court: keep the number without it
                value = f"{court} {reg} {number}"
    elif reg in {"VR", "PR", "GnR"}:
        return None
    return TaxId(sch.name, value, None, url, label.strip(), snippet_around(text, lstart, m.end()))


def dedupe(ids: list[TaxId]) -> list[TaxId]:
    """One entry per (scheme, value); an eu.vat duplicate of a national number is dropped."""
    out: list[TaxId] = []
    seen: set[tuple[str, str]] = set()
    national = {re.sub(r"\D", "", t.value) for t in ids if t.scheme != "eu.vat"}
    for t in ids:
        key = (t.scheme, t.value)
        if key in seen:
            continue
        if t.scheme == "eu.vat" and re.sub(r"\D", "", t.value) in national:
            continue
        seen.add(key)
        out.append(t)
    return out


_VAT_PREFIX_COUNTRY = {"EL": "GR"}  # VAT prefixes that differ from the ISO country code


def structured_ids(items: Iterable[tuple[str, str]], url: str, country: str | None) -> list[TaxId]:
    """Identifiers a page declares in structured data (``Structured.ids``), read and checked like numbers next
    to a label in the text:

    * ``identifier`` PropertyValues named like an ID label ("NIP", "KRS", "HRB") by that label's schemes;
    * ``vatID`` / ``taxID`` by the schemes with a check of their country: the VAT prefix's ("DE136695976",
      "EL...") or else the shop's (``country``), and by ``eu.vat`` when prefixed; not read when neither is
      known;
    * ``leiCode`` as a Legal Entity Identifier (ISO 17442, check digits).

    A value only counts when a scheme reads all of it; the best reading wins as in ``resolve_ids``."""
    c = compiled()
    out: list[TaxId] = []
    for prop, raw in items:
        text = str(raw).strip()
        if sum(ch.isdigit() for ch in text) < 5:
            continue
        snip = f"schema.org {prop}: {text}"
        if prop == "leiCode":
            value = re.sub(r"[\s.\-]", "", text).upper()
            mod = _module("lei")
            valid = bool(mod.is_valid(value)) if mod is not None else None
            out.append(TaxId("lei", value, valid, url, prop, snip))
            continue
        if prop in ("vatID", "taxID"):
            head = text[:2].translate(HOMOGLYPHS).upper()
            prefixed = head.isascii() and head.isalpha()
            cc = _VAT_PREFIX_COUNTRY.get(head, head) if prefixed else country
            # the country's schemes that have a check (a tax number has one; bare register numbers do not)
            schemes = [s for s in c.schemes.values()
                       if cc and s.country == cc and not s.register_label and (s.stdnum or s.pattern)]
            if prefixed and "eu.vat" in c.schemes:
                schemes.append(c.schemes["eu.vat"])
        else:
            schemes = [s for s in c.by_label.get(_label_key(prop), ()) if not s.register_label]
        best: IdCandidate | None = None
        for sch in schemes:
            got = _read_value(sch, text, 0)
            if got is None or got[3] != len(text):
                continue
            value, prefix = got[0], got[1]
            valid = check(sch, value, prefix)
            out_value = (prefix + value) if sch.name == "eu.vat" else value
            if sch.name == "gr.vat" and len(value) == 8:
                out_value = "0" + value
                valid = check(sch, out_value)
            rank = (2 if valid else 1 if valid is None else 0) - (1 if sch.name == "eu.vat" else 0)
            rank += 4 if country and sch.country == country else 0
            if best is None or rank > best.rank:
                best = IdCandidate(TaxId(sch.name, out_value, valid, url, prop, snip), (0, len(text)), rank)
        if best is not None:
            out.append(best.tax_id)
    return out
