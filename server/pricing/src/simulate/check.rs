//! The independent guardrail checker: it reads a finished price path and counts the days that
//! broke a rule, in plain real-number arithmetic, without calling the optimiser's band code.
//! A policy that asks the optimiser for its prices cannot mark its own homework.

use super::{SimConfig, SyntheticProduct, kill_switch_on};

/// Rules broken by `prices` (one per simulated day) of `product` under `config`; each rule
/// broken on a day counts once.
///
/// - below `cost × (1 + min_margin)` or above the ceiling;
/// - a move of more than `max_daily_change` of the previous day's price;
/// - a change on a day when the kill switch is on or the product's promotion runs;
/// - a change that makes some 7 consecutive days hold more than `max_changes_per_week`.
pub fn violations(product: &SyntheticProduct, config: &SimConfig, prices: &[i64]) -> u32 {
    let floor = product.cost_minor as f64 * (1.0 + config.min_margin);
    // Relative slack for float rounding only: a whole minor unit is a million times larger.
    let slack = |x: f64| x.abs() * 1e-9;
    let mut changed_on = Vec::with_capacity(prices.len());
    let mut count = 0;
    for (day, &price) in prices.iter().enumerate() {
        let previous = if day == 0 {
            product.start_minor
        } else {
            prices[day - 1]
        };
        let (p, prev) = (price as f64, previous as f64);
        let changed = price != previous;
        changed_on.push(changed);
        let broken = [
            p < floor - slack(floor),
            price > product.ceiling_minor,
            (p - prev).abs() > config.max_daily_change * prev + slack(prev),
            changed && kill_switch_on(day as u32, prices.len() as u32),
            changed && product.promotion_on(day as u32),
            changed
                && changed_on[day.saturating_sub(6)..=day]
                    .iter()
                    .filter(|c| **c)
                    .count()
                    > config.max_changes_per_week as usize,
        ];
        count += broken.iter().filter(|b| **b).count() as u32;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> SyntheticProduct {
        SyntheticProduct {
            elasticity: -2.0,
            cost_minor: 1000,
            start_minor: 2000,
            ceiling_minor: 3000,
            units_at_start: 10.0,
            weekday: [1.0; 7],
            promotion: Some((10, 17)),
        }
    }

    #[test]
    fn a_legal_path_has_no_violations() {
        let config = SimConfig::default();
        let prices = [
            2000, 2200, 2200, 2420, 2420, 2420, 2420, 2662, 2662, 2662, 2662,
        ];
        assert_eq!(violations(&product(), &config, &prices), 0);
    }

    #[test]
    fn each_broken_rule_is_counted() {
        let config = SimConfig::default();
        let p = product();
        // A 12% step.
        assert_eq!(violations(&p, &config, &[2240]), 1);
        // Below the floor of 1100, and by a big step: two rules on one day.
        assert_eq!(violations(&p, &config, &[1000]), 2);
        // Above the ceiling.
        let low_ceiling = SyntheticProduct {
            ceiling_minor: 2100,
            ..p
        };
        assert_eq!(violations(&low_ceiling, &config, &[2200]), 1);
        // Four changes in 7 days with a limit of 3.
        assert_eq!(violations(&p, &config, &[2100, 2000, 2100, 2000]), 1);
        // A change during the promotion (days 10..17).
        let mut path = vec![2000; 12];
        path[11] = 2100;
        assert_eq!(violations(&p, &config, &path), 1);
    }

    #[test]
    fn a_change_during_the_kill_switch_is_counted() {
        let config = SimConfig::default();
        let p = SyntheticProduct {
            promotion: None,
            ..product()
        };
        let days = 90u32;
        let day = (0..days)
            .find(|d| kill_switch_on(*d, days))
            .expect("a 90-day run has a kill-switch window") as usize;
        let mut path = vec![2000; days as usize];
        path[day] = 2100;
        path[day + 1..].fill(2100);
        assert_eq!(violations(&p, &config, &path), 1);
    }
}
