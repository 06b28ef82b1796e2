//! The import's public vocabulary: options, the in-memory catalogue it produces, the report of
//! what was left out, and the error that rejects a whole file.
//!
//! These are plain data. This module must never parse, decide or do I/O; the rules live in the
//! sibling modules so that a reader can find each one in a single place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How tolerant the import is of damaged input.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Largest share of data lines (0.0..=1.0) that may be malformed before the whole file is
    /// rejected. A negative or NaN value tolerates no malformed line at all.
    pub max_malformed_ratio: f64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            max_malformed_ratio: 0.01,
        }
    }
}

/// Everything one CSV file yields, ready for the caller to write in a single transaction.
#[derive(Debug, Clone)]
pub struct ImportedCatalogue {
    /// Only categories that hold at least one product, ordered by `position`.
    pub categories: Vec<CategoryRecord>,
    /// Sorted by `stem`.
    pub products: Vec<ProductRecord>,
    /// Sorted by `id`.
    pub customers: Vec<CustomerRecord>,
    /// Sorted by `placed_at`, then `number`.
    pub orders: Vec<OrderRecord>,
    pub report: ImportReport,
}

/// A storefront category from the keyword table in `categories.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRecord {
    pub slug: String,
    pub name: String,
    /// One sentence for the category page.
    pub description: String,
    /// 1-based order of the category in the keyword table.
    pub position: i64,
}

/// One product: every stock code sharing a numeric stem.
#[derive(Debug, Clone)]
pub struct ProductRecord {
    /// Leading digits of the stock code ("85123A" -> "85123"); a code that is not
    /// digits-then-letters ("DCGS0076") is its own stem, uppercased.
    pub stem: String,
    /// `slugify(title)` + "-" + stem lowercased: "white-hanging-heart-t-light-holder-85123".
    pub slug: String,
    /// Title of the best-selling variant.
    pub title: String,
    /// One to three factual sentences built from the data only.
    pub description: String,
    pub category_slug: String,
    /// Lowercase colour words found in any variant's description, sorted and deduplicated.
    pub colours: Vec<String>,
    /// Unix seconds of the first sale line of any variant.
    pub first_seen: i64,
    /// Net units over all variants (sales minus applied cancellations).
    pub units_sold: i64,
    /// Sorted by `sku`; never empty.
    pub variants: Vec<VariantRecord>,
}

/// One sellable stock code.
#[derive(Debug, Clone)]
pub struct VariantRecord {
    /// The full stock code, uppercased: "85123a" and "85123A" are the same variant.
    pub sku: String,
    /// Short label telling it apart from its siblings ("Red"); "Standard" when alone.
    pub label: String,
    /// Readable title of this variant's own description.
    pub title: String,
    /// List price in pence: the most common unit price of its sale lines, ties to the higher.
    pub price_minor: i64,
    /// Assumed cost: 60% of the list price, rounded down (the data has no costs).
    pub cost_minor: i64,
    /// Assumed stock: two weeks of cover at the observed sales rate (the data has no stock).
    pub stock: i64,
    /// Net units sold, never negative.
    pub units_sold: i64,
    /// Unix seconds of its first sale line.
    pub first_seen: i64,
}

/// A customer: every CustomerID seen on an imported sale line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: i64,
    /// The country on most of the customer's lines (ties to the alphabetically first).
    pub country: String,
}

/// One historical invoice.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    /// The InvoiceNo.
    pub number: String,
    /// `None` for guest checkouts (empty CustomerID).
    pub customer_id: Option<i64>,
    pub country: String,
    /// Unix seconds (UTC) of the invoice's earliest line.
    pub placed_at: i64,
    /// "delivered", or "cancelled" when cancellations removed every unit.
    pub status: String,
    /// In file order.
    pub lines: Vec<OrderLineRecord>,
}

/// One line of an order, after cancellations were applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineRecord {
    pub sku: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

/// What the import read and what it left out.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Rows after the header, malformed ones included.
    pub data_lines: usize,
    /// Lines skipped because they could not be parsed.
    pub malformed: Vec<MalformedLine>,
    /// Reason -> number of well-formed lines that were not imported.
    pub skipped: BTreeMap<String, usize>,
}

