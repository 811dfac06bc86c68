"""Name and address matching: the same company in another spelling matches; a different company with a similar
name does not (every rule has its near miss)."""

from __future__ import annotations

import pytest

from trustaudit.registry.match import (
    best_name_match,
    compare_addresses,
    compare_names,
    core,
    name_in_text,
    words,
)

SAME = [
    # register spelling, site spelling
    ("BOOKSY INTERNATIONAL SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ", "Booksy International sp. z o.o."),
    ("BOOKSY INTERNATIONAL SP. Z O.O.", "Booksy International Spółka z ograniczoną odpowiedzialnością"),
    ("SWLEX SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ", "Swlex Sp.z o.o."),
    ("ORLEN SPÓŁKA AKCYJNA", "Orlen S.A."),
    ('Общество с ограниченной ответственностью "Ромашка"', "ООО «Ромашка»"),
    ("ООО «Ромашка»", "OOO Romashka"),  # the same form and name written in Latin letters
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ", "Papadopoulos S.A."),
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ Α.Ε.", "ΠΑΠΑΔΟΠΟΥΛΟΣ ΑΕ"),
    ("MUELLER GMBH", "Müller GmbH"),
    ("Schmidt Gesellschaft mit beschränkter Haftung", "Schmidt GmbH"),
    ("SMH IOT SOLUTIONS LTD", "SMH IoT Solutions Limited"),
    ("ALLEGRO.PL SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ", "Allegro.pl sp. z o.o."),
    ("KOWALSKI JAN", "Jan Kowalski"),  # a sole trader, surname first in the register
    ("JAN KOWALSKI", "Zielony Ogród Jan Kowalski"),  # a sole trader's firm adds a trade name to the person's name
    ("MEDIAEXPERT SA", "Media Expert S.A."),
    ("Maison de la Truffe SARL", "MAISON DE LA TRUFFE S.A.R.L."),
]

DIFFERENT = [
    ("BOOKSY INTERNATIONAL SP. Z O.O.", "Booking International sp. z o.o."),  # only the generic word is shared
    ("JAN KOWALSKI HYDRAULIKA", "Super Okazje Sklep Sp. z o.o."),
    ("ANNA KOWALSKA", "Jan Kowalski"),
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ Α.Ε.", "Papadakis S.A."),
    ('ООО "Ромашка"', 'ООО "Василек"'),
    ("Nowak Hydraulika Sp. z o.o.", "Kowalczyk Meble Sp. z o.o."),
]


@pytest.mark.parametrize("registered, site", SAME)
def test_same_company_in_another_spelling_matches(registered, site):
    m = compare_names(registered, site)
    assert m.match is True, (m.registered, m.site, m.reason)
    assert compare_names(site, registered).match is True


@pytest.mark.parametrize("registered, site", DIFFERENT)
def test_a_different_company_with_a_similar_name_does_not_match(registered, site):
    m = compare_names(registered, site)
    assert m.match is False, (m.registered, m.site, m.reason)


@pytest.mark.parametrize("registered, site", [
    ("MEDIA EXPERT SPÓŁKA AKCYJNA", "Media Markt sp. z o.o."),  # one distinctive word each way: undecided
    ("Abc", "Abc Meble Sp. z o.o."),  # a lone short word is too weak to confirm
    ("Nowak Meble Sp. z o.o.", "Kowalczyk Meble Sp. z o.o."),  # a shared product word: cannot tell
])
def test_partly_similar_names_are_not_judged(registered, site):
    assert compare_names(registered, site).match is None


def test_legal_forms_in_both_spellings_are_removed_and_recognised():
    ws, groups = core("BOOKSY INTERNATIONAL SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ")
    assert ws == ["booksy", "international"] and "pl.sp_zoo" in groups
    assert core("Booksy International sp. z o. o.")[1] == groups
    assert core("ООО Ромашка") == (["romashka"], core("Общество с ограниченной ответственностью Ромашка")[1])
    assert "gb.ltd" in core("Acme Limited")[1] and "gb.ltd" in core("Acme Ltd.")[1]
    # a legal form is removed only at the ends: a name that is only a form keeps its words
    assert core("Limited")[0] == ["limited"]
    # markers from rules/vocab/company.yaml (read-only) are removed too
    assert core("PPHU Kowalski")[0] == ["kowalski"]


def test_single_letters_join_so_dotted_and_plain_spellings_meet():
    assert words("S.A.") == words("SA") == ["sa"]
    assert words("Sp. z o.o.") == ["sp", "zoo"]
    assert words("Α.Ε.") == words("ΑΕ")


def test_missing_names_are_not_judged():
    assert compare_names(None, "Acme").match is None
    assert compare_names("Acme Ltd", "").match is None


def test_best_name_match_over_several_site_names():
    reg = "BOOKSY INTERNATIONAL SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ"
    assert best_name_match(reg, ["PayU S.A.", "Booksy International sp. z o.o."])[0] is True
    verdict, why = best_name_match(reg, ["Super Okazje Sp. z o.o.", "PayU S.A."])
    assert verdict is False and "BOOKSY" in why
    assert best_name_match(reg, ["Super Okazje Sp. z o.o.", "Booksy Group"])[0] is True  # "group" is generic
    assert best_name_match("MEDIA EXPERT S.A.", ["Super Okazje Sp. z o.o.", "Media Markt"])[0] is None
    assert best_name_match(reg, [])[0] is None
    assert best_name_match(None, ["Acme"])[0] is None


def test_registered_name_printed_next_to_the_id():
    assert name_in_text("SWLEX SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ",
                        "Sprzedawca: Swlex sp. z o.o., ul. Szelągowska 49, NIP 9721237317") is True
    assert name_in_text("SWLEX SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ", "Sprzedawca: Super Okazje, NIP 972") is False
    assert name_in_text("AB", "AB NIP 123") is False  # too short to be evidence


def test_addresses():
    reg = "PROSTA 67, 00-838 WARSZAWA"
    assert compare_addresses(reg, ["ul. Prosta 67, 00-838 Warszawa"]) is True
    assert compare_addresses(reg, ["Prosta 67\n00838 Warszawa"]) is True
    assert compare_addresses(reg, ["ul. Długa 5, 31-147 Kraków"]) is False
    assert compare_addresses(reg, ["ul. Prosta 12, 00-838 Warszawa"]) is None  # same street, other number
    assert compare_addresses(reg, []) is None
    assert compare_addresses(None, ["ul. Prosta 67"]) is None
    assert compare_addresses("51 Mornington Crescent, Hounslow, TW5 9ST, United Kingdom",
                             ["51 Mornington Crescent, Hounslow TW5 9ST"]) is True
