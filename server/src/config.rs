//! Configuration: command-line flags, then environment variables, then an optional TOML
//! file (`--config` / `VITRINE_CONFIG`), then defaults: the first that sets a value wins.

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/vitrine.db?mode=rwc";
/// How long a page for a visitor without a cart is kept (`--page-cache-ms`).
pub const DEFAULT_PAGE_CACHE: std::time::Duration = std::time::Duration::from_secs(1);
pub const DEFAULT_SEED_CSV: &str = "data/seed/online_retail_2010-12-01_to_2010-12-20.csv";

/// What the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// The absolute URL the site is reached at (canonical links, sitemap); defaults to
    /// `http://<addr>` once the port is known.
    pub public_url: Option<String>,
    /// Where Trunk wrote the hydrate bundle and the public files.
    pub site_dir: PathBuf,
    /// Imported on start when the catalogue is empty.
    pub seed_csv: Option<PathBuf>,
    /// How often the recommenders retrain in the background (`None`: never; `vitrine serve`
    /// defaults to daily, tests to never).
    pub train_every: Option<std::time::Duration>,
    /// Where published recommendation models are read and written.
    pub models_dir: PathBuf,
    /// How often the pricing engine proposes prices in the background (`None`: never;
    /// `vitrine serve` defaults to daily, tests to never).
    pub propose_prices_every: Option<std::time::Duration>,
    /// How long a page rendered for a request that carries nothing personal (no cookie but
    /// the visitor id and the switch) is served again to the next such request
    /// (`http::page_cache`; zero: never).
    pub page_cache: std::time::Duration,
    /// Where the mail worker delivers the outbox (`None`: messages wait).
    pub mail: Option<crate::mail::Mailer>,
    /// How often the mail worker looks at the outbox.
    pub mail_every: std::time::Duration,
}

impl Config {
    /// Defaults for a store on `addr` with database `database_url`: what tests start from.
    pub fn new(addr: SocketAddr, database_url: impl Into<String>) -> Self {
        let database_url = database_url.into();
        Config {
            addr,
            models_dir: crate::recs::default_models_dir(&database_url),
            database_url,
            public_url: None,
            site_dir: PathBuf::from("dist"),
            seed_csv: Some(PathBuf::from(DEFAULT_SEED_CSV)),
            train_every: None,
            propose_prices_every: None,
            page_cache: DEFAULT_PAGE_CACHE,
            mail: None,
            mail_every: std::time::Duration::from_secs(10),
        }
    }
}

/// The keys a config file may set (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<SocketAddr>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub site_dir: Option<PathBuf>,
    pub seed_csv: Option<PathBuf>,
    pub seed_on_empty: Option<bool>,
    pub train_every_hours: Option<f64>,
    pub propose_prices_every_hours: Option<f64>,
    pub page_cache_ms: Option<u64>,
    pub mail_sendmail: Option<PathBuf>,
    pub mail_dir: Option<PathBuf>,
    pub mail_from: Option<String>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("Failed to read the config file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("The config file {} is not valid", path.display()))
    }
}

/// Normalises a public URL: no trailing slash, must be http(s).
pub fn parse_public_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        anyhow::bail!("the public URL must look like https://shop.example, got {url:?}");
    }
    Ok(url.to_string())
}

/// A background job's `--…-every-hours` value (`flag` names it in the error): `None` for 0
/// (the job is off), else the interval; at least a minute, at most a year.
pub fn job_interval(flag: &str, hours: f64) -> anyhow::Result<Option<std::time::Duration>> {
    if hours == 0.0 {
        return Ok(None);
    }
    if !(1.0 / 60.0..=24.0 * 366.0).contains(&hours) {
        anyhow::bail!("--{flag} must be 0 (off) or between 0.017 (a minute) and 8784, got {hours}");
    }
    Ok(Some(std::time::Duration::from_secs_f64(hours * 3600.0)))
}

/// The page cache's lifetime from `--page-cache-ms`: 0 (off) up to a minute.
pub fn page_cache(ms: u64) -> anyhow::Result<std::time::Duration> {
    if ms > 60_000 {
        anyhow::bail!("--page-cache-ms must be between 0 (off) and 60000 (a minute), got {ms}");
    }
    Ok(std::time::Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_lose_their_trailing_slash() {
        assert_eq!(
            parse_public_url("https://shop.example/").ok().as_deref(),
            Some("https://shop.example")
        );
        assert!(parse_public_url("shop.example").is_err());
    }

    #[test]
    fn config_files_reject_unknown_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.toml");
        std::fs::write(&path, "addr = \"127.0.0.1:8080\"\ndatabse_url = \"typo\"\n")
            .expect("write");
        let err = FileConfig::load(Some(&path)).expect_err("typo must be rejected");
        assert!(format!("{err:#}").contains("databse_url"));
        std::fs::write(&path, "addr = \"127.0.0.1:8080\"\n").expect("write");
        let ok = FileConfig::load(Some(&path)).expect("valid");
        assert_eq!(ok.addr, Some("127.0.0.1:8080".parse().expect("addr")));
    }

    #[test]
    fn the_training_interval_is_off_at_zero_and_bounded() {
        assert_eq!(job_interval("train-every-hours", 0.0).ok(), Some(None));
        assert_eq!(
            job_interval("train-every-hours", 24.0).ok().flatten(),
            Some(std::time::Duration::from_secs(86_400))
        );
        for bad in [-1.0, 0.001, f64::NAN, 1e9] {
            assert!(job_interval("train-every-hours", bad).is_err(), "{bad}");
        }
    }
}
