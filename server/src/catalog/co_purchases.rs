//! "Bought together" counts in memory: for each product, the products most often in the same
//! orders, the ranking the recommendation slots fall back on when no model is published (and
//! the `co-purchases` arm of the `recs_algorithm` experiment always uses).
//!
//! Counting it per request in SQL (a self-join of `order_lines` through every order holding
//! the product) took 8–15 ms for a best-seller, the whole of a product page's time budget;
//! here a page reads a list. The table is rebuilt from the database when it is older than
//! [`MAX_AGE`], in the background while requests keep the previous one, so an order placed
//! in the store shows up within minutes, on every replica, with no coordination.
//!
//! It never decides stock or what a visitor already has: callers filter its ranking.

use crate::db::Db;
use anyhow::Context;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How old a table may get before a request starts a rebuild.
pub const MAX_AGE: Duration = Duration::from_secs(600);
/// Partners kept per product: enough for a slot after excluding the cart and stock-outs.
const KEPT: usize = 64;

/// Per product, its partners with the number of orders holding both, best first (more
/// orders, then the smaller stem, as a stable tie-break).
#[derive(Debug, Default)]
pub struct CoPurchases {
    partners: HashMap<String, Vec<(String, u32)>>,
    built: Option<Instant>,
}

impl CoPurchases {
    /// Counts from `baskets` (each an order's product stems, in any order, repeats allowed).
    pub fn from_baskets<I, B>(baskets: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: IntoIterator<Item = String>,
    {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
        for basket in baskets {
            let mut items: Vec<u32> = basket
                .into_iter()
                .map(|stem| {
                    let next = ids.len() as u32;
                    *ids.entry(stem).or_insert(next)
                })
                .collect();
            items.sort_unstable();
            items.dedup();
            for (i, &a) in items.iter().enumerate() {
                for &b in &items[i + 1..] {
                    *pairs.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
        let mut stems = vec![String::new(); ids.len()];
        for (stem, id) in ids {
            stems[id as usize] = stem;
        }
        let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); stems.len()];
        for ((a, b), n) in pairs {
            lists[a as usize].push((b, n));
            lists[b as usize].push((a, n));
        }
        let partners = lists
            .into_iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(id, mut list)| {
                list.sort_unstable_by(|x, y| {
                    y.1.cmp(&x.1)
                        .then_with(|| stems[x.0 as usize].cmp(&stems[y.0 as usize]))
                });
                list.truncate(KEPT);
                let named = list
                    .into_iter()
                    .map(|(p, n)| (stems[p as usize].clone(), n))
                    .collect();
                (stems[id].clone(), named)
            })
            .collect();
        CoPurchases {
            partners,
            built: Some(Instant::now()),
        }
    }

    /// Reads every order's products from `db` and counts them (off the async workers).
    #[tracing::instrument(skip(db))]
    pub async fn load(db: &Db) -> anyhow::Result<Self> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.order_number, v.stem FROM order_lines l JOIN variants v ON v.sku = l.sku \
             ORDER BY l.order_number",
        )
        .fetch_all(db)
        .await
        .context("Failed to read orders for the co-purchase table")?;
        let table = tokio::task::spawn_blocking(move || {
            let mut baskets: Vec<Vec<String>> = Vec::new();
            let mut current: Option<String> = None;
            for (order, stem) in rows {
                if current.as_deref() != Some(order.as_str()) {
                    baskets.push(Vec::new());
                    current = Some(order);
                }
                if let Some(basket) = baskets.last_mut() {
                    basket.push(stem);
                }
            }
            CoPurchases::from_baskets(baskets)
        })
        .await
        .context("The co-purchase count did not finish")?;
        tracing::info!(products = table.partners.len(), "co-purchase table built");
        Ok(table)
    }

    /// Whether the table is older than `max_age` (an empty default table always is).
    pub fn is_stale(&self, max_age: Duration) -> bool {
        self.built.is_none_or(|at| at.elapsed() > max_age)
    }

    /// Products bought with `seeds`, best first: each partner scores the orders it shares with
    /// each seed, summed over the seeds. Seeds themselves are left out; at most `limit`.
    pub fn ranked(&self, seeds: &[String], limit: usize) -> Vec<String> {
        let mut scores: HashMap<&str, u32> = HashMap::new();
        for seed in seeds {
            for (partner, n) in self.partners.get(seed).into_iter().flatten() {
                if !seeds.contains(partner) {
                    *scores.entry(partner.as_str()).or_insert(0) += n;
                }
            }
        }
        let mut ranked: Vec<(&str, u32)> = scores.into_iter().collect();
        ranked.sort_unstable_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(y.0)));
        ranked
            .into_iter()
            .take(limit)
            .map(|(s, _)| s.to_string())
            .collect()
    }
}

