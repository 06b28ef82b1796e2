//! Staff passwords: Argon2id hashes in PHC strings, and a [`Password`] type that never prints
//! or serialises what it holds.
//!
//! Parameters (OWASP Password Storage Cheat Sheet, 2023 minimum for Argon2id): m = 19 MiB,
//! t = 2 iterations, p = 1 lane, 16-byte random salt, 32-byte output. They are written into
//! each PHC string, so verification uses whatever a hash was made with and the parameters can
//! be raised later. Hashing takes tens of milliseconds of CPU on purpose: callers on an async
//! path run it on a blocking thread.

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// The longest: hashing a megabyte "password" is a denial of service, not security.
pub const MAX_LENGTH: usize = 256;

/// Memory in KiB, iterations, lanes.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// A password as typed: deliberately neither `Debug`-printable nor `Serialize`.
pub struct Password(String);

impl Password {
    /// Accepts 12 to 256 characters. Nothing else is imposed (NIST SP 800-63B: length, not
    /// composition rules).
    ///
    /// # Errors
    /// A sentence the person typing can act on.
    pub fn parse(typed: String) -> Result<Self, String> {
        let n = typed.chars().count();
        if n < MIN_LENGTH {
            return Err(format!(
                "The password is too short: use at least {MIN_LENGTH} characters (a few words \
                 make a good one)."
            ));
        }
        if n > MAX_LENGTH {
            return Err(format!(
                "The password is too long: use at most {MAX_LENGTH} characters."
            ));
        }
        Ok(Password(typed))
    }

    /// A password as typed at sign-in, where length rules are not checked (the hash decides),
    /// only the upper bound that keeps hashing cheap.
    pub fn for_sign_in(typed: String) -> Self {
        Password(typed.chars().take(MAX_LENGTH).collect())
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

fn hasher() -> Argon2<'static> {
    // The constants are within argon2's bounds; `Params::new` only fails outside them.
    let params = Params::new(M_COST, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) of `password`.
///
/// # Errors
/// No entropy from the OS for the salt, or an argon2 failure.
pub fn hash(password: &Password) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).context("Failed to get random bytes for a salt")?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let phc = hasher()
        .hash_password(password.bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))?;
    Ok(phc.to_string())
}

/// True when `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(password: &Password, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(password.bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password nobody knows, made once with the current parameters.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| {
    let mut secret = [0u8; 24];
    getrandom::getrandom(&mut secret).ok()?;
    let typed = secret.iter().map(|b| format!("{b:02x}")).collect();
    hash(&Password(typed)).ok()
});

/// Spends the time a real verification takes, for a sign-in with an email that has no
/// account, so the answer's timing does not tell which emails exist. Always false.
pub fn verify_dummy(password: &Password) -> bool {
    if let Some(phc) = DUMMY.as_deref() {
        let _ = verify(password, phc);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::parse(s.to_string()).expect("a valid password")
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let phc = hash(&pw("correct horse battery")).expect("hashes");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&pw("correct horse battery"), &phc));
        assert!(!verify(&pw("correct horse battery!"), &phc));
        assert_ne!(
            phc,
            hash(&pw("correct horse battery")).expect("hashes"),
            "salted"
        );
    }

    #[test]
    fn malformed_hashes_and_the_dummy_never_match() {
        assert!(!verify(&pw("correct horse battery"), "not a hash"));
        assert!(!verify(&pw("correct horse battery"), ""));
        assert!(!verify_dummy(&pw("correct horse battery")));
    }

    #[test]
    fn short_and_huge_passwords_are_refused_and_never_printed() {
        let err = Password::parse("elevenchars".to_string()).expect_err("11 is too short");
        assert!(err.contains("at least 12 characters"), "{err}");
        assert!(Password::parse("twelve chars".to_string()).is_ok());
        assert!(Password::parse("x".repeat(MAX_LENGTH + 1)).is_err());
        assert_eq!(
            format!("{:?}", pw("hunter2hunter2")),
            "Password(<redacted>)"
        );
    }
}
