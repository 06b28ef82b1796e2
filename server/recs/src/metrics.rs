//! Ranking metrics for one user (and coverage over many), on binary relevance.
//!
//! Recall@k here is the "truncated" recall used by Steck 2019 and Liang et al. 2018:
//! `hits in the top k / min(k, |relevant|)`. Dividing by |relevant| alone would cap a user
//! with 60 test items at 20/60 even for a perfect list, so users with big baskets (common in
//! this wholesale data) would dominate the average with numbers no model can move; the
//! truncated form is 1 for a perfect list whatever the basket size.

use std::collections::HashSet;

/// Truncated recall: hits among the first `k` of `ranked` / min(k, |relevant|).
/// `None` when nothing is relevant (the user does not count).
pub fn recall_at_k(ranked: &[u32], relevant: &HashSet<u32>, k: usize) -> Option<f64> {
    if relevant.is_empty() || k == 0 {
        return None;
    }
    let hits = ranked
        .iter()
        .take(k)
        .filter(|i| relevant.contains(i))
        .count();
    Some(hits as f64 / k.min(relevant.len()) as f64)
}

/// NDCG@k with gain 1 per relevant item and discount 1/log2(rank + 1), normalised by the
/// best possible list (all relevant items first). `None` when nothing is relevant.
pub fn ndcg_at_k(ranked: &[u32], relevant: &HashSet<u32>, k: usize) -> Option<f64> {
    if relevant.is_empty() || k == 0 {
        return None;
    }
    let discount = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, i)| relevant.contains(i))
        .map(|(r, _)| discount(r))
        .sum();
    let ideal: f64 = (0..k.min(relevant.len())).map(discount).sum();
    Some(dcg / ideal)
}

/// Catalogue coverage@k: the share of the `catalogue` items that appear in at least one of
/// the users' top-k lists.
pub fn coverage_at_k<'a>(
    lists: impl IntoIterator<Item = &'a [u32]>,
    k: usize,
    catalogue: usize,
) -> f64 {
    if catalogue == 0 {
        return 0.0;
    }
    let seen: HashSet<u32> = lists
        .into_iter()
        .flat_map(|l| l.iter().take(k).copied())
        .collect();
    seen.len() as f64 / catalogue as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[u32]) -> HashSet<u32> {
        items.iter().copied().collect()
    }

    #[test]
    fn recall_divides_by_the_smaller_of_k_and_the_relevant_count() {
        let ranked = [1, 2, 3, 4, 5];
        // 2 hits in the top 3 of 4 relevant: 2 / min(3, 4).
        assert_eq!(
            recall_at_k(&ranked, &set(&[2, 3, 8, 9]), 3),
            Some(2.0 / 3.0)
        );
        // 1 hit of 2 relevant with k = 5: 1 / 2.
        assert_eq!(recall_at_k(&ranked, &set(&[5, 7]), 5), Some(0.5));
        assert_eq!(recall_at_k(&ranked, &set(&[]), 5), None);
    }

    #[test]
    fn ndcg_on_hand_computed_lists() {
        // Hits at ranks 1 and 3 of 2 relevant: (1 + 1/log2 4) / (1 + 1/log2 3).
        let got = ndcg_at_k(&[7, 1, 8], &set(&[7, 8]), 3).expect("relevant");
        let want = (1.0 + 0.5) / (1.0 + 1.0 / 3f64.log2());
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        assert_eq!(ndcg_at_k(&[7, 8], &set(&[7, 8]), 2), Some(1.0));
        assert_eq!(ndcg_at_k(&[1, 2], &set(&[7]), 2), Some(0.0));
    }

    #[test]
    fn coverage_counts_distinct_items_within_k() {
        let a = [1u32, 2, 3];
        let b = [2u32, 4, 9];
        let lists: [&[u32]; 2] = [&a, &b];
        // Top-2: {1, 2} ∪ {2, 4} = 3 of 10 items.
        assert!((coverage_at_k(lists, 2, 10) - 0.3).abs() < 1e-12);
        assert_eq!(coverage_at_k([], 2, 0), 0.0);
    }
}
