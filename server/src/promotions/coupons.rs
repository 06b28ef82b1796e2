//! Coupon codes: percent or fixed, minimum spend, a validity window on the server's clock, a
//! usage limit, and optionally a member tier. [`check`] says whether a code may be used now by
//! an email (the minimum spend is the cart arithmetic's to decide); [`redeem`] re-checks and
//! counts a use inside the order's transaction with a guard, so concurrent orders can never use
//! a code more often than its limit. Staff may [`end`] a coupon early (the row stays: orders
//! reference the code) and [`edit`] one that has not been used yet.

use super::tiers::{self, Shortfall};
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::{Any, AnyConnection, Transaction};
use vitrine::cart::{Coupon, CouponKind};
use vitrine::dates::short_utc;

/// Why a code cannot be used; the message is what the shopper reads.
#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    #[error("“{0}” is not a coupon code: codes are 1 to 32 letters, digits or dashes.")]
    Malformed(String),
    #[error("We don't recognise the code {0}. Check it and try again.")]
    Unknown(String),
    #[error("The code {code} can be used from {from}.")]
    NotYetValid { code: String, from: String },
    #[error("The code {code} expired on {until}.")]
    Expired { code: String, until: String },
    #[error("The code {code} ended on {at}.")]
    Ended { code: String, at: String },
    #[error("The code {0} has been used up.")]
    UsedUp(String),
    #[error("The code {code} is for {tier} members: enter your email first, so we can check.")]
    EmailNeeded { code: String, tier: String },
    #[error(transparent)]
    NotAMember(#[from] Shortfall),
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

/// A typed code, upper case: `Some` for something that looks like a code, `None` for blank.
pub fn parse_code(input: &str) -> Result<Option<String>, CouponError> {
    let code = input.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(CouponError::Malformed(
            input.trim().chars().take(32).collect(),
        ));
    }
    Ok(Some(code))
}

#[derive(sqlx::FromRow)]
struct CouponRow {
    code: String,
    percent_off: Option<i64>,
    amount_off_minor: Option<i64>,
    min_spend_minor: i64,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    usage_limit: Option<i64>,
    times_used: i64,
    tier: Option<String>,
    ended_at: Option<i64>,
}

impl CouponRow {
    /// The coupon, if its window, its limit and its ending allow it at `now` (the tier is
    /// [`member_check`]'s).
    fn usable(self, now: i64) -> Result<Coupon, CouponError> {
        if let Some(at) = self.ended_at.filter(|&at| now >= at) {
            return Err(CouponError::Ended {
                code: self.code,
                at: short_utc(at),
            });
        }
        if let Some(from) = self.valid_from.filter(|&f| now < f) {
            return Err(CouponError::NotYetValid {
                code: self.code,
                from: short_utc(from),
            });
        }
        if let Some(until) = self.valid_until.filter(|&u| now >= u) {
            return Err(CouponError::Expired {
                code: self.code,
                until: short_utc(until),
            });
        }
        if self.usage_limit.is_some_and(|l| self.times_used >= l) {
            return Err(CouponError::UsedUp(self.code));
        }
        let kind = match (self.percent_off, self.amount_off_minor) {
            (Some(p), _) => CouponKind::Percent(u8::try_from(p.clamp(1, 100)).unwrap_or(100)),
            (None, Some(a)) => CouponKind::Fixed(a),
            (None, None) => return Err(CouponError::Unknown(self.code)),
        };
        Ok(Coupon {
            code: self.code,
            kind,
            min_spend_minor: self.min_spend_minor,
        })
    }
}

const SELECT: &str = "SELECT code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, usage_limit, times_used, tier, ended_at FROM coupons WHERE code = $1";

/// Refuses a member coupon when `email` (the order's) has not spent enough over the last year.
async fn member_check(
    conn: &mut AnyConnection,
    code: &str,
    tier: Option<&str>,
    email: Option<&str>,
    now: i64,
) -> Result<(), CouponError> {
    let Some(tier_name) = tier else {
        return Ok(());
    };
    let Some(tier) = tiers::find(conn, tier_name).await? else {
        // The tier is referenced by a foreign key, so this is only a race with nothing: refuse.
        return Err(CouponError::Unknown(code.to_string()));
    };
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Err(CouponError::EmailNeeded {
            code: code.to_string(),
            tier: tier.name,
        });
    };
    let spent = tiers::spend_of(conn, email, now).await?;
    tiers::qualifies(&tier, spent)?;
    Ok(())
}

