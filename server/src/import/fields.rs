//! Field parsers for one CSV cell: money in pence, invoice dates in unix seconds, quantities and
//! customer ids, plus the small civil-calendar arithmetic they need.
//!
//! Every parser here is total: it returns `None` for anything it cannot read exactly and never
//! panics, rounds through `f64`, or guesses. Deciding what a `None` means for the line belongs to
//! `rows.rs`.

const SECONDS_PER_DAY: i64 = 86_400;

/// Parses a non-negative amount of pounds ("2.55", "1", "0.125") into pence, exactly.
///
/// Digits beyond the penny round half-up ("0.125" -> 13, "0.1249" -> 12). Signs, exponents,
/// a bare "." or "5.", several points, or an amount that overflows `i64` give `None`.
pub fn parse_price_minor(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, fraction) = match s.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (s, "0"),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut digits = fraction.bytes().map(|b| i64::from(b - b'0'));
    let tens = digits.next().unwrap_or(0);
    let units = digits.next().unwrap_or(0);
    let round_up = i64::from(digits.next().is_some_and(|d| d >= 5));
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(tens * 10 + units + round_up)
}

/// Parses an invoice date into unix seconds, reading the clock as UTC (UK time in December).
///
/// Accepts the shipped file's day-first `DD/MM/YYYY HH:MM` (day, month and hour may have one
/// digit) and, for the year-long sample, ISO `YYYY-MM-DD HH:MM[:SS]`. Month 1-12, a day that
/// exists in that month (leap years included), hour < 24 and minute/second < 60 are enforced.
pub fn parse_invoice_date(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(' ')?;
    let (year, month, day) = if date.contains('/') {
        let mut parts = date.split('/');
        let day = number(parts.next()?, 1, 2)?;
        let month = number(parts.next()?, 1, 2)?;
        let year = number(parts.next()?, 4, 4)?;
        parts.next().is_none().then_some((year, month, day))?
    } else {
        let mut parts = date.split('-');
        let year = number(parts.next()?, 4, 4)?;
        let month = number(parts.next()?, 2, 2)?;
        let day = number(parts.next()?, 2, 2)?;
        parts.next().is_none().then_some((year, month, day))?
    };
    let mut clock = time.trim().split(':');
    let hour = number(clock.next()?, 1, 2)?;
    let minute = number(clock.next()?, 2, 2)?;
    let second = clock.next().map_or(Some(0), |part| number(part, 2, 2))?;
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && clock.next().is_none();
    valid.then(|| {
        days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    })
}

/// Parses a quantity: an optionally signed whole number.
pub(crate) fn parse_quantity(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Parses a CustomerID cell. `Ok(None)` for a guest ("" or R's "NA"); "17850" and "17850.0" are
/// both customer 17850; anything else is `Err(())`.
pub(crate) fn parse_customer_id(s: &str) -> Result<Option<i64>, ()> {
    let s = s.trim();
    if s.is_empty() || s == "NA" {
        return Ok(None);
    }
    let whole = match s.split_once('.') {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return Err(()),
        None => s,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    whole.parse().map(Some).map_err(|_| ())
}

/// The day number (days since 1970-01-01) of a unix timestamp.
pub(crate) fn day_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(SECONDS_PER_DAY)
}

/// "December 2010" for a unix timestamp.
pub(crate) fn month_and_year(unix_seconds: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, _) = civil_from_days(day_of(unix_seconds));
    let name = usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .unwrap_or(&"");
    format!("{name} {year}")
}

/// A run of `min..=max` ASCII digits as a number.
fn number(part: &str, min: usize, max: usize) -> Option<i64> {
    let ok = (min..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if ok { part.parse().ok() } else { None }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_exactly_into_pence() {
        assert_eq!(parse_price_minor("2.55"), Some(255));
        assert_eq!(parse_price_minor("0.85"), Some(85));
        assert_eq!(parse_price_minor("16.95"), Some(1695));
        assert_eq!(parse_price_minor("1"), Some(100));
        assert_eq!(parse_price_minor("0.1"), Some(10));
        assert_eq!(parse_price_minor("0"), Some(0));
        assert_eq!(parse_price_minor("4.165"), Some(417));
    }

    #[test]
    fn sub_penny_digits_round_half_up() {
        assert_eq!(parse_price_minor("0.125"), Some(13));
        assert_eq!(parse_price_minor("0.1249999"), Some(12));
        assert_eq!(parse_price_minor("0.995"), Some(100));
    }

    #[test]
    fn bad_prices_are_rejected() {
        for bad in [
            "-1",
            "abc",
            "1.2.3",
            "",
            ".5",
            "5.",
            "1e3",
            "+1",
            "1,50",
            "99999999999999999999",
        ] {
            assert_eq!(parse_price_minor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_pence_amount_round_trips() {
        for pence in 0..200_000_i64 {
            let text = format!("{}.{:02}", pence / 100, pence % 100);
            assert_eq!(parse_price_minor(&text), Some(pence), "{text}");
        }
    }

    #[test]
    fn known_invoice_dates() {
        assert_eq!(parse_invoice_date("01/12/2010 08:26"), Some(1_291_191_960));
        assert_eq!(parse_invoice_date("1/12/2010 8:26"), Some(1_291_191_960));
        assert_eq!(
            parse_invoice_date("2010-12-01 08:26:00"),
            Some(1_291_191_960)
        );
        assert_eq!(parse_invoice_date("01/01/1970 00:00"), Some(0));
        assert_eq!(parse_invoice_date("31/12/2099 23:59"), Some(4_102_444_740));
    }

    #[test]
    fn leap_days_follow_the_calendar() {
        assert_eq!(parse_invoice_date("29/02/2011 10:00"), None);
        assert_eq!(parse_invoice_date("29/02/2012 00:00"), Some(1_330_473_600));
        assert_eq!(parse_invoice_date("29/02/1900 00:00"), None);
        assert!(parse_invoice_date("29/02/2000 00:00").is_some());
    }

    #[test]
    fn out_of_range_dates_are_rejected() {
        for bad in [
            "32/12/2010 08:26",
            "00/12/2010 08:26",
            "01/13/2010 08:26",
            "31/04/2011 08:00",
            "01/12/2010 24:00",
            "01/12/2010 08:60",
            "01/12/10 08:26",
            "01/12/2010",
            "2010-12-01",
            "01/12/2010 08:26:00:00",
            "",
            "12/1/2010 8:26 PM",
            "01-12-2010 08:26",
        ] {
            assert_eq!(parse_invoice_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn calendar_round_trips() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(month_and_year(1_291_191_960), "December 2010");
    }

    #[test]
    fn customer_ids_accept_integer_and_float_forms() {
        assert_eq!(parse_customer_id("17850"), Ok(Some(17850)));
        assert_eq!(parse_customer_id("17850.0"), Ok(Some(17850)));
        assert_eq!(parse_customer_id(""), Ok(None));
        assert_eq!(parse_customer_id("NA"), Ok(None));
        for bad in ["17850.5", "abc", "-3", "1e4", ".0", "17850."] {
            assert_eq!(parse_customer_id(bad), Err(()), "{bad:?}");
        }
    }

    #[test]
    fn quantities_are_signed_whole_numbers() {
        assert_eq!(parse_quantity("-12"), Some(-12));
        assert_eq!(parse_quantity("6"), Some(6));
        assert_eq!(parse_quantity("6.0"), None);
        assert_eq!(parse_quantity("six"), None);
    }
}
