//! The marketer dashboard's numbers: for a period of whole UTC days, the headline figures
//! (visitors, orders, conversion, average order value, revenue), the funnel visit -> product
//! view -> add to cart -> checkout -> purchase, the top products by revenue and the variants
//! running out of stock, and the charts that show them.
//!
//! Owns the period (parsed from `YYYY-MM-DD` dates), the arithmetic (drop-off, share, the
//! low-stock rule) and the set-based queries behind them ([`queries`]); [`chart`] draws the SVG.
//! It never writes, and never speaks HTTP: the page is `admin::dashboard`.
//!
//! Orders and revenue count every order that was not cancelled, imported history included; the
//! funnel counts store visitors only (imported orders have no visitor).

pub mod chart;
pub mod queries;

use crate::db::Db;
use anyhow::Context;

/// Days in the default period.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period a marketer may choose.
pub const MAX_DAYS: i64 = 366;
/// Recent sales for the low-stock rule: the last this many days of the period.
pub const RECENT_DAYS: i64 = 14;
/// A variant is low on stock when it has less than this many days of recent sales left.
pub const COVER_DAYS: i64 = 3;
/// Products in the top list.
pub const TOP_N: i64 = 10;

const DAY: i64 = 86_400;

/// A period of whole UTC days, `from` to `to` inclusive, as unix days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
}

/// Why dates were refused; the message is for the marketer.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Dates must be real dates written YYYY-MM-DD, for example 2010-12-01.")]
    Malformed,
    #[error("The start date must be on or before the end date.")]
    Reversed,
    #[error("Choose a period of at most {MAX_DAYS} days.")]
    TooLong,
}

impl Period {
    /// The [`DEFAULT_DAYS`] days ending on `last_day`.
    pub fn ending(last_day: i64) -> Self {
        Period {
            from: last_day - (DEFAULT_DAYS - 1),
            to: last_day,
        }
    }

    /// Parses the form's dates. An empty one is filled from the other ([`DEFAULT_DAYS`] days);
    /// both empty is `Ok(None)`: the caller picks the default.
    pub fn parse(from: &str, to: &str) -> Result<Option<Self>, PeriodError> {
        let day = |s: &str| parse_day(s.trim()).ok_or(PeriodError::Malformed);
        let period = match (from.trim().is_empty(), to.trim().is_empty()) {
            (true, true) => return Ok(None),
            (true, false) => Period::ending(day(to)?),
            (false, true) => {
                let from = day(from)?;
                Period {
                    from,
                    to: from + DEFAULT_DAYS - 1,
                }
            }
            (false, false) => Period {
                from: day(from)?,
                to: day(to)?,
            },
        };
        if period.from > period.to {
            return Err(PeriodError::Reversed);
        }
        if period.days() > MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Some(period))
    }

    pub fn days(self) -> i64 {
        self.to - self.from + 1
    }

    /// Unix seconds of the first instant in the period.
    pub fn start(self) -> i64 {
        self.from * DAY
    }

    /// Unix seconds just after the period (exclusive end).
    pub fn end(self) -> i64 {
        (self.to + 1) * DAY
    }

    /// Unix seconds where the low-stock rule's recent sales start: [`RECENT_DAYS`] before the end.
    pub fn recent_start(self) -> i64 {
        self.end() - RECENT_DAYS * DAY
    }
}

/// Unix days of a `YYYY-MM-DD` date (proleptic Gregorian), or `None` if it is no such date.
pub fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of unix days.
pub fn format_day(day: i64) -> String {
    crate::http::seo_routes::iso_date(day * DAY)
}

/// The share of `part` in `total`, in percent; `None` when there is no total.
pub fn percent(part: i64, total: i64) -> Option<f64> {
    (total > 0).then(|| part as f64 * 100.0 / total as f64)
}

/// The share of the previous step's visitors lost at this step, in percent.
pub fn drop_off(previous: i64, this: i64) -> Option<f64> {
    percent(previous - this, previous)
}

/// The low-stock rule: less than [`COVER_DAYS`] days of the recent daily sales left, that is
/// `stock < COVER_DAYS * units / RECENT_DAYS`, in integers.
pub fn is_low_stock(stock: i64, recent_units: i64) -> bool {
    stock * RECENT_DAYS < COVER_DAYS * recent_units
}

/// Days the stock lasts at the recent daily rate (tenths of a day, rounded down).
pub fn cover_tenths(stock: i64, recent_units: i64) -> Option<i64> {
    (recent_units > 0).then(|| stock * RECENT_DAYS * 10 / recent_units)
}

/// The headline figures. Money is minor units of the store currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kpis {
    pub orders: i64,
    pub revenue: i64,
    pub web_orders: i64,
    pub web_revenue: i64,
}

impl Kpis {
    /// Average order value in minor units (rounded down), if there were orders.
    pub fn average_order(&self) -> Option<i64> {
        (self.orders > 0).then(|| self.revenue / self.orders)
    }
}

/// Visitors at each funnel step in the period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Funnel {
    /// Distinct visitors who did each step at all: visit, view, cart, checkout, purchase.
    pub reached: [i64; 5],
    /// Distinct visitors who did each step and every step before it.
    pub through: [i64; 5],
    /// Visitors with a visit and a purchase in the period.
    pub converted: i64,
}

pub const FUNNEL_STEPS: [&str; 5] = [
    "Visit",
    "Product view",
    "Add to cart",
    "Checkout",
    "Purchase",
];

impl Funnel {
    pub fn visitors(&self) -> i64 {
        self.reached[0]
    }

    /// Purchasing visitors per visitor, in percent.
    pub fn conversion(&self) -> Option<f64> {
        percent(self.converted, self.visitors())
    }
}

