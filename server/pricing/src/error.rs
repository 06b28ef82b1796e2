//! The pricing engine's one error enum. Invalid parameters and invalid observations are the
//! caller's to fix; a solver failure means "no estimate for this product" and the caller falls
//! back to the category's pooled estimate (see [`crate::demand`]).

/// Everything that can go wrong in the pricing engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PricingError {
    #[error("{name} must be a finite number > 0, got {value}")]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must be a finite number >= 0, got {value}")]
    Negative { name: &'static str, value: f64 },
    #[error("{name} must be a finite number in [{low}, {high}], got {value}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        low: f64,
        high: f64,
    },
    #[error("{name} must be at least 1")]
    Zero { name: &'static str },
    #[error("the ceiling {ceiling_minor} is below the margin floor {floor_minor}")]
    CeilingBelowFloor {
        floor_minor: i64,
        ceiling_minor: i64,
    },
    #[error("a price must be at least 1 minor unit, got {0}")]
    InvalidPrice(i64),
    #[error("the GLM fit did not converge to finite coefficients")]
    NotConverged,
    #[error("the Fisher information could not be inverted: {0}")]
    Linalg(#[from] linfa_linalg::LinalgError),
}

pub type Result<T> = std::result::Result<T, PricingError>;

pub(crate) fn positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(PricingError::NotPositive { name, value })
    }
}

pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(PricingError::Negative { name, value })
    }
}

pub(crate) fn within(name: &'static str, value: f64, low: f64, high: f64) -> Result<()> {
    if value.is_finite() && (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(PricingError::OutOfRange {
            name,
            value,
            low,
            high,
        })
    }
}
