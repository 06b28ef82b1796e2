//! The dashboard's queries: one set-based GROUP BY per figure, read-only, the same SQL on
//! SQLite and PostgreSQL (aggregates cast to BIGINT for the `Any` driver). Orders that were
//! cancelled are left out everywhere; money is the store currency's minor units.

use super::{COVER_DAYS, Daily, Funnel, Kpis, LowStock, Period, RECENT_DAYS, TopProduct};
use crate::db::Db;
use anyhow::Context;

/// Every order's currency today (the import and the store price in pounds).
const CURRENCY: &str = "GBP";

/// Orders and revenue in the period, all sources and the store's own.
#[tracing::instrument(skip(db))]
pub async fn kpis(db: &Db, period: Period) -> anyhow::Result<Kpis> {
    let (orders, revenue, web_orders, web_revenue): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), \
                CAST(COALESCE(SUM(total_minor), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN source = 'web' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN source = 'web' THEN total_minor ELSE 0 END), 0) AS BIGINT) \
         FROM orders \
         WHERE placed_at >= $1 AND placed_at < $2 AND status <> 'cancelled' AND currency = $3",
    )
    .bind(period.start())
    .bind(period.end())
    .bind(CURRENCY)
    .fetch_one(db)
    .await
    .context("Failed to count the period's orders")?;
    Ok(Kpis {
        orders,
        revenue,
        web_orders,
        web_revenue,
    })
}

/// Orders and revenue per day that had orders.
#[tracing::instrument(skip(db))]
pub async fn daily(db: &Db, period: Period) -> anyhow::Result<Vec<Daily>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT CAST(placed_at / 86400 AS BIGINT) AS day, CAST(COUNT(*) AS BIGINT), \
                CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) \
         FROM orders \
         WHERE placed_at >= $1 AND placed_at < $2 AND status <> 'cancelled' AND currency = $3 \
         GROUP BY CAST(placed_at / 86400 AS BIGINT) ORDER BY day",
    )
    .bind(period.start())
    .bind(period.end())
    .bind(CURRENCY)
    .fetch_all(db)
    .await
    .context("Failed to sum the period's days")?;
    Ok(rows
        .into_iter()
        .map(|(day, orders, revenue)| Daily {
            day,
            orders,
            revenue,
        })
        .collect())
}

/// Distinct visitors per funnel step: one row per visitor with a flag per step (from
/// `funnel_steps` and `events`), then summed. "Through" multiplies the flags, so it counts
/// visitors who did a step and every step before it.
#[tracing::instrument(skip(db))]
pub async fn funnel(db: &Db, period: Period) -> anyhow::Result<Funnel> {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(visit), 0) AS BIGINT), \
                CAST(COALESCE(SUM(viewed), 0) AS BIGINT), \
                CAST(COALESCE(SUM(carted), 0) AS BIGINT), \
                CAST(COALESCE(SUM(checkout), 0) AS BIGINT), \
                CAST(COALESCE(SUM(bought), 0) AS BIGINT), \
                CAST(COALESCE(SUM(visit * viewed), 0) AS BIGINT), \
                CAST(COALESCE(SUM(visit * viewed * carted), 0) AS BIGINT), \
                CAST(COALESCE(SUM(visit * viewed * carted * checkout), 0) AS BIGINT), \
                CAST(COALESCE(SUM(visit * viewed * carted * checkout * bought), 0) AS BIGINT), \
                CAST(COALESCE(SUM(visit * bought), 0) AS BIGINT) \
         FROM ( \
             SELECT visitor_id, MAX(visit) AS visit, MAX(viewed) AS viewed, MAX(carted) AS carted, \
                    MAX(checkout) AS checkout, MAX(bought) AS bought \
             FROM ( \
                 SELECT visitor_id, \
                        CASE WHEN step = 'visit' THEN 1 ELSE 0 END AS visit, \
                        0 AS viewed, 0 AS carted, \
                        CASE WHEN step = 'checkout' THEN 1 ELSE 0 END AS checkout, \
                        0 AS bought \
                 FROM funnel_steps WHERE day >= $1 AND day <= $2 \
                 UNION ALL \
                 SELECT visitor_id, 0, \
                        CASE WHEN kind = 'view' THEN 1 ELSE 0 END, \
                        CASE WHEN kind = 'cart' THEN 1 ELSE 0 END, \
                        0, \
                        CASE WHEN kind = 'purchase' THEN 1 ELSE 0 END \
                 FROM events WHERE at >= $3 AND at < $4 \
             ) steps \
             GROUP BY visitor_id \
         ) visitors",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(period.start())
    .bind(period.end())
    .fetch_one(db)
    .await
    .context("Failed to count the funnel")?;
    let (v, p, c, k, b, tp, tc, tk, tb, converted) = row;
    Ok(Funnel {
        reached: [v, p, c, k, b],
        through: [v, tp, tc, tk, tb],
        converted,
    })
}

