//! The privacy page (`/privacy`) and its switch "Personalised recommendations: on/off".
//!
//! The switch is a plain form (`POST /privacy/personalise`) that sets the `personalise` cookie,
//! so it works with JavaScript off. With it off, or with the browser's Global Privacy Control
//! signal (`Sec-GPC: 1`), nothing the visitor does is recorded and they get the
//! non-personalised lists (China's E-Commerce Law Art. 18 asks for such an option).

use crate::codec::page_resource;
use crate::error::StoreError;
use crate::layout::page_data;
use crate::seo::PageHead;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie the switch sets: `off` turns personalisation off; anything else leaves it on.
pub const PERSONALISE_COOKIE: &str = "personalise";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyView {
    /// The switch's position.
    pub personalised: bool,
    /// The browser sends Global Privacy Control, which wins over the switch.
    pub gpc: bool,
}

#[cfg(feature = "ssr")]
impl PrivacyView {
    /// The switch's cookie and the `Sec-GPC` header of a request: the one reading of both that
    /// the page and the server's profiling rule share.
    pub fn of(headers: &http::HeaderMap) -> Self {
        PrivacyView {
            personalised: crate::ssr::cookie_value(headers, PERSONALISE_COOKIE).as_deref()
                != Some("off"),
            gpc: headers
                .get("sec-gpc")
                .is_some_and(|v| v.as_bytes().trim_ascii() == b"1"),
        }
    }
}

#[server(output = crate::codec::Postcard)]
pub async fn get_privacy() -> Result<PrivacyView, StoreError> {
    let headers: http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| StoreError::Unavailable)?;
    Ok(PrivacyView::of(&headers))
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let privacy = page_resource(|| (), |_| get_privacy());
    view! {
        <PageHead title="Privacy and personalisation".to_string() description="What Vitrine records about your visit, and the switch for personalised recommendations.".to_string() canonical=None base_url=String::new() noindex=true/>
        <h1>"Privacy and personalisation"</h1>
        <p>"Vitrine gives your browser a random visitor number (a cookie) so your cart and pages work. With personalised recommendations on, it also notes which products you look at, add to your cart and buy, under that number only, to suggest others. It never records your name or address with them, and never changes a price for you: everyone sees the same prices. A review you write shows the name you type; it is kept with its order, not with your email."</p>
        {page_data(privacy, |p| view! { <Switch privacy=p/> })}
    }
}

#[component]
fn Switch(privacy: PrivacyView) -> impl IntoView {
    let (state, next, button) = if privacy.personalised {
        ("on", "off", "Turn personalised recommendations off")
    } else {
        ("off", "on", "Turn personalised recommendations on")
    };
    view! {
        <p data-testid="personalise-state"><strong>{format!("Personalised recommendations: {state}")}</strong></p>
        {privacy.gpc.then(|| view! {
            <p class="notice" role="status">"Your browser asks sites not to track you (Global Privacy Control), so nothing is recorded and recommendations are not personalised, whatever the switch says."</p>
        })}
        <form method="post" action="/privacy/personalise">
            <input type="hidden" name="value" value=next/>
            <button type="submit" class="button" data-testid="personalise-switch">{button}</button>
        </form>
    }
}
