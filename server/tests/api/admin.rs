//! The staff console's door: sign-in with CSRF and lockout, sessions and sign-out, roles,
//! staff management with its audit trail, and the `vitrine staff` command.

use crate::helpers::{TestApp, cookie_pair, hidden};
use vitrine_server::staff::{self, Actor, NewStaff};

const PASSWORD: &str = "correct horse battery staple";

/// A staff account made through the service, as `vitrine staff add` would.
async fn staff_member(app: &TestApp, email: &str, role: &str) {
    let new = NewStaff::parse(email, role, PASSWORD.to_string()).expect("valid staff");
    staff::add(&app.db, new, &Actor::CommandLine, vitrine_server::db::now())
        .await
        .expect("added");
}

/// An empty store: the console does not need the catalogue.
async fn spawn() -> TestApp {
    TestApp::spawn_with_seed(None).await
}

/// Every `Set-Cookie` header of a response.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

impl TestApp {
    async fn admin_get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.address));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.expect("sent")
    }

    async fn admin_post<F: serde::Serialize + ?Sized>(
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
    async fn login_form(&self) -> (String, String) {
        let res = self.admin_get("/admin/login", None).await;
        assert_eq!(res.status(), 200);
        let cookie = cookie_pair(&res, "vitrine_login_csrf").expect("a login CSRF cookie");
        let html = res.text().await.expect("body");
        (cookie, hidden(&html, "csrf"))
    }

    /// Sends the sign-in form as a browser would (cookie and hidden token).
    async fn try_sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let (cookie, csrf) = self.login_form().await;
        self.admin_post(
            "/admin/login",
            Some(&cookie),
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// Signs in and returns the session cookie (`vitrine_staff=...`).
    async fn signed_in(&self, email: &str) -> String {
        let res = self.try_sign_in(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in of {email}");
        cookie_pair(&res, "vitrine_staff").expect("a session cookie")
    }

    /// The CSRF token of the signed-in session, read from the console's sign-out form.
    async fn session_csrf(&self, cookie: &str) -> String {
        let res = self.admin_get("/admin", Some(cookie)).await;
        assert_eq!(res.status(), 200);
        hidden(&res.text().await.expect("body"), "csrf")
    }

    async fn audit_actions(&self) -> Vec<(String, String, String)> {
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
async fn a_marketer_cannot_manage_staff() {
    let app = spawn().await;
    staff_member(&app, "mark@example.com", "marketer").await;
    let cookie = app.signed_in("mark@example.com").await;

    let res = app.admin_get("/admin", Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let home = res.text().await.expect("body");
    assert!(home.contains("mark@example.com") && home.contains("marketer"));
    assert!(
        !home.contains("href=\"/admin/staff\""),
        "no link to what they can't use"
    );
    let csrf = hidden(&home, "csrf");

    assert_eq!(
        app.admin_get("/admin/staff", Some(&cookie)).await.status(),
        403
    );
    let res = app
        .admin_post(
            "/admin/staff",
            Some(&cookie),
            &[
                ("csrf", csrf.as_str()),
                ("op", "add"),
                ("email", "mallory@example.com"),
                ("role", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.expect("body").contains("Your role can"));
    assert_eq!(app.count("staff").await, 1, "nothing changed");
    let (role,): (String,) = sqlx::query_as("SELECT role FROM staff")
        .fetch_one(&app.db)
        .await
        .expect("row");
    assert_eq!(role, "marketer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_add_and_disable_staff_and_the_audit_log_records_it() {
    let app = spawn().await;
    staff_member(&app, "root@example.com", "admin").await;
    let cookie = app.signed_in("root@example.com").await;
    let res = app.admin_get("/admin/staff", Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.expect("body");
    assert!(page.contains("root@example.com"));
    let csrf = hidden(&page, "csrf");
    let add = |csrf: &str, email: &str, password: &str| {
        [
            ("csrf", csrf.to_string()),
            ("op", "add".to_string()),
            ("email", email.to_string()),
            ("role", "marketer".to_string()),
            ("password", password.to_string()),
        ]
    };

    // Without the session's token, or with another: refused, nothing changed.
    let no_token = add("", "New.Person@Example.com", PASSWORD);
    let res = app
        .admin_post("/admin/staff", Some(&cookie), &no_token[1..])
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("This form expired")
    );
    let wrong = add(&"f".repeat(64), "New.Person@Example.com", PASSWORD);
    let res = app.admin_post("/admin/staff", Some(&cookie), &wrong).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("staff").await, 1);

    let with_token = add(&csrf, "New.Person@Example.com", PASSWORD);
    let res = app
        .admin_post("/admin/staff", Some(&cookie), &with_token)
        .await;
    assert_eq!(
        (res.status().as_u16(), location(&res).as_str()),
        (303, "/admin/staff?n=added")
    );
    let (id, role, hash): (String, String, String) = sqlx::query_as(
        "SELECT id, role, password_hash FROM staff WHERE email = 'new.person@example.com'",
    )
    .fetch_one(&app.db)
    .await
    .expect("the new account, lower-cased");
    assert_eq!(role, "marketer");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(
        app.audit_actions().await.contains(&(
            "root@example.com".to_string(),
            "staff.added".to_string(),
            "new.person@example.com".to_string()
        )),
        "the audit log records who added whom"
    );
    let res = app
        .admin_post("/admin/staff", Some(&cookie), &with_token)
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("already a staff account")
    );
    let short = add(&csrf, "short@example.com", "elevenchars");
    let res = app.admin_post("/admin/staff", Some(&cookie), &short).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.expect("body");
    assert!(page.contains("at least 12 characters"), "{page}");
    assert!(
        page.contains("value=\"short@example.com\""),
        "the email is kept"
    );
    assert_eq!(app.count("staff").await, 2);

    // Disabling ends their session at once.
    let theirs = app.signed_in("new.person@example.com").await;
    let res = app
        .admin_post(
            "/admin/staff",
            Some(&cookie),
            &[
                ("csrf", csrf.as_str()),
                ("op", "disable"),
                ("id", id.as_str()),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/staff?n=disabled");
    assert_eq!(app.admin_get("/admin", Some(&theirs)).await.status(), 303);
    let res = app.try_sign_in("new.person@example.com", PASSWORD).await;
    assert_eq!(res.status(), 422, "a disabled account can't sign in");
    let home = app
        .admin_get("/admin", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    assert!(home.contains("staff.added") && home.contains("staff.disabled"));
    assert!(home.contains("new.person@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_staff_command_reads_the_password_from_standard_input() {
    use std::io::Write;
    let app = spawn().await;
    let vitrine = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the vitrine command runs");
        // A command refused at argument parsing exits without reading: a broken pipe then is
        // expected, and its exit status is what the test checks.
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes());
        let out = child.wait_with_output().expect("finishes");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = vitrine(
        &["staff", "add", "ada@example.com", "--role", "admin"],
        "elevenchars\n",
    );
    assert!(!ok && err.contains("at least 12 characters"), "{err}");
    let (ok, _, err) = vitrine(
        &["staff", "add", "ada@example.com", "--role", "owner"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!ok && err.contains("marketer or admin"), "{err}");
    let (ok, out, err) = vitrine(
        &["staff", "add", "Ada@Example.com", "--role", "admin"],
        &format!("{PASSWORD}\nignored second line\n"),
    );
    assert!(
        ok && out.contains("Added admin ada@example.com"),
        "{out}{err}"
    );
    let (ok, _, err) = vitrine(
        &["staff", "add", "ada@example.com", "--role", "marketer"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!ok && err.contains("already a staff account"), "{err}");
    let (ok, out, _) = vitrine(&["staff", "list"], "");
    assert!(
        ok && out.contains("ada@example.com") && out.contains("admin") && out.contains("active"),
        "{out}"
    );

    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM staff")
        .fetch_one(&app.db)
        .await
        .expect("row");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert_eq!(
        app.signed_in("ada@example.com").await.len(),
        "vitrine_staff=".len() + 64
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(actor, action, _)| actor == "command line" && action == "staff.added")
    );
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
