//! The HTTP surface: Leptos pages and server functions, robots and sitemap, product images,
//! the hydrate bundle, and the middleware around them.

pub mod assets;
pub mod cart_forms;
pub mod checkout;
pub mod middleware;
pub mod order_forms;
pub mod page_cache;
pub mod privacy_form;
pub mod seo_routes;

use crate::catalog::{CatalogService, queries};
use crate::db::Db;
use assets::Assets;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use tower_http::compression::CompressionLayer;
use vitrine::app::App;
use vitrine::ssr::{StoreHandle, shell};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub catalog: Arc<CatalogService>,
    pub assets: Arc<Assets>,
    pub payments: Arc<dyn crate::payments::PaymentProvider>,
    pub events: crate::events::EventSink,
    /// Whole pages for requests that carry nothing personal, kept for a moment.
    pub page_cache: Arc<page_cache::PageCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let store = StoreHandle(state.catalog.clone());
    let context = move || provide_context(store.clone());
    let urls = state.assets.urls();
    let app_shell = move || shell(&urls);
    let routes = page_routes();

    let not_found = leptos_axum::render_app_async_with_context(context.clone(), app_shell.clone());
    let fallback = move |State(state): State<AppState>, req: Request<Body>| {
        let not_found = not_found.clone();
        async move {
            match state.assets.public_response(req.uri().path()) {
                Some(file) => file,
                None => not_found(req).await,
            }
        }
    };

    Router::new()
        .route("/robots.txt", get(seo_routes::robots))
        .route("/sitemap.xml", get(seo_routes::sitemap))
        .route("/images/p/{file}", get(product_image))
        .route("/pkg/{hash}/{file}", get(bundle_file))
        .route("/health", get(|| async { "ok" }))
        .route("/cart/add", axum::routing::post(cart_forms::add))
        .route("/cart/update", axum::routing::post(cart_forms::update))
        .route("/cart/remove", axum::routing::post(cart_forms::remove))
        .route("/cart/empty", axum::routing::post(cart_forms::empty))
        .route("/checkout/place", axum::routing::post(checkout::place))
        .route("/orders/find", axum::routing::post(order_forms::find))
        .route(
            "/privacy/personalise",
            axum::routing::post(privacy_form::personalise),
        )
        .route(
            "/orders/{number}/return",
            axum::routing::post(order_forms::request_return),
        )
        .route(
            "/orders/{number}/review",
            axum::routing::post(order_forms::review),
        )
        .merge(crate::admin::router())
        .leptos_routes_with_context(&state, routes, context, app_shell)
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::page_cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            middleware::PAGE_DEADLINE,
            middleware::page_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.events.clone(),
            middleware::visitor,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(middleware::strip_trailing_slash))
        .layer(axum::middleware::from_fn(middleware::log_requests))
        .with_state(state)
}

/// The page routes, generated once per process and cloned for every router after that.
///
/// `generate_route_list` renders the app once with a **process-wide** flag set (leptos_server's
/// `SuppressResourceLoad`), and any resource first polled while it is set, in any render on any
/// thread, waits forever instead of loading (leptos-rs/leptos#4773). A store alone generates its
/// routes before it serves, so it never met this; a process that builds a second store while the
/// first serves (the API tests, four at a time) did: now and then a page never answered (README,
/// "Known problems"). Generating once means no store ever renders while the flag is set.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// True when the client asked for JSON (`Accept: application/json`) rather than a page.
pub(crate) fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// Whether the request's `Accept-Encoding` accepts `coding` (`br`, `gzip`): named with no
/// `q` or a `q` above zero.
pub(crate) fn accepts_encoding(headers: &axum::http::HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let named = parts
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case(coding));
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
                .next()
                .unwrap_or(1.0);
            named && quality > 0.0
        })
}

/// `"; Secure"` for a cookie when the request came over TLS (via the proxy), else `""`.
pub(crate) fn secure(headers: &axum::http::HeaderMap) -> &'static str {
    if headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v == "https")
    {
        "; Secure"
    } else {
        ""
    }
}

/// A 303 to `location`: the post/redirect/get answer to a browser's form.
pub(crate) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

async fn bundle_file(
    State(state): State<AppState>,
    Path((hash, file)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    state.assets.bundle_response(&hash, &file, &headers)
}

/// `/images/p/<stem>.svg`: the product's generated picture.
async fn product_image(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(stem) = file
        .strip_suffix(".svg")
        .filter(|s| !s.is_empty() && s.len() <= 20)
    else {
        return (StatusCode::NOT_FOUND, "No such image").into_response();
    };
    let facts = match queries::image_facts(&state.db, stem).await {
        Ok(facts) => facts,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "image facts failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Image unavailable; try again shortly.",
            )
                .into_response();
        }
    };
    let Some((title, category_slug, _category_name)) = facts else {
        return (StatusCode::NOT_FOUND, "No such image").into_response();
    };
    let colours = queries::colours_of(&state.db, stem)
        .await
        .unwrap_or_default();
    let svg = crate::images::product_svg(stem, &title, &category_slug, &colours);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn accepting(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn accepted_encodings_follow_their_quality() {
        assert!(accepts_encoding(&accepting("gzip, deflate, br"), "br"));
        assert!(accepts_encoding(&accepting("gzip;q=1.0, BR;q=0.5"), "br"));
        assert!(!accepts_encoding(&accepting("gzip, br;q=0"), "br"));
        assert!(!accepts_encoding(&accepting("br;q=0.000"), "br"));
        assert!(accepts_encoding(&accepting("br;q=0.001"), "br"));
        assert!(!accepts_encoding(&accepting("gzip"), "br"));
        assert!(!accepts_encoding(&accepting("brotli"), "br"));
        assert!(!accepts_encoding(&HeaderMap::new(), "gzip"));
    }
}
