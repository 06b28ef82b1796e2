//! What a user's invoices (purchases sharing one time) say beyond their summed profile:
//!
//! - **Invoice rows.** For a customer with several invoices, each invoice also enters EASE's
//!   Gram matrix as its own row ([`crate::EaseParams::basket_weight`]): items on one invoice
//!   were chosen together, items bought weeks apart less so. A single-invoice customer's row
//!   already is that invoice, so it is not added twice.
//! - **Re-order habit.** Wholesale buyers differ: some re-order the same lines every week,
//!   others buy something new each time. A user's re-order share is the fraction of the items
//!   on their later invoices that an earlier invoice already held; EASE's repeat weight is
//!   scaled by `(share / typical share)^exponent` ([`Propensity`]), where the typical share
//!   is the same fraction pooled over the training data's customers ([`MultiInvoice`]).
//!
//! Both were adopted on the validation folds only (see the README's recommendations section).

#[cfg(doc)]
use crate::data::Dataset;
use crate::data::{Event, Signal};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The smallest factor the re-order habit applies to the repeat weight: a buyer who never
/// re-ordered yet still may.
const MIN_FACTOR: f32 = 0.05;

/// Purchases grouped by time (one invoice per distinct time), items sorted and distinct.
fn group(purchases: impl Iterator<Item = (i64, u32)>) -> BTreeMap<i64, Vec<u32>> {
    let mut out: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    for (time, item) in purchases {
        out.entry(time).or_default().push(item);
    }
    for items in out.values_mut() {
        items.sort_unstable();
        items.dedup();
    }
    out
}

/// `(re-ordered, items)` over the invoices after the first: how many of their items an
/// earlier invoice held, and how many items they held. `None` with fewer than two invoices.
fn reorder_counts(invoices: &BTreeMap<i64, Vec<u32>>) -> Option<(usize, usize)> {
    if invoices.len() < 2 {
        return None;
    }
    let mut seen: HashSet<u32> = HashSet::new();
    let (mut reordered, mut items) = (0, 0);
    for (n, invoice) in invoices.values().enumerate() {
        if n > 0 {
            reordered += invoice.iter().filter(|i| seen.contains(i)).count();
            items += invoice.len();
        }
        seen.extend(invoice.iter().copied());
    }
    Some((reordered, items))
}

/// One user's invoices: their purchases grouped by time.
fn invoices_of(history: &[Event]) -> BTreeMap<i64, Vec<u32>> {
    group(
        history
            .iter()
            .filter(|e| e.signal == Signal::Purchase)
            .map(|e| (e.time, e.item)),
    )
}

/// One user's re-order share (see the module doc), `None` with fewer than two invoices.
pub fn reorder_share(history: &[Event]) -> Option<f64> {
    let (reordered, items) = reorder_counts(&invoices_of(history))?;
    Some(reordered as f64 / items.max(1) as f64)
}

/// The invoices of every user with at least two, in user order: what the invoice rows and
/// the typical re-order share are both read from, grouped once per fit.
pub(crate) struct MultiInvoice(Vec<BTreeMap<i64, Vec<u32>>>);

impl MultiInvoice {
    /// From each user's events ([`Dataset::histories`]).
    pub(crate) fn of(histories: &[Vec<Event>]) -> MultiInvoice {
        MultiInvoice(
            histories
                .iter()
                .map(|h| invoices_of(h))
                .filter(|invoices| invoices.len() >= 2)
                .collect(),
        )
    }

    /// The re-order share pooled over these users (re-ordered items / items on later
    /// invoices), `None` when nobody has two invoices.
    pub(crate) fn typical_share(&self) -> Option<f64> {
        let (reordered, items) = self
            .0
            .iter()
            .filter_map(reorder_counts)
            .fold((0, 0), |(r, n), (r1, n1)| (r + r1, n + n1));
        (items > 0).then(|| reordered as f64 / items as f64)
    }

