//! The route table. Data pages render in `SsrMode::Async`: the server waits for their data,
//! so the title, canonical URL, JSON-LD and HTTP status are complete in the first response.

use crate::cart::CartPage;
use crate::catalog::CategoryPage;
use crate::checkout::CheckoutPage;
use crate::home::HomePage;
use crate::layout::{Layout, NotFound};
use crate::orders::{OrderLookupPage, OrderPage};
use crate::privacy::PrivacyPage;
use crate::product::ProductPage;
use crate::search::SearchPage;
use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/c/:slug") view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:slug") view=ProductPage ssr=SsrMode::Async/>
                    <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout") view=CheckoutPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders") view=OrderLookupPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders/:number") view=OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