/// The `limit` products with the most line revenue in the period, and the line revenue of all
/// products (what their shares are of).
#[tracing::instrument(skip(db))]
pub async fn top_products(
    db: &Db,
    period: Period,
    limit: i64,
) -> anyhow::Result<(Vec<TopProduct>, i64)> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT p.stem, p.title, CAST(SUM(s.units) AS BIGINT) AS units, \
                CAST(SUM(s.revenue) AS BIGINT) AS revenue \
         FROM ( \
             SELECT l.sku AS sku, SUM(l.quantity) AS units, \
                    SUM(l.quantity * l.unit_price_minor) AS revenue \
             FROM order_lines l JOIN orders o ON o.number = l.order_number \
             WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.status <> 'cancelled' \
               AND o.currency = $3 \
             GROUP BY l.sku \
         ) s \
         JOIN variants v ON v.sku = s.sku \
         JOIN products p ON p.stem = v.stem \
         GROUP BY p.stem, p.title \
         ORDER BY revenue DESC, p.stem \
         LIMIT $4",
    )
    .bind(period.start())
    .bind(period.end())
    .bind(CURRENCY)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to rank the period's products")?;
    let (sales,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(l.quantity * l.unit_price_minor), 0) AS BIGINT) \
         FROM order_lines l JOIN orders o ON o.number = l.order_number \
         WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.status <> 'cancelled' AND o.currency = $3",
    )
    .bind(period.start())
    .bind(period.end())
    .bind(CURRENCY)
    .fetch_one(db)
    .await
    .context("Failed to sum the period's sales")?;
    let top = rows
        .into_iter()
        .map(|(stem, title, units, revenue)| TopProduct {
            stem,
            title,
            units,
            revenue,
        })
        .collect();
    Ok((top, sales))
}

/// Variants with less than [`COVER_DAYS`] days of stock at the rate they sold in the last
/// [`RECENT_DAYS`] days of the period (the rule of [`super::is_low_stock`], in SQL).
#[tracing::instrument(skip(db))]
pub async fn low_stock(db: &Db, period: Period) -> anyhow::Result<Vec<LowStock>> {
    let sql = format!(
        "SELECT s.sku, v.title, v.stock, CAST(s.units AS BIGINT) \
         FROM ( \
             SELECT l.sku AS sku, SUM(l.quantity) AS units \
             FROM order_lines l JOIN orders o ON o.number = l.order_number \
             WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.status <> 'cancelled' \
             GROUP BY l.sku \
         ) s \
         JOIN variants v ON v.sku = s.sku \
         WHERE v.stock * {RECENT_DAYS} < {COVER_DAYS} * s.units"
    );
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(&sql)
        .bind(period.recent_start())
        .bind(period.end())
        .fetch_all(db)
        .await
        .context("Failed to find the variants low on stock")?;
    Ok(rows
        .into_iter()
        .map(|(sku, title, stock, recent_units)| LowStock {
            sku,
            title,
            stock,
            recent_units,
        })
        .collect())
}
