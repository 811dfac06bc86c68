"""What a check looks for, in plain words (``trustaudit rules show ID``), from its predicate and parameters.

A rule file says ``predicate: signal_present, params: {signals: [chat_widgets, messengers]}``; a person reading
``rules show`` wants "a live-chat widget or a messenger link (WhatsApp, Messenger …), at least 1". The words
here describe the data the extractors produce; the vocabulary itself (which phrases, which services) stays in
``rules/vocab`` and a few examples are quoted from it in the language asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SIGNAL_WORDS = {
    "emails": "an e-mail address",
    "phones": "a phone number",
    "addresses": "a postal address",
    "tax_ids": "a tax or registry number",
    "company_names": "the seller's company name",
    "contact_forms": "a contact form",
    "review_widgets": "a review widget of an independent service",
    "reviews_on_site": "reviews shown on the site",
    "chat_widgets": "a live-chat widget",
    "payment_providers": "a known payment provider",
    "payment_methods": "a named payment method",
    "payment_options": "a way to pay (a named method, or one a named card scheme or wallet stands for)",
    "social": "a link to a social network profile",
    "messengers": "a messenger link (WhatsApp, Messenger, Telegram …)",
    "broken_links": "internal links that answer an error",
    "mixed_content": "insecure (http://) resources on https:// pages",
    "aggregate_rating": "a star rating",
    "trust_badges": "a trust mark or business verification badge",
    "platform": "the shop platform",
}
TLS_WORDS = {
    "https": "the shop is served over HTTPS",
    "valid": "the TLS certificate is valid (trusted chain, in its validity period)",
    "hostname_match": "the certificate names the shop's host",
    "http_redirects_to_https": "plain http:// redirects to https://",
    "hsts": "the Strict-Transport-Security header is sent",
    "protocol": "TLS 1.2 or newer is negotiated",
}
MAX_EXAMPLES = 4


def _or(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _page(kind: str) -> str:
    return _a(f"{kind.replace('_', ' ')} page")


def _signal(name: str) -> str:
    if name.startswith("page:"):
        return "a linked " + name[5:].replace("_", " ") + " page"
    if name.startswith("phrase:"):
        return f"wording of the phrase group '{name[7:]}'"
    return SIGNAL_WORDS.get(name, name.replace("_", " "))


def only_when_words(signals: Sequence[str]) -> str:
    """What a rule with ``only_when`` needs the shop to show, in plain words."""
    return _or([_signal(s) for s in signals])


def _examples(group: str, lang: str) -> str:
    """A few of the group's phrases in ``lang`` (else English), as the vocabulary writes them (folded)."""
    from trustaudit.resources import load_yaml

    try:
        groups = (load_yaml("vocab/phrases.yaml") or {}).get("groups") or {}
    except FileNotFoundError:
        return ""
    phrases = (groups.get(group) or {}).get("phrases") or {}
    words = phrases.get(lang) or phrases.get("en") or []
    shown = [str(w) for w in words[:MAX_EXAMPLES]]
    if not shown:
        return ""
    more = " …" if len(words) > MAX_EXAMPLES else ""
    return " (e.g. " + ", ".join(f"“{w}”" for w in shown) + more + ")"


