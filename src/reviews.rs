//! Product reviews: what the product page shows (the average, the count and the newest
//! reviews) and the forms on the order page with which a buyer reviews what was delivered.
//!
//! Every review comes from an order (the order page's access key proves it), so each one is a
//! verified purchase. The server checks and stores them (`server/src/reviews/`); the text is
//! shown as text, never as markup.
//!
//! Both parts are static (nothing on them reacts in the browser), so the server renders them
//! to HTML with the components below ([`product_reviews_html`], [`review_forms_html`]) and the
//! pages place that HTML as it is ([`StaticHtml`]): the bundle carries neither the components
//! nor the review types, which kept it inside its 250 KB budget (see the README).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The longest name shown with a review, in characters.
pub const MAX_AUTHOR: usize = 40;
/// The longest review, in characters.
pub const MAX_BODY: usize = 2_000;

/// One review as the product page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub author: String,
    /// 1 to 5.
    pub rating: u8,
    pub body: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// A product's reviews: how many, their average and the newest few.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub count: u32,
    /// The average rating in tenths (43 is 4.3), rounded half up.
    pub average_tenths: u32,
    pub reviews: Vec<ReviewView>,
}

impl ReviewSummary {
    /// "4.3": the average with one decimal.
    pub fn average(&self) -> String {
        format!("{}.{}", self.average_tenths / 10, self.average_tenths % 10)
    }
}

/// A product on a delivered order, for the order page's review forms: `rating` is the
/// buyer's review of it from this order, if written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTarget {
    pub stem: String,
    pub title: String,
    pub rating: Option<u8>,
}

/// Why a review was refused: the code the order page's notice carries (`?e=review_…`, and
/// `code` for JSON clients) and the text a person reads.
pub fn refusal_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "review_rating" => "Choose a rating from 1 to 5 stars.",
        "review_author" => "Enter the name to show with your review (up to 40 characters).",
        "review_body" => "Write a few words about the product (up to 2,000 characters).",
        "review_done" => "You have already reviewed that product for this order.",
        "review_status" => "You can review what you bought once the order has been delivered.",
        "review_product" => "That product is not on this order.",
        _ => return None,
    })
}

/// schema.org `AggregateRating` and the listed `Review`s for the product's JSON-LD, when it
/// has reviews (built by the server, like the rest of the page's JSON-LD).
pub fn json_ld(summary: &ReviewSummary) -> Option<(serde_json::Value, serde_json::Value)> {
    if summary.count == 0 {
        return None;
    }
    let rating = serde_json::json!({
        "@type": "AggregateRating",
        "ratingValue": summary.average(),
        "reviewCount": summary.count,
        "bestRating": 5,
        "worstRating": 1,
    });
    let reviews = summary
        .reviews
        .iter()
        .map(|r| {
            serde_json::json!({
                "@type": "Review",
                "author": { "@type": "Person", "name": r.author },
                "datePublished": r.date,
                "reviewBody": r.body,
                "reviewRating": { "@type": "Rating", "ratingValue": r.rating, "bestRating": 5, "worstRating": 1 },
            })
        })
        .collect();
    Some((rating, serde_json::Value::Array(reviews)))
}

