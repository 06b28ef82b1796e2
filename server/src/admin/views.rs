//! The console's pages: Leptos components rendered to an HTML string on the server. There is
//! no hydration here (the console is not part of the storefront's wasm bundle); every action
//! is a plain HTML form, so the pages work without JavaScript.

use crate::staff::{AuditEntry, Role, Session, StaffMember, lockout};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// What every page's frame needs: the stylesheet and, when signed in, who is.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    pub css: Option<String>,
    pub who: Option<Session>,
}

/// Renders `body` inside the console's frame as a complete HTML response with `status`.
pub fn page<V: IntoView + 'static>(
    status: StatusCode,
    title: &str,
    chrome: Chrome,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    let title = format!("{title} · Vitrine console");
    let html = render(move || {
        view! {
            <Frame title=title css=chrome.css who=chrome.who>
                {body()}
            </Frame>
        }
    });
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Renders a console view to HTML (nothing on the console hydrates).
fn render<V: IntoView + 'static>(f: impl FnOnce() -> V) -> String {
    vitrine::ssr::render_static(f)
}

#[component]
fn Frame(
    title: String,
    css: Option<String>,
    who: Option<Session>,
    children: Children,
) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex, nofollow"/>
                <title>{title}</title>
                {css.map(|href| view! { <link rel="stylesheet" href=href/> })}
            </head>
            <body class="admin">
                <a class="skip-link" href="#main">"Skip to content"</a>
                <header class="site-header admin-header">
                    <div class="site-header__inner">
                        <a class="brand" href="/admin">"Vitrine console"</a>
                        {who.map(|who| view! { <Nav who=who/> })}
                    </div>
                </header>
                <main id="main" class="page admin-page">{children()}</main>
            </body>
        </html>
    }
}

#[component]
fn Nav(who: Session) -> impl IntoView {
    let is_admin = who.role == Role::Admin;
    view! {
        <nav class="admin-nav" aria-label="Console">
            <ul>
                <li><a href="/admin">"Home"</a></li>
                <li><a href="/admin/experiments">"Experiments"</a></li>
                <li><a href="/admin/dashboard">"Dashboard"</a></li>
                <li><a href="/admin/prices">"Prices"</a></li>
                <li><a href="/admin/promotions">"Promotions"</a></li>
                <li><a href="/admin/orders">"Orders"</a></li>
                <li><a href="/admin/stock">"Stock"</a></li>
                <li><a href="/admin/reviews">"Reviews"</a></li>
                {is_admin.then(|| view! { <li><a href="/admin/staff">"Staff"</a></li> })}
                <li><a href="/">"Store"</a></li>
            </ul>
        </nav>
        <p class="admin-who">
            <span>{who.email}</span>
            " "
            <span class="admin-role">{who.role.key()}</span>
        </p>
        <form class="admin-signout" method="post" action="/admin/logout">
            <input type="hidden" name="csrf" value=who.csrf_token/>
            <button class="button" type="submit">"Sign out"</button>
        </form>
    }
}

/// What the sign-in form shows.
#[derive(Clone, Debug, Default)]
pub struct LoginForm {
    pub csrf: String,
    pub next: String,
    pub email: String,
    pub error: Option<String>,
}

pub fn login(form: LoginForm) -> impl IntoView {
    let LoginForm {
        csrf,
        next,
        email,
        error,
    } = form;
    view! {
        <h1>"Sign in"</h1>
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <form class="admin-form" method="post" action="/admin/login">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="next" value=next/>
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="username" required=true value=email/>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required=true/>
            <button class="button button--primary" type="submit">"Sign in"</button>
        </form>
    }
}

pub fn home(
    who: Session,
    todo: Vec<(String, Option<String>)>,
    audit: Vec<AuditEntry>,
) -> impl IntoView {
    let role_text = match who.role {
        Role::Admin => "You are an admin: you can manage staff accounts.",
        Role::Marketer => "You are a marketer.",
    };
    let empty = todo.is_empty();
    let todo = todo
        .into_iter()
        .map(|(text, href)| match href {
            Some(href) => view! { <li><a href=href>{text}</a></li> }.into_any(),
            None => view! { <li>{text}</li> }.into_any(),
        })
        .collect_view();
    view! {
        <h1>"Console"</h1>
        <p>"Signed in as " <strong>{who.email}</strong> ". " {role_text}</p>
        <section aria-labelledby="todo-heading">
            <h2 id="todo-heading">"Waiting"</h2>
            {if empty {
                view! { <p data-testid="todo">"Nothing waits: no orders to pack, ship or take back, no emails to send."</p> }.into_any()
            } else {
                view! { <ul data-testid="todo">{todo}</ul> }.into_any()
            }}
        </section>
        <AuditTable entries=audit/>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let empty = entries.is_empty();
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td><time datetime=iso_time(e.at)>{utc(e.at)}</time></td>
                    <td>{e.actor}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.subject}</td>
                    <td>{e.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit log"</h2>
            <p class="hint">"The latest 50 changes, newest first."</p>
            {if empty {
                view! { <p>"Nothing has been changed yet."</p> }.into_any()
            } else {
                view! {
                    {table(&["When (UTC)", "Who", "Action", "Subject", "Detail"], None, rows)}
                }
                    .into_any()
            }}
        </section>
    }
}

