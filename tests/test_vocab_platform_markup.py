"""The markup today's shop platforms and widget vendors emit, as their own public templates and embed snippets
write it (Shopify's Dawn footer and payment icons, WooCommerce gateways, review and chat vendors' snippets), and
the same names where they are no evidence: an icon that is no payment logo, a vendor's name in prose, a look-alike
class name."""

from __future__ import annotations

import pytest

from trustaudit.extract import extract
from trustaudit.models import FetchedPage, SiteSnapshot
from trustaudit.web.html import ParseCache


def art(body: str, lang: str = "en", host: str = "shop.example"):
    url = f"https://{host}/"
    page = FetchedPage(url=url, status=200, text=f"<html lang='{lang}'><head></head><body>{body}</body></html>")
    return extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)), ParseCache())


def pay(body: str, lang: str = "en") -> set[str]:
    a = art(body, lang)
    return {d.slug for d in a.payment_providers + a.payment_methods}


def slugs(dets) -> set[str]:
    return {d.slug for d in dets}


def icon(name: str, label: str) -> str:
    """One payment icon as Shopify's `payment_type_svg_tag` renders it (activemerchant/payment_icons)."""
    return (f'<li class="list-payment__item"><svg class="icon icon--full-color" viewBox="0 0 38 24" '
            f'xmlns="http://www.w3.org/2000/svg" role="img" width="38" height="24" aria-labelledby="pi-{name}">'
            f'<title id="pi-{name}">{label}</title><path d="M35 0H3C1.3 0 0 1.3 0 3v18c0 1.7 1.4 3 3 3h32"/></svg></li>')


def footer(*icons: str) -> str:
    """Dawn's footer payment block (sections/footer.liquid: `shop.enabled_payment_types`)."""
    return ('<div id="shopify-section-footer" class="shopify-section"><footer class="footer"><div class="footer__payment">'
            '<span class="visually-hidden">Payment methods</span><ul class="list list-payment" role="list">'
            + "".join(icons) + "</ul></div></footer></div>")


# name and label as in activemerchant/payment_icons db/payment_icons/payment_methods.yml -> our slug
SHOPIFY_ICONS = [
    ("visa", "Visa", "visa"), ("master", "Mastercard", "mastercard"), ("american_express", "American Express",
    "american_express"), ("paypal", "PayPal", "paypal"), ("apple_pay", "Apple Pay", "apple_pay"),
    ("google_pay", "Google Pay", "google_pay"), ("shopify_pay", "Shop Pay", "shop_pay"), ("klarna", "Klarna", "klarna"),
    ("ideal", "iDEAL", "ideal"), ("bancontact", "Bancontact", "bancontact"), ("blik", "BLIK", "blik"),
    ("przelewy24", "Przelewy24", "przelewy24"), ("payu", "PayU", "payu"), ("paysafecard", "Paysafecard", "paysafecard"),
    ("eps", "EPS", "eps"), ("mb", "Multibanco", "multibanco"), ("mbway", "MB WAY", "mbway"), ("twint", "Twint", "twint"),
    ("scalapay", "Scalapay", "scalapay"), ("bizum", "Bizum", "bizum"), ("affirm", "Affirm", "affirm"),
    ("alma", "Alma", "alma"), ("oney", "Oney", "oney"), ("sequra", "SeQura", "sequra"), ("billie", "Billie", "billie"),
    ("tabby", "Tabby", "tabby"), ("tamara", "Tamara", "tamara"), ("mokka", "Mokka", "mokka"), ("paypo", "PayPo", "paypo"),
    ("riverty", "Riverty", "riverty"), ("alipay", "AliPay", "alipay"), ("interac", "Interac", "interac"),
    ("elo", "Elo", "elo"), ("postfinance_card", "PostFinance Card", "postfinance"), ("ratepay", "RatePay", "ratepay"),
    ("walley", "Walley", "walley"), ("in3", "in3", "in3"), ("myfatoorah", "MyFatoorah", "myfatoorah"),
    ("revolut", "Revolut", "revolut_pay"), ("v_pay", "V PAY", "visa"), ("fawry", "Fawry", "fawry"),
]


