//! Vitrine's recommendation engine, a pure library: interactions in, a fitted model out, and
//! top-k lists answered from memory. It owns the models (popularity, EASE, iALS and their
//! ensemble), their checked hyperparameters, the offline evaluation protocol and the model
//! file format.
//!
//! It must never touch a database, a clock, a thread pool or the network: the server crate
//! loads interactions, decides when to train, and publishes (see `server/src/recs/`). Only the
//! server depends on it, so ndarray and linfa never reach the wasm bundle.
//!
//! ```
//! use linfa::ParamGuard;
//! use vitrine_recs::{Algorithm, Dataset, Event, Interaction, RecsParams, Signal};
//!
//! let buy = |user, item| Interaction { user, item, time: 0, signal: Signal::Purchase };
//! let data = Dataset {
//!     n_users: 3,
//!     n_items: 3,
//!     interactions: vec![buy(0, 0), buy(0, 1), buy(1, 0), buy(1, 1), buy(2, 2)],
//!     item_category: Vec::new(),
//!     item_titles: Vec::new(),
//! };
//! let model = RecsParams::new(Algorithm::Ease).check()?.fit(&data)?;
//! let history = [Event { item: 0, time: 0, signal: Signal::View }];
//! let top = model.recommend(&history, 1, |item| item == 0);
//! assert_eq!(top[0].item, 1);
//! # Ok::<(), vitrine_recs::RecsError>(())
//! ```

pub mod content;
mod data;
mod ease;
mod ensemble;
pub mod eval;
mod ials;
pub mod invoices;
mod io;
pub mod metrics;
mod model;
mod params;
mod popularity;
mod rank;
pub mod tune;

pub use data::{Dataset, Event, Interaction, Signal, SignalWeights, Weighting};
pub use ease::{ease_weights, inverse_spd};
pub use linfa::ParamGuard;
pub use model::Model;
pub use params::{
    Algorithm, EaseParams, EnsembleParams, IalsParams, RecsError, RecsParams, RecsValidParams,
    Result,
};
pub use popularity::Popularity;
pub use rank::Scored;
