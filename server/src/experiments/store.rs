//! The experiments console's services over the `experiments`, `experiment_variants` and
//! `slot_defaults` tables: list, read, create (as a draft), start, pause, stop, ship a
//! variant. Each change and its audit entry are one transaction, so the log never misses a
//! change nor records one that was rolled back. Plain Rust over the pool, tested through the
//! console's integration tests; `crate::admin::experiments` is the web face.
//!
//! Never start or ship copy that still holds a banned superlative (see [`super::copy_check`]):
//! saving only warns, but those are the moments the words would reach shoppers. Never run two
//! experiments on one slot: checked here with a message naming the other one, and enforced by
//! the partial unique index `experiments_one_running_per_slot` for the race between replicas.

use super::copy_check;
use super::definition::{NewExperiment, Status, Transition, parse_slot, shopper_text_of_json};
use super::serving::SlotKey;
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;

/// An experiment as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Experiment {
    pub id: String,
    pub slot: SlotKey,
    pub name: String,
    pub status: Status,
    pub created_at: i64,
    pub created_by: String,
    pub started_at: Option<i64>,
    pub stopped_at: Option<i64>,
    pub shipped_variant: Option<u32>,
}

/// A stored variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub position: u32,
    pub name: String,
    pub weight: u32,
    /// The slot's JSON.
    pub content: String,
}

/// What can go wrong changing experiments.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error("{0}")]
    Invalid(String),
    #[error("There is no such experiment.")]
    Unknown,
    /// Another experiment is running on the slot (its name, when known: a replica that won
    /// the race is only seen through the unique index).
    #[error("{}", busy_sentence(.0.as_deref()))]
    SlotBusy(Option<String>),
    /// The copy still holds banned superlatives.
    #[error("{}", banned_sentence(.0))]
    BannedCopy(Vec<&'static str>),
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

fn busy_sentence(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("“{name}” is already running on this slot; pause or stop it first."),
        None => "Another experiment is already running on this slot; pause or stop it first."
            .to_string(),
    }
}

fn banned_sentence(words: &[&'static str]) -> String {
    let named: Vec<String> = words.iter().map(|w| copy_check::warning(w)).collect();
    format!("Not started: {}.", named.join("; "))
}

type ExperimentRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

const COLUMNS: &str =
    "id, slot, name, status, created_at, created_by, started_at, stopped_at, shipped_variant";

fn experiment(row: ExperimentRow) -> anyhow::Result<Experiment> {
    let (id, slot, name, status, created_at, created_by, started_at, stopped_at, shipped) = row;
    Ok(Experiment {
        slot: parse_slot(&slot).with_context(|| format!("unknown slot {slot:?}"))?,
        status: Status::parse(&status).with_context(|| format!("unknown status {status:?}"))?,
        shipped_variant: shipped.and_then(|v| u32::try_from(v).ok()),
        id,
        name,
        created_at,
        created_by,
        started_at,
        stopped_at,
    })
}

/// Every experiment, newest first.
#[tracing::instrument(name = "experiments.list", skip_all)]
pub async fn list(db: &Db) -> anyhow::Result<Vec<Experiment>> {
    let rows: Vec<ExperimentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM experiments ORDER BY created_at DESC, id"
    ))
    .fetch_all(db)
    .await
    .context("Failed to list experiments")?;
    rows.into_iter().map(experiment).collect()
}

/// One experiment and its variants by position, if it exists.
#[tracing::instrument(name = "experiments.find", skip(db))]
pub async fn find(db: &Db, id: &str) -> anyhow::Result<Option<(Experiment, Vec<Variant>)>> {
    let row: Option<ExperimentRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM experiments WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(db)
            .await
            .context("Failed to read an experiment")?;
    let Some(row) = row else { return Ok(None) };
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT position, name, weight, content FROM experiment_variants \
         WHERE experiment_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(db)
    .await
    .context("Failed to read an experiment's variants")?;
    let variants = rows
        .into_iter()
        .map(|(position, name, weight, content)| Variant {
            position: u32::try_from(position).unwrap_or_default(),
            name,
            weight: u32::try_from(weight).unwrap_or_default(),
            content,
        })
        .collect();
    Ok(Some((experiment(row)?, variants)))
}

