//! `GET /admin/login`, `POST /admin/login` and `POST /admin/logout`.
//!
//! The sign-in form is protected against login CSRF by a double-submit token (an HttpOnly,
//! SameSite=Strict cookie and the same value in a hidden field) and the origin check. Answers:
//! 303 to the console (or the `next` console page) with a new session cookie; 422 for a wrong
//! email or password (one message for both); 429 with `Retry-After` when the account is locked
//! or the client is over the rate limit; 403 for a missing or wrong token.

use super::auth::{self, SignedIn, css};
use super::throttle::{Client, LoginThrottle};
use super::views::{self, Chrome, LoginForm};
use crate::http::{AppState, see_other, wants_json};
use crate::staff::{self, Password, SignInError, session};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = auth::safe_next(&query.next).to_string();
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE)
        && let Ok(Some(_)) = session::find(&state.db, &token, crate::db::now()).await
    {
        return see_other(&next);
    }
    form_page(&state, &headers, StatusCode::OK, next, String::new(), None)
}

/// The sign-in page, issuing the form's CSRF cookie when the browser has none.
fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    email: String,
    error: Option<String>,
) -> Response {
    let (csrf, fresh) = match auth::login_csrf(headers) {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "no token for the sign-in form");
            return auth::unavailable(state);
        }
    };
    let chrome = Chrome {
        css: css(state),
        who: None,
    };
    let form = LoginForm {
        csrf: csrf.clone(),
        next,
        email,
        error,
    };
    let mut res = views::page(status, "Sign in", chrome, move || views::login(form));
    if fresh {
        auth::set_login_csrf(&mut res, &csrf, headers);
    }
    res
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf: String,
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Extension(throttle): Extension<Arc<LoginThrottle>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if !auth::same_origin(&headers) || !auth::login_csrf_ok(&headers, &form.csrf) {
        return auth::form_expired(&state, &headers);
    }
    let next = auth::safe_next(&form.next).to_string();
    let client = Client::of(peer.map(|Extension(ConnectInfo(addr))| addr));
    if let Err(wait) = throttle.attempt(client, std::time::Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1) as i64;
        return refused(
            &state,
            &headers,
            next,
            form.email,
            SignInError::Locked(minutes),
            wait.as_secs().max(1),
        );
    }
    let previous = auth::cookie(&headers, auth::SESSION_COOKIE);
    let password = Password::for_sign_in(form.password);
    let now = crate::db::now();
    match staff::sign_in(&state.db, &form.email, password, previous.as_deref(), now).await {
        Ok((token, _session)) => {
            let mut res = see_other(&next);
            auth::set_cookie(
                &mut res,
                auth::SESSION_COOKIE,
                token.reveal(),
                Some(session::ABSOLUTE_SECONDS),
                &headers,
            );
            auth::clear_cookie(&mut res, auth::LOGIN_CSRF_COOKIE, &headers);
            res
        }
        Err(SignInError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "sign-in failed");
            auth::unavailable(&state)
        }
        Err(e) => {
            let retry = match &e {
                SignInError::Locked(minutes) => (*minutes * 60) as u64,
                _ => 0,
            };
            refused(&state, &headers, next, form.email, e, retry)
        }
    }
}

/// A refused sign-in: the form again with the reason (and the email, never the password).
fn refused(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    e: SignInError,
    retry_after: u64,
) -> Response {
    let status = match e {
        SignInError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut res = if wants_json(headers) {
        let code = if status == StatusCode::TOO_MANY_REQUESTS {
            "locked"
        } else {
            "mismatch"
        };
        (
            status,
            axum::Json(serde_json::json!({ "ok": false, "code": code, "message": e.to_string() })),
        )
            .into_response()
    } else {
        form_page(state, headers, status, next, email, Some(e.to_string()))
    };
    if retry_after > 0
        && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
    res
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignOutForm {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    if let Some(refusal) = signed_in.csrf_refusal(&form.csrf, &state, &headers) {
        return refusal;
    }
    if let Err(e) = session::end(
        &state.db,
        &signed_in.token,
        &signed_in.session,
        crate::db::now(),
    )
    .await
    {
        tracing::error!(error = %format!("{e:#}"), "sign-out failed");
        return auth::unavailable(&state);
    }
    let mut res = see_other("/admin/login");
    auth::clear_cookie(&mut res, auth::SESSION_COOKIE, &headers);
    res
}
