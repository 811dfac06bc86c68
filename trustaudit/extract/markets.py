"""Which markets a shop clearly sells to, beyond its own country (rules/countries.yaml ``targeting``).

Per page (``page_currencies``): how many prices the visible text shows in each currency sign or code of the country
profiles. For the shop (``decide``): a group is targeted when at least ``min_prices`` prices are in currencies that
only the group's countries use (a sign shared with a country outside it, such as "$", says nothing; "kr" is used
only by Nordic countries of the EEA, so it counts), or
when a page says delivery to the group in so many words (the phrase groups named by ``phrases``). EU consumer law
follows the buyer when a trader directs its activities to the buyer's country (Rome I Art. 6(1)(b); CJEU Pammer
and Hotel Alpenhof: the currency and the delivery area are indicators), so a rule may apply to such a shop.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from trustaudit.extract.offers import AMOUNT_AT_DIGIT, currency_tokens
from trustaudit.models import Evidence, Message
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage

MAX_TEXT = 300_000


@cached_build("market-money")
def _money():
    """(an amount, a currency token right after it, one right before it): the amounts are found first (a scan
    for digits, fast), the tokens looked for only beside them."""
    toks = "|".join(re.escape(t) for t in currency_tokens())
    return (re.compile(AMOUNT_AT_DIGIT + r"(?![\d])"),
            re.compile(r"\s?(" + toks + r")(?![^\W\d_])"),
            re.compile(r"(?<![^\W\d_])(" + toks + r")\s?\Z"))


def page_currencies(pp: ParsedPage) -> Mapping[str, int]:
    """Currency sign or code -> how many amounts the page shows with it."""
    amount, after, before = _money()
    text = pp.text[:MAX_TEXT]
    counts: Counter[str] = Counter()
    for m in amount.finditer(text):
        a = after.match(text, m.end())
        if a is None:
            a = before.search(text[max(0, m.start() - 8): m.start()])
        if a is not None:
            counts[a.group(1)] += 1
    return MappingProxyType(dict(counts))


def _groups() -> Mapping[str, frozenset[str]]:
    from trustaudit.messages import group_members

    return group_members()


def group_tokens(group: str) -> frozenset[str]:
    """The currency signs and codes that only countries of ``group`` use."""
    data = load_yaml("countries.yaml") or {}
    members = _groups().get(group, frozenset())
    users: dict[str, set[str]] = {}
    for code, prof in (data.get("countries") or {}).items():
        for tok in (prof or {}).get("currencies") or ():
            users.setdefault(str(tok), set()).add(str(code).upper())
    return frozenset(tok for tok, cc in users.items() if cc <= members)


def decide(prices: Iterable[tuple[str, Mapping[str, int]]],
           phrases: Mapping[str, tuple[Evidence, ...]]) -> dict[str, tuple[Evidence, ...]]:
    """Group -> the evidence that the shop targets it (empty groups left out). ``prices``: (page URL, counts)."""
    data = load_yaml("countries.yaml") or {}
    pages = list(prices)
    out: dict[str, tuple[Evidence, ...]] = {}
    for group, spec in (data.get("targeting") or {}).items():
        spec = spec or {}
        toks = group_tokens(str(group).upper())
        total: Counter[str] = Counter()
        first_url: dict[str, str] = {}
        for url, counts in pages:
            for tok, n in counts.items():
                if tok in toks:
                    total[tok] += n
                    first_url.setdefault(tok, url)
        evs: list[Evidence] = []
        if sum(total.values()) >= int(spec.get("min_prices", 2)):
            for tok, n in total.most_common(3):
                evs.append(Evidence(first_url[tok], "", Message("evidence.prices_in", {"n": n, "currency": tok})))
        for name in spec.get("phrases") or ():
            evs.extend(phrases.get(str(name), ())[:2])
        if evs:
            out[str(group).upper()] = tuple(evs)
    return out
