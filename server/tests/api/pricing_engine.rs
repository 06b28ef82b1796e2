//! The dynamic-pricing engine end to end: `vitrine price propose` against the seeded orders
//! (kill switch, promotion freeze, auto-approve), approval from the command line and from the
//! console (history, audit, the price on the page, in the JSON-LD and in the cart at once;
//! CSRF and sign-in required; stale proposals refused), and `vitrine simulate-pricing --json`.

use crate::helpers::{TestApp, hidden, product_offers, set_cookie, text_of, without_markers};
use vitrine_pricing::optimise::{Proposal, Reason};
use vitrine_server::pricing::proposals::{self, NewProposal};
use vitrine_server::staff::{self, Actor, NewStaff};

const PASSWORD: &str = "correct horse battery staple";
pub(crate) const MARKETER: &str = "mia@example.com";

pub(crate) fn vitrine(database_url: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"));
    cmd.args(args).env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().expect("the vitrine command runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A single-variant, in-stock product: (slug, sku, price).
async fn single_variant_product(app: &TestApp) -> (String, String, i64) {
    sqlx::query_as(
        "SELECT p.slug, MIN(v.sku), MIN(v.price_minor) FROM products p \
         JOIN variants v ON v.stem = p.stem \
         GROUP BY p.slug, p.units_sold HAVING COUNT(*) = 1 AND MIN(v.stock) > 0 \
         ORDER BY p.units_sold DESC, p.slug LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a single-variant product")
}

/// An open proposal for `sku` from `current` to `proposed`, as the engine would write it.
async fn proposal(app: &TestApp, sku: &str, current: i64, proposed: i64) -> i64 {
    proposals::write(
        &app.db,
        &[new_proposal(sku, current, proposed)],
        vitrine_server::db::now(),
    )
    .await
    .expect("written")[0]
}

fn new_proposal(sku: &str, current: i64, proposed: i64) -> NewProposal {
    NewProposal {
        sku: sku.to_string(),
        proposal: Proposal {
            current_minor: current,
            proposed_minor: proposed,
            expected_profit_change_minor: 42,
            elasticity: -2.1,
            elasticity_low: -3.0,
            elasticity_high: -1.2,
            reason: Reason::Exploit,
        },
        reason: "test proposal".to_string(),
    }
}

/// Proposal writers that overlap (the scheduled run and `vitrine price propose`, or two
/// replicas) each number their rows apart instead of one failing on the primary key: on
/// PostgreSQL every write here runs on its own connection at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_proposal_writers_each_get_their_own_ids() {
    let app = TestApp::spawn().await;
    let variants: Vec<(String, i64)> =
        sqlx::query_as("SELECT sku, price_minor FROM variants ORDER BY sku LIMIT 12")
            .fetch_all(&app.db)
            .await
            .expect("variants");
    let writes = variants.iter().map(|(sku, price)| {
        let db = app.db.clone();
        let new = new_proposal(sku, *price, price + price / 20);
        async move { proposals::write(&db, &[new], vitrine_server::db::now()).await }
    });
    let results = futures::future::join_all(writes).await;
    let mut ids: Vec<i64> = results
        .into_iter()
        .map(|r| r.expect("every overlapping write succeeds")[0])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), variants.len(), "{ids:?}");
    let open = proposals::open(&app.db, 100).await.expect("open");
    assert_eq!(open.len(), variants.len());
}

