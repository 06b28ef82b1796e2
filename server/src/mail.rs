//! The mail worker: delivers the `outbox` (order confirmations and status emails, written in
//! the same transaction as what they announce) through a sendmail-compatible program (Postfix,
//! Exim, OpenSMTPD and msmtp all install one) or into a folder of `.eml` files (for a pickup
//! directory, or to read them while developing). Nothing is sent from a request: `vitrine
//! serve` runs [`deliver_due`] every few seconds when a transport is configured, and `vitrine
//! mail send` runs it once.
//!
//! Each message is claimed before it is handed over (`next_try_at` moved past the handover,
//! in one conditional `UPDATE`), so replicas and a concurrent `vitrine mail send` never send
//! one twice; a failure is kept in `last_error` and retried later (1 minute, doubling to at
//! most 6 hours). A message whose handover succeeded but whose `sent_at` could not be written
//! is sent again at the next try: at least once, never lost. The log names message ids and
//! kinds, never an address or a body.

use crate::db::Db;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How messages leave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A sendmail-compatible program, given the message on standard input and the recipient
    /// as its argument (`PROGRAM -i -- RECIPIENT`).
    Sendmail(PathBuf),
    /// One `.eml` file per message in this folder.
    Directory(PathBuf),
}

/// How long a claimed message is held before another worker may try it.
const LEASE_SECONDS: i64 = 300;
/// A sendmail program that has not finished by then has failed.
const HANDOVER_TIMEOUT: Duration = Duration::from_secs(60);
/// Messages per round.
const BATCH: i64 = 100;

/// The sender, e.g. `Vitrine <orders@shop.example>`; also names the `Message-ID` domain.
#[derive(Clone, Debug)]
pub struct Mailer {
    pub transport: Transport,
    pub from: String,
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub failed: usize,
}

/// The wait before try number `attempts + 1`: 1 minute, doubling, at most 6 hours.
pub fn backoff_seconds(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (60_i64 << doublings).min(6 * 60 * 60)
}

