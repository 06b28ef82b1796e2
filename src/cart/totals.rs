//! Cart arithmetic: the one function that turns priced lines into a subtotal, discount,
//! shipping and total. The server charges what it computes, and the browser runs the same code
//! for its optimistic display, so the two cannot disagree.
//!
//! Checked arithmetic throughout: an overflow is an error, never a wrapped or saturated total.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// The most of one item a single order may hold.
pub const MAX_QUANTITY: i64 = 99;

/// A quantity a shopper asked for: a whole number from 1 to [`MAX_QUANTITY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity(i64);

/// Why a typed quantity was refused; the message says what to type instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("“{0}” is not a quantity: enter a whole number from 1 to {MAX_QUANTITY}.")]
    NotANumber(String),
    #[error("The quantity must be at least 1. To take an item out, use Remove.")]
    TooLow,
    #[error("You can order at most {MAX_QUANTITY} of one item.")]
    TooHigh,
}

impl Quantity {
    /// Parses typed input.
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let n: i64 = input
            .trim()
            .parse()
            .map_err(|_| QuantityError::NotANumber(input.trim().chars().take(20).collect()))?;
        Self::new(n)
    }

    pub fn new(n: i64) -> Result<Self, QuantityError> {
        match n {
            i64::MIN..=0 => Err(QuantityError::TooLow),
            1..=MAX_QUANTITY => Ok(Quantity(n)),
            _ => Err(QuantityError::TooHigh),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// How an order travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shipping {
    /// 3 to 5 working days; free from £50 of goods.
    Standard,
    /// Next working day.
    Express,
}

impl Shipping {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Shipping::Standard),
            "express" => Some(Shipping::Express),
            _ => None,
        }
    }

    /// Every option, in the order the checkout lists them.
    pub const ALL: [Shipping; 2] = [Shipping::Standard, Shipping::Express];

    pub fn key(self) -> &'static str {
        match self {
            Shipping::Standard => "standard",
            Shipping::Express => "express",
        }
    }

    /// The name shoppers see.
    pub fn label(self) -> &'static str {
        match self {
            Shipping::Standard => "Standard delivery",
            Shipping::Express => "Express delivery",
        }
    }

    /// The promised delivery window.
    pub fn window(self) -> &'static str {
        match self {
            Shipping::Standard => "arrives in 3 to 5 working days; free on orders of £50 or more",
            Shipping::Express => "arrives the next working day when ordered by 2pm",
        }
    }

    /// Price in minor units for goods worth `subtotal` in `items` pieces. The catalogue has no
    /// weights, so item count stands in for weight: every 10 items past the first 10 add a band.
    pub fn price(self, subtotal: i64, items: i64) -> i64 {
        let extra_bands = (items.max(1) - 1) / 10;
        match self {
            Shipping::Standard if subtotal >= 5_000 => 0,
            Shipping::Standard => 395 + 150 * extra_bands,
            Shipping::Express => 795 + 250 * extra_bands,
        }
    }
}

/// One cart line with the price the server charges now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub sku: String,
    pub quantity: i64,
    pub unit: Money,
}

/// What an order costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub items: i64,
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    #[error("the cart mixes currencies")]
    MixedCurrencies,
    #[error("the amount is too large to charge")]
    Overflow,
    #[error("a line has a negative price or quantity")]
    Negative,
}

/// Subtotal of `lines`, minus `discount` (capped at the subtotal), plus `shipping`.
/// An empty cart totals zero in `currency`.
pub fn cart_totals(
    lines: &[PricedLine],
    discount: i64,
    shipping: i64,
    currency: Currency,
) -> Result<Totals, TotalsError> {
    if discount < 0 || shipping < 0 {
        return Err(TotalsError::Negative);
    }
    let mut subtotal: i64 = 0;
    let mut items: i64 = 0;
    for line in lines {
        if line.unit.currency != currency {
            return Err(TotalsError::MixedCurrencies);
        }
        if line.quantity < 0 || line.unit.minor < 0 {
            return Err(TotalsError::Negative);
        }
        let amount = line
            .unit
            .minor
            .checked_mul(line.quantity)
            .ok_or(TotalsError::Overflow)?;
        subtotal = subtotal.checked_add(amount).ok_or(TotalsError::Overflow)?;
        items = items
            .checked_add(line.quantity)
            .ok_or(TotalsError::Overflow)?;
    }
    let discount = discount.min(subtotal);
    let total = (subtotal - discount)
        .checked_add(shipping)
        .ok_or(TotalsError::Overflow)?;
    let money = |minor| Money::new(minor, currency);
    Ok(Totals {
        items,
        subtotal: money(subtotal),
        discount: money(discount),
        shipping: money(shipping),
        total: money(total),
    })
}

/// What checkout charges with no promotion: the goods, then `shipping` priced on their value
/// and item count. Same as [`promo_totals`] with [`Offers::default`].
pub fn checkout_totals(
    lines: &[PricedLine],
    shipping: Shipping,
    currency: Currency,
) -> Result<Totals, TotalsError> {
    promo_totals(lines, &Offers::default(), Some(shipping), currency).map(|q| q.totals)
}

