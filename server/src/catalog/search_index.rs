//! The in-memory search index: ranked, typo-tolerant matching over titles, variant names,
//! category names and descriptions.
//!
//! Built from the database at start (and after an import); a few thousand products fit in a
//! few hundred kilobytes, and a query costs well under a millisecond. Every query word must
//! match (exactly, as a prefix, or within a small edit distance); the score weighs where it
//! matched and how. This module never touches the database.

use std::collections::HashMap;

/// How much a match in each field counts.
const TITLE: f32 = 3.0;
const VARIANT: f32 = 2.0;
const CATEGORY: f32 = 1.5;
const DESCRIPTION: f32 = 1.0;
/// How much each kind of match keeps of the field weight.
const EXACT: f32 = 1.0;
const PREFIX: f32 = 0.7;
const TYPO: f32 = 0.5;
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "of", "the", "for", "with", "in", "on", "to",
];

/// What the index needs to know about a product.
#[derive(Clone, Debug)]
pub struct IndexedProduct {
    pub stem: String,
    pub title: String,
    pub variant_titles: Vec<String>,
    pub category: String,
    pub description: String,
}

/// Ranked matches, best first, and the corrected words when a typo was fixed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchHits {
    pub hits: Vec<(String, f32)>,
    pub corrected: Option<String>,
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    stems: Vec<String>,
    /// term -> (document, best field weight)
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// All terms, sorted, for prefix and typo look-ups.
    vocab: Vec<String>,
}

impl SearchIndex {
    pub fn build(products: &[IndexedProduct]) -> Self {
        let mut postings: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        for (doc, p) in products.iter().enumerate() {
            let fields = [
                (p.title.as_str(), TITLE),
                (p.category.as_str(), CATEGORY),
                (p.description.as_str(), DESCRIPTION),
            ];
            let variant_fields = p.variant_titles.iter().map(|t| (t.as_str(), VARIANT));
            for (text, weight) in fields.into_iter().chain(variant_fields) {
                for term in tokens(text) {
                    let w = postings
                        .entry(term)
                        .or_default()
                        .entry(doc as u32)
                        .or_default();
                    *w = w.max(weight);
                }
            }
        }
        let mut vocab: Vec<String> = postings.keys().cloned().collect();
        vocab.sort();
        let postings = postings
            .into_iter()
            .map(|(t, docs)| (t, docs.into_iter().collect()))
            .collect();
        SearchIndex {
            stems: products.iter().map(|p| p.stem.clone()).collect(),
            postings,
            vocab,
        }
    }

    pub fn len(&self) -> usize {
        self.stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// Products matching every word of `text`, best first (ties keep index order).
    pub fn search(&self, text: &str) -> SearchHits {
        let all: Vec<String> = tokens(text).collect();
        let words: Vec<String> = match all
            .iter()
            .filter(|w| !STOPWORDS.contains(&w.as_str()))
            .cloned()
            .collect::<Vec<_>>()
        {
            w if w.is_empty() => all,
            w => w,
        };
        if words.is_empty() {
            return SearchHits::default();
        }
        let mut totals: Option<HashMap<u32, f32>> = None;
        let mut corrected_words = Vec::with_capacity(words.len());
        let mut any_corrected = false;
        for word in &words {
            let (scores, correction) = self.match_word(word);
            any_corrected |= correction.is_some();
            corrected_words.push(correction.unwrap_or_else(|| word.clone()));
            totals = Some(match totals {
                None => scores,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(d, s)| scores.get(&d).map(|s2| (d, s + s2)))
                    .collect(),
            });
        }
        let mut hits: Vec<(u32, f32)> = totals.unwrap_or_default().into_iter().collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        SearchHits {
            hits: hits
                .into_iter()
                .map(|(d, s)| (self.stems[d as usize].clone(), s))
                .collect(),
            corrected: any_corrected.then(|| corrected_words.join(" ")),
        }
    }

