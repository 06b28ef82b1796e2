//! Flash prices: a variant at a lower price from `starts_at` until `ends_at` (exclusive), on
//! the server's clock. Creating one writes both price changes into `price_history` at once
//! (future-dated when the sale starts later): the sale price as an announced reduction with
//! source `promotion`, so the 30-day prior-price rule applies to it like any reduction, and the
//! restore of the list price at the end with source `promotion-end`. `pricing::current::settle`
//! applies them when they fall due. One flash sale per variant at a time.

use super::PromoError;
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use vitrine::dates::short_utc;

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
        return invalid("the flash price must be above zero".into());
    }
    if new.ends_at <= now {
        return invalid("--until must be in the future".into());
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
        return invalid(format!("there is no variant with SKU {}", new.sku));
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
            "{} already has a flash sale (until {}): one at a time",
            new.sku,
            short_utc(until)
        ));
    }
    if new.price_minor >= list {
        return invalid(format!(
            "{} costs {list} minor units now: a flash price must be lower",
            new.sku
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
                "{} has a price change scheduled after --from; choose a later start",
                new.sku
            ));
        }
        Some(s) if s > now => s,
        _ => now.max(after_history),
    };
    if new.ends_at <= starts_at {
        return invalid("--until must be after --from".into());
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
