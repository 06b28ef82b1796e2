//! The benchmark over any range of seeds, with the engine's share of the oracle's profit split
//! by true elasticity and by period of the run:
//!
//! ```text
//! cargo run --release -p vitrine-pricing --example pricing_bands -- [first_seed] [last_seed] [days]
//! ```
//!
//! Seeds 1..=20 are the benchmark's (`simulate::tests`); 21..=40 are held out, to check that
//! a tuning choice made on the first twenty carries over. The split uses expected profit
//! (each day's price against the true curve, without the Poisson noise), so that it shows
//! where the engine loses to the oracle rather than where the draws were lucky.

use vitrine_pricing::simulate::{self, SimConfig, SyntheticProduct};

const BANDS: [(f64, f64); 5] = [
    (-4.0, -3.0),
    (-3.0, -2.0),
    (-2.0, -1.5),
    (-1.5, -1.0),
    (-1.0, -0.5),
];
const PERIODS: [usize; 6] = [0, 7, 14, 28, 56, usize::MAX];

/// Expected profit of `prices` on days `[from, to)`.
fn expected(p: &SyntheticProduct, prices: &[i64], from: usize, to: usize) -> f64 {
    prices
        .iter()
        .enumerate()
        .take(to)
        .skip(from)
        .map(|(d, &x)| (x - p.cost_minor) as f64 * p.expected_units(x, d as u32))
        .sum()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let first: u64 = args.next().map_or(Ok(1), |a| a.parse())?;
    let last: u64 = args.next().map_or(Ok(20), |a| a.parse())?;
    let days: u32 = args.next().map_or(Ok(90), |a| a.parse())?;
    let config = SimConfig::default();
    let periods = PERIODS.len() - 1;
    // [band][period] expected profit of the engine and of the oracle.
    let mut engine_by = vec![vec![0.0; periods]; BANDS.len()];
    let mut oracle_by = vec![vec![0.0; periods]; BANDS.len()];
    let mut rows = Vec::new();
    for seed in first..=last {
        let seed_rows = simulate::simulate(days, seed);
        let products = simulate::products(&config, days, seed);
        let engine = simulate::run("engine", &products, &config, days, seed);
        let oracle = simulate::run("oracle", &products, &config, days, seed);
        for ((p, e), o) in products.iter().zip(&engine.prices).zip(&oracle.prices) {
            let band = BANDS
                .iter()
                .position(|(lo, hi)| (*lo..*hi).contains(&p.elasticity))
                .unwrap_or(BANDS.len() - 1);
            for k in 0..periods {
                engine_by[band][k] += expected(p, e, PERIODS[k], PERIODS[k + 1]);
                oracle_by[band][k] += expected(p, o, PERIODS[k], PERIODS[k + 1]);
            }
        }
        let profit = |policy: &str| {
            seed_rows
                .iter()
                .find(|r| r.policy == policy)
                .map_or(0.0, |r| r.profit as f64)
        };
        eprintln!(
            "seed {seed}: engine {:.1}% of the oracle",
            100.0 * profit("engine") / profit("oracle")
        );
        rows.extend(seed_rows);
    }
    println!("seeds {first}..={last}, {days} days\n");
    println!("{}", simulate::summarise(&rows));
    let total: f64 = oracle_by.iter().flatten().sum();
    println!(
        "| true elasticity | oracle's profit share | engine / oracle | by days {:?}.. | lost, % of all profit, by the same periods |",
        &PERIODS[..periods]
    );
    println!("|---|---:|---:|---|---|");
    for (b, (lo, hi)) in BANDS.iter().enumerate() {
        let (e, o): (f64, f64) = (engine_by[b].iter().sum(), oracle_by[b].iter().sum());
        let by: Vec<String> = (0..periods)
            .map(|k| format!("{:.1}", 100.0 * engine_by[b][k] / oracle_by[b][k]))
            .collect();
        let lost: Vec<String> = (0..periods)
            .map(|k| format!("{:.2}", 100.0 * (oracle_by[b][k] - engine_by[b][k]) / total))
            .collect();
        println!(
            "| [{lo}, {hi}) | {:.1}% | {:.1}% | {} | {} |",
            100.0 * o / total,
            100.0 * e / o,
            by.join(" "),
            lost.join(" ")
        );
    }
    Ok(())
}