    /// Scores per document for one word, and the word it was corrected to if only a typo
    /// match was found.
    fn match_word(&self, word: &str) -> (HashMap<u32, f32>, Option<String>) {
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let add = |scores: &mut HashMap<u32, f32>, term: &str, factor: f32| {
            for &(doc, weight) in self.postings.get(term).into_iter().flatten() {
                let s = scores.entry(doc).or_default();
                *s = s.max(weight * factor);
            }
        };
        add(&mut scores, word, EXACT);
        if word.len() >= 2 {
            let start = self.vocab.partition_point(|t| t.as_str() < word);
            for term in self.vocab[start..]
                .iter()
                .take_while(|t| t.starts_with(word))
                .take(64)
            {
                if term != word {
                    add(&mut scores, term, PREFIX);
                }
            }
        }
        if !scores.is_empty() {
            return (scores, None);
        }
        let budget = match word.chars().count() {
            0..=3 => return (scores, None),
            4..=7 => 1,
            _ => 2,
        };
        let mut best: Option<(usize, usize, &str)> = None; // (distance, -docs, term)
        for term in &self.vocab {
            if let Some(d) = within_distance(word, term, budget) {
                add(&mut scores, term, TYPO);
                let docs = self.postings.get(term).map_or(0, Vec::len);
                if best.is_none_or(|(bd, bdocs, _)| (d, usize::MAX - docs) < (bd, bdocs)) {
                    best = Some((d, usize::MAX - docs, term));
                }
            }
        }
        (scores, best.map(|(_, _, t)| t.to_string()))
    }
}

/// Lower-case alphanumeric words with a light plural folding ("candles" -> "candle").
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| fold_plural(&w.to_lowercase()))
}

fn fold_plural(w: &str) -> String {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && w.is_ascii() {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// Levenshtein distance if it is at most `budget`, computed with an early exit.
fn within_distance(a: &str, b: &str, budget: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > budget {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > budget) {
            return None;
        }
        prev = cur;
    }
    prev.last().copied().filter(|&d| d <= budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(stem: &str, title: &str, category: &str) -> IndexedProduct {
        IndexedProduct {
            stem: stem.into(),
            title: title.into(),
            variant_titles: vec![],
            category: category.into(),
            description: format!("{title}. From our {category} range."),
        }
    }

    fn index() -> SearchIndex {
        SearchIndex::build(&[
            product(
                "1",
                "White Hanging Heart T-Light Holder",
                "Candles & Lights",
            ),
            product("2", "Red Retrospot Umbrella", "Garden & Outdoor"),
            product("3", "Heart of Wicker Small", "Home Decor"),
            product("4", "Candle Plate Lace White", "Candles & Lights"),
        ])
    }

    fn stems(h: &SearchHits) -> Vec<&str> {
        h.hits.iter().map(|(s, _)| s.as_str()).collect()
    }

    #[test]
    fn title_matches_outrank_description_and_category_matches() {
        let hits = index().search("candle");
        // 4 has "candle" in its title; 1 only in its category ("Candles") -> folded to candle.
        assert_eq!(stems(&hits), ["4", "1"]);
        assert!(hits.hits[0].1 > hits.hits[1].1);
    }

    #[test]
    fn every_word_must_match() {
        assert_eq!(stems(&index().search("white heart")), ["1"]);
        assert!(index().search("white umbrella").hits.is_empty());
    }

    #[test]
    fn prefixes_match() {
        assert_eq!(stems(&index().search("retro")), ["2"]);
    }

    #[test]
    fn typos_are_forgiven_and_reported() {
        let hits = index().search("umbrela");
        assert_eq!(stems(&hits), ["2"]);
        assert_eq!(hits.corrected.as_deref(), Some("umbrella"));
        assert_eq!(index().search("heart").corrected, None);
    }

    #[test]
    fn short_nonsense_and_hostile_text_find_nothing() {
        assert!(index().search("zq").hits.is_empty());
        assert!(index().search("").hits.is_empty());
        assert!(index().search("<script>alert(1)</script>").hits.is_empty());
        assert!(index().search("'; DROP TABLE products; --").hits.is_empty());
    }

    #[test]
    fn stopwords_alone_still_search() {
        // Alone, a stopword is searched for; beside other words it is ignored.
        assert_eq!(stems(&index().search("of")), ["3"]);
        assert_eq!(stems(&index().search("white of lace")), ["4"]);
    }

    #[test]
    fn edit_distance_respects_its_budget() {
        assert_eq!(within_distance("holder", "holdr", 1), Some(1));
        assert_eq!(within_distance("holder", "hldr", 1), None);
        assert_eq!(within_distance("kitten", "sitting", 3), Some(3));
    }
}