def describe(predicate: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """One or two sentences: what passes, in plain words."""
    p = dict(params or {})
    if predicate in ("signal_present", "signal_absent"):
        signals = p.get("signals") or ([p["signal"]] if p.get("signal") else [])
        what = _or([_signal(s) for s in signals])
        if predicate == "signal_absent":
            return f"fails when the pages read show {what}"
        text = f"passes when the pages read show {what}"
        if int(p.get("min", 1) or 1) > 1:
            text += f" (at least {p['min']} different ones)"
        if p.get("slugs"):
            text += "; only these services count: " + ", ".join(p["slugs"])
        return text
    if predicate == "distinct_channels":
        chans = [_signal(s) for s in p.get("signals") or ()]
        return f"passes when at least {p.get('min', 3)} of these ways to reach the shop are shown: " + ", ".join(chans)
    if predicate == "page_found":
        kinds = p.get("kinds") or ([p["kind"]] if p.get("kind") else [])
        text = "passes when " + _or([_page(k) for k in kinds]) + " is linked and answers"
        if p.get("or_signals"):
            text += ", or the pages read show " + _or([_signal(s) for s in p["or_signals"]])
        return text
    if predicate in ("phrase_present", "phrase_absent"):
        groups = p.get("phrases") or ([p["phrase"]] if p.get("phrase") else [])
        what = _or([f"wording about {g.replace('_', ' ')}{_examples(g, lang)}" for g in groups])
        if predicate == "phrase_absent":
            return f"fails when the pages read contain {what}"
        text = f"passes when the pages read contain {what}"
        if p.get("quantity") == "duration":
            text += ", stated with a number and a unit of time (e.g. 2–3 days)"
        elif p.get("quantity") == "money":
            text += ", stated with an amount (a number and a currency)"
        if p.get("partial_phrases"):
            near = _or([f"wording about {g.replace('_', ' ')}{_examples(g, lang)}" for g in p["partial_phrases"]])
            text += f"; {near} alone does not pass: the title names what was found"
        return text
    if predicate == "any_of":
        parts = [describe(c.get("predicate", ""), c.get("params") or {}, lang) for c in p.get("checks") or ()]
        return "passes when any one of these does: " + "; ".join(x.removeprefix("passes when ") for x in parts)
    if predicate == "tax_id_present":
        schemes = p.get("schemes") or []
        which = _or(schemes) if schemes else "any kind"
        return f"passes when a tax or registry number ({which}) is shown with a valid check digit"
    if predicate == "tax_ids_valid":
        return "fails when a tax or registry number shown fails its check digit"
    if predicate == "tls":
        return "passes when " + TLS_WORDS.get(str(p.get("fact")), str(p.get("fact")))
    if predicate == "cert_expiry":
        return (f"warns when the certificate expires within {p.get('warn_days', 30)} days, fails within "
                f"{p.get('fail_days', 14)} days")
    if predicate == "mixed_content":
        return "fails when https:// pages load insecure (http://) resources"
    if predicate == "rating_at_least":
        return f"passes when the shop's star rating is at least {p.get('min', 4.0):g}"
    if predicate == "platform_known":
        return "passes when the shop platform is recognised"
    if predicate == "withdrawal_function":
        return ("passes when a link or button on the shop's pages is labelled as the withdrawal function (e.g. "
                "'withdraw from contract here'); the words on a document, an e-mail link or as plain text do not count")
    if predicate == "price_reductions":
        return ("passes when every announced price reduction on the pages read (a struck-through or old price beside a "
                "lower one, a '-30%' badge beside a price) shows the lowest price of the prior 30 days beside it; "
                "not applicable when no page announces a reduction")
    if predicate == "product_safety":
        return ("passes when every product page read names the manufacturer, or the responsible person in the EU, "
                "with a name, a postal and an electronic address")
    if predicate == "accessibility_basics":
        tests = {"lang": "page language declared", "images": "product images with a text alternative",
                 "fields": "labelled form fields", "links": "links with text",
                 "statement": f"a linked {str(p.get('statement_page', 'accessibility')).replace('_', ' ')} statement"}
        return "passes when the pages read have " + ", ".join(tests[t] for t in p.get("tests") or tests if t in tests)
    if predicate == "consent":
        return CONSENT_WORDS.get(str(p.get("fact")), str(p.get("fact"))) + (
            " (needs --render: the pages run in headless Chromium, nothing is clicked)")
    if predicate in REGISTER_WORDS:
        return REGISTER_WORDS[predicate].format(**{"fail_days": 90, "warn_days": 180, "min_discount": 70,
                                                   "share": 0.5, "min_prices": 6, **p},
                                                share_pc=round(100 * float(p.get("share", 0.5))),
                                                methods=_or([str(m).replace("_", " ") for m in p.get("methods") or ()]))
    return predicate.replace("_", " ")


_LOOKED_UP = " (looked up while a shop URL is scanned; a saved copy only with --verify; --no-verify turns it off)"
REGISTER_WORDS = {
    "id_registered": "passes when an official register has a live entry for a tax or registry number shown; fails "
                     "when a register that lists every such number has none, or a removed or dissolved one; warns "
                     "when a register of VAT payers does not list it; a register that cannot answer is 'could not "
                     "check', with where to check by hand" + _LOOKED_UP,
    "id_matches_seller": "fails when a live register entry for a number shown is under another name than the "
                         "seller the site names, or the register lists another number of the same kind for it; "
                         "passes when the registered name is the seller's" + _LOOKED_UP,
    "domain_age": "fails when the shop's domain was registered {fail_days} days ago or less (RDAP), warns up to "
                  "{warn_days} days" + _LOOKED_UP,
    "warning_list": "fails when the shop's domain is on a warning list of fraudulent sites (CERT Polska)" + _LOOKED_UP,
    "free_mail": "fails when every e-mail address shown is at a free webmail provider (Gmail, Outlook, mail.ru …)",
    "prepayment_only": "fails when the only ways to pay the pages name are {methods} and no payment provider is "
                       "shown",
    "implausible_discounts": "fails when {share_pc} % or more of the prices seen are crossed-out prices cut by "
                             "{min_discount} % or more; could not check below {min_prices} prices",
}


CONSENT_WORDS = {
    "trackers": "passes when the pages call no analytics or advertising host before the visitor consents",
    "cookies": "passes when no analytics or advertising cookie is set before the visitor consents",
    "reject": "passes when the cookie banner offers a reject choice on its first layer, next to accept",
}
