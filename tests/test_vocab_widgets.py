"""Review, trust-badge, chat and social fingerprints: country domains, older widget URLs, profiles on subdomains
and "#!" URLs, national review badges, chat vendors, and their near-misses."""

from __future__ import annotations

import pytest

from trustaudit.extract import extract
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.web.html import ParseCache


def art(body: str, lang: str = "en", host: str = "shop.example", head: str = ""):
    url = f"https://{host}/"
    html = f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"
    page = FetchedPage(url=url, status=200, text=html)
    return extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)), ParseCache())


def slugs(dets) -> set[str]:
    return {d.slug for d in dets}


@pytest.mark.parametrize(
    "lang, body, slug",
    [
        ("de", '<a href="http://www.trustpilot.de/review/www.shop.de">Kundenbewertungen bei Trustpilot</a>', "trustpilot"),
        ("en", '<a href="https://uk.trustpilot.com/review/shop.co.uk">Reviews</a>', "trustpilot"),
        ("da", '<a href="https://dk.trustpilot.com/review/shop.dk">Anmeldelser</a>', "trustpilot"),
        ("en", '<a href="//www.feefo.com/feefo/viewvendor.jsp?logon=www.shop.co.uk&mode=Service">Read reviews</a>', "feefo"),
        ("el", '<script src="https://analytics.skroutz.gr/analytics.min.js"></script>', "skroutz"),
        ("el", '<script src="https://scripts.bestprice.gr/ba.js"></script>', "bestprice"),
        ("pl", '<script src="https://ssl.ceneo.pl/shops/sw.js?accountGuid=abc"></script>', "ceneo"),
        ("pl", '<a href="https://www.opineo.pl/opinie/sklep-pl">Opinie</a>', "opineo"),
        ("pl", '<a href="https://www.okazje.info.pl/sklep-internetowy/sklep-pl/">Opinie w Okazje.info</a>', "okazje"),
        ("cs", '<a href="https://obchody.heureka.cz/obchod-cz/recenze/">Ověřeno zákazníky</a>', "heureka"),
        ("cs", '<a href="https://www.zbozi.cz/obchod/12345/">Hodnocení na Zboží.cz</a>', "zbozi"),
        ("de", '<script src="https://widgets.trustedshops.com/js/X0123456789ABCDEF0123456789ABCDEF.js"></script>',
         "trusted_shops"),
        ("de", '<script>eKomiIntegrationConfig = [{certId: "x"}]</script>', "ekomi"),
        ("en", '<script src="https://staticw2.yotpo.com/abc/widget.js"></script>', "yotpo"),
        ("en", '<div class="jdgm-widget jdgm-preview-badge"></div>', "judge_me"),
        ("en", '<script src="https://apis.google.com/js/platform.js?onload=renderBadge"></script>',
         "google_customer_reviews"),
        ("en", '<div data-bv-show="rating_summary" data-bv-product-id="1"></div>', "bazaarvoice"),
        ("en", '<script src="https://ui.powerreviews.com/stable/4.1/ui.js"></script>', "powerreviews"),
        ("en", '<reevoo-reviewable-badge sku="1"></reevoo-reviewable-badge>', "reevoo"),
        ("fr", '<a href="https://www.avis-verifies.com/avis-clients/shop.fr">Avis Vérifiés</a>', "verified_reviews"),
        ("de", '<script src="https://www.provenexpert.com/widget/richsnippet.js?u=abc"></script>', "provenexpert"),
    ],
)
def test_review_fingerprints(lang, body, slug):
    assert slug in slugs(art(body, lang).review_widgets)


@pytest.mark.parametrize(
    "body, slug",
    [
        ('<a href="https://www.trustpilot.de/">Trustpilot</a>', "trustpilot"),  # the platform's home, no review page
        ('<a href="https://www.skroutz.gr/c/40/kinita-tilefona.html">Skroutz</a>', "skroutz"),  # a price listing
        ('<a href="https://www.ceneo.pl/12345">Porównaj ceny</a>', "ceneo"),  # a product comparison link
        ('<a href="https://www.feefo.com/en-gb/business">Feefo for business</a>', "feefo"),
        ('<p>We love honest reviews from Trustpilot fans</p>', "trustpilot"),  # the name in prose, no widget
    ],
)
def test_review_near_misses(body, slug):
    assert slug not in slugs(art(body).review_widgets)


def test_maroof_is_a_trust_badge_not_a_review_widget():
    a = art('<footer><a href="https://maroof.sa/218433"><img alt="معروف" src="/m.png"></a></footer>', "ar")
    assert "maroof" in slugs(a.trust_badges)
    assert "maroof" not in slugs(a.review_widgets)


