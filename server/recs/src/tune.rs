//! Hyperparameter search on a validation split carved from the training window only: with the
//! benchmark split at S, candidates train on data before S − `validation_days` and are scored
//! on the purchases of [S − `validation_days`, S). The test window is never looked at, so the
//! benchmark stays an honest out-of-sample figure.
//!
//! The objective is the mean of Recall@20 over "all" and over "new" items: the first rewards
//! knowing what a buyer re-orders, the second finding what they have not bought yet, and the
//! issue sets targets on both.

use crate::data::Dataset;
use crate::eval::{EvalRow, Split};
use crate::params::{Algorithm, EaseParams, IalsParams, RecsParams, RecsValidParams, Result};
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

/// The validation split: `data` before `split`, cut again `validation_days` earlier.
pub fn validation_split(data: &Dataset, split: i64, validation_days: i64) -> Split {
    let before = data.filtered(|i| i.time < split);
    Split::new(&before, split - validation_days * DAY)
}

/// The grid searched for each algorithm, around `base`.
pub fn grid(base: RecsParams) -> Vec<RecsParams> {
    let mut out = vec![base.algorithm(Algorithm::Popularity)];
    for half_life in [7.0, 30.0, 365.0] {
        for lambda in [30.0, 100.0, 200.0, 300.0, 1000.0, 3000.0] {
            for repeat_weight in [0.0, 0.05, 0.1, 0.3, 1.0] {
                out.push(
                    base.algorithm(Algorithm::Ease)
                        .half_life_days(half_life)
                        .ease(EaseParams {
                            lambda,
                            repeat_weight,
                        }),
                );
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
    }
    out
}

/// Scores every grid point on the validation split, best first; `on_candidate` sees each as
/// it finishes (for a progress bar).
pub fn tune(
    data: &Dataset,
    split: i64,
    validation_days: i64,
    mut on_candidate: impl FnMut(&Candidate, usize, usize),
) -> Result<Vec<Candidate>> {
    let validation = validation_split(data, split, validation_days);
    let points = grid(RecsParams::default());
    let mut out = Vec::with_capacity(points.len());
    // The repeat weight only enters scoring: EASE points that differ in nothing else share
    // one fit (the grid lists them next to each other).
    let mut last_ease: Option<(RecsValidParams, crate::Model)> = None;
    for (n, p) in points.iter().enumerate() {
        let params = p.check()?;
        let shared = last_ease.as_ref().filter(|(fitted, _)| {
            params.algorithm() == Algorithm::Ease
                && fitted.weighting() == params.weighting()
                && fitted.ease().lambda == params.ease().lambda
        });
        let [all, new] = match shared {
            Some((_, model)) => {
                let mut model = model.clone();
                model.set_repeat_weight(params.ease().repeat_weight);
                validation.score(&model, "ease", 0.0)
            }
            None => {
                let (model, rows) = validation.fit_and_score(&params)?;
                if params.algorithm() == Algorithm::Ease {
                    last_ease = Some((params, model));
                }
                rows
            }
        };
        let candidate = Candidate { params, all, new };
        on_candidate(&candidate, n + 1, points.len());
        out.push(candidate);
    }
    out.sort_by(|a, b| b.objective().total_cmp(&a.objective()));
    Ok(out)
}
