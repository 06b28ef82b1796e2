//! Promotions: coupons, spend-X-save-Y thresholds, multi-buys and flash prices. This module
//! owns which offers exist and whether they are in effect on the server's clock; the stacking
//! arithmetic is the shared pure `vitrine::cart::promo_totals`, never repeated here.
//!
//! A flash price is a price, not a discount: it goes through the price history (see
//! [`flash`] and `pricing::current`), so the product page, the JSON-LD and the checkout read
//! the same current price. Every change made here writes an audit entry in its transaction.

pub mod cli;
pub mod coupons;
pub mod flash;
pub mod listing;
pub mod tiers;

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use vitrine::cart::{MultiBuy, Offers, Threshold};
use vitrine::money::{Currency, Money};

pub use coupons::{CouponError, NewCoupon};

/// Multi-buys on `skus` and every threshold, with `coupon` (already checked) attached.
pub async fn offers(
    db: &Db,
    skus: &[String],
    coupon: Option<vitrine::cart::Coupon>,
) -> anyhow::Result<Offers> {
    Ok(Offers {
        multibuys: multibuys(db, skus).await?,
        thresholds: thresholds(db).await?,
        coupon,
    })
}

/// Every spend threshold, lowest first.
pub async fn thresholds(db: &Db) -> anyhow::Result<Vec<Threshold>> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT spend_minor, save_minor FROM spend_thresholds ORDER BY spend_minor")
            .fetch_all(db)
            .await
            .context("Failed to read the spend thresholds")?;
    Ok(rows
        .into_iter()
        .map(|(spend_minor, save_minor)| Threshold {
            spend_minor,
            save_minor,
        })
        .collect())
}

/// The multi-buy offers on `skus`.
pub async fn multibuys(db: &Db, skus: &[String]) -> anyhow::Result<Vec<MultiBuy>> {
    if skus.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT sku, quantity, price_minor FROM multibuys WHERE sku IN ({}) ORDER BY sku",
        db::list_placeholders(1, skus.len())
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64)>(&sql);
    for s in skus {
        query = query.bind(s.clone());
    }
    let rows = query
        .fetch_all(db)
        .await
        .context("Failed to read the multi-buy offers")?;
    Ok(rows
        .into_iter()
        .map(|(sku, quantity, price_minor)| MultiBuy {
            sku,
            quantity,
            price_minor,
        })
        .collect())
}

/// Why an operator's promotion change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PromoError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Adds (or replaces) "spend `spend_minor`, save `save_minor`".
pub async fn add_threshold(
    db: &Db,
    spend_minor: i64,
    save_minor: i64,
    actor: &Actor,
) -> Result<(), PromoError> {
    if spend_minor <= 0 || save_minor <= 0 || save_minor > spend_minor {
        return Err(PromoError::Invalid(
            "The saving must be above zero and at most the spend.".into(),
        ));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    sqlx::query("DELETE FROM spend_thresholds WHERE spend_minor = $1")
        .bind(spend_minor)
        .execute(&mut *tx)
        .await
        .context("Failed to replace the threshold")?;
    sqlx::query(
        "INSERT INTO spend_thresholds (spend_minor, save_minor, created_at) VALUES ($1, $2, $3)",
    )
    .bind(spend_minor)
    .bind(save_minor)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add the threshold")?;
    let detail = format!("spend {spend_minor} save {save_minor} minor units");
    audit::record(
        &mut tx,
        actor,
        Action::PromotionAdded,
        "threshold",
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the threshold")?;
    Ok(())
}

/// Adds (or replaces) "`quantity` for `price_minor`" on `sku`.
pub async fn add_multibuy(
    db: &Db,
    sku: &str,
    quantity: i64,
    price_minor: i64,
    actor: &Actor,
) -> Result<(), PromoError> {
    if !(2..=vitrine::cart::MAX_QUANTITY).contains(&quantity) || price_minor <= 0 {
        return Err(PromoError::Invalid(
            "A multi-buy needs a quantity from 2 to 99 and a price above zero.".into(),
        ));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let list: Option<(i64,)> = sqlx::query_as("SELECT price_minor FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to read the variant")?;
    let Some((list,)) = list else {
        return Err(PromoError::Invalid(format!(
            "There is no variant with SKU {sku}."
        )));
    };
    if list
        .checked_mul(quantity)
        .is_none_or(|singly| price_minor >= singly)
    {
        return Err(PromoError::Invalid(format!(
            "{quantity} of {sku} already cost {} singly: the offer must be cheaper.",
            Money::new(list.saturating_mul(quantity), Currency::Gbp)
        )));
    }
    sqlx::query("DELETE FROM multibuys WHERE sku = $1")
        .bind(sku)
        .execute(&mut *tx)
        .await
        .context("Failed to replace the multi-buy")?;
    sqlx::query(
        "INSERT INTO multibuys (sku, quantity, price_minor, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(sku)
    .bind(quantity)
    .bind(price_minor)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add the multi-buy")?;
    let detail = format!("{quantity} for {price_minor} minor units");
    audit::record(&mut tx, actor, Action::PromotionAdded, sku, &detail, now).await?;
    tx.commit()
        .await
        .context("Failed to commit the multi-buy")?;
    Ok(())
}

/// Removes "spend `spend_minor`, save ..."; carts stop getting it at once.
pub async fn remove_threshold(db: &Db, spend_minor: i64, actor: &Actor) -> Result<(), PromoError> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    let done = sqlx::query("DELETE FROM spend_thresholds WHERE spend_minor = $1")
        .bind(spend_minor)
        .execute(&mut *tx)
        .await
        .context("Failed to remove the threshold")?;
    if done.rows_affected() != 1 {
        return Err(PromoError::Invalid(format!(
            "There is no threshold at a spend of {}.",
            Money::new(spend_minor, Currency::Gbp)
        )));
    }
    let detail = format!("spend {spend_minor} minor units");
    audit::record(
        &mut tx,
        actor,
        Action::PromotionRemoved,
        "threshold",
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the threshold's removal")?;
    Ok(())
}

/// Removes the multi-buy on `sku`; carts stop getting it at once.
pub async fn remove_multibuy(db: &Db, sku: &str, actor: &Actor) -> Result<(), PromoError> {
    let sku = sku.trim().to_ascii_uppercase();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    let done = sqlx::query("DELETE FROM multibuys WHERE sku = $1")
        .bind(&sku)
        .execute(&mut *tx)
        .await
        .context("Failed to remove the multi-buy")?;
    if done.rows_affected() != 1 {
        return Err(PromoError::Invalid(format!(
            "There is no multi-buy on SKU {sku}."
        )));
    }
    audit::record(
        &mut tx,
        actor,
        Action::PromotionRemoved,
        &sku,
        "multi-buy removed",
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the multi-buy's removal")?;
    Ok(())
}
