//! The words a product page shows that are built from several variants at once: sibling labels,
//! colour facets and the product description.
//!
//! Everything here restates the data. It must never add a claim the data does not support (no
//! "hand-made", "best seller", materials or sizes that are not in a description) and never
//! decide prices, stock or categories.

use super::fields::month_and_year;
use super::model::VariantRecord;
use super::text::{colours_in, readable_title};

/// Variant labels listed in a product description before "and N more".
const LISTED_LABELS: usize = 8;

/// Sibling labels, in the order of `variants`: the title words of each variant that are not in
/// every sibling's title (compared by letters and digits only), order kept; failing that "Variant" and the code's suffix letters
/// ("Variant A"); a lone variant, or one whose code has no suffix, is "Standard". Labels that
/// would still be equal get the sku appended, so siblings never share a label.
pub(crate) fn labels(stem: &str, variants: &[VariantRecord]) -> Vec<String> {
    if variants.len() == 1 {
        return vec!["Standard".to_string()];
    }
    let words: Vec<Vec<&str>> = variants
        .iter()
        .map(|v| v.title.split(' ').collect())
        .collect();
    let shared = |word: &str| {
        words
            .iter()
            .all(|other| other.iter().any(|w| word_key(w) == word_key(word)))
    };
    let mut labels: Vec<String> = variants
        .iter()
        .zip(&words)
        .map(|(variant, own)| {
            let distinct: Vec<&str> = own
                .iter()
                .copied()
                .filter(|w| !word_key(w).is_empty() && !shared(w))
                .collect();
            let label = distinct.join(" ");
            let label = label.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '"');
            let suffix = variant.sku.strip_prefix(stem).unwrap_or("");
            if !label.is_empty() {
                capitalise_first(label)
            } else if !suffix.is_empty() {
                format!("Variant {}", readable_title(suffix))
            } else {
                "Standard".to_string()
            }
        })
        .collect();
    let plain = labels.clone();
    for (variant, label) in variants.iter().zip(labels.iter_mut()) {
        if plain.iter().filter(|other| *other == label).count() > 1 {
            *label = format!("{label} ({})", variant.sku);
        }
    }
    labels
}

/// A word as compared between siblings: letters and digits only, lower-case, so that "Sign,"
/// and "sign" are the same word.
fn word_key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Colour words from any variant's description, sorted and deduplicated.
pub(crate) fn colours<'a>(descriptions: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut colours: Vec<String> = descriptions
        .flat_map(colours_in)
        .map(str::to_string)
        .collect();
    colours.sort();
    colours.dedup();
    colours
}

/// One to three sentences, all from the data: the title and its category, the variant labels
/// when there are several, and the month of the first sale.
pub(crate) fn describe(
    title: &str,
    category: &str,
    variants: &[VariantRecord],
    first_seen: i64,
) -> String {
    let mut text = format!("{title}, from our {category} range.");
    if variants.len() > 1 {
        let labels: Vec<&str> = variants
            .iter()
            .take(LISTED_LABELS)
            .map(|v| v.label.as_str())
            .collect();
        let listed = match variants.len() - labels.len() {
            0 => join_with_and(&labels),
            more => format!("{} and {more} more", labels.join(", ")),
        };
        text.push_str(&format!(
            " Available in {} versions: {listed}.",
            variants.len()
        ));
    }
    text.push_str(&format!(
        " In the catalogue since {}.",
        month_and_year(first_seen)
    ));
    text
}

fn join_with_and(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(sku: &str, title: &str, label: &str) -> VariantRecord {
        VariantRecord {
            sku: sku.into(),
            label: label.into(),
            title: title.into(),
            price_minor: 100,
            cost_minor: 60,
            stock: 0,
            units_sold: 0,
            first_seen: 1_291_191_960,
        }
    }

    #[test]
    fn labels_keep_the_words_that_tell_siblings_apart() {
        let variants = [
            variant("21733", "Red Hanging Heart T-Light Holder", ""),
            variant("21733A", "Blue Polkadot Hanging Heart T-Light Holder", ""),
            variant("21733B", "Red Hanging Heart T-Light Holder", ""),
            variant("21733C", "Hanging Heart T-Light Holder", ""),
        ];
        let expected = ["Red (21733)", "Blue Polkadot", "Red (21733B)", "Variant C"];
        assert_eq!(labels("21733", &variants), expected);
    }

    #[test]
    fn a_lone_variant_is_standard_and_small_words_are_capitalised_in_labels() {
        assert_eq!(labels("1", &[variant("1A", "Anything", "")]), ["Standard"]);
        let pair = [
            variant("9A", "Set of Red Cups", ""),
            variant("9B", "Blue Cups", ""),
        ];
        assert_eq!(labels("9", &pair), ["Set of Red", "Blue"]);
        let punctuated = [
            variant("82613B", "Metal Sign, Cupcake Single Hook", ""),
            variant("82613D", "Metal Sign Cupcake Single Hook", ""),
            variant("82613E", "Metal Sign + Cupcake Single Hook, Blue", ""),
        ];
        assert_eq!(
            labels("82613", &punctuated),
            ["Variant B", "Variant D", "Blue"]
        );
    }

    #[test]
    fn descriptions_list_labels_and_the_first_month() {
        let one = [variant("1", "Mug", "Standard")];
        let text = describe("Mug", "Kitchen & Dining", &one, 1_291_191_960);
        assert_eq!(
            text,
            "Mug, from our Kitchen & Dining range. In the catalogue since December 2010."
        );
        let many: Vec<_> = (0..10)
            .map(|i| variant("1", "Mug", &format!("L{i}")))
            .collect();
        let text = describe("Mug", "Kitchen & Dining", &many, 0);
        assert!(
            text.contains("10 versions: L0, L1, L2, L3, L4, L5, L6, L7 and 2 more."),
            "{text}"
        );
        assert!(text.ends_with("since January 1970."), "{text}");
    }

    #[test]
    fn colour_facets_are_sorted_and_unique() {
        let found = colours(["RED/WHITE SPOT", "WHITE GREY", "GRAY"].into_iter());
        assert_eq!(found, ["grey", "red", "white"]);
    }
}
