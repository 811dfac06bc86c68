"""Rules as data: load ``rules/checks/*.yaml`` and evaluate each against the extracted artifacts.

A rule never sees HTML or the network: only :class:`Artifacts` and the crawl facts in :class:`Facts`.
Predicates are small named functions; a new check is a new YAML file, Python changes only for a new predicate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from trustaudit.models import (
    PAGE_KINDS,
    Artifacts,
    CheckResult,
    Evidence,
    Severity,
    Status,
    TlsInfo,
)
from trustaudit.resources import load_yaml, rules_dir, t

MAX_EVIDENCE = 5


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    weight: float
    severity: Severity
    predicate: str
    params: Mapping[str, Any]
    title: Mapping[str, str]
    fail_title: Mapping[str, str]
    fix: Mapping[str, str]
    description: Mapping[str, str] = field(default_factory=dict)
    countries: tuple[str, ...] = ()  # empty = everywhere; may hold groups such as "EU"
    exclude_countries: tuple[str, ...] = ()
    on_fail: Status = Status.FAIL  # some checks only warn
    remote_only: bool = False  # needs a live site (TLS, headers); a saved copy cannot show it
    source: str = ""
    fix_platform: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # platform -> lang -> text
    manual_note: Mapping[str, str] = field(default_factory=dict)

    def text(self, which: str, lang: str) -> str:
        table: Mapping[str, str] = getattr(self, which)
        return table.get(lang) or table.get("en") or ""


@dataclass(frozen=True)
class Facts:
    """What the crawl knows beyond the artifacts."""

    tls: TlsInfo
    local: bool
    pages_fetched: int
    blocked: bool = False
    home_url: str = ""  # where a person can look for what a failed check did not find


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""  # an i18n key ("reason.no_https") translated with ``args``, or plain text (TLS errors)
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    artifacts: Artifacts
    facts: Facts
    lang: str = "en"


PredicateFn = Callable[[Context, Mapping[str, Any]], Outcome]
PREDICATES: dict[str, PredicateFn] = {}


def predicate(name: str):
    def deco(fn: PredicateFn) -> PredicateFn:
        PREDICATES[name] = fn
        return fn

    return deco


# --------------------------------------------------------------------------- loading

_REQUIRED = ("id", "category", "weight", "severity", "predicate", "title", "fix")


def _texts(value: Any, fname: str, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, Mapping) or "en" not in value:
        raise RuleError(f"{fname}: '{key}' must be a mapping of language -> text with at least 'en'")
    return {str(k): str(v).strip() for k, v in value.items()}


def parse_rule(data: Mapping[str, Any], fname: str) -> Rule:
    if not isinstance(data, Mapping):
        raise RuleError(f"{fname}: not a mapping")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise RuleError(f"{fname}: missing {', '.join(missing)}")
    rid = str(data["id"])
    if fname and fname != rid:
        raise RuleError(f"{fname}: file name must equal the rule id {rid!r}")
    if not rid.startswith(f"{data['category']}."):
        raise RuleError(f"{fname}: id must start with its category ({data['category']}.)")
    pred = str(data["predicate"])
    if pred not in PREDICATES:
        raise RuleError(f"{fname}: unknown predicate {pred!r}")
    try:
        severity = Severity(str(data["severity"]))
        on_fail = Status(str(data.get("on_fail", "fail")))
    except ValueError as exc:
        raise RuleError(f"{fname}: {exc}") from None
    if on_fail not in (Status.FAIL, Status.WARN):
        raise RuleError(f"{fname}: on_fail must be fail or warn")
    weight = float(data["weight"])
    if weight < 0:
        raise RuleError(f"{fname}: weight must be >= 0")
    fix_platform = {
        str(p): _texts(v, fname, f"fix_platform.{p}") for p, v in (data.get("fix_platform") or {}).items()
    }
    return Rule(
        id=rid,
        category=str(data["category"]),
        weight=weight,
        severity=severity,
        predicate=pred,
        params=dict(data.get("params") or {}),
        title=_texts(data["title"], fname, "title"),
        fail_title=_texts(data.get("fail_title") or data["title"], fname, "fail_title"),
        fix=_texts(data["fix"], fname, "fix"),
        description=_texts(data.get("description"), fname, "description"),
        countries=tuple(str(c).upper() for c in data.get("countries") or ()),
        exclude_countries=tuple(str(c).upper() for c in data.get("exclude_countries") or ()),
        on_fail=on_fail,
        remote_only=bool(data.get("remote_only", False)),
        source=str(data.get("source") or ""),
        fix_platform=fix_platform,
        manual_note=_texts(data.get("manual_note"), fname, "manual_note"),
    )


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for path in sorted((rules_dir() / "checks").glob("*.yaml")):
        try:
            data = load_yaml(f"checks/{path.name}")
        except yaml.YAMLError as exc:
            raise RuleError(f"{path.name}: invalid YAML: {exc}") from None
        rule = parse_rule(data, path.stem)
        if rule.id in seen:
            raise RuleError(f"{path.name}: duplicate rule id {rule.id}")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


@lru_cache(maxsize=1)
def categories() -> tuple[Mapping[str, Any], ...]:
    data = load_yaml("categories.yaml") or []
    return tuple(data)


@lru_cache(maxsize=1)
def country_groups() -> dict[str, frozenset[str]]:
    """Country groups usable in a rule's ``countries`` (e.g. EU), from rules/countries.yaml."""
    try:
        data = load_yaml("countries.yaml") or {}
    except FileNotFoundError:
        return {}
    groups: dict[str, set[str]] = {}
    for key, val in (data.get("groups") or {}).items():
        groups[str(key).upper()] = {str(c).upper() for c in val}
    profiles = data.get("countries") or {}
    if isinstance(profiles, Mapping):
        for code, prof in profiles.items():
            if isinstance(prof, Mapping) and prof.get("eu"):
                groups.setdefault("EU", set()).add(str(code).upper())
    return {k: frozenset(v) for k, v in groups.items()}


