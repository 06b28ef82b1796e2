//! The cart page: lines with quantity, update and remove forms, totals, and the notice the
//! last cart form left (`?n=` for what happened, `?e=` for what went wrong). Notices are codes
//! mapped to text here, so a crafted link cannot put words in the store's mouth.

use super::{
    CartLine, CartPageView, MAX_QUANTITY, Offers, PricedLine, Quote, get_cart, promo_totals,
};
use crate::catalog::StockLevel;
use crate::codec::page_resource;
use crate::layout::page_data;
use crate::money::{Currency, Money};
use crate::recs::{Recommendations, Slot, recs_resource};
use crate::seo::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The text for a notice code and its parameters; `None` for unknown codes.
pub fn notice_text(code: &str, sku: Option<&str>, left: Option<i64>) -> Option<(bool, String)> {
    let sku = sku
        .filter(|s| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    let item = sku.map_or_else(|| "that item".to_string(), |s| format!("item {s}"));
    Some(match code {
        "added" => (false, "Added to your cart.".to_string()),
        "updated" => (false, "Quantity updated.".to_string()),
        "removed" => (false, "Removed from your cart.".to_string()),
        "emptied" => (false, "Your cart is empty now.".to_string()),
        "qty_low" => (
            true,
            "The quantity must be at least 1. To take an item out, use Remove.".to_string(),
        ),
        "qty_high" => (
            true,
            format!("You can order at most {} of one item.", super::MAX_QUANTITY),
        ),
        "qty_nan" => (
            true,
            format!(
                "Enter the quantity as a whole number from 1 to {}.",
                super::MAX_QUANTITY
            ),
        ),
        "unknown" => (
            true,
            "We couldn't find that item: it may have been removed from the shop.".to_string(),
        ),
        "stock" => match left {
            Some(0) | None => (true, format!("Sorry, {item} is out of stock.")),
            Some(n) => (
                true,
                format!("Only {n} of {item} left: you can't add more than that."),
            ),
        },
        _ => return None,
    })
}

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = page_resource(|| (), |_| get_cart());
    let recs = recs_resource(Slot::Cart, || None);
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        let (code, is_error) = match (q.get("n"), q.get("e")) {
            (_, Some(e)) => (e, true),
            (Some(n), None) => (n, false),
            _ => return None,
        };
        let left = q.get("left").and_then(|l| l.parse().ok());
        notice_text(&code, q.get("sku").as_deref(), left).filter(|(e, _)| *e == is_error)
    };
    view! {
        <PageHead title="Your cart".to_string() description="The items in your cart.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>"Your cart"</h1>
        {move || notice().map(|(is_error, text)| {
            let class = if is_error { "notice notice--error" } else { "notice" };
            view! { <p class=class role=if is_error { "alert" } else { "status" }>{text}</p> }
        })}
        {page_data(cart, |view| view! { <CartBody view/> })}
        <Recommendations kind=Slot::Cart recs/>
    }
}

/// "Spend £X more to save £Y": the next spend threshold above what `quote` spends (the subtotal
/// after multi-buy savings) that saves more than the one reached, if any.
pub fn threshold_nudge(quote: &Quote, offers: &Offers) -> Option<String> {
    let spend = quote.totals.subtotal.minor - quote.multibuy_saving.minor;
    let reached = quote.threshold_saving.minor;
    let next = offers
        .thresholds
        .iter()
        .filter(|t| t.spend_minor > spend && t.save_minor > reached)
        .min_by_key(|t| t.spend_minor)?;
    let currency = quote.totals.subtotal.currency;
    Some(format!(
        "Spend {} more to save {}.",
        crate::money::Money::new(next.spend_minor - spend, currency),
        crate::money::Money::new(next.save_minor, currency)
    ))
}

/// "Add 1 more Heart Lantern to get 3 for £10.00 and save £3.50.": a multi-buy the cart has
/// started but not completed, the units that complete its next group, and what adding them
/// would save, computed by running [`promo_totals`] on the cart with them added (so a flash
/// price that makes the group save nothing gives no hint).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupHint {
    /// The line whose units complete the group; the hint's button adds `add` of it.
    pub sku: String,
    pub add: i64,
    pub text: String,
}

