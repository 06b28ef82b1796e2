//! Member tiers: a name and the paid spend over the last 365 days that qualifies for it. There
//! are no shopper accounts, so membership is proven by the order's email alone: whoever types an
//! email with enough past orders qualifies. That is why a tier's only benefit is a cart-level
//! coupon the shopper enters ([`super::coupons`] checks it); a tier must never change a
//! displayed price, which is the same for every shopper.
//!
//! The rule itself ([`paid_spend`], [`qualifies`]) is pure; [`spend_of`] reads the orders of an
//! email inside the caller's transaction, so the order's coupon checks see one snapshot.

use super::PromoError;
use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use sqlx::AnyConnection;
use vitrine::money::{Currency, Money};

/// How far back a customer's orders count towards a tier.
pub const WINDOW_SECS: i64 = 365 * 86_400;

/// Order statuses that count as paid spend: the money was taken and not given back
/// (`cancelled` and `returned` orders do not count; `placed` was never paid).
pub const PAID_STATUSES: [&str; 4] = ["paid", "packed", "shipped", "delivered"];

/// A tier, as the console and the CLI list it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Tier {
    pub name: String,
    pub min_spend_minor: i64,
}

/// One past order of an email: when, in which status, for how much.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PastOrder {
    pub placed_at: i64,
    pub status: String,
    pub total_minor: i64,
}

/// The paid spend of `orders` in the 365 days before `now`: placed after `now - 365 days` and
/// not after `now`, in a paid status.
pub fn paid_spend(orders: &[PastOrder], now: i64) -> i64 {
    orders
        .iter()
        .filter(|o| o.placed_at > now - WINDOW_SECS && o.placed_at <= now)
        .filter(|o| PAID_STATUSES.contains(&o.status.as_str()))
        .fold(0_i64, |sum, o| sum.saturating_add(o.total_minor.max(0)))
}

/// Why an email does not qualify for a tier; the message is what the shopper reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub tier: String,
    pub spent_minor: i64,
    pub needed_minor: i64,
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "This code is for {} members: orders over the last year from this email total {} of the {} needed.",
            self.tier,
            Money::new(self.spent_minor, Currency::Gbp),
            Money::new(self.needed_minor, Currency::Gbp)
        )
    }
}

impl std::error::Error for Shortfall {}

/// `Ok` when `spent_minor` reaches the tier's minimum.
pub fn qualifies(tier: &Tier, spent_minor: i64) -> Result<(), Shortfall> {
    if spent_minor >= tier.min_spend_minor {
        Ok(())
    } else {
        Err(Shortfall {
            tier: tier.name.clone(),
            spent_minor,
            needed_minor: tier.min_spend_minor,
        })
    }
}

/// The paid spend of `email` (lower case, as orders store it) in the 365 days before `now`.
pub async fn spend_of(conn: &mut AnyConnection, email: &str, now: i64) -> anyhow::Result<i64> {
    let orders: Vec<PastOrder> = sqlx::query_as(
        "SELECT o.placed_at, o.status, o.total_minor FROM orders o \
         JOIN order_details d ON d.order_number = o.number \
         WHERE d.email = $1 AND o.placed_at > $2",
    )
    .bind(email.trim().to_ascii_lowercase())
    .bind(now - WINDOW_SECS)
    .fetch_all(&mut *conn)
    .await
    .context("Failed to read the orders of an email")?;
    Ok(paid_spend(&orders, now))
}

/// The tier called `name` (any case), if there is one that has not been removed.
pub async fn find(conn: &mut AnyConnection, name: &str) -> anyhow::Result<Option<Tier>> {
    Ok(find_any(conn, name)
        .await?
        .filter(|(_, removed)| !removed)
        .map(|(tier, _)| tier))
}

/// The tier row called `name` (any case), removed or not, and whether it was removed.
async fn find_any(conn: &mut AnyConnection, name: &str) -> anyhow::Result<Option<(Tier, bool)>> {
    let row: Option<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT name, min_spend_minor, removed_at FROM member_tiers WHERE lower(name) = lower($1)",
    )
    .bind(name.trim())
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to read a member tier")?;
    Ok(row.map(|(name, min_spend_minor, removed_at)| {
        let tier = Tier {
            name,
            min_spend_minor,
        };
        (tier, removed_at.is_some())
    }))
}

/// Every tier that has not been removed, lowest minimum first.
pub async fn list(db: &Db) -> anyhow::Result<Vec<Tier>> {
    sqlx::query_as(
        "SELECT name, min_spend_minor FROM member_tiers WHERE removed_at IS NULL \
         ORDER BY min_spend_minor, name",
    )
    .fetch_all(db)
    .await
    .context("Failed to read the member tiers")
}

