//! Instants (unix seconds, UTC) written for people and for machines. Pure and shared: the
//! product page's sale end time reads the same on the server and in the browser.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1-12, day 1-31, hour, minute, second) of `unix` in UTC.
fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    (year, month, day, h as u32, m as u32, s as u32)
}

/// `2026-11-23T18:00:00Z`: for `<time datetime>` and JSON-LD.
pub fn iso(unix: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `23 Nov 18:00 UTC`: for people.
pub fn short_utc(unix: i64) -> String {
    let (_, mo, d, h, mi, _) = civil(unix);
    let month = MONTHS[(mo as usize).saturating_sub(1) % 12];
    format!("{d} {month} {h:02}:{mi:02} UTC")
}

/// `1d 02:03:04`, `02:03:04`: what is left of `seconds` (never negative).
pub fn countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, s) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an instant an operator typed, in UTC: `2026-11-23`, `2026-11-23T18:00`,
/// `2026-11-23 18:00:30`, with an optional trailing `Z`; or relative to `now`: `+90s`, `+30m`,
/// `+2h`, `+7d`.
pub fn parse_utc(input: &str, now: i64) -> Option<i64> {
    let s = input.trim();
    if let Some(rel) = s.strip_prefix('+') {
        let (n, unit) = rel.split_at(rel.len().checked_sub(1)?);
        let n: i64 = n.parse().ok().filter(|&n| n >= 0)?;
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            _ => return None,
        };
        return now.checked_add(n.checked_mul(scale)?);
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, t),
        None => (s, "00:00"),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let sec: i64 = t.next().map_or(Some(0), |x| x.parse().ok())?;
    if t.next().is_some() || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0 {
        return None;
    }
    let unix = days_from_civil(y, m, day) * 86_400 + h * 3_600 + mi * 60 + sec;
    // Reject dates that do not exist (31 Feb) by writing them back.
    (civil(unix).1 == m && civil(unix).2 == day).then_some(unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_instants() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        // 2026-11-23 18:00:00 UTC
        assert_eq!(iso(1_795_456_800), "2026-11-23T18:00:00Z");
        assert_eq!(short_utc(1_795_456_800), "23 Nov 18:00 UTC");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(countdown(90_061), "1d 01:01:01");
        assert_eq!(countdown(-5), "00:00:00");
    }

    #[test]
    fn parses_what_operators_type() {
        assert_eq!(parse_utc("2026-11-23T18:00:00Z", 0), Some(1_795_456_800));
        assert_eq!(parse_utc("2026-11-23 18:00", 0), Some(1_795_456_800));
        assert_eq!(parse_utc("2026-11-23", 0), Some(1_795_456_800 - 18 * 3_600));
        assert_eq!(parse_utc("+2h", 100), Some(7_300));
        assert_eq!(parse_utc("+90s", 100), Some(190));
        for bad in [
            "",
            "tomorrow",
            "2026-02-31",
            "2026-13-01",
            "+2w",
            "+-1h",
            "2026-11-23T25:00",
        ] {
            assert_eq!(parse_utc(bad, 0), None, "{bad}");
        }
    }
}
