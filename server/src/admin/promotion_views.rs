//! The promotions page's HTML: one section per kind of promotion with its table, its row
//! actions and its form. Plain forms posting to `/admin/promotions` (they work without
//! JavaScript); a refused form is re-filled from what was typed ([`Change`]).

use super::promotions::Change;
use super::views;
use crate::promotions::listing::{CouponListing, FlashStatus, Listing};
use leptos::prelude::*;
use vitrine::cart::CouponKind;
use vitrine::dates::{iso, short_utc};
use vitrine::money::{Currency, Money};

pub struct PromotionsPage {
    pub csrf: String,
    pub listing: Listing,
    pub now: i64,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// What was typed in the form that was sent (or the edit form's starting values).
    pub form: Change,
}

fn gbp(minor: i64) -> String {
    Money::new(minor, Currency::Gbp).to_string()
}

fn window(from: Option<i64>, until: Option<i64>) -> String {
    let from = from.map_or("now".to_string(), short_utc);
    let until = until.map_or("no end".to_string(), short_utc);
    format!("{from} – {until}")
}

/// The edit form's starting values: the coupon's terms now.
pub fn edit_fields(c: &CouponListing, code: &str) -> Change {
    Change {
        op: "coupon_edit".into(),
        code: code.to_string(),
        min_spend: Money::new(c.min_spend_minor, Currency::Gbp).decimal(),
        from: c.valid_from.map(iso).unwrap_or_default(),
        until: c.valid_until.map(iso).unwrap_or_default(),
        limit: c.usage_limit.map(|l| l.to_string()).unwrap_or_default(),
        ..Change::default()
    }
}

/// A one-button form posting `op` with `fields`.
fn button(
    csrf: &str,
    op: &'static str,
    fields: Vec<(&'static str, String)>,
    label: &'static str,
    aria: String,
) -> impl IntoView + use<> {
    views::action_button(
        "/admin/promotions",
        csrf,
        op,
        fields,
        label.to_string(),
        aria,
    )
}

/// A labelled text input of the form `op`, re-filled from `typed` when that form was sent.
fn field(
    op: &'static str,
    name: &'static str,
    label: &'static str,
    typed: &Change,
    value: &str,
    hint: Option<&'static str>,
) -> impl IntoView + use<> {
    let id = format!("{}-{}", op.replace('_', "-"), name.replace('_', "-"));
    let value = if typed.op == op {
        value.to_string()
    } else {
        String::new()
    };
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id name=name type="text" value=value aria-describedby=described/>
        {hint.map(|h| view! { <p id=hint_id class="hint">{h}</p> })}
    }
}

const WHEN_HINT: &str = "UTC, like 2026-11-23T18:00, or from now, like +2h.";

pub fn promotions_view(page: PromotionsPage) -> impl IntoView {
    let PromotionsPage {
        csrf,
        listing,
        now,
        notice,
        error,
        form,
    } = page;
    view! {
        <h1>"Promotions"</h1>
        <p>"Stacking, as the checkout computes it: flash prices are prices; then multi-buys (each line counts towards one offer; a mixed offer groups the dearest units first); then the single highest spend threshold the cart reaches; then at most one coupon; delivery is priced on what is left. Prices shown on the store are the same for every shopper: member tiers only unlock coupons the shopper types."</p>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert" data-testid="promo-error">{e}</p> })}
        {coupons_section(&csrf, &listing, now, &form)}
        {thresholds_section(&csrf, &listing, &form)}
        {multibuys_section(&csrf, &listing, &form)}
        {flash_section(&csrf, &listing, now, &form)}
        {tiers_section(&csrf, &listing, &form)}
    }
}

