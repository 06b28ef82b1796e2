//! Fitting and serving: [`RecsValidParams::fit`] turns a [`Dataset`] into a [`Model`], and the
//! model answers `recommend` from memory (a profile, one pass over the item weights, a top-k).
//!
//! Every model carries the popularity lists, so a visitor without history, a product nobody
//! co-bought, or a visitor who switched personalisation off still gets an answer.

use crate::data::{Dataset, Event, Signal, Weighting};
use crate::ease::Ease;
use crate::ensemble::Ensemble;
use crate::ials::Ials;
use crate::invoices::{MultiInvoice, Propensity};
use crate::params::{Algorithm, RecsError, RecsValidParams, Result};
use crate::popularity::Popularity;
use crate::rank::{Scored, top_k};

/// A fitted recommender.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) weighting: Weighting,
    pub(crate) n_items: usize,
    pub(crate) popularity: Popularity,
    pub(crate) engine: Engine,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Engine {
    Popularity,
    Ease(Ease),
    Ials(Ials),
    Ensemble(Ensemble),
}

fn check_dataset(data: &Dataset) -> Result<()> {
    if data.interactions.is_empty() {
        return Err(RecsError::EmptyDataset);
    }
    for i in &data.interactions {
        if i.user as usize >= data.n_users || i.item as usize >= data.n_items {
            return Err(RecsError::OutOfRange {
                user: i.user,
                item: i.item,
                n_users: data.n_users,
                n_items: data.n_items,
            });
        }
    }
    Ok(())
}

impl RecsValidParams {
    /// Fits the model named by [`RecsValidParams::algorithm`].
    ///
    /// # Errors
    /// An empty dataset, an interaction outside `n_users × n_items`, or a failed
    /// factorisation.
    pub fn fit(&self, data: &Dataset) -> Result<Model> {
        self.fit_with(data, |_, _| {})
    }

    /// [`Self::fit`], reporting `(iteration, loss)` while iALS trains.
    pub fn fit_with(&self, data: &Dataset, on_iteration: impl FnMut(usize, f64)) -> Result<Model> {
        check_dataset(data)?;
        let reference = data.latest().unwrap_or_default();
        let histories = data.histories();
        let rows: Vec<Vec<(u32, f64)>> = histories
            .iter()
            .map(|h| self.weighting.profile_at(h, data.n_items, reference))
            .collect();
        let cap = self.weighting.signals.purchase;
        let popularity = Popularity::fit(&rows, data.n_items, cap, &data.item_category);
        // Steck's X is binary: in the Gram matrix an item counts at most one recent purchase
        // however often it was re-ordered (re-orders enter the scores through `repeat_weight`
        // instead).
        // Each invoice of a multi-invoice customer adds a row of its own (basket_weight).
        let ease = || {
            let invoices = MultiInvoice::of(&histories);
            let capped: Vec<Vec<(u32, f64)>> = rows
                .iter()
                .map(|r| r.iter().map(|&(i, v)| (i, v.min(cap))).collect())
                .chain(invoices.rows(self.ease.basket_weight))
                .collect();
            let mut ease = Ease::fit(&capped, data.n_items, &self.ease, &data.item_titles)?;
            ease.propensity = Propensity {
                exponent: self.ease.repeat_propensity as f32,
                typical: invoices.typical_share().unwrap_or(0.0) as f32,
            };
            Ok::<Ease, RecsError>(ease)
        };
        let ials =
            |on_iteration| Ials::fit(&rows, data.n_items, &self.ials, self.seed, on_iteration);
        let engine = match self.algorithm {
            Algorithm::Popularity => Engine::Popularity,
            Algorithm::Ease => Engine::Ease(ease()?),
            Algorithm::Ials => Engine::Ials(ials(on_iteration)?),
            Algorithm::Ensemble => Engine::Ensemble(Ensemble {
                ease: ease()?,
                ials: ials(on_iteration)?,
                ials_weight: self.ensemble.ials_weight as f32,
            }),
        };
        Ok(Model {
            weighting: self.weighting,
            n_items: data.n_items,
            popularity,
            engine,
        })
    }
}

