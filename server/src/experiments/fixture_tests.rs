//! The statistics against reference values computed once with scipy and statsmodels
//! (`fixtures.py` writes `fixtures.json`; see its docstring to regenerate).
//!
//! Tolerance: relative 1e-9, or absolute 1e-12 for values near zero, far inside the issue's
//! 1e-6; relative, so that tail probabilities such as Φ(-35) ≈ 1e-268 are really checked.

use serde::Deserialize;

use super::counts::{Counts, Interval};
use super::sequential::{MsprtParams, sequential_test};
use super::special::{chi_square_sf, gamma_p, gamma_q, ln_gamma, normal_cdf, normal_sf};
use super::srm::sample_ratio_mismatch;
use super::ztest::two_proportion_z_test;

const RELATIVE: f64 = 1e-9;
const ABSOLUTE: f64 = 1e-12;

#[derive(Deserialize)]
struct Fixtures {
    normal: Vec<Normal>,
    gamma: Vec<Gamma>,
    ln_gamma: Vec<LnGamma>,
    chi2: Vec<Chi2>,
    z_tests: Vec<ZTestCase>,
    srm: Vec<SrmCase>,
    msprt: Vec<MsprtCase>,
    horizons: Vec<Horizon>,
}

#[derive(Deserialize)]
struct Normal {
    z: f64,
    cdf: f64,
    sf: f64,
}

#[derive(Deserialize)]
struct Gamma {
    a: f64,
    x: f64,
    p: f64,
    q: f64,
}

#[derive(Deserialize)]
struct LnGamma {
    a: f64,
    ln_gamma: f64,
}

#[derive(Deserialize)]
struct Chi2 {
    x: f64,
    df: f64,
    sf: f64,
}

#[derive(Deserialize)]
struct ZTestCase {
    control: (u64, u64),
    treatment: (u64, u64),
    z: f64,
    p_value: f64,
    difference: f64,
    difference_ci: (f64, f64),
    lift: f64,
    lift_ci: (f64, f64),
}

#[derive(Deserialize)]
struct SrmCase {
    observed: Vec<u64>,
    weights: Vec<u32>,
    chi_square: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct MsprtCase {
    control: (u64, u64),
    treatment: (u64, u64),
    alpha: f64,
    tau2_difference: f64,
    tau2_log_ratio: f64,
    p_value: f64,
    difference_cs: (f64, f64),
    lift_cs: (f64, f64),
}

#[derive(Deserialize)]
struct Horizon {
    alpha: f64,
    baseline_rate: f64,
    visitors_per_arm: u64,
    tau2_difference: f64,
    tau2_log_ratio: f64,
}

fn fixtures() -> Fixtures {
    serde_json::from_str(include_str!("fixtures.json")).expect("fixtures.json parses")
}

fn counts((visitors, conversions): (u64, u64)) -> Counts {
    Counts::new(visitors, conversions).expect("fixture counts are valid")
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, what: &str) {
    let error = (actual - expected).abs();
    assert!(
        error <= ABSOLUTE || error <= RELATIVE * expected.abs(),
        "{what}: got {actual:e}, scipy/statsmodels say {expected:e} (error {error:e})"
    );
}

#[track_caller]
fn assert_interval(actual: Interval, (low, high): (f64, f64), what: &str) {
    assert_close(actual.low, low, &format!("{what} low"));
    assert_close(actual.high, high, &format!("{what} high"));
}

#[test]
fn normal_cdf_and_sf_match_scipy_deep_in_the_tails() {
    for case in fixtures().normal {
        assert_close(normal_cdf(case.z), case.cdf, &format!("cdf({})", case.z));
        assert_close(normal_sf(case.z), case.sf, &format!("sf({})", case.z));
    }
}

#[test]
fn incomplete_gamma_matches_scipy() {
    for case in fixtures().gamma {
        let what = format!("a={} x={}", case.a, case.x);
        assert_close(gamma_p(case.a, case.x), case.p, &format!("P {what}"));
        assert_close(gamma_q(case.a, case.x), case.q, &format!("Q {what}"));
    }
}

#[test]
fn ln_gamma_matches_scipy() {
    for case in fixtures().ln_gamma {
        assert_close(ln_gamma(case.a), case.ln_gamma, &format!("lnΓ({})", case.a));
    }
}

#[test]
fn chi_square_sf_matches_scipy() {
    for case in fixtures().chi2 {
        let what = format!("chi2.sf({}, {})", case.x, case.df);
        assert_close(chi_square_sf(case.x, case.df), case.sf, &what);
    }
}

#[test]
fn z_test_matches_statsmodels() {
    for case in fixtures().z_tests {
        let what = format!("{:?} vs {:?}", case.control, case.treatment);
        let test = two_proportion_z_test(counts(case.control), counts(case.treatment))
            .expect("fixture arms have visitors");
        assert_close(test.z, case.z, &format!("{what} z"));
        assert_close(test.p_value, case.p_value, &format!("{what} p"));
        assert_close(test.difference, case.difference, &format!("{what} diff"));
        assert_interval(
            test.difference_ci,
            case.difference_ci,
            &format!("{what} diff CI"),
        );
        assert_close(test.lift.expect("control converted"), case.lift, &what);
        let lift_ci = test.lift_ci.expect("both arms converted");
        assert_interval(lift_ci, case.lift_ci, &format!("{what} lift CI"));
    }
}

#[test]
fn srm_matches_scipy_chisquare() {
    for case in fixtures().srm {
        let what = format!("{:?} for {:?}", case.observed, case.weights);
        let check = sample_ratio_mismatch(&case.observed, &case.weights).expect("valid case");
        assert_close(check.chi_square, case.chi_square, &format!("{what} chi2"));
        assert_close(check.p_value, case.p_value, &format!("{what} p"));
    }
}

#[test]
fn msprt_matches_the_transcribed_reference() {
    for case in fixtures().msprt {
        let what = format!("{:?} vs {:?}", case.control, case.treatment);
        let params = MsprtParams::new(case.alpha, case.tau2_difference, case.tau2_log_ratio)
            .expect("fixture parameters are valid");
        let test = sequential_test(counts(case.control), counts(case.treatment), &params)
            .expect("fixture arms have visitors");
        assert_close(test.p_value, case.p_value, &format!("{what} p"));
        assert_interval(
            test.difference_cs,
            case.difference_cs,
            &format!("{what} diff CS"),
        );
        let lift_cs = test.lift_cs.expect("both arms converted");
        assert_interval(lift_cs, case.lift_cs, &format!("{what} lift CS"));
    }
}

#[test]
fn horizon_tuned_mixing_variance_matches_scipy() {
    for case in fixtures().horizons {
        let what = format!("alpha={} p={}", case.alpha, case.baseline_rate);
        let params =
            MsprtParams::for_horizon(case.alpha, case.baseline_rate, case.visitors_per_arm)
                .expect("valid horizon");
        assert_close(params.tau2_difference(), case.tau2_difference, &what);
        assert_close(params.tau2_log_ratio(), case.tau2_log_ratio, &what);
    }
}
