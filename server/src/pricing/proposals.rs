//! Price proposals: what `vitrine price propose` writes, what staff see, and the approval that
//! turns one into a price. An approval re-checks the variant's guardrails against the database
//! as it is now (the price may have moved, a promotion may have started, the kill switch may be
//! on) and applies the price through [`super::set_price_in`] in the same transaction as the
//! proposal's new status, so the price, its history row, the audit entry and the proposal never
//! disagree. It never looks at a shopper: a proposal is per variant.

use super::settings::{self, VariantPricing};
use super::{NewPrice, PriceError, set_price_in};
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::{Any, Transaction};
use vitrine_pricing::optimise::{Guardrails, Proposal};

/// A proposal as stored, with what the console shows beside it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct StoredProposal {
    pub id: i64,
    pub sku: String,
    pub title: String,
    pub currency: String,
    pub created_at: i64,
    pub current_minor: i64,
    pub proposed_minor: i64,
    pub expected_profit_change_minor: i64,
    pub elasticity: f64,
    pub elasticity_low: f64,
    pub elasticity_high: f64,
    pub reason: String,
    pub status: String,
    pub auto_approve: i64,
}

/// Why a decision on a proposal was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    #[error("there is no price proposal #{0}")]
    Unknown(i64),
    #[error("proposal #{id} is {status}, not open: nothing changed")]
    NotOpen { id: i64, status: String },
    #[error(
        "proposal #{id} is stale: {why}. Nothing changed; the next `vitrine price propose` run proposes afresh"
    )]
    Stale { id: i64, why: String },
    #[error(transparent)]
    Price(PriceError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

const SELECT: &str = "SELECT p.id, p.sku, v.title, v.currency, p.created_at, p.current_minor, \
     p.proposed_minor, p.expected_profit_change_minor, p.elasticity, p.elasticity_low, \
     p.elasticity_high, p.reason, p.status, COALESCE(s.auto_approve, 0) AS auto_approve \
     FROM price_proposals p JOIN variants v ON v.sku = p.sku \
     LEFT JOIN pricing_settings s ON s.sku = p.sku";

/// The open proposals, largest expected profit change first.
#[tracing::instrument(name = "pricing.open_proposals", skip(db))]
pub async fn open(db: &Db, limit: i64) -> anyhow::Result<Vec<StoredProposal>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE p.status = 'proposed' \
         ORDER BY p.expected_profit_change_minor DESC, p.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to read the price proposals")
}

/// One proposal by id.
pub async fn find(db: &Db, id: i64) -> anyhow::Result<Option<StoredProposal>> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
        .context("Failed to read the price proposal")
}

/// One proposal to write: the variant, the engine's proposal and the reason in words.
#[derive(Clone, Debug)]
pub struct NewProposal {
    pub sku: String,
    pub proposal: Proposal,
    pub reason: String,
}

/// Writes `proposals` in one transaction, superseding each variant's open one. Returns the new
/// ids in the order given.
#[tracing::instrument(name = "pricing.write_proposals", skip_all, fields(n = proposals.len()))]
pub async fn write(db: &Db, proposals: &[NewProposal], now: i64) -> anyhow::Result<Vec<i64>> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    db::lock_numbering(&mut tx, "price_proposals").await?;
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM price_proposals")
        .fetch_one(&mut *tx)
        .await
        .context("Failed to number the proposals")?;
    let mut ids = Vec::with_capacity(proposals.len());
    for (next, new) in (max.unwrap_or(0) + 1..).zip(proposals) {
        sqlx::query(
            "UPDATE price_proposals SET status = 'superseded', decided_by = 'engine', \
             decided_at = $1 WHERE sku = $2 AND status = 'proposed'",
        )
        .bind(now)
        .bind(&new.sku)
        .execute(&mut *tx)
        .await
        .context("Failed to supersede the open proposal")?;
        let p = &new.proposal;
        sqlx::query(
            "INSERT INTO price_proposals (id, sku, created_at, current_minor, proposed_minor, \
             expected_profit_change_minor, elasticity, elasticity_low, elasticity_high, reason, \
             status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed')",
        )
        .bind(next)
        .bind(&new.sku)
        .bind(now)
        .bind(p.current_minor)
        .bind(p.proposed_minor)
        .bind(p.expected_profit_change_minor)
        .bind(finite(p.elasticity))
        .bind(finite(p.elasticity_low))
        .bind(finite(p.elasticity_high))
        .bind(&new.reason)
        .execute(&mut *tx)
        .await
        .context("Failed to write a proposal")?;
        ids.push(next);
    }
    tx.commit()
        .await
        .context("Failed to commit the proposals")?;
    Ok(ids)
}

/// NaN and infinities do not survive every engine's DOUBLE PRECISION round trip the same way.
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// A proposal that became the price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub sku: String,
    pub old_minor: i64,
    pub new_minor: i64,
    pub currency: String,
}

