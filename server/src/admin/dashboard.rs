//! `GET /admin/dashboard` (marketers and admins): the figures of `crate::dashboard` for a period
//! chosen with a plain GET form (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), each as an SVG chart with
//! its numbers in a table beside it. Without dates it shows the 30 days ending on the day of
//! the latest order (the imported history is from 2010, so "the last 30 days" could be empty)
//! and says so. Dates it cannot use answer 422 with the form and a message, never a 500.

use super::auth::{self, SignedIn};
use super::views;
use crate::dashboard::chart::{self, Bar};
use crate::dashboard::{
    self, COVER_DAYS, Dashboard, FUNNEL_STEPS, Period, RECENT_DAYS, TOP_N, format_day,
};
use crate::http::AppState;
use crate::staff::Role;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use leptos::prelude::*;
use serde::Deserialize;
use vitrine::money::{Currency, Money};

/// Low-stock variants listed (the most urgent first).
const LOW_STOCK_SHOWN: usize = 25;

/// The dashboard's route, to be merged into the console's router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/dashboard", get(page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// The period form as shown: what was typed, or the period shown.
#[derive(Clone, Debug, Default)]
struct PeriodForm {
    from: String,
    to: String,
    note: Option<String>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let query = query.map(|Query(q)| q).unwrap_or_else(|_| PeriodQuery {
        from: "?".into(),
        to: "?".into(),
    });
    let chosen = match Period::parse(&query.from, &query.to) {
        Ok(chosen) => chosen,
        Err(e) => {
            let form = PeriodForm {
                from: query.from,
                to: query.to,
                note: None,
                error: Some(e.to_string()),
            };
            return views::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Dashboard",
                signed_in.chrome(&state),
                move || view! { <h1>"Dashboard"</h1> <PeriodPicker form/> },
            );
        }
    };
    let (period, note) = match chosen {
        Some(period) => (period, None),
        None => match dashboard::latest_order_day(&state.db).await {
            Ok(latest) => {
                let last = latest.unwrap_or_else(|| crate::db::now().div_euclid(86_400));
                let note = match latest {
                    Some(day) => format!(
                        "No period chosen: showing the {} days ending on the day of the latest order, {}.",
                        dashboard::DEFAULT_DAYS,
                        format_day(day)
                    ),
                    None => "No orders yet: showing the last 30 days.".to_string(),
                };
                (Period::ending(last), Some(note))
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "finding the latest order failed");
                return auth::unavailable(&state);
            }
        },
    };
    let data = match dashboard::load(&state.db, period).await {
        Ok(data) => data,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "loading the dashboard failed");
            return auth::unavailable(&state);
        }
    };
    let form = PeriodForm {
        from: format_day(period.from),
        to: format_day(period.to),
        note,
        error: None,
    };
    views::page(
        StatusCode::OK,
        "Dashboard",
        signed_in.chrome(&state),
        move || {
            view! {
                <h1>"Dashboard"</h1>
                <PeriodPicker form/>
                <Figures data/>
            }
        },
    )
}

#[component]
fn PeriodPicker(form: PeriodForm) -> impl IntoView {
    view! {
        {form.error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <form class="admin-form dash-period" method="get" action="/admin/dashboard">
            <label for="dash-from">"From"</label>
            <input id="dash-from" name="from" type="date" value=form.from/>
            <label for="dash-to">"To (inclusive)"</label>
            <input id="dash-to" name="to" type="date" value=form.to/>
            <button class="button" type="submit">"Show"</button>
        </form>
        {form.note.map(|n| view! { <p class="hint" role="status">{n}</p> })}
    }
}

fn money(minor: i64) -> String {
    Money::new(minor, Currency::Gbp).to_string()
}

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p:.1}%"))
}

/// An SVG chart, inserted as markup (it is built and escaped by `dashboard::chart`).
fn figure(svg: String) -> impl IntoView {
    view! { <div class="dash-chart-wrap" inner_html=svg></div> }
}