@pytest.mark.parametrize(
    "lang, body, slug",
    [
        ("en", '<script>window.fwSettings={"widget_id":77000003511};</script>'
               '<script src="https://euc-widget.freshworks.com/widgets/77000003511.js" async></script>', "freshdesk"),
        ("en", '<script src="https://assets.freshdesk.com/widget/freshwidget.js"></script>', "freshdesk"),
        ("pl", '<script src="https://sklep.thulium.com/chat/chat.js"></script>', "thulium"),
        ("en", '<script src="https://config.gorgias.chat/bundle-loader/01H.js"></script>', "gorgias"),
        ("de", '<script src="https://salesiq.zoho.eu/widget?wc=abc"></script>', "zoho_salesiq"),
        ("ru", '<script src="//code.jivosite.com/widget/abc"></script>', "jivosite"),
        ("el", '<script>var Tawk_API=Tawk_API||{};</script>', "tawk_to"),
        ("cs", '<script src="https://www.smartsuppchat.com/loader.js?"></script>', "smartsupp"),
        ("en", '<inbox-online-store-chat shop-id="1"></inbox-online-store-chat>', "shopify_inbox"),
    ],
)
def test_chat_fingerprints(lang, body, slug):
    assert slug in slugs(art(body, lang).chat_widgets)


@pytest.mark.parametrize(
    "lang, text",
    [("en", "Live Chat Unavailable"), ("pl", "Czat online"), ("ru", "Онлайн-консультант"), ("ar", "الدردشة المباشرة"),
     ("de", "Chatten Sie mit uns")],
)
def test_a_chat_control_without_vendor_is_unidentified(lang, text):
    a = art(f'<footer><a href="javascript:openChat();">{text}</a></footer>', lang)
    assert slugs(a.chat_widgets) == {"unidentified"}


def test_chat_control_of_an_identified_vendor_is_not_unidentified_and_prose_is_no_control():
    a = art('<a href="javascript:;">Live chat</a><script src="https://code.tidio.co/abcdefabcdefabcdefabcdefabcdefab.js">'
            "</script>")
    assert slugs(a.chat_widgets) == {"tidio"}
    b = art("<p>Our live chat team will soon answer questions in many languages, every day of the week.</p>")
    assert b.chat_widgets == ()


def test_waffy_escrow_payment():
    assert "waffy" in slugs(art('<script src="https://api.waffyapp.com/v1/checkout.js"></script>', "ar").payment_providers)
    assert "waffy" in slugs(art("<p>طرق الدفع: مدى، Waffy</p>", "ar").payment_providers)
    # the Arabic spelling without its shadda is the everyday "and in": never a payment
    assert art("<p>وفي متجرنا تجد كل ما تحتاجه</p>", "ar").payment_providers == ()


@pytest.mark.parametrize(
    "href, slug",
    [
        ("http://twitter.com/#!/shopname", "twitter"),
        ("http://shopname.tumblr.com/", "tumblr"),
        ("https://shopname.livejournal.com/", "livejournal"),
        ("https://www.instagram.com/shopname/", "instagram"),
    ],
)
def test_social_profiles_on_hashbang_urls_and_subdomains(href, slug):
    assert slug in slugs(art(f'<footer><a href="{href}">x</a></footer>').social)


@pytest.mark.parametrize(
    "href",
    ["https://www.tumblr.com/", "https://tumblr.com/", "http://twitter.com/#!", "http://twitter.com/?status=Hello",
     "https://www.tumblr.com/share/link?url=x", "https://www.facebook.com/sharer/sharer.php?u=x"],
)
def test_social_near_misses(href):
    assert art(f'<footer><a href="{href}">x</a></footer>').social == ()


def _shopify_icon(name: str, label: str) -> str:
    # how Shopify themes render a payment icon (activemerchant/payment_icons): an svg labelled by "pi-<name>"
    return (f'<li class="list-payment__item"><svg class="icon icon--full-color" viewBox="0 0 38 24" role="img" '
            f'aria-labelledby="pi-{name}"><title id="pi-{name}">{label}</title><path d="M35 0H3"/></svg></li>')


@pytest.mark.parametrize(
    "name, label, slug",
    [("mb", "Multibanco", "multibanco"), ("mbway", "MB WAY", "mbway"), ("stcpay", "Stcpay", "stc_pay"),
     ("trustly", "Trustly", "trustly"), ("venmo", "Venmo", "venmo"), ("swish", "Swish", "swish"),
     ("knet", "KNet", "knet"), ("benefit", "Benefit", "benefit"), ("naps", "Naps", "naps"),
     ("sepa_bank_transfer", "SEPA Bank Transfer", "bank_transfer"), ("clearpay", "Clearpay", "afterpay"),
     ("sezzle", "Sezzle", "sezzle"), ("wechatpay", "WeChat Pay", "wechatpay"), ("samsung_pay", "Samsung Pay", "samsung_pay"),
     ("cartes_bancaires", "Cartes Bancaires", "cartes_bancaires")],
)
def test_shopify_payment_icons(name, label, slug):
    a = art(f'<footer><ul class="list list-payment">{_shopify_icon(name, label)}</ul></footer>')
    assert slug in slugs(a.payment_providers) | slugs(a.payment_methods), name


