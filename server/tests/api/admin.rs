//! The staff console's door: sign-in with CSRF and lockout, sessions and sign-out, and the
//! helpers the other console tests sign in with. Staff management is in `admin_staff`.

use crate::helpers::{TestApp, cookie_pair, hidden};
use vitrine_server::staff::{self, Actor, NewStaff};

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A staff account made through the service, as `vitrine staff add` would.
pub(crate) async fn staff_member(app: &TestApp, email: &str, role: &str) {
    let new = NewStaff::parse(email, role, PASSWORD.to_string()).expect("valid staff");
    staff::add(&app.db, new, &Actor::CommandLine, vitrine_server::db::now())
        .await
        .expect("added");
}

/// An empty store: the console does not need the catalogue.
pub(crate) async fn spawn() -> TestApp {
    TestApp::spawn_with_seed(None).await
}

/// Every `Set-Cookie` header of a response.
pub(crate) fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

pub(crate) fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

impl TestApp {
    pub(crate) async fn admin_get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.address));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.expect("sent")
    }

    pub(crate) async fn admin_post<F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &F,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}{path}", self.address))
            .form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.expect("sent")
    }

    /// The sign-in page's CSRF cookie (`name=value`) and hidden token.
    pub(crate) async fn login_form(&self) -> (String, String) {
        let res = self.admin_get("/admin/login", None).await;
        assert_eq!(res.status(), 200);
        let cookie = cookie_pair(&res, "vitrine_login_csrf").expect("a login CSRF cookie");
        let html = res.text().await.expect("body");
        (cookie, hidden(&html, "csrf"))
    }

    /// Sends the sign-in form as a browser would (cookie and hidden token).
    pub(crate) async fn try_sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let (cookie, csrf) = self.login_form().await;
        self.admin_post(
            "/admin/login",
            Some(&cookie),
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// Signs in and returns the session cookie (`vitrine_staff=...`).
    pub(crate) async fn signed_in(&self, email: &str) -> String {
        let res = self.try_sign_in(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in of {email}");
        cookie_pair(&res, "vitrine_staff").expect("a session cookie")
    }

    /// The CSRF token of the signed-in session, read from the console's sign-out form.
    pub(crate) async fn session_csrf(&self, cookie: &str) -> String {
        let res = self.admin_get("/admin", Some(cookie)).await;
        assert_eq!(res.status(), 200);
        hidden(&res.text().await.expect("body"), "csrf")
    }

    pub(crate) async fn audit_actions(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT actor, action, subject FROM audit_log ORDER BY id")
            .fetch_all(&self.db)
            .await
            .expect("audit log")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_out_visitors_are_sent_to_sign_in_and_their_forms_refused() {
    let app = spawn().await;
    staff_member(&app, "root@example.com", "admin").await;

    let res = app.admin_get("/admin", None).await;
    assert_eq!(
        (res.status().as_u16(), location(&res).as_str()),
        (303, "/admin/login?next=/admin")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(
        res.headers()["x-robots-tag"]
            .to_str()
            .expect("ascii")
            .contains("noindex")
    );
    let res = app.admin_get("/admin/staff?x=1", None).await;
    assert_eq!(location(&res), "/admin/login?next=/admin/staff%3Fx%3D1");
    let res = app
        .client
        .get(format!("{}/admin", app.address))
        .header("accept", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401, "API clients get 401");

    // An admin-only action without a session: refused, nothing changed.
    let res = app
        .admin_post(
            "/admin/staff",
            None,
            &[
                ("op", "add"),
                ("email", "mallory@example.com"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (res.status().as_u16(), location(&res).as_str()),
        (303, "/admin/login")
    );
    let res = app
        .admin_post(
            "/admin/staff",
            Some("vitrine_staff=0000000000000000000000000000000000000000000000000000000000000000"),
            &[("op", "add"), ("email", "mallory@example.com")],
        )
        .await;
    assert_eq!(res.status(), 303, "a made-up session is no session");
    assert_eq!(app.count("staff").await, 1);

    let page = app.page("/admin/login", 200).await;
    assert!(page.contains("action=\"/admin/login\"") && page.contains("type=\"password\""));
    assert!(page.contains("<meta name=\"robots\" content=\"noindex, nofollow\""));
    let robots = app.page("/robots.txt", 200).await;
    assert!(robots.contains("Disallow: /admin"), "{robots}");
    assert_eq!(
        app.admin_get("/admin/nothing-here", None).await.status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signing_in_sets_a_strict_http_only_cookie_and_signing_out_ends_the_session() {
    let app = spawn().await;
    staff_member(&app, "ada@example.com", "admin").await;

    let res = app.admin_get("/admin/login", None).await;
    let login_cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("vitrine_login_csrf="))
        .expect("login CSRF cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(login_cookie.contains(attribute), "{login_cookie}");
    }

    // A previous session cookie is replaced: the token rotates at sign-in.
    let first = app.signed_in("ada@example.com").await;
    let (cookie, csrf) = app.login_form().await;
    let res = app
        .admin_post(
            "/admin/login",
            Some(&format!("{cookie}; {first}")),
            &[
                ("email", " ADA@example.com "),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "/admin/staff"),
            ],
        )
        .await;
    assert_eq!(
        (res.status().as_u16(), location(&res).as_str()),
        (303, "/admin/staff")
    );
    let session_cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("vitrine_staff="))
        .expect("session cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=43200",
    ] {
        assert!(session_cookie.contains(attribute), "{session_cookie}");
    }
    assert!(
        !session_cookie.contains("Secure"),
        "plain HTTP here: no Secure"
    );
    let session = cookie_pair(&res, "vitrine_staff").expect("pair");
    assert_ne!(session, first, "a new token at every sign-in");
    assert_eq!(app.admin_get("/admin", Some(&first)).await.status(), 303);
    assert_eq!(
        app.count("staff_sessions").await,
        1,
        "the old session is gone"
    );
    let token = session.trim_start_matches("vitrine_staff=");
    let stored: (String,) = sqlx::query_as("SELECT id FROM staff_sessions")
        .fetch_one(&app.db)
        .await
        .expect("row");
    assert_ne!(stored.0, token, "only a digest of the token is stored");

    let res = app.admin_get("/admin", Some(&session)).await;
    assert_eq!(res.status(), 200);
    let home = res.text().await.expect("body");
    assert!(home.contains("ada@example.com") && home.contains("admin"));
    assert!(home.contains("session.signed_in"), "the audit log is shown");
    assert!(home.contains("href=\"/admin/staff\""));

    // Behind TLS the cookie is Secure.
    let (cookie, csrf) = app.login_form().await;
    let res = app
        .client
        .post(format!("{}/admin/login", app.address))
        .header("cookie", cookie)
        .header("x-forwarded-proto", "https")
        .form(&[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("sent");
    assert!(
        set_cookies(&res)
            .iter()
            .any(|c| c.starts_with("vitrine_staff=") && c.contains("; Secure"))
    );

    // No open redirect after sign-in.
    let (cookie, csrf) = app.login_form().await;
    let res = app
        .admin_post(
            "/admin/login",
            Some(&cookie),
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "//evil.example/admin"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin");

    // Sign-out needs the session's token, then the cookie is worthless.
    let res = app
        .admin_post("/admin/logout", Some(&session), &[("x", "")])
        .await;
    assert_eq!(res.status(), 403, "no CSRF token: refused");
    assert_eq!(app.admin_get("/admin", Some(&session)).await.status(), 200);
    let csrf = app.session_csrf(&session).await;
    let res = app
        .admin_post("/admin/logout", Some(&session), &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(
        (res.status().as_u16(), location(&res).as_str()),
        (303, "/admin/login")
    );
    assert!(
        set_cookies(&res)
            .iter()
            .any(|c| c.starts_with("vitrine_staff=;") && c.contains("Max-Age=0"))
    );
    let res = app.admin_get("/admin", Some(&session)).await;
    assert_eq!(res.status(), 303, "the old cookie no longer works");
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(actor, action, _)| actor == "ada@example.com" && action == "session.signed_out")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sign_in_form_needs_its_csrf_token_and_this_origin() {
    let app = spawn().await;
    staff_member(&app, "ada@example.com", "admin").await;
    let (cookie, csrf) = app.login_form().await;
    let good = [
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("csrf", csrf.as_str()),
    ];

    let res = app
        .admin_post("/admin/login", Some(&cookie), &good[..2])
        .await;
    assert_eq!(res.status(), 403, "no hidden token");
    let page = res.text().await.expect("body");
    assert!(
        page.contains("This form expired; reload the page and try again"),
        "{page}"
    );
    let res = app.admin_post("/admin/login", None, &good).await;
    assert_eq!(res.status(), 403, "no cookie");
    let other = format!("vitrine_login_csrf={}", "a".repeat(64));
    let res = app.admin_post("/admin/login", Some(&other), &good).await;
    assert_eq!(res.status(), 403, "a token that is not the cookie's");
    let res = app
        .client
        .post(format!("{}/admin/login", app.address))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&good)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 403, "another origin");
    assert_eq!(app.count("staff_sessions").await, 0, "nobody signed in");

    let res = app.admin_post("/admin/login", Some(&cookie), &good).await;
    assert_eq!(res.status(), 303, "the same form with its token works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = spawn().await;
    staff_member(&app, "ada@example.com", "marketer").await;

    let res = app
        .try_sign_in("nobody@example.com", "wrong password!")
        .await;
    assert_eq!(res.status(), 422);
    let unknown = res.text().await.expect("body");
    assert!(unknown.contains("That email and password don"), "{unknown}");
    for attempt in 1..=4 {
        let res = app.try_sign_in("ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), 422, "attempt {attempt}");
        let page = res.text().await.expect("body");
        assert!(
            page.contains("That email and password don"),
            "the same answer as an unknown email"
        );
        assert!(
            page.contains("value=\"ada@example.com\""),
            "the email is kept"
        );
        assert!(!page.contains("wrong password!"), "the password is not");
    }
    let res = app.try_sign_in("ada@example.com", "wrong password!").await;
    assert_eq!(res.status(), 429, "the fifth locks");
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Too many attempts; try again in 15 minutes")
    );

    let res = app.try_sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429, "locked, even with the right password");
    assert!(cookie_pair(&res, "vitrine_staff").is_none());
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Too many attempts; try again in")
    );
    assert_eq!(app.count("staff_sessions").await, 0);
    let (locked_until,): (Option<i64>,) =
        sqlx::query_as("SELECT locked_until FROM staff WHERE email = 'ada@example.com'")
            .fetch_one(&app.db)
            .await
            .expect("row");
    let now = vitrine_server::db::now();
    let until = locked_until.expect("locked_until is set");
    assert!(
        (now + 14 * 60..=now + 15 * 60).contains(&until),
        "{until} vs {now}"
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(actor, action, subject)| actor == "system"
                && action == "staff.locked"
                && subject == "ada@example.com")
    );

    // Once the lock has run out, the right password works and clears the count.
    sqlx::query("UPDATE staff SET locked_until = $1")
        .bind(now - 1)
        .execute(&app.db)
        .await
        .expect("expire the lock");
    let res = app.try_sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let (failed, locked): (i64, Option<i64>) =
        sqlx::query_as("SELECT failed_logins, locked_until FROM staff")
            .fetch_one(&app.db)
            .await
            .expect("row");
    assert_eq!((failed, locked), (0, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let app = spawn().await;
    for i in 0..10 {
        let res = app
            .try_sign_in(&format!("guess{i}@example.com"), "wrong password!")
            .await;
        assert_eq!(res.status(), 422, "attempt {i}");
    }
    let res = app
        .try_sign_in("guess@example.com", "wrong password!")
        .await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_end_after_thirty_idle_minutes_or_twelve_hours() {
    let app = spawn().await;
    staff_member(&app, "ada@example.com", "marketer").await;
    let now = vitrine_server::db::now();

    let idle = app.signed_in("ada@example.com").await;
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1")
        .bind(now - 31 * 60)
        .execute(&app.db)
        .await
        .expect("age the session");
    let res = app.admin_get("/admin", Some(&idle)).await;
    assert_eq!(location(&res), "/admin/login?next=/admin");
    assert_eq!(
        app.count("staff_sessions").await,
        0,
        "the ended row is gone"
    );

    let old = app.signed_in("ada@example.com").await;
    sqlx::query("UPDATE staff_sessions SET expires_at = $1")
        .bind(now - 1)
        .execute(&app.db)
        .await
        .expect("expire the session");
    assert_eq!(app.admin_get("/admin", Some(&old)).await.status(), 303);
}
