//! Secret tokens for staff sessions and CSRF: 256 random bits from the OS as 64 hex digits,
//! their SHA-256 digest (what the database keeps for session tokens), and a comparison whose
//! time does not depend on where two tokens differ.
//!
//! Unlike [`crate::ids::random_id`], these fail when the OS has no entropy: a guessable
//! session token is worse than a failed sign-in.

use anyhow::Context;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Length of a token in hex digits.
pub const TOKEN_LEN: usize = 64;

/// A new random token (32 bytes, hex).
///
/// # Errors
/// The OS gave no random bytes.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).context("Failed to get random bytes for a token")?;
    Ok(hex(&bytes))
}

/// The SHA-256 of `token`, hex: the key a session is stored under.
pub fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// True when `token` could be one we issued (64 lower-case hex digits): anything else is
/// rejected before it reaches a query or a comparison.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Constant-time equality of two tokens; an empty token never matches.
pub fn same(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_hex() {
        let a = random_token().expect("entropy");
        assert!(well_formed(&a), "{a}");
        assert_ne!(a, random_token().expect("entropy"));
        assert!(!well_formed(&a.to_uppercase()));
        assert!(!well_formed(&a[1..]));
        assert!(!well_formed("<script>"));
    }

    #[test]
    fn digests_are_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn comparison_needs_the_same_bytes() {
        let t = random_token().expect("entropy");
        assert!(same(&t, &t.clone()));
        assert!(!same(&t, &t[..63]));
        assert!(!same(&t, ""));
        assert!(!same("", ""), "an empty token is never a match");
        let mut other = t.clone().into_bytes();
        other[0] = if other[0] == b'0' { b'1' } else { b'0' };
        assert!(!same(&t, &String::from_utf8(other).expect("ascii")));
    }
}
