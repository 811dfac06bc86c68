"""Accuracy of the extract stage over a labelled corpus (``<dir>/<case>/index.html`` + ``labels.json``).

Each case folder becomes a local ``SiteSnapshot`` built straight from its files: ``index.html`` is served as
``http://<shop>/`` (``shop`` from labels.json) so that relative links resolve like on the live site (and
labelled absolute URLs compare equal). Other ``*.html`` files in the folder are extra pages of the same shop;
labels describe ``index.html`` only, so they are left out unless ``extra_pages=True``
(then served as ``http://<shop>/<file name>``). Nothing touches the network.

Scoring (precision / recall / F1 per signal, micro-averaged over cases):

- ``emails``, ``phones`` (E.164), ``tax_ids`` (scheme + compact value), ``review_widgets``, ``chat_widgets``,
  ``payment_providers`` (labels mix providers and generic methods, so predictions are
  ``payment_providers`` + ``payment_methods``), ``social``: set comparison per case; a label naming a service by
  another name (``aliases`` in rules/vocab/widgets.yaml: "amex") counts as its slug.
- ``tax_ids_valid``: the predicted IDs whose check digit passed, against all labelled IDs (its precision is
  the "never claim a wrong valid ID" figure).
- ``page.<kind>``: the label is the href of the first link of that kind (relative ones are resolved against the
  case's base URL), or a list of hrefs naming the same page (tracking or display variants of one URL): a
  prediction equal to any member is a true positive. URLs are compared normalised (scheme, ``www.``, trailing
  slash and fragment ignored). A wrong URL counts as one false positive and one false negative. A label
  ``javascript:...`` or a bare ``#`` means "a JS-only link exists": it is matched by a predicted ``PageRef``
  with ``url == ""`` (our representation of a JS-only link), anything else for that kind is wrong. A label
  ``#section`` is an in-page link: the page itself (fragment ignored).
- ``aggregate_rating``: boolean.
- ``country``: the label's ``country`` against the decided country: right = a true positive; wrong = a false
  positive and a false negative; unknown = a false negative. Not in the total (one decision per shop).
- A label ``null`` means "could not be determined" and that signal is skipped for the case.

Held-out split (``--split``): a case belongs to the held-out third when ``int(sha256(case id).hexdigest(), 16) % 3
== 0`` (the case id is the folder name, UTF-8); the other two thirds are the tuning set. Vocabulary is tuned on
``tune`` only and ``held`` is scored once, at the end, so the held-out figure says how the tool does on shops
its vocabulary was not fitted to.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from trustaudit.extract import extract
from trustaudit.models import PAGE_KINDS, Artifacts, FetchedPage, SiteSnapshot
from trustaudit.resources import load_yaml
from trustaudit.web.html import ParseCache
from trustaudit.web.urls import normalize_url

SPLITS = ("all", "tune", "held")
# scored on their own, not in the micro-average: the valid-ID figure re-counts tax_ids, and the country is one
# decision per shop (kept apart so that the total stays comparable with earlier measurements)
NOT_IN_TOTAL = ("tax_ids_valid", "country")
SET_SIGNALS = ("emails", "phones", "tax_ids", "review_widgets", "chat_widgets", "payment_providers", "social")


@dataclass
class SignalScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    case: str
    signal: str
    kind: str  # "fp" (reported, not labelled) | "fn" (labelled, not reported)
    value: str


@dataclass
class EvalResult:
    signals: dict[str, SignalScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    cases: int = 0
    cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> SignalScore:
        t = SignalScore()
        for name, s in self.signals.items():
            if name in NOT_IN_TOTAL:
                continue
            t.tp += s.tp
            t.fp += s.fp
            t.fn += s.fn
        return t

    def score(self, name: str) -> SignalScore:
        return self.signals.setdefault(name, SignalScore())


# --------------------------------------------------------------------------- snapshots


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:  # noqa: BLE001 - fall back to a lossless single-byte decode
        pass
    return data.decode("cp1252", "replace")


def case_snapshot(folder: Path, labels: dict | None = None, extra_pages: bool = True) -> SiteSnapshot:
    """A local snapshot of one case folder (index.html first, then the other saved pages)."""
    labels = labels if labels is not None else _load_labels(folder)
    shop = str(labels.get("shop") or folder.name).strip().strip("/")
    base = shop if re.match(r"^https?://", shop) else f"http://{shop}/"
    if not base.endswith("/"):
        base += "/"
    files = [folder / "index.html"] if (folder / "index.html").is_file() else []
    if extra_pages:
        files += sorted(p for p in folder.glob("*.htm*") if p.name != "index.html")
    pages = []
    for i, f in enumerate(files):
        data = f.read_bytes()
        url = base if i == 0 else urljoin(base, f.name)
        pages.append(
            FetchedPage(url=url, status=200, text=_decode(data), requested_url=url, content_type="text/html",
                        bytes=len(data), depth=0 if i == 0 else 1)
        )
    return SiteSnapshot(target=str(folder), base_url=base, final_url=base, local=True, pages=tuple(pages))


def _load_labels(folder: Path) -> dict:
    with (folder / "labels.json").open(encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------- comparison


def _norm_tax(scheme: str, value: str) -> str:
    v = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    return f"{scheme}:{v}"


def _compare_sets(res: EvalResult, case: str, signal: str, predicted: Iterable[str], labelled: Iterable[str]) -> None:
    pred, gold = set(predicted), set(labelled)
    s = res.score(signal)
    s.tp += len(pred & gold)
    s.fp += len(pred - gold)
    s.fn += len(gold - pred)
    res.misses.extend(Miss(case, signal, "fp", v) for v in sorted(pred - gold))
    res.misses.extend(Miss(case, signal, "fn", v) for v in sorted(gold - pred))


def _predicted_sets(a: Artifacts) -> dict[str, set[str]]:
    return {
        "emails": {e.address.lower() for e in a.emails},
        "phones": {p.e164 for p in a.phones},
        "tax_ids": {_norm_tax(t.scheme, t.value) for t in a.tax_ids},
        "review_widgets": {d.slug for d in a.review_widgets},
        "chat_widgets": {d.slug for d in a.chat_widgets},
        "payment_providers": {d.slug for d in a.payment_providers} | {d.slug for d in a.payment_methods},
        "social": {d.slug for d in a.social},
    }


@lru_cache(maxsize=1)
def slug_aliases() -> dict[str, str]:
    """Other names of a service slug in labels -> the slug (``aliases`` in rules/vocab/widgets.yaml)."""
    data = load_yaml("vocab/widgets.yaml") or {}
    out: dict[str, str] = {}
    for section in data.values():
        if not isinstance(section, dict):
            continue
        for slug, spec in section.items():
            for alias in (spec or {}).get("aliases") or () if isinstance(spec, dict) else ():
                out[str(alias)] = str(slug)
    return out


def _canonical(tokens) -> set[str]:
    aliases = slug_aliases()
    return {aliases.get(str(t), str(t)) for t in tokens}


def _gold_sets(labels: dict) -> dict[str, set[str] | None]:
    def lst(v):
        return None if v is None else v

    rev = labels.get("reviews") or {}
    tax = lst(labels.get("tax_ids"))
    return {
        "emails": None if labels.get("emails") is None else {str(e).lower() for e in labels["emails"]},
        "phones": None if labels.get("phones") is None else set(labels["phones"]),
        "tax_ids": None if tax is None else {_norm_tax(t["scheme"], t["value"]) for t in tax},
        "review_widgets": None if rev.get("widgets") is None else _canonical(rev["widgets"]),
        "chat_widgets": None if labels.get("chat_widgets") is None else _canonical(labels["chat_widgets"]),
        "payment_providers": None if labels.get("payment_providers") is None else _canonical(labels["payment_providers"]),
        "social": None if labels.get("social") is None else _canonical(labels["social"]),
    }


def score_case(res: EvalResult, case: str, labels: dict, a: Artifacts, base_url: str) -> None:
    pred = _predicted_sets(a)
    gold = _gold_sets(labels)
    for sig in SET_SIGNALS:
        if gold[sig] is not None:
            _compare_sets(res, case, sig, pred[sig], gold[sig])
    if gold["tax_ids"] is not None:
        valid = {_norm_tax(t.scheme, t.value) for t in a.tax_ids if t.valid is True}
        s = res.score("tax_ids_valid")
        s.tp += len(valid & gold["tax_ids"])
        s.fp += len(valid - gold["tax_ids"])
        s.fn += len(gold["tax_ids"] - valid)
        res.misses.extend(Miss(case, "tax_ids_valid", "fp", v) for v in sorted(valid - gold["tax_ids"]))

    gold_country = labels.get("country")
    if gold_country:
        s = res.score("country")
        want, got = str(gold_country).upper(), a.country
        if got == want:
            s.tp += 1
        else:
            s.fn += 1
            res.misses.append(Miss(case, "country", "fn", want))
            if got:
                s.fp += 1
                res.misses.append(Miss(case, "country", "fp", got))

    rev = labels.get("reviews") or {}
    if rev.get("aggregate_rating") is not None:
        s = res.score("aggregate_rating")
        got = a.aggregate_rating is not None
        want = bool(rev["aggregate_rating"])
        if got and want:
            s.tp += 1
        elif got:
            s.fp += 1
            res.misses.append(Miss(case, "aggregate_rating", "fp", "true"))
        elif want:
            s.fn += 1
            res.misses.append(Miss(case, "aggregate_rating", "fn", "true"))

    pages_gold = labels.get("pages") or {}
    for kind in PAGE_KINDS:
        if kind not in pages_gold:
            continue
        gold_href = pages_gold[kind]
        ref = a.pages.get(kind)
        sig = f"page.{kind}"
        s = res.score(sig)
        hrefs = gold_href if isinstance(gold_href, list) else [gold_href]
        gold_keys = {k for k in (_page_key(h, base_url) for h in hrefs) if k is not None}
        pred_key = None if ref is None else ("javascript:" if not ref.url else normalize_url(ref.url))
        if not gold_keys and pred_key is None:
            continue
        if pred_key is not None and pred_key in gold_keys:
            s.tp += 1
            continue
        if pred_key is not None:
            s.fp += 1
            res.misses.append(Miss(case, sig, "fp", ref.url or "javascript: (JS-only link)"))
        if gold_keys:
            s.fn += 1
            res.misses.append(Miss(case, sig, "fn", str(gold_href)))


def _page_key(href: str | None, base_url: str) -> str | None:
    if href is None:
        return None
    href = str(href).strip()
    if href.lower().startswith("javascript:") or href in ("#", "#!"):
        return "javascript:"
    return normalize_url(urljoin(base_url, href))


# --------------------------------------------------------------------------- public API


def in_split(case_id: str, split: str) -> bool:
    """Whether a case (its folder name) belongs to ``split``: "held" = the third with
    ``int(sha256(case_id).hexdigest(), 16) % 3 == 0``, "tune" = the rest, "all" = every case."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    if split == "all":
        return True
    held = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16) % 3 == 0
    return held if split == "held" else not held


