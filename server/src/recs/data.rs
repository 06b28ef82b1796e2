//! Reading what the recommender learns from: every product is an item (the catalogue the
//! lists rank over), every customer a user, and every order line of an order with a customer
//! (imported or placed on the web, not cancelled) a purchase of the line's product stem.

use crate::db::Db;
use anyhow::Context;
use std::collections::HashMap;
use vitrine_recs::{Dataset, Interaction, Signal};

/// The dataset and the ids behind its indices.
#[derive(Clone, Debug, Default)]
pub struct Interactions {
    pub dataset: Dataset,
    /// Item index → product stem.
    pub stems: Vec<String>,
    /// Category index → category slug.
    pub categories: Vec<String>,
    /// User index → customer id.
    pub customers: Vec<i64>,
}

/// Loads products, customers and their purchases.
#[tracing::instrument(skip_all)]
pub async fn load_interactions(db: &Db) -> anyhow::Result<Interactions> {
    let products: Vec<(String, String)> =
        sqlx::query_as("SELECT stem, category_slug FROM products ORDER BY stem")
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

    let mut categories: Vec<String> = Vec::new();
    let mut category_index: HashMap<String, u32> = HashMap::new();
    let mut item_index: HashMap<String, u32> = HashMap::new();
    let mut stems = Vec::with_capacity(products.len());
    let mut item_category = Vec::with_capacity(products.len());
    for (stem, category) in products {
        let c = *category_index.entry(category.clone()).or_insert_with(|| {
            categories.push(category);
            (categories.len() - 1) as u32
        });
        item_index.insert(stem.clone(), stems.len() as u32);
        stems.push(stem);
        item_category.push(c);
    }
    let mut customers: Vec<i64> = Vec::new();
    let mut user_index: HashMap<i64, u32> = HashMap::new();
    let mut interactions = Vec::with_capacity(purchases.len());
    for (customer, stem, placed_at) in purchases {
        let Some(&item) = item_index.get(&stem) else {
            continue;
        };
        let user = *user_index.entry(customer).or_insert_with(|| {
            customers.push(customer);
            (customers.len() - 1) as u32
        });
        interactions.push(Interaction {
            user,
            item,
            time: placed_at,
            signal: Signal::Purchase,
        });
    }
    Ok(Interactions {
        dataset: Dataset {
            n_users: customers.len(),
            n_items: stems.len(),
            interactions,
            item_category,
        },
        stems,
        categories,
        customers,
    })
}