/// One [`GroupHint`] per multi-buy with an incomplete group in the cart, for the line whose
/// extra units save the most (in stock, within the quantity limit; the first such line on a
/// tie). Lines count towards the first offer naming them, as [`promo_totals`] counts them.
/// The server runs it for [`CartPageView::hints`], so the bundle carries only the text.
pub fn group_hints(lines: &[CartLine], offers: &Offers, currency: Currency) -> Vec<GroupHint> {
    let priced: Vec<PricedLine> = lines.iter().map(CartLine::priced).collect();
    let Ok(now) = promo_totals(&priced, offers, None, currency) else {
        return Vec::new();
    };
    // The lines each offer counts, by promo_totals' rule: a line counts towards the first offer
    // naming it. Not shared with promo_totals on purpose: a shared helper measured 560 to 690
    // bytes more in the bundle, which has 596 left (README, "Not met yet").
    let mut counted = vec![false; lines.len()];
    let mut hints = Vec::new();
    for offer in &offers.multibuys {
        let members: Vec<usize> = (0..lines.len())
            .filter(|&i| !counted[i] && offer.skus.contains(&lines[i].sku))
            .collect();
        for &i in &members {
            counted[i] = true;
        }
        let units: i64 = members.iter().map(|&i| lines[i].quantity).sum();
        if members.is_empty() || offer.quantity < 2 || units % offer.quantity == 0 {
            continue;
        }
        let short = offer.quantity - units % offer.quantity;
        let saving_with = |i: usize| {
            let line = &lines[i];
            let quantity = line.quantity.checked_add(short)?;
            if quantity > MAX_QUANTITY || quantity > line.stock {
                return None;
            }
            let mut what_if = priced.clone();
            what_if[i].quantity = quantity;
            let then = promo_totals(&what_if, offers, None, currency).ok()?;
            let more = then.multibuy_saving.minor - now.multibuy_saving.minor;
            (more > 0).then_some((more, i))
        };
        let best = members
            .iter()
            .filter_map(|&i| saving_with(i))
            .max_by_key(|&(more, i)| (more, std::cmp::Reverse(i)));
        let Some((more, i)) = best else { continue };
        let line = &lines[i];
        let name = if line.label == "Standard" {
            line.title.clone()
        } else {
            format!("{} – {}", line.title, line.label)
        };
        let any = if offer.skus.len() > 1 { "any " } else { "" };
        hints.push(GroupHint {
            sku: line.sku.clone(),
            add: short,
            text: format!(
                "Add {short} more {name} to get {any}{} for {} and save {}.",
                offer.quantity,
                Money::new(offer.price_minor, currency),
                Money::new(more, currency)
            ),
        });
    }
    hints
}

