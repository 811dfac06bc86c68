"""Company names (legal-form markers), postal addresses (structured data + postcode/street text heuristics),
contact forms, on-site review blocks, mixed content, external and broken links."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count, islice
from typing import NamedTuple

from lxml import etree

from trustaudit.extract import limits
from trustaudit.extract.attributes import PageAttributes
from trustaudit.extract.country import postcode_regex
from trustaudit.extract.text import fold, phrase_regex, snippet
from trustaudit.models import Address, Evidence, SiteSnapshot
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import MAX_ELEMENTS, MAX_TEXT_CHARS, ParsedPage, text_of

MAX_LINES = 20_000  # lines of a page's text read for company names and addresses
MAX_NAME_LINES = 2_000  # lines with a legal form (or what may be one) read for company names per page
_NAME_WORD = re.compile(r"[\"«»“”„'()&+.\-\w]+")
_STOP = re.compile(r"[|©:;•·\u2022/\\]|\s[-–—]\s")


_ARABIC = re.compile(r"[\u0600-\u06ff]")


@cached_build("company")
def _cfg():
    data = load_yaml("vocab/company.yaml") or {}
    forms = data.get("legal_forms") or {}
    # longest first (alternation order), ties in a fixed order so that every process builds the same patterns
    after = sorted({str(x) for x in forms.get("after") or []}, key=lambda x: (-len(x), x))
    before = sorted({str(x) for x in forms.get("before") or []}, key=lambda x: (-len(x), x))

    def alt(xs):
        return "|".join(re.escape(x).replace(r"\ ", r"\s?") for x in xs)

    after_re = re.compile(r"(?<![\w.])(?:" + alt(after) + r")(?![\w])") if after else None
    before_re = re.compile(r"(?<![\w.])(?:" + alt(before) + r")(?=\s+[\"«“„'A-ZА-ЯЁІЇЄ\u0600-\u06ff])") if before else None

    def lead_alt(xs, tail):
        # the same alternatives within one line, grouped by their first character (a literal) with the
        # look-behind after it, so a search over the whole text jumps from candidate character to candidate
        # character and tests one look-behind there
        groups: dict[str, list[str]] = {}
        for x in xs:
            groups.setdefault(x[0], []).append(re.escape(x[1:]).replace(r"\ ", r"[^\S\n]?"))
        return [
            re.escape(c) + r"(?<![\w.]" + re.escape(c) + ")(?:" + "|".join(rests) + ")" + tail
            for c, rests in groups.items()
        ]

    lines_re: tuple[re.Pattern[str], ...] | None = None
    if (after or before) and not any(x[:1].isspace() or not x for x in after + before):
        # forms starting with a capital (GmbH, Sp., ООО, ΑΕ ...) share one pattern whose first characters are
        # rare; a form starting with a frequent lower-case letter ("sp. z o.o.", "a.s.", "mbH", "شركة") would
        # stop that scan at every "s" / "a" / "m" of the page, so it is looked for at a literal: at its first
        # dot when it has one and no space before it ("sp. z o.o.", "s.r.o.", "ش.م.م"), all such forms in one
        # scan that stops only at dots and tests the characters before the dot with a look-behind; otherwise
        # with a pattern of its own that begins with the form's whole literal prefix. The regex engine finds a
        # literal first character or prefix with a fast substring search.
        tail_after, tail_before = r"(?![\w])", r"(?=\s+[\"«“„'A-ZА-ЯЁІЇЄ\u0600-\u06ff])"
        common = [x for x in after if x[0].isupper()], [x for x in before if x[0].isupper()]
        rare = [(x, tail_after) for x in after if not x[0].isupper()]
        rare += [(x, tail_before) for x in before if not x[0].isupper()]
        pats = []
        if common[0] or common[1]:
            pats.append("|".join(lead_alt(common[0], tail_after) + lead_alt(common[1], tail_before)))
        dotted = [(x, tail) for x, tail in rare if x.find(".") > 0 and " " not in x[: x.find(".")]]
        if dotted:
            alts = []
            for x, tail in sorted(dotted, key=lambda xt: (-len(xt[0]), xt[0])):
                i = x.index(".")
                # = x's own pattern below, entered at the dot
                alts.append(r"(?<=(?<![\w.])" + re.escape(x[: i + 1]) + ")"
                            + re.escape(x[i + 1:]).replace(r"\ ", r"[^\S\n]?") + tail)
            before_dot = "".join(sorted({re.escape(x[x.index(".") - 1]) for x, _ in dotted}))
            pats.append(r"\.(?<=[" + before_dot + r"]\.)(?:" + "|".join(alts) + ")")
        for x, tail in rare:
            if (x, tail) in dotted:
                continue
            head, space, rest = x.partition(" ")  # the literal start of the form: up to its first space
            body = re.escape(head) + r"(?<![\w.]" + re.escape(head) + ")"
            if space:
                body += r"[^\S\n]?" + re.escape(rest).replace(r"\ ", r"[^\S\n]?")
            pats.append(body + tail)
        lines_re = tuple(re.compile(p) for p in pats)
    return {
        "after": after_re,
        "before": before_re,
        "lines": lines_re,
        # an "after" form that ends where the text ends: at a 400-character line cut, it matches even when the
        # line goes on with a letter (see _candidate_lines)
        "after_at_end": re.compile(r"(?<![\w.])(?:" + alt(after) + r")\Z") if after else None,
        "after_len": max((len(x) for x in after), default=0),
        "review_markup": tuple(str(x).lower() for x in data.get("review_markup") or []),
        "street": phrase_regex(data.get("street_markers") or []),
        "non_contact": tuple(str(x).lower() for x in data.get("non_contact_forms") or []),
        "arabic_stop": frozenset(str(x) for x in data.get("arabic_name_stop") or []),
        "np_countries": frozenset(str(x).upper() for x in (data.get("address_without_postcode") or {}).get("countries") or []),
        "np_district": phrase_regex((data.get("address_without_postcode") or {}).get("district_markers") or []),
        "np_city": phrase_regex((data.get("address_without_postcode") or {}).get("cities") or []),
        "connectors": frozenset(str(x).lower() for x in data.get("name_connectors") or []),
    }


def _candidate_lines(text: str, lines: list[str], cfg: dict, limit: int | None = None) -> list[str]:
    """The lines where ``after`` / ``before`` can match (first 400 characters of a line), in order.

    A few searches over the whole text (``cfg["lines"]`` find, at least, every match either finds within one
    line) instead of two per line; the line of a hit is found by counting newlines before it (C), not with a
    table of all line starts. A line longer than 400 characters is cut there, which can only add a match: an
    "after" form ending exactly at the cut (its "no letter follows" test then sees the end of the string). So a
    long line without a hit is tried only when one ends there: one short search at its cut, for long lines only
    (found without a Python loop over all lines)."""
    rxs = cfg["lines"]
    if rxs is None:
        return lines
    end = sum(map(len, lines)) + len(lines)  # the offset just after the last line's newline
    hit: set[int] = set()
    line = prev = 0
    n = None if limit is None else limit + 1
    found = [[m.start() for m in islice(rx.finditer(text, 0, end), n)] for rx in rxs]
    bound = min((f[-1] for f in found if n is not None and len(f) == n), default=None)
    for pos in sorted({p for f in found for p in f}):
        if bound is not None and pos > bound:
            break  # a scan cut at its limit: lines after its last match may hold matches of its own
        line += text.count("\n", prev, pos)
        prev = pos
        hit.add(line)
    if bound is not None:
        lines = lines[: line + 1]
    cut = cfg["after_at_end"]
    if cut is not None:
        start = max(0, 400 - cfg["after_len"])
        for i in compress(count(), map((400).__lt__, map(len, lines))):
            if i not in hit and cut.search(lines[i], start, 400):
                hit.add(i)
    out = [lines[i] for i in sorted(hit)]
    if limit is not None and (bound is not None or len(out) > limit):
        limits.cut(f"the first {limit:,} lines with a legal form read for company names")
        del out[limit:]
    return out


def company_names(pp: ParsedPage, limit: int = 10) -> list[Evidence]:
    cfg = _cfg()
    out: list[Evidence] = []
    seen: set[str] = set()
    lines = _lines(pp, "company names")
    for line in _candidate_lines(pp.text, lines, cfg, MAX_NAME_LINES):
        if len(out) >= limit:
            break
        if len(line) > 400:
            line = line[:400]
        if cfg["after"] is not None:
            for m in cfg["after"].finditer(line):
                head = _STOP.split(line[: m.start()])[-1]
                words = _NAME_WORD.findall(head)[-6:]
                # keep trailing words that look like a name (capitalised / quoted / "&")
                name_words: list[str] = []
                for w in reversed(words):
                    if w[:1].isupper() or w[:1] in "\"«“„'&+" or w.isdigit() and name_words:
                        name_words.insert(0, w)
                    elif w.lower() in cfg["connectors"]:
                        name_words.insert(0, w)
                    else:
                        break
                while name_words and not name_words[0][:1].isupper() and name_words[0][:1] not in "\"«“„'":
                    name_words.pop(0)
                if not name_words:
                    continue
                name = " ".join(name_words + [m.group(0)])
                _add(out, seen, pp.url, name)
        if cfg["before"] is not None:
            for m in cfg["before"].finditer(line):
                tail = _STOP.split(line[m.end():])[0]
                words = _NAME_WORD.findall(tail)[:5]
                name_words = []
                arabic_stop, street = cfg["arabic_stop"], cfg["street"]
                for w in words:
                    if name_words and len(w) >= 3 and w.isupper() and w.isalpha():
                        break  # "ИП Иванов И. И. ОГРН ..." - the next label starts
                    if _ARABIC.match(w):  # Arabic has no capitals: take its words up to the next label
                        if w in arabic_stop or len(name_words) >= 4 or (street and street.fullmatch(fold(w))):
                            break
                        name_words.append(w)
                        continue
                    if w[:1].isupper() or w[:1] in "\"«“„'" or (name_words and len(w) <= 3 and w.endswith(".")):
                        name_words.append(w)
                    else:
                        break
                if name_words:
                    _add(out, seen, pp.url, m.group(0) + " " + " ".join(name_words))
    return out


def _add(out: list[Evidence], seen: set[str], url: str, name: str) -> None:
    name = snippet(name.strip(" ,-"), 160)
    key = fold(name)
    if len(name) < 4 or key in seen:
        return
    seen.add(key)
    out.append(Evidence(url, name))


_DIGIT = re.compile(r"\d")


class AddressLine(NamedTuple):
    """A short line of a page that may hold a postcode (every country's postcode pattern needs a digit), with
    the line before it; the shop's country decides in ``addresses_from`` which lines are addresses. (A named
    tuple: a page of prices has hundreds of such lines, and a tuple is made several times faster.)"""

    line: str
    before: str  # the line before when it is at most 120 characters (a street line), else ""


@dataclass(frozen=True)
class PageAddresses:
    """The address candidates of one page, before the shop's country is known (``addresses_from``)."""

    lines: tuple[AddressLine, ...] = ()  # short lines with a digit (postcode candidates)
    # lines of several parts (a separator: "," "،" "-" "–" "|") of 10-200 characters: in countries where postcodes
    # are rarely written, a city with a street or a district on such a line is an address
    parts_lines: tuple[str, ...] = ()
    arabic: bool = False  # Arabic script in the first 20,000 characters (a shop of unknown country)