@lru_cache(maxsize=1)
def stack_packs() -> dict[str, Mapping[str, Any]]:
    """Platform stack packs (as Lighthouse has for frameworks): ``rules/stacks/<slug>.yaml`` with the
    platform's fingerprints (used by extraction) and ``fixes: {rule id: {lang: text}}`` (used here)."""
    packs: dict[str, Mapping[str, Any]] = {}
    folder = rules_dir() / "stacks"
    if not folder.is_dir():
        return packs
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = load_yaml(f"stacks/{path.name}") or {}
        except yaml.YAMLError as exc:
            raise RuleError(f"stacks/{path.name}: invalid YAML: {exc}") from None
        if not isinstance(data, Mapping):
            raise RuleError(f"stacks/{path.name}: not a mapping")
        packs[str(data.get("slug") or path.stem)] = data
    return packs


def platform_fixes(rule: Rule) -> dict[str, Mapping[str, str]]:
    """Platform -> texts for one rule: the rule's own ``fix_platform`` and every stack pack's entry."""
    out: dict[str, Mapping[str, str]] = {}
    for slug, pack in stack_packs().items():
        entry = (pack.get("fixes") or {}).get(rule.id)
        if entry:
            out[slug] = entry if isinstance(entry, Mapping) else {"en": str(entry)}
    out.update(rule.fix_platform)
    return out


