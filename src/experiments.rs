//! Experiment variant assignment: which variant of an experiment a visitor sees.
//!
//! Owns [`assign`], the one function both the server (which renders the variant and records
//! the exposure) and the browser (which hydrates the same markup) call, so the two always
//! agree: no flicker, no hydration mismatch. Assignment depends on the visitor id, the
//! experiment key and the weights only: never on the user agent or anything else about the
//! request (no cloaking).
//!
//! The result must be bit-for-bit the same on x86_64 and wasm32, so this module uses a fixed,
//! documented hash written out here (never `DefaultHasher`/`RandomState`, whose output is
//! unspecified and seeded per process) and only `u64`/`u128` arithmetic (never anything whose
//! width follows `usize`). It must never grow a dependency: it is compiled into the wasm bundle.

/// FNV-1a 64-bit offset basis (Fowler, Noll, Vo; <http://www.isthe.com/chongo/tech/comp/fnv/>).
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Separates the experiment key from the visitor id in the hashed bytes. `0xFF` never occurs
/// in UTF-8, so `("ab", "c")` and `("a", "bc")` hash different byte strings.
const SEPARATOR: u8 = 0xFF;

/// The variant index (into `weights`) for `visitor_id` in the experiment `experiment_key`.
///
/// The pair is hashed with [`assignment_hash`] to a uniform 64-bit number `h`, which is mapped
/// onto `[0, total)` (`total` = the sum of the weights) by `(h * total) >> 64` in 128-bit
/// arithmetic; the variant is the one whose cumulative weight range holds that point. So a
/// variant with weight 3 receives three times the visitors of one with weight 1, the same
/// visitor always gets the same variant for a given key and weights, and different experiment
/// keys split visitors independently.
///
/// Degenerate weights return `0`: an empty slice or weights that are all zero (nothing to
/// choose from) give `0`, the first variant, by convention the control. Callers that let
/// marketers configure weights should reject those configurations before an experiment
/// starts; on the rendering path a defined answer is better than a panic. A variant with
/// weight zero is never chosen when another weight is positive.
pub fn assign(visitor_id: &str, experiment_key: &str, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return 0;
    }
    let hash = assignment_hash(visitor_id, experiment_key);
    // Lemire's multiply-shift: unbiased enough (bias < total / 2^64) and uses the high bits.
    let point = ((u128::from(hash) * u128::from(total)) >> 64) as u64;
    let mut upper: u64 = 0;
    for (index, &weight) in weights.iter().enumerate() {
        upper += u64::from(weight);
        if point < upper {
            return index;
        }
    }
    // Unreachable: `point < total` and the loop's last `upper` is `total`.
    weights.len() - 1
}

/// The 64-bit hash behind [`assign`]: FNV-1a 64 over `experiment_key`, a `0xFF` separator
/// byte and `visitor_id` (UTF-8 bytes), then the MurmurHash3 64-bit finalizer (`fmix64`,
/// Austin Appleby) so that every input bit affects the high output bits the bucket mapping
/// reads. Fixed constants, no per-process seed: the same on every platform and in every run.
pub fn assignment_hash(visitor_id: &str, experiment_key: &str) -> u64 {
    let mut hash = FNV_OFFSET_BASIS;
    let bytes = experiment_key
        .as_bytes()
        .iter()
        .chain(std::iter::once(&SEPARATOR))
        .chain(visitor_id.as_bytes());
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    fmix64(hash)
}

/// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
mod tests {
    use super::{assign, assignment_hash};

    const IDS: usize = 100_000;

