//! The pricing engine's switches: the global kill switch (a `settings` row) and each variant's
//! pricing settings (auto-approve, ceiling), with the guardrails they make.
//!
//! Defaults for a variant without a `pricing_settings` row: no auto-approve; ceiling 2× the
//! import's list price (the variant's first `price_history` row, `source = 'import'` when there
//! is one, else its earliest row, else the current price); minimum margin 10% over cost, at most
//! ±10% a day and 3 changes in any 7 days (the `vitrine_pricing` defaults). Every change to a
//! switch lands in the audit log. Nothing here reads anything about a shopper.

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::{Any, Transaction};
use vitrine_pricing::ParamGuard;
use vitrine_pricing::optimise::{Guardrails, GuardrailsParams};

const KILL_SWITCH: &str = "pricing.kill_switch";
/// 7 days, in seconds: the window of the weekly change limit.
pub const WEEK: i64 = 7 * 86_400;
/// The default ceiling, as a multiple of the import's list price.
pub const DEFAULT_CEILING_TIMES_LIST: i64 = 2;

/// Whether the kill switch is on (no automated price change anywhere).
#[tracing::instrument(name = "pricing.kill_switch", skip_all)]
pub async fn kill_switch(db: &Db) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(KILL_SWITCH)
        .fetch_optional(db)
        .await
        .context("Failed to read the kill switch")?;
    Ok(row.is_some_and(|(v,)| v == "1"))
}

pub(crate) async fn kill_switch_in(tx: &mut Transaction<'static, Any>) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(KILL_SWITCH)
        .fetch_optional(&mut **tx)
        .await
        .context("Failed to read the kill switch")?;
    Ok(row.is_some_and(|(v,)| v == "1"))
}

/// Turns the kill switch on or off (audited).
#[tracing::instrument(name = "pricing.set_kill_switch", skip(db, actor))]
pub async fn set_kill_switch(db: &Db, on: bool, actor: &Actor) -> anyhow::Result<()> {
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let value = if on { "1" } else { "0" };
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(KILL_SWITCH)
    .bind(value)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to set the kill switch")?;
    let detail = if on {
        "on: no automated price changes"
    } else {
        "off"
    };
    audit::record(
        &mut tx,
        actor,
        Action::PricingKillSwitch,
        "pricing",
        detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the kill switch")
}

/// Puts a variant on auto-approve or takes it off (audited). `Ok(false)`: no such SKU.
#[tracing::instrument(name = "pricing.set_auto_approve", skip(db, actor))]
pub async fn set_auto_approve(db: &Db, sku: &str, on: bool, actor: &Actor) -> anyhow::Result<bool> {
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT sku FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the variant")?;
    if exists.is_none() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO pricing_settings (sku, auto_approve, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (sku) DO UPDATE SET auto_approve = excluded.auto_approve, updated_at = excluded.updated_at",
    )
    .bind(sku)
    .bind(i64::from(on))
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to set auto-approve")?;
    let detail = if on {
        "auto-approve on"
    } else {
        "auto-approve off"
    };
    audit::record(&mut tx, actor, Action::PricingAutoApprove, sku, detail, now).await?;
    tx.commit().await.context("Failed to commit auto-approve")?;
    Ok(true)
}

/// The SKUs on auto-approve, sorted.
pub async fn auto_approved(db: &Db) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT sku FROM pricing_settings WHERE auto_approve = 1 ORDER BY sku")
            .fetch_all(db)
            .await
            .context("Failed to read the pricing settings")?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// What the guardrails of one variant are made of, read from the database.
#[derive(Clone, Debug)]
pub struct VariantPricing {
    pub sku: String,
    pub price_minor: i64,
    pub cost_minor: i64,
    pub ceiling_minor: i64,
    pub auto_approve: bool,
    /// The price in effect was set by a promotion: the engine keeps away.
    pub promotion_active: bool,
    /// Price changes in the 7 days before now.
    pub changes_last_week: u32,
}

impl VariantPricing {
    /// The checked guardrails, or why there are none (e.g. a ceiling below the margin floor).
    pub fn guardrails(&self, kill_switch: bool) -> Result<Guardrails, String> {
        GuardrailsParams::new(self.cost_minor, self.ceiling_minor)
            .promotion_active(self.promotion_active)
            .kill_switch(kill_switch)
            .check()
            .map_err(|e| e.to_string())
    }
}

/// Reads one variant's pricing inputs inside a transaction (approval re-checks with it).
pub(crate) async fn variant_in(
    tx: &mut Transaction<'static, Any>,
    sku: &str,
    now: i64,
) -> anyhow::Result<Option<VariantPricing>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT price_minor, cost_minor FROM variants WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&mut **tx)
            .await
            .context("Failed to read the variant")?;
    let Some((price_minor, cost_minor)) = row else {
        return Ok(None);
    };
    let settings: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT auto_approve, ceiling_minor FROM pricing_settings WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&mut **tx)
            .await
            .context("Failed to read the pricing settings")?;
    let history: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT valid_from, price_minor, source FROM price_history WHERE sku = $1 \
         ORDER BY valid_from",
    )
    .bind(sku)
    .fetch_all(&mut **tx)
    .await
    .context("Failed to read the price history")?;
    let (auto_approve, ceiling) = settings.map_or((false, None), |(a, c)| (a != 0, c));
    Ok(Some(variant_pricing(
        sku,
        price_minor,
        cost_minor,
        auto_approve,
        ceiling,
        &history,
        now,
    )))
}

