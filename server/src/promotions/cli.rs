//! `vitrine promo ...`: coupons, spend thresholds, multi-buys, flash sales and member tiers
//! from the shell, each change with its audit entry. Amounts are typed like prices (`5.00`), instants in UTC
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
    /// "3 for £10": `promo multibuy add SKU [SKU ...] --qty 3 --price 10.00` (several SKUs: any
    /// 3 of them).
    #[command(subcommand)]
    Multibuy(MultibuyCommand),
    /// Flash prices: `promo flash add SKU --price 4.00 [--from ...] --until ...`.
    #[command(subcommand)]
    Flash(FlashCommand),
    /// Member tiers: `promo tier add Gold --min-spend 200.00`, `promo tier edit Gold --rename
    /// Gold-Plus --min-spend 250.00`, `promo tier remove Gold`.
    #[command(subcommand)]
    Tier(TierCommand),
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
        /// Only for customers of this member tier (see `promo tier add`).
        #[arg(long)]
        tier: Option<String>,
    },
    /// End a coupon now (it stays listed; orders reference it).
    End { code: String },
    /// New terms for a coupon no order has used: every term given replaces the old one,
    /// the others are kept.
    Edit {
        code: String,
        #[arg(long)]
        min_spend: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        limit: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum TierCommand {
    /// A tier for customers whose paid orders over the last 365 days reach MIN_SPEND.
    Add {
        name: String,
        #[arg(long)]
        min_spend: String,
    },
    /// Rename the tier (its coupons follow) and/or change its minimum spend.
    Edit {
        name: String,
        #[arg(long)]
        rename: Option<String>,
        #[arg(long)]
        min_spend: Option<String>,
    },
    /// Remove the tier; refused while a coupon for it can still be used.
    Remove { name: String },
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
    /// Remove the threshold at SPEND.
    Remove {
        #[arg(long)]
        spend: String,
    },
}

#[derive(Subcommand)]
pub enum MultibuyCommand {
    /// QTY for PRICE, mixing any of the SKUs given (one SKU: QTY of it). Giving exactly the
    /// SKUs of an existing offer replaces its terms.
    Add {
        #[arg(required = true, num_args = 1.., value_name = "SKU")]
        skus: Vec<String>,
        #[arg(long)]
        qty: i64,
        #[arg(long)]
        price: String,
    },
    /// Remove the multi-buy that takes SKU (with all the SKUs it mixes).
    Remove { sku: String },
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
    /// End the running flash sale ID now (the list price is back at once).
    End { id: String },
    /// Cancel the flash sale ID that has not started.
    Cancel { id: String },
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
            tier,
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
                tier,
            };
            super::coupons::add(&pool, &new, &actor).await?;
            println!("coupon {} added", code.trim().to_ascii_uppercase());
        }
        PromoCommand::Coupon(CouponCommand::End { code }) => {
            super::coupons::end(&pool, &code, &actor).await?;
            println!("coupon {} ended", code.trim().to_ascii_uppercase());
        }
        PromoCommand::Coupon(CouponCommand::Edit {
            code,
            min_spend,
            from,
            until,
            limit,
        }) => {
            let code = code.trim().to_ascii_uppercase();
            let Some(old) = super::listing::all(&pool)
                .await?
                .coupons
                .into_iter()
                .find(|c| c.code == code)
            else {
                anyhow::bail!("there is no coupon {code}");
            };
            let terms = super::coupons::Terms {
                min_spend_minor: match min_spend {
                    Some(m) => amount("--min-spend", &m)?,
                    None => old.min_spend_minor,
                },
                valid_from: from
                    .map(|f| instant("--from", &f))
                    .transpose()?
                    .or(old.valid_from),
                valid_until: until
                    .map(|u| instant("--until", &u))
                    .transpose()?
                    .or(old.valid_until),
                usage_limit: limit.or(old.usage_limit),
            };
            super::coupons::edit(&pool, &code, &terms, &actor).await?;
            println!("coupon {code} changed");
        }
        PromoCommand::Tier(TierCommand::Add { name, min_spend }) => {
            let min = amount("--min-spend", &min_spend)?;
            let tier = super::tiers::add(&pool, &name, min, &actor).await?;
            println!(
                "tier {}: paid orders of {} over the last 365 days",
                tier.name,
                gbp(tier.min_spend_minor)
            );
        }
        PromoCommand::Tier(TierCommand::Edit {
            name,
            rename,
            min_spend,
        }) => {
            let change = super::tiers::TierChange {
                rename,
                min_spend_minor: min_spend.map(|m| amount("--min-spend", &m)).transpose()?,
            };
            let tier = super::tiers::edit(&pool, &name, &change, &actor).await?;
            println!(
                "tier {}: paid orders of {} over the last 365 days",
                tier.name,
                gbp(tier.min_spend_minor)
            );
        }
        PromoCommand::Tier(TierCommand::Remove { name }) => {
            super::tiers::remove(&pool, &name, &actor).await?;
            println!("tier {} removed", name.trim());
        }
        PromoCommand::Threshold(ThresholdCommand::Remove { spend }) => {
            let spend = amount("--spend", &spend)?;
            super::remove_threshold(&pool, spend, &actor).await?;
            println!("threshold at {} removed", gbp(spend));
        }
        PromoCommand::Multibuy(MultibuyCommand::Remove { sku }) => {
            super::remove_multibuy(&pool, &sku, &actor).await?;
            println!("multi-buy on {} removed", sku.trim().to_ascii_uppercase());
        }
        PromoCommand::Flash(FlashCommand::End { id }) => {
            super::flash::end(&pool, &id, &actor).await?;
            println!("flash sale {} ended", id.trim());
        }
        PromoCommand::Flash(FlashCommand::Cancel { id }) => {
            super::flash::cancel(&pool, &id, &actor).await?;
            println!("flash sale {} cancelled", id.trim());
        }
        PromoCommand::Threshold(ThresholdCommand::Add { spend, save }) => {
            let (spend, save) = (amount("--spend", &spend)?, amount("--save", &save)?);
            super::add_threshold(&pool, spend, save, &actor).await?;
            println!("spend {} save {}", gbp(spend), gbp(save));
        }
        PromoCommand::Multibuy(MultibuyCommand::Add { skus, qty, price }) => {
            let price = amount("--price", &price)?;
            super::add_multibuy(&pool, &skus, qty, price, &actor).await?;
            let skus = super::parse_skus(&skus.join(" "));
            println!("{}: {qty} for {}", skus.join(", "), gbp(price));
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
    let all = super::listing::all(db).await?;
    let mut out = String::new();
    for t in &all.tiers {
        let _ = writeln!(
            out,
            "tier      {}: paid orders of {} over 365 days",
            t.name,
            gbp(t.min_spend_minor)
        );
    }
    for c in &all.coupons {
        let off = match c.kind() {
            CouponKind::Percent(p) => format!("{p}%"),
            CouponKind::Fixed(a) => gbp(a).to_string(),
        };
        let limit = c
            .usage_limit
            .map_or("no limit".to_string(), |l| format!("limit {l}"));
        let tier = c
            .tier
            .as_ref()
            .map_or(String::new(), |t| format!(", {t} members only"));
        let _ = writeln!(
            out,
            "coupon    {}: {off} off, min spend {}, {}, used {} ({limit}){tier}, {}",
            c.code,
            gbp(c.min_spend_minor),
            window(c.valid_from, c.valid_until),
            c.times_used,
            c.status(now).label()
        );
    }
    for t in &all.thresholds {
        let _ = writeln!(
            out,
            "threshold spend {} save {}",
            gbp(t.spend_minor),
            gbp(t.save_minor)
        );
    }
    for m in &all.multibuys {
        let _ = writeln!(
            out,
            "multibuy  {}: {} for {}",
            m.skus.join(", "),
            m.quantity,
            gbp(m.price_minor)
        );
    }
    for f in all.flashes.iter().rev() {
        let _ = writeln!(
            out,
            "flash     {}: {} (list {}), {}, {} [{}]",
            f.sku,
            gbp(f.price_minor),
            gbp(f.list_price_minor),
            window(Some(f.starts_at), Some(f.ends_at)),
            f.status(now).label(),
            f.id
        );
    }
    if out.is_empty() {
        out.push_str("no promotions\n");
    }
    Ok(out)
}
