"""What a rule file may say: one pydantic model per predicate's parameters, checked when rules are loaded.

A misspelt phrase group, page kind, signal, slug, ID scheme, country or key is an error that names the file,
the key and the nearest valid value (``policies.delivery-time.yaml: params.phrase: unknown phrase group
'delivery_tme' (nearest: 'delivery_time')``), never a rule that silently never matches.

Each model also says which signals its rule reads (``reads``): the engine turns a check into "could not check"
when an extractor feeding one of them failed. Models are only imported when rules are validated; the result
(plain dicts) is cached with the compiled vocabulary, so a scan does not pay for pydantic.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from trustaudit.resources import RuleError

# signals read straight from Artifacts (prefixed ones: "page:<kind>", "phrase:<group>", "structured:<Type>")
PLAIN_SIGNALS = (
    "emails", "phones", "addresses", "tax_ids", "company_names", "contact_forms", "review_widgets",
    "reviews_on_site", "chat_widgets", "payment_providers", "payment_methods", "payment_options", "social", "messengers",
    "broken_links", "mixed_content", "aggregate_rating",
)
TLS_FACTS = ("https", "valid", "hostname_match", "http_redirects_to_https", "hsts", "protocol")
QUANTITIES = ("duration", "money")
TEXT_KEYS = ("title", "fail_title", "fix", "description", "manual_note", "fix_platform")
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Known:
    """The names a rule may use, from the data files of this installation."""

    phrase_groups: frozenset[str]
    page_kinds: frozenset[str]
    slugs: frozenset[str]
    schemes: frozenset[str]
    countries: frozenset[str]  # profiled countries and groups (EU)
    categories: frozenset[str]
    predicates: frozenset[str]
    # page kinds of the vocabulary beyond PAGE_KINDS (legal_notice, cookies, accessibility ...)
    vocab_page_kinds: frozenset[str] = field(default_factory=frozenset)


def nearest(value: object, choices: Iterable[str]) -> str | None:
    choices = sorted(set(choices))
    got = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    if got:
        return got[0]
    low = str(value).lower()
    return next((c for c in choices if c.lower() == low), None)


def _unknown(what: str, value: object, choices: Iterable[str]) -> ValueError:
    near = nearest(value, choices)
    hint = f" (nearest: {near!r})" if near else f" (known: {', '.join(sorted(choices)[:12])} …)"
    return ValueError(f"unknown {what} {value!r}{hint}")


def _known(info: ValidationInfo) -> Known:
    ctx = info.context
    if not isinstance(ctx, Known):
        raise ValueError("rules are validated with the names known to this installation")
    return ctx


def _check_signal(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    prefix, _, rest = value.partition(":")
    if rest:
        if prefix == "page" and rest not in k.page_kinds:
            raise _unknown("page kind", rest, k.page_kinds)
        if prefix == "phrase" and rest not in k.phrase_groups:
            raise _unknown("phrase group", rest, k.phrase_groups)
        if prefix == "structured" and not rest[:1].isupper():
            raise ValueError(f"structured:{rest}: a schema.org type starts with a capital letter")
        if prefix in ("page", "phrase", "structured"):
            return value
        raise _unknown("signal prefix", prefix + ":", ("page:", "phrase:", "structured:"))
    if value not in PLAIN_SIGNALS:
        choices = (*PLAIN_SIGNALS, *(f"page:{p}" for p in k.page_kinds), *(f"phrase:{g}" for g in k.phrase_groups))
        raise _unknown("signal", value, choices)
    return value


def _check_group(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    if value not in k.phrase_groups:
        raise _unknown("phrase group", value, k.phrase_groups)
    return value


def _check_kind(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    if value not in k.page_kinds:
        raise _unknown("page kind", value, k.page_kinds)
    return value


def _check_any_kind(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    kinds = k.page_kinds | k.vocab_page_kinds
    if value not in kinds:
        raise _unknown("page kind", value, kinds)
    return value


def _check_slug(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    if value not in k.slugs:
        raise _unknown("service slug", value, k.slugs)
    return value


def _check_scheme(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    if value not in k.schemes:
        raise _unknown("ID scheme", value, k.schemes)
    return value


def _one_of(what: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise _unknown(what, value, choices)
        return value

    return check


Signal = Annotated[str, AfterValidator(_check_signal)]
Group = Annotated[str, AfterValidator(_check_group)]
Kind = Annotated[str, AfterValidator(_check_kind)]
AnyKind = Annotated[str, AfterValidator(_check_any_kind)]  # a page kind of the vocabulary (found pages only)
Slug = Annotated[str, AfterValidator(_check_slug)]
Scheme = Annotated[str, AfterValidator(_check_scheme)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    def reads(self) -> set[str]:
        return set()


def _one_or_many(one: str, many: str) -> Callable:
    """``x: a`` or ``xs: [a, b]``: exactly one of the two, normalised to the list."""

    @model_validator(mode="before")
    @classmethod
    def pick(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        if one in data and many in data:
            raise ValueError(f"give either '{one}' or '{many}', not both")
        if one in data:
            data = {k: v for k, v in data.items() if k != one} | {many: [data[one]]}
        if not data.get(many):
            raise ValueError(f"'{one}' (or a non-empty '{many}') is required")
        return data

    return pick


class SignalPresent(Params):
    """Pass when the signals have at least ``min`` distinct values (``slugs``: only these services count)."""

    signals: list[Signal]
    min: int = Field(1, ge=1)
    slugs: list[Slug] = []
    _pick = _one_or_many("signal", "signals")

    def reads(self) -> set[str]:
        return set(self.signals)


class SignalAbsent(Params):
    """Fail when an unwanted signal (broken links ...) is present."""

    signals: list[Signal]
    _pick = _one_or_many("signal", "signals")

    def reads(self) -> set[str]:
        return set(self.signals)


class DistinctChannels(Params):
    """Pass when at least ``min`` of the listed signals are present at all."""

    signals: list[Signal] = Field(min_length=1)
    min: int = Field(3, ge=1)

    def reads(self) -> set[str]:
        return set(self.signals)


class PageFound(Params):
    """Pass when a page of one of ``kinds`` is linked (and does not answer an error), or an ``or_signals``."""

    kinds: list[Kind]
    or_signals: list[Signal] = []
    # signals that show part of the thing only (payment providers, not the methods): alone they still fail, but
    # with the title ``check.<id>.partial_title`` and themselves as evidence, never "not found"
    partial_signals: list[Signal] = []
    _pick = _one_or_many("kind", "kinds")

    def reads(self) -> set[str]:
        return {f"page:{k}" for k in self.kinds} | set(self.or_signals) | set(self.partial_signals)


class PhrasePresent(Params):
    """Pass when a phrase group is found; with ``quantity``, only a hit that states a number with a unit of
    that kind (``duration``: 2-3 working days, 24 h; ``money``: 14,99 zł, £3.95) counts."""

    phrases: list[Group]
    quantity: Annotated[str, AfterValidator(_one_of("quantity", QUANTITIES))] | None = None
    # wording that says something near it but not it (a returns period the shop grants, not the right of
    # withdrawal): alone it still fails, with the title ``check.<id>.partial_title`` naming what was found
    partial_phrases: list[Group] = []
    _pick = _one_or_many("phrase", "phrases")

    def reads(self) -> set[str]:
        return {f"phrase:{g}" for g in (*self.phrases, *self.partial_phrases)}


class PhraseAbsent(Params):
    """Fail when an unwanted phrase group (placeholder text, outdated ODR link ...) is found."""

    phrases: list[Group]
    _pick = _one_or_many("phrase", "phrases")

    def reads(self) -> set[str]:
        return {f"phrase:{g}" for g in self.phrases}


class SubCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    predicate: str
    params: dict[str, Any] = {}


class AnyOf(Params):
    """Pass when any of the sub-checks passes."""

    checks: list[SubCheck] = Field(min_length=1)


class TaxIdPresent(Params):
    """Pass when an identifier of one of ``schemes`` (any scheme when empty) is shown with a valid check digit."""

    schemes: list[Scheme] = []

    def reads(self) -> set[str]:
        return {"tax_ids"}


class TaxIdsValid(Params):
    def reads(self) -> set[str]:
        return {"tax_ids"}


class Tls(Params):
    fact: Annotated[str, AfterValidator(_one_of("TLS fact", TLS_FACTS))]

    def reads(self) -> set[str]:
        return {"tls"}


class CertExpiry(Params):
    warn_days: int = Field(30, ge=0)
    fail_days: int = Field(14, ge=0)

    @model_validator(mode="after")
    def order(self) -> CertExpiry:
        if self.fail_days > self.warn_days:
            raise ValueError("fail_days must not be larger than warn_days")
        return self

    def reads(self) -> set[str]:
        return {"tls"}


class MixedContent(Params):
    def reads(self) -> set[str]:
        return {"mixed_content"}


class RatingAtLeast(Params):
    min: float = Field(4.0, ge=0, le=5)

    def reads(self) -> set[str]:
        return {"aggregate_rating"}


class PlatformKnown(Params):
    def reads(self) -> set[str]:
        return {"platform"}


class WithdrawalFunction(Params):
    """Pass when a link or button labelled as the withdrawal function is on the shop's pages; the label on a
    document link, an e-mail link or as plain text fails with that finding."""

    def reads(self) -> set[str]:
        return {"withdrawal"}


class PriceReductions(Params):
    """Every announced reduction shows the lowest price of the prior 30 days beside it; not applicable when no
    page announces a reduction."""

    def reads(self) -> set[str]:
        return {"reductions"}


class ProductSafety(Params):
    """Every product page read names the manufacturer (or the responsible person in the EU) with a postal and an
    electronic address; not applicable without product pages, could not check when product links were seen but
    no product page was read."""

    def reads(self) -> set[str]:
        return {"products"}


A11Y_TESTS = ("lang", "images", "fields", "links", "statement")


class AccessibilityBasics(Params):
    """The accessibility basics (``tests``) pass on every page read, and a ``statement_page`` is linked."""

    tests: list[Annotated[str, AfterValidator(_one_of("accessibility test", A11Y_TESTS))]] = Field(
        default_factory=lambda: list(A11Y_TESTS), min_length=1)
    statement_page: AnyKind = "accessibility"

    def reads(self) -> set[str]:
        return {"accessibility", f"page:{self.statement_page}"}


class Manual(Params):
    """Judged by a person; the reason is the catalogue's ``check.<id>.manual_note``."""