@pytest.mark.parametrize("name, label, slug", SHOPIFY_ICONS, ids=[n for n, _l, _s in SHOPIFY_ICONS])
def test_shopify_payment_icon(name, label, slug):
    assert slug in pay(footer(icon(name, label)))


def test_an_svg_title_names_a_payment_logo_whatever_its_id():
    # the label alone, under an id the vocabulary does not know (themes copy the icon with their own ids)
    got = pay(footer(icon("x-card-1", "PayU"), icon("x-card-2", "Paysafecard"), icon("x-card-3", "Riverty")), "pl")
    assert {"payu", "paysafecard", "riverty"} <= got
    # an aria-label on the <svg> itself
    assert "sequra" in pay('<svg role="img" aria-label="SeQura" viewBox="0 0 38 24"><path d="M0 0"/></svg>', "es")


def test_list_only_names_in_svg_titles_need_the_list():
    # "Alma" / "Billie" are first names: as the sole icon title they say nothing, beside other icons they are a list
    assert pay(footer(icon("a", "Alma"))) == set()
    assert {"alma", "visa"} <= pay(footer(icon("a", "Alma"), icon("visa", "Visa")), "fr")


@pytest.mark.parametrize("body", [
    # an icon that is no payment logo
    '<svg role="img" aria-labelledby="icon-search"><title id="icon-search">Search</title></svg>',
    # a travel-visa product's icon: "Visa" alone needs another payment name on the page
    '<svg role="img"><title>Visa</title></svg><h2>Visa application service</h2>',
    # the page title is no logo
    '<p>Welcome</p>',
])
def test_svg_near_misses(body):
    assert pay(body) == set()


def test_head_title_is_not_an_svg_title():
    url = "https://shop.example/"
    html = "<html><head><title>Klarna Bank partner shop</title></head><body><svg><path d='M0 0'/></svg></body></html>"
    page = FetchedPage(url=url, status=200, text=html)
    a = extract(SiteSnapshot(target=url, base_url=url, final_url=url, local=False, pages=(page,)), ParseCache())
    assert "klarna" not in slugs(a.payment_providers)


@pytest.mark.parametrize("body, slug", [
    # WooCommerce PayPal Payments: the smart-button container and Pay Later messages
    ('<div class="ppc-button-wrapper"><div id="ppc-button-ppcp-gateway"></div></div>', "paypal"),
    ('<div id="ppcp-messages" data-partner-attribution-id="Woo_PPCP"></div>', "paypal"),
    # WooCommerce Stripe Gateway: the express checkout (payment request) button
    ('<div id="wc-stripe-payment-request-wrapper"><div id="wc-stripe-payment-request-button"></div></div>', "stripe"),
    # WooCommerce checkout: <li class="wc_payment_method payment_method_<gateway id>">
    ('<ul class="wc_payment_methods"><li class="wc_payment_method payment_method_cod"><label>Cash</label></li></ul>',
     "cash_on_delivery"),
    ('<ul class="wc_payment_methods"><li class="wc_payment_method payment_method_bacs"></li></ul>', "bank_transfer"),
    ('<input id="payment_method_przelewy24_payment" type="radio" name="payment_method">', "przelewy24"),
    # Font Awesome card icons
    ('<ul class="payment-icons"><li><i class="fab fa-cc-visa"></i></li><li><i class="fab fa-cc-mastercard"></i></li>'
     '<li><i class="fab fa-cc-amex"></i></li></ul>', "american_express"),
])
def test_woocommerce_and_icon_font_payment_markup(body, slug):
    assert slug in pay(body)


@pytest.mark.parametrize("body, slug", [
    ('<li class="wc_payment_method payment_method_codice_sconto"></li>', "cash_on_delivery"),  # not the "cod" gateway
    ('<li class="wc_payment_method payment_method_bacsx"></li>', "bank_transfer"),
    ('<i class="fa fa-credit-card"></i>', "visa"),  # a generic card icon names no scheme
])
def test_woocommerce_markup_near_misses(body, slug):
    assert slug not in pay(body)


