//! Product reviews: a buyer reviews a product from the order page once the order has been
//! delivered; the product page shows the average, the count and the review (as text, in its
//! JSON-LD too); bad input, a wrong key, a product not on the order, an order not delivered
//! and a second review are refused with their status and message and store nothing; a
//! double-clicked button stores one review; the average counts every review; staff hide a
//! review and show it again.

use crate::checkout::{cart_with, country, place, stocked_variant};
use crate::helpers::{TestApp, json_ld, text_of};
use vitrine::orders::OrderStatus;
use vitrine_server::orders;
use vitrine_server::payments::TEST_CARD_OK;
use vitrine_server::reviews;
use vitrine_server::staff::audit::Actor;

/// Places and delivers an order of one `sku`: (number, order page url, key).
pub(crate) async fn delivered(
    app: &TestApp,
    sku: &str,
    key: &str,
    deliver: bool,
) -> (String, String, String) {
    let country = country(app).await;
    let cookie = cart_with(app, sku, 1).await;
    let (status, body) = place(app, &cookie, TEST_CARD_OK, key, &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    let number = body["order"].as_str().expect("number").to_string();
    let url = body["url"].as_str().expect("url").to_string();
    if deliver {
        deliver_order(app, &number).await;
    }
    let access = url.split("key=").nth(1).expect("key").to_string();
    (number, url, access)
}

/// Moves a paid order along to delivered, as the warehouse would.
async fn deliver_order(app: &TestApp, number: &str) {
    let now = vitrine_server::db::now();
    for status in [
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ] {
        orders::advance(&app.db, number, status, now)
            .await
            .expect("moves along");
    }
}

pub(crate) async fn stem_of(app: &TestApp, sku: &str) -> String {
    sqlx::query_scalar("SELECT stem FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .expect("stem")
}

/// Sends a review as a JSON client: (status, message).
async fn review_json(app: &TestApp, number: &str, form: &[(&str, &str)]) -> (u16, String) {
    let (status, body) = app
        .cart_json(&format!("/orders/{number}/review"), "x=y", form)
        .await;
    (
        status,
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn product_ld(page: &str) -> serde_json::Value {
    json_ld(page)
        .into_iter()
        .find(|v| v["@type"] == "Product")
        .expect("Product JSON-LD")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_buyer_reviews_a_delivered_product_and_the_product_page_shows_it() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let stem = stem_of(&app, &sku).await;
    let slug = app.slug_of(&sku).await;
    let (number, url, key) = delivered(&app, &sku, "review-1", false).await;
    let path = format!("/orders/{number}/review");
    let good = |rating| {
        vec![
            ("key", key.as_str()),
            ("stem", stem.as_str()),
            ("rating", rating),
            ("author", "  Ada <b>Lovelace</b> "),
            (
                "body",
                "<script>alert(1)</script>\r\nLovely colours.\r\n\r\n",
            ),
        ]
    };

    // The product page as cached before any review (a published review must replace it).
    let page = app.page(&format!("/p/{slug}"), 200).await;
    assert!(
        text_of(&page, "reviews-summary")
            .unwrap_or_default()
            .starts_with("No reviews yet")
    );
    assert!(product_ld(&page).get("aggregateRating").is_none());

    // Not delivered yet: no forms on the order page, and a review is refused.
    let page = app.page(&url, 200).await;
    assert!(!page.contains("Review what you bought"), "{page}");
    let (status, location, _) = app.cart_form(&path, None, &good("4")).await;
    assert_eq!((status, location), (303, format!("{url}&e=review_status")));
    assert_eq!(
        review_json(&app, &number, &good("4")).await,
        (
            409,
            "You can review what you bought once the order has been delivered.".into()
        )
    );
    deliver_order(&app, &number).await;
    let page = app.page(&url, 200).await;
    assert!(page.contains("Review what you bought"), "{page}");
    assert!(
        page.contains(&format!("name=\"stem\" value=\"{stem}\"")),
        "{page}"
    );

    // Bad input: the status and a message a person can act on, nothing stored.
    let mut refused = Vec::new();
    for (field, value) in [
        ("rating", "6"),
        ("rating", ""),
        ("author", " \n "),
        ("body", " \t\n "),
    ] {
        let form: Vec<(&str, &str)> = good("4")
            .into_iter()
            .map(|(k, v)| if k == field { (k, value) } else { (k, v) })
            .collect();
        refused.push(review_json(&app, &number, &form).await);
    }
    let long = "x".repeat(2_001);
    let mut form = good("4");
    form[4] = ("body", long.as_str());
    refused.push(review_json(&app, &number, &form).await);
    let mut form = good("4");
    form[1] = ("stem", "NOTONIT");
    refused.push(review_json(&app, &number, &form).await);
    let rating = "Choose a rating from 1 to 5 stars.".to_string();
    let body = "Write a few words about the product (up to 2,000 characters).".to_string();
    assert_eq!(
        refused,
        vec![
            (422, rating.clone()),
            (422, rating),
            (
                422,
                "Enter the name to show with your review (up to 40 characters).".into()
            ),
            (422, body.clone()),
            (422, body),
            (422, "That product is not on this order.".into()),
        ]
    );
    let mut form = good("4");
    form[0] = ("key", "0123456789abcdef0123456789abcdef");
    assert_eq!(review_json(&app, &number, &form).await.0, 404);
    let (status, location, _) = app.cart_form(&path, None, &form).await;
    assert_eq!((status, location.as_str()), (303, "/orders?e=not_found"));
    assert_eq!(app.count("reviews").await, 0);

    // Published, twice as a double click sends it: one review. A different one is refused.
    for _ in 0..2 {
        let (status, location, _) = app.cart_form(&path, None, &good("4")).await;
        assert_eq!((status, location), (303, format!("{url}&n=reviewed")));
    }
    assert_eq!(app.count("reviews").await, 1);
    assert_eq!(
        review_json(&app, &number, &good("2")).await,
        (
            409,
            "You have already reviewed that product for this order.".into()
        )
    );
    let page = app.page(&format!("{url}&n=reviewed"), 200).await;
    assert!(
        page.contains("Your review is on the product page now."),
        "{page}"
    );
    let reviewed = text_of(&page, "reviewed").unwrap_or_default();
    let title = title_of(&app, &stem).await;
    assert!(
        reviewed.starts_with(&format!("{title}: you gave it "))
            && reviewed.ends_with("aria-label=\"4 out of 5 stars\">★★★★☆"),
        "the rating, spoken as well as shown: {reviewed}"
    );

    // The product page: average, count, the review as text, and the same in JSON-LD.
    let page = app.page(&format!("/p/{slug}"), 200).await;
    assert_eq!(
        text_of(&page, "reviews-summary").as_deref(),
        Some("4.0 out of 5 from 1 review")
    );
    assert!(page.contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;"), "{page}");
    assert!(
        !page.contains("<script>alert(1)"),
        "review text is never markup"
    );
    let ld = product_ld(&page);
    assert_eq!(ld["aggregateRating"]["ratingValue"], "4.0");
    assert_eq!(ld["aggregateRating"]["reviewCount"], 1);
    assert_eq!(
        ld["review"][0]["reviewBody"],
        "<script>alert(1)</script>\nLovely colours."
    );
    assert_eq!(ld["review"][0]["author"]["name"], "Ada <b>Lovelace</b>");
}

async fn title_of(app: &TestApp, stem: &str) -> String {
    sqlx::query_scalar("SELECT title FROM products WHERE stem = $1")
        .bind(stem)
        .fetch_one(&app.db)
        .await
        .expect("title")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_page_averages_every_review_lists_the_newest_first_and_staff_hide_one() {
    // Hiding writes to the database directly, as `vitrine review hide` does from another
    // process: a cached page would show it only after its lifetime.
    let app = TestApp::spawn_uncached().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let stem = stem_of(&app, &sku).await;
    let slug = app.slug_of(&sku).await;
    for (n, (rating, author)) in [("5", "First"), ("4", "Second"), ("4", "Third")]
        .iter()
        .enumerate()
    {
        let (number, _, key) = delivered(&app, &sku, &format!("avg-{n}"), true).await;
        let draft = reviews::Draft::parse(rating, author, "Good.").expect("valid");
        reviews::submit(&app.db, &number, &key, &stem, &draft, 1_000 + n as i64)
            .await
            .expect("published");
    }
    let page = app.page(&format!("/p/{slug}"), 200).await;
    // (5 + 4 + 4) / 3 = 4.33
    assert_eq!(
        text_of(&page, "reviews-summary").as_deref(),
        Some("4.3 out of 5 from 3 reviews")
    );
    let order: Vec<usize> = ["Third", "Second", "First"]
        .iter()
        .map(|a| page.find(&format!("<strong>{a}</strong>")).expect("listed"))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first: {order:?}"
    );

    // Staff hide the newest: gone from the page, the average and the JSON-LD, audited; shown
    // again, it is back.
    let id: String = sqlx::query_scalar("SELECT id FROM reviews WHERE author = 'Third'")
        .fetch_one(&app.db)
        .await
        .expect("id");
    let now = vitrine_server::db::now();
    let hide = |hide: bool, id: String| {
        let db = app.db.clone();
        async move {
            reviews::set_hidden(&db, &id, hide, &Actor::CommandLine, now)
                .await
                .expect("changed")
        }
    };
    assert!(hide(true, id.clone()).await);
    let page = app.page(&format!("/p/{slug}"), 200).await;
    assert_eq!(
        text_of(&page, "reviews-summary").as_deref(),
        Some("4.5 out of 5 from 2 reviews")
    );
    assert!(!page.contains("<strong>Third</strong>"));
    assert_eq!(product_ld(&page)["aggregateRating"]["reviewCount"], 2);
    let audited: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'review.hidden' AND subject = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    assert!(hide(false, id).await);
    assert!(!hide(true, "nope".into()).await, "no such review");
    let page = app.page(&format!("/p/{slug}"), 200).await;
    assert_eq!(
        text_of(&page, "reviews-summary").as_deref(),
        Some("4.3 out of 5 from 3 reviews")
    );
}
