//! Prices: the history every price change lands in, and what a page may announce about a
//! reduction.
//!
//! `variants.price_minor` is the one current price every page, the JSON-LD and the checkout
//! read, kept up to date with the history by [`current::settle`] (flash sales); [`set_price`]
//! changes it only together with a new `price_history` row and an audit
//! entry, in one transaction. A price is per variant and the same for every shopper at a given
//! moment: nothing here (or anywhere that reads prices) looks at who is asking.
//!
//! The dynamic-pricing engine (issue 5) sits beside it: [`engine`] fits demand and writes
//! [`proposals`] inside each variant's guardrails ([`settings`]); an approval applies a
//! proposal through [`set_price_in`], so an engine price has the same history and audit entry
//! as a staff one. The arithmetic is the `vitrine_pricing` crate's.

pub mod cli;
pub mod current;
pub mod engine;
pub mod proposals;
pub mod schedule;
pub mod settings;

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::{Any, Transaction};
use std::collections::HashMap;
use vitrine_pricing::history::{self, PricePoint, ReductionBadge};

/// The reductions to announce now for `skus`, by SKU: only for a current price that was set as
/// a reduction (`announced`) and that the 30-day prior-price rule allows
/// ([`vitrine_pricing::history`], the one implementation of the rule).
pub async fn reductions(
    db: &Db,
    skus: &[String],
    now: i64,
) -> anyhow::Result<HashMap<String, ReductionBadge>> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT sku, valid_from, price_minor, announced FROM price_history \
         WHERE sku IN ({}) AND valid_from <= ${} ORDER BY sku, valid_from",
        db::list_placeholders(1, skus.len()),
        skus.len() + 1
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql);
    for s in skus {
        query = query.bind(s.clone());
    }
    let rows = query
        .bind(now)
        .fetch_all(db)
        .await
        .context("Failed to read the price history")?;
    let mut by_sku: HashMap<String, Vec<(PricePoint, bool)>> = HashMap::new();
    for (sku, valid_from, price_minor, announced) in rows {
        by_sku.entry(sku).or_default().push((
            PricePoint {
                starts_at: valid_from,
                amount_minor: price_minor,
            },
            announced != 0,
        ));
    }
    Ok(by_sku
        .into_iter()
        .filter_map(|(sku, entries)| {
            let &(current, announced) = entries.last()?;
            if !announced {
                return None;
            }
            let points: Vec<PricePoint> = entries.iter().map(|(p, _)| *p).collect();
            Some((sku, history::announced_badge(&points, current)?))
        })
        .collect())
}

/// A price change to make.
#[derive(Clone, Debug)]
pub struct NewPrice {
    pub sku: String,
    pub price_minor: i64,
    /// Announce it as a reduction (shown crossed out against the 30-day prior price, when the
    /// rule allows).
    pub sale: bool,
    /// Why: kept in the history and the audit log.
    pub reason: String,
    /// `staff`, `engine` or `promotion`.
    pub source: &'static str,
}

/// Why a price change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    #[error("there is no variant with SKU {0}")]
    UnknownSku(String),
    #[error("a price must be above zero")]
    NotPositive,
    #[error("{0} is on a flash sale until {1}: its price changes back by itself then")]
    OnPromotion(String, String),
    #[error("{0} already costs that; nothing changed")]
    Unchanged(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Sets a variant's price from now: the current price, a history row and an audit entry, in
/// one transaction. Returns the old price and the currency.
pub async fn set_price(
    db: &Db,
    change: &NewPrice,
    actor: &Actor,
) -> Result<(i64, String), PriceError> {
    if change.price_minor <= 0 {
        return Err(PriceError::NotPositive);
    }
    let now = db::now();
    current::settle(db, now).await?;
    let (mut tx, _turn) = db::begin_write(db).await?;
    let changed = set_price_in(&mut tx, change, actor, now).await?;
    tx.commit().await.context("Failed to commit the price")?;
    Ok(changed)
}

/// [`set_price`] inside the caller's transaction (an approval changes the proposal's status in
/// the same one).
pub(crate) async fn set_price_in(
    tx: &mut Transaction<'static, Any>,
    change: &NewPrice,
    actor: &Actor,
    now: i64,
) -> Result<(i64, String), PriceError> {
    if change.price_minor <= 0 {
        return Err(PriceError::NotPositive);
    }
    // A flash sale's restore is already in the history: a change now would be overwritten.
    let flash: Option<(i64,)> =
        sqlx::query_as("SELECT ends_at FROM flash_sales WHERE sku = $1 AND ended = 0")
            .bind(&change.sku)
            .fetch_optional(&mut **tx)
            .await
            .context("Failed to read the flash sales")?;
    if let Some((until,)) = flash {
        return Err(PriceError::OnPromotion(
            change.sku.clone(),
            vitrine::dates::short_utc(until),
        ));
    }
    let current: Option<(i64, String)> =
        sqlx::query_as("SELECT price_minor, currency FROM variants WHERE sku = $1")
            .bind(&change.sku)
            .fetch_optional(&mut **tx)
            .await
            .context("Failed to read the variant")?;
    let Some((old, currency)) = current else {
        return Err(PriceError::UnknownSku(change.sku.clone()));
    };
    if old == change.price_minor && !change.sale {
        return Err(PriceError::Unchanged(change.sku.clone()));
    }
    // One entry per second and SKU (the primary key): a second change in the same second
    // starts one second later.
    let (latest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(valid_from) FROM price_history WHERE sku = $1")
            .bind(&change.sku)
            .fetch_one(&mut **tx)
            .await
            .context("Failed to read the price history")?;
    let valid_from = latest.map_or(now, |l| now.max(l + 1));
    sqlx::query(
        "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason, announced) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&change.sku)
    .bind(valid_from)
    .bind(change.price_minor)
    .bind(&currency)
    .bind(change.source)
    .bind(&change.reason)
    .bind(i64::from(change.sale))
    .execute(&mut **tx)
    .await
    .context("Failed to record the price")?;
    sqlx::query("UPDATE variants SET price_minor = $1 WHERE sku = $2")
        .bind(change.price_minor)
        .bind(&change.sku)
        .execute(&mut **tx)
        .await
        .context("Failed to set the price")?;
    let detail = format!(
        "{old} -> {} {currency} minor units{}; {}",
        change.price_minor,
        if change.sale {
            ", announced as a reduction"
        } else {
            ""
        },
        change.reason
    );
    audit::record(tx, actor, Action::PriceSet, &change.sku, &detail, now).await?;
    Ok((old, currency))
}