@pytest.mark.parametrize(
    "body, slug",
    [
        (f'<ul class="list-payment">{_shopify_icon("mbway", "MB WAY")}</ul>', "multibanco"),  # MB WAY is not Multibanco
        ('<div class="pi-benefits-list"><p>Our benefits: free returns</p></div>', "benefit"),
        ('<p>The benefit of a naps routine for toddlers</p>', "naps"),
        ('<ul class="pi-benefit-cards"><li>Fast delivery</li></ul>', "benefit"),
    ],
)
def test_shopify_payment_icon_near_misses(body, slug):
    a = art(body)
    assert slug not in slugs(a.payment_providers) | slugs(a.payment_methods)


@pytest.mark.parametrize(
    "lang, body, slug",
    [
        ("it", '<script src="https://widget.feedaty.com/public/js/feedaty.js"></script>', "feedaty"),
        ("it", '<a href="https://www.feedaty.com/recensioni/negozio-it">Recensioni Feedaty</a>', "feedaty"),
        ("en", '<a href="https://www.sitejabber.com/reviews/shop.com">Read our reviews</a>', "sitejabber"),
        ("ru", '<a href="https://irecommend.ru/content/internet-magazin-shop">Отзывы</a>', "irecommend"),
        ("de", '<script src="https://smart-widget-assets.ekomiapps.de/resources/ekomi_widget.js"></script>', "ekomi"),
    ],
)
def test_more_review_platforms(lang, body, slug):
    assert slug in slugs(art(body, lang).review_widgets)


@pytest.mark.parametrize(
    "body, slug",
    [
        ('<a href="https://www.sitejabber.com/">Sitejabber</a>', "sitejabber"),  # the platform, not a shop's reviews
        ('<a href="https://irecommend.ru/">irecommend</a>', "irecommend"),
        ('<a href="https://www.feedaty.com/it/business">Feedaty per le aziende</a>', "feedaty"),
        ("<p>We were featured on Sitejabber and irecommend last year</p>", "sitejabber"),
    ],
)
def test_more_review_platform_near_misses(body, slug):
    assert slug not in slugs(art(body).review_widgets)


@pytest.mark.parametrize(
    "lang, body, slug",
    [
        ("ru", '<script src="https://cdn.carrotquest.app/api.min.js"></script>', "carrot_quest"),
        ("ru", '<script src="https://cp.onicon.ru/loader/abc.js"></script>', "onicon"),
        ("en", '<script src="https://shop.verloop.io/livechat/script.min.js"></script>', "verloop"),
        ("de", '<script src="https://shop.example/livezilla/script.php?id=abc"></script>', "livezilla"),
        ("pl", '<script src="https://mylivechat.com/chatinline.aspx?hccid=123"></script>', "mylivechat"),
    ],
)
def test_more_chat_vendors(lang, body, slug):
    assert slug in slugs(art(body, lang).chat_widgets)


@pytest.mark.parametrize(
    "body",
    [
        '<a href="https://shop.example/blog/livezilla-review">LiveZilla im Test</a>',  # an article about it
        "<p>Carrot quest, Onicon and Verloop compared: which chat suits a small shop?</p>",
        '<img src="https://shop.example/img/onicon-logo.png" alt="">',
    ],
)
def test_more_chat_vendor_near_misses(body):
    assert art(body).chat_widgets == ()


@pytest.mark.parametrize(
    "lang, body, slug",
    [
        ("ru", '<a href="https://market.yandex.ru/business--shop/123/reviews">Отзывы на Маркете</a>', "yandex_market"),
        ("de", '<a href="https://www.idealo.de/preisvergleich/Shop/12345.html">idealo Händlerbewertungen</a>', "idealo"),
        ("it", '<a href="https://www.idealo.it/confronta-prezzi/Shop/12345.html">idealo</a>', "idealo"),
    ],
)
def test_shop_pages_of_price_comparison_sites_with_merchant_ratings(lang, body, slug):
    assert slug in slugs(art(body, lang).review_widgets)


@pytest.mark.parametrize(
    "body",
    [
        '<a href="https://www.idealo.de/preisvergleich/OffersOfProduct/123_-x.html">Preisvergleich</a>',  # a product
        '<a href="https://market.yandex.ru/product--x/123">Товар на Маркете</a>',
        '<a href="https://www.idealo.de/">idealo</a>',
    ],
)
def test_price_comparison_product_pages_are_no_review_widgets(body):
    assert art(body).review_widgets == ()
