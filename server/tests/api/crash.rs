//! Killing the server process (SIGKILL, no shutdown) in the middle of a burst of checkouts:
//! after a restart, every order that was acknowledged is there, whole, and stock matches the
//! orders exactly.

use crate::checkout::{cart_with, checkout_form, country, place, stocked_variant};
use crate::helpers::TestApp;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use vitrine_server::payments::TEST_CARD_OK;

const STOCK: i64 = 1_000;
const CHECKOUTS: usize = 40;

/// Starts the `vitrine` binary on the test's database; returns it and the address it printed.
fn start_server(app: &TestApp) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-seed", "--site-dir"])
        .arg(app.site_dir())
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server prints its address");
    let address = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("an address")
        .trim_end_matches('/')
        .to_string();
    assert!(address.starts_with("http://127.0.0.1:"), "{line}");
    (child, address)
}

/// A checkout that may meet a dead server: the order number if it was acknowledged (201).
async fn try_place(app: &TestApp, cookie: &str, key: &str, country: &str) -> Option<String> {
    let res = app
        .client
        .post(format!("{}/checkout/place", app.address))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .form(&checkout_form(TEST_CARD_OK, key, country))
        .send()
        .await
        .ok()?;
    if res.status().as_u16() != 201 {
        return None;
    }
    let body: serde_json::Value = serde_json::from_str(&res.text().await.ok()?).ok()?;
    body["order"].as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_burst_loses_no_acknowledged_order_and_keeps_stock_consistent() {
    let app = TestApp::spawn().await;
    let (sku, _) = stocked_variant(&app, STOCK).await;
    let country = country(&app).await;
    let mut carts = Vec::new();
    for _ in 0..CHECKOUTS {
        carts.push(cart_with(&app, &sku, 2).await);
    }

    let (mut child, address) = start_server(&app);
    let other = app.pointed_at(&address);
    let mut burst: FuturesUnordered<_> = carts
        .iter()
        .enumerate()
        .map(|(i, cookie)| {
            let (other, country) = (&other, &country);
            async move {
                let key = format!("crash-{i}");
                try_place(other, cookie, &key, country).await
            }
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut killed = false;
    while let Some(answer) = burst.next().await {
        if let Some(number) = answer {
            acknowledged.push(number);
        }
        if !killed && acknowledged.len() >= 5 {
            child.kill().expect("SIGKILL");
            killed = true;
        }
    }
    let _ = child.wait();
    assert!(killed, "the burst was interrupted");
    assert!(acknowledged.len() < CHECKOUTS, "the kill landed mid-burst");

    let (mut child, address) = start_server(&app);
    let restarted = app.pointed_at(&address);
    for number in &acknowledged {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM orders o JOIN order_details d ON d.order_number = o.number \
             JOIN payments p ON p.order_number = o.number WHERE o.number = $1",
        )
        .bind(number)
        .fetch_one(&app.db)
        .await
        .expect("count");
        assert_eq!(n, 1, "acknowledged order {number} survived whole");
    }
    let (orders, details, payments, sold): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders WHERE source = 'web'), (SELECT COUNT(*) FROM order_details), \
         (SELECT COUNT(*) FROM payments), \
         (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines l JOIN orders o ON o.number = l.order_number \
          WHERE o.source = 'web' AND l.sku = $1)",
    )
    .bind(&sku)
    .fetch_one(&app.db)
    .await
    .expect("totals");
    assert_eq!((details, payments), (orders, orders), "no partial order");
    assert!(orders >= acknowledged.len() as i64);
    let (stock,): (i64,) = sqlx::query_as("SELECT stock FROM variants WHERE sku = $1")
        .bind(&sku)
        .fetch_one(&app.db)
        .await
        .expect("stock");
    assert_eq!(stock + sold, STOCK, "stock matches the orders exactly");

    // The restarted server takes orders again.
    let cookie = cart_with(&app, &sku, 1).await;
    let (status, body) = place(&restarted, &cookie, TEST_CARD_OK, "after", &country, &[]).await;
    assert_eq!(status, 201, "{body}");
    let _ = child.kill();
    let _ = child.wait();
}
