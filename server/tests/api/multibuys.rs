//! Multi-buys that mix SKUs ("any 3 of these for £10"): a marketer creates one in the console,
//! the product page links the items it mixes, the cart page states the saving and how far the
//! next spend threshold is, checkout charges it (the dearest units grouped first, as the shared
//! arithmetic says) and records it; an offer that would share a SKU with another
//! is refused and changes nothing, the same SKUs again change the terms, and removing it by any
//! of its SKUs removes it whole.

use crate::checkout::{cart_with, country, place};
use crate::helpers::{TestApp, text_of, without_markers};
use crate::pricing_engine::marketer;
use crate::promotions::{nth_product_at, order_discount};
use crate::promotions_console::{console_page, count, send};
use vitrine_server::payments::TEST_CARD_OK;
use vitrine_server::promotions::{self, PromoError};
use vitrine_server::staff::audit::Actor;

async fn offers_and_skus(app: &TestApp) -> (i64, i64) {
    (
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM multibuy_offers").await,
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM multibuy_skus").await,
    )
}

/// The SKU and quantity the first "complete the group" button on a cart page adds.
fn hint_form(page: &str) -> (String, String) {
    let form = page
        .split_once("class=\"cart-hints__add\"")
        .and_then(|(_, rest)| rest.split_once("</form>"))
        .map_or("", |(form, _)| form);
    let value = |name: &str| {
        form.split_once(&format!("name=\"{name}\" value=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or(String::new(), |(v, _)| v.to_string())
    };
    (value("sku"), value("quantity"))
}

fn refusal(result: Result<(), PromoError>) -> String {
    match result {
        Err(PromoError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mixed_offer_links_its_items_and_checkout_groups_the_dearest_units_first() {
    let app = TestApp::spawn().await;
    let (slug_a, a) = nth_product_at(&app, 0, 500).await;
    let (slug_b, b) = nth_product_at(&app, 1, 400).await;
    let (slug_c, c) = nth_product_at(&app, 2, 300).await;
    let (cookie, csrf) = marketer(&app).await;
    // Typed as a person would: lower case, commas and spaces.
    let typed = format!("{}, {} {}", a.to_lowercase(), b.to_lowercase(), c);
    let form = [
        ("op", "multibuy_add"),
        ("sku", typed.as_str()),
        ("qty", "3"),
        ("price", "10.00"),
    ];
    let (status, _, body) = send(&app, &cookie, &csrf, &form).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(offers_and_skus(&app).await, (1, 3));
    let console = console_page(&app, &cookie).await;
    let mut skus = [a.clone(), b.clone(), c.clone()];
    skus.sort();
    assert!(console.contains(&skus.join(", ")), "{console}");
    assert!(console.contains("any 3 for £10.00"), "{console}");

    let page = without_markers(&app.page(&format!("/p/{slug_a}"), 200).await);
    let badge = text_of(&page, "multibuy").unwrap_or_default();
    assert!(
        badge.starts_with("3 for £10.00: mix any 3 of this and the items below"),
        "{badge}"
    );
    let list = page
        .split_once("data-testid=\"multibuy-items\"")
        .and_then(|(_, rest)| rest.split_once("</ul>"))
        .map(|(list, _)| list)
        .unwrap_or_default();
    for (slug, sku) in [(&slug_b, &b), (&slug_c, &c)] {
        let href = format!("href=\"/p/{slug}?variant={sku}\"");
        assert!(list.contains(&href), "{href} in {list}");
    }
    assert!(
        !list.contains(&format!("?variant={a}\"")),
        "the list does not link to the page itself: {list}"
    );

    // 2 × £5 + £4 + £3 = £17: the group (£5, £5, £4) = £14 costs £10, the £3 item is charged
    // singly; £13 of goods pays standard delivery (£3.95).
    let cart = cart_with(&app, &a, 2).await;
    for sku in [&b, &c] {
        let (status, _, _) = app
            .cart_form(
                "/cart/add",
                Some(&cart),
                &[("sku", sku.as_str()), ("quantity", "1")],
            )
            .await;
        assert_eq!(status, 303);
    }
    // The cart page states the saving checkout will take, the offer beside each line, and how
    // far the next spend threshold is.
    promotions::add_threshold(&app.db, 5_000, 500, &Actor::CommandLine)
        .await
        .expect("threshold");
    let page = app.cart_page_at("/cart", &cart).await;
    let shown = |id| text_of(&page, id).unwrap_or_default();
    assert_eq!(shown("cart-subtotal"), "£17.00", "{page}");
    assert_eq!(shown("cart-multibuy"), "−£4.00");
    assert_eq!(shown("cart-goods"), "£13.00");
    assert_eq!(shown("cart-nudge"), "Spend £37.00 more to save £5.00.");
    let labels = page
        .matches("cart-line__offer\">Any 3 for £10.00 (mix with 2 other items)</span>")
        .count();
    assert_eq!(
        labels, 3,
        "each line names the offer it counts towards: {page}"
    );
    // One unit is left over (the £3 one): two more of the £5 item complete a second group
    // (£5, £5, £5 and £5, £4, £3: £7 saved in all, £3 more); two more of the others save less.
    let hint = text_of(&page, "group-hint").unwrap_or_default();
    assert!(
        hint.starts_with("Add 2 more ")
            && hint.ends_with(" to get any 3 for £10.00 and save £3.00."),
        "{hint}"
    );
    assert_eq!(hint_form(&page), (a.clone(), "2".to_string()), "{page}");
    let country = country(&app).await;
    let (status, body) = place(&app, &cart, TEST_CARD_OK, "mixed", &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_minor"], 1_695);
    assert_eq!(order_discount(&app, &body).await, 400);

    // A new cart with two of the £5 item: its hint's form adds the third, and the group is
    // then complete (£15 for £10) with nothing left to suggest.
    let cart = cart_with(&app, &a, 2).await;
    let page = app.cart_page_at("/cart", &cart).await;
    let hint = text_of(&page, "group-hint").unwrap_or_default();
    assert!(
        hint.ends_with(" to get any 3 for £10.00 and save £5.00."),
        "{hint}"
    );
    assert_eq!(hint_form(&page), (a.clone(), "1".to_string()), "{page}");
    let (status, _, _) = app
        .cart_form(
            "/cart/add",
            Some(&cart),
            &[("sku", a.as_str()), ("quantity", "1")],
        )
        .await;
    assert_eq!(status, 303);
    let page = app.cart_page_at("/cart", &cart).await;
    assert_eq!(text_of(&page, "cart-multibuy").as_deref(), Some("−£5.00"));
    assert_eq!(text_of(&page, "group-hint"), None, "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_offers_are_refused_the_same_skus_change_the_terms_and_removal_is_whole() {
    let app = TestApp::spawn().await;
    let (slug_a, a) = nth_product_at(&app, 0, 500).await;
    let (_, b) = nth_product_at(&app, 1, 400).await;
    let (_, c) = nth_product_at(&app, 2, 300).await;
    let (_, d) = nth_product_at(&app, 3, 200).await;
    let actor = Actor::CommandLine;
    let add = |skus: Vec<&String>, quantity, price| {
        let skus: Vec<String> = skus.into_iter().cloned().collect();
        let db = app.db.clone();
        async move { promotions::add_multibuy(&db, &skus, quantity, price, &Actor::CommandLine).await }
    };
    add(vec![&a, &b], 2, 700).await.expect("A and B, 2 for £7");
    let mut pair = [a.clone(), b.clone()];
    pair.sort();

    let said = refusal(add(vec![&b, &c], 2, 600).await);
    assert!(
        said.starts_with(&format!(
            "{b} is already in the multi-buy on {}",
            pair.join(", ")
        )),
        "{said}"
    );
    let said = refusal(add(vec![&a], 3, 1_200).await);
    assert!(said.starts_with(&format!("{a} is already in")), "{said}");
    let said = refusal(add(vec![&c, &"NOPE-1".to_string()], 2, 500).await);
    assert_eq!(said, "There is no variant with SKU NOPE-1.");
    let said = refusal(add(vec![&c, &d], 2, 600).await);
    assert_eq!(
        said,
        format!(
            "2 of the dearest of these ({c}) already cost £6.00 singly: the offer must be cheaper."
        )
    );
    assert_eq!(
        offers_and_skus(&app).await,
        (1, 2),
        "refusals change nothing"
    );

    // The console says the same, with a 422 and what was typed kept.
    let (cookie, csrf) = marketer(&app).await;
    let typed = format!("{c} {b}");
    let form = [
        ("op", "multibuy_add"),
        ("sku", typed.as_str()),
        ("qty", "2"),
        ("price", "6.00"),
    ];
    let (status, _, body) = send(&app, &cookie, &csrf, &form).await;
    assert_eq!(status, 422, "{body}");
    let said = text_of(&body, "promo-error").unwrap_or_default();
    assert!(said.starts_with(&format!("{b} is already in")), "{said}");
    assert!(body.contains(&format!("value=\"{typed}\"")), "{body}");

    // The same SKUs, in any order and case, change the terms of the one offer.
    let lower = b.to_lowercase();
    add(vec![&lower, &a], 2, 800).await.expect("new terms");
    assert_eq!(offers_and_skus(&app).await, (1, 2));
    let (price,): (i64,) = sqlx::query_as("SELECT price_minor FROM multibuy_offers")
        .fetch_one(&app.db)
        .await
        .expect("offer");
    assert_eq!(price, 800);

    // Removing by either SKU removes the whole offer, audited with all its SKUs.
    promotions::remove_multibuy(&app.db, &b, &actor)
        .await
        .expect("removed");
    assert_eq!(offers_and_skus(&app).await, (0, 0));
    let (subject,): (String,) = sqlx::query_as(
        "SELECT subject FROM audit_log WHERE action = 'promotion.removed' ORDER BY at DESC",
    )
    .fetch_one(&app.db)
    .await
    .expect("audited");
    assert_eq!(subject, pair.join(","));
    let said = refusal(promotions::remove_multibuy(&app.db, &a, &actor).await);
    assert_eq!(said, format!("There is no multi-buy on SKU {a}."));
    let page = without_markers(&app.page(&format!("/p/{slug_a}"), 200).await);
    assert!(text_of(&page, "multibuy").is_none(), "{page}");
}
