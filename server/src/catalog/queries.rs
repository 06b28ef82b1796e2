//! The catalogue's SQL: small functions named after what they fetch, each run on SQLite and
//! PostgreSQL alike. Rows are ssr-only types; the service turns them into wire types.

use crate::db::{self, Db};
use anyhow::Context;
use std::collections::HashMap;

#[derive(Debug, sqlx::FromRow)]
pub struct CategoryRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub product_count: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub stem: String,
    pub slug: String,
    pub title: String,
    pub units_sold: i64,
    pub first_seen: i64,
    pub min_price: i64,
    pub max_price: i64,
    pub stock: i64,
    pub currency: String,
    /// The first SKU, and how many variants there are (one: the card can add it directly).
    pub first_sku: String,
    pub variant_count: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct ProductRow {
    pub stem: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub category_slug: String,
    pub updated_at: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct VariantRow {
    pub sku: String,
    pub label: String,
    pub title: String,
    pub price_minor: i64,
    pub currency: String,
    pub stock: i64,
}

const SUMMARY_SELECT: &str = "SELECT p.stem, p.slug, p.title, p.units_sold, p.first_seen, \
     CAST(MIN(v.price_minor) AS BIGINT) AS min_price, CAST(MAX(v.price_minor) AS BIGINT) AS max_price, \
     CAST(SUM(v.stock) AS BIGINT) AS stock, MIN(v.currency) AS currency, \
     MIN(v.sku) AS first_sku, CAST(COUNT(v.sku) AS BIGINT) AS variant_count \
     FROM products p JOIN variants v ON v.stem = p.stem";
const SUMMARY_GROUP: &str = "GROUP BY p.stem, p.slug, p.title, p.units_sold, p.first_seen";

#[tracing::instrument(skip(db))]
pub async fn categories(db: &Db) -> anyhow::Result<Vec<CategoryRow>> {
    sqlx::query_as(
        "SELECT c.slug, c.name, c.description, CAST(COUNT(p.stem) AS BIGINT) AS product_count \
         FROM categories c LEFT JOIN products p ON p.category_slug = c.slug \
         GROUP BY c.slug, c.name, c.description, c.position ORDER BY c.position, c.slug",
    )
    .fetch_all(db)
    .await
    .context("Failed to list categories")
}

#[tracing::instrument(skip(db))]
pub async fn summaries_in_category(db: &Db, slug: &str) -> anyhow::Result<Vec<SummaryRow>> {
    let sql = format!("{SUMMARY_SELECT} WHERE p.category_slug = $1 {SUMMARY_GROUP}");
    sqlx::query_as(&sql)
        .bind(slug)
        .fetch_all(db)
        .await
        .context("Failed to list a category")
}

#[tracing::instrument(skip(db, stems), fields(n = stems.len()))]
pub async fn summaries_by_stem(db: &Db, stems: &[String]) -> anyhow::Result<Vec<SummaryRow>> {
    if stems.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SUMMARY_SELECT} WHERE p.stem IN ({}) {SUMMARY_GROUP}",
        db::list_placeholders(1, stems.len())
    );
    let mut q = sqlx::query_as(&sql);
    for s in stems {
        q = q.bind(s);
    }
    q.fetch_all(db)
        .await
        .context("Failed to load products by stem")
}

/// The best sellers that are in stock: aggregated over the top sellers only (a few times
/// `limit`), so the home page never scans the whole catalogue.
#[tracing::instrument(skip(db))]
pub async fn popular(db: &Db, limit: i64) -> anyhow::Result<Vec<SummaryRow>> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE p.stem IN (SELECT stem FROM products ORDER BY units_sold DESC, stem LIMIT $2) \
         {SUMMARY_GROUP} HAVING SUM(v.stock) > 0 ORDER BY p.units_sold DESC, p.stem LIMIT $1"
    );
    sqlx::query_as(&sql)
        .bind(limit)
        .bind(limit * 8)
        .fetch_all(db)
        .await
        .context("Failed to list popular products")
}

/// Colour values per product, optionally only for one category.
#[tracing::instrument(skip(db))]
pub async fn colours(
    db: &Db,
    category: Option<&str>,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = match category {
        Some(slug) => sqlx::query_as(
            "SELECT a.stem, a.value FROM product_attributes a JOIN products p ON p.stem = a.stem \
             WHERE a.name = 'colour' AND p.category_slug = $1 ORDER BY a.stem, a.value",
        )
        .bind(slug)
        .fetch_all(db)
        .await,
        None => sqlx::query_as(
            "SELECT stem, value FROM product_attributes WHERE name = 'colour' ORDER BY stem, value",
        )
        .fetch_all(db)
        .await,
    }
    .context("Failed to load colours")?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (stem, value) in rows {
        map.entry(stem).or_default().push(value);
    }
    Ok(map)
}

#[tracing::instrument(skip(db))]
pub async fn product_by_slug(db: &Db, slug: &str) -> anyhow::Result<Option<ProductRow>> {
    sqlx::query_as("SELECT stem, slug, title, description, category_slug, updated_at FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await
        .context("Failed to load a product")
}

#[tracing::instrument(skip(db))]
pub async fn product_by_stem(db: &Db, stem: &str) -> anyhow::Result<Option<ProductRow>> {
    sqlx::query_as("SELECT stem, slug, title, description, category_slug, updated_at FROM products WHERE stem = $1")
        .bind(stem)
        .fetch_optional(db)
        .await
        .context("Failed to load a product")
}

/// The current slug of a product that used to answer to `old_slug`.
#[tracing::instrument(skip(db))]
pub async fn moved_slug(db: &Db, old_slug: &str) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT p.slug FROM product_slug_history h JOIN products p ON p.stem = h.stem WHERE h.old_slug = $1",
    )
    .bind(old_slug)
    .fetch_optional(db)
    .await
    .context("Failed to look up a moved product")?;
    Ok(row.map(|(s,)| s))
}

