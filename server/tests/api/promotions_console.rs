//! The console's promotions page: a marketer creates a coupon and a shopper uses it; bad forms
//! come back with a message and a 422 and create nothing; a POST without the CSRF token is
//! refused; ending a coupon makes checkout refuse it; ending a flash sale early restores the
//! list price at once through the price history; a scheduled flash sale is cancelled without a
//! trace in the history. Member tiers are in `member_tiers.rs`.

use crate::checkout::{cart_with, checkout_form, country, place, web_orders};
use crate::helpers::{TestApp, text_of, without_markers};
use crate::pricing_engine::{MARKETER, get, marketer, post};
use crate::promotions::{product_at, times_used};
use vitrine_server::db::now;
use vitrine_server::payments::TEST_CARD_OK;

pub(crate) const DAY: i64 = 86_400;
const PAGE: &str = "/admin/promotions";

/// A form's fields.
type Form<'a> = &'a [(&'a str, &'a str)];

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.db).await.expect("count");
    n
}

async fn promotion_audits(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action LIKE 'promotion.%'",
    )
    .await
}

/// Posts `form` to the promotions page with the session and its token: (status, location,
/// body).
pub(crate) async fn send(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut full = vec![("csrf", csrf)];
    full.extend_from_slice(form);
    let res = post(app, PAGE, Some(cookie), &full).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = without_markers(&res.text().await.expect("body"));
    (status, location, body)
}

pub(crate) async fn console_page(app: &TestApp, cookie: &str) -> String {
    let res = get(app, PAGE, Some(cookie)).await;
    assert_eq!(res.status(), 200);
    without_markers(&res.text().await.expect("body"))
}

