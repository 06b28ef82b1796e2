//! The experiments console: a marketer creates, starts, pauses, stops and ships experiments
//! through the forms; one running experiment per slot; CSRF; banned superlatives; and the
//! results page's counts over exposures and events inserted directly (the serving side that
//! records exposures is tested on its own).

use crate::helpers::{TestApp, hidden, set_cookie};
use vitrine_server::experiments::definition::{ContentFields, NewExperiment, VariantFields};
use vitrine_server::experiments::store;
use vitrine_server::staff::{self, Actor, NewStaff};

const PASSWORD: &str = "correct horse battery staple";
const MARKETER: &str = "mia@example.com";

/// An empty store with a signed-in marketer: `(app, session cookie, CSRF token)`.
async fn marketer() -> (TestApp, String, String) {
    let app = TestApp::spawn_with_seed(None).await;
    let new = NewStaff::parse(MARKETER, "marketer", PASSWORD.into()).expect("valid staff");
    staff::add(&app.db, new, &Actor::CommandLine, vitrine_server::db::now())
        .await
        .expect("added");
    let res = get(&app, "/admin/login", None).await;
    let login_cookie = set_cookie(&res, "vitrine_login_csrf");
    let csrf = hidden(&res.text().await.expect("body"), "csrf");
    let res = post(
        &app,
        "/admin/login",
        &login_cookie,
        &[("email", MARKETER), ("password", PASSWORD), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303, "signed in");
    let cookie = set_cookie(&res, "vitrine_staff");
    let html = get(&app, "/admin/experiments", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    let csrf = hidden(&html, "csrf");
    (app, cookie, csrf)
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("sent")
}

async fn post(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .expect("sent")
}

/// GET a console page, asserting the status, returning the HTML.
async fn page(app: &TestApp, path: &str, cookie: &str, status: u16) -> String {
    let res = get(app, path, Some(cookie)).await;
    assert_eq!(res.status().as_u16(), status, "GET {path}");
    res.text().await.expect("body")
}
fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Creates a two-variant hero experiment through the form; returns its id.
async fn create_hero(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    name: &str,
    headline: &str,
) -> String {
    let res = post(
        app,
        "/admin/experiments",
        cookie,
        &[
            ("csrf", csrf),
            ("slot", "home_hero"),
            ("name", name),
            ("v0_name", "Control"),
            ("v0_weight", "1"),
            ("v0_headline", "Gifts worth giving"),
            ("v0_copy", "Thousands of gifts."),
            ("v0_cta_label", "Shop now"),
            ("v0_cta_href", "/search"),
            ("v1_name", "Warm"),
            ("v1_weight", "1"),
            ("v1_headline", headline),
            ("v1_copy", "Lanterns for long evenings."),
            ("v1_cta_label", "Shop lights"),
            ("v1_cta_href", "/c/lights"),
            ("v2_name", ""),
            ("v2_headline", "ignored: no name"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "created {name}");
    let to = location(&res);
    to.strip_prefix("/admin/experiments/")
        .and_then(|rest| rest.strip_suffix("?n=created"))
        .unwrap_or_else(|| panic!("redirected to the new experiment: {to}"))
        .to_string()
}

async fn status(app: &TestApp, id: &str) -> (String, Option<i64>) {
    sqlx::query_as("SELECT status, shipped_variant FROM experiments WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&app.db)
        .await
        .expect("experiment")
}

async fn op(app: &TestApp, cookie: &str, csrf: &str, id: &str, op: &str) -> reqwest::Response {
    let path = format!("/admin/experiments/{id}");
    post(
        app,
        &path,
        cookie,
        &[("csrf", csrf), ("op", op), ("variant", "1")],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_marketer_runs_an_experiment_from_draft_to_shipped_and_each_step_is_audited() {
    let (app, cookie, csrf) = marketer().await;
    let form = page(&app, "/admin/experiments/new", &cookie, 200).await;
    for field in [
        "name=\"slot\"",
        "name=\"v0_headline\"",
        "name=\"v1_cta_href\"",
        "name=\"v3_weight\"",
    ] {
        assert!(form.contains(field), "{field}");
    }

    let id = create_hero(
        &app,
        &cookie,
        &csrf,
        "Hero copy",
        "Warm light for long evenings",
    )
    .await;
    assert!(id.starts_with("hero-copy-"), "{id}");
    assert_eq!(
        app.count("experiment_variants").await,
        2,
        "the unnamed third variant is skipped"
    );
    let html = page(
        &app,
        &format!("/admin/experiments/{id}?n=created"),
        &cookie,
        200,
    )
    .await;
    assert!(html.contains("Saved as a draft"), "{html}");
    assert_eq!(status(&app, &id).await, ("draft".into(), None));

    assert_eq!(op(&app, &cookie, &csrf, &id, "start").await.status(), 303);
    assert_eq!(status(&app, &id).await.0, "running");

    // A second experiment on the slot cannot start while the first runs.
    let other = create_hero(&app, &cookie, &csrf, "Other hero", "Gifts for everyone").await;
    let res = op(&app, &cookie, &csrf, &other, "start").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("“Hero copy” is already running on this slot"),
        "{html}"
    );
    assert_eq!(status(&app, &other).await.0, "draft", "nothing changed");
    assert_eq!(
        op(&app, &cookie, &csrf, &other, "pause").await.status(),
        422,
        "a draft cannot pause"
    );

    assert_eq!(op(&app, &cookie, &csrf, &id, "pause").await.status(), 303);
    assert_eq!(status(&app, &id).await.0, "paused");
    assert_eq!(
        op(&app, &cookie, &csrf, &other, "start").await.status(),
        303,
        "the slot is free"
    );
    assert_eq!(op(&app, &cookie, &csrf, &other, "stop").await.status(), 303);
    assert_eq!(status(&app, &other).await.0, "stopped");
    assert_eq!(
        op(&app, &cookie, &csrf, &other, "start").await.status(),
        422,
        "stopping is final"
    );

    assert_eq!(
        op(&app, &cookie, &csrf, &id, "start").await.status(),
        303,
        "resumed"
    );
    let res = op(&app, &cookie, &csrf, &id, "ship").await;
    assert_eq!(location(&res), format!("/admin/experiments/{id}?n=ship"));
    assert_eq!(status(&app, &id).await, ("stopped".into(), Some(1)));
    let (content, from): (String, String) =
        sqlx::query_as("SELECT content, experiment_id FROM slot_defaults WHERE slot = 'home_hero'")
            .fetch_one(&app.db)
            .await
            .expect("the slot has a default");
    assert!(
        content.contains("\"headline\":\"Warm light for long evenings\""),
        "{content}"
    );
    assert_eq!(from, id);

    let audit: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, subject FROM audit_log WHERE action LIKE 'experiment.%' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .expect("audit log");
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|(_, a, s)| (a.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("experiment.created", id.as_str()),
            ("experiment.started", id.as_str()),
            ("experiment.created", other.as_str()),
            ("experiment.paused", id.as_str()),
            ("experiment.started", other.as_str()),
            ("experiment.stopped", other.as_str()),
            ("experiment.started", id.as_str()),
            ("experiment.shipped", id.as_str()),
        ]
    );
    assert!(audit.iter().all(|(actor, _, _)| actor == MARKETER));
    let list = page(&app, "/admin/experiments", &cookie, 200).await;
    assert!(
        list.contains("Hero copy") && list.contains("Other hero"),
        "{list}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn experiment_forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let (app, cookie, csrf) = marketer().await;
    let id = create_hero(&app, &cookie, &csrf, "Hero copy", "Warm light").await;

    let res = post(
        &app,
        &format!("/admin/experiments/{id}"),
        &cookie,
        &[("op", "start")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        &format!("/admin/experiments/{id}"),
        &cookie,
        &[("op", "start"), ("csrf", "nope")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(status(&app, &id).await.0, "draft");
    let res = post(
        &app,
        "/admin/experiments",
        &cookie,
        &[("slot", "home_hero"), ("name", "x")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("experiments").await, 1);

    let res = get(&app, "/admin/experiments", None).await;
    assert_eq!(res.status(), 303, "signed-out visitors go to sign-in");
    let res = app
        .client
        .post(format!("{}/admin/experiments/{id}", app.address))
        .form(&[("op", "start"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(location(&res), "/admin/login");
    assert_eq!(status(&app, &id).await.0, "draft");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn banned_superlatives_are_named_when_saving_and_block_starting() {
    let (app, cookie, csrf) = marketer().await;
    let id = create_hero(
        &app,
        &cookie,
        &csrf,
        "Superlative",
        "The best gifts, 全网最低价",
    )
    .await;
    let html = page(&app, &format!("/admin/experiments/{id}"), &cookie, 200).await;
    assert!(
        html.contains("“best” is an absolute superlative banned in ads in China"),
        "{html}"
    );
    assert!(html.contains("“全网最低价”"), "{html}");

    let res = op(&app, &cookie, &csrf, &id, "start").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    assert!(html.contains("Not started: “best”"), "{html}");
    assert_eq!(status(&app, &id).await.0, "draft");

    // An invalid form is kept, with the error and the named word.
    let res = post(
        &app,
        "/admin/experiments",
        &cookie,
        &[
            ("csrf", &csrf),
            ("slot", "home_hero"),
            ("name", "Bad link"),
            ("v0_name", "A"),
            ("v0_weight", "1"),
            ("v0_headline", "Cheapest mugs"),
            ("v0_copy", "c"),
            ("v0_cta_label", "Go"),
            ("v0_cta_href", "//evil.example"),
            ("v1_name", "B"),
            ("v1_weight", "1"),
            ("v1_headline", "h"),
            ("v1_copy", "c"),
            ("v1_cta_label", "Go"),
            ("v1_cta_href", "/"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("Variant 1: the button link must be a path on this site"),
        "{html}"
    );
    assert!(
        html.contains("“cheapest” is an absolute superlative"),
        "{html}"
    );
    assert!(html.contains("value=\"Cheapest mugs\""), "kept: {html}");
    assert_eq!(app.count("experiments").await, 1);
}

/// A running two-variant hero experiment made through the service; returns its id and start.
async fn running(app: &TestApp) -> (String, i64) {
    let hero = |name: &str| VariantFields {
        name: name.into(),
        weight: "1".into(),
        content: ContentFields {
            headline: format!("{name} headline"),
            copy: "copy".into(),
            cta_label: "Go".into(),
            cta_href: "/".into(),
            ..ContentFields::default()
        },
    };
    let new = NewExperiment::parse("home_hero", "Counted", &[hero("Control"), hero("Warm")])
        .expect("valid");
    let now = vitrine_server::db::now();
    let id = store::create(&app.db, &new, &Actor::System, now)
        .await
        .expect("created");
    store::transition(
        &app.db,
        &id,
        vitrine_server::experiments::definition::Transition::Start,
        &Actor::System,
        now,
    )
    .await
    .expect("started");
    let (started,): (i64,) = sqlx::query_as("SELECT started_at FROM experiments WHERE id = $1")
        .bind(id.clone())
        .fetch_one(&app.db)
        .await
        .expect("started_at");
    (id, started)
}

async fn insert_exposures(app: &TestApp, id: &str, rows: &[(String, i64, i64)]) {
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO exposures (experiment_id, visitor_id, variant, first_at) VALUES {}",
            vitrine_server::db::values_placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (visitor, variant, at) in chunk {
            q = q
                .bind(id.to_string())
                .bind(visitor.clone())
                .bind(*variant)
                .bind(*at);
        }
        q.execute(&app.db).await.expect("exposures inserted");
    }
}

async fn insert_event(app: &TestApp, visitor: &str, kind: &str, at: i64) {
    sqlx::query("INSERT INTO events (visitor_id, kind, stem, at) VALUES ($1, $2, '85123', $3)")
        .bind(visitor.to_string())
        .bind(kind.to_string())
        .bind(at)
        .execute(&app.db)
        .await
        .expect("event inserted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_results_page_counts_exposed_visitors_who_converted_after_exposure() {
    let (app, cookie, _) = marketer().await;
    let (id, t) = running(&app).await;
    let v = |s: &str| s.to_string();
    insert_exposures(
        &app,
        &id,
        &[
            (v("a"), 0, t),
            (v("b"), 0, t),
            (v("c"), 1, t),
            (v("d"), 1, t + 1),
            (v("e"), 1, t),
        ],
    )
    .await;
    insert_event(&app, "a", "cart", t + 10).await; // converts
    insert_event(&app, "a", "purchase", t + 20).await; // still one conversion
    insert_event(&app, "b", "cart", t - 10).await; // before exposure: not a conversion
    insert_event(&app, "c", "view", t + 10).await; // a view is not a conversion
    insert_event(&app, "d", "purchase", t + 1).await; // at first exposure: converts
    insert_event(&app, "zz", "cart", t + 1).await; // never exposed

    let html = page(&app, &format!("/admin/experiments/{id}"), &cookie, 200).await;
    let html = html.replace("<!>", "");
    assert!(
        html.contains("<th scope=\"row\">Control</th><td>2</td><td>1</td><td>50.00%</td>"),
        "{html}"
    );
    assert!(
        html.contains("<th scope=\"row\">Warm</th><td>3</td><td>1</td><td>33.33%</td>"),
        "{html}"
    );
    assert!(
        html.contains("valid only at the planned sample size"),
        "{html}"
    );
    assert!(html.contains("always-valid interval (mSPRT)"), "{html}");
    assert!(
        html.contains("role=\"img\"") && html.contains("<title id=\"lift-1-title\">"),
        "{html}"
    );
    assert!(html.contains("<desc id=\"lift-1-desc\">"), "{html}");
    assert!(!html.contains("Sample ratio mismatch"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_52_48_split_of_10000_visitors_raises_the_srm_alert_on_the_results_page() {
    let (app, cookie, _) = marketer().await;
    let (id, t) = running(&app).await;
    let rows: Vec<(String, i64, i64)> = (0..10_000)
        .map(|i| {
            (
                format!("visitor-{i:05}"),
                i64::from(i >= 5_200),
                t + i64::from(i % 3) * 86_400,
            )
        })
        .collect();
    insert_exposures(&app, &id, &rows).await;
    let html = page(&app, &format!("/admin/experiments/{id}"), &cookie, 200).await;
    let at = html
        .find("Sample ratio mismatch")
        .unwrap_or_else(|| panic!("SRM alert: {html}"));
    let before = &html[..at];
    assert!(
        before[before.rfind("<div").expect("box")..].contains("role=\"alert\""),
        "{html}"
    );
    assert!(
        html.contains("<td>5200</td>") && html.contains("<td>4800</td>"),
        "{html}"
    );
}
