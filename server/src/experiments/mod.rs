//! Experiment statistics: the numbers on the marketer console's results page.
//!
//! Owns pure functions over counts, with no I/O and no clock: the fixed-horizon
//! two-proportion z-test ([`ztest`]), the always-valid mSPRT with its confidence sequences
//! ([`sequential`]), the sample-ratio-mismatch check ([`srm`]), the cumulative-lift chart
//! series ([`chart`]) and the distribution functions they need ([`special`]). Variant
//! *assignment* is not here: it runs in the browser too and lives in the app crate
//! (`vitrine::experiments::assign`). Loading counts, recording exposures and drawing charts
//! belong to the console and the event store, never to this module.
//!
//! Several treatment arms are each compared with the control at the configured α; any
//! correction for multiple comparisons is the caller's decision.
//!
//! Reference values: `fixtures.json`, generated with scipy and statsmodels by `fixtures.py`
//! (`python3 server/src/experiments/fixtures.py > server/src/experiments/fixtures.json`).

pub mod chart;
pub mod copy_check;
pub mod counts;
pub mod definition;
pub mod results;
pub mod sequential;
pub mod serving;
pub mod special;
pub mod srm;
pub mod store;
pub mod ztest;

#[cfg(test)]
mod aa_simulation;
#[cfg(test)]
mod fixture_tests;

pub use chart::{DailyCounts, LiftPoint, cumulative_lift};
pub use counts::{Counts, Interval, StatsError};
pub use sequential::{MsprtParams, SequentialTest, sequential_test};
pub use srm::{SRM_ALERT_P, SrmCheck, sample_ratio_mismatch};
pub use ztest::{ZTest, two_proportion_z_test};
