//! The popularity model: items ranked by how many users took them (recency weighted, each user
//! counting at most one purchase's weight per item), globally and within each category.
//!
//! It is the baseline every other model must beat, the cold-start answer for a visitor with no
//! history, and the non-personalised list (personalisation off, `Sec-GPC: 1`). It never looks
//! at the user it answers for.

use crate::rank::Scored;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Popularity {
    scores: Vec<f32>,
    /// Items with a positive score, best first.
    ranked: Vec<u32>,
    /// Per category index: its items with a positive score, best first.
    by_category: Vec<Vec<u32>>,
    item_category: Vec<u32>,
}

impl Popularity {
    /// Counts `profiles` (one `(item, value)` list per user) over `n_items` items; a user adds
    /// `min(value, cap)` to an item.
    pub fn fit(
        profiles: &[Vec<(u32, f64)>],
        n_items: usize,
        cap: f64,
        item_category: &[u32],
    ) -> Self {
        let mut totals = vec![0.0f64; n_items];
        for profile in profiles {
            for &(item, value) in profile {
                if let Some(t) = totals.get_mut(item as usize) {
                    *t += value.min(cap);
                }
            }
        }
        let scores: Vec<f32> = totals.iter().map(|&t| t as f32).collect();
        let mut ranked: Vec<u32> = (0..n_items as u32)
            .filter(|&i| scores[i as usize] > 0.0)
            .collect();
        ranked.sort_by(|&a, &b| {
            scores[b as usize]
                .total_cmp(&scores[a as usize])
                .then(a.cmp(&b))
        });
        let categories = item_category.iter().map(|&c| c as usize + 1).max();
        let mut by_category = vec![Vec::new(); categories.unwrap_or(0)];
        for &item in &ranked {
            if let Some(&c) = item_category.get(item as usize) {
                by_category[c as usize].push(item);
            }
        }
        Popularity {
            scores,
            ranked,
            by_category,
            item_category: item_category.to_vec(),
        }
    }

    /// The popularity score of an item (0 for an unknown one).
    pub fn score(&self, item: u32) -> f32 {
        self.scores.get(item as usize).copied().unwrap_or(0.0)
    }

    pub(crate) fn scores(&self) -> &[f32] {
        &self.scores
    }

    /// The `k` most popular items that `exclude` lets through.
    pub fn top(&self, k: usize, exclude: impl Fn(u32) -> bool) -> Vec<Scored> {
        self.take(&self.ranked, k, exclude)
    }

    /// The `k` most popular items of a category (empty for an unknown category).
    pub fn top_in_category(
        &self,
        category: u32,
        k: usize,
        exclude: impl Fn(u32) -> bool,
    ) -> Vec<Scored> {
        match self.by_category.get(category as usize) {
            Some(items) => self.take(items, k, exclude),
            None => Vec::new(),
        }
    }

    /// The category index of an item, if the model was given categories.
    pub fn category_of(&self, item: u32) -> Option<u32> {
        self.item_category.get(item as usize).copied()
    }

    fn take(&self, list: &[u32], k: usize, exclude: impl Fn(u32) -> bool) -> Vec<Scored> {
        list.iter()
            .copied()
            .filter(|&i| !exclude(i))
            .take(k)
            .map(|item| Scored {
                item,
                score: self.score(item),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_capped_user_counts_globally_and_per_category() {
        // Item 2 is bought many times by one user, item 1 once each by two users.
        let profiles = vec![vec![(1, 1.0), (2, 9.0)], vec![(1, 1.0), (0, 0.5)]];
        let pop = Popularity::fit(&profiles, 4, 1.0, &[0, 1, 1, 0]);
        let items: Vec<u32> = pop.top(10, |_| false).iter().map(|s| s.item).collect();
        assert_eq!(items, vec![1, 2, 0]);
        let cat1: Vec<u32> = pop
            .top_in_category(1, 10, |i| i == 1)
            .iter()
            .map(|s| s.item)
            .collect();
        assert_eq!(cat1, vec![2]);
        assert!(pop.top_in_category(7, 10, |_| false).is_empty());
    }
}
