//! Staff sessions, in the database so any replica accepts them.
//!
//! The browser holds a random 256-bit token; the table holds only its SHA-256, so reading the
//! table does not let anyone sign in. A session ends after [`IDLE_SECONDS`] without a request
//! (sliding: each request moves `last_seen_at`, at most once a minute to spare writes) or
//! [`ABSOLUTE_SECONDS`] after sign-in, whichever is first; sign-out deletes the row. Each
//! session carries its own CSRF token for the console's forms.

use super::{Action, Actor, Role, audit, tokens};
use crate::db::{self, Db};
use anyhow::Context;
use sqlx::{Any, Transaction};

/// A session ends this long after its last request (30 minutes).
pub const IDLE_SECONDS: i64 = 30 * 60;
/// ... and this long after sign-in whatever happens (12 hours).
pub const ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;
/// `last_seen_at` is rewritten only when older than this.
const TOUCH_AFTER: i64 = 60;

/// The token in the cookie. Not `Debug`-printable, not `Serialize`.
pub struct SessionToken(String);

impl SessionToken {
    /// The cookie value.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// Who is signed in, as a request sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub staff_id: String,
    pub email: String,
    pub role: Role,
    /// The synchronizer token every state-changing form of this session must carry.
    pub csrf_token: String,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor::Staff {
            id: self.staff_id.clone(),
            email: self.email.clone(),
        }
    }

    /// True when `given` (from a form) is this session's CSRF token.
    pub fn csrf_ok(&self, given: &str) -> bool {
        tokens::same(&self.csrf_token, given)
    }
}

/// True while a session last seen at `last_seen_at` and ending at `expires_at` may be used.
pub fn alive(expires_at: i64, last_seen_at: i64, now: i64) -> bool {
    now < expires_at && now - last_seen_at < IDLE_SECONDS
}

/// Starts a session for `staff_id` inside the caller's transaction (sign-in), removing
/// sessions that have ended on the way (everyone's: a cheap indexed sweep).
pub(super) async fn begin(
    tx: &mut Transaction<'static, Any>,
    staff_id: &str,
    now: i64,
) -> anyhow::Result<SessionToken> {
    sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - IDLE_SECONDS)
        .execute(&mut **tx)
        .await
        .context("Failed to sweep ended sessions")?;
    let token = tokens::random_token()?;
    sqlx::query(
        "INSERT INTO staff_sessions (id, staff_id, csrf_token, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $4)",
    )
    .bind(tokens::digest(&token))
    .bind(staff_id.to_string())
    .bind(tokens::random_token()?)
    .bind(now)
    .bind(now + ABSOLUTE_SECONDS)
    .execute(&mut **tx)
    .await
    .context("Failed to start a session")?;
    Ok(SessionToken(token))
}

/// Deletes the session with `token` inside the caller's transaction (rotation at sign-in).
pub(super) async fn forget(tx: &mut Transaction<'static, Any>, token: &str) -> anyhow::Result<()> {
    if tokens::well_formed(token) {
        sqlx::query("DELETE FROM staff_sessions WHERE id = $1")
            .bind(tokens::digest(token))
            .execute(&mut **tx)
            .await
            .context("Failed to end the previous session")?;
    }
    Ok(())
}

type SessionRow = (String, String, String, String, i64, i64);

/// The live session for the cookie `token`, refreshing its idle timer; `None` for an unknown,
/// ended or disabled account's session (an ended one is deleted).
#[tracing::instrument(name = "staff.session", skip_all)]
pub async fn find(db: &Db, token: &str, now: i64) -> anyhow::Result<Option<Session>> {
    if !tokens::well_formed(token) {
        return Ok(None);
    }
    let id = tokens::digest(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.staff_id, st.email, st.role, s.csrf_token, s.expires_at, s.last_seen_at \
         FROM staff_sessions s JOIN staff st ON st.id = s.staff_id \
         WHERE s.id = $1 AND st.disabled = 0",
    )
    .bind(id.clone())
    .fetch_optional(db)
    .await
    .context("Failed to read a session")?;
    let Some((staff_id, email, role, csrf_token, expires_at, last_seen_at)) = row else {
        return Ok(None);
    };
    if !alive(expires_at, last_seen_at, now) {
        let _turn = db::write_turn(db).await;
        sqlx::query("DELETE FROM staff_sessions WHERE id = $1")
            .bind(id)
            .execute(db)
            .await
            .context("Failed to delete an ended session")?;
        return Ok(None);
    }
    if now - last_seen_at >= TOUCH_AFTER {
        let _turn = db::write_turn(db).await;
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(db)
            .await
            .context("Failed to refresh a session")?;
    }
    let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
    Ok(Some(Session {
        staff_id,
        email,
        role,
        csrf_token,
    }))
}

/// Signs out: deletes the session and writes the audit entry, in one transaction.
#[tracing::instrument(name = "staff.sign_out", skip_all)]
pub async fn end(db: &Db, token: &str, session: &Session, now: i64) -> anyhow::Result<()> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    forget(&mut tx, token).await?;
    audit::record(
        &mut tx,
        &session.actor(),
        Action::SignedOut,
        &session.email,
        "",
        now,
    )
    .await?;
    tx.commit().await.context("Failed to commit a sign-out")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_when_idle_or_at_their_absolute_limit() {
        let start = 1_000_000;
        let expires = start + ABSOLUTE_SECONDS;
        assert!(alive(expires, start, start));
        assert!(alive(expires, start, start + IDLE_SECONDS - 1));
        assert!(!alive(expires, start, start + IDLE_SECONDS), "idle");
        // Kept busy, it still ends at the absolute limit.
        assert!(alive(expires, expires - 10, expires - 1));
        assert!(!alive(expires, expires - 10, expires), "absolute");
    }

    #[test]
    fn tokens_are_never_printed() {
        let t = SessionToken("secret".into());
        assert_eq!(format!("{t:?}"), "SessionToken(<redacted>)");
    }
}
