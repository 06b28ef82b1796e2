//! The check of marketers' copy for absolute superlatives, which China's Advertising Law
//! (广告法, Art. 9(3)) bans in advertising: "国家级", "最高级", "最佳" and the like, plus the
//! English claims of the same kind ("best", "#1", "lowest price ever").
//!
//! Owns the word list and the matching only. The console decides what a match means: it
//! warns when an experiment is saved (naming each word), and refuses to *start* or *ship* an
//! experiment whose copy still contains one, because that is the moment the words reach
//! shoppers. It never rewrites copy and is not legal advice: the list is a floor, not a
//! guarantee.
//!
//! Matching is case-insensitive. Chinese terms match anywhere (Chinese has no spaces between
//! words, and regulators read "销量第一" as "第一"). English terms match on word boundaries
//! (letters and digits continue a word; spaces, punctuation and hyphens end it): "best" and
//! "best-selling" are flagged, "bestseller" is not. That is deliberate: "bestseller" is a
//! sales-rank label rather than a claim to be the best, and flagging it would train marketers
//! to ignore the warning. When terms overlap, the longest is reported ("world's best", not
//! also "best").

/// Banned Chinese terms: Art. 9(3) names 国家级, 最高级 and 最佳; the rest are the forms the
/// market regulator (SAMR) routinely fines under it.
const CHINESE: &[&str] = &[
    "国家级",
    "世界级",
    "最高级",
    "最佳",
    "最好",
    "最高",
    "最低",
    "最便宜",
    "最优",
    "最强",
    "第一",
    "全网最低价",
    "顶级",
    "极品",
    "独一无二",
    "史无前例",
    "绝无仅有",
    "万能",
];

/// Banned English claims, lower case; `'` also matches the typographic apostrophe.
const ENGLISH: &[&str] = &[
    "best",
    "best ever",
    "world's best",
    "guaranteed best",
    "#1",
    "no. 1",
    "no.1",
    "number one",
    "number 1",
    "cheapest",
    "lowest price",
    "lowest prices",
    "lowest price ever",
    "world-class",
    "unbeatable",
    "unrivalled",
    "unrivaled",
];

/// The banned terms found in `text`, in the order they first appear, each once.
pub fn banned_terms(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    let mut terms: Vec<(&'static str, bool)> = CHINESE
        .iter()
        .map(|t| (*t, false))
        .chain(ENGLISH.iter().map(|t| (*t, true)))
        .collect();
    // Longest first, so an overlapping shorter term is not reported as well.
    terms.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new();
    for (term, on_word_boundaries) in terms {
        for (start, _) in lower.match_indices(term) {
            let end = start + term.len();
            if on_word_boundaries
                && !(boundary_before(&lower, start) && boundary_after(&lower, end))
            {
                continue;
            }
            if found.iter().any(|&(s, e, _)| start < e && s < end) {
                continue;
            }
            found.push((start, end, term));
        }
    }
    found.sort_by_key(|&(start, _, _)| start);
    let mut words: Vec<&'static str> = Vec::new();
    for (_, _, term) in found {
        if !words.contains(&term) {
            words.push(term);
        }
    }
    words
}

/// The banned terms found in any of `texts`, each once.
pub fn banned_terms_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Vec::new();
    for text in texts {
        for term in banned_terms(text) {
            if !words.contains(&term) {
                words.push(term);
            }
        }
    }
    words
}

/// The console's sentence about one banned term.
pub fn warning(term: &str) -> String {
    format!(
        "“{term}” is an absolute superlative banned in ads in China (Advertising Law Art. 9(3)); \
         rephrase before starting"
    )
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn boundary_before(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !word_char(c))
}

fn boundary_after(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|c| !word_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_superlatives_are_found_anywhere() {
        assert_eq!(banned_terms("本店商品全网最低价"), ["全网最低价"]);
        assert_eq!(banned_terms("国家级品质，销量第一"), ["国家级", "第一"]);
        assert_eq!(banned_terms("最佳礼物，顶级极品"), ["最佳", "顶级", "极品"]);
        assert_eq!(banned_terms("独一无二的设计"), ["独一无二"]);
        assert_eq!(banned_terms("最高级的享受"), ["最高级"], "not also 最高");
        assert!(banned_terms("精选礼物，品质可靠").is_empty());
    }

    #[test]
    fn english_superlatives_match_whole_words_in_any_case() {
        assert_eq!(banned_terms("The BEST gifts"), ["best"]);
        assert_eq!(banned_terms("Best."), ["best"]);
        assert_eq!(banned_terms("our best-selling mugs"), ["best"]);
        assert_eq!(banned_terms("We're #1 in gifts"), ["#1"]);
        assert_eq!(banned_terms("Number One for lanterns"), ["number one"]);
        assert_eq!(banned_terms("Lowest price ever!"), ["lowest price ever"]);
        assert_eq!(banned_terms("the cheapest mugs"), ["cheapest"]);
        assert_eq!(banned_terms("The world’s best tea"), ["world's best"]);
        assert_eq!(banned_terms("Guaranteed best value"), ["guaranteed best"]);
    }

    #[test]
    fn words_that_merely_contain_a_term_are_not_flagged() {
        for fine in [
            "Our bestsellers",
            "Bestseller of the month",
            "#10 in a series",
            "Cheapestone Ltd",
            "Gifts worth giving",
            "",
        ] {
            assert!(banned_terms(fine).is_empty(), "{fine:?}");
        }
    }

    #[test]
    fn each_term_is_reported_once_in_order_of_appearance() {
        assert_eq!(
            banned_terms("best of the best, cheapest and best"),
            ["best", "cheapest"]
        );
        assert_eq!(
            banned_terms_in(["Cheapest", "最佳 and best", "best"]),
            ["cheapest", "最佳", "best"]
        );
    }

    #[test]
    fn the_warning_names_the_word_and_the_law() {
        let w = warning("best");
        assert!(w.starts_with("“best” is an absolute superlative"), "{w}");
        assert!(w.contains("Art. 9(3)"), "{w}");
    }
}
