//! `vitrine price propose`: daily units per variant from order lines, a demand model per
//! variant pooled by category, a proposal per variant inside its guardrails, written for staff
//! (and applied at once for variants on auto-approve).
//!
//! The days: the `days` days up to the latest order (or today, if that is earlier), each
//! variant from its first price on. A day's price is the units-weighted price shoppers paid on
//! its order lines (the imported invoices carry real price variation) and, on a day without
//! sales, the price in effect that day according to `price_history`. Cancelled orders do not
//! count. Only variants that sold at least once in the window get a proposal: a variant
//! nobody bought tells the model nothing. The fitting runs on a blocking thread.
//!
//! The engine reads orders as totals per variant and day: nothing about who bought, and
//! nothing about who will see the price.

use super::proposals::{self, NewProposal};
use super::settings::{self, VariantPricing};
use crate::db::Db;
use crate::staff::audit::Actor;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use vitrine_pricing::ParamGuard;
use vitrine_pricing::demand::{DailySales, DemandModel, DemandParams};
use vitrine_pricing::history::{PricePoint, price_at};
use vitrine_pricing::optimise::{Exploration, Proposal, Reason, propose};

const DAY: i64 = 86_400;

/// How to run the engine.
#[derive(Clone, Copy, Debug)]
pub struct ProposeOptions {
    /// Days of sales to learn from.
    pub days: i64,
    /// Seed of the Thompson draws; each variant's source is seeded with it, the SKU and the
    /// week of `now` ([`weekly_draw`]).
    pub seed: u64,
    pub progress: bool,
}

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProposeSummary {
    pub kill_switch: bool,
    pub variants: usize,
    pub with_sales: usize,
    pub fitted: usize,
    /// Fits set aside as implausible (see [`plausible`]): those variants took their category's
    /// estimate.
    pub distrusted: usize,
    pub proposed: usize,
    pub auto_applied: usize,
    pub auto_refused: Vec<String>,
    /// Variants left as they are, by why.
    pub held: BTreeMap<&'static str, usize>,
    pub elapsed: Duration,
}

/// One variant's inputs.
struct Input {
    pricing: VariantPricing,
    category: String,
    sales: Vec<DailySales>,
}

/// Runs the engine once against the database as it is now.
#[tracing::instrument(name = "pricing.propose", skip(db))]
pub async fn run(db: &Db, options: ProposeOptions, now: i64) -> anyhow::Result<ProposeSummary> {
    let started = Instant::now();
    if settings::kill_switch(db).await? {
        return Ok(ProposeSummary {
            kill_switch: true,
            elapsed: started.elapsed(),
            ..ProposeSummary::default()
        });
    }
    let inputs = load(db, options.days, now).await?;
    let variants = inputs.len();
    let (mut summary, new) =
        tokio::task::spawn_blocking(move || decide(inputs, options.seed, now, options.progress))
            .await
            .context("The pricing engine stopped")??;
    summary.variants = variants;
    let (new, auto): (Vec<NewProposal>, Vec<bool>) = new.into_iter().unzip();
    let ids = proposals::write(db, &new, now).await?;
    for ((id, p), auto) in ids.iter().zip(&new).zip(auto) {
        if !auto {
            continue;
        }
        match proposals::approve(db, *id, &Actor::System, "auto-approve").await {
            Ok(_) => summary.auto_applied += 1,
            Err(e) => summary.auto_refused.push(format!("{}: {e}", p.sku)),
        }
    }
    summary.proposed = new.len();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A proposal to write, and whether its variant is on auto-approve.
type Decided = (NewProposal, bool);

/// Fits, pools by category and proposes (CPU only).
fn decide(
    inputs: Vec<Input>,
    seed: u64,
    now: i64,
    progress: bool,
) -> anyhow::Result<(ProposeSummary, Vec<Decided>)> {
    let params = DemandParams::default()
        .check()
        .map_err(|e| anyhow::anyhow!("demand parameters: {e}"))?;
    let bar = bar(progress, inputs.len() as u64);
    let mut distrusted = 0;
    let models: Vec<DemandModel> = inputs
        .iter()
        .map(|i| {
            bar.inc(1);
            let model = params
                .fit(&i.sales)
                .unwrap_or_else(|_| DemandModel::unfitted(&i.sales));
            if plausible(&model, &i.sales, i.pricing.price_minor) {
                model
            } else {
                distrusted += 1;
                DemandModel::unfitted(&i.sales)
            }
        })
        .collect();
    bar.finish_and_clear();
    let mut by_category: HashMap<&str, Vec<&DemandModel>> = HashMap::new();
    for (input, model) in inputs.iter().zip(&models) {
        by_category.entry(&input.category).or_default().push(model);
    }
    let priors: HashMap<&str, _> = by_category
        .into_iter()
        .map(|(c, ms)| (c, params.pool(ms)))
        .collect();
    let mut summary = ProposeSummary {
        distrusted,
        with_sales: inputs.len(),
        fitted: models.iter().filter(|m| m.glm.is_some()).count(),
        ..ProposeSummary::default()
    };
    let mut out = Vec::new();
    for (input, model) in inputs.iter().zip(&models) {
        let v = &input.pricing;
        let guardrails = match v.guardrails(false) {
            Ok(g) => g,
            Err(_) => {
                *summary
                    .held
                    .entry("ceiling below the margin floor")
                    .or_default() += 1;
                continue;
            }
        };
        let Some(prior) = priors.get(input.category.as_str()) else {
            continue;
        };
        let estimate = params.estimate(model, prior, v.price_minor);
        let proposal = match propose(
            &guardrails,
            v.price_minor,
            v.changes_last_week,
            &estimate,
            Exploration::Thompson(&mut weekly_draw(seed, &v.sku, now)),
        ) {
            Ok(p) => p,
            Err(_) => {
                *summary.held.entry("invalid current price").or_default() += 1;
                continue;
            }
        };
        if !proposal.changes_price() {
            *summary.held.entry(hold_reason(&proposal)).or_default() += 1;
            continue;
        }
        let new = NewProposal {
            sku: v.sku.clone(),
            proposal,
            reason: reason_text(&proposal, model, &input.category, prior.products),
        };
        out.push((new, v.auto_approve));
    }
    Ok((summary, out))
}

/// The random source of one variant's Thompson draw: seeded by `seed`, the SKU and the week of
/// `now` (days since 1970 / 7), so a variant follows one plausible elasticity for a week instead
/// of spending its weekly change budget going up and down (what the simulator measures, see
/// `vitrine_pricing::optimise`). FNV-1a over the SKU keeps it stable across builds.
fn weekly_draw(seed: u64, sku: &str, now: i64) -> rand_chacha::ChaCha8Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let week = now.div_euclid(7 * DAY) as u64;
    rand_chacha::ChaCha8Rng::seed_from_u64(
        h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ week.wrapping_mul(0xBF58_476D_1CE4_E5B9),
    )
}