    /// One extra Gram-matrix row per invoice, every item at `weight` (none at 0).
    pub(crate) fn rows(&self, weight: f64) -> Vec<Vec<(u32, f64)>> {
        if weight == 0.0 {
            return Vec::new();
        }
        self.0
            .iter()
            .flat_map(|invoices| invoices.values())
            .map(|items| items.iter().map(|&i| (i, weight)).collect())
            .collect()
    }
}

/// How a user's re-order habit scales EASE's repeat weight; the default (exponent 0) leaves
/// it as it is, which is how models published before this existed behave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Propensity {
    pub exponent: f32,
    /// The training data's pooled re-order share ([`MultiInvoice::typical_share`]).
    pub typical: f32,
}

impl Propensity {
    /// `base` scaled for the user with this history: `base × max(share / typical, 0.05)^exponent`
    /// when the history has two invoices or more, else `base`.
    pub fn repeat_weight(&self, base: f32, history: &[Event]) -> f32 {
        if self.exponent == 0.0 || self.typical <= 0.0 {
            return base;
        }
        match reorder_share(history) {
            Some(share) => {
                base * (share as f32 / self.typical)
                    .max(MIN_FACTOR)
                    .powf(self.exponent)
            }
            None => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Dataset, Interaction};

    fn buy(item: u32, time: i64) -> Event {
        Event {
            item,
            time,
            signal: Signal::Purchase,
        }
    }

    #[test]
    fn the_share_counts_later_invoices_items_seen_before() {
        // Invoice 1: {1, 2}. Invoice 2: {2, 3} (1 of 2 re-ordered). Invoice 3: {1, 2, 4, 5}
        // (2 of 4). Share: 3 / 6. A view does not make an invoice.
        let history = [
            buy(1, 10),
            buy(2, 10),
            buy(2, 20),
            buy(3, 20),
            buy(1, 30),
            buy(2, 30),
            buy(4, 30),
            buy(5, 30),
            Event {
                item: 9,
                time: 40,
                signal: Signal::View,
            },
        ];
        assert_eq!(reorder_share(&history), Some(0.5));
        assert_eq!(reorder_share(&[buy(1, 10), buy(2, 10)]), None);
    }

    #[test]
    fn the_repeat_weight_follows_the_habit_and_stays_above_the_floor() {
        let p = Propensity {
            exponent: 1.0,
            typical: 0.25,
        };
        let habitual = [buy(1, 10), buy(2, 10), buy(1, 20), buy(2, 20)];
        assert!((p.repeat_weight(0.1, &habitual) - 0.4).abs() < 1e-6);
        let explorer = [buy(1, 10), buy(2, 20)];
        assert!((p.repeat_weight(0.1, &explorer) - 0.1 * MIN_FACTOR).abs() < 1e-7);
        // One invoice: no habit to read.
        assert_eq!(p.repeat_weight(0.1, &[buy(1, 10)]), 0.1);
        assert_eq!(Propensity::default().repeat_weight(0.1, &habitual), 0.1);
    }

    #[test]
    fn invoice_rows_come_only_from_users_with_several_invoices() {
        let at = Interaction::purchase;
        let data = Dataset {
            n_users: 2,
            n_items: 4,
            // User 0: invoices {0, 1} and {1, 2}; user 1: one invoice {0, 3}.
            interactions: vec![
                at(0, 1, 5),
                at(0, 0, 5),
                at(0, 1, 9),
                at(0, 2, 9),
                at(1, 0, 5),
                at(1, 3, 5),
            ],
            ..Dataset::default()
        };
        let invoices = MultiInvoice::of(&data.histories());
        assert_eq!(
            invoices.rows(0.5),
            vec![vec![(0, 0.5), (1, 0.5)], vec![(1, 0.5), (2, 0.5)]]
        );
        assert!(invoices.rows(0.0).is_empty());
        // User 0's second invoice re-orders 1 of 2 items; user 1 has one invoice.
        assert_eq!(invoices.typical_share(), Some(0.5));
    }
}
