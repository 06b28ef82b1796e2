//! The recommendation slots as pages render them: what was bought together, never the product
//! on view, an item in the cart or an out-of-stock item; "Recommended for you" only from a
//! profiled visitor's own events.

use crate::helpers::{TestApp, without_markers};
use crate::pricing_engine::vitrine;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

/// A product with single-variant co-purchases, its slug, and its co-purchased stems, best first.
async fn product_with_partners(app: &TestApp) -> (String, String, Vec<String>) {
    let (stem, slug): (String, String) = sqlx::query_as(
        "SELECT p.stem, p.slug FROM products p ORDER BY p.units_sold DESC, p.stem LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a product");
    let partners: Vec<(String, i64)> = sqlx::query_as(
        "SELECT v2.stem, CAST(COUNT(DISTINCT l2.order_number) AS BIGINT) AS n FROM order_lines l1 \
         JOIN variants v1 ON v1.sku = l1.sku JOIN order_lines l2 ON l2.order_number = l1.order_number \
         JOIN variants v2 ON v2.sku = l2.sku WHERE v1.stem = $1 AND v2.stem <> $1 \
         GROUP BY v2.stem ORDER BY n DESC, v2.stem LIMIT 10",
    )
    .bind(&stem)
    .fetch_all(&app.db)
    .await
    .expect("partners");
    (stem, slug, partners.into_iter().map(|(s, _)| s).collect())
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .header("user-agent", CHROME)
        .header("cookie", cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 200);
    without_markers(&res.text().await.expect("body"))
}

