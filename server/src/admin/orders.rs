//! The console's orders screen (every staff member: in a small shop the people who run the
//! promotions also pack the parcels):
//!
//! - `GET /admin/orders`: the web orders, newest first, 50 a page, narrowed by status or found
//!   by order number or the email it was placed with.
//! - `GET /admin/orders/{number}`: one order in full (lines, totals, delivery address, payment,
//!   timeline) with a button for each move it allows now.
//! - `POST /admin/orders/{number}`: a move (`to`, and `from`, the status the person saw). It
//!   goes through the same transaction as `vitrine order advance`
//!   ([`crate::orders::advance_as`]): the status only changes from the one read, the timeline
//!   and the shopper's status email are written, stock comes back on a cancellation or a
//!   return, and the audit log names the person. An order that changed meanwhile is refused
//!   (409) unless it is already where the person wanted it (a double click: done). Cancelling
//!   and accepting a return need the confirmation box ticked; a cancellation then releases the
//!   payment with the provider.

use super::auth::{self, SignedIn};
use super::order_views::{self, Notice};
use crate::http::{AppState, see_other, wants_json};
use crate::orders::staff::{self as queries, Filter};
use crate::orders::{self, AdvanceError};
use crate::payments::Authorization;
use crate::staff::Role;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use serde::Deserialize;
use vitrine::orders::OrderStatus;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(list))
        .route("/admin/orders/{number}", get(detail).post(move_order))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    q: String,
    page: String,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let filter = Filter {
        status: OrderStatus::parse(query.status.trim()),
        query: query.q.trim().chars().take(254).collect(),
        page: query
            .page
            .trim()
            .parse::<i64>()
            .unwrap_or(0)
            .clamp(0, 100_000),
    };
    let (listing, counts) = match tokio::try_join!(
        queries::list(&state.db, &filter),
        queries::counts(&state.db)
    ) {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "listing orders failed");
            return auth::unavailable(&state);
        }
    };
    if wants_json(&headers) {
        let orders: Vec<_> = listing
            .orders
            .iter()
            .map(|o| {
                serde_json::json!({
                    "number": o.number,
                    "placed_at": o.placed_at,
                    "status": o.status.map(OrderStatus::key),
                    "units": o.units,
                    "total_minor": o.total.map(|m| m.minor),
                })
            })
            .collect();
        let body = serde_json::json!({ "matching": listing.matching, "orders": orders });
        return Json(body).into_response();
    }
    let chrome = signed_in.chrome(&state);
    super::views::page(StatusCode::OK, "Orders", chrome, move || {
        order_views::list(filter, listing, counts)
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailQuery {
    n: String,
}

/// The order number from the path: trimmed, upper-cased, `None` when it can't be one.
fn number_of(path: &str) -> Option<String> {
    let number = path.trim().to_ascii_uppercase();
    (!number.is_empty() && number.len() <= 20 && number.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(number)
}

pub async fn detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let notice = Notice::parse(&query.n);
    render(&state, &signed_in, &number, StatusCode::OK, notice).await
}

/// The order's page with `status` and `notice`; 404 for an order that isn't there.
async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    number: &str,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let found = match number_of(number) {
        Some(number) => queries::detail(&state.db, &number).await,
        None => Ok(None),
    };
    let chrome = signed_in.chrome(state);
    match found {
        Ok(Some(order)) => {
            let csrf = signed_in.session.csrf_token.clone();
            let title = format!("Order {}", order.number);
            super::views::page(status, &title, chrome, move || {
                order_views::detail(order, csrf, notice)
            })
        }
        Ok(None) => super::views::page(StatusCode::NOT_FOUND, "No such order", chrome, || {
            super::views::message(
                "No such order",
                "There is no web order with that number. Check it against the confirmation email, or search the list.",
                Some(("/admin/orders", "Back to the orders")),
            )
        }),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "loading an order for the console failed");
            auth::unavailable(state)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    /// The status the person saw.
    from: String,
    to: String,
    /// The confirmation box of the moves that end an order.
    confirm: String,
}

pub async fn move_order(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<MoveForm>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, &form.csrf, &state, &headers) {
        return refusal;
    }
    let actor = signed_in.session.actor();
    let (number, from, to) = match make_move(&state, &number, &form, &actor).await {
        Ok(moved) => moved,
        Err(Refused::Because(status, notice)) => {
            return refuse(&state, &signed_in, &headers, &number, status, notice).await;
        }
        Err(Refused::Unavailable) => return auth::unavailable(&state),
    };
    let already = from == to;
    let mut notice = if already {
        Notice::Already(to)
    } else {
        Notice::Moved(to)
    };
    if to == OrderStatus::Cancelled && !already && !release_payment(&state, &number).await {
        notice = Notice::CancelledUnreleased;
    }
    if wants_json(&headers) {
        let body = serde_json::json!({
            "ok": true,
            "from": from.key(),
            "status": to.key(),
            "already": already,
            "message": notice.text(),
        });
        return (StatusCode::OK, Json(body)).into_response();
    }
    see_other(&format!("/admin/orders/{number}?n={}", notice.code()))
}

