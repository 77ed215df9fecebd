//! Formatting shared by everything the tool prints: thousands separators, percentages,
//! times, rates and sizes, and columns padded by display width.
//!
//! One home, so that the fuzzer's summary, the reports and the command line agree: a share
//! of an empty whole is 0 % everywhere, and a column holding `暂停中` lines up with one
//! holding `Paused`. A CJK character takes two terminal columns while `{:<width$}` counts
//! it as one, so padding goes through [`unicode_width`], which knows every character's
//! display width.

use unicode_width::UnicodeWidthStr;

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `whole`; a share of nothing is 0 %.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// How many terminal columns the text takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The text followed by spaces up to `columns` display columns (unchanged if wider).
pub fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// A time in the unit that reads best: `3.21 ns`, `45.6 µs`, `7.89 s`.
pub fn format_time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// A rate with an SI prefix: `312 k`, `1.05 M`, `2.31 G`.
pub fn format_rate(per_second: f64) -> String {
    let (value, prefix) = if per_second >= 1e9 {
        (per_second / 1e9, " G")
    } else if per_second >= 1e6 {
        (per_second / 1e6, " M")
    } else if per_second >= 1e3 {
        (per_second / 1e3, " k")
    } else {
        (per_second, " ")
    };
    if value < 10.0 {
        format!("{value:.2}{prefix}")
    } else {
        format!("{value:.0}{prefix}")
    }
}

/// `141557760` → `135 MiB`; `1610612736` → `1.50 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    const GIB: f64 = 1024.0 * MIB;
    let value = bytes as f64;
    if value >= GIB {
        format!("{:.2} GiB", value / GIB)
    } else {
        format!("{:.0} MiB", value / MIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(4_518_129), "4,518,129");
    }

    #[test]
    fn a_share_of_nothing_is_zero() {
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(1, 4), 25.0);
    }

    #[test]
    fn chinese_characters_take_two_columns() {
        assert_eq!(width("暂停中 Paused"), 13);
        assert_eq!(pad("暂停中", 8), "暂停中  ");
        assert_eq!(pad("Paused", 8), "Paused  ");
        assert_eq!(pad("too wide", 3), "too wide");
    }

    #[test]
    fn times_and_rates_read_in_their_best_unit() {
        assert_eq!(format_time(3.214), "3.21 ns");
        assert_eq!(format_time(45_600.0), "45.6 µs");
        assert_eq!(format_time(7.89e9), "7.89 s");
        assert_eq!(format_rate(312_400.0), "312 k");
        assert_eq!(format_rate(1_050_000.0), "1.05 M");
    }

    #[test]
    fn bytes_read_as_mebibytes_or_gibibytes() {
        assert_eq!(format_bytes(141_557_760), "135 MiB");
        assert_eq!(format_bytes(1_610_612_736), "1.50 GiB");
        assert_eq!(format_bytes(0), "0 MiB");
    }
}
