//! The orders screen's pages (see `orders.rs`): the list with its filter, and one order with
//! the buttons for the moves it allows.

use super::auth::encode;
use super::views::{self, utc};
use crate::orders::staff::{Detail, Filter, Listing, PAGE_SIZE, needs_confirmation, staff_moves};
use leptos::prelude::*;
use vitrine::orders::OrderStatus;

/// What the order's page says after a move, or why a move was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Moved(OrderStatus),
    /// The order already was where the move would take it (a double click).
    Already(OrderStatus),
    /// Cancelled, but the provider did not release the payment.
    CancelledUnreleased,
    Unknown,
    UnknownMove,
    /// A cancellation or return without its confirmation box.
    Unconfirmed(OrderStatus),
    /// The order changed meanwhile, or can't make that move (the lifecycle's sentence).
    Refused(String),
}

impl Notice {
    /// The notice a redirect's `?n=` code names; `None` for codes this page does not know.
    pub fn parse(code: &str) -> Option<Notice> {
        if code == "cancelled_unreleased" {
            return Some(Notice::CancelledUnreleased);
        }
        let (kind, status) = code.split_once('.')?;
        let status = OrderStatus::parse(status)?;
        match kind {
            "moved" => Some(Notice::Moved(status)),
            "already" => Some(Notice::Already(status)),
            _ => None,
        }
    }

    /// The `?n=` code of a notice shown after a redirect.
    pub fn code(&self) -> String {
        match self {
            Notice::Moved(s) => format!("moved.{}", s.key()),
            Notice::Already(s) => format!("already.{}", s.key()),
            Notice::CancelledUnreleased => "cancelled_unreleased".to_string(),
            Notice::Unknown | Notice::UnknownMove | Notice::Unconfirmed(_) | Notice::Refused(_) => {
                String::new()
            }
        }
    }

    pub fn is_error(&self) -> bool {
        !matches!(self, Notice::Moved(_) | Notice::Already(_))
    }

    pub fn text(&self) -> String {
        match self {
            Notice::Moved(OrderStatus::Cancelled) => {
                "Cancelled: the stock is back on sale, the payment is released and the shopper's email is queued.".to_string()
            }
            Notice::Moved(OrderStatus::Returned) => {
                "Return accepted: the stock is back on sale and the shopper's email is queued.".to_string()
            }
            Notice::Moved(s) => format!(
                "Marked as {}. The shopper's order page shows it and their email is queued.",
                s.label().to_lowercase()
            ),
            Notice::Already(s) => format!(
                "Nothing to do: the order is already {}.",
                s.label().to_lowercase()
            ),
            Notice::CancelledUnreleased => "Cancelled and the stock is back on sale, but the payment provider did not release the payment: release it in the provider's dashboard.".to_string(),
            Notice::Unknown => "There is no web order with that number.".to_string(),
            Notice::UnknownMove => {
                "That is not a move this order offers: use one of the buttons below.".to_string()
            }
            Notice::Unconfirmed(to) => format!(
                "Tick “{}” first: this can't be undone.",
                confirmation(*to)
            ),
            Notice::Refused(sentence) => sentence.clone(),
        }
    }
}

/// The button for a move.
fn button_label(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Paid => "Mark as paid",
        OrderStatus::Packed => "Mark as packed",
        OrderStatus::Shipped => "Mark as shipped",
        OrderStatus::Delivered => "Mark as delivered",
        OrderStatus::Returned => "Accept the return",
        OrderStatus::Cancelled => "Cancel the order",
        OrderStatus::Placed | OrderStatus::ReturnRequested => "",
    }
}

/// The box a move that ends the order needs ticked.
fn confirmation(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Returned => "Yes, the goods are back",
        _ => "Yes, cancel this order",
    }
}

/// What a move does besides the status, said beside its button.
fn consequence(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Cancelled => "Puts the stock back on sale and releases the payment.",
        OrderStatus::Returned => "Puts the stock back on sale.",
        _ => "The shopper's order page shows it and they get an email.",
    }
}

fn notice_view(notice: Option<Notice>) -> impl IntoView {
    notice.map(|n| {
        if n.is_error() {
            view! { <p class="notice notice--error" role="alert">{n.text()}</p> }.into_any()
        } else {
            view! { <p class="notice notice--success" role="status">{n.text()}</p> }.into_any()
        }
    })
}

