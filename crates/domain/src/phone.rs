//! Telephone numbers, normalised to digits with an optional leading `+`.

use serde::{Deserialize, Serialize};

/// A telephone number of 7 to 15 digits (E.164 length), punctuation removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(trimmed.len());
        for c in trimmed.chars().skip(usize::from(plus)) {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err("may contain only digits, spaces, dashes, dots and brackets"),
            }
        }
        if !(7..=15).contains(&digits.len()) {
            return Err("must have between 7 and 15 digits");
        }
        Ok(Self(if plus { format!("+{digits}") } else { digits }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn punctuation_is_removed() {
        let phone = Phone::parse("(907) 555-0142").map(|p| p.as_str().to_string());

        assert_eq!(phone, Ok("9075550142".to_string()));
    }

    #[test]
    fn letters_and_short_numbers_are_refused() {
        assert!(Phone::parse("555-CALL-NOW").is_err());
        assert!(Phone::parse("12345").is_err());
    }
}