@pytest.mark.parametrize("lang, body, slug", [
    # Judge.me's preview badge and widgets (every element has a jdgm- class)
    ("en", '<div class="jdgm-prev-badge" data-average-rating="4.80" data-number-of-reviews="25">'
           '<span class="jdgm-prev-badge__stars" data-score="4.80"></span></div>', "judge_me"),
    ("en", '<div id="judgeme_product_reviews" class="jdgm-rev-widg" data-id="1"></div>', "judge_me"),
    # Stamped: carousel / site badge containers
    ("en", '<div id="stamped-reviews-widget" data-widget-type="carousel"></div>', "stamped"),
    # Loox: the product widget container and its CDN
    ("en", '<div id="looxReviews" data-product-id="1"></div>', "loox"),
    ("en", '<script async src="https://cdn.loox.io/widget/loox.js?shop=x.myshopify.com"></script>', "loox"),
    # Google's merchant widget (store rating badge, successor of the Customer Reviews badge)
    ("en", '<script id="merchantWidgetScript" src="https://www.gstatic.com/shopping/merchant/merchantwidget.js" defer>'
           '</script><script>merchantWidgetScript.addEventListener("load", function () {merchantwidget.start({'
           'position: "RIGHT_BOTTOM"});});</script>', "google_customer_reviews"),
    # Skroutz product reviews (its analytics modules for OpenCart / WooCommerce)
    ("el", '<div id="skroutz-product-reviews-inline" data-product-id="12"></div>', "skroutz"),
    # Shopify Product Reviews, Junip, Klaviyo Reviews
    ("en", '<span class="shopify-product-reviews-badge" data-id="4663249764438"></span>', "shopify_product_reviews"),
    ("en", '<span class="junip-product-summary" data-product-id="6888697921670"></span>', "junip"),
    ("de", '<div class="klaviyo-star-rating-widget" data-id="189534"></div>', "klaviyo_reviews"),
    # Trustpilot TrustBox and its bootstrap v5
    ("pl", '<script src="//widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js" async></script>'
           '<div class="trustpilot-widget" data-locale="pl-PL" data-template-id="5419b6a8b0d04a076446a9ad" '
           'data-businessunit-id="5c8a1b2c3d4e5f0001a2b3c4"></div>', "trustpilot"),
    # Yotpo's current loader and instance container
    ("en", '<script src="https://cdn-widgetsrepository.yotpo.com/v1/loader/AbCdEf" async></script>'
           '<div class="yotpo-widget-instance" data-yotpo-instance-id="1067827"></div>', "yotpo"),
    # Trusted Shops' newer eTrusted widget
    ("de", '<script src="https://integrations.etrusted.com/applications/widget.js/v2" defer async></script>'
           '<etrusted-widget data-etrusted-widget-id="wdg-1"></etrusted-widget>', "trusted_shops"),
])
def test_current_review_widget_markup(lang, body, slug):
    assert slug in slugs(art(body, lang).review_widgets)


@pytest.mark.parametrize("body, slug", [
    ('<div class="klaviyo-form-XyZ12"></div>', "klaviyo_reviews"),  # a Klaviyo sign-up form, no reviews
    ('<p>We moved from Judge.me to our own reviews.</p>', "judge_me"),  # the vendor's name in prose
    ('<div class="stamped-envelope"></div>', "stamped"),  # a look-alike class of the shop's own
    ('<div id="looxReviewsCarousel-disabled-by-theme-placeholder-x"></div><p>Loox</p>', "loox"),
    ('<a href="https://www.gstatic.com/images/branding/logo.png">Google</a>', "google_customer_reviews"),
])
def test_review_markup_near_misses(body, slug):
    assert slug not in slugs(art(body).review_widgets)


