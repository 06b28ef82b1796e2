//! The audit log: who changed what in the console (or with `vitrine staff`), written in the
//! same transaction as the change so there is never a change without its entry, or an entry
//! for a change that was rolled back. It holds staff emails (that is its job) but never a
//! password, a token or a shopper's data.

use anyhow::Context;
use sqlx::{Any, Transaction};

/// Who made a change.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A signed-in staff member.
    Staff { id: String, email: String },
    /// Someone with shell access, through `vitrine staff ...`.
    CommandLine,
    /// The server itself (e.g. locking an account after failed sign-ins).
    System,
}

impl Actor {
    fn staff_id(&self) -> Option<String> {
        match self {
            Actor::Staff { id, .. } => Some(id.clone()),
            Actor::CommandLine | Actor::System => None,
        }
    }

    /// How the actor appears in the log (a staff email, 'command line' or 'system').
    pub fn label(&self) -> String {
        match self {
            Actor::Staff { email, .. } => email.clone(),
            Actor::CommandLine => "command line".to_string(),
            Actor::System => "system".to_string(),
        }
    }
}

/// What happened. Later console features add their own variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    StaffAdded,
    StaffDisabled,
    StaffEnabled,
    SignedIn,
    SignedOut,
    AccountLocked,
    /// A variant's price changed (`vitrine price set`, later the console's approvals).
    PriceSet,
    /// The pricing engine (`crate::pricing`): a proposal rejected, a variant put on or taken
    /// off auto-approve, the kill switch turned on or off. An approval is its `PriceSet`.
    PriceProposalRejected,
    PricingAutoApprove,
    PricingKillSwitch,
    /// Experiments in the console (`crate::experiments::store`).
    ExperimentCreated,
    ExperimentStarted,
    ExperimentPaused,
    ExperimentStopped,
    ExperimentShipped,
    /// A coupon, threshold, multi-buy, flash sale or member tier was added (`vitrine promo`,
    /// the console's promotions page).
    PromotionAdded,
    /// An unused coupon's terms were changed.
    PromotionChanged,
    /// A coupon or a flash sale was ended early.
    PromotionEnded,
    /// A threshold or a multi-buy was removed, or a scheduled flash sale cancelled.
    PromotionRemoved,
    /// A product review was hidden from the product page (`vitrine review hide`).
    ReviewHidden,
    /// A hidden review was shown again (`vitrine review show`).
    ReviewShown,
    /// An order was moved along (the console's orders screen, `vitrine order advance`).
    OrderMoved,
    /// Goods received were added to a variant's stock (the console's stock screen).
    StockReceived,
    /// A variant's stock was corrected to a count.
    StockCounted,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::StaffAdded => "staff.added",
            Action::StaffDisabled => "staff.disabled",
            Action::StaffEnabled => "staff.enabled",
            Action::SignedIn => "session.signed_in",
            Action::SignedOut => "session.signed_out",
            Action::AccountLocked => "staff.locked",
            Action::PriceSet => "price.set",
            Action::PriceProposalRejected => "price.proposal_rejected",
            Action::PricingAutoApprove => "price.auto_approve",
            Action::PricingKillSwitch => "price.kill_switch",
            Action::ExperimentCreated => "experiment.created",
            Action::ExperimentStarted => "experiment.started",
            Action::ExperimentPaused => "experiment.paused",
            Action::ExperimentStopped => "experiment.stopped",
            Action::ExperimentShipped => "experiment.shipped",
            Action::PromotionAdded => "promotion.added",
            Action::PromotionChanged => "promotion.changed",
            Action::PromotionEnded => "promotion.ended",
            Action::PromotionRemoved => "promotion.removed",
            Action::ReviewHidden => "review.hidden",
            Action::ReviewShown => "review.shown",
            Action::OrderMoved => "order.status",
            Action::StockReceived => "stock.received",
            Action::StockCounted => "stock.counted",
        }
    }
}

/// One line of the log, as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Appends an entry inside the caller's transaction.
#[tracing::instrument(name = "audit.record", skip_all, fields(action = action.key()))]
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    action: Action,
    subject: &str,
    detail: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, staff_id, actor, action, subject, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry_id())
    .bind(now)
    .bind(actor.staff_id())
    .bind(actor.label())
    .bind(action.key())
    .bind(subject.to_string())
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await
    .context("Failed to write the audit log")?;
    Ok(())
}

/// The newest `limit` entries, newest first.
#[tracing::instrument(name = "audit.latest", skip(db))]
pub async fn latest(db: &crate::db::Db, limit: i64) -> anyhow::Result<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to read the audit log")
}

/// Nanoseconds since the epoch, zero-padded so ids sort by time, then random digits so two
/// entries in the same nanosecond (two replicas) do not collide.
fn entry_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:020}-{}", &crate::ids::random_id()[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_sort_by_time() {
        let a = entry_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = entry_id();
        assert!(a < b, "{a} < {b}");
        assert_eq!(a.len(), 33);
    }
}
