//! Signing in: email and password to a new session, with the account lockout.
//!
//! An unknown email, a disabled account and a wrong password get the same answer, and an
//! unknown email still spends the time of one Argon2id verification (against a dummy hash),
//! so neither the message nor the timing tells which emails have accounts. Once an account is
//! locked, even the right password is refused until the lock ends; the person is told how
//! long to wait. (Five tries on an email therefore reveal whether it has an account; the
//! per-address rate limit in front of this keeps that slow.)

use super::lockout::{self, AfterFailure};
use super::password::{self, Password};
use super::session::{self, SessionToken};
use super::{Action, Actor, Session, StaffEmail, audit};
use crate::db::{self, Db};
use anyhow::Context;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("That email and password don't match an account.")]
    Mismatch,
    #[error("Too many attempts; try again in {} {}.", .0, if *.0 == 1 { "minute" } else { "minutes" })]
    Locked(i64),
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

type AccountRow = (String, String, String, i64, Option<i64>, i64);

/// Checks the email and password and, when they match an enabled, unlocked account, starts a
/// session (ending `previous`, the session cookie the browser already had, if any: the token
/// is always new at sign-in) and writes the audit entry, in one transaction.
///
/// # Errors
/// [`SignInError::Mismatch`] or [`SignInError::Locked`] with the minutes left.
#[tracing::instrument(name = "staff.sign_in", skip_all)]
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: Password,
    previous: Option<&str>,
    now: i64,
) -> Result<(SessionToken, Session), SignInError> {
    let account = match StaffEmail::parse(email) {
        Ok(email) => find_account(db, &email).await?,
        Err(_) => None,
    };
    let Some((id, email, hash, failed_logins, locked_until, disabled)) = account else {
        blocking(move || password::verify_dummy(&password)).await?;
        return Err(SignInError::Mismatch);
    };
    let matches = blocking(move || password::verify(&password, &hash)).await?;
    if let Some(minutes) = lockout::minutes_left(locked_until, now) {
        return Err(SignInError::Locked(minutes));
    }
    if disabled != 0 {
        return Err(SignInError::Mismatch);
    }
    if !matches {
        return Err(record_failure(db, &id, &email, failed_logins, now).await?);
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    sqlx::query("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id.clone())
        .execute(&mut *tx)
        .await
        .context("Failed to reset the failed sign-ins")?;
    if let Some(previous) = previous {
        session::forget(&mut tx, previous).await?;
    }
    let token = session::begin(&mut tx, &id, now).await?;
    let actor = Actor::Staff {
        id: id.clone(),
        email: email.clone(),
    };
    audit::record(&mut tx, &actor, Action::SignedIn, &email, "", now).await?;
    tx.commit().await.context("Failed to commit a sign-in")?;
    let session = session::find(db, token.reveal(), now)
        .await?
        .context("The new session could not be read back")?;
    Ok((token, session))
}

async fn find_account(db: &Db, email: &StaffEmail) -> anyhow::Result<Option<AccountRow>> {
    sqlx::query_as(
        "SELECT id, email, password_hash, failed_logins, locked_until, disabled \
         FROM staff WHERE email = $1",
    )
    .bind(email.as_str().to_string())
    .fetch_optional(db)
    .await
    .context("Failed to look up a staff account")
}

/// Counts a wrong password; the failure that reaches the limit locks the account (and is
/// audited). The update only applies to the count it read, and is retried otherwise, so two
/// failures at once both count.
async fn record_failure(
    db: &Db,
    id: &str,
    email: &str,
    mut failed_logins: i64,
    now: i64,
) -> anyhow::Result<SignInError> {
    for _ in 0..5 {
        let after = AfterFailure::of(failed_logins, now);
        let (mut tx, _turn) = db::begin_write(db).await?;
        let updated = sqlx::query(
            "UPDATE staff SET failed_logins = $1, locked_until = COALESCE($2, locked_until) \
             WHERE id = $3 AND failed_logins = $4",
        )
        .bind(after.failed_logins)
        .bind(after.locked_until)
        .bind(id.to_string())
        .bind(failed_logins)
        .execute(&mut *tx)
        .await
        .context("Failed to count a failed sign-in")?;
        if updated.rows_affected() == 1 {
            if after.locks() {
                let detail = format!(
                    "{} wrong passwords in a row; locked for {} minutes",
                    lockout::MAX_FAILURES,
                    lockout::LOCK_SECONDS / 60
                );
                audit::record(
                    &mut tx,
                    &Actor::System,
                    Action::AccountLocked,
                    email,
                    &detail,
                    now,
                )
                .await?;
            }
            tx.commit()
                .await
                .context("Failed to commit a failed sign-in")?;
            return Ok(match after.locked_until {
                Some(until) => SignInError::Locked((until - now + 59) / 60),
                None => SignInError::Mismatch,
            });
        }
        tx.rollback().await.context("Failed to roll back")?;
        let (current,): (i64,) = sqlx::query_as("SELECT failed_logins FROM staff WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(db)
            .await
            .context("Failed to re-read the failed sign-ins")?;
        failed_logins = current;
    }
    tracing::warn!("gave up counting a failed sign-in after 5 races");
    Ok(SignInError::Mismatch)
}

/// Runs CPU-heavy password work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .context("The password verification thread failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_message_says_how_long_to_wait() {
        assert_eq!(
            SignInError::Locked(15).to_string(),
            "Too many attempts; try again in 15 minutes."
        );
        assert_eq!(
            SignInError::Locked(1).to_string(),
            "Too many attempts; try again in 1 minute."
        );
    }
}