@pytest.mark.parametrize("body, slug", [
    # LiveChat's official snippet carries a <noscript> link to its chat page
    ('<noscript><a href="https://www.livechat.com/chat-with/19116501/" rel="nofollow">Chat with us</a>, powered by '
     '<a href="https://www.livechat.com/?welcome" rel="noopener nofollow" target="_blank">LiveChat</a></noscript>',
     "livechat"),
    # Freshchat configured through the Freshworks loader
    ('<script>window.fcWidgetMessengerConfig = {config: {headerProperty: {hideChatButton: false}}};</script>'
     '<script src="//eu.fw-cdn.com/12579744/608161.js" chat="true"></script>', "freshchat"),
    # Shopify Inbox: the newer <shopify-chat> element, and the older one
    ('<shopify-chat id="ShopifyChat" shop-id="1"></shopify-chat>', "shopify_inbox"),
    ('<inbox-online-store-chat shop-id="1"></inbox-online-store-chat>', "shopify_inbox"),
    ('<script src="https://cdn.shopify.com/extensions/10143583-d4b6-4e47-90bd-b281ace5d8bb/inbox-1177/assets/'
     'inbox-chat-loader.js" type="text/javascript" defer="defer"></script>', "shopify_inbox"),
    ('<script id="ze-snippet" src="https://static.zdassets.com/ekr/snippet.js?key=abc"></script>', "zendesk_chat"),
    ("<script>var _smartsupp = _smartsupp || {};_smartsupp.key = 'k';</script>", "smartsupp"),
    ('<script src="//code.tidio.co/abcdefghijklmnopqrstuvwxyz123456.js" async></script>', "tidio"),
    ('<script id="gorgias-chat-widget-install-v3" src="https://config.gorgias.chat/bundle-loader/01GABC"></script>',
     "gorgias"),
])
def test_current_chat_snippets(body, slug):
    assert slug in slugs(art(body).chat_widgets)


@pytest.mark.parametrize("body, slug", [
    # the Freshworks loader alone is also the CRM's tracking code, without chat
    ('<script src="//eu.fw-cdn.com/12579744/608161.js"></script>', "freshchat"),
    ('<a href="https://www.livechat.com/pricing/">LiveChat pricing</a>', "livechat"),  # a link to the vendor's site
    ('<div class="shopify-chat-bubble-placeholder"></div>', "shopify_inbox"),  # not the element or its id
    # HubSpot's tracking code loads chat only when the portal has it on: it is no evidence of chat
    ('<script id="hs-script-loader" async defer src="//js-eu1.hs-scripts.com/1234567.js"></script>', "hubspot_chat"),
])
def test_chat_near_misses(body, slug):
    assert slug not in slugs(art(body).chat_widgets)


@pytest.mark.parametrize("src, alt, slug", [
    # Shopify's payment_type_img_url: the icon as an image, its alt the icon's name or nothing
    ("//cdn.shopify.com/s/assets/payment_icons/master-173035bc8124581983d4efa50cf8626e8553c2b311353fbf67485f9c1a2b88d1.svg",
     "master", "mastercard"),
    ("https://shop.example/cdn/shopifycloud/shopify/assets/payment_icons/american_express-2264c9b8b57b2.svg", "",
     "american_express"),
    ("//cdn.shopify.com/s/assets/payment_icons/shopify_pay-100205.svg", "shopify_pay", "shop_pay"),
    ("//cdn.shopify.com/s/assets/payment_icons/klarna-pay-later-8a1c.svg", "image", "klarna"),
    ("//cdn.shopify.com/s/assets/payment_icons/mb-7e5c.svg", "", "multibanco"),
])
def test_shopify_payment_icon_images(src, alt, slug):
    assert slug in pay(f'<ul class="payment-icons"><li><img src="{src}" alt="{alt}" width="38"></li></ul>')


def test_shopify_payment_icon_image_near_misses():
    # another theme asset, and an icon path without the payment_icons folder
    got = pay('<img src="//cdn.shopify.com/s/files/1/0001/master-bedroom-173035.jpg" alt="Master bedroom">'
              '<img src="/cdn/shop/files/visa-requirements-guide.png" alt="Guide">')
    assert got == set()


