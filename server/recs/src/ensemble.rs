//! The EASE + iALS ensemble: the two engines fitted on the same rows, a visitor's scores from
//! each min-max scaled to [0, 1] over the catalogue, then `ease + ials_weight × ials`.
//!
//! Why both: EASE is exact about what was bought together, iALS generalises through shared
//! factors, and on the validation folds each puts different relevant items in the top 20
//! (see [`crate::params::EnsembleParams`] and the README). Scaling per visitor is needed
//! because the raw ranges differ by orders of magnitude and from one visitor to the next; a
//! monotone rescaling keeps each engine's own order, so weight 0 ranks exactly as EASE.

use crate::ease::Ease;
use crate::ials::Ials;
use crate::params::Result;

/// A fitted ensemble.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub(crate) ease: Ease,
    pub(crate) ials: Ials,
    pub(crate) ials_weight: f32,
}

/// Rescales the finite scores to [0, 1] in place (all 0 when they are all equal).
pub(crate) fn min_max(scores: &mut [f32]) {
    let (lo, hi) = scores
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let range = hi - lo;
    for v in scores.iter_mut() {
        *v = if range > 0.0 && range.is_finite() {
            (*v - lo) / range
        } else {
            0.0
        };
    }
}

impl Ensemble {
    /// A score for each of `n_items` items given a visitor's `(item, value)` profile and
    /// EASE's repeat weight for them.
    pub fn scores(
        &self,
        profile: &[(u32, f64)],
        n_items: usize,
        repeat_weight: f32,
    ) -> Result<Vec<f32>> {
        let mut out = self.ease.scores(profile, n_items, repeat_weight);
        min_max(&mut out);
        if self.ials_weight != 0.0 {
            let mut ials = self.ials.scores(profile)?;
            min_max(&mut ials);
            for (o, v) in out.iter_mut().zip(ials) {
                *o += self.ials_weight * v;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_maps_the_range_onto_zero_to_one() {
        let mut s = [2.0, -2.0, 0.0, 6.0];
        min_max(&mut s);
        assert_eq!(s, [0.5, 0.0, 0.25, 1.0]);
        let mut flat = [3.0, 3.0];
        min_max(&mut flat);
        assert_eq!(flat, [0.0, 0.0]);
        let mut empty: [f32; 0] = [];
        min_max(&mut empty);
    }
}
