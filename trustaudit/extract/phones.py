"""Phone numbers, normalised to E.164 with phonenumbers.

A number counts when it sits in a ``tel:``/``callto:`` link, or in text next to a phone label (rules/vocab/contact.yaml
``phone.labels``), or is written internationally with ``+``. The nearest label wins: a number right after
"Fax", "NIP", "ИНН", "Order" ... is not reported ("Order line:" is a phone label, and the longer label wins).
Prices, dates, postcodes and IDs are rejected because they are not valid numbers for the region or sit next to
a non-phone label. A label after the number counts only right after it, and not when it introduces the next
number ("Meander 151 (8510) 6825 MB Arnhem, Tel.: ..." is an address, not a phone).

Written forms beyond the shared number scan: groups joined by typographic dashes ("8–800–775–50–81"), a "+"
glued to the label ("Tel.:+31 ..."), and a number after an icon whose alt / title / aria-label or class names
a phone (``<img alt="Telefon"> 22 123 45 67``, ``<i class="fa fa-phone"></i>``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from urllib.parse import unquote

import phonenumbers

from trustaudit.extract import limits
from trustaudit.extract.text import (
    PHONE_TAIL,
    ascii_digits,
    digit_class,
    fold_text,
    number_scan,
    phrase_regex,
    snippet_around,
)
from trustaudit.models import Phone
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import MAX_ELEMENTS, ParsedPage, text_of

MAX_SCAN = 300_000  # characters of a page's text read for phone numbers
MAX_CANDIDATES = 2_000  # number-like spans per page looked at (each: label context, validation)
MAX_ICONS = 500  # elements that may be a phone icon, per page
_GROUPS = re.compile(r"\d+")
_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$|^\d{4}[./-]\d{1,2}[./-]\d{1,2}$")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_MAP = str.maketrans({c: "-" for c in _DASHES})
_HAS_DASH = re.compile("[0-9)][ \u00a0]?[" + _DASHES + "][ \u00a0]?[0-9(]")
# a number with typographic dashes between its groups (the shared scan knows only "-"), or with its "+" glued
# to the label before it ("Tel.:+31 (0) 614392096")
_DASHED = re.compile(r"(?<![\w+/.,:\-\u2010-\u2015\u2212])(?:\+[ \u00a0]?)?\(?\d[\d \u00a0().\-\u2010-\u2015\u2212]{5,22}\d(?![\w/])")
_GLUED_PLUS = re.compile(r"(?<=[:.;])\+[ \u00a0]?\(?\d[\d \u00a0().\-\u2010-\u2015\u2212]{5,22}\d(?![\w/])")
_LABEL_NUMBER = re.compile(r"[\s:.\-\u2010-\u2015\u2212]*[+(]?\d[\d \u00a0().\-\u2010-\u2015\u2212/]*$")
_ICON_CLASS = re.compile(r"(?:^|[\s_-])(?:phone|telephone|tel|call)(?:$|[\s_-])", re.I)


@cached_build("phones")
def _cfg():
    data = (load_yaml("vocab/contact.yaml") or {}).get("phone") or {}
    return {
        "labels": phrase_regex(data.get("labels") or []),
        "fax": phrase_regex(data.get("fax_labels") or []),
        "non": phrase_regex(data.get("non_phone_labels") or []),
        "window": int(data.get("label_window") or 40),
        # the candidates on their own, for a page longer than MAX_SCAN (see _candidates)
        "cand": re.compile("[+(" + digit_class() + r"](?<![\w+/.,:-].)" + PHONE_TAIL + r"(?![\w/])"),
        "currency_after": _currency_after(),
    }


def _currency_after() -> re.Pattern[str]:
    """A currency written right after a number on the same line makes it a price ("603 177 807 zł"): every
    currency token of rules/countries.yaml and rules/quantities.yaml, or "%", as a whole word ("KRS", "Europe",
    "Sarajevo" on the next line or after the number are no currency)."""
    tokens = {str(t) for p in ((load_yaml("countries.yaml") or {}).get("countries") or {}).values()
              for t in (p or {}).get("currencies") or ()}
    tokens |= {str(t) for t in ((load_yaml("quantities.yaml") or {}).get("money") or {}).get("currencies") or ()}
    alt = "|".join(re.escape(t) for t in sorted(tokens | {"%"}, key=len, reverse=True))
    return re.compile(r"[ \t\u00a0]*(?:" + alt + r")(?![^\W\d_])", re.I)


def _last(rx: re.Pattern[str] | None, s: str) -> int:
    """End of the last match (-1 if none)."""
    m = _last_match(rx, s)
    return m.end() if m else -1


def _last_match(rx: re.Pattern[str] | None, s: str):
    if rx is None:
        return None
    last = None
    for m in rx.finditer(s):
        last = m
    return last


@lru_cache(maxsize=4096)
def parse_number(raw: str, region: str | None) -> str | None:
    """E.164 for a valid number, else None. Remembered: a shop shows the same numbers on every page."""
    raw = ascii_digits(raw).strip()
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6 or len(digits) > 15:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:].lstrip()
    try:
        num = phonenumbers.parse(raw, None if raw.startswith("+") else (region or None))
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def _fold_short(s: str) -> str:
    """``fold_text`` of the few characters around a number (the same header / footer on every page)."""
    return fold_text(s)


@lru_cache(maxsize=4096)
def _context_ok(folded_before: str) -> bool:
    """Decide from the text just before a number: phone label nearest -> yes; fax/ID label nearest -> no."""
    cfg = _cfg()
    p = _last(cfg["labels"], folded_before)
    if p < 0:
        return False
    fm = _last_match(cfg["fax"], folded_before)
    n = _last(cfg["non"], folded_before)
    if n > p:
        return False
    if fm is not None and fm.start() > p + 3:  # "Tel./Fax: ..." keeps the number, "Tel: 1 ... Fax: 2" drops it
        return False
    return True


def _standalone(text: str, start: int, end: int, raw: str) -> bool:
    """A number alone on its line, written in >= 3 digit groups ("0844 822 1010", "1-800-226-7667")."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    line = text[ls:le].strip(" \u00a0()[]:")
    return line == raw.strip(" \u00a0()[]:") and len(_GROUPS.findall(raw)) >= 3


