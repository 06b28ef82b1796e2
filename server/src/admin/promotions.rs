//! `/admin/promotions`: every coupon, spend threshold, multi-buy, flash sale and member tier
//! with its state now, forms to create each, and the actions on them (end or edit a coupon,
//! remove a threshold or a multi-buy, end a flash sale early or cancel one that has not
//! started). Marketers and admins. Every POST needs a same-origin request and the session's
//! CSRF token; a form a marketer got wrong comes back with their input and a message (422).
//! The rules, transactions and audit entries are `crate::promotions`'s; this module only
//! parses forms, speaks HTTP and hands rendering to `promotion_views`.

use super::auth::{self, SignedIn};
use super::promotion_views::{self, PromotionsPage};
use super::views;
use crate::http::{AppState, see_other};
use crate::promotions::coupons::{self, NewCoupon, Terms};
use crate::promotions::flash::{self, NewFlash};
use crate::promotions::{self as promo, PromoError, listing, tiers};
use crate::staff::Role;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use vitrine::cart::CouponKind;
use vitrine::money::Money;

/// The promotions page, to be merged into the console's router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/promotions", get(page).post(change))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// The notice to show after a change.
    n: String,
    /// The coupon whose edit form to show.
    edit: String,
}

fn notice(code: &str) -> Option<String> {
    let text = match code {
        "coupon_add" => "Coupon created: shoppers can use it within its window.",
        "coupon_end" => "Coupon ended: checkout refuses it from now on.",
        "coupon_edit" => "Coupon changed.",
        "threshold_add" => "Threshold saved: carts that reach it get the saving.",
        "threshold_remove" => "Threshold removed.",
        "multibuy_add" => "Multi-buy saved.",
        "multibuy_remove" => "Multi-buy removed.",
        "flash_add" => "Flash sale created: its prices are in the price history.",
        "flash_end" => "Flash sale ended: the list price is back on the store.",
        "flash_cancel" => "Flash sale cancelled before its start.",
        "tier_add" => "Member tier created.",
        "tier_edit" => "Member tier changed: checkout applies it from the next order.",
        "tier_remove" => "Member tier removed.",
        _ => return None,
    };
    Some(text.to_string())
}

/// Every field of every form on the page; `op` says which form was sent. Kept whole so a
/// refused form comes back as it was typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Change {
    pub csrf: String,
    pub op: String,
    pub code: String,
    /// `percent` or `fixed`.
    pub kind: String,
    pub amount: String,
    pub min_spend: String,
    pub from: String,
    pub until: String,
    pub limit: String,
    pub tier: String,
    pub spend: String,
    pub save: String,
    pub sku: String,
    pub qty: String,
    pub price: String,
    pub id: String,
    pub name: String,
    /// The tier's new name (tier_edit; blank: keep it).
    pub rename: String,
}

async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let edit = (!query.edit.trim().is_empty()).then(|| Change {
        op: "coupon_edit".into(),
        code: query.edit.trim().to_ascii_uppercase(),
        ..Change::default()
    });
    render(
        &state,
        &signed_in,
        StatusCode::OK,
        notice(&query.n),
        None,
        edit,
    )
    .await
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    form: Option<Change>,
) -> Response {
    let listing = match listing::all(&state.db).await {
        Ok(l) => l,
        Err(e) => return unavailable(state, &e),
    };
    let now = crate::db::now();
    let mut form = form.unwrap_or_default();
    // The edit link: the form starts from the coupon's current terms (only while it may change).
    if form.op == "coupon_edit" && error.is_none() {
        match listing.coupons.iter().find(|c| c.code == form.code) {
            Some(c) if c.editable(now) => form = promotion_views::edit_fields(c, &form.code),
            _ => form = Change::default(),
        }
    }
    let data = PromotionsPage {
        csrf: signed_in.session.csrf_token.clone(),
        listing,
        now,
        notice,
        error,
        form,
    };
    views::page(status, "Promotions", signed_in.chrome(state), move || {
        promotion_views::promotions_view(data)
    })
}

async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<Change>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, &form.csrf, &state, &headers) {
        return refusal;
    }
    match apply(&state, &signed_in, &form).await {
        Ok(()) => see_other(&format!("/admin/promotions?n={}", form.op)),
        Err(PromoError::Invalid(message)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let mut kept = form;
            kept.csrf.clear();
            render(&state, &signed_in, status, None, Some(message), Some(kept)).await
        }
        Err(PromoError::Other(e)) => unavailable(&state, &e),
    }
}

