//! The interface the storefront needs from the server, and the HTML shell.
//!
//! `server/` implements [`Storefront`] over the database and puts a [`StoreHandle`] in the
//! Leptos context; server functions fetch it with [`store`]. Nothing here knows SQL.

use crate::cart::CartPageView;
use crate::catalog::{CategoryListing, ListingQuery, NavData};
use crate::error::StoreError;
use crate::home::HomeData;
use crate::product::ProductLookup;
use crate::search::SearchListing;
use leptos::prelude::*;
use std::sync::Arc;

/// What the pages ask of the store. Implemented by the server; plain async Rust, so services
/// are tested without a browser.
#[async_trait::async_trait]
pub trait Storefront: Send + Sync + 'static {
    async fn nav(&self) -> Result<NavData, StoreError>;
    /// The home page for the sender of `request` (whose visitor id picks the hero variant of
    /// a running experiment).
    async fn home(&self, request: &http::request::Parts) -> Result<HomeData, StoreError>;
    async fn category(
        &self,
        slug: &str,
        query: &ListingQuery,
    ) -> Result<CategoryListing, StoreError>;
    async fn search(&self, query: &ListingQuery) -> Result<SearchListing, StoreError>;
    async fn product(&self, slug: &str) -> Result<ProductLookup, StoreError>;
    /// The cart named by the shopper's cookie (an empty cart when there is none), with the
    /// offers in effect for its lines now.
    async fn cart(&self, cart_id: Option<&str>) -> Result<CartPageView, StoreError>;
    /// The checkout page: the cart, what the shopper typed last time, the countries delivered
    /// to and a fresh idempotency key; the last failure's reason when `show_error`.
    async fn checkout(
        &self,
        cart_id: Option<&str>,
        show_error: bool,
    ) -> Result<crate::checkout::CheckoutView, StoreError>;
    /// An order, only with its access key (`NotFound` otherwise).
    async fn order(&self, number: &str, key: &str) -> Result<crate::orders::OrderView, StoreError>;
    /// The product page of `stem` was shown to the sender of `request` (a signal for
    /// recommendations, recorded only for visitors who may be profiled).
    fn product_viewed(&self, request: &http::request::Parts, stem: &str);
    /// What recommendation slot `slot` shows to the sender of `request` (`product_slug`: the
    /// product on a product page).
    async fn recommendations(
        &self,
        request: &http::request::Parts,
        slot: crate::recs::Slot,
        product_slug: Option<&str>,
    ) -> Result<crate::recs::RecsView, StoreError>;
}

/// A cookie of the request being handled.
pub async fn request_cookie(name: &str) -> Option<String> {
    let headers: http::HeaderMap = leptos_axum::extract().await.ok()?;
    cookie_value(&headers, name)
}

/// The value of cookie `name` in `headers`.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    cookie_pairs(headers)
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// Every `(name, value)` pair of the request's cookies, in order (headers that are not text
/// are skipped).
pub fn cookie_pairs(headers: &http::HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The store as the Leptos context carries it.
#[derive(Clone)]
pub struct StoreHandle(pub Arc<dyn Storefront>);

/// The store from context; `Unavailable` if the server forgot to provide it.
pub fn store() -> Result<StoreHandle, StoreError> {
    use_context::<StoreHandle>().ok_or_else(|| {
        tracing::error!("no StoreHandle in the Leptos context");
        StoreError::Unavailable
    })
}

/// Sets the HTTP status of the response being rendered (no-op outside a server render).
pub fn set_status(code: u16) {
    if let (Some(resp), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        resp.set_status(status);
    }
}

/// Answers the request being rendered with a permanent redirect to `location`.
pub fn redirect_permanent(location: &str) {
    if let (Some(resp), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(location),
    ) {
        resp.set_status(http::StatusCode::MOVED_PERMANENTLY);
        resp.insert_header(http::header::LOCATION, value);
    }
}

/// Where the browser finds the hydrate bundle: cache-busted URLs chosen by the server.
#[derive(Clone, Debug, Default)]
pub struct BundleUrls {
    pub css: Option<String>,
    pub js: Option<String>,
    pub wasm: Option<String>,
}

/// The document around the app. Scripts load as a module, so pages work before (and
/// without) the wasm.
pub fn shell(bundle: &BundleUrls) -> impl IntoView + use<> {
    use leptos_meta::MetaTags;
    let css = bundle.css.clone();
    let scripts = bundle.js.clone().zip(bundle.wasm.clone()).map(|(js, wasm)| {
        let boot = format!(
            "import init, {{ hydrate }} from '{js}';\
             init({{ module_or_path: '{wasm}' }}).then(() => hydrate());"
        );
        view! {
            <link rel="modulepreload" href=js/>
            <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin=""/>
            <script type="module">{boot}</script>
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#1f2a37"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {css.map(|href| view! { <link rel="stylesheet" href=href/> })}
                {scripts}
                <MetaTags/>
            </head>
            <body>
                <crate::app::App/>
            </body>
        </html>
    }
}

/// Renders a view to static HTML under a fresh reactive owner (components need one), without
/// the `<!>` markers tachys puts between text nodes for hydration: nothing in it hydrates
/// (the console's pages, the reviews placed by [`crate::reviews::StaticHtml`]), and inside
/// `<title>` they would show as text. Text from data is escaped (`<` becomes `&lt;`), so every
/// `<!>` in the output is such a marker.
pub fn render_static<V: IntoView + 'static>(f: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    owner.with(|| f().into_view().to_html()).replace("<!>", "")
}