class IdRegistered(Params):
    """Pass when a register has a live entry for an ID shown; fail when a register that lists every such number
    has none, or a removed / dissolved one; could not check when no register could say (the register's reason
    and where to check by hand)."""

    def reads(self) -> set[str]:
        return {"tax_ids", "registry"}


class IdMatchesSeller(Params):
    """Fail when a live register entry for an ID shown is under another name than the seller's, or the register
    lists another number of the same kind for it than the site shows."""

    def reads(self) -> set[str]:
        return {"tax_ids", "company_names", "registry"}


class DomainAge(Params):
    """Fail when the domain was registered ``fail_days`` or fewer days ago (RDAP), warn up to ``warn_days``."""

    fail_days: int = Field(90, ge=0)
    warn_days: int = Field(180, ge=0)

    @model_validator(mode="after")
    def order(self) -> DomainAge:
        if self.fail_days > self.warn_days:
            raise ValueError("fail_days must not be larger than warn_days")
        return self

    def reads(self) -> set[str]:
        return {"registry"}


class WarningList(Params):
    """Fail when the domain is on a warning list of fraudulent sites (CERT Polska)."""

    def reads(self) -> set[str]:
        return {"registry"}


class FreeMail(Params):
    """Fail when every e-mail address shown is at a free webmail provider (rules/registries.yaml ``free_mail``)."""

    def reads(self) -> set[str]:
        return {"emails"}


