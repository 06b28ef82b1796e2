//! A short-lived cache of whole pages for requests that carry nothing personal: first visits,
//! crawlers, link previews, uptime checks, and returning visitors without a cart on product,
//! category and search pages (a "microcache").
//!
//! Such a request's page depends on nothing about the sender except the variants their
//! visitor id draws in the running experiments and whether they may be profiled (`Sec-GPC`,
//! crawlers, the switch): no cart, no history. So the rendered page is kept for a moment under
//! (path and query, profiled, the variant of each running experiment the page reads) and
//! served again to the next such request, with what the render would have done besides (the
//! product view event, the experiment exposures) done for that visitor. A visitor with a cart
//! or a staff session, a returning visitor's home page (their own recommendations), and every
//! page that depends on a cookie (cart, checkout, orders, privacy, the console) are rendered
//! afresh.
//!
//! How fresh: an entry lives at most the configured time (`page_cache_ms`, 1 s by default),
//! and every form post or console action this process serves drops all of them (the
//! generation below), so what a shopper or marketer changes here shows on the next page. What
//! changes elsewhere (another replica, the command line, a price scheduled for a moment) shows
//! within the lifetime. Checkout checks stock and price itself, so a page a second old never
//! sells what is gone.

use super::AppState;
use crate::events::{EventKind, Visitor};
use crate::experiments::serving::SlotKey;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Pages kept at most; past this, expired ones are swept and new ones wait for room.
const MAX_ENTRIES: usize = 2_000;
/// A page larger than this is served but not kept.
const MAX_BODY: usize = 512 * 1024;
/// Longer URLs (hostile or generated query strings) are not kept.
const MAX_URI: usize = 300;
/// The header that says whether a page came from the cache (`hit`) or was rendered (`miss`).
pub const CACHE_HEADER: &str = "x-page-cache";

/// The cache of one store.
pub struct PageCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, Arc<Entry>>>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Key {
    uri: String,
    profiled: bool,
    /// (slot, variant position) of the running experiment in each slot the page reads.
    variants: Vec<(&'static str, usize)>,
}

struct Entry {
    generation: u64,
    stored: Instant,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The body compressed, made on the first hit that asks for it.
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

/// Compression for kept pages: fast settings (made at most once per page and lifetime, on the
/// request path), about a third of the size, like what the compression layer sends.
const BROTLI_QUALITY: u32 = 5;
const GZIP_LEVEL: u32 = 6;

impl Entry {
    /// The response to a request with `request` headers: brotli or gzip when it accepts them.
    fn response(&self, request: &HeaderMap) -> Response {
        let (body, encoding) = if super::accepts_encoding(request, "br") {
            (
                self.brotli.get_or_init(|| brotli(&self.body)).clone(),
                Some("br"),
            )
        } else if super::accepts_encoding(request, "gzip") {
            (
                self.gzip.get_or_init(|| gzip(&self.body)).clone(),
                Some("gzip"),
            )
        } else {
            (self.body.clone(), None)
        };
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        let headers = res.headers_mut();
        headers.remove(header::CONTENT_LENGTH);
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res
    }
}

fn brotli(body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(body.len() / 3);
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 16 * 1024, BROTLI_QUALITY, 22);
        // Writing into a Vec cannot fail.
        let _ = w.write_all(body);
    }
    out.into()
}

fn gzip(body: &[u8]) -> Bytes {
    let mut w = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::new(GZIP_LEVEL),
    );
    let _ = w.write_all(body);
    w.finish().unwrap_or_default().into()
}

impl PageCache {
    /// A cache whose pages live `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> Self {
        PageCache {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Drops every page: something a page shows may have changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        let fresh = entry.generation == self.generation() && entry.stored.elapsed() < self.ttl;
        fresh.then(|| entry.clone())
    }

