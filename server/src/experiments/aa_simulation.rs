//! A/A simulation: why the results page leads with the sequential test.
//!
//! 1,000 experiments whose two arms are identical (true conversion rate 5%), each looked at
//! daily for 30 days with 500 new visitors per arm per day (a small store: 1,000 visitors a
//! day in the experiment). Any "significant" day is a false positive. The mSPRT, stopped at
//! its first rejection, must keep that rate at or below α = 5%; the fixed-horizon z-test
//! peeked at daily and stopped at its first p < 0.05 does not, which is the whole reason the
//! sequential method exists. Seeded, so the rates are the same on every run.
//!
//! Run with the rates printed:
//! `cargo test --release -p vitrine-server --lib experiments::aa_simulation -- --nocapture`

use super::chart::{DailyCounts, cumulative_lift};
use super::counts::Counts;
use super::sequential::MsprtParams;
use super::ztest::two_proportion_z_test;

const EXPERIMENTS: usize = 1_000;
const DAYS: usize = 30;
const VISITORS_PER_DAY_PER_ARM: u64 = 500;
const TRUE_RATE: f64 = 0.05;
const ALPHA: f64 = 0.05;
const SEED: u64 = 0x5EED_A1A1;

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, well-mixed generator; enough for a
/// simulation and no `rand` dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) with 53 random bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }

    /// A Binomial(n, p) draw by inverting its CDF: one uniform per draw, exact up to f64
    /// rounding, and quick because the walk stops near the mean (≈ 25 steps here).
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let u = self.next_f64();
        let odds = p / (1.0 - p);
        let mut pmf = (1.0 - p).powf(n as f64);
        let mut cdf = pmf;
        let mut k = 0;
        while u > cdf && k < n {
            pmf *= (n - k) as f64 / (k + 1) as f64 * odds;
            k += 1;
            cdf += pmf;
        }
        k
    }
}

/// One A/A experiment's daily counts.
fn simulate_days(rng: &mut SplitMix64) -> Vec<DailyCounts> {
    let arm = |rng: &mut SplitMix64| {
        let conversions = rng.binomial(VISITORS_PER_DAY_PER_ARM, TRUE_RATE);
        Counts::new(VISITORS_PER_DAY_PER_ARM, conversions).expect("binomial draw <= n")
    };
    (0..DAYS)
        .map(|_| DailyCounts {
            control: arm(rng),
            treatment: arm(rng),
        })
        .collect()
}

/// Did the z-test, read at the end of every day, ever say p < α?
fn naive_peeking_rejects(days: &[DailyCounts]) -> bool {
    let (mut control, mut treatment) = (Counts::default(), Counts::default());
    days.iter().any(|day| {
        control = control.plus(day.control);
        treatment = treatment.plus(day.treatment);
        two_proportion_z_test(control, treatment).is_ok_and(|test| test.p_value < ALPHA)
    })
}

/// Did the z-test reject when read once, on the last day, as it is meant to be used?
fn fixed_horizon_rejects(days: &[DailyCounts]) -> bool {
    let total = |pick: fn(&DailyCounts) -> Counts| {
        days.iter().map(pick).fold(Counts::default(), Counts::plus)
    };
    two_proportion_z_test(total(|d| d.control), total(|d| d.treatment))
        .is_ok_and(|test| test.p_value < ALPHA)
}

#[test]
fn sequential_test_keeps_false_positives_at_alpha_where_daily_peeking_does_not() {
    let params = MsprtParams::default();
    assert_eq!(params.alpha(), ALPHA);
    let mut rng = SplitMix64(SEED);
    let (mut sequential, mut naive, mut fixed) = (0_u32, 0_u32, 0_u32);
    for _ in 0..EXPERIMENTS {
        let days = simulate_days(&mut rng);
        let points = cumulative_lift(&days, &params);
        let ever_significant = points.iter().any(|p| p.running_p_value <= ALPHA);
        sequential += u32::from(ever_significant);
        naive += u32::from(naive_peeking_rejects(&days));
        fixed += u32::from(fixed_horizon_rejects(&days));
    }
    let rate = |count: u32| f64::from(count) / EXPERIMENTS as f64;
    let (sequential, naive, fixed) = (rate(sequential), rate(naive), rate(fixed));
    eprintln!(
        "A/A over {EXPERIMENTS} experiments x {DAYS} daily looks: \
         mSPRT false-positive rate {sequential:.3}, z-test peeked daily {naive:.3}, \
         z-test read once at day {DAYS} {fixed:.3}"
    );
    assert!(
        sequential <= ALPHA,
        "mSPRT false-positive rate {sequential}"
    );
    assert!(
        naive > ALPHA,
        "daily-peeked z-test false-positive rate {naive}"
    );
    // Sanity of the simulation itself: read once, the z-test is calibrated (about 5%; the
    // binomial standard error over 1,000 experiments is 0.7 points).
    assert!((fixed - ALPHA).abs() < 0.025, "fixed-horizon rate {fixed}");
}

#[test]
fn binomial_draws_have_the_right_mean_and_variance() {
    let mut rng = SplitMix64(7);
    let draws: Vec<f64> = (0..20_000)
        .map(|_| rng.binomial(500, 0.05) as f64)
        .collect();
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let variance = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
    // n p = 25 and n p (1 - p) = 23.75; tolerances are several standard errors wide.
    assert!((mean - 25.0).abs() < 0.15, "mean {mean}");
    assert!((variance - 23.75).abs() < 1.0, "variance {variance}");
}