class PrepaymentOnly(Params):
    """Fail when the only ways to pay shown are the ``methods`` paid in advance and no payment provider is shown."""

    methods: list[Slug] = Field(min_length=1)

    def reads(self) -> set[str]:
        return {"payment_methods", "payment_providers"}


class ImplausibleDiscounts(Params):
    """Fail when at least ``share`` of the prices seen are cut by ``min_discount`` per cent or more; could not
    check below ``min_prices`` prices."""

    min_discount: int = Field(70, ge=1, le=99)
    share: float = Field(0.5, gt=0, le=1)
    min_prices: int = Field(6, ge=1)

    def reads(self) -> set[str]:
        return {"prices"}


CONSENT_FACTS = ("trackers", "cookies", "reject")


class ConsentCheck(Params):
    """What the shop does before the buyer answers its cookie banner (needs the pages run in a browser):
    ``trackers`` called, ``cookies`` set, or a ``reject`` choice on the banner's first layer."""

    fact: Annotated[str, AfterValidator(_one_of("consent fact", CONSENT_FACTS))]

    def reads(self) -> set[str]:
        return {"consent"}


PARAMS: Mapping[str, type[Params]] = {
    "signal_present": SignalPresent,
    "signal_absent": SignalAbsent,
    "distinct_channels": DistinctChannels,
    "page_found": PageFound,
    "phrase_present": PhrasePresent,
    "phrase_absent": PhraseAbsent,
    "any_of": AnyOf,
    "tax_id_present": TaxIdPresent,
    "tax_ids_valid": TaxIdsValid,
    "tls": Tls,
    "cert_expiry": CertExpiry,
    "mixed_content": MixedContent,
    "rating_at_least": RatingAtLeast,
    "platform_known": PlatformKnown,
    "withdrawal_function": WithdrawalFunction,
    "price_reductions": PriceReductions,
    "product_safety": ProductSafety,
    "accessibility_basics": AccessibilityBasics,
    "manual": Manual,
    "id_registered": IdRegistered,
    "id_matches_seller": IdMatchesSeller,
    "domain_age": DomainAge,
    "warning_list": WarningList,
    "free_mail": FreeMail,
    "prepayment_only": PrepaymentOnly,
    "implausible_discounts": ImplausibleDiscounts,
    "consent": ConsentCheck,
}