/// A product in the top list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopProduct {
    pub stem: String,
    pub title: String,
    pub units: i64,
    pub revenue: i64,
}

/// A variant under the low-stock rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowStock {
    pub sku: String,
    pub title: String,
    pub stock: i64,
    /// Units sold in the last [`RECENT_DAYS`] days of the period.
    pub recent_units: i64,
}

/// Revenue on one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Daily {
    pub day: i64,
    pub orders: i64,
    pub revenue: i64,
}

/// Everything the page shows for a period.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub period: Period,
    pub kpis: Kpis,
    pub daily: Vec<Daily>,
    pub funnel: Funnel,
    pub top: Vec<TopProduct>,
    /// Line sales of all products in the period (the top list's shares are of this).
    pub sales: i64,
    pub low_stock: Vec<LowStock>,
}

/// The day of the latest order, if there is one.
#[tracing::instrument(skip(db))]
pub async fn latest_order_day(db: &Db) -> anyhow::Result<Option<i64>> {
    let (at,): (Option<i64>,) = sqlx::query_as("SELECT MAX(placed_at) FROM orders")
        .fetch_one(db)
        .await
        .context("Failed to find the latest order")?;
    Ok(at.map(|at| at.div_euclid(DAY)))
}

/// Reads the dashboard for `period`, timing each query in the log.
#[tracing::instrument(skip(db))]
pub async fn load(db: &Db, period: Period) -> anyhow::Result<Dashboard> {
    let started = std::time::Instant::now();
    let lap = |name: &'static str, since: &mut std::time::Instant| {
        tracing::info!(
            query = name,
            micros = since.elapsed().as_micros() as u64,
            "dashboard query"
        );
        *since = std::time::Instant::now();
    };
    let mut t = started;
    let kpis = queries::kpis(db, period).await?;
    lap("kpis", &mut t);
    let daily = queries::daily(db, period).await?;
    lap("daily", &mut t);
    let funnel = queries::funnel(db, period).await?;
    lap("funnel", &mut t);
    let (top, sales) = queries::top_products(db, period, TOP_N).await?;
    lap("top_products", &mut t);
    let mut low_stock = queries::low_stock(db, period).await?;
    lap("low_stock", &mut t);
    low_stock.sort_by_key(|v| (cover_tenths(v.stock, v.recent_units), v.sku.clone()));
    tracing::info!(
        micros = started.elapsed().as_micros() as u64,
        "dashboard loaded"
    );
    Ok(Dashboard {
        period,
        kpis,
        daily,
        funnel,
        top,
        sales,
        low_stock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_unix_days() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2010-12-01"), Some(14_944));
        for day in [-1, 0, 14_944, 11_016, 20_000, 2_932_896] {
            assert_eq!(parse_day(&format_day(day)), Some(day), "{day}");
        }
        assert_eq!(parse_day("2012-02-29"), Some(15_399));
    }

    #[test]
    fn impossible_or_malformed_dates_are_refused() {
        for bad in [
            "",
            "2010-13-01",
            "2010-00-10",
            "2010-02-29",
            "2010-04-31",
            "2010-1-01",
            "10-12-2010",
            "2010/12/01",
            "2010-12-0a",
            "+010-12-01",
            "2010-12-01x",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn periods_are_parsed_defaulted_and_bounded() {
        let dec = parse_day("2010-12-01").expect("date");
        assert_eq!(Period::parse("", ""), Ok(None));
        assert_eq!(
            Period::parse("2010-12-01", "2010-12-09"),
            Ok(Some(Period {
                from: dec,
                to: dec + 8
            }))
        );
        assert_eq!(
            Period::parse("", "2010-12-30").map(|p| p.map(Period::days)),
            Ok(Some(30))
        );
        assert_eq!(
            Period::parse("2010-12-01", "").map(|p| p.map(|p| p.from)),
            Ok(Some(dec))
        );
        assert_eq!(
            Period::parse("2010-12-09", "2010-12-01"),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::parse("2010-12-01", "2012-12-01"),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            Period::parse("yesterday", "2010-12-01"),
            Err(PeriodError::Malformed)
        );
        let p = Period::ending(dec);
        assert_eq!((p.days(), p.end() - p.start()), (30, 30 * DAY));
        assert_eq!(p.end() - p.recent_start(), RECENT_DAYS * DAY);
    }

    #[test]
    fn drop_off_and_share_are_percentages_of_the_step_before() {
        assert_eq!(drop_off(200, 50), Some(75.0));
        assert_eq!(drop_off(10, 10), Some(0.0));
        assert_eq!(drop_off(0, 0), None, "no visitors: no drop-off");
        assert_eq!(percent(1, 3).map(|p| (p * 1e6).round()), Some(33_333_333.0));
        assert_eq!(percent(5, 0), None);
    }

    #[test]
    fn low_stock_means_less_than_three_days_of_recent_sales() {
        // 28 units in 14 days is 2 a day: three days is 6 units.
        assert!(is_low_stock(5, 28));
        assert!(!is_low_stock(6, 28));
        assert!(is_low_stock(0, 1));
        assert!(!is_low_stock(0, 0), "nothing sold: no alert");
        assert_eq!(cover_tenths(5, 28), Some(25));
        assert_eq!(cover_tenths(5, 0), None);
    }

    #[test]
    fn average_order_value_is_revenue_per_order() {
        let k = Kpis {
            orders: 3,
            revenue: 1000,
            ..Kpis::default()
        };
        assert_eq!(k.average_order(), Some(333));
        assert_eq!(Kpis::default().average_order(), None);
    }
}
