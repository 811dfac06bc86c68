"""Statements read as text: verified-review statements, named contact people, opening hours with abbreviated
day names, delivery-time ranges, Gulf addresses without a postcode - hits and near-misses in several languages.
(Payment methods listed in prose: tests/test_vocab_payments.py.)"""

from __future__ import annotations

import re

import pytest

from trustaudit.extract import extract
from trustaudit.extract.phrases import page_phrases
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.resources import load_yaml
from trustaudit.web.html import ParseCache, ParsedPage


def groups(body: str) -> dict[str, list[str]]:
    pp = ParsedPage(FetchedPage(url="https://shop.example/", status=200, text=f"<html><body>{body}</body></html>"))
    return {k: [e.snippet for e in v] for k, v in page_phrases(pp).items() if v}


@pytest.mark.parametrize(
    "text, group",
    [
        # verified reviews
        ("Wszystkie opinie pochodzą od zweryfikowanych kupujących", "reviews_verified"),
        ("Bewertungen werden vor der Veröffentlichung geprüft", "reviews_verified"),
        ("Отзывы проверяются модераторами перед публикацией", "reviews_verified"),
        ("Όλες οι αξιολογήσεις είναι επαληθευμένες από πραγματικούς πελάτες", "reviews_verified"),
        ("جميع التقييمات من عملاء حقيقيين", "reviews_verified"),
        ("All reviews come from verified buyers", "reviews_verified"),
        ("Geverifieerde aankoop", "reviews_verified"),
        ("Ellenőrzött vásárlás", "reviews_verified"),
        ("Doğrulanmış alıcı", "reviews_verified"),
        # named contact people
        ("Ihr Ansprechpartner: Thomas Berger", "named_people"),
        ("Twoim opiekunem jest Katarzyna Nowak", "named_people"),
        ("Вашим менеджером будет Ирина Петрова", "named_people"),
        ("Anna Kowalska – opiekun klienta", "named_people"),
        ("مسؤول خدمة العملاء: سارة أحمد", "named_people"),
        ("Contactpersoon: Jan de Vries", "named_people"),
        # opening hours with abbreviated day names
        ("Δευ–Παρ 10:00–18:00", "opening_hours"),
        ("Пн–Пт с 10 до 19", "opening_hours"),
        ("Пн.–Пт. 9:00–18:00", "opening_hours"),
        ("السبت – الخميس 9 ص – 10 م", "opening_hours"),
        ("Mo.–Fr. 8–17 Uhr", "opening_hours"),
        ("Pon.–Pt. 8:00–16:00", "opening_hours"),
        ("Ma–pe 9–17", "opening_hours"),
        # delivery times with ranges and dashes
        ("Доставка 3–7 рабочих дней", "delivery_time"),
        ("Wysyłka w 2–3 dni robocze", "delivery_time"),
        ("Παράδοση σε 2–4 εργάσιμες ημέρες", "delivery_time"),
        ("التوصيل خلال 3-5 أيام عمل", "delivery_time"),
        ("Lieferung in 2–4 Werktagen", "delivery_time"),
        ("Levering in 1–2 werkdagen", "delivery_time"),
        ("Szállítás 2–3 munkanap", "delivery_time"),
        ("Αποστολή σε 1–3 ημέρες", "delivery_time"),
        ("Dostawa 24–48h", "delivery_time"),
        ("Доставка по городу займёт 1–2 дня", "delivery_time"),
        # more verified-review statements, inflected names, two-letter Greek days
        ("Отзывы оставляют только реальные покупатели", "reviews_verified"),
        ("Отзыв может оставить только покупатель, получивший заказ", "reviews_verified"),
        ("جميع التقييمات موثقة", "reviews_verified"),
        ("Zadzwoń do Piotra Nowaka – doradcy klienta", "named_people"),
        ("Свяжитесь с Ириной Петровой, вашим менеджером", "named_people"),
        ("Менеджер: Ирина Петрова", "named_people"),
        ("Skontaktuj się z Katarzyną Nowak, opiekunem klienta", "named_people"),
        ("Δε–Πα 9–17", "opening_hours"),
        # one- and two-letter day abbreviations: only with an hour after them
        ("Program: L–V 9–17", "opening_hours"),
        ("Horario: L-V 9:00-18:00", "opening_hours"),
        ("H–P 8–16", "opening_hours"),
        ("Pzt-Cuma 09:00-18:00", "opening_hours"),
        ("Pr–Pn 8–17", "opening_hours"),
        ("P–Pk 9–18", "opening_hours"),
    ],
)
def test_statements(text, group):
    assert group in groups(f"<p>{text}</p>"), text


