//! `GET /admin`: who is signed in, what waits (orders to pack, ship or take back, emails not
//! sent), and the audit log (the latest 50 entries).

use super::auth::{self, SignedIn};
use super::views;
use crate::http::AppState;
use crate::staff::audit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use vitrine::orders::OrderStatus;

/// How many audit entries the console home shows.
pub const AUDIT_SHOWN: i64 = 50;

pub async fn home(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let found = tokio::try_join!(
        audit::latest(&state.db, AUDIT_SHOWN),
        crate::orders::staff::counts(&state.db),
        crate::mail::waiting(&state.db),
    );
    let (entries, orders, emails) = match found {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "reading the console home failed");
            return auth::unavailable(&state);
        }
    };
    let todo = to_do(&orders, emails);
    let who = signed_in.session.clone();
    views::page(
        StatusCode::OK,
        "Console",
        signed_in.chrome(&state),
        move || views::home(who, todo, entries),
    )
}

/// What waits for someone: orders to pack, ship or take back (with their list's link), and
/// emails not sent yet.
pub fn to_do(
    orders: &[(OrderStatus, i64)],
    (emails, failing): (i64, i64),
) -> Vec<(String, Option<String>)> {
    let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut todo: Vec<(String, Option<String>)> = orders
        .iter()
        .filter_map(|&(status, n)| {
            let text = match status {
                OrderStatus::Paid => plural(n, "paid order to pack", "paid orders to pack"),
                OrderStatus::Packed => plural(n, "packed order to ship", "packed orders to ship"),
                OrderStatus::ReturnRequested => {
                    plural(n, "return to take back", "returns to take back")
                }
                _ => return None,
            };
            Some((text, Some(format!("/admin/orders?status={}", status.key()))))
        })
        .collect();
    if emails > 0 {
        let mut text = plural(
            emails,
            "email waiting to be sent",
            "emails waiting to be sent",
        );
        if failing > 0 {
            text.push_str(&format!(
                "; {failing} failed at the last try (the outbox's last_error says why)"
            ));
        } else {
            text.push_str(" (sent by the mail worker when one is configured)");
        }
        todo.push((text, None));
    }
    todo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_to_do_list_names_what_waits_and_links_its_orders() {
        let todo = to_do(
            &[
                (OrderStatus::Paid, 2),
                (OrderStatus::Shipped, 5),
                (OrderStatus::ReturnRequested, 1),
            ],
            (3, 1),
        );
        assert_eq!(
            todo,
            vec![
                ("2 paid orders to pack".to_string(), Some("/admin/orders?status=paid".to_string())),
                (
                    "1 return to take back".to_string(),
                    Some("/admin/orders?status=return_requested".to_string())
                ),
                (
                    "3 emails waiting to be sent; 1 failed at the last try (the outbox's last_error says why)"
                        .to_string(),
                    None
                ),
            ]
        );
        assert!(to_do(&[(OrderStatus::Delivered, 9)], (0, 0)).is_empty());
    }
}
