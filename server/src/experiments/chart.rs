//! The series behind the results page's "cumulative lift over time" chart: one point per
//! day, from the day's new counts, with the lift and its sequential interval on the
//! cumulative counts up to that day. Owns the accumulation only; the statistics come from
//! [`super::sequential`], the SVG from the console.
//!
//! Each day's confidence-sequence value is valid even though the chart shows all of them
//! (that is what "always valid" buys), so a marketer may read the latest point at any time.

use serde::Serialize;

use super::counts::Counts;
use super::sequential::{MsprtParams, SequentialTest, sequential_test};

/// New visitors and conversions of one day, per arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DailyCounts {
    pub control: Counts,
    pub treatment: Counts,
}

/// One point of the chart: cumulative counts at the end of `day` and the test on them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LiftPoint {
    /// Days since the experiment started, from 0.
    pub day: usize,
    pub control: Counts,
    pub treatment: Counts,
    /// `None` until both arms have a visitor.
    pub test: Option<SequentialTest>,
    /// The smallest always-valid p-value so far: the paper's monotone p-value process, which
    /// never "un-rejects" once it has crossed α.
    pub running_p_value: f64,
}

/// The cumulative lift and its sequential interval for each of `daily`'s days, in order.
pub fn cumulative_lift(daily: &[DailyCounts], params: &MsprtParams) -> Vec<LiftPoint> {
    let mut control = Counts::default();
    let mut treatment = Counts::default();
    let mut running_p_value: f64 = 1.0;
    daily
        .iter()
        .enumerate()
        .map(|(day, today)| {
            control = control.plus(today.control);
            treatment = treatment.plus(today.treatment);
            let test = sequential_test(control, treatment, params).ok();
            if let Some(test) = test {
                running_p_value = running_p_value.min(test.p_value);
            }
            LiftPoint {
                day,
                control,
                treatment,
                test,
                running_p_value,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Counts, DailyCounts, MsprtParams, cumulative_lift};

    fn day(c: (u64, u64), t: (u64, u64)) -> DailyCounts {
        DailyCounts {
            control: Counts::new(c.0, c.1).expect("valid"),
            treatment: Counts::new(t.0, t.1).expect("valid"),
        }
    }

    #[test]
    fn accumulates_days_and_tests_the_totals() {
        let params = MsprtParams::default();
        let days = [
            day((0, 0), (0, 0)),
            day((1_000, 50), (1_000, 60)),
            day((1_000, 50), (1_000, 70)),
        ];
        let points = cumulative_lift(&days, &params);
        assert_eq!(points.len(), 3);

        assert_eq!(points[0].test, None);
        assert_eq!(points[0].running_p_value, 1.0);

        let last = &points[2];
        assert_eq!(last.day, 2);
        assert_eq!(last.control, Counts::new(2_000, 100).expect("valid"));
        assert_eq!(last.treatment, Counts::new(2_000, 130).expect("valid"));
        let test = last.test.expect("both arms have visitors");
        let expected =
            super::super::sequential::sequential_test(last.control, last.treatment, &params)
                .expect("test");
        assert_eq!(test, expected);
        // Lift 130/100 - 1 = 30%, inside its own (wide, early) sequential interval.
        let lift = test.lift.expect("control converted");
        assert!((lift - 0.3).abs() < 1e-12);
        let cs = test.lift_cs.expect("both converted");
        assert!(cs.low < lift && lift < cs.high);
        assert!(last.running_p_value <= points[1].running_p_value);
    }

    #[test]
    fn running_p_value_never_increases() {
        let params = MsprtParams::default();
        // A strong early effect that fades: the running p-value keeps its minimum.
        let days = [
            day((2_000, 100), (2_000, 180)),
            day((2_000, 120), (2_000, 60)),
            day((2_000, 100), (2_000, 100)),
        ];
        let points = cumulative_lift(&days, &params);
        for pair in points.windows(2) {
            assert!(pair[1].running_p_value <= pair[0].running_p_value);
        }
        let last = points[2].test.expect("has visitors");
        assert!(points[2].running_p_value < last.p_value);
    }
}
