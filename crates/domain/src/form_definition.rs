//! Whether a form definition staff write is one the product can show and check answers
//! against: steps with unique keys, fields of known types with sensible limits.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::text::{clean_line, clean_text};

/// The field types a form may use.
pub const FIELD_TYPES: [&str; 11] = [
    "text", "number", "money", "date", "select", "checkbox", "email", "phone", "ssn", "address",
    "file",
];

/// Keys no field may take: they name what the lead itself records, which an applicant
/// never sets through answers.
const RESERVED: [&str; 12] = [
    "id",
    "status",
    "institution",
    "institution_id",
    "channel",
    "member_id",
    "reference",
    "created_at",
    "updated_at",
    "submitted_at",
    "archived",
    "payment_protection_interest",
];

const MAX_STEPS: usize = 20;
const MAX_FIELDS: usize = 150;
const MAX_LABEL: usize = 200;
const MAX_HELP: usize = 1000;
const MAX_OPTIONS: usize = 100;

/// Every problem of a form definition, as (where, what is wrong); empty when it is sound.
pub fn check(form: &Value) -> Vec<(String, String)> {
    let mut problems = Problems::default();
    let Some(top) = form.as_object() else {
        problems.add("form", "must be an object with steps");
        return problems.0;
    };
    for key in top.keys() {
        if key != "steps" && key != "protection" {
            problems.add(format!("form.{key}"), "is not part of a form");
        }
    }
    if let Some(offer) = top.get("protection") {
        check_offer(offer, &mut problems);
    }
    let steps = match top.get("steps").and_then(Value::as_array) {
        Some(steps) if !steps.is_empty() && steps.len() <= MAX_STEPS => steps,
        _ => {
            problems.add("form.steps", "must list between 1 and 20 steps");
            return problems.0;
        }
    };
    let mut step_keys = HashSet::new();
    let mut field_keys = HashSet::new();
    let mut count = 0;
    for (i, step) in steps.iter().enumerate() {
        let at = format!("form.steps[{i}]");
        let Some(step) = step.as_object() else {
            problems.add(at, "must be an object");
            continue;
        };
        allow_only(step, &["key", "title", "fields"], &at, &mut problems);
        match step.get("key").and_then(Value::as_str) {
            Some(key) if is_key(key) => {
                if !step_keys.insert(key.to_string()) {
                    problems.add(format!("{at}.key"), "is used by another step");
                }
            }
            _ => problems.add(format!("{at}.key"), KEY_RULE),
        }
        text(
            step.get("title"),
            MAX_LABEL,
            true,
            &format!("{at}.title"),
            &mut problems,
        );
        let Some(fields) = step.get("fields").and_then(Value::as_array) else {
            problems.add(format!("{at}.fields"), "must be a list of fields");
            continue;
        };
        if fields.is_empty() {
            problems.add(format!("{at}.fields"), "must hold at least one field");
        }
        for (j, field) in fields.iter().enumerate() {
            count += 1;
            check_field(
                field,
                &format!("{at}.fields[{j}]"),
                &mut field_keys,
                &mut problems,
            );
        }
    }
    if count > MAX_FIELDS {
        problems.add("form.steps", "may hold at most 150 fields in all");
    }
    problems.0
}

#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, at: impl Into<String>, reason: &str) {
        self.0.push((at.into(), reason.into()));
    }
}

const KEY_RULE: &str = "must be 1 to 64 lower-case letters, digits or underscores";

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn allow_only(object: &Map<String, Value>, known: &[&str], at: &str, problems: &mut Problems) {
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            problems.add(format!("{at}.{key}"), "is not part of a form");
        }
    }
}

fn text(value: Option<&Value>, max: usize, required: bool, at: &str, problems: &mut Problems) {
    let sound = match value {
        None => !required,
        Some(Value::String(s)) if max > MAX_LABEL => clean_text(s, max).is_ok(),
        Some(Value::String(s)) => clean_line(s, max).is_ok(),
        Some(_) => false,
    };
    if !sound {
        problems.add(
            at,
            "must be text of 1 to the allowed number of characters, without control or \
             invisible characters",
        );
    }
}

