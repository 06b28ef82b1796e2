//! The current price of a variant: the `price_history` row in effect now. `variants.price_minor`
//! is its copy that every page, the JSON-LD, the cart and the checkout read; [`settle`] brings
//! that copy up to date with history rows that took effect since (a flash sale's start and its
//! restore are future-dated rows written when the sale is created). Every read of a price
//! calls [`settle`] first with the server's clock, so at any moment the product page, its
//! JSON-LD and the checkout agree, and a flash price ends exactly at its end time.
//!
//! Because the price in effect during a flash sale is a history row with source `promotion`
//! (and the restore has `promotion-end`), "the current price came from a promotion" means
//! "a promotion is running on this variant": the pricing optimiser must leave it alone.

use crate::db::{self, Db};
use anyhow::Context;

/// Applies the price changes due at `now` (flash sales starting or ending) to
/// `variants.price_minor`. Cheap when nothing is due: one indexed query on the small
/// `flash_sales` table. Safe to run concurrently on several replicas (each writes the same
/// value from the history).
#[tracing::instrument(name = "pricing.settle", skip(db))]
pub async fn settle(db: &Db, now: i64) -> anyhow::Result<()> {
    let due: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, sku, ends_at FROM flash_sales \
         WHERE ended = 0 AND starts_at <= $1 AND (started = 0 OR ends_at <= $1)",
    )
    .bind(now)
    .fetch_all(db)
    .await
    .context("Failed to read the due flash sales")?;
    if due.is_empty() {
        return Ok(());
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    for (id, sku, ends_at) in due {
        let in_effect: Option<(i64,)> = sqlx::query_as(
            "SELECT price_minor FROM price_history WHERE sku = $1 AND valid_from <= $2 \
             ORDER BY valid_from DESC LIMIT 1",
        )
        .bind(&sku)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the price in effect")?;
        if let Some((price,)) = in_effect {
            sqlx::query("UPDATE variants SET price_minor = $1 WHERE sku = $2")
                .bind(price)
                .bind(&sku)
                .execute(&mut *tx)
                .await
                .context("Failed to apply a price change")?;
        }
        sqlx::query("UPDATE flash_sales SET started = 1, ended = $1 WHERE id = $2")
            .bind(i64::from(ends_at <= now))
            .bind(&id)
            .execute(&mut *tx)
            .await
            .context("Failed to mark a flash sale")?;
    }
    tx.commit()
        .await
        .context("Failed to commit the price changes")?;
    Ok(())
}

/// A flash sale running on a variant at `now`: its window, for the page's countdown and the
/// JSON-LD's `validFrom`/`validThrough`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaleWindow {
    pub starts_at: i64,
    pub ends_at: i64,
}

/// The flash sales running at `now` on `skus`, by SKU.
pub async fn sale_windows(
    db: &Db,
    skus: &[String],
    now: i64,
) -> anyhow::Result<std::collections::HashMap<String, SaleWindow>> {
    if skus.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT sku, starts_at, ends_at FROM flash_sales WHERE sku IN ({}) \
         AND starts_at <= ${} AND ends_at > ${}",
        db::list_placeholders(1, skus.len()),
        skus.len() + 1,
        skus.len() + 1
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64)>(&sql);
    for s in skus {
        query = query.bind(s.clone());
    }
    let rows = query
        .bind(now)
        .fetch_all(db)
        .await
        .context("Failed to read the flash sales")?;
    Ok(rows
        .into_iter()
        .map(|(sku, starts_at, ends_at)| (sku, SaleWindow { starts_at, ends_at }))
        .collect())
}
