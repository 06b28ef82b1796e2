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

/// Every multi-buy offer that takes any of `skus`, with all the SKUs it mixes.
pub async fn multibuys(db: &Db, skus: &[String]) -> anyhow::Result<Vec<MultiBuy>> {
    if skus.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT o.id, o.quantity, o.price_minor, m.sku FROM multibuy_offers o \
         JOIN multibuy_skus m ON m.offer_id = o.id \
         WHERE o.id IN (SELECT offer_id FROM multibuy_skus WHERE sku IN ({})) \
         ORDER BY o.id, m.sku",
        db::list_placeholders(1, skus.len())
    );
    let mut query = sqlx::query_as::<_, (String, i64, i64, String)>(&sql);
    for s in skus {
        query = query.bind(s.clone());
    }
    let rows = query
        .fetch_all(db)
        .await
        .context("Failed to read the multi-buy offers")?;
    Ok(group_offers(rows).into_iter().map(|(_, m)| m).collect())
}

/// Rows of (offer id, quantity, price, SKU) sorted by offer id, one offer per id.
pub(super) fn group_offers(rows: Vec<(String, i64, i64, String)>) -> Vec<(String, MultiBuy)> {
    runs(rows.into_iter().map(|(id, q, p, sku)| (id, (q, p, sku))))
        .into_iter()
        .map(|(id, members)| {
            let (quantity, price_minor) = members.first().map_or((0, 0), |m| (m.0, m.1));
            let skus = members.into_iter().map(|m| m.2).collect();
            let offer = MultiBuy {
                skus,
                quantity,
                price_minor,
            };
            (id, offer)
        })
        .collect()
}

/// Consecutive rows with the same key, gathered: `(a, 1), (a, 2), (b, 3)` becomes
/// `(a, [1, 2]), (b, [3])`.
fn runs<K: PartialEq, V>(rows: impl IntoIterator<Item = (K, V)>) -> Vec<(K, Vec<V>)> {
    let mut out: Vec<(K, Vec<V>)> = Vec::new();
    for (key, value) in rows {
        match out.last_mut() {
            Some((last, values)) if *last == key => values.push(value),
            _ => out.push((key, vec![value])),
        }
    }
    out
}

/// The most SKUs one multi-buy may mix (the product page lists them; the console shows them).
pub const MAX_MULTIBUY_SKUS: usize = 200;

/// The SKUs an operator typed, separated by commas or white space: upper case, each once, in
/// the order given.
pub fn parse_skus(typed: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sku in typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let sku = sku.to_ascii_uppercase();
        if !out.contains(&sku) {
            out.push(sku);
        }
    }
    out
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

