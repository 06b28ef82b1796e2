//! `/robots.txt` and `/sitemap.xml`: what crawlers fetch before any page.

use super::AppState;
use crate::catalog::queries;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /search\nDisallow: /cart\nDisallow: /checkout\nDisallow: /admin\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n",
        state.catalog.base_url()
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Home, every category and every product, with the day each last changed.
pub async fn sitemap(State(state): State<AppState>) -> Response {
    match build_sitemap(&state).await {
        Ok(xml) => (
            [
                (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            xml,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "sitemap failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The sitemap is unavailable; try again shortly.",
            )
                .into_response()
        }
    }
}

async fn build_sitemap(state: &AppState) -> anyhow::Result<String> {
    let base = state.catalog.base_url();
    let products = queries::all_products(&state.db).await?;
    let categories = queries::categories(&state.db).await?;
    let newest = products
        .iter()
        .map(|p| p.updated_at)
        .max()
        .unwrap_or_default();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |loc: String, lastmod: i64| {
        xml.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape(&loc),
            iso_date(lastmod)
        ));
    };
    url(format!("{base}/"), newest);
    for c in categories.iter().filter(|c| c.product_count > 0) {
        url(format!("{base}/c/{}", c.slug), newest);
    }
    for p in &products {
        url(format!("{base}/p/{}", p.slug), p.updated_at);
    }
    xml.push_str("</urlset>\n");
    Ok(xml)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `YYYY-MM-DD` (UTC) of unix seconds; days-from-civil inverse (Howard Hinnant's algorithm).
pub fn iso_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_calendar_days() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(1_291_191_960), "2010-12-01");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
        assert_eq!(iso_date(1_798_675_200), "2026-12-31");
    }

    #[test]
    fn urls_are_xml_escaped() {
        assert_eq!(escape("a&b<c>"), "a&amp;b&lt;c&gt;");
    }
}
