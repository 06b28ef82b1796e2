//! Recommendations on the server side: loading purchases from the database into the engine's
//! [`vitrine_recs::Dataset`], training and evaluating candidates off the request path,
//! publishing model versions (a `model_versions` row plus a file), loading the latest one at
//! start, and the serving handle whose model swaps atomically.
//!
//! The engine itself (models, metrics, the evaluation protocol) lives in the `vitrine-recs`
//! crate; this module must never do numeric work of its own, and never train on a request
//! path (training runs under `spawn_blocking`).

pub mod cli;
mod data;
mod publish;
pub mod schedule;
mod serving;
mod train;

pub use data::{Interactions, UserKey, load_interactions};
pub use publish::{Published, default_models_dir, load_published, publish};
pub use serving::{RecsHandle, Served, StemEvent};
pub use train::{TrainOptions, TrainOutcome, default_candidates, evaluate_benchmark, train};