#[tracing::instrument(skip(db))]
pub async fn variants(db: &Db, stem: &str) -> anyhow::Result<Vec<VariantRow>> {
    sqlx::query_as("SELECT sku, label, title, price_minor, currency, stock FROM variants WHERE stem = $1 ORDER BY sku")
        .bind(stem)
        .fetch_all(db)
        .await
        .context("Failed to load variants")
}

/// Title and link of the SKUs the product page lists under each of `offers` (the first `listed`
/// of each offer's SKUs beyond the one on show, plus one to spare), by SKU.
pub async fn offer_items(
    db: &Db,
    offers: &[vitrine::cart::MultiBuy],
    listed: usize,
) -> anyhow::Result<std::collections::HashMap<String, vitrine::product::OfferItem>> {
    let mut skus: Vec<&String> = offers
        .iter()
        .filter(|o| o.skus.len() > 1)
        .flat_map(|o| o.skus.iter().take(listed + 1))
        .collect();
    skus.sort();
    skus.dedup();
    if skus.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT v.sku, v.title, p.slug FROM variants v JOIN products p ON p.stem = v.stem \
         WHERE v.sku IN ({})",
        crate::db::list_placeholders(1, skus.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
    for s in skus {
        query = query.bind(s.clone());
    }
    let rows = query
        .fetch_all(db)
        .await
        .context("Failed to load the multi-buy's items")?;
    Ok(rows
        .into_iter()
        .map(|(sku, title, slug)| {
            let href = format!("/p/{slug}?variant={sku}");
            (sku, vitrine::product::OfferItem { title, href })
        })
        .collect())
}

/// How the product page of `sku` states `offer` (at `price`): the other items it mixes, linked
/// from `items` (see [`offer_items`]), the first [`vitrine::product::MULTIBUY_LISTED`] of them.
pub fn multibuy_offer(
    offer: &vitrine::cart::MultiBuy,
    items: &std::collections::HashMap<String, vitrine::product::OfferItem>,
    sku: &str,
    price: vitrine::money::Money,
) -> vitrine::product::MultiBuyOffer {
    let listed = vitrine::product::MULTIBUY_LISTED;
    vitrine::product::MultiBuyOffer {
        quantity: offer.quantity,
        price,
        others: offer
            .skus
            .iter()
            .filter(|s| *s != sku)
            .filter_map(|s| items.get(s).cloned())
            .take(listed)
            .collect(),
        more: offer.skus.len().saturating_sub(1).saturating_sub(listed),
    }
}

/// Everything the search index and the sitemap read, in one pass.
#[derive(Debug, sqlx::FromRow)]
pub struct IndexRow {
    pub stem: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub category_name: String,
    pub updated_at: i64,
}

pub async fn all_products(db: &Db) -> anyhow::Result<Vec<IndexRow>> {
    sqlx::query_as(
        "SELECT p.stem, p.slug, p.title, p.description, c.name AS category_name, p.updated_at \
         FROM products p JOIN categories c ON c.slug = p.category_slug ORDER BY p.stem",
    )
    .fetch_all(db)
    .await
    .context("Failed to list products")
}

pub async fn all_variant_titles(db: &Db) -> anyhow::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT stem, title FROM variants ORDER BY stem, sku")
        .fetch_all(db)
        .await
        .context("Failed to list variant titles")
}

/// For the product image: title, category slug and colours.
pub async fn image_facts(db: &Db, stem: &str) -> anyhow::Result<Option<(String, String, String)>> {
    sqlx::query_as(
        "SELECT p.title, p.category_slug, c.name FROM products p JOIN categories c ON c.slug = p.category_slug WHERE p.stem = $1",
    )
    .bind(stem)
    .fetch_optional(db)
    .await
    .context("Failed to load image facts")
}

/// One product's colour values.
pub async fn colours_of(db: &Db, stem: &str) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT value FROM product_attributes WHERE stem = $1 AND name = 'colour' ORDER BY value",
    )
    .bind(stem)
    .fetch_all(db)
    .await
    .context("Failed to load a product's colours")?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The stem a product slug ends with (`white-heart-85123` -> `85123`).
pub(crate) fn stem_of_slug(slug: &str) -> Option<String> {
    let stem = slug.rsplit('-').next()?;
    (!stem.is_empty() && stem.len() <= 20 && stem.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| stem.to_ascii_uppercase())
}

/// Brings the current prices up to date (a flash sale that started or ended) before a listing
/// reads them, so listing cards agree with the product page at every moment.
pub(super) async fn settle_prices(db: &Db) -> Result<(), vitrine::error::StoreError> {
    crate::pricing::current::settle(db, db::now())
        .await
        .map_err(super::unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_end_with_their_stem() {
        assert_eq!(
            stem_of_slug("white-hanging-heart-85123").as_deref(),
            Some("85123")
        );
        assert_eq!(
            stem_of_slug("sunjar-led-night-light-dcgs0076").as_deref(),
            Some("DCGS0076")
        );
        assert_eq!(stem_of_slug("x-%00").as_deref(), None);
    }
}
