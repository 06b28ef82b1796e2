//! Browsing the catalogue: categories, product cards, listing queries (filters, sort, pages).
//!
//! Owns the wire types a listing page needs, the typed [`ListingQuery`] parsed from the URL
//! (the same parser on both sides, so links and forms agree), the server functions that fetch
//! listings, and the components that draw them. It never computes prices: they arrive from
//! the server.

mod components;
mod query;

pub use components::{
    CategoryPage, ListingBody, Pagination, ProductGrid, count_text as components_count,
};
pub use query::{ListingQuery, PAGE_SIZE, Sort};

use crate::error::StoreError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A category as the navigation shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: String,
    pub name: String,
    pub product_count: i64,
}

/// What every page's header and footer need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavData {
    pub categories: Vec<CategoryLink>,
}

/// A product as a card in a grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub stem: String,
    pub slug: String,
    pub title: String,
    /// The lowest current price among its variants.
    pub price: Money,
    /// True when variants are priced differently (the card then says "from").
    pub price_varies: bool,
    /// Units in stock over all variants.
    pub stock: i64,
    /// The SKU to add straight from a listing: set for an in-stock product with one variant
    /// (others need a choice on the product page).
    pub quick_add_sku: Option<String>,
}

/// Stock as shoppers read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StockLevel {
    Out,
    Low(i64),
    In,
}

impl StockLevel {
    /// At or below this many units a page says "Only N left".
    pub const LOW: i64 = 5;

    pub fn of(units: i64) -> Self {
        match units {
            i64::MIN..=0 => StockLevel::Out,
            n if n <= Self::LOW => StockLevel::Low(n),
            _ => StockLevel::In,
        }
    }

    pub fn text(self) -> String {
        match self {
            StockLevel::Out => "Out of stock".to_string(),
            StockLevel::Low(n) => format!("Only {n} left"),
            StockLevel::In => "In stock".to_string(),
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            StockLevel::Out => "stock stock--out",
            StockLevel::Low(_) => "stock stock--low",
            StockLevel::In => "stock stock--in",
        }
    }

    /// The schema.org availability URL for JSON-LD.
    pub fn schema_org(self) -> &'static str {
        match self {
            StockLevel::Out => "https://schema.org/OutOfStock",
            StockLevel::Low(_) => "https://schema.org/LimitedAvailability",
            StockLevel::In => "https://schema.org/InStock",
        }
    }
}

/// A colour facet value with the number of matching products.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub count: i64,
}

/// One page of a filtered, sorted listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub products: Vec<ProductSummary>,
    /// Matches over all pages.
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub colours: Vec<FacetValue>,
}

/// A category page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub category: CategoryLink,
    pub description: String,
    /// The query as the server understood and applied it.
    pub query: ListingQuery,
    pub listing: Listing,
    /// Absolute canonical URL of this page.
    pub canonical: String,
    pub base_url: String,
}

#[server(output = crate::codec::Postcard)]
pub async fn get_nav() -> Result<NavData, StoreError> {
    crate::ssr::store()?.0.nav().await
}

#[server(output = crate::codec::Postcard)]
pub async fn get_category(slug: String, query: String) -> Result<CategoryListing, StoreError> {
    let query = ListingQuery::parse(&query);
    crate::ssr::store()?.0.category(&slug, &query).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_levels_read_as_shoppers_expect() {
        assert_eq!(StockLevel::of(0).text(), "Out of stock");
        assert_eq!(StockLevel::of(-3), StockLevel::Out);
        assert_eq!(StockLevel::of(5).text(), "Only 5 left");
        assert_eq!(StockLevel::of(6).text(), "In stock");
        assert_eq!(
            StockLevel::of(1).schema_org(),
            "https://schema.org/LimitedAvailability"
        );
    }
}
