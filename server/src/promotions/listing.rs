//! Every promotion with its state on the server's clock, as the console's promotions page and
//! `vitrine promo list` show them. Read-only; the states are pure functions of a row and `now`.

use super::tiers::{self, Tier};
use crate::db::Db;
use anyhow::Context;
use vitrine::cart::{CouponKind, Threshold};

/// A coupon as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CouponListing {
    pub code: String,
    pub percent_off: Option<i64>,
    pub amount_off_minor: Option<i64>,
    pub min_spend_minor: i64,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub usage_limit: Option<i64>,
    pub times_used: i64,
    pub tier: Option<String>,
    pub ended_at: Option<i64>,
}

/// Where a coupon stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CouponStatus {
    Scheduled,
    Active,
    Expired,
    UsedUp,
    /// Ended early by staff.
    Ended,
}

impl CouponStatus {
    pub fn label(self) -> &'static str {
        match self {
            CouponStatus::Scheduled => "scheduled",
            CouponStatus::Active => "active",
            CouponStatus::Expired => "expired",
            CouponStatus::UsedUp => "used up",
            CouponStatus::Ended => "ended",
        }
    }
}

impl CouponListing {
    pub fn kind(&self) -> CouponKind {
        match (self.percent_off, self.amount_off_minor) {
            (Some(p), _) => CouponKind::Percent(u8::try_from(p.clamp(1, 100)).unwrap_or(100)),
            (None, a) => CouponKind::Fixed(a.unwrap_or(0)),
        }
    }

    /// Ended first (staff said so), then used up, expired, not yet started; else active.
    pub fn status(&self, now: i64) -> CouponStatus {
        if self.ended_at.is_some_and(|at| at <= now) {
            CouponStatus::Ended
        } else if self.usage_limit.is_some_and(|l| self.times_used >= l) {
            CouponStatus::UsedUp
        } else if self.valid_until.is_some_and(|u| u <= now) {
            CouponStatus::Expired
        } else if self.valid_from.is_some_and(|f| f > now) {
            CouponStatus::Scheduled
        } else {
            CouponStatus::Active
        }
    }

    /// Staff may change its terms while no order has used it and it has not ended.
    pub fn editable(&self, now: i64) -> bool {
        self.times_used == 0 && self.status(now) != CouponStatus::Ended
    }

    /// Staff may end it while it could still be used now or later.
    pub fn endable(&self, now: i64) -> bool {
        matches!(
            self.status(now),
            CouponStatus::Active | CouponStatus::Scheduled
        )
    }
}

/// A multi-buy offer and the SKUs it mixes (one SKU: "3 for £10" on that variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiBuyListing {
    pub skus: Vec<String>,
    pub quantity: i64,
    pub price_minor: i64,
}

/// A flash sale.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FlashListing {
    pub id: String,
    pub sku: String,
    pub price_minor: i64,
    pub list_price_minor: i64,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Where a flash sale stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashStatus {
    Scheduled,
    Running,
    Ended,
}

impl FlashStatus {
    pub fn label(self) -> &'static str {
        match self {
            FlashStatus::Scheduled => "scheduled",
            FlashStatus::Running => "running",
            FlashStatus::Ended => "ended",
        }
    }
}

impl FlashListing {
    /// Its window is [starts_at, ends_at).
    pub fn status(&self, now: i64) -> FlashStatus {
        if now >= self.ends_at {
            FlashStatus::Ended
        } else if now >= self.starts_at {
            FlashStatus::Running
        } else {
            FlashStatus::Scheduled
        }
    }
}

/// Everything there is.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    pub coupons: Vec<CouponListing>,
    pub thresholds: Vec<Threshold>,
    pub multibuys: Vec<MultiBuyListing>,
    pub flashes: Vec<FlashListing>,
    pub tiers: Vec<Tier>,
}

/// How many flash sales (newest first) and coupons are listed: the page stays readable after
/// years of promotions.
pub const SHOWN: i64 = 200;

