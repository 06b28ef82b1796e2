//! What the console's orders screen reads: the web orders, newest first, narrowed by status or
//! found by number or email, and one order in full for the person packing it. Nothing here
//! writes; moves go through [`super::advance_as`].

use super::Delivery;
use super::view::events_of;
use crate::db::Db;
use anyhow::Context;
use vitrine::money::{Currency, Money};
use vitrine::orders::OrderStatus;

/// Orders per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// Which orders the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// An order number or the email it was placed with (exact, any case); empty: every order.
    pub query: String,
    /// From 0.
    pub page: i64,
}

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedOrder {
    pub number: String,
    pub placed_at: i64,
    pub status: Option<OrderStatus>,
    pub name: String,
    pub units: i64,
    pub total: Option<Money>,
}

/// A page of the list and how many orders match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub orders: Vec<ListedOrder>,
    pub matching: i64,
}

type ListRow = (String, i64, String, String, i64, i64, String);

/// The web orders `filter` asks for, newest first.
#[tracing::instrument(skip(db, filter))]
pub async fn list(db: &Db, filter: &Filter) -> anyhow::Result<Listing> {
    let status = filter.status.map(OrderStatus::key).unwrap_or_default();
    let query = filter.query.trim();
    let (number, email) = (query.to_ascii_uppercase(), query.to_ascii_lowercase());
    const WHERE: &str = "FROM orders o JOIN order_details d ON d.order_number = o.number \
         WHERE ($1 = '' OR o.status = $1) AND ($2 = '' OR o.number = $2 OR d.email = $3)";
    let matching: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {WHERE}"))
        .bind(status)
        .bind(&number)
        .bind(&email)
        .fetch_one(db)
        .await
        .context("Failed to count orders")?;
    let rows: Vec<ListRow> = sqlx::query_as(&format!(
        "SELECT o.number, o.placed_at, o.status, d.name, \
         (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l WHERE l.order_number = o.number), \
         o.total_minor, o.currency {WHERE} ORDER BY o.placed_at DESC, o.number DESC LIMIT $4 OFFSET $5"
    ))
    .bind(status)
    .bind(&number)
    .bind(&email)
    .bind(PAGE_SIZE)
    .bind(filter.page.clamp(0, 1_000_000).saturating_mul(PAGE_SIZE))
    .fetch_all(db)
    .await
    .context("Failed to list orders")?;
    let orders = rows
        .into_iter()
        .map(
            |(number, placed_at, status, name, units, total, currency)| ListedOrder {
                number,
                placed_at,
                status: OrderStatus::parse(&status),
                name,
                units,
                total: Currency::parse(&currency).map(|c| Money::new(total, c)),
            },
        )
        .collect();
    Ok(Listing { orders, matching })
}

/// How many web orders are in each status (statuses with none are left out).
pub async fn counts(db: &Db) -> anyhow::Result<Vec<(OrderStatus, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT o.status, COUNT(*) FROM orders o JOIN order_details d ON d.order_number = o.number \
         GROUP BY o.status",
    )
    .fetch_all(db)
    .await
    .context("Failed to count orders by status")?;
    let mut counts: Vec<(OrderStatus, i64)> = rows
        .into_iter()
        .filter_map(|(s, n)| Some((OrderStatus::parse(&s)?, n)))
        .collect();
    counts.sort_by_key(|(s, _)| OrderStatus::ALL.iter().position(|a| a == s));
    Ok(counts)
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub title: String,
    pub slug: String,
    pub quantity: i64,
    pub unit: Money,
    pub total: Money,
}

/// What the provider authorised (never a card number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub provider: String,
    pub reference: String,
    pub last4: String,
    pub amount: Money,
}

/// An order as the person packing it needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub number: String,
    pub status: OrderStatus,
    pub placed_at: i64,
    /// Where it goes and who to ask.
    pub delivery: Delivery,
    pub shipping_method: String,
    pub lines: Vec<Line>,
    pub subtotal: Money,
    pub discount: Money,
    pub coupon: Option<String>,
    pub shipping: Money,
    pub total: Money,
    pub payment: Option<Payment>,
    /// (status, unix time, note), oldest first.
    pub events: Vec<(String, i64, String)>,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    number: String,
    status: String,
    placed_at: i64,
    currency: String,
    total_minor: i64,
    email: String,
    name: String,
    line1: String,
    line2: String,
    city: String,
    postcode: String,
    country: String,
    shipping_method: String,
    subtotal_minor: i64,
    shipping_minor: i64,
    discount_minor: i64,
    coupon_code: Option<String>,
}

