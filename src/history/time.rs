//! Times in records: RFC 3339 in UTC or with an offset, or milliseconds since the epoch.
//!
//! A poller's clock is what dates a poll (the batch-status answer carries no time), and
//! the DRS API itself writes times both ways (`2025-03-01T10:00:00Z`, `"1592977362000"`), so
//! both are read. Parsing is by hand, with no calendar crate: the records need one format
//! and a validator that reads millions of lines a second cannot afford a general one.

use std::fmt;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// What is wrong with a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadTime(pub String);

impl fmt::Display for BadTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad time {:?}: expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction \
             and offset) or milliseconds since the epoch",
            self.0
        )
    }
}

/// Days since the epoch of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn digits(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() {
        return None;
    }
    let mut value = 0i64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// Reads an RFC 3339 time, or milliseconds since the epoch written as digits.
pub fn parse_time(text: &str) -> Result<Millis, BadTime> {
    let bad = || BadTime(text.to_string());
    let b = text.as_bytes();
    if b.len() <= 15 && !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return digits(b).ok_or_else(bad);
    }
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let year = digits(&b[0..4]).ok_or_else(bad)?;
    let month = digits(&b[5..7]).ok_or_else(bad)?;
    let day = digits(&b[8..10]).ok_or_else(bad)?;
    let hour = digits(&b[11..13]).ok_or_else(bad)?;
    let minute = digits(&b[14..16]).ok_or_else(bad)?;
    let second = digits(&b[17..19]).ok_or_else(bad)?;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return Err(bad());
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return Err(bad());
        }
        for (k, &c) in fraction[..len].iter().take(3).enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][k];
        }
        rest = &fraction[len..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2]).ok_or_else(bad)?;
            let minutes = digits(&[*m1, *m2]).ok_or_else(bad)?;
            let total = hours * 60 + minutes;
            if *sign == b'-' { -total } else { total }
        }
        _ => return Err(bad()),
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59)
            - offset_minutes * 60;
    Ok(seconds * 1000 + millis)
}

/// Writes a time as RFC 3339 in UTC, with milliseconds only when there are some.
pub fn format_time(millis: Millis) -> String {
    let seconds = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    let (hh, mm, ss) = (s / 3600, s / 60 % 60, s % 60);
    if ms == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{ms:03}Z")
    }
}

/// A duration for people: `40 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`.
pub fn format_gap(millis: Millis) -> String {
    if millis.abs() < 1000 {
        return format!("{millis} ms");
    }
    // Rounded to the unit shown, never truncated: 9,998 ms is "10 s", not "9 s".
    let negative = millis < 0;
    let m = millis.unsigned_abs();
    let round = |unit: u64| (m + unit / 2) / unit;
    let text = if m < 59_500 {
        let tenths = round(100);
        if tenths < 100 && tenths % 10 != 0 {
            format!("{}.{} s", tenths / 10, tenths % 10)
        } else {
            format!("{} s", round(1000))
        }
    } else if m < 3_599_500 {
        let s = round(1000);
        format!("{} min {} s", s / 60, s % 60)
    } else if m < 86_370_000 {
        let min = round(60_000);
        format!("{} h {} min", min / 60, min % 60)
    } else {
        let h = round(3_600_000);
        format!("{} d {} h", h / 24, h % 24)
    };
    if negative { format!("-{text}") } else { text }
}