/// Whether an amount of dollars is whole cents, allowing for how binary fractions
/// print (0.07 is 7.000000000000001 cents).
fn whole_cents(dollars: f64) -> bool {
    let cents = dollars * 100.0;
    (cents - cents.round()).abs() < 1e-6
}

/// The largest limit a number or amount may set.
const MAX_LIMIT: f64 = 1e12;

fn check_offer(offer: &Value, problems: &mut Problems) {
    let Some(offer) = offer.as_object() else {
        problems.add("form.protection", "must be an object");
        return;
    };
    let at = "form.protection";
    allow_only(offer, &["provider", "title", "description"], at, problems);
    text(
        offer.get("provider"),
        MAX_LABEL,
        true,
        &format!("{at}.provider"),
        problems,
    );
    text(
        offer.get("title"),
        MAX_LABEL,
        true,
        &format!("{at}.title"),
        problems,
    );
    text(
        offer.get("description"),
        MAX_HELP,
        true,
        &format!("{at}.description"),
        problems,
    );
}

fn check_field(field: &Value, at: &str, keys: &mut HashSet<String>, problems: &mut Problems) {
    let Some(field) = field.as_object() else {
        problems.add(at, "must be an object");
        return;
    };
    let known = [
        "key",
        "type",
        "label",
        "required",
        "help",
        "min",
        "max",
        "whole",
        "max_length",
        "pattern",
        "options",
    ];
    allow_only(field, &known, at, problems);
    match field.get("key").and_then(Value::as_str) {
        Some(key) if !is_key(key) => problems.add(format!("{at}.key"), KEY_RULE),
        Some(key) if RESERVED.contains(&key) => problems.add(
            format!("{at}.key"),
            "names something the lead records itself, not an answer",
        ),
        Some(key) => {
            if !keys.insert(key.to_string()) {
                problems.add(format!("{at}.key"), "is used by another field");
            }
        }
        None => problems.add(format!("{at}.key"), KEY_RULE),
    }
    let kind = field.get("type").and_then(Value::as_str).unwrap_or("");
    if !FIELD_TYPES.contains(&kind) {
        problems.add(format!("{at}.type"), "must be a known field type");
    }
    text(
        field.get("label"),
        MAX_LABEL,
        true,
        &format!("{at}.label"),
        problems,
    );
    text(
        field.get("help"),
        MAX_HELP,
        false,
        &format!("{at}.help"),
        problems,
    );
    for flag in ["required", "whole"] {
        if field.get(flag).is_some_and(|v| !v.is_boolean()) {
            problems.add(format!("{at}.{flag}"), "must be true or false");
        }
    }
    let min = field.get("min");
    let max = field.get("max");
    for (name, limit) in [("min", min), ("max", max)] {
        let Some(limit) = limit else { continue };
        let Some(number) = limit.as_f64().filter(|n| n.abs() <= MAX_LIMIT) else {
            problems.add(format!("{at}.{name}"), "must be a number of at most 10^12");
            continue;
        };
        match kind {
            "number" => {}
            "money" if number < 0.0 || !whole_cents(number) => problems.add(
                format!("{at}.{name}"),
                "must be an amount of dollars and whole cents, not below zero",
            ),
            "money" => {}
            _ => problems.add(
                format!("{at}.{name}"),
                "applies to numbers and amounts only",
            ),
        }
    }
    if let (Some(low), Some(high)) = (min.and_then(Value::as_f64), max.and_then(Value::as_f64)) {
        let whole = field.get("whole").and_then(Value::as_bool).unwrap_or(false);
        if low > high || (whole && low.ceil() > high.floor()) {
            problems.add(format!("{at}.min"), "leaves no value between min and max");
        }
    }
    if let Some(length) = field.get("max_length") {
        if !length.as_u64().is_some_and(|n| (1..=4000).contains(&n)) {
            problems.add(
                format!("{at}.max_length"),
                "must be a whole number from 1 to 4000",
            );
        } else if kind != "text" {
            problems.add(format!("{at}.max_length"), "applies to text fields only");
        }
    }
    if let Some(pattern) = field.get("pattern") {
        let compiles = pattern
            .as_str()
            .is_some_and(|p| p.len() <= 500 && regex_lite::Regex::new(p).is_ok());
        if !compiles {
            problems.add(
                format!("{at}.pattern"),
                "must be a regular expression that compiles",
            );
        } else if kind != "text" {
            problems.add(format!("{at}.pattern"), "applies to text fields only");
        }
    }
    check_options(field.get("options"), kind, at, problems);
}

