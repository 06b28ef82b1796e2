//! `vitrine review list`, `hide` and `show`: moderation from the command line, as the
//! console's reviews page does it. Hiding takes a review off the product page and is audited.

use super::{latest, set_hidden};
use crate::db;
use crate::staff::audit::Actor;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// The newest reviews, hidden ones included.
    List {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Take a review off the product page.
    Hide {
        /// The review's id, as `review list` prints it.
        id: String,
    },
    /// Show a hidden review again.
    Show { id: String },
}

pub async fn run(command: ReviewCommand, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    let (id, hide) = match command {
        ReviewCommand::List { limit } => {
            println!(
                "{:<32} {:<10} {:<14} {:<6} {:<8} text",
                "id", "date", "order", "stars", "shown"
            );
            for r in latest(&pool, limit.clamp(1, 10_000)).await? {
                let text: String = r.body.replace('\n', " ").chars().take(60).collect();
                println!(
                    "{:<32} {:<10} {:<14} {:<6} {:<8} {} ({}, /p/{})",
                    r.id,
                    crate::http::seo_routes::iso_date(r.created_at),
                    r.order_number,
                    r.rating,
                    if r.hidden_at.is_some() {
                        "hidden"
                    } else {
                        "yes"
                    },
                    text,
                    r.author,
                    r.slug
                );
            }
            return Ok(());
        }
        ReviewCommand::Hide { id } => (id, true),
        ReviewCommand::Show { id } => (id, false),
    };
    let id = id.trim().to_ascii_lowercase();
    if !set_hidden(&pool, &id, hide, &Actor::CommandLine, db::now()).await? {
        anyhow::bail!("no review with the id {id:?}: `vitrine review list` shows them");
    }
    println!(
        "Review {id} {}.",
        if hide { "hidden" } else { "shown again" }
    );
    Ok(())
}
