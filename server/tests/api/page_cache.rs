//! The page cache (`http::page_cache`) for visitors without cookies, and returning visitors
//! without a cart: a page is rendered once and served again, yet every such visitor still gets
//! their own experiment variant, their own visitor cookie, their product view and exposure
//! counted; a visitor with a cart, and a returning visitor's home page, are rendered for them;
//! and what a shopper changes through the store (buying the last one) shows on the very next
//! page.

use crate::checkout::{cart_with, country, place, stocked_variant};
use crate::helpers::{TestApp, json_ld, without_markers};
use std::time::Duration;
use vitrine::experiments::assign;
use vitrine_server::payments::TEST_CARD_OK;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const EXPERIMENT: &str = "hero-cache-test";
const HEADLINES: [&str; 2] = ["Cached control words", "Cached treatment words"];

/// A store whose pages live a minute, so that no page expires during the test on a slow
/// machine: what is measured here is which visitor gets which page, not the lifetime (the
/// module's unit tests hold that).
async fn store() -> TestApp {
    TestApp::spawn_with(Some(crate::helpers::SEED_LINES), |config| {
        config.page_cache = Duration::from_secs(60);
    })
    .await
}

struct Answer {
    cache: Option<String>,
    vid: String,
    body: String,
}

async fn visit(app: &TestApp, path: &str, user_agent: &str, cookie: Option<&str>) -> Answer {
    let mut req = app
        .client
        .get(format!("{}{path}", app.address))
        .header("user-agent", user_agent);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.expect("sent");
    assert_eq!(res.status(), 200, "GET {path}");
    let cache = res
        .headers()
        .get("x-page-cache")
        .map(|v| v.to_str().expect("ascii").to_string());
    let vid = crate::helpers::cookie_pair(&res, "vid")
        .map(|pair| pair.trim_start_matches("vid=").to_string())
        .unwrap_or_default();
    let body = without_markers(&res.text().await.expect("body"));
    Answer { cache, vid, body }
}

fn headline(html: &str) -> String {
    let hero = &html[html.find("data-slot=\"home-hero\"").expect("the hero")..];
    let h1 = &hero[hero.find("<h1>").expect("h1") + 4..];
    h1[..h1.find("</h1>").expect("</h1>")].to_string()
}

