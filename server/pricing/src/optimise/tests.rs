use super::*;
use crate::demand::Elasticity;
use linfa::ParamGuard;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn guardrails(cost: i64, ceiling: i64) -> Guardrails {
    GuardrailsParams::new(cost, ceiling).check().expect("valid")
}

fn known(elasticity: f64, at: i64) -> DemandEstimate {
    DemandEstimate {
        elasticity: Elasticity::known(elasticity),
        fitted: true,
        units_per_day: 10.0,
        at_price_minor: at,
    }
}

fn greedy(g: &Guardrails, current: i64, elasticity: f64) -> Proposal {
    propose(
        g,
        current,
        0,
        &known(elasticity, current),
        Exploration::Greedy,
    )
    .expect("valid")
}

#[test]
fn the_floor_and_step_band_are_exact_integers() {
    let g = guardrails(1000, 5000);
    assert_eq!(g.floor_minor(), 1100);
    assert_eq!(g.step_band(1000), (900, 1100));
    assert_eq!(g.step_band(999), (900, 1098)); // 899.1 up, 1098.9 down
    assert_eq!(g.step_band(5), (5, 5)); // 4.5 and 5.5 round inwards: stuck
    let odd = GuardrailsParams::new(333, 1000)
        .min_margin(0.15)
        .check()
        .expect("valid");
    assert_eq!(odd.floor_minor(), 383); // 382.95 up
}

#[test]
fn the_optimum_is_the_markup_rule_inside_the_band() {
    let g = guardrails(1000, 10_000);
    // ε = −2: optimum 2 × cost = 2000, reachable from 1900 in one step.
    assert_eq!(greedy(&g, 1900, -2.0).proposed_minor, 2000);
    // From far away the step binds.
    assert_eq!(greedy(&g, 3000, -2.0).proposed_minor, 2700);
    assert_eq!(greedy(&g, 1200, -2.0).proposed_minor, 1320);
    // Inelastic demand: profit grows with price, so the top of the band (then the ceiling).
    assert_eq!(greedy(&g, 5000, -0.7).proposed_minor, 5500);
    assert_eq!(greedy(&g, 9500, -0.7).proposed_minor, 10_000);
    // Very elastic demand: down to the margin floor, never below it.
    assert_eq!(greedy(&g, 1150, -30.0).proposed_minor, 1100);
    // ε = −3: 1.5 × cost.
    let p = greedy(&g, 1520, -3.0);
    assert_eq!(p.proposed_minor, 1500);
    assert_eq!(p.reason, Reason::Exploit);
    assert!(p.expected_profit_change_minor >= 0);
}

#[test]
fn freezes_win_over_everything() {
    let base = GuardrailsParams::new(1000, 10_000);
    let estimate = known(-2.0, 3000);
    for (g, changes, reason) in [
        (base.kill_switch(true), 0, Reason::KillSwitch),
        (base.promotion_active(true), 0, Reason::PromotionActive),
        (base, 3, Reason::WeeklyLimit),
        (base.max_changes_per_week(0), 0, Reason::WeeklyLimit),
    ] {
        let g = g.check().expect("valid");
        let p = propose(&g, 3000, changes, &estimate, Exploration::Greedy).expect("valid");
        assert_eq!((p.proposed_minor, p.reason), (3000, reason));
        assert!(!p.changes_price());
    }
}

#[test]
fn a_price_outside_the_range_steps_towards_it() {
    let g = guardrails(1000, 2000);
    // Below the floor of 1100 by more than a step.
    let p = greedy(&g, 800, -30.0);
    assert_eq!(
        (p.proposed_minor, p.reason),
        (880, Reason::OutsideGuardrails)
    );
    // Within a step of the floor: back inside, at the optimum the band allows.
    assert_eq!(greedy(&g, 1050, -30.0).proposed_minor, 1100);
    // Above the ceiling.
    let p = greedy(&g, 3000, -0.5);
    assert_eq!(
        (p.proposed_minor, p.reason),
        (2700, Reason::OutsideGuardrails)
    );
}

#[test]
fn thompson_draws_explore_inside_the_band_and_narrow_posteriors_barely_move() {
    let g = guardrails(1000, 10_000);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let wide = DemandEstimate {
        elasticity: Elasticity {
            mean: -2.0,
            sd: 1.5,
        },
        ..known(-2.0, 2000)
    };
    let narrow = DemandEstimate {
        elasticity: Elasticity {
            mean: -2.0,
            // 5 sd either side moves the markup-rule price by at most 0.5%.
            sd: 0.001,
        },
        ..wide
    };
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let p = propose(&g, 2000, 0, &wide, Exploration::Thompson(&mut rng)).expect("valid");
        assert!((1800..=2200).contains(&p.proposed_minor));
        assert!(matches!(p.reason, Reason::Explore { .. }));
        seen.insert(p.proposed_minor);
        let q = propose(&g, 2000, 0, &narrow, Exploration::Thompson(&mut rng)).expect("valid");
        assert!((1990..=2010).contains(&q.proposed_minor), "{q:?}");
    }
    assert!(
        seen.len() > 20,
        "a wide posterior explores: {} prices",
        seen.len()
    );
}

