//! The one error type that crosses from server to browser.
//!
//! Variants say what a shopper can act on; infrastructure failures arrive as the opaque
//! `Unavailable` (the server logs the cause, the browser never sees it).

use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum StoreError {
    #[error("We couldn't find that page.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("The store is having trouble right now. Please try again in a moment.")]
    Unavailable,
    #[error("The connection to the store failed ({0}). Please try again.")]
    Transport(String),
}

impl StoreError {
    /// The HTTP status a page showing this error should answer with.
    pub fn status(&self) -> u16 {
        match self {
            StoreError::NotFound => 404,
            StoreError::Invalid(_) => 400,
            StoreError::Unavailable | StoreError::Transport(_) => 503,
        }
    }
}

impl FromServerFnError for StoreError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        StoreError::Transport(value.to_string())
    }
}
