"""The hand-made sites of the test suite (the bundled demo shop and the shops of test_e2e_shops.py): every check
that passes or fails on them is right about what their pages show.

- a passing check's evidence is text (or a normalised form of text) found on the site's pages;
- a failing or warned check has a **passing twin**: the same site with what the check asks for added (a
  sentence, a link to a page that exists, a widget), on which it passes;
- and a **near miss**: the same site with something a keyword matcher would take for it, on which it still
  fails (near misses from test_practice_rules.py where one exists for the rule).

The sites are scanned as saved copies (local folders: real crawl, extraction and rules; no network).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import test_practice_rules as practice
from test_e2e_shops import PL_SHOP, POOR_EN_SHOP, RU_SHOP

from trustaudit.cli import demo_path
from trustaudit.models import Status
from trustaudit.options import ScanOptions
from trustaudit.pipeline import scan

CONTENT = {"phrase_present", "phrase_absent", "any_of", "distinct_channels", "signal_present", "page_found",
           "tax_id_present", "tax_ids_valid"}
RULES = practice.RULES


def _is_content(rule_id: str) -> bool:
    return RULES[rule_id].predicate in CONTENT


def _routes_to_folder(routes, folder: Path) -> None:
    """A routes dict of test_e2e_shops as a saved site: '/' -> index.html, '/x' -> x.html, links rewritten."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {path: ("index.html" if path == "/" else path.strip("/").replace("/", "_") + ".html")
             for path in routes if not path.endswith(".txt")}
    for path, name in names.items():
        status, headers, body = routes[path]
        charset = re.search(r"charset=([\w-]+)", headers.get("Content-Type", ""))
        text = body.decode(charset.group(1) if charset else "utf-8")
        for p, n in names.items():
            if p != "/":
                text = re.sub(rf'href=(["\']){re.escape(p)}\1', f'href="{n}"', text)
        text = text.replace('href="/"', 'href="index.html"').replace("href='/'", 'href="index.html"')
        (folder / name).write_text(text, encoding="utf-8")


# the hand-made sites: name -> (make(folder), language, country)
def _demo(folder: Path) -> None:
    shutil.copytree(demo_path(), folder, dirs_exist_ok=True)


SITES = {
    "demo": (_demo, "pl", "PL"),
    "pl-shop": (lambda f: _routes_to_folder(PL_SHOP, f), "pl", "PL"),
    "poor-en-shop": (lambda f: _routes_to_folder(POOR_EN_SHOP, f), "en", "GB"),
    "ru-shop": (lambda f: _routes_to_folder(RU_SHOP, f), "ru", "RU"),
}


def _scan(folder: Path, country: str):
    report = scan(str(folder), ScanOptions(country=country), lang="en")
    return {c.id: c for c in report.checks}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    cache = {}

    def get(name: str):
        if name not in cache:
            make, _lang, country = SITES[name]
            folder = tmp_path_factory.mktemp(name)
            make(folder)
            cache[name] = (folder, _scan(folder, country))
        return cache[name]

    return get


# --------------------------------------------------------------------------- passing checks: evidence from the pages


@pytest.mark.parametrize("site", SITES)
def test_every_passing_check_shows_evidence_found_on_the_pages(scanned, site):
    folder, checks = scanned(site)
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}
    passed = [c for c in checks.values() if c.status is Status.PASS and _is_content(c.id)]
    assert passed or site == "poor-en-shop", site  # the poor shop shows nothing a content check looks for
    for c in passed:
        if RULES[c.id].predicate == "phrase_absent":
            continue  # passes on the absence of something unwanted
        assert c.evidence, (site, c.id)
        for ev in c.evidence:
            name = Path(ev.url.removeprefix("file://")).name if ev.url else ""
            html = pages.get(name) or "\n".join(pages.values())  # the page the evidence names
            found = practice._evidence_from_page(ev.snippet, html) or any(
                practice._evidence_from_page(ev.snippet, h) for h in pages.values())
            if not found and c.id.startswith("legal."):  # "NIP 525-224-84-81" is reported compact: "NIP 5252248481"
                digits = re.sub(r"\D", "", ev.snippet)
                found = bool(digits) and any(digits in re.sub(r"\D", "", h) for h in pages.values())
            if not found and (m := re.fullmatch(r"(\d+(?:\.\d+)?)/\d+(?:\.\d+)?", ev.snippet)):
                found = any(m.group(1) in h for h in pages.values())  # a rating, as value/best
            if not found and RULES[c.id].predicate in ("page_found", "any_of") and name in pages:
                found = True  # a linked page: its URL is a file of the site
            assert found, (site, c.id, ev.url, ev.snippet)