#[test]
fn bad_guardrails_are_rejected() {
    assert!(matches!(
        GuardrailsParams::new(1000, 1099).check(),
        Err(PricingError::CeilingBelowFloor {
            floor_minor: 1100,
            ceiling_minor: 1099
        })
    ));
    assert!(GuardrailsParams::new(-1, 1000).check().is_err());
    assert!(
        GuardrailsParams::new(10, 1000)
            .max_daily_change(0.0)
            .check()
            .is_err()
    );
    assert!(
        GuardrailsParams::new(10, 1000)
            .max_daily_change(1.0)
            .check()
            .is_err()
    );
    assert!(
        GuardrailsParams::new(10, 1000)
            .min_margin(f64::NAN)
            .check()
            .is_err()
    );
    assert!(
        GuardrailsParams::new(10, 1000)
            .min_margin(-0.1)
            .check()
            .is_err()
    );
    assert!(
        propose(
            &guardrails(10, 1000),
            0,
            0,
            &known(-2.0, 1),
            Exploration::Greedy
        )
        .is_err()
    );
}

/// Inputs of the property test: any valid guardrails, a current price inside or outside the
/// range, any posterior, either exploration mode.
#[derive(Debug, Clone)]
struct Case {
    cost: i64,
    margin: f64,
    ceiling_over_floor: f64,
    step: f64,
    max_changes: u32,
    promotion: bool,
    kill: bool,
    current: i64,
    changes: u32,
    mean: f64,
    sd: f64,
    units: f64,
    seed: Option<u64>,
}

fn cases() -> impl Strategy<Value = Case> {
    let guards = (
        0i64..200_000,
        0.0f64..2.0,
        1.0f64..4.0,
        0.001f64..0.999,
        0u32..8,
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    );
    let state = (
        prop_oneof![1i64..400, 1i64..2_000_000],
        0u32..9,
        -8.0f64..3.0,
        0.0f64..4.0,
        0.0f64..500.0,
        prop::option::of(any::<u64>()),
    );
    (guards, state).prop_map(
        |(
            (cost, margin, ceiling_over_floor, step, max_changes, promotion, kill),
            (current, changes, mean, sd, units, seed),
        )| Case {
            cost,
            margin,
            ceiling_over_floor,
            step,
            max_changes,
            promotion,
            kill,
            current,
            changes,
            mean,
            sd,
            units,
            seed,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Checked with real-number arithmetic, independently of the integer band code.
    #[test]
    fn proposals_never_leave_the_guardrails(c in cases()) {
        let floor = c.cost as f64 * (1.0 + c.margin);
        let ceiling = (floor * c.ceiling_over_floor).ceil() as i64 + 1;
        let g = GuardrailsParams::new(c.cost, ceiling)
            .min_margin(c.margin)
            .max_daily_change(c.step)
            .max_changes_per_week(c.max_changes)
            .promotion_active(c.promotion)
            .kill_switch(c.kill)
            .check();
        prop_assume!(g.is_ok());
        let g = g.expect("checked above");
        let estimate = DemandEstimate {
            elasticity: Elasticity { mean: c.mean, sd: c.sd },
            fitted: c.sd < 1.0,
            units_per_day: c.units,
            at_price_minor: c.current,
        };
        let mut rng = c.seed.map(ChaCha8Rng::seed_from_u64);
        let exploration = match rng.as_mut() {
            Some(rng) => Exploration::Thompson(rng),
            None => Exploration::Greedy,
        };
        let p = propose(&g, c.current, c.changes, &estimate, exploration).expect("valid");
        let (cur, new) = (c.current as f64, p.proposed_minor as f64);
        prop_assert_eq!(p.current_minor, c.current);
        prop_assert!(p.elasticity_low <= p.elasticity && p.elasticity <= p.elasticity_high);
        if c.kill || c.promotion || c.changes >= c.max_changes {
            prop_assert_eq!(p.proposed_minor, c.current);
            return Ok(());
        }
        prop_assert!(p.proposed_minor >= 1);
        prop_assert!((new - cur).abs() <= c.step * cur * (1.0 + 1e-12), "step: {:?}", p);
        let eps = 1e-9 * floor.max(1.0);
        if cur >= floor - eps && c.current <= ceiling {
            prop_assert!(new >= floor - eps && p.proposed_minor <= ceiling, "left: {:?}", p);
        } else if cur < floor {
            prop_assert!(new >= cur && p.proposed_minor <= ceiling, "below: {:?}", p);
        } else {
            prop_assert!(new <= cur && new >= floor - eps, "above: {:?}", p);
        }
    }
}