/// One variant's pricing inputs from its row, settings and history `(valid_from, price,
/// source)` sorted by `valid_from`.
pub fn variant_pricing(
    sku: &str,
    price_minor: i64,
    cost_minor: i64,
    auto_approve: bool,
    ceiling: Option<i64>,
    history: &[(i64, i64, String)],
    now: i64,
) -> VariantPricing {
    let list_price = history
        .iter()
        .find(|(_, _, source)| source == "import")
        .or(history.first())
        .map_or(price_minor, |&(_, p, _)| p);
    let in_effect = history.iter().rev().find(|(from, _, _)| *from <= now);
    let changes = history
        .iter()
        .skip(1)
        .filter(|(from, _, _)| *from > now - WEEK && *from <= now)
        .count();
    VariantPricing {
        sku: sku.to_string(),
        price_minor,
        cost_minor,
        ceiling_minor: ceiling
            .unwrap_or_else(|| list_price.saturating_mul(DEFAULT_CEILING_TIMES_LIST)),
        auto_approve,
        promotion_active: in_effect.is_some_and(|(_, _, source)| source == "promotion"),
        changes_last_week: u32::try_from(changes).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn h(days_ago: i64, price: i64, source: &str) -> (i64, i64, String) {
        (NOW - days_ago * 86_400, price, source.to_string())
    }

    #[test]
    fn defaults_come_from_the_import_and_the_history() {
        let history = [
            h(400, 500, "import"),
            h(3, 550, "engine"),
            h(1, 600, "staff"),
        ];
        let v = variant_pricing("A", 600, 300, false, None, &history, NOW);
        assert_eq!(v.ceiling_minor, 1000, "2x the import's list price");
        assert_eq!(v.changes_last_week, 2);
        assert!(!v.promotion_active);
        let v = variant_pricing("A", 600, 300, false, Some(700), &history, NOW);
        assert_eq!(v.ceiling_minor, 700);
    }

    #[test]
    fn a_promotion_in_effect_now_freezes_the_variant_but_a_future_one_does_not() {
        let history = [h(400, 500, "import"), h(1, 400, "promotion")];
        assert!(variant_pricing("A", 400, 300, false, None, &history, NOW).promotion_active);
        let history = [h(400, 500, "import"), h(-1, 400, "promotion")];
        assert!(!variant_pricing("A", 500, 300, false, None, &history, NOW).promotion_active);
    }

    #[test]
    fn a_ceiling_below_the_floor_is_a_message_not_a_panic() {
        let v = variant_pricing("A", 600, 1000, false, Some(500), &[], NOW);
        assert!(v.guardrails(false).is_err());
    }
}