/// The coupon `code` (upper case) if it may be used at `now` on an order from `email` (a member
/// coupon needs one; others ignore it).
#[tracing::instrument(skip(db, email))]
pub async fn check(
    db: &Db,
    code: &str,
    email: Option<&str>,
    now: i64,
) -> Result<Coupon, CouponError> {
    let mut conn = db.acquire().await.context("Failed to reach the database")?;
    let row: Option<CouponRow> = sqlx::query_as(SELECT)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .context("Failed to read a coupon")?;
    let row = row.ok_or_else(|| CouponError::Unknown(code.to_string()))?;
    let tier = row.tier.clone();
    let coupon = row.usable(now)?;
    member_check(&mut conn, code, tier.as_deref(), email, now).await?;
    Ok(coupon)
}

/// Counts one use of `code` by an order from `email` inside the order's transaction: refused
/// if, meanwhile, it was used up or left its window (the guard is in the UPDATE, so two orders
/// cannot both take the last use), or if it is a member coupon and the email's paid spend
/// (read in this transaction, without the order being placed) is under the tier's minimum.
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    code: &str,
    email: &str,
    now: i64,
) -> Result<(), CouponError> {
    let tier: Option<(Option<String>,)> =
        sqlx::query_as("SELECT tier FROM coupons WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await
            .context("Failed to read a coupon")?;
    let tier = tier
        .ok_or_else(|| CouponError::Unknown(code.to_string()))?
        .0;
    member_check(tx, code, tier.as_deref(), Some(email), now).await?;
    let done = sqlx::query(
        "UPDATE coupons SET times_used = times_used + 1 WHERE code = $1 \
         AND (usage_limit IS NULL OR times_used < usage_limit) \
         AND (valid_from IS NULL OR valid_from <= $2) AND (valid_until IS NULL OR valid_until > $2) \
         AND (ended_at IS NULL OR ended_at > $2)",
    )
    .bind(code)
    .bind(now)
    .execute(&mut **tx)
    .await
    .context("Failed to count a coupon use")?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let row: Option<CouponRow> = sqlx::query_as(SELECT)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
        .context("Failed to read a coupon")?;
    match row {
        None => Err(CouponError::Unknown(code.to_string())),
        Some(row) => match row.usable(now) {
            Err(e) => Err(e),
            Ok(_) => Err(CouponError::UsedUp(code.to_string())),
        },
    }
}

/// A coupon to create.
#[derive(Clone, Debug)]
pub struct NewCoupon {
    pub code: String,
    pub kind: CouponKind,
    pub min_spend_minor: i64,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub usage_limit: Option<i64>,
    /// The member tier it is for (any case); `None`: anyone.
    pub tier: Option<String>,
}

/// The terms staff may set on a coupon that has not been used yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub min_spend_minor: i64,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub usage_limit: Option<i64>,
}

impl Terms {
    /// Refuses terms that make no sense, in words a marketer can act on.
    pub fn check(&self) -> Result<(), super::PromoError> {
        use super::PromoError::Invalid;
        if let (Some(f), Some(u)) = (self.valid_from, self.valid_until)
            && u <= f
        {
            return Err(Invalid(
                "The end of the window must be after its start.".into(),
            ));
        }
        if self.usage_limit.is_some_and(|l| l <= 0) {
            return Err(Invalid(
                "The usage limit must be at least 1 (or blank for no limit).".into(),
            ));
        }
        if self.min_spend_minor < 0 {
            return Err(Invalid("The minimum spend cannot be negative.".into()));
        }
        Ok(())
    }
}

/// Creates a coupon, with its audit entry.
pub async fn add(db: &Db, new: &NewCoupon, actor: &Actor) -> Result<(), super::PromoError> {
    use super::PromoError::Invalid;
    let code = parse_code(&new.code)
        .map_err(|e| Invalid(e.to_string()))?
        .ok_or_else(|| Invalid("Enter a code.".into()))?;
    let (percent, amount) = match new.kind {
        CouponKind::Percent(p @ 1..=100) => (Some(i64::from(p)), None),
        CouponKind::Percent(_) => {
            return Err(Invalid("A percentage off must be from 1 to 100.".into()));
        }
        CouponKind::Fixed(a) if a > 0 => (None, Some(a)),
        CouponKind::Fixed(_) => return Err(Invalid("An amount off must be above zero.".into())),
    };
    Terms {
        min_spend_minor: new.min_spend_minor,
        valid_from: new.valid_from,
        valid_until: new.valid_until,
        usage_limit: new.usage_limit,
    }
    .check()?;
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT code FROM coupons WHERE code = $1")
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the coupons")?;
    if exists.is_some() {
        return Err(Invalid(format!("The code {code} already exists.")));
    }
    let tier = match new.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(name) => match tiers::find(&mut tx, name).await? {
            Some(tier) => Some(tier.name),
            None => return Err(Invalid(format!("There is no member tier called {name}."))),
        },
    };
    sqlx::query(
        "INSERT INTO coupons (code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, usage_limit, times_used, created_at, tier) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
    )
    .bind(&code)
    .bind(percent)
    .bind(amount)
    .bind(new.min_spend_minor)
    .bind(new.valid_from)
    .bind(new.valid_until)
    .bind(new.usage_limit)
    .bind(now)
    .bind(tier.clone())
    .execute(&mut *tx)
    .await
    .context("Failed to add the coupon")?;
    let detail = format!(
        "{:?}, min spend {}, from {:?} until {:?}, limit {:?}, tier {:?}",
        new.kind, new.min_spend_minor, new.valid_from, new.valid_until, new.usage_limit, tier
    );
    audit::record(&mut tx, actor, Action::PromotionAdded, &code, &detail, now).await?;
    tx.commit().await.context("Failed to commit the coupon")?;
    Ok(())
}

