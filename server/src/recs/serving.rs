//! What the request path reads: a [`Served`] model (the engine's model plus the product stems
//! and category slugs behind its indices) behind a [`RecsHandle`] whose swap is atomic: a
//! request holds an `Arc` to one whole model while training publishes the next.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use vitrine_recs::{Event, Model, Signal};

/// A model ready to answer in product stems.
#[derive(Debug)]
pub struct Served {
    /// The published version, `None` for a model that was never published.
    pub version: Option<i64>,
    pub model: Model,
    stems: Vec<String>,
    categories: Vec<String>,
    item_of: HashMap<String, u32>,
    category_of: HashMap<String, u32>,
}

/// One thing a visitor did, in product terms.
#[derive(Clone, Debug, PartialEq)]
pub struct StemEvent {
    pub stem: String,
    pub time: i64,
    pub signal: Signal,
}

impl Served {
    pub fn new(
        version: Option<i64>,
        model: Model,
        stems: Vec<String>,
        categories: Vec<String>,
    ) -> Self {
        let item_of = stems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let category_of = categories
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        Served {
            version,
            model,
            stems,
            categories,
            item_of,
            category_of,
        }
    }

    pub fn stems(&self) -> &[String] {
        &self.stems
    }

    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    fn named(&self, list: Vec<vitrine_recs::Scored>) -> Vec<(String, f32)> {
        list.into_iter()
            .filter_map(|s| Some((self.stems.get(s.item as usize)?.clone(), s.score)))
            .collect()
    }

    fn excluding<'a>(&'a self, exclude: impl Fn(&str) -> bool + 'a) -> impl Fn(u32) -> bool + 'a {
        move |i| self.stems.get(i as usize).is_none_or(|s| exclude(s))
    }

    /// "Recommended for you": the best `k` products for a visitor's events (unknown products
    /// are ignored; no usable events gives the popular list).
    pub fn recommend(
        &self,
        history: &[StemEvent],
        k: usize,
        exclude: impl Fn(&str) -> bool,
    ) -> Vec<(String, f32)> {
        let events: Vec<Event> = history
            .iter()
            .filter_map(|e| {
                Some(Event {
                    item: *self.item_of.get(&e.stem)?,
                    time: e.time,
                    signal: e.signal,
                })
            })
            .collect();
        self.named(self.model.recommend(&events, k, self.excluding(exclude)))
    }

    /// "Customers also bought" for a product (never the product itself).
    pub fn related(
        &self,
        stem: &str,
        k: usize,
        exclude: impl Fn(&str) -> bool,
    ) -> Vec<(String, f32)> {
        match self.item_of.get(stem) {
            Some(&item) => self.named(self.model.related(item, k, self.excluding(exclude))),
            None => Vec::new(),
        }
    }

    /// The non-personalised list: the most popular products, in one category if given.
    pub fn popular(
        &self,
        category: Option<&str>,
        k: usize,
        exclude: impl Fn(&str) -> bool,
    ) -> Vec<(String, f32)> {
        let pop = self.model.popularity();
        let list = match category {
            None => pop.top(k, self.excluding(exclude)),
            Some(slug) => match self.category_of.get(slug) {
                Some(&c) => pop.top_in_category(c, k, self.excluding(exclude)),
                None => Vec::new(),
            },
        };
        self.named(list)
    }
}

/// The model the server answers from, replaced whole when a new version is published.
#[derive(Debug, Default)]
pub struct RecsHandle {
    current: RwLock<Option<Arc<Served>>>,
}

impl RecsHandle {
    pub fn new(initial: Option<Served>) -> Self {
        RecsHandle {
            current: RwLock::new(initial.map(Arc::new)),
        }
    }

    /// The model in service, if any. Cheap: one lock read and an `Arc` clone.
    pub fn current(&self) -> Option<Arc<Served>> {
        // A writer cannot panic half-way through a swap, so a poisoned lock still holds a
        // whole model.
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Puts `served` in service and returns the model it replaced.
    pub fn swap(&self, served: Arc<Served>) -> Option<Arc<Served>> {
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.replace(served)
    }
}
