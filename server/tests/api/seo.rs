//! What crawlers fetch first: robots.txt and a sitemap that lists every product.

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn robots_points_at_the_sitemap() {
    let app = TestApp::spawn().await;
    let robots = app.page("/robots.txt", 200).await;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.address)));
    assert!(robots.contains("Disallow: /search"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sitemap_lists_every_product_and_category_with_lastmod() {
    let app = TestApp::spawn().await;
    let xml = app.page("/sitemap.xml", 200).await;
    let products: Vec<(String,)> = sqlx::query_as("SELECT slug FROM products")
        .fetch_all(&app.db)
        .await
        .expect("slugs");
    assert!(!products.is_empty());
    for (slug,) in &products {
        assert!(
            xml.contains(&format!("<loc>{}/p/{slug}</loc>", app.address)),
            "{slug} missing from the sitemap"
        );
    }
    let categories: Vec<(String,)> = sqlx::query_as("SELECT slug FROM categories")
        .fetch_all(&app.db)
        .await
        .expect("slugs");
    for (slug,) in &categories {
        assert!(xml.contains(&format!("<loc>{}/c/{slug}</loc>", app.address)));
    }
    let urls = xml.matches("<url>").count();
    assert_eq!(urls, 1 + categories.len() + products.len());
    assert_eq!(xml.matches("<lastmod>").count(), urls);
}