#[component]
fn CartBody(view: CartPageView) -> impl IntoView {
    let CartPageView {
        cart,
        offers,
        hints,
    } = view;
    if cart.lines.is_empty() {
        return view! {
            <p class="empty-state">"Your cart is empty. " <a href="/">"Continue shopping"</a></p>
        }
        .into_any();
    }
    let priced: Vec<PricedLine> = cart.lines.iter().map(CartLine::priced).collect();
    let quote = promo_totals(&priced, &offers, None, cart.currency);
    let changed: Vec<String> = cart
        .lines
        .iter()
        .filter(|l| l.unit != l.price_seen)
        .map(|l| {
            format!(
                "The price of {} changed from {} to {}.",
                l.title, l.price_seen, l.unit
            )
        })
        .collect();
    view! {
        {changed.into_iter().map(|text| view! { <p class="notice" role="status">{text}</p> }).collect_view()}
        <table class="cart-table">
            <caption class="visually-hidden">"Items in your cart"</caption>
            <thead><tr><th scope="col">"Item"</th><th scope="col" class="num">"Price"</th><th scope="col">"Quantity"</th><th scope="col" class="num">"Total"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
            <tbody>{cart.lines.into_iter().map(|line| {
                let offer = offer_label(&offers, &line.sku, line.unit.currency);
                view! { <CartRow line offer/> }
            }).collect_view()}</tbody>
        </table>
        {match quote {
            Ok(q) => {
                let t = q.totals;
                let nudge = threshold_nudge(&q, &offers);
                let saving = |m: crate::money::Money| (m.minor > 0).then(|| format!("−{m}"));
                let multibuy = saving(q.multibuy_saving);
                let threshold = saving(q.threshold_saving);
                // No delivery is priced here, so the total is the goods after the savings.
                let discounted = t.discount.minor > 0;
                view! {
                    <dl class="cart-totals">
                        <dt>"Items"</dt><dd data-testid="cart-items">{t.items}</dd>
                        <dt>"Subtotal"</dt><dd data-testid="cart-subtotal">{t.subtotal.to_string()}</dd>
                        {multibuy.map(|m| view! { <dt>"Multi-buy saving"</dt><dd data-testid="cart-multibuy">{m}</dd> })}
                        {threshold.map(|m| view! { <dt>"Spend-and-save"</dt><dd data-testid="cart-threshold">{m}</dd> })}
                        {discounted.then(|| view! { <dt>"After savings"</dt><dd data-testid="cart-goods">{t.total.to_string()}</dd> })}
                        <dt>"Shipping"</dt><dd>"Chosen at checkout"</dd>
                    </dl>
                    {nudge.map(|n| view! { <p class="hint" data-testid="cart-nudge">{n}</p> })}
                    <GroupHints hints/>
                }
                .into_any()
            }
            Err(e) => view! { <p class="notice notice--error" role="alert">{format!("This cart can't be totalled: {e}. Please remove an item.")}</p> }.into_any(),
        }}
        <p class="cart-actions"><a href="/checkout" class="button button--primary" data-testid="go-to-checkout">"Go to checkout"</a></p>
        <form method="post" action="/cart/empty" class="cart-empty">
            <button type="submit" class="button">"Empty cart"</button>
        </form>
    }
    .into_any()
}

