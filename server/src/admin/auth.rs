//! Who is asking, and whether they may: the session cookie, the [`SignedIn`] extractor,
//! role and CSRF checks, the cross-origin check, and where to go after signing in.
//!
//! Cookies are HttpOnly, `SameSite=Strict`, `Path=/admin`, and `Secure` when the request came
//! over TLS. Refusals never say more than the person needs: a signed-out browser is sent to
//! the sign-in page (an API client gets 401), a wrong role or a missing CSRF token gets a 403
//! page, and nothing is changed.

use super::views::{self, Chrome};
use crate::http::{AppState, secure, see_other, wants_json};
use crate::staff::{Role, Session, session, tokens};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The session cookie.
pub const SESSION_COOKIE: &str = "vitrine_staff";
/// The sign-in form's double-submit CSRF cookie (there is no session to hold a token yet).
pub const LOGIN_CSRF_COOKIE: &str = "vitrine_login_csrf";
/// How long the sign-in form stays usable.
const LOGIN_CSRF_MAX_AGE: i64 = 60 * 60;

/// A signed-in staff member, extracted from the session cookie. Handlers that take it are
/// only reached with a live session; everyone else is refused here.
pub struct SignedIn {
    pub session: Session,
    /// The cookie's token (to end the session at sign-out).
    pub token: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let found = match &token {
            Some(t) => session::find(&state.db, t, crate::db::now()).await,
            None => Ok(None),
        };
        match (found, token) {
            (Ok(Some(session)), Some(token)) => Ok(SignedIn { session, token }),
            (Ok(_), had_cookie) => Err(signed_out(parts, had_cookie.is_some())),
            (Err(e), _) => {
                tracing::error!(error = %format!("{e:#}"), "session lookup failed");
                Err(unavailable(state))
            }
        }
    }
}

impl SignedIn {
    /// The frame of a page for this staff member.
    pub fn chrome(&self, state: &AppState) -> Chrome {
        Chrome {
            css: css(state),
            who: Some(self.session.clone()),
        }
    }

    /// The 403 page, unless the role includes `needed`.
    pub fn forbidden_unless(
        &self,
        needed: Role,
        state: &AppState,
        headers: &HeaderMap,
    ) -> Option<Response> {
        if self.session.role.includes(needed) {
            return None;
        }
        if wants_json(headers) {
            return Some(json(StatusCode::FORBIDDEN, "forbidden"));
        }
        Some(views::page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            self.chrome(state),
            || {
                views::message(
                    "Not allowed",
                    "Your role can't do this. Ask an admin if you need it.",
                    Some(("/admin", "Back to the console")),
                )
            },
        ))
    }

    /// The 403 page for a state-changing request, unless it comes from this site
    /// ([`same_origin`]) with this session's CSRF token `given`.
    pub fn csrf_refusal(
        &self,
        given: &str,
        state: &AppState,
        headers: &HeaderMap,
    ) -> Option<Response> {
        (!same_origin(headers) || !self.session.csrf_ok(given))
            .then(|| form_expired(state, headers))
    }

    /// The refusal of a state-changing request that needs the role `needed`: the role first
    /// ([`Self::forbidden_unless`]), then origin and token ([`Self::csrf_refusal`]).
    pub fn post_refusal(
        &self,
        needed: Role,
        given: &str,
        state: &AppState,
        headers: &HeaderMap,
    ) -> Option<Response> {
        self.forbidden_unless(needed, state, headers)
            .or_else(|| self.csrf_refusal(given, state, headers))
    }
}

/// The stylesheet the storefront links (none when the site was not built).
pub fn css(state: &AppState) -> Option<String> {
    state.assets.urls().css
}

/// 403 for a state-changing request without the right CSRF token (or from another origin).
pub fn form_expired(state: &AppState, headers: &HeaderMap) -> Response {
    if wants_json(headers) {
        return json(StatusCode::FORBIDDEN, "csrf");
    }
    views::page(
        StatusCode::FORBIDDEN,
        "Form expired",
        Chrome {
            css: css(state),
            who: None,
        },
        || {
            views::message(
                "This form expired",
                "This form expired; reload the page and try again.",
                Some(("/admin", "Back to the console")),
            )
        },
    )
}

/// 503 when the database cannot be reached.
pub fn unavailable(state: &AppState) -> Response {
    views::page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Unavailable",
        Chrome {
            css: css(state),
            who: None,
        },
        || {
            views::message(
                "The console is unavailable",
                "The console can't reach its database right now; try again in a moment.",
                None,
            )
        },
    )
}

/// A refused console change for a JSON client: `status` with the sentence a person reads.
pub fn json_message(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "ok": false, "message": message })),
    )
        .into_response()
}

pub fn json(status: StatusCode, code: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "ok": false, "code": code })),
    )
        .into_response()
}

