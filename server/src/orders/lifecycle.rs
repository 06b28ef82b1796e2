//! An order after it is placed: staff (or the `vitrine order advance` command) move it along
//! `paid → packed → shipped → delivered`, or cancel it before it ships; a shopper may ask to
//! return it within 7 days of delivery. Every move is one transaction that changes the status
//! only from the status it read (so two moves cannot both win), appends a timeline event,
//! queues a message in the outbox, and puts the stock back when goods come back or never left.

use super::view::{events_of, return_deadline};
use super::{AnyQuery, exec};
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use vitrine::orders::OrderStatus;

#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    #[error("There is no order {0}.")]
    UnknownOrder(String),
    #[error("Order {number} is {from}: it can't become {to}.", from = .from.label().to_lowercase(), to = .to.label().to_lowercase())]
    NotAllowed {
        number: String,
        from: OrderStatus,
        to: OrderStatus,
    },
    /// The order is no longer in the status the person saw (someone else moved it).
    #[error("Order {number} is {now} now: it changed while you were looking at it, so nothing was done.", now = .now.label().to_lowercase())]
    Changed { number: String, now: OrderStatus },
    #[error("Returns can be requested within 7 days of delivery, and that time has passed.")]
    ReturnWindowClosed,
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

/// The moves allowed from `from`.
pub fn allowed(from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus::*;
    matches!(
        (from, to),
        (Placed, Paid)
            | (Paid, Packed)
            | (Packed, Shipped)
            | (Shipped, Delivered)
            | (Placed | Paid | Packed, Cancelled)
            | (Delivered, ReturnRequested)
            | (Delivered | ReturnRequested, Returned)
    )
}

/// What the timeline and the outbox say about a move.
fn note(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Placed => "Order placed",
        OrderStatus::Paid => "Payment authorised",
        OrderStatus::Packed => "Packed and ready to go",
        OrderStatus::Shipped => "Handed to the carrier",
        OrderStatus::Delivered => "Delivered",
        OrderStatus::Cancelled => "Cancelled; the payment is released",
        OrderStatus::ReturnRequested => "Return requested by the shopper",
        OrderStatus::Returned => "Returned; refund issued",
    }
}

/// Moves order `number` to `to` at time `at`, unaudited (the shopper's return request, tests).
/// Returns the status it was in.
pub async fn advance(
    db: &Db,
    number: &str,
    to: OrderStatus,
    at: i64,
) -> Result<OrderStatus, AdvanceError> {
    move_order(db, number, None, to, None, at).await
}

/// A person's move (the console, `vitrine order advance`): audited under `actor` in the same
/// transaction. With `seen`, the status the person saw: if the order is in another one now,
/// nothing is done ([`AdvanceError::Changed`]), except when it is already `to` (a
/// double-clicked button, or two people doing the same), which is answered as done and
/// returns `to`.
pub async fn advance_as(
    db: &Db,
    number: &str,
    seen: Option<OrderStatus>,
    to: OrderStatus,
    actor: &Actor,
    at: i64,
) -> Result<OrderStatus, AdvanceError> {
    move_order(db, number, seen, to, Some(actor), at).await
}

