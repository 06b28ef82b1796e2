//! Account lockout arithmetic, kept pure so it can be tested without a database: five
//! consecutive wrong passwords lock an account for fifteen minutes, after which it gets five
//! fresh tries. A correct password resets the count (but not a lock that is still running).

/// Consecutive wrong passwords that lock the account.
pub const MAX_FAILURES: i64 = 5;
/// How long the lock lasts, in seconds.
pub const LOCK_SECONDS: i64 = 15 * 60;

/// Whole minutes (rounded up, at least 1) until `locked_until`, or `None` when the account is
/// not locked at `now`.
pub fn minutes_left(locked_until: Option<i64>, now: i64) -> Option<i64> {
    let until = locked_until?;
    (until > now).then(|| ((until - now) + 59) / 60)
}

/// The account's counters after one more wrong password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterFailure {
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

impl AfterFailure {
    /// `failed_logins` is the count before this failure. The failure that reaches
    /// [`MAX_FAILURES`] sets the lock and starts the count again, so once the lock ends the
    /// account has the full number of tries, not one.
    pub fn of(failed_logins: i64, now: i64) -> Self {
        let n = failed_logins.max(0) + 1;
        if n >= MAX_FAILURES {
            AfterFailure {
                failed_logins: 0,
                locked_until: Some(now + LOCK_SECONDS),
            }
        } else {
            AfterFailure {
                failed_logins: n,
                locked_until: None,
            }
        }
    }

    pub fn locks(&self) -> bool {
        self.locked_until.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_consecutive_failure_locks_for_fifteen_minutes() {
        let now = 1_000_000;
        let mut failed = 0;
        for expected in 1..MAX_FAILURES {
            let after = AfterFailure::of(failed, now);
            assert_eq!(after.failed_logins, expected);
            assert!(!after.locks());
            failed = after.failed_logins;
        }
        let fifth = AfterFailure::of(failed, now);
        assert_eq!(
            fifth,
            AfterFailure {
                failed_logins: 0,
                locked_until: Some(now + 900)
            }
        );
    }

    #[test]
    fn minutes_left_round_up_and_end_with_the_lock() {
        let now = 1_000_000;
        assert_eq!(minutes_left(None, now), None);
        assert_eq!(minutes_left(Some(now + 900), now), Some(15));
        assert_eq!(minutes_left(Some(now + 61), now), Some(2));
        assert_eq!(minutes_left(Some(now + 1), now), Some(1));
        assert_eq!(minutes_left(Some(now), now), None);
        assert_eq!(minutes_left(Some(now - 5), now), None);
    }
}
