"""Link priority: which links the crawl fetches first.

The crawl is given its scorer (``crawl(..., scorer=...)``): the pipeline passes the extraction stage's page-kind
vocabulary (``extract.pages.link_priority``), so the crawl itself knows no vocabulary and imports nothing of
the later stages. Without one it ranks footer > navigation > body links (``FALLBACK``).

A scorer may also sort links into groups with a quota (``group``, ``quota``): the first ``quota[g]`` links of group
``g`` a crawl meets get the group's priority (a few product pages, for the checks that read product pages), the
rest only their plain score, so one kind of link never eats the page budget. ``Ranker`` keeps that count for one
crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    # (group name, the group's priority) of a link, or None; the first quota[group] links of a group get that priority
    group: Callable[[Link], tuple[str, float] | None] | None = None
    quota: Mapping[str, int] = field(default_factory=dict)


class Ranker:
    """A scorer's priorities for one crawl: the plain score, raised to the group's priority for the first
    ``quota`` links of each group (counted in the order the crawl meets them)."""

    def __init__(self, scorer: Scorer):
        self.scorer = scorer
        self.used: dict[str, int] = {}

    def score(self, link: Link) -> float:
        s = self.scorer.score(link)
        if self.scorer.group is None:
            return s
        try:
            g = self.scorer.group(link)
        except Exception:  # noqa: BLE001 - a scorer bug must not stop the crawl
            g = None
        if g is None:
            return s
        name, priority = g
        if self.used.get(name, 0) >= int(self.scorer.quota.get(name, 0)):
            return s
        self.used[name] = self.used.get(name, 0) + 1
        return max(s, float(priority))


FALLBACK = Scorer(fallback_priority, 0.5)  # footer and navigation links are "high"


def safe(score: Callable[[Link], float], high: float,
         group: Callable[[Link], tuple[str, float] | None] | None = None,
         quota: Mapping[str, int] | None = None) -> Scorer:
    """A scorer that can never break the crawl: a failing score is 0 (not worth fetching first)."""

    def scorer(link: Link) -> float:
        try:
            return float(score(link))
        except Exception:  # noqa: BLE001 - a scorer bug must not stop the crawl
            return 0.0

    return Scorer(scorer, max(1e-6, float(high or 0.0)), group, dict(quota or {}))


def slug_text(url: str) -> str:
    """Anchor-like text for a URL without an anchor (sitemap entries): its last path segment as words."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    seg = next((s for s in reversed(path.split("/")) if s), "")
    seg = seg.rsplit(".", 1)[0] if "." in seg else seg
    return " ".join(seg.replace("-", " ").replace("_", " ").split())[:100]