/// Web order `number` in full; `None` when there is none (or it is an imported invoice).
#[tracing::instrument(skip(db))]
pub async fn detail(db: &Db, number: &str) -> anyhow::Result<Option<Detail>> {
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT o.number, o.status, o.placed_at, o.currency, o.total_minor, d.email, d.name, d.line1, d.line2, \
         d.city, d.postcode, d.country, d.shipping_method, d.subtotal_minor, d.shipping_minor, d.discount_minor, \
         d.coupon_code FROM orders o JOIN order_details d ON d.order_number = o.number WHERE o.number = $1",
    )
    .bind(number)
    .fetch_optional(db)
    .await
    .context("Failed to load an order")?;
    let Some(o) = row else { return Ok(None) };
    let currency = Currency::parse(&o.currency)
        .with_context(|| format!("order {number} has an unknown currency {:?}", o.currency))?;
    let status = OrderStatus::parse(&o.status)
        .with_context(|| format!("order {number} has an unknown status {:?}", o.status))?;
    let money = |minor| Money::new(minor, currency);
    let lines: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT l.sku, p.title, p.slug, l.quantity, l.unit_price_minor FROM order_lines l \
         JOIN variants v ON v.sku = l.sku JOIN products p ON p.stem = v.stem \
         WHERE l.order_number = $1 ORDER BY l.line_no",
    )
    .bind(number)
    .fetch_all(db)
    .await
    .context("Failed to load order lines")?;
    Ok(Some(Detail {
        lines: lines
            .into_iter()
            .map(|(sku, title, slug, quantity, unit)| Line {
                sku,
                title,
                slug,
                quantity,
                unit: money(unit),
                total: money(unit.saturating_mul(quantity)),
            })
            .collect(),
        payment: payment(db, number).await?,
        events: events_of(db, number).await?,
        number: o.number,
        status,
        placed_at: o.placed_at,
        delivery: Delivery {
            email: o.email,
            name: o.name,
            line1: o.line1,
            line2: o.line2,
            city: o.city,
            postcode: o.postcode,
            country: o.country,
        },
        shipping_method: o.shipping_method,
        subtotal: money(o.subtotal_minor),
        discount: money(o.discount_minor),
        coupon: o.coupon_code,
        shipping: money(o.shipping_minor),
        total: money(o.total_minor),
    }))
}

/// What the provider authorised for order `number`, if anything.
pub async fn payment(db: &Db, number: &str) -> anyhow::Result<Option<Payment>> {
    let row: Option<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT provider, reference, card_last4, amount_minor, currency FROM payments WHERE order_number = $1",
    )
    .bind(number)
    .fetch_optional(db)
    .await
    .context("Failed to load the payment")?;
    let Some((provider, reference, last4, amount, currency)) = row else {
        return Ok(None);
    };
    let currency = Currency::parse(&currency).with_context(|| {
        format!("order {number}'s payment has an unknown currency {currency:?}")
    })?;
    Ok(Some(Payment {
        provider,
        reference,
        last4,
        amount: Money::new(amount, currency),
    }))
}

/// The moves a person may make from `from`, in the order the screen offers them: onward
/// first, then the ones that end the order. The shopper's own "return requested" is not one.
pub fn staff_moves(from: OrderStatus) -> Vec<OrderStatus> {
    use OrderStatus::*;
    [Paid, Packed, Shipped, Delivered, Returned, Cancelled]
        .into_iter()
        .filter(|&to| super::lifecycle::allowed(from, to))
        .collect()
}

/// Moves that end the order and put stock back: the screen asks the person to confirm them.
pub fn needs_confirmation(to: OrderStatus) -> bool {
    matches!(to, OrderStatus::Cancelled | OrderStatus::Returned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn each_status_offers_its_next_step_and_the_ending_moves_it_allows() {
        assert_eq!(staff_moves(Placed), vec![Paid, Cancelled]);
        assert_eq!(staff_moves(Paid), vec![Packed, Cancelled]);
        assert_eq!(staff_moves(Packed), vec![Shipped, Cancelled]);
        assert_eq!(staff_moves(Shipped), vec![Delivered]);
        assert_eq!(staff_moves(Delivered), vec![Returned]);
        assert_eq!(staff_moves(ReturnRequested), vec![Returned]);
        assert!(staff_moves(Cancelled).is_empty() && staff_moves(Returned).is_empty());
        assert!(needs_confirmation(Cancelled) && needs_confirmation(Returned));
        assert!(!needs_confirmation(Shipped));
    }
}