def test_yandex_maps_reviews_widget():
    body = ('<div style="width:560px;height:800px;overflow:hidden;position:relative;"><iframe style="width:100%;'
            'height:100%;border:1px solid #e6e6e6;border-radius:8px;box-sizing:border-box" '
            'src="https://yandex.ru/maps-reviews-widget/126260982281?comments"></iframe></div>')
    assert "yandex_maps" in slugs(art(body, "ru", "shop.ru").review_widgets)
    # a map of the shop's location is no reviews widget
    near = '<iframe src="https://yandex.ru/map-widget/v1/?um=constructor%3Aabc&source=constructor"></iframe>'
    assert "yandex_maps" not in slugs(art(near, "ru", "shop.ru").review_widgets)


def test_prestashop_checkout_logo_block():
    # PrestaShop Checkout's product-page block: logos without alt texts, the PayPal button container
    body = ('<div id="js-ps_checkout-express-button-container"></div><div class="ps_checkout payment-method-logo-block">'
            '<div class="ps_checkout payment-method-logo-block-title"><img src="/modules/ps_checkout/views/img/'
            'lock_checkout.svg" alt="">100% bezpieczne płatności</div>'
            '<div class="ps_checkout payment-method-logo w-25"><div class="wrapper"><img class="" '
            'src="/modules/ps_checkout/views/img/visa.svg" alt=""></div></div>'
            '<div class="ps_checkout payment-method-logo w-25"><div class="wrapper"><img class="" '
            'src="/modules/ps_checkout/views/img/mastercard.svg" alt=""></div></div></div>')
    assert {"paypal", "visa", "mastercard"} <= pay(body, "pl")
    # the block's padlock alone names no method
    assert pay('<img src="/modules/ps_checkout/views/img/lock_checkout.svg" alt="">', "pl") == set()


@pytest.mark.parametrize("body, found", [
    ('<div class="joinchat joinchat--right" data-settings=\'{"telephone":"34600123456","whatsapp_web":false}\'>'
     '<div class="joinchat__button" role="button" aria-label="WhatsApp Contact"></div></div>', True),
    ('<div class="ht-ctc ht-ctc-chat ctc-analytics ctc_wp_desktop style-2" id="ht-ctc-chat" data-number="306900000000">'
     '<div class="ht_ctc_style ht_ctc_chat_style"></div></div>', True),
    # the plugin's tooltip class copied onto a button that opens a video
    ('<a href="https://www.youtube.com/watch?v=x" class="btn"><div class="joinchat__tooltip">Ayuda</div></a>', False),
])
def test_whatsapp_chat_plugins(body, found):
    assert ("whatsapp" in slugs(art(body, "es").messengers)) is found


