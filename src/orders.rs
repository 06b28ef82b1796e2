//! The order page: what was bought, where it goes, what it cost and where it is now (the
//! status timeline). Reached by the link the confirmation gives (`/orders/NUMBER?key=…`);
//! without the right key it is a 404, so an order number alone shows nothing.

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub number: String,
    pub status: String,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub total: Money,
    pub shipping_method: String,
    pub name: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub events: Vec<OrderEventView>,
}

#[server]
pub async fn get_order(number: String, key: String) -> Result<OrderView, StoreError> {
    crate::ssr::store()?.0.order(&number, &key).await
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let order = Resource::new(
        move || {
            (
                params.read().get("number").unwrap_or_default(),
                query.read().get("key").unwrap_or_default(),
            )
        },
        |(number, key)| get_order(number, key),
    );
    view! {
        {page_data(order, |order| view! { <OrderBody order/> })}
    }
}

#[component]
fn OrderBody(order: OrderView) -> impl IntoView {
    let title = format!("Order {}", order.number);
    view! {
        <PageHead title=title.clone() description="Your order.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>{title}</h1>
        <p class="notice" role="status" data-testid="order-status">{format!("Status: {}", order.status)}</p>
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
            <dt>{format!("Shipping ({})", order.shipping_method)}</dt><dd>{order.shipping.to_string()}</dd>
            <dt>"Total"</dt><dd data-testid="order-total">{order.total.to_string()}</dd>
        </dl>
        <h2>"Delivery to"</h2>
        <p>{order.name}<br/>{order.city}" "{order.postcode}<br/>{order.country}</p>
        <h2>"Progress"</h2>
        <ol class="order-timeline">
            {order.events.into_iter().map(|e| view! { <li><strong>{e.status}</strong>" — "{e.note}" "<time>{e.at}</time></li> }).collect_view()}
        </ol>
    }
}
