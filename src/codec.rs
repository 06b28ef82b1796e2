//! The codec page data travels in from the server-rendered page to the hydrating browser.
//!
//! It is JSON, as with Leptos' default `JsonSerdeCodec`, with one difference that matters for
//! the bundle: it decodes with `serde_json::from_slice`, the reader server functions already
//! use for their responses. With the default codec every page-data type was deserialised by
//! two copies of the same code (serde_json's `StrRead` for the page, `SliceRead` for a server
//! function's answer); one reader means one copy (see the README's bundle notes).

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, decoded from bytes. Use it through [`page_resource`] and [`PageResource`].
pub struct PageJson;

impl<T: Serialize> Encoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// A resource whose value reaches the browser in [`PageJson`].
pub type PageResource<T> = Resource<T, PageJson>;

/// `Resource::new`, in [`PageJson`]: tracks `source`, runs `fetcher` on the server for the
/// first render, and hands the browser the serialised value instead of running it again.
#[track_caller]
pub fn page_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageResource<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Page {
        title: String,
        price_minor: i64,
    }

    #[test]
    fn what_the_server_encodes_the_browser_decodes() {
        let page = Page {
            title: "Heart <tin> & \"co\"".into(),
            price_minor: 1_295,
        };
        let encoded = <PageJson as Encoder<Page>>::encode(&page).expect("encodes");
        let back: Page = <PageJson as Decoder<Page>>::decode(&encoded).expect("decodes");
        assert_eq!(back, page);
        assert!(<PageJson as Decoder<Page>>::decode("{\"title\": 1}").is_err());
    }
}
