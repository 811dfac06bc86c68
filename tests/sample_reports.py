"""Realistic ``Report`` objects for renderer and diff tests (no scan needed).

- ``good_shop()``: almost everything passes, a couple of warnings.
- ``poor_shop()``: many failures; page text (target, snippets, URLs, page titles, errors) is hostile.
- ``arabic_report()``: report language ``ar`` (RTL), Arabic titles and fixes.
- ``mixed_statuses()``: error / not_applicable / manual checks, skipped checks, an inconclusive note.
- ``local_report()``: a saved mirror on disk: ``file://`` evidence and ``tls=None``.
- ``huge_report(n)``: thousands of checks with long evidence, for size caps.
"""

from __future__ import annotations

from trustaudit.models import CategoryScore, CheckResult, Evidence, Report, Severity, Status
from trustaudit.scoring import with_gains

# Everything a shop page could throw at a renderer. Each must come out inert in every format.
HOSTILE = (
    "[bold red]rich markup[/]",
    "\x1b[31mANSI red\x1b[0m",
    "\x1b]8;;http://evil.example/\x07osc link\x1b]8;;\x07",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "**bold** _it_ [md link](javascript:alert(3)) | pipe | `code` ~~s~~",
    "# heading at line start\n## another",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB first",
    "\rCR first",
    "\u202eevil\u202c direction \u2066iso\u2069",
    "nul\x00 bel\x07 nel\x85 csi\x9b1m del\x7f",
)
HOSTILE_TEXT = " ".join(h.replace("\n", " ") for h in HOSTILE[:7])

CATEGORIES = (
    ("identity", "Who runs the shop", 0.25),
    ("contact", "Contact", 0.15),
    ("legal", "Terms and policies", 0.2),
    ("security", "Connection security", 0.2),
    ("reputation", "Reputation", 0.1),
    ("payment", "Payment", 0.1),
)

# id, weight, severity, pass title, fail title, fix
CHECKS = (
    ("identity.company-name", 3.0, Severity.HIGH, "The seller's legal name is shown",
     "The seller's legal name is not shown", "Show the registered company name in the footer and on the contact page."),
    ("identity.tax-id", 3.0, Severity.HIGH, "A valid tax ID (NIP) is shown",
     "No valid tax ID (NIP) found", "Publish your NIP next to the company name, e.g. in the footer."),
    ("identity.address", 2.0, Severity.MEDIUM, "A postal address is shown",
     "No postal address found", "Add the registered address of the business to the contact page."),
    ("contact.email", 2.0, Severity.MEDIUM, "A contact e-mail is shown",
     "No contact e-mail address found", "Show an e-mail address buyers can write to."),
    ("contact.phone", 2.0, Severity.MEDIUM, "A phone number is shown",
     "No phone number found", "Show a phone number with opening hours."),
    ("contact.form", 1.0, Severity.LOW, "A contact form exists",
     "No contact form found", "Add a simple contact form."),
    ("legal.terms", 3.0, Severity.HIGH, "Terms of sale are published",
     "No terms of sale found", "Publish terms of sale and link them from every page footer."),
    ("legal.privacy", 3.0, Severity.HIGH, "A privacy policy is published",
     "No privacy policy found", "Publish a privacy policy (GDPR art. 13) and link it in the footer."),
    ("legal.returns", 3.0, Severity.CRITICAL, "A returns policy with the 14-day withdrawal right is published",
     "No returns policy found", "Explain how to return goods within 14 days and who pays for the return."),
    ("legal.complaints", 1.0, Severity.LOW, "A complaints procedure is described",
     "No complaints procedure found", "Describe how buyers can file a complaint."),
    ("security.https", 4.0, Severity.CRITICAL, "The shop is served over HTTPS",
     "The shop is not served over HTTPS", "Serve every page over HTTPS and redirect http:// to https://."),
    ("security.cert-valid", 4.0, Severity.CRITICAL, "The TLS certificate is valid",
     "The TLS certificate is not valid", "Renew the certificate (e.g. with Let's Encrypt) and serve the full chain."),
    ("security.hsts", 1.0, Severity.LOW, "HSTS is enabled",
     "HSTS is not enabled", "Send Strict-Transport-Security: max-age=31536000."),
    ("security.mixed-content", 2.0, Severity.MEDIUM, "No mixed content",
     "Pages load insecure (http://) resources", "Load images and scripts over https://."),
    ("reputation.reviews-widget", 2.0, Severity.MEDIUM, "Independent reviews are shown",
     "No independent reviews shown", "Show reviews from an independent service (Trustpilot, Opineo, Trusted Shops)."),
    ("reputation.rating-structured", 1.0, Severity.INFO, "Ratings are in structured data",
     "Ratings are not in structured data", "Add AggregateRating to your product JSON-LD."),
    ("reputation.social", 1.0, Severity.LOW, "Social profiles are linked",
     "No social profiles linked", "Link your active social media profiles in the footer."),
    ("payment.methods", 2.0, Severity.MEDIUM, "Payment methods are listed",
     "Payment methods are not listed", "List the accepted payment methods before checkout."),
    ("payment.provider", 2.0, Severity.MEDIUM, "A known payment provider is used",
     "No known payment provider detected", "Use a recognised payment provider (PayU, Przelewy24, Stripe)."),
)