async fn price_of(app: &TestApp, sku: &str) -> i64 {
    let (p,): (i64,) = sqlx::query_as("SELECT price_minor FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .expect("variant");
    p
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT status FROM price_proposals WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("proposal");
    s
}
fn ld_price(html: &str) -> String {
    product_offers(html)["price"]
        .as_str()
        .expect("price")
        .to_string()
}

fn pounds(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

async fn count_where(app: &TestApp, sql: &str, sku: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .expect("count");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approving_a_proposal_changes_page_json_ld_and_cart_at_once_with_history_and_audit() {
    let app = TestApp::spawn().await;
    let (slug, sku, price) = single_variant_product(&app).await;
    let url = Some(app.database_url.as_str());
    let proposed = price + price / 20;
    let id = proposal(&app, &sku, price, proposed).await;

    let (ok, out, _) = vitrine(url, &["price", "proposals"]);
    assert!(ok && out.contains(&format!("#{id} {sku}")), "{out}");

    let (ok, out, err) = vitrine(url, &["price", "approve", &id.to_string()]);
    assert!(ok, "{out}{err}");
    assert_eq!(price_of(&app, &sku).await, proposed);
    assert_eq!(status_of(&app, id).await, "applied");

    let html = without_markers(&app.page(&format!("/p/{slug}"), 200).await);
    assert_eq!(
        text_of(&html, "price"),
        Some(format!("£{}", pounds(proposed)))
    );
    assert_eq!(ld_price(&html), pounds(proposed));
    let (_, _, cart) = app.cart_form("/cart/add", None, &[("sku", &sku)]).await;
    let cart_page = app.cart_page(&cart.expect("cart cookie"), "").await;
    assert!(
        cart_page.contains(&format!("£{}", pounds(proposed))),
        "cart"
    );

    let history = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM price_history WHERE sku = $1 AND source = 'engine'",
        &sku,
    )
    .await;
    assert_eq!(history, 1);
    let audit = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'price.set' AND subject = $1",
        &sku,
    )
    .await;
    assert_eq!(audit, 1);

    // Deciding twice, or on a proposal whose price has moved since, is refused with a message.
    let (ok, _, err) = vitrine(url, &["price", "approve", &id.to_string()]);
    assert!(!ok && err.contains("is applied, not open"), "{err}");
    let stale = proposal(&app, &sku, price, price + 1).await;
    let (ok, _, err) = vitrine(url, &["price", "approve", &stale.to_string()]);
    assert!(!ok && err.contains("stale"), "{err}");
    assert_eq!(price_of(&app, &sku).await, proposed);
    let (ok, _, err) = vitrine(url, &["price", "approve", "999999"]);
    assert!(!ok && err.contains("no price proposal #999999"), "{err}");
    let (ok, _, err) = vitrine(url, &["price", "approve", "twelve"]);
    assert!(!ok && !err.contains("panicked"), "{err}");

    // Rejecting leaves the price and is audited.
    let open = proposal(&app, &sku, proposed, proposed + 1).await;
    let (ok, out, err) = vitrine(url, &["price", "reject", &open.to_string()]);
    assert!(ok, "{out}{err}");
    assert_eq!(status_of(&app, open).await, "rejected");
    assert_eq!(price_of(&app, &sku).await, proposed);
    let rejected = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'price.proposal_rejected' AND subject = $1",
        &sku,
    )
    .await;
    assert_eq!(rejected, 1);
}