/// What the staff page shows besides the list.
#[derive(Clone, Debug, Default)]
pub struct StaffForm {
    pub email: String,
    pub role: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

pub fn staff(who: Session, members: Vec<StaffMember>, form: StaffForm, now: i64) -> impl IntoView {
    let csrf = who.csrf_token.clone();
    let me = who.staff_id.clone();
    let rows = members
        .into_iter()
        .map(|m| {
            let status = if m.disabled {
                "Disabled".to_string()
            } else if let Some(min) = lockout::minutes_left(m.locked_until, now) {
                format!("Locked ({min} min)")
            } else {
                "Active".to_string()
            };
            let (op, label) = if m.disabled {
                ("enable", format!("Enable {}", m.email))
            } else {
                ("disable", format!("Disable {}", m.email))
            };
            let button = (m.id != me).then(|| {
                view! {
                    <form method="post" action="/admin/staff">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <input type="hidden" name="op" value=op/>
                        <input type="hidden" name="id" value=m.id.clone()/>
                        <button class="button" type="submit" aria-label=label>
                            {if m.disabled { "Enable" } else { "Disable" }}
                        </button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{m.email}</td>
                    <td>{m.role.key()}</td>
                    <td>{status}</td>
                    <td>{crate::http::seo_routes::iso_date(m.created_at)}</td>
                    <td>{button}</td>
                </tr>
            }
        })
        .collect_view();
    let StaffForm {
        email,
        role,
        notice,
        error,
    } = form;
    let admin_selected = role == "admin";
    view! {
        <h1>"Staff"</h1>
        {notice.map(|n| view! { <p class="notice notice--success" role="status">{n}</p> })}
        {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        {table(&["Email", "Role", "Status", "Added"], Some("Change"), rows)}
        <h2>"Add a staff member"</h2>
        <form class="admin-form" method="post" action="/admin/staff">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="op" value="add"/>
            <label for="new-email">"Email"</label>
            <input id="new-email" name="email" type="email" autocomplete="off" required=true value=email/>
            <label for="new-role">"Role"</label>
            <select id="new-role" name="role">
                <option value="marketer" selected=!admin_selected>"Marketer: experiments, dashboard, prices, promotions"</option>
                <option value="admin" selected=admin_selected>"Admin: also staff management"</option>
            </select>
            <label for="new-password">"Password"</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password" minlength="12" required=true aria-describedby="new-password-hint"/>
            <p id="new-password-hint" class="hint">"At least 12 characters. Share it with them privately."</p>
            <button class="button button--primary" type="submit">"Add"</button>
        </form>
    }
}

/// A one-button form posting `op` (with the CSRF token and `fields`) to the console page at
/// `action`: the row actions of the prices and promotions screens.
pub fn action_button(
    action: &'static str,
    csrf: &str,
    op: &'static str,
    fields: Vec<(&'static str, String)>,
    label: String,
    aria: String,
) -> impl IntoView + use<> {
    let hidden = fields
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view();
    view! {
        <form class="inline-form" method="post" action=action>
            <input type="hidden" name="csrf" value=csrf.to_string()/>
            <input type="hidden" name="op" value=op/>
            {hidden}
            <button class="button" type="submit" aria-label=aria>{label}</button>
        </form>
    }
}

/// A console table in its scrolling wrapper: a header row of `columns`, then, when `actions`
/// names it, a last column of row buttons whose heading only screen readers hear.
pub fn table(
    columns: &'static [&'static str],
    actions: Option<&'static str>,
    rows: impl IntoView,
) -> impl IntoView {
    let headings = columns
        .iter()
        .map(|c| view! { <th scope="col">{*c}</th> })
        .collect_view();
    let actions = actions.map(|a| {
        view! { <th scope="col"><span class="visually-hidden">{a}</span></th> }
    });
    view! {
        <div class="admin-table-wrap">
            <table class="admin-table">
                <thead>
                    <tr>{headings}{actions}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A page that only says something: refusals, errors.
pub fn message(heading: &str, text: &str, link: Option<(&str, &str)>) -> impl IntoView {
    let heading = heading.to_string();
    let text = text.to_string();
    let link = link.map(|(href, label)| (href.to_string(), label.to_string()));
    view! {
        <h1>{heading}</h1>
        <p>{text}</p>
        {link.map(|(href, label)| view! { <p><a href=href>{label}</a></p> })}
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) of unix seconds.
pub(super) fn utc(at: i64) -> String {
    let secs = at.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        crate::http::seo_routes::iso_date(at),
        secs / 3600,
        (secs % 3600) / 60
    )
}

fn iso_time(at: i64) -> String {
    let secs = at.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::http::seo_routes::iso_date(at),
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(utc(1_291_191_960), "2010-12-01 08:26");
        assert_eq!(iso_time(1_291_191_960), "2010-12-01T08:26:00Z");
    }

    #[test]
    fn pages_have_a_plain_title_and_no_hydration_markers() {
        let html = render(|| {
            view! {
                <Frame title="Staff · Vitrine console".to_string() css=None who=None>
                    <p>"a" {"b"} "c"</p>
                </Frame>
            }
        });
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(
            html.contains("<title>Staff · Vitrine console</title>"),
            "{html}"
        );
        assert!(html.contains("<p>abc</p>"), "{html}");
    }

    #[test]
    fn the_sign_in_page_escapes_what_was_typed() {
        let html = render(|| {
            login(LoginForm {
                csrf: "t".into(),
                next: "/admin".into(),
                email: "\"><script>x</script>".into(),
                error: Some("<b>no</b>".into()),
            })
        });
        assert!(!html.contains("<script>x"), "{html}");
        assert!(!html.contains("<b>no</b>"), "{html}");
        assert!(html.contains("name=\"csrf\" value=\"t\""), "{html}");
        assert!(!html.contains("<!>"), "no hydration markers: {html}");
    }
}
