//! Shopper signals: views, cart adds and purchases recorded per visitor id, and never for
//! crawlers, for `Sec-GPC: 1` or for a visitor who switched personalisation off.

use crate::checkout::{checkout_form, country, stocked_variant};
use crate::helpers::TestApp;
use vitrine_server::payments::TEST_CARD_OK;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

fn visitor(n: u8) -> String {
    format!("{n:02x}").repeat(16)
}

/// Sends a request as a browser with visitor cookie `vid` plus `extra` headers.
async fn as_browser(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookies: &str,
    extra: &[(&str, &str)],
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("user-agent", CHROME)
        .header("cookie", cookies);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    if !form.is_empty() {
        req = req.form(form);
    }
    req.send().await.expect("sent")
}

/// The events of `vid`, as (kind, stem), after waiting up to 5 s for `expected` of them.
async fn events_of(app: &TestApp, vid: &str, expected: usize) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for _ in 0..50 {
        rows =
            sqlx::query_as("SELECT kind, stem FROM events WHERE visitor_id = $1 ORDER BY at, kind")
                .bind(vid)
                .fetch_all(&app.db)
                .await
                .expect("events");
        if rows.len() >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    rows
}

async fn product_of(app: &TestApp, sku: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT p.slug, p.stem FROM variants v JOIN products p ON p.stem = v.stem WHERE v.sku = $1",
    )
    .bind(sku)
    .fetch_one(&app.db)
    .await
    .expect("product")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn views_cart_adds_and_purchases_are_recorded_per_visitor() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 10).await;
    let (slug, stem) = product_of(&app, &sku).await;
    let vid = visitor(1);
    let cookie = format!("vid={vid}");
    let page = as_browser(
        &app,
        reqwest::Method::GET,
        &format!("/p/{slug}"),
        &cookie,
        &[],
        &[],
    )
    .await;
    assert_eq!(page.status().as_u16(), 200);
    let add = as_browser(
        &app,
        reqwest::Method::POST,
        "/cart/add",
        &cookie,
        &[],
        &[("sku", &sku), ("quantity", "1")],
    )
    .await;
    assert_eq!(add.status().as_u16(), 303);
    let cart = add.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    let country = country(&app).await;
    let placed = as_browser(
        &app,
        reqwest::Method::POST,
        "/checkout/place",
        &format!("{cookie}; {cart}"),
        &[("accept", "application/json")],
        &checkout_form(TEST_CARD_OK, "events-1", &country),
    )
    .await;
    assert_eq!(placed.status().as_u16(), 201);
    let mut kinds: Vec<(String, String)> = events_of(&app, &vid, 3).await;
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            ("cart".into(), stem.clone()),
            ("purchase".into(), stem.clone()),
            ("view".into(), stem)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crawlers_gpc_and_the_off_switch_are_never_profiled() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, 10).await;
    let (slug, _) = product_of(&app, &sku).await;
    let path = format!("/p/{slug}");

    let off = as_browser(
        &app,
        reqwest::Method::POST,
        "/privacy/personalise",
        "",
        &[],
        &[("value", "off")],
    )
    .await;
    assert_eq!(off.status().as_u16(), 303);
    let set = off.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        set.starts_with("personalise=off")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax"),
        "{set}"
    );

    let (gpc, switched_off, crawler, control) = (visitor(2), visitor(3), visitor(4), visitor(5));
    as_browser(
        &app,
        reqwest::Method::GET,
        &path,
        &format!("vid={gpc}"),
        &[("sec-gpc", "1")],
        &[],
    )
    .await;
    as_browser(
        &app,
        reqwest::Method::GET,
        &path,
        &format!("vid={switched_off}; personalise=off"),
        &[],
        &[],
    )
    .await;
    app.client
        .get(format!("{}{path}", app.address))
        .header(
            "user-agent",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        )
        .header("cookie", format!("vid={crawler}"))
        .send()
        .await
        .expect("sent");
    as_browser(
        &app,
        reqwest::Method::POST,
        "/cart/add",
        &format!("vid={gpc}"),
        &[("sec-gpc", "1")],
        &[("sku", &sku)],
    )
    .await;
    // One queue, written in order: once the control visitor's view is in, the others would be.
    as_browser(
        &app,
        reqwest::Method::GET,
        &path,
        &format!("vid={control}"),
        &[],
        &[],
    )
    .await;
    assert_eq!(events_of(&app, &control, 1).await.len(), 1);
    for vid in [gpc, switched_off, crawler] {
        assert_eq!(events_of(&app, &vid, 0).await, vec![], "{vid} was profiled");
    }

    let page = as_browser(
        &app,
        reqwest::Method::GET,
        "/privacy",
        "personalise=off",
        &[],
        &[],
    )
    .await;
    let html = crate::helpers::without_markers(&page.text().await.expect("body"));
    assert!(
        html.contains("Personalised recommendations: off") && html.contains("value=\"on\""),
        "{html}"
    );
    let page = as_browser(
        &app,
        reqwest::Method::GET,
        "/privacy",
        "",
        &[("sec-gpc", "1")],
        &[],
    )
    .await;
    let html = crate::helpers::without_markers(&page.text().await.expect("body"));
    assert!(
        html.contains("Personalised recommendations: on")
            && html.contains("Global Privacy Control")
    );
}
