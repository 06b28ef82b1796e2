//! The cart: what the shopper has picked, priced by the server.
//!
//! Owns the cart's wire types, the cart page and the notices the cart forms report. The cart
//! lives in the database behind an HttpOnly cookie, so any server replica can serve it; the
//! forms are plain POSTs (they work without JavaScript) answered with a redirect back here.

mod page;
mod promotions;
pub mod totals;

pub use page::{CartPage, GroupHint, group_hints};
pub use totals::{
    Coupon, CouponKind, CouponOutcome, MAX_QUANTITY, MultiBuy, Offers, PricedLine, Quantity,
    QuantityError, Quote, Shipping, Threshold, Totals, TotalsError, cart_totals, checkout_totals,
    promo_totals,
};

use crate::error::StoreError;
use crate::money::{Currency, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that names a shopper's cart.
pub const CART_COOKIE: &str = "cart";

/// A line as the cart page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub slug: String,
    pub stem: String,
    pub title: String,
    pub label: String,
    /// The price charged now.
    pub unit: Money,
    /// The price when the shopper added it (or last saw it here).
    pub price_seen: Money,
    pub quantity: i64,
    pub stock: i64,
}

impl CartLine {
    pub fn priced(&self) -> PricedLine {
        PricedLine {
            sku: self.sku.clone(),
            quantity: self.quantity,
            unit: self.unit,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    pub currency: Currency,
}

/// What the cart page shows: the cart and the offers in effect for it now (multi-buys and spend
/// thresholds; a coupon is typed at checkout), so the page states the savings checkout will
/// charge, with the same [`promo_totals`], and the hints [`group_hints`] made from them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartPageView {
    pub cart: CartView,
    pub offers: Offers,
    /// The multi-buys the cart has started, what completes each and what that saves.
    pub hints: Vec<GroupHint>,
}

#[server(output = crate::codec::Postcard)]
pub async fn get_cart() -> Result<CartPageView, StoreError> {
    let cart = crate::ssr::request_cookie(CART_COOKIE).await;
    crate::ssr::store()?.0.cart(cart.as_deref()).await
}