/// A line that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedLine {
    /// 1-based physical line number in the file; the header is line 1.
    pub line: usize,
    pub reason: String,
}

/// Why a whole file was rejected. The caller writes nothing when it gets one of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("{}", header_message(missing, unknown))]
    Header {
        missing: Vec<String>,
        unknown: Vec<String>,
    },

    #[error(
        "line {line} is not valid UTF-8; re-encode the file as UTF-8 \
         (the original UCI file is Latin-1: iconv -f latin1 -t utf-8)"
    )]
    NotUtf8 { line: usize },

    #[error("{}", malformed_message(malformed, *data_lines, *max_ratio))]
    TooManyMalformed {
        malformed: Vec<MalformedLine>,
        data_lines: usize,
        max_ratio: f64,
    },

    #[error("{}", nothing_message(*data_lines, skipped))]
    NoImportableLines {
        data_lines: usize,
        skipped: BTreeMap<String, usize>,
    },

    #[error("line {line} is not valid CSV ({message}); check quoting on that line")]
    Csv { line: usize, message: String },

    #[error("could not read the CSV file: {0}")]
    Io(#[from] std::io::Error),
}

/// The columns every file must have, in the order of the UCI export.
pub const REQUIRED_COLUMNS: [&str; 8] = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
];

fn header_message(missing: &[String], unknown: &[String]) -> String {
    let mut text = String::from("the CSV header does not match the UCI Online Retail export:");
    if !missing.is_empty() {
        let _ = write!(text, " missing column(s) {};", missing.join(", "));
    }
    if !unknown.is_empty() {
        let _ = write!(text, " unknown column(s) {};", unknown.join(", "));
    }
    let _ = write!(text, " expected {} (any order)", REQUIRED_COLUMNS.join(","));
    text
}

/// How many malformed lines an error message lists before summarising the rest.
const LISTED_LINES: usize = 20;

fn malformed_message(malformed: &[MalformedLine], data_lines: usize, max_ratio: f64) -> String {
    let mut text = format!(
        "{} of {} data lines are malformed, more than the allowed {:.2}%; nothing was imported. \
         Fix these lines or raise max_malformed_ratio:",
        malformed.len(),
        data_lines,
        max_ratio * 100.0
    );
    for bad in malformed.iter().take(LISTED_LINES) {
        let _ = write!(text, "\n  line {}: {}", bad.line, bad.reason);
    }
    if malformed.len() > LISTED_LINES {
        let _ = write!(text, "\n  ... and {} more", malformed.len() - LISTED_LINES);
    }
    text
}

fn nothing_message(data_lines: usize, skipped: &BTreeMap<String, usize>) -> String {
    let mut text = format!(
        "none of the {data_lines} data lines could be imported; \
         check that this is a UCI Online Retail export"
    );
    for (reason, count) in skipped {
        let _ = write!(text, "\n  {count} skipped: {reason}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(line: usize) -> MalformedLine {
        MalformedLine {
            line,
            reason: "quantity 'x' is not a whole number".into(),
        }
    }

    #[test]
    fn too_many_malformed_lists_the_first_twenty_lines() {
        let malformed: Vec<_> = (2..30).map(bad).collect();
        let text = ImportError::TooManyMalformed {
            malformed,
            data_lines: 100,
            max_ratio: 0.01,
        }
        .to_string();
        assert!(
            text.starts_with("28 of 100 data lines are malformed"),
            "{text}"
        );
        assert!(
            text.contains("line 21: quantity 'x' is not a whole number"),
            "{text}"
        );
        assert!(!text.contains("line 22:"), "{text}");
        assert!(text.ends_with("... and 8 more"), "{text}");
    }

    #[test]
    fn header_error_names_the_columns() {
        let error = ImportError::Header {
            missing: vec!["UnitPrice".into()],
            unknown: vec!["Price".into()],
        };
        let text = error.to_string();
        assert!(text.contains("missing column(s) UnitPrice"), "{text}");
        assert!(text.contains("unknown column(s) Price"), "{text}");
    }

    #[test]
    fn default_options_tolerate_one_percent() {
        assert!((ImportOptions::default().max_malformed_ratio - 0.01).abs() < f64::EPSILON);
    }
}
