//! Shopper signals: product views, add-to-cart and purchases, recorded per first-party visitor
//! id for the recommendation engine and the experiment results.
//!
//! Owns who may be profiled ([`Visitor::profiled`]: not a known crawler, no `Sec-GPC: 1`, no
//! "personalised recommendations: off" cookie) and the recording itself. Views and cart adds go
//! through a bounded queue to one writer task that inserts in batches, so recording never adds
//! a database write to a page request; when the queue is full an event is dropped and counted,
//! never waited for. Purchases are written in the order's own transaction (`orders::place`).
//! The same writer records the funnel steps `events` has no kind for ([`FunnelStep`]: a visit,
//! a look at the checkout page) into `funnel_steps`, one row per visitor, step and day.
//! Nothing here logs a visitor id.

use crate::db::{self, Db};
use anyhow::Context;
use axum::http::{HeaderMap, header};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

pub use vitrine::privacy::PERSONALISE_COOKIE;

/// Events queued beyond this are dropped (and counted) instead of slowing a request.
const QUEUE: usize = 10_000;
/// Rows per INSERT.
const BATCH: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    View,
    Cart,
    Purchase,
}

impl EventKind {
    pub fn key(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Cart => "cart",
            EventKind::Purchase => "purchase",
        }
    }
}

/// Who is asking, as far as profiling goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visitor {
    /// The first-party visitor id (the `vid` cookie, or the one being issued with this response).
    pub id: String,
    /// May this visitor's behaviour be recorded and used for them?
    pub profiled: bool,
}

impl Visitor {
    pub fn of(id: String, headers: &HeaderMap) -> Self {
        Visitor {
            id,
            profiled: profiling_allowed(headers),
        }
    }
}

/// User agents of crawlers and link previewers: served like everyone, never recorded.
const CRAWLER_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "curl/",
    "wget/",
    "python-requests",
    "go-http-client",
    "headlesschrome-crawler",
    "ia_archiver",
    "yandex",
    "baidu",
    "sogou",
];

/// True for a user agent that names itself a crawler, a link previewer or a script.
pub fn is_crawler(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.is_empty() || CRAWLER_MARKERS.iter().any(|m| ua.contains(m))
}

/// Not a crawler, no Global Privacy Control signal, personalisation not switched off.
pub fn profiling_allowed(headers: &HeaderMap) -> bool {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let privacy = vitrine::privacy::PrivacyView::of(headers);
    !is_crawler(ua) && privacy.personalised && !privacy.gpc
}

/// The dashboard funnel's steps that are not product events (see migration 0011).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FunnelStep {
    /// A page of the store was served.
    Visit,
    /// The checkout page was shown.
    Checkout,
}

impl FunnelStep {
    pub fn key(self) -> &'static str {
        match self {
            FunnelStep::Visit => "visit",
            FunnelStep::Checkout => "checkout",
        }
    }
}

#[derive(Debug)]
struct Event {
    visitor: String,
    kind: EventKind,
    stem: String,
    at: i64,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Step {
    visitor: String,
    step: FunnelStep,
    /// Unix days (UTC).
    day: i64,
}

/// What the writer task is sent.
#[derive(Debug)]
enum Signal {
    Event(Event),
    Step(Step),
}

/// The sending end of the event queue; cheap to clone.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::Sender<Signal>,
    dropped: Arc<AtomicU64>,
}

impl EventSink {
    /// Starts the writer task; it ends (after writing what is queued) when every sink is gone.
    pub fn start(db: Db) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let handle = tokio::spawn(write_events(db, rx));
        let sink = EventSink {
            tx,
            dropped: Arc::new(AtomicU64::new(0)),
        };
        (sink, handle)
    }

    /// Queues `kind` on product `stem` for `visitor`, if they may be profiled.
    pub fn record(&self, visitor: &Visitor, kind: EventKind, stem: &str) {
        if !visitor.profiled {
            return;
        }
        self.send(Signal::Event(Event {
            visitor: visitor.id.clone(),
            kind,
            stem: stem.to_string(),
            at: db::now(),
        }));
    }

    /// Queues funnel `step` for `visitor` today, if they may be profiled.
    pub fn record_step(&self, visitor: &Visitor, step: FunnelStep) {
        if !visitor.profiled {
            return;
        }
        self.send(Signal::Step(Step {
            visitor: visitor.id.clone(),
            step,
            day: db::now().div_euclid(86_400),
        }));
    }

    fn send(&self, signal: Signal) {
        if self.tx.try_send(signal).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "event queue full: events dropped");
            }
        }
    }
}

async fn write_events(db: Db, mut rx: mpsc::Receiver<Signal>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let (mut events, mut steps) = (Vec::new(), std::collections::HashSet::new());
        for signal in batch.drain(..) {
            match signal {
                Signal::Event(e) => events.push(e),
                Signal::Step(s) => {
                    steps.insert(s);
                }
            }
        }
        if !events.is_empty()
            && let Err(e) = insert(&db, &events).await
        {
            tracing::error!(error = %format!("{e:#}"), events = events.len(), "recording events failed");
        }
        let steps: Vec<Step> = steps.into_iter().collect();
        if !steps.is_empty()
            && let Err(e) = insert_steps(&db, &steps).await
        {
            tracing::error!(error = %format!("{e:#}"), steps = steps.len(), "recording funnel steps failed");
        }
    }
}

/// Inserts distinct steps; one already recorded that day is left as it is.
async fn insert_steps(db: &Db, steps: &[Step]) -> anyhow::Result<()> {
    let sql = format!(
        "INSERT INTO funnel_steps (visitor_id, step, day) VALUES {} \
         ON CONFLICT (visitor_id, step, day) DO NOTHING",
        db::values_placeholders(steps.len(), 3)
    );
    let mut query = sqlx::query(&sql);
    for s in steps {
        query = query.bind(s.visitor.clone()).bind(s.step.key()).bind(s.day);
    }
    let _turn = db::write_turn(db).await;
    query
        .execute(db)
        .await
        .context("Failed to record funnel steps")?;
    Ok(())
}

async fn insert(db: &Db, events: &[Event]) -> anyhow::Result<()> {
    let sql = format!(
        "INSERT INTO events (visitor_id, kind, stem, at) VALUES {}",
        db::values_placeholders(events.len(), 4)
    );
    let mut query = sqlx::query(&sql);
    for e in events {
        query = query
            .bind(e.visitor.clone())
            .bind(e.kind.key())
            .bind(e.stem.clone())
            .bind(e.at);
    }
    let _turn = db::write_turn(db).await;
    query.execute(db).await.context("Failed to record events")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

    #[test]
    fn crawlers_are_recognised_by_their_user_agent() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "",
        ] {
            assert!(is_crawler(ua), "{ua}");
        }
        assert!(!is_crawler(CHROME));
    }

    #[test]
    fn only_consenting_humans_are_profiled() {
        assert!(profiling_allowed(&headers(&[("user-agent", CHROME)])));
        assert!(!profiling_allowed(&headers(&[
            ("user-agent", CHROME),
            ("sec-gpc", "1")
        ])));
        assert!(!profiling_allowed(&headers(&[
            ("user-agent", CHROME),
            ("cookie", "vid=x; personalise=off"),
        ])));
        assert!(profiling_allowed(&headers(&[
            ("user-agent", CHROME),
            ("cookie", "personalise=on"),
        ])));
        assert!(!profiling_allowed(&headers(&[(
            "user-agent",
            "Googlebot/2.1"
        )])));
    }
}
