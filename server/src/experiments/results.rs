//! An experiment's results as the console shows them: visitors, conversions and rate per
//! variant from `exposures` and `events`, then each challenger against the control with the
//! always-valid mSPRT ([`super::sequential`]; Johari, Koomen, Pekelis and Walsh, "Always Valid
//! Inference", Operations Research 2022, arXiv:1512.04922), the fixed-horizon z-test for
//! comparison, the sample-ratio-mismatch check against the configured weights, and the
//! cumulative-lift series by day.
//!
//! A conversion is an exposed visitor with at least one `cart` or `purchase` event at or after
//! their first exposure, counted once per visitor. For the by-day series a visitor belongs to
//! the day of their first exposure (a cohort), so a day's conversions never exceed its
//! visitors; the latest point therefore equals the totals. One grouped query reads everything;
//! the statistics come from this module's siblings and are never re-derived here.

use super::definition::Status;
use super::store::{Experiment, Variant};
use super::{
    Counts, DailyCounts, Interval, LiftPoint, MsprtParams, SequentialTest, SrmCheck, ZTest,
    cumulative_lift, sample_ratio_mismatch, sequential_test, two_proportion_z_test,
};
use crate::db::Db;
use anyhow::Context;
use std::collections::BTreeMap;

/// Days shown in the chart at most (the latest ones).
pub const MAX_DAYS: usize = 366;
const DAY: i64 = 86_400;

/// One variant's counts.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmResult {
    pub position: u32,
    pub name: String,
    pub weight: u32,
    pub counts: Counts,
}

/// A challenger against the control.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub position: u32,
    pub name: String,
    /// `None` until both arms have visitors.
    pub sequential: Option<SequentialTest>,
    pub z_test: Option<ZTest>,
    /// One point per day since the start, on the cumulative counts.
    pub chart: Vec<LiftPoint>,
}

/// Everything the results page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    pub arms: Vec<ArmResult>,
    pub comparisons: Vec<Comparison>,
    /// `None` before anyone was exposed (or with fewer than two positive weights).
    pub srm: Option<SrmCheck>,
    /// The unix time of day 0 in the charts.
    pub origin: i64,
    /// The mSPRT's level, e.g. 0.05.
    pub alpha: f64,
}

/// `(variant, exposure day, visitors, conversions)` rows.
type CohortRow = (i64, i64, i64, i64);

