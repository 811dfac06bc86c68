"""Widget fingerprints: review, chat, payment, social, messengers, platform; structured data and phrases."""

from __future__ import annotations

from trustaudit.extract import extract
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.web.html import ParseCache


def art(body: str, url: str = "https://shop.example.pl/", head: str = ""):
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    fp = FetchedPage(url=url, status=200, text=html)
    return extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(fp,)), ParseCache())


def slugs(dets) -> set[str]:
    return {d.slug for d in dets}


def test_review_widgets():
    a = art('<script src="https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js"></script>'
            '<div class="trustpilot-widget"></div>'
            '<script>var _tsid = "X123"; document.write("//connect.ekomi.de/integration_1/x.js")</script>'
            '<a href="https://www.opineo.pl/opinie/shop">Opinie</a>')
    assert {"trustpilot", "trusted_shops", "ekomi", "opineo"} <= slugs(a.review_widgets)


def test_chat_widgets():
    a = art("<script>window.$zopim||(function(d,s){z.s.src='//v2.zopim.com/?abc'})</script>"
            '<script src="//code.jivosite.com/widget/abc" async></script>')
    assert {"zendesk_chat", "jivosite"} <= slugs(a.chat_widgets)


def test_commented_out_widget_is_not_reported():
    a = art("<!-- <script src='//widget.siteheart.com/widget/sh/1/ru/widget.js'></script> -->")
    assert a.chat_widgets == ()


def test_payments_text_markup_and_scripts():
    a = art('<ul><li><svg aria-labelledby="pi-paypal"></svg></li></ul><p>Płatności: BLIK, Przelewy24, '
            'za pobraniem</p><img src="/visa.png" alt="Visa"><img src="/mc.png" alt="Mastercard">'
            '<script src="https://js.stripe.com/v3/"></script>')
    assert {"paypal", "blik", "przelewy24", "stripe", "visa", "mastercard"} <= slugs(a.payment_providers)
    assert "cash_on_delivery" in slugs(a.payment_methods)
    ru = art("<p>Оплата после получения заказа</p>", url="https://shop.ru/")
    assert "cash_on_delivery" in slugs(ru.payment_methods)


def test_visa_alone_as_word_is_not_a_payment():
    a = art("<p>Visa informacija apie prekes</p>", url="https://shop.lt/")
    assert "visa" not in slugs(a.payment_providers)


def test_social_profiles_not_share_buttons():
    a = art('<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>'
            '<a href="https://twitter.com/intent/tweet?text=x">Tweet</a>'
            '<a href="//plus.google.com">G+</a>'
            '<a href="https://vk.com/shop">VK</a><a href="http://www.odnoklassniki.ru/shop">OK</a>'
            '<a href="http://my.mail.ru/community/shop/">Mail</a><a href="https://instagram.com/shop">IG</a>'
            '<link rel="publisher" href="https://plus.google.com/123">')
    assert slugs(a.social) == {"vk", "odnoklassniki", "mail_ru", "instagram"}


def test_messengers():
    a = art('<a href="https://wa.me/48600100200">WhatsApp</a><a href="https://t.me/shop">Telegram</a>'
            '<a href="viber://chat?number=%2B48600100200">Viber</a>')
    assert slugs(a.messengers) == {"whatsapp", "telegram", "viber"}
    assert a.social == ()


def test_platform():
    a = art('<script src="https://cdn.shopify.com/s/files/1/theme.js"></script>',
            head='<meta name="generator" content="WordPress 6.1">')
    assert a.platform is not None and a.platform.slug == "shopify"


def test_jsonld_graph_broken_and_microdata_rating():
    head = """<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"Organization","name":"Shop Sp. z o.o.","telephone":"+48 22 123 45 67","email":"biuro@shop.pl",
       "address":{"@type":"PostalAddress","streetAddress":"ul. Prosta 1","postalCode":"00-950","addressLocality":"Warszawa"}},
      {"@type":"FAQPage","mainEntity":[]},],}</script>"""
    body = ('<div itemscope itemtype="https://schema.org/Product"><div itemprop="aggregateRating" itemscope '
            'itemtype="https://schema.org/AggregateRating"><span itemprop="ratingValue">4.8</span> / '
            '<span itemprop="bestRating">5</span> - <span itemprop="reviewCount">786</span> opinii</div></div>')
    a = art(body, head=head)
    assert {"Organization", "FAQPage", "PostalAddress", "Product", "AggregateRating"} <= set(a.structured_types)
    assert a.aggregate_rating is not None
    assert (a.aggregate_rating.value, a.aggregate_rating.count, a.aggregate_rating.source) == (4.8, 786, "microdata")
    assert "+48221234567" in {p.e164 for p in a.phones}
    assert "biuro@shop.pl" in {e.address for e in a.emails}
    assert any("Warszawa" in ad.text and ad.source == "jsonld" for ad in a.addresses)


def test_phrase_groups():
    a = art("<p>Masz 14 dni na zwrot towaru. Godziny otwarcia: pon-pt 9-17. Lorem ipsum dolor sit amet.</p>"
            "<p>Platforma ODR: https://ec.europa.eu/consumers/odr</p>")
    assert a.phrases["withdrawal_14_days"] and a.phrases["opening_hours"]
    assert a.phrases["placeholder_text"] and a.phrases["odr_link"]
    assert a.phrases["loyalty_programme"] == ()
    assert all(len(e.snippet) <= 160 for hits in a.phrases.values() for e in hits)
    assert "14 dni na zwrot" in a.phrases["withdrawal_14_days"][0].snippet