/// `/admin/orders?…` for `filter` at `page`.
fn list_href(filter: &Filter, page: i64) -> String {
    let mut href = format!(
        "/admin/orders?status={}&q={}",
        filter.status.map(OrderStatus::key).unwrap_or_default(),
        encode(&filter.query)
    );
    if page > 0 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

pub fn list(filter: Filter, listing: Listing, counts: Vec<(OrderStatus, i64)>) -> impl IntoView {
    let all: i64 = counts.iter().map(|(_, n)| n).sum();
    let options = counts
        .iter()
        .map(|&(status, n)| {
            let selected = filter.status == Some(status);
            view! { <option value=status.key() selected=selected>{format!("{} ({n})", status.label())}</option> }
        })
        .collect_view();
    let rows = listing
        .orders
        .iter()
        .map(|o| {
            let href = format!("/admin/orders/{}", o.number);
            view! {
                <tr data-testid="order-row">
                    <td><a href=href>{o.number.clone()}</a></td>
                    <td>{utc(o.placed_at)}</td>
                    <td>{o.name.clone()}</td>
                    <td>{o.units}</td>
                    <td>{o.total.map(|m| m.to_string()).unwrap_or_default()}</td>
                    <td>{o.status.map(OrderStatus::label).unwrap_or("Unknown")}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = listing.orders.len() as i64;
    let first = filter.page.saturating_mul(PAGE_SIZE);
    let newer = (filter.page > 0).then(|| list_href(&filter, filter.page - 1));
    let older = (first.saturating_add(shown) < listing.matching)
        .then(|| list_href(&filter, filter.page + 1));
    let summary = if listing.matching == 0 {
        "No orders match.".to_string()
    } else if listing.matching == 1 {
        "1 order.".to_string()
    } else {
        format!(
            "Orders {}–{} of {}, newest first.",
            first + 1,
            first + shown,
            listing.matching
        )
    };
    view! {
        <h1>"Orders"</h1>
        <p>"Orders placed in the store. Open one to pack, ship, cancel it or accept its return; every move is in the shopper's timeline and the audit log."</p>
        <form class="admin-form admin-filter" method="get" action="/admin/orders">
            <label for="order-status">"Status"</label>
            <select id="order-status" name="status">
                <option value="" selected=filter.status.is_none()>{format!("All ({all})")}</option>
                {options}
            </select>
            <label for="order-q">"Order number or email"</label>
            <input id="order-q" type="search" name="q" maxlength="254" value=filter.query.clone()/>
            <button class="button" type="submit">"Show"</button>
        </form>
        <p role="status" data-testid="orders-summary">{summary}</p>
        {(shown > 0).then(|| views::table(&["Order", "Placed (UTC)", "Name", "Items", "Total", "Status"], None, rows))}
        <nav class="pagination" aria-label="Pages of orders">
            {newer.map(|href| view! { <a href=href rel="prev">"Newer"</a> })}
            " "
            {older.map(|href| view! { <a href=href rel="next">"Older"</a> })}
        </nav>
    }
}

pub fn detail(order: Detail, csrf: String, notice: Option<Notice>) -> impl IntoView {
    let moves = staff_moves(order.status)
        .into_iter()
        .map(|to| {
            let action = format!("/admin/orders/{}", order.number);
            let confirm = needs_confirmation(to).then(|| {
                let id = format!("confirm-{}", to.key());
                view! {
                    <input id=id.clone() type="checkbox" name="confirm" value="yes" required/>
                    <label for=id>{confirmation(to)}</label>
                }
            });
            view! {
                <form class="admin-form order-move" method="post" action=action>
                    <input type="hidden" name="csrf" value=csrf.clone()/>
                    <input type="hidden" name="from" value=order.status.key()/>
                    <input type="hidden" name="to" value=to.key()/>
                    {confirm}
                    <button class="button" type="submit">{button_label(to)}</button>
                    <span class="hint">{consequence(to)}</span>
                </form>
            }
        })
        .collect_view();
    let ends = staff_moves(order.status).is_empty();
    let lines = order
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.sku.clone()}</td>
                    <td><a href=format!("/p/{}", l.slug)>{l.title.clone()}</a></td>
                    <td>{l.quantity}</td>
                    <td>{l.unit.to_string()}</td>
                    <td>{l.total.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let events = order
        .events
        .iter()
        .map(|(status, at, note)| {
            let label = OrderStatus::parse(status)
                .map_or_else(|| status.clone(), |s| s.label().to_string());
            view! { <li><time>{utc(*at)}</time>" "<strong>{label}</strong>": "{note.clone()}</li> }
        })
        .collect_view();
    let to = order.delivery.clone();
    let coupon = order
        .coupon
        .clone()
        .map(|c| format!(" (coupon {c})"))
        .unwrap_or_default();
    let payment = order.payment.clone().map(|p| {
        format!(
            "{} authorised with {} (card ending {}), reference {}",
            p.amount, p.provider, p.last4, p.reference
        )
    });
    view! {
        <p><a href="/admin/orders">"All orders"</a></p>
        <h1>{format!("Order {}", order.number)}</h1>
        {notice_view(notice)}
        <p>
            "Status: " <strong data-testid="order-status">{order.status.label()}</strong>
            {format!(" · placed {} UTC", utc(order.placed_at))}
        </p>
        <section aria-labelledby="order-moves">
            <h2 id="order-moves">"Next step"</h2>
            {if ends {
                view! { <p>"This order is finished: nothing more to do."</p> }.into_any()
            } else {
                moves.into_any()
            }}
        </section>
        <section aria-labelledby="order-ship-to">
            <h2 id="order-ship-to">"Deliver to"</h2>
            <address data-testid="order-address">
                {to.name.clone()}<br/>
                {to.line1.clone()}<br/>
                {(!to.line2.is_empty()).then(|| view! { {to.line2.clone()}<br/> })}
                {format!("{} {}", to.city, to.postcode)}<br/>
                {to.country.clone()}
            </address>
            <p>{format!("Delivery: {} · contact: ", order.shipping_method)}<a href=format!("mailto:{}", to.email)>{to.email.clone()}</a></p>
        </section>
        <section aria-labelledby="order-lines">
            <h2 id="order-lines">"What to pack"</h2>
            {views::table(&["SKU", "Product", "Quantity", "Unit price", "Line total"], None, lines)}
            <dl class="admin-totals">
                <dt>"Goods"</dt><dd>{order.subtotal.to_string()}</dd>
                {(order.discount.minor != 0).then(|| view! {
                    <dt>{format!("Savings{coupon}")}</dt><dd>{format!("−{}", order.discount)}</dd>
                })}
                <dt>"Delivery"</dt><dd>{order.shipping.to_string()}</dd>
                <dt>"Total"</dt><dd>{order.total.to_string()}</dd>
            </dl>
            <p>{payment.unwrap_or_else(|| "No payment on record.".to_string())}</p>
        </section>
        <section aria-labelledby="order-timeline">
            <h2 id="order-timeline">"Timeline"</h2>
            <ol class="admin-timeline">{events}</ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_codes_round_trip_and_unknown_ones_show_nothing() {
        for n in [
            Notice::Moved(OrderStatus::Shipped),
            Notice::Already(OrderStatus::Packed),
            Notice::CancelledUnreleased,
        ] {
            assert_eq!(Notice::parse(&n.code()), Some(n));
        }
        assert_eq!(Notice::parse("moved.nonsense"), None);
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(Notice::parse(""), None);
        assert_eq!(
            Notice::Moved(OrderStatus::Shipped).text(),
            "Marked as shipped. The shopper's order page shows it and their email is queued."
        );
        assert!(
            Notice::Unconfirmed(OrderStatus::Cancelled)
                .text()
                .contains("Yes, cancel this order")
        );
    }

    #[test]
    fn list_links_keep_the_filter_and_encode_the_search() {
        let filter = Filter {
            status: Some(OrderStatus::Paid),
            query: "a+b@example.com".to_string(),
            page: 0,
        };
        assert_eq!(
            list_href(&filter, 2),
            "/admin/orders?status=paid&q=a%2Bb%40example.com&page=2"
        );
    }
}
