//! What the recommendation slots show. Seeds: the product on view, the cart, or — only for a
//! visitor who may be profiled — what that visitor looked at, carted and bought. Scoring: the
//! published model (`crate::recs`, trained by `vitrine train`) when there is one and it knows
//! the seeds; otherwise products bought in the same orders as the seeds (item-to-item
//! co-purchase over the imported history and the store's own orders, counted in memory by
//! `co_purchases`).
//!
//! Never suggests a seed, an item in the cart, or anything out of stock.

use super::co_purchases::CoPurchases;
use super::queries::{self, SummaryRow};
use crate::db::Db;
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
    table: &CoPurchases,
    seeds: &[String],
    exclude: &HashSet<String>,
    limit: usize,
) -> anyhow::Result<Vec<SummaryRow>> {
    // Ask for more than needed: some will be out of stock.
    let ranked: Vec<String> = table
        .ranked(seeds, (limit + exclude.len()) * 4)
        .into_iter()
        .filter(|stem| !exclude.contains(stem))
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
    co_purchases: &CoPurchases,
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
        return Ok((
            co_purchased(db, co_purchases, &stems, exclude, limit).await?,
            None,
        ));
    }
    let rows = in_stock(db, &ranked, limit).await?;
    Ok((rows, model.and_then(|m| m.version)))
}
