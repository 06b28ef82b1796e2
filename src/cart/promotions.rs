//! Promotion arithmetic: how multi-buys, spend thresholds and a coupon stack on a cart. Pure
//! and shared: the server charges what [`promo_totals`] computes and the checkout page runs the
//! same code in the browser, so the two cannot disagree. It never reads a clock or a database:
//! the server decides which offers are in effect now and passes them in.
//!
//! # Stacking rules (in this order, each on the result of the one before)
//!
//! 1. **Unit price**: each line's `unit` is the price in effect now, which is the flash price
//!    while a flash sale runs and the list price otherwise (the server resolves it; a flash
//!    sale is a price, not a discount, so it is not listed as a saving).
//! 2. **Multi-buy** ("3 for £10" on one SKU, or "any 3 of these for £10" mixing several): the
//!    units of every line the offer names are pooled, dearest first, and grouped by the offer's
//!    quantity; each whole group costs the offer's price instead of its units' prices, as long
//!    as that is cheaper (a flash price may make the single units cheaper; the shopper then pays
//!    the lower one). Dearest first is the grouping that saves the shopper most; the units left
//!    over, the cheapest, are charged at their unit price. A line counts towards one offer only
//!    (the first that names its SKU; the server keeps a SKU in at most one).
//! 3. **Spend threshold** (spend £50 save £5): the *spend* is the subtotal after multi-buy
//!    savings; the single highest threshold the spend reaches applies (thresholds never add up).
//! 4. **Coupon**, at most one per order, last: its minimum spend is checked against the same
//!    spend as the thresholds (after multi-buy); a percentage is taken off the subtotal after
//!    the threshold saving, rounded down (never overstating the saving); a fixed amount is
//!    capped there, so the goods never go below zero.
//! 5. **Shipping** is priced on the discounted goods: free standard delivery from £50 means £50
//!    actually paid for goods, after every saving.
//!
//! Integer minor units and checked arithmetic throughout: an overflow is an error.

use super::totals::{PricedLine, Shipping, Totals, TotalsError, cart_totals};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// "`quantity` for `price_minor`", mixing any of `skus` (one SKU: "3 for £10" on that variant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiBuy {
    pub skus: Vec<String>,
    pub quantity: i64,
    pub price_minor: i64,
}

/// "Spend `spend_minor`, save `save_minor`".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub spend_minor: i64,
    pub save_minor: i64,
}

/// How much a coupon takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CouponKind {
    /// Whole percent, 1 to 100.
    Percent(u8),
    /// A fixed amount in minor units.
    Fixed(i64),
}

/// A coupon the server found valid now (known, inside its window, not used up). Whether the
/// cart reaches its minimum spend is decided here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    /// As stored: upper case.
    pub code: String,
    pub kind: CouponKind,
    pub min_spend_minor: i64,
}

/// The offers in effect for a cart now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offers {
    pub multibuys: Vec<MultiBuy>,
    pub thresholds: Vec<Threshold>,
    pub coupon: Option<Coupon>,
}

/// What became of the coupon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CouponOutcome {
    Applied {
        code: String,
        saving: Money,
    },
    /// The spend is under the coupon's minimum: nothing taken off.
    UnderMinimum {
        code: String,
        min_spend: Money,
    },
}

impl CouponOutcome {
    /// The message a shopper reads when the coupon cannot be used.
    pub fn refusal(&self) -> Option<String> {
        match self {
            CouponOutcome::Applied { .. } => None,
            CouponOutcome::UnderMinimum { code, min_spend } => Some(format!(
                "Spend at least {min_spend} to use the code {code} (after any multi-buy savings)."
            )),
        }
    }
}

/// Totals with the savings spelled out. `totals.discount` is their sum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub totals: Totals,
    pub multibuy_saving: Money,
    pub threshold_saving: Money,
    pub coupon_saving: Money,
    pub coupon: Option<CouponOutcome>,
}