/// The stems of the product cards inside the slot `testid`.
fn slot_stems(html: &str, testid: &str) -> Option<Vec<String>> {
    let start = html.find(&format!("data-testid=\"{testid}\""))?;
    let section = &html[start..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    Some(
        section
            .split("/images/p/")
            .skip(1)
            .filter_map(|s| s.split(".svg").next())
            .map(str::to_string)
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn product_and_cart_slots_show_what_was_bought_together_and_in_stock() {
    // Stock is changed straight in the database.
    let app = TestApp::spawn_uncached().await;
    let (stem, slug, partners) = product_with_partners(&app).await;
    assert!(partners.len() >= 6, "the seed has co-purchases");
    let html = page(&app, &format!("/p/{slug}"), "").await;
    assert!(html.contains("Customers also bought"));
    let shown = slot_stems(&html, "recs-product").expect("the slot");
    assert_eq!(shown, partners[..4].to_vec(), "best partners first");

    // Out of stock: gone from the slot, the next one moves up.
    sqlx::query("UPDATE variants SET stock = 0 WHERE stem = $1")
        .bind(&partners[0])
        .execute(&app.db)
        .await
        .expect("stock");
    let shown =
        slot_stems(&page(&app, &format!("/p/{slug}"), "").await, "recs-product").expect("slot");
    assert_eq!(shown, partners[1..5].to_vec());
    assert!(!shown.contains(&stem), "never the product on view");

    // In the cart: "Complete your cart" never repeats what is in it.
    let (sku,): (String,) =
        sqlx::query_as("SELECT sku FROM variants WHERE stem = $1 AND stock > 0 LIMIT 1")
            .bind(&partners[1])
            .fetch_one(&app.db)
            .await
            .expect("a sku");
    let (_, _, cart) = app.cart_form("/cart/add", None, &[("sku", &sku)]).await;
    let cart = cart.expect("cart cookie");
    let shown = slot_stems(
        &page(&app, &format!("/p/{slug}"), &cart).await,
        "recs-product",
    )
    .expect("slot");
    assert!(!shown.contains(&partners[1]), "not what is in the cart");
    let cart_page = page(&app, "/cart", &cart).await;
    let shown = slot_stems(&cart_page, "recs-cart").expect("the cart slot");
    assert!(
        !shown.is_empty() && !shown.contains(&partners[1]),
        "{shown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recommended_for_you_needs_a_profiled_visitors_own_history() {
    let app = TestApp::spawn().await;
    let (_, slug, _) = product_with_partners(&app).await;
    let (me, other) = ("ab".repeat(16), "cd".repeat(16));
    assert!(slot_stems(&page(&app, "/", &format!("vid={me}")).await, "recs-home").is_none());
    page(&app, &format!("/p/{slug}"), &format!("vid={me}")).await;
    let mut home = String::new();
    for _ in 0..50 {
        home = page(&app, "/", &format!("vid={me}")).await;
        if slot_stems(&home, "recs-home").is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        slot_stems(&home, "recs-home").is_some_and(|s| s.len() == 4),
        "{home}"
    );
    let off = page(&app, "/", &format!("vid={me}; personalise=off")).await;
    assert!(slot_stems(&off, "recs-home").is_none(), "the switch wins");
    let gpc = app
        .client
        .get(format!("{}/", app.address))
        .header("user-agent", CHROME)
        .header("cookie", format!("vid={me}"))
        .header("sec-gpc", "1")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(
        slot_stems(&without_markers(&gpc), "recs-home").is_none(),
        "so does Sec-GPC"
    );
    let stranger = page(&app, "/", &format!("vid={other}")).await;
    assert!(
        slot_stems(&stranger, "recs-home").is_none(),
        "only from one's own history"
    );
}

/// The slot's `data-source`: which model (or co-purchases) ranked it.
fn slot_source(html: &str, testid: &str) -> Option<String> {
    let start = html.find(&format!("data-testid=\"{testid}\""))?;
    let rest = &html[start..];
    let rest = &rest[rest.find("data-source=\"")? + "data-source=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_training_job_publishes_a_model_whose_slots_show_what_was_bought_together() {
    // The whole shipped file: training evaluates on its last week, so it needs the weeks before.
    let app = TestApp::spawn_with(Some(1_000_000), |config| {
        config.train_every = Some(std::time::Duration::from_secs(3600));
    })
    .await;
    let (stem, slug, _) = product_with_partners(&app).await;
    // Nothing was published before, so the first round starts at once.
    let mut published = 0;
    for _ in 0..600 {
        published = app.count("model_versions").await;
        if published > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(published, 1, "the job published within 5 minutes");
    let (version,): (i64,) = sqlx::query_as("SELECT MAX(version) FROM model_versions")
        .fetch_one(&app.db)
        .await
        .expect("version");
    // The swap happens right after the row is written.
    let mut html = String::new();
    for _ in 0..50 {
        html = page(&app, &format!("/p/{slug}"), "").await;
        if slot_source(&html, "recs-product") == Some(format!("model-{version}")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        slot_source(&html, "recs-product"),
        Some(format!("model-{version}")),
        "the product slot is served by the published model"
    );
    let shown = slot_stems(&html, "recs-product").expect("the slot");
    assert_eq!(shown.len(), 4, "{html}");
    for other in &shown {
        assert_ne!(other, &stem, "never the product on view");
        let (together,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(DISTINCT l1.order_number) AS BIGINT) FROM order_lines l1 \
             JOIN variants v1 ON v1.sku = l1.sku JOIN order_lines l2 ON l2.order_number = l1.order_number \
             JOIN variants v2 ON v2.sku = l2.sku WHERE v1.stem = $1 AND v2.stem = $2",
        )
        .bind(&stem)
        .bind(other)
        .fetch_one(&app.db)
        .await
        .expect("co-occurrence");
        assert!(together > 0, "{other} was bought with {stem} in the data");
    }

    // A profiled visitor's home list comes from the model too; switched off, there is none.
    let me = "ef".repeat(16);
    page(&app, &format!("/p/{slug}"), &format!("vid={me}")).await;
    let mut home = String::new();
    for _ in 0..50 {
        home = page(&app, "/", &format!("vid={me}")).await;
        if slot_stems(&home, "recs-home").is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        slot_source(&home, "recs-home"),
        Some(format!("model-{version}"))
    );
    let off = page(&app, "/", &format!("vid={me}; personalise=off")).await;
    assert!(slot_stems(&off, "recs-home").is_none());
}

/// `vitrine evaluate --tune` refuses settings that would score nothing, and says why.
#[tokio::test]
async fn evaluate_tune_refuses_empty_validation_settings_with_a_message() {
    let app = TestApp::spawn().await;
    let url = Some(app.database_url.as_str());
    for (args, says) in [
        (&["evaluate", "--tune", "0"][..], "0 is not in 1..=365"),
        (
            &["evaluate", "--tune", "4", "--folds", "0"][..],
            "0 is not in 1..=30",
        ),
        (&["evaluate", "--folds", "2"][..], "--tune"),
        (
            &["evaluate", "--tune", "4", "--algorithms", "ease,bpr"][..],
            "Unknown algorithm \"bpr\"",
        ),
    ] {
        let (ok, out, err) = vitrine(url, args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
