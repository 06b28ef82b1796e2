//! Server-rendered SVG bar charts: no script, no library. Each chart is an `<svg role="img">`
//! named by its `<title>` and described by its `<desc>`; the page prints the same numbers as a
//! table, so nothing is only in the picture. All text from data is escaped here.

/// One bar: its label, its length and the number printed beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub text: String,
}

const WIDTH: i64 = 720;
const LABEL_RIGHT: i64 = 230;
const BAR_X: i64 = 240;
/// The longest bar; the rest of the width (about 190 units, 26 characters) holds the number
/// after it.
pub const BAR_SPAN: i64 = 280;
const ROW: i64 = 26;
const BAR_HEIGHT: i64 = 18;
const PAD: i64 = 8;
/// Labels longer than this are cut (the table beside the chart has them whole).
const LABEL_CHARS: usize = 30;

/// The length of a bar for `value` when `max` fills `span`: proportional, rounded to the
/// nearest unit, never negative, and at least 1 for a positive value so it stays visible.
pub fn bar_length(value: i64, max: i64, span: i64) -> i64 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let value = value.min(max);
    ((value as i128 * span as i128 + max as i128 / 2) / max as i128).max(1) as i64
}

/// The height of a chart of `rows` bars.
pub fn height(rows: usize) -> i64 {
    2 * PAD + ROW * rows.max(1) as i64
}

/// A horizontal bar chart. `id` must be unique on the page (it names the title and desc).
pub fn bar_chart(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let h = height(bars.len());
    let mut svg = format!(
        "<svg class=\"dash-chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         viewBox=\"0 0 {WIDTH} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
         aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    if bars.is_empty() {
        svg.push_str(&format!(
            "<text x=\"{PAD}\" y=\"{}\" font-size=\"14\" fill=\"currentColor\">No data in this period</text>",
            PAD + ROW / 2 + 5
        ));
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = PAD + ROW * i as i64;
        let text_y = y + ROW / 2 + 5;
        let len = bar_length(bar.value, max, BAR_SPAN);
        svg.push_str(&format!(
            "<g><text x=\"{LABEL_RIGHT}\" y=\"{text_y}\" text-anchor=\"end\" font-size=\"13\" fill=\"currentColor\">{}</text>\
             <rect x=\"{BAR_X}\" y=\"{}\" width=\"{len}\" height=\"{BAR_HEIGHT}\" fill=\"#2f6f9f\"/>\
             <text x=\"{}\" y=\"{text_y}\" font-size=\"13\" fill=\"currentColor\">{}</text></g>",
            escape(&cut(&bar.label)),
            y + (ROW - BAR_HEIGHT) / 2,
            BAR_X + len + 6,
            escape(&bar.text)
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", kept.trim_end())
}

/// Escapes text for SVG content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.to_string(),
            value,
            text: value.to_string(),
        }
    }

    #[test]
    fn bars_are_proportional_to_the_largest() {
        assert_eq!(bar_length(100, 100, 380), 380);
        assert_eq!(bar_length(50, 100, 380), 190);
        assert_eq!(bar_length(1, 3, 380), 127, "126.67 rounds to 127");
        assert_eq!(
            bar_length(1, 1_000_000, 380),
            1,
            "a positive value stays visible"
        );
        assert_eq!(bar_length(0, 100, 380), 0);
        assert_eq!(bar_length(-5, 100, 380), 0);
        assert_eq!(bar_length(5, 0, 380), 0);
        assert_eq!(bar_length(i64::MAX, i64::MAX, 380), 380, "no overflow");
    }

    #[test]
    fn the_chart_grows_a_row_per_bar() {
        assert_eq!(height(0), height(1));
        assert_eq!(height(10) - height(9), ROW);
        let svg = bar_chart("c", "T", "D", &[bar("a", 2), bar("b", 1)]);
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {WIDTH} {}\"", height(2))),
            "{svg}"
        );
        assert!(svg.contains(&format!("width=\"{BAR_SPAN}\"")), "{svg}");
        assert!(
            svg.contains(&format!("width=\"{}\"", BAR_SPAN / 2)),
            "{svg}"
        );
    }

    #[test]
    fn charts_are_named_images_with_escaped_text() {
        let svg = bar_chart(
            "top",
            "Top <products>",
            "Revenue & share",
            &[bar(
                "<script>alert(1)</script> A VERY LONG PRODUCT TITLE INDEED",
                3,
            )],
        );
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(
            svg.contains("aria-labelledby=\"top-title top-desc\""),
            "{svg}"
        );
        assert!(
            svg.contains("<title id=\"top-title\">Top &lt;products&gt;</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("<desc id=\"top-desc\">Revenue &amp; share</desc>"),
            "{svg}"
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains('…'), "long labels are cut: {svg}");
        assert!(bar_chart("e", "T", "D", &[]).contains("No data"));
    }
}
