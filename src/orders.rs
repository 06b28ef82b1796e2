//! Orders as shoppers see them: the order page (what was bought, where it goes, what it cost
//! and where it is now: the status timeline), the return request on it, and the lookup page.
//!
//! The order page is reached by the link the confirmation gives (`/orders/NUMBER?key=…`) or by
//! the lookup (`/orders`: number + email, which redirects to that link); without the right key
//! it is a 404, so an order number alone, printed on a parcel, shows nothing.

use crate::codec::page_resource;
use crate::error::StoreError;
use crate::layout::page_data;
use crate::money::Money;
use crate::seo::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub unit: Money,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEventView {
    pub status: String,
    /// `YYYY-MM-DD HH:MM` UTC.
    pub at: String,
    pub note: String,
}

/// Where an order is. `placed` → `paid` → `packed` → `shipped` → `delivered` is the way
/// forward; `cancelled` ends it before shipping; a delivered order can be returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Placed,
    Paid,
    Packed,
    Shipped,
    Delivered,
    Cancelled,
    ReturnRequested,
    Returned,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::ReturnRequested,
        OrderStatus::Returned,
    ];

    /// The way forward, in order: the timeline shows each step, done or to come.
    pub const PATH: [OrderStatus; 5] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ];

    /// The stored form (`orders.status`, `order_events.status`).
    pub fn key(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Packed => "packed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::ReturnRequested => "return_requested",
            OrderStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Placed => "Placed",
            OrderStatus::Paid => "Paid",
            OrderStatus::Packed => "Packed",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::ReturnRequested => "Return requested",
            OrderStatus::Returned => "Returned",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub number: String,
    pub status: String,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    /// Every promotion saving (multi-buy, spend threshold, coupon) together.
    pub discount: Money,
    /// The coupon code the order used, if any.
    pub coupon: Option<String>,
    pub shipping: Money,
    pub total: Money,
    pub shipping_method: String,
    pub name: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub events: Vec<OrderEventView>,
    /// `Some(last day)` while a return can be requested (7 days from delivery).
    pub return_until: Option<String>,
    /// Once delivered: a review form for each product on the order (or the rating given),
    /// rendered by the server ([`crate::reviews`]).
    pub reviews_html: String,
}

#[server(output = crate::codec::Postcard)]
pub async fn get_order(number: String, key: String) -> Result<OrderView, StoreError> {
    crate::ssr::store()?.0.order(&number, &key).await
}

/// The text for a notice code on the order pages; `None` for unknown codes.
pub fn notice_text(code: &str) -> Option<(bool, &'static str)> {
    Some(match code {
        "placed" => (
            false,
            "Thank you! Your order is placed and paid. A confirmation email is on its way.",
        ),
        "return_requested" => (
            false,
            "Your return is requested. We'll email you a returns label.",
        ),
        "return_window" => (
            true,
            "Returns can be requested within 7 days of delivery, and that time has passed.",
        ),
        "return_status" => (
            true,
            "A return can only be requested once the order has been delivered.",
        ),
        "reviewed" => (false, "Thank you! Your review is on the product page now."),
        code if code.starts_with("review_") => (true, crate::reviews::refusal_text(code)?),
        "not_found" => (
            true,
            "We couldn't find an order with that number and email address. Check both and try again.",
        ),
        "unavailable" => (
            true,
            "The store is having trouble right now. Please try again in a moment.",
        ),
        _ => return None,
    })
}

