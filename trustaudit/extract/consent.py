"""What the shop does before the buyer answers its cookie banner, from what the browser saw (``--render``).

``SiteSnapshot.browser`` holds the raw facts: every request the pages made while loading, the cookies in the
browser after each page, and the controls visible in the home page's first screen. Nothing was clicked. Here
they are read against the vocabulary:

* trackers: requests to the analytics and advertising hosts of ``rules/vocab/trackers.yaml``;
* cookies: cookies whose names those services set;
* the banner: a visible control inside an element a consent platform names (``rules/vocab/consent.yaml``
  markers, such as ``#onetrust-banner-sdk``), else inside an overlay whose text speaks of cookies or consent;
  its accept and reject choices are the controls with those labels, in the banner's first layer (visible
  without any click);
* widgets: review, chat and payment services the pages really called (``Detection.loaded``), stronger evidence
  than a script tag or markup that may be dead or waiting for consent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit

from trustaudit.extract.text import phrase_regex
from trustaudit.extract.widgets import services_of_url
from trustaudit.models import Artifacts, BrowserFacts, Consent, Detection, Evidence, SiteSnapshot
from trustaudit.resources import load_yaml
from trustaudit.web.sites import registrable_domain
from trustaudit.web.text import fold
from trustaudit.web.urls import host_of, strip_www

MAX_EVIDENCE = 20
CONTROL_TEXT_MAX = 60  # a longer "control" is a paragraph that happens to be clickable, not a choice


@dataclass(frozen=True)
class _Service:
    slug: str
    name: str
    kind: str
    hosts: tuple[tuple[str, str], ...]  # (host, path prefix)
    cookies: tuple[str, ...]  # exact names, or prefixes ending in "*"


@dataclass(frozen=True)
class _Platform:
    slug: str
    name: str
    markers: tuple[str, ...]
    hosts: tuple[str, ...]


@lru_cache(maxsize=1)
def _trackers() -> tuple[_Service, ...]:
    data = load_yaml("vocab/trackers.yaml") or {}
    out = []
    for slug, spec in (data.get("services") or {}).items():
        hosts = []
        for h in spec.get("hosts") or ():
            host, _, path = str(h).lower().partition("/")
            host = strip_www(host)  # as _host gives it
            hosts.append((host, "/" + path if path else ""))
        out.append(_Service(str(slug), str(spec.get("name") or slug), str(spec.get("kind") or ""),
                            tuple(hosts), tuple(str(c) for c in spec.get("cookies") or ())))
    return tuple(out)


@lru_cache(maxsize=1)
def _consent_vocab() -> tuple[tuple[_Platform, ...], re.Pattern[str] | None, re.Pattern[str] | None,
                              re.Pattern[str] | None]:
    data = load_yaml("vocab/consent.yaml") or {}
    platforms = tuple(
        _Platform(str(slug), str(spec.get("name") or slug), tuple(str(m).lower() for m in spec.get("markers") or ()),
                  tuple(str(h).lower() for h in spec.get("hosts") or ()))
        for slug, spec in (data.get("platforms") or {}).items()
    )

    def labels(key: str) -> re.Pattern[str] | None:
        phrases = [p for lst in (data.get(key) or {}).values() for p in lst or ()]
        rx = phrase_regex(phrases)
        # a label is the whole control text, or its start followed by a separator or more words
        return None if rx is None else re.compile(r"\A\W*(?:" + rx.pattern + r")(?:\W|\Z)")

    banner = phrase_regex(data.get("banner_words") or ())
    return platforms, banner, labels("reject"), labels("accept")


def _host_matches(host: str, path: str, rules: tuple[tuple[str, str], ...]) -> bool:
    for h, prefix in rules:
        if (host == h or host.endswith("." + h)) and (not prefix or path.startswith(prefix)):
            return True
    return False


def tracker_of_url(url: str) -> _Service | None:
    """The analytics / advertising service a URL belongs to, or None."""
    host = _host(url)
    try:
        path = (urlsplit(url).path or "/").lower()
    except ValueError:
        return None
    for svc in _trackers():
        if _host_matches(host, path, svc.hosts):
            return svc
    return None


def tracker_of_cookie(name: str) -> _Service | None:
    for svc in _trackers():
        for c in svc.cookies:
            if "*" in c:
                head, _, tail = c.partition("*")
                if name.startswith(head) and name.endswith(tail) and len(name) > len(head) + len(tail):
                    return svc
            elif name == c:
                return svc
    return None


def _host(url: str) -> str:
    return strip_www(host_of(url))


def _site(host: str) -> str:
    return registrable_domain(host)  # an address is its own site


def _shop_sites(snapshot: SiteSnapshot, facts: BrowserFacts) -> set[str]:
    sites = {_site(h) for h in (_host(snapshot.final_url), _host(snapshot.base_url), _host(facts.first_page))}
    sites |= {_site(_host(p)) for p in facts.pages}
    return {s for s in sites if s}


def label_kind(text: str) -> str | None:
    """"reject", "accept" or None for a control's text (a reject label first: "Accept only necessary")."""
    _p, _b, reject, accept = _consent_vocab()
    t = fold(text)
    if not t or len(t) > CONTROL_TEXT_MAX:
        return None
    if reject is not None and reject.search(t):
        return "reject"
    if accept is not None and accept.search(t):
        return "accept"
    return None