def _candidates(text: str, numbers: tuple[re.Match[str], ...] | None = None) -> Iterator[tuple[int, int]]:
    r"""Spans of the numbers to look at: "+" or "00", or a plain digit or "(", then 5-20 digits / separators,
    ending in a digit; not glued to a word, URL or decimal before it. The matches of
    ``finditer(r"[+(\d](?<![\w+/.,:-].)" + text.PHONE_TAIL + r"(?![\w/])")``, non-overlapping, replayed from the
    page's number scan (``text.number_scan`` of ``text``, ``numbers`` when the caller has it), shared with the
    ID extractor. A page longer than MAX_SCAN is cut at another length for IDs, so there is nothing to share: it
    is scanned for candidates alone."""
    if len(text) >= MAX_SCAN:
        yield from (m.span() for m in _cfg()["cand"].finditer(text))
        return
    end = 0
    for m in numbers if numbers is not None else number_scan(text):
        if m.start() >= end and m.start("phone") >= 0:
            end = m.end("phone")
            yield m.start(), end


def _extra_candidates(text: str, limit: int | None = None) -> tuple[list[tuple[int, int]], int | None]:
    """Spans the shared scan misses: numbers with typographic dashes, "+" glued to a label; with ``limit``, only
    as far as the first ``limit + 1`` of each kind reach: (spans, None), or (spans, the start beyond which spans
    may be missing) when a kind had more."""
    n = limit + 1 if limit is not None else None
    dashed: list[tuple[int, int]] = []
    glued: list[tuple[int, int]] = []
    if _HAS_DASH.search(text):
        dashed = list(islice((m.span() for m in _DASHED.finditer(text) if any(c in _DASHES for c in m.group(0))), n))
    if ":+" in text or ".+" in text or ";+" in text:
        glued = list(islice((m.span() for m in _GLUED_PLUS.finditer(text)), n))
    bound = min((lst[-1][0] for lst in (dashed, glued) if n is not None and len(lst) == n), default=None)
    spans = sorted(set(dashed + glued))
    if bound is not None:
        spans = [c for c in spans if c[0] <= bound]
    return spans, bound


