//! Money as integer minor units with a currency: never floating point.
//!
//! Owns formatting for people (`£2.55`) and for machines (`2.55` in JSON-LD), and parsing of
//! the decimal amounts shoppers type into price filters. Runs on both sides, so the browser
//! and the server format every amount identically.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency the store can price in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    Gbp,
    Eur,
    Usd,
}

impl Currency {
    /// The ISO 4217 code, as stored in the database and sent in JSON-LD.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Gbp => "GBP",
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
        }
    }

    /// Parses an ISO 4217 code (case-insensitive).
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "GBP" => Some(Currency::Gbp),
            "EUR" => Some(Currency::Eur),
            "USD" => Some(Currency::Usd),
            _ => None,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Currency::Gbp => "£",
            Currency::Eur => "€",
            Currency::Usd => "$",
        }
    }
}

/// An amount of money: `minor` units (pence, cents) of `currency`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// The plain decimal amount without symbol, e.g. `2.55` or `-0.05`: the form schema.org
    /// `price` wants.
    pub fn decimal(&self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Parses an amount a person typed, such as `12`, `12.5` or `£12.50`, into minor units.
    /// Rejects negatives, more than two decimals and anything that is not a number.
    pub fn parse_minor(input: &str) -> Option<i64> {
        let s = input.trim().trim_start_matches(['£', '€', '$']).trim();
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) if digits(f) => (w, f),
            Some(_) => return None,
            None => (s, ""),
        };
        if !digits(whole) || frac.len() > 2 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        whole.checked_mul(100)?.checked_add(frac)
    }
}

impl fmt::Display for Money {
    /// Formats for people: `£2.55`, `£1,234.00`, `−£0.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "−" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(
            f,
            "{sign}{}{grouped}.{:02}",
            self.currency.symbol(),
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbp(minor: i64) -> Money {
        Money::new(minor, Currency::Gbp)
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(gbp(255).to_string(), "£2.55");
        assert_eq!(gbp(5).to_string(), "£0.05");
        assert_eq!(gbp(0).to_string(), "£0.00");
        assert_eq!(gbp(12_345_678).to_string(), "£123,456.78");
        assert_eq!(gbp(100_000).to_string(), "£1,000.00");
        assert_eq!(gbp(-50).to_string(), "−£0.50");
        assert_eq!(Money::new(1999, Currency::Eur).to_string(), "€19.99");
    }

    #[test]
    fn formats_for_machines() {
        assert_eq!(gbp(255).decimal(), "2.55");
        assert_eq!(gbp(7).decimal(), "0.07");
        assert_eq!(gbp(-7).decimal(), "-0.07");
        assert_eq!(gbp(i64::MIN).decimal(), "-92233720368547758.08");
    }

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(Money::parse_minor("12"), Some(1200));
        assert_eq!(Money::parse_minor("12.5"), Some(1250));
        assert_eq!(Money::parse_minor(" £0.05 "), Some(5));
        for bad in [
            "",
            "-1",
            "1.234",
            "abc",
            "1,00",
            ".5",
            "1.",
            "99999999999999999999",
        ] {
            assert_eq!(Money::parse_minor(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in [Currency::Gbp, Currency::Eur, Currency::Usd] {
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        assert_eq!(Currency::parse("gbp"), Some(Currency::Gbp));
        assert_eq!(Currency::parse("XXX"), None);
    }
}
