//! The engine's input: interactions between users and items (dense `u32` indices the caller
//! assigns), the optional item → category map, and the weighting that turns a user's events
//! into one value per item (signal weight × recency decay).
//!
//! This module never knows about SQL, product stems or visitors: the server maps its ids to
//! indices and back. It must stay cheap enough to run on a request path (weighting a history).

use serde::{Deserialize, Serialize};

/// What a shopper did with an item. Ordered by strength of intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Signal {
    View,
    Cart,
    Purchase,
}

/// One thing a user did with an item at a unix time (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interaction {
    pub user: u32,
    pub item: u32,
    pub time: i64,
    pub signal: Signal,
}

/// One event of a single user's history: what [`crate::Model::recommend`] takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    pub item: u32,
    pub time: i64,
    pub signal: Signal,
}

impl Interaction {
    /// A purchase of `item` by `user` at `time`.
    pub fn purchase(user: u32, item: u32, time: i64) -> Interaction {
        Interaction {
            user,
            item,
            time,
            signal: Signal::Purchase,
        }
    }

    pub fn event(&self) -> Event {
        Event {
            item: self.item,
            time: self.time,
            signal: self.signal,
        }
    }
}

/// The training data: `n_users × n_items` indices, interactions in any order, and for each
/// item its category index and its title (either list empty when the caller has none).
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub n_users: usize,
    pub n_items: usize,
    pub interactions: Vec<Interaction>,
    pub item_category: Vec<u32>,
    pub item_titles: Vec<String>,
}

impl Dataset {
    /// The latest interaction time, the reference point of recency decay.
    pub fn latest(&self) -> Option<i64> {
        self.interactions.iter().map(|i| i.time).max()
    }

    /// The same users, items and categories with only the interactions `keep` accepts.
    pub fn filtered(&self, keep: impl Fn(&Interaction) -> bool) -> Dataset {
        Dataset {
            n_users: self.n_users,
            n_items: self.n_items,
            interactions: self.interactions.iter().copied().filter(keep).collect(),
            item_category: self.item_category.clone(),
            item_titles: self.item_titles.clone(),
        }
    }

    /// Each user's events, indexed by user.
    pub fn histories(&self) -> Vec<Vec<Event>> {
        let mut out = vec![Vec::new(); self.n_users];
        for i in &self.interactions {
            if let Some(h) = out.get_mut(i.user as usize) {
                h.push(i.event());
            }
        }
        out
    }
}

/// How much each kind of event counts (view < cart < purchase).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalWeights {
    pub view: f64,
    pub cart: f64,
    pub purchase: f64,
}

impl SignalWeights {
    pub fn of(&self, signal: Signal) -> f64 {
        match signal {
            Signal::View => self.view,
            Signal::Cart => self.cart,
            Signal::Purchase => self.purchase,
        }
    }
}

/// Signal weights and recency decay: the part of the params a model keeps to weight a
/// history at serving time exactly as it weighted the training data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weighting {
    pub signals: SignalWeights,
    /// An event this many days older than the newest one counts half.
    pub half_life_days: f64,
}

const DAY: f64 = 86_400.0;

impl Weighting {
    /// The weight of one event seen from `reference` (a later or equal unix time).
    pub fn weight(&self, event: &Event, reference: i64) -> f64 {
        let age_days = (reference - event.time).max(0) as f64 / DAY;
        self.signals.of(event.signal) * 0.5f64.powf(age_days / self.half_life_days)
    }

    /// One user's events folded into `(item, value)` pairs sorted by item, where value is the
    /// sum of the event weights seen from the user's newest event. Items at or beyond
    /// `n_items` (newer than the model) are dropped.
    pub fn profile(&self, events: &[Event], n_items: usize) -> Vec<(u32, f64)> {
        let Some(reference) = events.iter().map(|e| e.time).max() else {
            return Vec::new();
        };
        self.profile_at(events, n_items, reference)
    }

    /// [`Self::profile`] seen from an explicit reference time.
    pub fn profile_at(&self, events: &[Event], n_items: usize, reference: i64) -> Vec<(u32, f64)> {
        let mut pairs: Vec<(u32, f64)> = events
            .iter()
            .filter(|e| (e.item as usize) < n_items)
            .map(|e| (e.item, self.weight(e, reference)))
            .collect();
        pairs.sort_by_key(|p| p.0);
        let mut out: Vec<(u32, f64)> = Vec::with_capacity(pairs.len());
        for (item, w) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == item => last.1 += w,
                _ => out.push((item, w)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighting() -> Weighting {
        Weighting {
            signals: SignalWeights {
                view: 1.0,
                cart: 2.0,
                purchase: 4.0,
            },
            half_life_days: 7.0,
        }
    }

    #[test]
    fn an_event_one_half_life_old_counts_half() {
        let e = Event {
            item: 0,
            time: 0,
            signal: Signal::Purchase,
        };
        let w = weighting().weight(&e, 7 * 86_400);
        assert!((w - 2.0).abs() < 1e-12, "{w}");
    }

    #[test]
    fn profiles_sum_repeated_items_and_drop_unknown_ones() {
        let ev = |item, time, signal| Event { item, time, signal };
        let p = weighting().profile(
            &[
                ev(3, 100, Signal::View),
                ev(1, 100, Signal::Cart),
                ev(3, 100, Signal::Purchase),
                ev(9, 100, Signal::Purchase),
            ],
            5,
        );
        assert_eq!(p, vec![(1, 2.0), (3, 5.0)]);
    }
}
