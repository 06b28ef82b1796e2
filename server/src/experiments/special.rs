//! The distribution functions the experiment statistics need, written out here rather than
//! pulled from a crate (`statrs` is not in the dependency tree, and these few are small):
//! log-gamma, the regularized incomplete gamma functions, the normal CDF and survival
//! function, and the chi-square survival function.
//!
//! Everything reduces to the incomplete gamma function, computed as in Numerical Recipes
//! (Press et al., 3rd ed., §6.2): its power series below `x < a + 1`, its continued fraction
//! (modified Lentz) above, each returning the side it is accurate for, so that tail
//! probabilities keep full *relative* precision (the normal tail at z = -35 is ~1e-268).
//! The normal functions use `erfc(x) = Q(1/2, x²)`. Checked against scipy in
//! `fixture_tests.rs` to 1e-9 relative.

/// Relative precision at which the series and continued fraction stop.
const EPS: f64 = 1e-16;
/// Keeps the continued fraction's divisions away from zero (Numerical Recipes' `FPMIN`).
const FPMIN: f64 = f64::MIN_POSITIVE / EPS;
/// More than enough: the series needs ~√a terms past `a`, the fraction fewer.
const MAX_ITERATIONS: usize = 10_000;

/// Lanczos coefficients for g = 7, n = 9 (Paul Godfrey's widely used set): relative error
/// below 1e-15 for `a >= 0.5`.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(a)` for `a > 0` (Lanczos approximation; `NaN` otherwise).
pub fn ln_gamma(a: f64) -> f64 {
    if a.is_nan() || a <= 0.0 {
        return f64::NAN;
    }
    if a < 0.5 {
        // Γ(a) = Γ(a + 1) / a keeps the approximation in its accurate range.
        return ln_gamma(a + 1.0) - a.ln();
    }
    let x = a - 1.0;
    let mut sum = LANCZOS[0];
    for (i, &c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized lower incomplete gamma function `P(a, x)` for `a > 0`, `x >= 0`.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    match incomplete_gamma(a, x) {
        Some(Side::Lower(p)) => p,
        Some(Side::Upper(q)) => 1.0 - q,
        None => f64::NAN,
    }
}

/// The regularized upper incomplete gamma function `Q(a, x) = 1 - P(a, x)`, accurate in
/// relative terms when it is tiny.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    match incomplete_gamma(a, x) {
        Some(Side::Lower(p)) => 1.0 - p,
        Some(Side::Upper(q)) => q,
        None => f64::NAN,
    }
}

/// `P(Z <= z)` for a standard normal `Z`.
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let half_square = 0.5 * z * z;
    if z < 0.0 {
        0.5 * gamma_q(0.5, half_square)
    } else {
        0.5 + 0.5 * gamma_p(0.5, half_square)
    }
}

/// `P(Z > z)`, accurate far into the upper tail.
pub fn normal_sf(z: f64) -> f64 {
    normal_cdf(-z)
}

/// The two-sided p-value of a z statistic, `P(|Z| >= |z|) = erfc(|z| / √2)`.
pub fn two_sided_p(z: f64) -> f64 {
    gamma_q(0.5, 0.5 * z * z)
}

/// `P(X > x)` for `X` chi-square with `df` degrees of freedom.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(0.5 * df, 0.5 * x)
}

/// Which of `P` and `Q` was computed directly.
enum Side {
    Lower(f64),
    Upper(f64),
}

fn incomplete_gamma(a: f64, x: f64) -> Option<Side> {
    if a.is_nan() || x.is_nan() || a <= 0.0 || x < 0.0 {
        return None;
    }
    if x == 0.0 {
        return Some(Side::Lower(0.0));
    }
    if x.is_infinite() {
        return Some(Side::Upper(0.0));
    }
    // The common factor e^-x x^a / Γ(a), in logs so that it underflows only when the result
    // itself is below the smallest f64.
    let ln_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        Some(Side::Lower(series(a, x) * ln_prefactor.exp()))
    } else {
        Some(Side::Upper(continued_fraction(a, x) * ln_prefactor.exp()))
    }
}

/// `Σ x^n / (a (a+1) ... (a+n))`, so that `P = e^-x x^a / Γ(a) · series`.
fn series(a: f64, x: f64) -> f64 {
    let mut denominator = a;
    let mut term = 1.0 / a;
    let mut sum = term;
    for _ in 0..MAX_ITERATIONS {
        denominator += 1.0;
        term *= x / denominator;
        sum += term;
        if term.abs() < sum.abs() * EPS {
            break;
        }
    }
    sum
}

/// Legendre's continued fraction for `Q · Γ(a) e^x x^-a`, by the modified Lentz method.
fn continued_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / FPMIN;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITERATIONS {
        let i = i as f64;
        let an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = b + an / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::{chi_square_sf, gamma_p, gamma_q, ln_gamma, normal_cdf, two_sided_p};

    #[test]
    fn ln_gamma_matches_factorials_and_root_pi() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24_f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(0.25) - 3.625_609_908_221_908_f64.ln()).abs() < 1e-13);
    }

    #[test]
    fn p_and_q_add_to_one() {
        for &(a, x) in &[(0.5, 0.1), (3.0, 2.0), (3.0, 9.0), (40.0, 38.0)] {
            assert!(
                (gamma_p(a, x) + gamma_q(a, x) - 1.0).abs() < 1e-14,
                "a={a} x={x}"
            );
        }
    }

    #[test]
    fn edges_are_defined() {
        assert_eq!(normal_cdf(0.0), 0.5);
        assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(two_sided_p(0.0), 1.0);
        assert_eq!(chi_square_sf(0.0, 3.0), 1.0);
        assert!(gamma_p(-1.0, 1.0).is_nan() && normal_cdf(f64::NAN).is_nan());
    }

    #[test]
    fn normal_is_symmetric() {
        for &z in &[0.1, 1.0, 2.5, 7.0] {
            assert!(
                (normal_cdf(z) + normal_cdf(-z) - 1.0).abs() < 1e-15,
                "z={z}"
            );
        }
    }
}
