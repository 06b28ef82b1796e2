//! Catalogue import: one CSV of the UCI "Online Retail" data becomes an in-memory catalogue of
//! categories, products with variants, customers and historical orders, plus a report of every
//! line that was left out and why.
//!
//! This module is pure: no database, no async, no clock, no randomness; the same bytes always
//! give the same catalogue. It must never write anywhere. A file is accepted whole or rejected
//! whole (`ImportError`), so the caller either writes everything in one transaction or nothing.
//!
//! The pipeline, one file per step:
//! - `read.rs`: header check, one typed line per row, malformed lines (wrong column count,
//!   non-integer quantity, unparseable price, date or customer id, empty stock code or invoice
//!   number) reported by physical line number, and the `max_malformed_ratio` threshold.
//! - `skips.rs`: well-formed lines that are not product sales, each counted under its reason
//!   (non-product codes and gift vouchers, zero quantity or price, stock adjustments, codes
//!   whose description cannot be known).
//! - `orders.rs`: cancellations applied to the sales they undo, then orders and customers.
//! - `products.rs`: stock codes grouped by stem; variant description, list price, and the cost
//!   and stock assumptions; product title, slug and category.
//! - `wording.rs`: variant labels, colour facets and product descriptions.
//! - `categories.rs`: the ordered keyword table that places each product.
//! - `text.rs` and `fields.rs`: titles, slugs and colour words; money and date parsing.
//!
//! Every rule is documented where it is implemented, and summarised for people in the
//! project README ("Importing the catalogue").

mod categories;
mod fields;
mod model;
mod orders;
mod products;
mod read;
mod skips;
mod text;
mod wording;

use std::collections::BTreeMap;
use std::io::Read;

pub use fields::{parse_invoice_date, parse_price_minor};
pub use model::{
    CategoryRecord, CustomerRecord, ImportError, ImportOptions, ImportReport, ImportedCatalogue,
    MalformedLine, OrderLineRecord, OrderRecord, ProductRecord, REQUIRED_COLUMNS, VariantRecord,
};
pub use text::{readable_title, slugify};

/// Parses a whole CSV export into a catalogue.
///
/// # Errors
/// The file is rejected, and nothing should be written, when its header lacks one of the
/// `REQUIRED_COLUMNS` or has others, a line is not UTF-8 or not CSV, reading fails, more than
/// `opts.max_malformed_ratio` of its data lines are malformed, or no line is importable.
pub fn parse_catalogue<R: Read>(
    reader: R,
    opts: &ImportOptions,
) -> Result<ImportedCatalogue, ImportError> {
    let file = read::read_lines(reader, opts)?;
    let days_covered = days_covered(&file.lines);
    let mut report = ImportReport {
        data_lines: file.data_lines,
        malformed: file.malformed,
        skipped: BTreeMap::new(),
    };
    let skips::Selected {
        sales,
        cancellations,
        descriptions,
    } = skips::select(file.lines, &mut report.skipped);
    let sales = orders::apply_cancellations(sales, cancellations, &mut report.skipped);
    if sales.is_empty() {
        return Err(ImportError::NoImportableLines {
            data_lines: report.data_lines,
            skipped: report.skipped,
        });
    }
    let products = products::build_products(&sales, &descriptions, days_covered);
    let categories = categories::TABLE
        .iter()
        .map(categories::record)
        .filter(|category| {
            products
                .iter()
                .any(|product| product.category_slug == category.slug)
        })
        .collect();
    Ok(ImportedCatalogue {
        categories,
        products,
        customers: orders::build_customers(&sales),
        orders: orders::build_orders(&sales),
        report,
    })
}

/// Calendar days from the first to the last invoice date of all well-formed lines, inclusive.
fn days_covered(lines: &[read::Line]) -> i64 {
    let days = lines.iter().map(|line| fields::day_of(line.placed_at));
    match (days.clone().min(), days.max()) {
        (Some(first), Some(last)) => last - first + 1,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
