//! The console's stock screen (every staff member): `GET /admin/stock` lists variants, the least
//! stocked first (or those found by SKU or title words), 50 a page, each with two forms:
//! "Received" adds the units of a delivery, "Counted" corrects the stock to a stocktake's count
//! (refused if it changed since the page was shown). `POST /admin/stock` makes the change
//! (`crate::catalog::stock`), audited under the person, and answers 303 back to the same list
//! with a notice; 422 for a quantity that isn't one, 404 for an unknown SKU, 409 for a count
//! overtaken by a sale.

use super::auth::{self, SignedIn, encode};
use super::views;
use crate::catalog::stock::{self, PAGE_SIZE, StockError, StockRow};
use crate::http::{AppState, see_other, wants_json};
use crate::staff::Role;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use leptos::prelude::*;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/stock", get(page).post(change))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    q: String,
    page: String,
    /// After a change: `received` or `counted`, and the SKU.
    n: String,
    sku: String,
}

/// What the list shows and where its forms come back to.
#[derive(Clone, Debug, Default)]
struct Search {
    query: String,
    page: i64,
}

impl Search {
    fn new(query: &str, page: &str) -> Search {
        Search {
            query: query.trim().chars().take(100).collect(),
            page: page.trim().parse::<i64>().unwrap_or(0).clamp(0, 100_000),
        }
    }

    fn href(&self, page: i64) -> String {
        let mut href = format!("/admin/stock?q={}", encode(&self.query));
        if page > 0 {
            href.push_str(&format!("&page={page}"));
        }
        href
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let search = Search::new(&query.q, &query.page);
    let done = match query.n.as_str() {
        "received" => Some("Received"),
        "counted" => Some("Corrected"),
        _ => None,
    };
    let notice = match done {
        Some(done) => match stock::stock_of(&state.db, query.sku.trim()).await {
            Ok(Some(now)) => Some(format!("{done} {}: {now} in stock now.", query.sku.trim())),
            _ => None,
        },
        None => None,
    };
    render(&state, &signed_in, StatusCode::OK, search, notice, None).await
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    search: Search,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let (rows, matching) = match stock::list(&state.db, &search.query, search.page).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "listing stock failed");
            return auth::unavailable(state);
        }
    };
    let csrf = signed_in.session.csrf_token.clone();
    views::page(status, "Stock", signed_in.chrome(state), move || {
        view(csrf, search, rows, matching, notice, error)
    })
}

