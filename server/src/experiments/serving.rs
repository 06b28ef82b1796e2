//! Experiments on the request path: which content a slot shows to a visitor, and the record
//! that they were shown it.
//!
//! The running experiments and the slots' shipped defaults are read from the database at most
//! every [`REFRESH`] (so a start, pause or ship in the console reaches every replica within
//! that time) and held as one immutable [`Snapshot`]. The variant is
//! `vitrine::experiments::assign(visitor id, experiment id, weights)`, the function the bundle
//! has too: it depends on nothing else about the request (no user agent: every variant is
//! served to crawlers too, under the same canonical URL).
//!
//! Exposures (a visitor's first render of an experiment's variant) go through a bounded queue to
//! one writer task that inserts in batches with `ON CONFLICT DO NOTHING`, so a page never waits
//! on that write. Only visitors who may be profiled are counted (never crawlers, `Sec-GPC: 1` or
//! the off switch): the same people whose add-to-cart and purchase events are recorded, so
//! conversions are measured on the population that was counted.

use crate::db::{self, Db};
use crate::events::Visitor;
use anyhow::Context;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};

/// How stale the snapshot of running experiments may be.
pub const REFRESH: Duration = Duration::from_secs(2);
/// Exposures queued beyond this are dropped rather than slowing a page.
const QUEUE: usize = 10_000;
/// Rows per INSERT.
const BATCH: usize = 200;

/// A slot marketers can vary (the `experiments.slot` values). The pages that read a slot are
/// listed with it in `http::page_cache` (their cached copies are kept per variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlotKey {
    HomeHero,
    ProductLayout,
    RecsAlgorithm,
}

impl SlotKey {
    pub fn key(self) -> &'static str {
        match self {
            SlotKey::HomeHero => "home_hero",
            SlotKey::ProductLayout => "product_layout",
            SlotKey::RecsAlgorithm => "recs_algorithm",
        }
    }
}

/// A running experiment as the request path needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub id: String,
    pub weights: Vec<u32>,
    /// Each variant's content JSON, by position.
    pub contents: Vec<String>,
}

/// What the slots show, as of one read of the database.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub running: HashMap<String, Running>,
    pub defaults: HashMap<String, String>,
}

/// The variant a visitor was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Assigned<T> {
    pub content: T,
    /// `(experiment id, variant position)` when an experiment chose it; `None` for a default.
    pub experiment: Option<(String, u32)>,
}

/// The experiments handle the storefront holds.
pub struct Experiments {
    db: Db,
    snapshot: Mutex<Option<(Instant, Arc<Snapshot>)>>,
    exposures: mpsc::Sender<Exposure>,
}

#[derive(Clone, Debug)]
struct Exposure {
    experiment: String,
    visitor: String,
    variant: u32,
    at: i64,
}

impl Experiments {
    /// The handle and its exposure writer (which ends when every handle is dropped).
    pub fn start(db: Db) -> (Arc<Self>, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let writer = tokio::spawn(write_exposures(db.clone(), rx));
        let handle = Arc::new(Experiments {
            db,
            snapshot: Mutex::new(None),
            exposures: tx,
        });
        (handle, writer)
    }

    /// The current snapshot, re-read when older than [`REFRESH`]. A failed read keeps serving
    /// the previous snapshot (or none: the built-in defaults), logged.
    pub async fn snapshot(&self) -> Arc<Snapshot> {
        let mut guard = self.snapshot.lock().await;
        if let Some((read_at, snap)) = guard.as_ref()
            && read_at.elapsed() < REFRESH
        {
            return snap.clone();
        }
        match load(&self.db).await {
            Ok(snap) => {
                let snap = Arc::new(snap);
                *guard = Some((Instant::now(), snap.clone()));
                snap
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not read the experiments");
                guard.as_ref().map(|(_, s)| s.clone()).unwrap_or_default()
            }
        }
    }

