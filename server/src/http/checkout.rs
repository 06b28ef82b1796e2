//! `POST /checkout/place`: places the order for the shopper's cart and answers in JSON with
//! the real status (201 placed, 200 the same order again for a repeated key, 422 a field to
//! fix, 409 sold out or repriced meanwhile, 402 declined, 503 try again). The checkout pages
//! that post here are the next step of issue 3.

use super::AppState;
use crate::orders::{self, CheckoutError, CheckoutRequest, Delivery};
use crate::payments::{CardDetails, PaymentError};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use vitrine::cart::{CART_COOKIE, Shipping};

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
}

pub async fn place(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CheckoutForm>,
) -> Response {
    let Some(cart_id) =
        vitrine::ssr::cookie_value(&headers, CART_COOKIE).filter(|id| crate::cart::is_cart_id(id))
    else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_cart",
            "Your cart is empty.".into(),
        );
    };
    let request = match parse(&form) {
        Ok(r) => r,
        Err(message) => return reply(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
    };
    match orders::place(&state.db, state.payments.as_ref(), &cart_id, request).await {
        Ok(order) => {
            let status = if order.new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let url = format!("/orders/{}?key={}", order.number, order.access_token);
            let body = serde_json::json!({
                "ok": true,
                "order": order.number,
                "url": url,
                "email": order.email,
                "total_minor": order.total_minor,
            });
            (status, Json(body)).into_response()
        }
        Err(e) => {
            let (status, code) = match &e {
                CheckoutError::EmptyCart => (StatusCode::UNPROCESSABLE_ENTITY, "empty_cart"),
                CheckoutError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
                CheckoutError::SoldOut { .. } => (StatusCode::CONFLICT, "sold_out"),
                CheckoutError::PriceChanged { .. } => (StatusCode::CONFLICT, "price_changed"),
                CheckoutError::Payment(PaymentError::Declined) => {
                    (StatusCode::PAYMENT_REQUIRED, "declined")
                }
                CheckoutError::Payment(_) => {
                    (StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable")
                }
                CheckoutError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            };
            let message = match &e {
                CheckoutError::Unavailable(inner) => {
                    tracing::error!(error = %format!("{inner:#}"), "checkout failed");
                    "The store is having trouble right now. Nothing was charged; please try again in a moment.".to_string()
                }
                other => other.to_string(),
            };
            reply(status, code, message)
        }
    }
}

fn parse(form: &CheckoutForm) -> Result<CheckoutRequest, String> {
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
    })
}

/// (year, month) now, UTC.
fn today() -> (u32, u32) {
    let date = super::seo_routes::iso_date(crate::db::now());
    let year = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let month = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}

fn reply(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "ok": false, "code": code, "message": message })),
    )
        .into_response()
}