/// Reads and computes the results of `experiment`.
#[tracing::instrument(name = "experiments.results", skip_all, fields(id = %experiment.id))]
pub async fn load(
    db: &Db,
    experiment: &Experiment,
    variants: &[Variant],
) -> anyhow::Result<Results> {
    let origin = experiment.started_at.unwrap_or(experiment.created_at);
    let rows: Vec<CohortRow> = sqlx::query_as(
        "SELECT variant, day, COUNT(*), SUM(converted) FROM ( \
           SELECT x.variant AS variant, (x.first_at - $2) / 86400 AS day, \
             CASE WHEN EXISTS ( \
               SELECT 1 FROM events e WHERE e.visitor_id = x.visitor_id \
               AND e.kind IN ('cart', 'purchase') AND e.at >= x.first_at \
             ) THEN 1 ELSE 0 END AS converted \
           FROM exposures x WHERE x.experiment_id = $1 \
         ) cohorts GROUP BY variant, day ORDER BY day",
    )
    .bind(experiment.id.clone())
    .bind(origin)
    .fetch_all(db)
    .await
    .context("Failed to count an experiment's visitors and conversions")?;
    let rows = rows
        .into_iter()
        .map(|(v, d, n, c)| (v, d, to_u64(n), to_u64(c)))
        .collect::<Vec<_>>();
    let last_day = if experiment.status == Status::Draft {
        0
    } else {
        let end = experiment.stopped_at.unwrap_or_else(crate::db::now);
        (end - origin).max(0) / DAY
    };
    compute(variants, &rows, last_day, origin)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

/// The statistics over grouped rows `(variant, day, visitors, conversions)`; `last_day` makes
/// the chart run up to today even on days nobody came.
///
/// # Errors
/// When the rows are inconsistent (more conversions than visitors).
pub fn compute(
    variants: &[Variant],
    rows: &[(i64, i64, u64, u64)],
    last_day: i64,
    origin: i64,
) -> anyhow::Result<Results> {
    let mut totals: Vec<Counts> = vec![Counts::default(); variants.len()];
    // By day, per variant position: (visitors, conversions).
    let mut by_day: BTreeMap<i64, Vec<(u64, u64)>> = BTreeMap::new();
    for &(variant, day, visitors, conversions) in rows {
        let Some(i) = variants
            .iter()
            .position(|v| i64::from(v.position) == variant)
        else {
            continue; // an exposure to a variant that no longer exists: not ours to count
        };
        let day = day.max(0);
        totals[i] = totals[i].plus(Counts::new(visitors, conversions)?);
        let cell = &mut by_day
            .entry(day)
            .or_insert_with(|| vec![(0, 0); variants.len()])[i];
        cell.0 += visitors;
        cell.1 += conversions;
    }
    let arms: Vec<ArmResult> = variants
        .iter()
        .zip(&totals)
        .map(|(v, c)| ArmResult {
            position: v.position,
            name: v.name.clone(),
            weight: v.weight,
            counts: *c,
        })
        .collect();

    let last_day = last_day.max(by_day.keys().next_back().copied().unwrap_or(0));
    let first_shown = (last_day + 1 - MAX_DAYS as i64).max(0);
    let params = MsprtParams::default();
    let comparisons = (1..variants.len())
        .map(|i| {
            let daily: Vec<DailyCounts> = (0..=last_day)
                .map(|d| {
                    let cells = by_day.get(&d);
                    let cell = |j: usize| cells.map_or((0, 0), |c| c[j]);
                    let ((vc, cc), (vt, ct)) = (cell(0), cell(i));
                    Ok(DailyCounts {
                        control: Counts::new(vc, cc)?,
                        treatment: Counts::new(vt, ct)?,
                    })
                })
                .collect::<Result<_, super::StatsError>>()?;
            let mut chart = cumulative_lift(&daily, &params);
            chart.drain(
                ..usize::try_from(first_shown)
                    .unwrap_or_default()
                    .min(chart.len()),
            );
            Ok(Comparison {
                position: variants[i].position,
                name: variants[i].name.clone(),
                sequential: sequential_test(totals[0], totals[i], &params).ok(),
                z_test: two_proportion_z_test(totals[0], totals[i]).ok(),
                chart,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let observed: Vec<u64> = totals.iter().map(|c| c.visitors()).collect();
    let weights: Vec<u32> = variants.iter().map(|v| v.weight).collect();
    Ok(Results {
        arms,
        comparisons,
        srm: sample_ratio_mismatch(&observed, &weights).ok(),
        origin,
        alpha: params.alpha(),
    })
}

/// The interval as percentages, e.g. `[-1.2%, +4.5%]`.
pub fn percent_interval(i: Interval) -> String {
    format!("[{}, {}]", signed_percent(i.low), signed_percent(i.high))
}

/// `+4.5%`, `-1.2%`.
pub fn signed_percent(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(weights: &[u32]) -> Vec<Variant> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| Variant {
                position: i as u32,
                name: format!("v{i}"),
                weight: *w,
                content: "{}".into(),
            })
            .collect()
    }

    #[test]
    fn totals_and_days_come_from_the_grouped_rows() {
        let rows = [(0, 0, 100, 5), (1, 0, 100, 8), (0, 2, 50, 1), (1, 2, 40, 4)];
        let r = compute(&variants(&[1, 1]), &rows, 3, 0).expect("consistent");
        assert_eq!(r.arms[0].counts, Counts::new(150, 6).expect("valid"));
        assert_eq!(r.arms[1].counts, Counts::new(140, 12).expect("valid"));
        let chart = &r.comparisons[0].chart;
        assert_eq!(chart.len(), 4, "days 0..=3, empty days included");
        assert_eq!(chart[1].treatment, Counts::new(100, 8).expect("valid"));
        assert_eq!(
            chart[3].treatment, r.arms[1].counts,
            "the last point is the total"
        );
        let z = r.comparisons[0].z_test.expect("both arms have visitors");
        assert!((z.treatment_rate - 12.0 / 140.0).abs() < 1e-12);
        assert!(r.srm.is_some_and(|s| !s.srm_alert));
    }

    #[test]
    fn a_52_48_split_of_10000_visitors_raises_the_srm_alert() {
        let rows = [(0, 0, 5_200, 260), (1, 0, 4_800, 240)];
        let r = compute(&variants(&[1, 1]), &rows, 0, 0).expect("consistent");
        assert!(
            r.srm
                .as_ref()
                .is_some_and(|s| s.srm_alert && s.p_value < 1e-3)
        );
        let even = [(0, 0, 5_000, 250), (1, 0, 5_000, 240)];
        let r = compute(&variants(&[1, 1]), &even, 0, 0).expect("consistent");
        assert!(r.srm.is_some_and(|s| !s.srm_alert));
    }

    #[test]
    fn no_visitors_means_no_tests_and_no_alert() {
        let r = compute(&variants(&[1, 1, 1]), &[], 0, 0).expect("empty");
        assert_eq!(r.comparisons.len(), 2);
        assert!(
            r.comparisons
                .iter()
                .all(|c| c.sequential.is_none() && c.z_test.is_none())
        );
        assert!(r.srm.is_none());
    }

    #[test]
    fn percentages_carry_their_sign() {
        assert_eq!(signed_percent(0.0451), "+4.5%");
        assert_eq!(
            percent_interval(Interval {
                low: -0.012,
                high: 0.3
            }),
            "[-1.2%, +30.0%]"
        );
    }
}