def applies(rule: Rule, country: str | None) -> tuple[bool, Outcome | None]:
    """Does the rule apply to a shop of ``country``? If not, the not-applicable outcome that says why."""
    if not rule.countries and not rule.exclude_countries:
        return True, None
    groups = country_groups()

    def expand(codes: tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for c in codes:
            out |= set(groups.get(c, {c}))
        return out

    if rule.countries:
        if not country:
            return False, Outcome(Status.NOT_APPLICABLE, reason="reason.country_unknown")
        if country.upper() not in expand(rule.countries):
            return False, Outcome(Status.NOT_APPLICABLE, reason="reason.country_only",
                                  args={"countries": ", ".join(rule.countries)})
    if country and country.upper() in expand(rule.exclude_countries):
        return False, Outcome(Status.NOT_APPLICABLE, reason="reason.country_excluded",
                              args={"country": country.upper()})
    return True, None


# --------------------------------------------------------------------------- evaluation


def evaluate(
    rules: tuple[Rule, ...],
    artifacts: Artifacts,
    facts: Facts,
    lang: str,
    skip: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> tuple[CheckResult, ...]:
    ctx = Context(artifacts, facts, lang)
    skip = skip or {}
    weights = weights or {}
    platform = artifacts.platform.slug if artifacts.platform else None
    out: list[CheckResult] = []
    for rule in rules:
        if rule.id in skip:
            continue
        weight = float(weights.get(rule.id, rule.weight))
        _, not_applicable = applies(rule, artifacts.country)
        if not_applicable is not None:
            outcome = not_applicable
        elif facts.blocked and rule.predicate != "manual":
            outcome = Outcome(Status.ERROR, reason="reason.blocked")
        elif facts.pages_fetched == 0 and not _is_tls_rule(rule):
            outcome = Outcome(Status.ERROR, reason="reason.no_pages")
        elif rule.remote_only and facts.local:
            outcome = Outcome(Status.ERROR, reason="reason.saved_copy")
        else:
            try:
                outcome = PREDICATES[rule.predicate](ctx, rule.params)
            except Exception as exc:  # noqa: BLE001 - a predicate bug must not kill the report
                outcome = Outcome(Status.ERROR, reason="reason.internal_error", args={"error": type(exc).__name__})
        status = outcome.status
        if status is Status.FAIL and rule.on_fail is Status.WARN:
            status = Status.WARN
        failed = status in (Status.FAIL, Status.WARN)
        evidence = outcome.evidence[:MAX_EVIDENCE]
        if failed and not evidence and facts.home_url:
            # an absence is a finding too: say where we looked, so a person can check
            evidence = (Evidence(facts.home_url, t("evidence.not_found", lang, n=facts.pages_fetched)),)
        title = rule.text("fail_title" if failed else "title", lang)
        fix_platform = ""
        if failed and platform:
            tbl = platform_fixes(rule).get(platform)
            if tbl:
                fix_platform = tbl.get(lang) or tbl.get("en", "")
        reason = t(outcome.reason, lang, **outcome.args) if outcome.reason.startswith("reason.") else outcome.reason
        if status is Status.MANUAL and rule.manual_note:
            reason = rule.text("manual_note", lang)
        out.append(
            CheckResult(
                id=rule.id,
                category=rule.category,
                status=status,
                weight=weight,
                severity=rule.severity,
                title=title,
                evidence=evidence,
                fix=rule.text("fix", lang),
                fix_platform=fix_platform,
                reason=reason,
                source=rule.source,
            )
        )
    return tuple(out)


def _is_tls_rule(rule: Rule) -> bool:
    return rule.predicate in ("tls", "cert_expiry")


# --------------------------------------------------------------------------- predicates

_SIGNALS = {
    "emails": lambda a: [Evidence(e.url, e.address) for e in a.emails],
    "phones": lambda a: [Evidence(p.url, p.e164) for p in a.phones],
    "addresses": lambda a: [Evidence(x.url, x.text) for x in a.addresses],
    "tax_ids": lambda a: [Evidence(t.url, f"{t.label or t.scheme} {t.value}".strip()) for t in a.tax_ids],
    "company_names": lambda a: list(a.company_names),
    "contact_forms": lambda a: list(a.contact_forms),
    "review_widgets": lambda a: [Evidence(d.url, d.slug) for d in a.review_widgets],
    "reviews_on_site": lambda a: list(a.reviews_on_site),
    "chat_widgets": lambda a: [Evidence(d.url, d.slug) for d in a.chat_widgets],
    "payment_providers": lambda a: [Evidence(d.url, d.slug) for d in a.payment_providers],
    "payment_methods": lambda a: [Evidence(d.url, d.slug) for d in a.payment_methods],
    "social": lambda a: [Evidence(d.url, d.slug) for d in a.social],
    "messengers": lambda a: [Evidence(d.url, d.slug) for d in a.messengers],
    "broken_links": lambda a: list(a.broken_links),
    "mixed_content": lambda a: list(a.mixed_content),
    "aggregate_rating": lambda a: (
        [Evidence(a.aggregate_rating.url, f"{a.aggregate_rating.value}/{a.aggregate_rating.best}")]
        if a.aggregate_rating
        else []
    ),
}


def signal_evidence(artifacts: Artifacts, signal: str) -> list[Evidence]:
    if signal.startswith("page:"):
        ref = artifacts.pages.get(signal[5:])
        return [Evidence(ref.url, ref.anchor)] if ref else []
    if signal.startswith("phrase:"):
        return list(artifacts.phrases.get(signal[7:], ()))
    if signal.startswith("structured:"):
        t = signal[11:]
        return [Evidence("", f"schema.org {t}")] if t in artifacts.structured_types else []
    fn = _SIGNALS.get(signal)
    if fn is None:
        raise KeyError(f"unknown signal {signal!r}")
    return fn(artifacts)


def _distinct(evs: list[Evidence], key: str = "snippet") -> int:
    return len({getattr(e, key) for e in evs})


@predicate("signal_present")
def _signal_present(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when a signal (or any of several) has at least ``min`` distinct values."""
    signals = p.get("signals") or [p["signal"]]
    minimum = int(p.get("min", 1))
    slugs = set(p.get("slugs") or ())  # optional: only these named services count (detection signals)
    evs: list[Evidence] = []
    for s in signals:
        found = signal_evidence(ctx.artifacts, s)
        if slugs and ":" not in s:
            found = [e for e in found if e.snippet in slugs]
        evs.extend(found)
    if _distinct(evs) >= minimum and evs:
        return Outcome(Status.PASS, tuple(evs))
    if not evs:
        return Outcome(Status.FAIL)
    return Outcome(Status.FAIL, tuple(evs), reason="reason.found_need", args={"found": _distinct(evs), "need": minimum})


@predicate("signal_absent")
def _signal_absent(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when an unwanted signal (broken links ...) is present; its items are the evidence."""
    evs = signal_evidence(ctx.artifacts, p["signal"])
    return Outcome(Status.FAIL, tuple(evs)) if evs else Outcome(Status.PASS)


@predicate("distinct_channels")
def _distinct_channels(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Count how many of the listed signals are present at all (e.g. phone, e-mail, chat, social)."""
    present: list[Evidence] = []
    for s in p["signals"]:
        evs = signal_evidence(ctx.artifacts, s)
        if evs:
            present.append(Evidence(evs[0].url, f"{s.split(':')[-1]}: {evs[0].snippet}"))
    if len(present) >= int(p.get("min", 3)):
        return Outcome(Status.PASS, tuple(present))
    return Outcome(Status.FAIL, tuple(present), reason="reason.channels", args={"n": len(present)})


@predicate("page_found")
def _page_found(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    kinds = p.get("kinds") or [p["kind"]]
    for k in kinds:
        if k not in PAGE_KINDS:
            raise KeyError(k)
    evs = [e for k in kinds for e in signal_evidence(ctx.artifacts, f"page:{k}")]
    also = [e for s in p.get("or_signals", []) for e in signal_evidence(ctx.artifacts, s)]
    if evs or also:
        return Outcome(Status.PASS, tuple(evs + also))
    return Outcome(Status.FAIL)


@predicate("phrase_present")
def _phrase_present(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    names = p.get("phrases") or [p["phrase"]]
    evs = [e for n in names for e in ctx.artifacts.phrases.get(n, ())]
    return Outcome(Status.PASS, tuple(evs)) if evs else Outcome(Status.FAIL)


@predicate("phrase_absent")
def _phrase_absent(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when an unwanted phrase (placeholder text, outdated ODR link ...) is on the site."""
    names = p.get("phrases") or [p["phrase"]]
    evs = [e for n in names for e in ctx.artifacts.phrases.get(n, ())]
    return Outcome(Status.FAIL, tuple(evs)) if evs else Outcome(Status.PASS)


@predicate("any_of")
def _any_of(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when any sub-check passes: ``checks: [{predicate: ..., params: {...}}, ...]``."""
    collected: list[Evidence] = []
    statuses = []
    for sub in p["checks"]:
        out = PREDICATES[sub["predicate"]](ctx, sub.get("params") or {})
        statuses.append(out.status)
        if out.status is Status.PASS:
            collected.extend(out.evidence)
    if Status.PASS in statuses:
        return Outcome(Status.PASS, tuple(collected))
    if statuses and all(s is Status.NOT_APPLICABLE for s in statuses):
        return Outcome(Status.NOT_APPLICABLE)
    return Outcome(Status.FAIL)


@predicate("tax_id_present")
def _tax_id_present(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when an identifier of one of ``schemes`` is shown and its check digit (if any) is right."""
    schemes = set(p.get("schemes") or [])
    ids = [t for t in ctx.artifacts.tax_ids if not schemes or t.scheme in schemes]
    evs = tuple(Evidence(t.url, f"{t.label or t.scheme} {t.value}".strip()) for t in ids)
    good = [t for t in ids if t.valid is not False]
    if good:
        return Outcome(Status.PASS, evs)
    if ids:
        return Outcome(Status.FAIL, evs, reason="reason.bad_check_digit")
    return Outcome(Status.FAIL)


@predicate("tax_ids_valid")
def _tax_ids_valid(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    ids = ctx.artifacts.tax_ids
    bad = [t for t in ids if t.valid is False]
    if bad:
        return Outcome(
            Status.FAIL,
            tuple(
                Evidence(x.url, f"{x.label or x.scheme} {x.value} ({x.scheme}: {t('evidence.bad_check_digit', ctx.lang)})")
                for x in bad
            ),
        )
    checked = [t for t in ids if t.valid is True]
    if checked:
        return Outcome(Status.PASS, tuple(Evidence(t.url, f"{t.scheme} {t.value}") for t in checked))
    return Outcome(Status.NOT_APPLICABLE, reason="reason.no_checkable_id")


_TLS_FACTS = ("https", "valid", "hostname_match", "http_redirects_to_https", "hsts", "protocol")
_OLD_PROTOCOLS = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"}


@predicate("tls")
def _tls(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    fact = p["fact"]
    if fact not in _TLS_FACTS:
        raise KeyError(fact)
    tls = ctx.facts.tls
    if ctx.facts.local:
        return Outcome(Status.ERROR, reason="reason.saved_copy")
    if fact == "https":
        if tls.https is None:
            return Outcome(Status.ERROR, reason=tls.error or "reason.tls_unknown")
        return Outcome(Status.PASS if tls.https else Status.FAIL, reason=tls.error or "")
    if tls.https is False:
        if fact == "http_redirects_to_https":
            return Outcome(Status.FAIL, reason="reason.no_https")
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_https")
    value = getattr(tls, fact)
    if fact == "protocol":
        if not value:
            return Outcome(Status.ERROR, reason=tls.error or "reason.tls_unknown")
        ok = value not in _OLD_PROTOCOLS
        return Outcome(Status.PASS if ok else Status.FAIL, (Evidence("", value),))
    if value is None:
        return Outcome(Status.ERROR, reason=tls.error or "reason.tls_unknown")
    evidence: tuple[Evidence, ...] = ()
    if fact == "valid" and not value and tls.error:
        evidence = (Evidence(ctx.facts.home_url, tls.error),)
    if fact == "hsts" and value:
        evidence = (Evidence(ctx.facts.home_url, f"max-age={tls.hsts_max_age}"),)
    return Outcome(Status.PASS if value else Status.FAIL, evidence, reason="" if value else (tls.error or ""))


@predicate("cert_expiry")
def _cert_expiry(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    tls = ctx.facts.tls
    if ctx.facts.local:
        return Outcome(Status.ERROR, reason="reason.saved_copy")
    if tls.https is False:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_https")
    if tls.days_left is None:
        return Outcome(Status.ERROR, reason=tls.error or "reason.tls_unknown")
    ev = (Evidence("", f"not after {tls.not_after} ({tls.days_left} days left)"),)
    if tls.days_left < int(p.get("fail_days", 14)):
        return Outcome(Status.FAIL, ev)
    if tls.days_left < int(p.get("warn_days", 30)):
        return Outcome(Status.WARN, ev)
    return Outcome(Status.PASS, ev)


@predicate("mixed_content")
def _mixed_content(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    if ctx.facts.local:
        return Outcome(Status.ERROR, reason="reason.saved_copy")
    if ctx.facts.tls.https is False:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_https")
    if ctx.artifacts.mixed_content:
        return Outcome(Status.FAIL, ctx.artifacts.mixed_content)
    return Outcome(Status.PASS)


@predicate("rating_at_least")
def _rating_at_least(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    r = ctx.artifacts.aggregate_rating
    if r is None:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_rating")
    best = r.best or 5.0
    normalised = r.value * 5.0 / best if best else r.value
    ev = (Evidence(r.url, f"{r.value}/{best} ({r.count or '?'} ratings)"),)
    if normalised >= float(p.get("min", 4.0)):
        return Outcome(Status.PASS, ev)
    return Outcome(Status.FAIL, ev)


@predicate("platform_known")
def _platform_known(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    plat = ctx.artifacts.platform
    if plat:
        return Outcome(Status.PASS, (Evidence(plat.url, f"{plat.slug}: {plat.evidence}"),))
    return Outcome(Status.FAIL)


@predicate("manual")
def _manual(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    return Outcome(Status.MANUAL, reason=str(p.get("reason", "cannot be judged from the site")))


def validate_all_rules() -> list[str]:
    """Return problems found in the rule set (used by tests and `rules list`)."""
    problems: list[str] = []
    cats = {c["id"] for c in categories()}
    for r in load_rules():
        if r.category not in cats:
            problems.append(f"{r.id}: unknown category {r.category}")
        for key in ("title", "fail_title", "fix"):
            for lang in ("en", "pl"):
                if not getattr(r, key).get(lang):
                    problems.append(f"{r.id}: {key} has no {lang} text")
        if not r.source:
            problems.append(f"{r.id}: no source")
    ids = {r.id for r in load_rules()}
    for slug, pack in stack_packs().items():
        for rid in pack.get("fixes") or {}:
            if rid not in ids:
                problems.append(f"stacks/{slug}: fix for unknown rule {rid}")
    return problems