/// Places an order for `email` with `extra` fields: (status, JSON body).
pub(crate) async fn place_as(
    app: &TestApp,
    cookie: &str,
    email: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let country = country(app).await;
    let mut form: Vec<(&str, &str)> = checkout_form(TEST_CARD_OK, key, &country)
        .into_iter()
        .filter(|(name, _)| *name != "email")
        .collect();
    form.push(("email", email));
    form.extend_from_slice(extra);
    app.cart_json("/checkout/place", cookie, &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_marketer_creates_a_coupon_in_the_console_and_a_shopper_uses_it_until_it_is_ended() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 2_000).await;
    let country = country(&app).await;

    // Signed out: no page, no change.
    let res = get(&app, PAGE, None).await;
    assert_ne!(res.status(), 200);
    let (cookie, csrf) = marketer(&app).await;
    let home = without_markers(
        &get(&app, "/admin", Some(&cookie))
            .await
            .text()
            .await
            .expect("body"),
    );
    assert!(
        home.contains("href=\"/admin/promotions\""),
        "linked from the console home"
    );

    let coupon = [
        ("op", "coupon_add"),
        ("code", "console10"),
        ("kind", "percent"),
        ("amount", "10"),
        ("min_spend", "10.00"),
        ("until", "+1d"),
        ("limit", "5"),
    ];
    // Without the CSRF token, or with a forged one: refused, nothing created.
    let res = post(&app, PAGE, Some(&cookie), &coupon).await;
    assert_eq!(res.status(), 403);
    let (status, _, _) = send(&app, &cookie, "forged", &coupon).await;
    assert_eq!(status, 403);
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM coupons").await,
        0
    );

    // Bad forms: a message the marketer can act on, their input kept, a 422, nothing created.
    let bad: [(Form, &str, &str); 7] = [
        (
            &[
                ("op", "coupon_add"),
                ("code", "zero-pc"),
                ("kind", "percent"),
                ("amount", "0"),
            ],
            "A percentage off must be from 1 to 100.",
            "value=\"zero-pc\"",
        ),
        (
            &[
                ("op", "coupon_add"),
                ("code", "backwards"),
                ("kind", "fixed"),
                ("amount", "5.00"),
                ("from", "2030-01-02T00:00"),
                ("until", "2030-01-01T00:00"),
            ],
            "The end of the window must be after its start.",
            "value=\"2030-01-01T00:00\"",
        ),
        (
            &[
                ("op", "coupon_add"),
                ("code", "five"),
                ("kind", "fixed"),
                ("amount", "five pounds"),
            ],
            "Enter the amount off as an amount like 5.00",
            "value=\"five pounds\"",
        ),
        (
            &[
                ("op", "coupon_add"),
                ("code", "x"),
                ("kind", "percent"),
                ("amount", "5"),
                ("until", "next week"),
            ],
            "Enter the end as a UTC time like 2026-11-23T18:00",
            "value=\"next week\"",
        ),
        (
            &[
                ("op", "multibuy_add"),
                ("sku", "nope-1"),
                ("qty", "3"),
                ("price", "10.00"),
            ],
            "There is no variant with SKU NOPE-1.",
            "value=\"nope-1\"",
        ),
        (
            &[
                ("op", "threshold_add"),
                ("spend", "5.00"),
                ("save", "10.00"),
            ],
            "The saving must be above zero and at most the spend.",
            "value=\"10.00\"",
        ),
        (
            &[
                ("op", "flash_add"),
                ("sku", "nope-1"),
                ("price", "1.00"),
                ("until", "+1h"),
            ],
            "There is no variant with SKU NOPE-1.",
            "value=\"+1h\"",
        ),
    ];
    for (form, message, kept) in bad {
        let (status, _, body) = send(&app, &cookie, &csrf, form).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        let said = text_of(&body, "promo-error").unwrap_or_default();
        assert!(said.starts_with(message), "{form:?}: {said}");
        assert!(body.contains(kept), "{form:?} keeps {kept}");
    }
    for table in [
        "coupons",
        "multibuy_offers",
        "spend_thresholds",
        "flash_sales",
    ] {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        assert_eq!(count(&app, &sql).await, 0, "{table}");
    }
    assert_eq!(promotion_audits(&app).await, 0);

    // The coupon, created by the marketer, listed as active, audited under their name.
    let (status, location, _) = send(&app, &cookie, &csrf, &coupon).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/promotions?n=coupon_add")
    );
    let html = console_page(&app, &cookie).await;
    assert!(html.contains("<code>CONSOLE10</code>"), "{html}");
    assert_eq!(text_of(&html, "coupon-status").as_deref(), Some("active"));
    let (actor,): (String,) = sqlx::query_as(
        "SELECT actor FROM audit_log WHERE action = 'promotion.added' AND subject = 'CONSOLE10'",
    )
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(actor, MARKETER);

    // A shopper uses it: 20.00 - 10% + 3.95 delivery.
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place(
        &app,
        &cart,
        TEST_CARD_OK,
        "console-1",
        &country,
        &[("coupon", "console10")],
    )
    .await;
    assert_eq!(
        (status, body["total_minor"].clone()),
        (201, 2_195.into()),
        "{body}"
    );
    assert_eq!(times_used(&app, "CONSOLE10").await, 1);

    // Used: its terms can no longer change.
    let (status, _, body) = send(
        &app,
        &cookie,
        &csrf,
        &[
            ("op", "coupon_edit"),
            ("code", "CONSOLE10"),
            ("min_spend", "0"),
            ("limit", "9"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("has been used by 1 order(s)"), "{body}");
    let res = get(&app, "/admin/promotions?edit=CONSOLE10", Some(&cookie)).await;
    let html = without_markers(&res.text().await.expect("body"));
    assert!(
        !html.contains("Edit coupon CONSOLE10"),
        "no edit form: {html}"
    );

    // An unused one can: the edit form starts from its terms.
    let unused = [
        ("op", "coupon_add"),
        ("code", "unused5"),
        ("kind", "fixed"),
        ("amount", "5.00"),
        ("limit", "10"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &unused).await.0, 303);
    let res = get(&app, "/admin/promotions?edit=UNUSED5", Some(&cookie)).await;
    let html = without_markers(&res.text().await.expect("body"));
    assert!(html.contains("Edit coupon UNUSED5"), "{html}");
    assert!(
        html.contains("id=\"coupon-edit-limit\" name=\"limit\" type=\"text\" value=\"10\""),
        "{html}"
    );
    let edit = [
        ("op", "coupon_edit"),
        ("code", "UNUSED5"),
        ("min_spend", "30.00"),
        ("limit", "3"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &edit).await.0, 303);
    let (min, limit): (i64, Option<i64>) =
        sqlx::query_as("SELECT min_spend_minor, usage_limit FROM coupons WHERE code = 'UNUSED5'")
            .fetch_one(&app.db)
            .await
            .expect("coupon");
    assert_eq!((min, limit), (3_000, Some(3)));

    // Ended now: listed as ended, kept (the order references it), refused at checkout.
    let (status, _, _) = send(
        &app,
        &cookie,
        &csrf,
        &[("op", "coupon_end"), ("code", "CONSOLE10")],
    )
    .await;
    assert_eq!(status, 303);
    let html = console_page(&app, &cookie).await;
    assert!(
        html.contains("<td data-testid=\"coupon-status\">ended</td>"),
        "{html}"
    );
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place(
        &app,
        &cart,
        TEST_CARD_OK,
        "console-2",
        &country,
        &[("coupon", "CONSOLE10")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("The code CONSOLE10 ended on"),
        "{body}"
    );
    assert_eq!(web_orders(&app).await, 1);
    let (status, _, body) = send(
        &app,
        &cookie,
        &csrf,
        &[("op", "coupon_end"), ("code", "CONSOLE10")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("has already ended"));
    let (ended,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'promotion.ended' AND subject = 'CONSOLE10'",
    )
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(ended, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thresholds_and_multi_buys_are_added_and_removed_in_the_console() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 1_000).await;
    let (cookie, csrf) = marketer(&app).await;
    let forms: [&[(&str, &str)]; 2] = [
        &[
            ("op", "threshold_add"),
            ("spend", "50.00"),
            ("save", "5.00"),
        ],
        &[
            ("op", "multibuy_add"),
            ("sku", &sku.to_ascii_lowercase()),
            ("qty", "3"),
            ("price", "25.00"),
        ],
    ];
    for form in forms {
        assert_eq!(send(&app, &cookie, &csrf, form).await.0, 303, "{form:?}");
    }
    let html = console_page(&app, &cookie).await;
    assert!(html.contains("<td>£50.00</td><td>£5.00</td>"), "{html}");
    assert!(html.contains("3 for £25.00"), "{html}");
    let removals: [&[(&str, &str)]; 2] = [
        &[("op", "threshold_remove"), ("spend", "50.00")],
        &[("op", "multibuy_remove"), ("sku", &sku)],
    ];
    for form in removals {
        assert_eq!(send(&app, &cookie, &csrf, form).await.0, 303, "{form:?}");
        let (status, _, body) = send(&app, &cookie, &csrf, form).await;
        assert_eq!(status, 422, "removing twice: {body}");
        assert!(body.contains("There is no"), "{body}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM spend_thresholds"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM multibuy_offers").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'promotion.removed'"
        )
        .await,
        2
    );
}

/// The history of `sku`: (valid_from, price, source), oldest first.
async fn history(app: &TestApp, sku: &str) -> Vec<(i64, i64, String)> {
    sqlx::query_as("SELECT valid_from, price_minor, source FROM price_history WHERE sku = $1 ORDER BY valid_from")
        .bind(sku)
        .fetch_all(&app.db)
        .await
        .expect("history")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ending_a_flash_sale_early_restores_the_list_price_at_once_through_the_history() {
    let app = TestApp::spawn().await;
    let (slug, sku) = product_at(&app, 1_000).await;
    let path = format!("/p/{slug}");
    let (cookie, csrf) = marketer(&app).await;
    let flash = [
        ("op", "flash_add"),
        ("sku", sku.as_str()),
        ("price", "6.00"),
        ("until", "+2h"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &flash).await.0, 303);
    let html = without_markers(&app.page(&path, 200).await);
    assert_eq!(text_of(&html, "price").as_deref(), Some("£6.00"));
    let (id, starts_at, ends_at): (String, i64, i64) =
        sqlx::query_as("SELECT id, starts_at, ends_at FROM flash_sales WHERE sku = $1")
            .bind(&sku)
            .fetch_one(&app.db)
            .await
            .expect("sale");
    assert_eq!(
        text_of(&console_page(&app, &cookie).await, "flash-status").as_deref(),
        Some("running")
    );
    // Not cancellable once running.
    let (status, _, body) =
        send(&app, &cookie, &csrf, &[("op", "flash_cancel"), ("id", &id)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("is running: end it instead"), "{body}");

    // The history keeps a price row per second (its key is the SKU and the start): a sale
    // ended within the second it started ends on the next. Wait for that second to pass.
    while now() <= starts_at {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, _, _) = send(&app, &cookie, &csrf, &[("op", "flash_end"), ("id", &id)]).await;
    assert_eq!(status, 303);
    let ended = now();
    let html = without_markers(&app.page(&path, 200).await);
    assert_eq!(
        text_of(&html, "price").as_deref(),
        Some("£10.00"),
        "at once"
    );
    assert!(!html.contains("data-testid=\"sale-ends\""));
    assert!(!html.contains("data-testid=\"was-price\""));
    let rows = history(&app, &sku).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (rows[1].0, rows[1].1, rows[1].2.as_str()),
        (starts_at, 600, "promotion")
    );
    assert_eq!((rows[2].1, rows[2].2.as_str()), (1_000, "promotion-end"));
    assert!(
        rows[2].0 > starts_at && rows[2].0 <= ended && rows[2].0 < ends_at,
        "{rows:?}"
    );
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place(
        &app,
        &cart,
        TEST_CARD_OK,
        "after-flash",
        &country(&app).await,
        &[],
    )
    .await;
    assert_eq!(
        (status, body["total_minor"].clone()),
        (201, 1_395.into()),
        "{body}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'promotion.ended'"
        )
        .await,
        1
    );

    // A sale that has not started: it cannot be ended, it can be cancelled, and its future
    // rows go with it; the price never moved.
    let later = [
        ("op", "flash_add"),
        ("sku", sku.as_str()),
        ("price", "7.00"),
        ("from", "+1h"),
        ("until", "+2h"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &later).await.0, 303);
    assert_eq!(history(&app, &sku).await.len(), 5);
    let (next,): (String,) =
        sqlx::query_as("SELECT id FROM flash_sales WHERE sku = $1 AND id <> $2")
            .bind(&sku)
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .expect("scheduled sale");
    assert!(
        console_page(&app, &cookie)
            .await
            .contains("<td data-testid=\"flash-status\">scheduled</td>")
    );
    let (status, _, body) = send(&app, &cookie, &csrf, &[("op", "flash_end"), ("id", &next)]).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("has not started: cancel it instead"),
        "{body}"
    );
    let (status, _, _) = send(
        &app,
        &cookie,
        &csrf,
        &[("op", "flash_cancel"), ("id", &next)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        history(&app, &sku).await,
        rows,
        "the cancelled sale left no price rows"
    );
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM flash_sales").await,
        1
    );
    let html = without_markers(&app.page(&path, 200).await);
    assert_eq!(text_of(&html, "price").as_deref(), Some("£10.00"));
    let (status, _, body) = send(&app, &cookie, &csrf, &[("op", "flash_end"), ("id", &id)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("has already ended"), "{body}");
}
