//! The offline evaluation protocol of issue 4: a global temporal split (train on everything
//! before `split`, test on the purchases from `split` on), users who purchased on both sides,
//! a top-20 list per user ranked over the full catalogue, and two scopes:
//!
//! - "all": relevant = every item the user bought in the test window; the list excludes
//!   nothing, so re-ordering what one bought before counts (wholesale buyers do).
//! - "new": relevant = the test items the user had not bought in training; the list excludes
//!   those training purchases, since they can never be relevant in this scope. This measures
//!   discovery on its own instead of charging it for slots that the "all" scope rewards.
//!
//! It reports what `vitrine evaluate` prints and what `vitrine train` uses to decide whether a
//! model may be published. It never tunes: candidates arrive with fixed params.

use crate::data::{Dataset, Event, Signal};
use crate::metrics::{coverage_at_k, ndcg_at_k, recall_at_k};
use crate::model::Model;
use crate::params::{RecsValidParams, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Instant;

/// 2010-12-13 00:00:00 UTC, the split of the benchmark.
pub const BENCHMARK_SPLIT: i64 = 1_292_198_400;

/// Which test items count as relevant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    All,
    New,
}

/// One line of the evaluation table (and one object of `vitrine evaluate --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalRow {
    pub model: String,
    pub scope: Scope,
    pub users: usize,
    pub recall_at_10: f64,
    pub recall_at_20: f64,
    pub ndcg_at_10: f64,
    pub coverage_at_20: f64,
    pub train_seconds: f64,
}

/// A temporal split of a dataset, ready to score any number of models.
#[derive(Clone, Debug)]
pub struct Split {
    pub train: Dataset,
    users: Vec<EvalUser>,
}

#[derive(Clone, Debug)]
struct EvalUser {
    history: Vec<Event>,
    bought: HashSet<u32>,
    all: HashSet<u32>,
    new: HashSet<u32>,
}

const LIST: usize = 20;

impl Split {
    /// Splits `data` at unix time `split`.
    pub fn new(data: &Dataset, split: i64) -> Split {
        let train = data.filtered(|i| i.time < split);
        let histories = train.histories();
        let mut tests = vec![HashSet::new(); data.n_users];
        for i in &data.interactions {
            if i.time >= split && i.signal == Signal::Purchase {
                tests[i.user as usize].insert(i.item);
            }
        }
        let users = histories
            .into_iter()
            .zip(tests)
            .filter_map(|(history, all)| {
                let bought: HashSet<u32> = history
                    .iter()
                    .filter(|e| e.signal == Signal::Purchase)
                    .map(|e| e.item)
                    .collect();
                if bought.is_empty() || all.is_empty() {
                    return None;
                }
                let new = all.difference(&bought).copied().collect();
                Some(EvalUser {
                    history,
                    bought,
                    all,
                    new,
                })
            })
            .collect();
        Split { train, users }
    }

    /// How many users are evaluated (scope "all").
    pub fn users(&self) -> usize {
        self.users.len()
    }

    /// Fits `params` on the training side and scores the model: two rows, "all" and "new".
    pub fn fit_and_score(&self, params: &RecsValidParams) -> Result<(Model, [EvalRow; 2])> {
        let started = Instant::now();
        let model = params.fit(&self.train)?;
        let seconds = started.elapsed().as_secs_f64();
        let rows = self.score(&model, params.algorithm().name(), seconds);
        Ok((model, rows))
    }

    /// Scores a fitted model.
    pub fn score(&self, model: &Model, name: &str, train_seconds: f64) -> [EvalRow; 2] {
        [
            self.score_scope(model, name, train_seconds, Scope::All),
            self.score_scope(model, name, train_seconds, Scope::New),
        ]
    }

