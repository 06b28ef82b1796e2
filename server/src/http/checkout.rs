//! `POST /checkout/place`: places the order for the shopper's cart.
//!
//! Browsers (the checkout page's form, with or without JavaScript) get a 303: to the order
//! page on success, or back to `/checkout?e=1` with what they typed kept in the cart's draft
//! and the reason shown. Clients that ask for JSON get the real status instead: 201 placed,
//! 200 the same order again for a repeated key, 422 a field to fix, 409 sold out or repriced
//! meanwhile, 402 declined, 503 try again.

use super::{AppState, see_other, wants_json};
use crate::events::Visitor;
use crate::orders::{self, CheckoutError, CheckoutRequest, Delivery, PlacedOrder};
use crate::payments::{CardDetails, PaymentError};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form, Json};
use serde::Deserialize;
use vitrine::cart::{CART_COOKIE, Shipping};
use vitrine::checkout::CheckoutDraft;

/// The checkout form. Anything else a client sends (prices, totals, stock) is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    email: String,
    name: String,
    line1: String,
    line2: String,
    city: String,
    postcode: String,
    country: String,
    shipping: String,
    card_number: String,
    card_expiry: String,
    card_cvc: String,
    idempotency_key: String,
    /// The coupon code, as typed.
    coupon: String,
    /// Set by the "Apply" button: check the coupon and come back, without placing the order.
    apply_coupon: String,
}

impl CheckoutForm {
    /// What is kept when the form comes back with an error: everything but the card.
    fn draft(&self) -> CheckoutDraft {
        CheckoutDraft {
            email: self.email.clone(),
            name: self.name.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            postcode: self.postcode.clone(),
            country: self.country.clone(),
            shipping: self.shipping.clone(),
            coupon: self.coupon.clone(),
        }
    }
}

pub async fn place(
    State(state): State<AppState>,
    visitor: Option<Extension<Visitor>>,
    headers: HeaderMap,
    Form(form): Form<CheckoutForm>,
) -> Response {
    let profiled_visitor = visitor
        .filter(|Extension(v)| v.profiled)
        .map(|Extension(v)| v.id);
    let cart_id =
        vitrine::ssr::cookie_value(&headers, CART_COOKIE).filter(|id| crate::cart::is_cart_id(id));
    if !form.apply_coupon.is_empty() {
        return apply_coupon(&state, cart_id.as_deref(), &form, &headers).await;
    }
    let result = match (&cart_id, parse(&form, profiled_visitor)) {
        (None, _) => Err(CheckoutError::EmptyCart),
        (Some(_), Err(message)) => Err(CheckoutError::Invalid(message)),
        (Some(cart_id), Ok(request)) => {
            orders::place(&state.db, state.payments.as_ref(), cart_id, request).await
        }
    };
    if let Err(CheckoutError::Unavailable(inner)) = &result {
        tracing::error!(error = %format!("{inner:#}"), "checkout failed");
    }
    if wants_json(&headers) {
        return json_reply(result);
    }
    match result {
        Ok(order) => see_other(&format!("{}&n=placed", order_url(&order))),
        Err(e) => {
            if let Some(cart_id) = &cart_id
                && let Err(save) =
                    orders::save_draft(&state.db, cart_id, &form.draft(), &message(&e)).await
            {
                tracing::error!(error = %format!("{save:#}"), "saving the checkout draft failed");
            }
            see_other("/checkout?e=1")
        }
    }
}

fn order_url(order: &PlacedOrder) -> String {
    format!("/orders/{}?key={}", order.number, order.access_token)
}

/// What the shopper reads; infrastructure details stay in the log.
fn message(e: &CheckoutError) -> String {
    match e {
        CheckoutError::Unavailable(_) => "The store is having trouble right now. Nothing was charged; please try again in a moment.".to_string(),
        other => other.to_string(),
    }
}

