"""Rules as data: load ``rules/checks/*.yaml`` and evaluate each against the extracted artifacts.

A rule never sees HTML or the network: only :class:`Artifacts` and the crawl facts in :class:`Facts`.
Predicates are small named functions whose parameters are declared in :mod:`trustaudit.ruleschema` and checked
when the rules are loaded; a new check is a new YAML file plus its texts in ``rules/locales/`` (Python changes
only for a new predicate).

A check's result carries its texts in the report language and, in ``messages``, the same texts by reference,
so that a renderer can write the report in any language (:mod:`trustaudit.messages`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from trustaudit import messages
from trustaudit.models import (
    PAGE_KINDS,
    Artifacts,
    CheckResult,
    Evidence,
    Message,
    Severity,
    Status,
    TlsInfo,
)
from trustaudit.resources import RuleError, cached_build, is_yaml_error, load_yaml, rules_dir

MAX_EVIDENCE = 5


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    weight: float
    severity: Severity
    predicate: str
    params: Mapping[str, Any]
    countries: tuple[str, ...] = ()  # empty = everywhere; may hold groups such as "EU"
    exclude_countries: tuple[str, ...] = ()
    on_fail: Status = Status.FAIL  # some checks only warn
    remote_only: bool = False  # needs a live site (TLS, headers); a saved copy cannot show it
    source: Mapping[str, str] = field(default_factory=dict)  # "default" | country | group -> citation
    evidence_pages: tuple[str, ...] = ()  # page kinds where its evidence usually is
    grade_cap: Mapping[str, Any] | None = None  # {"grade": "F", "when_any": [signals]}
    reads: tuple[str, ...] = ()  # signals the predicate reads (ruleschema)
    also_targeting: tuple[str, ...] = ()  # groups whose buyers, when a shop clearly targets them, make it apply
    applies_from: Mapping[str, dt.date] = field(default_factory=dict)  # "default" | country | group -> date
    only_when: Mapping[str, Any] | None = None  # {"signals": [...], "reason": msg id}: not applicable without them

    def text(self, which: str, lang: str, country: str | None = None) -> str:
        """One of the check's texts (title, fail_title, fix, description, manual_note) from the catalogues."""
        return messages.lookup(f"check.{self.id}.{which}", lang, country) or ""

    def source_for(self, country: str | None) -> str:
        """The citation for a shop of ``country``: its own, its group's (EU), else the default."""
        for key in messages.variant_chain("", country)[:-1]:
            text = self.source.get(key[1:])
            if text:
                return text
        return self.source.get("default", "")

    def date_for(self, country: str | None) -> dt.date | None:
        """The date the duty applies from for a shop of ``country`` (its own, its group's, else the default)."""
        if not self.applies_from:
            return None
        for key in messages.variant_chain("", country)[:-1]:
            d = self.applies_from.get(key[1:])
            if d is not None:
                return d
        return self.applies_from.get("default")


@dataclass(frozen=True)
class Facts:
    """What the crawl knows beyond the artifacts."""

    tls: TlsInfo
    local: bool
    pages_fetched: int
    blocked: bool = False
    home_url: str = ""  # where a person can look for what a failed check did not find
    inconclusive: Message | None = None  # the shop itself was not seen: why (content checks cannot be judged)
    limit_hit: str | None = None  # "max_pages" | "total_timeout": the crawl stopped before it was done
    # the register look-ups (trustaudit.lookups): {enabled, reason, ids, domain, warning_lists, ...}; None: not asked
    registry: Mapping[str, Any] | None = None
    scan_date: dt.date | None = None  # the day of the scan: decides dated duties (None: today, UTC)
    # pages whose content JavaScript builds and that were read as served (application shells not rendered):
    # what they would show is unknown, and why (a message id: run with --render / rendering failed / saved copy)
    js_pages: tuple[str, ...] = ()
    js_home: bool = False  # the home page is one of them: every check of the shop's content is affected
    js_reason: str = ""
    consent_reason: str = ""  # why the consent checks could not be judged though pages were rendered (a message id)


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: tuple[Evidence, ...] = ()
    reason: str | Message = ""  # a message id ("reason.no_https") with ``args``, a Message, or plain text
    args: Mapping[str, Any] = field(default_factory=dict)
    # a finding more specific than "missing" (an ID shown but invalid, a linked page answering an error ...):
    # the title and fix come from ``check.<id>.<variant>_title`` / ``outcome.<variant>.title`` ...
    variant: str = ""
    variant_args: Mapping[str, Any] = field(default_factory=dict)


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


def known_names():
    """The names rules may use in this installation (for :func:`ruleschema.check_rule`)."""
    from trustaudit.ruleschema import Known

    phrases = load_yaml("vocab/phrases.yaml") or {}
    widgets = load_yaml("vocab/widgets.yaml") or {}
    ids = load_yaml("vocab/ids.yaml") or {}
    countries = load_yaml("countries.yaml") or {}
    slugs = {str(s) for sec in widgets.values() if isinstance(sec, Mapping) for s in sec}
    codes = {str(c).upper() for c in (countries.get("countries") or {})}
    codes |= {str(g).upper() for g in (countries.get("groups") or {})} | {"EU"}
    pages = load_yaml("vocab/pages.yaml") or {}
    return Known(
        vocab_page_kinds=frozenset(str(k) for k in (pages.get("kinds") or {})),
        phrase_groups=frozenset(str(g) for g in (phrases.get("groups") or {})),
        page_kinds=frozenset(PAGE_KINDS),
        slugs=frozenset(slugs),
        schemes=frozenset(str(s) for s in (ids.get("schemes") or {})),
        countries=frozenset(codes),
        categories=frozenset(str(c["id"]) for c in categories()),
        predicates=frozenset(PREDICATES),
    )


def parse_rule(data: Mapping[str, Any], fname: str, known=None) -> Rule:
    """Validate one rule file's data (raises :class:`RuleError` naming the file, the key and the nearest valid
    value) and build the Rule."""
    from trustaudit.ruleschema import check_rule

    return _rule(check_rule(data, fname, known or known_names()))


def _rule(d: Mapping[str, Any]) -> Rule:
    src = d.get("source") or ""
    source = {"default": src} if isinstance(src, str) else {str(k): str(v) for k, v in src.items()}
    return Rule(
        id=d["id"],
        category=d["category"],
        weight=float(d["weight"]),
        severity=Severity(d["severity"]),
        predicate=d["predicate"],
        params=d["params"],
        countries=tuple(d.get("countries") or ()),
        exclude_countries=tuple(d.get("exclude_countries") or ()),
        on_fail=Status(d.get("on_fail", "fail")),
        remote_only=bool(d.get("remote_only")),
        source=source,
        evidence_pages=tuple(d.get("evidence_pages") or ()),
        grade_cap=d.get("grade_cap"),
        reads=tuple(d.get("reads") or ()),
        also_targeting=tuple(d.get("also_targeting") or ()),
        applies_from=dict(d.get("applies_from") or {}),
        only_when=d.get("only_when"),
    )


