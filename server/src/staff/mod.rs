//! Staff accounts for the console: roles, adding, listing and disabling accounts, sign-in
//! with lockout, database-backed sessions, and the audit log. Plain Rust services over the
//! pool, tested without HTTP; `crate::admin` is the web face and `cli` the command line.
//!
//! Never log a password, a token or an email from here (no personal data in logs): spans carry
//! ids and outcomes only. Passwords live in [`Password`], which cannot be printed.

pub mod audit;
pub mod cli;
pub mod lockout;
pub mod password;
pub mod session;
pub mod signin;
pub mod tokens;

pub use audit::{Action, Actor, AuditEntry};
pub use password::Password;
pub use session::{Session, SessionToken};
pub use signin::{SignInError, sign_in};

use crate::db::{self, Db};
use anyhow::Context;

/// What a staff member may do. Admins can do everything a marketer can, and manage staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Experiments, dashboard, price approvals.
    Marketer,
    /// Also staff management.
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "marketer" => Some(Role::Marketer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Role::Marketer => "marketer",
            Role::Admin => "admin",
        }
    }

    /// True when this role may do what `needed` may.
    pub fn includes(self, needed: Role) -> bool {
        self == Role::Admin || needed == Role::Marketer
    }
}

/// A staff email: trimmed, lower-cased, shaped like `name@example.com`. ASCII only, so that
/// "lower-cased" means the same to Rust, SQLite and PostgreSQL (the table's CHECK).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffEmail(String);