#[component]
fn Figures(data: Dashboard) -> impl IntoView {
    let Dashboard {
        period,
        kpis,
        daily,
        funnel,
        top,
        sales,
        low_stock,
    } = data;
    let span = format!("{} to {}", format_day(period.from), format_day(period.to));
    let aov = kpis.average_order().map_or_else(|| "—".to_string(), money);
    let imported = kpis.orders - kpis.web_orders;
    let daily_bars: Vec<Bar> = daily
        .iter()
        .map(|d| Bar {
            label: format_day(d.day),
            value: d.revenue,
            text: format!("{} · {} orders", money(d.revenue), d.orders),
        })
        .collect();
    let daily_svg = chart::bar_chart(
        "dash-daily",
        "Revenue per day",
        &format!("Revenue of each day with orders, {span}; the table below has the numbers."),
        &daily_bars,
    );
    let daily_rows = daily
        .into_iter()
        .map(|d| {
            view! {
                <tr><td>{format_day(d.day)}</td><td class="num">{d.orders}</td><td class="num">{money(d.revenue)}</td></tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="dash-kpis">
            <h2 id="dash-kpis">"Headline figures, " {span.clone()}</h2>
            <p class="hint">
                "Orders and revenue include the imported order history (orders not cancelled). "
                "Visitors, conversion and the funnel count store visitors only: imported orders "
                "have no visitor, and visitors who opted out of profiling are not counted."
            </p>
            <dl class="dash-kpis">
                <div><dt>"Unique visitors (store)"</dt><dd data-kpi="visitors">{funnel.visitors()}</dd></div>
                <div><dt>"Orders (all)"</dt><dd data-kpi="orders">{kpis.orders}</dd></div>
                <div><dt>"Conversion rate (store visitors who bought)"</dt><dd data-kpi="conversion">{pct(funnel.conversion())}</dd></div>
                <div><dt>"Average order value (all)"</dt><dd data-kpi="aov">{aov}</dd></div>
                <div><dt>"Revenue (all)"</dt><dd data-kpi="revenue">{money(kpis.revenue)}</dd></div>
            </dl>
            <p>
                "Of these, placed in the store: " <span data-kpi="web-orders">{kpis.web_orders}</span>
                " orders, " <span data-kpi="web-revenue">{money(kpis.web_revenue)}</span>
                "; imported: " {imported} " orders, " {money(kpis.revenue - kpis.web_revenue)} "."
            </p>
            {figure(daily_svg)}
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption>"Revenue per day"</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Orders"</th><th scope="col">"Revenue"</th></tr></thead>
                    <tbody>{daily_rows}</tbody>
                </table>
            </div>
        </section>
        <FunnelSection funnel span=span.clone()/>
        <TopSection top sales span=span.clone()/>
        <LowStockSection low_stock span/>
    }
}

#[component]
fn FunnelSection(funnel: dashboard::Funnel, span: String) -> impl IntoView {
    let bars: Vec<Bar> = FUNNEL_STEPS
        .iter()
        .zip(funnel.through)
        .map(|(step, n)| Bar {
            label: (*step).to_string(),
            value: n,
            text: format!("{n} visitors"),
        })
        .collect();
    let svg = chart::bar_chart(
        "dash-funnel",
        "Funnel: visit, product view, add to cart, checkout, purchase",
        &format!(
            "Store visitors who reached each step and every step before it, {span}; the table below has the numbers and the drop-off."
        ),
        &bars,
    );
    let rows = (0..FUNNEL_STEPS.len())
        .map(|i| {
            let drop = (i > 0).then(|| {
                pct(dashboard::drop_off(
                    funnel.through[i - 1],
                    funnel.through[i],
                ))
            });
            view! {
                <tr data-step=i>
                    <th scope="row">{FUNNEL_STEPS[i]}</th>
                    <td class="num">{funnel.through[i]}</td>
                    <td class="num">{drop.unwrap_or_default()}</td>
                    <td class="num">{funnel.reached[i]}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="dash-funnel-heading">
            <h2 id="dash-funnel-heading">"Funnel"</h2>
            <p class="hint">
                "Distinct store visitors in the period. A visitor counts at a step when they did it "
                "and every step before it; the last column counts everyone who did the step at all."
            </p>
            {figure(svg)}
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption>"Funnel"</caption>
                    <thead><tr>
                        <th scope="col">"Step"</th>
                        <th scope="col">"Visitors"</th>
                        <th scope="col">"Drop-off from the step before"</th>
                        <th scope="col">"Did this step at all"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TopSection(top: Vec<dashboard::TopProduct>, sales: i64, span: String) -> impl IntoView {
    let share = move |revenue| pct(dashboard::percent(revenue, sales));
    let bars: Vec<Bar> = top
        .iter()
        .map(|p| Bar {
            label: p.title.clone(),
            value: p.revenue,
            text: format!("{} · {}", money(p.revenue), share(p.revenue)),
        })
        .collect();
    let svg = chart::bar_chart(
        "dash-top",
        &format!("Top {TOP_N} products by revenue"),
        &format!(
            "Revenue and share of all sales ({}) of the {TOP_N} best-selling products, {span}.",
            money(sales)
        ),
        &bars,
    );
    let rows = top
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            view! {
                <tr>
                    <td class="num">{i + 1}</td>
                    <th scope="row">{p.title}</th>
                    <td><code>{p.stem}</code></td>
                    <td class="num">{p.units}</td>
                    <td class="num">{money(p.revenue)}</td>
                    <td class="num">{share(p.revenue)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="dash-top-heading">
            <h2 id="dash-top-heading">"Top " {TOP_N} " products"</h2>
            <p class="hint">"Share of sales: of all order lines in the period, " {money(sales)} "."</p>
            {figure(svg)}
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption>"Top products by revenue"</caption>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Product"</th><th scope="col">"Stem"</th>
                        <th scope="col">"Units"</th><th scope="col">"Revenue"</th><th scope="col">"Share"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Days of stock left, one decimal.
fn days_left(stock: i64, units: i64) -> String {
    dashboard::cover_tenths(stock, units)
        .map_or_else(|| "—".to_string(), |t| format!("{}.{}", t / 10, t % 10))
}

#[component]
fn LowStockSection(low_stock: Vec<dashboard::LowStock>, span: String) -> impl IntoView {
    let total = low_stock.len();
    let shown: Vec<_> = low_stock.into_iter().take(LOW_STOCK_SHOWN).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .map(|v| Bar {
            label: format!("{} {}", v.sku, v.title),
            value: dashboard::cover_tenths(v.stock, v.recent_units).unwrap_or(0),
            text: format!(
                "{} days ({} in stock)",
                days_left(v.stock, v.recent_units),
                v.stock
            ),
        })
        .collect();
    let svg = chart::bar_chart(
        "dash-stock",
        "Low-stock alerts: days of stock left",
        &format!(
            "Variants with less than {COVER_DAYS} days of stock at the rate they sold in the last {RECENT_DAYS} days of {span}, most urgent first."
        ),
        &bars,
    );
    let rows = shown
        .into_iter()
        .map(|v| {
            let per_day = format!("{:.1}", v.recent_units as f64 / RECENT_DAYS as f64);
            view! {
                <tr data-sku=v.sku.clone()>
                    <td><a href=format!("/admin/stock?q={}", super::auth::encode(&v.sku)) aria-label=format!("Restock {}", v.sku)><code>{v.sku.clone()}</code></a></td>
                    <th scope="row">{v.title}</th>
                    <td class="num">{v.stock}</td>
                    <td class="num">{v.recent_units}</td>
                    <td class="num">{per_day}</td>
                    <td class="num">{days_left(v.stock, v.recent_units)}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (total > LOW_STOCK_SHOWN).then(|| {
        format!(
            "{} more variants are low on stock.",
            total - LOW_STOCK_SHOWN
        )
    });
    view! {
        <section aria-labelledby="dash-stock-heading">
            <h2 id="dash-stock-heading">"Low-stock alerts"</h2>
            <p class="hint">
                "Stock below " {COVER_DAYS} " days of recent sales: units sold per day over the last "
                {RECENT_DAYS} " days of the period, times " {COVER_DAYS} ". " {total} " variants."
            </p>
            {figure(svg)}
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption>"Low-stock variants"</caption>
                    <thead><tr>
                        <th scope="col">"SKU"</th><th scope="col">"Variant"</th><th scope="col">"Stock"</th>
                        <th scope="col">{format!("Sold, last {RECENT_DAYS} days")}</th>
                        <th scope="col">"Per day"</th><th scope="col">"Days left"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {more.map(|m| view! { <p class="hint">{m}</p> })}
        </section>
    }
}