/// The cart's totals with `offers` stacked as the module doc says; `shipping` is `None` for the
/// goods alone (the cart page, before a delivery option is chosen).
pub fn promo_totals(
    lines: &[PricedLine],
    offers: &Offers,
    shipping: Option<Shipping>,
    currency: Currency,
) -> Result<Quote, TotalsError> {
    let gross = cart_totals(lines, 0, 0, currency)?;
    let subtotal = gross.subtotal.minor;
    let mut multibuy: i64 = 0;
    let mut counted = vec![false; lines.len()];
    for offer in &offers.multibuys {
        let mut units: Vec<(i64, i64)> = Vec::new();
        for (line, counted) in lines.iter().zip(counted.iter_mut()) {
            if !*counted && offer.skus.contains(&line.sku) {
                *counted = true;
                units.push((line.unit.minor, line.quantity));
            }
        }
        let saving = multibuy_saving(offer, units)?;
        multibuy = multibuy.checked_add(saving).ok_or(TotalsError::Overflow)?;
    }
    // Never more than the lines cost (a group's saving is below its cost, but be explicit).
    let multibuy = multibuy.min(subtotal);
    let spend = subtotal - multibuy;
    let threshold = offers
        .thresholds
        .iter()
        .filter(|t| t.spend_minor <= spend && t.save_minor > 0)
        .max_by_key(|t| (t.spend_minor, t.save_minor))
        .map_or(0, |t| t.save_minor.min(spend));
    let after_threshold = spend - threshold;
    let (coupon_saving, outcome) = match &offers.coupon {
        None => (0, None),
        Some(c) if spend < c.min_spend_minor => (
            0,
            Some(CouponOutcome::UnderMinimum {
                code: c.code.clone(),
                min_spend: Money::new(c.min_spend_minor, currency),
            }),
        ),
        Some(c) => {
            let saving = match c.kind {
                CouponKind::Percent(p) => {
                    let p = i128::from(p.min(100));
                    // Fits: at most `after_threshold`.
                    i64::try_from(i128::from(after_threshold) * p / 100)
                        .map_err(|_| TotalsError::Overflow)?
                }
                CouponKind::Fixed(f) if f < 0 => return Err(TotalsError::Negative),
                CouponKind::Fixed(f) => f.min(after_threshold),
            };
            (
                saving,
                Some(CouponOutcome::Applied {
                    code: c.code.clone(),
                    saving: Money::new(saving, currency),
                }),
            )
        }
    };
    let goods = after_threshold - coupon_saving;
    let shipping = shipping.map_or(0, |s| s.price(goods, gross.items));
    let discount = subtotal - goods;
    let totals = cart_totals(lines, discount, shipping, currency)?;
    let money = |minor| Money::new(minor, currency);
    Ok(Quote {
        totals,
        multibuy_saving: money(multibuy),
        threshold_saving: money(threshold),
        coupon_saving: money(coupon_saving),
        coupon: outcome,
    })
}

