//! Product reviews: written by buyers from the order page once the order has been delivered,
//! shown on the product page, hidden by staff from the command line.
//!
//! A review is tied to the order that bought the product (`reviews.order_number`), one per
//! order and product: the order's access key is the proof of purchase, so there is no
//! account, no email kept with the review and no unverified review. What the reviewer typed is
//! cleaned of control characters and stored as text; pages render it as text.

pub mod cli;

use crate::db::{self, Db};
use crate::staff::audit::{self, Action, Actor};
use anyhow::Context;
use vitrine::orders::OrderStatus;
use vitrine::reviews::{MAX_AUTHOR, MAX_BODY, ReviewSummary, ReviewTarget, ReviewView};

/// How many reviews the product page lists (newest first); the summary counts them all.
pub const LISTED: i64 = 10;

/// Why a review was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No order with that number and key.
    #[error("We couldn't find that order.")]
    UnknownOrder,
    /// `code` is one of [`vitrine::reviews::refusal_text`]'s.
    #[error("{}", vitrine::reviews::refusal_text(.0).unwrap_or("That review can't be published."))]
    Refused(&'static str),
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

/// A review as typed, checked: a rating from 1 to 5, a name and a text within their limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub rating: u8,
    pub author: String,
    pub body: String,
}

impl Draft {
    pub fn parse(rating: &str, author: &str, body: &str) -> Result<Draft, ReviewError> {
        let rating = match rating.trim().parse::<u8>() {
            Ok(r @ 1..=5) => r,
            _ => return Err(ReviewError::Refused("review_rating")),
        };
        let author = one_line(author);
        if author.is_empty() || author.chars().count() > MAX_AUTHOR {
            return Err(ReviewError::Refused("review_author"));
        }
        let body = paragraphs(body);
        if body.is_empty() || body.chars().count() > MAX_BODY {
            return Err(ReviewError::Refused("review_body"));
        }
        Ok(Draft {
            rating,
            author,
            body,
        })
    }
}

/// A name on one line: every run of whitespace or control characters becomes one space.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A text in paragraphs: lines cleaned as [`one_line`], at most one empty line between
/// paragraphs, none at either end.
fn paragraphs(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n').map(one_line) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Whether an order in `status` has been delivered (returns come after delivery).
fn delivered(status: &str) -> bool {
    matches!(
        OrderStatus::parse(status),
        Some(OrderStatus::Delivered | OrderStatus::ReturnRequested | OrderStatus::Returned)
    )
}

/// Publishes the review of product `stem` from order `number` (opened by `key`). Sending the
/// same review again (a double-clicked button) is not an error; a different second review
/// from the same order is.
#[tracing::instrument(skip(db, key, draft))]
pub async fn submit(
    db: &Db,
    number: &str,
    key: &str,
    stem: &str,
    draft: &Draft,
    now: i64,
) -> Result<(), ReviewError> {
    let number = number.trim().to_ascii_uppercase();
    let status = crate::orders::status_with_key(db, &number, key)
        .await?
        .ok_or(ReviewError::UnknownOrder)?;
    if !delivered(&status) {
        return Err(ReviewError::Refused("review_status"));
    }
    let on_order: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM order_lines l JOIN variants v ON v.sku = l.sku \
         WHERE l.order_number = $1 AND v.stem = $2",
    )
    .bind(&number)
    .bind(stem)
    .fetch_one(db)
    .await
    .context("Failed to read the order's lines")?;
    if on_order == 0 {
        return Err(ReviewError::Refused("review_product"));
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    let existing: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT rating, author, body FROM reviews WHERE order_number = $1 AND stem = $2",
    )
    .bind(&number)
    .bind(stem)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read reviews")?;
    if let Some((rating, author, body)) = existing {
        let same =
            rating == i64::from(draft.rating) && author == draft.author && body == draft.body;
        return if same {
            Ok(())
        } else {
            Err(ReviewError::Refused("review_done"))
        };
    }
    sqlx::query(
        "INSERT INTO reviews (id, stem, order_number, rating, author, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::ids::random_id())
    .bind(stem)
    .bind(&number)
    .bind(i64::from(draft.rating))
    .bind(&draft.author)
    .bind(&draft.body)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to store a review")?;
    tx.commit().await.context("Failed to store a review")?;
    Ok(())
}

/// The product page's reviews of `stem`: count and average of the visible ones, the newest
/// [`LISTED`].
pub async fn summary(db: &Db, stem: &str) -> anyhow::Result<ReviewSummary> {
    let (count, sum): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(rating), 0) AS BIGINT) \
         FROM reviews WHERE stem = $1 AND hidden_at IS NULL",
    )
    .bind(stem)
    .fetch_one(db)
    .await
    .context("Failed to count reviews")?;
    if count == 0 {
        return Ok(ReviewSummary::default());
    }
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT author, rating, body, created_at FROM reviews \
         WHERE stem = $1 AND hidden_at IS NULL ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(stem)
    .bind(LISTED)
    .fetch_all(db)
    .await
    .context("Failed to read reviews")?;
    Ok(ReviewSummary {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        average_tenths: average_tenths(sum, count),
        reviews: rows
            .into_iter()
            .map(|(author, rating, body, at)| ReviewView {
                author,
                rating: u8::try_from(rating).unwrap_or(0),
                body,
                date: crate::http::seo_routes::iso_date(at),
            })
            .collect(),
    })
}

