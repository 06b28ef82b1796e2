//! Orders and customers: applying each cancellation to the sale lines it undoes, then building
//! one order per invoice and one customer per CustomerID.
//!
//! This module owns net quantities. It must never skip lines for any reason other than an
//! unmatched cancellation, and never look at descriptions, prices or categories.

use std::collections::BTreeMap;

use super::model::{CustomerRecord, OrderLineRecord, OrderRecord};
use super::read::Line;

pub(crate) const SKIP_UNMATCHED_CANCELLATION: &str =
    "cancellation of an order before the data starts";

pub(crate) const STATUS_DELIVERED: &str = "delivered";
pub(crate) const STATUS_CANCELLED: &str = "cancelled";

/// A sale line and how many of its units survived the cancellations.
#[derive(Debug, Clone)]
pub(crate) struct Sale {
    pub line: Line,
    pub remaining: i64,
}

/// Applies every cancellation line to the sales it undoes.
///
/// Cancellations are taken in time order (then file order). Each one reduces the same customer's
/// sale lines of the same stock code that still have units, most recent first and never later
/// than the cancellation, until its quantity is used up. A cancellation with quantity left over
/// (including every guest cancellation, which names no customer) is counted once under
/// "cancellation of an order before the data starts".
pub(crate) fn apply_cancellations(
    sales: Vec<Line>,
    mut cancellations: Vec<Line>,
    skipped: &mut BTreeMap<String, usize>,
) -> Vec<Sale> {
    let mut sales: Vec<Sale> = sales
        .into_iter()
        .map(|line| Sale {
            remaining: line.quantity,
            line,
        })
        .collect();
    let mut by_customer_sku: BTreeMap<(i64, String), Vec<usize>> = BTreeMap::new();
    for (index, sale) in sales.iter().enumerate() {
        if let Some(customer) = sale.line.customer_id {
            by_customer_sku
                .entry((customer, sale.line.sku.clone()))
                .or_default()
                .push(index);
        }
    }
    for indices in by_customer_sku.values_mut() {
        indices.sort_by_key(|&i| (sales[i].line.placed_at, sales[i].line.line_no));
    }
    cancellations.sort_by_key(|line| (line.placed_at, line.line_no));
    for cancellation in &cancellations {
        let candidates = cancellation
            .customer_id
            .and_then(|customer| by_customer_sku.get(&(customer, cancellation.sku.clone())));
        let left = reduce_latest(
            &mut sales,
            candidates.map_or(&[], Vec::as_slice),
            cancellation,
        );
        if left > 0 {
            *skipped
                .entry(SKIP_UNMATCHED_CANCELLATION.to_string())
                .or_default() += 1;
        }
    }
    sales
}

/// Takes the cancelled units from the latest candidates at or before the cancellation; returns
/// the units no sale could absorb.
fn reduce_latest(sales: &mut [Sale], candidates: &[usize], cancellation: &Line) -> i64 {
    let mut left = cancellation.quantity.saturating_neg();
    for &index in candidates.iter().rev() {
        if left == 0 {
            break;
        }
        let sale = &mut sales[index];
        if sale.line.placed_at > cancellation.placed_at || sale.remaining == 0 {
            continue;
        }
        let taken = sale.remaining.min(left);
        sale.remaining -= taken;
        left -= taken;
    }
    left
}

/// One order per invoice, sorted by time then number. Lines keep file order; lines cancelled
/// to zero are dropped, and an order that lost every line keeps its original lines with
/// status "cancelled". Customer and country come from the invoice's earliest line.
pub(crate) fn build_orders(sales: &[Sale]) -> Vec<OrderRecord> {
    let mut by_invoice: BTreeMap<&str, Vec<&Sale>> = BTreeMap::new();
    for sale in sales {
        by_invoice
            .entry(sale.line.invoice.as_str())
            .or_default()
            .push(sale);
    }
    let mut orders: Vec<OrderRecord> = by_invoice.into_values().filter_map(order_of).collect();
    orders.sort_by(|a, b| (a.placed_at, &a.number).cmp(&(b.placed_at, &b.number)));
    orders
}

fn order_of(mut sales: Vec<&Sale>) -> Option<OrderRecord> {
    sales.sort_by_key(|sale| sale.line.line_no);
    let earliest = sales
        .iter()
        .min_by_key(|sale| (sale.line.placed_at, sale.line.line_no))?;
    let line_of = |sale: &&Sale, quantity| OrderLineRecord {
        sku: sale.line.sku.clone(),
        quantity,
        unit_price_minor: sale.line.price_minor,
    };
    let surviving: Vec<OrderLineRecord> = sales
        .iter()
        .filter(|sale| sale.remaining > 0)
        .map(|sale| line_of(sale, sale.remaining))
        .collect();
    let (status, lines) = if surviving.is_empty() {
        (
            STATUS_CANCELLED,
            sales
                .iter()
                .map(|sale| line_of(sale, sale.line.quantity))
                .collect(),
        )
    } else {
        (STATUS_DELIVERED, surviving)
    };
    Some(OrderRecord {
        number: earliest.line.invoice.clone(),
        customer_id: earliest.line.customer_id,
        country: earliest.line.country.clone(),
        placed_at: earliest.line.placed_at,
        status: status.to_string(),
        lines,
    })
}