impl Model {
    pub fn algorithm(&self) -> Algorithm {
        match self.engine {
            Engine::Popularity => Algorithm::Popularity,
            Engine::Ease(_) => Algorithm::Ease,
            Engine::Ials(_) => Algorithm::Ials,
            Engine::Ensemble(_) => Algorithm::Ensemble,
        }
    }

    /// The EASE part of the model, if it has one.
    fn ease(&self) -> Option<&Ease> {
        match &self.engine {
            Engine::Ease(ease) | Engine::Ensemble(Ensemble { ease, .. }) => Some(ease),
            _ => None,
        }
    }

    /// [`Self::ease`], to change.
    fn ease_mut(&mut self) -> Option<&mut Ease> {
        match &mut self.engine {
            Engine::Ease(ease) | Engine::Ensemble(Ensemble { ease, .. }) => Some(ease),
            _ => None,
        }
    }

    /// Sets the ensemble's iALS weight (it only enters scoring, like the repeat weight). No
    /// effect on other engines.
    pub fn set_ials_weight(&mut self, ials_weight: f64) {
        if let Engine::Ensemble(e) = &mut self.engine {
            e.ials_weight = ials_weight as f32;
        }
    }

    /// Sets EASE's re-order weight (it only enters scoring, so a fitted model can be rescored
    /// with another; the tuning grid uses this). No effect on engines without EASE.
    pub fn set_repeat_weight(&mut self, repeat_weight: f64) {
        if let Some(ease) = self.ease_mut() {
            ease.repeat_weight = repeat_weight as f32;
        }
    }

    /// EASE's title similarity between its items (`titles` holds one title per item), which
    /// [`Self::blend_similarity`] adds to the weights as a fit with
    /// [`crate::EaseParams::content_weight`] would have: the tuning grid computes it once per
    /// fit and rescores with several weights. `None` for engines without EASE.
    pub(crate) fn title_similarity(&self, titles: &[String]) -> Option<ndarray::Array2<f32>> {
        self.ease()?.title_similarity(titles)
    }

    /// Adds `weight × similarity` (from [`Self::title_similarity`] of this fit).
    pub(crate) fn blend_similarity(&mut self, similarity: &ndarray::Array2<f32>, weight: f64) {
        if let Some(ease) = self.ease_mut() {
            ease.blend(similarity, weight);
        }
    }

    /// The ensemble of an EASE model and an iALS model fitted on the same data with the same
    /// weighting, as [`RecsValidParams::fit`] with [`Algorithm::Ensemble`] and those two
    /// models' params would fit it (without fitting either again). `None` when the two are
    /// not such a pair.
    pub fn ensemble(ease: &Model, ials: &Model, ials_weight: f64) -> Option<Model> {
        let (Engine::Ease(e), Engine::Ials(i)) = (&ease.engine, &ials.engine) else {
            return None;
        };
        let same_data = ease.weighting == ials.weighting
            && ease.n_items == ials.n_items
            && ease.popularity == ials.popularity;
        same_data.then(|| Model {
            engine: Engine::Ensemble(Ensemble {
                ease: e.clone(),
                ials: i.clone(),
                ials_weight: ials_weight as f32,
            }),
            ..ease.clone()
        })
    }

    /// How many items the model knows (indices `0..n_items`).
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// The popularity lists every model carries.
    pub fn popularity(&self) -> &Popularity {
        &self.popularity
    }