@cached_build("rules-checked")
def _checked_rule_data() -> list[dict[str, Any]]:
    """Every rule file, validated and normalised (plain data: kept in the build cache with the vocabulary)."""
    known = known_names()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    from trustaudit.ruleschema import check_rule

    for path in sorted((rules_dir() / "checks").glob("*.yaml")):
        try:
            data = load_yaml(f"checks/{path.name}")
        except Exception as exc:
            if not is_yaml_error(exc):
                raise
            raise RuleError(f"{path.name}: invalid YAML: {exc}") from None
        rule = check_rule(data, path.name, known)
        if rule["id"] in seen:
            raise RuleError(f"{path.name}: duplicate rule id {rule['id']}")
        seen.add(rule["id"])
        out.append(rule)
    return out


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    return tuple(_rule(d) for d in _checked_rule_data())


def rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in load_rules())


def unknown_rule_message(rid: str) -> str:
    """``unknown check id 'x' (nearest: 'y')`` for a user naming a check that does not exist."""
    from difflib import get_close_matches

    near = get_close_matches(rid, rule_ids(), n=1, cutoff=0.5)
    return f"unknown check id {rid!r}" + (f" (nearest: {near[0]!r})" if near else "; see `trustaudit rules list`")


@lru_cache(maxsize=1)
def categories() -> tuple[Mapping[str, Any], ...]:
    data = load_yaml("categories.yaml") or []
    return tuple(data)


def country_groups() -> dict[str, frozenset[str]]:
    """Country groups usable in a rule's ``countries`` (EU, EEA ...), from rules/countries.yaml."""
    return dict(messages.group_members())


@lru_cache(maxsize=1)
def stack_packs() -> dict[str, Mapping[str, Any]]:
    """Platform stack packs (as Lighthouse has for frameworks): ``rules/stacks/<slug>.yaml`` with the
    platform's fingerprints (used by extraction); their fixes are catalogue messages ``stack.<slug>.<check>``."""
    packs: dict[str, Mapping[str, Any]] = {}
    folder = rules_dir() / "stacks"
    if not folder.is_dir():
        return packs
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = load_yaml(f"stacks/{path.name}") or {}
        except Exception as exc:
            if not is_yaml_error(exc):
                raise
            raise RuleError(f"stacks/{path.name}: invalid YAML: {exc}") from None
        if not isinstance(data, Mapping):
            raise RuleError(f"stacks/{path.name}: not a mapping")
        packs[str(data.get("slug") or path.stem)] = data
    return packs


def platform_fix_key(rule_id: str, platform: str) -> str:
    return f"stack.{platform}.{rule_id}"


def platform_fixes(rule: Rule, lang: str = "en", country: str | None = None) -> dict[str, str]:
    """Platform slug -> where to fix this check on that platform, for every stack pack that says."""
    out: dict[str, str] = {}
    for slug in stack_packs():
        text = messages.lookup(platform_fix_key(rule.id, slug), lang, country)
        if text:
            out[slug] = text
    return out