fn check_options(options: Option<&Value>, kind: &str, at: &str, problems: &mut Problems) {
    let at = format!("{at}.options");
    match (kind, options) {
        ("select", Some(Value::Array(list))) => {
            let mut seen = HashSet::new();
            let sound = !list.is_empty()
                && list.len() <= MAX_OPTIONS
                && list.iter().all(|option| {
                    option.as_str().is_some_and(|o| {
                        !o.trim().is_empty() && o.len() <= MAX_LABEL && seen.insert(o)
                    })
                });
            if !sound {
                problems.add(at, "must list 1 to 100 different, non-empty choices");
            }
        }
        ("select", _) => problems.add(at, "must list the choices of a select field"),
        (_, Some(_)) => problems.add(at, "applies to select fields only"),
        (_, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check;

    #[test]
    fn a_sound_form_passes() {
        let form = json!({"steps": [{"key": "card", "title": "Your card", "fields": [
            {"key": "card_last4", "type": "text", "label": "Last four digits", "required": true,
             "pattern": "^[0-9]{4}$", "max_length": 4, "help": "From the front of the card"},
            {"key": "kind", "type": "select", "label": "Kind", "options": ["debit", "credit"]},
            {"key": "limit", "type": "money", "label": "Limit", "min": 0.07, "max": 50000}
        ]}]});
        assert_eq!(check(&form), Vec::<(String, String)>::new());
    }

    #[test]
    fn every_fault_is_named_where_it_is() {
        let form = json!({"steps": [
            {"key": "one", "title": "One", "fields": [
                {"key": "status", "type": "text", "label": "Status"},
                {"key": "a", "type": "colour", "label": "A"},
                {"key": "a", "type": "select", "label": "Again"},
                {"key": "b", "type": "number", "label": "B", "min": 10, "max": 1},
                {"key": "c", "type": "text", "label": "C", "pattern": "(", "script": "x"}
            ]},
            {"key": "one", "title": "", "fields": []}
        ]});
        let at: Vec<String> = check(&form).into_iter().map(|(at, _)| at).collect();
        for expected in [
            "form.steps[0].fields[0].key",
            "form.steps[0].fields[1].type",
            "form.steps[0].fields[2].key",
            "form.steps[0].fields[2].options",
            "form.steps[0].fields[3].min",
            "form.steps[0].fields[4].pattern",
            "form.steps[0].fields[4].script",
            "form.steps[1].key",
            "form.steps[1].title",
        ] {
            assert!(
                at.iter().any(|a| a == expected),
                "{expected} missing from {at:?}"
            );
        }
        assert!(!check(&json!({"steps": []})).is_empty());
        let impossible = json!({"steps": [
            {"key": "one", "title": "One", "fields": [
                {"key": "a", "type": "money", "label": "A", "min": 1e308},
                {"key": "b", "type": "number", "label": "B", "whole": true, "min": 0.5, "max": 0.7},
                {"key": "c", "type": "money", "label": "C", "min": 0.001},
                {"key": "d", "type": "money", "label": "D", "min": -5},
                {"key": "e", "type": "text", "label": "E\u{0}\u{202e}"}
            ]},
            {"key": "two", "title": "Two", "fields": []}
        ]});
        let at: Vec<String> = check(&impossible).into_iter().map(|(at, _)| at).collect();
        for expected in [
            "form.steps[0].fields[0].min",
            "form.steps[0].fields[1].min",
            "form.steps[0].fields[2].min",
            "form.steps[0].fields[3].min",
            "form.steps[0].fields[4].label",
            "form.steps[1].fields",
        ] {
            assert!(
                at.iter().any(|a| a == expected),
                "{expected} missing from {at:?}"
            );
        }
        assert!(!check(&json!([1, 2])).is_empty());
    }
}