/// The table in service: swapped whole by a rebuild, read by every slot.
#[derive(Default)]
pub struct CoPurchaseCache {
    table: RwLock<Arc<CoPurchases>>,
    rebuilding: AtomicBool,
}

impl CoPurchaseCache {
    /// Rebuilds the table now (at start and after an import).
    pub async fn rebuild(&self, db: &Db) -> anyhow::Result<()> {
        let table = CoPurchases::load(db).await?;
        *self.table.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(table);
        Ok(())
    }

    /// The current table. When it is older than [`MAX_AGE`], one background rebuild starts
    /// (a failed one is logged and retried by a later request) and this request, like those
    /// arriving meanwhile, uses the table it has.
    pub fn current(self: &Arc<Self>, db: &Db) -> Arc<CoPurchases> {
        let table = self.table.read().unwrap_or_else(|e| e.into_inner()).clone();
        if table.is_stale(MAX_AGE) && !self.rebuilding.swap(true, Ordering::AcqRel) {
            let (cache, db) = (Arc::clone(self), db.clone());
            tokio::spawn(async move {
                if let Err(e) = cache.rebuild(&db).await {
                    tracing::warn!(error = %format!("{e:#}"), "co-purchase table not rebuilt");
                }
                cache.rebuilding.store(false, Ordering::Release);
            });
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basket(stems: &[&str]) -> Vec<String> {
        stems.iter().map(|s| s.to_string()).collect()
    }

    fn table() -> CoPurchases {
        CoPurchases::from_baskets([
            basket(&["A", "B", "C"]),
            basket(&["A", "B", "B"]),
            basket(&["A", "D"]),
            basket(&["B", "C"]),
            basket(&["E"]),
        ])
    }

    #[test]
    fn partners_rank_by_orders_shared_then_stem() {
        let t = table();
        // A shares two orders with B (a repeated line counts once), one with C and one with D.
        assert_eq!(t.ranked(&basket(&["A"]), 10), ["B", "C", "D"]);
        assert_eq!(t.ranked(&basket(&["A"]), 1), ["B"]);
        assert_eq!(t.ranked(&basket(&["C"]), 10), ["B", "A"]);
        assert!(t.ranked(&basket(&["E"]), 10).is_empty(), "bought alone");
        assert!(t.ranked(&basket(&["unknown"]), 10).is_empty());
    }

    #[test]
    fn several_seeds_add_up_and_are_never_suggested() {
        let t = table();
        // C: 1 order with A + 2 with B; D: 1 with A. A and B, the seeds, never.
        assert_eq!(t.ranked(&basket(&["A", "B"]), 10), ["C", "D"]);
        assert_eq!(t.ranked(&basket(&["D", "C"]), 10), ["A", "B"]);
    }

    #[test]
    fn a_default_table_is_stale_and_a_new_one_is_not() {
        assert!(CoPurchases::default().is_stale(MAX_AGE));
        assert!(!table().is_stale(MAX_AGE));
        let t = table();
        std::thread::sleep(Duration::from_millis(2));
        assert!(t.is_stale(Duration::from_millis(1)));
    }
}
