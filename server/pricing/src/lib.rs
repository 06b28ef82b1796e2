//! Vitrine's pricing engine, a pure library: price history in, the honest "was" price out;
//! daily sales in, a demand model out; a demand model and a variant's guardrails in, a
//! proposed price out; and the simulator that benchmarks all of it (issue 5).
//!
//! - [`history`]: the lowest price of the 30 days before a reduction (EU Directive 98/6/EC
//!   Art. 6a, CJEU C-330/23) and whether a reduction may be announced at all.
//! - [`demand`]: a Poisson GLM (log link, Newton/IRLS on linfa-linalg) of daily
//!   units on log(price), weekday and trend; elasticity with a Fisher interval, pooled by
//!   category.
//! - [`optimise`]: the profit-maximising price inside the guardrails, with Thompson sampling
//!   where data is thin.
//! - [`simulate`]: the benchmark against known demand curves (`vitrine simulate-pricing`).
//!
//! It must never touch a database, a clock, the network or an async runtime, and never take
//! anything about a shopper as input: a price is per variant and the same for everyone at a
//! given moment (PIPL Art. 24). The server loads orders and price history, decides when to run,
//! and records every change in price history and the audit log.
//!
//! ```
//! use vitrine_pricing::demand::{DailySales, DemandParams};
//! use vitrine_pricing::optimise::{propose, Exploration, GuardrailsParams};
//! use vitrine_pricing::ParamGuard;
//!
//! // Two weeks at 10.00 then two at 11.00: the higher price sold less.
//! let sales: Vec<DailySales> = (0..28)
//!     .map(|d| {
//!         let (price_minor, units) = if d < 14 { (1000, 20) } else { (1100, 16) };
//!         DailySales { day: 19_723 + d, price_minor, units }
//!     })
//!     .collect();
//! let params = DemandParams::default().check()?;
//! let model = params.fit(&sales)?;
//! let prior = params.pool([&model]); // one fitted variant: the default prior
//! let estimate = params.estimate(&model, &prior, 1100);
//! let guardrails = GuardrailsParams::new(600, 2000).check()?;
//! let proposal = propose(&guardrails, 1100, 1, &estimate, Exploration::Greedy)?;
//! assert!((990..=1210).contains(&proposal.proposed_minor));
//! # Ok::<(), vitrine_pricing::PricingError>(())
//! ```

pub mod demand;
mod error;
pub mod history;
pub mod optimise;
pub mod simulate;

pub use error::{PricingError, Result};
pub use linfa::ParamGuard;
