//! Pooling per category and the elasticity posterior a proposal draws from.
//!
//! The category's estimate is a random-effects meta-analysis of its fitted variants: the
//! between-variant variance τ² is estimated from how much the variants' elasticities disagree
//! beyond their standard errors, and the pooled mean weighs each variant by `1 / (se² + τ²)`.
//! A variant's prior is then N(pooled mean, τ² + var(pooled mean)): where a new variant's
//! elasticity is likely to lie, not just where the category's average lies.
//!
//! **τ² has a prior too** ([`super::DemandParams::tau_prior_weight`]): the default prior's
//! variance, worth ν₀ variants (default 2). Each fitted variant then counts by its
//! reliability squared, `(τ²/(τ² + se²))²`: one whose standard error is small beside τ
//! counts fully, one whose standard error swamps τ hardly at all. The method-of-moments
//! estimate of DerSimonian & Laird (1986) it replaces treats every variant as evidence: days
//! into a run, when each variant had a few days at two prices and standard errors of 1–4, it
//! found no disagreement beyond those errors, set τ² to 0 and handed every variant a prior
//! of sd 0.3–0.6 around the category mean, overconfident (the elasticities really spread
//! with sd ≈ 1), so that Thompson sampling barely explored and each variant's own evidence
//! was drowned. On the simulator this took the engine from 94.8% to 95.4% of the oracle's
//! profit over seeds 1..20 (95.0% → 95.3% over the held-out 21..40). The variant's own fit enters its category's mean too (no leave-one-out); with at least
//! [`super::DemandParams::min_pool_products`] variants that double counts at most a share of
//! its data, accepted to keep pooling one pass.

use super::{DemandModel, DemandValidParams};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// A normal belief about a price elasticity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Elasticity {
    pub mean: f64,
    pub sd: f64,
}

/// z for the two-sided 95% interval shown with a proposal.
pub const Z_95: f64 = 1.959_963_984_540_054;

impl Elasticity {
    /// A belief with no uncertainty (the simulator's oracle, tests).
    pub fn known(elasticity: f64) -> Self {
        Elasticity {
            mean: elasticity,
            sd: 0.0,
        }
    }

    /// `(mean − z·sd, mean + z·sd)`.
    pub fn interval(&self, z: f64) -> (f64, f64) {
        (self.mean - z * self.sd, self.mean + z * self.sd)
    }

    /// One draw from the belief (Thompson sampling).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        self.mean + self.sd * z
    }

    /// The normal–normal posterior of this prior after an estimate with `std_error`: precision
    /// weighted. A non-finite or non-positive standard error carries no information.
    pub fn update(self, estimate: f64, std_error: f64) -> Elasticity {
        let prior_precision = 1.0 / (self.sd * self.sd);
        let data_precision = 1.0 / (std_error * std_error);
        if !(estimate.is_finite() && data_precision.is_finite() && data_precision > 0.0) {
            return self;
        }
        if !prior_precision.is_finite() {
            return self; // a known prior (sd 0) stays known
        }
        let precision = prior_precision + data_precision;
        Elasticity {
            mean: (self.mean * prior_precision + estimate * data_precision) / precision,
            sd: precision.recip().sqrt(),
        }
    }
}

/// A category's pooled elasticity: the prior of each of its variants.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryPrior {
    pub elasticity: Elasticity,
    /// Fitted variants pooled; 0 when the category had too few and this is the default prior.
    pub products: usize,
    /// The estimated between-variant standard deviation τ (0 for the default prior).
    pub tau: f64,
}

/// What the optimiser needs about one variant today.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemandEstimate {
    /// The posterior: the category prior updated with the variant's own fit, if it had one.
    pub elasticity: Elasticity,
    /// Whether the variant's own data entered the posterior (false: pooled estimate only).
    pub fitted: bool,
    /// Expected units per day at `at_price_minor`.
    pub units_per_day: f64,
    pub at_price_minor: i64,
}

