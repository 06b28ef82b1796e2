//! Filtering, faceting, sorting and paging a category's or a search's candidates: a pure
//! function, so every rule here is unit-tested without a database.
//!
//! A category holds at most a few hundred products, so the service loads its candidates in one
//! query and this module does the rest in memory.

use std::collections::BTreeMap;
use vitrine::catalog::{FacetValue, Listing, ListingQuery, PAGE_SIZE, ProductSummary, Sort};

/// A product that may appear in a listing, with what the listing rules need.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub summary: ProductSummary,
    pub units_sold: i64,
    pub first_seen: i64,
    pub colours: Vec<String>,
    /// Search score; 0 for category listings.
    pub relevance: f64,
}

/// Applies `query` to `candidates`. `Sort::Relevance` is only honoured when `default_sort` is
/// relevance (a search); a category falls back to popularity.
pub fn apply(candidates: Vec<Candidate>, query: &ListingQuery, default_sort: Sort) -> Listing {
    let in_price = |c: &Candidate| {
        let p = c.summary.price.minor;
        query.min_price.is_none_or(|lo| p >= lo) && query.max_price.is_none_or(|hi| p <= hi)
    };
    let in_stock = |c: &Candidate| !query.in_stock || c.summary.stock > 0;
    // Facet counts ignore the colour filter itself, so shoppers see what else they could pick.
    let narrowed: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| in_price(c) && in_stock(c))
        .collect();
    let colours = colour_facets(&narrowed);
    let mut matched: Vec<Candidate> = narrowed
        .into_iter()
        .filter(|c| {
            query.colours.is_empty() || c.colours.iter().any(|col| query.colours.contains(col))
        })
        .collect();
    let sort = match query.sort.unwrap_or(default_sort) {
        Sort::Relevance if default_sort != Sort::Relevance => Sort::Popular,
        s => s,
    };
    sort_candidates(&mut matched, sort);

    let total = matched.len() as i64;
    let pages = (matched.len() as u32).div_ceil(PAGE_SIZE).max(1);
    let page = query.page.max(1);
    let start = ((page - 1) * PAGE_SIZE) as usize;
    let products = matched
        .into_iter()
        .skip(start)
        .take(PAGE_SIZE as usize)
        .map(|c| c.summary)
        .collect();
    Listing {
        products,
        total,
        page,
        pages,
        colours,
    }
}

fn colour_facets(candidates: &[Candidate]) -> Vec<FacetValue> {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for c in candidates {
        for colour in &c.colours {
            *counts.entry(colour.as_str()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(value, count)| FacetValue {
            value: value.to_string(),
            count,
        })
        .collect()
}

/// Sorts with the stem as the final key, so pages never shuffle between requests.
fn sort_candidates(items: &mut [Candidate], sort: Sort) {
    items.sort_by(|a, b| {
        let primary = match sort {
            Sort::Popular => b.units_sold.cmp(&a.units_sold),
            Sort::PriceAsc => a.summary.price.minor.cmp(&b.summary.price.minor),
            Sort::PriceDesc => b.summary.price.minor.cmp(&a.summary.price.minor),
            Sort::Newest => b.first_seen.cmp(&a.first_seen),
            Sort::Relevance => b
                .relevance
                .total_cmp(&a.relevance)
                .then(b.units_sold.cmp(&a.units_sold)),
        };
        primary.then_with(|| a.summary.stem.cmp(&b.summary.stem))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine::money::{Currency, Money};

    fn cand(stem: &str, price: i64, stock: i64, sold: i64, colours: &[&str]) -> Candidate {
        Candidate {
            summary: ProductSummary {
                stem: stem.into(),
                slug: stem.into(),
                title: stem.into(),
                price: Money::new(price, Currency::Gbp),
                price_varies: false,
                stock,
                quick_add_sku: None,
            },
            units_sold: sold,
            first_seen: price,
            colours: colours.iter().map(|c| c.to_string()).collect(),
            relevance: 0.0,
        }
    }

    fn stems(l: &Listing) -> Vec<&str> {
        l.products.iter().map(|p| p.stem.as_str()).collect()
    }

    fn sample() -> Vec<Candidate> {
        vec![
            cand("a", 500, 0, 10, &["red"]),
            cand("b", 150, 3, 30, &["blue", "red"]),
            cand("c", 900, 8, 20, &["blue"]),
            cand("d", 150, 1, 5, &[]),
        ]
    }

    #[test]
    fn default_sort_is_popularity_then_stem() {
        let l = apply(sample(), &ListingQuery::parse(""), Sort::Popular);
        assert_eq!(stems(&l), ["b", "c", "a", "d"]);
        assert_eq!((l.total, l.page, l.pages), (4, 1, 1));
    }

    #[test]
    fn price_sorts_break_ties_by_stem() {
        let l = apply(
            sample(),
            &ListingQuery::parse("sort=price_asc"),
            Sort::Popular,
        );
        assert_eq!(stems(&l), ["b", "d", "a", "c"]);
        let l = apply(
            sample(),
            &ListingQuery::parse("sort=price_desc"),
            Sort::Popular,
        );
        assert_eq!(stems(&l), ["c", "a", "b", "d"]);
    }

    #[test]
    fn filters_combine_and_facets_ignore_their_own_filter() {
        let l = apply(
            sample(),
            &ListingQuery::parse("in_stock=1&colour=red&max=6"),
            Sort::Popular,
        );
        assert_eq!(stems(&l), ["b"]);
        // In stock and <= £6: b (blue, red) and d (none); the red filter does not hide blue.
        let counts: Vec<_> = l
            .colours
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(counts, [("blue", 1), ("red", 1)]);
    }

    #[test]
    fn pages_hold_page_size_items() {
        let many: Vec<_> = (0..50)
            .map(|i| cand(&format!("{i:02}"), 100, 1, 0, &[]))
            .collect();
        let l = apply(many.clone(), &ListingQuery::parse("page=3"), Sort::Popular);
        assert_eq!((l.total, l.pages, l.products.len()), (50, 3, 2));
        assert_eq!(stems(&l), ["48", "49"]);
        let beyond = apply(many, &ListingQuery::parse("page=9"), Sort::Popular);
        assert!(beyond.products.is_empty());
    }

    #[test]
    fn categories_ignore_relevance_sort() {
        let l = apply(
            sample(),
            &ListingQuery::parse("sort=relevance"),
            Sort::Popular,
        );
        assert_eq!(stems(&l), ["b", "c", "a", "d"]);
    }
}
