//! The order forms: `POST /orders/find` (number + email → the order page's keyed link) and
//! `POST /orders/{number}/return` (the shopper's return request, with the order's key) and
//! `POST /orders/{number}/review` (a review of a product on it, once delivered).
//! Browsers get a 303 with a notice code; JSON clients get the status: 404 no such order,
//! 409 the order can't be returned now.

use super::{AppState, see_other, wants_json};
use crate::orders::{self, AdvanceError};
use crate::reviews::{self, Draft, ReviewError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindForm {
    number: String,
    email: String,
}

pub async fn find(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FindForm>,
) -> Response {
    let (status, code, location) = match orders::find(&state.db, &form.number, &form.email).await {
        Ok(Some((number, key))) => (
            StatusCode::OK,
            "found",
            format!("/orders/{number}?key={key}"),
        ),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            "not_found",
            "/orders?e=not_found".to_string(),
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "order lookup failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "/orders?e=unavailable".to_string(),
            )
        }
    };
    if wants_json(&headers) {
        let url = (status == StatusCode::OK).then_some(location);
        return (
            status,
            Json(serde_json::json!({ "ok": url.is_some(), "code": code, "url": url })),
        )
            .into_response();
    }
    see_other(&location)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    key: String,
}

pub async fn request_return(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ReturnForm>,
) -> Response {
    let result = orders::request_return(&state.db, &number, &form.key, crate::db::now()).await;
    let (status, notice) = match &result {
        Ok(()) => (StatusCode::OK, "n=return_requested"),
        Err(AdvanceError::UnknownOrder(_)) => (StatusCode::NOT_FOUND, "e=not_found"),
        Err(AdvanceError::ReturnWindowClosed) => (StatusCode::CONFLICT, "e=return_window"),
        Err(AdvanceError::NotAllowed { .. } | AdvanceError::Changed { .. }) => {
            (StatusCode::CONFLICT, "e=return_status")
        }
        Err(AdvanceError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "return request failed");
            (StatusCode::SERVICE_UNAVAILABLE, "e=unavailable")
        }
    };
    respond(&headers, &number, &form.key, status, notice, result.err())
}

/// The answer to an order-page form: JSON clients get `status` and the message; browsers go
/// back to the order page with the notice (or to the lookup, for an unknown order).
fn respond(
    headers: &HeaderMap,
    number: &str,
    key: &str,
    status: StatusCode,
    notice: &str,
    error: Option<impl ToString>,
) -> Response {
    if wants_json(headers) {
        let message = error.as_ref().map(ToString::to_string);
        return (
            status,
            Json(serde_json::json!({ "ok": message.is_none(), "message": message })),
        )
            .into_response();
    }
    if status == StatusCode::NOT_FOUND {
        return see_other("/orders?e=not_found");
    }
    // The number and key came with the request and matched (or the order is unknown above):
    // only URL-safe characters go back into the link.
    let safe = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect::<String>()
    };
    see_other(&format!(
        "/orders/{}?key={}&{notice}",
        safe(number),
        safe(key)
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    key: String,
    stem: String,
    rating: String,
    author: String,
    body: String,
}

/// `POST /orders/{number}/review`: a buyer's review of a product on a delivered order. 404 no
/// such order, 422 a rating, name or text to fix, 409 not delivered yet or already reviewed.
pub async fn review(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ReviewForm>,
) -> Response {
    let result = match Draft::parse(&form.rating, &form.author, &form.body) {
        Ok(draft) => {
            let now = crate::db::now();
            reviews::submit(&state.db, &number, &form.key, form.stem.trim(), &draft, now).await
        }
        Err(e) => Err(e),
    };
    let (status, notice) = match &result {
        Ok(()) => (StatusCode::OK, "n=reviewed".to_string()),
        Err(ReviewError::UnknownOrder) => (StatusCode::NOT_FOUND, String::new()),
        Err(ReviewError::Refused(code)) => {
            let status = match *code {
                "review_done" | "review_status" => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, format!("e={code}"))
        }
        Err(ReviewError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "review failed");
            (StatusCode::SERVICE_UNAVAILABLE, "e=unavailable".to_string())
        }
    };
    respond(&headers, &number, &form.key, status, &notice, result.err())
}