impl StaffEmail {
    /// # Errors
    /// A sentence naming what is wrong.
    pub fn parse(typed: &str) -> Result<Self, String> {
        let email = typed.trim().to_ascii_lowercase();
        let ok = email.is_ascii()
            && email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(StaffEmail(email))
        } else {
            Err("Enter an email address like name@example.com.".to_string())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A staff account as the console lists it (never the hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled: bool,
    pub locked_until: Option<i64>,
}

/// What can go wrong changing staff accounts.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{0}")]
    Invalid(String),
    #[error("There is already a staff account for that email.")]
    Duplicate,
    #[error("There is no such staff account.")]
    Unknown,
    #[error("You can't disable your own account; ask another admin.")]
    Yourself,
    #[error(transparent)]
    Unavailable(#[from] anyhow::Error),
}

/// A checked request to add a staff member.
#[derive(Debug)]
pub struct NewStaff {
    pub email: StaffEmail,
    pub role: Role,
    pub password: Password,
}

impl NewStaff {
    /// # Errors
    /// [`StaffError::Invalid`] naming the first field that is wrong.
    pub fn parse(email: &str, role: &str, password: String) -> Result<Self, StaffError> {
        let email = StaffEmail::parse(email).map_err(StaffError::Invalid)?;
        let role = Role::parse(role)
            .ok_or_else(|| StaffError::Invalid("Choose the role: marketer or admin.".into()))?;
        let password = Password::parse(password).map_err(StaffError::Invalid)?;
        Ok(NewStaff {
            email,
            role,
            password,
        })
    }
}

/// Adds an account (hashing the password on a blocking thread) and its audit entry in one
/// transaction; returns the new id.
///
/// # Errors
/// [`StaffError::Duplicate`] when the email already has an account.
#[tracing::instrument(name = "staff.add", skip_all, fields(role = new.role.key()))]
pub async fn add(db: &Db, new: NewStaff, actor: &Actor, now: i64) -> Result<String, StaffError> {
    let NewStaff {
        email,
        role,
        password,
    } = new;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .context("The password hashing thread failed")??;
    let id = crate::ids::random_id();
    let (mut tx, _turn) = db::begin_write(db).await?;
    let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM staff WHERE email = $1")
        .bind(email.as_str().to_string())
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to look up a staff email")?;
    if taken.is_some() {
        return Err(StaffError::Duplicate);
    }
    let inserted = sqlx::query(
        "INSERT INTO staff (id, email, role, password_hash, failed_logins, locked_until, created_at, disabled) \
         VALUES ($1, $2, $3, $4, 0, NULL, $5, 0)",
    )
    .bind(id.clone())
    .bind(email.as_str().to_string())
    .bind(role.key())
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        if e.as_database_error()
            .is_some_and(|d| d.is_unique_violation())
        {
            return Err(StaffError::Duplicate);
        }
        return Err(anyhow::Error::new(e)
            .context("Failed to add a staff account")
            .into());
    }
    audit::record(
        &mut tx,
        actor,
        Action::StaffAdded,
        email.as_str(),
        &format!("role {}", role.key()),
        now,
    )
    .await?;
    tx.commit()
        .await
        .context("Failed to commit a new staff account")?;
    Ok(id)
}

type StaffRow = (String, String, String, i64, i64, Option<i64>);

/// Every account, by email.
#[tracing::instrument(name = "staff.list", skip_all)]
pub async fn list(db: &Db) -> anyhow::Result<Vec<StaffMember>> {
    let rows: Vec<StaffRow> = sqlx::query_as(
        "SELECT id, email, role, created_at, disabled, locked_until FROM staff ORDER BY email",
    )
    .fetch_all(db)
    .await
    .context("Failed to list staff")?;
    rows.into_iter()
        .map(|(id, email, role, created_at, disabled, locked_until)| {
            Ok(StaffMember {
                role: Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?,
                id,
                email,
                created_at,
                disabled: disabled != 0,
                locked_until,
            })
        })
        .collect()
}

/// Disables (ending every session of the account) or re-enables an account, with its audit
/// entry, in one transaction. Staff cannot disable themselves, so the console always keeps
/// the admin who is using it.
///
/// # Errors
/// [`StaffError::Unknown`], [`StaffError::Yourself`].
#[tracing::instrument(name = "staff.set_disabled", skip(db, actor, now))]
pub async fn set_disabled(
    db: &Db,
    id: &str,
    disabled: bool,
    actor: &Actor,
    now: i64,
) -> Result<(), StaffError> {
    if disabled && matches!(actor, Actor::Staff { id: me, .. } if me == id) {
        return Err(StaffError::Yourself);
    }
    let (mut tx, _turn) = db::begin_write(db).await?;
    let email: Option<(String,)> = sqlx::query_as("SELECT email FROM staff WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .context("Failed to look up a staff account")?;
    let Some((email,)) = email else {
        return Err(StaffError::Unknown);
    };
    sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .context("Failed to update a staff account")?;
    let action = if disabled {
        sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .context("Failed to end a disabled account's sessions")?;
        Action::StaffDisabled
    } else {
        Action::StaffEnabled
    };
    audit::record(&mut tx, actor, action, &email, "", now).await?;
    tx.commit()
        .await
        .context("Failed to commit a staff change")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_shaped() {
        assert_eq!(
            StaffEmail::parse("  Ada@Example.COM ").map(|e| e.0),
            Ok("ada@example.com".to_string())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@x.io",
            "a@b@c.io",
            "\u{e9}@example.com",
        ] {
            assert!(StaffEmail::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn admins_can_do_what_marketers_can_but_not_the_reverse() {
        assert!(Role::Admin.includes(Role::Marketer));
        assert!(Role::Admin.includes(Role::Admin));
        assert!(Role::Marketer.includes(Role::Marketer));
        assert!(!Role::Marketer.includes(Role::Admin));
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn a_new_staff_member_needs_a_long_enough_password() {
        let err =
            NewStaff::parse("ada@example.com", "admin", "short".into()).expect_err("too short");
        assert!(err.to_string().contains("at least 12 characters"), "{err}");
        let err = NewStaff::parse("ada@example.com", "owner", "long enough pass".into())
            .expect_err("unknown role");
        assert!(err.to_string().contains("marketer or admin"));
        assert!(NewStaff::parse("ada@example.com", "marketer", "long enough pass".into()).is_ok());
    }
}
