//! The console's orders screen: staff find an order, pack, ship and deliver it, and the
//! shopper's order page follows; a double click moves it once; a move on an order that changed
//! meanwhile, a skipped step, a cancellation without its confirmation, a missing CSRF token or
//! no sign-in change nothing; cancelling and accepting a return put the stock back; every move
//! is in the audit log under the person who made it; the console home says what waits.

use crate::checkout::{stock_of, stocked_variant};
use crate::helpers::{TestApp, text_of, without_markers};
use crate::pricing_engine::{MARKETER, get, marketer, post};
use crate::reviews::delivered;

async fn status_of(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT status FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(&app.db)
        .await
        .expect("the order")
}

async fn events_in(app: &TestApp, number: &str, status: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM order_events WHERE order_number = $1 AND status = $2")
        .bind(number)
        .bind(status)
        .fetch_one(&app.db)
        .await
        .expect("count")
}

async fn page_of(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = get(app, path, Some(cookie)).await;
    assert_eq!(res.status(), 200, "{path}");
    without_markers(&res.text().await.expect("body"))
}

/// Posts a move of order `number`: (status, where a redirect goes, body).
async fn move_to(
    app: &TestApp,
    cookie: &str,
    number: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let res = post(app, &format!("/admin/orders/{number}"), Some(cookie), form).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, res.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_pack_ship_and_deliver_an_order_and_the_shopper_sees_each_step() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let (number, url, _) = delivered(&app, &sku, "console-orders-1", false).await;
    let page = format!("/admin/orders/{number}");

    // Signed out: sent to sign in; nothing shown.
    assert_eq!(get(&app, "/admin/orders", None).await.status(), 303);
    assert_eq!(get(&app, &page, None).await.status(), 303);

    let (cookie, csrf) = marketer(&app).await;
    let home = page_of(&app, "/admin", &cookie).await;
    assert!(
        home.contains("<a href=\"/admin/orders?status=paid\">1 paid order to pack</a>"),
        "{home}"
    );
    assert!(home.contains("1 email waiting to be sent (sent by the mail worker"));
    let list = page_of(&app, "/admin/orders", &cookie).await;
    assert!(
        list.contains(&number) && list.contains("Ada Lovelace"),
        "{list}"
    );
    assert!(
        list.contains("href=\"/admin/orders\""),
        "the console links the screen"
    );
    let shipped = page_of(&app, "/admin/orders?status=shipped", &cookie).await;
    assert!(!shipped.contains(&number), "{shipped}");
    assert_eq!(
        text_of(&shipped, "orders-summary").as_deref(),
        Some("No orders match.")
    );
    let lower = number.to_ascii_lowercase();
    let found = page_of(&app, &format!("/admin/orders?q={lower}"), &cookie).await;
    assert!(found.contains(&number), "found by number in any case");
    let found = page_of(
        &app,
        "/admin/orders?q=ADA%40example.com&status=paid",
        &cookie,
    )
    .await;
    assert!(found.contains(&number), "found by email and status");

    let detail = page_of(&app, &page, &cookie).await;
    assert!(
        detail.contains("12 St James&#39;s Square") || detail.contains("12 St James's Square"),
        "{detail}"
    );
    assert!(detail.contains("Mark as packed") && detail.contains("Cancel the order"));
    assert!(!detail.contains("Mark as shipped"), "no skipping a step");
    assert_eq!(text_of(&detail, "order-status").as_deref(), Some("Paid"));

    // Without the token: refused, nothing moved.
    let (status, _, _) = move_to(
        &app,
        &cookie,
        &number,
        &[("from", "paid"), ("to", "packed")],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(status_of(&app, &number).await, "paid");

    // Packed; then the same click again is done once.
    let form = [("csrf", csrf.as_str()), ("from", "paid"), ("to", "packed")];
    let (status, location, _) = move_to(&app, &cookie, &number, &form).await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{page}?n=moved.packed").as_str())
    );
    let after = page_of(&app, &location, &cookie).await;
    assert!(after.contains("Marked as packed."), "{after}");
    let (status, location, _) = move_to(&app, &cookie, &number, &form).await;
    assert_eq!(
        (status, location),
        (303, format!("{page}?n=already.packed"))
    );
    assert_eq!(events_in(&app, &number, "packed").await, 1);

    // A move made from what the order was before someone else changed it: refused.
    let stale = [
        ("csrf", csrf.as_str()),
        ("from", "paid"),
        ("to", "cancelled"),
        ("confirm", "yes"),
    ];
    let (status, _, body) = move_to(&app, &cookie, &number, &stale).await;
    assert_eq!(status, 409);
    assert!(body.contains("is packed now"), "{body}");
    // A skipped step, and a cancellation without its box ticked: refused.
    let skip = [
        ("csrf", csrf.as_str()),
        ("from", "packed"),
        ("to", "delivered"),
    ];
    assert_eq!(move_to(&app, &cookie, &number, &skip).await.0, 422);
    let unticked = [
        ("csrf", csrf.as_str()),
        ("from", "packed"),
        ("to", "cancelled"),
    ];
    let (status, _, body) = move_to(&app, &cookie, &number, &unticked).await;
    assert_eq!(status, 422);
    assert!(body.contains("Yes, cancel this order"), "{body}");
    assert_eq!(status_of(&app, &number).await, "packed");

    for (from, to) in [("packed", "shipped"), ("shipped", "delivered")] {
        let form = [("csrf", csrf.as_str()), ("from", from), ("to", to)];
        assert_eq!(move_to(&app, &cookie, &number, &form).await.0, 303);
    }
    let home = page_of(&app, "/admin", &cookie).await;
    assert!(
        !home.contains("to pack") && !home.contains("to ship"),
        "{home}"
    );
    assert!(
        home.contains("4 emails waiting to be sent"),
        "the confirmation and three moves"
    );
    let shopper = app.page(&url, 200).await;
    assert!(shopper.contains("Handed to the carrier") && shopper.contains("Delivered"));
    let staff: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, detail FROM audit_log WHERE action = 'order.status' AND subject = $1 ORDER BY at, detail",
    )
    .bind(&number)
    .fetch_all(&app.db)
    .await
    .expect("audit");
    assert_eq!(staff.len(), 3, "{staff:?}");
    assert!(staff.iter().all(|(actor, _)| actor == MARKETER));
    assert!(staff.iter().any(|(_, d)| d == "paid → packed"));

    // An order that isn't there.
    assert_eq!(
        get(&app, "/admin/orders/VT000000", Some(&cookie))
            .await
            .status(),
        404
    );
    assert_eq!(
        get(&app, "/admin/orders/..%2Fstaff", Some(&cookie))
            .await
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelling_or_accepting_a_return_in_the_console_puts_the_stock_back() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let (cancelled, _, _) = delivered(&app, &sku, "console-orders-2", false).await;
    let (returned, _, _) = delivered(&app, &sku, "console-orders-3", true).await;
    assert_eq!(stock_of(&app, &sku).await, 3);
    let (cookie, csrf) = marketer(&app).await;

    let res = app
        .client
        .post(format!("{}/admin/orders/{cancelled}", app.address))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .form(&[
            ("csrf", csrf.as_str()),
            ("from", "paid"),
            ("to", "cancelled"),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value =
        serde_json::from_str(&res.text().await.expect("body")).expect("json");
    assert_eq!(
        (body["from"].as_str(), body["status"].as_str()),
        (Some("paid"), Some("cancelled"))
    );
    assert_eq!(stock_of(&app, &sku).await, 4);

    let detail = page_of(&app, &format!("/admin/orders/{returned}"), &cookie).await;
    assert!(detail.contains("Accept the return") && !detail.contains("Cancel the order"));
    let form = [
        ("csrf", csrf.as_str()),
        ("from", "delivered"),
        ("to", "returned"),
        ("confirm", "yes"),
    ];
    let (status, location, _) = move_to(&app, &cookie, &returned, &form).await;
    assert_eq!((status, location.contains("n=moved.returned")), (303, true));
    assert_eq!(stock_of(&app, &sku).await, 5);
    let done = page_of(&app, &format!("/admin/orders/{returned}"), &cookie).await;
    assert!(done.contains("This order is finished"), "{done}");
}
