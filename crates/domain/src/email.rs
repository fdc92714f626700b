//! Email addresses, kept in lower case so that lookups by email are exact.

use serde::{Deserialize, Serialize};

/// A syntactically valid email address, stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Longest address accepted, as in RFC 5321.
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        // Only ASCII letters are folded: folding others can name another mailbox.
        let value = raw.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err("must not be empty");
        }
        if value.len() > Self::MAX_LEN {
            return Err("must be at most 254 characters");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("must contain an @");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err("must have the form name@domain");
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err("must have a domain such as example.org");
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || crate::text::is_invisible(c))
        {
            return Err("must not contain spaces");
        }
        // Quoted local parts and bracketed addresses are legal but never typed by a
        // borrower; refusing them keeps every stored address one that mail can reach.
        if value.chars().any(|c| "<>()[]\\,;:\"".contains(c)) {
            return Err("must not contain <>()[],;:\\ or quotes");
        }
        if domain
            .split('.')
            .any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-'))
        {
            return Err("must have a domain such as example.org");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_kept_in_lower_case() {
        let email = Email::parse("  Jane.Doe@Example.ORG ").map(|e| e.to_string());

        assert_eq!(email, Ok("jane.doe@example.org".to_string()));
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "jane",
            "jane@",
            "@example.org",
            "jane@example",
            "a b@c.org",
            "a@b@c.org",
            "a\u{200B}@b.org",
            "x@example.org>",
            "<x@example.org>",
            "\"x\"@example.org",
            "x@[127.0.0.1]",
            "x@a..org",
            "x@-a.org",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw} was accepted");
        }
    }
}
