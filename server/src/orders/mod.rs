//! Placing an order: one database transaction that re-reads prices, takes stock with a guard
//! that cannot go below zero, writes the order, its lines, its timeline, the payment and the
//! confirmation message, and empties the cart. All of it or none of it.
//!
//! Payment is authorised first (outside the transaction: a real provider is a network call);
//! if the transaction then fails (sold out meanwhile), the authorisation is voided. The form's
//! idempotency key is UNIQUE in `order_details`, so a double submit returns the first order.
//! Prices, totals and stock from the browser are never read: only the cart id, the contact and
//! delivery fields, the shipping choice, the card and the key.

pub mod cli;
mod drafts;
mod lifecycle;
pub mod staff;
mod view;

pub use drafts::{checkout_page, countries, load_draft, save_draft};
pub use lifecycle::{AdvanceError, advance, advance_as, list_by_email, request_return};
pub use view::{find, status_with_key, view};

use crate::cart;
use crate::db::{self, Db};
use crate::payments::{Authorization, CardDetails, PaymentError, PaymentProvider};
use crate::promotions::coupons::{self, CouponError};
use anyhow::Context;
use sqlx::{Any, Transaction};
use vitrine::cart::{CartLine, Offers, PricedLine, Quote, Shipping, promo_totals};

/// Validated contact and delivery details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub email: String,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
}

impl Delivery {
    /// Checks each field, naming the first that is wrong.
    pub fn parse(
        email: &str,
        name: &str,
        line1: &str,
        line2: &str,
        city: &str,
        postcode: &str,
        country: &str,
    ) -> Result<Self, String> {
        let email = email.trim().to_ascii_lowercase();
        let valid_email = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid_email {
            return Err(
                "Enter an email address like name@example.com, so we can send your confirmation."
                    .into(),
            );
        }
        let field =
            |value: &str, label: &str, max: usize, required: bool| -> Result<String, String> {
                let v: String = value.trim().chars().filter(|c| !c.is_control()).collect();
                if required && v.is_empty() {
                    return Err(format!("Enter your {label}."));
                }
                if v.chars().count() > max {
                    return Err(format!("The {label} can be at most {max} characters."));
                }
                Ok(v)
            };
        Ok(Delivery {
            email,
            name: field(name, "full name", 100, true)?,
            line1: field(line1, "address", 200, true)?,
            line2: field(line2, "second address line", 200, false)?,
            city: field(city, "town or city", 100, true)?,
            postcode: field(postcode, "postcode", 16, true)?.to_ascii_uppercase(),
            country: field(country, "country", 60, true)?,
        })
    }
}

/// What the checkout form asks for.
#[derive(Debug)]
pub struct CheckoutRequest {
    pub delivery: Delivery,
    pub shipping: Shipping,
    pub card: CardDetails,
    /// From the form; one order per key.
    pub idempotency_key: String,
    /// The visitor id to record the purchase for, when they may be profiled.
    pub profiled_visitor: Option<String>,
    /// The coupon code typed (upper case), if any.
    pub coupon: Option<String>,
}

/// An order as the confirmation shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub number: String,
    /// The secret of the order page's link.
    pub access_token: String,
    pub email: String,
    pub total_minor: i64,
    /// False when this was a repeat of an earlier submission.
    pub new: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("Your cart is empty.")]
    EmptyCart,
    #[error("{0}")]
    Invalid(String),
    #[error(
        "Sorry, {sku} sold out while you were checking out: only {left} left. Nothing was charged."
    )]
    SoldOut { sku: String, left: i64 },
    #[error(
        "The price of {sku} changed while you were checking out. Please review your cart. Nothing was charged."
    )]
    PriceChanged { sku: String },
    /// The coupon cannot be used (unknown, outside its window, used up, under its minimum
    /// spend): the message says which.
    #[error("{0}")]
    Coupon(String),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

impl From<CouponError> for CheckoutError {
    fn from(e: CouponError) -> Self {
        match e {
            CouponError::Unavailable(inner) => CheckoutError::Unavailable(inner),
            other => CheckoutError::Coupon(other.to_string()),
        }
    }
}