def _category_scores(checks: tuple[CheckResult, ...], titles: dict[str, str] | None = None):
    credit = {Status.PASS: 1.0, Status.WARN: 0.5, Status.FAIL: 0.0}
    cats = []
    weighted = total = 0.0
    for cid, title, cw in CATEGORIES:
        judged = [c for c in checks if c.category == cid and c.status in credit]
        w = sum(c.weight for c in judged)
        score = round(100 * sum(c.weight * credit[c.status] for c in judged) / w) if w else None
        if score is not None:
            weighted += cw * score
            total += cw
        cats.append(CategoryScore(cid, (titles or {}).get(cid, title), score, cw))
    overall = round(weighted / total) if total else None
    return tuple(cats), overall


def _grade(score: int | None) -> str | None:
    if score is None:
        return None
    for limit, g in ((90, "A"), (80, "B"), (65, "C"), (50, "D")):
        if score >= limit:
            return g
    return "F"


def make_report(
    statuses: dict[str, Status] | None = None,
    *,
    target: str = "https://sklep.example.pl/",
    language: str = "en",
    evidence: dict[str, tuple[Evidence, ...]] | None = None,
    reasons: dict[str, str] | None = None,
    texts: dict[str, tuple[str, str, str]] | None = None,
    cat_titles: dict[str, str] | None = None,
    **overrides,
) -> Report:
    """A report over ``CHECKS``; every check passes unless ``statuses`` says otherwise."""
    statuses = statuses or {}
    checks = []
    for cid, weight, sev, ok_title, bad_title, fix in CHECKS:
        st = statuses.get(cid, Status.PASS)
        if texts and cid in texts:
            ok_title, bad_title, fix = texts[cid]
        base = target.rstrip("/")
        ev = (evidence or {}).get(cid)
        if ev is None:
            ev = (Evidence(f"{base}/kontakt", "Sklep Example sp. z o.o., ul. Długa 1, 00-001 Warszawa"),) if st is not Status.PASS else (Evidence(f"{base}/", ""),)
        checks.append(
            CheckResult(
                id=cid,
                category=cid.split(".")[0],
                status=st,
                weight=weight,
                severity=sev,
                title=ok_title if st is Status.PASS else bad_title,
                evidence=ev,
                fix=fix,
                fix_platform="Shopify admin → Settings → Policies" if cid == "legal.returns" else "",
                reason=(reasons or {}).get(cid, ""),
                source="Directive 2011/83/EU art. 6" if cid.startswith("legal.") else "",
            )
        )
    checks_t = tuple(checks)
    cats, overall = _category_scores(checks_t, cat_titles)
    checks_t = with_gains(checks_t, {c.id: c.weight for c in cats})  # as the pipeline does
    fields = dict(
        target=target,
        final_url=target,
        scanned_at="2025-01-15T10:30:00Z",
        duration_s=4.2,
        language=language,
        country="PL",
        score=overall,
        grade=_grade(overall),
        categories=cats,
        checks=checks_t,
        signals={"emails": ["sklep@example.pl"], "phones": ["+48221234567"]},
        tls={"https": True, "valid": True, "issuer": "Let's Encrypt R11", "days_left": 61, "hsts": True},
        pages_fetched=(
            {"url": target, "status": 200, "title": "Sklep Example — strona główna", "kind": "home"},
            {"url": target.rstrip("/") + "/kontakt", "status": 200, "title": "Kontakt", "kind": "contact"},
            {"url": target.rstrip("/") + "/regulamin", "status": 200, "title": "Regulamin", "kind": "terms"},
        ),
        errors=({"url": target.rstrip("/") + "/zwroty", "error": "HTTP 404 Not Found", "kind": "http"},),
        platform={"slug": "shopify", "name": "Shopify"},
        tool_version="0.1.0",
        shop_language="pl",
    )
    fields.update(overrides)
    return Report(**fields)


