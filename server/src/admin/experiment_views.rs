//! The experiments pages of the console: the list, the create form, and one experiment's
//! definition and results with its chart. Leptos views rendered to HTML on the server (see
//! `views`), plain forms carrying the session's CSRF token. Owns presentation only: the rules
//! live in `crate::experiments::{definition, store}`, the numbers in `results`.

use super::views;
use crate::experiments::copy_check;
use crate::experiments::definition::{MAX_VARIANTS, SLOTS, Status, VariantFields, slot_label};
use crate::experiments::results::{Comparison, Results, percent_interval, signed_percent};
use crate::experiments::store::{Experiment, Variant};
use crate::http::seo_routes::iso_date;
use leptos::prelude::*;

mod chart;

/// The list page.
pub fn list(csrf: String, experiments: Vec<Experiment>, notice: Option<String>) -> impl IntoView {
    let empty = experiments.is_empty();
    let rows = experiments
        .into_iter()
        .map(|e| {
            let href = format!("/admin/experiments/{}", e.id);
            let actions = actions(&csrf, &e, &[]);
            view! {
                <tr>
                    <td><a href=href>{e.name}</a></td>
                    <td>{slot_label(e.slot)}</td>
                    <td><span class=format!("badge badge--{}", e.status.key())>{e.status.key()}</span></td>
                    <td>{e.started_at.map(iso_date)}</td>
                    <td>{actions}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Experiments"</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        <p><a class="button button--primary" href="/admin/experiments/new">"New experiment"</a></p>
        {if empty {
            view! { <p>"No experiments yet."</p> }.into_any()
        } else {
            view! {
                {views::table(&["Name", "Slot", "Status", "Started"], Some("Actions"), rows)}
            }
                .into_any()
        }}
    }
}

/// The buttons for what can happen next (ship buttons only when `variants` are given).
fn actions(csrf: &str, e: &Experiment, variants: &[Variant]) -> impl IntoView + use<> {
    let action = format!("/admin/experiments/{}", e.id);
    let ops: &[(&str, &str)] = match e.status {
        Status::Draft => &[("start", "Start")],
        Status::Running => &[("pause", "Pause"), ("stop", "Stop")],
        Status::Paused => &[("start", "Resume"), ("stop", "Stop")],
        Status::Stopped => &[],
    };
    let shippable = matches!(e.status, Status::Running | Status::Paused);
    let buttons = ops
        .iter()
        .map(|(op, label)| {
            let aria = format!("{label} {}", e.name);
            view! {
                <form class="inline-form" method="post" action=action.clone()>
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <input type="hidden" name="op" value=*op/>
                    <button class="button" type="submit" aria-label=aria>{*label}</button>
                </form>
            }
        })
        .collect_view();
    let ships = variants
        .iter()
        .filter(|_| shippable)
        .map(|v| {
            let label = format!("Ship “{}”", v.name);
            view! {
                <form class="inline-form" method="post" action=action.clone()>
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <input type="hidden" name="op" value="ship"/>
                    <input type="hidden" name="variant" value=v.position.to_string()/>
                    <button class="button" type="submit">{label}</button>
                </form>
            }
        })
        .collect_view();
    view! { <div class="admin-actions">{buttons}{ships}</div> }
}

/// What the create form shows: what was typed, and what to fix.
#[derive(Clone, Debug, Default)]
pub struct NewForm {
    pub slot: String,
    pub name: String,
    pub variants: Vec<VariantFields>,
    pub error: Option<String>,
    pub warnings: Vec<&'static str>,
}

/// The create form: the slot, the name, and four variant fieldsets (the last two optional).
pub fn new_form(csrf: String, form: NewForm) -> impl IntoView {
    let NewForm {
        slot,
        name,
        mut variants,
        error,
        warnings,
    } = form;
    variants.resize(MAX_VARIANTS, VariantFields::default());
    let options = SLOTS
        .into_iter()
        .map(|s| view! { <option value=s.key() selected=slot == s.key()>{slot_label(s)}</option> })
        .collect_view();
    let fieldsets = variants
        .into_iter()
        .enumerate()
        .map(|(i, v)| variant_fieldset(i, v))
        .collect_view();
    view! {
        <h1>"New experiment"</h1>
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <Warnings words=warnings/>
        <form class="admin-form admin-form--wide" method="post" action="/admin/experiments">
            <input type="hidden" name="csrf" value=csrf/>
            <label for="slot">"Slot"</label>
            <select id="slot" name="slot">{options}</select>
            <label for="name">"Name"</label>
            <input id="name" name="name" required=true maxlength="80" value=name/>
            <p class="hint">"Variant 1 is the control. Fill in the fields of the slot you chose; weights are relative (1 and 1 split traffic evenly)."</p>
            {fieldsets}
            <button class="button button--primary" type="submit">"Save as draft"</button>
        </form>
    }
}

fn variant_fieldset(i: usize, v: VariantFields) -> impl IntoView {
    let id = |field: &str| format!("v{i}_{field}");
    let legend = if i < 2 {
        format!(
            "Variant {}{}",
            i + 1,
            if i == 0 { " (control)" } else { "" }
        )
    } else {
        format!("Variant {} (optional: leave the name empty to skip)", i + 1)
    };
    let weight = if v.weight.is_empty() && i < 2 {
        "1".to_string()
    } else {
        v.weight
    };
    let c = v.content;
    let input = move |field: &str, label: &str, value: String, max: &str| {
        let field_id = id(field);
        view! {
            <label for=field_id.clone()>{label.to_string()}</label>
            <input id=field_id.clone() name=field_id maxlength=max.to_string() value=value/>
        }
    };
    let select = move |field: &str, label: &str, value: String, options: &[(&str, &str)]| {
        let field_id = id(field);
        let options = options
            .iter()
            .map(|(v, l)| view! { <option value=*v selected=value == *v>{*l}</option> })
            .collect_view();
        view! {
            <label for=field_id.clone()>{label.to_string()}</label>
            <select id=field_id.clone() name=field_id>{options}</select>
        }
    };
    view! {
        <fieldset class="admin-fieldset">
            <legend>{legend}</legend>
            {input("name", "Variant name", v.name, "80")}
            {input("weight", "Weight", weight, "5")}
            <p class="hint">"Home page hero"</p>
            {input("headline", "Headline", c.headline, "80")}
            {input("copy", "Copy", c.copy, "240")}
            {input("cta_label", "Button label", c.cta_label, "40")}
            {input("cta_href", "Button link (a path such as /c/lights)", c.cta_href, "200")}
            {input("image", "Picture (optional; a path such as /images/p/85123.svg)", c.image, "200")}
            {input("image_alt", "Picture description (required with a picture)", c.image_alt, "240")}
            <p class="hint">"Product page layout"</p>
            {select("recs", "Recommendations", c.recs, &[("above", "Above the description"), ("below", "Below the description")])}
            <p class="hint">"Recommendation algorithm"</p>
            {select("algorithm", "Algorithm", c.algorithm, &[("model", "The trained model"), ("co-purchases", "Co-purchases")])}
        </fieldset>
    }
}

/// A warning box naming each banned superlative.
#[component]
fn Warnings(words: Vec<&'static str>) -> impl IntoView {
    (!words.is_empty()).then(|| {
        let items = words
            .into_iter()
            .map(|w| view! { <li>{copy_check::warning(w)}</li> })
            .collect_view();
        view! {
            <div class="notice notice--warning" role="alert">
                <p><strong>"Copy to rephrase"</strong></p>
                <ul>{items}</ul>
                <p>"The experiment can be saved, but it cannot start or be shipped until the copy is rephrased."</p>
            </div>
        }
    })
}

/// One experiment: its definition, what can happen next, and its results.
pub struct DetailPage {
    pub csrf: String,
    pub experiment: Experiment,
    pub variants: Vec<Variant>,
    pub results: Results,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub warnings: Vec<&'static str>,
}

pub fn detail(page: DetailPage) -> impl IntoView {
    let DetailPage {
        csrf,
        experiment: e,
        variants,
        results,
        notice,
        error,
        warnings,
    } = page;
    let actions = actions(&csrf, &e, &variants);
    let shipped = e
        .shipped_variant
        .and_then(|p| variants.iter().find(|v| v.position == p));
    let shipped = shipped.map(|v| format!("Shipped “{}”: it is now the slot's default.", v.name));
    let definition = variants
        .iter()
        .map(|v| {
            view! {
                <tr>
                    <td>{v.position + 1}</td>
                    <td>{v.name.clone()}</td>
                    <td>{v.weight}</td>
                    <td><code>{v.content.clone()}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>{e.name.clone()}</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <Warnings words=warnings/>
        <p>
            {slot_label(e.slot)} " · " <span class=format!("badge badge--{}", e.status.key())>{e.status.key()}</span>
            " · id " <code>{e.id.clone()}</code>
            {e.started_at.map(|t| format!(" · started {}", iso_date(t)))}
        </p>
        {shipped.map(|s| view! { <p>{s}</p> })}
        {actions}
        <h2>"Variants"</h2>
        {views::table(&["#", "Name", "Weight", "Content"], None, definition)}
        {results_view(results)}
    }
}

fn results_view(r: Results) -> impl IntoView {
    let arms = r
        .arms
        .iter()
        .map(|a| {
            let rate = a
                .counts
                .rate()
                .map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0));
            view! {
                <tr>
                    <th scope="row">{a.name.clone()}</th>
                    <td>{a.counts.visitors()}</td>
                    <td>{a.counts.conversions()}</td>
                    <td>{rate}</td>
                </tr>
            }
        })
        .collect_view();
    let srm = r.srm.as_ref().map(|s| {
        let text = format!("χ² = {:.2}, p = {}", s.chi_square, p_value(s.p_value));
        if s.srm_alert {
            view! {
                <div class="notice notice--error" role="alert">
                    <p><strong>"Sample ratio mismatch"</strong></p>
                    <p>"Visitors are not split the way the weights say (" {text} ", alert below p = 0.001). Something is dropping or misassigning visitors: do not trust these results until it is found."</p>
                </div>
            }
            .into_any()
        } else {
            view! { <p class="hint">"Traffic split matches the weights (" {text} ")."</p> }.into_any()
        }
    });
    let confidence = format!("{:.0}%", (1.0 - r.alpha) * 100.0);
    let comparisons = r
        .comparisons
        .into_iter()
        .map(|c| comparison_view(c, r.origin, confidence.clone()))
        .collect_view();
    view! {
        <section aria-labelledby="results-heading">
            <h2 id="results-heading">"Results"</h2>
            <p class="hint">"A conversion is an exposed visitor who added to cart or bought at or after their first exposure, counted once."</p>
            {srm}
            {views::table(&["Variant", "Visitors", "Conversions", "Rate"], None, arms)}
            {comparisons}
        </section>
    }
}

fn p_value(p: f64) -> String {
    if p < 1e-4 {
        "< 0.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

fn comparison_view(c: Comparison, origin: i64, confidence: String) -> impl IntoView {
    let heading = format!("“{}” against the control", c.name);
    let seq = c.sequential.map(|s| {
        let lift = s.lift.map_or("–".to_string(), signed_percent);
        let cs = s.lift_cs.map_or(
            "not yet (needs a conversion in each arm)".to_string(),
            percent_interval,
        );
        (lift, cs, p_value(s.p_value))
    });
    let fixed = c.z_test.map(|z| {
        let ci = z.lift_ci.map_or("–".to_string(), percent_interval);
        (ci, p_value(z.p_value))
    });
    let chart = (!c.chart.is_empty()).then(|| chart::lift_chart(&c, origin));
    view! {
        <section class="admin-comparison">
            <h3>{heading}</h3>
            {match (seq, fixed) {
                (Some((lift, cs, p)), Some((ci, zp))) => view! {
                    <dl class="admin-stats">
                        <dt>"Relative lift"</dt><dd>{lift}</dd>
                        <dt>{format!("{confidence} always-valid interval (mSPRT)")}</dt><dd>{cs}</dd>
                        <dt>"Always-valid p-value"</dt><dd>{p}</dd>
                        <dt>"Fixed-horizon z-test p-value (valid only at the planned sample size)"</dt><dd>{zp}</dd>
                        <dt>"Fixed-horizon 95% interval (valid only at the planned sample size)"</dt><dd>{ci}</dd>
                    </dl>
                    <p class="hint">"The always-valid interval (Johari et al., “Always Valid Inference”, 2022) may be read every day and the test stopped at any time. The fixed-horizon numbers are for comparison only: read daily, they cry wolf."</p>
                }
                    .into_any(),
                _ => view! { <p>"No comparison yet: both variants need visitors."</p> }.into_any(),
            }}
            {chart}
        </section>
    }
}
