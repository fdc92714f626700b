//! Opaque keyset cursors: the sort they belong to, the last row's sort value and id,
//! in base64url-encoded JSON.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor was made for (`-updated_at`, `name`, ...).
    #[serde(rename = "s")]
    pub sort: String,
    /// The last row's sort value.
    #[serde(rename = "v")]
    pub value: CursorValue,
    /// The last row's id.
    #[serde(rename = "i")]
    pub id: i64,
    /// The page wanted is the one before this row rather than after it.
    #[serde(rename = "b", default, skip_serializing_if = "is_false")]
    pub before: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorValue {
    Number(i64),
    Text(String),
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, CursorValue};

    #[test]
    fn a_cursor_reads_back_and_garbage_does_not() {
        let cursor = Cursor {
            sort: "-amount".into(),
            value: CursorValue::Number(125_000),
            id: 42,
            before: false,
        };
        let backwards = Cursor {
            before: true,
            ..cursor.clone()
        };

        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode(&backwards.encode()), Some(backwards));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode("e30"), None);
    }
}
