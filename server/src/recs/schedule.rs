//! The periodic training job `vitrine serve` runs (`--train-every-hours`, default 24): train
//! and publish as `vitrine train` does, then put the new version in service. It runs on a
//! tokio task that only awaits; the numeric work is in `train`'s `spawn_blocking`, so no
//! request ever waits for it.
//!
//! Each round also picks up a version published elsewhere (`vitrine train` by an operator, or
//! another replica) when it is newer than the one in service, so replicas converge on the
//! latest published model without each needing to win a round themselves.

use super::{RecsHandle, TrainOptions, default_candidates, load_published, train};
use crate::db::Db;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// When and where the job trains.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Time between two rounds.
    pub every: Duration,
    /// Where model files go (the directory `load_published` reads).
    pub models_dir: PathBuf,
}

/// Starts the job. The first round runs at once when nothing is in service yet (a fresh
/// store learns from its imported history on its first start), otherwise after `every`.
pub fn spawn(db: Db, handle: Arc<RecsHandle>, schedule: Schedule) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if handle.current().is_some() {
            tokio::time::sleep(schedule.every).await;
        }
        loop {
            round(&db, &handle, &schedule).await;
            tokio::time::sleep(schedule.every).await;
        }
    })
}

/// One round: train, publish if better than popularity, serve the newest published version.
/// Failures are logged and the next round tries again.
pub async fn round(db: &Db, handle: &RecsHandle, schedule: &Schedule) {
    let options = match default_candidates() {
        Ok(candidates) => TrainOptions {
            window_days: 7,
            candidates,
            progress_bar: false,
        },
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "recommendation params are invalid");
            return;
        }
    };
    match train(db, &schedule.models_dir, options).await {
        Ok(outcome) => match (outcome.published, outcome.served) {
            (Some(published), Some(served)) => {
                tracing::info!(
                    version = published.version,
                    model = outcome.best.name(),
                    fit_seconds = outcome.fit_seconds,
                    "recommendation model published and in service"
                );
                handle.swap(served);
                return;
            }
            _ => tracing::info!("no candidate beat popularity this round"),
        },
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "training failed"),
    }
    let serving = handle.current().and_then(|s| s.version);
    match load_published(db, &schedule.models_dir).await {
        Ok(Some(latest)) if latest.version > serving => {
            tracing::info!(version = latest.version, "serving a newer published model");
            handle.swap(Arc::new(latest));
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "could not read the published model"),
    }
}
