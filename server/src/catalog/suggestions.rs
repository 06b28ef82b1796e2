//! What the recommendation slots show. Seeds: the product on view, the cart, or — only for a
//! visitor who may be profiled — what that visitor looked at, carted and bought. Scoring: the
//! published model (`crate::recs`, trained by `vitrine train`) when there is one and it knows
//! the seeds; otherwise products bought in the same orders as the seeds (item-to-item
//! co-purchase over the imported history and the store's own orders).
//!
//! Never suggests a seed, an item in the cart, or anything out of stock.

use super::queries::{self, SummaryRow};
use crate::db::{self, Db};
use crate::recs::{Served, StemEvent};
use anyhow::Context;
use std::collections::HashSet;
use vitrine_recs::Signal;

/// How many products a slot shows.
pub const SLOT_SIZE: usize = 4;
/// How many of a visitor's recent events seed "Recommended for you".
const HISTORY: i64 = 20;

/// Products most often bought in the same orders as `seeds`, best first, without `exclude`
/// and out-of-stock items; at most `limit`.
pub async fn co_purchased(
    db: &Db,
    seeds: &[String],
    exclude: &HashSet<String>,
    limit: usize,
) -> anyhow::Result<Vec<SummaryRow>> {
    if seeds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT v2.stem, CAST(COUNT(DISTINCT l2.order_number) AS BIGINT) AS n \
         FROM order_lines l1 JOIN variants v1 ON v1.sku = l1.sku \
         JOIN order_lines l2 ON l2.order_number = l1.order_number JOIN variants v2 ON v2.sku = l2.sku \
         WHERE v1.stem IN ({}) GROUP BY v2.stem ORDER BY n DESC, v2.stem LIMIT {}",
        db::list_placeholders(1, seeds.len()),
        (limit + exclude.len() + seeds.len()) * 4
    );
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
    for s in seeds {
        query = query.bind(s.clone());
    }
    let ranked: Vec<String> = query
        .fetch_all(db)
        .await
        .context("Failed to find co-purchased products")?
        .into_iter()
        .map(|(stem, _)| stem)
        .filter(|stem| !exclude.contains(stem) && !seeds.contains(stem))
        .collect();
    in_stock(db, &ranked, limit).await
}

/// The first `limit` of `ranked` that are in stock, as cards, in `ranked`'s order.
async fn in_stock(db: &Db, ranked: &[String], limit: usize) -> anyhow::Result<Vec<SummaryRow>> {
    let mut rows = queries::summaries_by_stem(db, ranked).await?;
    rows.retain(|r| r.stock > 0);
    rows.sort_by_key(|r| ranked.iter().position(|s| *s == r.stem));
    rows.truncate(limit);
    Ok(rows)
}

/// A visitor's recent events, newest first.
pub async fn history(db: &Db, visitor_id: &str) -> anyhow::Result<Vec<StemEvent>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT stem, kind, at FROM events WHERE visitor_id = $1 ORDER BY at DESC LIMIT $2",
    )
    .bind(visitor_id)
    .bind(HISTORY)
    .fetch_all(db)
    .await
    .context("Failed to read a visitor's events")?;
    Ok(rows
        .into_iter()
        .map(|(stem, kind, time)| StemEvent {
            stem,
            time,
            signal: match kind.as_str() {
                "purchase" => Signal::Purchase,
                "cart" => Signal::Cart,
                _ => Signal::View,
            },
        })
        .collect())
}

/// What the slot shows for `seeds`: the model's ranking when it has one, else co-purchases;
/// with the published version that ranked it (`None`: co-purchases).
pub async fn pick(
    db: &Db,
    model: Option<&Served>,
    seeds: &[StemEvent],
    exclude: &HashSet<String>,
    limit: usize,
) -> anyhow::Result<(Vec<SummaryRow>, Option<i64>)> {
    let mut stems: Vec<String> = Vec::new();
    for e in seeds {
        if !stems.contains(&e.stem) {
            stems.push(e.stem.clone());
        }
    }
    // No seeds, no list: a model would answer with its popularity list, which a slot titled
    // "Recommended for you" must not pass off as personal (the home page shows "Popular now").
    if stems.is_empty() {
        return Ok((Vec::new(), None));
    }
    let skip = |s: &str| exclude.contains(s) || stems.iter().any(|t| t == s);
    // Ask for more than needed: some will be out of stock.
    let ranked: Vec<String> = match (model, seeds) {
        (Some(m), [one]) => m.related(&one.stem, limit * 4, skip),
        (Some(m), _) => m.recommend(seeds, limit * 4, skip),
        (None, _) => Vec::new(),
    }
    .into_iter()
    .map(|(stem, _)| stem)
    .collect();
    if ranked.is_empty() {
        return Ok((co_purchased(db, &stems, exclude, limit).await?, None));
    }
    let rows = in_stock(db, &ranked, limit).await?;
    Ok((rows, model.and_then(|m| m.version)))
}
