//! Days on the wire: always `YYYY-MM-DD`, nothing looser (chrono alone would take
//! `2026-1-1` or `+2026-01-01`).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// `YYYY-MM-DD` with a four-digit year, as a real day.
pub fn parse(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// For `#[serde(deserialize_with)]` on an optional day.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text {
        None => Ok(None),
        Some(text) => parse(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("not a day written as YYYY-MM-DD")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_whole_real_days_are_days() {
        assert!(parse("2026-02-28").is_some());
        for bad in [
            "2026-02-30",
            "2026-1-1",
            "+2026-01-01",
            "-2026-01-01",
            "20260101",
            "garbage",
            "",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
