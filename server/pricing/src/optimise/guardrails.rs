//! Guardrails, linfa-style: [`GuardrailsParams`] is the builder a caller fills from a variant's
//! settings, [`Guardrails`] the checked copy that [`super::propose`] accepts.
//!
//! The fractions (minimum margin, maximum daily change) are resolved to parts per million and
//! all price arithmetic is integer, rounded inwards (the floor up, the step band inwards), so a
//! price the optimiser allows is allowed by the exact real-number rule too.

use crate::error::{PricingError, Result, within};
use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

/// Checked guardrails of one variant; only [`GuardrailsParams::check`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Guardrails {
    cost_minor: i64,
    min_margin: f64,
    ceiling_minor: i64,
    max_daily_change: f64,
    max_changes_per_week: u32,
    promotion_active: bool,
    kill_switch: bool,
}

/// The unchecked builder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GuardrailsParams(Guardrails);

const PPM: i128 = 1_000_000;

impl GuardrailsParams {
    /// A variant's unit cost and price ceiling, with the defaults: a 10% minimum margin over
    /// cost, at most ±10% per day (issue 5), at most 3 changes in any 7 days, no promotion,
    /// kill switch off.
    pub fn new(cost_minor: i64, ceiling_minor: i64) -> Self {
        GuardrailsParams(Guardrails {
            cost_minor,
            min_margin: 0.10,
            ceiling_minor,
            max_daily_change: 0.10,
            max_changes_per_week: 3,
            promotion_active: false,
            kill_switch: false,
        })
    }
    /// Lowest allowed price as a fraction over cost: the floor is `cost × (1 + min_margin)`.
    pub fn min_margin(mut self, fraction: f64) -> Self {
        self.0.min_margin = fraction;
        self
    }
    /// Largest move per day as a fraction of the current price, in (0, 1).
    pub fn max_daily_change(mut self, fraction: f64) -> Self {
        self.0.max_daily_change = fraction;
        self
    }
    /// Changes allowed in any 7 consecutive days (0: the engine never changes this variant).
    pub fn max_changes_per_week(mut self, changes: u32) -> Self {
        self.0.max_changes_per_week = changes;
        self
    }
    /// A promotion on this variant is running: its price is the promotion's, not the engine's.
    pub fn promotion_active(mut self, active: bool) -> Self {
        self.0.promotion_active = active;
        self
    }
    /// The global kill switch: no automated change anywhere.
    pub fn kill_switch(mut self, on: bool) -> Self {
        self.0.kill_switch = on;
        self
    }
    /// The current (unchecked) values.
    pub fn values(&self) -> &Guardrails {
        &self.0
    }
}

impl ParamGuard for GuardrailsParams {
    type Checked = Guardrails;
    type Error = PricingError;

    fn check_ref(&self) -> Result<&Guardrails> {
        let g = &self.0;
        if g.cost_minor < 0 {
            return Err(PricingError::Negative {
                name: "cost_minor",
                value: g.cost_minor as f64,
            });
        }
        within("min_margin", g.min_margin, 0.0, 100.0)?;
        if !(g.max_daily_change > 0.0 && g.max_daily_change < 1.0) {
            return Err(PricingError::OutOfRange {
                name: "max_daily_change",
                value: g.max_daily_change,
                low: 0.0,
                high: 1.0,
            });
        }
        if g.floor_minor() > g.ceiling_minor {
            return Err(PricingError::CeilingBelowFloor {
                floor_minor: g.floor_minor(),
                ceiling_minor: g.ceiling_minor,
            });
        }
        Ok(g)
    }

    fn check(self) -> Result<Guardrails> {
        self.check_ref()?;
        Ok(self.0)
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

fn to_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

impl Guardrails {
    pub fn cost_minor(&self) -> i64 {
        self.cost_minor
    }
    pub fn min_margin(&self) -> f64 {
        self.min_margin
    }
    pub fn ceiling_minor(&self) -> i64 {
        self.ceiling_minor
    }
    pub fn max_daily_change(&self) -> f64 {
        self.max_daily_change
    }
    pub fn max_changes_per_week(&self) -> u32 {
        self.max_changes_per_week
    }
    pub fn promotion_active(&self) -> bool {
        self.promotion_active
    }
    pub fn kill_switch(&self) -> bool {
        self.kill_switch
    }

    /// `⌈cost × (1 + min_margin)⌉`, at least 1 minor unit. The margin is rounded up to whole
    /// parts per million first.
    pub fn floor_minor(&self) -> i64 {
        let margin_ppm = (self.min_margin * 1e6).ceil() as i128;
        let floor = ceil_div(i128::from(self.cost_minor) * (PPM + margin_ppm), PPM);
        to_i64(floor).max(1)
    }

    /// The prices reachable today from `current_minor` under the daily step alone:
    /// `[⌈current × (1 − m)⌉, ⌊current × (1 + m)⌋]`, with `m` rounded down to whole ppm.
    pub fn step_band(&self, current_minor: i64) -> (i64, i64) {
        let step_ppm = (self.max_daily_change * 1e6).floor() as i128;
        let current = i128::from(current_minor);
        let low = ceil_div(current * (PPM - step_ppm), PPM);
        let high = (current * (PPM + step_ppm)).div_euclid(PPM);
        (to_i64(low).max(1), to_i64(high))
    }
}
