//! Price-history arithmetic: which prices were in effect when, the lowest price of the 30 days
//! before a reduction, and whether a reduction may be announced at all.
//!
//! EU Directive 98/6/EC Art. 6a (as inserted by Directive (EU) 2019/2161): any announcement of
//! a price reduction must indicate the prior price, "the lowest price applied by the trader
//! during a period of not less than 30 days prior to the application of the price reduction".
//! The CJEU (C-330/23, *Aldi Süd*, 26 September 2024) held that the percentage or the
//! "was/now" of the announcement must be computed from that prior price, so a "reduction" that
//! is not below the prior price may not be announced as one.
//!
//! This module owns the arithmetic only. It never reads a clock or a database: the caller
//! passes the history (every price a variant ever had, in any order) and the instants, and the
//! storefront renders what [`announce`] allows. Money is integer minor units throughout.

use serde::{Deserialize, Serialize};

/// Seconds in the 30-day look-back window of Art. 6a.
pub const PRIOR_WINDOW_SECS: i64 = 30 * 24 * 60 * 60;

/// One entry of a variant's price history: `amount_minor` is in effect from `starts_at`
/// (unix seconds, inclusive) until the next entry starts (exclusive), or for ever if none does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PricePoint {
    pub starts_at: i64,
    pub amount_minor: i64,
}

/// The prices of `history` with the half-open interval `[start, end)` in which each was in
/// effect (`end = None`: still in effect), sorted by start. When two entries share a start
/// instant the later one in the slice wins and the earlier one was never in effect, so it is
/// dropped (the order in which a batch was written is the order of the slice).
pub fn effective_intervals(history: &[PricePoint]) -> Vec<(PricePoint, Option<i64>)> {
    let mut sorted = history.to_vec();
    // Stable: entries with equal starts keep their slice order, so the last one wins below.
    sorted.sort_by_key(|p| p.starts_at);
    let mut out: Vec<(PricePoint, Option<i64>)> = Vec::with_capacity(sorted.len());
    for point in sorted {
        if let Some(last) = out.last_mut() {
            if last.0.starts_at == point.starts_at {
                last.0 = point;
                continue;
            }
            last.1 = Some(point.starts_at);
        }
        out.push((point, None));
    }
    out
}

/// The price in effect at instant `at`, if any entry had started by then.
pub fn price_at(history: &[PricePoint], at: i64) -> Option<PricePoint> {
    effective_intervals(history)
        .into_iter()
        .find(|(p, end)| p.starts_at <= at && end.is_none_or(|e| at < e))
        .map(|(p, _)| p)
}

/// The Art. 6a prior price: the lowest price in effect at any moment of the 30 days before
/// `reduction_starts_at`, i.e. in the half-open window `[reduction_starts_at − 30 days,
/// reduction_starts_at)`.
///
/// - A price set before the window that was still in effect when the window opened counts
///   (C-330/23: "a price set 45 days ago that was still in effect 30 days ago").
/// - A price that ended exactly when the window opened was not in effect at any moment of it,
///   and does not count; one that started exactly at the window's opening does.
/// - The reduced price itself starts at `reduction_starts_at`, outside the window: it never
///   counts, nor does anything set later.
/// - A history that starts inside the window gives the lowest of what was in effect since.
///
/// `None` when no price was in effect during the window (a new product): then there is no
/// prior price and no reduction may be announced.
pub fn prior_price(history: &[PricePoint], reduction_starts_at: i64) -> Option<i64> {
    let window_start = reduction_starts_at.saturating_sub(PRIOR_WINDOW_SECS);
    effective_intervals(history)
        .into_iter()
        .filter(|(p, end)| {
            p.starts_at < reduction_starts_at && end.is_none_or(|e| e > window_start)
        })
        .map(|(p, _)| p.amount_minor)
        .min()
}

/// What the storefront may show next to a reduced price: "was `prior_minor`", and the
/// percentage off computed from that prior price (CJEU C-330/23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReductionBadge {
    /// The Art. 6a prior price ("Lowest price in the 30 days before this reduction").
    pub prior_minor: i64,
    /// `⌊100 × (prior − now) / prior⌋`: rounded down so the badge never overstates the
    /// reduction. It is 0 when the reduction is under 1%: show the was/now, not "−0%".
    pub percent_off: u8,
}