def good_shop() -> Report:
    return make_report({"security.hsts": Status.WARN, "reputation.rating-structured": Status.WARN})


def poor_shop() -> Report:
    """Most checks fail; every piece of page text is hostile."""
    fails = {cid: Status.FAIL for cid, *_ in CHECKS}
    fails.update({"contact.form": Status.WARN, "security.hsts": Status.WARN, "contact.email": Status.PASS})
    target = "http://evil.example/<script>alert('t')</script>?q=\x1b[31m"
    ev = {
        cid: (
            Evidence(f"http://evil.example/p{i}?x=<b>&y=\"'", HOSTILE[i % len(HOSTILE)]),
            Evidence("javascript:alert(document.cookie)", HOSTILE[(i + 3) % len(HOSTILE)]),
            Evidence("data:text/html,<script>alert(4)</script>", HOSTILE_TEXT),
        )
        for i, (cid, *_) in enumerate(CHECKS)
    }
    return make_report(
        fails,
        target=target,
        evidence=ev,
        final_url="http://evil.example/",
        tls={"https": False, "valid": None, "error": "<b>no TLS</b>\x1b[2J"},
        pages_fetched=tuple(
            {"url": f"http://evil.example/{i}", "status": 200, "title": h} for i, h in enumerate(HOSTILE)
        )
        + ({"url": "javascript:alert(5)", "status": 200, "title": "js page"},),
        errors=tuple({"url": f"http://evil.example/e{i}", "error": h, "kind": "http"} for i, h in enumerate(HOSTILE)),
        platform={"slug": "woo", "name": "<svg onload=alert(6)>"},
        inconclusive=None,
    )


AR_TEXTS = {
    "identity.company-name": ("يظهر الاسم القانوني للبائع", "لا يظهر الاسم القانوني للبائع", "اعرض اسم الشركة المسجل في تذييل الصفحة وصفحة الاتصال."),
    "identity.tax-id": ("يظهر الرقم الضريبي", "لم يتم العثور على رقم ضريبي صالح", "انشر رقم التسجيل الضريبي بجانب اسم الشركة."),
    "legal.returns": ("سياسة الإرجاع منشورة", "لم يتم العثور على سياسة الإرجاع", "اشرح كيفية إرجاع البضائع خلال 14 يوما ومن يتحمل تكلفة الإرجاع."),
    "security.hsts": ("HSTS مفعل", "HSTS غير مفعل", "أرسل الترويسة Strict-Transport-Security."),
}
AR_CATEGORIES = {
    "identity": "من يدير المتجر",
    "contact": "الاتصال",
    "legal": "الشروط والسياسات",
    "security": "أمان الاتصال",
    "reputation": "السمعة",
    "payment": "الدفع",
}


