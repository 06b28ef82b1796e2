//! Stock as the warehouse changes it: goods received (added to what is on sale) and a count
//! corrected after a stocktake. Sales take stock in checkout's transaction, and cancellations
//! and returns put it back (`orders::lifecycle`); this is the rest. Stock here is what can still
//! be sold: units on paid orders that have not shipped are already taken off.
//!
//! Each change is one transaction holding the update and its audit entry. Receiving adds to
//! whatever the stock is at that moment, so sales in between are kept. A correction carries
//! the stock the person saw, and is refused if it changed meanwhile (a sale while they counted):
//! setting it anyway would sell units that are gone or hide units that came back.

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;

/// The most units one delivery may add.
pub const MAX_RECEIVED: i64 = 100_000;
/// The largest count a correction may set.
pub const MAX_COUNT: i64 = 1_000_000;
/// Variants per page of the stock list.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("There is no variant with the SKU {0}.")]
    UnknownSku(String),
    #[error("Enter the units received as a whole number from 1 to 100,000.")]
    BadUnits,
    #[error("Enter the count as a whole number from 0 to 1,000,000.")]
    BadCount,
    /// A count sent without the stock its form showed.
    #[error("The form lacks the stock it showed: reload the page and count again.")]
    NotShown,
    #[error("Unknown change: use Received or Counted.")]
    UnknownChange,
    #[error(
        "{sku} has {now} in stock now, not {seen}: it sold or changed while you were counting. Check the shelf again and correct it from the number shown now."
    )]
    Changed { sku: String, seen: i64, now: i64 },
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

/// Units received, as typed: a whole number from 1 to [`MAX_RECEIVED`].
pub fn parse_units(typed: &str) -> Result<i64, StockError> {
    typed
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_RECEIVED).contains(n))
        .ok_or(StockError::BadUnits)
}

/// A count, as typed: a whole number from 0 to [`MAX_COUNT`].
pub fn parse_count(typed: &str) -> Result<i64, StockError> {
    typed
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=MAX_COUNT).contains(n))
        .ok_or(StockError::BadCount)
}

/// A change made: the stock before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changed {
    pub before: i64,
    pub after: i64,
}

/// Adds `units` received to variant `sku`'s stock; audited under `actor`.
#[tracing::instrument(skip(db, actor))]
pub async fn receive(
    db: &Db,
    sku: &str,
    units: i64,
    actor: &Actor,
    now: i64,
) -> Result<Changed, StockError> {
    change(db, sku, None, units, actor, now).await
}

/// Sets variant `sku`'s stock to `count` if it is still `seen`; audited under `actor`.
#[tracing::instrument(skip(db, actor))]
pub async fn correct(
    db: &Db,
    sku: &str,
    seen: i64,
    count: i64,
    actor: &Actor,
    now: i64,
) -> Result<Changed, StockError> {
    change(db, sku, Some(seen), count, actor, now).await
}

/// Received (`seen` `None`: add `value`) or counted (set to `value` from `seen`).
async fn change(
    db: &Db,
    sku: &str,
    seen: Option<i64>,
    value: i64,
    actor: &Actor,
    now: i64,
) -> Result<Changed, StockError> {
    match seen {
        None if !(1..=MAX_RECEIVED).contains(&value) => return Err(StockError::BadUnits),
        Some(_) if !(0..=MAX_COUNT).contains(&value) => return Err(StockError::BadCount),
        _ => {}
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    let before: Option<i64> = sqlx::query_scalar("SELECT stock FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the stock")?;
    let Some(before) = before else {
        return Err(StockError::UnknownSku(sku.to_string()));
    };
    let (after, action, detail) = match seen {
        None => {
            let after = before.saturating_add(value);
            (
                after,
                Action::StockReceived,
                format!("+{value}: {before} → {after}"),
            )
        }
        Some(seen) if seen != before => {
            return Err(StockError::Changed {
                sku: sku.to_string(),
                seen,
                now: before,
            });
        }
        Some(_) => (value, Action::StockCounted, format!("{before} → {value}")),
    };
    let updated = sqlx::query("UPDATE variants SET stock = $1 WHERE sku = $2 AND stock = $3")
        .bind(after)
        .bind(sku)
        .bind(before)
        .execute(&mut *tx)
        .await
        .context("Failed to change the stock")?;
    if updated.rows_affected() != 1 {
        return Err(
            anyhow::anyhow!("the stock of {sku} changed while it was being updated").into(),
        );
    }
    audit::record(&mut tx, actor, action, sku, &detail, now).await?;
    tx.commit()
        .await
        .context("Failed to commit the stock change")?;
    tracing::info!(sku, before, after, "stock changed");
    Ok(Changed { before, after })
}

/// One variant in the stock list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StockRow {
    pub sku: String,
    pub slug: String,
    pub title: String,
    pub stock: i64,
    pub units_sold: i64,
}

/// `%`, `_` and `\` typed into a search match themselves in `LIKE … ESCAPE '\'`.
fn like_pattern(words: &str) -> String {
    let mut out = String::from("%");
    for c in words.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The variants whose SKU is `query` or whose title contains it (every variant when empty),
/// the least stocked first, and how many match in all.
#[tracing::instrument(skip(db))]
pub async fn list(db: &Db, query: &str, page: i64) -> anyhow::Result<(Vec<StockRow>, i64)> {
    let query = query.trim();
    const WHERE: &str = "FROM variants v JOIN products p ON p.stem = v.stem \
         WHERE $1 = '' OR UPPER(v.sku) = $2 OR LOWER(v.title) LIKE $3 ESCAPE '\\'";
    let (upper, pattern) = (query.to_uppercase(), like_pattern(query));
    let matching: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {WHERE}"))
        .bind(query)
        .bind(&upper)
        .bind(&pattern)
        .fetch_one(db)
        .await
        .context("Failed to count variants")?;
    let rows = sqlx::query_as(&format!(
        "SELECT v.sku, p.slug, v.title, v.stock, v.units_sold {WHERE} \
         ORDER BY v.stock, v.units_sold DESC, v.sku LIMIT $4 OFFSET $5"
    ))
    .bind(query)
    .bind(&upper)
    .bind(&pattern)
    .bind(PAGE_SIZE)
    .bind(page.clamp(0, 1_000_000).saturating_mul(PAGE_SIZE))
    .fetch_all(db)
    .await
    .context("Failed to list stock")?;
    Ok((rows, matching))
}

/// Variant `sku`'s stock now, if there is such a variant.
pub async fn stock_of(db: &Db, sku: &str) -> anyhow::Result<Option<i64>> {
    sqlx::query_scalar("SELECT stock FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(db)
        .await
        .context("Failed to read the stock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_quantities_are_whole_numbers_in_range() {
        assert_eq!(parse_units(" 12 ").ok(), Some(12));
        for bad in [
            "0",
            "-3",
            "1.5",
            "",
            "twelve",
            "100001",
            "99999999999999999999",
        ] {
            assert!(
                matches!(parse_units(bad), Err(StockError::BadUnits)),
                "{bad}"
            );
        }
        assert_eq!(parse_count("0").ok(), Some(0));
        assert_eq!(parse_count("1000000").ok(), Some(1_000_000));
        for bad in ["-1", "1000001", "x", "3e2"] {
            assert!(
                matches!(parse_count(bad), Err(StockError::BadCount)),
                "{bad}"
            );
        }
    }

    #[test]
    fn search_wildcards_match_themselves() {
        assert_eq!(like_pattern("Heart"), "%heart%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
