//! Formatting shared by everything the tool prints: thousands separators, percentages, and
//! columns padded by display width.
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
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(text))));
    out
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
}