def applies(rule: Rule, country: str | None, markets: Collection[str] = ()) -> tuple[bool, Outcome | None]:
    """Does the rule apply to a shop of ``country`` (that clearly sells to ``markets``)? If not, the
    not-applicable outcome that says why."""
    if not rule.countries and not rule.exclude_countries:
        return True, None
    groups = country_groups()

    def expand(codes: tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for c in codes:
            out |= set(groups.get(c, {c}))
        return out

    targeted = [g for g in rule.also_targeting if g in markets]
    if rule.countries and not targeted:
        if rule.also_targeting and (not country or country.upper() not in expand(rule.countries)):
            # neither a shop of those countries nor one that shows it sells to buyers there
            return False, Outcome(Status.NOT_APPLICABLE, reason="reason.country_or_market",
                                  args={"countries": ", ".join(rule.countries)})
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


def strict_mode() -> bool:
    """``TRUSTAUDIT_STRICT=1`` (tests, development): a bug re-raises instead of becoming "could not check"."""
    return os.environ.get("TRUSTAUDIT_STRICT", "").strip() not in ("", "0")


def _is_tls_rule(rule: Rule) -> bool:
    """Verdicts from our own TLS handshake: they stand even when the shop's pages could not be seen."""
    return rule.predicate in ("tls", "cert_expiry")


def _failed_extractors(rule: Rule, artifacts: Artifacts, partial: bool = False) -> list[Any]:
    """Extractor failures that feed a signal this rule reads (``partial``: instead, the extractors that stopped
    at a per-page cap and read only part of a page)."""
    if not artifacts.extractor_errors or not rule.reads:
        return []
    reads = set(rule.reads)
    hit = []
    for err in artifacts.extractor_errors:
        if err.partial is not partial:
            continue
        for sig in err.signals:
            if sig in reads or sig == "*" or (
                sig.endswith(":*") and any(r.startswith(sig[:-1]) for r in reads)
            ):
                hit.append(err)
                break
    return hit


# Outcomes that reading the rest of a page could only confirm: what was found is there, and more of it keeps the
# verdict (a contact page linked, an unwanted phrase shown). When an extractor the rule reads stopped at a
# per-page cap (``ExtractorError.partial``), only these stand; any other outcome rests on something not being
# in the part that was not read, and becomes "could not check".
_KEPT_BY_MORE = {
    "signal_present": Status.PASS, "phrase_present": Status.PASS, "page_found": Status.PASS,
    "tax_id_present": Status.PASS, "distinct_channels": Status.PASS, "platform_known": Status.PASS,
    "signal_absent": Status.FAIL, "phrase_absent": Status.FAIL, "mixed_content": Status.FAIL,
    "tax_ids_valid": Status.FAIL,
}


def _kept_by_more(predicate: str, params: Mapping[str, Any], status: Status) -> bool:
    if predicate == "any_of":
        return status is Status.PASS and all(
            _KEPT_BY_MORE.get(sub.get("predicate")) is Status.PASS for sub in params.get("checks") or ())
    return _KEPT_BY_MORE.get(predicate) is status


# predicates whose verdict does not come from the pages' content (or that say themselves what they need)
_NOT_FROM_PAGES = frozenset({"tls", "cert_expiry", "manual", "consent"})


def _unseen_content(rule: Rule, outcome: Outcome, facts: Facts, artifacts: Artifacts) -> Outcome:
    """An absence found on pages whose content only JavaScript builds (read as served) is not a finding: a
    failure without other evidence, or a pass that rests on nothing being found, becomes "could not check"."""
    if not facts.js_pages or rule.predicate in _NOT_FROM_PAGES:
        return outcome
    resting_on_absence = (outcome.status is Status.FAIL and not outcome.variant) or (
        outcome.status is Status.PASS and not outcome.evidence
    )
    if not resting_on_absence:
        return outcome
    shells = set(facts.js_pages)
    where = [ref.url for k in rule.evidence_pages if (ref := artifacts.pages.get(k)) is not None and ref.url in shells]
    if not facts.js_home and not where:
        return outcome
    return Outcome(Status.ERROR, reason=facts.js_reason or "reason.js_needs_render")


def _unfetched_evidence_pages(rule: Rule, artifacts: Artifacts) -> list[str]:
    """URLs of this rule's evidence pages that were linked but never fetched."""
    urls = []
    for kind in rule.evidence_pages:
        ref = artifacts.pages.get(kind)
        if ref is not None and ref.url and ref.status is None and not ref.fetched and ref.url not in urls:
            urls.append(ref.url)
    return urls


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
    country = artifacts.country
    out: list[CheckResult] = []
    for rule in rules:
        if rule.id in skip:
            continue
        weight = float(weights.get(rule.id, rule.weight))
        _, not_applicable = applies(rule, country, artifacts.markets)
        if not_applicable is not None:
            out.append(_not_applicable_here(rule, weight, not_applicable, lang, country))
            continue
        absent = None
        if facts.blocked and not _is_tls_rule(rule) and rule.predicate != "manual":
            outcome = Outcome(Status.ERROR, reason="reason.blocked")
        elif facts.inconclusive is not None and not _is_tls_rule(rule) and rule.predicate != "manual":
            outcome = Outcome(Status.ERROR, reason=facts.inconclusive)
        elif facts.pages_fetched == 0 and not _is_tls_rule(rule):
            outcome = Outcome(Status.ERROR, reason="reason.no_pages")
        elif rule.remote_only and facts.local:
            outcome = Outcome(Status.ERROR, reason="reason.saved_copy")
        elif failed := _failed_extractors(rule, artifacts):
            err = failed[0]
            outcome = Outcome(Status.ERROR, reason="reason.extractor_failed",
                              args={"extractor": err.extractor, "url": err.url, "error": err.error})
        elif (absent := _without_subject(rule, artifacts)) is not None:
            outcome = absent
        else:
            try:
                outcome = PREDICATES[rule.predicate](ctx, rule.params)
            except Exception as exc:  # noqa: BLE001 - a predicate bug must not kill the report
                if strict_mode():
                    raise
                outcome = Outcome(Status.ERROR, reason="reason.internal_error", args={"error": type(exc).__name__})
            if (
                outcome.status is Status.FAIL
                and facts.limit_hit
                and not outcome.variant
                and (unfetched := _unfetched_evidence_pages(rule, artifacts))
            ):
                # not found on what was fetched, but the pages where it would be were never read
                outcome = Outcome(Status.ERROR, reason="reason.partial_crawl",
                                  args={"limit": Message(f"limit.{facts.limit_hit}"), "pages": ", ".join(unfetched)})
            elif (
                outcome.status is Status.FAIL
                and not facts.local
                and not outcome.variant
                and (unfetched := _unfetched_evidence_pages(rule, artifacts))
            ):
                # the page where it would be is linked but is not one the crawl reads (a PDF or another document,
                # a page on another site): an absence on the pages read says nothing about it
                outcome = Outcome(Status.ERROR, reason="reason.evidence_not_read", args={"pages": ", ".join(unfetched)})
            elif (
                outcome.status not in (Status.ERROR, Status.MANUAL)
                and not _kept_by_more(rule.predicate, rule.params, outcome.status)
                and (cut := _failed_extractors(rule, artifacts, partial=True))
            ):
                # what decides it may be in the part of a page an extractor did not read (a per-page cap)
                outcome = Outcome(Status.ERROR, reason="reason.read_in_part",
                                  args={"extractor": cut[0].extractor, "url": cut[0].url, "error": cut[0].error})
            outcome = _unseen_content(rule, outcome, facts, artifacts)
        if outcome.status is Status.NOT_APPLICABLE and absent is not None:
            if cut := _failed_extractors(rule, artifacts, partial=True):
                # the part of a page not read may show what the check concerns
                err = cut[0]
                outcome = Outcome(Status.ERROR, reason="reason.read_in_part",
                                  args={"extractor": err.extractor, "url": err.url, "error": err.error})
            elif facts.js_home:
                # what a page JavaScript builds may show it
                outcome = Outcome(Status.ERROR, reason=facts.js_reason or "reason.js_needs_render")
            else:
                out.append(_not_applicable_here(rule, weight, outcome, lang, country))
                continue
        out.append(_result(rule, weight, outcome, facts, artifacts, lang))
    return tuple(out)


def _without_subject(rule: Rule, artifacts: Artifacts) -> Outcome | None:
    """Not applicable when the shop shows none of the rule's ``only_when`` signals (what its duty is about)."""
    spec = rule.only_when
    if not spec or any(signal_evidence(artifacts, s) for s in spec.get("signals") or ()):
        return None
    return Outcome(Status.NOT_APPLICABLE, reason=str(spec.get("reason") or ""))


def _not_applicable_here(rule: Rule, weight: float, outcome: Outcome, lang: str, country: str | None) -> CheckResult:
    """A check for another country: named by its title, with why; its fix and law belong to that country."""
    msgs = {"title": Message(f"check.{rule.id}.title")}
    reason = _reason_message(outcome)
    if reason is not None:
        msgs["reason"] = reason
    return CheckResult(
        id=rule.id,
        category=rule.category,
        status=Status.NOT_APPLICABLE,
        weight=weight,
        severity=rule.severity,
        title=messages.render(msgs["title"], lang, country),
        reason=messages.render(reason, lang, country) if reason is not None else str(outcome.reason or ""),
        messages=msgs,
    )


def _reason_message(outcome: Outcome) -> Message | None:
    if isinstance(outcome.reason, Message):
        return outcome.reason
    if outcome.reason and messages.has(outcome.reason):
        return Message(outcome.reason, dict(outcome.args))
    return None


def _result(rule: Rule, weight: float, outcome: Outcome, facts: Facts, artifacts: Artifacts, lang: str) -> CheckResult:
    country = artifacts.country
    platform = artifacts.platform.slug if artifacts.platform else None
    status = outcome.status
    if status is Status.FAIL and rule.on_fail is Status.WARN:
        status = Status.WARN
    from_date = rule.date_for(country)
    not_yet = status is Status.FAIL and from_date is not None and _scan_date(facts) < from_date
    if not_yet:
        # the duty does not apply yet on the day of the scan: what is missing is a warning of what is coming
        status = Status.WARN
    failed = status in (Status.FAIL, Status.WARN)
    evidence = outcome.evidence[:MAX_EVIDENCE]
    if failed and not evidence and facts.home_url:
        # an absence is a finding too: say where we looked, so a person can check
        note = Message("evidence.not_found", {"n": facts.pages_fetched})
        evidence = (Evidence(facts.home_url, messages.render(note, lang, country), note),)
    else:
        evidence = tuple(
            Evidence(e.url, messages.render(e.msg, lang, country), e.msg) if e.msg is not None else e for e in evidence
        )
    base = f"check.{rule.id}"
    msgs: dict[str, Message] = {}
    if failed:
        v = outcome.variant
        title_key = messages.first(
            ([f"{base}.{v}_title", f"outcome.{v}.title"] if v else []) + [f"{base}.fail_title"], lang, country
        ) or f"{base}.fail_title"
        fix_key = messages.first(
            ([f"{base}.{v}_fix", f"outcome.{v}.fix"] if v else []) + [f"{base}.fix"], lang, country
        ) or f"{base}.fix"
        args = dict(outcome.variant_args) if v else {}
        msgs["title"] = Message(title_key, args)
        msgs["fix"] = Message(fix_key, args)
        if platform and messages.has(platform_fix_key(rule.id, platform)):
            msgs["fix_platform"] = Message(platform_fix_key(rule.id, platform))
    else:
        msgs["title"] = Message(f"{base}.title")
        msgs["fix"] = Message(f"{base}.fix")
    if status is Status.MANUAL and messages.has(f"{base}.manual_note"):
        msgs["reason"] = Message(f"{base}.manual_note")
    else:
        reason_msg = _reason_message(outcome)
        if reason_msg is not None:
            msgs["reason"] = reason_msg
        elif not_yet:
            msgs["reason"] = Message("reason.applies_from", {"date": from_date.isoformat()})
    reason = messages.render(msgs["reason"], lang, country) if "reason" in msgs else str(outcome.reason or "")
    cap = None
    if status is Status.FAIL and rule.grade_cap:
        cap = _grade_cap(rule.grade_cap, artifacts, outcome.variant)
    return CheckResult(
        id=rule.id,
        category=rule.category,
        status=status,
        weight=weight,
        severity=rule.severity,
        title=messages.render(msgs["title"], lang, country),
        evidence=evidence,
        fix=messages.render(msgs["fix"], lang, country),
        fix_platform=messages.render(msgs["fix_platform"], lang, country) if "fix_platform" in msgs else "",
        reason=reason,
        source=rule.source_for(country),
        messages=msgs,
        caps_grade=cap,
    )


def _scan_date(facts: Facts) -> dt.date:
    return facts.scan_date or dt.datetime.now(dt.timezone.utc).date()


def _grade_cap(spec: Mapping[str, Any], artifacts: Artifacts, variant: str = "") -> str | None:
    """The grade this failure caps, when the cap applies to this shop (``when_any`` of its signals shows) and to
    this finding (``variants``: only failures of those kinds, e.g. a removed VAT payer but not a missing entry)."""
    when = spec.get("when_any") or ()
    if when and not any(signal_evidence(artifacts, s) for s in when):
        return None
    variants = spec.get("variants") or ()
    if variants and variant not in variants:
        return None
    return str(spec.get("grade") or "F")


# --------------------------------------------------------------------------- predicates

_SIGNALS = {
    "emails": lambda a: [Evidence(e.url, e.address) for e in a.emails],
    "phones": lambda a: [Evidence(p.url, p.e164) for p in a.phones],
    "addresses": lambda a: [Evidence(x.url, x.text) for x in a.addresses],
    "tax_ids": lambda a: [Evidence(t.url, f"{t.label or t.scheme} {t.value}".strip()) for t in a.tax_ids],
    "company_names": lambda a: list(a.company_names),
    "contact_forms": lambda a: list(a.contact_forms),
    "review_widgets": lambda a: _detections(a.review_widgets),
    "reviews_on_site": lambda a: list(a.reviews_on_site),
    "chat_widgets": lambda a: _detections(a.chat_widgets),
    "payment_providers": lambda a: _detections(a.payment_providers),
    "payment_methods": lambda a: [Evidence(d.url, d.slug) for d in a.payment_methods],
    "payment_options": lambda a: _payment_options(a),
    "social": lambda a: [Evidence(d.url, d.slug) for d in a.social],
    "messengers": lambda a: [Evidence(d.url, d.slug) for d in a.messengers],
    "broken_links": lambda a: list(a.broken_links),
    "mixed_content": lambda a: list(a.mixed_content),
    "aggregate_rating": lambda a: (
        [Evidence(a.aggregate_rating.url, f"{a.aggregate_rating.value}/{a.aggregate_rating.best}")]
        if _usable_rating(a.aggregate_rating)
        else []
    ),
}


@lru_cache(maxsize=1)
def _methods_implied() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Generic payment methods, the named services that stand for them and the methods that are the same way to
    pay (rules/vocab/widgets.yaml ``payment_method.<slug>.implied_by`` / ``same_way_as``: Visa is a way to pay by
    card, PayPal a wallet)."""
    methods = (load_yaml("vocab/widgets.yaml") or {}).get("payment_method") or {}
    return tuple((str(slug), frozenset(str(x) for x in spec.get("implied_by") or ()),
                  frozenset(str(x) for x in spec.get("same_way_as") or ()))
                 for slug, spec in methods.items() if isinstance(spec, dict) and spec.get("implied_by"))


def _payment_options(a: Artifacts) -> list[Evidence]:
    """The ways to pay a buyer is offered: the methods named, and the method each named card scheme or wallet
    stands for (a shop showing Visa and PayPal offers card and wallet payment; Visa and Mastercard are one way)."""
    out = [Evidence(d.url, d.slug) for d in a.payment_methods]
    have = {d.slug for d in a.payment_methods}
    for method, by, same in _methods_implied():
        hit = next((d for d in a.payment_providers if d.slug in by), None)
        if method not in have and not (same & have) and hit is not None:
            have.add(method)
            out.append(Evidence(hit.url, hit.slug))  # the name shown on the page stands for the method
    return out


def _detections(dets) -> list[Evidence]:
    """A service as evidence (its slug); with --render, a note says whether the browser really called it
    (stronger) or the page only names it in a script tag or markup (which may be dead or wait for consent)."""
    out = []
    for d in dets:
        note = None
        if d.loaded:
            note = Message("evidence.widget_loaded", {"slug": d.slug, "url": d.loaded[:120]})
        elif d.rendered:
            note = Message("evidence.widget_markup", {"slug": d.slug})
        out.append(Evidence(d.url, d.slug, note))
    return out


def _usable_rating(r) -> bool:
    """A rating a buyer can read: finite numbers (JSON-LD may say NaN or Infinity)."""
    return r is not None and math.isfinite(r.value) and math.isfinite(r.best or 5.0) and (r.best or 5.0) > 0


def _page_ok(ref) -> bool:
    """A linked page counts unless it was fetched and answered an error, or an error page under a 200 status."""
    return ref is not None and not ref.says_missing and (ref.status is None or ref.status < 400)


def signal_evidence(artifacts: Artifacts, signal: str) -> list[Evidence]:
    if signal.startswith("page:"):
        ref = artifacts.pages.get(signal[5:])
        return [Evidence(ref.url, ref.anchor)] if _page_ok(ref) else []
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
    evs = [e for s in (p.get("signals") or [p["signal"]]) for e in signal_evidence(ctx.artifacts, s)]
    return Outcome(Status.FAIL, tuple(evs)) if evs else Outcome(Status.PASS)


@predicate("distinct_channels")
def _distinct_channels(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Count how many of the listed signals are present at all (e.g. phone, e-mail, chat, social)."""
    present: list[Evidence] = []
    for s in p["signals"]:
        evs = signal_evidence(ctx.artifacts, s)
        if evs:
            name = s.split(":")[-1]
            # the channel's name in the report language, the value as the page shows it
            present.append(Evidence(evs[0].url, f"{name}: {evs[0].snippet}",
                                    Message("evidence.channel", {"channel": Message(f"channel.{name}"),
                                                                 "value": evs[0].snippet})))
    if len(present) >= int(p.get("min", 3)):
        return Outcome(Status.PASS, tuple(present))
    return Outcome(Status.FAIL, tuple(present), reason="reason.channels", args={"n": len(present)})


@predicate("page_found")
def _page_found(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when a page of one of ``kinds`` is linked (a link to a page that answers an error does not count),
    or one of ``or_signals`` is present."""
    kinds = p.get("kinds") or [p["kind"]]
    for k in kinds:
        if k not in PAGE_KINDS:
            raise KeyError(k)
    evs = [e for k in kinds for e in signal_evidence(ctx.artifacts, f"page:{k}")]
    also = [e for s in p.get("or_signals", []) for e in signal_evidence(ctx.artifacts, s)]
    if evs or also:
        return Outcome(Status.PASS, tuple(evs + also))
    partial = [e for s in p.get("partial_signals", []) for e in signal_evidence(ctx.artifacts, s)]
    if partial:
        return Outcome(Status.FAIL, tuple(partial), variant="partial",
                       variant_args={"found": ", ".join(dict.fromkeys(e.snippet for e in partial))})
    broken = [ref for k in kinds if (ref := ctx.artifacts.pages.get(k)) is not None and not _page_ok(ref)]
    if broken:
        ref = broken[0]
        region = ref.region if ref.region in ("header", "nav", "footer", "body") else "body"
        args = {"page": Message(f"page.{ref.kind}"), "where": Message(f"where.{region}"), "status": ref.status,
                "url": ref.url}
        if ref.says_missing and (ref.status is None or ref.status < 400):
            return Outcome(Status.FAIL, tuple(Evidence(r.url, r.anchor) for r in broken),
                           reason="reason.page_says_missing", variant="page_missing", variant_args=args)
        return Outcome(
            Status.FAIL,
            tuple(Evidence(r.url, r.anchor) for r in broken),
            reason="reason.page_answers",
            args={"status": ref.status},
            variant="page_error",
            variant_args=args,
        )
    return Outcome(Status.FAIL)


@lru_cache(maxsize=1)
def _quantity_patterns() -> dict[str, re.Pattern[str]]:
    """``duration`` and ``money``: a number (or range) with a unit, from rules/quantities.yaml."""
    data = load_yaml("quantities.yaml") or {}
    countries = load_yaml("countries.yaml") or {}

    def words(items) -> str:
        alts = []
        for w in sorted({str(x) for x in items}, key=len, reverse=True):
            prefix = w.endswith("*")
            w = re.escape(w.rstrip("*")).replace(r"\ ", r"[\s\-]+")
            alts.append(w if prefix else w + r"(?!\w)")
        return "|".join(alts)

    dur = data.get("duration") or {}
    units = words(u for lst in (dur.get("units") or {}).values() for u in lst)
    numwords = words(n for lst in (dur.get("numbers") or {}).values() for n in lst)
    fixed = words(f for lst in (dur.get("fixed") or {}).values() for f in lst)
    quals = words(q for lst in (dur.get("qualifiers") or {}).values() for q in lst)
    num = r"\d+(?:[.,]\d+)?"
    rng = rf"{num}(?:\s*(?:[-–—/]|to|do|до|a|bis|έως|إلى)\s*{num})?"
    duration = rf"(?<!\w)(?:{rng}|{numwords})\s*(?:(?:{quals})\s+){{0,2}}(?:{units})|(?<!\w)(?:{fixed})"
    money_tokens = {str(c) for c in (data.get("money") or {}).get("currencies") or ()}
    for prof in (countries.get("countries") or {}).values():
        money_tokens |= {str(c) for c in (prof or {}).get("currencies") or ()}
    cur = "|".join(re.escape(c) for c in sorted(money_tokens, key=len, reverse=True))
    money = rf"(?:{cur})\s*{num}|(?<![\w.,]){num}\s*(?:{cur})(?!\w)"
    if free := words(f for lst in ((data.get("money") or {}).get("fixed") or {}).values() for f in lst):
        money += rf"|(?<!\w)(?:{free})"
    return {"duration": re.compile(duration, re.I), "money": re.compile(money, re.I)}


def states_quantity(text: str, kind: str) -> bool:
    """Does ``text`` state a duration / an amount of money with a number and a unit?"""
    return bool(_quantity_patterns()[kind].search(text or ""))


@lru_cache(maxsize=1)
def _vocabulary_languages() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The languages each phrase group has words in, and those each quantity has units in."""
    groups = (load_yaml("vocab/phrases.yaml") or {}).get("groups") or {}
    phrases = {str(name): frozenset(str(lang) for lang in ((spec or {}).get("phrases") or {}))
               for name, spec in groups.items()}
    data = load_yaml("quantities.yaml") or {}
    units = {"duration": frozenset(str(lang) for lang in ((data.get("duration") or {}).get("units") or {}))}
    return phrases, units


def _unknown_words(ctx: Context, names: list[str], quantity: str | None = None) -> Outcome | None:
    """"Could not check" when the shop's language has no words for what is looked for: a page in a language the
    vocabulary does not know saying nothing we can read is no finding."""
    lang = ctx.artifacts.language
    if not lang:
        return None
    phrases, units = _vocabulary_languages()
    known = set().union(*(phrases.get(n, frozenset()) for n in names)) if names else set()
    if quantity is not None:
        if quantity not in units or lang in units[quantity]:
            return None
    elif not known or lang in known:
        return None
    return Outcome(Status.ERROR, reason=Message("reason.no_vocabulary", {"lang": lang}))


@predicate("phrase_present")
def _phrase_present(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    names = p.get("phrases") or [p["phrase"]]
    evs = [e for n in names for e in ctx.artifacts.phrases.get(n, ())]
    kind = p.get("quantity")
    if kind and evs:
        stated = [e for e in evs if states_quantity(e.snippet, kind)]
        if not stated:
            return _unknown_words(ctx, names, kind) or Outcome(Status.FAIL, tuple(evs), reason=f"reason.no_{kind}",
                                                                variant=f"no_{kind}")
        evs = stated
    if evs:
        return Outcome(Status.PASS, tuple(evs))
    return _partial_phrases(ctx, p) or _unknown_words(ctx, names) or Outcome(Status.FAIL)


def _partial_phrases(ctx: Context, p: Mapping[str, Any]) -> Outcome | None:
    """Wording near the thing looked for but not it: a failure that names what was found (with ``quantity``, the
    amount or time each hit states; only hits that state one count)."""
    kind = p.get("quantity")
    found: list[str] = []
    evs: list[Evidence] = []
    for e in (e for n in p.get("partial_phrases") or () for e in ctx.artifacts.phrases.get(n, ())):
        if kind:
            m = _quantity_patterns()[kind].search(e.snippet or "")
            if m is None:
                continue
            rest = re.match(r"\w*", e.snippet[m.end():])  # a unit matched by its stem ("day*"): the whole word
            found.append(" ".join(e.snippet[m.start():m.end() + (len(rest.group(0)) if rest else 0)].split()))
        else:
            found.append(e.snippet)
        evs.append(e)
    if not evs:
        return None
    return Outcome(Status.FAIL, tuple(evs), variant="partial",
                   variant_args={"found": ", ".join(dict.fromkeys(found))})


@predicate("phrase_absent")
def _phrase_absent(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when an unwanted phrase (placeholder text, outdated ODR link ...) is on the site."""
    names = p.get("phrases") or [p["phrase"]]
    evs = [e for n in names for e in ctx.artifacts.phrases.get(n, ())]
    return Outcome(Status.FAIL, tuple(evs)) if evs else Outcome(Status.PASS)


@predicate("any_of")
def _any_of(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when any sub-check passes: ``checks: [{predicate: ..., params: {...}}, ...]``. A failure keeps the
    most specific finding of its sub-checks (a linked page answering an error ...)."""
    collected: list[Evidence] = []
    outs = []
    for sub in p["checks"]:
        out = PREDICATES[sub["predicate"]](ctx, sub.get("params") or {})
        outs.append(out)
        if out.status is Status.PASS:
            collected.extend(out.evidence)
    if any(o.status is Status.PASS for o in outs):
        return Outcome(Status.PASS, tuple(collected))
    if outs and all(o.status is Status.NOT_APPLICABLE for o in outs):
        return Outcome(Status.NOT_APPLICABLE)
    specific = next((o for o in outs if o.variant), None)
    if specific is not None:
        return specific
    return Outcome(Status.FAIL)


def _id_text(x) -> str:
    return f"{x.label or x.scheme} {x.value}".strip()


@predicate("tax_id_present")
def _tax_id_present(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when an identifier of one of ``schemes`` is shown and its check digit (if any) is right."""
    schemes = set(p.get("schemes") or [])
    ids = [t for t in ctx.artifacts.tax_ids if not schemes or t.scheme in schemes]
    evs = tuple(Evidence(t.url, _id_text(t)) for t in ids)
    good = [t for t in ids if t.valid is not False]
    if good:
        return Outcome(Status.PASS, evs)
    if ids:
        shown = ", ".join(dict.fromkeys(_id_text(t) for t in ids))
        return Outcome(Status.FAIL, evs, reason="reason.bad_check_digit", variant="id_invalid",
                       variant_args={"ids": shown})
    country = ctx.artifacts.country
    if not schemes and country and country not in _id_countries():
        # the numbers of a country whose schemes the vocabulary does not know are not read: none found says nothing
        return Outcome(Status.ERROR, reason=Message("reason.no_id_schemes", {"country": country}))
    return Outcome(Status.FAIL)


@lru_cache(maxsize=1)
def _id_countries() -> frozenset[str]:
    """The countries whose tax and registry numbers the vocabulary reads (rules/vocab/ids.yaml ``country``)."""
    schemes = (load_yaml("vocab/ids.yaml") or {}).get("schemes") or {}
    return frozenset(str(spec["country"]).upper() for spec in schemes.values()
                     if isinstance(spec, dict) and spec.get("country"))


@predicate("tax_ids_valid")
def _tax_ids_valid(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    ids = ctx.artifacts.tax_ids
    bad = [t for t in ids if t.valid is False]
    if bad:
        return Outcome(
            Status.FAIL,
            tuple(Evidence(x.url, "", Message("evidence.id_check_digit", {"id": _id_text(x), "scheme": x.scheme}))
                  for x in bad),
            variant="id_invalid",
            variant_args={"ids": ", ".join(dict.fromkeys(_id_text(x) for x in bad))},
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
    if not _usable_rating(r):
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_rating")
    best = r.best or 5.0
    normalised = r.value * 5.0 / best
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


def _shell_home(ctx: Context) -> Outcome | None:
    """"Could not check" when the home page's content is built by JavaScript and was read as served: a
    conclusion from what is not there (no reduction, no product page, no statement) would rest on nothing."""
    if ctx.facts.js_home:
        return Outcome(Status.ERROR, reason=ctx.facts.js_reason or "reason.js_needs_render")
    return None


@predicate("withdrawal_function")
def _withdrawal_function(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    a = ctx.artifacts
    if a.withdrawal_functions:
        return Outcome(Status.PASS, a.withdrawal_functions)
    if a.withdrawal_near:
        # the words are there, but on a document, an e-mail link or as text: no function a buyer can use
        return Outcome(Status.FAIL, a.withdrawal_near, variant="not_function",
                       variant_args={"found": a.withdrawal_near[0].snippet})
    return Outcome(Status.FAIL)


@predicate("price_reductions")
def _price_reductions(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    pages = ctx.artifacts.reductions
    total = sum(r.total for r in pages)
    if not total:
        return _shell_home(ctx) or Outcome(Status.NOT_APPLICABLE, reason="reason.no_reductions")
    disclosed = sum(r.disclosed for r in pages)
    counts = [Evidence(r.url, "", Message("evidence.reductions", {"n": r.total, "disclosed": r.disclosed}))
              for r in pages]
    if disclosed == total:
        return Outcome(Status.PASS, tuple(counts[:2] + [Evidence(r.url, s) for r in pages for s in r.shown][:3]))
    missing = [Evidence(r.url, s) for r in pages for s in r.missing]
    worst = sorted(counts, key=lambda e: e.msg.args["disclosed"] - e.msg.args["n"])  # type: ignore[union-attr]
    return Outcome(Status.FAIL, tuple(worst[:2] + missing[:3]), variant="undisclosed",
                   variant_args={"missing": total - disclosed, "n": total})


def _safety_evidence(info) -> Evidence:
    if not info.who:
        return Evidence(info.url, "", Message("evidence.safety_none"))
    if info.complete:
        return Evidence(info.url, info.snippet)
    lacks = "safety.no_postal_electronic" if not info.postal and not info.electronic else (
        "safety.no_postal" if not info.postal else "safety.no_electronic")
    return Evidence(info.url, "", Message("evidence.safety_partial", {
        "who": Message(f"safety.who.{info.who}"), "name": info.name, "lacks": Message(lacks)}))


@predicate("product_safety")
def _product_safety(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    prod = ctx.artifacts.products
    if not prod.pages:
        if prod.unfetched_links:
            return Outcome(Status.ERROR, reason="reason.products_not_read",
                           args={"pages": ", ".join(prod.unfetched_links[:3])})
        return _shell_home(ctx) or Outcome(Status.NOT_APPLICABLE, reason="reason.no_product_page")
    bad = [i for i in prod.pages if not i.complete]
    if not bad:
        return Outcome(Status.PASS, tuple(_safety_evidence(i) for i in prod.pages))
    shown = [i for i in bad if i.who]
    evs = tuple(_safety_evidence(i) for i in bad)
    if shown:
        return Outcome(Status.FAIL, evs, variant="partial_safety",
                       variant_args={"n": len(bad), "total": len(prod.pages)})
    return Outcome(Status.FAIL, evs, variant="no_safety", variant_args={"n": len(bad), "total": len(prod.pages)})


@predicate("accessibility_basics")
def _accessibility_basics(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    if (shell := _shell_home(ctx)) is not None:
        return shell  # the served page is a script's skeleton: its fields, links and images are not the shop's
    acc = ctx.artifacts.accessibility
    tests = p.get("tests") or ["lang", "images", "fields", "links", "statement"]
    failing: list[Evidence] = []
    passing: list[Evidence] = []
    for t in tests:
        if t == "statement":
            ref = ctx.artifacts.pages.get(p.get("statement_page", "accessibility"))
            if _page_ok(ref):
                passing.append(Evidence(ref.url, ref.anchor))
            else:
                failing.append(Evidence(ctx.facts.home_url, "", Message("evidence.a11y_statement")))
            continue
        n, bad = acc.checked.get(t, 0), acc.failing.get(t, 0)
        if not n:
            continue  # nothing of this kind on the pages read (no product grid, no form)
        examples = acc.examples.get(t, ())
        sample = ", ".join(x for _u, x in examples[:3] if x)
        msg = Message(f"evidence.a11y_{t}", {"n": n, "bad": bad, "examples": sample})
        if bad:
            failing.append(Evidence(examples[0][0] if examples else ctx.facts.home_url, "", msg))
        else:
            passing.append(Evidence(ctx.facts.home_url, "", Message(f"evidence.a11y_{t}_ok", {"n": n})))
    if failing:
        return Outcome(Status.FAIL, tuple(failing + passing), variant="a11y_gaps",
                       variant_args={"n": len(failing)})
    return Outcome(Status.PASS, tuple(passing))
@predicate("consent")
def _consent(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Cookies and trackers before the buyer answers the cookie banner, and whether the banner's first layer
    offers a reject choice: only known when the pages ran in a browser (--render)."""
    c = ctx.artifacts.consent
    if c is None:
        return Outcome(Status.ERROR, reason=ctx.facts.consent_reason or "reason.needs_render")
    fact = p["fact"]
    if fact == "trackers":
        if c.trackers:
            return Outcome(Status.FAIL, c.trackers)
        return Outcome(Status.PASS, (Evidence(c.url, "", Message("evidence.no_trackers",
                                                                 {"n": c.third_party_hosts})),))
    if fact == "cookies":
        if c.cookies:
            return Outcome(Status.FAIL, c.cookies)
        return Outcome(Status.PASS, (Evidence(c.url, "", Message("evidence.no_tracking_cookies",
                                                                 {"n": c.cookies_seen})),))
    if fact != "reject":
        raise KeyError(fact)
    if c.banner is None:
        if c.trackers or c.cookies:
            return Outcome(Status.FAIL, (*c.trackers[:2], *c.cookies[:2]), variant="no_banner")
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_banner_needed")
    banner = Evidence(c.url, c.banner_evidence)
    if c.reject:
        return Outcome(Status.PASS, (banner, *(Evidence(c.url, "", Message("evidence.reject_choice", {"label": t}))
                                               for t in c.reject)))
    shown = ", ".join(f"«{t}»" for t in c.accept) if c.accept else "-"
    return Outcome(Status.FAIL, (banner, Evidence(c.url, "", Message("evidence.no_reject", {"labels": shown}))))


@predicate("manual")
def _manual(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    return Outcome(Status.MANUAL, reason="reason.manual")


# --------------------------------------------------------------------------- registers and fake-shop signals
# The register answers come from the scan (trustaudit.lookups) as plain data in ``Facts.registry``: per ID
# ``{scheme, value, registry: {source, status, name, name_match, error, manual_check ...}}``, ``domain``,
# ``warning_lists`` (hits), ``warning_lists_checked``, ``id_conflicts``. "unknown" is never a pass or a fail.


def _lookups(ctx: Context) -> tuple[Mapping[str, Any] | None, Outcome | None]:
    """The register answers, or the "could not check" outcome saying why there are none."""
    reg = ctx.facts.registry
    if reg is None or not reg.get("enabled"):
        why = (reg or {}).get("reason")
        return None, Outcome(Status.ERROR, reason="reason.lookups_saved_copy" if why == "saved_copy"
                             else "reason.lookups_off")
    return reg, None


def _shown_ids(ctx: Context) -> list[tuple[Any, Mapping[str, Any]]]:
    """(TaxId, its register answer) for every ID shown whose check digit is not wrong, in the site's order."""
    answers = {(i.get("scheme"), i.get("value")): i.get("registry") or {} for i in ctx.facts.registry["ids"]} \
        if ctx.facts.registry else {}
    out = []
    for t in ctx.artifacts.tax_ids:
        if t.valid is not False and (t.scheme, t.value) in answers:
            out.append((t, answers[(t.scheme, t.value)]))
    return out


def _register_evidence(t, rec: Mapping[str, Any]) -> Evidence:
    args: dict[str, Any] = {"id": _id_text(t), "status": Message(f"registry.status.{rec.get('status', 'unknown')}"),
                            "register": Message(f"registry.source.{rec.get('source', 'manual')}")}
    if rec.get("name"):
        return Evidence(t.url, "", Message("evidence.registry_named", {**args, "name": str(rec["name"])}))
    return Evidence(t.url, "", Message("evidence.registry", args))


def _manual_reason(items: list[tuple[Any, Mapping[str, Any]]]) -> Message:
    """Why no register could say, and where a person can check by hand."""
    t, rec = items[0]
    manual = rec.get("manual_check") or {}
    why = str(rec.get("error") or "")
    if manual.get("url"):
        return Message("reason.registry_manual", {"id": _id_text(t), "error": why, "register": manual.get("register", ""),
                                                  "url": manual["url"]})
    return Message("reason.registry_unknown", {"id": _id_text(t), "error": why})


def _weak_not_found(rec: Mapping[str, Any]) -> bool:
    """A register that lists only some holders of a number (the white list has VAT payers only: a business
    exempt from VAT is not in it) says "not listed", not "no such number"."""
    return rec.get("source") in WEAK_NOT_FOUND


WEAK_NOT_FOUND = frozenset({"pl_wl"})


@predicate("id_registered")
def _id_registered(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Pass when a register has a live entry for an ID the site shows; fail when a register that lists every such
    number has none or a removed / dissolved one; warn when a register of VAT payers does not list it."""
    _, off = _lookups(ctx)
    if off is not None:
        return off
    if not ctx.artifacts.tax_ids:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_ids")
    items = _shown_ids(ctx)
    if not items:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_checkable_id")
    evs = tuple(_register_evidence(t, r) for t, r in items)
    inactive = [(t, r) for t, r in items if r.get("status") == "inactive"]
    missing = [(t, r) for t, r in items if r.get("status") == "not_found" and not _weak_not_found(r)]
    if inactive or missing:
        variant, bad = ("inactive", inactive) if inactive else ("not_found", missing)
        source = bad[0][1].get("source", "manual")
        return Outcome(Status.FAIL, evs, variant=variant, variant_args={
            "ids": ", ".join(dict.fromkeys(_id_text(t) for t, r in bad if r.get("source", "manual") == source)),
            "register": Message(f"registry.source.{source}"),
            "detail": str(bad[0][1].get("detail") or bad[0][1].get("removed_on") or "—"),
        })
    if any(r.get("status") == "active" for _, r in items):
        return Outcome(Status.PASS, evs)
    unlisted = [(t, r) for t, r in items if r.get("status") == "not_found"]
    if unlisted:
        return Outcome(Status.WARN, evs, variant="not_vat_registered",
                       variant_args={"ids": ", ".join(dict.fromkeys(_id_text(t) for t, _ in unlisted))})
    return Outcome(Status.ERROR, evs, reason=_manual_reason(items))


@predicate("id_matches_seller")
def _id_matches_seller(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when a live register entry for an ID on the site is under another name than the seller the site
    names, or a register lists another number of the same kind for it than the site shows; pass when a live
    entry's name is the seller's."""
    reg, off = _lookups(ctx)
    if off is not None:
        return off
    if not ctx.artifacts.tax_ids:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_ids")
    items = _shown_ids(ctx)
    if not items:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_checkable_id")
    active = [(t, r) for t, r in items if r.get("status") == "active"]
    other = [(t, r) for t, r in active if r.get("name_match") is False]
    if other:
        name = str(other[0][1].get("name") or "")
        evs = tuple(_register_evidence(x, y) for x, y in other)
        # the title names the IDs registered under that one name; the evidence lists every mismatch
        return Outcome(Status.FAIL, evs, variant="other_name", variant_args={
            "ids": ", ".join(dict.fromkeys(_id_text(x) for x, y in other if str(y.get("name") or "") == name)),
            "name": name})
    conflicts = list(reg.get("id_conflicts") or ())  # type: ignore[union-attr]
    if conflicts:
        c = conflicts[0]
        url = next((t.url for t, _ in items if f"{t.scheme}:{t.value}" == c.get("id")), ctx.facts.home_url)
        ev = tuple(Evidence(url, "", Message("evidence.id_conflict", {
            "id": str(x.get("id", "")), "shown": str(x.get("shown", "")), "registered": str(x.get("registered", "")),
            "register": Message(f"registry.source.{x.get('source', 'manual')}")})) for x in conflicts)
        return Outcome(Status.FAIL, ev, variant="conflict", variant_args={
            "shown": str(c.get("shown", "")), "registered": str(c.get("registered", ""))})
    same = [(t, r) for t, r in active if r.get("name_match") is True]
    if same:
        return Outcome(Status.PASS, tuple(_register_evidence(t, r) for t, r in same))
    if active:
        return Outcome(Status.ERROR, tuple(_register_evidence(t, r) for t, r in active),
                       reason="reason.name_not_compared")
    return Outcome(Status.ERROR, reason="reason.no_live_entry")


@predicate("domain_age")
def _domain_age(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when the shop's domain was registered ``fail_days`` or fewer days ago, warn up to ``warn_days``."""
    reg, off = _lookups(ctx)
    if off is not None:
        return off
    d = reg.get("domain")  # type: ignore[union-attr]
    if not d:
        return Outcome(Status.ERROR, reason="reason.no_domain")
    age = d.get("age_days")
    if d.get("status") != "active" or not isinstance(age, int):
        return Outcome(Status.ERROR, reason=Message("reason.domain_age_unknown", {
            "domain": str(d.get("name", "")), "error": str(d.get("error") or "")}))
    ev = (Evidence(str(d.get("source") or ""), "", Message("evidence.domain_age", {
        "domain": str(d.get("name", "")), "date": str(d.get("registered_on") or ""), "n": age})),)
    if age <= int(p.get("fail_days", 90)):
        return Outcome(Status.FAIL, ev)
    if age <= int(p.get("warn_days", 180)):
        return Outcome(Status.WARN, ev)
    return Outcome(Status.PASS, ev)


@predicate("warning_list")
def _warning_list(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when the shop's domain (or a parent of it) is on a warning list of fraudulent sites."""
    reg, off = _lookups(ctx)
    if off is not None:
        return off
    hits = list(reg.get("warning_lists") or ())  # type: ignore[union-attr]
    if hits:
        return Outcome(Status.FAIL, tuple(Evidence("", "", Message("evidence.warning_hit", {
            "domain": str(h.get("domain", "")), "list": str(h.get("list", "")),
            "date": str(h.get("listed_on") or "")[:10] or "?"})) for h in hits))
    checked = list(reg.get("warning_lists_checked") or ())  # type: ignore[union-attr]
    if not checked:
        return Outcome(Status.ERROR, reason="reason.no_domain")
    missed = [c for c in checked if not c.get("checked")]
    if missed:
        return Outcome(Status.ERROR, reason=Message("reason.warning_list_unknown", {
            "list": str(missed[0].get("list", "")), "error": str(missed[0].get("error") or "")}))
    return Outcome(Status.PASS, tuple(Evidence("", "", Message(
        "evidence.warning_stale" if c.get("stale") else "evidence.warning_clean",
        {"domain": str(c.get("domain", "")), "list": str(c.get("list", "")),
         "date": str(c.get("list_date") or "")[:10] or "?"})) for c in checked))


@predicate("free_mail")
def _free_mail(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when every e-mail address the shop gives is at a free webmail provider (rules/registries.yaml)."""
    from trustaudit.registry.signals import free_mail_addresses

    emails = ctx.artifacts.emails
    if not emails:
        return Outcome(Status.NOT_APPLICABLE, reason="reason.no_emails")
    free = set(free_mail_addresses([e.address for e in emails]))
    if all(e.address in free for e in emails):
        return Outcome(Status.FAIL, tuple(Evidence(e.url, e.address) for e in emails))
    return Outcome(Status.PASS, tuple(Evidence(e.url, e.address) for e in emails if e.address not in free))


@predicate("prepayment_only")
def _prepayment_only(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when the only ways to pay the site names are paying in advance (``methods``: bank transfer) and no
    payment provider (card schemes, pay-by-link, wallets, buyer protection) is shown."""
    a = ctx.artifacts
    prepaid = set(p.get("methods") or ())
    if not a.payment_methods and not a.payment_providers:
        return Outcome(Status.ERROR, reason="reason.no_payment_info")
    evs = tuple(Evidence(d.url, d.slug) for d in (*a.payment_methods, *a.payment_providers))
    if not a.payment_providers and all(d.slug in prepaid for d in a.payment_methods):
        return Outcome(Status.FAIL, evs)
    return Outcome(Status.PASS, tuple(e for e in evs if e.snippet not in prepaid))


@predicate("implausible_discounts")
def _implausible_discounts(ctx: Context, p: Mapping[str, Any]) -> Outcome:
    """Fail when at least ``share`` of the prices seen are crossed-out prices cut by ``min_discount`` per cent or
    more (a whole catalogue at "-80 %"); could not check below ``min_prices`` prices."""
    pr = ctx.artifacts.prices
    prices = max(0, pr.amounts - len(pr.discounts))  # a discounted offer shows two amounts
    if prices < int(p.get("min_prices", 6)):
        return Outcome(Status.ERROR, reason=Message("reason.few_prices", {"n": prices}))
    big = [d for d in pr.discounts if d.percent >= int(p.get("min_discount", 70))]
    if big and len(big) >= float(p.get("share", 0.5)) * prices:
        return Outcome(Status.FAIL, tuple(Evidence(d.url, f"{d.before} → {d.after} (−{d.percent} %)") for d in big),
                       reason=Message("reason.discounts", {"n": len(big), "total": prices,
                                                           "percent": int(p.get("min_discount", 70))}))
    top = max((d.percent for d in pr.discounts), default=0)
    return Outcome(Status.PASS, (Evidence(ctx.facts.home_url, "", Message("evidence.prices", {
        "n": prices, "discounted": len(pr.discounts), "top": top})),))


def validate_all_rules() -> list[str]:
    """Problems in the rule set beyond what loading checks (used by tests and ``rules check``): every check
    has its texts in the reference catalogue and a cited source; every platform fix names a real check."""
    problems: list[str] = []
    ids = {r.id for r in load_rules()}
    en = messages.catalogue(messages.FALLBACK)
    for r in load_rules():
        for key in ("title", "fail_title", "fix"):
            if not en.get(f"check.{r.id}.{key}"):
                problems.append(f"{r.id}: no English {key} (rules/locales/en.yaml: check.{r.id}.{key})")
        if r.predicate == "manual" and not en.get(f"check.{r.id}.manual_note"):
            problems.append(f"{r.id}: a manual check needs check.{r.id}.manual_note")
        if not r.source.get("default"):
            problems.append(f"{r.id}: no source")
    slugs = set(stack_packs())
    for lang in messages.catalogue_languages():
        for key in messages.catalogue(lang):
            base = key.split("@", 1)[0]
            if base.startswith("check."):
                rid = base[len("check."):].rsplit(".", 1)[0]
                if rid not in ids:
                    problems.append(f"locales/{lang}.yaml: {key} names unknown check {rid}")
            elif base.startswith("stack."):
                slug, _, rid = base[len("stack."):].partition(".")
                if slug not in slugs:
                    problems.append(f"locales/{lang}.yaml: {key} names unknown platform {slug}")
                if rid not in ids:
                    problems.append(f"locales/{lang}.yaml: {key} names unknown check {rid}")
    return problems
