//! The home page: hero, categories and "popular now" (by units sold).
//!
//! The hero's words come from the server so that later experiments can vary the slot without
//! a new bundle.

use crate::catalog::{CategoryLink, ProductGrid, ProductSummary};
use crate::codec::{PageResource, page_resource};
use crate::error::StoreError;
use crate::layout::page_data;
use crate::recs::{Recommendations, RecsView, Slot, recs_resource};
use crate::seo::{JsonLd, LdJson, PageHead};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The home hero slot: the built-in words, a shipped variant's, or the variant of a running
/// experiment the server assigned to this visitor (`vitrine::experiments::assign`). The page
/// data carries the chosen words, so hydration renders exactly what the server did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hero {
    pub headline: String,
    pub copy: String,
    pub cta_label: String,
    pub cta_href: String,
    /// A picture on this site and its text alternative; empty for none.
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub image_alt: String,
    /// The experiment and variant position that chose these words, if one did.
    #[serde(default)]
    pub experiment: Option<String>,
    #[serde(default)]
    pub variant: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    pub hero: Hero,
    pub categories: Vec<CategoryLink>,
    pub popular: Vec<ProductSummary>,
    pub canonical: String,
    pub base_url: String,
    /// The site's schema.org `WebSite` with its search action ([`website_ld`]).
    #[serde(default)]
    pub site_ld: LdJson,
}

/// schema.org `WebSite` for the home page, with the search box crawlers may offer.
pub fn website_ld(canonical: &str, base_url: &str) -> LdJson {
    LdJson::new(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": crate::seo::SITE_NAME,
        "url": canonical,
        "potentialAction": {
            "@type": "SearchAction",
            "target": format!("{base_url}/search?q={{search_term_string}}"),
            "query-input": "required name=search_term_string",
        },
    }))
}

#[server(output = crate::codec::Postcard)]
pub async fn get_home() -> Result<HomeData, StoreError> {
    let request: http::request::Parts = leptos_axum::extract()
        .await
        .map_err(|_| StoreError::Unavailable)?;
    crate::ssr::store()?.0.home(&request).await
}

#[component]
pub fn HomePage() -> impl IntoView {
    let data = page_resource(|| (), |_| get_home());
    let recs = recs_resource(Slot::Home, || None);
    view! {
        {page_data(data, move |home| view! { <HomeView home recs/> })}
    }
}

#[component]
fn HomeView(home: HomeData, recs: PageResource<Result<RecsView, StoreError>>) -> impl IntoView {
    let HomeData {
        hero,
        categories,
        popular,
        canonical,
        base_url,
        site_ld,
    } = home;
    view! {
        <PageHead
            title="Gifts, homeware and Christmas decorations".to_string()
            description="Vitrine sells gifts, homeware, kitchenware and seasonal decorations, with prices that are the same for everyone.".to_string()
            canonical=Some(canonical.clone())
            base_url=base_url
        />
        <JsonLd value=site_ld/>
        <section
            class="hero"
            data-slot="home-hero"
            data-experiment=hero.experiment
            data-variant=hero.variant.map(|v| v.to_string())
        >
            <div class="hero__text">
                <h1>{hero.headline}</h1>
                <p>{hero.copy}</p>
                <a class="button button--primary" href=hero.cta_href>{hero.cta_label}</a>
            </div>
            {(!hero.image.is_empty()).then(|| view! {
                <img class="hero__image" src=hero.image alt=hero.image_alt width="320" height="320"/>
            })}
        </section>
        <section class="home-section" aria-labelledby="categories-heading">
            <h2 id="categories-heading">"Shop by category"</h2>
            <ul class="category-grid">
                {categories.into_iter().map(|c| view! {
                    <li>
                        <a class="category-card" href=format!("/c/{}", c.slug)>
                            <span class="category-card__name">{c.name}</span>
                            <span class="category-card__count">{crate::catalog::components_count(c.product_count)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <Recommendations kind=Slot::Home recs/>
        <section class="home-section" aria-labelledby="popular-heading">
            <h2 id="popular-heading">"Popular now"</h2>
            <ProductGrid products=popular/>
        </section>
    }
}