def evaluate_corpus(path: Path, extra_pages: bool = False, split: str = "all") -> EvalResult:
    """Run extraction over every case folder under ``path`` (those of ``split``, see ``in_split``) and score it
    against the labels.

    Labels describe ``index.html`` only, so by default only that page is extracted; ``extra_pages=True`` adds the
    other saved pages of the shop (what a multi-page scan would see; true finds there count as false positives).
    """
    path = Path(path)
    res = EvalResult()
    folders = sorted(p for p in path.iterdir() if p.is_dir() and (p / "labels.json").is_file()) if path.is_dir() else []
    if (path / "labels.json").is_file():
        folders = [path]
    folders = [f for f in folders if in_split(f.name, split)]
    for folder in folders:
        try:
            labels = _load_labels(folder)
            snap = case_snapshot(folder, labels, extra_pages)
        except (OSError, ValueError) as exc:
            res.errors.append(f"{folder.name}: {exc}")
            continue
        t0 = time.process_time()
        art = extract(snap, ParseCache(), None)
        res.cpu_seconds += time.process_time() - t0
        res.cases += 1
        score_case(res, folder.name, labels, art, snap.base_url)
    return res


def _order(names: Iterable[str]) -> list[str]:
    first = ["emails", "phones", "tax_ids", "tax_ids_valid"]
    pages = [f"page.{k}" for k in PAGE_KINDS]
    rest = ["review_widgets", "aggregate_rating", "chat_widgets", "payment_providers", "social", "country"]
    known = first + pages + rest
    names = list(names)
    return [n for n in known if n in names] + sorted(n for n in names if n not in known)


