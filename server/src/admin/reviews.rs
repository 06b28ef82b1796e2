//! `GET /admin/reviews` and `POST /admin/reviews` (marketers and admins): the newest reviews,
//! each with a button that hides it from the product page or shows it again. The change and
//! its audit entry are one transaction (`crate::reviews::set_hidden`); it answers 303 back to
//! the list with a notice, 404 for a review that does not exist.

use super::auth::{self, SignedIn};
use super::views;
use crate::http::{AppState, see_other, wants_json};
use crate::reviews::{self, StaffReview};
use crate::staff::Role;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use leptos::prelude::*;
use serde::Deserialize;

/// How many reviews the page lists, newest first.
const LISTED: i64 = 100;
/// How much of a review's text the list shows.
const EXCERPT: usize = 200;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/reviews", get(page).post(change))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    n: String,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let notice = match query.n.as_str() {
        "hidden" => Some("Hidden: the product page no longer shows it or counts it."),
        "shown" => Some("Shown again on the product page."),
        _ => None,
    };
    render(&state, &signed_in, StatusCode::OK, notice, None).await
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> Response {
    let list = match reviews::latest(&state.db, LISTED).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "listing reviews failed");
            return auth::unavailable(state);
        }
    };
    let csrf = signed_in.session.csrf_token.clone();
    views::page(status, "Reviews", signed_in.chrome(state), move || {
        view(csrf, list, notice, error)
    })
}

fn view(
    csrf: String,
    list: Vec<StaffReview>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
) -> impl IntoView {
    let empty = list.is_empty();
    let rows = list
        .into_iter()
        .map(|r| {
            let hidden = r.hidden_at.is_some();
            let (op, label) = if hidden {
                ("show", "Show")
            } else {
                ("hide", "Hide")
            };
            let mut text: String = r.body.chars().take(EXCERPT).collect();
            if r.body.chars().count() > EXCERPT {
                text.push('…');
            }
            let rating = u8::try_from(r.rating).unwrap_or(0);
            view! {
                <tr data-testid="review-row">
                    <td>{crate::http::seo_routes::iso_date(r.created_at)}</td>
                    <td><a href=format!("/p/{}#reviews", r.slug)>{r.slug.clone()}</a></td>
                    <td><span aria-label=format!("{rating} out of 5 stars")>{vitrine::reviews::stars(rating)}</span></td>
                    <td>{r.author.clone()}</td>
                    <td class="admin-review-text">{text}</td>
                    <td>{if hidden { "Hidden" } else { "Shown" }}</td>
                    <td>
                        <form method="post" action="/admin/reviews">
                            <input type="hidden" name="csrf" value=csrf.clone()/>
                            <input type="hidden" name="op" value=op/>
                            <input type="hidden" name="id" value=r.id.clone()/>
                            <button class="button" type="submit" aria-label=format!("{label} the review by {} of {}", r.author, r.slug)>{label}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Reviews"</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <p>"Buyers review what was delivered from their order page; every review is a verified purchase. Hide one to take it off the product page and out of its average; nothing is deleted."</p>
        {if empty {
            view! { <p>"No reviews yet."</p> }.into_any()
        } else {
            views::table(&["Date", "Product", "Rating", "Name", "Review", "Status"], Some("Change"), rows).into_any()
        }}
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ReviewChange {
    csrf: String,
    /// `hide` or `show`.
    op: String,
    id: String,
}

pub async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<ReviewChange>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, &form.csrf, &state, &headers) {
        return refusal;
    }
    let (hide, done) = match form.op.as_str() {
        "hide" => (true, "hidden"),
        "show" => (false, "shown"),
        _ => {
            let message = "Unknown change: choose Hide or Show.";
            return refuse(
                &state,
                &signed_in,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await;
        }
    };
    let actor = signed_in.session.actor();
    let id = form.id.trim().to_ascii_lowercase();
    match reviews::set_hidden(&state.db, &id, hide, &actor, crate::db::now()).await {
        Ok(true) if wants_json(&headers) => (
            StatusCode::OK,
            Json(serde_json::json!({ "ok": true, "code": done })),
        )
            .into_response(),
        Ok(true) => see_other(&format!("/admin/reviews?n={done}")),
        Ok(false) => {
            let message = "There is no such review: it may have been changed in the meantime.";
            refuse(&state, &signed_in, &headers, StatusCode::NOT_FOUND, message).await
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "review change failed");
            auth::unavailable(&state)
        }
    }
}

/// A refused change: JSON with the status and message, or the list again with the message.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    message: &'static str,
) -> Response {
    if wants_json(headers) {
        return auth::json_message(status, message);
    }
    render(state, signed_in, status, None, Some(message)).await
}
