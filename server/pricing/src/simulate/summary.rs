//! Many seeds into one table: each policy's mean profit, and its profit as a share of the
//! oracle's on the same seed (mean, standard deviation across seeds, worst seed).

use super::SimRow;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One policy over all seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicySummary {
    pub policy: String,
    pub seeds: usize,
    /// Mean and sample standard deviation of profit (minor units) across seeds.
    pub mean_profit: f64,
    pub sd_profit: f64,
    /// profit / oracle profit on the same seed: mean, sample standard deviation, minimum.
    pub mean_of_oracle: f64,
    pub sd_of_oracle: f64,
    pub min_of_oracle: f64,
    pub violations: u32,
}

/// The table `vitrine simulate-pricing` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub policies: Vec<PolicySummary>,
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Summarises rows of any number of seeds and policies (a seed without an oracle row, or with
/// an oracle profit of 0, is left out of the ratios).
pub fn summarise(rows: &[SimRow]) -> Summary {
    let oracle: BTreeMap<u64, i64> = rows
        .iter()
        .filter(|r| r.policy == "oracle")
        .map(|r| (r.seed, r.profit))
        .collect();
    let mut by_policy: BTreeMap<&str, Vec<&SimRow>> = BTreeMap::new();
    for row in rows {
        by_policy.entry(row.policy.as_str()).or_default().push(row);
    }
    let mut policies: Vec<PolicySummary> = by_policy
        .into_iter()
        .map(|(policy, rows)| {
            let profits: Vec<f64> = rows.iter().map(|r| r.profit as f64).collect();
            let ratios: Vec<f64> = rows
                .iter()
                .filter_map(|r| {
                    let o = *oracle.get(&r.seed)?;
                    (o != 0).then(|| r.profit as f64 / o as f64)
                })
                .collect();
            let (mean_profit, sd_profit) = mean_sd(&profits);
            let (mean_of_oracle, sd_of_oracle) = mean_sd(&ratios);
            PolicySummary {
                policy: policy.to_owned(),
                seeds: rows.len(),
                mean_profit,
                sd_profit,
                mean_of_oracle,
                sd_of_oracle,
                min_of_oracle: ratios.iter().copied().fold(f64::NAN, f64::min),
                violations: rows.iter().map(|r| r.violations).sum(),
            }
        })
        .collect();
    let order = |p: &str| super::POLICIES.iter().position(|q| *q == p);
    policies.sort_by_key(|p| order(&p.policy).unwrap_or(usize::MAX));
    Summary { policies }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| policy | seeds | mean profit (major units) | sd | % of oracle (mean ± sd) | worst seed | violations |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|---:|")?;
        for p in &self.policies {
            writeln!(
                f,
                "| {} | {} | {:.2} | {:.2} | {:.1}% ± {:.1} | {:.1}% | {} |",
                p.policy,
                p.seeds,
                p.mean_profit / 100.0,
                p.sd_profit / 100.0,
                100.0 * p.mean_of_oracle,
                100.0 * p.sd_of_oracle,
                100.0 * p.min_of_oracle,
                p.violations
            )?;
        }
        Ok(())
    }
}
