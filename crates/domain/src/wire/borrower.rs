//! The registered borrower on the wire: applicant-portal accounts, signing in (with a
//! password or through online banking), and what the applicant portal shows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::ids::LeadId;
use crate::status::LeadStatus;

use super::PublicInstitution;

/// Asking for an applicant-portal account. Sent with an application's token, the
/// application moves to the account's member once the email is confirmed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The institution's slug.
    pub institution: String,
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// Confirming an account: the token of the mailed link, and the account's password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub token: String,
    pub password: String,
}

/// Asking for a link to choose a new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The institution's slug.
    pub institution: String,
    pub email: String,
}

/// Choosing a new password with the token of the mailed link.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub token: String,
    /// At least 12 characters.
    pub password: String,
}

/// A signed-in borrower choosing a new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Signing in to the applicant portal with email and password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BorrowerSignIn {
    /// The institution's slug.
    pub institution: String,
    pub email: String,
    pub password: String,
}

/// Online banking handing over its signed-in member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnlineBankingSignIn {
    /// The institution's slug.
    pub institution: String,
    /// A JWT signed (RS256 or ES256) with the institution's online-banking key: `iss` the
    /// configured issuer, `aud` `leads:{institution}`, `sub` the member number, `exp` at
    /// most 15 minutes ahead, `jti` (used once); optional `nbf`, `name`, `email`, `phone`.
    pub assertion: String,
}

/// A signed-in borrower: the token that opens their own applications and requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BorrowerSession {
    /// Send as `Authorization: Bearer` to `/public/me` routes and to start applications.
    pub token: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub borrower: Borrower,
}

/// The borrower as the applicant portal shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Borrower {
    pub institution: PublicInstitution,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `password` or `online_banking`.
    pub signed_in_via: String,
}

/// One of the borrower's applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BorrowerApplication {
    pub id: LeadId,
    pub reference: String,
    /// The product's or service's name and slug.
    pub item: String,
    pub item_slug: String,
    pub status: LeadStatus,
    pub archived: bool,
    pub percent: i16,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How many requests from staff wait for an answer.
    pub open_requests: i64,
}

/// A request from staff to the borrower, open or answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BorrowerRequest {
    pub id: i64,
    pub application: LeadId,
    pub reference: String,
    pub item: String,
    pub title: String,
    pub description: String,
    pub upload_prompt: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub asked_at: DateTime<Utc>,
    /// When the borrower answered; absent while the request waits for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// The key the institution's online banking signs its members' tokens with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BankingKey {
    /// `RS256` or `ES256`.
    pub algorithm: String,
    /// The public key, PEM.
    pub public_key: String,
    /// The `iss` online banking's tokens carry.
    pub issuer: String,
}

/// A catalog item's new form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormChange {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: serde_json::Value,
}
