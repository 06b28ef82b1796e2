//! The codec page data travels in, from the server to the hydrating browser.
//!
//! Page data is [postcard](https://docs.rs/postcard) (a compact binary serde format: fields in
//! declaration order, no names), written into the page as unpadded standard base64. Server
//! functions answer in the same format (`#[server(output = crate::codec::Postcard)]`), so each page-data
//! type is decoded by one deserialiser in the bundle, whichever way it arrives. JSON would
//! cost the bundle far more: serde_json's generated code matches every field by name and
//! carries a text parser with float parsing (see the README's bundle notes for the sizes).
//!
//! Postcard is not self-describing, so page-data types must not use serde attributes that need
//! it (`untagged` or internally tagged enums, `flatten`, `skip_serializing_if`); a test below
//! holds each kind of shape the pages use.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The server-function encoding of page data: `#[server(output = crate::codec::Postcard)]`.
pub use leptos::server_fn::codec::Postcard;

/// Postcard in base64. Use it through [`page_resource`] and [`PageResource`].
pub struct PagePostcard;

/// Why page data could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum PageDataError {
    #[error("page data is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("page data does not match its type: {0}")]
    Postcard(#[from] postcard::Error),
}

impl<T: Serialize> Encoder<T> for PagePostcard {
    type Error = PageDataError;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, PageDataError> {
        Ok(STANDARD_NO_PAD.encode(postcard::to_allocvec(value)?))
    }
}

impl<T: DeserializeOwned> Decoder<T> for PagePostcard {
    type Error = PageDataError;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, PageDataError> {
        Ok(postcard::from_bytes(&STANDARD_NO_PAD.decode(encoded)?)?)
    }
}

/// A resource whose value reaches the browser in [`PagePostcard`].
pub type PageResource<T> = Resource<T, PagePostcard>;

/// `Resource::new`, in [`PagePostcard`]: tracks `source`, runs `fetcher` on the server for the
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
    #[cfg(feature = "ssr")]
    let fetcher = {
        let at = std::panic::Location::caller();
        move |s| watched(at, fetcher(s))
    };
    Resource::new_with_options(source, fetcher, false)
}

/// How long page data may take on the server before it is logged as slow.
#[cfg(feature = "ssr")]
const SLOW_PAGE_DATA: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a page's data future on the server, logging (with the page's source location, never
/// the request) each time it has been pending for another [`SLOW_PAGE_DATA`], and at debug
/// level when it starts and finishes: when a page times out (`page timed out` in the log),
/// these lines say whether its data was still loading, had finished (the render stalled), or
/// never started (Leptos parked it: how the route-generation hang showed itself, see
/// `http::page_routes` in the server).
#[cfg(feature = "ssr")]
async fn watched<T>(
    at: &'static std::panic::Location<'static>,
    data: impl Future<Output = T>,
) -> T {
    let started = std::time::Instant::now();
    tracing::debug!(resource = %at, "page data started");
    let mut data = std::pin::pin!(data);
    loop {
        match tokio::time::timeout(SLOW_PAGE_DATA, data.as_mut()).await {
            Ok(value) => {
                let waited = started.elapsed();
                let millis = waited.as_millis() as u64;
                if waited >= SLOW_PAGE_DATA {
                    tracing::warn!(resource = %at, millis, "slow page data finished");
                } else {
                    tracing::debug!(resource = %at, millis, "page data finished");
                }
                return value;
            }
            Err(_) => {
                let millis = started.elapsed().as_millis() as u64;
                tracing::warn!(resource = %at, millis, "page data still loading");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StoreError;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    enum Lookup {
        Found(Box<Page>),
        Moved { slug: String },
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Page {
        title: String,
        price_minor: i64,
        was_minor: Option<i64>,
        #[serde(default)]
        tags: Vec<String>,
        rating: f32,
    }

    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + DeserializeOwned,
    {
        let encoded = <PagePostcard as Encoder<T>>::encode(value).expect("encodes");
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'),
            "{encoded} is safe to write into a page as it is"
        );
        <PagePostcard as Decoder<T>>::decode(&encoded).expect("decodes")
    }

    #[test]
    fn what_the_server_encodes_the_browser_decodes() {
        let page = Page {
            title: "Heart <tin> & \"co\" </script>".into(),
            price_minor: -1_295,
            was_minor: Some(1_500),
            tags: vec!["retrospot".into(), String::new()],
            rating: 4.5,
        };
        let found: Result<Lookup, StoreError> = Ok(Lookup::Found(Box::new(page)));
        assert_eq!(round_trip(&found), found);
        let moved: Result<Lookup, StoreError> = Ok(Lookup::Moved { slug: "b".into() });
        assert_eq!(round_trip(&moved), moved);
        let error: Result<Lookup, StoreError> = Err(StoreError::Invalid("Too many".into()));
        assert_eq!(round_trip(&error), error);
    }

    #[test]
    fn damaged_page_data_is_an_error_not_a_wrong_value() {
        let encoded = <PagePostcard as Encoder<Page>>::encode(&Page {
            title: "Doormat".into(),
            price_minor: 795,
            was_minor: None,
            tags: vec![],
            rating: 0.0,
        })
        .expect("encodes");
        let decode = |s: &str| <PagePostcard as Decoder<Page>>::decode(s);
        assert!(matches!(
            decode("{\"title\":1}"),
            Err(PageDataError::Base64(_))
        ));
        assert!(matches!(
            decode(&encoded[..encoded.len() - 4]),
            Err(PageDataError::Postcard(_))
        ));
    }
}
