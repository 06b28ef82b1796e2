//! The listing query in the URL: `?q=&page=&sort=&min=&max=&in_stock=1&colour=red`.
//!
//! Parsed leniently (a bad value falls back to its default rather than failing the page:
//! crawlers and old links must still get a listing) and written back canonically, so a
//! filter form, pagination links and the server agree on one form.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Products per listing page.
pub const PAGE_SIZE: u32 = 24;
/// Longest search text kept; longer input is cut, never an error.
const MAX_QUERY_CHARS: usize = 100;
const MAX_COLOURS: usize = 20;
const MAX_PAGE: u32 = 10_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// Best sellers first (the default for categories).
    #[default]
    Popular,
    PriceAsc,
    PriceDesc,
    Newest,
    /// Best match first (the default for search).
    Relevance,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Relevance,
        Sort::Popular,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::Newest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Sort::Popular => "popular",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
            Sort::Relevance => "relevance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Popular => "Most popular",
            Sort::PriceAsc => "Price: low to high",
            Sort::PriceDesc => "Price: high to low",
            Sort::Newest => "Newest",
            Sort::Relevance => "Best match",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Sort::ALL.into_iter().find(|sort| sort.key() == s)
    }
}

/// A parsed listing query. Prices are in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingQuery {
    pub text: String,
    pub page: u32,
    pub sort: Option<Sort>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: bool,
    pub colours: Vec<String>,
}

impl ListingQuery {
    /// Parses a raw query string (with or without the leading `?`).
    pub fn parse(raw: &str) -> Self {
        let mut q = ListingQuery {
            page: 1,
            ..Default::default()
        };
        for (key, value) in pairs(raw.trim_start_matches('?')) {
            match key.as_str() {
                "q" => q.text = clean_text(&value),
                "page" => {
                    q.page = value
                        .parse::<u64>()
                        .map_or(1, |p| p.clamp(1, u64::from(MAX_PAGE)) as u32)
                }
                "sort" => q.sort = Sort::parse(&value),
                "min" => q.min_price = Money::parse_minor(&value),
                "max" => q.max_price = Money::parse_minor(&value),
                "in_stock" => q.in_stock = matches!(value.as_str(), "1" | "true" | "on"),
                "colour" => {
                    let c = value.trim().to_ascii_lowercase();
                    let valid =
                        !c.is_empty() && c.len() <= 20 && c.bytes().all(|b| b.is_ascii_lowercase());
                    if valid && !q.colours.contains(&c) && q.colours.len() < MAX_COLOURS {
                        q.colours.push(c);
                    }
                }
                _ => {}
            }
        }
        q.colours.sort();
        if let (Some(lo), Some(hi)) = (q.min_price, q.max_price)
            && lo > hi
        {
            q.min_price = Some(hi);
            q.max_price = Some(lo);
        }
        q
    }

    /// True when anything narrows the listing (used to keep filtered pages out of the index).
    pub fn is_filtered(&self) -> bool {
        self.min_price.is_some()
            || self.max_price.is_some()
            || self.in_stock
            || !self.colours.is_empty()
    }

    /// The canonical query string for `page` (empty, or starting with `?`).
    pub fn to_query_string(&self, page: u32) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.text.is_empty() {
            parts.push(format!("q={}", encode(&self.text)));
        }
        if let Some(sort) = self.sort {
            parts.push(format!("sort={}", sort.key()));
        }
        for (key, value) in [("min", self.min_price), ("max", self.max_price)] {
            if let Some(minor) = value {
                parts.push(format!("{key}={}.{:02}", minor / 100, minor % 100));
            }
        }
        if self.in_stock {
            parts.push("in_stock=1".into());
        }
        for c in &self.colours {
            parts.push(format!("colour={}", encode(c)));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Collapses white space, drops control characters and caps the length of search text.
fn clean_text(s: &str) -> String {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ").chars().take(MAX_QUERY_CHARS).collect()
}

fn pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

/// Percent-decoding for `application/x-www-form-urlencoded` (`+` is a space); invalid escapes
/// are kept literally and invalid UTF-8 is replaced, never an error.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of a query value (unreserved characters kept, space as `+`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field() {
        let q = ListingQuery::parse(
            "?q=red++heart&page=3&sort=price_desc&min=1.5&max=20&in_stock=1&colour=red&colour=blue",
        );
        assert_eq!(q.text, "red heart");
        assert_eq!(q.page, 3);
        assert_eq!(q.sort, Some(Sort::PriceDesc));
        assert_eq!((q.min_price, q.max_price), (Some(150), Some(2000)));
        assert!(q.in_stock);
        assert_eq!(q.colours, vec!["blue", "red"]);
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let q = ListingQuery::parse(
            "page=-4&sort=cheapest&min=abc&max=-1&colour=%3Cscript%3E&in_stock=maybe",
        );
        assert_eq!(
            q,
            ListingQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(ListingQuery::parse("page=99999999999").page, MAX_PAGE);
    }

    #[test]
    fn swapped_price_bounds_are_put_right() {
        let q = ListingQuery::parse("min=20&max=5");
        assert_eq!((q.min_price, q.max_price), (Some(500), Some(2000)));
    }

    #[test]
    fn hostile_search_text_is_cleaned_not_rejected() {
        let q = ListingQuery::parse("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%00%0A++x");
        assert_eq!(q.text, "<script>alert(1)</script> x");
        let long = "a".repeat(500);
        assert_eq!(
            ListingQuery::parse(&format!("q={long}")).text.len(),
            MAX_QUERY_CHARS
        );
        assert_eq!(ListingQuery::parse("q=%ZZ%E2%28").text, "%ZZ\u{fffd}(");
    }

    #[test]
    fn round_trips_through_the_canonical_form() {
        let raw = "?q=t-light+holder&sort=newest&min=1.00&max=9.99&in_stock=1&colour=blue&colour=red&page=2";
        let q = ListingQuery::parse(raw);
        assert_eq!(q.to_query_string(2), raw);
        assert_eq!(ListingQuery::parse(&q.to_query_string(5)).page, 5);
        assert_eq!(ListingQuery::parse("").to_query_string(1), "");
    }
}