/// Whether a fitted model's demand at the current price is believable: at most
/// [`MAX_FIT_OVER_OBSERVED`] times the most units the variant ever sold in a day. Sparse,
/// lumpy wholesale sales (a few days, one big order on one weekday) can drive the GLM's
/// weekday and trend terms to extremes (seen on the imported invoices: billions of pounds of
/// "expected" daily gain); such a variant is treated as unfitted and takes its category's
/// estimate instead.
fn plausible(model: &DemandModel, sales: &[DailySales], current_minor: i64) -> bool {
    let Some(units) = model.units_per_day(current_minor) else {
        return true;
    };
    let most = sales.iter().map(|s| s.units).max().unwrap_or(0).max(1);
    units.is_finite() && units <= MAX_FIT_OVER_OBSERVED * f64::from(most)
}

/// See [`plausible`].
const MAX_FIT_OVER_OBSERVED: f64 = 3.0;

fn hold_reason(p: &Proposal) -> &'static str {
    match p.reason {
        Reason::KillSwitch => "kill switch",
        Reason::PromotionActive => "promotion running",
        Reason::WeeklyLimit => "weekly change limit reached",
        _ => "best price is the current one",
    }
}

/// The reason in words, as staff read it.
pub fn reason_text(p: &Proposal, model: &DemandModel, category: &str, pooled: usize) -> String {
    let what = match p.reason {
        Reason::Explore { drawn_elasticity } => format!(
            "exploring: the best price for an elasticity of {drawn_elasticity:.2} drawn from the estimate (Thompson sampling)"
        ),
        Reason::Exploit => format!(
            "the best price for the estimated elasticity {:.2}",
            p.elasticity
        ),
        Reason::OutsideGuardrails => {
            "one day's step back towards the floor and ceiling".to_string()
        }
        _ => "no change".to_string(),
    };
    let data = if model.glm.is_some() {
        format!("own fit over {} days", model.days)
    } else {
        format!(
            "too little price variation in {} days for its own fit",
            model.days
        )
    };
    let prior = if pooled > 0 {
        format!("pooled with {pooled} fitted variants of {category}")
    } else {
        "the default prior (too few fitted variants in its category)".to_string()
    };
    format!("{what}; {data}, {prior}")
}