def _all_candidates(text: str, numbers: tuple[re.Match[str], ...] | None = None,
                    limit: int | None = None) -> tuple[list[tuple[int, int]], bool]:
    """The shared scan's candidates and the extra ones, in page order; where they overlap, the extra (longer)
    one. With ``limit``: at most ``limit`` spans, and whether the page has more (else all, False)."""
    extra, bound = _extra_candidates(text, limit)
    plain = list(islice(_candidates(text, numbers), limit + 1 if limit is not None else None))
    if limit is not None and len(plain) > limit:
        bound = plain[-1][0] if bound is None else min(bound, plain[-1][0])
    if bound is not None:  # a list cut at its limit: what lies beyond its end is not known
        plain = [c for c in plain if c[0] <= bound]
    if extra:
        out = list(extra)
        starts = [x for x, _ in extra]
        for a, b in plain:
            # the extra spans that can overlap [a, b) start before b and are at most 27 characters long
            i, j = bisect_left(starts, a - 30), bisect_left(starts, b)
            if not any(a < extra[k][1] and extra[k][0] < b for k in range(i, j)):
                out.append((a, b))
        plain = sorted(out)
    if limit is None:
        return plain, False
    return plain[:limit], bound is not None or len(plain) > limit


def _label_after(text: str, end: int) -> bool:
    """A phone label right after the number ("0345 602 3030 (hotline)"), not one that starts the next
    number ("..., Tel.: 0614 ...")."""
    rx = _cfg()["labels"]
    if rx is None:
        return False
    after = _fold_short(text[end: end + 30])
    m = rx.search(after)
    if m is None or after[: m.start()].strip(" \u00a0([-–—,") != "":
        return False
    return not re.match(r"[\s.:\-–—]{0,4}[+(\d]", after[m.end():])


def _icon_numbers(pp: ParsedPage) -> list[tuple[str, str]]:
    """(number text, its context) written right after an icon that names a phone by its alt / title /
    aria-label (a phone label) or class ("fa-phone", "icon-tel")."""
    root = pp.root
    if root is None:
        return []
    cfg = _cfg()
    out: list[tuple[str, str]] = []
    try:
        icons = list(islice(_icons(root), MAX_ICONS + 1))
    except Exception:  # noqa: BLE001 - a broken tree must not break phone extraction
        return []
    if len(icons) > MAX_ICONS:
        limits.cut(f"the first {MAX_ICONS:,} possible phone icons read")
        del icons[MAX_ICONS:]
    for el in icons:
        label = " ".join(filter(None, (el.get("alt"), el.get("title"), el.get("aria-label"))))
        # the icon's text may repeat the number after the label ("Telefonas 852222222", "Tel: +48 ...")
        label = _LABEL_NUMBER.sub("", _fold_short(label)).strip(" :")
        named = bool(label) and cfg["labels"] is not None and cfg["labels"].fullmatch(label)
        if not named and not _ICON_CLASS.search(el.get("class") or ""):
            continue
        following = el.tail or ""
        nxt = el.getnext()
        if len(following.strip()) < 6 and nxt is not None:
            following += " " + text_of(nxt)
        following = following.strip()[:60]
        m = re.match(r"[\s:.\-–—]*([+(]?\d[\d \u00a0().\-\u2010-\u2015\u2212/]{5,22}\d)", following)
        if m:
            out.append((m.group(1), following))
    return out


