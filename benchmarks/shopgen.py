"""Deterministic generator of realistic local shops for the benchmarks.

``generate_templates(seed)`` builds a small set of distinct shop *templates* (one or two per language and
encoding: pl utf-8, ru windows-1251, el windows-1253, ar windows-1256 and utf-8, en, de). Each template is a
closed site of exactly ``PAGES_PER_SHOP`` (25) HTML pages of 50-300 KB: home, 6 category pages, 9 product
pages and 9 trust pages (contact, about, terms, privacy, returns, complaints, delivery, payment, FAQ), plus
``/robots.txt`` and ``/sitemap.xml``. Every page has a header, navigation, inline CSS, a large inline state
script, external widget scripts (Trustpilot, Tidio, Stripe, ...), JSON-LD (Organization, Product +
AggregateRating, FAQPage, BreadcrumbList) and a footer with contact data and tax IDs.

Serving shop number ``i`` means serving template ``i % len(templates)`` with the marker ``SHOP_ID_MARK``
replaced by the six-digit shop number (same length, so sizes do not change): 1,000 shops cost the memory of a
dozen. Everything is drawn from ``random.Random(seed)``: the same seed gives byte-identical shops.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field

PAGES_PER_SHOP = 25
MIN_PAGE_BYTES = 50_000
MAX_PAGE_BYTES = 300_000
SHOP_ID_MARK = b"SHOP#@"  # six bytes, replaced by the zero-padded shop number when served
DEFAULT_SEED = 7
GRID_CARDS = 300  # product cards on every page of the product-grid shop (``generate_grid``)
GRID_PAGE_BYTES = 150_000  # its page size

TRUST_KINDS = ("contact", "about", "terms", "privacy", "returns", "complaints", "delivery", "payment", "faq")


@dataclass
class Page:
    path: str
    kind: str  # home | category | product | one of TRUST_KINDS
    body: bytes  # encoded in the template's encoding
    gz: bytes | None = None  # gzip of body when the template serves compressed pages


@dataclass
class ShopTemplate:
    key: str  # e.g. "pl-utf8"
    lang: str
    encoding: str  # Python codec name
    charset_label: str  # label written in meta / header
    charset_in_header: bool  # Content-Type carries charset= (else only <meta>)
    gzip: bool
    pages: dict[str, Page] = field(default_factory=dict)
    robots: str = ""  # with an {origin} placeholder
    sitemap: str = ""

    def content_type(self) -> str:
        return f"text/html; charset={self.charset_label}" if self.charset_in_header else "text/html"


# ----------------------------------------------------------------------------------------------- languages

LANGS: dict[str, dict] = {
    "pl": {
        "country": "PL",
        "currency": "PLN",
        "price_fmt": "{:.2f} zł",
        "shop": ["Sklep Zielony Ogród", "Domowa Spiżarnia", "Bieganie.pl Sklep"],
        "slugs": {
            "contact": "kontakt",
            "about": "o-nas",
            "terms": "regulamin",
            "privacy": "polityka-prywatnosci",
            "returns": "zwroty",
            "complaints": "reklamacje",
            "delivery": "dostawa",
            "payment": "platnosci",
            "faq": "faq",
        },
        "anchors": {
            "contact": "Kontakt",
            "about": "O nas",
            "terms": "Regulamin sklepu",
            "privacy": "Polityka prywatności",
            "returns": "Zwroty i odstąpienie od umowy",
            "complaints": "Reklamacje",
            "delivery": "Dostawa i koszty wysyłki",
            "payment": "Metody płatności",
            "faq": "Najczęstsze pytania",
        },
        "cats": ["Ogród", "Kuchnia", "Łazienka", "Dekoracje", "Oświetlenie", "Narzędzia"],
        "words": (
            "ręcznie wykonany solidny wygodny trwały naturalny drewniany bawełniany klasyczny nowoczesny "
            "lekki zestaw produkt jakość gwarancja dostawa zamówienie klient sklep cena promocja nowość "
            "bestseller rozmiar kolor materiał opakowanie polecamy wysyłka dni roboczych zwrot towaru "
            "umowa konsument sprzedawca reklamacja przedsiębiorca świadczenie usługi drogą elektroniczną "
            "wykonanie obowiązek informacyjny dane osobowe zgoda przetwarzanie"
        ).split(),
        "ui": {
            "cart": "Do koszyka",
            "reviews": "Opinie klientów",
            "search": "Szukaj produktów",
            "free": "Darmowa dostawa od 199 zł",
            "news": "Zapisz się do newslettera",
            "home": "Strona główna",
            "copy": "Wszelkie prawa zastrzeżone",
        },
        "contact": [
            "ul. Marszałkowska 84/92 lok. 12",
            "00-514 Warszawa",
            "+48 22 654 32 10",
            "sklep@zielonyogrod.pl",
            "Godziny pracy: pn.-pt. 8:00-16:00",
        ],
        "payments": ["BLIK", "Przelewy24", "Visa", "Mastercard", "PayPo", "Google Pay"],
    },
    "ru": {
        "country": "RU",
        "currency": "RUB",
        "price_fmt": "{:.0f} ₽",
        "shop": ["Интернет-магазин Домовой", "Уютный Дом", "ТехноМаркет"],
        "slugs": {
            "contact": "kontakty",
            "about": "o-kompanii",
            "terms": "oferta",
            "privacy": "politika-konfidencialnosti",
            "returns": "vozvrat",
            "complaints": "pretenzii",
            "delivery": "dostavka",
            "payment": "oplata",
            "faq": "voprosy",
        },
        "anchors": {
            "contact": "Контакты",
            "about": "О компании",
            "terms": "Публичная оферта",
            "privacy": "Политика конфиденциальности",
            "returns": "Возврат и обмен товара",
            "complaints": "Претензии",
            "delivery": "Доставка",
            "payment": "Оплата",
            "faq": "Частые вопросы",
        },
        "cats": ["Кухня", "Спальня", "Гостиная", "Освещение", "Текстиль", "Инструменты"],
        "words": (
            "качественный надёжный удобный прочный натуральный деревянный хлопковый классический "
            "современный лёгкий набор товар качество гарантия доставка заказ покупатель магазин цена "
            "скидка новинка хит размер цвет материал упаковка рекомендуем отправка рабочих дней возврат "
            "договор потребитель продавец претензия индивидуальный предприниматель услуги персональные "
            "данные согласие обработка"
        ).split(),
        "ui": {
            "cart": "В корзину",
            "reviews": "Отзывы покупателей",
            "search": "Поиск товаров",
            "free": "Бесплатная доставка от 3000 ₽",
            "news": "Подпишитесь на рассылку",
            "home": "Главная",
            "copy": "Все права защищены",
        },
        "contact": [
            "ул. Тверская, д. 12, стр. 1, офис 305",
            "125009, Москва",
            "+7 (495) 123-45-67",
            "info@domovoy-shop.ru",
            "Режим работы: пн-пт 9:00-18:00",
        ],
        "payments": ["Visa", "Mastercard", "МИР", "СБП", "ЮMoney"],
    },
    "el": {
        "country": "GR",
        "currency": "EUR",
        "price_fmt": "{:.2f} €",
        "shop": ["Κατάστημα Ελιά", "Σπίτι και Κήπος", "Αθηναϊκό Παντοπωλείο"],
        "slugs": {
            "contact": "epikoinonia",
            "about": "poioi-eimaste",
            "terms": "oroi-xrisis",
            "privacy": "politiki-aporritou",
            "returns": "epistrofes",
            "complaints": "parapona",
            "delivery": "apostoli",
            "payment": "tropoi-pliromis",
            "faq": "syxnes-erotiseis",
        },
        "anchors": {
            "contact": "Επικοινωνία",
            "about": "Ποιοι είμαστε",
            "terms": "Όροι χρήσης",
            "privacy": "Πολιτική απορρήτου",
            "returns": "Επιστροφές προϊόντων",
            "complaints": "Παράπονα",
            "delivery": "Τρόποι αποστολής",
            "payment": "Τρόποι πληρωμής",
            "faq": "Συχνές ερωτήσεις",
        },
        "cats": ["Κουζίνα", "Κήπος", "Μπάνιο", "Διακόσμηση", "Φωτισμός", "Εργαλεία"],
        "words": (
            "χειροποίητο ανθεκτικό άνετο φυσικό ξύλινο βαμβακερό κλασικό μοντέρνο ελαφρύ σετ προϊόν "
            "ποιότητα εγγύηση αποστολή παραγγελία πελάτης κατάστημα τιμή προσφορά νέο μέγεθος χρώμα υλικό "
            "συσκευασία προτείνουμε εργάσιμες ημέρες επιστροφή σύμβαση καταναλωτής πωλητής παράπονο "
            "εταιρεία υπηρεσίες προσωπικά δεδομένα συγκατάθεση επεξεργασία"
        ).split(),
        "ui": {
            "cart": "Προσθήκη στο καλάθι",
            "reviews": "Κριτικές πελατών",
            "search": "Αναζήτηση",
            "free": "Δωρεάν αποστολή άνω των 49 €",
            "news": "Εγγραφή στο newsletter",
            "home": "Αρχική",
            "copy": "Με επιφύλαξη παντός δικαιώματος",
        },
        "contact": [
            "Ερμού 25",
            "105 63 Αθήνα",
            "+30 210 123 4567",
            "info@elia-shop.gr",
            "Ωράριο: Δευτέρα-Παρασκευή 9:00-17:00",
        ],
        "payments": ["Visa", "Mastercard", "PayPal", "IRIS", "Αντικαταβολή"],
    },
    "ar": {
        "country": "SA",
        "currency": "SAR",
        "price_fmt": "{:.2f} ر.س",
        "shop": ["متجر الواحة", "بيت الأناقة", "سوق النخيل"],
        "slugs": {
            "contact": "contact-us",
            "about": "about-us",
            "terms": "terms",
            "privacy": "privacy-policy",
            "returns": "return-policy",
            "complaints": "complaints",
            "delivery": "shipping",
            "payment": "payment",
            "faq": "faq",
        },
        "anchors": {
            "contact": "اتصل بنا",
            "about": "من نحن",
            "terms": "الشروط والأحكام",
            "privacy": "سياسة الخصوصية",
            "returns": "سياسة الاسترجاع",
            "complaints": "الشكاوى",
            "delivery": "الشحن والتوصيل",
            "payment": "طرق الدفع",
            "faq": "الأسئلة الشائعة",
        },
        "cats": ["المطبخ", "الحديقة", "الحمام", "الديكور", "الإضاءة", "الأدوات"],
        "words": (
            "مصنوع يدويا متين مريح طبيعي خشبي قطني كلاسيكي حديث خفيف مجموعة منتج جودة ضمان توصيل طلب "
            "عميل متجر سعر عرض جديد الأكثر مبيعا مقاس لون خامة تغليف ننصح شحن أيام عمل استرجاع عقد "
            "مستهلك بائع شكوى شركة خدمات بيانات شخصية موافقة معالجة"
        ).split(),
        "ui": {
            "cart": "أضف إلى السلة",
            "reviews": "آراء العملاء",
            "search": "ابحث عن منتج",
            "free": "شحن مجاني للطلبات فوق 200 ريال",
            "news": "اشترك في النشرة البريدية",
            "home": "الرئيسية",
            "copy": "جميع الحقوق محفوظة",
        },
        "contact": [
            "طريق الملك فهد، حي العليا",
            "الرياض 12214",
            "+966 11 234 5678",
            "support@alwaha-store.sa",
            "ساعات العمل: الأحد - الخميس 9:00-17:00",
        ],
        "payments": ["مدى", "Visa", "Mastercard", "Apple Pay", "Tabby", "STC Pay"],
    },
    "en": {
        "country": "GB",
        "currency": "GBP",
        "price_fmt": "£{:.2f}",
        "shop": ["Green Garden Store", "Kitchen Corner", "The Running Shop"],
        "slugs": {
            "contact": "contact",
            "about": "about-us",
            "terms": "terms-and-conditions",
            "privacy": "privacy-policy",
            "returns": "returns",
            "complaints": "complaints",
            "delivery": "delivery",
            "payment": "payment",
            "faq": "faq",
        },
        "anchors": {
            "contact": "Contact us",
            "about": "About us",
            "terms": "Terms & Conditions",
            "privacy": "Privacy Policy",
            "returns": "Returns & Refunds",
            "complaints": "Complaints",
            "delivery": "Delivery Information",
            "payment": "Payment methods",
            "faq": "FAQ",
        },
        "cats": ["Garden", "Kitchen", "Bathroom", "Decor", "Lighting", "Tools"],
        "words": (
            "handmade sturdy comfortable durable natural wooden cotton classic modern lightweight set product "
            "quality warranty delivery order customer shop price offer new bestseller size colour material "
            "packaging recommended dispatch working days return contract consumer seller complaint company "
            "services personal data consent processing"
        ).split(),
        "ui": {
            "cart": "Add to basket",
            "reviews": "Customer reviews",
            "search": "Search products",
            "free": "Free UK delivery over £40",
            "news": "Sign up to our newsletter",
            "home": "Home",
            "copy": "All rights reserved",
        },
        "contact": [
            "Unit 4, Riverside Business Park",
            "Leeds LS10 1AB",
            "+44 113 496 0123",
            "hello@greengarden.co.uk",
            "Opening hours: Mon-Fri 9am-5pm",
        ],
        "payments": ["Visa", "Mastercard", "PayPal", "Klarna", "Apple Pay"],
    },
    "de": {
        "country": "DE",
        "currency": "EUR",
        "price_fmt": "{:.2f} €",
        "shop": ["Gartenwelt Müller", "Küchenzauber", "Laufladen Berlin"],
        "slugs": {
            "contact": "kontakt",
            "about": "impressum",
            "terms": "agb",
            "privacy": "datenschutz",
            "returns": "widerruf",
            "complaints": "beschwerden",
            "delivery": "versand",
            "payment": "zahlungsarten",
            "faq": "faq",
        },
        "anchors": {
            "contact": "Kontakt",
            "about": "Impressum",
            "terms": "AGB",
            "privacy": "Datenschutzerklärung",
            "returns": "Widerrufsbelehrung",
            "complaints": "Beschwerden",
            "delivery": "Versand und Lieferung",
            "payment": "Zahlungsarten",
            "faq": "Häufige Fragen",
        },
        "cats": ["Garten", "Küche", "Badezimmer", "Dekoration", "Beleuchtung", "Werkzeug"],
        "words": (
            "handgemacht robust bequem langlebig natürlich hölzern Baumwolle klassisch modern leicht Set "
            "Produkt Qualität Garantie Lieferung Bestellung Kunde Shop Preis Angebot neu Bestseller Größe "
            "Farbe Material Verpackung empfehlen Versand Werktage Rücksendung Vertrag Verbraucher Verkäufer "
            "Reklamation Unternehmen Dienstleistungen personenbezogene Daten Einwilligung Verarbeitung"
        ).split(),
        "ui": {
            "cart": "In den Warenkorb",
            "reviews": "Kundenbewertungen",
            "search": "Produkte suchen",
            "free": "Kostenloser Versand ab 50 €",
            "news": "Newsletter abonnieren",
            "home": "Startseite",
            "copy": "Alle Rechte vorbehalten",
        },
        "contact": [
            "Hauptstraße 17",
            "10115 Berlin",
            "+49 30 12345678",
            "service@gartenwelt-mueller.de",
            "Servicezeiten: Mo-Fr 9-17 Uhr",
        ],
        "payments": ["PayPal", "Klarna", "Visa", "Mastercard", "SEPA-Lastschrift", "Giropay"],
    },
}

# key, lang, codec, charset label, charset in HTTP header, gzip
TEMPLATE_SPECS: tuple[tuple[str, str, str, str, bool, bool], ...] = (
    ("pl-utf8", "pl", "utf-8", "utf-8", True, True),
    ("ru-cp1251", "ru", "cp1251", "windows-1251", True, False),
    ("el-cp1253", "el", "cp1253", "windows-1253", False, False),
    ("ar-cp1256", "ar", "cp1256", "windows-1256", False, True),
    ("ar-utf8", "ar", "utf-8", "utf-8", True, True),
    ("en-utf8", "en", "utf-8", "utf-8", True, True),
    ("de-utf8", "de", "utf-8", "UTF-8", False, True),
    ("pl-utf8-b", "pl", "utf-8", "utf-8", False, False),
    ("ru-utf8", "ru", "utf-8", "utf-8", True, True),
    ("el-utf8", "el", "utf-8", "utf-8", True, True),
    ("en-utf8-b", "en", "utf-8", "utf-8", False, False),
    ("de-iso", "de", "cp1252", "iso-8859-1", True, False),
)

WIDGET_SCRIPTS = (
    "https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js",
    "https://code.tidio.co/x8f2kq1lmp0w9zzyq3h4.js",
    "https://js.stripe.com/v3/",
    "https://www.googletagmanager.com/gtag/js?id=G-4X7Q2ZP9LM",
    "https://connect.facebook.net/en_US/fbevents.js",
    "https://static.klaviyo.com/onsite/js/klaviyo.js?company_id=XyZ123",
    "https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js",
    "https://widgets.trustedshops.com/js/X1234567890ABCDEF.js",
    "https://embed.tawk.to/5f8e1a2b3c4d5e6f7a8b9c0d/default",
    "https://www.paypal.com/sdk/js?client-id=sb&currency=EUR",
)
SOCIAL = (
    "https://www.facebook.com/{s}",
    "https://www.instagram.com/{s}/",
    "https://www.youtube.com/@{s}",
    "https://www.tiktok.com/@{s}",
    "https://wa.me/48226543210",
    "https://t.me/{s}",
)


# ------------------------------------------------------------------------------------------- identifiers


def _digits(rng: random.Random, n: int) -> list[int]:
    return [rng.randrange(10) for _ in range(n)]


def _pl_nip(rng: random.Random) -> str:
    while True:
        d = _digits(rng, 9)
        c = sum(a * b for a, b in zip(d, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=True)) % 11
        if c != 10 and d[0] != 0:
            s = "".join(map(str, d + [c]))
            return f"{s[:3]}-{s[3:6]}-{s[6:8]}-{s[8:]}"


def _pl_regon(rng: random.Random) -> str:
    d = _digits(rng, 8)
    c = sum(a * b for a, b in zip(d, (8, 9, 2, 3, 4, 5, 6, 7), strict=True)) % 11 % 10
    return "".join(map(str, d + [c]))


def _ru_inn(rng: random.Random) -> str:
    d = [7, 7] + _digits(rng, 7)
    c = sum(a * b for a, b in zip(d, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True)) % 11 % 10
    return "".join(map(str, d + [c]))


def _ru_ogrn(rng: random.Random) -> str:
    d = "1" + "".join(map(str, _digits(rng, 11)))
    return d + str(int(d) % 11 % 10)


def _gr_afm(rng: random.Random) -> str:
    d = [0] + _digits(rng, 7)
    d[0] = rng.choice((0, 8, 9))
    c = sum(x * 2 ** (8 - i) for i, x in enumerate(d)) % 11 % 10
    return "".join(map(str, d + [c]))


def _de_vat(rng: random.Random) -> str:
    d = [rng.randrange(1, 10)] + _digits(rng, 7)
    p = 10
    for x in d:  # ISO 7064 MOD 11,10
        s = (x + p) % 10 or 10
        p = (2 * s) % 11
    return "DE" + "".join(map(str, d)) + str((11 - p) % 10)


def _sa_vat(rng: random.Random) -> str:
    return "3" + "".join(map(str, _digits(rng, 13))) + "3"


def identity_lines(lang: str, rng: random.Random) -> list[str]:
    if lang == "pl":
        return [
            f"NIP: {_pl_nip(rng)}",
            f"REGON: {_pl_regon(rng)}",
            f"KRS: 0000{rng.randrange(100000, 999999)}",
            "Sąd Rejonowy dla m.st. Warszawy, XII Wydział Gospodarczy KRS",
            "Kapitał zakładowy: 50 000 zł",
        ]
    if lang == "ru":
        return [f"ИНН: {_ru_inn(rng)}", f"ОГРН: {_ru_ogrn(rng)}", f"КПП: 7701{rng.randrange(10000, 99999)}"]
    if lang == "el":
        return [f"ΑΦΜ: {_gr_afm(rng)}", "ΔΟΥ: Α' Αθηνών", f"ΓΕΜΗ: {rng.randrange(10**11, 10**12)}"]
    if lang == "ar":
        return [f"الرقم الضريبي: {_sa_vat(rng)}", f"السجل التجاري: {rng.randrange(10**9, 10**10)}"]
    if lang == "de":
        return [
            f"USt-IdNr.: {_de_vat(rng)}",
            f"Handelsregister: HRB {rng.randrange(10000, 99999)} B",
            "Registergericht: Amtsgericht Charlottenburg",
            "Geschäftsführer: Thomas Müller",
        ]
    return [
        f"Company number: {rng.randrange(10**7, 10**8)}",
        "Registered in England and Wales",
        f"VAT number: GB {rng.randrange(100, 999)} {rng.randrange(1000, 9999)} {rng.randrange(10, 99)}",
    ]


# ------------------------------------------------------------------------------------------------- pages


class _Writer:
    """Builds one template; every random draw comes from one seeded Random."""

    def __init__(self, spec: tuple, seed: int, grid: bool = False):
        self.key, self.lang, self.codec, self.label, self.in_header, self.gzip = spec
        self.grid = grid  # every page: its own content plus a grid of GRID_CARDS product cards
        self.rng = random.Random(f"{seed}:{self.key}")
        self.L = LANGS[self.lang]
        self.shop = self.rng.choice(self.L["shop"])
        self.handle = "".join(c for c in self.key if c.isalnum()) + "shop"
        self.ids = identity_lines(self.lang, self.rng)
        self.words = self.L["words"]
        self.widgets = self.rng.sample(WIDGET_SCRIPTS, 6)
        self.cat_paths = [
            f"/kategoria-{i + 1}" if self.lang == "pl" else f"/c/{i + 1}-{self._slug(c)}"
            for i, c in enumerate(self.L["cats"])
        ]
        self.products = [
            (
                f"/p/{1000 + i}-{self._slug(self._phrase(2))}",
                self._phrase(3).capitalize(),
                round(self.rng.uniform(9, 900), 2),
                round(self.rng.uniform(3.6, 5.0), 1),
                self.rng.randrange(3, 2400),
            )
            for i in range(9)
        ]
        self.trust_paths = {k: "/" + self.L["slugs"][k] for k in TRUST_KINDS}

    # -- helpers ------------------------------------------------------------------------------------------
    def _slug(self, text: str) -> str:
        s = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower()).strip("-")
        return "-".join(x for x in s.split("-") if x) or f"x{self.rng.randrange(1000)}"

    def _phrase(self, n: int) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(n))

    def _sentence(self) -> str:
        return self._phrase(self.rng.randrange(8, 20)).capitalize() + "."

    def _para(self, n: int) -> str:
        return " ".join(self._sentence() for _ in range(n))

    def _price(self, v: float) -> str:
        return self.L["price_fmt"].format(v)

    # -- page parts -----------------------------------------------------------------------------------------
    def head(self, title: str, kind: str, path: str, jsonld: list[dict]) -> str:
        rng = self.rng
        meta = (
            f'<meta charset="{self.label}">'
            if rng.random() < 0.6
            else f'<meta http-equiv="Content-Type" content="text/html; charset={self.label}">'
        )
        css = "\n".join(
            f".c{rng.randrange(10**5)} .el-{i}{{margin:{rng.randrange(20)}px;padding:{rng.randrange(20)}px;"
            f"color:#{rng.randrange(0xFFFFFF):06x};font:{rng.randrange(10, 24)}px/1.4 Inter,sans-serif}}"
            for i in range(rng.randrange(60, 180) if not self.grid else rng.randrange(10, 20))
        )
        state = {
            "shop": {"id": "SHOP#@", "currency": self.L["currency"], "locale": self.lang},
            "page": {"type": kind, "path": path},
            "catalog": [
                {
                    "id": rng.randrange(10**6),
                    "name": self._phrase(3),
                    "price": round(rng.uniform(5, 500), 2),
                    "variants": [
                        {"sku": f"SKU-{rng.randrange(10**8)}", "stock": rng.randrange(50)}
                        for _ in range(rng.randrange(1, 4))
                    ],
                }
                for _ in range(rng.randrange(20, 140) if not self.grid else rng.randrange(3, 8))
            ],
        }
        ld = "".join(
            f'<script type="application/ld+json">{json.dumps(x, ensure_ascii=False)}</script>\n'
            for x in jsonld
        )
        ext = "\n".join(f'<script async src="{u}"></script>' for u in self.widgets)
        rtl = ' dir="rtl"' if self.lang == "ar" else ""
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"{rtl}>\n'
            f"<head>\n{meta}\n<title>{title} | {self.shop} SHOP#@</title>\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="description" content="{self._sentence()}">\n'
            f'<link rel="canonical" href="{path}">\n<link rel="stylesheet" href="/assets/theme.css?v=3.14">\n'
            f'<link rel="icon" href="/favicon.ico">\n<style>{css}</style>\n{ld}'
            f"<script>window.dataLayer=window.dataLayer||[];window.__STATE__={json.dumps(state, ensure_ascii=False)};"
            f"</script>\n{ext}\n</head>\n"
        )

    def header(self) -> str:
        ui = self.L["ui"]
        cats = "".join(
            f'<li class="menu-item"><a href="{p}">{c}</a></li>'
            for p, c in zip(self.cat_paths, self.L["cats"], strict=True)
        )
        return (
            f'<body class="page-{self.key}">\n<div class="topbar"><span>{ui["free"]}</span> '
            f'<a href="tel:{self.L["contact"][2].replace(" ", "")}">{self.L["contact"][2]}</a></div>\n'
            f'<header id="header" class="site-header"><a class="logo" href="/"><img src="/assets/logo.svg" '
            f'alt="{self.shop}"></a><form action="/search" class="search"><input name="q" '
            f'placeholder="{ui["search"]}"></form><a class="cart" href="/cart" aria-label="cart">0</a></header>\n'
            f'<nav class="main-menu"><ul><li><a href="/">{ui["home"]}</a></li>{cats}'
            f'<li><a href="{self.trust_paths["contact"]}">{self.L["anchors"]["contact"]}</a></li></ul></nav>\n'
        )

    def card(self, i: int) -> str:
        path, name, price, rating, count = self.products[i % len(self.products)]
        old = price * self.rng.uniform(1.05, 1.5)
        return (
            f'<div class="product-card" data-id="{1000 + i}"><a href="{path}" class="product-link">'
            f'<img loading="lazy" src="/img/{1000 + i}-{self.rng.randrange(10**6)}.webp" alt="{name}" width="300" '
            f'height="300"><h3 class="product-title">{name} {self._phrase(2)}</h3></a>'
            f'<div class="price"><span class="old">{self._price(old)}</span> <span class="now">{self._price(price)}'
            f'</span></div><div class="stars" title="{rating}/5">{"★" * round(rating)}</div>'
            f'<p class="desc">{self._sentence()}</p><button class="btn add" data-sku="{self.rng.randrange(10**8)}">'
            f"{self.L['ui']['cart']}</button></div>\n"
        )

    def grid_card(self, i: int) -> str:
        """A listing card as themes write them in long grids (~450 bytes: link, picture, name, prices, stars)."""
        path, name, price, rating, _count = self.products[i % len(self.products)]
        return (
            f'<li class="product-card" data-id="{1000 + i}"><a href="{path}"><img loading="lazy" '
            f'src="/img/{1000 + i}-{self.rng.randrange(10**6)}.webp" alt="{name}" width="240" height="240">'
            f'<h3 class="product-title">{name} {self._phrase(2)}</h3></a><div class="price"><span class="now">'
            f'{self._price(price * self.rng.uniform(0.8, 1.2))}</span> <s>{self._price(price * 1.3)}</s></div>'
            f'<div class="stars" title="{rating}/5">{"★" * round(rating)}</div><button class="btn add" '
            f'data-sku="{self.rng.randrange(10**8)}">{self.L["ui"]["cart"]}</button></li>\n'
        )

    def footer(self) -> str:
        L = self.L
        links = "".join(
            f'<li><a href="{self.trust_paths[k]}">{L["anchors"][k]}</a></li>' for k in TRUST_KINDS
        )
        c = L["contact"]
        social = "".join(
            f'<a href="{u.format(s=self.handle)}" rel="noopener" target="_blank">{u.split("/")[2]}</a> '
            for u in SOCIAL
        )
        pays = "".join(f'<img src="/assets/pay-{i}.svg" alt="{p}"> ' for i, p in enumerate(L["payments"]))
        ids = "<br>".join(self.ids)
        return (
            f'<footer class="site-footer"><div class="footer-cols"><div class="col"><h4>{self.shop}</h4><ul>{links}'
            f'</ul></div><div class="col contact"><address>{self.shop} SHOP#@<br>{c[0]}<br>{c[1]}<br>'
            f'<a href="tel:{c[2].replace(" ", "")}">{c[2]}</a><br><a href="mailto:{c[3]}">{c[3]}</a><br>{c[4]}'
            f'</address><p class="company-ids">{ids}</p></div><div class="col social">{social}</div>'
            f'<div class="col payments">{pays}</div><form class="newsletter"><label>{L["ui"]["news"]}</label>'
            f'<input type="email" name="email"></form></div><p class="copy">© 2015-2025 {self.shop}. '
            f"{L['ui']['copy']}.</p></footer>\n"
            f'<div class="trustpilot-widget" data-locale="{self.lang}" data-businessunit-id="5f1a2b3c4d5e6f7a8b9c0d1e">'
            f'</div>\n<script>gtag("config","G-4X7Q2ZP9LM");window.tidioChatApi&&tidioChatApi.on("ready",'
            f"function(){{}});</script>\n</body>\n</html>\n"
        )

    def org_ld(self) -> dict:
        c = self.L["contact"]
        return {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": self.shop,
            "url": "/",
            "email": c[3],
            "telephone": c[2],
            "address": {
                "@type": "PostalAddress",
                "streetAddress": c[0],
                "addressLocality": c[1],
                "addressCountry": self.L["country"],
            },
            "sameAs": [u.format(s=self.handle) for u in SOCIAL[:3]],
        }

    # -- pages ----------------------------------------------------------------------------------------------
    def page(self, kind: str, path: str, target: int, idx: int = 0) -> Page:
        L = self.L
        rng = self.rng
        jsonld: list[dict] = [self.org_ld()] if kind == "home" or rng.random() < 0.4 else []
        main: list[str] = []
        if kind == "home":
            title = L["ui"]["home"]
            main.append(f'<section class="hero"><h1>{self.shop}</h1><p>{self._para(3)}</p></section>')
            main.append(
                '<section class="product-grid">' + "".join(self.card(i) for i in range(9)) + "</section>"
            )
        elif kind == "category":
            title = L["cats"][idx]
            main.append(f"<h1>{title}</h1><p class='cat-desc'>{self._para(4)}</p>")
        elif kind == "product":
            ppath, name, price, rating, count = self.products[idx]
            title = name
            jsonld.append(
                {
                    "@context": "https://schema.org",
                    "@type": "Product",
                    "name": name,
                    "sku": f"SKU-{1000 + idx}",
                    "offers": {"@type": "Offer", "price": price, "priceCurrency": L["currency"]},
                    "aggregateRating": {
                        "@type": "AggregateRating",
                        "ratingValue": rating,
                        "reviewCount": count,
                        "bestRating": 5,
                    },
                }
            )
            main.append(
                f'<div class="product-page"><h1>{name}</h1><div class="price">{self._price(price)}</div>'
                f'<button class="btn add">{L["ui"]["cart"]}</button><div class="description">'
                + "".join(f"<p>{self._para(3)}</p>" for _ in range(4))
                + "</div></div>"
            )
            main.append(f'<section class="reviews"><h2>{L["ui"]["reviews"]} ({count})</h2>')
        else:
            title = L["anchors"][kind]
            main.append(f"<article class='cms-page'><h1>{title}</h1>")
            if kind == "contact":
                c = L["contact"]
                main.append(
                    f"<p>{c[0]}, {c[1]}</p><p>{c[2]}</p><p><a href='mailto:{c[3]}'>{c[3]}</a></p>"
                    f"<p>{'<br>'.join(self.ids)}</p><form class='contact-form' method='post'>"
                    f"<input name='name'><textarea name='msg'></textarea></form>"
                )
            if kind == "faq":
                qa = [(self._phrase(6).capitalize() + "?", self._para(2)) for _ in range(8)]
                jsonld.append(
                    {
                        "@context": "https://schema.org",
                        "@type": "FAQPage",
                        "mainEntity": [
                            {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
                            for q, a in qa
                        ],
                    }
                )
                main.append("".join(f"<details><summary>{q}</summary><p>{a}</p></details>" for q, a in qa))
        jsonld.append(
            {
                "@context": "https://schema.org",
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": L["ui"]["home"], "item": "/"},
                    {"@type": "ListItem", "position": 2, "name": title, "item": path},
                ],
            }
        )
        head = self.head(title, kind, path, jsonld)
        if self.grid:
            main.append(
                '<ul class="product-grid">' + "".join(self.grid_card(i) for i in range(GRID_CARDS)) + "</ul>"
            )
        top = self.header() + "<main id='content'>" + "".join(main)
        tail = ("</section>" if kind == "product" else "") + ("</article>" if kind in TRUST_KINDS else "")
        tail += "</main>\n" + self.footer()
        size = len((head + top + tail).encode(self.codec, "xmlcharrefreplace"))
        fill: list[str] = []
        n = 0
        while size < target and n < 10_000:  # bounded: pad with the page kind's natural content
            if self.grid:
                chunk = f"<p class='seo'>{self._para(1)}</p>\n"
            elif kind in ("home", "category"):
                chunk = self.card(n)
            elif kind == "product":
                chunk = (
                    f'<div class="review"><span class="author">{self._phrase(1).capitalize()}</span> '
                    f'<span class="stars">{"★" * rng.randrange(3, 6)}</span><p>{self._para(2)}</p></div>\n'
                )
            else:
                chunk = f"<h3>§ {n + 1}. {self._phrase(3).capitalize()}</h3>\n<p>{self._para(6)}</p>\n"
            fill.append(chunk)
            size += len(chunk.encode(self.codec, "xmlcharrefreplace"))
            n += 1
        if kind == "category":
            fill = ['<section class="product-grid">', *fill, "</section>"]
        html = head + top + "".join(fill) + tail
        body = html.encode(self.codec, "xmlcharrefreplace")
        return Page(path, kind, body, gzip.compress(body, 6, mtime=0) if self.gzip else None)

    def build(self) -> ShopTemplate:
        t = ShopTemplate(self.key, self.lang, self.codec, self.label, self.in_header, self.gzip)
        plan: list[tuple[str, str, int]] = [("home", "/", 0)]
        plan += [("category", p, i) for i, p in enumerate(self.cat_paths)]
        plan += [("product", p[0], i) for i, p in enumerate(self.products)]
        plan += [(k, self.trust_paths[k], 0) for k in TRUST_KINDS]
        assert len(plan) == PAGES_PER_SHOP
        for kind, path, idx in plan:
            target = self.rng.randrange(MIN_PAGE_BYTES + 2_000, MAX_PAGE_BYTES - 20_000)
            if self.grid:
                target = GRID_PAGE_BYTES
            t.pages[path] = self.page(kind, path, target, idx)
        # {origin} is filled in by the server from the Host header: robots.txt and sitemaps need absolute URLs
        t.robots = "User-agent: *\nDisallow: /cart\nDisallow: /search\nSitemap: {origin}/sitemap.xml\n"
        urls = "".join(f"<url><loc>{{origin}}{p}</loc></url>" for p in t.pages)
        t.sitemap = (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{urls}</urlset>'
        )
        return t


def generate_templates(seed: int = DEFAULT_SEED, count: int | None = None) -> list[ShopTemplate]:
    """The shop templates for ``seed`` (all of ``TEMPLATE_SPECS`` unless ``count`` is given)."""
    specs = TEMPLATE_SPECS[: count or len(TEMPLATE_SPECS)]
    return [_Writer(spec, seed).build() for spec in specs]


GRID_SPEC = ("pl-grid", "pl", "utf-8", "utf-8", True, True)


def generate_grid(seed: int = DEFAULT_SEED) -> ShopTemplate:
    """The product-grid shop: 25 pages of about ``GRID_PAGE_BYTES`` (the same plan as the other templates), each
    with ``GRID_CARDS`` product cards, as a shop's category listings show them (long grids are what make a page
    large on most shops: many small elements, links, prices and product names)."""
    return _Writer(GRID_SPEC, seed, grid=True).build()


def personalise(body: bytes, shop_no: int) -> bytes:
    """The template page as served for shop ``shop_no`` (marker -> six-digit number, same length)."""
    return body.replace(SHOP_ID_MARK, b"%06d" % (shop_no % 1_000_000))