fn bar(enabled: bool, len: u64) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("fitting {bar:30} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// Every sold variant's inputs: pricing settings, category and daily sales.
async fn load(db: &Db, days: i64, now: i64) -> anyhow::Result<Vec<Input>> {
    let (latest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(placed_at) FROM orders WHERE status <> 'cancelled'")
            .fetch_one(db)
            .await
            .context("Failed to read the orders")?;
    let Some(latest) = latest else {
        return Ok(Vec::new());
    };
    let end_day = latest.min(now).div_euclid(DAY);
    let start_day = end_day - days.max(1) + 1;
    let lines: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT l.sku, o.placed_at, l.quantity, l.unit_price_minor FROM order_lines l \
         JOIN orders o ON o.number = l.order_number \
         WHERE o.status <> 'cancelled' AND o.placed_at >= $1 AND o.placed_at < $2",
    )
    .bind(start_day * DAY)
    .bind((end_day + 1) * DAY)
    .fetch_all(db)
    .await
    .context("Failed to read the order lines")?;
    // (units, paid) per SKU and day.
    let mut sold: HashMap<String, BTreeMap<i64, (i64, i64)>> = HashMap::new();
    for (sku, at, quantity, unit_price) in lines {
        let day = sold
            .entry(sku)
            .or_default()
            .entry(at.div_euclid(DAY))
            .or_default();
        day.0 += quantity;
        day.1 += quantity * unit_price;
    }
    let variants: Vec<(String, i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT v.sku, v.price_minor, v.cost_minor, p.category_slug, \
         COALESCE(s.auto_approve, 0), s.ceiling_minor FROM variants v \
         JOIN products p ON p.stem = v.stem LEFT JOIN pricing_settings s ON s.sku = v.sku \
         ORDER BY v.sku",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the variants")?;
    let history: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "SELECT sku, valid_from, price_minor, source FROM price_history ORDER BY sku, valid_from",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the price history")?;
    let mut histories: HashMap<String, Vec<(i64, i64, String)>> = HashMap::new();
    for (sku, from, price, source) in history {
        histories
            .entry(sku)
            .or_default()
            .push((from, price, source));
    }
    let mut inputs = Vec::new();
    for (sku, price, cost, category, auto, ceiling) in variants {
        let Some(days_sold) = sold.get(&sku) else {
            continue;
        };
        let history = histories.remove(&sku).unwrap_or_default();
        let points: Vec<PricePoint> = history
            .iter()
            .map(|&(starts_at, amount_minor, _)| PricePoint {
                starts_at,
                amount_minor,
            })
            .collect();
        let sales = daily_sales(&points, days_sold, start_day, end_day);
        let pricing =
            settings::variant_pricing(&sku, price, cost, auto != 0, ceiling, &history, now);
        inputs.push(Input {
            pricing,
            category,
            sales,
        });
    }
    Ok(inputs)
}

/// One row per day from the variant's first price (or first sale) to `end_day`.
///
/// A sold day's price is what its lines paid (units-weighted). A day without sales keeps the
/// last price paid, unless `price_history` changed the price since that sale: then it is the
/// price in effect. Taking the list price for every unsold day instead would tie "no sales" to
/// one price and "sales" to the (different) prices paid, and the GLM would read that as demand
/// at the list price being zero (seen on the imported invoices: £393 a day of "expected" gain
/// on a variant selling 18 units a day).
fn daily_sales(
    history: &[PricePoint],
    sold: &BTreeMap<i64, (i64, i64)>,
    start_day: i64,
    end_day: i64,
) -> Vec<DailySales> {
    let first_price_day = history.iter().map(|p| p.starts_at.div_euclid(DAY)).min();
    let first_sale_day = sold.keys().next().copied();
    let first = [first_price_day, first_sale_day]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(start_day)
        .max(start_day);
    let mut last_paid: Option<(i64, i64)> = None;
    (first..=end_day)
        .filter_map(|day| {
            let (units, paid) = sold.get(&day).copied().unwrap_or((0, 0));
            let price_minor = if units > 0 {
                let price = (paid as f64 / units as f64).round() as i64;
                last_paid = Some((day, price));
                price
            } else {
                let listed = price_at(history, day * DAY + DAY / 2);
                match (last_paid, listed) {
                    (Some((sale_day, price)), Some(l))
                        if l.starts_at.div_euclid(DAY) <= sale_day =>
                    {
                        price
                    }
                    (Some((_, price)), None) => price,
                    (_, Some(l)) => l.amount_minor,
                    (None, None) => return None,
                }
            };
            (price_minor > 0).then(|| DailySales {
                day,
                price_minor,
                units: u32::try_from(units.max(0)).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsold_days_keep_the_last_price_paid_until_the_history_changes_it() {
        let history = [
            PricePoint {
                starts_at: 10 * DAY,
                amount_minor: 500,
            },
            PricePoint {
                starts_at: 14 * DAY,
                amount_minor: 520,
            },
        ];
        let mut sold = BTreeMap::new();
        sold.insert(12, (3, 3 * 450));
        sold.insert(15, (1, 530));
        let sales = daily_sales(&history, &sold, 11, 16);
        let got: Vec<(i64, i64, u32)> = sales
            .iter()
            .map(|s| (s.day, s.price_minor, s.units))
            .collect();
        assert_eq!(
            got,
            vec![
                (11, 500, 0), // before any sale: the listed price
                (12, 450, 3), // what was paid
                (13, 450, 0), // still the last price paid
                (14, 520, 0), // the history changed the price after that sale
                (15, 530, 1),
                (16, 530, 0),
            ]
        );
    }

    #[test]
    fn a_variant_starts_at_its_first_price_not_before() {
        let history = [PricePoint {
            starts_at: 13 * DAY,
            amount_minor: 500,
        }];
        let sales = daily_sales(&history, &BTreeMap::new(), 10, 14);
        assert_eq!(sales.first().map(|s| s.day), Some(13));
    }
}