/// Adds "`quantity` for `price_minor`" mixing any of `skus` (one SKU: "3 for £10" on it). Listing
/// exactly the SKUs of an existing offer replaces its terms; a SKU already in another offer is
/// refused (a cart line counts towards one offer only).
pub async fn add_multibuy(
    db: &Db,
    skus: &[String],
    quantity: i64,
    price_minor: i64,
    actor: &Actor,
) -> Result<(), PromoError> {
    if !(2..=vitrine::cart::MAX_QUANTITY).contains(&quantity) || price_minor <= 0 {
        return Err(PromoError::Invalid(
            "A multi-buy needs a quantity from 2 to 99 and a price above zero.".into(),
        ));
    }
    let skus = parse_skus(&skus.join(" "));
    if skus.is_empty() || skus.len() > MAX_MULTIBUY_SKUS {
        return Err(PromoError::Invalid(format!(
            "A multi-buy needs from 1 to {MAX_MULTIBUY_SKUS} SKUs."
        )));
    }
    let now = db::now();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let placeholders = db::list_placeholders(1, skus.len());
    let sql = format!("SELECT sku, price_minor FROM variants WHERE sku IN ({placeholders})");
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
    for s in &skus {
        query = query.bind(s.clone());
    }
    let prices = query
        .fetch_all(&mut *tx)
        .await
        .context("Failed to read the variants")?;
    let unknown: Vec<&str> = skus
        .iter()
        .filter(|s| !prices.iter().any(|(sku, _)| sku == *s))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(PromoError::Invalid(format!(
            "There is no variant with SKU {}.",
            unknown.join(", ")
        )));
    }
    // The dearest unit decides whether a group can ever be cheaper than buying it singly.
    let (dearest, list) = prices
        .iter()
        .max_by_key(|(sku, p)| (*p, std::cmp::Reverse(sku.clone())))
        .cloned()
        .expect("at least one SKU, all known");
    if list
        .checked_mul(quantity)
        .is_none_or(|singly| price_minor >= singly)
    {
        let singly = Money::new(list.saturating_mul(quantity), Currency::Gbp);
        return Err(PromoError::Invalid(if skus.len() == 1 {
            format!(
                "{quantity} of {dearest} already cost {singly} singly: the offer must be cheaper."
            )
        } else {
            format!(
                "{quantity} of the dearest of these ({dearest}) already cost {singly} singly: the offer must be cheaper."
            )
        }));
    }
    let sql = format!(
        "SELECT m.offer_id, m.sku FROM multibuy_skus m WHERE m.offer_id IN \
         (SELECT offer_id FROM multibuy_skus WHERE sku IN ({placeholders})) ORDER BY m.offer_id, m.sku"
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for s in &skus {
        query = query.bind(s.clone());
    }
    let taken = query
        .fetch_all(&mut *tx)
        .await
        .context("Failed to read the multi-buys of these SKUs")?;
    let mut wanted = skus.clone();
    wanted.sort();
    let offers = runs(taken);
    let replaced = match offers.as_slice() {
        [] => None,
        [(offer, members)] if *members == wanted => Some(offer.clone()),
        _ => {
            let (_, members) = offers
                .iter()
                .find(|(_, members)| *members != wanted)
                .expect("two offers cannot both hold exactly these SKUs");
            let clash = skus
                .iter()
                .find(|s| members.contains(s))
                .unwrap_or(&skus[0]);
            return Err(PromoError::Invalid(format!(
                "{clash} is already in the multi-buy on {}: remove that offer first, or list \
                 exactly its SKUs to change its terms.",
                members.join(", ")
            )));
        }
    };
    if let Some(offer) = &replaced {
        delete_offer(&mut tx, offer).await?;
    }
    let id = replaced.unwrap_or_else(crate::ids::random_id);
    sqlx::query(
        "INSERT INTO multibuy_offers (id, quantity, price_minor, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(quantity)
    .bind(price_minor)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to add the multi-buy")?;
    for sku in &skus {
        sqlx::query("INSERT INTO multibuy_skus (sku, offer_id) VALUES ($1, $2)")
            .bind(sku)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .context("Failed to add the multi-buy's SKUs")?;
    }
    let detail = format!("{quantity} for {price_minor} minor units");
    let target = skus.join(",");
    audit::record(
        &mut tx,
        actor,
        Action::PromotionAdded,
        &target,
        &detail,
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the multi-buy")?;
    Ok(())
}

/// Deletes an offer and its SKUs inside the caller's transaction.
async fn delete_offer(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    offer: &str,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM multibuy_skus WHERE offer_id = $1")
        .bind(offer)
        .execute(&mut **tx)
        .await
        .context("Failed to remove the multi-buy's SKUs")?;
    sqlx::query("DELETE FROM multibuy_offers WHERE id = $1")
        .bind(offer)
        .execute(&mut **tx)
        .await
        .context("Failed to remove the multi-buy")?;
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

/// Removes the multi-buy that takes `sku` (with every SKU it mixes); carts stop getting it at
/// once.
pub async fn remove_multibuy(db: &Db, sku: &str, actor: &Actor) -> Result<(), PromoError> {
    let sku = sku.trim().to_ascii_uppercase();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let now = db::now();
    let members: Vec<(String, String)> = sqlx::query_as(
        "SELECT offer_id, sku FROM multibuy_skus WHERE offer_id IN \
         (SELECT offer_id FROM multibuy_skus WHERE sku = $1) ORDER BY sku",
    )
    .bind(&sku)
    .fetch_all(&mut *tx)
    .await
    .context("Failed to read the multi-buy")?;
    let Some((offer, _)) = members.first() else {
        return Err(PromoError::Invalid(format!(
            "There is no multi-buy on SKU {sku}."
        )));
    };
    delete_offer(&mut tx, offer).await?;
    let target: Vec<&str> = members.iter().map(|(_, s)| s.as_str()).collect();
    audit::record(
        &mut tx,
        actor,
        Action::PromotionRemoved,
        &target.join(","),
        "multi-buy removed",
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit the multi-buy's removal")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_skus_are_split_on_commas_and_spaces_upper_cased_and_kept_once() {
        assert_eq!(
            parse_skus(" 85123a, 21212\n85123A,,84077 "),
            ["85123A", "21212", "84077"]
        );
        assert!(parse_skus(" , ").is_empty());
    }

    #[test]
    fn rows_of_one_offer_become_one_multi_buy_with_all_its_skus() {
        let row = |id: &str, sku: &str| (id.to_string(), 3, 1_000, sku.to_string());
        let offers = group_offers(vec![row("a", "1"), row("a", "2"), row("b", "3")]);
        let skus: Vec<(&str, Vec<String>)> = offers
            .iter()
            .map(|(id, m)| (id.as_str(), m.skus.clone()))
            .collect();
        assert_eq!(
            skus,
            [("a", vec!["1".into(), "2".into()]), ("b", vec!["3".into()])]
        );
    }
}
