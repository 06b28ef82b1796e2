//! After checkout: the JavaScript-off checkout form, the confirmation, finding an order by
//! number + email, moving it along (library and `vitrine order` command), returns within 7
//! days of delivery, and stock put back when an order is cancelled.

use crate::checkout::{cart_with, country, place, stock_of, stocked_variant, web_orders};
use crate::helpers::TestApp;
use vitrine::orders::OrderStatus;
use vitrine_server::orders::{self, AdvanceError};
use vitrine_server::payments::{TEST_CARD_DECLINED, TEST_CARD_OK};

const DAY: i64 = 24 * 60 * 60;

/// The checkout page's hidden idempotency key.
fn form_key(html: &str) -> String {
    let at = html
        .find("name=\"idempotency_key\" value=\"")
        .expect("the form carries a key")
        + "name=\"idempotency_key\" value=\"".len();
    html[at..at + 32].to_string()
}

fn form<'a>(key: &'a str, country: &'a str, card: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", "grace@example.com"),
        ("name", "Grace Hopper"),
        ("line1", "1 Navy Way"),
        ("city", "Leeds"),
        ("postcode", "ls1 4ap"),
        ("country", country),
        ("shipping", "express"),
        ("card_number", card),
        ("card_expiry", "12/40"),
        ("card_cvc", "123"),
        ("idempotency_key", key),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_checkout_form_keeps_the_input_on_error_and_places_the_order_without_javascript() {
    let app = TestApp::spawn().await;
    let (sku, price) = stocked_variant(&app, 4).await;
    let country = country(&app).await;
    let cookie = cart_with(&app, &sku, 2).await;

    let page = app.cart_page_at("/checkout", &cookie).await;
    assert!(
        page.contains(&format!("<option value=\"{country}\"")),
        "countries from the data"
    );
    assert!(page.contains("name=\"shipping\" value=\"express\""));
    assert!(
        page.contains("Test payments only"),
        "the test provider says so"
    );
    let total = price * 2 + vitrine::cart::Shipping::Standard.price(price * 2, 2);
    assert!(
        page.contains(&format!("£{}.{:02}", total / 100, total % 100)),
        "the review total"
    );
    let key = form_key(&page);

    // A declined card: back to the form, the reason shown, the input kept, nothing written.
    let (status, location, _) = app
        .cart_form(
            "/checkout/place",
            Some(&cookie),
            &form(&key, &country, TEST_CARD_DECLINED),
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/checkout?e=1"));
    let page = app.cart_page_at("/checkout?e=1", &cookie).await;
    assert!(page.contains("Your card was declined"), "{page}");
    assert!(page.contains("value=\"Grace Hopper\"") && page.contains("value=\"1 Navy Way\""));
    assert!(
        !page.contains(TEST_CARD_DECLINED),
        "card numbers are never kept"
    );
    assert_eq!((web_orders(&app).await, stock_of(&app, &sku).await), (0, 4));
    let again = app.cart_page_at("/checkout", &cookie).await;
    assert!(
        !again.contains("Your card was declined"),
        "the reason is shown once"
    );

    // The good card: to the order page with the confirmation; the draft is gone.
    let key = form_key(&page);
    let (status, location, _) = app
        .cart_form(
            "/checkout/place",
            Some(&cookie),
            &form(&key, &country, TEST_CARD_OK),
        )
        .await;
    assert_eq!(status, 303);
    assert!(
        location.starts_with("/orders/VT") && location.ends_with("&n=placed"),
        "{location}"
    );
    let order = app.page(&location, 200).await;
    assert!(order.contains("Thank you! Your order is placed"), "{order}");
    assert!(order.contains("Express delivery") || order.contains("express"));
    assert_eq!((web_orders(&app).await, stock_of(&app, &sku).await), (1, 2));
    assert_eq!(app.count("checkout_drafts").await, 0);
    let (kind, recipient): (String, String) = sqlx::query_as("SELECT kind, recipient FROM outbox")
        .fetch_one(&app.db)
        .await
        .expect("the confirmation is in the outbox");
    assert_eq!(
        (kind.as_str(), recipient.as_str()),
        ("order_confirmation", "grace@example.com")
    );

    // The same form sent again (a double click): the same order, no second one.
    let (status, again, _) = app
        .cart_form(
            "/checkout/place",
            Some(&cookie),
            &form(&key, &country, TEST_CARD_OK),
        )
        .await;
    assert_eq!((status, again), (303, location));
    assert_eq!(web_orders(&app).await, 1);
}

/// Places an order of one `sku` and returns (number, order page url).
async fn placed(app: &TestApp, sku: &str, key: &str) -> (String, String) {
    let country = country(app).await;
    let cookie = cart_with(app, sku, 1).await;
    let (status, body) = place(app, &cookie, TEST_CARD_OK, key, &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    (
        body["order"].as_str().expect("number").to_string(),
        body["url"].as_str().expect("url").to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_is_found_by_its_number_and_email_only() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let (number, url) = placed(&app, &sku, "find-1").await;
    let lookup = app.page("/orders", 200).await;
    assert!(lookup.contains("action=\"/orders/find\""));

    let lower = number.to_lowercase();
    let (status, location, _) = app
        .cart_form(
            "/orders/find",
            None,
            &[("number", &lower), ("email", " ADA@example.com ")],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, url.as_str()));
    for (n, e) in [
        (number.as_str(), "eve@example.com"),
        ("VT0000000000", "ada@example.com"),
    ] {
        let (status, location, _) = app
            .cart_form("/orders/find", None, &[("number", n), ("email", e)])
            .await;
        assert_eq!((status, location.as_str()), (303, "/orders?e=not_found"));
    }
    let page = app.page("/orders?e=not_found", 200).await;
    assert!(
        page.contains("couldn&#x27;t find an order") || page.contains("couldn't find an order")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_move_along_and_can_be_returned_within_seven_days_of_delivery() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let (number, url) = placed(&app, &sku, "life-1").await;
    let now = vitrine_server::db::now();
    let err = orders::advance(&app.db, &number, OrderStatus::Delivered, now)
        .await
        .expect_err("no skipping");
    assert!(matches!(err, AdvanceError::NotAllowed { .. }), "{err}");
    assert!(err.to_string().contains("it can't become delivered"));
    for status in [
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ] {
        orders::advance(&app.db, &number, status, now)
            .await
            .expect("moves along");
    }
    let page = app.page(&url, 200).await;
    assert!(page.contains("Status: Delivered") && page.contains("Request a return"));
    assert!(
        page.contains("Handed to the carrier"),
        "the timeline shows every event"
    );

    let key = url.split("key=").nth(1).expect("key");
    let (status, location, _) = app
        .cart_form(&format!("/orders/{number}/return"), None, &[("key", key)])
        .await;
    assert_eq!(
        (status, location),
        (303, format!("{url}&n=return_requested"))
    );
    let page = app.page(&url, 200).await;
    assert!(page.contains("Status: Return requested") && !page.contains("Request a return"));
    let (status, _, _) = app
        .cart_form(
            &format!("/orders/{number}/return"),
            None,
            &[("key", "0123456789abcdef0123456789abcdef")],
        )
        .await;
    assert_eq!(
        status, 303,
        "a wrong key leads to the lookup, not the order"
    );
    orders::advance(&app.db, &number, OrderStatus::Returned, now)
        .await
        .expect("returned");
    assert_eq!(
        stock_of(&app, &sku).await,
        5,
        "returned goods are back in stock"
    );
    let (outbox,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE kind = 'order_status'")
            .fetch_one(&app.db)
            .await
            .expect("count");
    assert_eq!(
        outbox, 5,
        "packed, shipped, delivered, return requested, returned"
    );

    // Delivered eight days ago: too late.
    let (late, late_url) = placed(&app, &sku, "life-2").await;
    for status in [
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ] {
        orders::advance(&app.db, &late, status, now - 8 * DAY)
            .await
            .expect("moves along");
    }
    assert!(!app.page(&late_url, 200).await.contains("Request a return"));
    let late_key = late_url.split("key=").nth(1).expect("key");
    let (status, body) = app
        .cart_json(&format!("/orders/{late}/return"), "", &[("key", late_key)])
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("7 days")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelling_puts_the_stock_back_and_the_order_command_moves_orders() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let (number, _) = placed(&app, &sku, "cli-1").await;
    assert_eq!(stock_of(&app, &sku).await, 4);

    let vitrine = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the vitrine command runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = vitrine(&["order", "list", "--email", "ada@example.com"]);
    assert!(
        ok && out.contains(&number) && out.contains("paid"),
        "{out}{err}"
    );
    let (ok, out, _) = vitrine(&["order", "advance", &number, "packed"]);
    assert!(ok && out.contains("paid -> packed"), "{out}");
    let (ok, _, err) = vitrine(&["order", "advance", &number, "teleported"]);
    assert!(!ok && err.contains("unknown status"), "{err}");
    let (ok, out, _) = vitrine(&["order", "advance", &number, "cancelled"]);
    assert!(ok && out.contains("packed -> cancelled"), "{out}");
    assert_eq!(
        stock_of(&app, &sku).await,
        5,
        "cancelled goods are back in stock"
    );
    let (ok, _, err) = vitrine(&["order", "advance", &number, "shipped"]);
    assert!(
        !ok && err.contains("is cancelled: it can't become shipped"),
        "{err}"
    );
}
