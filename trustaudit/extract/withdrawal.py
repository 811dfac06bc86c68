"""The withdrawal function ("withdrawal button", Art. 11a of Directive 2011/83/EU): links and buttons labelled
with the words of rules/vocab/withdrawal.yaml.

A function is something the buyer operates: a link to a page of the shop, a button, a submit input or an element
with ``role="button"``. The same words on a link to a document (the model form as a PDF), on a ``mailto:`` link
or as plain text are recorded apart (``near``): they show the shop knows the words but offers no function, which
the check says instead of "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from trustaudit.extract.phrases import PhraseIndex
from trustaudit.extract.text import collapse, fold, snippet
from trustaudit.models import Evidence
from trustaudit.resources import cached_build, load_yaml
from trustaudit.web.html import ParsedPage, text_of
from trustaudit.web.urls import resolve

_WORDS = re.compile(r"[^\W_]+")
MAX_CONTROLS = 3000
MAX_HITS = 5


@dataclass(frozen=True)
class WithdrawalFacts:
    """One page's withdrawal-function controls, and the label where it is not a function."""

    functions: tuple[Evidence, ...] = ()
    near: tuple[Evidence, ...] = ()  # snippet: "<label> (PDF)", "<label> (e-mail)", "<label> (text)"


@dataclass(frozen=True)
class _Vocab:
    index: PhraseIndex
    extra_words: int
    documents: tuple[str, ...]


@cached_build("withdrawal")
def vocab() -> _Vocab:
    data = load_yaml("vocab/withdrawal.yaml") or {}
    entries = []
    for items in (data.get("labels") or {}).values():
        for item in items or ():
            text = item.get("text") if isinstance(item, dict) else item
            if text:
                entries.append((str(text), str(text)))
    docs = tuple("." + str(x).lower().lstrip(".") for x in data.get("document_extensions") or ())
    return _Vocab(PhraseIndex(entries), int(data.get("extra_words", 2)), docs)


def label_of(text: str) -> str | None:
    """The withdrawal-function label that ``text`` (a control's text) is, or None: the label must be most of the
    text (at most ``extra_words`` more words)."""
    folded = fold(collapse(text))
    if not folded or len(folded) > 160:
        return None
    v = vocab()
    words = len(_WORDS.findall(folded))
    for start, end, label in v.index.finditer(folded):
        if words - len(_WORDS.findall(folded[start:end])) <= v.extra_words:
            return str(label)
    return None


def _control_text(el) -> str:
    tag = el.tag.lower()
    if tag == "input":
        return el.get("value") or el.get("aria-label") or el.get("title") or ""
    text = collapse(text_of(el))
    return text or el.get("aria-label") or el.get("title") or ""


def _is_document(href: str, docs: tuple[str, ...]) -> bool:
    try:
        path = urlsplit(href).path.lower()
    except ValueError:
        return False
    return path.endswith(docs)


def page_withdrawal(pp: ParsedPage) -> WithdrawalFacts:
    if pp.root is None:
        return WithdrawalFacts()
    v = vocab()
    if not any(True for _ in v.index.finditer(pp.folded_text)):
        return WithdrawalFacts()  # the words are nowhere on the page (controls' texts are page text too)
    functions: list[Evidence] = []
    near: list[Evidence] = []
    seen = 0
    for el in pp.root.iter("a", "button", "input", "area", "div", "span", "li"):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("div", "span", "li") and (el.get("role") or "").lower() != "button":
            continue
        if tag == "input" and (el.get("type") or "").lower() not in ("submit", "button"):
            continue
        seen += 1
        if seen > MAX_CONTROLS:
            break
        text = _control_text(el)
        label = label_of(text)
        if label is None:
            continue
        shown = snippet(collapse(text), 120)
        href = (el.get("href") or "").strip() if tag in ("a", "area") else ""
        low = href.lower()
        if tag in ("a", "area") and low.startswith("mailto:"):
            near.append(Evidence(pp.url, f"{shown} (e-mail)"))
        elif tag in ("a", "area") and href and _is_document(resolve(pp.base_url, href) or href, v.documents):
            near.append(Evidence(pp.url, f"{shown} (document: {snippet(href, 80)})"))
        elif tag in ("a", "area") and not href:
            near.append(Evidence(pp.url, f"{shown} (text)"))
        else:
            functions.append(Evidence(pp.url, shown))
        if len(functions) >= MAX_HITS:
            break
    if not functions and not near:
        # the words as plain text (a heading or a sentence): not a function either
        for line in pp.text.split("\n")[:5000]:
            if len(line) <= 160 and label_of(line):
                near.append(Evidence(pp.url, f"{snippet(line, 120)} (text)"))
                break
    return WithdrawalFacts(tuple(dict.fromkeys(functions)), tuple(dict.fromkeys(near))[:MAX_HITS])