/// A tier name: 1 to 40 letters, digits, spaces or dashes, trimmed.
pub fn parse_name(input: &str) -> Result<String, PromoError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty()
        || name.chars().count() > 40
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(PromoError::Invalid(
            "A tier name is 1 to 40 letters, digits, spaces or dashes, like Gold.".into(),
        ));
    }
    Ok(name)
}

/// Creates the tier `name` for customers whose paid spend over the last year reaches
/// `min_spend_minor`, with its audit entry. A removed tier of that name comes back, with its
/// old spelling and the new minimum.
pub async fn add(
    db: &Db,
    name: &str,
    min_spend_minor: i64,
    actor: &Actor,
) -> Result<Tier, PromoError> {
    let name = parse_name(name)?;
    if min_spend_minor <= 0 {
        return Err(PromoError::Invalid(
            "A tier's minimum spend must be above zero.".into(),
        ));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let name = match find_any(&mut tx, &name).await? {
        Some((existing, false)) => {
            return Err(PromoError::Invalid(format!(
                "There is already a tier called {}.",
                existing.name
            )));
        }
        Some((removed, true)) => {
            sqlx::query(
                "UPDATE member_tiers SET removed_at = NULL, min_spend_minor = $1 WHERE name = $2",
            )
            .bind(min_spend_minor)
            .bind(&removed.name)
            .execute(&mut *tx)
            .await
            .context("Failed to bring the tier back")?;
            removed.name
        }
        None => {
            sqlx::query(
                "INSERT INTO member_tiers (name, min_spend_minor, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&name)
            .bind(min_spend_minor)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("Failed to add the tier")?;
            name
        }
    };
    let detail = format!("member tier: paid spend of {min_spend_minor} minor units over 365 days");
    let subject = format!("tier {name}");
    audit::record(
        &mut tx,
        actor,
        Action::PromotionAdded,
        &subject,
        &detail,
        now,
    )
    .await?;
    tx.commit().await.context("Failed to commit the tier")?;
    Ok(Tier {
        name,
        min_spend_minor,
    })
}

/// What [`edit`] changes: a new name, a new minimum spend, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TierChange {
    pub rename: Option<String>,
    pub min_spend_minor: Option<i64>,
}

/// Renames the tier `name` (its coupons follow) and/or changes its minimum spend, which
/// checkout applies from the next order on; with its audit entry.
pub async fn edit(
    db: &Db,
    name: &str,
    change: &TierChange,
    actor: &Actor,
) -> Result<Tier, PromoError> {
    let rename = change.rename.as_deref().map(parse_name).transpose()?;
    if change.min_spend_minor.is_some_and(|m| m <= 0) {
        return Err(PromoError::Invalid(
            "A tier's minimum spend must be above zero.".into(),
        ));
    }
    if rename.is_none() && change.min_spend_minor.is_none() {
        return Err(PromoError::Invalid(
            "Give the tier a new name, a new minimum spend, or both.".into(),
        ));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let Some(tier) = find(&mut tx, name).await? else {
        return Err(no_tier(name));
    };
    let min_spend_minor = change.min_spend_minor.unwrap_or(tier.min_spend_minor);
    let new_name = rename.unwrap_or_else(|| tier.name.clone());
    if new_name != tier.name {
        match find_any(&mut tx, &new_name).await? {
            // The same tier in another case ("gold" -> "Gold") is a rename like any other.
            Some((other, _)) if other.name == tier.name => {}
            Some((other, false)) => {
                return Err(PromoError::Invalid(format!(
                    "There is already a tier called {}.",
                    other.name
                )));
            }
            Some((other, true)) => {
                return Err(PromoError::Invalid(format!(
                    "{} was a tier before and keeps its name for its old coupons: choose \
                     another name, or add {} again.",
                    other.name, other.name
                )));
            }
            None => {}
        }
        // The coupons' foreign key names the tier: add the new row, move them, drop the old.
        let created_at: (i64,) =
            sqlx::query_as("SELECT created_at FROM member_tiers WHERE name = $1")
                .bind(&tier.name)
                .fetch_one(&mut *tx)
                .await
                .context("Failed to read the tier")?;
        sqlx::query(
            "INSERT INTO member_tiers (name, min_spend_minor, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&new_name)
        .bind(min_spend_minor)
        .bind(created_at.0)
        .execute(&mut *tx)
        .await
        .context("Failed to rename the tier")?;
        sqlx::query("UPDATE coupons SET tier = $1 WHERE tier = $2")
            .bind(&new_name)
            .bind(&tier.name)
            .execute(&mut *tx)
            .await
            .context("Failed to move the tier's coupons")?;
        sqlx::query("DELETE FROM member_tiers WHERE name = $1")
            .bind(&tier.name)
            .execute(&mut *tx)
            .await
            .context("Failed to rename the tier")?;
    } else {
        sqlx::query("UPDATE member_tiers SET min_spend_minor = $1 WHERE name = $2")
            .bind(min_spend_minor)
            .bind(&tier.name)
            .execute(&mut *tx)
            .await
            .context("Failed to change the tier")?;
    }
    let detail = format!(
        "renamed {} -> {new_name}; paid spend of {min_spend_minor} minor units over 365 days",
        tier.name
    );
    let subject = format!("tier {new_name}");
    audit::record(
        &mut tx,
        actor,
        Action::PromotionChanged,
        &subject,
        &detail,
        now,
    )
    .await?;
    tx.commit().await.context("Failed to commit the tier")?;
    Ok(Tier {
        name: new_name,
        min_spend_minor,
    })
}

/// Removes the tier `name`, refused while a coupon for it can still be used (ended, expired and
/// used-up coupons keep naming it: orders name them). Its coupons are not honoured after.
pub async fn remove(db: &Db, name: &str, actor: &Actor) -> Result<(), PromoError> {
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let Some(tier) = find(&mut tx, name).await? else {
        return Err(no_tier(name));
    };
    let live: Vec<(String,)> = sqlx::query_as(
        "SELECT code FROM coupons WHERE tier = $1 AND ended_at IS NULL \
         AND (valid_until IS NULL OR valid_until > $2) \
         AND (usage_limit IS NULL OR times_used < usage_limit) ORDER BY code",
    )
    .bind(&tier.name)
    .bind(now)
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read the tier's coupons")?;
    if !live.is_empty() {
        let codes: Vec<&str> = live.iter().map(|(c,)| c.as_str()).collect();
        return Err(PromoError::Invalid(format!(
            "{} can still be used by {} members: end {} first.",
            codes.join(", "),
            tier.name,
            if codes.len() == 1 { "it" } else { "them" }
        )));
    }
    sqlx::query("UPDATE member_tiers SET removed_at = $1 WHERE name = $2")
        .bind(now)
        .bind(&tier.name)
        .execute(&mut *tx)
        .await
        .context("Failed to remove the tier")?;
    let subject = format!("tier {}", tier.name);
    audit::record(
        &mut tx,
        actor,
        Action::PromotionRemoved,
        &subject,
        "member tier removed",
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the tier's removal")?;
    Ok(())
}

fn no_tier(name: &str) -> PromoError {
    PromoError::Invalid(format!("There is no member tier called {}.", name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn order(placed_at: i64, status: &str, total_minor: i64) -> PastOrder {
        PastOrder {
            placed_at,
            status: status.into(),
            total_minor,
        }
    }

    #[test]
    fn only_paid_orders_of_the_last_365_days_count() {
        let orders = [
            order(NOW - 10, "paid", 1_000),
            order(NOW - 86_400, "delivered", 2_000),
            order(NOW - 2 * 86_400, "shipped", 300),
            order(NOW - 3 * 86_400, "packed", 40),
            order(NOW - 86_400, "cancelled", 50_000),
            order(NOW - 86_400, "returned", 50_000),
            order(NOW - 86_400, "placed", 50_000),
        ];
        assert_eq!(paid_spend(&orders, NOW), 3_340);
    }

    #[test]
    fn the_window_is_the_365_days_before_now() {
        let edge = [
            order(NOW - WINDOW_SECS, "paid", 1),
            order(NOW - WINDOW_SECS + 1, "paid", 10),
            order(NOW, "paid", 100),
            order(NOW + 1, "paid", 1_000),
        ];
        // Exactly 365 days ago is out, a second later is in; now is in, the future is not.
        assert_eq!(paid_spend(&edge, NOW), 110);
        assert_eq!(paid_spend(&[], NOW), 0);
    }

    #[test]
    fn a_tier_needs_its_minimum_and_says_how_far_off_the_email_is() {
        let gold = Tier {
            name: "Gold".into(),
            min_spend_minor: 20_000,
        };
        assert_eq!(qualifies(&gold, 20_000), Ok(()));
        assert_eq!(qualifies(&gold, 25_000), Ok(()));
        let short = qualifies(&gold, 19_999).expect_err("one penny short");
        assert_eq!(
            short.to_string(),
            "This code is for Gold members: orders over the last year from this email total \
             £199.99 of the £200.00 needed."
        );
    }

    #[test]
    fn tier_names_are_plain_words() {
        assert_eq!(
            parse_name("  Gold   Plus ").ok().as_deref(),
            Some("Gold Plus")
        );
        for bad in ["", "   ", "<b>", &"x".repeat(41)] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }
}