# --------------------------------------------------------------------------- failing checks: twin and near miss

# What each check asks for, as a shop in that language would write it; a link-based practice comes with its page.
TWIN = {
    "en": {
        "contact.address": "<p>Oak Shop Ltd, Unit 4, Harbourside Works, Canons Road, Bristol BS1 5UH</p>",
        "contact.channels": '<p>hello@oakshop.example · tel. 0117 925 1234</p><a href="https://wa.me/441174960123">WhatsApp</a>',
        "contact.company-name": "<footer><p>Oak Shop Ltd, Unit 4, Canons Road, Bristol BS1 5UH</p></footer>",
        "contact.departments": "<p>Sales department: sales@oakshop.example · Returns department: returns@oakshop.example</p>",
        "contact.email": "<p>E-mail: hello@oakshop.example</p>",
        "contact.form": ('<form action="/contact/send"><input type="email" name="email"><textarea name="message">'
                         "</textarea><button>Send</button></form>"),
        "contact.hours": "<p>Opening hours: Mon–Fri 9:00–17:00.</p>",
        "contact.map": "<p>How to find us: Unit 4, Harbourside Works, Canons Road, Bristol BS1 5UH</p>",
        "contact.named-people": "<p>Your advisor: Aoife Jones, tel. 0117 925 1234</p>",
        "contact.page": ("contact.html", "Contact us", "<p>Write to us.</p>"),
        "contact.phone": '<p>Call us: <a href="tel:+441179251234">0117 925 1234</a></p>',
        "content.blog": ("blog.html", "Blog", "<p>Our stories.</p>"),
        "content.news": ("news.html", "Latest news", "<p>News from the shop.</p>"),
        "content.partners": "<p>Our partners: Somerset Hardwoods, Bristol Timber Co.</p>",
        "content.placeholder-text": None,  # fails on placeholder text: the twin removes it (below)
        "content.social-profiles": '<a href="https://www.facebook.com/oakshopuk">Facebook</a>',
        "content.story": ("about.html", "About us", "<p>Family business since 1998.</p>"),
        "legal.certificates": "<p>Authorised dealer of Danish Oil finishes. All paints carry the CE mark certificate.</p>",
        "legal.company-ids": "<footer><p>Oak Shop Ltd, Company No. 01234567, VAT No. GB 123 4567 89</p></footer>",
        "legal.gb-company-number": "<footer><p>Registered in England and Wales, Company No. 01234567</p></footer>",
        "legal.identity": "<footer><p>Oak Shop Ltd, Unit 4, Canons Road, Bristol BS1 5UH</p></footer>",
        "policies.withdrawal-14-days": "<p>You can return any item within 14 days of delivery, no questions asked.</p>",
        "payments.loyalty": "<p>Join our loyalty programme: earn points on every order.</p>",
        "payments.methods": "<p>Pay by card, PayPal or cash on delivery.</p>",
        "payments.pay-on-delivery": "<p>Pay by card, PayPal or cash on delivery.</p>",
        "payments.providers": '<img src="visa.svg" alt="Visa"> <img src="paypal.svg" alt="PayPal">',
        "policies.complaints": ("complaints.html", "Complaints", "<p>To make a complaint, fill in the form.</p>"),
        "policies.delivery": ("delivery.html", "Shipping information", "<p>We ship with Royal Mail.</p>"),
        "policies.delivery-cost": "<p>Delivery costs £9.95; free delivery on orders over £300.</p>",
        "policies.delivery-time": "<p>Orders are dispatched within 2 business days.</p>",
        "policies.free-returns": "<p>Free returns within the UK.</p>",
        "policies.newsletter-unsubscribe": "<p>Newsletter: you can unsubscribe at any time.</p>",
        "policies.payment-info": ("payment.html", "Payment methods", "<p>Cards and PayPal.</p>"),
        "policies.privacy": ("privacy.html", "Privacy Policy", "<p>We process your data lawfully.</p>"),
        "policies.problems": "<p>If an item arrived damaged, send us a photo.</p>",
        "policies.return-form": "<p>Download the model withdrawal form.</p>",
        "policies.returns": ("returns.html", "Returns &amp; Refunds", "<p>Return within 14 days.</p>"),
        "policies.terms": ("terms.html", "Terms and Conditions", "<p>These terms apply to every order.</p>"),
        "reviews.can-submit": '<a href="#write">Write a review</a>',
        "reviews.negative-replied": "<p>Response from the shop: Sorry, Tom – we refunded the delivery fee.</p>",
        "reviews.stats": "<p>Over 12,000 happy customers.</p>",
        "reviews.visible": '<script src="https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js"></script>',
        "support.chat": '<script src="//code.jivosite.com/widget/abc123" async></script>',
        "support.faq": ("faq.html", "FAQ", "<p>Questions and answers.</p>"),
        "support.order-tracking": ("track.html", "Track your order", "<p>Enter your order number.</p>"),
        "support.response-time": "<p>We reply to every e-mail within 24 hours.</p>",
    },
    "pl": {
        "contact.departments": "<p>Dział sprzedaży: sprzedaz@lisc-herbata.example · Dział reklamacji: reklamacje@lisc-herbata.example</p>",
        "contact.map": '<p>ul. Garncarska 12, 59-700 Bolesławiec</p><a href="https://maps.app.goo.gl/Xy12AbC">Otwórz w Mapach Google</a>',
        "contact.named-people": "<p>Twój opiekun: Katarzyna Nowak, tel. 75 612 34 56</p>",
        "content.news": ("aktualnosci.html", "Aktualności", "<p>Nowości w sklepie.</p>"),
        "content.partners": "<p>Nasi partnerzy: Bolesławiecka Manufaktura, Galeria Glinka.</p>",
        "legal.certificates": "<p>Wszystkie nasze herbaty posiadają certyfikat ekologiczny.</p>",
        "payments.loyalty": "<p>Program lojalnościowy: zbieraj punkty za każde zakupy.</p>",
        "payments.pay-on-delivery": "<p>Możesz zapłacić za pobraniem.</p>",
        "policies.free-returns": "<p>Zwrot jest bezpłatny – darmowy zwrot przez Paczkomaty.</p>",
        "policies.newsletter-unsubscribe": "<p>Newsletter: możesz wypisać się w każdej chwili.</p>",
        "policies.problems": "<p>Uszkodzona przesyłka? Spisz z kurierem protokół szkody.</p>",
        "reviews.can-submit": '<a href="#opinia">Dodaj opinię</a>',
        "reviews.verified": "<p>Opinie pochodzą wyłącznie od zweryfikowanych klientów.</p>",
        "support.chat": '<script src="//code.jivosite.com/widget/abc123" async></script>',
        "support.order-tracking": ("status.html", "Status zamówienia", "<p>Podaj numer zamówienia.</p>"),
    },
}
# near misses for checks test_practice_rules.py has none for: numbers that are not company IDs
NEAR = {
    "legal.company-ids": "<p>Order No. 01234567 · Invoice 2024/000123 · EAN 5901234123457</p>",
    "legal.gb-company-number": "<p>Order No. 01234567 · Tracking No. 12345678</p>",
}
# a wrong check digit: the twin shows the number right, the near miss another wrong one
ID_FIXES = {"legal.ids-valid": ("123456786", "123456785", "123456787")}


