//! The cart over HTTP: adding, changing and removing lines, and every way a shopper can get a
//! quantity or an item wrong.

use crate::helpers::TestApp;

/// (sku, slug, price, stock) of an in-stock variant with at least `min_stock` units.
async fn variant_with_stock(app: &TestApp, min_stock: i64) -> (String, String, i64, i64) {
    sqlx::query_as(
        "SELECT v.sku, p.slug, v.price_minor, v.stock FROM variants v JOIN products p ON p.stem = v.stem \
         WHERE v.stock >= $1 ORDER BY v.stock, v.sku LIMIT 1",
    )
    .bind(min_stock)
    .fetch_one(&app.db)
    .await
    .expect("a variant with stock")
}

impl TestApp {
    /// POSTs a cart form as a browser would, carrying `cookie`; returns (status, location, set-cookie).
    pub async fn cart_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> (u16, String, Option<String>) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.address))
            .form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.expect("sent");
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        (res.status().as_u16(), location, cookie)
    }

    pub async fn cart_json(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.address))
            .header("accept", "application/json")
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("sent");
        let status = res.status().as_u16();
        let body = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("JSON body: {e}: {body}")),
        )
    }

    pub async fn cart_page(&self, cookie: &str, query: &str) -> String {
        self.cart_page_at(&format!("/cart{query}"), cookie).await
    }

    /// A page that depends on the cart (`/cart`, `/checkout`), seen with `cookie`.
    pub async fn cart_page_at(&self, path: &str, cookie: &str) -> String {
        let res = self
            .client
            .get(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status().as_u16(), 200);
        crate::helpers::without_markers(&res.text().await.expect("body"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shopper_adds_changes_and_removes_lines_priced_by_the_server() {
    let app = TestApp::spawn().await;
    let (sku, _, price, _) = variant_with_stock(&app, 3).await;
    let (status, location, cookie) = app
        .cart_form(
            "/cart/add",
            None,
            &[("sku", &sku), ("quantity", "2"), ("price", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/cart?n=added"), "{location}");
    let cookie = cookie.expect("a cart cookie");
    assert!(cookie.starts_with("cart="));

    let html = app.cart_page(&cookie, "?n=added").await;
    assert!(html.contains("Added to your cart."));
    assert!(html.contains(&format!("data-sku=\"{sku}\"")));
    let expected = format!("£{}.{:02}", price * 2 / 100, price * 2 % 100);
    assert!(
        html.contains(&format!(
            "<dd data-testid=\"cart-subtotal\">{expected}</dd>"
        )),
        "the server's price, not the form's"
    );

    let (status, location, _) = app
        .cart_form(
            "/cart/update",
            Some(&cookie),
            &[("sku", &sku), ("quantity", "1")],
        )
        .await;
    assert_eq!(
        (status, location.starts_with("/cart?n=updated")),
        (303, true)
    );
    assert!(
        app.cart_page(&cookie, "")
            .await
            .contains("<dd data-testid=\"cart-items\">1</dd>")
    );

    app.cart_form("/cart/remove", Some(&cookie), &[("sku", &sku)])
        .await;
    assert!(
        app.cart_page(&cookie, "")
            .await
            .contains("Your cart is empty")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_quantities_and_unknown_items_get_clear_errors_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (sku, _, _, stock) = variant_with_stock(&app, 1).await;
    let (_, _, cookie) = app
        .cart_form("/cart/add", None, &[("sku", &sku), ("quantity", "1")])
        .await;
    let cookie = cookie.expect("cookie");

    for (qty, code) in [
        ("0", "qty_low"),
        ("-3", "qty_low"),
        ("100", "qty_high"),
        ("two", "qty_nan"),
        ("1e3", "qty_nan"),
    ] {
        let (status, body) = app
            .cart_json("/cart/add", &cookie, &[("sku", &sku), ("quantity", qty)])
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some(code)),
            "quantity {qty}"
        );
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
    let (status, body) = app
        .cart_json(
            "/cart/add",
            &cookie,
            &[("sku", "NOPE999"), ("quantity", "1")],
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown")));
    let (status, body) = app
        .cart_json(
            "/cart/add",
            &cookie,
            &[("sku", "<script>"), ("quantity", "1")],
        )
        .await;
    assert_eq!(status, 404, "{body}");

    let too_many = (stock + 1).min(99).to_string();
    if stock < 99 {
        let (status, body) = app
            .cart_json(
                "/cart/add",
                &cookie,
                &[("sku", &sku), ("quantity", &too_many)],
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (409, Some("stock")));
    }
    let (_, location, _) = app
        .cart_form(
            "/cart/add",
            Some(&cookie),
            &[("sku", &sku), ("quantity", "0")],
        )
        .await;
    let html = app
        .cart_page(&cookie, location.trim_start_matches("/cart"))
        .await;
    assert!(
        html.contains("The quantity must be at least 1"),
        "the page explains the error"
    );
    assert!(
        html.contains("<dd data-testid=\"cart-items\">1</dd>"),
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_limits_what_a_cart_can_hold_and_price_changes_are_shown() {
    let app = TestApp::spawn().await;
    let (sku, _, price, _) = variant_with_stock(&app, 2).await;
    sqlx::query("UPDATE variants SET stock = 2 WHERE sku = $1")
        .bind(&sku)
        .execute(&app.db)
        .await
        .expect("set stock");
    let (_, _, cookie) = app
        .cart_form("/cart/add", None, &[("sku", &sku), ("quantity", "2")])
        .await;
    let cookie = cookie.expect("cookie");
    let (status, location, _) = app
        .cart_form(
            "/cart/add",
            Some(&cookie),
            &[("sku", &sku), ("quantity", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(
        location.contains("e=stock") && location.contains("left=2"),
        "{location}"
    );
    assert!(
        app.cart_page(&cookie, location.trim_start_matches("/cart"))
            .await
            .contains("Only 2 of item")
    );

    sqlx::query("UPDATE variants SET price_minor = $1 WHERE sku = $2")
        .bind(price + 100)
        .bind(&sku)
        .execute(&app.db)
        .await
        .expect("reprice");
    let html = app.cart_page(&cookie, "").await;
    assert!(
        html.contains("changed from"),
        "an old and a new price are shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_or_missing_cart_cookie_is_an_empty_cart() {
    let app = TestApp::spawn().await;
    assert!(
        app.cart_page("cart=' OR 1=1 --", "")
            .await
            .contains("Your cart is empty")
    );
    assert!(
        app.cart_page("cart=0123456789abcdef0123456789abcdef", "")
            .await
            .contains("Your cart is empty")
    );
    let (status, body) = app
        .cart_json(
            "/cart/update",
            "x=1",
            &[("sku", "85123A"), ("quantity", "1")],
        )
        .await;
    assert_eq!(status, 404, "{body}");
}
