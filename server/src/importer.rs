//! Writes a parsed catalogue into the database in one transaction.
//!
//! Parsing (pure, in [`crate::import`]) happens first and rejects a bad file before anything
//! is written; the write then either lands whole or not at all. Re-running adds only what is
//! new: products, variants, customers and orders already present are left as the store has
//! them (prices and stock belong to the store after the first import), and units sold are
//! recomputed from the order lines, so a second run duplicates nothing.

use crate::db::{self, Db};
use crate::import::{self, ImportOptions, ImportReport, ImportedCatalogue};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Any, Transaction};
use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::time::Instant;

/// Rows per multi-row INSERT: far below SQLite's and PostgreSQL's parameter limits.
const BATCH: usize = 100;
/// The demo catalogue's currency: the UCI data is priced in pounds sterling.
pub const CURRENCY: &str = "GBP";

/// Whether to draw a progress bar on stderr (hidden anyway when stderr is not a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Bar,
    Hidden,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportSummary {
    pub source: String,
    pub seconds: f64,
    pub products: usize,
    pub new_products: usize,
    pub variants: usize,
    pub new_variants: usize,
    pub customers: usize,
    pub orders: usize,
    pub new_orders: usize,
    pub report: ImportReport,
}

/// Parses `path` and writes it. Nothing is written if the file is rejected.
pub async fn import_file(
    db: &Db,
    path: &Path,
    options: &ImportOptions,
    progress: Progress,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let file =
        std::fs::File::open(path).with_context(|| format!("Failed to open {}", path.display()))?;
    let options = options.clone();
    let catalogue = tokio::task::spawn_blocking(move || {
        import::parse_catalogue(std::io::BufReader::new(file), &options)
    })
    .await
    .context("The import parser stopped unexpectedly")?
    .with_context(|| {
        format!(
            "{} was rejected; the database was not changed",
            path.display()
        )
    })?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut summary = write_catalogue(db, &catalogue, &source, progress).await?;
    summary.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        products = summary.products,
        orders = summary.orders,
        seconds = summary.seconds,
        "import finished"
    );
    Ok(summary)
}

/// Writes a parsed catalogue in one transaction.
#[tracing::instrument(skip_all, fields(source = source))]
pub async fn write_catalogue(
    db: &Db,
    cat: &ImportedCatalogue,
    source: &str,
    progress: Progress,
) -> anyhow::Result<ImportSummary> {
    let bar = progress_bar(cat, progress);
    let mut tx = db
        .begin()
        .await
        .context("Failed to start the import transaction")?;
    let existing_stems = existing(&mut tx, "SELECT stem FROM products").await?;
    let existing_skus = existing(&mut tx, "SELECT sku FROM variants").await?;
    let existing_orders = existing(&mut tx, "SELECT number FROM orders").await?;

    write_categories(&mut tx, cat).await?;
    let new_products: Vec<_> = cat
        .products
        .iter()
        .filter(|p| !existing_stems.contains(&p.stem))
        .collect();
    write_products(&mut tx, &new_products).await?;
    bar.inc(cat.products.len() as u64);
    let new_variants = write_variants(&mut tx, cat, &existing_skus).await?;
    write_customers(&mut tx, cat).await?;
    bar.inc(cat.customers.len() as u64);
    let new_orders: Vec<_> = cat
        .orders
        .iter()
        .filter(|o| !existing_orders.contains(&o.number))
        .collect();
    write_orders(&mut tx, &new_orders, &bar).await?;
    recompute_units_sold(&mut tx).await?;

    let summary = ImportSummary {
        source: source.to_string(),
        seconds: 0.0,
        products: cat.products.len(),
        new_products: new_products.len(),
        variants: cat.products.iter().map(|p| p.variants.len()).sum(),
        new_variants,
        customers: cat.customers.len(),
        orders: cat.orders.len(),
        new_orders: new_orders.len(),
        report: cat.report.clone(),
    };
    sqlx::query("INSERT INTO imports (started_at, source_name, summary) VALUES ($1, $2, $3)")
        .bind(db::now())
        .bind(source)
        .bind(summary.to_string())
        .execute(&mut *tx)
        .await
        .context("Failed to record the import")?;
    tx.commit().await.context("Failed to commit the import")?;
    bar.finish_and_clear();
    Ok(summary)
}