/// Not signed in: 401 for API clients; a browser goes to the sign-in page, coming back to the
/// page it asked for (GET) or to the console (a form sent after the session ended).
fn signed_out(parts: &Parts, had_cookie: bool) -> Response {
    let mut res = if wants_json(&parts.headers) {
        json(StatusCode::UNAUTHORIZED, "signed_out")
    } else if parts.method == Method::GET || parts.method == Method::HEAD {
        let wanted = parts
            .uri
            .path_and_query()
            .map_or("/admin", |pq| pq.as_str());
        see_other(&format!("/admin/login?next={}", encode(wanted)))
    } else {
        see_other("/admin/login")
    };
    if had_cookie {
        clear_cookie(&mut res, SESSION_COOKIE, &parts.headers);
    }
    res
}

/// The value of cookie `name` in `headers`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    vitrine::ssr::cookie_value(headers, name)
}

/// Adds `Set-Cookie: name=value; Path=/admin; HttpOnly; SameSite=Strict[; Secure]`, with a
/// `Max-Age` when given.
pub fn set_cookie(
    res: &mut Response,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    request: &HeaderMap,
) {
    let max_age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let cookie = format!(
        "{name}={value}; Path=/admin{max_age}; HttpOnly; SameSite=Strict{}",
        secure(request)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Expires cookie `name` in the browser.
pub fn clear_cookie(res: &mut Response, name: &str, request: &HeaderMap) {
    set_cookie(res, name, "", Some(0), request);
}

/// The sign-in form's CSRF token: the browser's cookie if it is one we could have issued,
/// else a new one (`true`: set the cookie).
pub fn login_csrf(headers: &HeaderMap) -> anyhow::Result<(String, bool)> {
    match cookie(headers, LOGIN_CSRF_COOKIE).filter(|t| tokens::well_formed(t)) {
        Some(token) => Ok((token, false)),
        None => Ok((tokens::random_token()?, true)),
    }
}

pub fn set_login_csrf(res: &mut Response, token: &str, request: &HeaderMap) {
    set_cookie(
        res,
        LOGIN_CSRF_COOKIE,
        token,
        Some(LOGIN_CSRF_MAX_AGE),
        request,
    );
}

/// True when the sign-in form's token matches its cookie (double submit).
pub fn login_csrf_ok(headers: &HeaderMap, given: &str) -> bool {
    cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| tokens::well_formed(t))
        .is_some_and(|expected| tokens::same(&expected, given))
}

/// True unless the browser says the request came from another site: `Sec-Fetch-Site` other
/// than same-origin or none, or an `Origin` that is not this host. (Requests without either
/// header, such as from curl or old browsers, still need the CSRF token.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or("?"));
    if fetch_site.is_some_and(|site| site != "same-origin" && site != "none") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(authority) = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    }) else {
        return false; // "null", or not a web origin
    };
    ["host", "x-forwarded-host"].iter().any(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|host| host.eq_ignore_ascii_case(authority))
    })
}

/// Where to go after signing in: `next` when it is a console page on this site, else
/// `/admin`. Only paths that start with `/admin` are followed, so `next` cannot send anyone
/// to another site (`//evil.example`, `/\evil.example`, `https://...`) or back to sign-in.
pub fn safe_next(next: &str) -> &str {
    let ok = next.len() <= 512
        && (next == "/admin" || next.starts_with("/admin/") || next.starts_with("/admin?"))
        && !next.starts_with("/admin/login")
        && !next.contains("..")
        && !next.contains('\\')
        && !next.contains("//")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok { next } else { "/admin" }
}

/// Percent-encodes everything but unreserved characters and `/`, for a query value.
pub(super) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_are_followed_after_sign_in() {
        for good in [
            "/admin",
            "/admin/staff",
            "/admin?tab=1",
            "/admin/experiments/3",
        ] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "",
            "/",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/admin",
            "/administrator",
            "/admin/login",
            "/admin/login?next=/admin",
            "/admin/../checkout",
            "/admin//evil.example",
            "/admin/\nSet-Cookie: x",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), "/admin", "{bad:?}");
        }
    }

    #[test]
    fn next_targets_are_encoded_as_query_values() {
        assert_eq!(
            encode("/admin/staff?x=1&y=2"),
            "/admin/staff%3Fx%3D1%26y%3D2"
        );
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_origin_requests_are_recognised() {
        assert!(same_origin(&headers(&[("host", "shop.example")])));
        assert!(same_origin(&headers(&[
            ("host", "shop.example"),
            ("origin", "https://shop.example"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "shop.example"),
            ("origin", "https://evil.example"),
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "shop.example"),
            ("origin", "null")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "shop.example"),
            ("sec-fetch-site", "cross-site"),
        ])));
    }

    #[test]
    fn the_login_token_must_match_its_cookie() {
        let token = tokens::random_token().expect("entropy");
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{LOGIN_CSRF_COOKIE}={token}")).expect("header"),
        );
        assert!(login_csrf_ok(&h, &token));
        assert!(!login_csrf_ok(&h, ""));
        assert!(!login_csrf_ok(
            &h,
            &tokens::random_token().expect("entropy")
        ));
        assert!(!login_csrf_ok(&HeaderMap::new(), &token), "no cookie");
    }
}
