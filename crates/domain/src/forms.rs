//! Answers checked against the field of a catalog item's form they answer.
//!
//! A form is JSON: `{"steps": [{"key", "title", "fields": [field, ...]}]}`, each field
//! `{"key", "type", "label", "required", "min", "max", "options"}`.

use chrono::NaiveDate;
use serde_json::Value;

use crate::text::clean_line;
use crate::{Email, Money, Phone};

/// Longest text answer.
pub const MAX_TEXT: usize = 4000;

/// The fields of a form by key, in form order.
pub fn fields(form: &Value) -> Vec<(&str, &Value)> {
    let steps = form["steps"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    steps
        .iter()
        .flat_map(|step| {
            step["fields"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        })
        .filter_map(|field| field["key"].as_str().map(|key| (key, field)))
        .collect()
}

fn within(field: &Value, number: f64) -> Result<(), &'static str> {
    if field["min"].as_f64().is_some_and(|min| number < min) {
        return Err("is below the smallest value allowed");
    }
    if field["max"].as_f64().is_some_and(|max| number > max) {
        return Err("is above the largest value allowed");
    }
    Ok(())
}

/// Checks one answer against its field's type and limits.
///
/// Limitation: a field's `pattern` is not enforced yet (there is no regular-expression
/// engine in this crate); such fields are checked only as text. `null` clears an answer and
/// is always accepted; whether a required field is answered is checked at submission.
pub fn check_answer(field: &Value, value: &Value) -> Result<(), &'static str> {
    if value.is_null() {
        return Ok(());
    }
    match field["type"].as_str().unwrap_or("text") {
        "text" => clean_line(value.as_str().ok_or("must be text")?, MAX_TEXT).map(drop),
        "number" => within(field, value.as_f64().ok_or("must be a number")?),
        "money" => {
            let dollars = value.as_f64().ok_or("must be an amount of dollars")?;
            Money::from_dollars(dollars)?;
            within(field, dollars)
        }
        "date" => {
            let text = value.as_str().ok_or("must be a date (YYYY-MM-DD)")?;
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(drop)
                .map_err(|_| "must be a date (YYYY-MM-DD)")
        }
        "select" => {
            let choice = value.as_str().ok_or("must be one of the options")?;
            let options = field["options"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if options.iter().any(|option| option.as_str() == Some(choice)) {
                Ok(())
            } else {
                Err("must be one of the options")
            }
        }
        "checkbox" => value.as_bool().map(drop).ok_or("must be true or false"),
        "email" => Email::parse(value.as_str().ok_or("must be an email address")?).map(drop),
        "phone" => Phone::parse(value.as_str().ok_or("must be a phone number")?).map(drop),
        "address" => {
            let parts = value.as_object().ok_or("must be an address")?;
            for part in ["line1", "city", "state", "postal_code"] {
                clean_line(
                    parts
                        .get(part)
                        .and_then(Value::as_str)
                        .ok_or("needs line1, city, state and postal_code")?,
                    200,
                )?;
            }
            for (key, part) in parts {
                let known = ["line1", "line2", "city", "state", "postal_code", "country"];
                if !known.contains(&key.as_str()) {
                    return Err("has a part an address does not have");
                }
                clean_line(part.as_str().ok_or("must have text parts")?, 200)?;
            }
            Ok(())
        }
        // An SSN is kept encrypted with the applicant, never among the answers; files
        // are uploaded, not typed.
        "ssn" | "file" => Err("cannot be given as an answer"),
        _ => Err("belongs to a field of an unknown type"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check_answer;

    #[test]
    fn answers_must_fit_their_field() {
        let money = json!({"type": "money", "min": 500});
        let select = json!({"type": "select", "options": ["own", "rent"]});
        let date = json!({"type": "date"});
        let address = json!({"type": "address"});

        assert!(check_answer(&money, &json!(12500.5)).is_ok());
        assert!(check_answer(&money, &json!("lots")).is_err());
        assert!(check_answer(&money, &json!(100)).is_err());
        assert!(check_answer(&money, &json!(5000.999)).is_err());
        assert!(check_answer(&select, &json!("rent")).is_ok());
        assert!(check_answer(&select, &json!("castle")).is_err());
        assert!(check_answer(&date, &json!("2026-02-30")).is_err());
        assert!(check_answer(&address, &json!("just a string")).is_err());
        let home = json!({"line1": "1 Main St", "city": "Anchorage", "state": "AK", "postal_code": "99501"});
        assert!(check_answer(&address, &home).is_ok());
        assert!(check_answer(&json!({"type": "text"}), &json!("a\u{0}b")).is_err());
    }
}
