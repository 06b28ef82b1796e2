//! Turning a score per item into a top-k list: the one place that decides order and ties, so
//! every model (and a model read back from disk) ranks identically.

use serde::{Deserialize, Serialize};

/// An item and the score that ranked it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub item: u32,
    pub score: f32,
}

/// The `k` best items by `scores`, skipping what `exclude` rejects. Ties (common: EASE gives 0
/// to every item that never co-occurs with the history) go to the more popular item, then to
/// the lower index, so the order is total and reproducible.
pub fn top_k(
    scores: &[f32],
    popularity: &[f32],
    k: usize,
    exclude: impl Fn(u32) -> bool,
) -> Vec<Scored> {
    if k == 0 {
        return Vec::new();
    }
    let pop = |i: u32| popularity.get(i as usize).copied().unwrap_or(0.0);
    let cmp = |a: &u32, b: &u32| {
        scores[*b as usize]
            .total_cmp(&scores[*a as usize])
            .then(pop(*b).total_cmp(&pop(*a)))
            .then(a.cmp(b))
    };
    let mut candidates: Vec<u32> = (0..scores.len() as u32)
        .filter(|&i| scores[i as usize].is_finite() && !exclude(i))
        .collect();
    if candidates.len() > k {
        candidates.select_nth_unstable_by(k - 1, cmp);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(cmp);
    candidates
        .into_iter()
        .map(|item| Scored {
            item,
            score: scores[item as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_with_popularity_breaking_ties_and_exclusions_honoured() {
        let scores = [0.5, 0.0, 2.0, 0.0, 1.0];
        let pop = [0.0, 1.0, 0.0, 5.0, 0.0];
        let top: Vec<u32> = top_k(&scores, &pop, 4, |i| i == 4)
            .iter()
            .map(|s| s.item)
            .collect();
        assert_eq!(top, vec![2, 0, 3, 1]);
        assert!(top_k(&scores, &pop, 0, |_| false).is_empty());
        assert_eq!(top_k(&scores, &pop, 99, |_| false).len(), 5);
    }
}
