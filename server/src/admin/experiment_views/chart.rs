//! The cumulative-lift chart: an SVG drawn on the server (a line for the lift, a band for its
//! always-valid interval, a dashed line at zero) with `<title>`/`<desc>` for screen readers,
//! followed by the same numbers as a table. No script, no external assets.

use crate::experiments::results::{Comparison, percent_interval, signed_percent};
use crate::http::seo_routes::iso_date;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// The y axis never goes beyond -100% (a rate cannot fall further) or +300%.
const Y_LIMITS: (f64, f64) = (-1.0, 3.0);

/// A day of the chart: (day index, lift, interval low, interval high).
type Point = (usize, f64, f64, f64);

/// The chart and its table for one challenger.
pub fn lift_chart(c: &Comparison, origin: i64) -> impl IntoView + use<> {
    let points: Vec<Point> = c
        .chart
        .iter()
        .filter_map(|p| {
            let t = p.test?;
            let cs = t.lift_cs?;
            Some((p.day, t.lift?, cs.low, cs.high))
        })
        .collect();
    let id = format!("lift-{}", c.position);
    let title = format!("Cumulative lift of “{}” over the control, by day", c.name);
    let desc = match points.last() {
        Some(&(day, lift, low, high)) => format!(
            "Day {} ({}): lift {}, always-valid interval {}. The table below lists every day.",
            day + 1,
            iso_date(origin + day as i64 * 86_400),
            signed_percent(lift),
            percent_interval(crate::experiments::Interval { low, high })
        ),
        None => "Not enough data yet: each variant needs a conversion.".to_string(),
    };
    let svg = svg_body(&points, c.chart.len());
    let rows = c
        .chart
        .iter()
        .map(|p| {
            let (lift, cs) = p.test.map_or(("–".into(), "–".into()), |t| {
                (
                    t.lift.map_or("–".to_string(), signed_percent),
                    t.lift_cs.map_or("–".to_string(), percent_interval),
                )
            });
            view! {
                <tr>
                    <td>{iso_date(origin + p.day as i64 * 86_400)}</td>
                    <td>{p.control.visitors()}</td>
                    <td>{p.control.conversions()}</td>
                    <td>{p.treatment.visitors()}</td>
                    <td>{p.treatment.conversions()}</td>
                    <td>{lift}</td>
                    <td>{cs}</td>
                </tr>
            }
        })
        .collect_view();
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <figure class="admin-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                width="100%"
                role="img"
                aria-labelledby=labelled_by
                xmlns="http://www.w3.org/2000/svg"
            >
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{desc}</desc>
                <g inner_html=svg></g>
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
        <details>
            <summary>"The chart's numbers"</summary>
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <thead>
                        <tr>
                            <th scope="col">"Day (UTC)"</th>
                            <th scope="col">"Control visitors"</th>
                            <th scope="col">"Control conversions"</th>
                            <th scope="col">"Variant visitors"</th>
                            <th scope="col">"Variant conversions"</th>
                            <th scope="col">"Lift"</th>
                            <th scope="col">"Always-valid interval"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}

/// The drawing inside the `<svg>`: axes' labels, the zero line, the band and the line. Only
/// numbers and fixed strings go in, so building the markup as text is safe.
fn svg_body(points: &[Point], days: usize) -> String {
    let (lo, hi) = points
        .iter()
        .fold((0.0_f64, 0.0_f64), |(lo, hi), p| (lo.min(p.2), hi.max(p.3)));
    let (lo, hi) = (lo.max(Y_LIMITS.0), hi.min(Y_LIMITS.1));
    let pad = ((hi - lo) * 0.1).max(0.01);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |day: usize| {
        let span = days.saturating_sub(1).max(1) as f64;
        LEFT + (WIDTH - LEFT - RIGHT) * day as f64 / span
    };
    let y = |v: f64| {
        let v = v.clamp(lo, hi);
        TOP + (HEIGHT - TOP - BOTTOM) * (hi - v) / (hi - lo)
    };
    let mut out = String::new();
    let zero = y(0.0);
    out.push_str(&format!(
        r#"<line x1="{LEFT}" x2="{:.1}" y1="{zero:.1}" y2="{zero:.1}" stroke="currentColor" stroke-dasharray="4 4" opacity="0.6"/>"#,
        WIDTH - RIGHT
    ));
    for v in [lo + pad, 0.0, hi - pad] {
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="currentColor">{}</text>"#,
            LEFT - 6.0,
            y(v) + 4.0,
            signed_percent(v)
        ));
    }
    out.push_str(&format!(
        r#"<text x="{LEFT}" y="{:.1}" font-size="11" fill="currentColor">day 1</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="currentColor">day {days}</text>"#,
        HEIGHT - 8.0,
        WIDTH - RIGHT,
        HEIGHT - 8.0
    ));
    if points.is_empty() {
        return out;
    }
    let upper: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.0), y(p.3)))
        .collect();
    let lower: Vec<String> = points
        .iter()
        .rev()
        .map(|p| format!("{:.1},{:.1}", x(p.0), y(p.2)))
        .collect();
    out.push_str(&format!(
        r#"<polygon points="{} {}" fill="currentColor" opacity="0.15"/>"#,
        upper.join(" "),
        lower.join(" ")
    ));
    let line: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.0), y(p.1)))
        .collect();
    out.push_str(&format!(
        r#"<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2"/>"#,
        line.join(" ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawing_has_a_band_a_line_and_a_zero_line() {
        let svg = svg_body(&[(0, 0.1, -0.2, 0.4), (1, 0.05, -0.1, 0.2)], 2);
        assert!(svg.contains("<polygon points=\"56.0,"), "{svg}");
        assert!(svg.contains("<polyline"), "{svg}");
        assert!(svg.contains("stroke-dasharray"), "{svg}");
        assert!(svg.contains(">+0.0%</text>"), "{svg}");
        assert!(!svg.contains("NaN"), "{svg}");
    }

    #[test]
    fn an_empty_chart_has_axes_but_no_line() {
        let svg = svg_body(&[], 1);
        assert!(!svg.contains("<polyline") && !svg.contains("NaN"), "{svg}");
    }
}