pub use super::promotions::{
    Coupon, CouponKind, CouponOutcome, MultiBuy, Offers, Quote, Threshold, promo_totals,
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(quantity: i64, minor: i64) -> PricedLine {
        PricedLine {
            sku: "X".into(),
            quantity,
            unit: Money::new(minor, Currency::Gbp),
        }
    }

    #[test]
    fn sums_lines_then_discount_then_shipping() {
        let t =
            cart_totals(&[line(2, 255), line(1, 1000)], 100, 395, Currency::Gbp).expect("totals");
        assert_eq!(
            (
                t.items,
                t.subtotal.minor,
                t.discount.minor,
                t.shipping.minor,
                t.total.minor
            ),
            (3, 1510, 100, 395, 1805)
        );
    }

    #[test]
    fn an_empty_cart_is_free_and_a_discount_cannot_go_below_zero() {
        let t = cart_totals(&[], 500, 0, Currency::Gbp).expect("totals");
        assert_eq!(
            (t.subtotal.minor, t.discount.minor, t.total.minor),
            (0, 0, 0)
        );
    }

    #[test]
    fn rejects_what_cannot_be_charged() {
        assert_eq!(
            cart_totals(&[line(2, i64::MAX)], 0, 0, Currency::Gbp),
            Err(TotalsError::Overflow)
        );
        assert_eq!(
            cart_totals(&[line(-1, 100)], 0, 0, Currency::Gbp),
            Err(TotalsError::Negative)
        );
        let euro = PricedLine {
            sku: "E".into(),
            quantity: 1,
            unit: Money::new(1, Currency::Eur),
        };
        assert_eq!(
            cart_totals(&[euro], 0, 0, Currency::Gbp),
            Err(TotalsError::MixedCurrencies)
        );
    }

    #[test]
    fn checkout_totals_price_shipping_on_the_goods() {
        let t = checkout_totals(&[line(2, 2_000)], Shipping::Standard, Currency::Gbp)
            .expect("in range");
        assert_eq!(
            (t.subtotal.minor, t.shipping.minor, t.total.minor),
            (4_000, 395, 4_395)
        );
        let t = checkout_totals(&[line(3, 2_000)], Shipping::Standard, Currency::Gbp)
            .expect("in range");
        assert_eq!((t.shipping.minor, t.total.minor), (0, 6_000));
        let t =
            checkout_totals(&[line(3, 2_000)], Shipping::Express, Currency::Gbp).expect("in range");
        assert_eq!(t.total.minor, 6_795);
    }

    #[test]
    fn shipping_is_priced_by_value_and_item_bands() {
        assert_eq!(Shipping::Standard.price(4_999, 1), 395);
        assert_eq!(Shipping::Standard.price(5_000, 1), 0);
        assert_eq!(Shipping::Standard.price(1_000, 11), 545);
        assert_eq!(Shipping::Express.price(10_000, 10), 795);
        assert_eq!(Shipping::Express.price(10_000, 21), 1_295);
        assert_eq!(Shipping::parse("express"), Some(Shipping::Express));
        assert_eq!(Shipping::parse("teleport"), None);
    }

    #[test]
    fn quantities_are_whole_numbers_from_one_to_the_maximum() {
        assert_eq!(Quantity::parse(" 3 ").map(Quantity::get), Ok(3));
        assert_eq!(Quantity::parse("0"), Err(QuantityError::TooLow));
        assert_eq!(Quantity::parse("-2"), Err(QuantityError::TooLow));
        assert_eq!(Quantity::parse("100"), Err(QuantityError::TooHigh));
        for bad in ["2.5", "<b>", ""] {
            let e = Quantity::parse(bad).expect_err("rejected");
            assert!(matches!(e, QuantityError::NotANumber(_)), "{bad:?}");
            assert!(e.to_string().contains("whole number from 1 to 99"));
        }
        assert!(QuantityError::TooLow.to_string().contains("at least 1"));
        assert!(QuantityError::TooHigh.to_string().contains("at most 99"));
    }

    proptest! {
        #[test]
        fn total_is_lines_plus_shipping_minus_discount(
            lines in prop::collection::vec((0i64..=MAX_QUANTITY, 0i64..=10_000_000), 0..40),
            discount in 0i64..=100_000_000,
            shipping in 0i64..=100_000,
        ) {
            let priced: Vec<_> = lines.iter().map(|&(q, p)| line(q, p)).collect();
            let t = cart_totals(&priced, discount, shipping, Currency::Gbp).expect("in range");
            let sum: i64 = lines.iter().map(|&(q, p)| q * p).sum();
            prop_assert_eq!(t.subtotal.minor, sum);
            prop_assert_eq!(t.discount.minor, discount.min(sum));
            prop_assert_eq!(t.total.minor, sum - discount.min(sum) + shipping);
            prop_assert!(t.total.minor >= 0);
            prop_assert_eq!(t.items, lines.iter().map(|&(q, _)| q).sum::<i64>());
        }

        #[test]
        fn never_panics_and_never_wraps(
            lines in prop::collection::vec((any::<i64>(), any::<i64>()), 0..8),
            discount in any::<i64>(),
            shipping in any::<i64>(),
        ) {
            let priced: Vec<_> = lines.iter().map(|&(q, p)| line(q, p)).collect();
            if let Ok(t) = cart_totals(&priced, discount, shipping, Currency::Gbp) {
                prop_assert!(t.total.minor >= 0 && t.subtotal.minor >= 0);
                let exact: i128 = lines.iter().map(|&(q, p)| i128::from(q) * i128::from(p)).sum();
                prop_assert_eq!(i128::from(t.subtotal.minor), exact);
            }
        }
    }
}