    /// The `k` best items for a user with these events (any order; unknown items ignored),
    /// best first, skipping every item `exclude` rejects. Without usable history this is the
    /// popularity list.
    pub fn recommend(
        &self,
        history: &[Event],
        k: usize,
        exclude: impl Fn(u32) -> bool,
    ) -> Vec<Scored> {
        let profile = self.weighting.profile(history, self.n_items);
        if profile.is_empty() {
            return self.popularity.top(k, exclude);
        }
        let scores = match &self.engine {
            Engine::Popularity => return self.popularity.top(k, exclude),
            Engine::Ease(ease) => {
                Ok(ease.scores(&profile, self.n_items, ease.repeat_weight_for(history)))
            }
            Engine::Ials(ials) => ials.scores(&profile),
            Engine::Ensemble(ensemble) => ensemble.scores(
                &profile,
                self.n_items,
                ensemble.ease.repeat_weight_for(history),
            ),
        };
        let Ok(scores) = scores else {
            // A fold-in cannot fail for a positive definite system; popularity is the safe
            // answer if it ever does.
            return self.popularity.top(k, exclude);
        };
        top_k(&scores, self.popularity.scores(), k, exclude)
    }

    /// "Customers also bought": the items that go with `item`, never `item` itself.
    pub fn related(&self, item: u32, k: usize, exclude: impl Fn(u32) -> bool) -> Vec<Scored> {
        let history = [Event {
            item,
            time: 0,
            signal: Signal::Purchase,
        }];
        if matches!(self.engine, Engine::Popularity) || item as usize >= self.n_items {
            return Vec::new();
        }
        self.recommend(&history, k, |i| i == item || exclude(i))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::Interaction;
    use crate::params::RecsParams;
    use linfa::ParamGuard;

    pub(crate) fn toy() -> Dataset {
        // Users 0..6 buy items {0,1,2}; users 6..12 buy {3,4}; everyone but user 0 buys 5.
        let mut interactions = Vec::new();
        for user in 0..12u32 {
            let items: &[u32] = if user < 6 { &[0, 1, 2] } else { &[3, 4] };
            for (n, &item) in items.iter().enumerate() {
                if !(user + n as u32).is_multiple_of(4) {
                    interactions.push(Interaction {
                        user,
                        item,
                        time: 1_000_000 + i64::from(user) * 3600,
                        signal: Signal::Purchase,
                    });
                }
            }
            if user != 0 {
                interactions.push(Interaction {
                    user,
                    item: 5,
                    time: 1_000_000,
                    signal: Signal::Purchase,
                });
            }
        }
        Dataset {
            n_users: 12,
            n_items: 7,
            interactions,
            item_category: vec![0, 0, 0, 1, 1, 2, 2],
            item_titles: Vec::new(),
        }
    }

    fn ev(item: u32) -> Event {
        Event {
            item,
            time: 1_000_000,
            signal: Signal::Purchase,
        }
    }

    #[test]
    fn every_algorithm_recommends_the_co_bought_group_and_honours_exclusions() {
        for algorithm in [Algorithm::Ease, Algorithm::Ials, Algorithm::Ensemble] {
            let model = RecsParams::new(algorithm)
                .check()
                .expect("params")
                .fit(&toy())
                .expect("fit");
            let recs = model.recommend(&[ev(3)], 2, |i| i == 3 || i == 5);
            assert_eq!(
                recs.first().map(|s| s.item),
                Some(4),
                "{algorithm:?}: {recs:?}"
            );
            let related = model.related(0, 2, |i| i == 5);
            let items: Vec<u32> = related.iter().map(|s| s.item).collect();
            assert!(
                items.contains(&1) && items.contains(&2),
                "{algorithm:?}: {items:?}"
            );
        }
    }

    /// EASE with the default params but for `change`, fitted on `data`.
    fn fit_ease(data: &Dataset, change: impl FnOnce(&mut crate::EaseParams)) -> Model {
        let base = RecsParams::new(Algorithm::Ease);
        let mut ease = base.values().ease();
        change(&mut ease);
        base.ease(ease)
            .check()
            .expect("params")
            .fit(data)
            .expect("fit")
    }

    /// The tuning grid rescores one EASE fit with other repeat weights: that must be the
    /// same model a fresh fit with that weight gives.
    #[test]
    fn a_refitted_repeat_weight_equals_a_rescored_one() {
        let fit = |w: f64| fit_ease(&toy(), |e| e.repeat_weight = w);
        let mut rescored = fit(0.0);
        rescored.set_repeat_weight(2.5);
        let fresh = fit(2.5);
        assert_eq!(rescored, fresh);
        assert_ne!(fit(0.0), fresh, "the weight is part of the model");
    }

    /// Likewise for the title blend, which moves the weight between two items by γ × their
    /// title cosine and leaves items without a shared word alone.
    #[test]
    fn a_fitted_title_blend_equals_a_rescored_one_and_raises_similar_titles() {
        let mut data = toy();
        data.item_titles = [
            "heart tin",
            "heart box",
            "heart cup",
            "star lamp",
            "star lamp",
            "bag",
            "bag",
        ]
        .map(String::from)
        .to_vec();
        let fit = |w: f64| fit_ease(&data, |e| e.content_weight = w);
        let plain = fit(0.0);
        let mut rescored = plain.clone();
        let similarity = plain.title_similarity(&data.item_titles).expect("EASE");
        rescored.blend_similarity(&similarity, 0.5);
        let fresh = fit(0.5);
        assert_eq!(rescored, fresh);
        let score = |m: &Model, of: u32, item: u32| {
            let Engine::Ease(e) = &m.engine else {
                panic!("EASE")
            };
            e.scores(&[(of, 1.0)], data.n_items, e.repeat_weight)[item as usize]
        };
        // Identical titles: cosine 1, so the weight rises by exactly 0.5.
        assert!((score(&fresh, 3, 4) - score(&plain, 3, 4) - 0.5).abs() < 1e-6);
        // Items 0 and 3 share no word: unchanged.
        assert_eq!(score(&fresh, 0, 3), score(&plain, 0, 3));
    }

    /// `vitrine train` composes the ensemble from the EASE and iALS candidates it already
    /// fitted; that must be the model a direct fit gives, and rescoring its iALS weight must
    /// equal refitting with it. Weight 0 ranks exactly as EASE alone.
    #[test]
    fn a_composed_ensemble_equals_a_fitted_one_and_weight_zero_is_ease() {
        let data = toy();
        let fit = |algorithm, ials_weight| {
            RecsParams::new(algorithm)
                .ensemble(crate::EnsembleParams { ials_weight })
                .check()
                .expect("params")
                .fit(&data)
                .expect("fit")
        };
        let ease = fit(Algorithm::Ease, 0.0);
        let ials = fit(Algorithm::Ials, 0.0);
        let fitted = fit(Algorithm::Ensemble, 0.7);
        assert_eq!(Model::ensemble(&ease, &ials, 0.7), Some(fitted.clone()));
        assert_eq!(Model::ensemble(&ials, &ease, 0.7), None);
        let mut rescored = fit(Algorithm::Ensemble, 0.0);
        rescored.set_ials_weight(0.7);
        assert_eq!(rescored, fitted);
        let items = |m: &Model, history: &[Event]| -> Vec<u32> {
            m.recommend(history, 7, |_| false)
                .iter()
                .map(|s| s.item)
                .collect()
        };
        let zero = fit(Algorithm::Ensemble, 0.0);
        for history in [vec![ev(0)], vec![ev(3), ev(4)], vec![ev(1), ev(5)]] {
            assert_eq!(
                items(&zero, &history),
                items(&ease, &history),
                "{history:?}"
            );
        }
    }

    #[test]
    fn no_history_gets_the_popular_list() {
        let model = RecsParams::default()
            .check()
            .expect("params")
            .fit(&toy())
            .expect("fit");
        let recs = model.recommend(&[], 1, |_| false);
        assert_eq!(recs.first().map(|s| s.item), Some(5));
        assert_eq!(model.recommend(&[ev(99)], 1, |_| false), recs);
    }

    #[test]
    fn empty_and_out_of_range_datasets_are_rejected() {
        let p = RecsParams::default().check().expect("params");
        assert!(matches!(
            p.fit(&Dataset::default()),
            Err(RecsError::EmptyDataset)
        ));
        let mut bad = toy();
        bad.n_items = 3;
        assert!(matches!(p.fit(&bad), Err(RecsError::OutOfRange { .. })));
    }
}