    /// Keeps a page rendered from what the database held at `generation`.
    fn put(&self, key: Key, generation: u64, status: StatusCode, headers: HeaderMap, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let current = self.generation();
            entries.retain(|_, e| e.generation == current && e.stored.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries.insert(
            key,
            Arc::new(Entry {
                generation,
                stored: Instant::now(),
                status,
                headers,
                body,
                brotli: OnceLock::new(),
                gzip: OnceLock::new(),
            }),
        );
    }
}

/// The experiment slots a page's render reads: its key holds the visitor's variant in each, and
/// a page served from the cache records the exposures the render would have. A page that
/// starts reading another slot must be listed with it here (the integration tests in
/// `tests/api/page_cache.rs` check the hero on the home page).
fn slots_of(path: &str) -> Option<&'static [SlotKey]> {
    match path {
        "/" => Some(&[SlotKey::HomeHero, SlotKey::RecsAlgorithm]),
        "/search" => Some(&[]),
        _ if path.starts_with("/c/") => Some(&[]),
        _ if path.starts_with("/p/") => Some(&[SlotKey::ProductLayout, SlotKey::RecsAlgorithm]),
        _ => None,
    }
}

/// The cookies a request whose page may come from the cache can carry: the visitor id and the
/// personalisation switch, whose effects on these pages are in the key (the variants, whether
/// the visitor may be profiled). Any other cookie (a cart, a staff session, one this store
/// does not know) means a page rendered for this request.
const SHAREABLE_COOKIES: [&str; 2] = [
    super::middleware::VISITOR_COOKIE,
    vitrine::privacy::PERSONALISE_COOKIE,
];

/// The slots of the page this request asks for, when its answer may come from the cache.
fn cacheable(req: &Request, visitor: &Visitor) -> Option<&'static [SlotKey]> {
    let headers = req.headers();
    // Cookies the store cannot read (not text, no `=`) change no page, as they are skipped.
    let shareable_cookies =
        vitrine::ssr::cookie_pairs(headers).all(|(name, _)| SHAREABLE_COOKIES.contains(&name));
    let path = req.uri().path();
    // The home page's "Recommended for you" comes from a returning visitor's own history.
    let own_history =
        path == "/" && visitor.profiled && super::middleware::visitor_id(headers).is_some();
    let plain = req.method() == Method::GET
        && shareable_cookies
        && !own_history
        && !headers.contains_key(header::AUTHORIZATION)
        && !super::wants_json(headers)
        && req.uri().to_string().len() <= MAX_URI;
    plain.then(|| slots_of(path)).flatten()
}