fn progress_bar(cat: &ImportedCatalogue, progress: Progress) -> ProgressBar {
    if progress == Progress::Hidden {
        return ProgressBar::hidden();
    }
    let total = cat.products.len() + cat.customers.len() + cat.orders.len();
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("importing {bar:40} {pos}/{len} rows {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

async fn existing(tx: &mut Transaction<'_, Any>, sql: &str) -> anyhow::Result<HashSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .fetch_all(&mut **tx)
        .await
        .context("Failed to read existing keys")?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

async fn write_categories(
    tx: &mut Transaction<'_, Any>,
    cat: &ImportedCatalogue,
) -> anyhow::Result<()> {
    for c in &cat.categories {
        sqlx::query(
            "INSERT INTO categories (slug, name, description, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, \
             position = excluded.position",
        )
        .bind(&c.slug)
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.position)
        .execute(&mut **tx)
        .await
        .context("Failed to write categories")?;
    }
    Ok(())
}

async fn write_products(
    tx: &mut Transaction<'_, Any>,
    products: &[&import::ProductRecord],
) -> anyhow::Result<()> {
    let now = db::now();
    for chunk in products.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO products (stem, slug, title, description, category_slug, units_sold, first_seen, updated_at) VALUES {}",
            db::values_placeholders(chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q
                .bind(&p.stem)
                .bind(&p.slug)
                .bind(&p.title)
                .bind(&p.description);
            q = q
                .bind(&p.category_slug)
                .bind(p.units_sold)
                .bind(p.first_seen)
                .bind(now);
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write products")?;
    }
    let attributes: Vec<(&str, &str)> = products
        .iter()
        .flat_map(|p| p.colours.iter().map(move |c| (p.stem.as_str(), c.as_str())))
        .collect();
    for chunk in attributes.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO product_attributes (stem, name, value) VALUES {}",
            db::values_placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (stem, colour) in chunk {
            q = q.bind(*stem).bind("colour").bind(*colour);
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write product attributes")?;
    }
    Ok(())
}

/// Inserts variants not yet known, each with its first price-history entry.
async fn write_variants(
    tx: &mut Transaction<'_, Any>,
    cat: &ImportedCatalogue,
    known: &HashSet<String>,
) -> anyhow::Result<usize> {
    let fresh: Vec<_> = cat
        .products
        .iter()
        .flat_map(|p| p.variants.iter().map(move |v| (p, v)))
        .filter(|(_, v)| !known.contains(&v.sku))
        .collect();
    for chunk in fresh.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO variants (sku, stem, label, title, price_minor, currency, cost_minor, stock, units_sold, first_seen) VALUES {}",
            db::values_placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (p, v) in chunk {
            q = q
                .bind(&v.sku)
                .bind(&p.stem)
                .bind(&v.label)
                .bind(&v.title)
                .bind(v.price_minor);
            q = q
                .bind(CURRENCY)
                .bind(v.cost_minor)
                .bind(v.stock)
                .bind(v.units_sold)
                .bind(v.first_seen);
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write variants")?;

        let sql = format!(
            "INSERT INTO price_history (sku, valid_from, price_minor, currency, source, reason) VALUES {}",
            db::values_placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (_, v) in chunk {
            q = q
                .bind(&v.sku)
                .bind(v.first_seen)
                .bind(v.price_minor)
                .bind(CURRENCY);
            q = q
                .bind("import")
                .bind("list price: the most common unit price in the imported sales");
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write price history")?;
    }
    Ok(fresh.len())
}

async fn write_customers(
    tx: &mut Transaction<'_, Any>,
    cat: &ImportedCatalogue,
) -> anyhow::Result<()> {
    for chunk in cat.customers.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO customers (id, country) VALUES {} ON CONFLICT (id) DO NOTHING",
            db::values_placeholders(chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(c.id).bind(&c.country);
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write customers")?;
    }
    Ok(())
}

async fn write_orders(
    tx: &mut Transaction<'_, Any>,
    orders: &[&import::OrderRecord],
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    for chunk in orders.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO orders (number, customer_id, country, placed_at, status, currency, total_minor, source) VALUES {}",
            db::values_placeholders(chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for o in chunk {
            let total: i64 = o
                .lines
                .iter()
                .map(|l| l.quantity * l.unit_price_minor)
                .sum();
            q = q
                .bind(&o.number)
                .bind(o.customer_id)
                .bind(&o.country)
                .bind(o.placed_at);
            q = q.bind(&o.status).bind(CURRENCY).bind(total).bind("import");
        }
        q.execute(&mut **tx)
            .await
            .context("Failed to write orders")?;

        let lines: Vec<_> = chunk
            .iter()
            .flat_map(|o| o.lines.iter().enumerate().map(move |(i, l)| (o, i, l)))
            .collect();
        for lines in lines.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO order_lines (order_number, line_no, sku, quantity, unit_price_minor) VALUES {}",
                db::values_placeholders(lines.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for (o, i, l) in lines {
                q = q
                    .bind(&o.number)
                    .bind(*i as i64 + 1)
                    .bind(&l.sku)
                    .bind(l.quantity)
                    .bind(l.unit_price_minor);
            }
            q.execute(&mut **tx)
                .await
                .context("Failed to write order lines")?;
        }
        bar.inc(chunk.len() as u64);
    }
    Ok(())
}

/// Units sold from the order lines themselves, so re-imports and later orders stay consistent.
/// Set-based (one aggregate, then a join), never a correlated subquery per row: inside the
/// import transaction PostgreSQL has no statistics for the new rows and may plan a correlated
/// subquery as a nested scan of every order line per variant (minutes instead of milliseconds).
async fn recompute_units_sold(tx: &mut Transaction<'_, Any>) -> anyhow::Result<()> {
    for sql in [
        "UPDATE variants SET units_sold = 0",
        "UPDATE variants SET units_sold = t.n FROM (SELECT l.sku, CAST(SUM(l.quantity) AS BIGINT) AS n \
         FROM order_lines l JOIN orders o ON o.number = l.order_number WHERE o.status <> 'cancelled' \
         GROUP BY l.sku) t WHERE variants.sku = t.sku",
        "UPDATE products SET units_sold = t.n FROM (SELECT stem, CAST(SUM(units_sold) AS BIGINT) AS n \
         FROM variants GROUP BY stem) t WHERE products.stem = t.stem",
    ] {
        sqlx::query(sql)
            .execute(&mut **tx)
            .await
            .context("Failed to recompute units sold")?;
    }
    Ok(())
}

/// True when no product exists yet (first start).
pub async fn catalogue_is_empty(db: &Db) -> anyhow::Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM products")
        .fetch_one(db)
        .await
        .context("Failed to count products")?;
    Ok(n == 0)
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Imported {} in {:.1} s", self.source, self.seconds)?;
        writeln!(
            f,
            "  products   {:>6} ({} new)",
            self.products, self.new_products
        )?;
        writeln!(
            f,
            "  variants   {:>6} ({} new)",
            self.variants, self.new_variants
        )?;
        writeln!(f, "  customers  {:>6}", self.customers)?;
        writeln!(
            f,
            "  orders     {:>6} ({} new)",
            self.orders, self.new_orders
        )?;
        let skipped: usize = self.report.skipped.values().sum();
        writeln!(
            f,
            "  lines read {:>6}; skipped {}; malformed {}",
            self.report.data_lines,
            skipped,
            self.report.malformed.len()
        )?;
        for (reason, n) in &self.report.skipped {
            writeln!(f, "    skipped {n:>5}: {reason}")?;
        }
        for m in self.report.malformed.iter().take(20) {
            writeln!(f, "    malformed line {}: {}", m.line, m.reason)?;
        }
        if self.report.malformed.len() > 20 {
            writeln!(
                f,
                "    ... and {} more malformed lines",
                self.report.malformed.len() - 20
            )?;
        }
        Ok(())
    }
}