    /// The content of `slot` for `visitor`: the running experiment's assigned variant (its
    /// exposure recorded when the visitor may be profiled), else the shipped default, else
    /// `None` (the caller's built-in default). Content that does not parse is skipped, logged.
    pub async fn content<T: DeserializeOwned>(
        &self,
        slot: SlotKey,
        visitor: Option<&Visitor>,
    ) -> Option<Assigned<T>> {
        let snap = self.snapshot().await;
        if let (Some(running), Some(visitor)) = (snap.running.get(slot.key()), visitor) {
            let position = vitrine::experiments::assign(&visitor.id, &running.id, &running.weights);
            let parsed = running
                .contents
                .get(position)
                .and_then(|c| parse::<T>(c, &running.id));
            if let Some(content) = parsed {
                let variant = position as u32;
                if visitor.profiled {
                    self.expose(&running.id, &visitor.id, variant);
                }
                return Some(Assigned {
                    content,
                    experiment: Some((running.id.clone(), variant)),
                });
            }
        }
        let content = parse::<T>(snap.defaults.get(slot.key())?, slot.key())?;
        Some(Assigned {
            content,
            experiment: None,
        })
    }

    fn expose(&self, experiment: &str, visitor: &str, variant: u32) {
        let exposure = Exposure {
            experiment: experiment.to_string(),
            visitor: visitor.to_string(),
            variant,
            at: db::now(),
        };
        if self.exposures.try_send(exposure).is_err() {
            tracing::warn!("exposure queue full: an exposure was dropped");
        }
    }
}

fn parse<T: DeserializeOwned>(json: &str, what: &str) -> Option<T> {
    match serde_json::from_str(json) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(what, error = %e, "slot content does not parse; using the default");
            None
        }
    }
}

async fn load(db: &Db) -> anyhow::Result<Snapshot> {
    let rows: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT e.id, e.slot, v.position, v.weight, v.content \
         FROM experiments e JOIN experiment_variants v ON v.experiment_id = e.id \
         WHERE e.status = 'running' ORDER BY e.id, v.position",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the running experiments")?;
    let mut snap = Snapshot::default();
    for (id, slot, _, weight, content) in rows {
        let running = snap.running.entry(slot).or_insert_with(|| Running {
            id: id.clone(),
            weights: Vec::new(),
            contents: Vec::new(),
        });
        // The partial unique index allows one running experiment per slot; should two ever
        // appear, the first by id wins, consistently on every replica.
        if running.id == id {
            running.weights.push(u32::try_from(weight).unwrap_or(0));
            running.contents.push(content);
        }
    }
    let defaults: Vec<(String, String)> = sqlx::query_as("SELECT slot, content FROM slot_defaults")
        .fetch_all(db)
        .await
        .context("Failed to read the slot defaults")?;
    snap.defaults = defaults.into_iter().collect();
    Ok(snap)
}

async fn write_exposures(db: Db, mut rx: mpsc::Receiver<Exposure>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = insert(&db, &batch).await {
            tracing::warn!(error = %format!("{e:#}"), rows = batch.len(), "exposures not written");
        }
        batch.clear();
    }
}

async fn insert(db: &Db, rows: &[Exposure]) -> anyhow::Result<()> {
    // One row per (experiment, visitor) and batch, the earliest: a page reloaded twice in a
    // batch is one exposure.
    let mut rows: Vec<&Exposure> = rows.iter().collect();
    rows.sort_by(|a, b| (&a.experiment, &a.visitor, a.at).cmp(&(&b.experiment, &b.visitor, b.at)));
    rows.dedup_by(|b, a| a.experiment == b.experiment && a.visitor == b.visitor);
    let sql = format!(
        "INSERT INTO exposures (experiment_id, visitor_id, variant, first_at) VALUES {} \
         ON CONFLICT (experiment_id, visitor_id) DO NOTHING",
        db::values_placeholders(rows.len(), 4)
    );
    let mut query = sqlx::query(&sql);
    for r in rows {
        query = query
            .bind(r.experiment.clone())
            .bind(r.visitor.clone())
            .bind(i64::from(r.variant))
            .bind(r.at);
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    query
        .execute(&mut *tx)
        .await
        .context("Failed to insert exposures")?;
    tx.commit().await.context("Failed to commit exposures")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_keys_match_the_schema() {
        let sql = include_str!("../../migrations/0008_experiments.sql");
        for slot in [
            SlotKey::HomeHero,
            SlotKey::ProductLayout,
            SlotKey::RecsAlgorithm,
        ] {
            assert!(sql.contains(&format!("'{}'", slot.key())), "{slot:?}");
        }
    }
}