/// Serves pages from the cache (see the module documentation), and drops the cache after any
/// request that may have changed something: every method but GET and HEAD, except the
/// hydrated app's server functions (`/api/…`, reads only).
pub async fn page_cache(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.page_cache.clone();
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let writes = !req.uri().path().starts_with("/api/");
        let res = next.run(req).await;
        if writes {
            cache.invalidate();
        }
        return res;
    }
    let Some(visitor) = req.extensions().get::<Visitor>() else {
        return next.run(req).await;
    };
    let Some(slots) = cacheable(&req, visitor).filter(|_| !cache.ttl.is_zero()) else {
        return next.run(req).await;
    };
    let visitor = visitor.clone();
    let experiments = state.catalog.experiments();
    let snapshot = experiments.snapshot().await;
    let mut variants: Vec<(&'static str, usize)> = slots
        .iter()
        .filter_map(|slot| {
            let running = snapshot.running.get(slot.key())?;
            let position = vitrine::experiments::assign(&visitor.id, &running.id, &running.weights);
            Some((slot.key(), position))
        })
        .collect();
    variants.sort_unstable();
    let key = Key {
        uri: req.uri().to_string(),
        profiled: visitor.profiled,
        variants,
    };
    if let Some(entry) = cache.get(&key) {
        // What the render does besides the page, done for this visitor.
        for slot in slots {
            experiments
                .content::<serde::de::IgnoredAny>(*slot, Some(&visitor))
                .await;
        }
        if let Some(stem) = req
            .uri()
            .path()
            .strip_prefix("/p/")
            .and_then(crate::catalog::queries::stem_of_slug)
        {
            state.events.record(&visitor, EventKind::View, &stem);
        }
        let mut res = entry.response(req.headers());
        res.headers_mut()
            .insert(CACHE_HEADER, HeaderValue::from_static("hit"));
        return res;
    }
    let generation = cache.generation();
    let res = next.run(req).await;
    let keep = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keep {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "a page's body failed while being read");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "10")],
                "This page could not be prepared. Please try again in a moment.",
            )
                .into_response();
        }
    };
    if body.len() <= MAX_BODY {
        cache.put(
            key,
            generation,
            parts.status,
            parts.headers.clone(),
            body.clone(),
        );
    }
    parts
        .headers
        .insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(uri: &str) -> Key {
        Key {
            uri: uri.to_string(),
            profiled: true,
            variants: vec![("home_hero", 1)],
        }
    }

    fn put(cache: &PageCache, uri: &str, generation: u64, body: &'static str) {
        cache.put(
            key(uri),
            generation,
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(body.as_bytes()),
        );
    }

    async fn body_of(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn a_kept_page_is_served_until_it_expires() {
        let cache = PageCache::new(Duration::from_millis(100));
        put(&cache, "/p/mug-1", 0, "mug");
        let entry = cache.get(&key("/p/mug-1")).expect("kept");
        assert_eq!(body_of(entry.response(&HeaderMap::new())).await, "mug");
        assert!(cache.get(&key("/p/mug-2")).is_none());
        let other_variant = Key {
            variants: vec![("home_hero", 0)],
            ..key("/p/mug-1")
        };
        assert!(cache.get(&other_variant).is_none());
        std::thread::sleep(Duration::from_millis(120));
        assert!(cache.get(&key("/p/mug-1")).is_none());
    }

    #[tokio::test]
    async fn a_kept_page_is_sent_compressed_as_the_request_accepts() {
        use std::io::Read;
        let cache = PageCache::new(Duration::from_secs(60));
        let page = "<p>a mug</p>".repeat(500);
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(page.len()));
        cache.put(
            key("/"),
            0,
            StatusCode::OK,
            headers,
            Bytes::from(page.clone()),
        );
        let entry = cache.get(&key("/")).expect("kept");
        let accepting = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            h
        };
        let unpacked = |res: Response| async move {
            let encoding = res
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().expect("ascii").to_string());
            assert_eq!(res.headers()[header::VARY], "accept-encoding");
            assert!(res.headers().get(header::CONTENT_LENGTH).is_none());
            let raw = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .expect("body");
            let mut text = String::new();
            match encoding.as_deref() {
                Some("br") => brotli::Decompressor::new(&raw[..], 4096)
                    .read_to_string(&mut text)
                    .expect("brotli"),
                Some("gzip") => flate2::read::GzDecoder::new(&raw[..])
                    .read_to_string(&mut text)
                    .expect("gzip"),
                None => {
                    text = String::from_utf8(raw.to_vec()).expect("utf-8");
                    0
                }
                Some(other) => panic!("unexpected encoding {other}"),
            };
            (encoding, raw.len(), text)
        };
        let (encoding, size, text) =
            unpacked(entry.response(&accepting("gzip, deflate, br"))).await;
        assert_eq!(
            (encoding.as_deref(), text.as_str()),
            (Some("br"), page.as_str())
        );
        assert!(size < page.len() / 3, "{size} bytes");
        let (encoding, _, text) = unpacked(entry.response(&accepting("gzip, br;q=0"))).await;
        assert_eq!(
            (encoding.as_deref(), text.as_str()),
            (Some("gzip"), page.as_str())
        );
        let (encoding, _, text) = unpacked(entry.response(&HeaderMap::new())).await;
        assert_eq!((encoding.as_deref(), text.as_str()), (None, page.as_str()));
    }

    #[test]
    fn a_write_drops_every_page_and_a_render_older_than_it_is_never_served() {
        let cache = PageCache::new(Duration::from_secs(60));
        put(&cache, "/", 0, "home");
        assert!(cache.get(&key("/")).is_some());
        cache.invalidate();
        assert!(cache.get(&key("/")).is_none());
        // Rendered from before the write, stored after it.
        put(&cache, "/", 0, "stale home");
        assert!(cache.get(&key("/")).is_none());
        put(&cache, "/", 1, "fresh home");
        assert!(cache.get(&key("/")).is_some());
    }

    #[test]
    fn a_zero_lifetime_keeps_nothing() {
        let cache = PageCache::new(Duration::ZERO);
        put(&cache, "/", 0, "home");
        assert!(cache.get(&key("/")).is_none());
    }

    #[test]
    fn the_cache_holds_at_most_its_limit() {
        let cache = PageCache::new(Duration::from_secs(60));
        for i in 0..MAX_ENTRIES + 10 {
            cache.put(
                key(&format!("/p/{i}")),
                0,
                StatusCode::OK,
                HeaderMap::new(),
                Bytes::new(),
            );
        }
        assert_eq!(cache.entries.lock().expect("lock").len(), MAX_ENTRIES);
        cache.invalidate();
        put(&cache, "/p/new", 1, "new");
        assert!(cache.get(&key("/p/new")).is_some());
    }

    fn request(uri: &str, headers: &[(&'static str, &'static str)]) -> Request {
        let mut builder = Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn only_pages_that_depend_on_no_cookie_of_the_visitor_are_cacheable() {
        let fresh = Visitor {
            id: "0123456789abcdef0123456789abcdef".to_string(),
            profiled: true,
        };
        let unprofiled = Visitor {
            profiled: false,
            ..fresh.clone()
        };
        let ok = |uri: &str, headers: &[(&'static str, &'static str)], visitor: &Visitor| {
            cacheable(&request(uri, headers), visitor).is_some()
        };
        assert!(ok("/", &[], &fresh));
        assert!(ok("/c/mugs?page=2", &[], &fresh));
        assert!(ok("/search?q=heart", &[], &fresh));
        assert!(ok("/p/white-mug-85123A", &[], &fresh));
        // A returning visitor without a cart shares product, category and search pages...
        let returning = ("cookie", "vid=0123456789abcdef0123456789abcdef");
        let switched_off = ("cookie", "personalise=off");
        assert!(ok("/p/mug-1", &[returning], &fresh));
        assert!(ok("/c/mugs", &[returning, switched_off], &unprofiled));
        // ...but not the home page, whose recommendations are their own, unless switched off.
        assert!(!ok("/", &[returning], &fresh));
        assert!(ok("/", &[returning, switched_off], &unprofiled));
        // A cart, a staff session or an unknown cookie: rendered for them.
        assert!(!ok(
            "/p/mug-1",
            &[returning, ("cookie", "x=1; cart=abc")],
            &fresh
        ));
        assert!(!ok(
            "/p/mug-1",
            &[returning, ("cookie", "vitrine_staff=s")],
            &fresh
        ));
        assert!(!ok("/p/mug-1", &[("cookie", "other=1")], &fresh));
        assert!(!ok("/p/mug-1", &[("accept", "application/json")], &fresh));
        assert!(!ok("/p/mug-1", &[("authorization", "Basic x")], &fresh));
        for page in [
            "/cart",
            "/checkout",
            "/orders",
            "/orders/V1",
            "/admin",
            "/privacy",
        ] {
            assert!(!ok(page, &[], &fresh), "{page}");
        }
        let long = format!("/search?q={}", "a".repeat(MAX_URI));
        assert!(!ok(&long, &[], &fresh));
    }
}
