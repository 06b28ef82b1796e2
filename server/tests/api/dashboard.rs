//! The marketer dashboard: who may see it, figures that match SQL computed here, a funnel that
//! follows what browsers do, low-stock alerts, and dates it cannot use.

use crate::checkout::{checkout_form, country, stocked_variant};
use crate::helpers::{TestApp, cookie_pair, hidden, without_markers};
use vitrine_server::payments::TEST_CARD_OK;
use vitrine_server::staff::{self, Actor, NewStaff};

const PASSWORD: &str = "correct horse battery staple";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const DAY: i64 = 86_400;

/// A marketer account, signed in: the session cookie.
async fn marketer(app: &TestApp) -> String {
    let new = NewStaff::parse("mara@example.com", "marketer", PASSWORD.to_string()).expect("valid");
    staff::add(&app.db, new, &Actor::CommandLine, vitrine_server::db::now())
        .await
        .expect("added");
    let res = app.get("/admin/login").await;
    let login_cookie = cookie_pair(&res, "vitrine_login_csrf").expect("login cookie");
    let csrf = hidden(&res.text().await.expect("body"), "csrf");
    let res = app
        .client
        .post(format!("{}/admin/login", app.address))
        .header("cookie", login_cookie)
        .form(&[
            ("email", "mara@example.com"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 303, "signed in");
    cookie_pair(&res, "vitrine_staff").expect("session cookie")
}

/// GET the dashboard with `query` as the signed-in `session`: status and page.
async fn dashboard(app: &TestApp, session: &str, query: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}/admin/dashboard{query}", app.address))
        .header("cookie", session)
        .send()
        .await
        .expect("sent");
    let status = res.status().as_u16();
    (status, without_markers(&res.text().await.expect("body")))
}

/// The text of the element carrying `attr` (e.g. `data-kpi="orders"`).
fn text_of(html: &str, attr: &str) -> String {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no {attr} in {html}"));
    let rest = &html[at..];
    let start = rest.find('>').expect("tag closes") + 1;
    rest[start..].split('<').next().expect("text").to_string()
}

/// The numbers of a funnel table row: visitors through, drop-off, reached at all.
fn funnel_row(html: &str, step: usize) -> Vec<String> {
    let at = html
        .find(&format!("<tr data-step=\"{step}\">"))
        .expect("funnel row");
    let row = &html[at..at + html[at..].find("</tr>").expect("row closes")];
    row.split("<td class=\"num\">")
        .skip(1)
        .map(|cell| {
            cell.split('<')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

fn money(minor: i64) -> String {
    vitrine::money::Money::new(minor, vitrine::money::Currency::Gbp).to_string()
}

fn iso(day: i64) -> String {
    vitrine_server::dashboard::format_day(day)
}

/// Orders not cancelled and their revenue between unix days `from` and `to` (inclusive).
async fn orders_between(app: &TestApp, from: i64, to: i64) -> (i64, i64) {
    sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) FROM orders \
         WHERE status <> 'cancelled' AND placed_at >= $1 AND placed_at < $2",
    )
    .bind(from * DAY)
    .bind((to + 1) * DAY)
    .fetch_one(&app.db)
    .await
    .expect("orders")
}

async fn latest_day(app: &TestApp) -> i64 {
    let (at,): (i64,) = sqlx::query_as("SELECT MAX(placed_at) FROM orders")
        .fetch_one(&app.db)
        .await
        .expect("latest");
    at.div_euclid(DAY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_out_visitors_are_sent_to_sign_in_from_the_dashboard() {
    let app = TestApp::spawn_with_seed(None).await;
    let res = app.get("/admin/dashboard?from=2010-12-01").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/admin/login?next=/admin/dashboard%3Ffrom%3D2010-12-01"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_marketer_sees_the_orders_and_revenue_of_the_period() {
    let app = TestApp::spawn().await;
    let session = marketer(&app).await;

    // No dates: the 30 days ending on the latest order's day, said on the page.
    let last = latest_day(&app).await;
    let (status, page) = dashboard(&app, &session, "").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("latest order, {}", iso(last))),
        "{page}"
    );
    assert!(
        page.contains(&format!("value=\"{}\"", iso(last - 29))),
        "{page}"
    );
    let (orders, revenue) = orders_between(&app, last - 29, last).await;
    assert!(orders > 0);
    assert_eq!(text_of(&page, "data-kpi=\"orders\""), orders.to_string());
    assert_eq!(text_of(&page, "data-kpi=\"revenue\""), money(revenue));
    assert_eq!(text_of(&page, "data-kpi=\"aov\""), money(revenue / orders));
    assert_eq!(text_of(&page, "data-kpi=\"web-orders\""), "0");
    assert_eq!(text_of(&page, "data-kpi=\"visitors\""), "0");
    assert_eq!(text_of(&page, "data-kpi=\"conversion\""), "—");

    // Four charts, each a named image, each with its numbers as a table.
    assert_eq!(page.matches("role=\"img\"").count(), 4, "{page}");
    assert_eq!(page.matches("<desc id=").count(), 4);
    assert_eq!(page.matches("<table class=\"admin-table\">").count(), 4);
    assert!(!page.contains("<script"), "no JavaScript");

    // The top product's share is of all line sales, as SQL has it.
    let (stem, top, sales): (String, i64, i64) = sqlx::query_as(
        "SELECT v.stem, CAST(SUM(l.quantity * l.unit_price_minor) AS BIGINT) AS r, \
           CAST((SELECT SUM(l2.quantity * l2.unit_price_minor) FROM order_lines l2 \
                 JOIN orders o2 ON o2.number = l2.order_number \
                 WHERE o2.status <> 'cancelled' AND o2.placed_at >= $1 AND o2.placed_at < $2) AS BIGINT) \
         FROM order_lines l JOIN orders o ON o.number = l.order_number JOIN variants v ON v.sku = l.sku \
         WHERE o.status <> 'cancelled' AND o.placed_at >= $1 AND o.placed_at < $2 \
         GROUP BY v.stem ORDER BY r DESC, v.stem LIMIT 1",
    )
    .bind((last - 29) * DAY)
    .bind((last + 1) * DAY)
    .fetch_one(&app.db)
    .await
    .expect("top product");
    let first_row = &page[page.find("<td class=\"num\">1</td>").expect("rank 1")..];
    assert!(
        first_row.contains(&format!("<code>{stem}</code>")),
        "{first_row}"
    );
    let share = format!("{:.1}%", top as f64 * 100.0 / sales as f64);
    assert!(first_row.contains(&share), "{share} in {first_row}");

    // A chosen period of one day.
    let day = last - 1;
    let (status, page) = dashboard(
        &app,
        &session,
        &format!("?from={}&to={}", iso(day), iso(day)),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!page.contains("latest order,"), "no default note");
    let (orders, revenue) = orders_between(&app, day, day).await;
    assert_eq!(text_of(&page, "data-kpi=\"orders\""), orders.to_string());
    assert_eq!(text_of(&page, "data-kpi=\"revenue\""), money(revenue));
}

async fn browse(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookies: &str,
    user_agent: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("user-agent", user_agent)
        .header("cookie", cookies);
    if !form.is_empty() {
        req = req.form(form);
    }
    req.send().await.expect("sent")
}

/// Waits up to 5 s for the batched writer to store `n` funnel steps.
async fn wait_for_steps(app: &TestApp, n: i64) {
    for _ in 0..50 {
        if app.count("funnel_steps").await >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "expected {n} funnel steps, found {}",
        app.count("funnel_steps").await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_funnel_follows_what_visitors_do() {
    let app = TestApp::spawn().await;
    let session = marketer(&app).await;
    let (sku, _) = stocked_variant(&app, 10).await;
    let slug = app.slug_of(&sku).await;
    let buyer = format!("vid={}", "a1".repeat(16));
    let looker = format!("vid={}", "b2".repeat(16));
    let crawler = format!("vid={}", "c3".repeat(16));
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    // The buyer: home, product page, add to cart, checkout page, pays.
    assert_eq!(
        browse(&app, get.clone(), "/", &buyer, CHROME, &[])
            .await
            .status(),
        200
    );
    let product = format!("/p/{slug}");
    assert_eq!(
        browse(&app, get.clone(), &product, &buyer, CHROME, &[])
            .await
            .status(),
        200
    );
    let add = browse(
        &app,
        post.clone(),
        "/cart/add",
        &buyer,
        CHROME,
        &[("sku", &sku), ("quantity", "1")],
    )
    .await;
    assert_eq!(add.status(), 303);
    let cart = cookie_pair(&add, "cart").expect("cart cookie");
    let cookies = format!("{buyer}; {cart}");
    assert_eq!(
        browse(&app, get.clone(), "/checkout", &cookies, CHROME, &[])
            .await
            .status(),
        200
    );
    let country = country(&app).await;
    let placed = app
        .client
        .post(format!("{}/checkout/place", app.address))
        .header("user-agent", CHROME)
        .header("cookie", &cookies)
        .header("accept", "application/json")
        .form(&checkout_form(TEST_CARD_OK, "dashboard-1", &country))
        .send()
        .await
        .expect("sent");
    assert_eq!(placed.status(), 201);
    // The looker only looks at the home page; a crawler is never counted.
    assert_eq!(
        browse(&app, get.clone(), "/", &looker, CHROME, &[])
            .await
            .status(),
        200
    );
    assert_eq!(
        browse(&app, get.clone(), "/", &crawler, "Googlebot/2.1", &[])
            .await
            .status(),
        200
    );
    // Buyer: visit + checkout; looker: visit.
    wait_for_steps(&app, 3).await;
    for _ in 0..50 {
        if app.count("events").await >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let today = iso(vitrine_server::db::now().div_euclid(DAY));
    let (status, page) = dashboard(&app, &session, &format!("?from={today}&to={today}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(text_of(&page, "data-kpi=\"visitors\""), "2");
    assert_eq!(text_of(&page, "data-kpi=\"conversion\""), "50.0%");
    assert_eq!(text_of(&page, "data-kpi=\"web-orders\""), "1");
    assert_eq!(funnel_row(&page, 0), vec!["2", "", "2"]);
    assert_eq!(funnel_row(&page, 1), vec!["1", "50.0%", "1"]);
    assert_eq!(funnel_row(&page, 2), vec!["1", "0.0%", "1"]);
    assert_eq!(funnel_row(&page, 3), vec!["1", "0.0%", "1"]);
    assert_eq!(funnel_row(&page, 4), vec!["1", "0.0%", "1"]);
    // The staff member's own console pages are not store visits.
    assert_eq!(app.count("funnel_steps").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_variant_selling_faster_than_its_stock_is_alerted() {
    let app = TestApp::spawn().await;
    let session = marketer(&app).await;
    let last = latest_day(&app).await;
    // The variant that sold most in the last 14 days of the default period.
    let (sku, units): (String, i64) = sqlx::query_as(
        "SELECT l.sku, CAST(SUM(l.quantity) AS BIGINT) AS u FROM order_lines l \
         JOIN orders o ON o.number = l.order_number \
         WHERE o.status <> 'cancelled' AND o.placed_at >= $1 AND o.placed_at < $2 \
         GROUP BY l.sku ORDER BY u DESC, l.sku LIMIT 1",
    )
    .bind((last + 1 - 14) * DAY)
    .bind((last + 1) * DAY)
    .fetch_one(&app.db)
    .await
    .expect("a selling variant");
    let set_stock = |stock: i64| {
        let db = app.db.clone();
        let sku = sku.clone();
        async move {
            sqlx::query("UPDATE variants SET stock = $1 WHERE sku = $2")
                .bind(stock)
                .bind(&sku)
                .execute(&db)
                .await
                .expect("stock set");
        }
    };
    let row = format!("<tr data-sku=\"{sku}\">");

    set_stock(units).await; // fourteen days of stock: no alert
    let (_, page) = dashboard(&app, &session, "").await;
    assert!(
        !page.contains(&row),
        "{sku} with {units} in stock is not low"
    );

    set_stock(1).await;
    let (status, page) = dashboard(&app, &session, "").await;
    assert_eq!(status, 200);
    let at = page
        .find(&row)
        .unwrap_or_else(|| panic!("{sku} is alerted: {page}"));
    let alert = &page[at..at + page[at..].find("</tr>").expect("row closes")];
    assert!(
        alert.contains("<td class=\"num\">1</td>"),
        "stock shown: {alert}"
    );
    assert!(
        alert.contains(&format!("<td class=\"num\">{units}</td>")),
        "sales shown: {alert}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dates_the_dashboard_cannot_use_get_422_and_a_message() {
    let app = TestApp::spawn_with_seed(None).await;
    let session = marketer(&app).await;
    for (query, message) in [
        ("?from=2010-13-01&to=2010-12-20", "YYYY-MM-DD"),
        ("?from=yesterday", "YYYY-MM-DD"),
        ("?from=2010-12-09&to=2010-12-01", "on or before"),
        ("?from=2000-01-01&to=2010-12-01", "at most 366 days"),
        ("?from=%FF%FE", "YYYY-MM-DD"),
    ] {
        let (status, page) = dashboard(&app, &session, query).await;
        assert_eq!(status, 422, "{query}");
        assert!(page.contains("role=\"alert\""), "{query}: {page}");
        assert!(page.contains(message), "{query}: {page}");
        assert!(page.contains("name=\"from\""), "the form is kept: {page}");
    }
    // An empty store still has a dashboard.
    let (status, page) = dashboard(&app, &session, "").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("No orders yet"), "{page}");
}
