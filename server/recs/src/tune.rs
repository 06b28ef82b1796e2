//! Hyperparameter search on validation splits carved from the training window only, never the
//! benchmark's test window, so the benchmark stays an honest out-of-sample figure.
//!
//! The search uses rolling origins: with the benchmark split at S, fold k (k = 0..folds) ends
//! k days before S, trains on data before its end − `validation_days` and is scored on the
//! purchases of its last `validation_days`. A grid point's score pools the users of every
//! fold, so one fold's handful of users cannot decide alone (the shipped data has 11–63
//! validation users per window; see the README).
//!
//! The objective is the mean of Recall@20 over "all" and over "new" items: the first rewards
//! knowing what a buyer re-orders, the second finding what they have not bought yet, and the
//! issue sets targets on both.

use crate::data::Dataset;
use crate::eval::{EvalRow, Split};
use crate::params::{
    Algorithm, EaseParams, EnsembleParams, IalsParams, RecsParams, RecsValidParams, Result,
};
use linfa::ParamGuard;

const DAY: i64 = 86_400;

/// One scored candidate.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub params: RecsValidParams,
    pub all: EvalRow,
    pub new: EvalRow,
}

impl Candidate {
    pub fn objective(&self) -> f64 {
        (self.all.recall_at_20 + self.new.recall_at_20) / 2.0
    }
}

/// One validation split: `data` before `end`, cut again `validation_days` earlier.
pub fn validation_split(data: &Dataset, end: i64, validation_days: i64) -> Split {
    let before = data.filtered(|i| i.time < end);
    Split::new(&before, end - validation_days * DAY)
}

/// The rolling-origin folds: fold k ends k days before `split`.
pub fn validation_folds(
    data: &Dataset,
    split: i64,
    validation_days: i64,
    folds: usize,
) -> Vec<Split> {
    (0..folds as i64)
        .map(|k| validation_split(data, split - k * DAY, validation_days))
        .collect()
}

/// The user-weighted mean of the same row over several folds (coverage: the plain mean).
pub fn pool(rows: &[EvalRow]) -> EvalRow {
    let users: usize = rows.iter().map(|r| r.users).sum();
    let weighted = |f: fn(&EvalRow) -> f64| {
        if users == 0 {
            return 0.0;
        }
        rows.iter().map(|r| f(r) * r.users as f64).sum::<f64>() / users as f64
    };
    let n = rows.len().max(1) as f64;
    EvalRow {
        model: rows.first().map(|r| r.model.clone()).unwrap_or_default(),
        scope: rows.first().map_or(crate::eval::Scope::All, |r| r.scope),
        users,
        recall_at_10: weighted(|r| r.recall_at_10),
        recall_at_20: weighted(|r| r.recall_at_20),
        ndcg_at_10: weighted(|r| r.ndcg_at_10),
        coverage_at_20: rows.iter().map(|r| r.coverage_at_20).sum::<f64>() / n,
        train_seconds: rows.iter().map(|r| r.train_seconds).sum(),
    }
}

/// The grid searched for each algorithm, around `base`.
pub fn grid(base: RecsParams) -> Vec<RecsParams> {
    let mut out = vec![RecsParams::new(Algorithm::Popularity)];
    for half_life in [7.0, 30.0, 365.0] {
        for lambda in [30.0, 100.0, 200.0, 300.0, 1000.0, 3000.0] {
            for repeat_weight in [0.0, 0.05, 0.1, 0.3, 1.0, 3.0, 10.0] {
                for content_weight in [0.0, 0.01, 0.02, 0.03, 0.05, 0.1] {
                    out.push(
                        base.algorithm(Algorithm::Ease)
                            .half_life_days(half_life)
                            .ease(EaseParams {
                                lambda,
                                repeat_weight,
                                content_weight,
                                ..base.values().ease()
                            }),
                    );
                }
            }
        }
        for factors in [32, 128] {
            for reg in [0.003, 0.03] {
                for alpha in [1.0, 10.0] {
                    for unobserved_weight in [0.03, 0.3] {
                        out.push(
                            base.algorithm(Algorithm::Ials)
                                .half_life_days(half_life)
                                .ials(IalsParams {
                                    factors,
                                    reg,
                                    alpha,
                                    unobserved_weight,
                                    ..base.values().ials()
                                }),
                        );
                    }
                }
            }
        }
        // The ensemble around the two engines' defaults: how much iALS, and how big.
        for factors in [64, 128] {
            for ials_weight in [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0] {
                out.push(
                    base.algorithm(Algorithm::Ensemble)
                        .half_life_days(half_life)
                        .ials(IalsParams {
                            factors,
                            ..base.values().ials()
                        })
                        .ensemble(EnsembleParams { ials_weight }),
                );
            }
        }
    }
    out
}

/// What a fit depends on: `params` without the weights that only enter scoring (EASE's
/// repeat and title weights, the ensemble's iALS weight), which [`PostFit`] rescores.
fn fit_key(params: &RecsValidParams) -> RecsValidParams {
    let mut key = *params;
    key.ease.repeat_weight = 0.0;
    key.ease.content_weight = 0.0;
    key.ensemble.ials_weight = 0.0;
    key
}

