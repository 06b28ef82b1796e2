//! The fixed-horizon two-proportion z-test: the textbook comparison shown next to the
//! sequential one on the results page.
//!
//! It is valid only when read once, at a sample size fixed in advance; looked at every day
//! and stopped at the first "significant" day, its false-positive rate climbs far above 5%
//! (the A/A simulation in `aa_simulation.rs` measures this). Owns nothing else: no decision
//! rule, no multiple-comparison correction across several treatment arms.

use serde::Serialize;

use super::counts::{Counts, Interval, StatsError};
use super::special::two_sided_p;

/// `Φ⁻¹(0.975)`: the 95% two-sided normal quantile.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// A two-proportion z-test of a treatment arm against the control arm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZTest {
    pub control_rate: f64,
    pub treatment_rate: f64,
    /// `treatment_rate - control_rate`.
    pub difference: f64,
    /// `treatment_rate / control_rate - 1`; `None` while the control has no conversion.
    pub lift: Option<f64>,
    /// The difference over its standard error under the null (pooled rate).
    pub z: f64,
    /// Two-sided, `P(|Z| >= |z|)`.
    pub p_value: f64,
    /// 95% Wald interval of the difference (unpooled variance).
    pub difference_ci: Interval,
    /// 95% interval of the relative lift: the delta method on `ln(p_t / p_c)`, whose variance
    /// is `(1 - p_c) / (n_c p_c) + (1 - p_t) / (n_t p_t)`, mapped back by `exp(·) - 1` (so it
    /// never goes below -100%). `None` while an arm has no conversion.
    pub lift_ci: Option<Interval>,
}

/// Compares `treatment` with `control`:
///
/// - `z = (p_t - p_c) / √(p̄ (1 - p̄) (1/n_c + 1/n_t))` with the pooled rate `p̄`, and the
///   two-sided p-value `erfc(|z| / √2)` (statsmodels `proportions_ztest`);
/// - the difference's 95% Wald interval `d ± 1.96 √(p_c(1-p_c)/n_c + p_t(1-p_t)/n_t)`
///   (statsmodels `confint_proportions_2indep(method="wald")`);
/// - the relative lift's 95% interval from the delta method on the log ratio (statsmodels
///   `confint_proportions_2indep(compare="ratio", method="log")`, minus one).
///
/// When neither arm has converted (or both converted fully) the pooled variance is zero:
/// there is no evidence either way, so `z = 0` and `p = 1`.
///
/// # Errors
/// [`StatsError::NoVisitors`] when an arm has no visitors.
pub fn two_proportion_z_test(control: Counts, treatment: Counts) -> Result<ZTest, StatsError> {
    let (p_c, p_t) = (control.rate_or_err()?, treatment.rate_or_err()?);
    let (n_c, n_t) = (control.visitors() as f64, treatment.visitors() as f64);
    let difference = p_t - p_c;

    let pooled = (control.conversions() + treatment.conversions()) as f64 / (n_c + n_t);
    let null_se = (pooled * (1.0 - pooled) * (1.0 / n_c + 1.0 / n_t)).sqrt();
    let z = if null_se > 0.0 {
        difference / null_se
    } else {
        0.0
    };

    let se = (p_c * (1.0 - p_c) / n_c + p_t * (1.0 - p_t) / n_t).sqrt();
    Ok(ZTest {
        control_rate: p_c,
        treatment_rate: p_t,
        difference,
        lift: relative_lift(p_c, p_t),
        z,
        p_value: two_sided_p(z),
        difference_ci: Interval::around(difference, Z_975 * se),
        lift_ci: log_ratio_variance(control, treatment).map(|(log_ratio, variance)| {
            Interval::around(log_ratio, Z_975 * variance.sqrt()).map(|x| x.exp() - 1.0)
        }),
    })
}

/// `p_t / p_c - 1`, or `None` when the control rate is zero.
pub(crate) fn relative_lift(p_c: f64, p_t: f64) -> Option<f64> {
    (p_c > 0.0).then(|| p_t / p_c - 1.0)
}

/// `ln(p_t / p_c)` and its delta-method variance `1/x_c - 1/n_c + 1/x_t - 1/n_t`, or `None`
/// while an arm has no visitor or no conversion (the log ratio is then undefined).
pub(crate) fn log_ratio_variance(control: Counts, treatment: Counts) -> Option<(f64, f64)> {
    let arm = |c: Counts| {
        (c.conversions() > 0).then(|| {
            let (x, n) = (c.conversions() as f64, c.visitors() as f64);
            ((x / n).ln(), 1.0 / x - 1.0 / n)
        })
    };
    let (ln_c, var_c) = arm(control)?;
    let (ln_t, var_t) = arm(treatment)?;
    Some((ln_t - ln_c, var_c + var_t))
}

#[cfg(test)]
mod tests {
    use super::{Counts, StatsError, two_proportion_z_test};

    fn counts(visitors: u64, conversions: u64) -> Counts {
        Counts::new(visitors, conversions).expect("valid counts")
    }

    #[test]
    fn identical_arms_give_no_evidence() {
        let test = two_proportion_z_test(counts(1000, 50), counts(1000, 50)).expect("test");
        assert_eq!(test.z, 0.0);
        assert!((test.p_value - 1.0).abs() < 1e-15);
        assert_eq!(test.lift, Some(0.0));
        assert!(test.difference_ci.contains(0.0));
    }

    #[test]
    fn no_conversions_anywhere_is_p_one_without_a_lift() {
        let test = two_proportion_z_test(counts(100, 0), counts(120, 0)).expect("test");
        assert_eq!((test.z, test.p_value), (0.0, 1.0));
        assert_eq!((test.lift, test.lift_ci), (None, None));
    }

    #[test]
    fn an_empty_arm_is_an_error() {
        assert_eq!(
            two_proportion_z_test(counts(0, 0), counts(10, 1)),
            Err(StatsError::NoVisitors)
        );
    }

    #[test]
    fn lift_interval_never_goes_below_minus_one() {
        let test = two_proportion_z_test(counts(50, 10), counts(50, 1)).expect("test");
        let ci = test.lift_ci.expect("both arms converted");
        assert!(ci.low > -1.0 && ci.low < ci.high);
    }
}