/// "★★★★☆" for 4 (clamped to 0–5).
pub fn stars(rating: u8) -> String {
    let full = usize::from(rating.min(5));
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

/// HTML the server rendered, placed as it is: the same on the server and on hydration.
#[component]
pub fn StaticHtml(html: String) -> impl IntoView {
    view! { <div class="static-html" inner_html=html></div> }
}

/// The product page's "Customer reviews" section as HTML.
#[cfg(feature = "ssr")]
pub fn product_reviews_html(summary: &ReviewSummary) -> String {
    let summary = summary.clone();
    crate::ssr::render_static(move || view! { <ProductReviews summary/> })
}

/// The order page's review forms as HTML (empty when there is nothing to review).
#[cfg(feature = "ssr")]
pub fn review_forms_html(number: &str, key: &str, targets: &[ReviewTarget]) -> String {
    if targets.is_empty() {
        return String::new();
    }
    let (number, key, targets) = (number.to_string(), key.to_string(), targets.to_vec());
    crate::ssr::render_static(move || view! { <ReviewForms number key targets/> })
}

/// The product page's "Customer reviews" section.
#[cfg(feature = "ssr")]
#[component]
fn ProductReviews(summary: ReviewSummary) -> impl IntoView {
    let headline = match summary.count {
        0 => {
            "No reviews yet. Bought it? You can review it from your order page once it has arrived."
                .to_string()
        }
        1 => format!("{} out of 5 from 1 review", summary.average()),
        n => format!("{} out of 5 from {n} reviews", summary.average()),
    };
    view! {
        <section class="reviews" id="reviews" aria-labelledby="reviews-heading">
            <h2 id="reviews-heading">"Customer reviews"</h2>
            <p data-testid="reviews-summary">{headline}</p>
            {summary.reviews.into_iter().map(|r| {
                let when = r.date.clone();
                view! {
                <article class="review" data-testid="review">
                    <p class="review__stars" role="img" aria-label=format!("{} out of 5 stars", r.rating)>{stars(r.rating)}</p>
                    <p class="hint">
                        <strong>{r.author}</strong>" · "<time datetime=when>{r.date}</time>" · Verified purchase"
                    </p>
                    <p class="review__body">{r.body}</p>
                </article>
            }}).collect_view()}
        </section>
    }
}

/// The order page's review forms: one per product the delivered order holds (plain forms:
/// they work without JavaScript), or the rating already given.
#[cfg(feature = "ssr")]
#[component]
fn ReviewForms(number: String, key: String, targets: Vec<ReviewTarget>) -> impl IntoView {
    let action = format!("/orders/{number}/review");
    view! {
            <h2>"Review what you bought"</h2>
            <ul class="review-forms">
                {targets.into_iter().map(|t| match t.rating {
                    Some(rating) => view! {
                        <li data-testid="reviewed">
                            {format!("{}: you gave it ", t.title)}
                            <span role="img" aria-label=format!("{rating} out of 5 stars")>{stars(rating)}</span>
                        </li>
                    }.into_any(),
                    None => {
                        let id = |field: &str| format!("review-{field}-{}", t.stem);
                        view! {
                            <li>
                                <details>
                                    <summary>{format!("Review {}", t.title)}</summary>
                                    <form method="post" action=action.clone() class="review-form">
                                        <input type="hidden" name="key" value=key.clone()/>
                                        <input type="hidden" name="stem" value=t.stem.clone()/>
                                        <label for=id("rating")>"Rating"</label>
                                        <select id=id("rating") name="rating" required>
                                            <option value="">"Choose…"</option>
                                            {(1..=5u8).rev().map(|n| view! { <option value=n.to_string()>{format!("{} {n} of 5", stars(n))}</option> }).collect_view()}
                                        </select>
                                        <label for=id("author")>"Your name, as shown with the review"</label>
                                        <input id=id("author") name="author" type="text" required maxlength=MAX_AUTHOR.to_string()/>
                                        <label for=id("body")>"Your review"</label>
                                        <textarea id=id("body") name="body" rows="4" required maxlength=MAX_BODY.to_string()></textarea>
                                        <button type="submit" class="button">"Publish review"</button>
                                    </form>
                                </details>
                            </li>
                        }.into_any()
                    }
                }).collect_view()}
            </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_averages_read_as_people_expect() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(stars(0), "☆☆☆☆☆");
        assert_eq!(stars(9), "★★★★★");
        let summary = ReviewSummary {
            count: 3,
            average_tenths: 43,
            reviews: vec![],
        };
        assert_eq!(summary.average(), "4.3");
        let five = ReviewSummary {
            average_tenths: 50,
            ..summary
        };
        assert_eq!(five.average(), "5.0");
    }

    #[test]
    fn json_ld_rates_only_a_reviewed_product_and_lists_what_the_page_shows() {
        assert_eq!(json_ld(&ReviewSummary::default()), None);
        let summary = ReviewSummary {
            count: 12,
            average_tenths: 45,
            reviews: vec![ReviewView {
                author: "Ada".into(),
                rating: 5,
                body: "Lovely.".into(),
                date: "2026-12-01".into(),
            }],
        };
        let (rating, reviews) = json_ld(&summary).expect("rated");
        assert_eq!(rating["ratingValue"], "4.5");
        assert_eq!(rating["reviewCount"], 12);
        assert_eq!(reviews[0]["reviewRating"]["ratingValue"], 5);
        assert_eq!(reviews[0]["author"]["name"], "Ada");
        assert_eq!(reviews[0]["datePublished"], "2026-12-01");
        assert_eq!(reviews.as_array().map(Vec::len), Some(1));
    }
}
