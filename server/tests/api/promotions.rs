//! Promotions at checkout and on the product page: coupons refused with a clear message and
//! nothing changed, a valid coupon changing the total and recorded on the order, a usage limit
//! that holds under concurrent orders, multi-buy and spend thresholds stacking as the shared
//! cart arithmetic says, and a flash price that ends exactly at its end time everywhere.

use crate::checkout::{cart_with, country, place, stock_of, web_orders};
use crate::helpers::{TestApp, product_offers, text_of, without_markers};
use vitrine::cart::CouponKind;
use vitrine_server::db::now;
use vitrine_server::payments::TEST_CARD_OK;
use vitrine_server::promotions::{self, NewCoupon, coupons, flash};
use vitrine_server::staff::audit::Actor;

const DAY: i64 = 86_400;

/// A single-variant product with plenty of stock at `price_minor`, that price in effect for 60
/// days: (slug, sku).
pub(crate) async fn product_at(app: &TestApp, price_minor: i64) -> (String, String) {
    nth_product_at(app, 0, price_minor).await
}

/// [`product_at`] for the `n`th single-variant product (by slug), so a test can price several.
pub(crate) async fn nth_product_at(app: &TestApp, n: i64, price_minor: i64) -> (String, String) {
    let (slug, sku): (String, String) = sqlx::query_as(
        "SELECT p.slug, MIN(v.sku) FROM products p JOIN variants v ON v.stem = p.stem \
         GROUP BY p.slug HAVING COUNT(*) = 1 ORDER BY p.slug LIMIT 1 OFFSET $1",
    )
    .bind(n)
    .fetch_one(&app.db)
    .await
    .expect("a single-variant product");
    sqlx::query("DELETE FROM price_history WHERE sku = $1")
        .bind(&sku)
        .execute(&app.db)
        .await
        .expect("clear history");
    sqlx::query(
        "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason, announced) \
         VALUES ($1, $2, $3, 'GBP', 'staff', 'test', 0)",
    )
    .bind(&sku)
    .bind(now() - 60 * DAY)
    .bind(price_minor)
    .execute(&app.db)
    .await
    .expect("history");
    sqlx::query("UPDATE variants SET price_minor = $1, stock = 100 WHERE sku = $2")
        .bind(price_minor)
        .bind(&sku)
        .execute(&app.db)
        .await
        .expect("price");
    (slug, sku)
}

/// The saving recorded on the order a checkout answered with `body`.
pub(crate) async fn order_discount(app: &TestApp, body: &serde_json::Value) -> i64 {
    let (discount,): (i64,) =
        sqlx::query_as("SELECT discount_minor FROM order_details WHERE order_number = $1")
            .bind(body["order"].as_str().expect("number"))
            .fetch_one(&app.db)
            .await
            .expect("details");
    discount
}

async fn coupon(app: &TestApp, code: &str, kind: CouponKind, adjust: impl FnOnce(&mut NewCoupon)) {
    let mut new = NewCoupon {
        code: code.into(),
        kind,
        min_spend_minor: 0,
        valid_from: None,
        valid_until: None,
        usage_limit: None,
        tier: None,
    };
    adjust(&mut new);
    coupons::add(&app.db, &new, &Actor::CommandLine)
        .await
        .expect("coupon added");
}