fn json_reply(result: Result<PlacedOrder, CheckoutError>) -> Response {
    let e = match result {
        Ok(order) => {
            let status = if order.new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = serde_json::json!({
                "ok": true,
                "order": order.number,
                "url": order_url(&order),
                "email": order.email,
                "total_minor": order.total_minor,
            });
            return (status, Json(body)).into_response();
        }
        Err(e) => e,
    };
    let (status, code) = match &e {
        CheckoutError::EmptyCart => (StatusCode::UNPROCESSABLE_ENTITY, "empty_cart"),
        CheckoutError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        CheckoutError::Coupon(_) => (StatusCode::UNPROCESSABLE_ENTITY, "coupon"),
        CheckoutError::SoldOut { .. } => (StatusCode::CONFLICT, "sold_out"),
        CheckoutError::PriceChanged { .. } => (StatusCode::CONFLICT, "price_changed"),
        CheckoutError::Payment(PaymentError::Declined) => {
            (StatusCode::PAYMENT_REQUIRED, "declined")
        }
        CheckoutError::Payment(_) => (StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable"),
        CheckoutError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    let body = serde_json::json!({ "ok": false, "code": code, "message": message(&e) });
    (status, Json(body)).into_response()
}

/// The form as a request; `profiled_visitor` is recorded as the buyer when they may be profiled.
fn parse(form: &CheckoutForm, profiled_visitor: Option<String>) -> Result<CheckoutRequest, String> {
    let delivery = Delivery::parse(
        &form.email,
        &form.name,
        &form.line1,
        &form.line2,
        &form.city,
        &form.postcode,
        &form.country,
    )?;
    let shipping =
        Shipping::parse(form.shipping.trim()).ok_or("Choose standard or express delivery.")?;
    let coupon = crate::promotions::coupons::parse_code(&form.coupon).map_err(|e| e.to_string())?;
    let card = CardDetails::parse(
        &form.card_number,
        &form.card_expiry,
        &form.card_cvc,
        today(),
    )?;
    Ok(CheckoutRequest {
        delivery,
        shipping,
        card,
        idempotency_key: form.idempotency_key.clone(),
        profiled_visitor,
        coupon,
    })
}

/// The "Apply" button next to the coupon field: checks the code against the cart now and comes
/// back to the checkout page with everything typed kept, and either the code counted in the
/// review's total or the reason it cannot be used. JSON clients get 200 with the totals or 422
/// with the reason.
async fn apply_coupon(
    state: &AppState,
    cart_id: Option<&str>,
    form: &CheckoutForm,
    headers: &HeaderMap,
) -> Response {
    let result = match cart_id {
        None => Err(CheckoutError::EmptyCart),
        Some(cart_id) => check_coupon(state, cart_id, form).await,
    };
    if let Err(CheckoutError::Unavailable(inner)) = &result {
        tracing::error!(error = %format!("{inner:#}"), "checking a coupon failed");
    }
    if wants_json(headers) {
        return match result {
            Ok(quote) => Json(serde_json::json!({
                "ok": true,
                "discount_minor": quote.totals.discount.minor,
                "total_minor": quote.totals.total.minor,
            }))
            .into_response(),
            Err(e) => json_reply(Err(e)),
        };
    }
    let error = result.err().map(|e| message(&e)).unwrap_or_default();
    if let Some(cart_id) = cart_id
        && let Err(save) = orders::save_draft(&state.db, cart_id, &form.draft(), &error).await
    {
        tracing::error!(error = %format!("{save:#}"), "saving the checkout draft failed");
    }
    see_other(if error.is_empty() {
        "/checkout"
    } else {
        "/checkout?e=1"
    })
}

async fn check_coupon(
    state: &AppState,
    cart_id: &str,
    form: &CheckoutForm,
) -> Result<vitrine::cart::Quote, CheckoutError> {
    let code = crate::promotions::coupons::parse_code(&form.coupon)?
        .ok_or_else(|| CheckoutError::Coupon("Enter a coupon code to apply.".into()))?;
    let view = crate::cart::view(&state.db, Some(cart_id)).await?;
    if view.lines.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let shipping = Shipping::parse(form.shipping.trim());
    let email = form.email.trim().to_ascii_lowercase();
    let coupon = Some((code.as_str(), Some(email.as_str())));
    orders::quote_with(&state.db, &view.lines, coupon, shipping, view.currency).await
}

/// (year, month) now, UTC.
fn today() -> (u32, u32) {
    let date = super::seo_routes::iso_date(crate::db::now());
    let year = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let month = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}