/// `sum / count` in tenths, rounded half up.
fn average_tenths(sum: i64, count: i64) -> u32 {
    if count <= 0 {
        return 0;
    }
    u32::try_from((sum * 20 + count) / (2 * count)).unwrap_or(0)
}

/// The order page's review forms: once order `number` has been delivered, each product on it
/// with the rating its buyer gave from this order, if any. Empty before delivery.
pub async fn targets(db: &Db, number: &str, status: &str) -> anyhow::Result<Vec<ReviewTarget>> {
    if !delivered(status) {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT DISTINCT v.stem, p.title, r.rating FROM order_lines l \
         JOIN variants v ON v.sku = l.sku JOIN products p ON p.stem = v.stem \
         LEFT JOIN reviews r ON r.order_number = l.order_number AND r.stem = v.stem \
         WHERE l.order_number = $1 ORDER BY p.title, v.stem",
    )
    .bind(number)
    .fetch_all(db)
    .await
    .context("Failed to read an order's products for reviews")?;
    Ok(rows
        .into_iter()
        .map(|(stem, title, rating)| ReviewTarget {
            stem,
            title,
            rating: rating.and_then(|r| u8::try_from(r).ok()),
        })
        .collect())
}

/// One review as staff see it (`vitrine review list`).
#[derive(Debug, sqlx::FromRow)]
pub struct StaffReview {
    pub id: String,
    pub slug: String,
    pub order_number: String,
    pub rating: i64,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub hidden_at: Option<i64>,
}

/// The newest `limit` reviews, hidden ones included.
pub async fn latest(db: &Db, limit: i64) -> anyhow::Result<Vec<StaffReview>> {
    sqlx::query_as(
        "SELECT r.id, p.slug, r.order_number, r.rating, r.author, r.body, r.created_at, r.hidden_at \
         FROM reviews r JOIN products p ON p.stem = r.stem ORDER BY r.created_at DESC, r.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to list reviews")
}

/// Hides review `id` from the product page (`hide`), or shows it again; audited. `false` when
/// there is no such review.
pub async fn set_hidden(
    db: &Db,
    id: &str,
    hide: bool,
    actor: &Actor,
    now: i64,
) -> anyhow::Result<bool> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    let done = sqlx::query("UPDATE reviews SET hidden_at = $1 WHERE id = $2")
        .bind(hide.then_some(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("Failed to change a review")?
        .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    let action = if hide {
        Action::ReviewHidden
    } else {
        Action::ReviewShown
    };
    audit::record(&mut tx, actor, action, id, "", now).await?;
    tx.commit().await.context("Failed to change a review")?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(result: Result<Draft, ReviewError>) -> &'static str {
        match result {
            Err(ReviewError::Refused(code)) => code,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_draft_needs_a_rating_a_name_and_words_within_their_limits() {
        let ok = Draft::parse(
            " 4 ",
            "  Ada \t Lovelace ",
            "Lovely.\r\n\r\n\r\n\r\nWould buy again.\n\n",
        )
        .expect("valid");
        assert_eq!(ok.rating, 4);
        assert_eq!(ok.author, "Ada Lovelace");
        assert_eq!(ok.body, "Lovely.\n\nWould buy again.");
        for rating in ["0", "6", "", "4.5", "five", "-1", "٤"] {
            assert_eq!(
                refusal(Draft::parse(rating, "A", "Good")),
                "review_rating",
                "{rating:?}"
            );
        }
        assert_eq!(
            refusal(Draft::parse("5", " \u{0} \n ", "Good")),
            "review_author"
        );
        assert_eq!(
            refusal(Draft::parse("5", &"é".repeat(41), "Good")),
            "review_author"
        );
        assert!(Draft::parse("5", &"é".repeat(40), "Good").is_ok());
        assert_eq!(refusal(Draft::parse("5", "A", " \n\t\n ")), "review_body");
        assert_eq!(
            refusal(Draft::parse("5", "A", &"x".repeat(2_001))),
            "review_body"
        );
        // Markup is kept as the text it is (pages escape it); control characters are not.
        let hostile =
            Draft::parse("1", "<b>x</b>", "<script>alert(1)</script>\u{7}ok").expect("valid");
        assert_eq!(hostile.body, "<script>alert(1)</script> ok");
        assert_eq!(hostile.author, "<b>x</b>");
    }

    #[test]
    fn averages_are_tenths_rounded_half_up() {
        assert_eq!(average_tenths(13, 3), 43); // 4.333
        assert_eq!(average_tenths(9, 2), 45);
        assert_eq!(average_tenths(29, 6), 48); // 4.833
        assert_eq!(average_tenths(5, 1), 50);
        assert_eq!(average_tenths(0, 0), 0);
    }

    #[test]
    fn only_delivered_orders_can_be_reviewed() {
        assert!(delivered("delivered") && delivered("returned") && delivered("return_requested"));
        assert!(!delivered("paid") && !delivered("shipped") && !delivered("cancelled"));
    }
}
