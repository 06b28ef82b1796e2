//! `vitrine train` and `vitrine evaluate`: argument parsing and printing around
//! [`super::train`] and [`super::evaluate_benchmark`].

use super::{TrainOptions, default_candidates, default_models_dir, evaluate_benchmark, train};
use crate::db;
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use vitrine_recs::Algorithm;
use vitrine_recs::eval::{BENCHMARK_SPLIT, format_table};

#[derive(Args)]
pub struct TrainArgs {
    /// Where model files go (default: `models/` beside the SQLite file, else data/models).
    #[arg(long, env = "VITRINE_MODELS_DIR")]
    pub models_dir: Option<PathBuf>,
    /// Evaluate the candidates on the last this many days of purchases.
    #[arg(long, default_value_t = 7)]
    pub window_days: i64,
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// Print the rows as a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Instead, search the hyperparameter grid on validation folds carved from the training
    /// window (each scores the N days before its end; see --folds) and print the best ten.
    #[arg(long, value_name = "VALIDATION_DAYS", value_parser = clap::value_parser!(i64).range(1..=365))]
    pub tune: Option<i64>,
    /// With --tune: how many rolling-origin folds (fold k ends k days before the split).
    #[arg(long, default_value_t = 4, requires = "tune",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=30))]
    pub folds: usize,
    /// With --tune: search only these algorithms (default: all).
    #[arg(long, value_delimiter = ',', requires = "tune")]
    pub algorithms: Vec<String>,
}

pub async fn run_train(args: TrainArgs, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    let dir = args
        .models_dir
        .unwrap_or_else(|| default_models_dir(database_url));
    let options = TrainOptions {
        window_days: args.window_days,
        candidates: default_candidates()?,
        progress_bar: std::io::stderr().is_terminal(),
    };
    let outcome = train(&pool, &dir, options).await?;
    print!("{}", format_table(&outcome.rows));
    match outcome.published {
        Some(p) => println!(
            "published version {} ({}, fitted on all data in {:.2} s): {}",
            p.version,
            outcome.best.name(),
            outcome.fit_seconds,
            p.path.display()
        ),
        None => println!(
            "nothing published: the best candidate ({}) did not beat popularity",
            outcome.best.name()
        ),
    }
    Ok(())
}

pub async fn run_evaluate(args: EvaluateArgs, database_url: &str) -> anyhow::Result<()> {
    let pool = db::connect(database_url).await?;
    if let Some(days) = args.tune {
        let algorithms = match args.algorithms.as_slice() {
            [] => Algorithm::ALL.to_vec(),
            names => names
                .iter()
                .map(|n| {
                    Algorithm::ALL
                        .into_iter()
                        .find(|a| a.name() == n)
                        .ok_or_else(|| {
                            anyhow::anyhow!(
                                "Unknown algorithm {n:?}: use popularity, ease, ials or ensemble."
                            )
                        })
                })
                .collect::<anyhow::Result<_>>()?,
        };
        return tune(&pool, days, args.folds, algorithms).await;
    }
    let rows = evaluate_benchmark(&pool, default_candidates()?).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", format_table(&rows));
    }
    Ok(())
}

async fn tune(
    pool: &db::Db,
    days: i64,
    folds: usize,
    algorithms: Vec<Algorithm>,
) -> anyhow::Result<()> {
    let data = super::load_interactions(pool).await?;
    let ranked = tokio::task::spawn_blocking(move || {
        let on_candidate = |c: &vitrine_recs::tune::Candidate, n, total| {
            eprintln!("{n}/{total} objective {:.4} {:?}", c.objective(), c.params);
        };
        vitrine_recs::tune::tune(
            &data.dataset,
            BENCHMARK_SPLIT,
            days,
            folds,
            &algorithms,
            on_candidate,
        )
    })
    .await??;
    for c in ranked.iter().take(10) {
        println!(
            "objective {:.4}  recall@20 all {:.4} new {:.4}  ndcg@10 {:.4}  {:?}",
            c.objective(),
            c.all.recall_at_20,
            c.new.recall_at_20,
            c.all.ndcg_at_10,
            c.params
        );
    }
    Ok(())
}
