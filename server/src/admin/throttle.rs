//! A per-client rate limit on sign-in attempts, in memory: at most [`LIMIT`] attempts in any
//! [`WINDOW`] from one address. It slows password guessing across many accounts (the account
//! lockout handles one account); it is per process, so N replicas allow N times as many.
//!
//! The address is the TCP peer, when the server was started with connection info
//! (`into_make_service_with_connect_info`). `X-Forwarded-For` is never read: anyone can send
//! it. Without connection info every client shares one allowance, which still caps guessing
//! but lets a flood delay real sign-ins. IPv6 clients are limited per /64, the block one
//! subscriber usually gets.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed per window.
pub const LIMIT: usize = 10;
/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked clients, idle entries are dropped on the next attempt.
const PRUNE_AT: usize = 10_000;

/// Who an attempt is counted against.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Client {
    Ip(IpAddr),
    /// The peer address is not known (see the module docs).
    Unknown,
}

impl Client {
    pub fn of(peer: Option<SocketAddr>) -> Self {
        match peer.map(|p| p.ip()) {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::Ip(IpAddr::V4(v4)),
                None => {
                    let mut s = v6.segments();
                    s[4..].fill(0);
                    Client::Ip(IpAddr::from(s))
                }
            },
            Some(ip) => Client::Ip(ip),
            None => Client::Unknown,
        }
    }
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    attempts: Mutex<HashMap<Client, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// Counts an attempt by `client` at `now`; `Err(wait)` when it is over the limit (the
    /// refused attempt is not counted).
    pub fn attempt(&self, client: Client, now: Instant) -> Result<(), Duration> {
        let mut map = self
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= PRUNE_AT {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < WINDOW)
            });
        }
        let times = map.entry(client).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= LIMIT {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_in_a_minute_waits_for_the_first_to_age_out() {
        let t = LoginThrottle::default();
        let a = Client::of(Some("203.0.113.7:5000".parse().expect("addr")));
        let b = Client::of(Some("203.0.113.8:5000".parse().expect("addr")));
        let start = Instant::now();
        for i in 0..LIMIT {
            assert!(t.attempt(a, start + Duration::from_secs(i as u64)).is_ok());
        }
        let wait = t
            .attempt(a, start + Duration::from_secs(30))
            .expect_err("over the limit");
        assert_eq!(wait, Duration::from_secs(30));
        assert!(
            t.attempt(b, start).is_ok(),
            "other clients are not affected"
        );
        assert!(t.attempt(a, start + WINDOW).is_ok(), "the first aged out");
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let one = Client::of(Some("[2001:db8:1:2::1]:1".parse().expect("addr")));
        let two = Client::of(Some("[2001:db8:1:2:ffff::9]:1".parse().expect("addr")));
        assert_eq!(one, two);
        let mapped = Client::of(Some("[::ffff:192.0.2.1]:1".parse().expect("addr")));
        assert_eq!(mapped, Client::Ip("192.0.2.1".parse().expect("ip")));
        assert_eq!(Client::of(None), Client::Unknown);
    }
}