/// Places the order for `cart_id`. See the module doc for the guarantees.
#[tracing::instrument(skip(db, provider, request), fields(cart = cart_id))]
pub async fn place(
    db: &Db,
    provider: &dyn PaymentProvider,
    cart_id: &str,
    request: CheckoutRequest,
) -> Result<PlacedOrder, CheckoutError> {
    let key = request.idempotency_key.trim().to_string();
    if key.is_empty()
        || key.len() > 64
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(CheckoutError::Invalid(
            "This checkout form has expired. Please reload the page and try again.".into(),
        ));
    }
    if let Some(existing) = by_key(db, &key).await? {
        return Ok(existing);
    }
    known_country(db, &request.delivery.country).await?;
    let view = cart::view(db, Some(cart_id)).await?;
    if view.lines.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let quote = quote(db, &view.lines, &request, view.currency).await?;
    let auth = provider
        .authorize(&request.card, quote.totals.total, &key)
        .await?;
    match write_order(db, cart_id, &request, &view.lines, &quote, &auth).await {
        Ok(order) => Ok(order),
        Err(error) => {
            // The order was not written: release the money, then say why (or return the order
            // a concurrent twin submission wrote).
            if let Err(e) = provider.void(&auth).await {
                tracing::error!(error = %e, "voiding an authorisation failed");
            }
            match by_key(db, &key).await? {
                Some(existing) => Ok(existing),
                None => Err(error),
            }
        }
    }
}

/// What the cart costs now with the promotions in effect and the typed coupon, through the
/// shared [`promo_totals`]; a coupon that cannot be used is an error, never silently dropped.
pub async fn quote(
    db: &Db,
    lines: &[CartLine],
    request: &CheckoutRequest,
    currency: vitrine::money::Currency,
) -> Result<Quote, CheckoutError> {
    let coupon = request
        .coupon
        .as_deref()
        .map(|code| (code, Some(request.delivery.email.as_str())));
    quote_with(db, lines, coupon, Some(request.shipping), currency).await
}

/// [`quote`] for a coupon (with the email typed, which a member coupon needs) and an optional
/// shipping choice (the checkout page's "Apply").
pub async fn quote_with(
    db: &Db,
    lines: &[CartLine],
    coupon: Option<(&str, Option<&str>)>,
    shipping: Option<Shipping>,
    currency: vitrine::money::Currency,
) -> Result<Quote, CheckoutError> {
    let coupon = match coupon {
        Some((code, email)) => Some(coupons::check(db, code, email, db::now()).await?),
        None => None,
    };
    let skus: Vec<String> = lines.iter().map(|l| l.sku.clone()).collect();
    let offers: Offers = crate::promotions::offers(db, &skus, coupon).await?;
    let priced: Vec<PricedLine> = lines.iter().map(CartLine::priced).collect();
    let quote = promo_totals(&priced, &offers, shipping, currency)
        .map_err(|e| CheckoutError::Invalid(format!("This cart can't be charged: {e}.")))?;
    if let Some(refusal) = quote.coupon.as_ref().and_then(|c| c.refusal()) {
        return Err(CheckoutError::Coupon(refusal));
    }
    Ok(quote)
}

/// True when a price change on one of `lines` fell due (a flash sale starting or ending) and
/// has not reached `variants.price_minor` yet: the order must not be charged at the old price.
async fn price_change_due(
    tx: &mut Transaction<'_, Any>,
    lines: &[CartLine],
    now: i64,
) -> anyhow::Result<Option<String>> {
    for line in lines {
        let due: Option<(String,)> = sqlx::query_as(
            "SELECT sku FROM flash_sales WHERE sku = $1 AND ended = 0 AND starts_at <= $2 \
             AND (started = 0 OR ends_at <= $2)",
        )
        .bind(&line.sku)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await
        .context("Failed to read the flash sales")?;
        if due.is_some() {
            return Ok(Some(line.sku.clone()));
        }
    }
    Ok(None)
}

