"""JUnit XML: parses, one suite per category, counts match statuses, warnings pass with a note."""

import xml.etree.ElementTree as ET

import pytest

from tests.sample_reports import ALL, HOSTILE, make_report
from trustaudit.models import Evidence, Status
from trustaudit.render import junit


@pytest.mark.parametrize("name", sorted(ALL))
def test_structure_and_counts(name):
    report = ALL[name]()
    root = ET.fromstring(junit.render(report).encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert {s.get("name") for s in suites} == {f"trustaudit.{c}" for c in {c.category for c in report.checks}}
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report.checks) == int(root.get("tests"))
    by_status = {s: [c for c in report.checks if c.status is s] for s in Status}
    assert len(root.findall(".//failure")) == len(by_status[Status.FAIL]) == int(root.get("failures"))
    assert len(root.findall(".//error")) == len(by_status[Status.ERROR]) == int(root.get("errors"))
    skipped = len(by_status[Status.NOT_APPLICABLE]) + len(by_status[Status.MANUAL])
    assert len(root.findall(".//skipped")) == skipped == int(root.get("skipped"))
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    statuses = {c.id: c for c in report.checks}
    for case in cases:
        c = statuses[case.get("name")]
        assert case.get("classname") == f"trustaudit.{c.category}"
        if c.status is Status.FAIL:
            f = case.find("failure")
            assert f.get("message") == c.title and c.fix in f.text
        if c.status is Status.WARN:
            assert case.find("system-out") is not None and c.title in case.find("system-out").text
            assert case.find("failure") is None


def test_reason_is_the_skip_message():
    report = ALL["mixed"]()
    root = ET.fromstring(junit.render(report))
    case = root.find(".//testcase[@name='legal.complaints']")
    assert case.find("skipped").get("message") == "Not required in this country."


def test_control_characters_in_page_text_still_give_valid_xml():
    nasty = "".join(chr(i) for i in range(32)) + "\x7f\x85\ud800\ufffe\uffff" + "".join(HOSTILE)
    report = make_report({"legal.returns": Status.FAIL}, target="https://x.example/" + nasty,
                         evidence={"legal.returns": (Evidence("https://x.example/" + nasty, nasty),)})
    text = junit.render(report)
    root = ET.fromstring(text.encode("utf-8"))
    assert "\x1b" not in text and "\x00" not in text
    assert "<script>" not in text  # escaped by ElementTree
    assert "&lt;script&gt;" in text
    assert root.find(".//failure") is not None