_ICON_TAGS = ("img", "i", "span", "svg", "em", "b")


def _icons(root) -> Iterator:
    """The elements that may be a phone icon, in document order: ``<img alt>``, and ``i`` / ``span`` / ``svg`` /
    ``em`` / ``b`` with a title or aria-label or a class containing "phone", "tel" or "call" (what the XPath
    ``//img[@alt] | //*[self::i or ...][@title or @aria-label or contains(@class, 'phone') ...]`` selects; lxml's
    tag-filtered ``iter`` walks the tree in C, several times faster than that XPath on a page of many images)."""
    for el in islice(root.iter(_ICON_TAGS), MAX_ELEMENTS):
        if el.tag == "img":
            if el.get("alt") is not None:
                yield el
        elif el.get("title") is not None or el.get("aria-label") is not None:
            yield el
        else:
            cls = el.get("class")
            if cls is not None and ("phone" in cls or "tel" in cls or "call" in cls):
                yield el


@dataclass(frozen=True)
class PhoneCandidate:
    """A number on a page that reads as a phone number, before the shop's country is known: from a ``tel:`` /
    ``callto:`` link (``link=True``) or from the text (next to a phone label, written internationally, or alone
    on its line in groups). ``resolve_phones`` parses it for the shop's country."""

    raw: str  # as written (the link target, or the text with line breaks as spaces and dashes as "-")
    snippet: str  # the link text, or the text around the number
    link: bool = False
    # "phone": a number that reads as a phone; "unlabelled": a number with no label in the text (not a phone by
    # itself: a valid one lets an icon-labelled number count); "icon": a number after an icon naming a phone
    role: str = "phone"


def extract_phones(pp: ParsedPage, region: str | None) -> list[Phone]:
    """The valid phone numbers of one page, parsed for ``region`` (the shop's country)."""
    return resolve_phones(phone_candidates(pp), pp.url, region)


def resolve_phones(cands: Iterable[PhoneCandidate], url: str, region: str | None) -> list[Phone]:
    """Candidates of one page -> valid numbers in E.164 for the shop's country, the first of each kept."""
    out: list[Phone] = []
    seen: set[str] = set()
    unlabelled: set[str] = set()
    icons: list[PhoneCandidate] = []

    def add(e164: str | None, c: PhoneCandidate) -> None:
        if e164 and e164 not in seen:
            seen.add(e164)
            out.append(Phone(e164, url, c.raw.strip()[:40], c.snippet))

    for c in cands:
        if c.role == "icon":
            icons.append(c)
            continue
        e = parse_number(c.raw, region)
        if c.role == "unlabelled":
            if e is not None:
                unlabelled.add(e)  # a valid number with no label in the text: maybe an icon names it
            continue
        if c.link and e is None and c.raw.strip().isdigit() and not c.raw.startswith("0") and region:
            # tel:18666403800 - a national number with its trunk/country code but no "+"
            e = parse_number("+" + c.raw.strip(), region)
        add(e, c)
    if unlabelled - seen:
        for c in icons:
            e = parse_number(c.raw, region)
            if e in unlabelled:
                add(e, c)
    return out


_BRACKETED_TAIL = re.compile(r"^(.*?\d)[ \u00a0]+\([^()]*\)?[^()]*$")


def _head_before_brackets(raw: str) -> str | None:
    """The number before a bracketed group that follows it ("22 123 45 67 (8-16)" -> "22 123 45 67"), when that
    part alone has the digits of a phone number; an area code in brackets inside a number ("+7 (495) ...",
    "8 (800) ...") leaves too few digits before it."""
    if "(" not in raw:
        return None
    m = _BRACKETED_TAIL.match(raw)
    if m is None:
        return None
    head = m.group(1)
    return head if len(re.sub(r"\D", "", head)) >= 7 else None


_AFTER_SLASH = re.compile(r"[ \u00a0]*([+(]?\d[\d \u00a0().\-\u2010-\u2015\u2212]{5,22}\d)(?![\w/])")


