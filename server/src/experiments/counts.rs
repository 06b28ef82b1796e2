//! The inputs and outputs every experiment statistic shares: per-arm counts, intervals and
//! the one error enum. Owns the invariant that an arm never has more conversions than
//! visitors, so the tests downstream never see an impossible rate.

use serde::Serialize;

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    #[error("an arm has {conversions} conversions but only {visitors} visitors")]
    ConversionsExceedVisitors { visitors: u64, conversions: u64 },
    #[error("an arm has no visitors yet")]
    NoVisitors,
    #[error("parameter {name} = {value} is out of range ({expected})")]
    InvalidParameter {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
    #[error("{observed} observed counts for {weights} configured weights")]
    LengthMismatch { observed: usize, weights: usize },
    #[error("at least two variants need a positive weight")]
    TooFewVariants,
}

/// Visitors exposed to one arm (variant) and how many of them converted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    visitors: u64,
    conversions: u64,
}

impl Counts {
    /// Counts for one arm.
    ///
    /// # Errors
    /// [`StatsError::ConversionsExceedVisitors`] when `conversions > visitors`: conversions are
    /// counted once per exposed visitor, so more would mean the counting query is wrong.
    pub fn new(visitors: u64, conversions: u64) -> Result<Self, StatsError> {
        if conversions > visitors {
            return Err(StatsError::ConversionsExceedVisitors {
                visitors,
                conversions,
            });
        }
        Ok(Counts {
            visitors,
            conversions,
        })
    }

    pub fn visitors(self) -> u64 {
        self.visitors
    }

    pub fn conversions(self) -> u64 {
        self.conversions
    }

    /// The conversion rate, or `None` before the first visitor.
    pub fn rate(self) -> Option<f64> {
        (self.visitors > 0).then(|| self.conversions as f64 / self.visitors as f64)
    }

    /// The rate, or [`StatsError::NoVisitors`].
    pub(crate) fn rate_or_err(self) -> Result<f64, StatsError> {
        self.rate().ok_or(StatsError::NoVisitors)
    }

    /// Both arms' totals added, as when a new day's counts join the cumulative ones.
    /// Saturates rather than wraps (not reachable with real traffic); the invariant holds
    /// because `conversions <= visitors` on both sides.
    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            visitors: self.visitors.saturating_add(other.visitors),
            conversions: self.conversions.saturating_add(other.conversions),
        }
    }
}

/// A closed interval `[low, high]`: a confidence interval or a confidence sequence's value on
/// one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// `estimate ± half_width`.
    pub fn around(estimate: f64, half_width: f64) -> Self {
        Interval {
            low: estimate - half_width,
            high: estimate + half_width,
        }
    }

    pub fn contains(self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }

    /// The interval with `f` applied to both ends; `f` must be increasing.
    pub(crate) fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Interval {
            low: f(self.low),
            high: f(self.high),
        }
    }
}

/// Checks that a probability-like parameter lies strictly between 0 and 1.
pub(crate) fn check_open_unit(name: &'static str, value: f64) -> Result<f64, StatsError> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(StatsError::InvalidParameter {
            name,
            value,
            expected: "strictly between 0 and 1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Counts, Interval, StatsError};

    #[test]
    fn more_conversions_than_visitors_is_refused() {
        assert_eq!(
            Counts::new(3, 4),
            Err(StatsError::ConversionsExceedVisitors {
                visitors: 3,
                conversions: 4
            })
        );
    }

    #[test]
    fn rate_is_none_before_the_first_visitor() {
        assert_eq!(Counts::default().rate(), None);
        let counts = Counts::new(200, 10).expect("valid counts");
        assert!((counts.rate().expect("has visitors") - 0.05).abs() < 1e-15);
    }

    #[test]
    fn plus_adds_both_counts() {
        let a = Counts::new(10, 1).expect("valid");
        let b = Counts::new(5, 2).expect("valid");
        assert_eq!(a.plus(b), Counts::new(15, 3).expect("valid"));
    }

    #[test]
    fn interval_contains_its_ends() {
        let i = Interval::around(1.0, 0.5);
        assert!(i.contains(0.5) && i.contains(1.5) && !i.contains(1.6));
    }
}