/// Why a move was not made.
enum Refused {
    Because(StatusCode, Notice),
    Unavailable,
}

/// Checks the form and moves the order: (number, the status it was in, the one it is in now).
async fn make_move(
    state: &AppState,
    number: &str,
    form: &MoveForm,
    actor: &crate::staff::audit::Actor,
) -> Result<(String, OrderStatus, OrderStatus), Refused> {
    use Refused::Because;
    let number = number_of(number).ok_or(Because(StatusCode::NOT_FOUND, Notice::Unknown))?;
    let seen = OrderStatus::parse(form.from.trim());
    let to = OrderStatus::parse(form.to.trim())
        .filter(|&to| {
            seen.is_none_or(|seen| queries::staff_moves(seen).contains(&to))
                && to != OrderStatus::ReturnRequested
                && to != OrderStatus::Placed
        })
        .ok_or(Because(
            StatusCode::UNPROCESSABLE_ENTITY,
            Notice::UnknownMove,
        ))?;
    if queries::needs_confirmation(to) && form.confirm != "yes" {
        return Err(Because(
            StatusCode::UNPROCESSABLE_ENTITY,
            Notice::Unconfirmed(to),
        ));
    }
    match orders::advance_as(&state.db, &number, seen, to, actor, crate::db::now()).await {
        Ok(from) => Ok((number, from, to)),
        Err(AdvanceError::UnknownOrder(_)) => Err(Because(StatusCode::NOT_FOUND, Notice::Unknown)),
        Err(
            e @ (AdvanceError::Changed { .. }
            | AdvanceError::NotAllowed { .. }
            | AdvanceError::ReturnWindowClosed),
        ) => Err(Because(
            StatusCode::CONFLICT,
            Notice::Refused(e.to_string()),
        )),
        Err(AdvanceError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "moving an order from the console failed");
            Err(Refused::Unavailable)
        }
    }
}

/// Releases a cancelled order's payment with the provider that authorised it; `false` when it
/// could not (the order stays cancelled; a person releases it in the provider's dashboard).
async fn release_payment(state: &AppState, number: &str) -> bool {
    let payment = match queries::payment(&state.db, number).await {
        Ok(payment) => payment,
        Err(e) => {
            tracing::error!(order = %number, error = %format!("{e:#}"), "reading a cancelled order's payment failed");
            return false;
        }
    };
    let Some(payment) = payment else {
        return true;
    };
    if payment.provider != state.payments.name() {
        tracing::warn!(order = %number, provider = %payment.provider, "a cancelled order was paid with another provider");
        return false;
    }
    let authorization = Authorization {
        provider: state.payments.name(),
        reference: payment.reference,
        amount: payment.amount,
    };
    match state.payments.void(&authorization).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(order = %number, error = %e, "releasing a cancelled order's payment failed");
            false
        }
    }
}

/// A refused move: JSON with the status and message, or the order's page with the message.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    number: &str,
    status: StatusCode,
    notice: Notice,
) -> Response {
    if wants_json(headers) {
        return auth::json_message(status, &notice.text());
    }
    render(state, signed_in, number, status, Some(notice)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_from_the_path_are_cleaned_or_refused() {
        assert_eq!(number_of(" vt1a2b ").as_deref(), Some("VT1A2B"));
        assert_eq!(number_of(""), None);
        assert_eq!(number_of("VT1/../x"), None);
        assert_eq!(number_of(&"A".repeat(21)), None);
    }
}
