//! The always-valid comparison of two conversion rates: the mixture sequential probability
//! ratio test (mSPRT) with a normal mixing distribution, from Johari, Koomen, Pekelis and
//! Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests", Operations Research
//! 70(3):1806–1821, 2022 (arXiv:1512.04922, 2015/2017), the method behind Optimizely's Stats
//! Engine.
//!
//! For an estimate `θ̂` that is approximately `N(θ, V)` (here the difference of the two rates,
//! or the log of their ratio, with plug-in variances), the mixture likelihood ratio of
//! `H0: θ = θ0` against `θ ~ N(θ0, τ²)` is
//!
//! ```text
//! Λ(θ0) = √(V / (V + τ²)) · exp(τ² (θ̂ - θ0)² / (2 V (V + τ²)))
//! ```
//!
//! a nonnegative martingale under `H0`, so by Ville's inequality `P(sup_n Λ_n ≥ 1/α) ≤ α`.
//! Hence `p_n = min(1, 1/Λ_n(0))` is a p-value that stays valid at any (data-dependent)
//! stopping time, and `{θ0 : Λ_n(θ0) < 1/α}`, which is
//! `θ̂ ± √(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V)))`, is a confidence sequence:
//! it covers the true `θ` on every day at once with probability `1 - α`. A marketer may look
//! every day and stop whenever they like.
//!
//! The normal approximation with plug-in variances makes the guarantee asymptotic for
//! conversions (as in the paper's treatment of binary data); `aa_simulation.rs` checks the
//! false-positive rate at realistic store traffic. Owns only the arithmetic: storing daily
//! counts and drawing the chart live elsewhere.

use serde::Serialize;

use super::counts::{Counts, Interval, StatsError, check_open_unit};
use super::ztest::{log_ratio_variance, relative_lift};

/// The mSPRT's significance level and mixing variances (one on each scale it reports).
///
/// The mixing variance `τ²` says which effect sizes the test is tuned to find: the paper
/// shows the choice matters only through how fast the test detects effects, never its
/// validity, and recommends matching it to the effects one expects. The default follows that
/// advice through a planned horizon: the confidence sequence is narrowest at the sample size
/// where the estimate's variance is `V*` when `τ² = r* V*`, with `r*` minimising
/// `(1 + 1/r)(2 ln(1/α) + ln(1 + r))`, i.e. solving `r = 2 ln(1/α) + ln(1 + r)`
/// (`r* ≈ 8.21` at `α = 0.05`). See [`MsprtParams::for_horizon`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MsprtParams {
    alpha: f64,
    tau2_difference: f64,
    tau2_log_ratio: f64,
}

impl MsprtParams {
    /// Explicit parameters: `alpha` in (0, 1), the mixing variance of the rate difference and
    /// of the log rate ratio, both positive and finite.
    ///
    /// # Errors
    /// [`StatsError::InvalidParameter`] naming the parameter out of range.
    pub fn new(alpha: f64, tau2_difference: f64, tau2_log_ratio: f64) -> Result<Self, StatsError> {
        Ok(MsprtParams {
            alpha: check_open_unit("alpha", alpha)?,
            tau2_difference: check_positive("tau2_difference", tau2_difference)?,
            tau2_log_ratio: check_positive("tau2_log_ratio", tau2_log_ratio)?,
        })
    }

    /// Mixing variances tuned so the intervals are narrowest when each arm has
    /// `visitors_per_arm` visitors at conversion rate `baseline_rate`: `τ² = r* V*` with
    /// `V* = 2 p (1 - p) / n` for the difference and `V* = 2 (1 - p) / (p n)` for the log
    /// ratio. The horizon is a tuning knob, not a stopping rule: the test stays valid before
    /// and after it.
    ///
    /// # Errors
    /// [`StatsError::InvalidParameter`] for `alpha` or `baseline_rate` outside (0, 1) or no
    /// visitors.
    pub fn for_horizon(
        alpha: f64,
        baseline_rate: f64,
        visitors_per_arm: u64,
    ) -> Result<Self, StatsError> {
        let alpha = check_open_unit("alpha", alpha)?;
        let p = check_open_unit("baseline_rate", baseline_rate)?;
        if visitors_per_arm == 0 {
            return Err(StatsError::InvalidParameter {
                name: "visitors_per_arm",
                value: 0.0,
                expected: "at least one visitor",
            });
        }
        let n = visitors_per_arm as f64;
        let r = optimal_variance_ratio(alpha);
        MsprtParams::new(
            alpha,
            r * 2.0 * p * (1.0 - p) / n,
            r * 2.0 * (1.0 - p) / (p * n),
        )
    }

    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    pub fn tau2_difference(&self) -> f64 {
        self.tau2_difference
    }