/// Saves `new` as a draft with its variants and audit entry; returns the new id.
#[tracing::instrument(name = "experiments.create", skip_all, fields(slot = new.slot.key()))]
pub async fn create(
    db: &Db,
    new: &NewExperiment,
    actor: &Actor,
    now: i64,
) -> Result<String, ExperimentError> {
    let id = new_id(&new.name);
    let (mut tx, _turn) = db::begin_write(db).await?;
    sqlx::query(
        "INSERT INTO experiments (id, slot, name, status, created_at, created_by) \
         VALUES ($1, $2, $3, 'draft', $4, $5)",
    )
    .bind(id.clone())
    .bind(new.slot.key())
    .bind(new.name.clone())
    .bind(now)
    .bind(actor_label(actor))
    .execute(&mut *tx)
    .await
    .context("Failed to create an experiment")?;
    for (position, v) in new.variants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO experiment_variants (experiment_id, position, name, weight, content) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.clone())
        .bind(position as i64)
        .bind(v.name.clone())
        .bind(i64::from(v.weight))
        .bind(v.content.to_json())
        .execute(&mut *tx)
        .await
        .context("Failed to save an experiment's variant")?;
    }
    let weights: Vec<String> = new.variants.iter().map(|v| v.weight.to_string()).collect();
    let detail = format!(
        "{} on {}, weights {}",
        new.name,
        new.slot.key(),
        weights.join("/")
    );
    audit::record(&mut tx, actor, Action::ExperimentCreated, &id, &detail, now).await?;
    tx.commit()
        .await
        .context("Failed to commit a new experiment")?;
    Ok(id)
}

/// Applies `t` to experiment `id`: start, pause, stop or ship a variant (which also makes
/// that variant's content the slot's default). Refused without any change when the status
/// does not allow it, another experiment runs on the slot, or the copy to show is banned.
///
/// # Errors
/// [`ExperimentError::Unknown`], [`ExperimentError::Invalid`] (not from this status, no such
/// variant), [`ExperimentError::SlotBusy`], [`ExperimentError::BannedCopy`].
#[tracing::instrument(name = "experiments.transition", skip(db, actor, now))]
pub async fn transition(
    db: &Db,
    id: &str,
    t: Transition,
    actor: &Actor,
    now: i64,
) -> Result<(), ExperimentError> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    let row: Option<ExperimentRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM experiments WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to read an experiment")?;
    let current = experiment(row.ok_or(ExperimentError::Unknown)?)?;
    let next = current.status.after(t).map_err(ExperimentError::Invalid)?;
    let contents: Vec<(i64, String)> = sqlx::query_as(
        "SELECT position, content FROM experiment_variants WHERE experiment_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read an experiment's variants")?;

    let (action, detail) = match t {
        Transition::Start => {
            refuse_banned(contents.iter().map(|(_, c)| c.as_str()))?;
            let other: Option<(String,)> = sqlx::query_as(
                "SELECT name FROM experiments WHERE slot = $1 AND status = 'running' AND id <> $2",
            )
            .bind(current.slot.key())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to look for a running experiment")?;
            if let Some((name,)) = other {
                return Err(ExperimentError::SlotBusy(Some(name)));
            }
            (Action::ExperimentStarted, String::new())
        }
        Transition::Pause => (Action::ExperimentPaused, String::new()),
        Transition::Stop => (Action::ExperimentStopped, String::new()),
        Transition::Ship(position) => {
            let content = contents
                .iter()
                .find(|(p, _)| *p == i64::from(position))
                .map(|(_, c)| c.clone())
                .ok_or_else(|| ExperimentError::Invalid("There is no such variant.".into()))?;
            refuse_banned([content.as_str()])?;
            sqlx::query(
                "INSERT INTO slot_defaults (slot, content, experiment_id, updated_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (slot) DO UPDATE SET content = excluded.content, \
                 experiment_id = excluded.experiment_id, updated_at = excluded.updated_at",
            )
            .bind(current.slot.key())
            .bind(content)
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("Failed to set the slot's default")?;
            (Action::ExperimentShipped, format!("variant {position}"))
        }
    };

    let shipped = match t {
        Transition::Ship(p) => Some(i64::from(p)),
        _ => None,
    };
    let updated = sqlx::query(
        "UPDATE experiments SET status = $1, \
         started_at = CASE WHEN $1 = 'running' THEN COALESCE(started_at, $2) ELSE started_at END, \
         stopped_at = CASE WHEN $1 = 'stopped' THEN $2 ELSE stopped_at END, \
         shipped_variant = COALESCE($3, shipped_variant) \
         WHERE id = $4 AND status = $5",
    )
    .bind(next.key())
    .bind(now)
    .bind(shipped)
    .bind(id.to_string())
    .bind(current.status.key())
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => {
            return Err(ExperimentError::Invalid(
                "Someone else changed this experiment just now; reload and try again.".into(),
            ));
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(ExperimentError::SlotBusy(None));
        }
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context("Failed to change an experiment's status")
                .into());
        }
    }
    let detail = if detail.is_empty() {
        format!(
            "{}: {} -> {}",
            current.name,
            current.status.key(),
            next.key()
        )
    } else {
        format!("{}: {detail}", current.name)
    };
    audit::record(&mut tx, actor, action, id, &detail, now).await?;
    tx.commit()
        .await
        .context("Failed to commit an experiment change")?;
    Ok(())
}

