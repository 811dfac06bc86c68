"""Types shared by the crawl modules: the error for unscannable targets and the progress observer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from trustaudit.models import FetchedPage, FetchError


class TargetError(Exception):
    """The target cannot be scanned at all (unreachable, DNS failure, not a site, bad path, not HTML).

    ``str(e)`` is one human-readable line; the CLI maps it to exit code 3.
    """

    def __init__(self, message: str):
        super().__init__(one_line(message))


@runtime_checkable
class CrawlObserver(Protocol):
    """Progress hook; the core never prints."""

    def page_fetched(self, page: FetchedPage) -> None: ...

    def page_failed(self, err: FetchError) -> None: ...

    # optional: ``idle() -> bool``, called while the crawler has nothing to do but wait for answers; it does one
    # bounded piece of work and returns False when it has none (extract/warm.py)


# Is a parsed page an application shell (its content built by JavaScript)? Given to the crawl by the caller
# (``extract.appshell.is_app_shell``), like the link scorer: the crawl never reads the vocabulary itself.
ShellTest = Callable[[Any], bool]


def one_line(text: object, limit: int = 300) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
