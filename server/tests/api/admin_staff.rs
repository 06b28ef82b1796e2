//! Staff management in the console: admins add and disable staff with an audit trail, a
//! marketer cannot, and the `vitrine staff` command reads a password from standard input.

use crate::admin::{PASSWORD, location, spawn, staff_member};
use crate::helpers::hidden;

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
