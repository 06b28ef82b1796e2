//! The skip rules: which well-formed lines are not product sales or their cancellations, and
//! the reason each one is counted under in the import report.
//!
//! This module must never reject a file or report a line as malformed; every line it sees was
//! readable, and every line it drops is counted under exactly one reason.

use std::collections::BTreeMap;

use super::read::Line;

/// Stock codes that are fees, postage or adjustments rather than products.
const NON_PRODUCT_CODES: [&str; 11] = [
    "POST",
    "DOT",
    "M",
    "BANK CHARGES",
    "AMAZONFEE",
    "C2",
    "D",
    "CRUK",
    "PADS",
    "S",
    "B",
];

pub(crate) const SKIP_NON_PRODUCT: &str = "non-product code (POST, DOT, M, BANK CHARGES, AMAZONFEE, C2, D, CRUK, PADS, S, B, gift_ vouchers)";
pub(crate) const SKIP_ZERO_QUANTITY: &str = "zero quantity";
pub(crate) const SKIP_STOCK_ADJUSTMENT: &str =
    "stock adjustment (negative quantity outside a cancellation)";
pub(crate) const SKIP_POSITIVE_CANCELLATION: &str = "cancellation with a positive quantity";
pub(crate) const SKIP_ZERO_PRICE: &str = "zero unit price";
pub(crate) const SKIP_NO_DESCRIPTION: &str = "empty description and none known for the stock code";

/// The lines that go on: sale lines, cancellation lines, and each stock code's description
/// counts over both.
pub(crate) struct Selected {
    pub sales: Vec<Line>,
    pub cancellations: Vec<Line>,
    pub descriptions: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Drops well-formed lines that are not product sales or their cancellations, counting each
/// under its reason. Checks run in this order, the first that applies wins: non-product code
/// (or a `gift_` voucher), zero quantity, negative quantity outside a C-invoice (a stock
/// adjustment), positive quantity on a C-invoice, zero unit price, and finally an empty
/// description on a stock code that has no description on any other kept line.
pub(crate) fn select(lines: Vec<Line>, skipped: &mut BTreeMap<String, usize>) -> Selected {
    let mut kept = Vec::with_capacity(lines.len());
    for line in lines {
        match skip_reason(&line) {
            Some(reason) => *skipped.entry(reason.to_string()).or_default() += 1,
            None => kept.push(line),
        }
    }
    let mut descriptions: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for line in kept.iter().filter(|line| !line.description.is_empty()) {
        *descriptions
            .entry(line.sku.clone())
            .or_default()
            .entry(line.description.clone())
            .or_default() += 1;
    }
    let mut selected = Selected {
        sales: Vec::new(),
        cancellations: Vec::new(),
        descriptions,
    };
    for line in kept {
        if !selected.descriptions.contains_key(&line.sku) {
            *skipped.entry(SKIP_NO_DESCRIPTION.to_string()).or_default() += 1;
        } else if line.is_cancellation() {
            selected.cancellations.push(line);
        } else {
            selected.sales.push(line);
        }
    }
    selected
}

fn skip_reason(line: &Line) -> Option<&'static str> {
    if NON_PRODUCT_CODES.contains(&line.sku.as_str()) || line.sku.starts_with("GIFT_") {
        Some(SKIP_NON_PRODUCT)
    } else if line.quantity == 0 {
        Some(SKIP_ZERO_QUANTITY)
    } else if line.quantity < 0 && !line.is_cancellation() {
        Some(SKIP_STOCK_ADJUSTMENT)
    } else if line.quantity > 0 && line.is_cancellation() {
        Some(SKIP_POSITIVE_CANCELLATION)
    } else if line.price_minor == 0 {
        Some(SKIP_ZERO_PRICE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::ImportOptions;
    use super::super::read::read_lines;
    use super::super::tests::HEADER;
    use super::*;

    #[test]
    fn non_product_lines_are_skipped_with_reason_counts() {
        let rows = [
            "536365,POST,POSTAGE,1,01/12/2010 08:26,18.00,12583,France",
            "536365,gift_0001_40,Dotcomgiftshop Gift Voucher £40.00,1,01/12/2010 08:26,34.04,,United Kingdom",
            "536366,BANK CHARGES,Bank Charges,1,01/12/2010 08:26,15.00,,United Kingdom",
            "536367,22139,,56,01/12/2010 08:26,0,,United Kingdom",
            "536368,21275,?,-30,01/12/2010 08:26,0,,United Kingdom",
            "536369,99999,,5,01/12/2010 08:26,1.00,,United Kingdom",
            "C536370,D,Discount,-1,01/12/2010 08:26,27.50,14527,United Kingdom",
            "536371,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,United Kingdom",
            "536372,85123A,,2,01/12/2010 09:26,2.55,,United Kingdom",
        ];
        let text = format!("{HEADER}\n{}", rows.join("\n"));
        let file = read_lines(text.as_bytes(), &ImportOptions::default()).expect("well formed");
        let mut skipped = BTreeMap::new();
        let selected = select(file.lines, &mut skipped);
        assert_eq!(
            selected.sales.len(),
            2,
            "85123A keeps its line with an empty description"
        );
        let expected: BTreeMap<String, usize> = [
            (SKIP_NON_PRODUCT, 4),
            (SKIP_ZERO_PRICE, 1),
            (SKIP_STOCK_ADJUSTMENT, 1),
            (SKIP_NO_DESCRIPTION, 1),
        ]
        .into_iter()
        .map(|(reason, count)| (reason.to_string(), count))
        .collect();
        assert_eq!(skipped, expected);
    }
}
