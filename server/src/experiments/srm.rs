//! The sample-ratio-mismatch (SRM) check: did the variants receive the visitors their weights
//! promise? A mismatch means the assignment or the exposure logging is broken (a redirect that
//! loses visitors, bots counted in one arm, a cache serving one variant), and every other
//! number on the results page is then untrustworthy, so the page raises an alert instead of a
//! verdict. Owns the test and the alert threshold, nothing about how the alert is shown.

use serde::Serialize;

use super::counts::StatsError;
use super::special::chi_square_sf;

/// The p-value below which the console raises the SRM alert. Deliberately strict, as in
/// published practice (thresholds of this order; see Fabijan et al., "Diagnosing Sample
/// Ratio Mismatch in Online Controlled Experiments", KDD 2019): the check runs on every look
/// at every experiment, so a loose threshold would cry wolf, and a real mismatch in a large
/// experiment gives p-values far smaller than this anyway.
pub const SRM_ALERT_P: f64 = 0.001;

/// Pearson's chi-square goodness of fit of observed visitors against the weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SrmCheck {
    /// Expected visitors per variant: `total · weight / Σ weights`.
    pub expected: Vec<f64>,
    /// `Σ (observed - expected)² / expected` over the variants with a positive weight.
    pub chi_square: f64,
    /// Variants with a positive weight, minus one.
    pub degrees_of_freedom: u32,
    pub p_value: f64,
    /// `p_value < SRM_ALERT_P`.
    pub srm_alert: bool,
}

/// Tests `observed` visitors per variant against the configured `weights` (same order).
///
/// A variant with weight zero should receive nobody: it is left out of the test when empty,
/// and any visitor in it is a mismatch by itself (`p = 0`, alert).
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length,
/// [`StatsError::TooFewVariants`] with fewer than two positive weights,
/// [`StatsError::NoVisitors`] when nobody has been observed.
pub fn sample_ratio_mismatch(observed: &[u64], weights: &[u32]) -> Result<SrmCheck, StatsError> {
    if observed.len() != weights.len() {
        return Err(StatsError::LengthMismatch {
            observed: observed.len(),
            weights: weights.len(),
        });
    }
    let positive = weights.iter().filter(|&&w| w > 0).count();
    if positive < 2 {
        return Err(StatsError::TooFewVariants);
    }
    let total: u64 = observed.iter().sum();
    if total == 0 {
        return Err(StatsError::NoVisitors);
    }
    let weight_sum: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let expected: Vec<f64> = weights
        .iter()
        .map(|&w| total as f64 * f64::from(w) / weight_sum)
        .collect();
    let stray_visitors = observed.iter().zip(weights).any(|(&o, &w)| w == 0 && o > 0);
    let chi_square = if stray_visitors {
        f64::INFINITY
    } else {
        observed
            .iter()
            .zip(&expected)
            .filter(|&(_, &e)| e > 0.0)
            .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
            .sum()
    };
    let degrees_of_freedom = (positive - 1) as u32;
    let p_value = if stray_visitors {
        0.0
    } else {
        chi_square_sf(chi_square, f64::from(degrees_of_freedom))
    };
    Ok(SrmCheck {
        expected,
        chi_square,
        degrees_of_freedom,
        p_value,
        srm_alert: p_value < SRM_ALERT_P,
    })
}

#[cfg(test)]
mod tests {
    use super::{StatsError, sample_ratio_mismatch};

    #[test]
    fn flags_a_52_48_split_of_10000_visitors() {
        let check = sample_ratio_mismatch(&[5_200, 4_800], &[1, 1]).expect("check");
        assert!((check.chi_square - 16.0).abs() < 1e-12);
        assert!(check.srm_alert, "{check:?}");
    }

    #[test]
    fn passes_an_exact_50_50_split() {
        let check = sample_ratio_mismatch(&[5_000, 5_000], &[1, 1]).expect("check");
        assert_eq!(check.chi_square, 0.0);
        assert!((check.p_value - 1.0).abs() < 1e-15);
        assert!(!check.srm_alert);
    }

    #[test]
    fn passes_a_split_that_matches_unequal_weights() {
        let check = sample_ratio_mismatch(&[2_500, 7_500], &[1, 3]).expect("check");
        assert!(!check.srm_alert && check.chi_square.abs() < 1e-12);
    }

    #[test]
    fn visitors_in_a_zero_weight_variant_are_a_mismatch() {
        let check = sample_ratio_mismatch(&[500, 500, 3], &[1, 1, 0]).expect("check");
        assert!(check.srm_alert && check.p_value == 0.0);
        let clean = sample_ratio_mismatch(&[500, 500, 0], &[1, 1, 0]).expect("check");
        assert_eq!(clean.degrees_of_freedom, 1);
        assert!(!clean.srm_alert);
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(matches!(
            sample_ratio_mismatch(&[1, 2], &[1, 1, 1]),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert_eq!(
            sample_ratio_mismatch(&[10, 0], &[1, 0]),
            Err(StatsError::TooFewVariants)
        );
        assert_eq!(
            sample_ratio_mismatch(&[0, 0], &[1, 1]),
            Err(StatsError::NoVisitors)
        );
    }
}