def arabic_report() -> Report:
    return make_report(
        {"identity.tax-id": Status.FAIL, "legal.returns": Status.FAIL, "security.hsts": Status.WARN},
        target="https://matjar.example.sa/",
        language="ar",
        texts=AR_TEXTS,
        cat_titles=AR_CATEGORIES,
        country="SA",
        shop_language="ar",
    )


def mixed_statuses() -> Report:
    return make_report(
        {
            "identity.tax-id": Status.ERROR,
            "security.cert-valid": Status.ERROR,
            "legal.complaints": Status.NOT_APPLICABLE,
            "reputation.reviews-widget": Status.MANUAL,
            "payment.provider": Status.MANUAL,
            "legal.returns": Status.FAIL,
            "contact.phone": Status.WARN,
        },
        reasons={
            "identity.tax-id": "The contact page timed out after 10 s.",
            "security.cert-valid": "TLS handshake failed: connection reset.",
            "legal.complaints": "Not required in this country.",
            "reputation.reviews-widget": "Reviews load from a script after login; a person must look.",
            "payment.provider": "Checkout requires an account.",
        },
        skipped=({"id": "reputation.social", "reason": "disabled in trustaudit.toml"},),
        inconclusive="blocked by bot protection on 2 pages",
    )


def local_report() -> Report:
    base = "file:///home/anna/mirror/sklep"
    return make_report(
        {"security.https": Status.NOT_APPLICABLE, "security.cert-valid": Status.NOT_APPLICABLE,
         "security.hsts": Status.NOT_APPLICABLE, "legal.privacy": Status.FAIL},
        target="/home/anna/mirror/sklep",
        final_url=base + "/index.html",
        evidence={"legal.privacy": (Evidence(base + "/index.html", "Polityka prywatności – wkrótce"),)},
        reasons={k: "Local target: no connection to check." for k in
                 ("security.https", "security.cert-valid", "security.hsts")},
        tls=None,
        pages_fetched=({"url": base + "/index.html", "status": 200, "title": "Sklep"},),
        errors=(),
        platform=None,
    )


def huge_report(n: int = 5000) -> Report:
    """``n`` checks, most failing, each with many long evidence items."""
    statuses = (Status.FAIL, Status.WARN, Status.PASS, Status.ERROR, Status.MANUAL, Status.NOT_APPLICABLE)
    checks = tuple(
        CheckResult(
            id=f"{CATEGORIES[i % 6][0]}.generated-{i:05d}",
            category=CATEGORIES[i % 6][0],
            status=statuses[i % len(statuses)] if i % 2 else Status.FAIL,
            weight=1.0 + (i % 4),
            severity=list(Severity)[i % 5],
            title=f"Generated check {i} | with *markdown* <b>html</b>",
            evidence=tuple(Evidence(f"https://shop.example/page/{i}/{j}", "long snippet " * 40) for j in range(20)),
            fix="Fix it: " + "do the thing carefully. " * 30,
            reason="reason " * 10,
        )
        for i in range(n)
    )
    cats, overall = _category_scores(checks)
    checks = with_gains(checks, {c.id: c.weight for c in cats})
    return make_report(checks=checks, categories=cats, score=overall, grade=_grade(overall))


ALL = {
    "good": good_shop,
    "poor": poor_shop,
    "arabic": arabic_report,
    "mixed": mixed_statuses,
    "local": local_report,
}


def readme_example() -> Report:
    """A typical small shop: a few things to fix, one check for a person (used for docs/report-screenshot.png)."""
    return make_report(
        {
            "legal.returns": Status.FAIL,
            "identity.tax-id": Status.FAIL,
            "contact.phone": Status.WARN,
            "security.hsts": Status.WARN,
            "reputation.reviews-widget": Status.MANUAL,
            "reputation.rating-structured": Status.FAIL,
        },
        reasons={"reputation.reviews-widget": "Reviews load after login; a person must look."},
    )
