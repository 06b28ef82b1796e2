//! Recommendation slots: "Recommended for you" on the home page, "Customers also bought" on a
//! product page, "Complete your cart" in the cart. Server-rendered with the page and hydrated.
//!
//! The server decides what goes in a slot (never an out-of-stock item, an item already in the
//! cart, or the product being viewed) and whether it may use the visitor's own history: not
//! for crawlers, `Sec-GPC: 1`, or with the privacy page's switch off, in which case a slot gets
//! the non-personalised list or stays empty. An empty slot renders nothing.

use crate::catalog::{ProductGrid, ProductSummary};
use crate::codec::{PageResource, page_resource};
use crate::error::StoreError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Slot {
    Home,
    Product,
    Cart,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecsView {
    pub title: String,
    /// Why these: shown under the title, so a shopper knows what the list is based on.
    pub basis: String,
    pub products: Vec<ProductSummary>,
    /// What ranked the list: `model-N` (published version N) or `co-purchases` (no model yet,
    /// or it knew nothing about the seeds). Shown to operators as `data-source`.
    pub source: String,
    /// Product page only: the slot sits above the description instead of after the product
    /// (the `product_layout` experiment's variant for this visitor).
    #[serde(default)]
    pub above: bool,
    /// The experiment and variant that chose the layout or the algorithm, if any.
    #[serde(default)]
    pub experiment: Option<String>,
    #[serde(default)]
    pub variant: Option<u32>,
}

/// The slot's data: `product` is the slug of the product on a product page.
#[server(output = crate::codec::Postcard)]
pub async fn get_recommendations(
    slot: Slot,
    product: Option<String>,
) -> Result<RecsView, StoreError> {
    let request: http::request::Parts = leptos_axum::extract()
        .await
        .map_err(|_| StoreError::Unavailable)?;
    crate::ssr::store()?
        .0
        .recommendations(&request, slot, product.as_deref())
        .await
}

/// The slot's resource. Pages create it when they start rendering (beside their own data), so
/// the server waits for it and the browser hydrates it from the page.
pub fn recs_resource(
    slot: Slot,
    product: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> PageResource<Result<RecsView, StoreError>> {
    page_resource(product, move |product| get_recommendations(slot, product))
}

/// A recommendation slot (`kind`: the view! macro reserves `slot`); renders nothing while
/// empty, or if the recommendations failed. A page may hold the slot in two places: each
/// renders only where the data says (`above`), so server and hydration agree.
#[component]
pub fn Recommendations(
    kind: Slot,
    recs: PageResource<Result<RecsView, StoreError>>,
    #[prop(optional)] above: bool,
) -> impl IntoView {
    let id = match kind {
        Slot::Home => "recs-home",
        Slot::Product => "recs-product",
        Slot::Cart => "recs-cart",
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                recs.await.ok().filter(|r| !r.products.is_empty() && r.above == above).map(|r| view! {
                    <section
                        class="home-section recs"
                        aria-labelledby=id
                        data-testid=id
                        data-source=r.source
                        data-experiment=r.experiment
                        data-variant=r.variant.map(|v| v.to_string())
                    >
                        <h2 id=id>{r.title}</h2>
                        <p class="hint">{r.basis}" "<a href="/privacy">"Personalised recommendations: on/off"</a></p>
                        <ProductGrid products=r.products/>
                    </section>
                })
            })}
        </Suspense>
    }
}
