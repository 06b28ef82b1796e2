//! `vitrine price …`: staff price changes from the shell (`set`), and the dynamic-pricing
//! engine (`propose`, `proposals`, `approve`, `reject`, `auto`, `kill-switch`), with the same
//! history and audit entries as the console's; `vitrine simulate-pricing`, the engine's
//! benchmark. Bad input is a message and a failing exit status, never a panic.

use super::engine::{self, ProposeOptions, ProposeSummary};
use super::proposals::{self, StoredProposal};
use super::{NewPrice, set_price, settings};
use crate::db;
use crate::staff::audit::Actor;
use clap::{Args, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use vitrine::money::{Currency, Money};
use vitrine_pricing::simulate;

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
    /// Fit demand per variant and propose prices inside the guardrails (variants on
    /// auto-approve are changed at once). Nothing while the kill switch is on.
    Propose {
        /// Days of sales to learn from, up to the latest order.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(14..=3650))]
        days: i64,
        /// Seed of the exploration draws (default 0). Each variant's draw also depends on its
        /// SKU and the week, so runs within a week follow the same draw.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// List the open proposals.
    Proposals,
    /// Approve a proposal and apply it now, if its guardrails still allow it.
    Approve { id: i64 },
    /// Reject a proposal: the price stays.
    Reject { id: i64 },
    /// Put a variant on auto-approve (the engine's proposals apply at once) or take it off.
    Auto { sku: String, switch: Switch },
    /// The global kill switch: `on` stops every automated price change.
    KillSwitch { switch: Switch },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

pub async fn run(command: PriceCommand, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    let actor = Actor::CommandLine;
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
            let change = NewPrice {
                sku: sku.to_ascii_uppercase(),
                price_minor,
                sale,
                reason,
                source: "staff",
            };
            let (old, currency) = set_price(&pool, &change, &actor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}: {} -> {}{}",
                change.sku,
                money(old, &currency),
                money(price_minor, &currency),
                if sale {
                    " (announced as a reduction)"
                } else {
                    ""
                }
            );
        }
        PriceCommand::Propose { days, seed } => {
            let options = ProposeOptions {
                days,
                seed,
                progress: std::io::stderr().is_terminal(),
            };
            let summary = engine::run(&pool, options, db::now()).await?;
            print!("{}", describe(&summary, seed));
        }
        PriceCommand::Proposals => {
            let open = proposals::open(&pool, i64::MAX).await?;
            if open.is_empty() {
                println!("No open price proposals.");
            }
            // A closed pipe (`| head`) ends the listing quietly instead of panicking.
            let mut out = std::io::stdout().lock();
            for p in &open {
                if writeln!(out, "{}", line(p)).is_err() {
                    break;
                }
            }
        }
        PriceCommand::Approve { id } => {
            let applied = proposals::approve(&pool, id, &actor, &actor.label())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "#{id} approved: {} {} -> {}",
                applied.sku,
                money(applied.old_minor, &applied.currency),
                money(applied.new_minor, &applied.currency)
            );
        }
        PriceCommand::Reject { id } => {
            let sku = proposals::reject(&pool, id, &actor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("#{id} rejected: {sku} keeps its price");
        }
        PriceCommand::Auto { sku, switch } => {
            let sku = sku.to_ascii_uppercase();
            let on = switch == Switch::On;
            if !settings::set_auto_approve(&pool, &sku, on, &actor).await? {
                anyhow::bail!("there is no variant with SKU {sku}");
            }
            println!("{sku}: auto-approve {}", if on { "on" } else { "off" });
        }
        PriceCommand::KillSwitch { switch } => {
            let on = switch == Switch::On;
            settings::set_kill_switch(&pool, on, &actor).await?;
            println!(
                "Pricing kill switch {}",
                if on {
                    "on: no automated price changes until it is off"
                } else {
                    "off"
                }
            );
        }
    }
    Ok(())
}

fn money(minor: i64, currency: &str) -> Money {
    Money::new(minor, Currency::parse(currency).unwrap_or(Currency::Gbp))
}

fn line(p: &StoredProposal) -> String {
    format!(
        "#{} {} {} -> {} (expected {:+} a day; elasticity {:.2} [{:.2}, {:.2}]){} {}",
        p.id,
        p.sku,
        money(p.current_minor, &p.currency),
        money(p.proposed_minor, &p.currency),
        money(p.expected_profit_change_minor, &p.currency),
        p.elasticity,
        p.elasticity_low,
        p.elasticity_high,
        if p.auto_approve != 0 { " [auto]" } else { "" },
        p.reason
    )
}

/// The summary a run prints.
pub fn describe(s: &ProposeSummary, seed: u64) -> String {
    if s.kill_switch {
        return format!(
            "The pricing kill switch is on: nothing proposed ({:.2?}). Turn it off with `vitrine price kill-switch off`.\n",
            s.elapsed
        );
    }
    let mut out = format!(
        "{} variants with sales ({} with their own demand fit): {} proposals, {} applied by auto-approve, in {:.2?} (seed {seed})\n",
        s.with_sales, s.fitted, s.proposed, s.auto_applied, s.elapsed
    );
    if s.distrusted > 0 {
        out.push_str(&format!(
            "  fits set aside as implausible (category estimate used): {}\n",
            s.distrusted
        ));
    }
    for (why, n) in &s.held {
        out.push_str(&format!("  unchanged, {why}: {n}\n"));
    }
    for refused in &s.auto_refused {
        out.push_str(&format!("  auto-approve refused: {refused}\n"));
    }
    out
}

#[derive(Args)]
pub struct SimulateArgs {
    /// Days to simulate.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    days: u32,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many seeds, from `--seed` on.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    seeds: u64,
    /// One JSON object per seed and policy (`seed`, `policy`, `profit`, `violations`) per line.
    #[arg(long)]
    json: bool,
}

/// `vitrine simulate-pricing`: the engine against synthetic products with known demand.
pub async fn run_simulate(args: SimulateArgs) -> anyhow::Result<()> {
    let Some(last) = args.seed.checked_add(args.seeds - 1) else {
        anyhow::bail!("--seed plus --seeds runs past the largest seed");
    };
    let days = args.days;
    let started = std::time::Instant::now();
    let rows =
        tokio::task::spawn_blocking(move || simulate::simulate_seeds(days, args.seed..=last))
            .await?;
    if args.json {
        for row in &rows {
            println!("{}", serde_json::to_string(row)?);
        }
        return Ok(());
    }
    println!(
        "{days} days, seeds {}..={last}, in {:.1?}\n",
        args.seed,
        started.elapsed()
    );
    print!("{}", simulate::summarise(&rows));
    Ok(())
}