def consent_of(snapshot: SiteSnapshot) -> Consent | None:
    """The consent facts of a snapshot whose pages ran in the browser (None otherwise)."""
    facts = snapshot.browser
    if facts is None or not facts.first_page or not snapshot.pages:
        return None
    home = snapshot.pages[0]
    if not home.rendered or home.url != facts.first_page:
        return None  # the banner and what runs before it are judged on the home page, as a buyer arrives
    shop = _shop_sites(snapshot, facts)
    trackers: list[Evidence] = []
    seen_hosts: set[str] = set()
    third: set[str] = set()
    loaded_hosts: set[str] = set()
    for r in facts.requests:
        if r.outcome == "not_followed":
            continue
        host = _host(r.url)
        if not host:
            continue
        loaded_hosts.add(host)
        if _site(host) not in shop:
            third.add(host)
        svc = tracker_of_url(r.url)
        if svc is not None and host not in seen_hosts:
            seen_hosts.add(host)
            trackers.append(Evidence(r.page, f"{host} ({svc.name})"))
    cookies: list[Evidence] = []
    for c in facts.cookies:
        svc = tracker_of_cookie(c.name)
        if svc is not None:
            cookies.append(Evidence(c.page, f"{c.name} ({svc.name})"))
    banner, evidence, accept, reject = _banner(facts, loaded_hosts)
    return Consent(
        url=facts.first_page,
        trackers=tuple(trackers[:MAX_EVIDENCE]),
        cookies=tuple(cookies[:MAX_EVIDENCE]),
        third_party_hosts=len(third),
        cookies_seen=len(facts.cookies),
        banner=banner,
        banner_evidence=evidence,
        accept=tuple(dict.fromkeys(accept))[:5],
        reject=tuple(dict.fromkeys(reject))[:5],
    )


def _banner(facts: BrowserFacts, loaded_hosts: set[str]) -> tuple[str | None, str, list[str], list[str]]:
    """(platform slug | "text" | None, evidence, accept labels, reject labels) on the first page's first screen."""
    platforms, banner_words, _r, _a = _consent_vocab()
    controls = [c for c in facts.controls if c.page == facts.first_page]
    chosen: list = []
    slug: str | None = None
    evidence = ""
    for p in platforms:
        hits = [c for c in controls if any(m in c.path.lower() or (m in c.frame.lower() if c.frame else False)
                                           for m in p.markers)]
        if hits:
            slug, chosen = p.slug, hits
            marker = next(m for m in p.markers if any(m in c.path.lower() or m in c.frame.lower() for c in hits))
            evidence = f"{p.name} ({marker})"
            break
    if slug is None and banner_words is not None:
        layers = [c for c in controls if (c.overlay or c.frame) and banner_words.search(fold(c.layer_text))]
        if layers:
            slug, chosen = "text", layers
            named = next((p.name for p in platforms if any(_host_loaded(h, loaded_hosts) for h in p.hosts)), "")
            evidence = (f"{named}: " if named else "") + layers[0].layer_text[:160]
    accept = [c.text for c in chosen if label_kind(c.text) == "accept"]
    reject = [c.text for c in chosen if label_kind(c.text) == "reject"]
    return slug, evidence, accept, reject


def _host_loaded(host: str, loaded: set[str]) -> bool:
    return any(h == host or h.endswith("." + host) for h in loaded)


def with_browser_facts(artifacts: Artifacts, snapshot: SiteSnapshot) -> Artifacts:
    """``artifacts`` with the consent facts and, for services the pages really called in the browser, the
    request as evidence (``Detection.loaded``); detections on pages the browser ran without such a request are
    marked ``rendered`` (a script tag or markup only). Unchanged when no page ran in the browser."""
    facts = snapshot.browser
    if facts is None:
        return artifacts
    called: dict[tuple[str, str], str] = {}
    for r in facts.requests:
        if r.outcome != "fetched":  # the page asked, but nothing loaded (refused, failed, not downloaded)
            continue
        for key in services_of_url(r.url):
            called.setdefault(key, r.url)
    ran = set(facts.pages)

    def mark(dets: tuple[Detection, ...]) -> tuple[Detection, ...]:
        out = []
        for d in dets:
            url = called.get((d.kind, d.slug), "")
            out.append(replace(d, loaded=url, rendered=bool(url) or d.url in ran))
        return tuple(sorted(out, key=lambda d: not d.loaded))  # what really loaded comes first

    kinds = {"review": "review_widgets", "chat": "chat_widgets", "payment": "payment_providers"}
    changes: dict[str, object] = {"consent": consent_of(snapshot)}
    for kind, field in kinds.items():
        dets = list(getattr(artifacts, field))
        have = {(d.kind, d.slug) for d in dets}
        for (k, slug), url in called.items():
            if k == kind and (k, slug) not in have:  # called by a script the page's HTML does not name
                dets.append(Detection(slug, k, facts.first_page, f"request: {url}"[:160], loaded=url))
        changes[field] = mark(tuple(dets))
    return replace(artifacts, **changes)