    /// SplitMix64 (Steele, Lea, Flood 2014): deterministic test ids without a dependency.
    fn splitmix64(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Visitor ids shaped like the server's cookie ids: 32 lowercase hex digits.
    fn cookie_like_ids() -> Vec<String> {
        let mut state = 2026;
        (0..IDS)
            .map(|_| {
                let (a, b) = (splitmix64(&mut state), splitmix64(&mut state));
                format!("{a:016x}{b:016x}")
            })
            .collect()
    }

    /// Ids that differ only in a counter: a weak hash would split these unevenly.
    fn sequential_ids() -> Vec<String> {
        (0..IDS).map(|i| format!("visitor-{i}")).collect()
    }

    fn shares(ids: &[String], key: &str, weights: &[u32]) -> Vec<f64> {
        let mut counts = vec![0_u32; weights.len()];
        for id in ids {
            counts[assign(id, key, weights)] += 1;
        }
        counts
            .iter()
            .map(|&c| f64::from(c) / ids.len() as f64)
            .collect()
    }

    /// Each bucket's share is within one percentage point of its weight's share (the issue's
    /// "uniform within 1%"; at 100,000 ids that is over six standard deviations).
    fn assert_proportional(ids: &[String], key: &str, weights: &[u32]) {
        let total: u32 = weights.iter().sum();
        for (bucket, share) in shares(ids, key, weights).into_iter().enumerate() {
            let expected = f64::from(weights[bucket]) / f64::from(total);
            assert!(
                (share - expected).abs() <= 0.01,
                "{key} {weights:?}: bucket {bucket} got {share}, expected {expected} ± 0.01"
            );
        }
    }

    #[test]
    fn two_equal_weights_split_uniformly() {
        assert_proportional(&cookie_like_ids(), "hero-2026-11", &[1, 1]);
        assert_proportional(&sequential_ids(), "hero-2026-11", &[1, 1]);
    }

    #[test]
    fn four_equal_weights_split_uniformly() {
        assert_proportional(&cookie_like_ids(), "pdp-layout", &[1, 1, 1, 1]);
        assert_proportional(&sequential_ids(), "pdp-layout", &[1, 1, 1, 1]);
    }

    #[test]
    fn unequal_weights_split_proportionally() {
        assert_proportional(&cookie_like_ids(), "recs-algo", &[1, 3]);
        assert_proportional(&sequential_ids(), "recs-algo", &[1, 3]);
        assert_proportional(&cookie_like_ids(), "recs-algo", &[50, 30, 20]);
    }

    #[test]
    fn different_experiments_split_independently() {
        // Being in variant 1 of one experiment says nothing about another: of the visitors
        // in bucket 1 of "a", about half are in bucket 1 of "b".
        let ids = cookie_like_ids();
        let in_a: Vec<&String> = ids
            .iter()
            .filter(|id| assign(id, "a", &[1, 1]) == 1)
            .collect();
        let both = in_a
            .iter()
            .filter(|id| assign(id, "b", &[1, 1]) == 1)
            .count();
        let share = both as f64 / in_a.len() as f64;
        assert!((share - 0.5).abs() <= 0.01, "overlap share {share}");
    }

    #[test]
    fn assignment_is_stable_for_a_visitor() {
        let id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        let first = assign(id, "hero", &[1, 1, 1]);
        assert!((0..100).all(|_| assign(id, "hero", &[1, 1, 1]) == first));
    }

    /// Golden values: they pin the cross-build behaviour. The server (x86_64) and the browser
    /// (wasm32) must compute exactly these, or the server renders one variant and hydration
    /// another. They were computed once from the definition (FNV-1a 64, `0xFF` separator,
    /// fmix64, multiply-shift) and checked against an independent Python transcription; a
    /// change here is a change of every running experiment's assignment, not a refactor.
    #[test]
    fn golden_values_pin_the_cross_build_behaviour() {
        assert_eq!(assignment_hash("", ""), GOLDEN_EMPTY_HASH);
        assert_eq!(
            assignment_hash("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "hero"),
            GOLDEN_HERO_HASH
        );
        for &(visitor, key, weights, bucket) in GOLDEN_BUCKETS {
            assert_eq!(
                assign(visitor, key, weights),
                bucket,
                "assign({visitor:?}, {key:?}, {weights:?})"
            );
        }
    }

    const GOLDEN_EMPTY_HASH: u64 = 0x1bbd5c813c69a8d7;
    const GOLDEN_HERO_HASH: u64 = 0x5357b430083960fd;
    const GOLDEN_BUCKETS: &[(&str, &str, &[u32], usize)] = &[
        ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "hero", &[1, 1], 0),
        ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "hero", &[1, 1, 1, 1], 1),
        ("a3c1e9b07d5f42e68c1b9a0d3e7f5c21", "hero", &[1, 1], 0),
        ("a3c1e9b07d5f42e68c1b9a0d3e7f5c21", "pdp-layout", &[1, 3], 1),
        (
            "5d2b8f4e1a7c9e3b6f0d2a8c4e1b7f93",
            "pdp-layout",
            &[1, 1, 1, 1],
            0,
        ),
        (
            "5d2b8f4e1a7c9e3b6f0d2a8c4e1b7f93",
            "recs-algo",
            &[50, 30, 20],
            1,
        ),
        ("visitor-1", "hero", &[1, 1], 0),
        ("visitor-2", "hero", &[1, 1], 0),
        ("visitor-3", "hero", &[1, 1, 1, 1], 3),
        ("visitor-4", "hero", &[1, 1, 1, 1], 2),
        ("ünïcødé-訪客", "促销-hero", &[1, 2, 3], 0),
        ("", "", &[1, 1, 1, 1, 1, 1, 1, 1], 0),
    ];

    #[test]
    fn separator_keeps_key_and_visitor_apart() {
        assert_ne!(assignment_hash("c", "ab"), assignment_hash("bc", "a"));
    }

    #[test]
    fn empty_or_all_zero_weights_give_the_first_variant() {
        assert_eq!(assign("anyone", "hero", &[]), 0);
        assert_eq!(assign("anyone", "hero", &[0]), 0);
        assert_eq!(assign("anyone", "hero", &[0, 0, 0]), 0);
    }

    #[test]
    fn zero_weight_variants_are_never_chosen() {
        for id in cookie_like_ids().iter().take(10_000) {
            assert_eq!(assign(id, "hero", &[0, 5, 0]), 1);
            assert_ne!(assign(id, "hero", &[1, 0, 1]), 1);
        }
    }

    #[test]
    fn a_single_variant_takes_everyone() {
        assert_eq!(assign("anyone", "hero", &[7]), 0);
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        let weights = [u32::MAX, u32::MAX, u32::MAX];
        let counts = cookie_like_ids()
            .iter()
            .take(30_000)
            .fold([0_u32; 3], |mut acc, id| {
                acc[assign(id, "hero", &weights)] += 1;
                acc
            });
        assert!(counts.iter().all(|&c| c > 9_000), "{counts:?}");
    }
}