def test_phrase_groups_other_languages():
    for text, group in [("Widerrufsrecht: innerhalb von 14 Tagen", "withdrawal_14_days"),
                        ("Возврат в течение 14 дней", "withdrawal_14_days"),
                        ("Δικαίωμα επιστροφής εντός 14 ημερών", "withdrawal_14_days"),
                        ("يمكنك الإرجاع خلال 14 يوم", "withdrawal_14_days"),
                        ("Program lojalnościowy i punkty", "loyalty_programme"),
                        ("Бонусная программа для покупателей", "loyalty_programme")]:
        a = art(f"<p>{text}</p>")
        assert a.phrases.get(group), (text, group)


def test_company_address_forms_mixed_content():
    body = ("<footer><p>Michelson Diamonds Global Sp. z o.o.</p><p>ul. Prosta 1</p><p>00-950 Warszawa</p></footer>"
            '<form action="/kontakt/send"><input type="email" name="email"><textarea name="msg"></textarea></form>'
            '<form action="/newsletter"><input type="email"><textarea></textarea></form>'
            '<img src="http://cdn.example.com/a.png"><script src="https://ok.example.com/a.js"></script>')
    a = art(body)
    assert [e.snippet for e in a.company_names] == ["Michelson Diamonds Global Sp. z o.o."]
    assert any("00-950 Warszawa" in ad.text for ad in a.addresses)
    assert len(a.contact_forms) == 1
    assert len(a.mixed_content) == 1 and "http://cdn.example.com/a.png" in a.mixed_content[0].snippet
    assert art(body, url="http://shop.example.pl/").mixed_content == ()


def test_country_and_language():
    a = art("<p>Sklep</p>", url="https://shop.example.pl/")
    assert (a.country, a.country_source) == ("PL", "evidence")
    assert ("tld", ".pl", "PL") in {(e.signal, e.value, e.country) for e in a.country_evidence}
    b = extract(SiteSnapshot(target="x", base_url="https://shop.example.com/", final_url="https://shop.example.com/",
                             local=False, pages=(FetchedPage(url="https://shop.example.com/", status=200,
                                                             text='<html lang="ru"><body>Корзина</body></html>'),)),
                ParseCache())
    assert (b.language, b.country, b.country_source) == ("ru", "RU", "evidence")
    assert {(e.signal, e.country) for e in b.country_evidence} >= {("language", "RU"), ("tld", "US")}
    c = extract(SiteSnapshot(target="x", base_url="https://shop.example.com/", final_url="https://shop.example.com/",
                             local=False, pages=(FetchedPage(url="https://shop.example.com/", status=200,
                                                             text="<p>x</p>"),)), ParseCache(), country_override="gr")
    assert (c.country, c.country_source) == ("GR", "override")
    pl_in_en = art('<p>Darmowa dostawa, regulamin sklepu, koszyk, zamówienia, płatność się</p>')
    assert pl_in_en.language == "pl"


def _shop_pages() -> list:
    from trustaudit.web.html import ParsedPage

    footer = ('<footer><script src="https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js"></script>'
              '<div class="trustpilot-widget" data-locale="pl-PL"></div><img alt="Visa" src="/i/visa.svg">'
              '<a href="https://www.facebook.com/sklep.herbata">FB</a><script>window.$zopim=1;</script>'
              "<p>Płacisz przez BLIK lub Przelewy24</p></footer>")
    bodies = [
        "<p>Strona główna</p>",
        '<p>Produkt</p><img alt="Mastercard" src="/i/mc.svg"><a href="tg://resolve?domain=herbata">Telegram</a>',
        '<p>Kontakt</p><script src="//code.jivosite.com/widget/abc"></script><p>Apple Pay</p>',
    ]
    return [
        ParsedPage(FetchedPage(url=f"https://shop.example.pl/{i}", status=200,
                               text=f"<html><body>{b}{footer}</body></html>"))
        for i, b in enumerate(bodies)
    ]


def test_each_page_is_scanned_on_its_own_and_the_shop_result_takes_the_first_sighting():
    """A page's widget scan depends on that page only (no "seen on an earlier page" state): scanning the pages
    in another order gives each page the same result, and the merged shop result names each service once,
    with the first page (in crawl order) that showed it."""
    from trustaudit.extract.widgets import merge, scan_page

    pages = _shop_pages()
    forward = [scan_page(pp) for pp in pages]
    backward = [scan_page(pp) for pp in reversed(_shop_pages())][::-1]
    assert [dict(w.found) for w in forward] == [dict(w.found) for w in backward]
    full = merge(forward)
    assert {"trustpilot", "zendesk_chat", "jivosite"} <= {d.slug for v in full.values() for d in v}
    assert {"visa", "mastercard"} <= {d.slug for d in full["payment"]}
    # the footer's Trustpilot script is on every page; the shop's detection cites the first
    assert all(("review", "trustpilot") in w.found for w in forward)
    assert [d.url for d in full["review"] if d.slug == "trustpilot"] == [pages[0].url]