/// Approves proposal `id` and applies it at once, if the variant's guardrails still allow it.
/// `decided_by` is kept on the proposal (a staff email, "command line", "auto-approve").
#[tracing::instrument(name = "pricing.approve", skip(db, actor))]
pub async fn approve(
    db: &Db,
    id: i64,
    actor: &Actor,
    decided_by: &str,
) -> Result<Applied, ProposalError> {
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let (sku, current, proposed, reason) = open_in(&mut tx, id).await?;
    let kill = settings::kill_switch_in(&mut tx).await?;
    let Some(variant) = settings::variant_in(&mut tx, &sku, now).await? else {
        return Err(ProposalError::Unknown(id));
    };
    let guardrails = variant
        .guardrails(kill)
        .map_err(|why| ProposalError::Stale { id, why })?;
    still_allowed(&guardrails, &variant, current, proposed)
        .map_err(|why| ProposalError::Stale { id, why })?;
    let change = NewPrice {
        sku: sku.clone(),
        price_minor: proposed,
        sale: false,
        reason: format!("pricing engine proposal #{id} approved by {decided_by}: {reason}"),
        source: "engine",
    };
    let (old, currency) = set_price_in(&mut tx, &change, actor, now)
        .await
        .map_err(ProposalError::Price)?;
    decide(&mut tx, id, "applied", decided_by, now).await?;
    tx.commit().await.context("Failed to commit the approval")?;
    Ok(Applied {
        sku,
        old_minor: old,
        new_minor: proposed,
        currency,
    })
}

/// Rejects proposal `id` (audited); the price stays.
#[tracing::instrument(name = "pricing.reject", skip(db, actor))]
pub async fn reject(db: &Db, id: i64, actor: &Actor) -> Result<String, ProposalError> {
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let (sku, current, proposed, _) = open_in(&mut tx, id).await?;
    decide(&mut tx, id, "rejected", &actor.label(), now).await?;
    let detail = format!("proposal #{id}: {current} -> {proposed} minor units rejected");
    audit::record(
        &mut tx,
        actor,
        Action::PriceProposalRejected,
        &sku,
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the rejection")?;
    Ok(sku)
}

/// The open proposal's (sku, current, proposed, reason), or why it cannot be decided.
async fn open_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<(String, i64, i64, String), ProposalError> {
    let row: Option<(String, i64, i64, String, String)> = sqlx::query_as(
        "SELECT sku, current_minor, proposed_minor, reason, status FROM price_proposals \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .context("Failed to read the proposal")?;
    let Some((sku, current, proposed, reason, status)) = row else {
        return Err(ProposalError::Unknown(id));
    };
    if status != "proposed" {
        return Err(ProposalError::NotOpen { id, status });
    }
    Ok((sku, current, proposed, reason))
}

async fn decide(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    status: &str,
    decided_by: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE price_proposals SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(decided_by)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await
    .context("Failed to record the decision")?;
    Ok(())
}

/// Whether moving `variant` from `current` to `proposed` is inside its guardrails now: the
/// same freezes and bands as `vitrine_pricing::optimise::propose`.
pub fn still_allowed(
    g: &Guardrails,
    variant: &VariantPricing,
    current: i64,
    proposed: i64,
) -> Result<(), String> {
    if variant.price_minor != current {
        return Err(format!(
            "the price is {} minor units now, not {current} as when it was proposed",
            variant.price_minor
        ));
    }
    if g.kill_switch() {
        return Err("the pricing kill switch is on".into());
    }
    if g.promotion_active() {
        return Err("a promotion sets this variant's price now".into());
    }
    if variant.changes_last_week >= g.max_changes_per_week() {
        return Err(format!(
            "the price already changed {} times in the last 7 days (at most {})",
            variant.changes_last_week,
            g.max_changes_per_week()
        ));
    }
    let (low, high) = g.step_band(current);
    if !(low..=high).contains(&proposed) {
        return Err(format!(
            "{proposed} is more than one day's step from {current} (allowed {low} to {high})"
        ));
    }
    let (floor, ceiling) = (g.floor_minor(), g.ceiling_minor());
    let inside = (floor..=ceiling).contains(&proposed);
    let towards =
        (current < floor && proposed > current) || (current > ceiling && proposed < current);
    if !inside && !towards {
        return Err(format!(
            "{proposed} is outside the floor {floor} (cost plus minimum margin) and ceiling {ceiling}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine_pricing::ParamGuard;
    use vitrine_pricing::optimise::GuardrailsParams;

    fn variant(price: i64, changes: u32) -> VariantPricing {
        VariantPricing {
            sku: "A".into(),
            price_minor: price,
            cost_minor: 500,
            ceiling_minor: 2000,
            auto_approve: false,
            promotion_active: false,
            changes_last_week: changes,
        }
    }

    fn rails() -> Guardrails {
        GuardrailsParams::new(500, 2000).check().expect("valid")
    }

    #[test]
    fn a_fresh_proposal_inside_the_band_is_allowed() {
        assert_eq!(
            still_allowed(&rails(), &variant(1000, 0), 1000, 1100),
            Ok(())
        );
        assert_eq!(
            still_allowed(&rails(), &variant(1000, 0), 1000, 900),
            Ok(())
        );
    }

    #[test]
    fn stale_or_out_of_bounds_proposals_are_refused() {
        assert!(still_allowed(&rails(), &variant(1050, 0), 1000, 1100).is_err());
        assert!(still_allowed(&rails(), &variant(1000, 3), 1000, 1100).is_err());
        assert!(still_allowed(&rails(), &variant(1000, 0), 1000, 1101).is_err());
        // Below the floor (550) and moving further down.
        assert!(still_allowed(&rails(), &variant(560, 0), 560, 540).is_err());
        // Below the floor, moving up towards it: allowed.
        assert_eq!(still_allowed(&rails(), &variant(400, 0), 400, 440), Ok(()));
        let kill = GuardrailsParams::new(500, 2000)
            .kill_switch(true)
            .check()
            .expect("valid");
        assert!(still_allowed(&kill, &variant(1000, 0), 1000, 1100).is_err());
        let promo = GuardrailsParams::new(500, 2000)
            .promotion_active(true)
            .check()
            .expect("valid");
        assert!(still_allowed(&promo, &variant(1000, 0), 1000, 1100).is_err());
    }
}