_PARTS = re.compile(r"[,،\-–|]")


def _lines(pp: ParsedPage, what: str) -> list[str]:
    """The first ``MAX_LINES`` lines of the page's text (a cut recorded)."""
    lines = pp.text.split("\n")
    if len(lines) > MAX_LINES:
        limits.cut(f"{limits.of(MAX_LINES, len(lines), 'lines')} of text read for {what}")
        del lines[MAX_LINES:]
    elif pp.text_chars:
        limits.cut(f"{limits.of(MAX_TEXT_CHARS, pp.text_chars, 'characters of text')} read for {what}")
    return lines


def address_lines(pp: ParsedPage) -> PageAddresses:
    lines = _lines(pp, "addresses")
    # the lines of at most 200 characters that hold a digit; the filtering runs in C (map / compress)
    short = list(compress(count(), map((201).__gt__, map(len, lines))))
    with_digit = [
        AddressLine(lines[i], lines[i - 1] if i > 0 and len(lines[i - 1]) <= 120 else "")
        for i in compress(short, map(_DIGIT.search, map(lines.__getitem__, short)))
    ]
    parts = [line for line in compress(lines, map(_PARTS.search, lines)) if 10 <= len(line) <= 200]
    return PageAddresses(tuple(with_digit), tuple(parts), bool(_ARABIC.search(pp.text[:20000])))