/// Every customer on a sale line, sorted by id, with the country on most of their lines
/// (ties go to the alphabetically first country).
pub(crate) fn build_customers(sales: &[Sale]) -> Vec<CustomerRecord> {
    let mut countries: BTreeMap<i64, BTreeMap<&str, usize>> = BTreeMap::new();
    for sale in sales {
        if let Some(id) = sale.line.customer_id {
            *countries
                .entry(id)
                .or_default()
                .entry(sale.line.country.as_str())
                .or_default() += 1;
        }
    }
    countries
        .into_iter()
        .map(|(id, counts)| {
            let mut best: Option<(&str, usize)> = None;
            for (country, count) in counts {
                if best.is_none_or(|(_, most)| count > most) {
                    best = Some((country, count));
                }
            }
            CustomerRecord {
                id,
                country: best.map(|(c, _)| c.to_string()).unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::OrderRecord;
    use super::super::tests::import;
    use super::*;

    fn order<'a>(orders: &'a [OrderRecord], number: &str) -> &'a OrderRecord {
        orders
            .iter()
            .find(|o| o.number == number)
            .expect("order exists")
    }

    fn line(sku: &str, quantity: i64, unit_price_minor: i64) -> OrderLineRecord {
        OrderLineRecord {
            sku: sku.into(),
            quantity,
            unit_price_minor,
        }
    }

    #[test]
    fn cancellations_reduce_the_latest_matching_sales() {
        let catalogue = import(&[
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,United Kingdom",
            "536365,71053,WHITE METAL LANTERN,6,01/12/2010 08:26,3.39,17850,United Kingdom",
            "536400,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,02/12/2010 10:00,2.55,17850,United Kingdom",
            "536401,22633,HAND WARMER UNION JACK,6,02/12/2010 11:00,1.85,13047,United Kingdom",
            // Partial: 7 units, 4 from the later order then 3 from the earlier one.
            "C536500,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-7,03/12/2010 09:00,2.55,17850,United Kingdom",
            // Full: every unit of the only line of 536401.
            "C536501,22633,HAND WARMER UNION JACK,-6,03/12/2010 09:30,1.85,13047,United Kingdom",
            // No original: another customer, a sale after the cancellation, and a guest.
            "C536502,71053,WHITE METAL LANTERN,-2,03/12/2010 09:40,3.39,99999,United Kingdom",
            "C536503,71053,WHITE METAL LANTERN,-1,01/12/2010 07:00,3.39,17850,United Kingdom",
            "C536504,71053,WHITE METAL LANTERN,-1,03/12/2010 09:50,3.39,,United Kingdom",
        ]);
        let first = order(&catalogue.orders, "536365");
        assert_eq!(first.status, "delivered");
        assert_eq!(first.lines, [line("85123A", 3, 255), line("71053", 6, 339)]);
        let second = order(&catalogue.orders, "536400");
        assert_eq!(
            (second.status.as_str(), second.lines.as_slice()),
            ("cancelled", &[line("85123A", 4, 255)][..])
        );
        assert_eq!(order(&catalogue.orders, "536401").status, "cancelled");
        assert_eq!(
            catalogue.report.skipped.get(SKIP_UNMATCHED_CANCELLATION),
            Some(&3)
        );
        assert_eq!(
            catalogue.orders.len(),
            3,
            "cancellation invoices are not orders"
        );
        let heart = catalogue
            .products
            .iter()
            .find(|p| p.stem == "85123")
            .expect("heart");
        assert_eq!(heart.units_sold, 3);
        let warmer = catalogue
            .products
            .iter()
            .find(|p| p.stem == "22633")
            .expect("warmer");
        assert_eq!((warmer.units_sold, warmer.variants[0].stock), (0, 0));
    }

    #[test]
    fn a_cancellation_larger_than_the_sales_uses_them_up_and_reports_the_rest() {
        let catalogue = import(&[
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,01/12/2010 08:26,2.55,17850,United Kingdom",
            "C536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-5,01/12/2010 08:30,2.55,17850,United Kingdom",
        ]);
        assert_eq!(order(&catalogue.orders, "536365").status, "cancelled");
        assert_eq!(
            catalogue.report.skipped.get(SKIP_UNMATCHED_CANCELLATION),
            Some(&1)
        );
    }

    #[test]
    fn guests_have_no_customer_and_customers_take_their_usual_country() {
        let catalogue = import(&[
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,,United Kingdom",
            "536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 09:26,2.55,12370.0,Cyprus",
            "536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 10:26,2.55,12370,Austria",
            "536367,71053,WHITE METAL LANTERN,6,01/12/2010 10:26,3.39,12370,Austria",
        ]);
        assert_eq!(order(&catalogue.orders, "536365").customer_id, None);
        assert_eq!(
            catalogue.customers,
            [CustomerRecord {
                id: 12370,
                country: "Austria".into()
            }]
        );
        let numbers: Vec<_> = catalogue.orders.iter().map(|o| o.number.as_str()).collect();
        assert_eq!(numbers, ["536365", "536366", "536367"]);
    }
}