/// Parses the form `op` names and makes the change.
async fn apply(state: &AppState, signed_in: &SignedIn, f: &Change) -> Result<(), PromoError> {
    let actor = signed_in.session.actor();
    let db = &state.db;
    match f.op.as_str() {
        "coupon_add" => {
            let kind = match f.kind.as_str() {
                "percent" => CouponKind::Percent(f.amount.trim().parse().map_err(|_| {
                    invalid("Enter the percentage off as a whole number from 1 to 100, like 10.")
                })?),
                "fixed" => CouponKind::Fixed(money(&f.amount, "amount off")?),
                _ => return Err(invalid("Choose a percentage or an amount off.")),
            };
            let terms = terms(f)?;
            let new = NewCoupon {
                code: f.code.clone(),
                kind,
                min_spend_minor: terms.min_spend_minor,
                valid_from: terms.valid_from,
                valid_until: terms.valid_until,
                usage_limit: terms.usage_limit,
                tier: Some(f.tier.clone()).filter(|t| !t.trim().is_empty()),
            };
            coupons::add(db, &new, &actor).await
        }
        "coupon_end" => coupons::end(db, &f.code, &actor).await,
        "coupon_edit" => coupons::edit(db, &f.code, &terms(f)?, &actor).await,
        "threshold_add" => {
            let spend = money(&f.spend, "spend")?;
            let save = money(&f.save, "saving")?;
            promo::add_threshold(db, spend, save, &actor).await
        }
        "threshold_remove" => {
            let spend = money(&f.spend, "spend")?;
            promo::remove_threshold(db, spend, &actor).await
        }
        "multibuy_add" => {
            let qty = f.qty.trim().parse().map_err(|_| {
                invalid("Enter the multi-buy's quantity as a whole number from 2 to 99, like 3.")
            })?;
            let price = money(&f.price, "multi-buy price")?;
            promo::add_multibuy(db, &promo::parse_skus(&f.sku), qty, price, &actor).await
        }
        "multibuy_remove" => promo::remove_multibuy(db, &f.sku, &actor).await,
        "flash_add" => {
            let until = instant(&f.until, "end")?
                .ok_or_else(|| invalid("Enter when the flash sale ends."))?;
            let new = NewFlash {
                sku: f.sku.trim().to_ascii_uppercase(),
                price_minor: money(&f.price, "flash price")?,
                starts_at: instant(&f.from, "start")?,
                ends_at: until,
            };
            flash::add(db, &new, &actor).await.map(|_| ())
        }
        "flash_end" => flash::end(db, &f.id, &actor).await,
        "flash_cancel" => flash::cancel(db, &f.id, &actor).await,
        "tier_add" => {
            let min = money(&f.min_spend, "minimum spend")?;
            tiers::add(db, &f.name, min, &actor).await.map(|_| ())
        }
        "tier_edit" => {
            let change = tiers::TierChange {
                rename: Some(f.rename.clone()).filter(|r| !r.trim().is_empty()),
                min_spend_minor: if f.min_spend.trim().is_empty() {
                    None
                } else {
                    Some(money(&f.min_spend, "minimum spend")?)
                },
            };
            tiers::edit(db, &f.name, &change, &actor).await.map(|_| ())
        }
        "tier_remove" => tiers::remove(db, &f.name, &actor).await,
        _ => Err(invalid("Unknown change.")),
    }
}

/// A coupon's terms from the form: blank minimum spend is none, blank window ends are open,
/// blank limit is no limit.
fn terms(f: &Change) -> Result<Terms, PromoError> {
    let min_spend_minor = if f.min_spend.trim().is_empty() {
        0
    } else {
        money(&f.min_spend, "minimum spend")?
    };
    let usage_limit = match f.limit.trim() {
        "" => None,
        l => Some(l.parse::<i64>().map_err(|_| {
            invalid("Enter the usage limit as a whole number, like 100, or leave it blank.")
        })?),
    };
    let terms = Terms {
        min_spend_minor,
        valid_from: instant(&f.from, "start")?,
        valid_until: instant(&f.until, "end")?,
        usage_limit,
    };
    terms.check()?;
    Ok(terms)
}

fn invalid(message: &str) -> PromoError {
    PromoError::Invalid(message.to_string())
}

/// An amount typed like `5.00`.
fn money(input: &str, what: &str) -> Result<i64, PromoError> {
    Money::parse_minor(input).ok_or_else(|| {
        PromoError::Invalid(format!(
            "Enter the {what} as an amount like 5.00 (you typed “{}”).",
            input.trim().chars().take(20).collect::<String>()
        ))
    })
}

/// A time typed in UTC (`2026-11-23T18:00`) or from now (`+2h`); blank is `None`.
fn instant(input: &str, what: &str) -> Result<Option<i64>, PromoError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    vitrine::dates::parse_utc(input, crate::db::now())
        .map(Some)
        .ok_or_else(|| {
            PromoError::Invalid(format!(
                "Enter the {what} as a UTC time like 2026-11-23T18:00, or from now like +2h (you typed “{}”).",
                input.trim().chars().take(30).collect::<String>()
            ))
        })
}

fn unavailable(state: &AppState, e: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{e:#}"), "promotions console failed");
    auth::unavailable(state)
}
