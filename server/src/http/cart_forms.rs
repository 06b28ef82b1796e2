//! The cart's form endpoints: `POST /cart/add`, `/cart/update`, `/cart/remove`, `/cart/empty`.
//!
//! Browsers get a 303 back to the cart with a notice code (post/redirect/get, so a reload never
//! re-posts); clients that ask for JSON get the real status: 422 for a bad quantity, 404 for an
//! unknown item, 409 when stock runs short.

use super::AppState;
use crate::cart::{self, CartError};
use crate::events::{EventKind, Visitor};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use vitrine::cart::{CART_COOKIE, Quantity, QuantityError};

const CART_MAX_AGE: u32 = 60 * 60 * 24 * 30;

#[derive(Debug, Default, Deserialize)]
pub struct CartForm {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    quantity: String,
}

pub async fn add(
    State(state): State<AppState>,
    visitor: Option<Extension<Visitor>>,
    headers: HeaderMap,
    Form(form): Form<CartForm>,
) -> Response {
    let (cart_id, fresh) = match current_cart(&headers) {
        Some(id) => (id, false),
        None => (cart::new_cart_id(), true),
    };
    let result = match parse_quantity(&form.quantity) {
        Ok(q) => cart::add(&state.db, &cart_id, form.sku.trim(), q).await,
        Err(e) => Err(e),
    };
    let result = result.map(|stem| {
        if let Some(Extension(visitor)) = &visitor {
            state.events.record(visitor, EventKind::Cart, &stem);
        }
    });
    let mut res = respond(&headers, result, "added", &form.sku);
    if fresh {
        let cookie = format!(
            "{CART_COOKIE}={cart_id}; Path=/; Max-Age={CART_MAX_AGE}; HttpOnly; SameSite=Lax{}",
            super::secure(&headers)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CartForm>,
) -> Response {
    let Some(cart_id) = current_cart(&headers) else {
        return respond(&headers, Err(CartError::UnknownSku), "updated", &form.sku);
    };
    let result = match parse_quantity(&form.quantity) {
        Ok(q) => cart::set_quantity(&state.db, &cart_id, form.sku.trim(), q).await,
        Err(e) => Err(e),
    };
    respond(&headers, result, "updated", &form.sku)
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CartForm>,
) -> Response {
    let result = match current_cart(&headers) {
        Some(cart_id) => cart::remove(&state.db, &cart_id, form.sku.trim()).await,
        None => Ok(()),
    };
    respond(&headers, result, "removed", &form.sku)
}

pub async fn empty(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = match current_cart(&headers) {
        Some(cart_id) => cart::empty(&state.db, &cart_id).await,
        None => Ok(()),
    };
    respond(&headers, result, "emptied", "")
}

fn current_cart(headers: &HeaderMap) -> Option<String> {
    vitrine::ssr::cookie_value(headers, CART_COOKIE).filter(|id| cart::is_cart_id(id))
}

fn parse_quantity(raw: &str) -> Result<Quantity, CartError> {
    let raw = if raw.trim().is_empty() { "1" } else { raw };
    Ok(Quantity::parse(raw)?)
}

/// The notice code, HTTP status and extra query parameters for an outcome.
fn outcome(
    result: &Result<(), CartError>,
    ok_code: &'static str,
) -> (StatusCode, &'static str, String) {
    let invalid = |code| (StatusCode::UNPROCESSABLE_ENTITY, code, String::new());
    match result {
        Ok(()) => (StatusCode::OK, ok_code, String::new()),
        Err(CartError::Quantity(QuantityError::TooLow)) => invalid("qty_low"),
        Err(CartError::Quantity(QuantityError::TooHigh)) => invalid("qty_high"),
        Err(CartError::Quantity(QuantityError::NotANumber(_))) => invalid("qty_nan"),
        Err(CartError::UnknownSku) => (StatusCode::NOT_FOUND, "unknown", String::new()),
        Err(CartError::NotEnoughStock { left }) => {
            (StatusCode::CONFLICT, "stock", format!("&left={left}"))
        }
        Err(CartError::Unavailable(_)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            String::new(),
        ),
    }
}

fn respond(
    headers: &HeaderMap,
    result: Result<(), CartError>,
    ok_code: &'static str,
    sku: &str,
) -> Response {
    if let Err(CartError::Unavailable(e)) = &result {
        tracing::error!(error = %format!("{e:#}"), "cart change failed");
    }
    let (status, code, extra) = outcome(&result, ok_code);
    if super::wants_json(headers) {
        let body = serde_json::json!({ "ok": result.is_ok(), "code": code, "message": user_message(&result) });
        return (status, axum::Json(body)).into_response();
    }
    let sku: String = sku
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    let key = if result.is_ok() { "n" } else { "e" };
    let location = format!("/cart?{key}={code}&sku={sku}{extra}");
    super::see_other(&location)
}

fn user_message(result: &Result<(), CartError>) -> String {
    match result {
        Ok(()) => String::new(),
        Err(CartError::Unavailable(_)) => {
            "The store is having trouble right now. Please try again in a moment.".into()
        }
        Err(CartError::UnknownSku) => {
            "We couldn't find that item: it may have been removed from the shop.".into()
        }
        Err(CartError::NotEnoughStock { left: 0 }) => "Sorry, that item is out of stock.".into(),
        Err(CartError::NotEnoughStock { left }) => {
            format!("Only {left} left: you can't add more than that.")
        }
        Err(e) => e.to_string(),
    }
}