def _check_country(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    v = value.upper()
    if v not in k.countries:
        raise _unknown("country or group", value, k.countries)
    return v


def _check_category(value: str, info: ValidationInfo) -> str:
    k = _known(info)
    if value not in k.categories:
        raise _unknown("category", value, k.categories)
    return value


Country = Annotated[str, AfterValidator(_check_country)]


class GradeCapSpec(BaseModel):
    """A failure of this check caps the grade (``when_any``: only on shops showing one of these signals)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grade: Annotated[str, AfterValidator(_one_of("grade", ("A", "B", "C", "D", "E", "F")))] = "F"
    when_any: list[Signal] = []
    variants: list[str] = []  # only failures of these kinds cap the grade (the predicate's outcome variants)


def _check_reason(value: str) -> str:
    from trustaudit.resources import load_yaml

    if not value.startswith("reason.") or value not in (load_yaml("locales/en.yaml") or {}):
        raise ValueError(f"{value!r} is not a reason of rules/locales/en.yaml (reason.<name>)")
    return value


class OnlyWhen(BaseModel):
    """The check concerns something the shop may not show at all (a duty that binds only a shop giving access to
    reviews ...): without any of ``signals`` it is not applicable, with ``reason`` (a catalogue message)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    signals: list[Signal] = Field(min_length=1)
    reason: Annotated[str, AfterValidator(_check_reason)]


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    category: Annotated[str, AfterValidator(_check_category)]
    weight: float = Field(ge=0)
    severity: Annotated[str, AfterValidator(_one_of("severity", SEVERITIES))]
    predicate: Annotated[str, AfterValidator(lambda v: _one_of("predicate", tuple(PARAMS))(v))]
    params: dict[str, Any] = {}
    on_fail: Annotated[str, AfterValidator(_one_of("on_fail", ("fail", "warn")))] = "fail"
    countries: list[Country] = []
    exclude_countries: list[Country] = []
    remote_only: bool = False
    # the law or practice behind the check: one citation, or one per country / group with "default" for the rest
    source: str | dict[str, str]
    evidence_pages: list[Kind] = []  # kinds of page where the evidence usually is (for partial crawls)
    grade_cap: GradeCapSpec | None = None
    # shops of other countries that clearly sell to buyers in these groups (extract/markets.py) are judged too
    also_targeting: list[Country] = []
    # the date the duty applies from (one, or one per country / group with "default"): a failure found before
    # it is a warning; the scan date decides
    applies_from: dt.date | dict[str, dt.date] | None = None
    only_when: OnlyWhen | None = None

    @model_validator(mode="after")
    def consistent(self, info: ValidationInfo) -> RuleFile:
        if not self.id.startswith(f"{self.category}."):
            raise ValueError(f"id must start with its category ({self.category}.)")
        if isinstance(self.source, dict):
            k = _known(info)
            for key in self.source:
                if key != "default" and key.upper() not in k.countries:
                    raise _unknown("source country or group", key, (*k.countries, "default"))
            if "default" not in self.source:
                raise ValueError("source: a 'default' citation (for shops of any other country) is required")
        if isinstance(self.applies_from, dict):
            k = _known(info)
            for key in self.applies_from:
                if key != "default" and key.upper() not in k.countries:
                    raise _unknown("applies_from country or group", key, (*k.countries, "default"))
            if "default" not in self.applies_from:
                raise ValueError("applies_from: a 'default' date (for shops of any other country) is required")
        if self.also_targeting and not self.countries:
            raise ValueError("also_targeting needs countries: a rule without them applies everywhere already")
        return self


def _loc(parts: Iterable[object]) -> str:
    return ".".join(str(p) for p in parts if p != "function-after" and not str(p).startswith("function-"))


_ONE_OR_MANY = {"signals": "signal", "phrases": "phrase", "kinds": "kind"}


def _messages(exc: ValidationError, prefix: str, model: type[BaseModel], data: Mapping[str, Any] | None = None) -> list[str]:
    out = []
    for e in exc.errors(include_url=False):
        loc = list(e.get("loc") or ())
        if data and len(loc) >= 2 and _ONE_OR_MANY.get(str(loc[0])) in data and loc[1] == 0:
            loc = [_ONE_OR_MANY[str(loc[0])], *loc[2:]]  # name the key as the file wrote it (phrase, not phrases.0)
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        if e.get("type") == "extra_forbidden" and loc:
            fields = _fields_at(model, loc[:-1])
            near = nearest(loc[-1], fields) if fields else None
            msg = f"unknown key {loc[-1]!r}" + (f" (nearest: {near!r})" if near else "")
            if model is RuleFile and len(loc) == 1 and loc[0] in TEXT_KEYS:
                msg += " (texts live in the catalogues: rules/locales/<lang>.yaml, key check.<id>." + str(loc[0]) + ")"
            loc = loc[:-1]
        elif e.get("type") == "missing" and loc:
            msg = f"missing key {loc[-1]!r}"
            loc = loc[:-1]
        where = _loc([prefix, *loc] if prefix else loc)
        out.append(f"{where}: {msg}" if where else msg)
    return out


def _fields_at(model: type[BaseModel], loc: list[object]) -> list[str]:
    """Field names of the (sub-)model at ``loc`` (for "nearest key" hints)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(str(part))
        ann = getattr(field, "annotation", None)
        current = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                current = cand
            for sub in getattr(cand, "__args__", ()):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    current = sub
    return list(getattr(current, "model_fields", {}) or ())


def check_params(predicate: str, params: Mapping[str, Any], known: Known, where: str) -> tuple[dict, set[str]]:
    """Validate one predicate's params: (normalised params, signals read). Raises ValueError lines joined."""
    if predicate not in PARAMS:
        raise ValueError(f"{where.rsplit('.', 1)[0] + '.' if '.' in where else ''}predicate: "
                         f"{_unknown('predicate', predicate, PARAMS)}")
    model = PARAMS[predicate]
    try:
        obj = model.model_validate(dict(params or {}), context=known)
    except ValidationError as exc:
        raise ValueError("; ".join(_messages(exc, where, model, params))) from None
    data = obj.model_dump()
    reads = obj.reads()
    if isinstance(obj, AnyOf):
        subs = []
        for i, sub in enumerate(obj.checks):
            if sub.predicate == "any_of":
                raise ValueError(f"{where}.checks.{i}.predicate: any_of cannot nest")
            p, r = check_params(sub.predicate, sub.params, known, f"{where}.checks.{i}.params")
            subs.append({"predicate": sub.predicate, "params": p})
            reads |= r
        data = {"checks": subs}
    return data, reads


def check_rule(data: Any, fname: str, known: Known) -> dict[str, Any]:
    """A rule file's data, validated and normalised (``params`` with every default, ``reads`` added)."""
    if not isinstance(data, Mapping):
        raise RuleError(f"{fname}: not a mapping")
    try:
        rule = RuleFile.model_validate(dict(data), context=known)
    except ValidationError as exc:
        raise RuleError(f"{fname}: " + "; ".join(_messages(exc, "", RuleFile))) from None
    if fname and fname.removesuffix(".yaml") != rule.id:
        raise RuleError(f"{fname}: file name must equal the rule id {rule.id!r}")
    try:
        params, reads = check_params(rule.predicate, rule.params, known, "params")
    except ValueError as exc:
        raise RuleError(f"{fname}: {exc}") from None
    out = rule.model_dump()
    if isinstance(rule.source, dict):
        out["source"] = {(k if k == "default" else k.upper()): v for k, v in rule.source.items()}
    out["params"] = params
    if rule.only_when is not None:
        out["only_when"] = rule.only_when.model_dump()
        reads |= set(rule.only_when.signals)  # a failed extractor of one of them: could not check
    out["reads"] = sorted(reads)
    if rule.grade_cap is not None:
        out["grade_cap"] = rule.grade_cap.model_dump()
    if isinstance(rule.applies_from, dict):
        out["applies_from"] = {(k if k == "default" else k.upper()): v for k, v in rule.applies_from.items()}
    elif rule.applies_from is not None:
        out["applies_from"] = {"default": rule.applies_from}
    return out
