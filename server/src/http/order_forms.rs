//! The order forms: `POST /orders/find` (number + email → the order page's keyed link) and
//! `POST /orders/{number}/return` (the shopper's return request, with the order's key).
//! Browsers get a 303 with a notice code; JSON clients get the status: 404 no such order,
//! 409 the order can't be returned now.

use super::{AppState, see_other, wants_json};
use crate::orders::{self, AdvanceError};
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
        Err(AdvanceError::NotAllowed { .. }) => (StatusCode::CONFLICT, "e=return_status"),
        Err(AdvanceError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "return request failed");
            (StatusCode::SERVICE_UNAVAILABLE, "e=unavailable")
        }
    };
    if wants_json(&headers) {
        let message = result.as_ref().err().map(ToString::to_string);
        return (
            status,
            Json(serde_json::json!({ "ok": result.is_ok(), "message": message })),
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
        safe(&number),
        safe(&form.key)
    ))
}
