//! The checkout page: contact, delivery address, delivery option, payment and review on one
//! form that posts to `POST /checkout/place`.
//!
//! It works without JavaScript: the server answers the post with a redirect to the order page,
//! or back here with the shopper's input kept (a per-cart draft, never card details) and the
//! reason. With the bundle loaded, the review's total follows the delivery option through the
//! same [`promo_totals`] the server charges with (promotions and an applied coupon included), and "Place order" disables itself after the
//! first click. The page never sends a price: the server re-reads every one.

use crate::cart::{CartLine, CartView, CouponOutcome, Offers, PricedLine, Shipping, promo_totals};
use crate::codec::page_resource;
use crate::error::StoreError;
use crate::layout::page_data;
use crate::seo::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// What the shopper typed last time (kept per cart; never card details).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDraft {
    pub email: String,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub shipping: String,
    /// The coupon code as typed.
    #[serde(default)]
    pub coupon: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub cart: CartView,
    pub draft: CheckoutDraft,
    /// The promotions in effect for this cart now (multi-buys, thresholds, the draft's coupon
    /// when it may be used): the review's total is [`promo_totals`] over them, as charged.
    pub offers: Offers,
    /// Why the last attempt failed, when the page was reached from that failure.
    pub error: Option<String>,
    /// The countries the shop delivers to (its customers' countries).
    pub countries: Vec<String>,
    /// Carried by the form: the same key twice places one order.
    pub idempotency_key: String,
}

/// The country preselected for a new shopper.
pub const DEFAULT_COUNTRY: &str = "United Kingdom";

#[server(output = crate::codec::Postcard)]
pub async fn get_checkout(show_error: bool) -> Result<CheckoutView, StoreError> {
    let cart = crate::ssr::request_cookie(crate::cart::CART_COOKIE).await;
    crate::ssr::store()?
        .0
        .checkout(cart.as_deref(), show_error)
        .await
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let query = use_query_map();
    let checkout = page_resource(move || query.read().get("e").is_some(), get_checkout);
    view! {
        <PageHead title="Checkout".to_string() description="Pay for the items in your cart.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>"Checkout"</h1>
        {page_data(checkout, |checkout| view! { <CheckoutBody checkout/> })}
    }
}

