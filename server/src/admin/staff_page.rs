//! `GET /admin/staff` and `POST /admin/staff` (admins only): list the staff, add one, disable
//! or re-enable one. Each change and its audit entry are one transaction (see
//! `crate::staff`). A change answers 303 back to the list with a notice; a field to fix
//! answers 422 with the form kept (never the password).

use super::auth::{self, SignedIn};
use super::views::{self, StaffForm};
use crate::http::{AppState, see_other, wants_json};
use crate::staff::{self, NewStaff, Role, StaffError};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    n: String,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Admin, &state, &headers) {
        return refusal;
    }
    let notice = match query.n.as_str() {
        "added" => Some("Added. They can sign in now."),
        "disabled" => Some("Disabled. Their sessions have ended."),
        "enabled" => Some("Enabled. They can sign in again."),
        _ => None,
    };
    let form = StaffForm {
        notice: notice.map(str::to_string),
        ..StaffForm::default()
    };
    render(&state, &signed_in, StatusCode::OK, form).await
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    form: StaffForm,
) -> Response {
    let members = match staff::list(&state.db).await {
        Ok(members) => members,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "listing staff failed");
            return auth::unavailable(state);
        }
    };
    let who = signed_in.session.clone();
    let now = crate::db::now();
    views::page(status, "Staff", signed_in.chrome(state), move || {
        views::staff(who, members, form, now)
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StaffChange {
    csrf: String,
    /// `add`, `disable` or `enable`.
    op: String,
    email: String,
    role: String,
    password: String,
    /// The account to disable or enable.
    id: String,
}

pub async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<StaffChange>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Admin, &form.csrf, &state, &headers) {
        return refusal;
    }
    let actor = signed_in.session.actor();
    let now = crate::db::now();
    let (result, done) = match form.op.as_str() {
        "add" => {
            let result = match NewStaff::parse(&form.email, &form.role, form.password) {
                Ok(new) => staff::add(&state.db, new, &actor, now).await.map(drop),
                Err(e) => Err(e),
            };
            (result, "added")
        }
        "disable" => (
            staff::set_disabled(&state.db, &form.id, true, &actor, now).await,
            "disabled",
        ),
        "enable" => (
            staff::set_disabled(&state.db, &form.id, false, &actor, now).await,
            "enabled",
        ),
        _ => (Err(StaffError::Invalid("Unknown change.".to_string())), ""),
    };
    let error = match result {
        Ok(()) if wants_json(&headers) => {
            return (
                StatusCode::OK,
                Json(serde_json::json!({ "ok": true, "code": done })),
            )
                .into_response();
        }
        Ok(()) => return see_other(&format!("/admin/staff?n={done}")),
        Err(StaffError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "staff change failed");
            return auth::unavailable(&state);
        }
        Err(e) => e,
    };
    if wants_json(&headers) {
        let body =
            serde_json::json!({ "ok": false, "code": "invalid", "message": error.to_string() });
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    }
    let kept = StaffForm {
        email: if form.op == "add" {
            form.email
        } else {
            String::new()
        },
        role: form.role,
        notice: None,
        error: Some(error.to_string()),
    };
    render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, kept).await
}