# the vendors' current embed snippets as their install guides give them, cut to what identifies the vendor
SNIPPETS = [
    ("chat", "intercom", "en", '<script>window.intercomSettings = {api_base: "https://api-iam.intercom.io", app_id: "abc"};'
     "</script><script>(function(){var w=window;var ic=w.Intercom;})();</script>"),
    ("chat", "crisp", "fr", '<script type="text/javascript">window.$crisp=[];window.CRISP_WEBSITE_ID="abc";(function(){'
     'd=document;s=d.createElement("script");s.src="https://client.crisp.chat/l.js";s.async=1;})();</script>'),
    ("chat", "jivosite", "ru", '<script src="//code.jivo.ru/widget/AbCdEf" async></script>'),
    ("chat", "tawk_to", "en", "<script>var Tawk_API=Tawk_API||{}, Tawk_LoadStart=new Date();(function(){var s1=document."
     "createElement(\"script\");s1.async=true;s1.src='https://embed.tawk.to/abc/default';})();</script>"),
    ("chat", "drift", "en", '<script>!function(){var t=window.driftt=window.drift=window.driftt||[];}();'
     'drift.load("abc");</script>'),
    ("chat", "chatra", "en", "<script>(function(d, w, c) {w.ChatraID = 'abc';var s = d.createElement('script');"
     "s.src = 'https://call.chatra.io/chatra.js';})(document, window, 'Chatra');</script>"),
    ("chat", "zoho_salesiq", "en", '<script id="zsiqchat">var $zoho=$zoho || {};$zoho.salesiq = $zoho.salesiq || '
     '{widgetcode: "abc", values:{},ready:function(){}};</script>'),
    ("chat", "brevo_conversations", "fr", "<script>(function(d, w, c) {w.BrevoConversationsID = 'abc';var s = "
     "d.createElement('script');s.src = 'https://conversations-widget.brevo.com/brevo-conversations.js';})(document, "
     "window, 'BrevoConversations');</script>"),
    ("review", "ekomi", "de", '<div class="ekomi-widget-container ekomi-widget-sf123"></div><script>(function (w) {'
     "w['_ekomiWidgetsServerUrl'] = 'https://widgets.ekomi.com';})(window);</script>"),
    ("review", "reviews_io", "en", '<script src="https://widget.reviews.io/badge-modern/dist.js"></script>'
     '<div id="badge-ribbon"></div>'),
    ("review", "feefo", "en", '<script type="text/javascript" src="https://api.feefo.com/api/javascript/shop-name" '
     'async></script><div id="feefo-service-review-carousel-widgetId" class="feefo-review-carousel-widget-service">'
     "</div>"),
    ("review", "google_customer_reviews", "en", '<script src="https://apis.google.com/js/platform.js?onload=renderBadge"'
     " async defer></script>"),
    ("review", "heureka", "cs", "<script>var _hwq = _hwq || [];_hwq.push(['setKey', 'X']);(function() {var ho = "
     "document.createElement('script'); ho.src = 'https://cz.im9.cz/direct/i/gjs.php?n=wdgt&sak=X';})();</script>"),
    ("review", "ceneo", "pl", '<script type="text/javascript">(function(c,e,n,o,i,r,s,t){c.ceneo_config={}})(window,'
     'document,"script","https://ssl.ceneo.pl/shops/sw.js?accountGuid=x");</script>'),
]


@pytest.mark.parametrize("kind, slug, lang, body", SNIPPETS, ids=[s for _k, s, _l, _b in SNIPPETS])
def test_vendor_snippets(kind, slug, lang, body):
    a = art(body, lang)
    assert slug in slugs(a.chat_widgets if kind == "chat" else a.review_widgets)


def sprite_icon(name: str) -> str:
    """One payment icon of BigCommerce Cornerstone's footer (templates/components/common/payment-icons.html)."""
    return f'<svg class="footer-payment-icon"><use xlink:href="#icon-logo-{name}"></use></svg>'


def test_svg_sprite_payment_icons():
    body = ('<div class="footer-payment-icons">' + "".join(sprite_icon(n) for n in (
        "american-express", "discover", "mastercard", "paypal", "visa", "amazonpay", "googlepay")) + "</div>")
    assert {"american_express", "discover", "mastercard", "paypal", "visa", "amazon_pay", "google_pay"} <= pay(body)
    # "href" (SVG 2) as well as "xlink:href"
    assert "klarna" in pay('<svg class="icon"><use href="/assets/icons.svg#payment-klarna"></use></svg>', "de")


@pytest.mark.parametrize("body", [
    # the sprite's definitions: every symbol a theme ships, shown or not
    '<svg style="display:none"><symbol id="icon-logo-visa" viewBox="0 0 1 1"><title>visa</title><path d="M0"/></symbol>'
    '<symbol id="icon-logo-paypal"><title>paypal</title><path d="M0"/></symbol></svg>',
    # sprite icons that are no payment logos
    '<svg class="icon"><use xlink:href="#icon-search"></use></svg><svg><use xlink:href="#icon-logo"></use></svg>',
    # "visa" alone, a list-only name, from a sprite
    '<svg><use xlink:href="#icon-visa"></use></svg>',
])
def test_svg_sprite_near_misses(body):
    assert pay(body) == set()