fn coupons_section(csrf: &str, listing: &Listing, now: i64, f: &Change) -> impl IntoView + use<> {
    let rows = listing
        .coupons
        .iter()
        .map(|c| {
            let off = match c.kind() {
                CouponKind::Percent(p) => format!("{p}%"),
                CouponKind::Fixed(a) => gbp(a),
            };
            let used = match c.usage_limit {
                Some(l) => format!("{} / {l}", c.times_used),
                None => format!("{} / no limit", c.times_used),
            };
            let end = c.endable(now).then(|| {
                button(
                    csrf,
                    "coupon_end",
                    vec![("code", c.code.clone())],
                    "End now",
                    format!("End coupon {} now", c.code),
                )
            });
            let edit = c.editable(now).then(|| {
                let href = format!("/admin/promotions?edit={}#edit-coupon", c.code);
                let aria = format!("Edit coupon {}", c.code);
                view! { <a class="button" href=href aria-label=aria>"Edit"</a> }
            });
            view! {
                <tr data-testid="coupon-row">
                    <td><code>{c.code.clone()}</code></td>
                    <td>{off}</td>
                    <td>{gbp(c.min_spend_minor)}</td>
                    <td>{window(c.valid_from, c.valid_until)}</td>
                    <td>{used}</td>
                    <td>{c.tier.clone().unwrap_or_else(|| "anyone".into())}</td>
                    <td data-testid="coupon-status">{c.status(now).label()}</td>
                    <td>{end}{edit}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = listing.coupons.is_empty();
    let percent = f.op != "coupon_add" || f.kind != "fixed";
    let tiers = listing
        .tiers
        .iter()
        .map(|t| {
            let selected = f.op == "coupon_add" && f.tier == t.name;
            let label = format!("{} members ({} a year)", t.name, gbp(t.min_spend_minor));
            view! { <option value=t.name.clone() selected=selected>{label}</option> }
        })
        .collect_view();
    let editing = (f.op == "coupon_edit").then(|| edit_form(csrf, f));
    view! {
        <section aria-labelledby="coupons">
            <h2 id="coupons">"Coupons"</h2>
            {if empty {
                view! { <p>"No coupons yet."</p> }.into_any()
            } else {
                views::table(&["Code", "Off", "Min spend", "Window (UTC)", "Used / limit", "For", "Status"], Some("Actions"), rows).into_any()
            }}
            {editing}
            <h3>"Create a coupon"</h3>
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="coupon_add"/>
                {field("coupon_add", "code", "Code", f, &f.code, Some("Letters, digits and dashes; shoppers may type it in any case."))}
                <label for="coupon-add-kind">"Kind"</label>
                <select id="coupon-add-kind" name="kind">
                    <option value="percent" selected=percent>"Percentage off"</option>
                    <option value="fixed" selected=!percent>"Amount off"</option>
                </select>
                {field("coupon_add", "amount", "Off (percent, or an amount like 5.00)", f, &f.amount, None)}
                {field("coupon_add", "min_spend", "Minimum spend (blank: none)", f, &f.min_spend, None)}
                {field("coupon_add", "from", "Valid from (blank: now)", f, &f.from, Some(WHEN_HINT))}
                {field("coupon_add", "until", "Valid until (blank: no end)", f, &f.until, None)}
                {field("coupon_add", "limit", "Usage limit (blank: none)", f, &f.limit, None)}
                <label for="coupon-add-tier">"For"</label>
                <select id="coupon-add-tier" name="tier">
                    <option value="">"Anyone"</option>
                    {tiers}
                </select>
                <button class="button button--primary" type="submit">"Create coupon"</button>
            </form>
        </section>
    }
}

fn edit_form(csrf: &str, f: &Change) -> impl IntoView + use<> {
    let heading = format!("Edit coupon {}", f.code);
    view! {
        <h3 id="edit-coupon">{heading}</h3>
        <p class="hint">"Only a coupon no order has used can change; the new terms apply from now."</p>
        <form class="admin-form" method="post" action="/admin/promotions">
            <input type="hidden" name="csrf" value=csrf.to_string()/>
            <input type="hidden" name="op" value="coupon_edit"/>
            <input type="hidden" name="code" value=f.code.clone()/>
            {field("coupon_edit", "min_spend", "Minimum spend (blank: none)", f, &f.min_spend, None)}
            {field("coupon_edit", "from", "Valid from (blank: open)", f, &f.from, Some(WHEN_HINT))}
            {field("coupon_edit", "until", "Valid until (blank: no end)", f, &f.until, None)}
            {field("coupon_edit", "limit", "Usage limit (blank: none)", f, &f.limit, None)}
            <button class="button button--primary" type="submit">"Save coupon"</button>
        </form>
    }
}

fn thresholds_section(csrf: &str, listing: &Listing, f: &Change) -> impl IntoView + use<> {
    let rows = listing
        .thresholds
        .iter()
        .map(|t| {
            let spend = Money::new(t.spend_minor, Currency::Gbp).decimal();
            let remove = button(
                csrf,
                "threshold_remove",
                vec![("spend", spend)],
                "Remove",
                format!("Remove the threshold at {}", gbp(t.spend_minor)),
            );
            view! {
                <tr data-testid="threshold-row">
                    <td>{gbp(t.spend_minor)}</td>
                    <td>{gbp(t.save_minor)}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = listing.thresholds.is_empty();
    view! {
        <section aria-labelledby="thresholds">
            <h2 id="thresholds">"Spend thresholds"</h2>
            {if empty {
                view! { <p>"No thresholds."</p> }.into_any()
            } else {
                views::table(&["Spend at least", "Save"], Some("Actions"), rows).into_any()
            }}
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="threshold_add"/>
                {field("threshold_add", "spend", "Spend at least (after multi-buys)", f, &f.spend, None)}
                {field("threshold_add", "save", "Save", f, &f.save, Some("One threshold per spend: saving again replaces it."))}
                <button class="button button--primary" type="submit">"Save threshold"</button>
            </form>
        </section>
    }
}

fn multibuys_section(csrf: &str, listing: &Listing, f: &Change) -> impl IntoView + use<> {
    let rows = listing
        .multibuys
        .iter()
        .map(|m| {
            let skus = m.skus.join(", ");
            let remove = button(
                csrf,
                "multibuy_remove",
                vec![("sku", m.skus.first().cloned().unwrap_or_default())],
                "Remove",
                format!("Remove the multi-buy on {skus}"),
            );
            let offer = if m.skus.len() > 1 {
                format!("any {} for {}", m.quantity, gbp(m.price_minor))
            } else {
                format!("{} for {}", m.quantity, gbp(m.price_minor))
            };
            view! {
                <tr data-testid="multibuy-row">
                    <td><span class="price-sku">{skus}</span></td>
                    <td>{offer}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = listing.multibuys.is_empty();
    let sku = if f.op == "multibuy_add" {
        f.sku.as_str()
    } else {
        ""
    };
    view! {
        <section aria-labelledby="multibuys">
            <h2 id="multibuys">"Multi-buys"</h2>
            {if empty {
                view! { <p>"No multi-buys."</p> }.into_any()
            } else {
                views::table(&["SKUs", "Offer"], Some("Actions"), rows).into_any()
            }}
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="multibuy_add"/>
                {field("multibuy_add", "sku", "SKUs", f, sku, Some("One SKU for “3 for £10” on it; several, separated by spaces or commas, for “any 3 of these”. A SKU is in one offer at most: saving the same SKUs again replaces the offer's terms."))}
                {field("multibuy_add", "qty", "Quantity", f, &f.qty, None)}
                {field("multibuy_add", "price", "For (e.g. 10.00)", f, &f.price, None)}
                <button class="button button--primary" type="submit">"Save multi-buy"</button>
            </form>
        </section>
    }
}

fn flash_section(csrf: &str, listing: &Listing, now: i64, f: &Change) -> impl IntoView + use<> {
    let rows = listing
        .flashes
        .iter()
        .map(|s| {
            let status = s.status(now);
            let action = match status {
                FlashStatus::Running => Some(button(
                    csrf,
                    "flash_end",
                    vec![("id", s.id.clone())],
                    "End now",
                    format!("End the flash sale on {} now", s.sku),
                )),
                FlashStatus::Scheduled => Some(button(
                    csrf,
                    "flash_cancel",
                    vec![("id", s.id.clone())],
                    "Cancel",
                    format!("Cancel the flash sale on {}", s.sku),
                )),
                FlashStatus::Ended => None,
            };
            view! {
                <tr data-testid="flash-row">
                    <td><span class="price-sku">{s.sku.clone()}</span></td>
                    <td>{gbp(s.price_minor)}</td>
                    <td>{gbp(s.list_price_minor)}</td>
                    <td>{window(Some(s.starts_at), Some(s.ends_at))}</td>
                    <td data-testid="flash-status">{status.label()}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = listing.flashes.is_empty();
    let sku = if f.op == "flash_add" {
        f.sku.as_str()
    } else {
        ""
    };
    view! {
        <section aria-labelledby="flash-sales">
            <h2 id="flash-sales">"Flash sales"</h2>
            {if empty {
                view! { <p>"No flash sales."</p> }.into_any()
            } else {
                views::table(&["SKU", "Flash price", "List price", "Window (UTC)", "Status"], Some("Actions"), rows).into_any()
            }}
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="flash_add"/>
                {field("flash_add", "sku", "SKU", f, sku, Some("One flash sale per variant at a time; its prices go into the price history."))}
                {field("flash_add", "price", "Flash price (e.g. 4.00)", f, &f.price, None)}
                {field("flash_add", "from", "Starts (blank: now)", f, &f.from, Some(WHEN_HINT))}
                {field("flash_add", "until", "Ends", f, &f.until, None)}
                <button class="button button--primary" type="submit">"Create flash sale"</button>
            </form>
        </section>
    }
}

fn tiers_section(csrf: &str, listing: &Listing, f: &Change) -> impl IntoView + use<> {
    let rows = listing
        .tiers
        .iter()
        .map(|t| {
            let remove = button(
                csrf,
                "tier_remove",
                vec![("name", t.name.clone())],
                "Remove",
                format!("Remove the tier {}", t.name),
            );
            view! {
                <tr data-testid="tier-row">
                    <td>{t.name.clone()}</td>
                    <td>{gbp(t.min_spend_minor)}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let options = listing
        .tiers
        .iter()
        .map(|t| {
            let selected = f.op == "tier_edit" && f.name == t.name;
            view! { <option value=t.name.clone() selected=selected>{t.name.clone()}</option> }
        })
        .collect_view();
    let empty = listing.tiers.is_empty();
    let edit = (!empty).then(|| {
        view! {
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="tier_edit"/>
                <label for="tier-edit-name">"Tier to change"</label>
                <select id="tier-edit-name" name="name">{options}</select>
                {field("tier_edit", "rename", "New name (blank: keep it)", f, &f.rename, Some("Its coupons follow the new name."))}
                {field("tier_edit", "min_spend", "New paid spend over 365 days (blank: keep it)", f, &f.min_spend, Some("Checkout applies it from the next order."))}
                <button class="button" type="submit">"Change tier"</button>
            </form>
        }
    });
    view! {
        <section aria-labelledby="tiers">
            <h2 id="tiers">"Member tiers"</h2>
            <p>"A tier unlocks coupons made for it. There are no shopper accounts: a customer is known by the email on their orders, and qualifies when that email's paid orders over the last 365 days reach the tier's minimum. Anyone who types that email qualifies, so keep member coupons modest. A tier can be removed once no coupon for it can still be used."</p>
            {if empty {
                view! { <p>"No tiers."</p> }.into_any()
            } else {
                views::table(&["Tier", "Paid spend over 365 days"], Some("Actions"), rows).into_any()
            }}
            <form class="admin-form" method="post" action="/admin/promotions">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <input type="hidden" name="op" value="tier_add"/>
                {field("tier_add", "name", "Name", f, &f.name, None)}
                {field("tier_add", "min_spend", "Paid spend over the last 365 days (e.g. 200.00)", f, &f.min_spend, None)}
                <button class="button button--primary" type="submit">"Create tier"</button>
            </form>
            {edit}
        </section>
    }
}