#[tracing::instrument(skip(db, actor))]
async fn move_order(
    db: &Db,
    number: &str,
    seen: Option<OrderStatus>,
    to: OrderStatus,
    actor: Option<&Actor>,
    at: i64,
) -> Result<OrderStatus, AdvanceError> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT o.status, d.email FROM orders o LEFT JOIN order_details d ON d.order_number = o.number WHERE o.number = $1",
    )
    .bind(number)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the order")?;
    let Some((status, email)) = row else {
        return Err(AdvanceError::UnknownOrder(number.to_string()));
    };
    let from = OrderStatus::parse(&status)
        .ok_or_else(|| anyhow::anyhow!("order {number} has an unknown status {status:?}"))?;
    if seen.is_some_and(|seen| seen != from) {
        if from == to {
            return Ok(to);
        }
        return Err(AdvanceError::Changed {
            number: number.to_string(),
            now: from,
        });
    }
    if !allowed(from, to) {
        return Err(AdvanceError::NotAllowed {
            number: number.to_string(),
            from,
            to,
        });
    }
    let moved = sqlx::query("UPDATE orders SET status = $1 WHERE number = $2 AND status = $3")
        .bind(to.key())
        .bind(number)
        .bind(from.key())
        .execute(&mut *tx)
        .await
        .context("Failed to update the order status")?;
    if moved.rows_affected() != 1 {
        return Err(anyhow::anyhow!("order {number} changed while it was being moved").into());
    }
    exec(
        &mut tx,
        "INSERT INTO order_events (order_number, seq, status, at, note) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM order_events WHERE order_number = $1",
        |q: AnyQuery<'_>| q.bind(number.to_string()).bind(to.key()).bind(at).bind(note(to)),
    )
    .await?;
    if matches!(to, OrderStatus::Cancelled | OrderStatus::Returned) {
        // The goods never left, or came back: they can be sold again.
        exec(
            &mut tx,
            "UPDATE variants SET stock = stock + (SELECT CAST(SUM(l.quantity) AS BIGINT) FROM order_lines l \
             WHERE l.order_number = $1 AND l.sku = variants.sku) \
             WHERE sku IN (SELECT sku FROM order_lines WHERE order_number = $1)",
            |q: AnyQuery<'_>| q.bind(number.to_string()),
        )
        .await?;
    }
    if let Some(email) = email {
        let subject = format!("Your Vitrine order {number}: {}", to.label().to_lowercase());
        let body = format!("{}. Track it at /orders (number {number}).", note(to));
        exec(
            &mut tx,
            "INSERT INTO outbox (id, kind, recipient, subject, body, created_at) VALUES ($1, 'order_status', $2, $3, $4, $5)",
            |q: AnyQuery<'_>| q.bind(crate::ids::random_id()).bind(email).bind(subject).bind(body).bind(at),
        )
        .await?;
    }
    if let Some(actor) = actor {
        let detail = format!("{} → {}", from.key(), to.key());
        audit::record(&mut tx, actor, Action::OrderMoved, number, &detail, at).await?;
    }
    tx.commit()
        .await
        .context("Failed to commit the status change")?;
    tracing::info!(order = %number, from = from.key(), to = to.key(), outbox = "order_status", "order status changed");
    Ok(from)
}

/// The shopper's "return this order" on the order page: only with the order's key, only once
/// delivered, only within 7 days of delivery.
pub async fn request_return(
    db: &Db,
    number: &str,
    key: &str,
    now: i64,
) -> Result<(), AdvanceError> {
    let Some(status) = super::view::status_with_key(db, number, key).await? else {
        return Err(AdvanceError::UnknownOrder(number.to_string()));
    };
    let events = events_of(db, number).await?;
    if status == OrderStatus::Delivered.key() && return_deadline(&status, &events, now).is_none() {
        return Err(AdvanceError::ReturnWindowClosed);
    }
    advance(db, number, OrderStatus::ReturnRequested, now).await?;
    Ok(())
}

/// One order in the operator's list.
#[derive(Debug, sqlx::FromRow)]
pub struct OrderSummary {
    pub number: String,
    pub placed_at: i64,
    pub status: String,
    pub total_minor: i64,
    pub currency: String,
}

/// The web orders placed with `email`, newest first (every web order when `email` is `None`).
pub async fn list_by_email(
    db: &Db,
    email: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<OrderSummary>> {
    let email = email.map(|e| e.trim().to_ascii_lowercase());
    sqlx::query_as(
        "SELECT o.number, o.placed_at, o.status, o.total_minor, o.currency FROM orders o \
         JOIN order_details d ON d.order_number = o.number \
         WHERE ($1 = '' OR d.email = $1) ORDER BY o.placed_at DESC, o.number LIMIT $2",
    )
    .bind(email.unwrap_or_default())
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to list orders")
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn orders_move_forward_or_end_never_back() {
        assert!(allowed(Paid, Packed) && allowed(Shipped, Delivered));
        assert!(allowed(Packed, Cancelled) && !allowed(Shipped, Cancelled));
        assert!(!allowed(Delivered, Shipped) && !allowed(Cancelled, Paid));
        assert!(!allowed(Paid, Delivered), "no skipping the parcel");
        assert!(allowed(Delivered, ReturnRequested) && allowed(ReturnRequested, Returned));
        assert!(!allowed(Returned, Returned));
    }
}