impl DemandEstimate {
    /// Expected units per day at `price_minor` if the elasticity were `elasticity`
    /// (constant elasticity around the current price).
    pub fn units_at(&self, price_minor: i64, elasticity: f64) -> f64 {
        let ratio = price_minor.max(1) as f64 / self.at_price_minor.max(1) as f64;
        self.units_per_day * ratio.powf(elasticity)
    }
}

impl DemandValidParams {
    /// The category's pooled elasticity from its variants' models (unfitted ones are skipped).
    pub fn pool<'a, I>(&self, models: I) -> CategoryPrior
    where
        I: IntoIterator<Item = &'a DemandModel>,
    {
        let fits: Vec<(f64, f64)> = models
            .into_iter()
            .filter_map(|m| m.glm.as_ref())
            .map(|g| (g.elasticity, g.std_error * g.std_error))
            .filter(|(e, v)| e.is_finite() && v.is_finite() && *v > 0.0)
            .collect();
        if fits.len() < self.min_pool_products {
            return CategoryPrior {
                elasticity: self.default_prior,
                products: 0,
                tau: 0.0,
            };
        }
        let tau2 = self.between_variance(&fits);
        let w_re: Vec<f64> = fits.iter().map(|(_, v)| (v + tau2).recip()).collect();
        let sum_re: f64 = w_re.iter().sum();
        let mean = fits.iter().zip(&w_re).map(|((e, _), w)| e * w).sum::<f64>() / sum_re;
        let sd = (tau2 + sum_re.recip()).sqrt().max(self.min_prior_sd);
        CategoryPrior {
            elasticity: Elasticity { mean, sd },
            products: fits.len(),
            tau: tau2.sqrt(),
        }
    }

    /// τ², the between-variant variance of `fits` (elasticity, se²), as the fixed point of
    /// `τ² = (ν₀σ₀² + Σ rᵢ((eᵢ − μ)² − seᵢ²)) / (ν₀ + Σ rᵢ)` with `rᵢ = (τ²/(τ² + seᵢ²))²`, μ the
    /// random-effects mean at τ² and σ₀² the default prior's variance: each term
    /// `(eᵢ − μ)² − seᵢ²` is an unbiased estimate of τ², weighted by how much of the variant's
    /// spread is τ² rather than its own noise, plus ν₀ pseudo-variants at σ₀². Iterated from
    /// σ₀² a bounded number of times, so it always ends.
    pub(crate) fn between_variance(&self, fits: &[(f64, f64)]) -> f64 {
        let prior_var = self.default_prior.sd * self.default_prior.sd;
        let nu0 = self.tau_prior_weight;
        let mut tau2 = prior_var;
        for _ in 0..100 {
            let w: Vec<f64> = fits.iter().map(|(_, v)| (v + tau2).recip()).collect();
            let sum_w: f64 = w.iter().sum();
            let mean = fits.iter().zip(&w).map(|((e, _), w)| e * w).sum::<f64>() / sum_w;
            let (mut num, mut den) = (nu0 * prior_var, nu0);
            for (e, v) in fits {
                let reliability = tau2 / (tau2 + v);
                num += reliability * reliability * ((e - mean).powi(2) - v);
                den += reliability * reliability;
            }
            let next = if den > 0.0 { (num / den).max(0.0) } else { 0.0 };
            let converged = (next - tau2).abs() <= 1e-9 * prior_var;
            tau2 = next;
            if converged {
                break;
            }
        }
        tau2
    }

    /// The variant's posterior and expected volume at its current price.
    pub fn estimate(
        &self,
        model: &DemandModel,
        prior: &CategoryPrior,
        current_minor: i64,
    ) -> DemandEstimate {
        let (elasticity, fitted) = match &model.glm {
            Some(g) => (prior.elasticity.update(g.elasticity, g.std_error), true),
            None => (prior.elasticity, false),
        };
        DemandEstimate {
            elasticity,
            fitted,
            units_per_day: model
                .units_per_day(current_minor)
                .unwrap_or(model.mean_units),
            at_price_minor: current_minor,
        }
    }
}