async fn write_order(
    db: &Db,
    cart_id: &str,
    request: &CheckoutRequest,
    lines: &[CartLine],
    quote: &Quote,
    auth: &Authorization,
) -> Result<PlacedOrder, CheckoutError> {
    let totals = &quote.totals;
    let (mut tx, _turn) = db::begin_write(db)
        .await
        .context("Failed to start the order transaction")?;
    let now = db::now();
    if let Some(sku) = price_change_due(&mut tx, lines, now).await? {
        return Err(CheckoutError::PriceChanged { sku });
    }
    for line in lines {
        take_stock(&mut tx, line).await?;
    }
    // Counted here, under the order's transaction: concurrent orders cannot exceed the limit,
    // and a member coupon's tier is decided on the same snapshot as the order.
    let coupon_code = match &quote.coupon {
        Some(vitrine::cart::CouponOutcome::Applied { code, .. }) => {
            coupons::redeem(&mut tx, code, &request.delivery.email, now).await?;
            Some(code.clone())
        }
        _ => None,
    };
    let number = format!("VT{}", &crate::ids::random_id()[..10].to_ascii_uppercase());
    let access_token = crate::ids::random_id();
    let d = &request.delivery;
    let currency = totals.total.currency.code();
    exec(&mut tx, "INSERT INTO orders (number, customer_id, country, placed_at, status, currency, total_minor, source) VALUES ($1, NULL, $2, $3, 'paid', $4, $5, 'web')", |q| {
        q.bind(number.clone()).bind(d.country.clone()).bind(now).bind(currency).bind(totals.total.minor)
    })
    .await?;
    for (i, line) in lines.iter().enumerate() {
        exec(&mut tx, "INSERT INTO order_lines (order_number, line_no, sku, quantity, unit_price_minor) VALUES ($1, $2, $3, $4, $5)", |q| {
            q.bind(number.clone()).bind(i as i64 + 1).bind(line.sku.clone()).bind(line.quantity).bind(line.unit.minor)
        })
        .await?;
    }
    exec(&mut tx, "INSERT INTO order_details (order_number, email, name, line1, line2, city, postcode, country, shipping_method, subtotal_minor, shipping_minor, idempotency_key, access_token, coupon_code, discount_minor) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)", |q| {
        q.bind(number.clone()).bind(d.email.clone()).bind(d.name.clone()).bind(d.line1.clone()).bind(d.line2.clone()).bind(d.city.clone())
            .bind(d.postcode.clone()).bind(d.country.clone()).bind(request.shipping.key()).bind(totals.subtotal.minor).bind(totals.shipping.minor)
            .bind(request.idempotency_key.trim().to_string())
            .bind(access_token.clone())
            .bind(coupon_code.clone())
            .bind(totals.discount.minor)
    })
    .await?;
    for (seq, status, note) in [
        (1_i64, "placed", "Order placed"),
        (2, "paid", "Payment authorised"),
    ] {
        exec(&mut tx, "INSERT INTO order_events (order_number, seq, status, at, note) VALUES ($1, $2, $3, $4, $5)", |q| {
            q.bind(number.clone()).bind(seq).bind(status).bind(now).bind(note)
        })
        .await?;
    }
    exec(&mut tx, "INSERT INTO payments (order_number, provider, reference, card_last4, amount_minor, currency, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", |q| {
        q.bind(number.clone()).bind(auth.provider).bind(auth.reference.clone()).bind(request.card.last4().to_string()).bind(auth.amount.minor).bind(currency).bind(now)
    })
    .await?;
    let body = format!(
        "Thank you for your order {number}. Total {}. Track it at /orders/{number}.",
        totals.total
    );
    exec(&mut tx, "INSERT INTO outbox (id, kind, recipient, subject, body, created_at) VALUES ($1, 'order_confirmation', $2, $3, $4, $5)", |q| {
        q.bind(crate::ids::random_id()).bind(d.email.clone()).bind(format!("Your Vitrine order {number}")).bind(body).bind(now)
    })
    .await?;
    if let Some(visitor) = &request.profiled_visitor {
        for line in lines {
            exec(
                &mut tx,
                "INSERT INTO events (visitor_id, kind, stem, at) VALUES ($1, 'purchase', $2, $3)",
                |q| q.bind(visitor.clone()).bind(line.stem.clone()).bind(now),
            )
            .await?;
        }
    }
    for sql in [
        "DELETE FROM cart_lines WHERE cart_id = $1",
        "DELETE FROM checkout_drafts WHERE cart_id = $1",
    ] {
        exec(&mut tx, sql, |q| q.bind(cart_id.to_string())).await?;
    }
    tx.commit().await.context("Failed to commit the order")?;
    // The confirmation is in the outbox for a mail worker; no address in the log.
    tracing::info!(order = %number, outbox = "order_confirmation", "order placed");
    Ok(PlacedOrder {
        number,
        access_token,
        email: d.email.clone(),
        total_minor: totals.total.minor,
        new: true,
    })
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

async fn exec<'q>(
    tx: &mut Transaction<'_, Any>,
    sql: &'q str,
    bind: impl FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
) -> anyhow::Result<()> {
    bind(sqlx::query(sql))
        .execute(&mut **tx)
        .await
        .with_context(|| {
            format!(
                "Failed to write the order ({})",
                sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
            )
        })?;
    Ok(())
}

