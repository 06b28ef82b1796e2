//! Reading what the recommender learns from: every product is an item (the catalogue the
//! lists rank over) and three kinds of rows are users:
//!
//! - a customer: every order line of their orders (imported or placed on the web, not
//!   cancelled) is a purchase of the line's product stem;
//! - an imported invoice without a customer (a third of the historical invoices): one basket,
//!   so its items count as bought together. Web orders without a customer are left out: the
//!   visitor's own purchase events below already hold them when the visitor may be profiled,
//!   and must not when they may not;
//! - a visitor of the store (the `events` table): what they viewed, put in the cart and
//!   bought, recorded only for visitors who may be profiled (see `events.rs`).
//!
//! Only customers can have purchases on both sides of a time split (an invoice is one
//! moment; the shipped data has no visitor events), so the benchmark still scores
//! known customers only; the other rows add co-occurrences to learn from.

use crate::db::Db;
use anyhow::Context;
use std::collections::HashMap;
use vitrine_recs::{Dataset, Interaction, Signal};

/// Who a row of the interaction matrix is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UserKey {
    Customer(i64),
    Invoice(String),
    Visitor(String),
}

/// The dataset and the ids behind its indices.
#[derive(Clone, Debug, Default)]
pub struct Interactions {
    pub dataset: Dataset,
    /// Item index → product stem.
    pub stems: Vec<String>,
    /// Category index → category slug.
    pub categories: Vec<String>,
    /// User index → who.
    pub users: Vec<UserKey>,
}

/// Loads products, then the customers', guest invoices' and visitors' interactions.
#[tracing::instrument(skip_all)]
pub async fn load_interactions(db: &Db) -> anyhow::Result<Interactions> {
    let products: Vec<(String, String, String)> =
        sqlx::query_as("SELECT stem, category_slug, title FROM products ORDER BY stem")
            .fetch_all(db)
            .await
            .context("Failed to read the products for recommendations")?;
    // One purchase per (customer, product, order time): two variants of a product on one
    // order are one purchase of the product.
    let purchases: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT DISTINCT o.customer_id, v.stem, o.placed_at \
         FROM orders o \
         JOIN order_lines l ON l.order_number = o.number \
         JOIN variants v ON v.sku = l.sku \
         WHERE o.customer_id IS NOT NULL AND o.status <> 'cancelled' \
         ORDER BY o.customer_id, v.stem, o.placed_at",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the purchases for recommendations")?;
    let baskets: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT DISTINCT o.number, v.stem, o.placed_at \
         FROM orders o \
         JOIN order_lines l ON l.order_number = o.number \
         JOIN variants v ON v.sku = l.sku \
         WHERE o.customer_id IS NULL AND o.source = 'import' AND o.status <> 'cancelled' \
         ORDER BY o.number, v.stem",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the guest invoices for recommendations")?;
    let events: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT visitor_id, kind, stem, at FROM events ORDER BY visitor_id, at")
            .fetch_all(db)
            .await
            .context("Failed to read the shopper events for recommendations")?;

    let mut out = Interactions::default();
    let mut category_index: HashMap<String, u32> = HashMap::new();
    let mut item_index: HashMap<String, u32> = HashMap::new();
    for (stem, category, title) in products {
        let c = *category_index.entry(category.clone()).or_insert_with(|| {
            out.categories.push(category);
            (out.categories.len() - 1) as u32
        });
        item_index.insert(stem.clone(), out.stems.len() as u32);
        out.stems.push(stem);
        out.dataset.item_category.push(c);
        out.dataset.item_titles.push(title);
    }
    let mut user_index: HashMap<UserKey, u32> = HashMap::new();
    let mut add = |key: UserKey, stem: &str, time: i64, signal: Signal| {
        // Events may name a product that is gone since; the model ranks today's catalogue.
        let Some(&item) = item_index.get(stem) else {
            return;
        };
        let user = *user_index.entry(key.clone()).or_insert_with(|| {
            out.users.push(key);
            (out.users.len() - 1) as u32
        });
        out.dataset.interactions.push(Interaction {
            user,
            item,
            time,
            signal,
        });
    };
    for (customer, stem, placed_at) in purchases {
        add(
            UserKey::Customer(customer),
            &stem,
            placed_at,
            Signal::Purchase,
        );
    }
    for (number, stem, placed_at) in baskets {
        add(UserKey::Invoice(number), &stem, placed_at, Signal::Purchase);
    }
    for (visitor, kind, stem, at) in events {
        let signal = match kind.as_str() {
            "view" => Signal::View,
            "cart" => Signal::Cart,
            _ => Signal::Purchase,
        };
        add(UserKey::Visitor(visitor), &stem, at, signal);
    }
    out.dataset.n_users = out.users.len();
    out.dataset.n_items = out.stems.len();
    Ok(out)
}
