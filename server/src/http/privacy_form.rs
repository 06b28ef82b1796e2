//! `POST /privacy/personalise` (`value=on|off`): the switch of the privacy page. Sets the
//! `personalise` cookie for a year and answers with a 303 back to `/privacy`.

use super::see_other;
use axum::Form;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;
use vitrine::privacy::PERSONALISE_COOKIE;

const MAX_AGE: u32 = 60 * 60 * 24 * 365;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    value: String,
}

pub async fn personalise(headers: HeaderMap, Form(form): Form<SwitchForm>) -> Response {
    let value = if form.value == "off" { "off" } else { "on" };
    let mut res = see_other("/privacy");
    let cookie = format!(
        "{PERSONALISE_COOKIE}={value}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax{}",
        super::secure(&headers)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
