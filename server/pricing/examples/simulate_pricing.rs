//! The benchmark table and the cost of one proposal run, measured rather than asserted:
//!
//! ```text
//! cargo run --release -p vitrine-pricing --example simulate_pricing -- [days] [seeds]
//! ```
//!
//! prints the summary over seeds 1..=seeds, then times fit + propose for 3,600 synthetic
//! variants with 90 days of history each.

use std::time::Instant;
use vitrine_pricing::ParamGuard;
use vitrine_pricing::demand::{DailySales, DemandModel, DemandParams};
use vitrine_pricing::optimise::{Exploration, GuardrailsParams, propose};
use vitrine_pricing::simulate::{self, SimConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let days: u32 = args.next().map_or(Ok(90), |a| a.parse())?;
    let seeds: u64 = args.next().map_or(Ok(20), |a| a.parse())?;

    let started = Instant::now();
    let rows = simulate::simulate_seeds(days, 1..=seeds);
    let elapsed = started.elapsed();
    for row in &rows {
        eprintln!("{}", serde_json_line(row));
    }
    println!("{days} days × {seeds} seeds in {elapsed:.1?}\n");
    println!("{}", simulate::summarise(&rows));

    // 3,600 variants, 90 days each: the history a fixed-price policy would leave, with the
    // price moved once so that each variant is fitted (the expensive path).
    let config = SimConfig::default();
    let mut histories = Vec::new();
    for seed in 0..(3600 / config.products as u64) {
        let products = simulate::products(&config, 90, seed);
        let run = simulate::run("oracle", &products, &config, 90, seed);
        for (p, prices) in products.iter().zip(&run.prices) {
            let sales: Vec<DailySales> = prices
                .iter()
                .enumerate()
                .map(|(d, &price_minor)| DailySales {
                    day: 19_723 + d as i64,
                    price_minor,
                    units: p.expected_units(price_minor, d as u32).round() as u32,
                })
                .collect();
            histories.push((*p, sales));
        }
    }
    let params = DemandParams::default().check()?;
    let started = Instant::now();
    let models: Vec<DemandModel> = histories
        .iter()
        .map(|(_, s)| params.fit(s).unwrap_or_else(|_| DemandModel::unfitted(s)))
        .collect();
    let fitted = started.elapsed();
    let prior = params.pool(&models);
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
    let mut changes = 0;
    for ((p, sales), model) in histories.iter().zip(&models) {
        let current = sales.last().map_or(p.start_minor, |s| s.price_minor);
        let guardrails = GuardrailsParams::new(p.cost_minor, p.ceiling_minor).check()?;
        let estimate = params.estimate(model, &prior, current);
        let proposal = propose(
            &guardrails,
            current,
            0,
            &estimate,
            Exploration::Thompson(&mut rng),
        )?;
        changes += usize::from(proposal.changes_price());
    }
    let total = started.elapsed();
    let n = histories.len();
    let with_glm = models.iter().filter(|m| m.glm.is_some()).count();
    println!(
        "fit + propose for {n} variants ({with_glm} fitted, {changes} changes): {total:.2?} \
         ({:.0} µs per variant; fitting alone {fitted:.2?})",
        total.as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}

fn serde_json_line(row: &simulate::SimRow) -> String {
    serde_json::to_string(row).unwrap_or_default()
}