/// Takes a line's units, only if enough are left at the price the cart showed.
async fn take_stock(tx: &mut Transaction<'_, Any>, line: &CartLine) -> Result<(), CheckoutError> {
    let done = sqlx::query("UPDATE variants SET stock = stock - $1 WHERE sku = $2 AND stock >= $1 AND price_minor = $3")
        .bind(line.quantity)
        .bind(&line.sku)
        .bind(line.unit.minor)
        .execute(&mut **tx)
        .await
        .context("Failed to take stock")?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let (stock, price): (i64, i64) =
        sqlx::query_as("SELECT stock, price_minor FROM variants WHERE sku = $1")
            .bind(&line.sku)
            .fetch_one(&mut **tx)
            .await
            .context("Failed to read stock")?;
    if price != line.unit.minor {
        return Err(CheckoutError::PriceChanged {
            sku: line.sku.clone(),
        });
    }
    Err(CheckoutError::SoldOut {
        sku: line.sku.clone(),
        left: stock,
    })
}

async fn by_key(db: &Db, key: &str) -> anyhow::Result<Option<PlacedOrder>> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT o.number, d.access_token, d.email, o.total_minor FROM order_details d JOIN orders o ON o.number = d.order_number \
         WHERE d.idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(db)
    .await
    .context("Failed to look up an order by its key")?;
    Ok(
        row.map(|(number, access_token, email, total_minor)| PlacedOrder {
            number,
            access_token,
            email,
            total_minor,
            new: false,
        }),
    )
}

/// Countries come from the data: the ones the shop's customers live in.
async fn known_country(db: &Db, country: &str) -> Result<(), CheckoutError> {
    if countries(db).await?.iter().any(|c| c == country) {
        return Ok(());
    }
    Err(CheckoutError::Invalid(format!(
        "We don't deliver to “{}” yet: choose a country from the list.",
        country.chars().take(60).collect::<String>()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(email: &str) -> Result<Delivery, String> {
        Delivery::parse(
            email,
            "Ada Lovelace",
            "1 Main St",
            "",
            "London",
            "n1 9gu",
            "United Kingdom",
        )
    }

    #[test]
    fn delivery_fields_are_checked_with_messages() {
        let d = ok(" Ada@Example.COM ").expect("valid");
        assert_eq!(
            (d.email.as_str(), d.postcode.as_str()),
            ("ada@example.com", "N1 9GU")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.com",
            "ada@localhost",
            "a da@x.com",
            "ada@x.com.",
        ] {
            assert!(ok(bad).expect_err("invalid").contains("email"), "{bad:?}");
        }
        let err = Delivery::parse("a@b.co", "", "x", "", "y", "z", "UK").expect_err("no name");
        assert_eq!(err, "Enter your full name.");
        let long = "x".repeat(101);
        assert!(
            Delivery::parse("a@b.co", &long, "x", "", "y", "z", "UK")
                .expect_err("long")
                .contains("at most 100")
        );
    }
}
