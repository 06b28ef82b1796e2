//! The console's reviews page: a marketer reads the reviews (their text as text), hides one
//! (the product page drops it at once, the audit log names the marketer) and shows it again;
//! signed out, without the CSRF token or for a review that does not exist, nothing changes.

use crate::checkout::stocked_variant;
use crate::helpers::{TestApp, hidden, text_of, without_markers};
use crate::pricing_engine::{MARKETER, get, marketer, post};
use crate::reviews::{delivered, stem_of};
use vitrine_server::reviews::{self, Draft};

const PAGE: &str = "/admin/reviews";

async fn is_hidden(app: &TestApp) -> bool {
    let hidden_at: Option<i64> = sqlx::query_scalar("SELECT hidden_at FROM reviews")
        .fetch_one(&app.db)
        .await
        .expect("one review");
    hidden_at.is_some()
}

async fn summary(app: &TestApp, slug: &str) -> String {
    let page = app.page(&format!("/p/{slug}"), 200).await;
    text_of(&page, "reviews-summary").unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_marketer_hides_a_review_in_the_console_and_shows_it_again() {
    // The page cache stays on: a console change must reach the next product page at once.
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 5).await;
    let stem = stem_of(&app, &sku).await;
    let slug = app.slug_of(&sku).await;
    let (number, _, key) = delivered(&app, &sku, "console-1", true).await;
    let draft = Draft::parse("2", "Bob <i>", "Broke in a week.").expect("valid");
    reviews::submit(
        &app.db,
        &number,
        &key,
        &stem,
        &draft,
        vitrine_server::db::now(),
    )
    .await
    .expect("published");
    assert_eq!(summary(&app, &slug).await, "2.0 out of 5 from 1 review");

    // Signed out: sent to sign in, nothing shown.
    let res = get(&app, PAGE, None).await;
    assert_eq!(res.status(), 303);

    let (cookie, csrf) = marketer(&app).await;
    let res = get(&app, PAGE, Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let html = without_markers(&res.text().await.expect("body"));
    assert!(
        html.contains("Broke in a week.") && html.contains("Bob &lt;i&gt;"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/admin/reviews\""),
        "the console links the page"
    );
    let id = hidden(&html, "id");

    // Without the token, or for a review that does not exist: refused, nothing changed.
    let res = post(&app, PAGE, Some(&cookie), &[("op", "hide"), ("id", &id)]).await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        PAGE,
        Some(&cookie),
        &[("csrf", &csrf), ("op", "hide"), ("id", "0123456789abcdef")],
    )
    .await;
    assert_eq!(res.status(), 404);
    let body = res.text().await.expect("body");
    assert!(body.contains("There is no such review"), "{body}");
    let res = post(
        &app,
        PAGE,
        Some(&cookie),
        &[("csrf", &csrf), ("op", "delete"), ("id", &id)],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(!is_hidden(&app).await);

    // Hidden: the product page drops it at once; the audit log names the marketer.
    let res = post(
        &app,
        PAGE,
        Some(&cookie),
        &[("csrf", &csrf), ("op", "hide"), ("id", &id)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/admin/reviews?n=hidden")
    );
    assert!(is_hidden(&app).await);
    assert!(summary(&app, &slug).await.starts_with("No reviews yet"));
    let actor: String = sqlx::query_scalar(
        "SELECT actor FROM audit_log WHERE action = 'review.hidden' AND subject = $1",
    )
    .bind(&id)
    .fetch_one(&app.db)
    .await
    .expect("audited");
    assert_eq!(actor, MARKETER);
    let html = without_markers(
        &get(&app, "/admin/reviews?n=hidden", Some(&cookie))
            .await
            .text()
            .await
            .expect("body"),
    );
    assert!(
        html.contains("Hidden: the product page no longer shows it"),
        "{html}"
    );
    assert!(html.contains("name=\"op\" value=\"show\""), "{html}");

    // Shown again.
    let res = post(
        &app,
        PAGE,
        Some(&cookie),
        &[("csrf", &csrf), ("op", "show"), ("id", &id)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(!is_hidden(&app).await);
    assert_eq!(summary(&app, &slug).await, "2.0 out of 5 from 1 review");
}
