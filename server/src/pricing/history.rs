//! The rule for announcing a price reduction (EU Directive 98/6/EC Art. 6a, as the CJEU read it
//! in C-330/23, Aldi Süd): a price shown as reduced must be compared with the lowest price the
//! seller applied during the 30 days before the reduction, and any percentage is computed from
//! that prior price. Where the prior price is not above the new one, no reduction may be
//! announced at all.
//!
//! Pure functions over a variant's price history; the database and the pages call them.

/// 30 days, in seconds.
pub const WINDOW: i64 = 30 * 86_400;

/// One entry of a variant's price history: the price from `valid_from` (unix seconds) until
/// the next entry's `valid_from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricePoint {
    pub valid_from: i64,
    pub price_minor: i64,
}

/// The lowest price in effect at any moment of the 30 days before `reduction_start`, i.e. in
/// `[reduction_start - 30 days, reduction_start)`: the price in effect when the window opens
/// (even if set long before) and every price set inside it. The reduced price itself (set at
/// `reduction_start`) and anything later never count. `None` when no price was in effect in
/// the window (the variant is newer than that). `history` may be in any order.
pub fn prior_price(history: &[PricePoint], reduction_start: i64) -> Option<i64> {
    let window_start = reduction_start - WINDOW;
    let mut before: Vec<&PricePoint> = history
        .iter()
        .filter(|p| p.valid_from < reduction_start)
        .collect();
    before.sort_by_key(|p| p.valid_from);
    // The entry in effect when the window opens: the last one set at or before its start.
    let opening = before
        .iter()
        .rev()
        .find(|p| p.valid_from <= window_start)
        .map(|p| p.price_minor);
    let inside = before
        .iter()
        .filter(|p| p.valid_from > window_start)
        .map(|p| p.price_minor);
    opening.into_iter().chain(inside).min()
}

/// What a page may say about a reduced price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reduction {
    /// The prior price: the crossed-out "was" price, and the "lowest price in the 30 days
    /// before this reduction".
    pub prior_minor: i64,
    /// Whole percent off the prior price, rounded down so it never overstates.
    pub percent_off: u32,
}

/// The reduction to announce for a price of `now_minor` whose prior price is `prior`, if any:
/// only when the prior price is above the new one by at least 1%.
pub fn announce(prior: Option<i64>, now_minor: i64) -> Option<Reduction> {
    let prior = prior?;
    if prior <= now_minor || prior <= 0 || now_minor <= 0 {
        return None;
    }
    let percent = (i128::from(prior - now_minor) * 100) / i128::from(prior);
    let percent_off = u32::try_from(percent).ok().filter(|&p| p >= 1)?;
    Some(Reduction {
        prior_minor: prior,
        percent_off,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_800_000_000;

    fn at(days_ago: i64, price_minor: i64) -> PricePoint {
        PricePoint {
            valid_from: NOW - days_ago * DAY,
            price_minor,
        }
    }

    #[test]
    fn a_sale_above_a_price_still_in_effect_thirty_days_ago_announces_nothing() {
        // 5.00 set 45 days ago (still in effect 30 days ago), 10.00 20 days ago, 15.00 5 days
        // ago, "sale" at 12.00 now: the prior price is 5.00, so 12.00 is no reduction.
        let history = [at(45, 500), at(20, 1000), at(5, 1500), at(0, 1200)];
        assert_eq!(prior_price(&history, NOW), Some(500));
        assert_eq!(announce(prior_price(&history, NOW), 1200), None);
    }

    #[test]
    fn a_real_reduction_is_computed_from_the_prior_price() {
        // 20.00 for 60 days, sale at 15.00 now: prior 20.00, -25%.
        let history = [at(60, 2000), at(0, 1500)];
        assert_eq!(
            announce(prior_price(&history, NOW), 1500),
            Some(Reduction {
                prior_minor: 2000,
                percent_off: 25
            })
        );
    }

    #[test]
    fn the_window_edges() {
        // A price that ended exactly when the window opened was never in effect inside it.
        let ended = [at(40, 100), at(30, 900), at(0, 500)];
        assert_eq!(prior_price(&ended, NOW), Some(900));
        // A price that started exactly at the window's start counts.
        let started = [at(30, 700), at(10, 900), at(0, 500)];
        assert_eq!(prior_price(&started, NOW), Some(700));
        // A price set one second after the reduction is not prior; one second before is.
        let around = [
            PricePoint {
                valid_from: NOW - 1,
                price_minor: 300,
            },
            at(0, 500),
            PricePoint {
                valid_from: NOW + 1,
                price_minor: 100,
            },
            at(50, 800),
        ];
        assert_eq!(prior_price(&around, NOW), Some(300));
        // A history that starts inside the window: its lowest price so far.
        let young = [at(10, 900), at(3, 800), at(0, 500)];
        assert_eq!(prior_price(&young, NOW), Some(800));
        // Nothing before the reduction: no prior price, nothing to announce.
        assert_eq!(prior_price(&[at(0, 500)], NOW), None);
        assert_eq!(announce(None, 500), None);
    }

    #[test]
    fn percentages_round_down_and_tiny_reductions_are_not_announced() {
        assert_eq!(announce(Some(300), 200).map(|r| r.percent_off), Some(33));
        assert_eq!(announce(Some(1000), 995), None, "0.5% is not a reduction");
        assert_eq!(announce(Some(1000), 1000), None);
        assert_eq!(announce(Some(1000), 1200), None);
    }
}