    fn score_scope(&self, model: &Model, name: &str, train_seconds: f64, scope: Scope) -> EvalRow {
        let mut n = 0usize;
        let (mut r10, mut r20, mut nd10) = (0.0, 0.0, 0.0);
        let mut lists: Vec<Vec<u32>> = Vec::new();
        for user in &self.users {
            let (relevant, recs) = match scope {
                Scope::All => (&user.all, model.recommend(&user.history, LIST, |_| false)),
                Scope::New => (
                    &user.new,
                    model.recommend(&user.history, LIST, |i| user.bought.contains(&i)),
                ),
            };
            let list: Vec<u32> = recs.iter().map(|s| s.item).collect();
            let (Some(a), Some(b), Some(c)) = (
                recall_at_k(&list, relevant, 10),
                recall_at_k(&list, relevant, 20),
                ndcg_at_k(&list, relevant, 10),
            ) else {
                continue;
            };
            n += 1;
            r10 += a;
            r20 += b;
            nd10 += c;
            lists.push(list);
        }
        let mean = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
        EvalRow {
            model: name.to_string(),
            scope,
            users: n,
            recall_at_10: mean(r10),
            recall_at_20: mean(r20),
            ndcg_at_10: mean(nd10),
            coverage_at_20: coverage_at_k(lists.iter().map(Vec::as_slice), 20, self.train.n_items),
            train_seconds,
        }
    }
}

/// The benchmark: fit every candidate on the training side of `split`, score each.
pub fn evaluate(
    data: &Dataset,
    split: i64,
    candidates: &[RecsValidParams],
) -> Result<Vec<EvalRow>> {
    let split = Split::new(data, split);
    let mut rows = Vec::new();
    for params in candidates {
        let (_, scored) = split.fit_and_score(params)?;
        rows.extend(scored);
    }
    Ok(rows)
}

/// The table `vitrine evaluate` prints.
pub fn format_table(rows: &[EvalRow]) -> String {
    let mut out = format!(
        "{:<11} {:<5} {:>5} {:>9} {:>9} {:>8} {:>10} {:>8}\n",
        "model", "scope", "users", "recall@10", "recall@20", "ndcg@10", "coverage@20", "train_s"
    );
    for r in rows {
        let scope = match r.scope {
            Scope::All => "all",
            Scope::New => "new",
        };
        out.push_str(&format!(
            "{:<11} {:<5} {:>5} {:>9.4} {:>9.4} {:>8.4} {:>10.4} {:>8.3}\n",
            r.model,
            scope,
            r.users,
            r.recall_at_10,
            r.recall_at_20,
            r.ndcg_at_10,
            r.coverage_at_20,
            r.train_seconds
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Interaction;
    use crate::params::{Algorithm, RecsParams};
    use linfa::ParamGuard;

    #[test]
    fn users_need_purchases_on_both_sides_and_new_items_exclude_training_purchases() {
        let buy = Interaction::purchase;
        let data = Dataset {
            n_users: 3,
            n_items: 4,
            interactions: vec![
                buy(0, 0, 10),
                buy(0, 0, 30),
                buy(0, 1, 30),
                buy(1, 2, 10),
                buy(2, 3, 30),
            ],
            item_category: Vec::new(),
            item_titles: Vec::new(),
        };
        let split = Split::new(&data, 20);
        assert_eq!(split.users(), 1);
        let params = RecsParams::new(Algorithm::Popularity)
            .check()
            .expect("params");
        let (_, [all, new]) = split.fit_and_score(&params).expect("fit");
        assert_eq!((all.users, new.users), (1, 1));
        assert_eq!(all.scope, Scope::All);
        // Popularity from training: items 0 and 2, both once. User 0 bought 0 and 1 in test.
        assert!((all.recall_at_20 - 0.5).abs() < 1e-12);
        // "New" lists leave out item 0 (bought in training): just item 2, not relevant.
        assert_eq!(new.recall_at_20, 0.0);
        // Lists hold items 0 and 2 of 4, then item 2 alone: coverage 0.5 and 0.25.
        assert!((all.coverage_at_20 - 0.5).abs() < 1e-12);
        assert!((new.coverage_at_20 - 0.25).abs() < 1e-12);
    }
}