    pub fn tau2_log_ratio(&self) -> f64 {
        self.tau2_log_ratio
    }
}

impl Default for MsprtParams {
    /// `α = 0.05`, tuned for a 5% baseline conversion rate and 10,000 visitors per arm (a
    /// few weeks of a small store's traffic): `τ ≈ 0.0088` on the difference (about a fifth
    /// of the baseline) and `τ ≈ 0.18` on the log ratio, the size of lifts that page-variant
    /// tests can hope to detect.
    fn default() -> Self {
        let (alpha, p, n) = (0.05, 0.05, 10_000.0);
        let r = optimal_variance_ratio(alpha);
        MsprtParams {
            alpha,
            tau2_difference: r * 2.0 * p * (1.0 - p) / n,
            tau2_log_ratio: r * 2.0 * (1.0 - p) / (p * n),
        }
    }
}

/// The mSPRT of a treatment arm against the control on one day's cumulative counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SequentialTest {
    /// `treatment_rate - control_rate`.
    pub difference: f64,
    /// Always-valid p-value of "no difference", `min(1, 1/Λ)`.
    pub p_value: f64,
    /// The confidence sequence of the difference, at level `1 - α`.
    pub difference_cs: Interval,
    /// `treatment_rate / control_rate - 1`; `None` while the control has no conversion.
    pub lift: Option<f64>,
    /// The confidence sequence of the relative lift (from the log ratio, mapped by
    /// `exp(·) - 1`); `None` while an arm has no conversion. It is a second, equally valid
    /// mSPRT on the log-ratio scale, so at the margin it can disagree with `p_value` (which
    /// belongs to the difference) about whether "no change" is excluded.
    pub lift_cs: Option<Interval>,
}

/// Runs the mSPRT on cumulative counts. Without variance (no conversion in either arm, or
/// every visitor converted in both) there is no evidence: `p = 1` and the difference's
/// sequence is every possible difference, `[-1, 1]`.
///
/// # Errors
/// [`StatsError::NoVisitors`] when an arm has no visitors.
pub fn sequential_test(
    control: Counts,
    treatment: Counts,
    params: &MsprtParams,
) -> Result<SequentialTest, StatsError> {
    let (p_c, p_t) = (control.rate_or_err()?, treatment.rate_or_err()?);
    let (n_c, n_t) = (control.visitors() as f64, treatment.visitors() as f64);
    let difference = p_t - p_c;
    let variance = p_c * (1.0 - p_c) / n_c + p_t * (1.0 - p_t) / n_t;
    let (p_value, difference_cs) = if variance > 0.0 {
        let tau2 = params.tau2_difference;
        (
            mixture_p_value(difference, variance, tau2),
            Interval::around(difference, half_width(variance, tau2, params.alpha)),
        )
    } else {
        (
            1.0,
            Interval {
                low: -1.0,
                high: 1.0,
            },
        )
    };
    let lift_cs = log_ratio_variance(control, treatment)
        .filter(|&(_, variance)| variance > 0.0)
        .map(|(log_ratio, variance)| {
            let half = half_width(variance, params.tau2_log_ratio, params.alpha);
            Interval::around(log_ratio, half).map(|x| x.exp() - 1.0)
        });
    Ok(SequentialTest {
        difference,
        p_value,
        difference_cs,
        lift: relative_lift(p_c, p_t),
        lift_cs,
    })
}

/// `min(1, 1/Λ(0))`, computed from `ln Λ` so that overwhelming evidence gives 0, not NaN.
fn mixture_p_value(estimate: f64, variance: f64, tau2: f64) -> f64 {
    let ln_lambda = 0.5 * (variance / (variance + tau2)).ln()
        + tau2 * estimate * estimate / (2.0 * variance * (variance + tau2));
    (-ln_lambda).exp().min(1.0)
}

