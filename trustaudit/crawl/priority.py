"""Link priority: which links the crawl fetches first.

The crawl is given its scorer (``crawl(..., scorer=...)``): the pipeline passes the extraction stage's page-kind
vocabulary (``extract.pages.link_priority``), so the crawl itself knows no vocabulary and imports nothing of
the later stages. Without one it ranks footer > navigation > body links (``FALLBACK``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from trustaudit.models import Region
from trustaudit.web.html import Link

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


def safe(score: Callable[[Link], float], high: float) -> Scorer:
    """A scorer that can never break the crawl: a failing score is 0 (not worth fetching first)."""

    def scorer(link: Link) -> float:
        try:
            return float(score(link))
        except Exception:  # noqa: BLE001 - a scorer bug must not stop the crawl
            return 0.0

    return Scorer(scorer, max(1e-6, float(high or 0.0)))


def slug_text(url: str) -> str:
    """Anchor-like text for a URL without an anchor (sitemap entries): its last path segment as words."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    seg = next((s for s in reversed(path.split("/")) if s), "")
    seg = seg.rsplit(".", 1)[0] if "." in seg else seg
    return " ".join(seg.replace("-", " ").replace("_", " ").split())[:100]
