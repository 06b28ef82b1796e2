//! The cart service: adding, changing and removing lines of a guest cart, always checked
//! against the variant's current stock and priced from the database.
//!
//! It never trusts a price or a stock level from the browser: the forms send a SKU and a
//! quantity, nothing else.

use crate::db::{self, Db};
use anyhow::Context;
use vitrine::cart::{CartLine, CartPageView, CartView, Quantity, QuantityError};
use vitrine::money::{Currency, Money};

/// Why a cart change was refused; each maps to an HTTP status and a notice code.
#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error(transparent)]
    Quantity(#[from] QuantityError),
    #[error("unknown or removed item")]
    UnknownSku,
    #[error("only {left} left")]
    NotEnoughStock { left: i64 },
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

#[derive(sqlx::FromRow)]
struct LineRow {
    sku: String,
    slug: String,
    stem: String,
    title: String,
    label: String,
    price_minor: i64,
    currency: String,
    price_seen_minor: i64,
    quantity: i64,
    stock: i64,
}

/// A new random cart id (32 hex characters).
pub fn new_cart_id() -> String {
    crate::ids::random_id()
}

/// True for ids we could have issued (anything else in the cookie is ignored).
pub fn is_cart_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The cart page's data: the lines priced now, the offers in effect for them (no coupon:
/// that is typed at checkout) and the multi-buys it could complete.
pub async fn page_view(db: &Db, cart_id: Option<&str>) -> anyhow::Result<CartPageView> {
    let cart = view(db, cart_id).await?;
    let skus: Vec<String> = cart.lines.iter().map(|l| l.sku.clone()).collect();
    let offers = crate::promotions::offers(db, &skus, None).await?;
    let hints = vitrine::cart::group_hints(&cart.lines, &offers, cart.currency);
    Ok(CartPageView {
        cart,
        offers,
        hints,
    })
}

/// The lines of a cart, priced now.
#[tracing::instrument(skip(db))]
pub async fn view(db: &Db, cart_id: Option<&str>) -> anyhow::Result<CartView> {
    let Some(cart_id) = cart_id.filter(|id| is_cart_id(id)) else {
        return Ok(CartView {
            lines: vec![],
            currency: Currency::Gbp,
        });
    };
    // Flash sales that started or ended since: the prices below are the ones in effect now.
    crate::pricing::current::settle(db, db::now()).await?;
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT l.sku, p.slug, p.stem, p.title, v.label, v.price_minor, v.currency, l.price_seen_minor, l.quantity, v.stock \
         FROM cart_lines l JOIN variants v ON v.sku = l.sku JOIN products p ON p.stem = v.stem \
         WHERE l.cart_id = $1 ORDER BY l.added_at, l.sku",
    )
    .bind(cart_id)
    .fetch_all(db)
    .await
    .context("Failed to load a cart")?;
    let mut currency = Currency::Gbp;
    let lines = rows
        .into_iter()
        .map(|r| {
            let c = Currency::parse(&r.currency)
                .with_context(|| format!("unknown currency {:?}", r.currency))?;
            currency = c;
            Ok(CartLine {
                unit: Money::new(r.price_minor, c),
                price_seen: Money::new(r.price_seen_minor, c),
                sku: r.sku,
                slug: r.slug,
                stem: r.stem,
                title: r.title,
                label: r.label,
                quantity: r.quantity,
                stock: r.stock,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(CartView { lines, currency })
}

/// Adds `quantity` of `sku` (on top of what the cart holds), within stock. Returns the
/// product's stem.
#[tracing::instrument(skip(db))]
pub async fn add(
    db: &Db,
    cart_id: &str,
    sku: &str,
    quantity: Quantity,
) -> Result<String, CartError> {
    let (price, stock, stem) = variant(db, sku).await?;
    let held = held(db, cart_id, sku).await?;
    let wanted = held + quantity.get();
    Quantity::new(wanted)?;
    if wanted > stock {
        return Err(CartError::NotEnoughStock { left: stock });
    }
    let _turn = db::write_turn(db).await;
    let now = db::now();
    sqlx::query("INSERT INTO carts (id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at")
        .bind(cart_id)
        .bind(now)
        .execute(db)
        .await
        .context("Failed to save the cart")?;
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, sku, quantity, price_seen_minor, added_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (cart_id, sku) DO UPDATE SET quantity = excluded.quantity, price_seen_minor = excluded.price_seen_minor",
    )
    .bind(cart_id)
    .bind(sku)
    .bind(wanted)
    .bind(price)
    .bind(now)
    .execute(db)
    .await
    .context("Failed to add to the cart")?;
    Ok(stem)
}

/// Sets the quantity of a line the cart holds.
#[tracing::instrument(skip(db))]
pub async fn set_quantity(
    db: &Db,
    cart_id: &str,
    sku: &str,
    quantity: Quantity,
) -> Result<(), CartError> {
    let (price, stock, _) = variant(db, sku).await?;
    if quantity.get() > stock {
        return Err(CartError::NotEnoughStock { left: stock });
    }
    let _turn = db::write_turn(db).await;
    let done = sqlx::query("UPDATE cart_lines SET quantity = $1, price_seen_minor = $2 WHERE cart_id = $3 AND sku = $4")
        .bind(quantity.get())
        .bind(price)
        .bind(cart_id)
        .bind(sku)
        .execute(db)
        .await
        .context("Failed to change a cart line")?;
    if done.rows_affected() == 0 {
        return Err(CartError::UnknownSku);
    }
    Ok(())
}

pub async fn remove(db: &Db, cart_id: &str, sku: &str) -> Result<(), CartError> {
    let _turn = db::write_turn(db).await;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND sku = $2")
        .bind(cart_id)
        .bind(sku)
        .execute(db)
        .await
        .context("Failed to remove a cart line")?;
    Ok(())
}

pub async fn empty(db: &Db, cart_id: &str) -> Result<(), CartError> {
    let _turn = db::write_turn(db).await;
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1")
        .bind(cart_id)
        .execute(db)
        .await
        .context("Failed to empty the cart")?;
    Ok(())
}

async fn variant(db: &Db, sku: &str) -> Result<(i64, i64, String), CartError> {
    let sku_ok =
        !sku.is_empty() && sku.len() <= 20 && sku.bytes().all(|b| b.is_ascii_alphanumeric());
    if !sku_ok {
        return Err(CartError::UnknownSku);
    }
    sqlx::query_as("SELECT price_minor, stock, stem FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(db)
        .await
        .context("Failed to look up a variant")?
        .ok_or(CartError::UnknownSku)
}

async fn held(db: &Db, cart_id: &str, sku: &str) -> anyhow::Result<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND sku = $2")
            .bind(cart_id)
            .bind(sku)
            .fetch_optional(db)
            .await
            .context("Failed to read a cart line")?;
    Ok(row.map_or(0, |(q,)| q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_ids_are_random_and_recognised() {
        let id = new_cart_id();
        assert!(is_cart_id(&id));
        assert_ne!(id, new_cart_id());
        assert!(!is_cart_id("' OR 1=1 --"));
    }
}
