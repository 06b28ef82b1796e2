//! Placing orders: never oversold, never double-charged, never priced by the browser.

use crate::helpers::TestApp;
use vitrine_server::payments::{TEST_CARD_DECLINED, TEST_CARD_OK};

/// A variant set to `stock` units, with its price.
pub(crate) async fn stocked_variant(app: &TestApp, stock: i64) -> (String, i64) {
    let (sku, price): (String, i64) = sqlx::query_as(
        "SELECT sku, price_minor FROM variants WHERE stock > 0 ORDER BY sku LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a variant");
    sqlx::query("UPDATE variants SET stock = $1 WHERE sku = $2")
        .bind(stock)
        .bind(&sku)
        .execute(&app.db)
        .await
        .expect("set stock");
    (sku, price)
}

pub(crate) async fn country(app: &TestApp) -> String {
    let (c,): (String,) = sqlx::query_as("SELECT country FROM customers ORDER BY country LIMIT 1")
        .fetch_one(&app.db)
        .await
        .expect("a country");
    c
}

/// A fresh cart holding `quantity` of `sku`; returns its cookie.
pub(crate) async fn cart_with(app: &TestApp, sku: &str, quantity: i64) -> String {
    let (status, _, cookie) = app
        .cart_form(
            "/cart/add",
            None,
            &[("sku", sku), ("quantity", &quantity.to_string())],
        )
        .await;
    assert_eq!(status, 303);
    cookie.expect("cart cookie")
}

/// The checkout form filled in for Ada, with `card` and `key`.
pub(crate) fn checkout_form<'a>(
    card: &'a str,
    key: &'a str,
    country: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", "ada@example.com"),
        ("name", "Ada Lovelace"),
        ("line1", "12 St James's Square"),
        ("city", "London"),
        ("postcode", "SW1Y 4JH"),
        ("country", country),
        ("shipping", "standard"),
        ("card_number", card),
        ("card_expiry", "12/40"),
        ("card_cvc", "123"),
        ("idempotency_key", key),
    ]
}

pub(crate) async fn place(
    app: &TestApp,
    cookie: &str,
    card: &str,
    key: &str,
    country: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut form = checkout_form(card, key, country);
    form.extend_from_slice(extra);
    app.cart_json("/checkout/place", cookie, &form).await
}

pub(crate) async fn web_orders(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE source = 'web'")
        .fetch_one(&app.db)
        .await
        .expect("count");
    n
}

pub(crate) async fn stock_of(app: &TestApp, sku: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT stock FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .expect("stock");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_checkouts_of_five_in_stock_make_exactly_five_orders() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let country = country(&app).await;
    let mut carts = Vec::new();
    for _ in 0..50 {
        carts.push(cart_with(&app, &sku, 1).await);
    }
    let attempts = carts.iter().enumerate().map(|(i, cookie)| {
        let (app, country, key) = (&app, &country, format!("key-{i}"));
        async move { place(app, cookie, TEST_CARD_OK, &key, country, &[]).await }
    });
    let results = futures::future::join_all(attempts).await;
    let placed = results.iter().filter(|(s, _)| *s == 201).count();
    let sold_out = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["code"] == "sold_out")
        .count();
    assert_eq!(
        (placed, sold_out),
        (5, 45),
        "{:?}",
        results
            .iter()
            .map(|(s, b)| (s, b["code"].clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(stock_of(&app, &sku).await, 0);
    assert_eq!(web_orders(&app).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_twice_gives_one_order() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 10).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 2).await;
    let (first, a) = place(&app, &cookie, TEST_CARD_OK, "double-click-1", &country, &[]).await;
    let (second, b) = place(&app, &cookie, TEST_CARD_OK, "double-click-1", &country, &[]).await;
    assert_eq!((first, second), (201, 200));
    assert_eq!(a["order"], b["order"]);
    assert_eq!(web_orders(&app).await, 1);
    assert_eq!(stock_of(&app, &sku).await, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_declined_card_leaves_stock_and_orders_untouched() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 3).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 1).await;
    let (status, body) = place(
        &app,
        &cookie,
        TEST_CARD_DECLINED,
        "declined-1",
        &country,
        &[],
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (402, Some("declined")));
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("declined")
    );
    assert_eq!(stock_of(&app, &sku).await, 3);
    assert_eq!(web_orders(&app).await, 0);
    let cart = app.cart_page(&cookie, "").await;
    assert!(
        cart.contains(&format!("data-sku=\"{sku}\"")),
        "the cart is kept for another try"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tampered_price_is_ignored() {
    let app = TestApp::spawn().await;
    let (sku, price) = stocked_variant(&app, 3).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 1).await;
    let tamper = [
        ("price", "0.01"),
        ("total_minor", "1"),
        ("unit_price_minor", "1"),
    ];
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "tamper-1", &country, &tamper).await;
    assert_eq!(status, 201, "{body}");
    let shipping = vitrine::cart::Shipping::Standard.price(price, 1);
    assert_eq!(
        body["total_minor"].as_i64(),
        Some(price + shipping),
        "the server's price"
    );
    let (line_price,): (i64,) =
        sqlx::query_as("SELECT unit_price_minor FROM order_lines WHERE order_number = $1")
            .bind(body["order"].as_str().expect("number"))
            .fetch_one(&app.db)
            .await
            .expect("line");
    assert_eq!(line_price, price);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_checkout_input_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 3).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 1).await;
    let (status, body) = place(&app, &cookie, "1234", "bad-card", &country, &[]).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid")));
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "bad-country", "Atlantis", &[]).await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Atlantis")
    );
    let (status, _) = place(&app, "cart=none", TEST_CARD_OK, "no-cart", &country, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(web_orders(&app).await, 0);
    assert_eq!(stock_of(&app, &sku).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_order_page_shows_the_order_only_with_its_key() {
    let app = TestApp::spawn().await;
    let (sku, price) = stocked_variant(&app, 3).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 2).await;
    let (status, body) = place(&app, &cookie, TEST_CARD_OK, "page-1", &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    let url = body["url"].as_str().expect("order url").to_string();
    let number = body["order"].as_str().expect("number").to_string();
    let html = app.page(&url, 200).await;
    assert!(html.contains(&format!("Order {number}")));
    assert!(html.contains(&format!("data-sku=\"{sku}\"")));
    let total = price * 2 + vitrine::cart::Shipping::Standard.price(price * 2, 2);
    assert!(
        html.contains(&format!(
            "<dd data-testid=\"order-total\">£{}.{:02}</dd>",
            total / 100,
            total % 100
        )),
        "{html}"
    );
    assert!(html.contains("Payment authorised"), "the timeline");
    assert!(html.contains("Status: Paid"));
    assert!(
        !html.contains("ada@example.com"),
        "the page does not echo the email"
    );

    app.page(&format!("/orders/{number}"), 404).await;
    app.page(
        &format!("/orders/{number}?key=0123456789abcdef0123456789abcdef"),
        404,
    )
    .await;
}