def text_addresses(pp: ParsedPage, country: str | None, limit: int = 5) -> list[Address]:
    """Lines with the country's postcode pattern followed by a town, next to a street line; where postcodes are
    rarely written (Gulf states: ``address_without_postcode`` in rules/vocab/company.yaml), a line naming a city
    with a street or a district ("شارع الأمير سلطان، حي الروضة، الرياض", "Prince Sultan Rd, Ar Rawdah Dist.,
    Riyadh")."""
    return addresses_from(address_lines(pp), pp.url, country, limit)


def addresses_from(page: PageAddresses, url: str, country: str | None, limit: int = 5) -> list[Address]:
    """``text_addresses`` of a page's candidates, for a shop of ``country``."""
    cfg = _cfg()
    if country in cfg["np_countries"] or (country is None and page.arabic):
        found = _no_postcode_addresses(page.parts_lines, url, limit)
        if found or country is None:
            return found
    rx = postcode_regex(country)
    if rx is None:
        return []
    street = cfg["street"]
    out: list[Address] = []
    seen: set[str] = set()
    for c in page.lines:
        if len(out) >= limit:
            break
        if not rx.search(c.line):
            continue
        parts = [c.line]
        has_street = street is not None and bool(street.search(fold(c.line)))
        if not has_street and c.before and street is not None and street.search(fold(c.before)):
            parts.insert(0, c.before)
            has_street = True
        if not has_street:
            continue
        text = snippet(", ".join(p.strip(" ,") for p in parts), 200)
        key = fold(text)
        if key not in seen:
            seen.add(key)
            out.append(Address(text, url, "text"))
    return out