/// Ends `code` now: it stops being accepted at once (its window closes now). The row stays,
/// since orders reference the code.
pub async fn end(db: &Db, code: &str, actor: &Actor) -> Result<(), super::PromoError> {
    use super::PromoError::Invalid;
    let code = code.trim().to_ascii_uppercase();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    let done = sqlx::query(
        "UPDATE coupons SET valid_until = $1, ended_at = $1 WHERE code = $2 \
         AND ended_at IS NULL AND (valid_until IS NULL OR valid_until > $1)",
    )
    .bind(now)
    .bind(&code)
    .execute(&mut *tx)
    .await
    .context("Failed to end the coupon")?;
    if done.rows_affected() != 1 {
        let known: Option<(String,)> = sqlx::query_as("SELECT code FROM coupons WHERE code = $1")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await
            .context("Failed to read the coupons")?;
        return Err(Invalid(match known {
            Some(_) => format!("The code {code} has already ended."),
            None => format!("There is no coupon {code}."),
        }));
    }
    audit::record(
        &mut tx,
        actor,
        Action::PromotionEnded,
        &code,
        "coupon ended now",
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the coupon's end")?;
    Ok(())
}

/// Sets new terms on `code`, only while no order has used it (an order's terms must stay the
/// ones it was placed under) and it has not ended.
pub async fn edit(
    db: &Db,
    code: &str,
    terms: &Terms,
    actor: &Actor,
) -> Result<(), super::PromoError> {
    use super::PromoError::Invalid;
    terms.check()?;
    let code = code.trim().to_ascii_uppercase();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    // A removed tier's coupons are over (`tiers::remove` waits for that): none comes back.
    let removed: Option<(String,)> = sqlx::query_as(
        "SELECT t.name FROM coupons c JOIN member_tiers t ON t.name = c.tier \
         WHERE c.code = $1 AND t.removed_at IS NOT NULL",
    )
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the coupon's tier")?;
    if let Some((tier,)) = removed {
        return Err(Invalid(format!(
            "The code {code} is for the removed tier {tier}: add the tier again first, or create a new code."
        )));
    }
    let done = sqlx::query(
        "UPDATE coupons SET min_spend_minor = $1, valid_from = $2, valid_until = $3, usage_limit = $4 \
         WHERE code = $5 AND times_used = 0 AND ended_at IS NULL",
    )
    .bind(terms.min_spend_minor)
    .bind(terms.valid_from)
    .bind(terms.valid_until)
    .bind(terms.usage_limit)
    .bind(&code)
    .execute(&mut *tx)
    .await
    .context("Failed to change the coupon")?;
    if done.rows_affected() != 1 {
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT times_used, ended_at FROM coupons WHERE code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await
                .context("Failed to read the coupons")?;
        return Err(Invalid(match row {
            None => format!("There is no coupon {code}."),
            Some((_, Some(_))) => format!("The code {code} has ended: create a new code instead."),
            Some((used, None)) => format!(
                "The code {code} has been used by {used} order(s), so its terms can no longer change: end it and create a new code instead."
            ),
        }));
    }
    let detail = format!(
        "min spend {}, from {:?} until {:?}, limit {:?}",
        terms.min_spend_minor, terms.valid_from, terms.valid_until, terms.usage_limit
    );
    audit::record(
        &mut tx,
        actor,
        Action::PromotionChanged,
        &code,
        &detail,
        now,
    )
    .await?;
    tx.commit().await.context("Failed to commit the coupon")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_letters_digits_and_dashes() {
        assert_eq!(
            parse_code(" save-10 ").ok().flatten().as_deref(),
            Some("SAVE-10")
        );
        assert!(matches!(parse_code("   "), Ok(None)));
        for bad in ["a b", "<x>", &"A".repeat(33)] {
            assert!(
                matches!(parse_code(bad), Err(CouponError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