pub(crate) async fn times_used(app: &TestApp, code: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT times_used FROM coupons WHERE code = $1")
        .bind(code)
        .fetch_one(&app.db)
        .await
        .expect("coupon");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coupons_that_cannot_be_used_are_refused_with_a_clear_message_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 1_500).await;
    let country = country(&app).await;
    let t = now();
    coupon(&app, "OLD10", CouponKind::Percent(10), |c| {
        c.valid_from = Some(t - 10 * DAY);
        c.valid_until = Some(t - DAY);
    })
    .await;
    coupon(&app, "SOON", CouponKind::Percent(10), |c| {
        c.valid_from = Some(t + DAY)
    })
    .await;
    coupon(&app, "BIG5", CouponKind::Fixed(500), |c| {
        c.min_spend_minor = 2_000
    })
    .await;
    let cookie = cart_with(&app, &sku, 1).await;
    let cases = [
        ("old10", "The code OLD10 expired on"),
        ("SOON", "The code SOON can be used from"),
        ("big5", "Spend at least £20.00 to use the code BIG5"),
        ("NOPE", "We don't recognise the code NOPE"),
        ("<b>", "is not a coupon code"),
    ];
    for (i, (code, message)) in cases.iter().enumerate() {
        let key = format!("refused-{i}");
        let (status, body) = place(
            &app,
            &cookie,
            TEST_CARD_OK,
            &key,
            &country,
            &[("coupon", code)],
        )
        .await;
        assert_eq!(status, 422, "{code}: {body}");
        let said = body["message"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{code}: {said}");
    }
    assert_eq!(web_orders(&app).await, 0);
    assert_eq!(stock_of(&app, &sku).await, 100);
    for code in ["OLD10", "SOON", "BIG5"] {
        assert_eq!(times_used(&app, code).await, 0, "{code}");
    }

    // Without JavaScript: "Apply" comes back to the form with the message and the input kept.
    let (status, location, _) = app
        .cart_form(
            "/checkout/place",
            Some(&cookie),
            &[
                ("email", "ada@example.com"),
                ("name", "Ada Lovelace"),
                ("coupon", "big5"),
                ("apply_coupon", "1"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/checkout?e=1"));
    let html = without_markers(&app.cart_page_at("/checkout?e=1", &cookie).await);
    assert!(
        html.contains("Spend at least £20.00 to use the code BIG5"),
        "{html}"
    );
    assert!(html.contains("value=\"big5\""), "the typed code is kept");
    assert!(
        html.contains("value=\"Ada Lovelace\""),
        "the typed name is kept"
    );
    assert_eq!(text_of(&html, "checkout-total").as_deref(), Some("£18.95"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_valid_coupon_changes_the_total_and_the_order_records_it() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 2_000).await;
    let country = country(&app).await;
    coupon(&app, "TENOFF", CouponKind::Percent(10), |c| {
        c.min_spend_minor = 2_000;
        c.valid_until = Some(now() + DAY);
    })
    .await;
    let cookie = cart_with(&app, &sku, 1).await;

    // Applied on the page: the review's total counts it.
    let (status, location, _) = app
        .cart_form(
            "/checkout/place",
            Some(&cookie),
            &[
                ("coupon", " tenoff "),
                ("apply_coupon", "1"),
                ("shipping", "standard"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/checkout"));
    let html = without_markers(&app.cart_page_at("/checkout", &cookie).await);
    assert_eq!(text_of(&html, "checkout-coupon").as_deref(), Some("−£2.00"));
    assert_eq!(text_of(&html, "checkout-total").as_deref(), Some("£21.95"));

    // 20.00 - 10% + 3.95 standard delivery (the discounted goods are under £50).
    let (status, body) = place(
        &app,
        &cookie,
        TEST_CARD_OK,
        "coupon-ok",
        &country,
        &[("coupon", "tenoff")],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_minor"], 2_195);
    let number = body["order"].as_str().expect("number").to_string();
    let (code, discount): (Option<String>, i64) = sqlx::query_as(
        "SELECT coupon_code, discount_minor FROM order_details WHERE order_number = $1",
    )
    .bind(&number)
    .fetch_one(&app.db)
    .await
    .expect("order details");
    assert_eq!((code.as_deref(), discount), (Some("TENOFF"), 200));
    let (paid,): (i64,) =
        sqlx::query_as("SELECT amount_minor FROM payments WHERE order_number = $1")
            .bind(&number)
            .fetch_one(&app.db)
            .await
            .expect("payment");
    assert_eq!(paid, 2_195);
    assert_eq!(times_used(&app, "TENOFF").await, 1);
    let url = body["url"].as_str().expect("url");
    let order_page = without_markers(&app.page(url, 200).await);
    assert!(
        order_page.contains("Savings (incl. code TENOFF)"),
        "{order_page}"
    );
    assert_eq!(
        text_of(&order_page, "order-discount").as_deref(),
        Some("−£2.00")
    );
    assert_eq!(
        text_of(&order_page, "order-total").as_deref(),
        Some("£21.95")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_coupon_usage_limit_holds_under_concurrent_orders() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 1_000).await;
    let country = country(&app).await;
    coupon(&app, "TWICE", CouponKind::Fixed(100), |c| {
        c.usage_limit = Some(2)
    })
    .await;
    let mut carts = vec![];
    for _ in 0..6 {
        carts.push(cart_with(&app, &sku, 1).await);
    }
    let attempts = carts.iter().enumerate().map(|(i, cookie)| {
        let (app, country) = (&app, &country);
        async move {
            place(
                app,
                cookie,
                TEST_CARD_OK,
                &format!("limit-{i}"),
                country,
                &[("coupon", "TWICE")],
            )
            .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let placed = results.iter().filter(|(s, _)| *s == 201).count();
    let used_up = results
        .iter()
        .filter(|(s, b)| {
            *s == 422
                && b["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("used up")
        })
        .count();
    assert_eq!((placed, used_up), (2, 4), "{results:?}");
    assert_eq!(times_used(&app, "TWICE").await, 2);
    assert_eq!(web_orders(&app).await, 2);
    assert_eq!(
        stock_of(&app, &sku).await,
        98,
        "refused orders took no stock"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn multi_buy_and_spend_thresholds_stack_at_checkout_as_the_shared_arithmetic_says() {
    let app = TestApp::spawn().await;
    let (slug, sku) = product_at(&app, 1_000).await;
    let country = country(&app).await;
    let actor = Actor::CommandLine;
    promotions::add_multibuy(&app.db, std::slice::from_ref(&sku), 3, 2_500, &actor)
        .await
        .expect("multibuy");
    promotions::add_threshold(&app.db, 5_000, 500, &actor)
        .await
        .expect("threshold");
    promotions::add_threshold(&app.db, 10_000, 1_500, &actor)
        .await
        .expect("threshold");
    let bad = promotions::add_multibuy(&app.db, std::slice::from_ref(&sku), 3, 3_000, &actor).await;
    assert!(bad.is_err_and(|e| e.to_string().contains("must be cheaper")));
    let html = without_markers(&app.page(&format!("/p/{slug}"), 200).await);
    assert!(
        text_of(&html, "multibuy").is_some_and(|t| t.starts_with("3 for £25.00")),
        "{html}"
    );
    // 6 x 10.00 = 60.00; two groups of 3 for 25.00 save 10.00; spend 50.00 reaches the £50
    // threshold (save 5.00): 45.00 of goods, under £50, so standard delivery is 3.95.
    let cookie = cart_with(&app, &sku, 6).await;
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "stack", &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_minor"], 4_895);
    assert_eq!(order_discount(&app, &body).await, 1_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flash_price_ends_exactly_at_its_end_time_on_the_page_in_json_ld_and_at_checkout() {
    let app = TestApp::spawn().await;
    let (slug, sku) = product_at(&app, 1_000).await;
    let country = country(&app).await;
    let path = format!("/p/{slug}");
    let ends_at = now() + 4;
    let new = flash::NewFlash {
        sku: sku.clone(),
        price_minor: 600,
        starts_at: None,
        ends_at,
    };
    flash::add(&app.db, &new, &Actor::CommandLine)
        .await
        .expect("flash");
    let again = flash::add(&app.db, &new, &Actor::CommandLine).await;
    assert!(again.is_err_and(|e| e.to_string().contains("one at a time")));
    let staff = vitrine_server::pricing::NewPrice {
        sku: sku.clone(),
        price_minor: 900,
        sale: false,
        reason: "test".into(),
        source: "staff",
    };
    let refused = vitrine_server::pricing::set_price(&app.db, &staff, &Actor::CommandLine).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("flash sale")));

    // During the sale: the flash price everywhere, announced against the 30-day prior price.
    let html = without_markers(&app.page(&path, 200).await);
    let cookie = cart_with(&app, &sku, 1).await;
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "flash-on", &country, &[]).await;
    assert!(
        now() < ends_at,
        "the checks before the end ran before the end"
    );
    assert_eq!(text_of(&html, "price").as_deref(), Some("£6.00"));
    assert_eq!(text_of(&html, "percent-off").as_deref(), Some("−40%"));
    assert_eq!(
        text_of(&html, "prior-price").as_deref(),
        Some("Lowest price in the 30 days before this reduction: £10.00")
    );
    let iso = vitrine::dates::iso(ends_at);
    assert!(
        html.contains(&format!("<time datetime=\"{iso}\">")),
        "{html}"
    );
    let o = product_offers(&html);
    assert_eq!(o["price"], "6.00");
    assert_eq!(o["priceSpecification"][0]["validThrough"], iso.as_str());
    assert_eq!(o["priceSpecification"][1]["price"], "10.00");
    assert_eq!(
        (status, body["total_minor"].clone()),
        (201, 995.into()),
        "{body}"
    );
    // The price in effect came from a promotion (the optimiser's "hands off" signal), and the
    // restore is already in the history, future-dated.
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT valid_from, price_minor, source FROM price_history WHERE sku = $1 ORDER BY valid_from",
    )
    .bind(&sku)
    .fetch_all(&app.db)
    .await
    .expect("history");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!((rows[1].1, rows[1].2.as_str()), (600, "promotion"));
    assert_eq!(rows[2], (ends_at, 1_000, "promotion-end".to_string()));

    // At the end time exactly: the list price everywhere, no sale.
    let cookie = cart_with(&app, &sku, 1).await;
    while now() < ends_at {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let html = without_markers(&app.page(&path, 200).await);
    assert_eq!(text_of(&html, "price").as_deref(), Some("£10.00"));
    assert!(!html.contains("data-testid=\"sale-ends\""));
    assert!(!html.contains("data-testid=\"was-price\""));
    let o = product_offers(&html);
    assert_eq!(o["price"], "10.00");
    assert!(o.get("priceSpecification").is_none(), "{o}");
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "flash-off", &country, &[]).await;
    assert_eq!(
        (status, body["total_minor"].clone()),
        (201, 1_395.into()),
        "{body}"
    );
    let (price,): (i64,) = sqlx::query_as("SELECT price_minor FROM variants WHERE sku = $1")
        .bind(&sku)
        .fetch_one(&app.db)
        .await
        .expect("price");
    assert_eq!(price, 1_000);
}
