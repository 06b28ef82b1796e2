//! Reading orders back: the order page's data (behind the access key) and the lookup by
//! number + email that leads to it. Nothing here writes.

use crate::db::Db;
use anyhow::Context;
use vitrine::orders::OrderStatus;

/// How long after delivery a return can be requested ("7 days, no reason").
pub const RETURN_WINDOW_SECONDS: i64 = 7 * 24 * 60 * 60;

#[derive(sqlx::FromRow)]
struct OrderRow {
    number: String,
    status: String,
    currency: String,
    total_minor: i64,
    subtotal_minor: i64,
    shipping_minor: i64,
    discount_minor: i64,
    coupon_code: Option<String>,
    shipping_method: String,
    name: String,
    city: String,
    postcode: String,
    country: String,
}

/// The order page's data, if `key` is the order's access token.
#[tracing::instrument(skip(db, key))]
pub async fn view(
    db: &Db,
    number: &str,
    key: &str,
) -> anyhow::Result<Option<vitrine::orders::OrderView>> {
    use vitrine::money::{Currency, Money};
    use vitrine::orders::{OrderEventView, OrderLineView, OrderView};
    if key.len() != 32 || number.len() > 20 {
        return Ok(None);
    }
    let row: Option<OrderRow> = sqlx::query_as(
        "SELECT o.number, o.status, o.currency, o.total_minor, d.subtotal_minor, d.shipping_minor, d.discount_minor, d.coupon_code, d.shipping_method, \
         d.name, d.city, d.postcode, d.country FROM orders o JOIN order_details d ON d.order_number = o.number \
         WHERE o.number = $1 AND d.access_token = $2",
    )
    .bind(number)
    .bind(key)
    .fetch_optional(db)
    .await
    .context("Failed to load an order")?;
    let Some(o) = row else { return Ok(None) };
    let currency = Currency::parse(&o.currency)
        .with_context(|| format!("unknown currency {:?}", o.currency))?;
    let money = |minor| Money::new(minor, currency);
    let lines: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT l.sku, p.title, l.quantity, l.unit_price_minor FROM order_lines l JOIN variants v ON v.sku = l.sku \
         JOIN products p ON p.stem = v.stem WHERE l.order_number = $1 ORDER BY l.line_no",
    )
    .bind(number)
    .fetch_all(db)
    .await
    .context("Failed to load order lines")?;
    let events = events_of(db, number).await?;
    let return_until = return_deadline(&o.status, &events, crate::db::now())
        .map(crate::http::seo_routes::iso_date);
    let targets = crate::reviews::targets(db, number, &o.status).await?;
    Ok(Some(OrderView {
        return_until,
        reviews_html: vitrine::reviews::review_forms_html(number, key, &targets),
        lines: lines
            .into_iter()
            .map(|(sku, title, quantity, unit)| OrderLineView {
                sku,
                title,
                quantity,
                unit: money(unit),
                total: money(unit.saturating_mul(quantity)),
            })
            .collect(),
        events: events
            .into_iter()
            .map(|(status, at, note)| OrderEventView {
                status,
                at: crate::http::seo_routes::iso_date(at),
                note,
            })
            .collect(),
        number: o.number,
        status: o.status,
        subtotal: money(o.subtotal_minor),
        discount: money(o.discount_minor),
        coupon: o.coupon_code,
        shipping: money(o.shipping_minor),
        total: money(o.total_minor),
        shipping_method: o.shipping_method,
        name: o.name,
        city: o.city,
        postcode: o.postcode,
        country: o.country,
    }))
}

/// The timeline of order `number` as (status, unix time, note), oldest first.
pub(super) async fn events_of(db: &Db, number: &str) -> anyhow::Result<Vec<(String, i64, String)>> {
    sqlx::query_as("SELECT status, at, note FROM order_events WHERE order_number = $1 ORDER BY seq")
        .bind(number)
        .fetch_all(db)
        .await
        .context("Failed to load order events")
}

/// When a return can still be requested: delivered, and less than 7 days ago.
pub(super) fn return_deadline(
    status: &str,
    events: &[(String, i64, String)],
    now: i64,
) -> Option<i64> {
    if OrderStatus::parse(status) != Some(OrderStatus::Delivered) {
        return None;
    }
    let delivered_at = events
        .iter()
        .rev()
        .find(|(s, _, _)| s == OrderStatus::Delivered.key())
        .map(|(_, at, _)| *at)?;
    let deadline = delivered_at.checked_add(RETURN_WINDOW_SECONDS)?;
    (now < deadline).then_some(deadline)
}

/// The status of order `number` if `key` is its access key (the order page's forms).
pub async fn status_with_key(db: &Db, number: &str, key: &str) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT o.status FROM orders o JOIN order_details d ON d.order_number = o.number \
         WHERE o.number = $1 AND d.access_token = $2",
    )
    .bind(number)
    .bind(key)
    .fetch_optional(db)
    .await
    .context("Failed to read the order")
}

/// The order page link for the order `number` placed with `email`, if both match. Which of the
/// two was wrong is not said.
#[tracing::instrument(skip(db, email))]
pub async fn find(db: &Db, number: &str, email: &str) -> anyhow::Result<Option<(String, String)>> {
    let number = number.trim().to_ascii_uppercase();
    let email = email.trim().to_ascii_lowercase();
    if number.is_empty() || number.len() > 20 || email.is_empty() || email.len() > 254 {
        return Ok(None);
    }
    sqlx::query_as(
        "SELECT order_number, access_token FROM order_details WHERE order_number = $1 AND email = $2",
    )
    .bind(number)
    .bind(email)
    .fetch_optional(db)
    .await
    .context("Failed to look up an order")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(delivered_at: i64) -> Vec<(String, i64, String)> {
        vec![
            ("placed".into(), 0, String::new()),
            ("delivered".into(), delivered_at, String::new()),
        ]
    }

    #[test]
    fn returns_are_open_for_seven_days_after_delivery_only() {
        let day = 24 * 60 * 60;
        let delivered = 100 * day;
        assert_eq!(
            return_deadline("delivered", &events(delivered), delivered + 6 * day),
            Some(delivered + 7 * day)
        );
        assert_eq!(
            return_deadline("delivered", &events(delivered), delivered + 7 * day),
            None
        );
        assert_eq!(
            return_deadline("shipped", &events(delivered), delivered),
            None
        );
        assert_eq!(
            return_deadline("return_requested", &events(delivered), delivered),
            None
        );
        assert_eq!(
            return_deadline("delivered", &events(delivered)[..1], delivered),
            None
        );
    }
}