def _no_postcode_addresses(lines: Iterable[str], url: str, limit: int) -> list[Address]:
    """Lines of several parts that name a city with a street or a district."""
    cfg = _cfg()
    city, street, district = cfg["np_city"], cfg["street"], cfg["np_district"]
    if city is None:
        return []
    out: list[Address] = []
    seen: set[str] = set()
    for line in lines:
        if len(out) >= limit:
            break
        f = fold(line)
        if not city.search(f):
            continue
        if not ((street is not None and street.search(f)) or (district is not None and district.search(f))):
            continue
        text = snippet(line.strip(" ,"), 200)
        if fold(text) not in seen:
            seen.add(fold(text))
            out.append(Address(text, url, "text"))
    return out


def contact_forms(pp: ParsedPage, is_contact_page: bool) -> list[Evidence]:
    """Forms to write to the shop: a text area and an e-mail field (any form with a text area on the contact
    page)."""
    return [ev for ev, has_mail in form_candidates(pp) if has_mail or is_contact_page]


def form_candidates(pp: ParsedPage) -> list[tuple[Evidence, bool]]:
    """The forms of one page with a text area, and whether each asks for an e-mail address."""
    out: list[tuple[Evidence, bool]] = []
    if pp.root is None:
        return out
    skip = _cfg()["non_contact"]
    for i, form in enumerate(pp.root.iter("form")):
        if i >= MAX_FORMS:
            limits.cut(f"the first {MAX_FORMS:,} forms read")
            break
        ident = f"{form.get('action') or ''} {form.get('id') or ''} {form.get('class') or ''} {form.get('name') or ''}".lower()
        if any(x in ident for x in skip):
            continue
        has_text = False
        has_mail = False
        n = 0
        for el in form.iter("textarea", "input"):
            n += 1
            if n > 200:
                break
            if el.tag == "textarea":
                has_text = True
                continue
            typ = (el.get("type") or "text").lower()
            name = f"{el.get('name') or ''} {el.get('id') or ''} {el.get('placeholder') or ''}".lower()
            if typ == "email" or "mail" in name:
                has_mail = True
        if has_text:
            label = form.get("action") or form.get("id") or form.get("name") or "form"
            out.append((Evidence(pp.url, snippet(f"form {label}", 160)), has_mail))
    return out


_CLASS_ID_PLAIN = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id", smart_strings=False)


def _review_candidates(pp: ParsedPage, marks: tuple[str, ...]) -> Iterable:
    """The elements whose class or id (lower-cased) contains a mark, in document order: a superset of those
    ``review_blocks`` keeps (marks have no space, so none spans the space between class and id). One XPath
    gives every class / id value (plain strings: no element proxies), one regex search over them all (joined
    by spaces) finds the values with a mark; most pages have none."""
    rx = _marks_regex(marks)
    if pp.root is None or rx is None:
        yield from _all_elements(pp)
        return
    vals = _CLASS_ID_PLAIN(pp.root)
    joined = " ".join(vals)
    low = joined.lower()
    if not rx.search(low):
        return
    if len(low) != len(joined):  # a character lower-cases to two ("İ"): offsets would shift
        yield from _all_elements(pp)
        return
    starts = list(accumulate(map((1).__add__, map(len, vals)), initial=0))  # offset of each value in joined
    # the element of value k: walk the elements in document order (the order of the values), counting their
    # class and id values; only as far as the candidates review_blocks takes
    walk = islice(pp.root.iter(etree.Element), MAX_ELEMENTS)
    el = None
    seen = 0  # values of the elements walked so far
    last = None
    for m in rx.finditer(low):
        k = bisect_right(starts, m.start()) - 1
        while seen <= k:
            el = next(walk, None)
            if el is None:  # past the first MAX_ELEMENTS elements (the values list every element)
                limits.cut(f"review blocks looked for among the first {MAX_ELEMENTS:,} elements")
                return
            seen += (el.get("class") is not None) + (el.get("id") is not None)
        if el is not last:  # class and id of one element come one after the other
            last = el
            yield el


