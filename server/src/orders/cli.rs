//! `vitrine order list` and `vitrine order advance`: what the warehouse (or a test, or the
//! demo) uses to move an order along; the console's orders screen does the same (audited alike).

use super::lifecycle::{advance_as, list_by_email};
use crate::db;
use clap::Subcommand;
use vitrine::money::{Currency, Money};
use vitrine::orders::OrderStatus;

#[derive(Subcommand)]
pub enum OrderCommand {
    /// The newest web orders, optionally only those placed with one email address.
    List {
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Move an order to a new status: paid, packed, shipped, delivered, cancelled,
    /// return_requested or returned. Cancelling or returning puts the stock back.
    Advance {
        /// The order number, e.g. VT1A2B3C4D5E.
        number: String,
        /// The new status.
        status: String,
    },
}

pub async fn run(command: OrderCommand, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    match command {
        OrderCommand::List { email, limit } => {
            let orders = list_by_email(&pool, email.as_deref(), limit.clamp(1, 10_000)).await?;
            println!(
                "{:<14} {:<17} {:<17} {:>12}",
                "number", "placed (UTC)", "status", "total"
            );
            for o in orders {
                let total = Currency::parse(&o.currency)
                    .map(|c| Money::new(o.total_minor, c).to_string())
                    .unwrap_or_else(|| format!("{} {}", o.total_minor, o.currency));
                let placed = crate::http::seo_routes::iso_date(o.placed_at);
                println!(
                    "{:<14} {:<17} {:<17} {:>12}",
                    o.number, placed, o.status, total
                );
            }
        }
        OrderCommand::Advance { number, status } => {
            let to = OrderStatus::parse(status.trim()).ok_or_else(|| {
                let known: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.key()).collect();
                anyhow::anyhow!("unknown status {status:?}: use one of {}", known.join(", "))
            })?;
            let number = number.trim().to_ascii_uppercase();
            let actor = crate::staff::audit::Actor::CommandLine;
            let from = advance_as(&pool, &number, None, to, &actor, db::now()).await?;
            println!("Order {number}: {} -> {}", from.key(), to.key());
        }
    }
    Ok(())
}
