//! `vitrine price set <SKU> <PRICE> [--sale] [--reason TEXT]`: a staff price change from the
//! shell, with the same history and audit entry as the console's.

use super::{NewPrice, set_price};
use crate::db;
use crate::staff::audit::Actor;
use clap::Subcommand;
use vitrine::money::{Currency, Money};

#[derive(Subcommand)]
pub enum PriceCommand {
    /// Set a variant's price from now (recorded in the price history and the audit log).
    Set {
        /// The variant's SKU (stock code).
        sku: String,
        /// The new price in the variant's currency, e.g. 12.50.
        price: String,
        /// Announce it as a reduction: shown crossed out against the lowest price of the 30
        /// days before, when that was higher.
        #[arg(long)]
        sale: bool,
        /// Why (kept in the history and the audit log).
        #[arg(long, default_value = "set by staff")]
        reason: String,
    },
}

pub async fn run(command: PriceCommand, database_url: &str) -> anyhow::Result<()> {
    match command {
        PriceCommand::Set {
            sku,
            price,
            sale,
            reason,
        } => {
            let Some(price_minor) = Money::parse_minor(&price) else {
                anyhow::bail!("{price:?} is not a price: write it like 12.50");
            };
            let pool = db::connect(database_url).await?;
            let change = NewPrice {
                sku: sku.to_ascii_uppercase(),
                price_minor,
                sale,
                reason,
                source: "staff",
            };
            let (old, currency) = set_price(&pool, &change, &Actor::CommandLine)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let currency = Currency::parse(&currency).unwrap_or(Currency::Gbp);
            println!(
                "{}: {} -> {}{}",
                change.sku,
                Money::new(old, currency),
                Money::new(price_minor, currency),
                if sale {
                    " (announced as a reduction)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}
