//! The staff console under `/admin`: sign-in, sign-out, the console home with the audit log,
//! and staff management. Server-rendered Leptos pages with plain HTML forms, outside the
//! hydrated storefront (nothing here reaches the wasm bundle). The account rules live in
//! `crate::staff`; this module only speaks HTTP.
//!
//! Every response here is `Cache-Control: no-store` and `X-Robots-Tag: noindex`; every
//! state-changing request needs a CSRF token and a same-origin request. Nothing here logs an
//! email, a password or a token.

mod auth;
mod dashboard;
mod experiment_views;
mod experiments;
mod home;
mod login;
mod order_views;
mod orders;
mod prices;
mod promotion_views;
mod promotions;
mod reviews;
mod staff_page;
mod stock;
mod throttle;
mod views;

pub use auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, safe_next};

use crate::http::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use std::sync::Arc;

/// The console's routes, to be merged into the application router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(home::home))
        .route("/admin/login", get(login::page).post(login::sign_in))
        .route("/admin/logout", post(login::sign_out))
        .route(
            "/admin/staff",
            get(staff_page::list).post(staff_page::change),
        )
        .merge(dashboard::routes())
        .merge(experiments::routes())
        .merge(prices::routes())
        .merge(promotions::routes())
        .merge(reviews::routes())
        .merge(orders::routes())
        .merge(stock::routes())
        .route("/admin/{*rest}", any(not_found))
        .layer(Extension(Arc::new(throttle::LoginThrottle::default())))
        .layer(axum::middleware::from_fn(private))
}

/// Console pages are per person and never for search engines or shared caches.
async fn private(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    res
}

async fn not_found(State(state): State<AppState>) -> Response {
    let chrome = views::Chrome {
        css: auth::css(&state),
        who: None,
    };
    views::page(StatusCode::NOT_FOUND, "Not found", chrome, || {
        views::message(
            "Not found",
            "There is no console page at this address.",
            Some(("/admin", "Go to the console")),
        )
    })
}
