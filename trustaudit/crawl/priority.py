"""Link priority: the extract stage's scorer (multilingual vocabulary) when present, else a tiny fallback."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from trustaudit.extract.parse import Link
from trustaudit.models import Region

_REGION_WEIGHT = {Region.FOOTER: 1.0, Region.NAV: 0.6, Region.HEADER: 0.6, Region.BODY: 0.3}


def fallback_priority(link: Link) -> float:
    """Footer links first, then navigation, then short paths."""
    score = _REGION_WEIGHT.get(link.region, 0.3)
    try:
        parts = urlsplit(link.url)
    except ValueError:
        return 0.0
    segments = [s for s in parts.path.split("/") if s]
    score -= 0.05 * max(0, len(segments) - 1)
    if parts.query:
        score -= 0.1
    return score


def get_scorer() -> Callable[[Link], float]:
    """``trustaudit.extract.pages.link_priority`` when importable, wrapped so it can never break the crawl."""
    try:
        from trustaudit.extract.pages import link_priority  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not written yet, or broken: crawl on with the fallback
        return fallback_priority

    def scorer(link: Link) -> float:
        try:
            return float(link_priority(link))
        except Exception:  # noqa: BLE001 - a scorer bug must not stop the crawl
            return fallback_priority(link)

    return scorer
