//! Flash prices: a variant at a lower price from `starts_at` until `ends_at` (exclusive), on
//! the server's clock. Creating one writes both price changes into `price_history` at once
//! (future-dated when the sale starts later): the sale price as an announced reduction with
//! source `promotion`, so the 30-day prior-price rule applies to it like any reduction, and the
//! restore of the list price at the end with source `promotion-end`. `pricing::current::settle`
//! applies them when they fall due. One flash sale per variant at a time.
//!
//! Staff may [`end`] a running sale early: its future-dated restore moves to now (a restore
//! that never took effect is not history yet), so the list price is back at once and the
//! history says `promotion-end` at the moment it really ended. A sale that has not started may
//! be [`cancel`]led: both of its future rows and the sale go, none of them ever took effect.
//! Either way the audit log keeps what was done.

use super::PromoError;
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use vitrine::dates::short_utc;
use vitrine::money::{Currency, Money};

/// A flash sale to create.
#[derive(Clone, Debug)]
pub struct NewFlash {
    pub sku: String,
    pub price_minor: i64,
    /// `None`: now.
    pub starts_at: Option<i64>,
    pub ends_at: i64,
}

/// Creates a flash sale (history rows, sale row, audit entry in one transaction) and applies it
/// at once when it starts now. Returns its id.
pub async fn add(db: &Db, new: &NewFlash, actor: &Actor) -> Result<String, PromoError> {
    let invalid = |m: String| Err(PromoError::Invalid(m));
    let now = db::now();
    if new.price_minor <= 0 {
        return invalid("The flash price must be above zero.".into());
    }
    if new.ends_at <= now {
        return invalid("The end of the sale must be in the future.".into());
    }
    // A sale that ended meanwhile must have restored the list price before we read it.
    crate::pricing::current::settle(db, now).await?;
    let (mut tx, turn) = db::begin_write(db).await?;
    let variant: Option<(i64, String)> =
        sqlx::query_as("SELECT price_minor, currency FROM variants WHERE sku = $1")
            .bind(&new.sku)
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to read the variant")?;
    let Some((list, currency)) = variant else {
        return invalid(format!("There is no variant with SKU {}.", new.sku));
    };
    let running: Option<(i64,)> = sqlx::query_as(
        "SELECT ends_at FROM flash_sales WHERE sku = $1 AND ended = 0 AND ends_at > $2",
    )
    .bind(&new.sku)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the flash sales")?;
    if let Some((until,)) = running {
        return invalid(format!(
            "{} already has a flash sale (until {}): one at a time.",
            new.sku,
            short_utc(until)
        ));
    }
    if new.price_minor >= list {
        return invalid(format!(
            "{} costs {} now: a flash price must be lower.",
            new.sku,
            Money::new(list, Currency::parse(&currency).unwrap_or(Currency::Gbp))
        ));
    }
    let (latest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(valid_from) FROM price_history WHERE sku = $1")
            .bind(&new.sku)
            .fetch_one(&mut *tx)
            .await
            .context("Failed to read the price history")?;
    let after_history = latest.map_or(now, |l| l + 1);
    let starts_at = match new.starts_at {
        Some(s) if s > now && s < after_history => {
            return invalid(format!(
                "{} has a price change scheduled after that start: choose a later start.",
                new.sku
            ));
        }
        Some(s) if s > now => s,
        _ => now.max(after_history),
    };
    if new.ends_at <= starts_at {
        return invalid("The end of the sale must be after its start.".into());
    }
    let id = crate::ids::random_id()[..12].to_string();
    let rows = [
        (
            starts_at,
            new.price_minor,
            "promotion",
            format!("flash sale {id} until {}", short_utc(new.ends_at)),
            1_i64,
        ),
        (
            new.ends_at,
            list,
            "promotion-end",
            format!("end of flash sale {id}"),
            0,
        ),
    ];
    for (valid_from, price, source, reason, announced) in rows {
        sqlx::query(
            "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason, announced) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&new.sku)
        .bind(valid_from)
        .bind(price)
        .bind(&currency)
        .bind(source)
        .bind(reason)
        .bind(announced)
        .execute(&mut *tx)
        .await
        .context("Failed to record the flash price")?;
    }
    sqlx::query(
        "INSERT INTO flash_sales (id, sku, price_minor, list_price_minor, starts_at, ends_at, started, ended, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7)",
    )
    .bind(&id)
    .bind(&new.sku)
    .bind(new.price_minor)
    .bind(list)
    .bind(starts_at)
    .bind(new.ends_at)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add the flash sale")?;
    let detail = format!(
        "flash {id}: {list} -> {} {currency} minor units from {} until {}",
        new.price_minor,
        vitrine::dates::iso(starts_at),
        vitrine::dates::iso(new.ends_at)
    );
    audit::record(
        &mut tx,
        actor,
        Action::PromotionAdded,
        &new.sku,
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the flash sale")?;
    // Our write turn ends before settling, which takes its own.
    drop(turn);
    crate::pricing::current::settle(db, db::now()).await?;
    Ok(id)
}

/// A flash sale that has not ended, as `end` and `cancel` need it.
#[derive(sqlx::FromRow)]
struct OpenSale {
    sku: String,
    list_price_minor: i64,
    starts_at: i64,
    ends_at: i64,
}

async fn open_sale(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    now: i64,
) -> Result<OpenSale, PromoError> {
    let sale: Option<OpenSale> = sqlx::query_as(
        "SELECT sku, list_price_minor, starts_at, ends_at FROM flash_sales WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .context("Failed to read the flash sale")?;
    match sale {
        None => Err(PromoError::Invalid(format!("There is no flash sale {id}."))),
        Some(s) if s.ends_at <= now => Err(PromoError::Invalid(format!(
            "The flash sale {id} on {} has already ended.",
            s.sku
        ))),
        Some(s) => Ok(s),
    }
}

/// Ends the running flash sale `id` now: the list price is back on the product page, in its
/// JSON-LD and at checkout at once, with a `promotion-end` row in the price history at the
/// moment it ended. Refused for a sale that has not started (cancel it) or has ended.
pub async fn end(db: &Db, id: &str, actor: &Actor) -> Result<(), PromoError> {
    let id = id.trim();
    // The sale's start must have reached `variants` before its end does.
    crate::pricing::current::settle(db, db::now()).await?;
    let (mut tx, turn) = db::begin_write(db).await?;
    let now = db::now();
    let sale = open_sale(&mut tx, id, now).await?;
    if sale.starts_at > now {
        return Err(PromoError::Invalid(format!(
            "The flash sale {id} on {} has not started: cancel it instead.",
            sale.sku
        )));
    }
    // The primary key is (sku, valid_from): a sale that started this very second ends on the
    // next one, so its price stays a row of its own in the history.
    let ended_at = now.max(sale.starts_at + 1);
    let moved = sqlx::query(
        "UPDATE price_history SET valid_from = $1, reason = $2 \
         WHERE sku = $3 AND valid_from = $4 AND source = 'promotion-end'",
    )
    .bind(ended_at)
    .bind(format!("flash sale {id} ended early by {}", actor.label()))
    .bind(&sale.sku)
    .bind(sale.ends_at)
    .execute(&mut *tx)
    .await
    .context("Failed to move the flash sale's end")?;
    if moved.rows_affected() != 1 {
        return Err(PromoError::Other(anyhow::anyhow!(
            "flash sale {id} has no promotion-end row at its end time"
        )));
    }
    sqlx::query("UPDATE flash_sales SET ends_at = $1 WHERE id = $2")
        .bind(ended_at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("Failed to end the flash sale")?;
    let detail = format!(
        "flash {id} ended early at {} (was until {}); back to {} minor units",
        vitrine::dates::iso(ended_at),
        vitrine::dates::iso(sale.ends_at),
        sale.list_price_minor
    );
    audit::record(
        &mut tx,
        actor,
        Action::PromotionEnded,
        &sale.sku,
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the flash sale's end")?;
    drop(turn);
    crate::pricing::current::settle(db, db::now()).await?;
    Ok(())
}

/// Cancels the flash sale `id` that has not started: its two future price rows and the sale
/// go (none of them ever took effect). Refused once it has started (end it instead).
pub async fn cancel(db: &Db, id: &str, actor: &Actor) -> Result<(), PromoError> {
    let id = id.trim();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    let sale = open_sale(&mut tx, id, now).await?;
    if sale.starts_at <= now {
        return Err(PromoError::Invalid(format!(
            "The flash sale {id} on {} is running: end it instead.",
            sale.sku
        )));
    }
    let removed = sqlx::query(
        "DELETE FROM price_history WHERE sku = $1 AND valid_from > $2 \
         AND ((valid_from = $3 AND source = 'promotion') OR (valid_from = $4 AND source = 'promotion-end'))",
    )
    .bind(&sale.sku)
    .bind(now)
    .bind(sale.starts_at)
    .bind(sale.ends_at)
    .execute(&mut *tx)
    .await
    .context("Failed to remove the flash sale's prices")?;
    if removed.rows_affected() != 2 {
        return Err(PromoError::Other(anyhow::anyhow!(
            "flash sale {id} had {} future price rows, not 2",
            removed.rows_affected()
        )));
    }
    sqlx::query("DELETE FROM flash_sales WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("Failed to cancel the flash sale")?;
    let detail = format!(
        "flash {id} cancelled before its start at {} (was until {})",
        vitrine::dates::iso(sale.starts_at),
        vitrine::dates::iso(sale.ends_at)
    );
    audit::record(
        &mut tx,
        actor,
        Action::PromotionRemoved,
        &sale.sku,
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the flash sale's cancellation")?;
    Ok(())
}