@pytest.mark.parametrize(
    "text, group",
    [
        ("Zapytaj swojego opiekuna klienta o rabat", "named_people"),  # the role word, but no name
        ("Ihr Ansprechpartner: Kundenservice Team", "named_people"),  # capitalised nouns are not a name
        ("Ansprechpartner für Händler gesucht", "named_people"),
        ("Отзывы наших покупателей о товаре", "reviews_verified"),  # reviews, not a statement that they are checked
        ("Bewertungen unserer Kunden", "reviews_verified"),
        ("Kapitel I–V des Handbuchs", "opening_hours"),  # roman numerals are not days
        ("Размеры 3–7 лет", "delivery_time"),  # an age range is not a delivery time
        ("Wysyłamy od 2010 roku", "delivery_time"),
        ("Garantie 2–3 Jahre", "delivery_time"),
        ("Скидки 1–2 дня", "delivery_time"),  # a sale's length is no delivery time
        ("Акция действует 3–5 дней", "delivery_time"),
        ("Wymiary 24–48 cm", "delivery_time"),
        ("Προσφορά 1–3 ημέρες μόνο", "delivery_time"),
        ("خصم 2 - 4 أيام فقط", "delivery_time"),
        ("Менеджер по продажам: звоните", "named_people"),  # a role and no name
        ("Менеджер паролей Kaspersky", "named_people"),
        ("Opiekun klienta: zadzwoń", "named_people"),
        ("Δε θα βρείτε καλύτερη τιμή", "opening_hours"),  # "δε" is also "not"
        ("Rozmiary L–XL dostępne od ręki", "opening_hours"),  # clothing sizes
        ("Modele L–V bez baterii", "opening_hours"),  # letters, no hour after them
        ("Szerokość H–P oznaczona na rysunku", "opening_hours"),
        ("Отзывы наших покупателей о товаре", "reviews_verified"),
        ("التقييمات والمراجعات", "reviews_verified"),
    ],
)
def test_statement_near_misses(text, group):
    assert group not in groups(f"<p>{text}</p>"), text


_ADDED_GROUPS = ("reviews_verified", "opening_hours", "delivery_time")


def _example(phrase: str) -> str:
    s = phrase.replace("<n>-<n>", "2-4").replace("<n>", "3").replace(" ... ", " wirklich ")
    return re.sub(r"\*", "a", s)


PHRASES = [(g, lang, str(p)) for g in _ADDED_GROUPS
           for lang, lst in load_yaml("vocab/phrases.yaml")["groups"][g]["phrases"].items() for p in lst or []]


@pytest.mark.parametrize("group, lang, phrase", PHRASES, ids=[f"{g}:{lang}:{p}" for g, lang, p in PHRASES])
def test_every_phrase_matches_and_its_first_word_alone_does_not(group, lang, phrase):
    ex = _example(phrase)
    assert group in groups(f"<p>{ex}</p>"), (phrase, ex)
    first = ex.split()[0]
    if len(ex.split()) > 1 and not any(ch.isdigit() for ch in first):
        # the first word alone, in an innocent sentence, is no statement (unless it is itself a phrase)
        alone = [str(p) for lst in load_yaml("vocab/phrases.yaml")["groups"][group]["phrases"].values() for p in lst or []]
        if first.lower().strip(".") not in [a.lower() for a in alone]:
            assert group not in groups(f"<p>{first} zq</p>"), (phrase, first)


def _addresses(body: str, country: str | None) -> list[str]:
    url = "https://shop.example/"
    page = FetchedPage(url=url, status=200, text=f"<html lang='ar'><body>{body}</body></html>")
    snap = SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,))
    return [a.text for a in extract(snap, ParseCache(), country).addresses]


@pytest.mark.parametrize(
    "text, country",
    [
        ("شارع الأمير سلطان، حي الروضة، الرياض", "SA"),
        ("Prince Sultan Rd, Ar Rawdah Dist., Riyadh", "SA"),
        ("Office 12, Al Wasl Road, Jumeirah, Dubai", "AE"),
        ("حي الشاطئ، طريق الكورنيش، جدة", "SA"),
        ("Building 5, Street 820, Zone 45, Doha", "QA"),
    ],
)
def test_gulf_addresses_without_postcode(text, country):
    assert _addresses(f"<footer><p>{text}</p></footer>", country)


@pytest.mark.parametrize(
    "text, country",
    [
        ("نوصل إلى الرياض وجدة والدمام", "SA"),  # cities in prose, no street or district
        ("Free delivery in Riyadh and Jeddah", "SA"),
        ("Ride the Dubai metro, Road trip ideas", "PL"),  # not a Gulf shop: the postcode rule applies
    ],
)
def test_gulf_address_near_misses(text, country):
    assert _addresses(f"<p>{text}</p>", country) == []
