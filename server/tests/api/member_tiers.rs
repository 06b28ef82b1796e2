//! Member tiers: a member coupon is refused for a new email and accepted for an email with
//! enough paid orders over the last year; the shown price is the same for everyone. A tier is
//! renamed with its coupons, its new minimum applies at the next checkout, and it is removed only
//! once no coupon for it can still be used.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tier_is_renamed_with_its_coupons_re_priced_at_once_and_removed_once_they_are_over() {
    let app = TestApp::spawn().await;
    let (_, sku) = product_at(&app, 3_000).await;
    let (cookie, csrf) = marketer(&app).await;
    let forms: [&[(&str, &str)]; 4] = [
        &[("op", "tier_add"), ("name", "Gold"), ("min_spend", "30.00")],
        &[
            ("op", "tier_add"),
            ("name", "Silver"),
            ("min_spend", "10.00"),
        ],
        &[
            ("op", "coupon_add"),
            ("code", "GOLD5"),
            ("kind", "fixed"),
            ("amount", "5.00"),
            ("tier", "Gold"),
        ],
        &[
            ("op", "coupon_add"),
            ("code", "SPRING"),
            ("kind", "fixed"),
            ("amount", "5.00"),
            ("tier", "Gold"),
        ],
    ];
    for form in forms {
        assert_eq!(send(&app, &cookie, &csrf, form).await.0, 303, "{form:?}");
    }
    // SPRING expired unused last week.
    sqlx::query("UPDATE coupons SET valid_until = $1 WHERE code = 'SPRING'")
        .bind(vitrine_server::db::now() - 7 * DAY)
        .execute(&app.db)
        .await
        .expect("expire");

    // Refused changes say why, keep what was typed and change nothing.
    let refused: [(&[(&str, &str)], &str); 4] = [
        (
            &[("op", "tier_edit"), ("name", "Gold"), ("rename", "silver")],
            "There is already a tier called Silver.",
        ),
        (
            &[("op", "tier_edit"), ("name", "Gold"), ("rename", "<b>")],
            "A tier name is 1 to 40 letters",
        ),
        (
            &[("op", "tier_edit"), ("name", "Gold"), ("min_spend", "0")],
            "A tier's minimum spend must be above zero.",
        ),
        (
            &[("op", "tier_edit"), ("name", "Gold")],
            "Give the tier a new name, a new minimum spend, or both.",
        ),
    ];
    for (form, message) in refused {
        let (status, _, body) = send(&app, &cookie, &csrf, form).await;
        assert_eq!(status, 422, "{form:?}: {body}");
        let said = text_of(&body, "promo-error").unwrap_or_default();
        assert!(said.starts_with(message), "{form:?}: {said}");
    }
    let (status, _, body) = send(
        &app,
        &cookie,
        &csrf,
        &[("op", "tier_edit"), ("name", "Gold"), ("rename", "<b>")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("value=\"&lt;b&gt;\""),
        "the typed name is kept"
    );

    // Renamed: the coupon follows; a new minimum is what the next checkout asks for.
    let rename = [
        ("op", "tier_edit"),
        ("name", "Gold"),
        ("rename", "Gold Plus"),
        ("min_spend", "12.50"),
    ];
    assert_eq!(send(&app, &cookie, &csrf, &rename).await.0, 303);
    let (tier,): (String,) = sqlx::query_as("SELECT tier FROM coupons WHERE code = 'GOLD5'")
        .fetch_one(&app.db)
        .await
        .expect("coupon");
    assert_eq!(tier, "Gold Plus");
    let cart = cart_with(&app, &sku, 1).await;
    let (status, body) = place_as(
        &app,
        &cart,
        "new@example.com",
        "plus",
        &[("coupon", "gold5")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["message"],
        "This code is for Gold Plus members: orders over the last year from this email total £0.00 of the £12.50 needed."
    );

    // Not removed while GOLD5 can still be used; removed once it is ended.
    let remove = [("op", "tier_remove"), ("name", "Gold Plus")];
    let (status, _, body) = send(&app, &cookie, &csrf, &remove).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        text_of(&body, "promo-error").as_deref(),
        Some("GOLD5 can still be used by Gold Plus members: end it first.")
    );
    let end = [("op", "coupon_end"), ("code", "GOLD5")];
    assert_eq!(send(&app, &cookie, &csrf, &end).await.0, 303);
    assert_eq!(send(&app, &cookie, &csrf, &remove).await.0, 303);
    let (status, _, body) = send(&app, &cookie, &csrf, &remove).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("There is no member tier called Gold Plus."),
        "{body}"
    );
    let (_, list, _) = vitrine(Some(app.database_url.as_str()), &["promo", "list"]);
    assert!(!list.contains("tier      Gold Plus"), "{list}");
    assert!(list.contains("tier      Silver"), "{list}");
    let coupon = [
        ("op", "coupon_add"),
        ("code", "PLUS10"),
        ("kind", "percent"),
        ("amount", "10"),
        ("tier", "Gold Plus"),
    ];
    let (status, _, body) = send(&app, &cookie, &csrf, &coupon).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("There is no member tier called Gold Plus."),
        "{body}"
    );

    // An expired coupon of the removed tier cannot be brought back by new dates.
    let url = Some(app.database_url.as_str());
    let (ok, _, err) = vitrine(
        url,
        &["promo", "coupon", "edit", "spring", "--until", "+1d"],
    );
    assert!(
        !ok && err.contains("The code SPRING is for the removed tier Gold Plus"),
        "{err}"
    );

    // From the command line: the name comes back (its old spelling), renamed in another case.
    for args in [
        &["promo", "tier", "add", "gold plus", "--min-spend", "20.00"][..],
        &[
            "promo",
            "tier",
            "edit",
            "GOLD PLUS",
            "--rename",
            "GOLD PLUS",
        ],
        &["promo", "tier", "edit", "silver", "--min-spend", "15.00"],
    ] {
        let (ok, out, err) = vitrine(url, args);
        assert!(ok, "{args:?}: {out} {err}");
    }
    let (ok, _, err) = vitrine(url, &["promo", "tier", "remove", "Bronze"]);
    assert!(
        !ok && err.contains("There is no member tier called Bronze."),
        "{err}"
    );
    let (_, list, _) = vitrine(url, &["promo", "list"]);
    assert!(
        list.contains("tier      GOLD PLUS: paid orders of £20.00 over 365 days"),
        "{list}"
    );
    assert!(
        list.contains("tier      Silver: paid orders of £15.00 over 365 days"),
        "{list}"
    );
    let (audits,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE subject LIKE 'tier %' \
         AND action IN ('promotion.changed', 'promotion.removed')",
    )
    .fetch_one(&app.db)
    .await
    .expect("audits");
    assert_eq!(
        audits, 4,
        "the console's rename and removal, two edits from the CLI"
    );
}