def _all_elements(pp: ParsedPage) -> Iterable:
    if pp.elements_dropped:
        limits.cut(f"review blocks looked for among the first {MAX_ELEMENTS:,} elements")
    return pp.elements


@lru_cache(maxsize=4)
def _marks_regex(marks: tuple[str, ...]) -> re.Pattern[str] | None:
    if not marks or any(not m or " " in m for m in marks):
        return None
    return re.compile("|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)))


MAX_REVIEW_CANDIDATES = 2_000  # elements marked like a review block looked at per page
MAX_FORMS = 200  # forms looked at per page


def review_blocks(pp: ParsedPage, limit: int = 3, attrs: PageAttributes | None = None) -> list[Evidence]:
    """Blocks of reviews on the page (``attrs``: the page's shared attribute walk; when none of the class / id
    values it read holds a review mark, no element does, and nothing else is looked at)."""
    marks = _cfg()["review_markup"]
    out: list[Evidence] = []
    rx = _marks_regex(marks)
    if attrs is not None and rx is not None and not pp.elements_dropped and not rx.search(
            " ".join(attrs.markup).lower()):
        return out
    for n, el in enumerate(_review_candidates(pp, marks)):
        if len(out) >= limit:
            break
        if n >= MAX_REVIEW_CANDIDATES:
            limits.cut(f"the first {MAX_REVIEW_CANDIDATES:,} elements marked like reviews read")
            break
        ident = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if not ident.strip() or not any(m in ident for m in marks):
            continue
        if el.tag in ("script", "style", "link", "meta", "a", "li", "span", "img", "input", "button"):
            continue
        text = _collapsed_head(text_of(el), 160)
        if len(text) < 40:
            continue
        # = snippet(text, 160): text is already collapsed
        out.append(Evidence(pp.url, text if len(text) <= 160 else text[:159].rstrip() + "…"))
    return out


def _collapsed_head(raw: str, need: int) -> str:
    """``" ".join(raw.split())``, or a prefix of it longer than ``need`` characters: a block may hold a whole
    page of reviews and only its start is shown. The words of ``raw[:n]`` joined are a prefix of all the words
    joined (only the last word may be cut), so a few growing prefixes are collapsed instead of the whole text."""
    n = 4 * need
    while n < len(raw):
        head = " ".join(raw[:n].split())
        if len(head) > need:
            return head
        n *= 4
    return " ".join(raw.split())


_MIXED_TAGS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src",
               "embed": "src", "object": "data"}


def mixed_content(pp: ParsedPage) -> list[Evidence]:
    if not pp.url.lower().startswith("https:"):
        return []
    out = []
    if pp.elements_dropped:
        limits.cut(f"the first {MAX_ELEMENTS:,} elements read for insecure resources")
    for el in pp.elements:
        tag = el.tag.lower()
        attr = _MIXED_TAGS.get(tag)
        val = None
        if attr:
            val = el.get(attr)
        elif tag == "link" and "stylesheet" in (el.get("rel") or "").lower():
            val = el.get("href")
        if val and val.strip().lower().startswith("http://"):
            out.append(Evidence(pp.url, snippet(f"<{tag}> {val.strip()}", 160)))
            if len(out) >= 20:
                break
    return out


def page_link_urls(pp: ParsedPage) -> tuple[str, ...]:
    """The absolute http(s) links of one page, each once, in page order (``site.external_links`` keeps the
    ones that leave the shop)."""
    return tuple(dict.fromkeys(u for u in (link.url for link in pp.links) if u.startswith(("http://", "https://"))))


def broken_links(snapshot: SiteSnapshot) -> list[Evidence]:
    out = [Evidence(p.url, f"HTTP {p.status}") for p in snapshot.pages if p.status >= 400]
    out += [Evidence(e.url, snippet(e.error, 160)) for e in snapshot.errors if e.kind in ("http", "dns", "refused")]
    return out[:50]
