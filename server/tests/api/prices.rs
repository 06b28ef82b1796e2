//! Prices as shoppers and crawlers see them: a reduction is announced only against the lowest
//! price of the 30 days before it (EU Directive 98/6/EC Art. 6a), a staff price change reaches
//! the page, the JSON-LD and the cart at once with its history and audit entry, and every
//! visitor gets the same price whoever they are.

use crate::helpers::{TestApp, product_offers, text_of, without_markers};

const DAY: i64 = 86_400;
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/// A single-variant, in-stock product: (slug, sku).
async fn single_variant_product(app: &TestApp) -> (String, String) {
    sqlx::query_as(
        "SELECT p.slug, MIN(v.sku) FROM products p JOIN variants v ON v.stem = p.stem \
         GROUP BY p.slug, p.units_sold HAVING COUNT(*) = 1 AND MIN(v.stock) > 0 \
         ORDER BY p.units_sold DESC, p.slug LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a single-variant product")
}

/// Replaces the SKU's history with `(days ago, price, announced)` entries (the last one is
/// the current price) and sets the current price to match.
async fn history(app: &TestApp, sku: &str, entries: &[(i64, i64, bool)]) {
    let now = vitrine_server::db::now();
    sqlx::query("DELETE FROM price_history WHERE sku = $1")
        .bind(sku)
        .execute(&app.db)
        .await
        .expect("clear");
    for (n, &(days_ago, price, announced)) in entries.iter().enumerate() {
        // Today's entry starts a few seconds ago (never in the future).
        let at = now - days_ago * DAY - (entries.len() - n) as i64;
        sqlx::query(
            "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason, announced) \
             VALUES ($1, $2, $3, 'GBP', 'staff', 'test', $4)",
        )
        .bind(sku)
        .bind(at)
        .bind(price)
        .bind(i64::from(announced))
        .execute(&app.db)
        .await
        .expect("history");
    }
    let current = entries.last().expect("entries").1;
    sqlx::query("UPDATE variants SET price_minor = $1 WHERE sku = $2")
        .bind(current)
        .bind(sku)
        .execute(&app.db)
        .await
        .expect("price");
}
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_is_announced_only_against_the_lowest_price_of_the_thirty_days_before() {
    // The histories are written straight into the database.
    let app = TestApp::spawn_uncached().await;
    let (slug, sku) = single_variant_product(&app).await;
    let path = format!("/p/{slug}");

    // 5.00 set 45 days ago, 10.00 20 days ago, 15.00 5 days ago, a "sale" at 12.00 now: the
    // prior price is 5.00, so 12.00 is shown with no strikethrough and no percentage.
    history(
        &app,
        &sku,
        &[
            (45, 500, false),
            (20, 1000, false),
            (5, 1500, false),
            (0, 1200, true),
        ],
    )
    .await;
    let html = app.page(&path, 200).await;
    assert_eq!(text_of(&html, "price").as_deref(), Some("£12.00"));
    assert!(!html.contains("data-testid=\"was-price\""), "{html}");
    assert!(!html.contains("data-testid=\"percent-off\""));
    assert!(!html.contains("Lowest price in the 30 days"));
    assert_eq!(product_offers(&html)["price"], "12.00");
    assert!(product_offers(&html).get("priceSpecification").is_none());

    // 20.00 for 60 days, sale at 15.00 now: prior 20.00, -25%.
    history(&app, &sku, &[(60, 2000, false), (0, 1500, true)]).await;
    let html = app.page(&path, 200).await;
    assert_eq!(text_of(&html, "price").as_deref(), Some("£15.00"));
    assert!(html.contains("data-testid=\"was-price\""));
    assert!(html.contains("£20.00"));
    assert_eq!(text_of(&html, "percent-off").as_deref(), Some("−25%"));
    assert_eq!(
        text_of(&html, "prior-price").as_deref(),
        Some("Lowest price in the 30 days before this reduction: £20.00")
    );
    let spec = &product_offers(&html)["priceSpecification"];
    assert_eq!(
        spec[1]["priceType"],
        "https://schema.org/StrikethroughPrice"
    );
    assert_eq!(spec[1]["price"], "20.00");
    assert_eq!(product_offers(&html)["price"], "15.00");

    // The same drop not marked as a sale is just a price: nothing announced.
    history(&app, &sku, &[(60, 2000, false), (0, 1500, false)]).await;
    let html = app.page(&path, 200).await;
    assert!(!html.contains("data-testid=\"was-price\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_staff_price_change_reaches_page_json_ld_and_cart_with_history_and_audit() {
    let app = TestApp::spawn().await;
    let (slug, sku) = single_variant_product(&app).await;
    let vitrine = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the vitrine command runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let before = app.count("price_history").await;

    // Bad input: a message, and nothing changes.
    let (ok, out) = vitrine(&["price", "set", "NOPE-1", "1.00"]);
    assert!(
        !ok && out.contains("there is no variant with SKU NOPE-1"),
        "{out}"
    );
    let (ok, out) = vitrine(&["price", "set", &sku, "12,5"]);
    assert!(!ok && out.contains("is not a price"), "{out}");
    let (ok, out) = vitrine(&["price", "set", &sku, "0"]);
    assert!(!ok && out.contains("above zero"), "{out}");
    assert_eq!(app.count("price_history").await, before);

    let (ok, out) = vitrine(&["price", "set", &sku, "9.99", "--reason", "clearance"]);
    assert!(ok, "{out}");
    assert!(out.contains("£9.99"), "{out}");
    let html = app.page(&format!("/p/{slug}"), 200).await;
    assert_eq!(text_of(&html, "price").as_deref(), Some("£9.99"));
    assert_eq!(product_offers(&html)["price"], "9.99");
    let (_, _, cart) = app.cart_form("/cart/add", None, &[("sku", &sku)]).await;
    let cart_page = app.cart_page(&cart.expect("cart cookie"), "").await;
    assert!(
        cart_page.contains("£9.99"),
        "the cart charges the new price"
    );

    let (price, source, reason): (i64, String, String) = sqlx::query_as(
        "SELECT price_minor, source, reason FROM price_history WHERE sku = $1 \
         ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(&sku)
    .fetch_one(&app.db)
    .await
    .expect("history");
    assert_eq!(
        (price, source.as_str(), reason.as_str()),
        (999, "staff", "clearance")
    );
    let (actions,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'price.set' AND subject = $1",
    )
    .bind(&sku)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(actions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_visitor_gets_the_same_price_whoever_they_are() {
    let app = TestApp::spawn().await;
    let (slug, sku) = single_variant_product(&app).await;
    let path = format!("/p/{slug}");
    // One visitor with a history here (views, a cart), one new with another browser, one
    // that switched personalisation off and sends Sec-GPC.
    let regular = format!("vid={}", "aa".repeat(16));
    for _ in 0..3 {
        app.client
            .get(format!("{}{path}", app.address))
            .header("user-agent", CHROME)
            .header("cookie", &regular)
            .send()
            .await
            .expect("sent");
    }
    let visitors = [
        (regular.clone(), CHROME, false),
        (format!("vid={}", "bb".repeat(16)), FIREFOX, false),
        (
            format!("vid={}; personalise=off", "cc".repeat(16)),
            CHROME,
            true,
        ),
    ];
    let mut seen = Vec::new();
    for (cookie, agent, gpc) in &visitors {
        let mut req = app
            .client
            .get(format!("{}{path}", app.address))
            .header("user-agent", *agent)
            .header("cookie", cookie);
        if *gpc {
            req = req.header("sec-gpc", "1");
        }
        let response = req.send().await.expect("sent");
        let status = response.status();
        let html = without_markers(&response.text().await.expect("body"));
        let page_price = text_of(&html, "price")
            .unwrap_or_else(|| panic!("no price for {agent} (status {status}): {html}"));
        let ld_price = product_offers(&html)["price"]
            .as_str()
            .expect("price")
            .to_string();
        let (_, _, cart) = app
            .cart_form("/cart/add", Some(cookie), &[("sku", &sku)])
            .await;
        let cart_cookie = format!("{cookie}; {}", cart.expect("cart cookie"));
        let cart_page = app.cart_page(&cart_cookie, "").await;
        assert!(cart_page.contains(&page_price), "{page_price} in the cart");
        seen.push((page_price, ld_price));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}
