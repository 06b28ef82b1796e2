//! `/admin/experiments`: list, create (as a draft), show definition and results, and change
//! status (`op=start|pause|stop|ship`). Marketers and admins. Every POST needs a same-origin
//! request and the session's CSRF token; the rules and the audit trail are
//! `crate::experiments::store`'s, this module only speaks HTTP.
//!
//! Banned superlatives in the copy are a warning when saving (the page names each word) and a
//! refusal when starting or shipping (422 with the same words), see `experiments::copy_check`.

use super::auth::{self, SignedIn};
use super::experiment_views::{self as pages, DetailPage, NewForm};
use super::views;
use crate::experiments::definition::{
    ContentFields, MAX_VARIANTS, MIN_VARIANTS, NewExperiment, Transition, VariantFields,
    shopper_text_of_json,
};
use crate::experiments::store::{self, ExperimentError};
use crate::experiments::{copy_check, results};
use crate::http::{AppState, see_other};
use crate::staff::Role;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::HashMap;

/// The experiments pages, to be merged into the console's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/experiments", get(list).post(create))
        .route("/admin/experiments/new", get(new_form))
        .route("/admin/experiments/{id}", get(show).post(change))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    n: String,
}

fn notice(code: &str) -> Option<String> {
    let text = match code {
        "created" => "Saved as a draft. Start it when you are ready.",
        "start" => "Started. Visitors are being assigned now.",
        "pause" => "Paused. Visitors see the slot's default until you resume.",
        "stop" => "Stopped. Visitors see the slot's default.",
        "ship" => "Shipped. The variant is now the slot's default and the experiment has ended.",
        _ => return None,
    };
    Some(text.to_string())
}

async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    let experiments = match store::list(&state.db).await {
        Ok(e) => e,
        Err(e) => return unavailable(&state, &e),
    };
    let csrf = signed_in.session.csrf_token.clone();
    let n = notice(&query.n);
    views::page(
        StatusCode::OK,
        "Experiments",
        signed_in.chrome(&state),
        move || pages::list(csrf, experiments, n),
    )
}

async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    render_form(&state, &signed_in, StatusCode::OK, NewForm::default())
}

fn render_form(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    form: NewForm,
) -> Response {
    let csrf = signed_in.session.csrf_token.clone();
    views::page(
        status,
        "New experiment",
        signed_in.chrome(state),
        move || pages::new_form(csrf, form),
    )
}

/// The typed variants: the first two always, the optional ones when they have a name.
fn typed_variants(fields: &HashMap<String, String>) -> Vec<VariantFields> {
    let get = |i: usize, f: &str| {
        fields
            .get(&format!("v{i}_{f}"))
            .cloned()
            .unwrap_or_default()
    };
    (0..MAX_VARIANTS)
        .filter(|&i| i < MIN_VARIANTS || !get(i, "name").trim().is_empty())
        .map(|i| VariantFields {
            name: get(i, "name"),
            weight: get(i, "weight"),
            content: ContentFields {
                headline: get(i, "headline"),
                copy: get(i, "copy"),
                cta_label: get(i, "cta_label"),
                cta_href: get(i, "cta_href"),
                image: get(i, "image"),
                image_alt: get(i, "image_alt"),
                recs: get(i, "recs"),
                algorithm: get(i, "algorithm"),
            },
        })
        .collect()
}

async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let csrf = fields.get("csrf").map(String::as_str).unwrap_or_default();
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, csrf, &state, &headers) {
        return refusal;
    }
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let variants = typed_variants(&fields);
    let error = match NewExperiment::parse(&field("slot"), &field("name"), &variants) {
        Ok(new) => {
            let actor = signed_in.session.actor();
            match store::create(&state.db, &new, &actor, crate::db::now()).await {
                Ok(id) => return see_other(&format!("/admin/experiments/{id}?n=created")),
                Err(ExperimentError::Unavailable(e)) => return unavailable(&state, &e),
                Err(e) => e.to_string(),
            }
        }
        Err(e) => e,
    };
    let warnings = copy_check::banned_terms_in(variants.iter().flat_map(|v| {
        [
            v.content.headline.as_str(),
            v.content.copy.as_str(),
            v.content.cta_label.as_str(),
        ]
    }));
    let form = NewForm {
        slot: field("slot"),
        name: field("name"),
        variants,
        error: Some(error),
        warnings,
    };
    render_form(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, form)
}

async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    if let Some(refusal) = signed_in.forbidden_unless(Role::Marketer, &state, &headers) {
        return refusal;
    }
    render_detail(
        &state,
        &signed_in,
        &id,
        StatusCode::OK,
        notice(&query.n),
        None,
    )
    .await
}

async fn render_detail(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let (experiment, variants) = match store::find(&state.db, id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(state, signed_in),
        Err(e) => return unavailable(state, &e),
    };
    let results = match results::load(&state.db, &experiment, &variants).await {
        Ok(r) => r,
        Err(e) => return unavailable(state, &e),
    };
    let texts: Vec<String> = variants
        .iter()
        .flat_map(|v| shopper_text_of_json(&v.content))
        .collect();
    let warnings = copy_check::banned_terms_in(texts.iter().map(String::as_str));
    let title = experiment.name.clone();
    let page = DetailPage {
        csrf: signed_in.session.csrf_token.clone(),
        experiment,
        variants,
        results,
        notice,
        error,
        warnings,
    };
    views::page(status, &title, signed_in.chrome(state), move || {
        pages::detail(page)
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Change {
    csrf: String,
    /// `start`, `pause`, `stop` or `ship`.
    op: String,
    /// The variant position to ship.
    variant: String,
}

async fn change(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Change>,
) -> Response {
    if let Some(refusal) = signed_in.post_refusal(Role::Marketer, &form.csrf, &state, &headers) {
        return refusal;
    }
    let transition = match form.op.as_str() {
        "start" => Ok(Transition::Start),
        "pause" => Ok(Transition::Pause),
        "stop" => Ok(Transition::Stop),
        "ship" => form
            .variant
            .trim()
            .parse()
            .map(Transition::Ship)
            .map_err(|_| ExperimentError::Invalid("Choose the variant to ship.".into())),
        _ => Err(ExperimentError::Invalid("Unknown change.".into())),
    };
    let actor = signed_in.session.actor();
    let result = match transition {
        Ok(t) => store::transition(&state.db, &id, t, &actor, crate::db::now()).await,
        Err(e) => Err(e),
    };
    let error = match result {
        Ok(()) => return see_other(&format!("/admin/experiments/{id}?n={}", form.op)),
        Err(ExperimentError::Unknown) => return not_found(&state, &signed_in),
        Err(ExperimentError::Unavailable(e)) => return unavailable(&state, &e),
        Err(e) => e.to_string(),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_detail(&state, &signed_in, &id, status, None, Some(error)).await
}

fn not_found(state: &AppState, signed_in: &SignedIn) -> Response {
    views::page(
        StatusCode::NOT_FOUND,
        "Not found",
        signed_in.chrome(state),
        || {
            views::message(
                "No such experiment",
                "There is no experiment at this address.",
                Some(("/admin/experiments", "All experiments")),
            )
        },
    )
}

fn unavailable(state: &AppState, e: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{e:#}"), "experiments console failed");
    auth::unavailable(state)
}
