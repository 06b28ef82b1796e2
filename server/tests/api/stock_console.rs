//! The console's stock screen: an out-of-stock variant comes first; staff receive a delivery
//! and the product page sells it again at once; a count overtaken by a sale is refused and
//! changes nothing, a fresh one is kept; quantities that aren't ones, unknown SKUs, a missing
//! CSRF token and no sign-in change nothing; hostile searches are text; every change is in the
//! audit log under the person.

use crate::checkout::{cart_with, stock_of, stocked_variant};
use crate::helpers::{TestApp, text_of, without_markers};
use crate::pricing_engine::{MARKETER, get, marketer, post};

const PAGE: &str = "/admin/stock";

async fn page_of(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = get(app, path, Some(cookie)).await;
    assert_eq!(res.status(), 200, "{path}");
    without_markers(&res.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_restock_a_sold_out_variant_and_correct_a_count() {
    // The page cache stays on: a restock must reach the next product page at once.
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 0).await;
    let slug = app.slug_of(&sku).await;
    let product = app.page(&format!("/p/{slug}?variant={sku}"), 200).await;
    assert_eq!(text_of(&product, "stock").as_deref(), Some("Out of stock"));

    assert_eq!(get(&app, PAGE, None).await.status(), 303, "signed out");
    let (cookie, csrf) = marketer(&app).await;
    let list = page_of(&app, PAGE, &cookie).await;
    assert!(
        list.contains("href=\"/admin/stock\""),
        "the console links the screen"
    );
    assert_eq!(
        text_of(&list, "stock-level").as_deref(),
        Some("Out of stock"),
        "the least stocked come first"
    );
    let found = page_of(&app, &format!("{PAGE}?q={}", sku.to_lowercase()), &cookie).await;
    assert_eq!(
        text_of(&found, "stock-summary").as_deref(),
        Some("1 variant.")
    );
    assert_eq!(
        text_of(&found, "stock-level").as_deref(),
        Some("Out of stock")
    );
    for hostile in ["%25", "_", "%3Cscript%3E", "%5C"] {
        let html = page_of(&app, &format!("{PAGE}?q={hostile}"), &cookie).await;
        assert!(!html.contains("<script>"), "{hostile}");
    }
    let matches_all = page_of(&app, &format!("{PAGE}?q=%25"), &cookie).await;
    assert_eq!(
        text_of(&matches_all, "stock-summary").as_deref(),
        Some("No variants match."),
        "a typed % is a percent sign, not a wildcard"
    );

    // Refused, nothing changed: no token, not a quantity, an unknown SKU.
    let receive = |units: &'static str| {
        vec![
            ("op", "receive"),
            ("sku", sku.as_str()),
            ("units", units),
            ("q", sku.as_str()),
        ]
    };
    assert_eq!(
        post(&app, PAGE, Some(&cookie), &receive("5"))
            .await
            .status(),
        403
    );
    for bad in ["0", "-2", "1.5", "many", "100001"] {
        let mut form = receive(bad);
        form.push(("csrf", csrf.as_str()));
        let res = post(&app, PAGE, Some(&cookie), &form).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body = res.text().await.expect("body");
        assert!(body.contains("whole number from 1 to 100,000"), "{body}");
    }
    let unknown = [
        ("csrf", csrf.as_str()),
        ("op", "receive"),
        ("sku", "NO-SUCH"),
        ("units", "3"),
    ];
    assert_eq!(
        post(&app, PAGE, Some(&cookie), &unknown).await.status(),
        404
    );
    assert_eq!(stock_of(&app, &sku).await, 0);

    // A delivery of 5: the list says so and the product page sells it again.
    let mut form = receive("5");
    form.push(("csrf", csrf.as_str()));
    let res = post(&app, PAGE, Some(&cookie), &form).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let after = page_of(&app, &location, &cookie).await;
    assert!(
        after.contains(&format!("Received {sku}: 5 in stock now.")),
        "{after}"
    );
    let product = app.page(&format!("/p/{slug}?variant={sku}"), 200).await;
    assert_eq!(text_of(&product, "stock").as_deref(), Some("Only 5 left"));

    // A shopper buys 1 meanwhile: a count made from the 5 shown is refused; from 4, kept.
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = crate::checkout::place(
        &app,
        &cart,
        vitrine_server::payments::TEST_CARD_OK,
        "stock-count-1",
        &crate::checkout::country(&app).await,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let count = |seen: &'static str| {
        [
            ("csrf", csrf.as_str()),
            ("op", "count"),
            ("sku", sku.as_str()),
            ("count", "3"),
            ("seen", seen),
        ]
    };
    let res = post(&app, PAGE, Some(&cookie), &count("5")).await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.expect("body");
    assert!(body.contains("has 4 in stock now, not 5"), "{body}");
    assert_eq!(stock_of(&app, &sku).await, 4);
    assert_eq!(
        post(&app, PAGE, Some(&cookie), &count("4")).await.status(),
        303
    );
    assert_eq!(stock_of(&app, &sku).await, 3);

    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, detail FROM audit_log WHERE subject = $1 ORDER BY at, action DESC",
    )
    .bind(&sku)
    .fetch_all(&app.db)
    .await
    .expect("audit");
    let audit: Vec<(&str, &str, &str)> = audit
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        audit,
        [
            (MARKETER, "stock.received", "+5: 0 → 5"),
            (MARKETER, "stock.counted", "4 → 3")
        ]
    );
}