/// Reads a duration: `90`, `90s`, `15m`, `2h`, `1d`, `500ms` (seconds when bare).
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("bad duration {text:?}: expected e.g. 90s, 15m, 2h or 1d"))?;
    let scale = match unit.trim() {
        "" | "s" => 1000,
        "ms" => 1,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "bad duration {text:?}: expected e.g. 90s, 15m, 2h or 1d"
            ));
        }
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("duration {text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_time("2025-03-01T10:00:00Z").unwrap();
        assert_eq!(format_time(t), "2025-03-01T10:00:00Z");
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("1970-01-01T08:00:00.250+08:00"), Ok(250));
        assert_eq!(parse_time("1592977362000"), Ok(1_592_977_362_000));
        assert_eq!(format_time(1_592_977_362_123), "2020-06-24T05:42:42.123Z");
    }

    #[test]
    fn bad_times_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2025-02-30T00:00:00Z",
            "2025-03-01T25:00:00Z",
            "2025-03-01T10:00:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gaps_are_rounded_to_the_unit_shown_never_truncated() {
        assert_eq!(format_gap(999), "999 ms");
        assert_eq!(format_gap(9_998), "10 s");
        assert_eq!(format_gap(9_949), "9.9 s");
        assert_eq!(format_gap(58_000), "58 s");
        assert_eq!(format_gap(59_600), "1 min 0 s");
        assert_eq!(format_gap(119_700), "2 min 0 s");
        assert_eq!(format_gap(3_599_700), "1 h 0 min");
        assert_eq!(format_gap(5_430_000), "1 h 31 min");
        assert_eq!(format_gap(86_399_000), "1 d 0 h");
        assert_eq!(format_gap(-9_998), "-10 s");
    }

    #[test]
    fn durations_read_with_units() {
        assert_eq!(parse_duration("90"), Ok(90_000));
        assert_eq!(parse_duration("15m"), Ok(900_000));
        assert_eq!(parse_duration("2h"), Ok(7_200_000));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn every_day_of_eight_centuries_converts_both_ways() {
        // An independent count: day by day from 1600-03-01, with the Gregorian leap rule.
        let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let length = |y: i64, m: i64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let mut day = days_from_civil(1600, 3, 1);
        assert_eq!(day, -135_080);
        let (mut y, mut m, mut d) = (1600, 3, 1);
        while y < 2401 {
            assert_eq!(days_from_civil(y, m, d), day, "{y}-{m}-{d}");
            assert_eq!(civil_from_days(day), (y, m, d), "day {day}");
            day += 1;
            d += 1;
            if d > length(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn times_read_and_write_word_for_word() {
        let mut out = String::new();
        for text in [
            "2000-02-29T00:00:00Z",
            "2000-02-28T23:59:59.999Z",
            "1900-02-29T00:00:00Z",
            "2024-02-29t12:00:00z",
            "2025-02-29T00:00:00Z",
            "2025-02-28T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2400-02-29T00:00:00Z",
            "2025-04-30 10:00:00Z",
            "2025-04-31T10:00:00Z",
            "2025-01-31T10:00:00Z",
            "2025-12-31T23:59:60Z",
            "2025-12-31T23:59:61Z",
            "2025-12-31T24:00:00Z",
            "2025-12-31T23:60:00Z",
            "2025-00-10T10:00:00Z",
            "2025-13-10T10:00:00Z",
            "2025-06-00T10:00:00Z",
            "2025-06-01T10:00:00.5Z",
            "2025-06-01T10:00:00.05Z",
            "2025-06-01T10:00:00.123456Z",
            "2025-06-01T10:00:00.Z",
            "2025-06-01T10:00:00+05:30",
            "2025-06-01T10:00:00-05:30",
            "2025-06-01T10:00:00.250-00:01",
            "2025-06-01T10:00:00+5:30",
            "2025-06-01T10:00:00+0a:30",
            "2025-06-01T10:00:00+05:3x",
            "2025-06-01T10:00:00+05-30",
            "2025-06-01X10:00:00Z",
            "2025/06-01T10:00:00Z",
            "2025-06/01T10:00:00Z",
            "2025-06-01T10-00:00Z",
            "2025-06-01T10:00-00Z",
            "2025-06-01T10:00:00ZZ",
            "2a25-06-01T10:00:00Z",
            "2025-0a-01T10:00:00Z",
            "2025-06-0aT10:00:00Z",
            "2025-06-01Ta0:00:00Z",
            "2025-06-01T10:a0:00Z",
            "2025-06-01T10:00:a0Z",
            "1969-12-31T23:59:59.999Z",
            "999999999999999",
            "1000000000000000",
            "0",
            "-5",
        ] {
            let read = match parse_time(text) {
                Ok(ms) => format!("{ms} = {}", format_time(ms)),
                Err(error) => error.to_string(),
            };
            writeln!(out, "{text} -> {read}").unwrap();
        }
        expect_test::expect![[r#"
            2000-02-29T00:00:00Z -> 951782400000 = 2000-02-29T00:00:00Z
            2000-02-28T23:59:59.999Z -> 951782399999 = 2000-02-28T23:59:59.999Z
            1900-02-29T00:00:00Z -> bad time "1900-02-29T00:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2024-02-29t12:00:00z -> 1709208000000 = 2024-02-29T12:00:00Z
            2025-02-29T00:00:00Z -> bad time "2025-02-29T00:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-02-28T00:00:00Z -> 1740700800000 = 2025-02-28T00:00:00Z
            2100-02-29T00:00:00Z -> bad time "2100-02-29T00:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2400-02-29T00:00:00Z -> 13574563200000 = 2400-02-29T00:00:00Z
            2025-04-30 10:00:00Z -> 1746007200000 = 2025-04-30T10:00:00Z
            2025-04-31T10:00:00Z -> bad time "2025-04-31T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-01-31T10:00:00Z -> 1738317600000 = 2025-01-31T10:00:00Z
            2025-12-31T23:59:60Z -> 1767225599000 = 2025-12-31T23:59:59Z
            2025-12-31T23:59:61Z -> bad time "2025-12-31T23:59:61Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-12-31T24:00:00Z -> bad time "2025-12-31T24:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-12-31T23:60:00Z -> bad time "2025-12-31T23:60:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-00-10T10:00:00Z -> bad time "2025-00-10T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-13-10T10:00:00Z -> bad time "2025-13-10T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-00T10:00:00Z -> bad time "2025-06-00T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00.5Z -> 1748772000500 = 2025-06-01T10:00:00.500Z
            2025-06-01T10:00:00.05Z -> 1748772000050 = 2025-06-01T10:00:00.050Z
            2025-06-01T10:00:00.123456Z -> 1748772000123 = 2025-06-01T10:00:00.123Z
            2025-06-01T10:00:00.Z -> bad time "2025-06-01T10:00:00.Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00+05:30 -> 1748752200000 = 2025-06-01T04:30:00Z
            2025-06-01T10:00:00-05:30 -> 1748791800000 = 2025-06-01T15:30:00Z
            2025-06-01T10:00:00.250-00:01 -> 1748772060250 = 2025-06-01T10:01:00.250Z
            2025-06-01T10:00:00+5:30 -> bad time "2025-06-01T10:00:00+5:30": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00+0a:30 -> bad time "2025-06-01T10:00:00+0a:30": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00+05:3x -> bad time "2025-06-01T10:00:00+05:3x": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00+05-30 -> bad time "2025-06-01T10:00:00+05-30": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01X10:00:00Z -> bad time "2025-06-01X10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025/06-01T10:00:00Z -> bad time "2025/06-01T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06/01T10:00:00Z -> bad time "2025-06/01T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10-00:00Z -> bad time "2025-06-01T10-00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00-00Z -> bad time "2025-06-01T10:00-00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:00ZZ -> bad time "2025-06-01T10:00:00ZZ": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2a25-06-01T10:00:00Z -> bad time "2a25-06-01T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-0a-01T10:00:00Z -> bad time "2025-0a-01T10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-0aT10:00:00Z -> bad time "2025-06-0aT10:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01Ta0:00:00Z -> bad time "2025-06-01Ta0:00:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:a0:00Z -> bad time "2025-06-01T10:a0:00Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            2025-06-01T10:00:a0Z -> bad time "2025-06-01T10:00:a0Z": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            1969-12-31T23:59:59.999Z -> -1 = 1969-12-31T23:59:59.999Z
            999999999999999 -> 999999999999999 = 33658-09-27T01:46:39.999Z
            1000000000000000 -> bad time "1000000000000000": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
            0 -> 0 = 1970-01-01T00:00:00Z
            -5 -> bad time "-5": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch
        "#]].assert_eq(&out);
    }

    #[test]
    fn gaps_and_durations_word_for_word() {
        let mut out = String::new();
        for ms in [
            0,
            1,
            999,
            -999,
            1000,
            -1000,
            1049,
            1050,
            1950,
            9_949,
            9_950,
            10_049,
            59_499,
            59_500,
            60_000,
            61_000,
            3_599_499,
            3_599_500,
            3_600_000,
            3_630_000,
            86_369_999,
            86_370_000,
            90_000_000,
            200_000_000,
            -200_000_000,
        ] {
            writeln!(out, "{ms} ms -> {}", format_gap(ms)).unwrap();
        }
        for text in [
            "90",
            "90s",
            " 90 s ",
            "500ms",
            "15m",
            "15min",
            "2h",
            "1d",
            "0",
            "soon",
            "5x",
            "",
            "-5m",
            "9999999999999999999",
            "99999999999999d",
        ] {
            writeln!(out, "{text:?} -> {:?}", parse_duration(text)).unwrap();
        }
        expect_test::expect![[r#"
            0 ms -> 0 ms
            1 ms -> 1 ms
            999 ms -> 999 ms
            -999 ms -> -999 ms
            1000 ms -> 1 s
            -1000 ms -> -1 s
            1049 ms -> 1 s
            1050 ms -> 1.1 s
            1950 ms -> 2 s
            9949 ms -> 9.9 s
            9950 ms -> 10 s
            10049 ms -> 10 s
            59499 ms -> 59 s
            59500 ms -> 1 min 0 s
            60000 ms -> 1 min 0 s
            61000 ms -> 1 min 1 s
            3599499 ms -> 59 min 59 s
            3599500 ms -> 1 h 0 min
            3600000 ms -> 1 h 0 min
            3630000 ms -> 1 h 1 min
            86369999 ms -> 23 h 59 min
            86370000 ms -> 1 d 0 h
            90000000 ms -> 1 d 1 h
            200000000 ms -> 2 d 8 h
            -200000000 ms -> -2 d 8 h
            "90" -> Ok(90000)
            "90s" -> Ok(90000)
            " 90 s " -> Ok(90000)
            "500ms" -> Ok(500)
            "15m" -> Ok(900000)
            "15min" -> Ok(900000)
            "2h" -> Ok(7200000)
            "1d" -> Ok(86400000)
            "0" -> Ok(0)
            "soon" -> Err("bad duration \"soon\": expected e.g. 90s, 15m, 2h or 1d")
            "5x" -> Err("bad duration \"5x\": expected e.g. 90s, 15m, 2h or 1d")
            "" -> Err("bad duration \"\": expected e.g. 90s, 15m, 2h or 1d")
            "-5m" -> Err("bad duration \"-5m\": expected e.g. 90s, 15m, 2h or 1d")
            "9999999999999999999" -> Err("bad duration \"9999999999999999999\": expected e.g. 90s, 15m, 2h or 1d")
            "99999999999999d" -> Err("duration \"99999999999999d\" is too long")
        "#]].assert_eq(&out);
    }
}
