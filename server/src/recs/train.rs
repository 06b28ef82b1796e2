//! `vitrine train` and `vitrine evaluate`: fitting candidates off the async runtime, scoring
//! them on the most recent window (or the benchmark split), and publishing the best
//! one only when it beats popularity.
//!
//! "Beats" uses the same objective as the hyperparameter search (`vitrine_recs::tune`): the
//! mean of Recall@20 over all test items and over new items only, strictly above the
//! popularity model's on the same window.

use super::data::{Interactions, load_interactions};
use super::publish::{Published, publish};
use super::serving::Served;
use crate::db::Db;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use vitrine_recs::eval::{BENCHMARK_SPLIT, EvalRow, Scope, Split};
use vitrine_recs::{Algorithm, Model, ParamGuard, RecsParams, RecsValidParams};

const DAY: i64 = 86_400;

/// The candidates `train` and `evaluate` consider: popularity, EASE, iALS and their ensemble,
/// with the tuned defaults of `vitrine_recs`.
pub fn default_candidates() -> anyhow::Result<Vec<RecsValidParams>> {
    Algorithm::ALL
        .iter()
        .map(|&a| RecsParams::new(a).check().map_err(anyhow::Error::from))
        .collect()
}

/// What `train` was asked to do.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// The evaluation window: the last this many calendar days (UTC) of purchases.
    pub window_days: i64,
    /// Must include a popularity candidate: it is the bar the others must clear.
    pub candidates: Vec<RecsValidParams>,
    pub progress_bar: bool,
}

/// What `train` did.
#[derive(Debug)]
pub struct TrainOutcome {
    /// Every candidate's rows on the window.
    pub rows: Vec<EvalRow>,
    pub best: Algorithm,
    /// Seconds to refit the best candidate on all the data (what was published).
    pub fit_seconds: f64,
    /// `None` when no candidate beat popularity.
    pub published: Option<Published>,
    pub served: Option<Arc<Served>>,
}

fn objective(rows: &[EvalRow], model: &str) -> Option<f64> {
    let recall = |scope| {
        rows.iter()
            .find(|r| r.model == model && r.scope == scope)
            .map(|r| r.recall_at_20)
    };
    Some((recall(Scope::All)? + recall(Scope::New)?) / 2.0)
}

/// The start of the window: midnight UTC `window_days - 1` days before the latest purchase's day.
fn window_start(latest: i64, window_days: i64) -> i64 {
    latest.div_euclid(DAY) * DAY - (window_days.max(1) - 1) * DAY
}

