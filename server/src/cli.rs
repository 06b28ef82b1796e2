//! The command line: `vitrine serve` (the default), `vitrine import <csv>` and
//! `vitrine order …`.

use crate::config::{self, Config, FileConfig};
use crate::{db, importer, startup, telemetry};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "vitrine",
    version,
    about = "Vitrine: an online store that learns from its shoppers"
)]
struct Cli {
    /// A TOML file with defaults for the settings below.
    #[arg(long, global = true, env = "VITRINE_CONFIG")]
    config: Option<PathBuf>,
    /// sqlite://path?mode=rwc (default sqlite://data/vitrine.db?mode=rwc) or postgres://...
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the store (the default).
    Serve(ServeArgs),
    /// Import UCI Online Retail lines (CSV) into the catalogue, in one transaction.
    Import(ImportArgs),
    /// Look up web orders and move them along (packed, shipped, delivered, cancelled, returned).
    #[command(subcommand)]
    Order(crate::orders::cli::OrderCommand),
    /// Train the recommenders, evaluate them on the latest week, publish the best if it beats
    /// popularity.
    Train(crate::recs::cli::TrainArgs),
    /// Print the offline evaluation table of the recommenders (issue 4's protocol).
    Evaluate(crate::recs::cli::EvaluateArgs),
    /// Staff accounts for the console under /admin: `staff add <email> --role marketer|admin`
    /// (password prompted, or the first line of standard input), `staff list`.
    #[command(subcommand)]
    Staff(crate::staff::cli::StaffCommand),
    /// Prices: `price set <SKU> <PRICE> [--sale] [--reason TEXT]`, and the pricing engine's
    /// `propose`, `proposals`, `approve <ID>`, `reject <ID>`, `auto <SKU> on|off`,
    /// `kill-switch on|off`.
    #[command(subcommand)]
    Price(crate::pricing::cli::PriceCommand),
    /// Promotions: `promo coupon add`, `promo threshold add`, `promo multibuy add`,
    /// `promo flash add`, `promo list`.
    #[command(subcommand)]
    Promo(crate::promotions::cli::PromoCommand),
    /// Product reviews: list them, hide one from the product page or show it again.
    #[command(subcommand)]
    Review(crate::reviews::cli::ReviewCommand),
    /// Emails: `mail send --mail-sendmail PROGRAM | --mail-dir FOLDER` delivers the outbox once
    /// (`vitrine serve` does it every 10 s when given the same flags).
    #[command(subcommand)]
    Mail(crate::mail::MailCommand),
    /// The pricing engine's benchmark: profit against the oracle and a fixed price on synthetic
    /// products with known demand curves.
    SimulatePricing(crate::pricing::cli::SimulateArgs),
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:3000; port 0 picks a free one).
    #[arg(long, env = "VITRINE_ADDR")]
    addr: Option<SocketAddr>,
    /// The URL shoppers and crawlers reach the store at (canonical links, sitemap).
    #[arg(long, env = "VITRINE_PUBLIC_URL")]
    public_url: Option<String>,
    /// The folder Trunk builds the hydrate bundle into (default dist).
    #[arg(long, env = "VITRINE_SITE_DIR")]
    site_dir: Option<PathBuf>,
    /// CSV imported on first start when the catalogue is empty.
    #[arg(long, env = "VITRINE_SEED_CSV")]
    seed_csv: Option<PathBuf>,
    /// Start with an empty catalogue instead of importing the seed CSV.
    #[arg(long)]
    no_seed: bool,
    /// Retrain the recommenders in the background every this many hours (default 24; 0 turns
    /// the job off, e.g. on all but one replica).
    #[arg(long, env = "VITRINE_TRAIN_EVERY_HOURS")]
    train_every_hours: Option<f64>,
    /// Run the pricing engine (`vitrine price propose`) in the background every this many
    /// hours (default 24; 0 turns it off). Replicas share one run per interval.
    #[arg(long, env = "VITRINE_PROPOSE_PRICES_EVERY_HOURS")]
    propose_prices_every_hours: Option<f64>,
    /// Serve a page rendered for a visitor without a cart (a first visit, a crawler, a returning
    /// visitor's product page) again to the next such visitor for this many milliseconds
    /// (default 1000; 0 turns it off).
    /// Any change made through this server drops every kept page at once.
    #[arg(long, env = "VITRINE_PAGE_CACHE_MS")]
    page_cache_ms: Option<u64>,
    /// Where recommendation models are published (default: `models/` beside the SQLite file,
    /// else data/models).
    #[arg(long, env = "VITRINE_MODELS_DIR")]
    models_dir: Option<PathBuf>,
    #[command(flatten)]
    mail: crate::mail::MailArgs,
}

