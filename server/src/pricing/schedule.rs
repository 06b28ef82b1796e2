//! The scheduled pricing run `vitrine serve` starts (`--propose-prices-every-hours`, default
//! 24, 0 = off): `vitrine price propose` on a timer. Proposals wait for a person as the CLI's
//! do; variants on auto-approve change at once, through the same approval path (guardrails
//! re-checked, history row, audit entry). The kill switch stops it like it stops the CLI.
//!
//! Replicas share the database, so a round first *claims* the run: one conditional `UPDATE`
//! of the `pricing.last_propose_at` setting that only succeeds when the last run is at least
//! one interval old. Whichever replica wins runs the engine; the others skip the round. A run
//! started by hand (`vitrine price propose`) does not claim, so an operator can always run one.
//!
//! The fitting is CPU work in `engine::run`'s `spawn_blocking`; this task only awaits.

use super::engine::{self, ProposeOptions};
use crate::db::{self, Db};
use anyhow::Context;
use std::time::Duration;

const LAST_RUN: &str = "pricing.last_propose_at";

/// When and how the job runs.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    /// Time between two runs (store-wide, across replicas).
    pub every: Duration,
    /// Days of sales to learn from (the CLI's `--days`).
    pub days: i64,
}

/// Starts the job; its first round is one interval after the start, so a store that restarts
/// often does not reprice at every start (the claim would stop that too).
pub fn spawn(db: Db, schedule: Schedule) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(schedule.every).await;
            round(&db, schedule, db::now()).await;
        }
    })
}

/// What one round did.
#[derive(Clone, Debug, PartialEq)]
pub enum Round {
    /// Another run happened less than one interval ago (here or on another replica).
    NotDue,
    /// The engine ran: proposals written and auto-approved changes applied.
    Ran {
        proposed: usize,
        auto_applied: usize,
    },
    /// The kill switch is on: nothing was proposed.
    KillSwitch,
    Failed(String),
}

/// One round at `now`: claim the run, then propose. Failures are logged and returned; the
/// next round tries again.
pub async fn round(db: &Db, schedule: Schedule, now: i64) -> Round {
    match claim(db, now, schedule.every).await {
        Ok(true) => {}
        Ok(false) => return Round::NotDue,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "could not claim the pricing run");
            return Round::Failed(format!("{e:#}"));
        }
    }
    let options = ProposeOptions {
        days: schedule.days,
        seed: 0,
        progress: false,
    };
    match engine::run(db, options, now).await {
        Ok(summary) if summary.kill_switch => {
            tracing::info!("scheduled pricing run skipped: the kill switch is on");
            Round::KillSwitch
        }
        Ok(summary) => {
            tracing::info!(
                proposed = summary.proposed,
                auto_applied = summary.auto_applied,
                auto_refused = summary.auto_refused.len(),
                millis = summary.elapsed.as_millis() as u64,
                "scheduled pricing run"
            );
            Round::Ran {
                proposed: summary.proposed,
                auto_applied: summary.auto_applied,
            }
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "scheduled pricing run failed");
            Round::Failed(format!("{e:#}"))
        }
    }
}

/// Takes the store-wide run if the last one is at least `every` old: `true` when this caller
/// won. One conditional update, so two replicas at the same moment cannot both win.
pub async fn claim(db: &Db, now: i64, every: Duration) -> anyhow::Result<bool> {
    let due_before = now - every.as_secs() as i64;
    let (mut tx, _turn) = db::begin_write(db).await?;
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, '0', 0) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(LAST_RUN)
    .execute(&mut *tx)
    .await
    .context("Failed to read the last pricing run")?;
    let won = sqlx::query(
        "UPDATE settings SET value = $2, updated_at = $3 \
         WHERE key = $1 AND CAST(value AS BIGINT) <= $4",
    )
    .bind(LAST_RUN)
    .bind(now.to_string())
    .bind(now)
    .bind(due_before)
    .execute(&mut *tx)
    .await
    .context("Failed to claim the pricing run")?
    .rows_affected()
        == 1;
    tx.commit()
        .await
        .context("Failed to commit the pricing run's claim")?;
    Ok(won)
}
