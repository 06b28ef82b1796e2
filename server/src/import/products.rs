//! Products and variants: grouping stock codes by stem, the variant description, list price,
//! cost and stock rules, and the product's title, slug and category.
//!
//! Input is the sale lines after cancellations. This module must never re-read raw rows, skip
//! lines, or invent facts: every field is computed from the sales, and the two fields the data
//! cannot provide (cost and stock) follow the documented assumptions below.

use std::collections::BTreeMap;

use super::categories::Categoriser;
use super::model::{ProductRecord, VariantRecord};
use super::orders::Sale;
use super::text::{readable_title, slugify};
use super::wording::{colours, describe, labels};

/// Assumed cost as a share of list price: a 40% gross margin, typical for gift retail.
const COST_PERCENT: i64 = 60;
/// Assumed stock: this many days of cover at the rate observed in the file.
const COVER_DAYS: i64 = 14;

/// The product stem of an uppercased stock code: the leading digits when the code is digits
/// followed only by letters ("85123A" -> "85123", "15056BL" -> "15056", "22633" -> "22633");
/// any other code ("DCGS0076") is its own stem.
pub(crate) fn stem_of(sku: &str) -> &str {
    let digits = sku.bytes().take_while(u8::is_ascii_digit).count();
    let (stem, suffix) = sku.split_at(digits);
    if digits > 0 && suffix.bytes().all(|b| b.is_ascii_alphabetic()) {
        stem
    } else {
        sku
    }
}

/// One product per stem, sorted by stem, each with its variants sorted by sku.
/// `days_covered` is the number of calendar days from the file's first to last invoice.
pub(crate) fn build_products(
    sales: &[Sale],
    descriptions: &BTreeMap<String, BTreeMap<String, usize>>,
    days_covered: i64,
) -> Vec<ProductRecord> {
    let mut by_sku: BTreeMap<&str, Vec<&Sale>> = BTreeMap::new();
    for sale in sales {
        by_sku.entry(sale.line.sku.as_str()).or_default().push(sale);
    }
    let mut by_stem: BTreeMap<&str, Vec<(VariantRecord, &str)>> = BTreeMap::new();
    for (sku, lines) in by_sku {
        let description = descriptions
            .get(sku)
            .map_or("", |counts| most_common_description(counts));
        by_stem
            .entry(stem_of(sku))
            .or_default()
            .push((variant(sku, description, &lines, days_covered), description));
    }
    let categoriser = Categoriser::new();
    by_stem
        .into_iter()
        .map(|(stem, variants)| product(stem, variants, &categoriser))
        .collect()
}

/// The variant's description: the most common non-empty one over its sale and cancellation
/// lines (already trimmed and space-collapsed); ties go to the alphabetically first.
fn most_common_description(counts: &BTreeMap<String, usize>) -> &str {
    let mut best: Option<(&str, usize)> = None;
    for (description, &count) in counts {
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((description, count));
        }
    }
    best.map_or("", |(description, _)| description)
}

/// A variant with an empty label; labels need the siblings and are set in `product`.
fn variant(sku: &str, description: &str, lines: &[&Sale], days_covered: i64) -> VariantRecord {
    let units_sold: i64 = lines.iter().map(|sale| sale.remaining).sum();
    let price_minor = list_price(lines);
    let title = readable_title(description);
    VariantRecord {
        sku: sku.to_string(),
        label: String::new(),
        title: if title.is_empty() {
            sku.to_string()
        } else {
            title
        },
        price_minor,
        cost_minor: cost_for(price_minor),
        stock: stock_for(units_sold, days_covered),
        units_sold,
        first_seen: lines
            .iter()
            .map(|sale| sale.line.placed_at)
            .min()
            .unwrap_or_default(),
    }
}

/// The most common unit price over the sale lines that survived cancellation (all sale lines
/// if none did); ties go to the higher price.
fn list_price(lines: &[&Sale]) -> i64 {
    let surviving = lines.iter().any(|sale| sale.remaining > 0);
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for sale in lines.iter().filter(|sale| !surviving || sale.remaining > 0) {
        *counts.entry(sale.line.price_minor).or_default() += 1;
    }
    let mut best = (0, 0);
    for (price, count) in counts {
        if count >= best.1 {
            best = (price, count);
        }
    }
    best.0
}

/// The assumed cost: `floor(price * 60 / 100)`, computed without overflowing on absurd prices.
pub(crate) fn cost_for(price_minor: i64) -> i64 {
    price_minor / 100 * COST_PERCENT + price_minor % 100 * COST_PERCENT / 100
}

/// Two weeks of cover: `round(net_units * 14 / days_covered)`, halves up, integers only.
pub(crate) fn stock_for(net_units: i64, days_covered: i64) -> i64 {
    let days = days_covered.max(1);
    net_units
        .max(0)
        .saturating_mul(2 * COVER_DAYS)
        .saturating_add(days)
        / (2 * days)
}

