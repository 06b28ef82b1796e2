//! Building and running the application: what `vitrine serve` and the integration tests share.

use crate::catalog::CatalogService;
use crate::config::Config;
use crate::http::{self, AppState, assets::Assets};
use crate::{db, importer};
use anyhow::Context;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// The event and exposure writers: finish what is queued once the router (every sink) is
    /// gone.
    events_writer: tokio::task::JoinHandle<()>,
    exposures_writer: tokio::task::JoinHandle<()>,
    addr: SocketAddr,
    base_url: String,
    pub db: db::Db,
}

impl Application {
    /// Connects and migrates the database, imports the seed catalogue into an empty one, binds
    /// the address (port 0 picks a free port) and builds the router.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        if let Some(csv) = &config.seed_csv
            && importer::catalogue_is_empty(&db).await?
        {
            tracing::info!(file = %csv.display(), "empty catalogue: importing the seed data");
            let summary =
                importer::import_file(&db, csv, &Default::default(), importer::Progress::Bar)
                    .await?;
            eprint!("{summary}");
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("Failed to listen on {}", config.addr))?;
        let addr = listener.local_addr()?;
        let base_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let (events, events_writer) = crate::events::EventSink::start(db.clone());
        let (experiments, exposures_writer) =
            crate::experiments::serving::Experiments::start(db.clone());
        // The last published recommendation model (`vitrine train`); without one the slots
        // use co-purchases. A model that cannot be read is logged, not fatal.
        let published = crate::recs::load_published(&db, &config.models_dir)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %format!("{e:#}"), "no recommendation model loaded");
                None
            });
        let recs = Arc::new(crate::recs::RecsHandle::new(published));
        if let Some(every) = config.train_every {
            let schedule = crate::recs::schedule::Schedule {
                every,
                models_dir: config.models_dir.clone(),
            };
            crate::recs::schedule::spawn(db.clone(), recs.clone(), schedule);
        }
        if let Some(mailer) = config.mail.clone() {
            crate::mail::spawn(db.clone(), mailer, config.mail_every);
        }
        if let Some(every) = config.propose_prices_every {
            let schedule = crate::pricing::schedule::Schedule { every, days: 90 };
            crate::pricing::schedule::spawn(db.clone(), schedule);
        }
        let catalog = Arc::new(
            CatalogService::load(
                db.clone(),
                base_url.clone(),
                events.clone(),
                recs,
                experiments,
            )
            .await?,
        );
        let assets = Arc::new(Assets::load(&config.site_dir)?);
        let leptos_options = LeptosOptions::builder()
            .output_name("vitrine")
            .site_root(config.site_dir.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        // The built-in test provider: moves no money (see payments.rs and the README).
        let payments = Arc::new(crate::payments::TestProvider);
        let router = http::router(AppState {
            leptos_options,
            db: db.clone(),
            catalog,
            assets,
            payments,
            events,
            page_cache: Arc::new(http::page_cache::PageCache::new(config.page_cache)),
        });
        Ok(Application {
            listener,
            router,
            events_writer,
            exposures_writer,
            addr,
            base_url,
            db,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight and writes the
    /// events still queued (for at most 5 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // The peer address reaches handlers as `ConnectInfo` (the console's sign-in limit).
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        let writers = async {
            let _ = tokio::join!(self.events_writer, self.exposures_writer);
        };
        if tokio::time::timeout(std::time::Duration::from_secs(5), writers)
            .await
            .is_err()
        {
            tracing::warn!("gave up writing queued events after 5 s");
        }
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("interrupted (Ctrl-C)"),
            Err(e) => never_signalled("Ctrl-C", &e).await,
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
                tracing::info!("terminated (SIGTERM)");
            }
            Err(e) => never_signalled("SIGTERM", &e).await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A signal whose handler could not be installed never arrives: the server keeps serving
/// (it must not take a failed registration for a request to stop).
async fn never_signalled(which: &str, error: &std::io::Error) {
    tracing::warn!(%error, "cannot listen for {which}; stop the server another way");
    std::future::pending::<()>().await
}
