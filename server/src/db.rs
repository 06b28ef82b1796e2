//! The database: one pool for SQLite (default) or PostgreSQL, chosen by the URL, and the
//! embedded migrations.
//!
//! Queries go through sqlx's `Any` driver so one query layer serves both engines; that is why
//! SQL here sticks to `$N` placeholders, TEXT and BIGINT, and casts aggregates to BIGINT.

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub type Db = AnyPool;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite: or postgres:, got {:?}",
                scheme(url)
            )
        }
    }
}

fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or_default()
}

/// Connects, creating a SQLite file (and its folder) if needed, and runs pending migrations.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of(url)?;
    if engine == Engine::Sqlite {
        ensure_sqlite_folder(url)?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(if engine == Engine::Sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    // WAL lets readers run beside the writer; the busy timeout makes a writer wait
                    // for another instead of failing at once.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                }
                conn.ping().await
            })
        })
        .connect(url)
        .await
        .with_context(|| format!("Failed to connect to the {engine:?} database"))?;
    MIGRATOR
        .run(&pool)
        .await
        .context("Failed to run database migrations")?;
    Ok(pool)
}

fn ensure_sqlite_folder(url: &str) -> anyhow::Result<()> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("Failed to create {}", parent.display()))?;
    }
    Ok(())
}

/// On SQLite one writer at a time per database file, queued in arrival order in this
/// process. SQLite allows one writer anyway; left to its busy handler, waiting writers poll
/// with growing sleeps and the unlucky ones starve (a checkout p99 of 1.6 s under load,
/// `scripts/bench-checkout.sh`). A fair queue in front of it keeps the wait proportional to
/// the queue. Hold the returned permit until the write is committed. PostgreSQL needs no
/// queue: `None`.
///
/// One queue per file, not per process: a process that opens several stores (the integration
/// suite runs many side by side) must not make one store's writers wait behind another's
/// slow import or training job. Until 2026-12-03 there was one queue per process, and under
/// load a page of one test store waited for the writers of all the others.
static SQLITE_WRITERS: LazyLock<Mutex<HashMap<String, Arc<Semaphore>>>> =
    LazyLock::new(Default::default);

pub type WriteTurn = Option<OwnedSemaphorePermit>;

/// This database's writer queue, `None` on PostgreSQL. Keyed by the URL without its query
/// string (`?mode=rwc` does not make another queue).
fn sqlite_queue(db: &Db) -> Option<Arc<Semaphore>> {
    let options = db.connect_options();
    let url = &options.database_url;
    if url.scheme() != "sqlite" {
        return None;
    }
    let file = url.as_str().split('?').next().unwrap_or_default();
    let mut queues = SQLITE_WRITERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let queue = match queues.get(file) {
        Some(queue) => queue,
        None => queues
            .entry(file.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(1))),
    };
    Some(queue.clone())
}

fn is_sqlite(db: &Db) -> bool {
    db.connect_options().database_url.scheme() == "sqlite"
}

/// Waits for this database's turn to write (see [`SQLITE_WRITERS`]).
pub async fn write_turn(db: &Db) -> WriteTurn {
    let queue = sqlite_queue(db)?;
    queue.acquire_owned().await.ok()
}

/// Starts a transaction that will write, after waiting for the write turn. On SQLite it takes
/// the write lock at BEGIN (so another process's writer makes it wait, not fail on upgrading a
/// read lock); PostgreSQL's row locks on guarded UPDATEs do the same job. Keep the turn until
/// the transaction ends.
pub async fn begin_write(
    db: &Db,
) -> anyhow::Result<(sqlx::Transaction<'static, sqlx::Any>, WriteTurn)> {
    let turn = write_turn(db).await;
    let begin = if is_sqlite(db) {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    let tx = db
        .begin_with(begin)
        .await
        .context("Failed to start a transaction")?;
    Ok((tx, turn))
}

/// Makes this transaction the only one numbering rows of `table` until it ends, for the
/// `MAX(id) + 1` numbering of proposals and model versions: two writers (another process, or
/// a replica) would otherwise read the same maximum and one would fail on the primary key.
/// SQLite's `BEGIN IMMEDIATE` already admits one writer at a time; on PostgreSQL this takes a
/// lock that conflicts with itself but not with readers.
pub async fn lock_numbering(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &'static str,
) -> anyhow::Result<()> {
    if tx.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    sqlx::query(&format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
        .execute(&mut **tx)
        .await
        .with_context(|| format!("Failed to lock {table} for numbering"))?;
    Ok(())
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// `($1, $2, $3), ($4, $5, $6), ...` for a multi-row insert of `rows` rows of `cols` columns.
pub fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `$start, $start+1, ...` for an `IN (...)` list of `n` values.
pub fn list_placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_both_engines() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(list_placeholders(3, 2), "$3, $4");
    }

    #[test]
    fn urls_name_their_engine() {
        assert_eq!(
            Engine::of("sqlite://data/x.db?mode=rwc").ok(),
            Some(Engine::Sqlite)
        );
        assert_eq!(
            Engine::of("postgres://127.0.0.1/test").ok(),
            Some(Engine::Postgres)
        );
        assert!(Engine::of("mysql://x").is_err());
    }

    /// A second writer of the same database waits for the first; a writer of another
    /// database does not.
    #[tokio::test]
    async fn each_sqlite_database_has_its_own_writer_queue() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = |name: &str| format!("sqlite://{}/{name}?mode=rwc", dir.path().display());
        let a = connect(&url("a.db")).await.expect("a");
        let b = connect(&url("b.db")).await.expect("b");
        let wait = std::time::Duration::from_millis(200);
        let first = write_turn(&a).await;
        assert!(first.is_some(), "SQLite writers take a turn");
        let other = tokio::time::timeout(wait, write_turn(&b)).await;
        assert!(other.is_ok(), "another database's writer must not wait");
        drop(other);
        let same = tokio::time::timeout(wait, write_turn(&a)).await;
        assert!(same.is_err(), "the same database's second writer must wait");
        drop(first);
        let after = tokio::time::timeout(wait, write_turn(&a)).await;
        assert!(after.is_ok(), "its turn comes once the first is done");
    }
}
