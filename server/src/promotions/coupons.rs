//! Coupon codes: percent or fixed, minimum spend, a validity window on the server's clock and a
//! usage limit. [`check`] says whether a code may be used now (the minimum spend is the cart
//! arithmetic's to decide); [`redeem`] counts a use inside the order's transaction with a guard,
//! so concurrent orders can never use a code more often than its limit.

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::{Any, Transaction};
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
    #[error("The code {0} has been used up.")]
    UsedUp(String),
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
}

impl CouponRow {
    fn usable(self, now: i64) -> Result<Coupon, CouponError> {
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

const SELECT: &str = "SELECT code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, usage_limit, times_used FROM coupons WHERE code = $1";

/// The coupon `code` (upper case) if it may be used at `now`.
#[tracing::instrument(skip(db))]
pub async fn check(db: &Db, code: &str, now: i64) -> Result<Coupon, CouponError> {
    let row: Option<CouponRow> = sqlx::query_as(SELECT)
        .bind(code)
        .fetch_optional(db)
        .await
        .context("Failed to read a coupon")?;
    row.ok_or_else(|| CouponError::Unknown(code.to_string()))?
        .usable(now)
}

/// Counts one use of `code` inside the order's transaction: refused if, meanwhile, it was used
/// up or left its window (the guard is in the UPDATE, so two orders cannot both take the last
/// use).
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    code: &str,
    now: i64,
) -> Result<(), CouponError> {
    let done = sqlx::query(
        "UPDATE coupons SET times_used = times_used + 1 WHERE code = $1 \
         AND (usage_limit IS NULL OR times_used < usage_limit) \
         AND (valid_from IS NULL OR valid_from <= $2) AND (valid_until IS NULL OR valid_until > $2)",
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
}

/// Creates a coupon, with its audit entry.
pub async fn add(db: &Db, new: &NewCoupon, actor: &Actor) -> Result<(), super::PromoError> {
    use super::PromoError::Invalid;
    let code = parse_code(&new.code)
        .map_err(|e| Invalid(e.to_string()))?
        .ok_or_else(|| Invalid("the code is empty".into()))?;
    let (percent, amount) = match new.kind {
        CouponKind::Percent(p @ 1..=100) => (Some(i64::from(p)), None),
        CouponKind::Percent(_) => return Err(Invalid("--percent must be from 1 to 100".into())),
        CouponKind::Fixed(a) if a > 0 => (None, Some(a)),
        CouponKind::Fixed(_) => return Err(Invalid("--fixed must be above zero".into())),
    };
    if let (Some(f), Some(u)) = (new.valid_from, new.valid_until)
        && u <= f
    {
        return Err(Invalid("--until must be after --from".into()));
    }
    if new.usage_limit.is_some_and(|l| l <= 0) || new.min_spend_minor < 0 {
        return Err(Invalid("--limit must be at least 1".into()));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT code FROM coupons WHERE code = $1")
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the coupons")?;
    if exists.is_some() {
        return Err(Invalid(format!("the code {code} already exists")));
    }
    sqlx::query(
        "INSERT INTO coupons (code, percent_off, amount_off_minor, min_spend_minor, valid_from, valid_until, usage_limit, times_used, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&code)
    .bind(percent)
    .bind(amount)
    .bind(new.min_spend_minor)
    .bind(new.valid_from)
    .bind(new.valid_until)
    .bind(new.usage_limit)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add the coupon")?;
    let detail = format!(
        "{:?}, min spend {}, from {:?} until {:?}, limit {:?}",
        new.kind, new.min_spend_minor, new.valid_from, new.valid_until, new.usage_limit
    );
    audit::record(&mut tx, actor, Action::PromotionAdded, &code, &detail, now).await?;
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