fn refuse_banned<'a>(contents: impl IntoIterator<Item = &'a str>) -> Result<(), ExperimentError> {
    let texts: Vec<String> = contents
        .into_iter()
        .flat_map(shopper_text_of_json)
        .collect();
    let words = copy_check::banned_terms_in(texts.iter().map(String::as_str));
    if words.is_empty() {
        Ok(())
    } else {
        Err(ExperimentError::BannedCopy(words))
    }
}

fn actor_label(actor: &Actor) -> String {
    match actor {
        Actor::Staff { email, .. } => email.clone(),
        Actor::CommandLine => "command line".into(),
        Actor::System => "system".into(),
    }
}

/// `hero-copy-3f9a1c`: a slug of the name (at most 40 characters) and 6 random hex digits.
/// The id is also the assignment key, so it is fixed at creation and never derived again.
pub fn new_id(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "experiment" } else { slug };
    format!("{slug}-{}", &crate::ids::random_id()[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_a_slug_of_the_name_and_six_hex_digits() {
        let id = new_id("Hero copy: Spring (v2)!");
        let (slug, hex) = id.rsplit_once('-').expect("dash");
        assert_eq!(slug, "hero-copy-spring-v2");
        assert_eq!(hex.len(), 6);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(new_id("最佳").starts_with("experiment-"));
        assert!(new_id(&"a".repeat(100)).len() <= 47);
        assert_ne!(new_id("x"), new_id("x"));
    }

    #[test]
    fn refusing_banned_copy_names_every_word() {
        let e = refuse_banned([
            r#"{"headline":"The best gifts","copy":"全网最低价","cta_label":"Go","cta_href":"/best"}"#,
            r#"{"recs":"above"}"#,
        ])
        .expect_err("banned words");
        let text = e.to_string();
        assert!(text.contains("“best” is an absolute superlative"), "{text}");
        assert!(text.contains("“全网最低价”"), "{text}");
        assert!(
            refuse_banned([
                r#"{"headline":"Gifts","copy":"c","cta_label":"Go","cta_href":"/best"}"#
            ])
            .is_ok(),
            "links are not copy"
        );
    }
}
