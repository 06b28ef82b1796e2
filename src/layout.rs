//! The frame around every page: skip link, header with search and categories, footer with the
//! data attribution, and the error page that sets the real HTTP status.

use crate::catalog::get_nav;
use crate::codec::{PageResource, page_resource};
use crate::error::StoreError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">"Vitrine"</a>
                <form class="search-form" role="search" action="/search" method="get">
                    <label for="site-search" class="visually-hidden">"Search products"</label>
                    <input id="site-search" name="q" type="search" placeholder="Search products" maxlength="100"/>
                    <button type="submit">"Search"</button>
                </form>
                <a class="cart-link" href="/cart">"Cart"</a>
            </div>
            <CategoryNav/>
        </header>
        <main id="main" class="page">{children()}</main>
        <footer class="site-footer">
            <div class="site-footer__inner">
                <p>"Vitrine — a demonstration store. Prices in pounds sterling, VAT included. " <a href="/orders">"Track an order"</a>" · "<a href="/privacy">"Privacy and personalisation"</a></p>
                <p class="attribution">
                    "Catalogue and purchase history: Chen, D. (2015). Online Retail [Dataset]. UCI Machine Learning Repository. "
                    <a href="https://doi.org/10.24432/C5BW33">"doi:10.24432/C5BW33"</a>
                    " (CC BY 4.0). Subset, re-encoded to UTF-8."
                </p>
            </div>
        </footer>
    }
}

#[component]
fn CategoryNav() -> impl IntoView {
    let nav = page_resource(|| (), |_| get_nav());
    let location = use_location();
    view! {
        <nav class="category-nav" aria-label="Categories">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let categories = nav.await.map(|n| n.categories).unwrap_or_default();
                    view! {
                        <ul>
                            {categories.into_iter().map(|c| {
                                let href = format!("/c/{}", c.slug);
                                let here = href.clone();
                                let current = move || (location.pathname.get() == here).then_some("page");
                                view! { <li><a href=href aria-current=current>{c.name}</a></li> }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Suspense>
        </nav>
    }
}

#[component]
pub fn Breadcrumbs(crumbs: Vec<(String, Option<String>)>) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                {crumbs.into_iter().map(|(name, href)| match href {
                    Some(href) => view! { <li><a href=href>{name}</a></li> }.into_any(),
                    None => view! { <li><span aria-current="page">{name}</span></li> }.into_any(),
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// Waits for a page's data (the server waits too, in `SsrMode::Async`), then draws it with
/// `render`, or the error page with the error's status.
pub fn page_data<T, V>(
    data: PageResource<Result<T, StoreError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => render(value).into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// An error as a page, answering with the error's HTTP status during server rendering.
#[component]
pub fn ErrorPage(error: StoreError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(error.status());
    let heading = match error {
        StoreError::NotFound => "Page not found",
        StoreError::Invalid(_) => "That request didn't work",
        StoreError::Unavailable | StoreError::Transport(_) => "Something went wrong",
    };
    view! {
        <Title text=crate::seo::title_text(&format!("{heading} · Vitrine"))/>
        <Meta name="robots" content="noindex"/>
        <section class="error-page">
            <h1>{heading}</h1>
            <p>{error.to_string()}</p>
            <p>"Try the search above, or browse a category."</p>
            <a class="button" href="/">"Back to the shop"</a>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=StoreError::NotFound/> }
}
