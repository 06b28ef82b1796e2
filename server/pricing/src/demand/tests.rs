use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Poisson;

/// Monday 2024-01-01 as days since the epoch.
const MONDAY: i64 = 19_723;

/// `days` of Poisson sales with constant elasticity `elasticity`, `units_at_1000` a day at a
/// price of 10.00, a weekend lift and prices drawn uniformly in 8.00..=12.50.
fn simulated(elasticity: f64, units_at_1000: f64, days: i64, seed: u64) -> Vec<DailySales> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weekday_lift = [1.0, 0.9, 0.95, 1.0, 1.1, 1.4, 1.3];
    (0..days)
        .map(|d| {
            let day = MONDAY + d;
            let price_minor: i64 = rng.gen_range(800..=1250);
            let mean = units_at_1000
                * (price_minor as f64 / 1000.0).powf(elasticity)
                * weekday_lift[weekday(day)];
            let units = Poisson::new(mean).map_or(0.0, |p| rng.sample(p)) as u32;
            DailySales {
                day,
                price_minor,
                units,
            }
        })
        .collect()
}

fn params() -> DemandValidParams {
    DemandParams::default().check().expect("defaults are valid")
}

#[test]
fn weekdays_count_from_a_thursday() {
    assert_eq!(weekday(0), 3); // 1970-01-01
    assert_eq!(weekday(MONDAY), 0);
    assert_eq!(weekday(MONDAY + 6), 6);
    assert_eq!(weekday(-1), 2);
}

/// The tolerance: 0.12 absolute, three standard errors for this design (365 days, 60 units a
/// day, log price spread ±0.22 gives se ≈ 0.04), and the 95% interval must cover the truth.
#[test]
fn the_glm_recovers_a_known_elasticity_from_simulated_poisson_sales() {
    for (truth, seed) in [(-2.0, 7), (-0.8, 8), (-3.5, 9)] {
        let sales = simulated(truth, 60.0, 365, seed);
        let model = params().fit(&sales).expect("fit");
        let glm = model.glm.as_ref().expect("enough data to fit");
        assert!(
            (glm.elasticity - truth).abs() < 0.12,
            "truth {truth}, estimate {} ± {}",
            glm.elasticity,
            glm.std_error
        );
        assert!(glm.std_error > 0.01 && glm.std_error < 0.08, "{glm:?}");
        let (low, high) = Elasticity {
            mean: glm.elasticity,
            sd: glm.std_error,
        }
        .interval(Z_95);
        assert!(
            low < truth && truth < high,
            "[{low}, {high}] misses {truth}"
        );
        // Plain Poisson data: the dispersion estimate stays at its floor or near it.
        assert!(glm.dispersion < 1.3, "dispersion {}", glm.dispersion);
        // The average weekday at 10.00: the weekday lifts average 1.093.
        let units = model.units_per_day(1000).expect("fitted");
        assert!((units / (60.0 * 1.093) - 1.0).abs() < 0.05, "units {units}");
    }
}

#[test]
fn the_fisher_interval_has_about_its_nominal_coverage() {
    // 40 independent data sets of 120 days: a 95% interval should miss about 2 of them.
    let misses = (0..40)
        .filter(|seed| {
            let sales = simulated(-1.5, 20.0, 120, 100 + seed);
            let glm = params().fit(&sales).expect("fit").glm.expect("fitted");
            let (low, high) = Elasticity {
                mean: glm.elasticity,
                sd: glm.std_error,
            }
            .interval(Z_95);
            !(low < -1.5 && -1.5 < high)
        })
        .count();
    assert!(misses <= 6, "{misses} of 40 intervals missed");
}

#[test]
fn thin_data_is_not_fitted() {
    let short = simulated(-2.0, 30.0, 3, 1);
    assert!(params().fit(&short).expect("valid").glm.is_none());
    let constant: Vec<DailySales> = (0..60)
        .map(|d| DailySales {
            day: MONDAY + d,
            price_minor: 1000,
            units: 5,
        })
        .collect();
    let model = params().fit(&constant).expect("valid");
    assert!(model.glm.is_none(), "no price variation, no elasticity");
    assert_eq!(model.mean_units, 5.0);
    let no_sales: Vec<DailySales> = simulated(-2.0, 30.0, 30, 2)
        .into_iter()
        .map(|s| DailySales { units: 0, ..s })
        .collect();
    assert!(params().fit(&no_sales).expect("valid").glm.is_none());
}

#[test]
fn a_price_below_one_minor_unit_is_refused() {
    let mut sales = simulated(-2.0, 30.0, 20, 3);
    sales[4].price_minor = 0;
    assert!(matches!(
        params().fit(&sales),
        Err(PricingError::InvalidPrice(0))
    ));
}

