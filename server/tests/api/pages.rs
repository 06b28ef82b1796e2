//! The storefront's pages as a browser without JavaScript (or a crawler) receives them.

use crate::helpers::{TestApp, canonical, json_ld};

/// (slug, title, stem, lowest price, total stock) of the best-selling product in stock.
async fn best_seller(app: &TestApp) -> (String, String, String, i64, i64) {
    sqlx::query_as(
        "SELECT p.slug, p.title, p.stem, CAST(MIN(v.price_minor) AS BIGINT), CAST(SUM(v.stock) AS BIGINT) \
         FROM products p JOIN variants v ON v.stem = p.stem GROUP BY p.slug, p.title, p.stem, p.units_sold \
         HAVING SUM(v.stock) > 0 ORDER BY p.units_sold DESC, p.stem LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a product in stock")
}

fn pounds(minor: i64) -> String {
    format!("£{}.{:02}", minor / 100, minor % 100)
}

/// Text as the HTML renders it (the title may contain an ampersand or quotes).
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn home_shows_categories_and_popular_products() {
    let app = TestApp::spawn().await;
    let (_, title, ..) = best_seller(&app).await;
    let html = app.page("/", 200).await;
    assert!(html.contains("Popular now"), "{html}");
    assert!(
        html.contains(&html_text(&title)),
        "the best seller {title:?} is on the home page"
    );
    assert!(html.contains("href=\"/c/"), "categories are linked");
    assert_eq!(
        canonical(&html).as_deref(),
        Some(format!("{}/", app.address).as_str())
    );
    assert!(html.contains("<title>Gifts, homeware and Christmas decorations · Vitrine</title>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn product_page_has_name_price_and_json_ld() {
    let app = TestApp::spawn().await;
    let (slug, title, stem, _, _) = best_seller(&app).await;
    let (sku, price, currency): (String, i64, String) =
        sqlx::query_as("SELECT sku, price_minor, currency FROM variants WHERE stem = $1 AND stock > 0 ORDER BY sku LIMIT 1")
            .bind(&stem)
            .fetch_one(&app.db)
            .await
            .expect("variant");
    let html = app.page(&format!("/p/{slug}"), 200).await;
    assert!(html.contains(&format!(
        "<h1 class=\"product__title\">{}</h1>",
        html_text(&title)
    )));
    assert!(
        html.contains(&pounds(price)),
        "price {} on the page",
        pounds(price)
    );
    assert_eq!(canonical(&html), Some(format!("{}/p/{slug}", app.address)));

    let blocks = json_ld(&html);
    let product = blocks
        .iter()
        .find(|b| b["@type"] == "Product")
        .expect("Product JSON-LD");
    assert_eq!(product["name"], title.as_str());
    assert_eq!(product["offers"]["@type"], "Offer");
    assert_eq!(product["offers"]["sku"], sku.as_str());
    assert_eq!(
        product["offers"]["price"],
        format!("{}.{:02}", price / 100, price % 100)
    );
    assert_eq!(product["offers"]["priceCurrency"], currency.as_str());
    assert_eq!(
        product["image"],
        format!("{}/images/p/{stem}.svg", app.address)
    );
    let crumbs = blocks
        .iter()
        .find(|b| b["@type"] == "BreadcrumbList")
        .expect("BreadcrumbList JSON-LD");
    assert_eq!(crumbs["itemListElement"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_variant_in_the_url_selects_its_price_and_stock() {
    let app = TestApp::spawn().await;
    let (slug, sku, price): (String, String, i64) = sqlx::query_as(
        "SELECT p.slug, v.sku, v.price_minor FROM products p JOIN variants v ON v.stem = p.stem \
         WHERE p.stem IN (SELECT stem FROM variants GROUP BY stem HAVING COUNT(*) > 1) ORDER BY v.sku DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a product with several variants");
    let html = app.page(&format!("/p/{slug}?variant={sku}"), 200).await;
    assert!(
        html.contains(&format!("<dd data-testid=\"sku\">{sku}</dd>")),
        "selected sku shown"
    );
    assert!(html.contains(&pounds(price)));
    assert!(
        html.contains("aria-current=\"true\""),
        "the picked variant is marked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_product_is_404_and_a_renamed_one_301() {
    let app = TestApp::spawn().await;
    let html = app.page("/p/no-such-thing-99999999", 404).await;
    assert!(html.contains("Page not found"));
    assert!(html.contains("noindex"));

    let (slug, stem) = {
        let (slug, _, stem, ..) = best_seller(&app).await;
        (slug, stem)
    };
    let res = app
        .get(&format!("/p/an-old-title-{}", stem.to_lowercase()))
        .await;
    assert_eq!(res.status().as_u16(), 301);
    assert_eq!(res.headers()["location"], format!("/p/{slug}").as_str());

    sqlx::query("INSERT INTO product_slug_history (old_slug, stem) VALUES ($1, $2)")
        .bind("the-first-name")
        .bind(&stem)
        .execute(&app.db)
        .await
        .expect("history");
    let res = app.get("/p/the-first-name").await;
    assert_eq!(res.status().as_u16(), 301);
    assert_eq!(res.headers()["location"], format!("/p/{slug}").as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_paths_are_404_pages_and_trailing_slashes_redirect() {
    let app = TestApp::spawn().await;
    let html = app.page("/no/such/page", 404).await;
    assert!(html.contains("Page not found"));
    let res = app.get("/c/christmas/?page=2").await;
    assert_eq!(res.status().as_u16(), 301);
    assert_eq!(res.headers()["location"], "/c/christmas?page=2");
    app.page("/c/no-such-category", 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn category_lists_products_with_filters_and_real_pagination() {
    let app = TestApp::spawn().await;
    let (slug, name, count): (String, String, i64) = sqlx::query_as(
        "SELECT c.slug, c.name, CAST(COUNT(*) AS BIGINT) AS n FROM categories c JOIN products p ON p.category_slug = c.slug \
         GROUP BY c.slug, c.name ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a category");
    let html = app.page(&format!("/c/{slug}"), 200).await;
    assert!(html.contains(&format!("<h1>{}</h1>", html_text(&name))));
    assert!(html.contains(&format!("{count} products")));
    assert_eq!(canonical(&html), Some(format!("{}/c/{slug}", app.address)));
    assert!(count > 24, "the largest category spans pages");
    assert!(
        html.contains(&format!("href=\"/c/{slug}?page=2\"")),
        "a real link to page 2"
    );

    let page2 = app.page(&format!("/c/{slug}?page=2"), 200).await;
    assert!(page2.contains("Page 2 of"));
    assert_eq!(
        canonical(&page2),
        Some(format!("{}/c/{slug}?page=2", app.address))
    );
    app.page(&format!("/c/{slug}?page=999"), 404).await;

    // Only products at or under £1: every card price is at most £1.00.
    let cheap = app
        .page(&format!("/c/{slug}?max=1&sort=price_desc"), 200)
        .await;
    assert!(
        cheap.contains("noindex"),
        "filtered listings stay out of the index"
    );
    for price in cheap.split("product-card__price price\">").skip(1) {
        let text = price
            .split('<')
            .next()
            .unwrap_or_default()
            .trim_start_matches("from ");
        let minor: i64 = text
            .trim_start_matches('£')
            .replace('.', "")
            .parse()
            .expect("a price");
        assert!(minor <= 100, "{text} is over the £1 filter");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_ranks_matches_forgives_typos_and_escapes_input() {
    let app = TestApp::spawn().await;
    let html = app.page("/search?q=heart", 200).await;
    assert!(html.contains("Results for “heart”"));
    let first = html
        .split("product-card__title\">")
        .nth(1)
        .expect("a result")
        .split('<')
        .next()
        .unwrap_or_default();
    assert!(
        first.to_lowercase().contains("heart"),
        "best match first: {first}"
    );

    let typo = app.page("/search?q=hert", 200).await;
    assert!(typo.contains("Showing results for"), "typo corrected");
    assert!(typo.contains("product-card"));

    let none = app.page("/search?q=zzzzqqqq", 200).await;
    assert!(none.contains("Nothing matches"));
    let empty = app.page("/search", 200).await;
    assert!(empty.contains("Type what you are looking for"));

    let hostile = app
        .page("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 200)
        .await;
    assert!(
        !hostile.contains("<script>alert(1)</script>"),
        "search text is escaped"
    );
    let breakout = app
        .page(
            "/search?q=%3C%2Ftitle%3E%3Cscript%3Ealert(2)%3C%2Fscript%3E",
            200,
        )
        .await;
    assert!(
        !breakout.contains("</title><script>"),
        "the title element cannot be closed by a search"
    );
    assert!(hostile.contains("&lt;script&gt;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_set_a_visitor_cookie_and_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.get("/").await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        cookie.starts_with("vid=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers().contains_key("content-security-policy"));
    let img = app.get("/images/p/does-not-exist.svg").await;
    assert_eq!(img.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn product_images_are_generated_svg() {
    let app = TestApp::spawn().await;
    let (_, _, stem, ..) = best_seller(&app).await;
    let res = app.get(&format!("/images/p/{stem}.svg")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.expect("body");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

/// Pages keep answering while the same process builds another store's routes. Generating the
/// route list sets a process-wide flag that parks, forever, every resource first polled while it
/// is set (leptos-rs/leptos#4773); the suite's stores, four at a time in one process, hit it now
/// and then, so `http::page_routes` generates once per process and every router clones that.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_answer_while_another_store_builds_its_routes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    /// Stops the builder however the test ends (a panic included), so the runtime can shut down.
    struct Stop(Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(false, Ordering::Relaxed);
        }
    }
    let app = TestApp::spawn().await;
    let (slug, ..) = best_seller(&app).await;
    let building = Arc::new(AtomicBool::new(true));
    let stop = Stop(building.clone());
    let builder = tokio::task::spawn_blocking(move || {
        let mut built = 0;
        while building.load(Ordering::Relaxed) {
            built += usize::from(!vitrine_server::http::page_routes().is_empty());
            std::thread::yield_now();
        }
        built
    });
    let product = format!("/p/{slug}");
    for path in ["/", product.as_str(), "/search?q=heart", "/cart"].repeat(3) {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), app.get(path)).await;
        let res = answer.unwrap_or_else(|_| {
            panic!("GET {path} did not answer within 10 s while routes were built")
        });
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
    }
    drop(stop);
    assert!(
        builder.await.expect("builder") > 0,
        "routes were built meanwhile"
    );
}
