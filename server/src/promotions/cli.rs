//! `vitrine promo ...`: coupons, spend thresholds, multi-buys and flash sales from the shell,
//! each with its audit entry. Amounts are typed like prices (`5.00`), instants in UTC
//! (`2026-11-23T18:00`) or relative to now (`+2h`).

use super::coupons::NewCoupon;
use super::flash::NewFlash;
use crate::db::{self, Db};
use crate::staff::audit::Actor;
use anyhow::Context;
use clap::Subcommand;
use vitrine::cart::CouponKind;
use vitrine::dates::{parse_utc, short_utc};
use vitrine::money::{Currency, Money};

#[derive(Subcommand)]
pub enum PromoCommand {
    /// Coupon codes: `promo coupon add CODE --percent 10 | --fixed 5.00 [...]`.
    #[command(subcommand)]
    Coupon(CouponCommand),
    /// Spend X save Y: `promo threshold add --spend 50.00 --save 5.00`.
    #[command(subcommand)]
    Threshold(ThresholdCommand),
    /// "3 for £10": `promo multibuy add SKU --qty 3 --price 10.00`.
    #[command(subcommand)]
    Multibuy(MultibuyCommand),
    /// Flash prices: `promo flash add SKU --price 4.00 [--from ...] --until ...`.
    #[command(subcommand)]
    Flash(FlashCommand),
    /// Every promotion, with what is running now.
    List,
}

