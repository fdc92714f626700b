//! Extractors whose rejections are problem documents naming the field at fault:
//! malformed JSON is a 400, a well-formed body with a wrong type or an unknown field is
//! a 422 with the field's path, and the same for query strings.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use leads_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::errors::ApiError;
use crate::state::AppState;

/// A JSON request body, parsed when the handler asks, so that a permission check can
/// come before any word about the body's content.
pub struct JsonBytes(web::Bytes);

impl JsonBytes {
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.0)
    }
}

impl FromRequest for JsonBytes {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |state| state.config.json_limit);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if declared.is_some_and(|length| length > limit) {
                return Err(ApiError::PayloadTooLarge);
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("The request body could not be read.".into())
                }
            })?;
            if bytes.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            Ok(JsonBytes(bytes))
        })
    }
}

/// A JSON request body, parsed before the handler runs.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = JsonBytes::from_request(req, payload);
        Box::pin(async move { bytes.await?.parse().map(JsonBody) })
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every body of this API is an object; serde would otherwise read a list into a
    // struct by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::Invalid(vec![FieldError::new(
            "",
            "must be an object",
        )]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            ApiError::Invalid(vec![field_error(&path, &inner.to_string())])
        } else {
            ApiError::BadRequest(format!(
                "The body is not valid JSON, or nests too deeply (line {}, column {}).",
                inner.line(),
                inner.column()
            ))
        }
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::BadRequest("The body has content after the JSON value.".into()))?;
    Ok(value)
}

/// A field error from a serde message: the field named where serde names it in the
/// message (unknown, missing and duplicate fields), and the reason in plain words.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let path = if path == "." { "" } else { path };
    let named = [
        ("unknown field `", "is not a known field"),
        ("missing field `", "is required"),
        ("duplicate field `", "is given twice"),
    ];
    for (prefix, reason) in named {
        if let Some(rest) = message.strip_prefix(prefix) {
            let name = rest.split('`').next().unwrap_or(rest);
            // The path may already end with the field's name.
            let field = if path.is_empty() {
                name.to_string()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path.to_string()
            } else {
                format!("{path}.{name}")
            };
            return FieldError::new(field, reason);
        }
    }
    FieldError::new(path, plain_reason(message))
}

/// Serde's "invalid type: string \"x\", expected f64" as a reader would put it.
fn plain_reason(message: &str) -> &'static str {
    let expected = message.rsplit("expected ").next().unwrap_or("");
    let date_words = [
        "input is out of range",
        "premature end of input",
        "input contains invalid characters",
        "trailing input",
        "not a day written as YYYY-MM-DD",
    ];
    if date_words.iter().any(|w| message.contains(w)) {
        "must be a date (YYYY-MM-DD)"
    } else if message.contains("unknown variant") {
        "is not one of the accepted values"
    } else if expected.starts_with('f') {
        "must be a number"
    } else if expected.starts_with('i') || expected.starts_with('u') {
        "must be a whole number in range"
    } else if expected.contains("bool") {
        "must be true or false"
    } else if expected.contains("sequence") {
        "must be a list"
    } else if expected.contains("struct") || expected.contains("map") {
        "must be an object"
    } else if expected.contains("string") {
        "must be a string"
    } else if message.contains("premature end") || message.contains("invalid characters") {
        "must be a date (YYYY-MM-DD)"
    } else {
        "has an invalid value"
    }
}

/// Query-string parameters.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(parsed);
        let result = serde_path_to_error::deserialize(deserializer)
            .map(QueryParams)
            .map_err(|error| {
                let path = error.path().to_string();
                ApiError::Invalid(vec![field_error(&path, &error.into_inner().to_string())])
            });
        std::future::ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        amount: f64,
    }

    fn fields(result: Result<Body, ApiError>) -> Vec<String> {
        match result {
            Err(ApiError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        let result = parse_json::<Body>(br#"{"name": "a", "inner": {"amount": "ten"}}"#);

        assert_eq!(fields(result), ["inner.amount"]);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let result = parse_json::<Body>(br#"{"name": "a", "inner": {"amount": 1, "status": "x"}}"#);

        assert_eq!(fields(result), ["inner.status"]);
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        let result = parse_json::<Body>(br#"{"name": "#);

        assert!(matches!(result, Err(ApiError::BadRequest(_))));
    }
}