/// The `?n=` (news) or `?e=` (error) notice of the current URL, as text.
fn query_notice() -> impl Fn() -> Option<AnyView> + Copy {
    let query = use_query_map();
    move || {
        let q = query.read();
        let (code, is_error) = match (q.get("n"), q.get("e")) {
            (_, Some(e)) => (e, true),
            (Some(n), None) => (n, false),
            _ => return None,
        };
        let (error, text) = notice_text(&code).filter(|(e, _)| *e == is_error)?;
        let class = if error {
            "notice notice--error"
        } else {
            "notice notice--success"
        };
        Some(view! { <p class=class role=if error { "alert" } else { "status" } data-testid="order-notice">{text}</p> }.into_any())
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let order = page_resource(
        move || {
            (
                params.read().get("number").unwrap_or_default(),
                query.read().get("key").unwrap_or_default(),
            )
        },
        |(number, key)| get_order(number, key),
    );
    let key = move || query.read().get("key").unwrap_or_default();
    view! {
        {query_notice()}
        {page_data(order, move |order| view! { <OrderBody order key=key()/> })}
    }
}

#[component]
fn OrderBody(order: OrderView, key: String) -> impl IntoView {
    let title = format!("Order {}", order.number);
    let status = OrderStatus::parse(&order.status);
    let status_text = status.map_or(order.status.clone(), |s| s.label().to_string());
    let reached = |step: OrderStatus| {
        order
            .events
            .iter()
            .find(|e| e.status == step.key())
            .map(|e| e.at.clone())
    };
    let path: Vec<(OrderStatus, Option<String>)> = OrderStatus::PATH
        .into_iter()
        .map(|s| (s, reached(s)))
        .collect();
    let return_action = format!("/orders/{}/return", order.number);
    view! {
        <PageHead title=title.clone() description="Your order.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>{title}</h1>
        <p class="notice" role="status" data-testid="order-status">{format!("Status: {status_text}")}</p>
        <table class="cart-table">
            <caption class="visually-hidden">"Items in this order"</caption>
            <thead><tr><th scope="col">"Item"</th><th scope="col" class="num">"Price"</th><th scope="col" class="num">"Quantity"</th><th scope="col" class="num">"Total"</th></tr></thead>
            <tbody>
                {order.lines.into_iter().map(|l| view! {
                    <tr data-sku=l.sku.clone()>
                        <td>{l.title}" ("{l.sku.clone()}")"</td>
                        <td class="num">{l.unit.to_string()}</td>
                        <td class="num">{l.quantity}</td>
                        <td class="num">{l.total.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <dl class="cart-totals">
            <dt>"Subtotal"</dt><dd>{order.subtotal.to_string()}</dd>
            {(order.discount.minor > 0).then(|| {
                let label = match &order.coupon {
                    Some(code) => format!("Savings (incl. code {code})"),
                    None => "Savings".to_string(),
                };
                view! { <dt>{label}</dt><dd data-testid="order-discount">{format!("−{}", order.discount)}</dd> }
            })}
            <dt>{format!("Shipping ({})", order.shipping_method)}</dt><dd>{order.shipping.to_string()}</dd>
            <dt>"Total"</dt><dd data-testid="order-total">{order.total.to_string()}</dd>
        </dl>
        <h2>"Delivery to"</h2>
        <p>{order.name}<br/>{order.city}" "{order.postcode}<br/>{order.country}</p>
        <h2>"Progress"</h2>
        <ol class="order-steps" data-testid="order-steps">
            {path.into_iter().map(|(step, at)| {
                let done = at.is_some();
                view! {
                    <li class:done=done>
                        <strong>{step.label()}</strong>
                        {match at {
                            Some(at) => view! { " "<time>{at}</time> }.into_any(),
                            None => view! { <span class="visually-hidden">" (not yet)"</span> }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ol>
        <h3>"History"</h3>
        <ol class="order-timeline" data-testid="order-timeline">
            {order.events.into_iter().map(|e| view! { <li><strong>{OrderStatus::parse(&e.status).map_or(e.status.clone(), |s| s.label().to_string())}</strong>" — "{e.note}" "<time>{e.at}</time></li> }).collect_view()}
        </ol>
        {order.return_until.map(|until| view! {
            <form method="post" action=return_action class="order-return">
                <input type="hidden" name="key" value=key/>
                <p>{format!("Changed your mind? You can return this order, no reason needed, until {until}.")}</p>
                <button type="submit" class="button" data-testid="request-return">"Request a return"</button>
            </form>
        })}
        <crate::reviews::StaticHtml html=order.reviews_html/>
    }
}

/// `/orders`: find an order by its number and the email it was placed with.
#[component]
pub fn OrderLookupPage() -> impl IntoView {
    view! {
        <PageHead title="Find your order".to_string() description="Track an order with its number and your email address.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>"Find your order"</h1>
        {query_notice()}
        <form method="post" action="/orders/find" class="order-lookup">
            <label for="lookup-number">"Order number"</label>
            <input id="lookup-number" name="number" type="text" required=true autocomplete="off" placeholder="VT…"/>
            <label for="lookup-email">"Email address used for the order"</label>
            <input id="lookup-email" name="email" type="email" required=true autocomplete="email"/>
            <button type="submit" class="button" data-testid="find-order">"Find order"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_notices_are_codes() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.key()), Some(status));
        }
        assert_eq!(OrderStatus::parse("teleported"), None);
        assert!(notice_text("placed").is_some_and(|(error, _)| !error));
        assert!(notice_text("not_found").is_some_and(|(error, _)| error));
        assert_eq!(notice_text("<script>"), None);
        assert!(notice_text("reviewed").is_some_and(|(error, _)| !error));
        assert_eq!(
            notice_text("review_done"),
            Some((
                true,
                "You have already reviewed that product for this order."
            ))
        );
        assert_eq!(notice_text("review_<b>"), None);
    }
}