#[derive(Subcommand)]
pub enum CouponCommand {
    /// Create a coupon code (shoppers may type it in any case).
    Add {
        code: String,
        /// Whole percent off the goods, 1 to 100.
        #[arg(long, conflicts_with = "fixed", required_unless_present = "fixed")]
        percent: Option<u8>,
        /// An amount off the goods, e.g. 5.00.
        #[arg(long)]
        fixed: Option<String>,
        /// The least a cart must spend (after multi-buy savings), e.g. 20.00.
        #[arg(long)]
        min_spend: Option<String>,
        /// Usable from (UTC, e.g. 2026-11-23T18:00, or +1h); default now.
        #[arg(long)]
        from: Option<String>,
        /// Usable until (exclusive); default no end.
        #[arg(long)]
        until: Option<String>,
        /// How many orders may use it in all; default no limit.
        #[arg(long)]
        limit: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum ThresholdCommand {
    /// Spend at least SPEND (after multi-buy savings), save SAVE; replaces one at that spend.
    Add {
        #[arg(long)]
        spend: String,
        #[arg(long)]
        save: String,
    },
}

#[derive(Subcommand)]
pub enum MultibuyCommand {
    /// QTY of SKU for PRICE; replaces the SKU's offer.
    Add {
        sku: String,
        #[arg(long)]
        qty: i64,
        #[arg(long)]
        price: String,
    },
}

#[derive(Subcommand)]
pub enum FlashCommand {
    /// SKU at PRICE from FROM (default now) until UNTIL (exclusive).
    Add {
        sku: String,
        #[arg(long)]
        price: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        until: String,
    },
}

fn amount(flag: &str, input: &str) -> anyhow::Result<i64> {
    Money::parse_minor(input)
        .with_context(|| format!("{flag} {input:?} is not an amount: write it like 5.00"))
}

fn instant(flag: &str, input: &str) -> anyhow::Result<i64> {
    parse_utc(input, db::now()).with_context(|| {
        format!("{flag} {input:?} is not a time: write it like 2026-11-23T18:00 (UTC) or +2h")
    })
}

pub async fn run(command: PromoCommand, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    let actor = Actor::CommandLine;
    let gbp = |minor| Money::new(minor, Currency::Gbp);
    match command {
        PromoCommand::Coupon(CouponCommand::Add {
            code,
            percent,
            fixed,
            min_spend,
            from,
            until,
            limit,
        }) => {
            let kind = match (percent, fixed) {
                (Some(p), _) => CouponKind::Percent(p),
                (None, Some(f)) => CouponKind::Fixed(amount("--fixed", &f)?),
                (None, None) => anyhow::bail!("give --percent or --fixed"),
            };
            let new = NewCoupon {
                code: code.clone(),
                kind,
                min_spend_minor: min_spend.map_or(Ok(0), |m| amount("--min-spend", &m))?,
                valid_from: from.map(|f| instant("--from", &f)).transpose()?,
                valid_until: until.map(|u| instant("--until", &u)).transpose()?,
                usage_limit: limit,
            };
            super::coupons::add(&pool, &new, &actor).await?;
            println!("coupon {} added", code.trim().to_ascii_uppercase());
        }
        PromoCommand::Threshold(ThresholdCommand::Add { spend, save }) => {
            let (spend, save) = (amount("--spend", &spend)?, amount("--save", &save)?);
            super::add_threshold(&pool, spend, save, &actor).await?;
            println!("spend {} save {}", gbp(spend), gbp(save));
        }
        PromoCommand::Multibuy(MultibuyCommand::Add { sku, qty, price }) => {
            let sku = sku.trim().to_ascii_uppercase();
            let price = amount("--price", &price)?;
            super::add_multibuy(&pool, &sku, qty, price, &actor).await?;
            println!("{sku}: {qty} for {}", gbp(price));
        }
        PromoCommand::Flash(FlashCommand::Add {
            sku,
            price,
            from,
            until,
        }) => {
            let new = NewFlash {
                sku: sku.trim().to_ascii_uppercase(),
                price_minor: amount("--price", &price)?,
                starts_at: from.map(|f| instant("--from", &f)).transpose()?,
                ends_at: instant("--until", &until)?,
            };
            let id = super::flash::add(&pool, &new, &actor).await?;
            println!(
                "{}: flash sale {id} at {} until {}",
                new.sku,
                gbp(new.price_minor),
                short_utc(new.ends_at)
            );
        }
        PromoCommand::List => print!("{}", list(&pool).await?),
    }
    Ok(())
}

/// Every promotion as text, one per line.
pub async fn list(db: &Db) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let now = db::now();
    let gbp = |minor| Money::new(minor, Currency::Gbp);
    let window = |from: Option<i64>, until: Option<i64>| {
        let from = from.map_or("now".to_string(), short_utc);
        let until = until.map_or("no end".to_string(), short_utc);
        format!("{from} .. {until}")
    };
    let mut out = String::new();
    type CouponRow = (
        String,
        Option<i64>,
        Option<i64>,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
    );
    let coupons: Vec<CouponRow> = sqlx::query_as(
        "SELECT code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, usage_limit, times_used FROM coupons ORDER BY code",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the coupons")?;
    for (code, pct, fixed, min, from, until, limit, used) in coupons {
        let off = pct.map_or_else(|| gbp(fixed.unwrap_or(0)).to_string(), |p| format!("{p}%"));
        let limit = limit.map_or("no limit".to_string(), |l| format!("limit {l}"));
        let _ = writeln!(
            out,
            "coupon    {code}: {off} off, min spend {}, {}, used {used} ({limit})",
            gbp(min),
            window(from, until)
        );
    }
    for t in super::thresholds(db).await? {
        let _ = writeln!(
            out,
            "threshold spend {} save {}",
            gbp(t.spend_minor),
            gbp(t.save_minor)
        );
    }
    let multibuys: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT sku, quantity, price_minor FROM multibuys ORDER BY sku")
            .fetch_all(db)
            .await
            .context("Failed to read the multi-buys")?;
    for (sku, qty, price) in multibuys {
        let _ = writeln!(out, "multibuy  {sku}: {qty} for {}", gbp(price));
    }
    let flashes: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, sku, price_minor, list_price_minor, starts_at, ends_at FROM flash_sales ORDER BY starts_at",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the flash sales")?;
    for (id, sku, price, list, from, until) in flashes {
        let state = if now >= until {
            "ended"
        } else if now >= from {
            "running"
        } else {
            "scheduled"
        };
        let _ = writeln!(
            out,
            "flash     {sku}: {} (list {}), {}, {state} [{id}]",
            gbp(price),
            gbp(list),
            window(Some(from), Some(until))
        );
    }
    if out.is_empty() {
        out.push_str("no promotions\n");
    }
    Ok(out)
}
