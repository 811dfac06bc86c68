"""Link priority: the extract stage's scorer (multilingual vocabulary) when present, else a tiny fallback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Scorer:
    score: Callable[[Link], float]
    high: float  # links scoring at least this are worth following from depth-1 pages (depth 2)


FALLBACK = Scorer(fallback_priority, 0.5)  # footer and navigation links are "high"


def get_scorer() -> Scorer:
    """``trustaudit.extract.pages.link_priority`` when importable, wrapped so it can never break the crawl.

    That scorer returns 0 for links that do not look like trust pages and at least its ``MIN_SCORE``
    (about 0.35) for those that do; the fallback ranks footer > navigation > body links.
    """
    try:
        from trustaudit.extract import pages
    except Exception:  # noqa: BLE001 - not written yet, or broken: crawl on with the fallback
        return FALLBACK
    link_priority = getattr(pages, "link_priority", None)
    if link_priority is None:
        return FALLBACK

    def scorer(link: Link) -> float:
        try:
            return float(link_priority(link))
        except Exception:  # noqa: BLE001 - a scorer bug must not stop the crawl
            return 0.0

    return Scorer(scorer, max(1e-6, float(getattr(pages, "MIN_SCORE", 0.0) or 0.0)))


def slug_text(url: str) -> str:
    """Anchor-like text for a URL without an anchor (sitemap entries): its last path segment as words."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    seg = next((s for s in reversed(path.split("/")) if s), "")
    seg = seg.rsplit(".", 1)[0] if "." in seg else seg
    return " ".join(seg.replace("-", " ").replace("_", " ").split())[:100]