def _add(folder: Path, fragment) -> None:
    index = folder / "index.html"
    html = index.read_text(encoding="utf-8")
    if isinstance(fragment, tuple):  # a link and the page it leads to
        name, title, body = fragment
        (folder / name).write_text(f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>",
                                   encoding="utf-8")
        fragment = f'<footer><a href="{name}">{title}</a></footer>'
    marker = "</body>" if "</body>" in html else None
    fragment = f"\n{fragment}\n"  # a block of its own, as it would be on a page
    html = html.replace(marker, fragment + marker, 1) if marker else html + fragment
    index.write_text(html, encoding="utf-8")


def _failing(scanned, site) -> list[str]:
    _folder, checks = scanned(site)
    return sorted(c.id for c in checks.values()
                  if c.status in (Status.FAIL, Status.WARN) and _is_content(c.id))


def _near_miss(rule_id: str, lang: str):
    if rule_id in NEAR:
        return NEAR[rule_id]
    cases = [p.values for p in practice.NEAR_MISSES if p.values[0] == rule_id]
    for _rid, _lang, _country, body in sorted(cases, key=lambda v: v[1] != lang):
        return body
    return None


CASES = [(site, rid) for site in ("demo", "poor-en-shop") for rid in sorted(
    set(TWIN[SITES[site][1]]) | ({"legal.ids-valid"} if site == "demo" else set()))]


