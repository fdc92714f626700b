//! What working a lead adds to the wire: requests to the applicant, documents, the mail
//! outbox and saved views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::ids::LeadId;

use super::UserRef;

/// Staff asking the applicant for information or documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LeadRequest {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// What to upload, when the request asks for a document.
    pub upload_prompt: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// `open` or `answered`.
    pub status: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    /// Until when the link sent to the applicant works.
    pub link_expires_at: Option<DateTime<Utc>>,
}

/// A file of a lead. Its bytes are downloaded separately, as an attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Document {
    pub id: i64,
    pub file_name: String,
    /// Detected from the content: `application/pdf`, `image/jpeg`, `image/png` or
    /// `image/heic`.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// `applicant` or `staff`.
    pub uploaded_by: String,
    /// The request the document answers, if any.
    pub request_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// What staff ask the applicant for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MakeRequest {
    /// 1 to 200 characters.
    pub title: String,
    /// 1 to 4,000 characters.
    pub description: String,
    /// What to upload, when a document is wanted (up to 200 characters).
    #[serde(default)]
    pub upload_prompt: Option<String>,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default, deserialize_with = "crate::days::optional")]
    pub due_on: Option<NaiveDate>,
}

/// A request as its applicant sees it through the link they were sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicRequest {
    /// The institution asking.
    pub institution: String,
    /// The product or service applied for.
    pub item: String,
    pub title: String,
    pub description: String,
    pub upload_prompt: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// `open` or `answered`.
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A message in the mail outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MailMessage {
    pub id: i64,
    pub lead_id: Option<LeadId>,
    pub recipient: String,
    pub subject: String,
    /// `pending` (waiting for its next attempt), `sent`, or `failed` (given up on
    /// after its last attempt; it can be sent again).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One page of the mail outbox, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MailPage {
    pub items: Vec<MailMessage>,
    /// Pass as `cursor` for older messages; null on the last page.
    pub next_cursor: Option<String>,
}

/// A named filter and sort of the leads table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The leads table's query string, as `GET /leads` takes it (without `cursor`).
    pub query: String,
    /// Whether everyone in the institution sees it.
    pub shared: bool,
    pub owner: UserRef,
    /// Whether the user asking owns it (and may remove it).
    pub mine: bool,
}

/// A view to save.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSavedView {
    /// 1 to 80 characters, unique among the user's own views.
    pub name: String,
    /// The leads table's query string.
    pub query: String,
    #[serde(default)]
    pub shared: bool,
}