/// What `offer` saves on `units` (unit price, count) of the lines it names: the units dearest
/// first in groups of the offer's quantity, each whole group at the offer's price while that
/// is below the group's price singly. Groups further down are never dearer, so the first group
/// that would not save ends the offer.
fn multibuy_saving(offer: &MultiBuy, mut units: Vec<(i64, i64)>) -> Result<i64, TotalsError> {
    let size = offer.quantity;
    if size < 2 || offer.price_minor < 0 {
        return Ok(0);
    }
    units.sort_by_key(|u| std::cmp::Reverse(u.0));
    let (mut saving, mut group, mut in_group) = (0_i64, 0_i64, 0_i64);
    for (unit, mut count) in units {
        if unit < 0 || count < 0 {
            return Err(TotalsError::Negative);
        }
        while count > 0 {
            if in_group == 0 && count >= size {
                // Whole groups of this one price at once.
                let singly = unit.checked_mul(size).ok_or(TotalsError::Overflow)?;
                let per_group = singly - offer.price_minor;
                if per_group <= 0 {
                    return Ok(saving);
                }
                let groups = count / size;
                let whole = per_group.checked_mul(groups).ok_or(TotalsError::Overflow)?;
                saving = saving.checked_add(whole).ok_or(TotalsError::Overflow)?;
                count -= groups * size;
                continue;
            }
            let take = (size - in_group).min(count);
            let part = unit.checked_mul(take).ok_or(TotalsError::Overflow)?;
            group = group.checked_add(part).ok_or(TotalsError::Overflow)?;
            in_group += take;
            count -= take;
            if in_group == size {
                let per_group = group - offer.price_minor;
                if per_group <= 0 {
                    return Ok(saving);
                }
                saving = saving.checked_add(per_group).ok_or(TotalsError::Overflow)?;
                (group, in_group) = (0, 0);
            }
        }
    }
    Ok(saving)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(sku: &str, quantity: i64, minor: i64) -> PricedLine {
        PricedLine {
            sku: sku.into(),
            quantity,
            unit: Money::new(minor, Currency::Gbp),
        }
    }

    /// Multi-buys (SKUs, quantity, price), thresholds (spend, save) and a coupon.
    pub(in crate::cart) fn offers(
        mb: &[(&[&str], i64, i64)],
        th: &[(i64, i64)],
        coupon: Option<Coupon>,
    ) -> Offers {
        Offers {
            multibuys: mb
                .iter()
                .map(|&(skus, quantity, price_minor)| MultiBuy {
                    skus: skus.iter().map(|s| s.to_string()).collect(),
                    quantity,
                    price_minor,
                })
                .collect(),
            thresholds: th
                .iter()
                .map(|&(spend_minor, save_minor)| Threshold {
                    spend_minor,
                    save_minor,
                })
                .collect(),
            coupon,
        }
    }

    fn coupon(kind: CouponKind, min: i64) -> Option<Coupon> {
        Some(Coupon {
            code: "SAVE".into(),
            kind,
            min_spend_minor: min,
        })
    }

    /// The stacking table: (case, lines, offers, shipping) ->
    /// (multi-buy, threshold, coupon savings, shipping, total).
    #[test]
    fn stacking_table() {
        use CouponKind::{Fixed, Percent};
        let spend50 = [(5_000, 500), (10_000, 1_500)];
        type Case = (
            &'static str,
            Vec<PricedLine>,
            Offers,
            Option<Shipping>,
            (i64, i64, i64, i64, i64),
        );
        let cases: Vec<Case> = vec![
            (
                "no offers: plain subtotal and shipping",
                vec![line("A", 2, 1_000)],
                Offers::default(),
                Some(Shipping::Standard),
                (0, 0, 0, 395, 2_395),
            ),
            (
                "3 for £10 on 7 units of £4: two groups save £2 each, the 7th at £4",
                vec![line("A", 7, 400)],
                offers(&[(&["A"], 3, 1_000)], &[], None),
                None,
                (400, 0, 0, 0, 2_400),
            ),
            (
                "multi-buy on another SKU does nothing",
                vec![line("B", 3, 400)],
                offers(&[(&["A"], 3, 1_000)], &[], None),
                None,
                (0, 0, 0, 0, 1_200),
            ),
            (
                "a flash price under the bundle price: singles are cheaper, no multi-buy",
                vec![line("A", 3, 300)],
                offers(&[(&["A"], 3, 1_000)], &[], None),
                None,
                (0, 0, 0, 0, 900),
            ),
            (
                "any 3 of A, B, C for £10: £5 + £4 + £3 bought singly is £12, saves £2",
                vec![line("A", 1, 500), line("B", 1, 400), line("C", 1, 300)],
                offers(&[(&["A", "B", "C"], 3, 1_000)], &[], None),
                None,
                (200, 0, 0, 0, 1_000),
            ),
            (
                "mixed prices group dearest first: (£5, £5, £3) saves £3, the other £3 singly",
                vec![line("B", 2, 300), line("A", 2, 500)],
                offers(&[(&["A", "B"], 3, 1_000)], &[], None),
                None,
                (300, 0, 0, 0, 1_300),
            ),
            (
                "the next group would cost more than its units: only the first is discounted",
                vec![line("A", 3, 600), line("B", 3, 200)],
                offers(&[(&["A", "B"], 3, 1_000)], &[], None),
                None,
                (800, 0, 0, 0, 1_600),
            ),
            (
                "a group can span lines: 2 + 2 + 2 units of three SKUs make two groups",
                vec![line("A", 2, 400), line("B", 2, 400), line("C", 2, 400)],
                offers(&[(&["A", "B", "C"], 3, 1_000)], &[], None),
                None,
                (400, 0, 0, 0, 2_000),
            ),
            (
                "a line counts towards the first offer naming it, never two",
                vec![line("A", 3, 500)],
                offers(&[(&["A"], 3, 1_200), (&["A", "B"], 3, 900)], &[], None),
                None,
                (300, 0, 0, 0, 1_200),
            ),
            (
                "an offer's SKUs not in the cart do nothing; too few units, no group",
                vec![line("A", 2, 500), line("D", 5, 500)],
                offers(&[(&["A", "B"], 3, 1_000)], &[], None),
                None,
                (0, 0, 0, 0, 3_500),
            ),
            (
                "threshold on the spend after multi-buy: £52 gross, £48 after, no threshold",
                vec![line("A", 3, 1_200), line("B", 1, 1_600)],
                offers(&[(&["A"], 3, 3_200)], &spend50, None),
                None,
                (400, 0, 0, 0, 4_800),
            ),
            (
                "highest threshold met applies, never both",
                vec![line("A", 1, 12_000)],
                offers(&[], &spend50, None),
                None,
                (0, 1_500, 0, 0, 10_500),
            ),
            (
                "exactly on a threshold counts",
                vec![line("A", 1, 5_000)],
                offers(&[], &spend50, None),
                None,
                (0, 500, 0, 0, 4_500),
            ),
            (
                "percent coupon after the threshold, rounded down",
                vec![line("A", 1, 5_999)],
                offers(&[], &spend50, coupon(Percent(10), 0)),
                None,
                (0, 500, 549, 0, 4_950),
            ),
            (
                "fixed coupon capped at the goods: never below zero",
                vec![line("A", 1, 300)],
                offers(&[], &[], coupon(Fixed(500), 0)),
                Some(Shipping::Express),
                (0, 0, 300, 795, 795),
            ),
            (
                "coupon under its minimum spend: nothing off",
                vec![line("A", 1, 1_900)],
                offers(&[], &[], coupon(Fixed(500), 2_000)),
                None,
                (0, 0, 0, 0, 1_900),
            ),
            (
                "minimum spend is checked after multi-buy: £21 gross, £19 spend, refused",
                vec![line("A", 3, 700)],
                offers(&[(&["A"], 3, 1_900)], &[], coupon(Fixed(500), 2_000)),
                None,
                (200, 0, 0, 0, 1_900),
            ),
            (
                "free shipping is on the discounted goods: £55 less a £10 coupon pays shipping",
                vec![line("A", 1, 5_500)],
                offers(&[], &[], coupon(Fixed(1_000), 0)),
                Some(Shipping::Standard),
                (0, 0, 1_000, 395, 4_895),
            ),
            (
                "everything at once",
                vec![line("A", 6, 1_000), line("B", 2, 2_500)],
                offers(&[(&["A"], 3, 2_500)], &spend50, coupon(Percent(20), 5_000)),
                Some(Shipping::Standard),
                // 110.00 gross, -10.00 multi-buy = 100.00 spend, -15.00 = 85.00, -17.00 = 68.00
                (1_000, 1_500, 1_700, 0, 6_800),
            ),
            (
                "100% coupon: goods free, shipping still charged",
                vec![line("A", 1, 2_000)],
                offers(&[], &[], coupon(Percent(100), 0)),
                Some(Shipping::Standard),
                (0, 0, 2_000, 395, 395),
            ),
        ];
        for (name, lines, offers, shipping, want) in cases {
            let q = promo_totals(&lines, &offers, shipping, Currency::Gbp).expect(name);
            let got = (
                q.multibuy_saving.minor,
                q.threshold_saving.minor,
                q.coupon_saving.minor,
                q.totals.shipping.minor,
                q.totals.total.minor,
            );
            assert_eq!(got, want, "{name}");
            assert_eq!(
                q.totals.discount.minor,
                got.0 + got.1 + got.2,
                "{name}: discount is the sum of the savings"
            );
        }
    }

    #[test]
    fn the_coupon_outcome_says_why() {
        let q = promo_totals(
            &[line("A", 1, 1_900)],
            &offers(&[], &[], coupon(CouponKind::Fixed(500), 2_000)),
            None,
            Currency::Gbp,
        )
        .expect("totals");
        let refusal = q.coupon.and_then(|c| c.refusal()).expect("refused");
        assert!(refusal.contains("Spend at least £20.00"), "{refusal}");
    }

    proptest! {
        #[test]
        fn never_negative_never_more_than_the_goods(
            lines in prop::collection::vec((0usize..3, 1i64..=99, 1i64..=100_000), 0..6),
            mb_qty in 2i64..=5, mb_price in 0i64..=200_000,
            spend in 0i64..=500_000, save in 0i64..=500_000,
            pct in 0u8..=150, fixed in 0i64..=500_000, min in 0i64..=500_000, use_pct: bool,
        ) {
            let skus = ["A", "B", "C"];
            let priced: Vec<_> = lines.iter().enumerate()
                .map(|(i, &(s, q, p))| line(&format!("{}{i}", skus[s]), q, p)).collect();
            let o = Offers {
                multibuys: priced.iter().map(|l| MultiBuy { skus: vec![l.sku.clone()], quantity: mb_qty, price_minor: mb_price }).collect(),
                thresholds: vec![Threshold { spend_minor: spend, save_minor: save }],
                coupon: Some(Coupon {
                    code: "X".into(),
                    kind: if use_pct { CouponKind::Percent(pct) } else { CouponKind::Fixed(fixed) },
                    min_spend_minor: min,
                }),
            };
            let q = promo_totals(&priced, &o, Some(Shipping::Standard), Currency::Gbp).expect("in range");
            let t = q.totals;
            prop_assert!(t.discount.minor >= 0 && t.discount.minor <= t.subtotal.minor);
            prop_assert_eq!(t.total.minor, t.subtotal.minor - t.discount.minor + t.shipping.minor);
            prop_assert!(q.multibuy_saving.minor >= 0 && q.threshold_saving.minor >= 0 && q.coupon_saving.minor >= 0);
        }
        /// Pooling lines into one offer never costs the shopper more than the same terms on each
        /// SKU alone, and never saves more than the lines cost.
        #[test]
        fn mixing_saves_at_least_as_much_as_each_sku_alone(
            lines in prop::collection::vec((1i64..=99, 1i64..=5_000), 1..6),
            size in 2i64..=5, price in 1i64..=20_000,
        ) {
            let priced: Vec<_> = lines.iter().enumerate()
                .map(|(i, &(q, p))| line(&format!("S{i}"), q, p)).collect();
            let skus: Vec<String> = priced.iter().map(|l| l.sku.clone()).collect();
            let mixed = Offers {
                multibuys: vec![MultiBuy { skus: skus.clone(), quantity: size, price_minor: price }],
                ..Offers::default()
            };
            let alone = Offers {
                multibuys: skus.iter().map(|s| MultiBuy { skus: vec![s.clone()], quantity: size, price_minor: price }).collect(),
                ..Offers::default()
            };
            let m = promo_totals(&priced, &mixed, None, Currency::Gbp).expect("in range");
            let a = promo_totals(&priced, &alone, None, Currency::Gbp).expect("in range");
            prop_assert!(m.multibuy_saving.minor >= a.multibuy_saving.minor);
            prop_assert!(m.multibuy_saving.minor <= m.totals.subtotal.minor);
            let units: i64 = priced.iter().map(|l| l.quantity).sum();
            if units < size {
                prop_assert_eq!(m.multibuy_saving.minor, 0);
            }
        }
    }
}