/// Whether the price `now_minor` may be announced as a reduction from the Art. 6a `prior`
/// price, and with which badge. `None` (show the plain price: no strikethrough, no
/// percentage) when there is no prior price or it is not strictly above the current one.
pub fn announce(prior: Option<i64>, now_minor: i64) -> Option<ReductionBadge> {
    let prior_minor = prior?;
    if now_minor < 0 || prior_minor <= now_minor {
        return None;
    }
    // i128: a 64-bit amount times 100 must not overflow; the quotient is in 0..=100.
    let percent = (i128::from(prior_minor - now_minor) * 100) / i128::from(prior_minor);
    let percent_off = u8::try_from(percent).ok()?;
    Some(ReductionBadge {
        prior_minor,
        percent_off,
    })
}

/// The badge for whatever price is in effect at `at`, treating the moment that price started
/// as the start of the reduction (the usual case: one price change is one reduction). `None`
/// when nothing is in effect at `at` or the price may not be announced as reduced.
pub fn reduction_at(history: &[PricePoint], at: i64) -> Option<ReductionBadge> {
    let current = price_at(history, at)?;
    announce(
        prior_price(history, current.starts_at),
        current.amount_minor,
    )
}

/// The badge a storefront shows for `current` (an entry of `history` that was set as a
/// reduction), or none: the prior-price rule above, and never a percentage under 1% ("−0%"),
/// so such a reduction is not announced at all.
pub fn announced_badge(history: &[PricePoint], current: PricePoint) -> Option<ReductionBadge> {
    announce(
        prior_price(history, current.starts_at),
        current.amount_minor,
    )
    .filter(|b| b.percent_off >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 60 * 60;
    /// An arbitrary "now", far from 0 so that negative offsets stay meaningful.
    const NOW: i64 = 1_750_000_000;

    fn at(days_before_now: i64, amount_minor: i64) -> PricePoint {
        PricePoint {
            starts_at: NOW - days_before_now * DAY,
            amount_minor,
        }
    }

    #[test]
    fn issue_case_a_sale_above_the_30_day_low_is_not_a_reduction() {
        let history = [at(45, 500), at(20, 1000), at(5, 1500), at(0, 1200)];
        assert_eq!(prior_price(&history, NOW), Some(500));
        assert_eq!(announce(prior_price(&history, NOW), 1200), None);
        assert_eq!(reduction_at(&history, NOW), None);
        assert_eq!(reduction_at(&history, NOW + 3 * DAY), None);
    }

    #[test]
    fn issue_mirror_case_twenty_down_to_fifteen_is_25_percent_off() {
        let history = [at(60, 2000), at(0, 1500)];
        assert_eq!(prior_price(&history, NOW), Some(2000));
        let badge = ReductionBadge {
            prior_minor: 2000,
            percent_off: 25,
        };
        assert_eq!(announce(Some(2000), 1500), Some(badge));
        assert_eq!(reduction_at(&history, NOW + DAY), Some(badge));
    }

    #[test]
    fn a_price_that_ended_exactly_at_the_window_start_does_not_count() {
        // 3.00 until exactly 30 days before, then 10.00, then the sale at 8.00.
        let history = [at(40, 300), at(30, 1000), at(0, 800)];
        assert_eq!(prior_price(&history, NOW), Some(1000));
        assert_eq!(
            announce(prior_price(&history, NOW), 800),
            Some(ReductionBadge {
                prior_minor: 1000,
                percent_off: 20
            })
        );
        // One second later it would have been in effect during the window.
        let later = [
            at(40, 300),
            PricePoint {
                starts_at: NOW - 30 * DAY + 1,
                amount_minor: 1000,
            },
            at(0, 800),
        ];
        assert_eq!(prior_price(&later, NOW), Some(300));
    }

    #[test]
    fn a_price_that_started_exactly_at_the_window_start_counts() {
        let history = [at(50, 2000), at(30, 900), at(29, 1200), at(0, 1000)];
        assert_eq!(prior_price(&history, NOW), Some(900));
        assert_eq!(announce(prior_price(&history, NOW), 1000), None);
    }

    #[test]
    fn a_history_that_starts_inside_the_window_uses_what_there_is() {
        let history = [at(10, 1200), at(4, 1100), at(0, 990)];
        assert_eq!(prior_price(&history, NOW), Some(1100));
        // 100 × 110 / 1100 = 10.0 exactly.
        assert_eq!(announce(Some(1100), 990).map(|b| b.percent_off), Some(10));
    }

    #[test]
    fn a_brand_new_price_has_no_prior_and_no_badge() {
        let history = [at(0, 990)];
        assert_eq!(prior_price(&history, NOW), None);
        assert_eq!(announce(None, 990), None);
        assert_eq!(reduction_at(&history, NOW), None);
    }

    #[test]
    fn unsorted_input_gives_the_same_answer() {
        let sorted = [at(45, 500), at(20, 1000), at(5, 1500), at(0, 1200)];
        let shuffled = [sorted[2], sorted[0], sorted[3], sorted[1]];
        assert_eq!(prior_price(&shuffled, NOW), prior_price(&sorted, NOW));
        assert_eq!(effective_intervals(&shuffled), effective_intervals(&sorted));
    }

    #[test]
    fn the_reduced_price_and_later_prices_never_count() {
        let history = [at(60, 2000), at(0, 1500), at(-3, 100)];
        assert_eq!(prior_price(&history, NOW), Some(2000));
    }

    #[test]
    fn of_two_entries_at_the_same_instant_the_later_one_wins() {
        // A price typed in and corrected in the same second was never in effect.
        let history = [at(60, 2000), at(10, 1), at(10, 1800), at(0, 1500)];
        assert_eq!(prior_price(&history, NOW), Some(1800));
        assert_eq!(
            price_at(&history, NOW - 10 * DAY).map(|p| p.amount_minor),
            Some(1800)
        );
    }

    #[test]
    fn percentages_round_down_and_tiny_reductions_show_no_percentage() {
        // 1 − 1999/3000 = 33.37%: shows 33, never 34.
        assert_eq!(announce(Some(3000), 1999).map(|b| b.percent_off), Some(33));
        // 2/3 off is 66.67%: 66.
        assert_eq!(announce(Some(300), 100).map(|b| b.percent_off), Some(66));
        assert_eq!(announce(Some(1000), 999).map(|b| b.percent_off), Some(0));
        assert_eq!(announce(Some(1000), 0).map(|b| b.percent_off), Some(100));
        assert_eq!(announce(Some(1000), 1000), None);
        assert_eq!(announce(Some(i64::MAX), 1).map(|b| b.percent_off), Some(99));
    }

    #[test]
    fn price_at_finds_the_entry_in_effect() {
        let history = [at(45, 500), at(20, 1000)];
        assert_eq!(price_at(&history, NOW - 46 * DAY), None);
        assert_eq!(
            price_at(&history, NOW - 45 * DAY).map(|p| p.amount_minor),
            Some(500)
        );
        assert_eq!(
            price_at(&history, NOW - 20 * DAY).map(|p| p.amount_minor),
            Some(1000)
        );
        assert_eq!(price_at(&history, NOW).map(|p| p.amount_minor), Some(1000));
    }

    #[test]
    fn tiny_reductions_are_not_announced() {
        let history = [at(60, 1000), at(0, 995)];
        assert_eq!(
            announced_badge(&history, history[1]),
            None,
            "0.5% is not announced"
        );
        let history = [at(60, 300), at(0, 200)];
        assert_eq!(
            announced_badge(&history, history[1]).map(|b| b.percent_off),
            Some(33)
        );
    }

    #[test]
    fn a_sale_above_a_price_still_in_effect_thirty_days_ago_announces_nothing() {
        let history = [at(45, 500), at(20, 1000), at(5, 1500), at(0, 1200)];
        assert_eq!(announced_badge(&history, history[3]), None);
    }
}