/// Assembles a product from its variants (sorted by sku) and their descriptions: labels,
/// colours, the best seller's title, category, slug and description.
fn product(
    stem: &str,
    variants: Vec<(VariantRecord, &str)>,
    categoriser: &Categoriser,
) -> ProductRecord {
    let colours = colours(variants.iter().map(|(_, description)| *description));
    let mut variants: Vec<VariantRecord> =
        variants.into_iter().map(|(variant, _)| variant).collect();
    let labels = labels(stem, &variants);
    for (variant, label) in variants.iter_mut().zip(labels) {
        variant.label = label;
    }
    // Variants arrive sorted by sku, so `max_by_key` keeping the last maximum would pick the
    // largest sku; reverse first so ties go to the smallest.
    let best = variants
        .iter()
        .rev()
        .max_by_key(|v| v.units_sold)
        .map_or_else(String::new, |v| v.title.clone());
    let category = categoriser.categorise(&best);
    let first_seen = variants
        .iter()
        .map(|v| v.first_seen)
        .min()
        .unwrap_or_default();
    let title_slug = slugify(&best);
    let stem_slug = stem.to_lowercase();
    ProductRecord {
        stem: stem.to_string(),
        slug: if title_slug.is_empty() {
            stem_slug
        } else {
            format!("{title_slug}-{stem_slug}")
        },
        description: describe(&best, category.name, &variants, first_seen),
        category_slug: slugify(category.name),
        colours,
        first_seen,
        units_sold: variants.iter().map(|v| v.units_sold).sum(),
        title: best,
        variants,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::import;
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem_of("85123A"), "85123");
        assert_eq!(stem_of("15056BL"), "15056");
        assert_eq!(stem_of("22633"), "22633");
        assert_eq!(stem_of("DCGS0076"), "DCGS0076");
        assert_eq!(stem_of("123A4"), "123A4");
    }

    #[test]
    fn case_variants_of_a_code_are_one_variant_and_suffixes_share_a_product() {
        let catalogue = import(&[
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,United Kingdom",
            "536366,85123a,WHITE HANGING HEART T-LIGHT HOLDER,2,20/12/2010 09:00,2.95,17850,United Kingdom",
            "536365,84029E,RED WOOLLY HOTTIE WHITE HEART.,6,01/12/2010 08:26,3.39,17850,United Kingdom",
            "536365,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,8,01/12/2010 08:26,3.39,17850,United Kingdom",
        ]);
        let stems: Vec<_> = catalogue.products.iter().map(|p| p.stem.as_str()).collect();
        assert_eq!(stems, ["84029", "85123"]);
        let heart = &catalogue.products[1];
        assert_eq!(heart.variants.len(), 1);
        let only = &heart.variants[0];
        assert_eq!(
            (only.sku.as_str(), only.label.as_str(), only.units_sold),
            ("85123A", "Standard", 8)
        );
        assert_eq!(
            only.price_minor, 295,
            "a one-one tie between prices goes to the higher"
        );
        assert_eq!(
            (only.cost_minor, only.stock),
            (177, 6),
            "cost 60%, stock round(8 * 14 / 20)"
        );
        assert_eq!(heart.slug, "white-hanging-heart-t-light-holder-85123");
        let bottle = &catalogue.products[0];
        let skus: Vec<_> = bottle.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(skus, ["84029E", "84029G"]);
        assert_eq!(
            bottle.title, "Knitted Union Flag Hot Water Bottle",
            "the best seller names the product"
        );
        assert_eq!(bottle.category_slug, "bath-bedroom");
        assert_eq!(bottle.colours, ["red", "white"]);
        assert_eq!(
            bottle.description,
            "Knitted Union Flag Hot Water Bottle, from our Bath & Bedroom range. Available in 2 versions: \
             Red Woolly Hottie White Heart and Knitted Union Flag Hot Water Bottle. \
             In the catalogue since December 2010."
        );
    }

    #[test]
    fn cost_is_sixty_percent_rounded_down() {
        assert_eq!((cost_for(255), cost_for(1), cost_for(0)), (153, 0, 0));
        for price in 0..10_000 {
            assert_eq!(cost_for(price), price * 60 / 100);
        }
        assert_eq!(cost_for(i64::MAX), i64::MAX / 100 * 60 + 4);
    }

    #[test]
    fn stock_is_two_weeks_of_cover_rounded_half_up() {
        assert_eq!(stock_for(0, 20), 0);
        assert_eq!(stock_for(10, 20), 7);
        assert_eq!(stock_for(1, 28), 1, "0.5 rounds up");
        assert_eq!(stock_for(1, 29), 0);
        assert_eq!(stock_for(-5, 20), 0);
        assert_eq!(stock_for(3, 0), 42, "a one-day file still divides safely");
    }

    #[test]
    fn the_list_price_is_the_mode_over_surviving_lines() {
        let catalogue = import(&[
            "536365,22633,HAND WARMER UNION JACK,6,01/12/2010 08:26,1.85,17850,United Kingdom",
            "536366,22633,HAND WARMER UNION JACK,6,01/12/2010 08:27,1.85,17850,United Kingdom",
            "536367,22633,HAND WARMER UNION JACK,96,01/12/2010 08:28,1.65,13047,United Kingdom",
            "536368,22633,HAND WARMER UNION JACK,96,01/12/2010 08:29,1.65,13047,United Kingdom",
            "536369,22633,HAND WARMER UNION JACK,96,01/12/2010 08:30,1.65,13047,United Kingdom",
            "C536370,22633,HAND WARMER UNION JACK,-96,01/12/2010 09:30,1.65,13047,United Kingdom",
            "C536371,22633,HAND WARMER UNION JACK,-96,01/12/2010 09:31,1.65,13047,United Kingdom",
        ]);
        let warmer = &catalogue.products[0].variants[0];
        assert_eq!((warmer.price_minor, warmer.units_sold), (185, 108));
    }
}
