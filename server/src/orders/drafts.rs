//! Checkout drafts: what a shopper typed on the checkout page, kept per cart so that a form
//! sent back with an error keeps their input (the JavaScript-off flow) and the reason is shown
//! once. Card details are never part of a draft. Placing the order deletes it.

use crate::db::{self, Db};
use anyhow::Context;
use vitrine::checkout::{CheckoutDraft, CheckoutView};

/// The longest value kept per field: enough for any real address, not a dumping ground.
const MAX_FIELD: usize = 300;

fn keep(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FIELD)
        .collect()
}

/// Stores `draft` for `cart_id` with the reason the last attempt failed (`""` for none).
pub async fn save_draft(
    db: &Db,
    cart_id: &str,
    draft: &CheckoutDraft,
    error: &str,
) -> anyhow::Result<()> {
    let _turn = db::write_turn(db).await;
    sqlx::query(
        "INSERT INTO checkout_drafts (cart_id, email, name, line1, line2, city, postcode, country, shipping, error, updated_at, coupon) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (cart_id) DO UPDATE SET email = excluded.email, name = excluded.name, line1 = excluded.line1, \
         line2 = excluded.line2, city = excluded.city, postcode = excluded.postcode, country = excluded.country, \
         shipping = excluded.shipping, error = excluded.error, updated_at = excluded.updated_at, coupon = excluded.coupon",
    )
    .bind(cart_id)
    .bind(keep(&draft.email))
    .bind(keep(&draft.name))
    .bind(keep(&draft.line1))
    .bind(keep(&draft.line2))
    .bind(keep(&draft.city))
    .bind(keep(&draft.postcode))
    .bind(keep(&draft.country))
    .bind(keep(&draft.shipping))
    .bind(keep(error))
    .bind(db::now())
    .bind(keep(&draft.coupon).chars().take(40).collect::<String>())
    .execute(db)
    .await
    .context("Failed to save the checkout draft")?;
    Ok(())
}

/// The draft of `cart_id` and its last error, if any.
pub async fn load_draft(db: &Db, cart_id: &str) -> anyhow::Result<Option<(CheckoutDraft, String)>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT email, name, line1, line2, city, postcode, country, shipping, error, coupon FROM checkout_drafts WHERE cart_id = $1",
    )
    .bind(cart_id)
    .fetch_optional(db)
    .await
    .context("Failed to load the checkout draft")?;
    Ok(row.map(
        |(email, name, line1, line2, city, postcode, country, shipping, error, coupon)| {
            (
                CheckoutDraft {
                    email,
                    name,
                    line1,
                    line2,
                    city,
                    postcode,
                    country,
                    shipping,
                    coupon,
                },
                error,
            )
        },
    ))
}

/// The checkout page's data: the cart, the draft, the countries and a fresh idempotency key.
pub async fn checkout_page(
    db: &Db,
    cart_id: Option<&str>,
    show_error: bool,
) -> anyhow::Result<CheckoutView> {
    let cart_id = cart_id.filter(|id| crate::cart::is_cart_id(id));
    let cart = crate::cart::view(db, cart_id).await?;
    let (draft, error) = match cart_id {
        Some(id) => load_draft(db, id).await?.unwrap_or_default(),
        None => Default::default(),
    };
    // The draft's coupon counts in the review's total when it may be used now; why it may not
    // was said when it was applied (the draft's error).
    let coupon = match crate::promotions::coupons::parse_code(&draft.coupon) {
        Ok(Some(code)) => {
            crate::promotions::coupons::check(db, &code, Some(&draft.email), db::now())
                .await
                .ok()
        }
        _ => None,
    };
    let skus: Vec<String> = cart.lines.iter().map(|l| l.sku.clone()).collect();
    let offers = crate::promotions::offers(db, &skus, coupon).await?;
    Ok(CheckoutView {
        cart,
        draft,
        offers,
        error: (show_error && !error.is_empty()).then_some(error),
        countries: countries(db).await?,
        idempotency_key: crate::ids::random_id(),
    })
}

/// The countries the shop delivers to: where its customers live, from the data.
pub async fn countries(db: &Db) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT country FROM customers WHERE country <> 'Unspecified' ORDER BY country",
    )
    .fetch_all(db)
    .await
    .context("Failed to list the countries")?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}