/// Scores every grid point of `algorithms` on the rolling-origin folds, best first;
/// `on_candidate` sees each as it finishes (for a progress bar).
pub fn tune(
    data: &Dataset,
    split: i64,
    validation_days: i64,
    folds: usize,
    algorithms: &[Algorithm],
    mut on_candidate: impl FnMut(&Candidate, usize, usize),
) -> Result<Vec<Candidate>> {
    let splits = validation_folds(data, split, validation_days, folds);
    let points: Vec<RecsParams> = grid(RecsParams::default())
        .into_iter()
        .filter(|p| algorithms.contains(&p.values().algorithm()))
        .collect();
    let mut out = Vec::with_capacity(points.len());
    // The post-fit weights only enter scoring: points that differ in nothing else share one
    // fit (and one title similarity) per fold; the grid lists them next to each other.
    let mut fits: Option<(RecsValidParams, Vec<PostFit>)> = None;
    for (n, p) in points.iter().enumerate() {
        let params = p.check()?;
        let key = fit_key(&params);
        if fits.as_ref().is_none_or(|(fitted, _)| *fitted != key) {
            let fitted = splits
                .iter()
                .map(|split| PostFit::new(split, &key, &data.item_titles))
                .collect::<Result<_>>()?;
            fits = Some((key, fitted));
        }
        let (_, fitted) = fits.as_mut().expect("set above");
        let rows: Vec<[EvalRow; 2]> = splits
            .iter()
            .zip(fitted)
            .map(|(split, fit)| fit.score(split, &params))
            .collect();
        let all: Vec<EvalRow> = rows.iter().map(|r| r[0].clone()).collect();
        let new: Vec<EvalRow> = rows.iter().map(|r| r[1].clone()).collect();
        let candidate = Candidate {
            params,
            all: pool(&all),
            new: pool(&new),
        };
        on_candidate(&candidate, n + 1, points.len());
        out.push(candidate);
    }
    out.sort_by(|a, b| b.objective().total_cmp(&a.objective()));
    Ok(out)
}

/// One fit on one fold (of a [`fit_key`]), rescored with the post-fit weights of each point.
struct PostFit {
    plain: crate::Model,
    similarity: Option<ndarray::Array2<f32>>,
    /// `plain` blended with the title weight of the last point scored.
    blended: Option<(f64, crate::Model)>,
    train_seconds: f64,
}

impl PostFit {
    fn new(split: &Split, key: &RecsValidParams, titles: &[String]) -> Result<PostFit> {
        let started = std::time::Instant::now();
        let model = key.fit(&split.train)?;
        Ok(PostFit {
            similarity: model.title_similarity(titles),
            plain: model,
            blended: None,
            train_seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn score(&mut self, split: &Split, params: &RecsValidParams) -> [EvalRow; 2] {
        let ease = params.ease();
        let model = match &self.similarity {
            Some(s) if ease.content_weight != 0.0 => {
                if self
                    .blended
                    .as_ref()
                    .is_none_or(|b| b.0 != ease.content_weight)
                {
                    let mut m = self.plain.clone();
                    m.blend_similarity(s, ease.content_weight);
                    self.blended = Some((ease.content_weight, m));
                }
                &mut self.blended.as_mut().expect("set above").1
            }
            _ => &mut self.plain,
        };
        model.set_repeat_weight(ease.repeat_weight);
        model.set_ials_weight(params.ensemble().ials_weight);
        split.score(model, params.algorithm().name(), self.train_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Interaction, Signal};
    use crate::eval::Scope;

    fn row(users: usize, recall: f64, coverage: f64) -> EvalRow {
        EvalRow {
            model: "ease".into(),
            scope: Scope::All,
            users,
            recall_at_10: recall,
            recall_at_20: recall,
            ndcg_at_10: recall,
            coverage_at_20: coverage,
            train_seconds: 1.0,
        }
    }

    #[test]
    fn pooling_weights_folds_by_their_users() {
        // 3 users at 0.5 and 1 user at 0.1: (1.5 + 0.1) / 4 = 0.4.
        let pooled = pool(&[row(3, 0.5, 0.2), row(1, 0.1, 0.4)]);
        assert_eq!(pooled.users, 4);
        assert!((pooled.recall_at_20 - 0.4).abs() < 1e-12);
        assert!((pooled.coverage_at_20 - 0.3).abs() < 1e-12);
        assert_eq!(pool(&[row(0, 0.0, 0.0)]).recall_at_20, 0.0);
    }

    /// One buyer per day, each buying on day d and again on day d + 2: fold k (ending k days
    /// before the split, validating on its last 2 days) sees exactly the buyers whose second
    /// purchase falls in its window and whose first falls before it.
    #[test]
    fn each_fold_trains_before_its_window_and_scores_only_inside_it() {
        let buy = |user, day: i64| Interaction {
            user,
            item: user,
            time: day * DAY,
            signal: Signal::Purchase,
        };
        let interactions = (0..8u32)
            .flat_map(|u| [buy(u, i64::from(u)), buy(u, i64::from(u) + 2)])
            .collect();
        let data = Dataset {
            n_users: 8,
            n_items: 8,
            interactions,
            ..Dataset::default()
        };
        let folds = validation_folds(&data, 10 * DAY, 2, 3);
        // Fold 0 validates days 8–9: buyers 6 and 7 (first purchase days 6, 7). Fold 1: days
        // 7–8, buyers 5 and 6. Fold 2: days 6–7, buyers 4 and 5.
        let users: Vec<usize> = folds.iter().map(Split::users).collect();
        assert_eq!(users, vec![2, 2, 2]);
        let latest: Vec<Option<i64>> = folds.iter().map(|f| f.train.latest()).collect();
        assert_eq!(latest, vec![Some(7 * DAY), Some(6 * DAY), Some(5 * DAY)]);
    }
}
