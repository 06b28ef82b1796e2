//! Search: ranked, typo-tolerant results over titles and descriptions.
//!
//! The ranking lives in the server's in-memory index; this module owns the page, its empty and
//! no-result states, and the wire type.

use crate::catalog::{CategoryLink, Listing, ListingBody, ListingQuery, Sort, components_count};
use crate::codec::page_resource;
use crate::error::StoreError;
use crate::layout::page_data;
use crate::seo::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchListing {
    pub query: ListingQuery,
    pub listing: Listing,
    /// When the words were corrected for typos, the words the results are for.
    pub corrected: Option<String>,
    /// Shown when there is no query or no result.
    pub categories: Vec<CategoryLink>,
    pub canonical: String,
    pub base_url: String,
}

#[server(output = crate::codec::Postcard)]
pub async fn get_search(query: String) -> Result<SearchListing, StoreError> {
    let query = ListingQuery::parse(&query);
    crate::ssr::store()?.0.search(&query).await
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let location = use_location();
    let data = page_resource(move || location.search.get(), get_search);
    view! {
        {page_data(data, |results| view! { <SearchView results/> })}
    }
}

#[component]
fn SearchView(results: SearchListing) -> impl IntoView {
    let SearchListing {
        query,
        listing,
        corrected,
        categories,
        canonical,
        base_url,
    } = results;
    let text = query.text.clone();
    let total = listing.total;
    let has_text = !text.is_empty();
    let (title, heading) = if text.is_empty() {
        ("Search".to_string(), "Search the shop".to_string())
    } else {
        (
            format!("Results for “{text}”"),
            format!("Results for “{text}”"),
        )
    };
    let browse = view! {
        <ul class="category-grid">
            {categories.into_iter().map(|c| view! {
                <li><a class="category-card" href=format!("/c/{}", c.slug)>
                    <span class="category-card__name">{c.name}</span>
                    <span class="category-card__count">{components_count(c.product_count)}</span>
                </a></li>
            }).collect_view()}
        </ul>
    };
    let body = if text.is_empty() {
        view! {
            <p class="empty-state">"Type what you are looking for in the search box above, or browse a category."</p>
            {browse}
        }
        .into_any()
    } else if listing.total == 0 && !query.is_filtered() {
        view! {
            <p class="empty-state">{format!("Nothing matches “{text}”. Try fewer or shorter words, or browse a category.")}</p>
            {browse}
        }
        .into_any()
    } else {
        let sorts = vec![
            Sort::Relevance,
            Sort::Popular,
            Sort::PriceAsc,
            Sort::PriceDesc,
            Sort::Newest,
        ];
        view! {
            {corrected.map(|c| view! { <p class="search-suggestion">"Showing results for " <strong>{c}</strong></p> })}
            <ListingBody base="/search".to_string() query listing hidden_text=Some(text) sorts/>
        }
        .into_any()
    };
    view! {
        <PageHead
            title
            description="Search the Vitrine catalogue.".to_string()
            canonical=Some(canonical)
            noindex=true
            base_url
        />
        <div class="listing-header">
            <h1>{heading}</h1>
            {has_text.then(|| view! { <p class="result-count" role="status">{components_count(total)}</p> })}
        </div>
        {body}
    }
}