def format_table(result: EvalResult) -> str:
    """Plain-text table: precision, recall, F1 and support per signal, the total, then the misses."""
    lines = [f"{'signal':<22} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'tp':>4} {'fp':>4} {'fn':>4}"]
    lines.append("-" * len(lines[0]))

    def row(name: str, s: SignalScore) -> str:
        return (f"{name:<22} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:8d} "
                f"{s.tp:4d} {s.fp:4d} {s.fn:4d}")

    for name in _order(result.signals):
        lines.append(row(name, result.signals[name]))
    lines.append("-" * len(lines[0]))
    lines.append(row("TOTAL", result.total))
    lines.append(f"cases: {result.cases}   extraction CPU: {result.cpu_seconds:.2f} s")
    for err in result.errors:
        lines.append(f"error: {err}")
    if result.misses:
        lines.append("")
        lines.append("misses:")
        for m in sorted(result.misses, key=lambda m: (m.signal, m.case, m.kind, m.value)):
            lines.append(f"  {m.kind.upper()}  {m.signal:<20} {m.case:<22} {m.value}")
    return "\n".join(lines)


def result_to_dict(result: EvalResult) -> dict:
    """JSON-ready form of a result (``trustaudit eval --json``)."""

    def sig(s: SignalScore) -> dict:
        return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                "support": s.support, "tp": s.tp, "fp": s.fp, "fn": s.fn}

    return {
        "cases": result.cases,
        "cpu_seconds": round(result.cpu_seconds, 3),
        "signals": {name: sig(result.signals[name]) for name in _order(result.signals)},
        "total": sig(result.total),
        "misses": [{"case": m.case, "signal": m.signal, "kind": m.kind, "value": m.value} for m in result.misses],
        "errors": list(result.errors),
    }


if __name__ == "__main__":  # pragma: no cover - developer convenience
    import sys

    print(format_table(evaluate_corpus(Path(sys.argv[1]))))
