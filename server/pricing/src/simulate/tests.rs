use super::*;

#[test]
fn a_seed_is_reproducible_and_reports_each_policy_once() {
    let rows = simulate(30, 3);
    assert_eq!(rows, simulate(30, 3));
    let policies: Vec<&str> = rows.iter().map(|r| r.policy.as_str()).collect();
    assert_eq!(policies, POLICIES);
    assert!(rows.iter().all(|r| r.seed == 3));
}

#[test]
fn the_json_rows_have_exactly_the_fields_of_the_cli() {
    let row = SimRow {
        seed: 7,
        policy: "engine".to_owned(),
        profit: 123_456,
        violations: 0,
    };
    assert_eq!(
        serde_json::to_string(&row).expect("serialises"),
        r#"{"seed":7,"policy":"engine","profit":123456,"violations":0}"#
    );
}

#[test]
fn products_start_inside_their_guardrails_with_a_ceiling() {
    let config = SimConfig::default();
    for seed in 0..5 {
        for p in products(&config, 90, seed) {
            let floor = p.cost_minor as f64 * (1.0 + config.min_margin);
            assert!(p.start_minor as f64 >= floor && p.start_minor < p.ceiling_minor);
            assert!((-4.0..=-0.5).contains(&p.elasticity));
            assert!((p.weekday.iter().sum::<f64>() / 7.0 - 1.0).abs() < 1e-12);
            assert!(p.guardrails(&config, 0, 90).is_some());
        }
    }
}

#[test]
fn the_oracle_follows_the_rules_and_beats_the_fixed_price() {
    let config = SimConfig::default();
    let products = products(&config, 60, 11);
    let oracle = run("oracle", &products, &config, 60, 11);
    let fixed = run("fixed", &products, &config, 60, 11);
    for (p, prices) in products.iter().zip(&oracle.prices) {
        assert_eq!(check::violations(p, &config, prices), 0);
        assert_eq!(prices.len(), 60);
    }
    assert!(oracle.profit > fixed.profit);
}

/// A small engine run that fits in a debug `cargo test`; the full benchmark is below.
#[test]
fn the_engine_learns_within_the_guardrails_on_a_short_run() {
    let rows = simulate_seeds(45, [1, 2]);
    let summary = summarise(&rows);
    let engine = &summary.policies[0];
    assert_eq!(engine.policy, "engine");
    assert_eq!(engine.violations, 0, "{summary}");
    let fixed = &summary.policies[1];
    assert!(engine.mean_of_oracle > fixed.mean_of_oracle, "{summary}");
}

/// The held-out check: seeds 21..40 were never used to choose a setting (each tuning choice
/// was made on 1..20 below and only then scored here). The engine makes 95.3% ± 1.4 of the
/// oracle's profit on them; 94% leaves room for a change that moves it by noise alone, and
/// fails one that only fitted seeds 1..20. A few seconds in release, as `.ci/run` runs it.
#[test]
fn the_engine_keeps_94_percent_of_the_oracle_and_breaks_no_rule_on_held_out_seeds() {
    let rows = simulate_seeds(90, 21..=40);
    let summary = summarise(&rows);
    assert_eq!(
        rows.iter().map(|r| r.violations).sum::<u32>(),
        0,
        "{summary}"
    );
    assert!(summary.policies[0].mean_of_oracle >= 0.94, "{summary}");
    assert!(summary.policies[1].mean_of_oracle < 0.85, "{summary}");
}

/// Issue 5's target: ≥ 95% of the oracle's profit over 90 days, averaged over 20 seeds, with
/// no violation. The engine makes 95.4% ± 1.5 (worst seed 92.0%). 2–4 s in release (a
/// minute in a debug build): `cargo test --release -p vitrine-pricing benchmark`.
#[test]
fn benchmark_engine_reaches_95_percent_of_the_oracle_over_20_seeds_of_90_days() {
    let rows = simulate_seeds(90, 1..=20);
    let summary = summarise(&rows);
    let engine = &summary.policies[0];
    assert_eq!(
        rows.iter().map(|r| r.violations).sum::<u32>(),
        0,
        "{summary}"
    );
    assert!(engine.mean_of_oracle >= 0.95, "{summary}");
    assert!(summary.policies[1].mean_of_oracle < 0.85, "{summary}");
}