async fn start_hero_experiment(app: &TestApp) {
    sqlx::query(
        "INSERT INTO experiments (id, slot, name, status, created_at, created_by, started_at) \
         VALUES ($1, 'home_hero', 'Cache', 'running', 0, 'test', 0)",
    )
    .bind(EXPERIMENT)
    .execute(&app.db)
    .await
    .expect("experiment");
    for (n, words) in HEADLINES.iter().enumerate() {
        let content = serde_json::json!({
            "headline": words,
            "copy": "The copy.",
            "cta_label": "See the range",
            "cta_href": "/search?q=heart",
        });
        sqlx::query(
            "INSERT INTO experiment_variants (experiment_id, position, name, weight, content) \
             VALUES ($1, $2, $3, 1, $4)",
        )
        .bind(EXPERIMENT)
        .bind(n as i64)
        .bind(format!("variant {n}"))
        .bind(content.to_string())
        .execute(&app.db)
        .await
        .expect("variant");
    }
    // The running experiments are re-read within 2 s.
    let vid = "ab".repeat(16);
    for _ in 0..60 {
        let html = visit(app, "/", CHROME, Some(&format!("vid={vid}")))
            .await
            .body;
        if html.contains(&format!("data-experiment=\"{EXPERIMENT}\"")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the experiment never started serving");
}

/// Rows of `sql` (one visitor id bound) for `vids`, waiting up to 5 s for the batched writers
/// to have written `expected` of them.
async fn rows_for(
    app: &TestApp,
    sql: &str,
    vids: &[String],
    expected: usize,
) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for _ in 0..50 {
        rows.clear();
        for vid in vids {
            let found: Vec<(String, String)> = sqlx::query_as(sql)
                .bind(vid)
                .fetch_all(&app.db)
                .await
                .expect("rows");
            rows.extend(found);
        }
        if rows.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn visitors_without_cookies_share_rendered_pages_but_keep_their_own_variant_and_counts() {
    let app = store().await;
    start_hero_experiment(&app).await;

    // Home page: twelve first visits. Each gets its own visitor cookie and the hero its id
    // draws, whether the page was rendered for it or came from the cache.
    let mut home_vids = Vec::new();
    let mut hits = 0;
    for _ in 0..12 {
        let answer = visit(&app, "/", CHROME, None).await;
        assert_eq!(answer.vid.len(), 32, "a fresh visitor cookie every time");
        assert!(!home_vids.contains(&answer.vid));
        let expected = assign(&answer.vid, EXPERIMENT, &[1, 1]);
        assert_eq!(
            headline(&answer.body),
            HEADLINES[expected],
            "{}",
            answer.vid
        );
        assert!(
            answer
                .body
                .contains(&format!("data-variant=\"{expected}\""))
        );
        match answer.cache.as_deref() {
            Some("hit") => hits += 1,
            Some("miss") => {}
            other => panic!("a cacheable page says hit or miss, got {other:?}"),
        }
        home_vids.push(answer.vid);
    }
    assert!(
        hits >= 10,
        "at most one render per variant, got {hits} hits of 12"
    );
    let variants: std::collections::HashSet<usize> = home_vids
        .iter()
        .map(|vid| assign(vid, EXPERIMENT, &[1, 1]))
        .collect();
    assert_eq!(variants.len(), 2, "both variants were served");

    // Each first visit is counted once, with its own variant, hit or not.
    let exposures = rows_for(
        &app,
        "SELECT visitor_id, CAST(variant AS TEXT) FROM exposures WHERE visitor_id = $1",
        &home_vids,
        home_vids.len(),
    )
    .await;
    let mut expected: Vec<(String, String)> = home_vids
        .iter()
        .map(|vid| (vid.clone(), assign(vid, EXPERIMENT, &[1, 1]).to_string()))
        .collect();
    expected.sort();
    assert_eq!(exposures, expected);

    // A product page: served from the cache after the first render, each view recorded.
    let (slug, stem): (String, String) =
        sqlx::query_as("SELECT slug, stem FROM products ORDER BY stem LIMIT 1")
            .fetch_one(&app.db)
            .await
            .expect("a product");
    let path = format!("/p/{slug}");
    let first = visit(&app, &path, CHROME, None).await;
    let mut product_vids = vec![first.vid.clone()];
    for _ in 0..4 {
        let again = visit(&app, &path, CHROME, None).await;
        assert_eq!(again.cache.as_deref(), Some("hit"));
        assert_eq!(again.body, first.body, "the same page");
        product_vids.push(again.vid);
    }
    let views = rows_for(
        &app,
        "SELECT visitor_id, stem FROM events WHERE kind = 'view' AND visitor_id = $1",
        &product_vids,
        product_vids.len(),
    )
    .await;
    let mut expected: Vec<(String, String)> = product_vids
        .iter()
        .map(|vid| (vid.clone(), stem.clone()))
        .collect();
    expected.sort();
    assert_eq!(views, expected, "one view per visitor, cached page or not");

    // Crawlers (never profiled) share their own copy and are never counted.
    let bots = [
        visit(&app, &path, GOOGLEBOT, None).await,
        visit(&app, &path, GOOGLEBOT, None).await,
    ];
    assert_eq!(bots[1].cache.as_deref(), Some("hit"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    for bot in &bots {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE visitor_id = $1")
            .bind(&bot.vid)
            .fetch_one(&app.db)
            .await
            .expect("count");
        assert_eq!(n, 0, "crawlers are not recorded");
    }

    // A returning visitor without a cart shares the product page (their view still counted),
    // but their home page holds their own recommendations, and a visitor with a cart, or a
    // page that depends on a cookie, is always rendered for them.
    let returning_cookie = format!("vid={}", first.vid);
    let returning = visit(&app, &path, CHROME, Some(&returning_cookie)).await;
    assert_eq!(returning.cache.as_deref(), Some("hit"));
    assert_eq!(returning.vid, "", "they keep their cookie");
    let views = rows_for(
        &app,
        "SELECT visitor_id, stem FROM events WHERE kind = 'view' AND visitor_id = $1",
        std::slice::from_ref(&first.vid),
        2,
    )
    .await;
    assert_eq!(
        views.len(),
        2,
        "two views of the returning visitor: {views:?}"
    );
    let home = visit(&app, "/", CHROME, Some(&returning_cookie)).await;
    assert_eq!(home.cache, None);
    let with_cart = format!("{returning_cookie}; cart=0123456789abcdef0123456789abcdef");
    let carrying = visit(&app, &path, CHROME, Some(&with_cart)).await;
    assert_eq!(carrying.cache, None);
    let cart = visit(&app, "/cart", CHROME, None).await;
    assert_eq!(cart.cache, None);
}

/// The `Product` JSON-LD of `sku`: its availability.
fn availability(html: &str, sku: &str) -> String {
    json_ld(html)
        .into_iter()
        .find(|v| v["@type"] == "Product" && v["sku"] == sku)
        .unwrap_or_else(|| panic!("Product JSON-LD of {sku}"))["offers"]["availability"]
        .as_str()
        .expect("availability")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn buying_the_last_one_shows_as_sold_out_on_the_next_cached_page() {
    let app = store().await;
    let (sku, _) = stocked_variant(&app, 1).await;
    let slug = app.slug_of(&sku).await;
    let path = format!("/p/{slug}?variant={sku}");
    visit(&app, &path, CHROME, None).await;
    let before = visit(&app, &path, CHROME, None).await;
    assert_eq!(before.cache.as_deref(), Some("hit"));
    assert_eq!(
        availability(&before.body, &sku),
        "https://schema.org/LimitedAvailability",
        "one left"
    );

    let cookie = cart_with(&app, &sku, 1).await;
    let (status, order) = place(
        &app,
        &cookie,
        TEST_CARD_OK,
        "cache-last-one",
        &country(&app).await,
        &[],
    )
    .await;
    assert_eq!(status, 201, "{order}");

    let after = visit(&app, &path, CHROME, None).await;
    assert_eq!(
        after.cache.as_deref(),
        Some("miss"),
        "the order dropped the page"
    );
    assert_eq!(
        availability(&after.body, &sku),
        "https://schema.org/OutOfStock"
    );
}