fn view(
    csrf: String,
    search: Search,
    rows: Vec<StockRow>,
    matching: i64,
    notice: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let shown = rows.len() as i64;
    let first = search.page.saturating_mul(PAGE_SIZE);
    let newer = (search.page > 0).then(|| search.href(search.page - 1));
    let older = (first + shown < matching).then(|| search.href(search.page + 1));
    let summary = match matching {
        0 => "No variants match.".to_string(),
        1 => "1 variant.".to_string(),
        n => format!(
            "Variants {}–{} of {n}, least in stock first.",
            first + 1,
            first + shown
        ),
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            let form = |op: &'static str, name: &'static str, label: &'static str, min: &'static str, value: String| {
                let id = format!("{op}-{}", r.sku);
                view! {
                    <form class="inline-form stock-form" method="post" action="/admin/stock">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <input type="hidden" name="op" value=op/>
                        <input type="hidden" name="sku" value=r.sku.clone()/>
                        <input type="hidden" name="seen" value=r.stock.to_string()/>
                        <input type="hidden" name="q" value=search.query.clone()/>
                        <label for=id.clone() class="visually-hidden">{format!("{label} of {}", r.sku)}</label>
                        <input id=id type="number" name=name min=min step="1" required value=value inputmode="numeric"/>
                        <button class="button" type="submit">{label}</button>
                    </form>
                }
            };
            let level = if r.stock == 0 { "Out of stock".to_string() } else { r.stock.to_string() };
            view! {
                <tr data-testid="stock-row" data-sku=r.sku.clone()>
                    <td><code>{r.sku.clone()}</code></td>
                    <td><a href=format!("/p/{}?variant={}", r.slug, encode(&r.sku))>{r.title.clone()}</a></td>
                    <td class="num" data-testid="stock-level">{level}</td>
                    <td class="num">{r.units_sold}</td>
                    <td>
                        {form("receive", "units", "Received", "1", String::new())}
                        {form("count", "count", "Counted", "0", r.stock.to_string())}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Stock"</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <p>"What can still be sold, least first. “Received” adds a delivery to it; “Counted” sets it to what a stocktake found on the shelf (units on orders not yet shipped are already taken off). Every change is in the audit log."</p>
        <form class="admin-form" method="get" action="/admin/stock">
            <label for="stock-q">"SKU or words of the title"</label>
            <input id="stock-q" type="search" name="q" maxlength="100" value=search.query.clone()/>
            <button class="button" type="submit">"Find"</button>
        </form>
        <p role="status" data-testid="stock-summary">{summary}</p>
        {(shown > 0).then(|| views::table(&["SKU", "Variant", "In stock", "Units sold"], Some("Change"), rows))}
        <nav class="pagination" aria-label="Pages of variants">
            {newer.map(|href| view! { <a href=href rel="prev">"Fewer in stock"</a> })}
            " "
            {older.map(|href| view! { <a href=href rel="next">"More in stock"</a> })}
        </nav>
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StockChange {
    csrf: String,
    /// `receive` or `count`.
    op: String,
    sku: String,
    units: String,
    count: String,
    /// The stock the page showed.
    seen: String,
    /// The search to come back to.
    q: String,
}

pub async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<StockChange>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, &form.csrf, &state, &headers) {
        return refusal;
    }
    let search = Search::new(&form.q, "0");
    let sku = form.sku.trim().to_string();
    let actor = signed_in.session.actor();
    let now = crate::db::now();
    let result = match form.op.as_str() {
        "receive" => match stock::parse_units(&form.units) {
            Ok(units) => stock::receive(&state.db, &sku, units, &actor, now).await,
            Err(e) => Err(e),
        },
        "count" => match (
            stock::parse_count(&form.count),
            form.seen.trim().parse::<i64>(),
        ) {
            (Ok(count), Ok(seen)) => {
                stock::correct(&state.db, &sku, seen, count, &actor, now).await
            }
            (Err(e), _) => Err(e),
            (Ok(_), Err(_)) => Err(StockError::NotShown),
        },
        _ => Err(StockError::UnknownChange),
    };
    let status = match &result {
        Ok(changed) if wants_json(&headers) => {
            let body = serde_json::json!({ "ok": true, "sku": sku, "before": changed.before, "stock": changed.after });
            return (StatusCode::OK, Json(body)).into_response();
        }
        Ok(_) => {
            let done = if form.op == "receive" {
                "received"
            } else {
                "counted"
            };
            let back = format!("{}&n={done}&sku={}", search.href(0), encode(&sku));
            return see_other(&back);
        }
        Err(
            StockError::BadUnits
            | StockError::BadCount
            | StockError::NotShown
            | StockError::UnknownChange,
        ) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(StockError::UnknownSku(_)) => StatusCode::NOT_FOUND,
        Err(StockError::Changed { .. }) => StatusCode::CONFLICT,
        Err(StockError::Unavailable(e)) => {
            tracing::error!(error = %format!("{e:#}"), "changing stock failed");
            return auth::unavailable(&state);
        }
    };
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    refuse(&state, &signed_in, &headers, search, status, message).await
}

/// A refused change: JSON with the status and message, or the list again with the message.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    search: Search,
    status: StatusCode,
    message: String,
) -> Response {
    if wants_json(headers) {
        return auth::json_message(status, &message);
    }
    render(state, signed_in, status, search, None, Some(message)).await
}