/// The two best-selling variants of the seeded orders.
async fn best_sellers(app: &TestApp) -> (String, String) {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT l.sku FROM order_lines l JOIN orders o ON o.number = l.order_number \
         WHERE o.status <> 'cancelled' GROUP BY l.sku \
         ORDER BY SUM(l.quantity) DESC, l.sku LIMIT 2",
    )
    .fetch_all(&app.db)
    .await
    .expect("best sellers");
    (rows[0].0.clone(), rows[1].0.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn propose_respects_the_kill_switch_promotions_and_auto_approve() {
    let app = TestApp::spawn().await;
    let url = Some(app.database_url.as_str());
    let (auto, promoted) = best_sellers(&app).await;
    // A cost of 90% of the price: for any plausible elasticity the best price is higher, so
    // the engine proposes a change for both.
    for sku in [&auto, &promoted] {
        sqlx::query("UPDATE variants SET cost_minor = price_minor * 9 / 10 WHERE sku = $1")
            .bind(sku)
            .execute(&app.db)
            .await
            .expect("cost");
    }
    let promo_price = price_of(&app, &promoted).await - 1;
    sqlx::query(
        "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason, announced) \
         VALUES ($1, $2, $3, 'GBP', 'promotion', 'flash sale', 1)",
    )
    .bind(&promoted)
    .bind(vitrine_server::db::now() - 60)
    .bind(promo_price)
    .execute(&app.db)
    .await
    .expect("promotion");
    sqlx::query("UPDATE variants SET price_minor = $1 WHERE sku = $2")
        .bind(promo_price)
        .bind(&promoted)
        .execute(&app.db)
        .await
        .expect("promotion price");

    let (ok, out, err) = vitrine(url, &["price", "auto", &auto, "on"]);
    assert!(ok, "{out}{err}");
    let (ok, _, err) = vitrine(url, &["price", "auto", "NOPE-1", "on"]);
    assert!(!ok && err.contains("no variant with SKU NOPE-1"), "{err}");

    // Kill switch on: nothing proposed, and it says so.
    let (ok, out, err) = vitrine(url, &["price", "kill-switch", "on"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = vitrine(url, &["price", "propose", "--seed", "7"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("kill switch is on: nothing proposed"), "{out}");
    assert_eq!(app.count("price_proposals").await, 0);

    let (ok, out, err) = vitrine(url, &["price", "kill-switch", "off"]);
    assert!(ok, "{out}{err}");
    let auto_before = price_of(&app, &auto).await;
    let (ok, out, err) = vitrine(url, &["price", "propose", "--seed", "7"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("proposals"), "{out}");
    assert!(app.count("price_proposals").await > 0, "{out}");

    let for_promoted = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM price_proposals WHERE sku = $1",
        &promoted,
    )
    .await;
    assert_eq!(for_promoted, 0, "no proposal during a promotion");
    assert_eq!(price_of(&app, &promoted).await, promo_price);

    // Auto-approve applied the proposal at once, with history and audit.
    let auto_after = price_of(&app, &auto).await;
    assert!(
        auto_after > auto_before,
        "{auto_before} -> {auto_after}\n{out}"
    );
    assert!(
        auto_after <= auto_before + auto_before / 10,
        "within ±10% a day"
    );
    let applied = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM price_proposals WHERE sku = $1 AND status = 'applied'",
        &auto,
    )
    .await;
    assert_eq!(applied, 1);
    let engine_rows = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM price_history WHERE sku = $1 AND source = 'engine'",
        &auto,
    )
    .await;
    assert_eq!(engine_rows, 1);
    let audited = count_where(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE subject = $1 AND action IN ('price.set', 'price.auto_approve')",
        &auto,
    )
    .await;
    assert_eq!(audited, 2);

    // A second run supersedes the open proposals rather than piling them up.
    let (ok, out, err) = vitrine(url, &["price", "propose", "--seed", "8"]);
    assert!(ok, "{out}{err}");
    let open_after = proposals::open(&app.db, 100_000).await.expect("open");
    assert!(!open_after.is_empty());
    let mut skus: Vec<&str> = open_after.iter().map(|p| p.sku.as_str()).collect();
    skus.sort_unstable();
    let n = skus.len();
    skus.dedup();
    assert_eq!(skus.len(), n, "one open proposal per variant");
}

/// An empty-catalogue-free store with a signed-in marketer: `(app, session cookie, CSRF)`.
pub(crate) async fn marketer(app: &TestApp) -> (String, String) {
    let new = NewStaff::parse(MARKETER, "marketer", PASSWORD.into()).expect("valid staff");
    staff::add(&app.db, new, &Actor::CommandLine, vitrine_server::db::now())
        .await
        .expect("added");
    let res = get(app, "/admin/login", None).await;
    let login_cookie = set_cookie(&res, "vitrine_login_csrf");
    let csrf = hidden(&res.text().await.expect("body"), "csrf");
    let res = post(
        app,
        "/admin/login",
        Some(&login_cookie),
        &[("email", MARKETER), ("password", PASSWORD), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303, "signed in");
    let cookie = set_cookie(&res, "vitrine_staff");
    let html = get(app, "/admin/prices", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    (cookie, hidden(&html, "csrf"))
}

pub(crate) async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("sent")
}

pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app.client.post(format!("{}{path}", app.address)).form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("sent")
}
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_marketer_approves_in_the_console_but_not_without_sign_in_or_csrf() {
    let app = TestApp::spawn().await;
    let (slug, sku, price) = single_variant_product(&app).await;
    let proposed = price - price / 20;
    let id = proposal(&app, &sku, price, proposed).await;
    let id_text = id.to_string();
    let approve = [("op", "approve"), ("id", id_text.as_str())];

    // Signed out: sent to sign in (or refused), and nothing changes.
    let res = get(&app, "/admin/prices", None).await;
    assert_ne!(res.status(), 200);
    let res = post(&app, "/admin/prices", None, &approve).await;
    assert!(res.status().is_redirection() || res.status().is_client_error());
    assert_eq!(price_of(&app, &sku).await, price);

    let (cookie, csrf) = marketer(&app).await;
    let html = without_markers(
        &get(&app, "/admin/prices", Some(&cookie))
            .await
            .text()
            .await
            .expect("body"),
    );
    assert!(html.contains("href=\"/admin/prices\""), "nav link");
    assert!(html.contains(&sku), "the proposal is listed");
    assert!(html.contains("−2.10 [−3.00, −1.20]") || html.contains("-2.10 [-3.00, -1.20]"));

    // Without the CSRF token, or with a wrong one: refused, nothing changes.
    let res = post(&app, "/admin/prices", Some(&cookie), &approve).await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        "/admin/prices",
        Some(&cookie),
        &[("op", "approve"), ("id", &id_text), ("csrf", "forged")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(price_of(&app, &sku).await, price);
    assert_eq!(status_of(&app, id).await, "proposed");

    // Bad input: a message, not a 500.
    let res = post(
        &app,
        "/admin/prices",
        Some(&cookie),
        &[("op", "approve"), ("id", "x"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 422);

    let res = post(
        &app,
        "/admin/prices",
        Some(&cookie),
        &[("op", "approve"), ("id", &id_text), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(price_of(&app, &sku).await, proposed);
    let html = without_markers(&app.page(&format!("/p/{slug}"), 200).await);
    assert_eq!(ld_price(&html), pounds(proposed));
    let (actor, action): (String, String) = sqlx::query_as(
        "SELECT actor, action FROM audit_log WHERE subject = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(&sku)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!((actor.as_str(), action.as_str()), (MARKETER, "price.set"));

    // The kill switch from the console: on, audited, and a stale approval is refused (422).
    let res = post(
        &app,
        "/admin/prices",
        Some(&cookie),
        &[("op", "kill"), ("value", "on"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = get(&app, "/admin/prices?n=kill_on", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("kill switch is on"), "{html}");
    let next = proposal(&app, &sku, proposed, proposed + 1).await;
    let res = post(
        &app,
        "/admin/prices",
        Some(&cookie),
        &[
            ("op", "approve"),
            ("id", &next.to_string()),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("kill switch is on")
    );
    assert_eq!(price_of(&app, &sku).await, proposed);
    let (kills,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'price.kill_switch'",
    )
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(kills, 1);
}

#[test]
fn simulate_pricing_json_has_one_object_per_seed_and_policy_with_the_four_fields() {
    let (ok, out, err) = vitrine(
        None,
        &[
            "simulate-pricing",
            "--days",
            "30",
            "--seed",
            "3",
            "--seeds",
            "2",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 6, "{out}");
    for row in &rows {
        let object = row.as_object().expect("object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["policy", "profit", "seed", "violations"]);
        assert!(row["seed"] == 3 || row["seed"] == 4);
        assert!(["engine", "fixed", "oracle"].contains(&row["policy"].as_str().expect("str")));
        assert!(row["profit"].is_i64() && row["violations"].is_u64());
    }
    let (ok, out, err) = vitrine(None, &["simulate-pricing", "--days", "0"]);
    assert!(!ok && !err.contains("panicked"), "{out}{err}");
}

/// The scheduled run (`--propose-prices-every-hours`): two replicas starting a round at the
/// same moment propose once between them; the next interval runs again; the kill switch
/// stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_scheduled_pricing_run_happens_once_per_interval_across_replicas() {
    use vitrine_server::pricing::schedule::{self, Round, Schedule};
    let app = TestApp::spawn().await;
    let schedule = Schedule {
        every: std::time::Duration::from_secs(86_400),
        days: 90,
    };
    let now = vitrine_server::db::now();
    let (a, b) = tokio::join!(
        schedule::round(&app.db, schedule, now),
        schedule::round(&app.db, schedule, now)
    );
    let ran: Vec<&Round> = [&a, &b]
        .into_iter()
        .filter(|r| matches!(r, Round::Ran { .. }))
        .collect();
    assert_eq!(ran.len(), 1, "exactly one replica runs: {a:?} {b:?}");
    assert!([&a, &b].contains(&&Round::NotDue), "{a:?} {b:?}");
    let Round::Ran { proposed, .. } = ran[0] else {
        unreachable!()
    };
    assert!(*proposed > 0, "the seeded orders give proposals");
    assert_eq!(app.count("price_proposals").await as usize, *proposed);

    // An hour later it is not due; a day later it runs again and supersedes.
    assert_eq!(
        schedule::round(&app.db, schedule, now + 3_600).await,
        Round::NotDue
    );
    let again = schedule::round(&app.db, schedule, now + 86_400).await;
    assert!(matches!(again, Round::Ran { .. }), "{again:?}");
    assert!(app.count("price_proposals").await as usize > *proposed);
    let open = proposals::open(&app.db, 100_000).await.expect("open");
    let mut skus: Vec<&str> = open.iter().map(|p| p.sku.as_str()).collect();
    skus.sort_unstable();
    let n = skus.len();
    skus.dedup();
    assert_eq!(
        skus.len(),
        n,
        "the second run superseded the first's proposals"
    );

    let (ok, out, err) = vitrine(
        Some(app.database_url.as_str()),
        &["price", "kill-switch", "on"],
    );
    assert!(ok, "{out}{err}");
    assert_eq!(
        schedule::round(&app.db, schedule, now + 2 * 86_400).await,
        Round::KillSwitch
    );
}