/// Every promotion, coupons by code, flash sales newest first.
#[tracing::instrument(name = "promotions.list", skip(db))]
pub async fn all(db: &Db) -> anyhow::Result<Listing> {
    let coupons = sqlx::query_as(
        "SELECT code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, \
         usage_limit, times_used, tier, ended_at FROM coupons ORDER BY code LIMIT $1",
    )
    .bind(SHOWN)
    .fetch_all(db)
    .await
    .context("Failed to read the coupons")?;
    let rows = sqlx::query_as(
        "SELECT o.id, o.quantity, o.price_minor, m.sku FROM multibuy_offers o \
         JOIN multibuy_skus m ON m.offer_id = o.id ORDER BY o.id, m.sku",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the multi-buys")?;
    let mut multibuys: Vec<MultiBuyListing> = super::group_offers(rows)
        .into_iter()
        .map(|(_, m)| MultiBuyListing {
            skus: m.skus,
            quantity: m.quantity,
            price_minor: m.price_minor,
        })
        .collect();
    multibuys.sort_by(|a, b| a.skus.cmp(&b.skus));
    let flashes = sqlx::query_as(
        "SELECT id, sku, price_minor, list_price_minor, starts_at, ends_at FROM flash_sales \
         ORDER BY starts_at DESC, id LIMIT $1",
    )
    .bind(SHOWN)
    .fetch_all(db)
    .await
    .context("Failed to read the flash sales")?;
    Ok(Listing {
        coupons,
        thresholds: super::thresholds(db).await?,
        multibuys,
        flashes,
        tiers: tiers::list(db).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn coupon() -> CouponListing {
        CouponListing {
            code: "SAVE".into(),
            percent_off: Some(10),
            amount_off_minor: None,
            min_spend_minor: 0,
            valid_from: None,
            valid_until: None,
            usage_limit: None,
            times_used: 0,
            tier: None,
            ended_at: None,
        }
    }

    #[test]
    fn a_coupon_is_scheduled_active_expired_used_up_or_ended() {
        let open = coupon();
        assert_eq!(open.status(NOW), CouponStatus::Active);
        let later = CouponListing {
            valid_from: Some(NOW + 1),
            ..coupon()
        };
        assert_eq!(later.status(NOW), CouponStatus::Scheduled);
        assert_eq!(later.status(NOW + 1), CouponStatus::Active);
        let window = CouponListing {
            valid_until: Some(NOW),
            ..coupon()
        };
        assert_eq!(window.status(NOW - 1), CouponStatus::Active);
        assert_eq!(
            window.status(NOW),
            CouponStatus::Expired,
            "the end is exclusive"
        );
        let used = CouponListing {
            usage_limit: Some(2),
            times_used: 2,
            valid_until: Some(NOW),
            ..coupon()
        };
        assert_eq!(used.status(NOW), CouponStatus::UsedUp);
        let ended = CouponListing {
            valid_until: Some(NOW),
            ended_at: Some(NOW),
            usage_limit: Some(2),
            times_used: 2,
            ..coupon()
        };
        assert_eq!(ended.status(NOW), CouponStatus::Ended, "staff's word first");
    }

    #[test]
    fn only_unused_coupons_can_be_edited_and_only_usable_ones_ended() {
        assert!(coupon().editable(NOW) && coupon().endable(NOW));
        let used = CouponListing {
            times_used: 1,
            ..coupon()
        };
        assert!(!used.editable(NOW) && used.endable(NOW));
        let expired = CouponListing {
            valid_until: Some(NOW - 1),
            ..coupon()
        };
        assert!(
            expired.editable(NOW),
            "an unused expired code may get a new window"
        );
        assert!(!expired.endable(NOW));
        let ended = CouponListing {
            ended_at: Some(NOW - 1),
            valid_until: Some(NOW - 1),
            ..coupon()
        };
        assert!(!ended.editable(NOW) && !ended.endable(NOW));
    }

    #[test]
    fn a_flash_sale_runs_from_its_start_until_just_before_its_end() {
        let sale = FlashListing {
            id: "x".into(),
            sku: "A".into(),
            price_minor: 500,
            list_price_minor: 1_000,
            starts_at: NOW,
            ends_at: NOW + 60,
        };
        assert_eq!(sale.status(NOW - 1), FlashStatus::Scheduled);
        assert_eq!(sale.status(NOW), FlashStatus::Running);
        assert_eq!(sale.status(NOW + 59), FlashStatus::Running);
        assert_eq!(sale.status(NOW + 60), FlashStatus::Ended);
    }
}
