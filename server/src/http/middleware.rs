//! Cross-cutting HTTP behaviour: one canonical form for every URL (no trailing slash), the
//! first-party visitor cookie (and who is asking: [`Visitor`]), and security headers.

use crate::events::{EventSink, FunnelStep, Visitor};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const VISITOR_COOKIE: &str = "vid";
const VISITOR_MAX_AGE: u32 = 60 * 60 * 24 * 365;

/// One log line per request: method, path (never the query string, which can hold what a
/// shopper searched for), status and time taken. No cookies, no bodies.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(%method, %path, status, micros, "request");
    } else {
        tracing::info!(%method, %path, status, micros, "request");
    }
    res
}

/// `/c/mugs/` answers 301 to `/c/mugs`, keeping the query: one URL per page.
pub async fn strip_trailing_slash(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let target = match req.uri().query() {
            Some(q) => format!("{}?{q}", if trimmed.is_empty() { "/" } else { trimmed }),
            None => (if trimmed.is_empty() { "/" } else { trimmed }).to_string(),
        };
        if let Ok(location) = HeaderValue::from_str(&target) {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Gives every browser a random first-party visitor id (HttpOnly, SameSite=Lax), used for
/// carts, experiments and recommendations, and tells the handlers who is asking: the request
/// carries a [`Visitor`] extension (its id, and whether it may be profiled). The cookie is set
/// on pages and on the redirects that answer forms, not on images or the bundle.
///
/// It also queues the dashboard funnel's visit and checkout steps (see [`funnel_step`]) for a
/// visitor who may be profiled; the batched writer in `events` stores them.
pub async fn visitor(State(sink): State<EventSink>, mut req: Request, next: Next) -> Response {
    let existing = visitor_id(req.headers());
    let fresh = existing.is_none();
    let id = existing.unwrap_or_else(new_visitor_id);
    let secure = super::secure(req.headers());
    let visitor = Visitor::of(id.clone(), req.headers());
    req.extensions_mut().insert(visitor.clone());
    let is_get = req.method() == axum::http::Method::GET;
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.status().is_success() {
        for step in funnel_step(is_get, is_html, &path) {
            sink.record_step(&visitor, step);
        }
    }
    if fresh && (is_html || res.status().is_redirection()) {
        let cookie = format!(
            "{VISITOR_COOKIE}={id}; Path=/; Max-Age={VISITOR_MAX_AGE}; HttpOnly; SameSite=Lax{secure}"
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

/// The funnel steps a successful response to `path` is: any store page served as HTML is a
/// visit (not the console), and the checkout page, rendered on the server (`GET /checkout`)
/// or fetched by the hydrated app's server function, is the checkout step.
fn funnel_step(is_get: bool, is_html: bool, path: &str) -> Vec<FunnelStep> {
    // The server function's path is `/api/` + (module path, when so built) + name + hash.
    let checkout_data = path.starts_with("/api/") && path.contains("/get_checkout");
    let page = is_get && is_html && path != "/admin" && !path.starts_with("/admin/");
    let mut steps = Vec::new();
    if page {
        steps.push(FunnelStep::Visit);
    }
    if (page && path == "/checkout") || checkout_data {
        steps.push(FunnelStep::Checkout);
    }
    steps
}

/// The visitor id from the request's cookies, if it is one we could have issued.
pub fn visitor_id(headers: &HeaderMap) -> Option<String> {
    vitrine::ssr::cookie_pairs(headers)
        .find(|(name, value)| {
            *name == VISITOR_COOKIE
                && value.len() == 32
                && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(_, value)| value.to_string())
}

fn new_visitor_id() -> String {
    crate::ids::random_id()
}

/// How long a page (GET or HEAD) may take before the store gives up on it: longer than the
/// database's own waits (10 s to get a connection, 10 s on a busy SQLite lock) together.
pub const PAGE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Answers 503 with `Retry-After` when a GET or HEAD has not finished within `limit`, instead
/// of holding the connection open forever (README, "Known problems": the render that never
/// completed, since fixed in `http::page_routes`, and a guard against whatever else might
/// stall a page). Reads only: a form post keeps its transaction's own timeouts, so an order is
/// never cut off half way. The log line names the path, never the query.
pub async fn page_deadline(
    State(limit): State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    tracing::debug!(%method, %path, "page started");
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!(%method, %path, millis = limit.as_millis() as u64, "page timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "10")],
                "This page took too long to prepare. Please try again in a moment.",
            )
                .into_response()
        }
    }
}

/// Security headers for every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "strict-origin-when-cross-origin");
    set(h, "x-frame-options", "DENY");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    // Inline scripts are Leptos's hydration data and the bundle's boot line; everything else
    // must come from this origin.
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'",
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A router whose `/stuck` never answers, behind a 50 ms deadline.
    fn stuck_router() -> axum::Router {
        let stuck = || std::future::pending::<&'static str>();
        axum::Router::new()
            .route("/stuck", axum::routing::get(stuck).post(stuck))
            .route("/fine", axum::routing::get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                std::time::Duration::from_millis(50),
                page_deadline,
            ))
    }

    async fn call(router: axum::Router, method: &str, path: &str) -> Option<Response> {
        use tower::Service;
        let req = Request::builder()
            .method(method)
            .uri(path)
            .body(axum::body::Body::empty())
            .expect("request");
        let mut svc = router;
        let answer = svc.call(req);
        tokio::time::timeout(std::time::Duration::from_secs(2), answer)
            .await
            .ok()
            .map(|r| r.expect("infallible"))
    }

    #[tokio::test]
    async fn a_page_past_its_deadline_answers_503_with_retry_after() {
        let res = call(stuck_router(), "GET", "/stuck")
            .await
            .expect("answered");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "10");
        let res = call(stuck_router(), "GET", "/fine")
            .await
            .expect("answered");
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_form_post_is_never_cut_off() {
        assert!(call(stuck_router(), "POST", "/stuck").await.is_none());
    }

    #[test]
    fn visitor_ids_are_random_hex() {
        let a = new_visitor_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_visitor_id());
    }

    #[test]
    fn store_pages_are_visits_and_the_checkout_page_is_the_checkout_step() {
        use FunnelStep::{Checkout, Visit};
        assert_eq!(funnel_step(true, true, "/"), vec![Visit]);
        assert_eq!(funnel_step(true, true, "/checkout"), vec![Visit, Checkout]);
        assert_eq!(
            funnel_step(false, false, "/api/get_checkout123"),
            vec![Checkout]
        );
        assert_eq!(
            funnel_step(false, false, "/api/vitrine/checkout/get_checkout9"),
            vec![Checkout]
        );
        assert_eq!(funnel_step(true, true, "/admin/dashboard"), vec![]);
        assert_eq!(funnel_step(true, false, "/images/p/1.svg"), vec![]);
        assert_eq!(funnel_step(false, false, "/cart/add"), vec![]);
    }

    #[test]
    fn only_well_formed_visitor_cookies_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("x=1; vid=0123456789abcdef0123456789abcdef"),
        );
        assert_eq!(
            visitor_id(&h).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        h.insert(header::COOKIE, HeaderValue::from_static("vid=<script>"));
        assert_eq!(visitor_id(&h), None);
    }
}