#[component]
fn CheckoutBody(checkout: CheckoutView) -> impl IntoView {
    let CheckoutView {
        cart,
        draft,
        offers,
        error,
        countries,
        idempotency_key,
    } = checkout;
    if cart.lines.is_empty() {
        return view! {
            <p class="empty-state">"Your cart is empty, so there is nothing to pay for. " <a href="/">"Continue shopping"</a></p>
        }
        .into_any();
    }
    let chosen = Shipping::parse(&draft.shipping).unwrap_or(Shipping::Standard);
    let shipping = RwSignal::new(chosen);
    let placing = RwSignal::new(false);
    let country = if draft.country.is_empty() {
        DEFAULT_COUNTRY.to_string()
    } else {
        draft.country.clone()
    };
    let priced: Vec<PricedLine> = cart.lines.iter().map(CartLine::priced).collect();
    let goods = promo_totals(&priced, &offers, None, cart.currency)
        .ok()
        .map(|q| q.totals);
    let currency = cart.currency;
    let applied = match promo_totals(&priced, &offers, Some(chosen), currency)
        .ok()
        .and_then(|q| q.coupon)
    {
        Some(CouponOutcome::Applied { code, saving }) => Some((code, saving)),
        _ => None,
    };
    let quote =
        Memo::new(move |_| promo_totals(&priced, &offers, Some(shipping.get()), currency).ok());
    let money = move |pick: fn(&crate::cart::Quote) -> crate::money::Money| {
        move || {
            quote
                .get()
                .map(|q| pick(&q).to_string())
                .unwrap_or_default()
        }
    };
    let saving = move |pick: fn(&crate::cart::Quote) -> crate::money::Money| {
        move || quote.get().map(|q| pick(&q)).filter(|m| m.minor > 0)
    };
    let coupon_value = draft.coupon.clone();
    let apply_button = NodeRef::<leptos::html::Button>::new();
    view! {
        {error.map(|e| view! { <p class="notice notice--error" role="alert" data-testid="checkout-error">{e}</p> })}
        <form method="post" action="/checkout/place" class="checkout" on:submit=move |_| placing.set(true)>
            <input type="hidden" name="idempotency_key" value=idempotency_key/>
            // Enter in a field submits through the form's first submit button. Without this
            // one that was the coupon's "Apply", so Enter after the security code re-showed
            // the form without the card instead of placing the order.
            <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true" disabled=move || placing.get()>"Place order"</button>
            <fieldset>
                <legend>"1. Contact"</legend>
                <Field name="email" label="Email" value=draft.email kind="email" autocomplete="email" required=true/>
            </fieldset>
            <fieldset>
                <legend>"2. Delivery address"</legend>
                <Field name="name" label="Full name" value=draft.name kind="text" autocomplete="name" required=true/>
                <Field name="line1" label="Address" value=draft.line1 kind="text" autocomplete="address-line1" required=true/>
                <Field name="line2" label="Address line 2 (optional)" value=draft.line2 kind="text" autocomplete="address-line2" required=false/>
                <Field name="city" label="Town or city" value=draft.city kind="text" autocomplete="address-level2" required=true/>
                <Field name="postcode" label="Postcode" value=draft.postcode kind="text" autocomplete="postal-code" required=true/>
                <label for="checkout-country">"Country"</label>
                <select id="checkout-country" name="country" autocomplete="country-name">
                    {countries.into_iter().map(|c| {
                        let selected = c == country;
                        let value = c.clone();
                        view! { <option value=value selected=selected>{c}</option> }
                    }).collect_view()}
                </select>
            </fieldset>
            <fieldset>
                <legend>"3. Delivery"</legend>
                {Shipping::ALL.into_iter().map(|option| {
                    let id = format!("shipping-{}", option.key());
                    let price = goods.as_ref().map(|g| crate::money::Money::new(option.price(g.total.minor, g.items), currency));
                    let price = match price {
                        Some(p) if p.minor == 0 => "free".to_string(),
                        Some(p) => p.to_string(),
                        None => String::new(),
                    };
                    view! {
                        <div class="checkout-option">
                            <input type="radio" id=id.clone() name="shipping" value=option.key() checked=option == chosen on:change=move |_| shipping.set(option)/>
                            <label for=id>{format!("{}, {price}: {}", option.label(), option.window())}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>"4. Payment"</legend>
                <p class="notice" data-testid="test-provider">
                    "Test payments only: no money moves. Use card 4242 4242 4242 4242 to pay, 4000 0000 0000 0002 to see a decline, or 4000 0000 0000 0119 for a temporary failure; any future expiry and any 3 digits."
                </p>
                <Field name="card_number" label="Card number" value=String::new() kind="text" autocomplete="cc-number" required=true/>
                <Field name="card_expiry" label="Expiry (MM/YY)" value=String::new() kind="text" autocomplete="cc-exp" required=true/>
                <Field name="card_cvc" label="Security code" value=String::new() kind="text" autocomplete="cc-csc" required=true/>
            </fieldset>
            <fieldset>
                <legend>"Coupon"</legend>
                <label for="checkout-coupon">"Coupon code (optional)"</label>
                // With the bundle, Enter in the code applies it (without, it places the order
                // with the code, which the server checks like any other).
                <input id="checkout-coupon" name="coupon" type="text" value=coupon_value autocomplete="off" data-testid="coupon-input"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            if let Some(button) = apply_button.get() {
                                button.click();
                            }
                        }
                    }/>
                <button node_ref=apply_button type="submit" name="apply_coupon" value="1" formnovalidate=true class="button" data-testid="apply-coupon">"Apply"</button>
                {applied.map(|(code, saving)| view! {
                    <p class="notice" data-testid="coupon-applied">{format!("Code {code} applied: {saving} off.")}</p>
                })}
            </fieldset>
            <section aria-labelledby="review-heading">
                <h2 id="review-heading">"5. Review"</h2>
                <ul class="checkout-lines">
                    {cart.lines.into_iter().map(|l| view! {
                        <li data-sku=l.sku.clone()>{format!("{} × {} ({}), {} each", l.quantity, l.title, l.sku, l.unit)}</li>
                    }).collect_view()}
                </ul>
                <dl class="cart-totals">
                    <dt>"Subtotal"</dt><dd data-testid="checkout-subtotal">{money(|q| q.totals.subtotal)}</dd>
                    {move || saving(|q| q.multibuy_saving)().map(|m| view! { <dt>"Multi-buy saving"</dt><dd data-testid="checkout-multibuy">{format!("−{m}")}</dd> })}
                    {move || saving(|q| q.threshold_saving)().map(|m| view! { <dt>"Spend-and-save"</dt><dd data-testid="checkout-threshold">{format!("−{m}")}</dd> })}
                    {move || saving(|q| q.coupon_saving)().map(|m| view! { <dt>"Coupon"</dt><dd data-testid="checkout-coupon">{format!("−{m}")}</dd> })}
                    <dt>"Delivery"</dt><dd data-testid="checkout-shipping">{money(|q| q.totals.shipping)}</dd>
                    <dt>"Total"</dt><dd data-testid="checkout-total">{money(|q| q.totals.total)}</dd>
                </dl>
                <p class="hint">"The total follows the delivery option you choose; we charge the prices shown when you place the order."</p>
                <button type="submit" class="button button--primary" data-testid="place-order" disabled=move || placing.get()>
                    {move || if placing.get() { "Placing your order…" } else { "Place order" }}
                </button>
            </section>
        </form>
    }
    .into_any()
}

/// A labelled text input.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
    autocomplete: &'static str,
    required: bool,
) -> impl IntoView {
    let id = format!("checkout-{name}");
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id name=name type=kind value=value autocomplete=autocomplete required=required/>
    }
}
