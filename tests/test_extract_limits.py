"""Per-page input caps of the extractors (``extract.limits``) and the deadline of a whole scan.

A page dense with candidates is read as far as the caps and says so (a partial extractor error the report lists
among its errors as read in part); what was found stands, an outcome that the unread part could change is
"could not check". Pages fetched and not read by the deadline are recorded and their checks could not be
checked. Shop pages stay far below every cap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from servers import html

from trustaudit.crawl import crawl
from trustaudit.engine import Facts, evaluate, load_rules
from trustaudit.extract import PageContext, extract_page, merge
from trustaudit.extract.ids import MAX_NUMBERS
from trustaudit.extract.phones import MAX_CANDIDATES
from trustaudit.models import Artifacts, ExtractorError, FetchedPage, Status, TaxId, TlsInfo
from trustaudit.options import ScanOptions
from trustaudit.pipeline import PageExtractor, build_report, link_scorer, scan, without_unread
from trustaudit.web.html import MAX_TEXT_CHARS, ParseCache, ParsedPage

UNIT = "tel. 12 345 67 89 a@b.pl NIP 123-456-32-18 "  # a phone, an address and a valid NIP: 3 candidates
DEMO = Path(__import__("trustaudit").__file__).parent / "demo"


def _dense(units: int) -> str:
    return f"<html lang='pl'><body><p>{UNIT * units}</p></body></html>"


def _facts(text: str, url: str = "https://sklep.example/"):
    return extract_page(FetchedPage(url=url, status=200, text=text), PageContext(strict=True))


def _cuts(facts) -> dict[str, str]:
    return {e.extractor: e.error for e in facts.errors if e.partial}


def test_a_page_dense_with_candidates_is_read_as_far_as_the_caps_and_says_so():
    facts = _facts(_dense(5_000))  # 10,000 numbers of 6+ digits, 5,000 phones, 5,000 "@"s
    cuts = _cuts(facts)
    assert f"labels looked for before the first {MAX_NUMBERS:,} numbers only" in cuts["ids"]
    assert f"the first {MAX_CANDIDATES:,} phone-number candidates read" in cuts["phones"]
    assert 'the first 2,000 "@"s read' in cuts["emails"]
    assert not [e for e in facts.errors if not e.partial]  # nothing failed
    # what was read is found: the NIP next to its label, the address, the phone candidates
    assert any(c.tax_id.value == "1234563218" for cands in facts.ids.labels for c in cands)
    assert [e.address for e in facts.emails] == ["a@b.pl"]
    assert 0 < len(facts.phones) <= MAX_CANDIDATES
    assert len(facts.ids.labels) <= MAX_NUMBERS


def test_the_same_candidates_under_the_caps_are_read_whole():
    facts = _facts(_dense(300))  # 600 numbers, 300 phone candidates, 300 "@"s: far below every cap
    assert _cuts(facts) == {}
    assert len(facts.ids.labels) == 300  # every NIP label read


def test_visible_text_is_cut_at_its_cap_and_every_reader_says_so():
    pp = ParsedPage(FetchedPage(url="https://sklep.example/", status=200,
                                text="<p>" + "kontakt sklep " * (MAX_TEXT_CHARS // 14 + 1000) + "</p>"))
    assert MAX_TEXT_CHARS - 10 < len(pp.text) <= MAX_TEXT_CHARS < pp.text_chars
    facts = extract_page(pp.page, PageContext(strict=True), _cache_of(pp))
    cuts = _cuts(facts)
    for extractor in ("ids", "phones", "emails", "phrases", "company_names", "addresses"):
        assert "characters of text read" in cuts[extractor], (extractor, cuts)


def _cache_of(pp: ParsedPage) -> ParseCache:
    cache = ParseCache()
    cache._pages[pp.url] = pp  # the page as the crawl parsed it
    return cache


def test_shop_pages_stay_below_every_cap():
    snap = crawl(str(DEMO), ScanOptions())
    for page in snap.pages:
        facts = _facts(page.text, page.url)
        assert not facts.errors, (page.url, facts.errors)


# --------------------------------------------------------------------------- what a cut means for the checks

REMOTE = Facts(tls=TlsInfo(https=True, valid=True, hostname_match=True, checked=True), local=False, pages_fetched=3)
NIP_CUT = ExtractorError("ids", "https://sklep.example/", "labels looked for before the first 2,000 numbers only",
                         ("tax_ids",), partial=True)


def _checks(artifacts: Artifacts) -> dict:
    return {c.id: c for c in evaluate(load_rules(), artifacts, REMOTE, "en")}


def test_a_check_read_in_part_keeps_what_was_found_and_cannot_say_what_is_absent():
    valid = TaxId("pl.nip", "1234563218", True, "https://sklep.example/", "NIP", "NIP 123-456-32-18")
    found = _checks(Artifacts(country="PL", tax_ids=(valid,), extractor_errors=(NIP_CUT,)))
    assert found["legal.pl-nip"].status is Status.PASS  # a valid NIP was read: more of the page cannot undo it
    # "every ID shown has a valid check digit": an invalid one may be in the part not read
    assert found["legal.ids-valid"].status is Status.ERROR
    assert found["legal.ids-valid"].messages["reason"].id == "reason.read_in_part"

    missing = _checks(Artifacts(country="PL", extractor_errors=(NIP_CUT,)))
    assert missing["legal.pl-nip"].status is Status.ERROR  # not found in what was read: could not check
    assert "only part of https://sklep.example/ was read" in missing["legal.pl-nip"].reason
    # near miss: the same shop read whole fails the check
    assert _checks(Artifacts(country="PL"))["legal.pl-nip"].status is Status.FAIL
    # a cut of another signal changes nothing here
    other = replace(NIP_CUT, extractor="emails", signals=("emails",))
    assert _checks(Artifacts(country="PL", extractor_errors=(other,)))["legal.pl-nip"].status is Status.FAIL


def test_the_report_lists_a_page_read_in_part_among_its_errors(serve):
    srv = serve({"/": html(_dense(5_000))})
    report = scan(srv.url + "/", ScanOptions(total_timeout=30, max_pages=1))
    cut = [e for e in report.errors if e["kind"] == "truncated"]
    assert {e["error"].split(":")[0] for e in cut} >= {"read in part by ids", "read in part by phones",
                                                       "read in part by emails"}
    assert all(e["url"] == srv.url + "/" for e in cut)
    assert report.extractor_errors == ()  # nothing failed
    checks = {c.id: c for c in report.checks}
    assert checks["legal.pl-nip"].status is Status.PASS  # found before the cap


# --------------------------------------------------------------------------- the deadline of the whole scan


def _shop(serve):
    home = ("<html lang='pl'><body><h1>Sklep</h1><footer><a href='/kontakt'>Kontakt</a> "
            "<a href='/regulamin'>Regulamin</a></footer></body></html>")
    return serve({"/": html(home),
                  "/kontakt": html("<html><body><h1>Kontakt</h1><p>tel. +48 22 123 45 67</p></body></html>"),
                  "/regulamin": html("<html><body><h1>Regulamin</h1><p>Sklep internetowy</p></body></html>")})


def test_pages_not_read_by_the_deadline_are_recorded_and_their_checks_could_not_be_checked(serve):
    srv = _shop(serve)
    options = ScanOptions(total_timeout=30)
    cache = ParseCache()
    pages = PageExtractor(cache, deadline=time.monotonic())  # past: nothing is read after the first page
    snapshot = crawl(srv.url + "/", options, cache, pages, scorer=link_scorer())
    assert len(snapshot.pages) == 3 and snapshot.limit_hit is None  # the crawl itself fetched everything
    facts = pages.finish()
    assert [f.url for f in facts] == [srv.url + "/"]  # the home page is always read
    assert {p.url for p in pages.unread} == {srv.url + "/kontakt", srv.url + "/regulamin"}
    read = without_unread(snapshot, pages.unread, options.total_timeout)
    report = build_report(read, merge(facts, read))
    assert report.partial["limit"] == "total_timeout"
    assert [p["url"] for p in report.pages_fetched] == [srv.url + "/"]
    unread = {e["url"]: e["error"] for e in report.errors if e["kind"] == "limit"}
    assert set(unread) == {srv.url + "/kontakt", srv.url + "/regulamin"}
    assert "fetched but not read" in unread[srv.url + "/kontakt"]
    phone = next(c for c in report.checks if c.id == "contact.phone")
    assert phone.status is Status.ERROR and phone.messages["reason"].id == "reason.partial_crawl"
    assert "/kontakt" in phone.reason

    # near miss: the same shop read before the deadline passes the phone check
    whole = scan(srv.url + "/", options)
    assert whole.partial is None and len(whole.pages_fetched) == 3
    assert next(c for c in whole.checks if c.id == "contact.phone").status is Status.PASS


@pytest.mark.slow
def test_total_timeout_ends_a_scan_of_heavy_pages_and_memory_stays_bounded(serve):
    """25 linked pages of 1.5 MB of text dense with candidates: the crawl fetches them in a second, reading
    them takes longer than the deadline. A whole `trustaudit scan` process ends soon after --total-timeout
    (generous: a loaded 2-core machine), the pages left unread are recorded, peak memory stays bounded."""
    words = ["kontakt", "regulamin", "zwroty", "reklamacje", "dostawa"]
    links = "".join(f"<a href='/{w}-{i}'>{w}</a>" for i in range(5) for w in words)
    body = f"<html lang='pl'><body><p>{UNIT * 35_000}</p><footer>{links}</footer></body></html>"
    srv = serve({"/*": html(body)})
    total = 4
    env = {**os.environ, "TRUSTAUDIT_STRICT": "0"}
    cmd = [sys.executable, "-m", "trustaudit", "scan", srv.url + "/", "-f", "json", "-q", "--total-timeout", str(total)]
    start = time.monotonic()
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, env=env)
        killer = threading.Timer(120, proc.kill)  # a hang fails the test instead of stalling the suite
        killer.start()
        try:
            out = proc.stdout.read()
            _pid, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        assert proc.returncode == 0, errf.read().decode()[-2000:]
    wall = time.monotonic() - start
    assert wall < total + 8, wall
    report = json.loads(out)
    assert report["partial"]["limit"] == "total_timeout"
    kinds = {e["kind"] for e in report["errors"]}
    assert {"limit", "truncated"} <= kinds
    assert 1 <= len(report["pages_fetched"]) < 25
    assert usage.ru_maxrss < 300 * 1024, usage.ru_maxrss  # KB; 25 pages of 1.5 MB are 37 MB of text
