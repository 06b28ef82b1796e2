//! What crawlers read: `<title>`, meta description, canonical URL, OpenGraph and JSON-LD.
//!
//! Every page renders its head through [`PageHead`], so no page can forget a canonical URL or
//! ship a title without the store's name. JSON-LD is escaped here so catalogue text can never
//! close the `<script>` it lives in.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Script, Title};

pub const SITE_NAME: &str = "Vitrine";

#[component]
pub fn PageHead(
    title: String,
    description: String,
    /// Absolute canonical URL; `None` for pages that have none (errors).
    canonical: Option<String>,
    /// Absolute base URL of the site, for OpenGraph images.
    base_url: String,
    #[prop(optional)] noindex: bool,
    #[prop(optional)] og_type: Option<&'static str>,
    /// Site-relative image path for OpenGraph.
    #[prop(optional)]
    image: Option<String>,
) -> impl IntoView {
    let full_title = format!("{title} · {SITE_NAME}");
    let head_title = title_text(&full_title);
    let image = image.map(|path| format!("{base_url}{path}"));
    view! {
        <Title text=head_title/>
        <Meta name="description" content=description.clone()/>
        {noindex.then(|| view! { <Meta name="robots" content="noindex, follow"/> })}
        {canonical.clone().map(|href| view! {
            <Link rel="canonical" href=href.clone()/>
            <Meta property="og:url" content=href/>
        })}
        <Meta property="og:site_name" content=SITE_NAME/>
        <Meta property="og:title" content=full_title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:type" content=og_type.unwrap_or("website")/>
        {image.map(|src| view! { <Meta property="og:image" content=src/> })}
    }
}

/// Text for `<Title>`. leptos_meta writes the title into the server's HTML unescaped, so a
/// search for `</title><script>` could otherwise end the element; on the server the text is
/// escaped here (the browser decodes it back), in the browser it is set as plain text.
pub fn title_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text.to_string()
    }
}

/// A JSON-LD document, serialised on the server (script-safe, see [`json_for_script`]) and
/// carried to the browser as text: the bundle copies it into the page and never builds JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LdJson(String);

impl LdJson {
    pub fn new(value: &serde_json::Value) -> Self {
        LdJson(json_for_script(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A JSON-LD block in the head.
#[component]
pub fn JsonLd(value: LdJson) -> impl IntoView {
    view! { <Script type_="application/ld+json">{value.0}</Script> }
}

/// Serialises JSON so it is safe inside `<script>`: `<`, `>` and `&` become `\u003c` etc.,
/// which JSON parsers read back as the same characters.
pub fn json_for_script(value: &serde_json::Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// schema.org `BreadcrumbList` for `(name, absolute url)` pairs.
pub fn breadcrumb_list(items: &[(String, String)]) -> serde_json::Value {
    let elements: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, (name, url))| {
            serde_json::json!({ "@type": "ListItem", "position": i + 1, "name": name, "item": url })
        })
        .collect();
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": elements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_text_cannot_close_the_script() {
        let v = serde_json::json!({ "name": "</script><script>alert(1)</script> & co" });
        let s = json_for_script(&v);
        assert_eq!(LdJson::new(&v).as_str(), s);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
    }

    #[test]
    #[cfg(feature = "ssr")]
    fn titles_cannot_end_their_element() {
        assert_eq!(
            title_text("a </title><script>&"),
            "a &lt;/title&gt;&lt;script&gt;&amp;"
        );
    }

    #[test]
    fn breadcrumbs_are_numbered_from_one() {
        let v = breadcrumb_list(&[
            ("Home".into(), "https://x/".into()),
            ("Mugs".into(), "https://x/c/mugs".into()),
        ]);
        assert_eq!(v["itemListElement"][0]["position"], 1);
        assert_eq!(v["itemListElement"][1]["item"], "https://x/c/mugs");
    }
}
