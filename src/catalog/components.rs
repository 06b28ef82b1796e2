//! Listing components: the category page, product grid and card, facets form and pagination.
//! Every control is a plain link or GET form, so filtering and paging work with JavaScript off.

use super::{
    CategoryListing, Listing, ListingQuery, ProductSummary, Sort, StockLevel, get_category,
};
use crate::codec::page_resource;
use crate::layout::{Breadcrumbs, page_data};
use crate::seo::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let data = page_resource(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                location.search.get(),
            )
        },
        |(slug, search)| get_category(slug, search),
    );
    view! {
        {page_data(data, |page| view! { <CategoryView page/> })}
    }
}

#[component]
fn CategoryView(page: CategoryListing) -> impl IntoView {
    let CategoryListing {
        category,
        description,
        query,
        listing,
        canonical,
        base_url,
    } = page;
    let base = format!("/c/{}", category.slug);
    let title = if listing.page > 1 {
        format!("{} – page {}", category.name, listing.page)
    } else {
        category.name.clone()
    };
    let crumbs = vec![
        ("Home".to_string(), Some("/".to_string())),
        (category.name.clone(), None),
    ];
    view! {
        <PageHead
            title=title
            description=description.clone()
            canonical=Some(canonical)
            noindex=query.is_filtered()
            base_url=base_url
        />
        <Breadcrumbs crumbs/>
        <div class="listing-header">
            <h1>{category.name.clone()}</h1>
            <p class="result-count" role="status">{count_text(listing.total)}</p>
        </div>
        <p class="listing-intro">{description}</p>
        <ListingBody base query listing hidden_text=None/>
    }
}

/// Facets beside results and pagination below: shared by category and search pages.
#[component]
pub fn ListingBody(
    base: String,
    query: ListingQuery,
    listing: Listing,
    /// Search text to carry through the facets form.
    hidden_text: Option<String>,
    #[prop(optional)] sorts: Option<Vec<Sort>>,
) -> impl IntoView {
    let sorts =
        sorts.unwrap_or_else(|| vec![Sort::Popular, Sort::PriceAsc, Sort::PriceDesc, Sort::Newest]);
    let clear_href = match &hidden_text {
        Some(text) => format!("{base}?q={}", super::query::encode(text)),
        None => base.clone(),
    };
    let results = if listing.products.is_empty() {
        view! {
            <p class="empty-state">
                "No products match these filters. " <a href=clear_href.clone()>"Clear all filters"</a>
            </p>
        }
        .into_any()
    } else {
        view! {
            <ProductGrid products=listing.products.clone()/>
            <Pagination base=base.clone() query=query.clone() page=listing.page pages=listing.pages/>
        }
        .into_any()
    };
    view! {
        <div class="listing">
            <FacetsForm base query listing hidden_text sorts clear_href/>
            <div class="listing__results">{results}</div>
        </div>
    }
}

#[component]
fn FacetsForm(
    base: String,
    query: ListingQuery,
    listing: Listing,
    hidden_text: Option<String>,
    sorts: Vec<Sort>,
    clear_href: String,
) -> impl IntoView {
    let price_value = |minor: Option<i64>| {
        minor
            .map(|m| format!("{}.{:02}", m / 100, m % 100))
            .unwrap_or_default()
    };
    let selected_sort = query.sort.unwrap_or(sorts[0]);
    let colours = listing
        .colours
        .iter()
        .map(|facet| {
            let checked = query.colours.contains(&facet.value);
            let label = capitalise(&facet.value);
            view! {
                <li>
                    <label class="facet__option">
                        <input type="checkbox" name="colour" value=facet.value.clone() checked=checked/>
                        " " {label} " " <span class="facet__count">{format!("({})", facet.count)}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <form class="facets" method="get" action=base>
            {hidden_text.map(|text| view! { <input type="hidden" name="q" value=text/> })}
            <fieldset class="facet">
                <legend>"Price"</legend>
                <div class="facet__range">
                    <label>"Min £ "<input name="min" type="number" inputmode="decimal" min="0" step="0.01" value=price_value(query.min_price)/></label>
                    <label>"Max £ "<input name="max" type="number" inputmode="decimal" min="0" step="0.01" value=price_value(query.max_price)/></label>
                </div>
            </fieldset>
            <fieldset class="facet">
                <legend>"Availability"</legend>
                <label class="facet__option">
                    <input type="checkbox" name="in_stock" value="1" checked=query.in_stock/>
                    " In stock only"
                </label>
            </fieldset>
            {(!listing.colours.is_empty()).then(|| view! {
                <fieldset class="facet">
                    <legend>"Colour"</legend>
                    <ul class="facet__options">{colours}</ul>
                </fieldset>
            })}
            <div class="facet">
                <label for="sort">"Sort by"</label>
                <select id="sort" name="sort">
                    {sorts.into_iter().map(|sort| view! {
                        <option value=sort.key() selected=sort == selected_sort>{sort.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">"Apply filters"</button>
            <a class="facets__clear" href=clear_href>"Clear all"</a>
        </form>
    }
}

#[component]
pub fn ProductGrid(products: Vec<ProductSummary>) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {products.into_iter().map(|product| view! { <ProductCard product/> }).collect_view()}
        </ul>
    }
}

#[component]
fn ProductCard(product: ProductSummary) -> impl IntoView {
    let level = StockLevel::of(product.stock);
    let price = if product.price_varies {
        format!("from {}", product.price)
    } else {
        product.price.to_string()
    };
    let button_label = format!(": {}", product.title);
    view! {
        <li class="product-card">
            <a class="product-card__link" href=format!("/p/{}", product.slug)>
                // Decorative here: the link text names the product.
                <img class="product-card__image" src=format!("/images/p/{}.svg", product.stem) alt="" width="320" height="320" loading="lazy"/>
                <span class="product-card__title">{product.title}</span>
            </a>
            <span class="product-card__price price">{price}</span>
            <span class=level.class()>{level.text()}</span>
            {product.quick_add_sku.map(|sku| view! {
                <form class="product-card__add" method="post" action="/cart/add">
                    <input type="hidden" name="sku" value=sku/>
                    <input type="hidden" name="quantity" value="1"/>
                    <button type="submit" class="button">"Add to cart"<span class="visually-hidden">{button_label}</span></button>
                </form>
            })}
        </li>
    }
}

#[component]
pub fn Pagination(base: String, query: ListingQuery, page: u32, pages: u32) -> impl IntoView {
    let link = move |p: u32| format!("{base}{}", query.to_query_string(p));
    (pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pagination">
                {(page > 1).then(|| view! { <a rel="prev" href=link(page - 1)>"Previous"</a> })}
                <span class="pagination__current" aria-current="page">{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next"</a> })}
            </nav>
        }
    })
}

pub fn count_text(n: i64) -> String {
    if n == 1 {
        "1 product".to_string()
    } else {
        format!("{n} products")
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