/// The multi-buys the cart has started, each with a button that adds the units completing it
/// (a plain form: works without JavaScript).
#[component]
fn GroupHints(hints: Vec<GroupHint>) -> impl IntoView {
    (!hints.is_empty()).then(|| {
        view! {
            <ul class="cart-hints">
                {hints.into_iter().map(|hint| view! {
                    <li class="hint">
                        <span data-testid="group-hint">{hint.text}</span>" "
                        <form method="post" action="/cart/add" class="cart-hints__add">
                            <input type="hidden" name="sku" value=hint.sku.clone()/>
                            <input type="hidden" name="quantity" value=hint.add.to_string()/>
                            <button type="submit" class="button">{format!("Add {}", hint.add)}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

/// The multi-buy a line counts towards, as the cart states it beside the line: "3 for £10.00",
/// or "Any 3 for £10.00 (mix with 2 other items)" for an offer that mixes SKUs. The first offer
/// naming the SKU, as [`promo_totals`] counts it.
pub fn offer_label(offers: &Offers, sku: &str, currency: crate::money::Currency) -> Option<String> {
    let offer = offers
        .multibuys
        .iter()
        .find(|m| m.skus.iter().any(|s| s == sku))?;
    let price = crate::money::Money::new(offer.price_minor, currency);
    Some(match offer.skus.len() {
        1 => format!("{} for {price}", offer.quantity),
        n => format!(
            "Any {} for {price} (mix with {} other item{})",
            offer.quantity,
            n - 1,
            if n == 2 { "" } else { "s" }
        ),
    })
}

#[component]
fn CartRow(line: CartLine, offer: Option<String>) -> impl IntoView {
    let total = line
        .unit
        .minor
        .checked_mul(line.quantity)
        .map(|m| crate::money::Money::new(m, line.unit.currency).to_string());
    let level = StockLevel::of(line.stock);
    let qty_id = format!("qty-{}", line.sku);
    view! {
        <tr data-sku=line.sku.clone()>
            <td>
                <a href=format!("/p/{}?variant={}", line.slug, line.sku)>{line.title.clone()}</a>
                {(line.label != "Standard").then(|| view! { <span class="cart-line__label">{format!(" – {}", line.label)}</span> })}
                <span class=level.class()>{level.text()}</span>
                {offer.map(|o| view! { <span class="badge badge--sale cart-line__offer" data-testid="line-offer">{o}</span> })}
            </td>
            <td class="num price">{line.unit.to_string()}</td>
            <td>
                <form method="post" action="/cart/update" class="cart-qty">
                    <input type="hidden" name="sku" value=line.sku.clone()/>
                    <label for=qty_id.clone() class="visually-hidden">{format!("Quantity of {}", line.title)}</label>
                    <input id=qty_id name="quantity" type="number" min="1" max="99" value=line.quantity.to_string()/>
                    <button type="submit" class="button">"Update"</button>
                </form>
            </td>
            <td class="num" data-testid="line-total">{total.unwrap_or_default()}</td>
            <td>
                <form method="post" action="/cart/remove">
                    <input type="hidden" name="sku" value=line.sku.clone()/>
                    <button type="submit" class="button">"Remove"<span class="visually-hidden">{format!(" {}", line.title)}</span></button>
                </form>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::{group_hints, notice_text, offer_label, threshold_nudge};
    use crate::cart::{CartLine, MultiBuy, Offers, PricedLine, Threshold, promo_totals};
    use crate::money::{Currency, Money};

    fn cart_line(sku: &str, label: &str, quantity: i64, unit: i64, stock: i64) -> CartLine {
        let unit = Money::new(unit, Currency::Gbp);
        CartLine {
            sku: sku.into(),
            slug: sku.to_lowercase(),
            stem: sku.to_lowercase(),
            title: format!("Lantern {sku}"),
            label: label.into(),
            unit,
            price_seen: unit,
            quantity,
            stock,
        }
    }

    fn multibuys(list: &[(&[&str], i64, i64)]) -> Offers {
        crate::cart::promotions::tests::offers(list, &[], None)
    }

    fn hints(lines: &[CartLine], offers: &Offers) -> Vec<(String, i64, String)> {
        group_hints(lines, offers, Currency::Gbp)
            .into_iter()
            .map(|h| (h.sku, h.add, h.text))
            .collect()
    }

    #[test]
    fn a_started_multi_buy_says_what_completes_it_and_what_that_saves() {
        let three = multibuys(&[(&["A"], 3, 1_000)]);
        // 2 × £4.50: one more makes 3 for £10.00 instead of £13.50.
        assert_eq!(
            hints(&[cart_line("A", "Standard", 2, 450, 10)], &three),
            vec![(
                "A".into(),
                1,
                "Add 1 more Lantern A to get 3 for £10.00 and save £3.50.".into()
            )]
        );
        // A whole group has nothing to complete; past it, the next group is counted.
        assert_eq!(
            hints(&[cart_line("A", "Standard", 3, 450, 10)], &three),
            vec![]
        );
        assert_eq!(
            hints(&[cart_line("A", "Red", 4, 450, 10)], &three),
            vec![(
                "A".into(),
                2,
                "Add 2 more Lantern A – Red to get 3 for £10.00 and save £3.50.".into()
            )]
        );
        // A price already below the offer's (a flash sale): completing saves nothing, no hint.
        assert_eq!(
            hints(&[cart_line("A", "Standard", 2, 300, 10)], &three),
            vec![]
        );
        // Not enough stock, or past the quantity limit: nothing to suggest.
        assert_eq!(
            hints(&[cart_line("A", "Standard", 2, 450, 2)], &three),
            vec![]
        );
        let four = multibuys(&[(&["A"], 4, 1_000)]);
        assert_eq!(
            hints(&[cart_line("A", "Standard", 98, 450, 200)], &four),
            vec![]
        );
        assert_eq!(
            hints(&[cart_line("A", "Standard", 94, 450, 200)], &four)[0].1,
            2
        );
    }

    #[test]
    fn a_mixed_multi_buy_suggests_the_line_that_saves_most() {
        let any3 = multibuys(&[(&["A", "B", "C"], 3, 1_000)]);
        let lines = [
            cart_line("B", "Standard", 1, 300, 10),
            cart_line("A", "Standard", 1, 500, 10),
        ];
        // Another A: £5 + £5 + £3 = £13 for £10; another B: £11 for £10.
        assert_eq!(
            hints(&lines, &any3),
            vec![(
                "A".into(),
                1,
                "Add 1 more Lantern A to get any 3 for £10.00 and save £3.00.".into()
            )]
        );
        // With A out of stock beyond the cart's unit, B is the one to add.
        let lines = [
            cart_line("B", "Standard", 1, 300, 10),
            cart_line("A", "Standard", 1, 500, 1),
        ];
        assert_eq!(hints(&lines, &any3)[0].0, "B");
        assert!(hints(&lines, &any3)[0].2.ends_with("save £1.00."));
        // Lines no offer names give no hint; each offer gets its own.
        let two = multibuys(&[(&["A"], 2, 800), (&["B"], 2, 500)]);
        let lines = [
            cart_line("A", "Standard", 1, 500, 10),
            cart_line("B", "Standard", 1, 300, 10),
            cart_line("Z", "Standard", 1, 300, 10),
        ];
        let got: Vec<String> = hints(&lines, &two).into_iter().map(|h| h.0).collect();
        assert_eq!(got, vec!["A", "B"]);
    }

    #[test]
    fn a_line_states_the_offer_it_counts_towards() {
        let offer = |skus: &[&str], quantity| MultiBuy {
            skus: skus.iter().map(|s| s.to_string()).collect(),
            quantity,
            price_minor: 1_000,
        };
        let offers = Offers {
            multibuys: vec![
                offer(&["A"], 3),
                offer(&["B", "C", "D"], 3),
                offer(&["E", "F"], 2),
            ],
            ..Offers::default()
        };
        let label = |sku| offer_label(&offers, sku, Currency::Gbp);
        assert_eq!(label("A").as_deref(), Some("3 for £10.00"));
        assert_eq!(
            label("C").as_deref(),
            Some("Any 3 for £10.00 (mix with 2 other items)")
        );
        assert_eq!(
            label("F").as_deref(),
            Some("Any 2 for £10.00 (mix with 1 other item)")
        );
        assert_eq!(label("Z"), None);
    }

    #[test]
    fn the_nudge_names_the_next_threshold_above_the_spend_after_multi_buy() {
        let offers = Offers {
            multibuys: vec![MultiBuy {
                skus: vec!["A".into()],
                quantity: 3,
                price_minor: 1_000,
            }],
            thresholds: vec![
                Threshold {
                    spend_minor: 2_000,
                    save_minor: 200,
                },
                Threshold {
                    spend_minor: 5_000,
                    save_minor: 500,
                },
            ],
            coupon: None,
        };
        let nudge = |quantity, unit| {
            let lines = [PricedLine {
                sku: "A".into(),
                quantity,
                unit: Money::new(unit, Currency::Gbp),
            }];
            let quote = promo_totals(&lines, &offers, None, Currency::Gbp).expect("totals");
            threshold_nudge(&quote, &offers)
        };
        // 3 × £4 = £12, less £2 of multi-buy: £10 short of the first threshold.
        assert_eq!(
            nudge(3, 400).as_deref(),
            Some("Spend £10.00 more to save £2.00.")
        );
        // 6 × £4 = £24, less £4 of multi-buy = £20: the first reached, the next £30 away.
        assert_eq!(
            nudge(6, 400).as_deref(),
            Some("Spend £30.00 more to save £5.00.")
        );
        // Past the highest threshold there is nothing to nudge towards.
        assert_eq!(nudge(1, 6_000), None);
    }

    #[test]
    fn notices_are_codes_not_text_from_the_url() {
        assert_eq!(
            notice_text("added", None, None),
            Some((false, "Added to your cart.".into()))
        );
        assert_eq!(notice_text("<script>", None, None), None);
        let (is_error, text) = notice_text("stock", Some("85123A"), Some(3)).expect("known");
        assert!(is_error && text.contains("Only 3 of item 85123A left"));
        let (_, text) = notice_text("stock", Some("<b>x</b>"), Some(0)).expect("known");
        assert_eq!(text, "Sorry, that item is out of stock.");
    }
}
