//! The Vitrine storefront: one Leptos app compiled twice, into the server (`ssr`) and into
//! the browser's WebAssembly bundle (`hydrate`).
//!
//! This crate owns the pages, the wire types the browser sees, the server functions that fetch
//! them, and the pure rules both sides need (money formatting, listing queries). It must never
//! touch a database or a model: the server implements [`ssr::Storefront`] and puts it in the
//! Leptos context, so server functions stay thin and the wasm bundle never links sqlx, tokio,
//! axum, linfa or ndarray.

#![recursion_limit = "256"]

pub mod app;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod codec;
pub mod dates;
pub mod error;
pub mod experiments;
pub mod home;
pub mod layout;
pub mod money;
pub mod orders;
pub mod privacy;
pub mod product;
pub mod recs;
pub mod reviews;
pub mod search;
pub mod seo;
#[cfg(feature = "ssr")]
pub mod ssr;

/// The wasm entry point: hydrates the server-rendered page in place.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console are for development; a release bundle carries no
    // formatting code for them (DESIGN.md size budget).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker for end-to-end tests and monitoring: the page is interactive from here on.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