@pytest.mark.parametrize("site,rule_id", CASES)
def test_a_failing_check_has_a_passing_twin_and_fails_on_a_near_miss(scanned, tmp_path, site, rule_id):
    folder, checks = scanned(site)
    lang = SITES[site][1]
    country = SITES[site][2]
    if checks[rule_id].status not in (Status.FAIL, Status.WARN):
        pytest.skip(f"{rule_id} does not fail on {site}")
    twin = tmp_path / "twin"
    shutil.copytree(folder, twin)
    if rule_id in ID_FIXES:
        wrong, right, other_wrong = ID_FIXES[rule_id]
        for p in twin.glob("*.html"):
            p.write_text(p.read_text(encoding="utf-8").replace(wrong, right), encoding="utf-8")
    elif rule_id == "content.placeholder-text":
        for p in twin.glob("*.html"):
            p.write_text(re.sub(r"Lorem ipsum dolor sit amet\.?", "Solid steel watches.", p.read_text(encoding="utf-8")),
                         encoding="utf-8")
    else:
        _add(twin, TWIN[lang][rule_id])
    after = _scan(twin, country)[rule_id]
    assert after.status is Status.PASS, (site, rule_id, after.title, after.reason)

    near = tmp_path / "near"
    shutil.copytree(folder, near)
    if rule_id in ID_FIXES:
        wrong, _right, other_wrong = ID_FIXES[rule_id]
        for p in near.glob("*.html"):
            p.write_text(p.read_text(encoding="utf-8").replace(wrong, other_wrong), encoding="utf-8")
    elif rule_id == "content.placeholder-text":
        for p in near.glob("*.html"):
            p.write_text(p.read_text(encoding="utf-8") + "<p>This is a sample sale – up to 70% off.</p>",
                         encoding="utf-8")
    else:
        body = _near_miss(rule_id, lang)
        if body is None:
            pytest.skip(f"no near miss written for {rule_id}")
        _add(near, body)
    again = _scan(near, country)[rule_id]
    assert again.status is checks[rule_id].status, (site, rule_id, [e.snippet for e in again.evidence])


def test_every_failing_content_check_of_the_sites_is_covered(scanned):
    for site in ("demo", "poor-en-shop"):
        covered = {rid for s, rid in CASES if s == site}
        assert set(_failing(scanned, site)) <= covered, (site, set(_failing(scanned, site)) - covered)
