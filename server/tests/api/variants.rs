//! Running experiments as shoppers and crawlers get them: the server renders the variant
//! `vitrine::experiments::assign` gives the visitor's cookie, the same one on every reload;
//! exposures are counted once per visitor who may be profiled, never for crawlers or
//! `Sec-GPC: 1`; a shipped variant becomes what everyone sees; the product layout slot moves
//! the recommendations above the description.

use crate::helpers::{TestApp, canonical, without_markers};
use vitrine::experiments::assign;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

fn hero_json(headline: &str) -> String {
    serde_json::json!({
        "headline": headline,
        "copy": format!("{headline}: the copy"),
        "cta_label": "See the range",
        "cta_href": "/search?q=heart",
    })
    .to_string()
}

async fn running_hero_experiment(app: &TestApp, id: &str, headlines: &[&str], weights: &[u32]) {
    let contents: Vec<String> = headlines.iter().map(|h| hero_json(h)).collect();
    running_experiment(app, id, "home_hero", &contents, weights).await;
}

async fn running_experiment(
    app: &TestApp,
    id: &str,
    slot: &str,
    contents: &[String],
    weights: &[u32],
) {
    sqlx::query(
        "INSERT INTO experiments (id, slot, name, status, created_at, created_by, started_at) \
         VALUES ($1, $2, 'Test', 'running', 0, 'test', 0)",
    )
    .bind(id)
    .bind(slot)
    .execute(&app.db)
    .await
    .expect("experiment");
    for (n, (content, weight)) in contents.iter().zip(weights).enumerate() {
        sqlx::query(
            "INSERT INTO experiment_variants (experiment_id, position, name, weight, content) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(n as i64)
        .bind(format!("variant {n}"))
        .bind(i64::from(*weight))
        .bind(content)
        .execute(&app.db)
        .await
        .expect("variant");
    }
}

async fn home(app: &TestApp, cookie: &str, user_agent: &str, gpc: bool) -> String {
    let mut req = app
        .client
        .get(format!("{}/", app.address))
        .header("user-agent", user_agent);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    if gpc {
        req = req.header("sec-gpc", "1");
    }
    let res = req.send().await.expect("sent");
    let status = res.status().as_u16();
    let body = without_markers(&res.text().await.expect("body"));
    assert_eq!(status, 200, "{body}");
    body
}

fn headline(html: &str) -> String {
    let hero = &html[html.find("data-slot=\"home-hero\"").expect("the hero")..];
    let h1 = &hero[hero.find("<h1>").expect("h1") + 4..];
    h1[..h1.find("</h1>").expect("</h1>")].to_string()
}

async fn exposures(app: &TestApp, id: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT visitor_id, variant FROM exposures WHERE experiment_id = $1 ORDER BY visitor_id",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .expect("exposures")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn visitors_get_their_assigned_hero_variant_and_are_counted_once() {
    let app = TestApp::spawn().await;
    let id = "hero-words-test";
    let headlines = ["Control words", "Treatment words"];
    running_hero_experiment(&app, id, &headlines, &[1, 1]).await;

    // Visitors on both sides of the split, as the shared function assigns them.
    let visitors: Vec<String> = (0..40).map(|n| format!("{n:032x}")).collect();
    let mut seen = [false, false];
    for vid in &visitors {
        let expected = assign(vid, id, &[1, 1]);
        seen[expected] = true;
        for _ in 0..2 {
            let html = home(&app, &format!("vid={vid}"), CHROME, false).await;
            assert_eq!(headline(&html), headlines[expected], "{vid}");
            assert!(html.contains(&format!("data-experiment=\"{id}\"")));
            assert!(html.contains(&format!("data-variant=\"{expected}\"")));
            assert_eq!(
                canonical(&html).as_deref(),
                Some(format!("{}/", app.address).as_str()),
                "every variant keeps the canonical URL"
            );
        }
    }
    assert_eq!(seen, [true, true], "both variants are served");

    // A crawler (no cookie: a fresh id each time) and a Sec-GPC browser are served a variant
    // but never counted.
    let html = home(&app, "", GOOGLEBOT, false).await;
    assert!(headlines.contains(&headline(&html).as_str()));
    let gpc_vid = "ab".repeat(16);
    home(&app, &format!("vid={gpc_vid}"), CHROME, true).await;
    let off_vid = "cd".repeat(16);
    home(
        &app,
        &format!("vid={off_vid}; personalise=off"),
        CHROME,
        false,
    )
    .await;

    // Exposures arrive through the batched writer: one row per visitor, their own variant.
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = exposures(&app, id).await;
        if rows.len() >= visitors.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut expected: Vec<(String, i64)> = visitors
        .iter()
        .map(|v| (v.clone(), assign(v, id, &[1, 1]) as i64))
        .collect();
    expected.sort();
    assert_eq!(
        rows, expected,
        "each counted visitor once, no crawler, no GPC, no opt-out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shipped_variant_is_everyones_hero_and_a_paused_experiment_shows_the_default() {
    let app = TestApp::spawn().await;
    let default_headline = headline(&home(&app, "", CHROME, false).await);
    let id = "hero-paused-test";
    running_hero_experiment(&app, id, &["A words", "B words"], &[0, 1]).await;
    let vid = "ef".repeat(16);
    // Weight 0 on the control: everyone gets variant 1. The snapshot is re-read within 2 s.
    let mut html = String::new();
    for _ in 0..60 {
        html = home(&app, &format!("vid={vid}"), CHROME, false).await;
        if headline(&html) == "B words" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(headline(&html), "B words");

    sqlx::query("UPDATE experiments SET status = 'paused' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("pause");
    for _ in 0..60 {
        html = home(&app, &format!("vid={vid}"), CHROME, false).await;
        if headline(&html) == default_headline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(headline(&html), default_headline, "paused: the default");
    assert!(!html.contains("data-experiment="));

    sqlx::query(
        "INSERT INTO slot_defaults (slot, content, experiment_id, updated_at) \
         VALUES ('home_hero', $1, $2, 0)",
    )
    .bind(hero_json("Shipped words"))
    .bind(id)
    .execute(&app.db)
    .await
    .expect("ship");
    for _ in 0..60 {
        html = home(&app, "", GOOGLEBOT, false).await;
        if headline(&html) == "Shipped words" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(headline(&html), "Shipped words", "shipped: everyone's hero");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_product_layout_variant_puts_the_recommendations_above_the_description() {
    let app = TestApp::spawn().await;
    let (slug,): (String,) =
        sqlx::query_as("SELECT slug FROM products ORDER BY units_sold DESC, stem LIMIT 1")
            .fetch_one(&app.db)
            .await
            .expect("a product");
    let position = |html: &str| {
        let slot = html.find("data-testid=\"recs-product\"").expect("the slot");
        let description = html
            .find("class=\"product__description\"")
            .expect("description");
        slot < description
    };
    let path = format!("/p/{slug}");
    let vid = "12".repeat(16);
    let cookie = format!("vid={vid}");
    let page = |cookie: String| {
        let app = &app;
        let path = &path;
        async move {
            let res = app
                .client
                .get(format!("{}{path}", app.address))
                .header("user-agent", CHROME)
                .header("cookie", cookie)
                .send()
                .await
                .expect("sent");
            without_markers(&res.text().await.expect("body"))
        }
    };
    assert!(!position(&page(cookie.clone()).await), "below by default");

    let above = serde_json::json!({ "recs": "above" }).to_string();
    let below = serde_json::json!({ "recs": "below" }).to_string();
    running_experiment(
        &app,
        "layout-test",
        "product_layout",
        &[below, above],
        &[0, 1],
    )
    .await;
    let mut html = String::new();
    for _ in 0..60 {
        html = page(cookie.clone()).await;
        if position(&html) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        position(&html),
        "the treatment moves the slot above the description"
    );
    assert!(html.contains("data-experiment=\"layout-test\""));
    assert_eq!(
        html.matches("data-testid=\"recs-product\"").count(),
        1,
        "one slot only"
    );
}
