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

/// The tier called `name` (any case), if there is one.
pub async fn find(conn: &mut AnyConnection, name: &str) -> anyhow::Result<Option<Tier>> {
    sqlx::query_as("SELECT name, min_spend_minor FROM member_tiers WHERE lower(name) = lower($1)")
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await
        .context("Failed to read a member tier")
}

/// Every tier, lowest minimum first.
pub async fn list(db: &Db) -> anyhow::Result<Vec<Tier>> {
    sqlx::query_as("SELECT name, min_spend_minor FROM member_tiers ORDER BY min_spend_minor, name")
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
/// `min_spend_minor`, with its audit entry.
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
    if let Some(existing) = find(&mut tx, &name).await? {
        return Err(PromoError::Invalid(format!(
            "There is already a tier called {}.",
            existing.name
        )));
    }
    sqlx::query("INSERT INTO member_tiers (name, min_spend_minor, created_at) VALUES ($1, $2, $3)")
        .bind(&name)
        .bind(min_spend_minor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("Failed to add the tier")?;
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
