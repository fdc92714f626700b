//! Answers checked against the field of a catalog item's form they answer.
//!
//! A form is JSON: `{"steps": [{"key", "title", "fields": [field, ...]}]}`, each field
//! `{"key", "type", "label", "required", "help", "min", "max", "whole", "max_length",
//! "pattern", "options"}`; `form_definition` checks a definition itself.

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

/// Checks one answer against its field's type and limits, and a text field's `pattern`
/// (a regular expression the whole answer must match). `null` clears an answer and is
/// always accepted; whether a required field is answered is checked at submission.
pub fn check_answer(field: &Value, value: &Value) -> Result<(), &'static str> {
    if value.is_null() {
        return Ok(());
    }
    match field["type"].as_str().unwrap_or("text") {
        "text" => {
            let text = clean_line(value.as_str().ok_or("must be text")?, MAX_TEXT)?;
            if field["max_length"]
                .as_u64()
                .is_some_and(|max| text.chars().count() as u64 > max)
            {
                return Err("is longer than this field allows");
            }
            match field["pattern"].as_str() {
                Some(pattern) => {
                    let anchored = format!("^(?:{pattern})$");
                    let matches = regex_lite::Regex::new(&anchored)
                        .map_err(|_| "belongs to a field whose pattern is broken")?
                        .is_match(&text);
                    if matches {
                        Ok(())
                    } else {
                        Err("does not have the form this field asks for")
                    }
                }
                None => Ok(()),
            }
        }
        "number" => {
            let number = value.as_f64().ok_or("must be a number")?;
            if field["whole"].as_bool().unwrap_or(false) && number.fract() != 0.0 {
                return Err("must be a whole number");
            }
            within(field, number)
        }
        "money" => {
            let dollars = value.as_f64().ok_or("must be an amount of dollars")?;
            Money::from_dollars(dollars)?;
            within(field, dollars)
        }
        "date" => {
            let text = value.as_str().ok_or("must be a date (YYYY-MM-DD)")?;
            crate::days::parse(text)
                .map(drop)
                .ok_or("must be a date (YYYY-MM-DD)")
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

/// An answer that passed `check_answer`, in the one form it is kept in: text trimmed,
/// amounts in whole cents, whole numbers without a fraction, addresses' parts trimmed.
pub fn normalize(field: &Value, value: &Value) -> Value {
    match (field["type"].as_str().unwrap_or("text"), value) {
        ("text", Value::String(text)) => Value::String(text.trim().to_string()),
        ("money", Value::Number(number)) => match number.as_f64().map(Money::from_dollars) {
            Some(Ok(money)) => whole_or_not(money.cents() as f64 / 100.0),
            _ => value.clone(),
        },
        ("number", Value::Number(number)) => match number.as_f64() {
            Some(n) => whole_or_not(n),
            None => value.clone(),
        },
        ("email", Value::String(text)) => Email::parse(text)
            .map(|e| Value::String(e.to_string()))
            .unwrap_or_else(|_| value.clone()),
        ("address", Value::Object(parts)) => Value::Object(
            parts
                .iter()
                .map(|(k, v)| {
                    let v = v
                        .as_str()
                        .map_or(v.clone(), |t| Value::String(t.trim().into()));
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

fn whole_or_not(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        serde_json::json!(number as i64)
    } else {
        serde_json::json!(number)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{check_answer, normalize};

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

    #[test]
    fn patterns_whole_numbers_and_strict_days_are_enforced() {
        let last4 = json!({"type": "text", "pattern": "[0-9]{4}"});
        assert!(check_answer(&last4, &json!("1234")).is_ok());
        for bad in ["abcd", "123", "12345", "１２３４", "12 34"] {
            assert!(check_answer(&last4, &json!(bad)).is_err(), "{bad}");
        }
        let term = json!({"type": "number", "whole": true, "min": 6});
        assert!(check_answer(&term, &json!(36.0)).is_ok());
        assert!(check_answer(&term, &json!(6.5)).is_err());
        let day = json!({"type": "date"});
        for bad in ["+2027-01-15", "2027-1-5", " 2027-01-15"] {
            assert!(check_answer(&day, &json!(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_kept_in_one_form() {
        let money = json!({"type": "money"});
        assert_eq!(normalize(&money, &json!(5e-324)), json!(0));
        assert_eq!(normalize(&money, &json!(1500.1)), json!(1500.1));
        assert_eq!(normalize(&money, &json!(11.0)), json!(11));
        assert_eq!(
            normalize(&json!({"type": "number"}), &json!(36.0)),
            json!(36)
        );
        assert_eq!(
            normalize(&json!({"type": "text"}), &json!(" x\t")),
            json!("x")
        );
    }
}