/// The confidence sequence's half-width, `√(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²)/V)))`.
fn half_width(variance: f64, tau2: f64, alpha: f64) -> f64 {
    let log_term = 2.0 * (1.0 / alpha).ln() + ((variance + tau2) / variance).ln();
    (variance * (variance + tau2) / tau2 * log_term).sqrt()
}

/// `r*` solving `r = 2 ln(1/α) + ln(1 + r)`: a contraction (slope `1/(1 + r) < 1/7` for
/// `α < 0.5`), so a fixed-point iteration converges in a handful of steps.
fn optimal_variance_ratio(alpha: f64) -> f64 {
    let two_ln = 2.0 * (1.0 / alpha).ln();
    let mut r = two_ln + 1.0;
    for _ in 0..200 {
        let next = two_ln + r.ln_1p();
        if (next - r).abs() <= 1e-15 * next {
            return next;
        }
        r = next;
    }
    r
}

fn check_positive(name: &'static str, value: f64) -> Result<f64, StatsError> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(StatsError::InvalidParameter {
            name,
            value,
            expected: "positive and finite",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Counts, MsprtParams, StatsError, sequential_test};

    fn counts(visitors: u64, conversions: u64) -> Counts {
        Counts::new(visitors, conversions).expect("valid counts")
    }

    #[test]
    fn default_matches_the_documented_horizon() {
        let tuned = MsprtParams::for_horizon(0.05, 0.05, 10_000).expect("valid");
        let default = MsprtParams::default();
        assert!((tuned.tau2_difference() - default.tau2_difference()).abs() < 1e-18);
        assert!((tuned.tau2_log_ratio() - default.tau2_log_ratio()).abs() < 1e-15);
        assert!((default.tau2_difference().sqrt() - 0.0088).abs() < 1e-4);
        assert!((default.tau2_log_ratio().sqrt() - 0.18).abs() < 5e-3);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(matches!(
            MsprtParams::new(1.0, 1e-4, 0.01),
            Err(StatsError::InvalidParameter { name: "alpha", .. })
        ));
        assert!(MsprtParams::new(0.05, 0.0, 0.01).is_err());
        assert!(MsprtParams::new(0.05, 1e-4, f64::NAN).is_err());
        assert!(MsprtParams::for_horizon(0.05, 0.0, 100).is_err());
        assert!(MsprtParams::for_horizon(0.05, 0.05, 0).is_err());
    }

    #[test]
    fn p_value_and_sequence_agree_about_zero() {
        // 0 is outside the sequence exactly when the always-valid p-value is below alpha.
        let params = MsprtParams::default();
        for &(x_c, x_t) in &[(500, 500), (500, 560), (500, 600), (500, 640), (500, 420)] {
            let test =
                sequential_test(counts(10_000, x_c), counts(10_000, x_t), &params).expect("test");
            assert_eq!(
                test.p_value <= params.alpha(),
                !test.difference_cs.contains(0.0),
                "{x_c} vs {x_t}: {test:?}"
            );
        }
    }

    #[test]
    fn sequence_is_wider_than_the_fixed_horizon_interval() {
        // The price of peeking: at the same data the always-valid interval is wider.
        let (c, t) = (counts(10_000, 500), counts(10_000, 560));
        let seq = sequential_test(c, t, &MsprtParams::default()).expect("test");
        let fixed = super::super::ztest::two_proportion_z_test(c, t).expect("test");
        let width = |i: super::Interval| i.high - i.low;
        assert!(width(seq.difference_cs) > width(fixed.difference_ci));
    }

    #[test]
    fn overwhelming_evidence_gives_p_zero_not_nan() {
        let test = sequential_test(
            counts(1_000_000, 10_000),
            counts(1_000_000, 30_000),
            &MsprtParams::default(),
        )
        .expect("test");
        assert_eq!(test.p_value, 0.0);
    }

    #[test]
    fn without_conversions_there_is_no_evidence() {
        let test =
            sequential_test(counts(40, 0), counts(50, 0), &MsprtParams::default()).expect("test");
        assert_eq!(test.p_value, 1.0);
        assert_eq!(
            (test.difference_cs.low, test.difference_cs.high),
            (-1.0, 1.0)
        );
        assert_eq!((test.lift, test.lift_cs), (None, None));
    }
}
