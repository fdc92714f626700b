//! The error rule, written once:
//!
//! - `leads-persistence` returns `StoreError`; it knows nothing of HTTP.
//! - Handlers, extractors and middleware return `ApiError`, which is the only type that
//!   becomes an HTTP answer. Its `match` below is exhaustive: every variant has a status.
//! - Every answer is an RFC 9457 problem document. A 500 says only that something went
//!   wrong (the logging middleware adds the request id); its cause goes to the log.
//! - `StoreError::NotFound` becomes 404, pool time-outs and lost connections become 503.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use leads_domain::{FieldError, Permission, Problem};
use leads_persistence::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: needs {}", .0.as_str())]
    Forbidden(Permission),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A link that worked once and no longer does.
    #[error("gone: {0}")]
    Gone(String),
    /// The lead's status or archiving does not allow the action.
    #[error("not allowed in status {status}: {detail}")]
    WrongState { status: String, detail: String },
    /// `If-Match` named a version of the lead that is no longer current.
    #[error("stale version; the lead is at version {version}")]
    Stale { version: i32, status: String },
    #[error("payload too large")]
    PayloadTooLarge,
    /// Too many from one address; retry after this many seconds.
    #[error("too many requests")]
    TooMany(u64),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl ApiError {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, reason)])
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(cause.into())
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "The request is malformed",
            ApiError::Unauthorized(_) => "Authentication is required",
            ApiError::Forbidden(_) => "You do not have permission to do this",
            ApiError::NotFound => "Not found",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::Conflict(_) => "Conflict with the current state",
            ApiError::Gone(_) => "This link no longer works",
            ApiError::WrongState { .. } => "The lead's state does not allow this",
            ApiError::Stale { .. } => "The lead has changed since you read it",
            ApiError::PayloadTooLarge => "The request body is too large",
            ApiError::TooMany(_) => "Too many requests",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::Invalid(_) => "The request has invalid values",
            ApiError::Unavailable(_) => "The service is temporarily unavailable",
            ApiError::Internal(_) => "Something went wrong on our side",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            ApiError::BadRequest(detail) => Some(detail.clone()),
            ApiError::Unauthorized(detail) => Some((*detail).to_string()),
            ApiError::Forbidden(permission) => Some(format!(
                "This needs the permission {}.",
                permission.as_str()
            )),
            ApiError::Conflict(detail) | ApiError::Gone(detail) => Some(detail.clone()),
            ApiError::WrongState { detail, .. } => Some(detail.clone()),
            ApiError::Stale { version, .. } => Some(format!(
                "Someone else changed it: it is now at version {version}. Read it again and retry."
            )),
            ApiError::MethodNotAllowed(allowed) => {
                Some(format!("This resource allows {}.", allowed.join(", ")))
            }
            ApiError::Invalid(_) => Some("See errors for each field at fault.".into()),
            ApiError::TooMany(seconds) => Some(format!(
                "Too many applications were started from this address. Try again in {seconds} seconds."
            )),
            ApiError::Unavailable(_) => Some("Please retry shortly.".into()),
            ApiError::NotFound
            | ApiError::PayloadTooLarge
            | ApiError::UnsupportedMediaType
            | ApiError::Internal(_) => None,
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            request_id: None,
            errors: match self {
                ApiError::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            },
            current_status: match self {
                ApiError::WrongState { status, .. } | ApiError::Stale { status, .. } => {
                    Some(status.clone())
                }
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::WrongState { .. } => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(error.cause = %format!("{cause:#}"), "request failed")
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error.cause = %cause, "database unavailable")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed(allowed) => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::TooMany(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::Stale { version, .. } => {
                response.insert_header((header::ETAG, format!("\"{version}\"")));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(_) => {
                ApiError::Conflict("A record with these values already exists.".into())
            }
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::Migration(_) | StoreError::Corrupt(_) | StoreError::Database(_) => {
                ApiError::Internal(error.into())
            }
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::Internal(error.into())
    }
}
