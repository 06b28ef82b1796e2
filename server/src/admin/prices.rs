//! `/admin/prices`: the pricing engine's open proposals (current, proposed, expected profit
//! change, elasticity with its interval) with Approve and Reject, the global kill switch and
//! auto-approve per variant. Marketers and admins. Every POST needs a same-origin request and
//! the session's CSRF token; the rules (guardrail re-check, history, audit) are
//! `crate::pricing`'s, this module only speaks HTTP and renders.

use super::auth::{self, SignedIn};
use super::views;
use crate::http::{AppState, see_other};
use crate::pricing::proposals::{self, ProposalError, StoredProposal};
use crate::pricing::settings;
use crate::staff::Role;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use leptos::prelude::*;
use serde::Deserialize;
use vitrine::money::{Currency, Money};

/// The prices page, to be merged into the console's router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/prices", get(page).post(change))
}

/// How many open proposals the page lists (largest expected gain first).
const SHOWN: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    n: String,
}

fn notice(code: &str) -> Option<String> {
    let text = match code {
        "approve" => {
            "Approved: the new price is live on the store, in its history and the audit log."
        }
        "reject" => "Rejected: the price stays.",
        "kill_on" => "Kill switch on: no automated price changes until you turn it off.",
        "kill_off" => "Kill switch off.",
        "auto_on" => "Auto-approve on for that variant.",
        "auto_off" => "Auto-approve off for that variant.",
        _ => return None,
    };
    Some(text.to_string())
}

async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    render(&state, &signed_in, StatusCode::OK, notice(&query.n), None).await
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let loaded = async {
        Ok::<_, anyhow::Error>((
            proposals::open(&state.db, SHOWN).await?,
            settings::kill_switch(&state.db).await?,
            settings::auto_approved(&state.db).await?,
        ))
    };
    let (open, kill, auto) = match loaded.await {
        Ok(l) => l,
        Err(e) => return unavailable(state, &e),
    };
    let data = PricesPage {
        csrf: signed_in.session.csrf_token.clone(),
        open,
        kill,
        auto,
        notice,
        error,
    };
    views::page(status, "Prices", signed_in.chrome(state), move || {
        prices_view(data)
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Change {
    csrf: String,
    /// `approve`, `reject`, `kill` or `auto`.
    op: String,
    /// The proposal (approve, reject).
    id: String,
    /// The variant (auto).
    sku: String,
    /// `on` or `off` (kill, auto).
    value: String,
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
    let actor = signed_in.session.actor();
    let on = match form.value.as_str() {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    };
    let id = form.id.trim().parse::<i64>();
    let outcome: Result<String, String> = match (form.op.as_str(), id, on) {
        ("approve", Ok(id), _) => proposals::approve(&state.db, id, &actor, &actor.label())
            .await
            .map(|_| "approve".to_string())
            .map_err(|e| proposal_error(&state, e)),
        ("reject", Ok(id), _) => proposals::reject(&state.db, id, &actor)
            .await
            .map(|_| "reject".to_string())
            .map_err(|e| proposal_error(&state, e)),
        ("kill", _, Some(on)) => match settings::set_kill_switch(&state.db, on, &actor).await {
            Ok(()) => Ok(format!("kill_{}", form.value)),
            Err(e) => return unavailable(&state, &e),
        },
        ("auto", _, Some(on)) => {
            let sku = form.sku.trim().to_ascii_uppercase();
            match settings::set_auto_approve(&state.db, &sku, on, &actor).await {
                Ok(true) => Ok(format!("auto_{}", form.value)),
                Ok(false) => Err(format!("There is no variant with SKU {sku}.")),
                Err(e) => return unavailable(&state, &e),
            }
        }
        ("approve" | "reject", Err(_), _) => Err("Choose a proposal.".to_string()),
        _ => Err("Unknown change.".to_string()),
    };
    match outcome {
        Ok(code) => see_other(&format!("/admin/prices?n={code}")),
        Err(message) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &signed_in, status, None, Some(message)).await
        }
    }
}

/// A refusal's message for staff; a database failure is logged and shown as such.
fn proposal_error(_state: &AppState, e: ProposalError) -> String {
    match e {
        ProposalError::Other(e) => {
            tracing::error!(error = %format!("{e:#}"), "prices console failed");
            "The change could not be saved. Try again in a moment.".to_string()
        }
        other => other.to_string(),
    }
}

