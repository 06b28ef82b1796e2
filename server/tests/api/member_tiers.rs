//! Member tiers: a member coupon is refused for a new email and accepted for an email with
//! enough paid orders over the last year; the shown price is the same for everyone.

use crate::checkout::{cart_with, stock_of, web_orders};
use crate::helpers::{TestApp, text_of, without_markers};
use crate::pricing_engine::{marketer, vitrine};
use crate::promotions::{product_at, times_used};
use crate::promotions_console::{DAY, place_as, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_coupon_needs_enough_paid_orders_from_the_email_over_the_last_year() {
    let app = TestApp::spawn().await;
    let (slug, sku) = product_at(&app, 3_000).await;
    let (cookie, csrf) = marketer(&app).await;

    // A tier and its coupon from the console; a tier without a minimum is refused.
    let (status, _, body) = send(
        &app,
        &cookie,
        &csrf,
        &[("op", "tier_add"), ("name", "Gold"), ("min_spend", "0")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("minimum spend must be above zero"), "{body}");
    let gold = [("op", "tier_add"), ("name", "Gold"), ("min_spend", "30.00")];
    assert_eq!(send(&app, &cookie, &csrf, &gold).await.0, 303);
    let gold5 = [
        ("op", "coupon_add"),
        ("code", "GOLD5"),
        ("kind", "fixed"),
        ("amount", "5.00"),
        ("tier", "Gold"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &gold5).await.0, 303);
    let nobody = [
        ("op", "coupon_add"),
        ("code", "TIN5"),
        ("kind", "fixed"),
        ("amount", "5.00"),
        ("tier", "Tin"),
    ];
    let (status, _, body) = send(&app, &cookie, &csrf, &nobody).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("There is no member tier called Tin."),
        "{body}"
    );

    // A new email: refused with what it has and what it needs, nothing changed.
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place_as(
        &app,
        &cart,
        "new@example.com",
        "gold-new",
        &[("coupon", "gold5")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["message"],
        "This code is for Gold members: orders over the last year from this email total £0.00 of the £30.00 needed."
    );
    assert_eq!(
        (
            web_orders(&app).await,
            times_used(&app, "GOLD5").await,
            stock_of(&app, &sku).await
        ),
        (0, 0, 100)
    );
    // "Apply" without an email says to type one first.
    let (status, body) = app
        .cart_json(
            "/checkout/place",
            &cart,
            &[("coupon", "gold5"), ("apply_coupon", "1")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("enter your email first"),
        "{body}"
    );

    // An email with a paid order of 30.00 + 3.95 delivery in the last year: accepted.
    let (status, _) = place_as(&app, &cart, "Regular@Example.com", "gold-past", &[]).await;
    assert_eq!(status, 201);
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place_as(
        &app,
        &cart,
        "regular@example.com",
        "gold-ok",
        &[("coupon", "GOLD5")],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_minor"], 3_000 - 500 + 395);
    assert_eq!(times_used(&app, "GOLD5").await, 1);

    // The price on the page is the same whoever looks: tiers are only coupons typed at checkout.
    let html = without_markers(&app.page(&format!("/p/{slug}"), 200).await);
    assert_eq!(text_of(&html, "price").as_deref(), Some("£30.00"));

    // A year and a day later those orders no longer count.
    sqlx::query(
        "UPDATE orders SET placed_at = placed_at - $1 WHERE number IN \
         (SELECT order_number FROM order_details WHERE email = 'regular@example.com')",
    )
    .bind(366 * DAY)
    .execute(&app.db)
    .await
    .expect("age the orders");
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place_as(
        &app,
        &cart,
        "regular@example.com",
        "gold-old",
        &[("coupon", "GOLD5")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("total £0.00 of the £30.00 needed"),
        "{body}"
    );

    // The same from the command line: a tier, a coupon for it, ended, listed.
    let url = Some(app.database_url.as_str());
    for args in [
        &["promo", "tier", "add", "Silver", "--min-spend", "10.00"][..],
        &[
            "promo",
            "coupon",
            "add",
            "silver5",
            "--percent",
            "5",
            "--tier",
            "silver",
        ],
        &["promo", "coupon", "end", "SILVER5"],
    ] {
        let (ok, out, err) = vitrine(url, args);
        assert!(ok, "{args:?}: {out} {err}");
    }
    let (ok, _, err) = vitrine(
        url,
        &["promo", "tier", "add", "gold", "--min-spend", "1.00"],
    );
    assert!(!ok && err.contains("already a tier called Gold"), "{err}");
    let (_, list, _) = vitrine(url, &["promo", "list"]);
    assert!(
        list.contains("tier      Silver: paid orders of £10.00 over 365 days"),
        "{list}"
    );
    assert!(list.contains("Silver members only, ended"), "{list}");
    assert!(list.contains("coupon    GOLD5: £5.00 off"), "{list}");
}