fn progress(enabled: bool, len: u64) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("training {bar:30} {pos}/{len} {msg} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Scores the candidates on the benchmark split (train before 2010-12-13 UTC).
pub async fn evaluate_benchmark(
    db: &Db,
    candidates: Vec<RecsValidParams>,
) -> anyhow::Result<Vec<EvalRow>> {
    let data = load_interactions(db).await?;
    tokio::task::spawn_blocking(move || {
        vitrine_recs::eval::evaluate(&data.dataset, BENCHMARK_SPLIT, &candidates)
    })
    .await
    .context("The evaluation stopped unexpectedly")?
    .context("Failed to evaluate the recommenders")
}

/// Trains, evaluates and (if a candidate beats popularity) publishes into `dir`.
#[tracing::instrument(skip_all)]
pub async fn train(db: &Db, dir: &Path, options: TrainOptions) -> anyhow::Result<TrainOutcome> {
    let data = load_interactions(db).await?;
    let outcome = tokio::task::spawn_blocking(move || fit_candidates(data, options))
        .await
        .context("Training stopped unexpectedly")??;
    let (rows, best, fit_seconds, served) = outcome;
    let Some(served) = served else {
        tracing::info!(?best, "no candidate beat popularity: nothing published");
        return Ok(TrainOutcome {
            rows,
            best,
            fit_seconds,
            published: None,
            served: None,
        });
    };
    let winners: Vec<EvalRow> = rows
        .iter()
        .filter(|r| r.model == best.name() || r.model == Algorithm::Popularity.name())
        .cloned()
        .collect();
    let (published, served) = publish(db, dir, served, &winners).await?;
    Ok(TrainOutcome {
        rows,
        best,
        fit_seconds,
        published: Some(published),
        served: Some(served),
    })
}

type Fitted = (Vec<EvalRow>, Algorithm, f64, Option<Served>);

fn fit_candidates(data: Interactions, options: TrainOptions) -> anyhow::Result<Fitted> {
    let latest = data
        .dataset
        .latest()
        .context("There are no purchases by known customers to learn from")?;
    let bar = progress(options.progress_bar, options.candidates.len() as u64 + 1);
    let split = Split::new(&data.dataset, window_start(latest, options.window_days));
    let mut rows = Vec::new();
    let mut fitted: Vec<(RecsValidParams, Model, f64)> = Vec::new();
    for params in &options.candidates {
        bar.set_message(format!("evaluating {}", params.algorithm().name()));
        let (model, seconds) = match compose(&fitted, params) {
            Some(composed) => composed,
            None => {
                let started = Instant::now();
                let model = params.fit(&split.train)?;
                (model, started.elapsed().as_secs_f64())
            }
        };
        rows.extend(split.score(&model, params.algorithm().name(), seconds));
        fitted.push((*params, model, seconds));
        bar.inc(1);
    }
    let bar_name = Algorithm::Popularity.name();
    let baseline = objective(&rows, bar_name).context("The candidates must include popularity")?;
    let best = options
        .candidates
        .iter()
        .filter_map(|p| Some((p, objective(&rows, p.algorithm().name())?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let Some((params, score)) = best else {
        anyhow::bail!("no candidate to train");
    };
    if score <= baseline || params.algorithm() == Algorithm::Popularity {
        bar.finish_and_clear();
        return Ok((rows, params.algorithm(), 0.0, None));
    }
    bar.set_message(format!("fitting {} on all data", params.algorithm().name()));
    let started = Instant::now();
    let model = params.fit(&data.dataset)?;
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let served = Served::new(None, model, data.stems, data.categories);
    Ok((rows, params.algorithm(), seconds, Some(served)))
}

/// The ensemble `params` asks for, built from the EASE and iALS candidates already fitted
/// with the same settings (its training time is theirs together); `None` if it must be fitted.
fn compose(
    fitted: &[(RecsValidParams, Model, f64)],
    params: &RecsValidParams,
) -> Option<(Model, f64)> {
    if params.algorithm() != Algorithm::Ensemble {
        return None;
    }
    let find = |algorithm, same: &dyn Fn(&RecsValidParams) -> bool| {
        fitted
            .iter()
            .find(|(p, _, _)| {
                p.algorithm() == algorithm && p.weighting() == params.weighting() && same(p)
            })
            .map(|(_, model, seconds)| (model, seconds))
    };
    let (ease, ease_seconds) = find(Algorithm::Ease, &|p| p.ease() == params.ease())?;
    let (ials, ials_seconds) = find(Algorithm::Ials, &|p| {
        p.ials() == params.ials() && p.seed() == params.seed()
    })?;
    let model = Model::ensemble(ease, ials, params.ensemble().ials_weight)?;
    Some((model, ease_seconds + ials_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_at_midnight_utc() {
        // 2010-12-19 15:00 UTC, a 7-day window: from 2010-12-13 00:00 UTC.
        assert_eq!(window_start(1_292_770_800, 7), BENCHMARK_SPLIT);
    }

    /// The ensemble is composed only from fits with exactly its settings; any other ensemble
    /// must be fitted, or a published model would not be what its params say.
    #[test]
    fn an_ensemble_is_composed_only_from_fits_with_its_own_settings() {
        use vitrine_recs::{Dataset, EnsembleParams, IalsParams, Interaction, Signal};
        let interactions = (0..8u32)
            .flat_map(|user| {
                [user % 4, (user + 1) % 4].map(|item| Interaction {
                    user,
                    item,
                    time: 1_000_000,
                    signal: Signal::Purchase,
                })
            })
            .collect();
        let data = Dataset {
            n_users: 8,
            n_items: 4,
            interactions,
            ..Dataset::default()
        };
        let candidates = default_candidates().expect("params");
        let fitted: Vec<(RecsValidParams, Model, f64)> = candidates
            .iter()
            .filter(|p| p.algorithm() != Algorithm::Ensemble)
            .map(|p| (*p, p.fit(&data).expect("fit"), 1.5))
            .collect();
        let ensemble = RecsParams::new(Algorithm::Ensemble);
        let direct = ensemble.check().expect("params").fit(&data).expect("fit");
        let composed = compose(&fitted, &ensemble.check().expect("params"));
        assert_eq!(composed, Some((direct, 3.0)));
        let smaller = ensemble.ials(IalsParams {
            factors: 8,
            ..ensemble.values().ials()
        });
        assert_eq!(compose(&fitted, &smaller.check().expect("params")), None);
        let other_memory = ensemble.half_life_days(7.0);
        assert_eq!(
            compose(&fitted, &other_memory.check().expect("params")),
            None
        );
        // Only the iALS weight differs from the EASE/iALS pair: that composes.
        let heavier = ensemble.ensemble(EnsembleParams { ials_weight: 2.0 });
        assert!(compose(&fitted, &heavier.check().expect("params")).is_some());
        let ease = candidates.iter().find(|p| p.algorithm() == Algorithm::Ease);
        assert_eq!(compose(&fitted, ease.expect("EASE")), None);
    }
}
