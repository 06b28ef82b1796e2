//! `GET /admin`: who is signed in, and the audit log (the latest 50 entries).

use super::auth::{self, SignedIn};
use super::views;
use crate::http::AppState;
use crate::staff::audit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// How many audit entries the console home shows.
pub const AUDIT_SHOWN: i64 = 50;

pub async fn home(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let entries = match audit::latest(&state.db, AUDIT_SHOWN).await {
        Ok(entries) => entries,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "reading the audit log failed");
            return auth::unavailable(&state);
        }
    };
    let who = signed_in.session.clone();
    views::page(
        StatusCode::OK,
        "Console",
        signed_in.chrome(&state),
        move || views::home(who, entries),
    )
}