#[derive(Args)]
struct ImportArgs {
    /// The CSV file (columns InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country).
    csv: PathBuf,
    /// Reject the whole file when more than this percentage of its lines are malformed.
    #[arg(long, default_value_t = 1.0)]
    max_malformed_percent: f64,
}

pub fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    // At least 4 workers, whatever the core count: with one worker, Leptos' server rendering
    // can stall on a resource that never resumes (leptos-rs/leptos#4647; seen here in the
    // integration tests on single-threaded runtimes).
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get().max(4));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = FileConfig::load(cli.config.as_deref())?;
    let database_url = cli
        .database_url
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| config::DEFAULT_DATABASE_URL.to_string());
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(args, file, database_url).await,
        Command::Import(args) => import(args, &database_url).await,
        Command::Order(command) => crate::orders::cli::run(command, &database_url).await,
        Command::Train(args) => crate::recs::cli::run_train(args, &database_url).await,
        Command::Evaluate(args) => crate::recs::cli::run_evaluate(args, &database_url).await,
        Command::Staff(command) => crate::staff::cli::run(command, &database_url).await,
        Command::Price(command) => crate::pricing::cli::run(command, &database_url).await,
        Command::Promo(command) => crate::promotions::cli::run(command, &database_url).await,
        Command::Review(command) => crate::reviews::cli::run(command, &database_url).await,
        Command::Mail(command) => crate::mail::run(command, &database_url).await,
        Command::SimulatePricing(args) => crate::pricing::cli::run_simulate(args).await,
    }
}

async fn serve(args: ServeArgs, file: FileConfig, database_url: String) -> anyhow::Result<()> {
    let addr = args
        .addr
        .or(file.addr)
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 3000)));
    let mut config = Config::new(addr, database_url);
    if let Some(url) = args.public_url.or(file.public_url) {
        config.public_url = Some(config::parse_public_url(&url)?);
    }
    if let Some(dir) = args.site_dir.or(file.site_dir) {
        config.site_dir = dir;
    }
    if let Some(csv) = args.seed_csv.or(file.seed_csv) {
        config.seed_csv = Some(csv);
    }
    if args.no_seed || file.seed_on_empty == Some(false) {
        config.seed_csv = None;
    }
    let hours = args
        .train_every_hours
        .or(file.train_every_hours)
        .unwrap_or(24.0);
    config.train_every = config::job_interval("train-every-hours", hours)?;
    let hours = args
        .propose_prices_every_hours
        .or(file.propose_prices_every_hours)
        .unwrap_or(24.0);
    config.propose_prices_every = config::job_interval("propose-prices-every-hours", hours)?;
    if let Some(ms) = args.page_cache_ms.or(file.page_cache_ms) {
        config.page_cache = config::page_cache(ms)?;
    }
    if let Some(dir) = args.models_dir {
        config.models_dir = dir;
    }
    let mail = crate::mail::MailArgs {
        mail_sendmail: args.mail.mail_sendmail.or(file.mail_sendmail),
        mail_dir: args.mail.mail_dir.or(file.mail_dir),
        mail_from: args.mail.mail_from.or(file.mail_from),
    };
    config.mail = mail.mailer()?;
    let app = startup::Application::build(config).await?;
    println!("Vitrine is serving at {}", app.base_url());
    app.run_until_stopped().await?;
    Ok(())
}

async fn import(args: ImportArgs, database_url: &str) -> anyhow::Result<()> {
    if !(0.0..=100.0).contains(&args.max_malformed_percent) {
        anyhow::bail!("--max-malformed-percent must be between 0 and 100");
    }
    let pool = db::connect(database_url).await?;
    let options = crate::import::ImportOptions {
        max_malformed_ratio: args.max_malformed_percent / 100.0,
    };
    let summary =
        importer::import_file(&pool, &args.csv, &options, importer::Progress::Bar).await?;
    print!("{summary}");
    Ok(())
}
