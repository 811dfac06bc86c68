"""Per-page input caps of the extractors, and how an extractor says that it hit one.

Work that grows with what a page holds (numbers that may be IDs or phones, "@"s, phrase stops, elements,
characters) is capped per page, so that no page, however large or hostile, costs more than a bounded time: a
page of 4.9 MB dense with candidates costs what a page at the caps costs. The caps sit far above what shop pages
need (the largest page of the dev corpus and the generated shops has 160 numbers of 6+ digits, 160 phone
candidates, 9 "@"s, 85 phrase stops, 400 candidate lines of legal forms, 4,700 elements and 253,000 characters of
text) and are the constants next to the code they bound (the platform fingerprints read only the head and the
first elements of a page by design, ``platform.MAX_*``):

============================================  ==========================================  ==========
what                                          constant                                    per page
============================================  ==========================================  ==========
visible text kept                             ``web.html.MAX_TEXT_CHARS``                 2,000,000
elements walked by Python-level passes        ``web.html.MAX_ELEMENTS``                   50,000
links read                                    ``web.html.MAX_LINKS``                      5,000
folded text (phrases, service names)          ``web.html.FOLD_CHARS``                     300,000
text read for IDs / numbers looked at         ``ids.MAX_SCAN`` / ``ids.MAX_NUMBERS``      400,000 / 2,000
elements labelled by a title read for IDs     ``ids.MAX_TITLED``                          2,000
text read for phones / number candidates      ``phones.MAX_SCAN`` / ``MAX_CANDIDATES``    300,000 / 2,000
possible phone icons                          ``phones.MAX_ICONS``                        500
text read for e-mails / "@"s tried            ``emails.MAX_SCAN`` / ``emails.MAX_AT``     400,000 / 2,000
places where a phrase may start               ``phrases.MAX_STOPS``                       5,000
lines for names and addresses / name lines    ``company.MAX_LINES`` / ``MAX_NAME_LINES``  20,000 / 2,000
elements marked like reviews / forms          ``company.MAX_REVIEW_CANDIDATES`` / ``MAX_FORMS``  2,000 / 200
class names, inline scripts, alt texts        ``widgets.MAX_MARKUP`` / ``MAX_INLINE`` / ``MAX_ALT``  2M / 1M / 200,000
JSON-LD blocks, nodes, block size             ``structured.MAX_BLOCKS`` / ``MAX_NODES`` / ``MAX_BLOCK``  50 / 5,000 / 500,000
text / amounts counted / numbers looked near  ``prices.MAX_TEXT`` / ``MAX_AMOUNTS`` / ``MAX_NUMBERS``  300,000 / 5,000 / 20,000
struck prices / discount badges               ``prices.MAX_CROSSED``, ``offers.MAX_MARKERS``  400
disclosure summaries naming a page kind       ``pages.MAX_SUMMARIES``                     1,000
============================================  ==========================================  ==========

An extractor that stops at a cap calls ``cut(what)``: ``extract_page`` records it as an ``ExtractorError``
with ``partial=True`` naming the signals of that extractor. What was found stands; that something is absent is
not known (``engine``: a check whose outcome more evidence could change is "could not check"), and the report
lists the page among its errors as read in part. Never silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_notes: ContextVar[list[str] | None] = ContextVar("trustaudit_extraction_cuts", default=None)


def cut(what: str) -> None:
    """Record that the running extractor stopped at a per-page cap (``what``: one line, which cap, how much of
    the page was read). Outside ``recording()`` (an extractor called on its own) it does nothing."""
    notes = _notes.get()
    if notes is not None and what not in notes:
        notes.append(what)


@contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the ``cut`` notes of the extractor run inside the block."""
    notes: list[str] = []
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


def of(n: int, total: int, unit: str) -> str:
    """``"the first 2,000 of 18,604 numbers"``."""
    return f"the first {n:,} of {total:,} {unit}" if total > n else f"{n:,} {unit}"