#[test]
fn pooling_needs_three_fitted_variants_and_then_centres_on_them() {
    let p = params();
    let models: Vec<DemandModel> = [(-1.8, 11), (-2.0, 12), (-2.2, 13), (-2.0, 14)]
        .iter()
        .map(|(e, seed)| p.fit(&simulated(*e, 40.0, 200, *seed)).expect("fit"))
        .collect();
    let two = p.pool(&models[..2]);
    assert_eq!(two.products, 0);
    assert_eq!(two.elasticity, p.default_prior());
    let four = p.pool(&models);
    assert_eq!(four.products, 4);
    assert!((four.elasticity.mean + 2.0).abs() < 0.15, "{four:?}");
    // Four precise variants that agree narrow the default's sd of 1.5, but four are not yet
    // enough to say that the category's variants never differ.
    assert!(
        four.elasticity.sd > 0.5 && four.elasticity.sd < 1.2,
        "{four:?}"
    );
}

/// τ²'s prior is the default prior's variance worth two variants: noisy fits leave it there
/// (the DerSimonian–Laird estimate fell to 0 on them), precise ones take over from it.
#[test]
fn noisy_fits_cannot_talk_the_between_variant_spread_down_but_precise_ones_can() {
    let p = params();
    let default_sd = p.default_prior().sd;
    // Standard errors of 2–3 around elasticities that spread with sd ≈ 0.5.
    let noisy: Vec<(f64, f64)> = (0..12)
        .map(|i| {
            (
                -2.0 + 0.5 * f64::from(i % 3) - 0.5,
                (2.0 + f64::from(i % 2)).powi(2),
            )
        })
        .collect();
    let tau2 = p.between_variance(&noisy);
    assert!(
        (tau2.sqrt() - default_sd).abs() < 0.2,
        "tau {}",
        tau2.sqrt()
    );
    // Forty precise variants spread with sd 0.5: τ follows them.
    let precise: Vec<(f64, f64)> = (0..40)
        .map(|i| (-2.0 + if i % 2 == 0 { 0.5 } else { -0.5 }, 0.01))
        .collect();
    let tau = p.between_variance(&precise).sqrt();
    assert!((tau - 0.5).abs() < 0.15, "tau {tau}");
    // Without the prior (weight 0) the noisy fits drive τ² to 0, the old behaviour.
    let bare = DemandParams::default()
        .tau_prior_weight(0.0)
        .check()
        .expect("valid");
    assert_eq!(bare.between_variance(&noisy), 0.0);
}

#[test]
fn a_thin_variant_takes_the_pooled_estimate_and_a_fitted_one_is_shrunk_towards_it() {
    let p = params();
    let prior = CategoryPrior {
        elasticity: Elasticity {
            mean: -2.0,
            sd: 0.5,
        },
        products: 5,
        tau: 0.5,
    };
    let thin = p.fit(&simulated(-3.0, 20.0, 3, 21)).expect("valid");
    let estimate = p.estimate(&thin, &prior, 1000);
    assert!(!estimate.fitted);
    assert_eq!(estimate.elasticity, prior.elasticity);

    let rich = p.fit(&simulated(-3.0, 20.0, 120, 22)).expect("valid");
    let glm = rich.glm.as_ref().expect("fitted");
    let estimate = p.estimate(&rich, &prior, 1000);
    assert!(estimate.fitted);
    let post = estimate.elasticity;
    // Between the prior and the fit, closer to the (more precise) fit, narrower than both.
    assert!(
        glm.elasticity < post.mean && post.mean < -2.0,
        "{post:?} {glm:?}"
    );
    assert!(post.sd < glm.std_error && post.sd < 0.5);
}

#[test]
fn the_normal_update_is_precision_weighted() {
    let prior = Elasticity {
        mean: -2.0,
        sd: 1.0,
    };
    let post = prior.update(-1.0, 1.0);
    assert!((post.mean + 1.5).abs() < 1e-12);
    assert!((post.sd - 0.5f64.sqrt()).abs() < 1e-12);
    assert_eq!(prior.update(-1.0, f64::INFINITY), prior);
    assert_eq!(prior.update(f64::NAN, 0.1), prior);
    assert_eq!(
        Elasticity::known(-3.0).update(-1.0, 0.1),
        Elasticity::known(-3.0)
    );
}

#[test]
fn bad_params_are_rejected() {
    assert!(DemandParams::default().min_days(1).check().is_err());
    assert!(DemandParams::default().alpha(0.0).check().is_err());
    assert!(DemandParams::default().weekday_alpha(0.0).check().is_err());
    assert!(DemandParams::default().tol(f64::NAN).check().is_err());
    assert!(DemandParams::default().max_iter(0).check().is_err());
    let wide_open = Elasticity {
        mean: -2.0,
        sd: 0.0,
    };
    assert!(
        DemandParams::default()
            .default_prior(wide_open)
            .check()
            .is_err()
    );
    assert!(DemandParams::default().min_prior_sd(-1.0).check().is_err());
    assert!(
        DemandParams::default()
            .tau_prior_weight(f64::NAN)
            .check()
            .is_err()
    );
}