def _numbers_either_side_of_a_slash(text: str, start: int, raw: str) -> list[tuple[int, int]]:
    """The spans of two numbers joined by a slash ("22 123 45 67 / 601 234 567"), the second read again from the
    text (the shared scan stops at its length cap); a slash after an area code ("030 / 1234567", "0 30 / 12 34 56
    78") leaves too few digits on its left to be a number, and one number is left as it is."""
    i = raw.find("/")
    if i < 0:
        return []
    left = raw[:i].rstrip(" \u00a0")
    if len(re.sub(r"\D", "", left)) < 7:
        return []
    m = _AFTER_SLASH.match(text, start + i + 1)
    if m is None or len(re.sub(r"\D", "", m.group(1))) < 7:
        return [(start, start + len(left))]
    return [(start, start + len(left)), (m.start(1), m.end(1))]


def phone_candidates(pp: ParsedPage, numbers: tuple[re.Match[str], ...] | None = None) -> list[PhoneCandidate]:
    """Every phone-number candidate of one page, in page order (links first, then text); ``numbers`` is the
    page's ``number_scan`` when the caller already has it."""
    out: list[PhoneCandidate] = []
    for link in pp.links:
        href = link.href.strip()
        low = href[:7].lower()
        if low.startswith(("tel:", "callto:")):
            raw = unquote(href.split(":", 1)[1]).split("?")[0].split(";")[0]
            out.append(PhoneCandidate(raw, link.text or raw, link=True))

    text = pp.text[:MAX_SCAN]
    if len(pp.text) > MAX_SCAN:
        limits.cut(f"{limits.of(MAX_SCAN, max(len(pp.text), pp.text_chars), 'characters of text')} read for "
                   "phone numbers")
    cfg = _cfg()
    window = cfg["window"]
    unlabelled = False
    spans, more = _all_candidates(text, numbers, MAX_CANDIDATES)
    if more:  # each costs a look at its label and a validation
        limits.cut(f"the first {MAX_CANDIDATES:,} phone-number candidates read")
    queue = list(spans)
    k = 0
    while k < len(queue):
        start, end = queue[k]
        k += 1
        number = text[start:end]
        raw = number.replace("\n", " ").translate(_DASH_MAP)
        split = _numbers_either_side_of_a_slash(text, start, raw)
        if split:  # "22 123 45 67 / 601 234 567": two numbers, each read as one
            queue[k:k] = split
            continue
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 7 or len(digits) > 15:
            continue
        if _DATE.match(raw.strip()):
            continue
        if cfg["currency_after"].match(text, end, end + 12):
            continue
        fb = _fold_short(text[max(0, start - window): start])
        intl = raw.lstrip("(").startswith(("+", "00"))
        if not _context_ok(fb):
            # a fax / ID label right before the number vetoes it in any case
            fm = _last_match(cfg["fax"], fb)
            if fm is not None and fm.start() > _last(cfg["labels"], fb) + 3:
                continue
            same_line = fb.rsplit("\n", 1)[-1]
            if _last(cfg["non"], same_line) >= 0:
                continue
            if not (intl or _standalone(text, start, end, number) or _label_after(text, end)):
                out.append(PhoneCandidate(raw, "", role="unlabelled"))
                unlabelled = True
                continue
        out.append(PhoneCandidate(raw, snippet_around(text, start, end)))
        head = _head_before_brackets(raw)
        if head:  # "22 123 45 67 (8-16)": the hours in brackets after the number are not part of it
            out.append(PhoneCandidate(head, snippet_around(text, start, end)))
    if unlabelled:  # numbers after a phone icon count when one of them is such a number (resolve_phones)
        for raw, context in _icon_numbers(pp):
            raw = raw.translate(_DASH_MAP)
            if _DATE.match(raw.strip()) or len(re.sub(r"\D", "", raw)) < 7:
                continue
            out.append(PhoneCandidate(raw, context, role="icon"))
    return out