/// Header text with line breaks and other control characters replaced by spaces, so nothing
/// typed can add a header.
fn header_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A header value: as it is when ASCII, else an RFC 2047 encoded word (base64 UTF-8).
fn encoded(s: &str) -> String {
    let s = header_text(s);
    if s.is_ascii() {
        return s;
    }
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Fri, 04 Dec 2026 15:04:05 +0000` of unix seconds (RFC 5322 §3.3).
pub fn rfc5322_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = crate::http::seo_routes::iso_date(unix);
    let (y, m, d) = (&iso[..4], &iso[5..7], &iso[8..10]);
    let month = m.parse::<usize>().map_or("Jan", |m| MONTHS[(m + 11) % 12]);
    let weekday = DAYS[unix.div_euclid(86_400).rem_euclid(7) as usize];
    let secs = unix.rem_euclid(86_400);
    format!(
        "{weekday}, {d} {month} {y} {:02}:{:02}:{:02} +0000",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// One outbox row as a complete message (CRLF line ends, UTF-8 text body).
pub fn message(from: &str, id: &str, to: &str, subject: &str, body: &str, at: i64) -> String {
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d.trim_end_matches('>'))
        .to_string();
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@{}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        header_text(from),
        header_text(to),
        encoded(subject),
        rfc5322_date(at),
        header_text(id),
        header_text(&domain),
    )
}

type Pending = (String, String, String, String, String, i64, i64);

/// Delivers every message due at `now` (at most a batch per call).
pub async fn deliver_due(db: &Db, mailer: &Mailer, now: i64) -> anyhow::Result<Report> {
    let due: Vec<Pending> = sqlx::query_as(
        "SELECT id, kind, recipient, subject, body, created_at, attempts FROM outbox \
         WHERE sent_at IS NULL AND next_try_at <= $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(db)
    .await
    .context("Failed to read the outbox")?;
    let mut report = Report::default();
    for (id, kind, to, subject, body, created_at, attempts) in due {
        let claimed = sqlx::query(
            "UPDATE outbox SET next_try_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND sent_at IS NULL AND next_try_at <= $3",
        )
        .bind(now + LEASE_SECONDS)
        .bind(&id)
        .bind(now)
        .execute(db)
        .await
        .context("Failed to claim a message")?;
        if claimed.rows_affected() != 1 {
            continue; // another worker has it
        }
        let text = message(&mailer.from, &id, &to, &subject, &body, created_at);
        match hand_over(&mailer.transport, &id, &to, &text).await {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
                    .bind(now)
                    .bind(&id)
                    .execute(db)
                    .await
                    .context("Failed to mark a message sent")?;
                tracing::info!(message = %id, kind = %kind, "email handed over");
                report.sent += 1;
            }
            Err(e) => {
                let error: String = format!("{e:#}").chars().take(500).collect();
                sqlx::query("UPDATE outbox SET next_try_at = $1, last_error = $2 WHERE id = $3")
                    .bind(now + backoff_seconds(attempts + 1))
                    .bind(&error)
                    .bind(&id)
                    .execute(db)
                    .await
                    .context("Failed to record a failed message")?;
                tracing::warn!(message = %id, kind = %kind, attempt = attempts + 1, "email not handed over; will retry");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// How many messages wait to be sent, and how many of them failed at their last try.
pub async fn waiting(db: &Db) -> anyhow::Result<(i64, i64)> {
    sqlx::query_as("SELECT COUNT(*), COUNT(last_error) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(db)
        .await
        .context("Failed to count the outbox")
}

async fn hand_over(transport: &Transport, id: &str, to: &str, text: &str) -> anyhow::Result<()> {
    match transport {
        Transport::Directory(dir) => write_file(dir, id, text).await,
        Transport::Sendmail(program) => sendmail(program, to, text).await,
    }
}

/// Writes `<id>.eml` in `dir` under a temporary name first, so a reader never sees half.
async fn write_file(dir: &Path, id: &str, text: &str) -> anyhow::Result<()> {
    let id: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    let (tmp, done) = (
        dir.join(format!(".{id}.tmp")),
        dir.join(format!("{id}.eml")),
    );
    tokio::fs::write(&tmp, text)
        .await
        .with_context(|| format!("could not write in {}", dir.display()))?;
    tokio::fs::rename(&tmp, &done)
        .await
        .with_context(|| format!("could not rename in {}", dir.display()))
}

async fn sendmail(program: &Path, to: &str, text: &str) -> anyhow::Result<()> {
    let mut child = tokio::process::Command::new(program)
        .args(["-i", "--", to])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("could not start {}", program.display()))?;
    let mut stdin = child.stdin.take().context("no standard input")?;
    let run = async {
        stdin.write_all(text.as_bytes()).await?;
        drop(stdin);
        child.wait().await
    };
    let status = tokio::time::timeout(HANDOVER_TIMEOUT, run)
        .await
        .with_context(|| format!("{} did not finish in time", program.display()))?
        .with_context(|| format!("{} failed", program.display()))?;
    anyhow::ensure!(
        status.success(),
        "{} exited with {status}",
        program.display()
    );
    Ok(())
}

/// Where `vitrine serve` and `vitrine mail send` deliver to (flags, then environment, then the
/// config file). Without a transport the messages wait in the outbox.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct MailArgs {
    /// Deliver the outbox through this sendmail-compatible program (e.g. /usr/sbin/sendmail).
    #[arg(long, env = "VITRINE_MAIL_SENDMAIL")]
    pub mail_sendmail: Option<PathBuf>,
    /// Or write each message as an .eml file into this folder.
    #[arg(long, env = "VITRINE_MAIL_DIR", conflicts_with = "mail_sendmail")]
    pub mail_dir: Option<PathBuf>,
    /// The sender of every message (default "Vitrine <orders@localhost>").
    #[arg(long, env = "VITRINE_MAIL_FROM")]
    pub mail_from: Option<String>,
}

/// The default sender; set `--mail-from` to the shop's own address.
pub const DEFAULT_FROM: &str = "Vitrine <orders@localhost>";

impl MailArgs {
    /// The mailer these settings name, if any; a folder is created when missing.
    pub fn mailer(self) -> anyhow::Result<Option<Mailer>> {
        let from = self.mail_from.unwrap_or_else(|| DEFAULT_FROM.to_string());
        anyhow::ensure!(
            from.contains('@') && !from.chars().any(char::is_control) && from.len() <= 200,
            "--mail-from must be an address such as \"Shop <orders@shop.example>\""
        );
        let transport = match (self.mail_sendmail, self.mail_dir) {
            (Some(_), Some(_)) => anyhow::bail!("--mail-sendmail and --mail-dir: choose one"),
            (Some(program), None) => Transport::Sendmail(program),
            (None, Some(dir)) => {
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!("Failed to create the mail folder {}", dir.display())
                })?;
                Transport::Directory(dir)
            }
            (None, None) => return Ok(None),
        };
        Ok(Some(Mailer { transport, from }))
    }
}

#[derive(clap::Subcommand)]
pub enum MailCommand {
    /// Deliver every message due now, once, and say how many wait.
    Send(MailArgs),
}

pub async fn run(command: MailCommand, database_url: &str) -> anyhow::Result<()> {
    let MailCommand::Send(args) = command;
    let Some(mailer) = args.mailer()? else {
        anyhow::bail!("say where to deliver: --mail-sendmail PROGRAM or --mail-dir FOLDER");
    };
    let db = crate::db::connect(database_url).await?;
    let mut total = Report::default();
    loop {
        let round = deliver_due(&db, &mailer, crate::db::now()).await?;
        total.sent += round.sent;
        total.failed += round.failed;
        if round.sent + round.failed < BATCH as usize {
            break;
        }
    }
    let (waiting, _) = waiting(&db).await?;
    println!(
        "Sent {}, failed {} (tried again later); {waiting} waiting.",
        total.sent, total.failed
    );
    Ok(())
}

/// Runs [`deliver_due`] every `every` until the process ends (`vitrine serve`).
pub fn spawn(db: Db, mailer: Mailer, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, &mailer, crate::db::now()).await {
                tracing::error!(error = %format!("{e:#}"), "the mail worker's round failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_well_formed_and_typed_text_cannot_add_headers() {
        let text = message(
            "Vitrine <orders@shop.example>",
            "ab12",
            "ada@example.com\r\nBcc: everyone@example.com",
            "Your Vitrine order VT1: shipped",
            "Handed to the carrier.\nTrack it at /orders.",
            1_291_191_960,
        );
        let (head, body) = text.split_once("\r\n\r\n").expect("a blank line");
        assert_eq!(
            head.split("\r\n").collect::<Vec<_>>(),
            [
                "From: Vitrine <orders@shop.example>",
                "To: ada@example.com  Bcc: everyone@example.com",
                "Subject: Your Vitrine order VT1: shipped",
                "Date: Wed, 01 Dec 2010 08:26:00 +0000",
                "Message-ID: <ab12@shop.example>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
            ]
        );
        assert_eq!(body, "Handed to the carrier.\r\nTrack it at /orders.\r\n");
    }

    #[test]
    fn non_ascii_subjects_are_encoded_words() {
        assert_eq!(encoded("Café"), "=?UTF-8?B?Q2Fmw6k=?=");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn retries_back_off_from_a_minute_to_six_hours() {
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(2), 120);
        assert_eq!(backoff_seconds(5), 960);
        assert_eq!(backoff_seconds(9), 15_360);
        assert_eq!(backoff_seconds(10), 6 * 60 * 60);
        assert_eq!(backoff_seconds(1_000), 6 * 60 * 60);
    }
}
