//! The mail worker: a placed order's confirmation reaches the mail folder once, from the
//! running server; a sendmail program that fails leaves the message waiting with the reason
//! and tries it again only when due, then hands it over with the recipient as its argument;
//! two workers at once send each message once; `vitrine mail send` says what it did; the
//! console home counts what failed.

use crate::checkout::{cart_with, country, place, stocked_variant};
use crate::helpers::{SEED_LINES, TestApp};
use crate::pricing_engine::{get, marketer, vitrine};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use vitrine_server::mail::{self, Mailer, Report, Transport};
use vitrine_server::payments::TEST_CARD_OK;

const FROM: &str = "Vitrine <orders@shop.example>";

/// Places an order of one unit: its number.
async fn order(app: &TestApp, key: &str) -> String {
    let (sku, _) = stocked_variant(app, 50).await;
    let cookie = cart_with(app, &sku, 1).await;
    let (status, body) = place(app, &cookie, TEST_CARD_OK, key, &country(app).await, &[]).await;
    assert_eq!(status, 201, "{body}");
    body["order"].as_str().expect("number").to_string()
}

fn emails_in(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| std::fs::read_to_string(p).expect("readable"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// An executable shell script `name` in `dir`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

async fn outbox_row(app: &TestApp) -> (Option<i64>, i64, i64, Option<String>) {
    sqlx::query_as("SELECT sent_at, attempts, next_try_at, last_error FROM outbox")
        .fetch_one(&app.db)
        .await
        .expect("one message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_server_mails_an_order_confirmation_once() {
    let folder = tempfile::tempdir().expect("tempdir");
    let dir = folder.path().to_path_buf();
    let app = TestApp::spawn_with(Some(SEED_LINES), |config| {
        config.mail = Some(Mailer {
            transport: Transport::Directory(dir),
            from: FROM.to_string(),
        });
        config.mail_every = Duration::from_millis(100);
    })
    .await;
    let number = order(&app, "mail-1").await;
    let mut emails = Vec::new();
    for _ in 0..100 {
        emails = emails_in(folder.path());
        if !emails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(emails.len(), 1, "the confirmation arrives");
    let email = &emails[0];
    assert!(
        email.starts_with("From: Vitrine <orders@shop.example>\r\nTo: ada@example.com\r\n"),
        "{email}"
    );
    assert!(
        email.contains(&number) && email.contains("\r\n\r\n"),
        "{email}"
    );
    let (sent_at, attempts, _, error) = outbox_row(&app).await;
    assert!(sent_at.is_some() && error.is_none());
    assert_eq!(attempts, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emails_in(folder.path()).len(), 1, "sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_sendmail_keeps_the_message_and_it_goes_when_due() {
    let app = TestApp::spawn().await;
    let number = order(&app, "mail-2").await;
    let bin = tempfile::tempdir().expect("tempdir");
    let failing = Mailer {
        transport: Transport::Sendmail(script(bin.path(), "down.sh", "cat >/dev/null; exit 75")),
        from: FROM.to_string(),
    };
    let now = vitrine_server::db::now();
    let report = mail::deliver_due(&app.db, &failing, now)
        .await
        .expect("round");
    assert_eq!(report, Report { sent: 0, failed: 1 });
    let (sent_at, attempts, next_try_at, error) = outbox_row(&app).await;
    assert_eq!((sent_at, attempts, next_try_at), (None, 1, now + 60));
    assert!(error.unwrap_or_default().contains("exit status: 75"));
    let report = mail::deliver_due(&app.db, &failing, now + 30)
        .await
        .expect("round");
    assert_eq!(
        report,
        Report::default(),
        "not tried again before it is due"
    );
    let (cookie, _) = marketer(&app).await;
    let home = get(&app, "/admin", Some(&cookie))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        home.contains("1 email waiting to be sent; 1 failed at the last try"),
        "the console home says so: {home}"
    );

    let working = Mailer {
        transport: Transport::Sendmail(script(
            bin.path(),
            "up.sh",
            r#"cat > "$(dirname "$0")/message"; printf '%s|%s|%s' "$1" "$2" "$3" > "$(dirname "$0")/args""#,
        )),
        from: FROM.to_string(),
    };
    let report = mail::deliver_due(&app.db, &working, now + 61)
        .await
        .expect("round");
    assert_eq!(report, Report { sent: 1, failed: 0 });
    let args = std::fs::read_to_string(bin.path().join("args")).expect("args");
    assert_eq!(args, "-i|--|ada@example.com");
    let message = std::fs::read_to_string(bin.path().join("message")).expect("message");
    assert!(message.contains(&number) && message.contains("To: ada@example.com\r\n"));
    let (sent_at, attempts, _, error) = outbox_row(&app).await;
    assert_eq!((sent_at, attempts, error), (Some(now + 61), 2, None));
    let report = mail::deliver_due(&app.db, &working, now + 10_000)
        .await
        .expect("round");
    assert_eq!(report, Report::default(), "a sent message stays sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_at_once_send_each_message_once_and_the_command_reports() {
    let app = TestApp::spawn().await;
    for i in 0..4 {
        order(&app, &format!("mail-3-{i}")).await;
    }
    let folder = tempfile::tempdir().expect("tempdir");
    let mailer = Mailer {
        transport: Transport::Directory(folder.path().to_path_buf()),
        from: FROM.to_string(),
    };
    let now = vitrine_server::db::now();
    let (a, b) = tokio::join!(
        mail::deliver_due(&app.db, &mailer, now),
        mail::deliver_due(&app.db, &mailer, now)
    );
    let (a, b) = (a.expect("round"), b.expect("round"));
    assert_eq!((a.sent + b.sent, a.failed + b.failed), (4, 0));
    assert_eq!(emails_in(folder.path()).len(), 4);

    let again = folder.path().join("again");
    let dir = again.to_str().expect("utf-8 path");
    let (ok, out, err) = vitrine(
        Some(&app.database_url),
        &["mail", "send", "--mail-dir", dir],
    );
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "Sent 0, failed 0 (tried again later); 0 waiting."
    );
    let (ok, _, err) = vitrine(Some(&app.database_url), &["mail", "send"]);
    assert!(
        !ok && err.contains("--mail-sendmail PROGRAM or --mail-dir FOLDER"),
        "{err}"
    );
}
