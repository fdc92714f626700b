//! How values read on screen: amounts, dates, statuses and channels.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use leads_domain::status::{Channel, LeadStatus};
use leads_domain::Money;

/// `$12,500` or `$12,500.50`.
pub fn money(amount: Option<Money>) -> String {
    let Some(amount) = amount else {
        return "—".into();
    };
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let dollars = grouped(cents / 100);
    match cents % 100 {
        0 => format!("{sign}${dollars}"),
        rest => format!("{sign}${dollars}.{rest:02}"),
    }
}

/// `1,234,567`.
pub fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Dec 4, 2026`. Written out by hand: chrono's general formatter would add tens of
/// kilobytes to the download.
pub fn date(d: NaiveDate) -> String {
    format!("{} {}, {}", MONTHS[d.month0() as usize], d.day(), d.year())
}

/// `Dec 4, 2026`.
pub fn day(at: DateTime<Utc>) -> String {
    date(at.date_naive())
}

/// `Dec 4, 2026 14:05 UTC`.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{} {:02}:{:02} UTC", day(at), at.hour(), at.minute())
}

/// How long ago `since` was, in whole days by the browser's clock: `today`, `1 day`,
/// `12 days`.
pub fn age(since: DateTime<Utc>) -> String {
    let now_ms = js_sys::Date::now();
    let days = ((now_ms - since.timestamp_millis() as f64) / 86_400_000.0).floor() as i64;
    age_in_days(days)
}

fn age_in_days(days: i64) -> String {
    match days {
        i64::MIN..=0 => "today".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

/// Today as `2026-12-04`, from the browser's clock.
pub fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_utc_full_year(),
        now.get_utc_month() + 1,
        now.get_utc_date()
    )
}

pub fn status_label(status: LeadStatus) -> &'static str {
    match status {
        LeadStatus::InProgress => "Unsubmitted",
        LeadStatus::Submitted => "Submitted",
        LeadStatus::Approved => "Approved",
        LeadStatus::Declined => "Declined",
        LeadStatus::Converted => "Converted",
        LeadStatus::Closed => "Closed",
    }
}

/// The badge's style class.
pub fn status_class(status: LeadStatus) -> &'static str {
    match status {
        LeadStatus::InProgress => "badge badge-progress",
        LeadStatus::Submitted => "badge badge-submitted",
        LeadStatus::Approved => "badge badge-approved",
        LeadStatus::Declined => "badge badge-declined",
        LeadStatus::Converted => "badge badge-converted",
        LeadStatus::Closed => "badge badge-closed",
    }
}

/// The value the leads table's `status` filter uses for a status.
pub fn status_param(status: LeadStatus) -> &'static str {
    match status {
        LeadStatus::InProgress => "unsubmitted",
        other => other.as_str(),
    }
}

pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::PublicLink => "Public link",
        Channel::OnlineBanking => "Online banking",
        Channel::LenderProxy => "Staff (proxy)",
        Channel::Integration => "Integration",
        Channel::Automation => "Automation",
    }
}

/// Words for a timeline action such as `lead.created`.
pub fn action_label(action: &str) -> String {
    let words = action.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A stored code such as `debt_to_income` or `home_improvement` in words; text that is
/// not a code (it has spaces or capitals) is left as it is.
pub fn code(text: &str) -> String {
    let is_code = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':' || c == ' '
        })
        && !text.contains(' ')
        || text.contains('_') && !text.chars().any(|c| c.is_ascii_uppercase());
    if !is_code {
        return text.to_string();
    }
    action_label(text)
}

/// A form answer as text.
pub fn answer(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Bool(true) => "Yes".into(),
        serde_json::Value::Bool(false) => "No".into(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Array(items) => items.iter().map(answer).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(map) => map
            .values()
            .map(answer)
            .filter(|s| s != "—")
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words_and_words_stay() {
        assert_eq!(code("debt_to_income"), "Debt to income");
        assert_eq!(code("home_improvement"), "Home improvement");
        assert_eq!(code("Jane Smith"), "Jane Smith");
        assert_eq!(code("mortgage"), "Mortgage");
        assert_eq!(
            code("other: Title not in the name"),
            "other: Title not in the name"
        );
    }

    #[test]
    fn ages_read_in_days() {
        assert_eq!(age_in_days(-1), "today");
        assert_eq!(age_in_days(0), "today");
        assert_eq!(age_in_days(1), "1 day");
        assert_eq!(age_in_days(12), "12 days");
    }

    #[test]
    fn dates_read_as_month_day_year() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 4).expect("a day");
        assert_eq!(date(d), "Dec 4, 2026");
        let at = d.and_hms_opt(9, 5, 0).expect("a time").and_utc();
        assert_eq!(moment(at), "Dec 4, 2026 09:05 UTC");
    }

    #[test]
    fn amounts_read_as_dollars() {
        assert_eq!(money(Money::from_dollars(12500.0).ok()), "$12,500");
        assert_eq!(money(Money::from_dollars(1234567.5).ok()), "$1,234,567.50");
        assert_eq!(money(None), "—");
    }
}