fn unavailable(state: &AppState, e: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{e:#}"), "prices console failed");
    auth::unavailable(state)
}

struct PricesPage {
    csrf: String,
    open: Vec<StoredProposal>,
    kill: bool,
    auto: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
}

fn money(minor: i64, currency: &str) -> String {
    Money::new(minor, Currency::parse(currency).unwrap_or(Currency::Gbp)).to_string()
}

fn signed_money(minor: i64, currency: &str) -> String {
    let sign = if minor > 0 {
        "+"
    } else if minor < 0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{}", money(minor.abs(), currency))
}

/// A one-button form posting `op` (and `fields`) to the page.
fn button(
    csrf: &str,
    op: &'static str,
    fields: Vec<(&'static str, String)>,
    label: String,
    aria: String,
) -> impl IntoView + use<> {
    views::action_button("/admin/prices", csrf, op, fields, label, aria)
}

fn prices_view(page: PricesPage) -> impl IntoView {
    let PricesPage {
        csrf,
        open,
        kill,
        auto,
        notice,
        error,
    } = page;
    let empty = open.is_empty();
    let rows = open
        .into_iter()
        .map(|p| {
            let id = p.id.to_string();
            let approve = button(
                &csrf,
                "approve",
                vec![("id", id.clone())],
                "Approve".into(),
                format!("Approve proposal {id} for {}", p.sku),
            );
            let reject = button(
                &csrf,
                "reject",
                vec![("id", id.clone())],
                "Reject".into(),
                format!("Reject proposal {id} for {}", p.sku),
            );
            let (auto_value, auto_label) = if p.auto_approve != 0 {
                ("off", "Auto: on")
            } else {
                ("on", "Auto: off")
            };
            let auto = button(
                &csrf,
                "auto",
                vec![("sku", p.sku.clone()), ("value", auto_value.to_string())],
                auto_label.into(),
                format!("Turn auto-approve {auto_value} for {}", p.sku),
            );
            let interval = format!(
                "{:.2} [{:.2}, {:.2}]",
                p.elasticity, p.elasticity_low, p.elasticity_high
            );
            view! {
                <tr data-testid="proposal">
                    <td>{format!("#{}", p.id)}</td>
                    <td><span class="price-sku">{p.sku.clone()}</span>" "{p.title.clone()}</td>
                    <td>{money(p.current_minor, &p.currency)}</td>
                    <td><strong>{money(p.proposed_minor, &p.currency)}</strong></td>
                    <td>{signed_money(p.expected_profit_change_minor, &p.currency)}" a day"</td>
                    <td>{interval}</td>
                    <td class="price-reason">{p.reason.clone()}</td>
                    <td>{approve}{reject}{auto}</td>
                </tr>
            }
        })
        .collect_view();
    let (kill_value, kill_label, kill_state) = if kill {
        (
            "off",
            "Turn the kill switch off",
            "on: the engine changes no price",
        )
    } else {
        ("on", "Turn the kill switch on", "off")
    };
    let kill_button = button(
        &csrf,
        "kill",
        vec![("value", kill_value.to_string())],
        kill_label.into(),
        kill_label.into(),
    );
    let auto_list = if auto.is_empty() {
        "none".to_string()
    } else {
        auto.join(", ")
    };
    view! {
        <h1>"Prices"</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <section aria-labelledby="kill-switch">
            <h2 id="kill-switch">"Kill switch"</h2>
            <p data-testid="kill-switch">"The pricing kill switch is "{kill_state}"."</p>
            {kill_button}
        </section>
        <section aria-labelledby="proposals">
            <h2 id="proposals">"Open proposals"</h2>
            <p>"Proposed by " <code>"vitrine price propose"</code> " inside each variant's guardrails: floor at cost plus 10%, ceiling (default 2× the list price), at most ±10% a day and 3 changes a week, never during a promotion. Approving re-checks them and changes the price at once."</p>
            {if empty {
                view! { <p>"No open proposals."</p> }.into_any()
            } else {
                view! {
                    {views::table(&["Id", "Variant", "Current", "Proposed", "Expected profit change", "Elasticity [95% interval]", "Why"], Some("Actions"), rows)}
                }
                    .into_any()
            }}
        </section>
        <section aria-labelledby="auto-approve">
            <h2 id="auto-approve">"Auto-approve"</h2>
            <p data-testid="auto-approved">"Variants on auto-approve (the engine's proposals apply at once): "{auto_list}</p>
            <form class="admin-form" method="post" action="/admin/prices">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <input type="hidden" name="op" value="auto"/>
                <label for="auto-sku">"SKU"</label>
                <input id="auto-sku" name="sku" type="text" required/>
                <label for="auto-value">"Auto-approve"</label>
                <select id="auto-value" name="value">
                    <option value="on">"on"</option>
                    <option value="off">"off"</option>
                </select>
                <button class="button" type="submit">"Save"</button>
            </form>
        </section>
    }
}
