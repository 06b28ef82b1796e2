//! Title similarity, the content part of the hybrid: the TF-IDF cosine of two items' titles.
//!
//! Co-purchases say little about an item few people bought, but its title still says what it
//! is: "RED RETROSPOT CAKE STAND" goes with the other "retrospot" items. EASE adds
//! `content_weight × S[i][j]` to its item-item weight `B[i][j]` (see [`crate::EaseParams`]),
//! so serving stays one pass over one weight matrix and the model file keeps its format.
//!
//! Each title becomes its set of lower-case words (letters and digits, two characters or more,
//! minus a few English function words); a word weighs `ln(N / df)` (inverse document frequency
//! over the `N` titles given, `df` the titles holding it) and each title vector is scaled to
//! length 1, so `S[i][j]` is the cosine, in [0, 1], and 0 on the diagonal.

use ndarray::Array2;
use std::collections::HashMap;

/// Words too common in English titles to say anything about the item.
const STOP_WORDS: [&str; 12] = [
    "a", "an", "and", "for", "in", "is", "it", "of", "on", "or", "the", "with",
];

/// The distinct words of a title, as [`similarity`] counts them.
pub fn words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The TF-IDF cosine between every pair of `titles`, zero on the diagonal.
pub fn similarity(titles: &[&str]) -> Array2<f32> {
    let n = titles.len();
    let docs: Vec<Vec<String>> = titles.iter().map(|t| words(t)).collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for doc in &docs {
        for w in doc {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    // Postings: word → (title, weight), with each title's weights scaled to length 1.
    let mut postings: HashMap<&str, Vec<(usize, f64)>> = HashMap::new();
    for (t, doc) in docs.iter().enumerate() {
        let weights: Vec<f64> = doc
            .iter()
            .map(|w| (n as f64 / df[w.as_str()] as f64).ln())
            .collect();
        let norm = weights.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        for (w, v) in doc.iter().zip(weights) {
            postings.entry(w.as_str()).or_default().push((t, v / norm));
        }
    }
    let mut s = Array2::<f32>::zeros((n, n));
    for list in postings.values() {
        for &(a, va) in list {
            for &(b, vb) in list {
                if a != b {
                    s[(a, b)] += (va * vb) as f32;
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_distinct_and_skip_function_words() {
        assert_eq!(
            words("SET OF 3 RED RETROSPOT CAKE TINS, red"),
            vec!["cake", "red", "retrospot", "set", "tins"]
        );
        assert!(words("A & B").is_empty());
    }

    /// Titles "x y", "x z", "w": df(x) = 2, df(y) = df(z) = df(w) = 1 over N = 3, so title 0
    /// is (ln 1.5, ln 3, 0) / norm and title 1 is (ln 1.5, 0, ln 3) / norm with
    /// norm² = ln²1.5 + ln²3: their cosine is ln²1.5 / (ln²1.5 + ln²3). Title 2 shares nothing.
    #[test]
    fn cosine_matches_the_hand_computed_tf_idf() {
        let s = similarity(&["xx yy", "xx zz", "ww"]);
        let (a, b) = (1.5f64.ln(), 3f64.ln());
        let want = a * a / (a * a + b * b);
        assert!((f64::from(s[(0, 1)]) - want).abs() < 1e-6, "{}", s[(0, 1)]);
        assert_eq!(s[(0, 1)], s[(1, 0)]);
        assert_eq!(s[(0, 0)], 0.0);
        assert_eq!(s[(0, 2)], 0.0);
        assert_eq!(s[(2, 1)], 0.0);
    }

    #[test]
    fn identical_titles_have_cosine_one_and_empty_titles_zero() {
        let s = similarity(&["Heart Tin", "heart tin", "", "Star"]);
        assert!((s[(0, 1)] - 1.0).abs() < 1e-6);
        assert_eq!(s.row(2).sum(), 0.0);
    }
}
