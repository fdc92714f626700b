//! The JSON bodies of the REST API. Database rows are separate types; the server converts
//! between the two explicitly.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CatalogItemId, InstitutionId, LeadId, MemberId, UserId};
use crate::money::Money;
use crate::permissions::Permission;
use crate::status::{CatalogKind, Channel, LeadStatus};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

mod applicant;
mod borrower;
mod work;

pub use applicant::*;
pub use borrower::*;
pub use work::*;

/// Credentials of a staff user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A refresh token to exchange for a new pair of tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A short-lived access token and the refresh token that renews it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    /// A JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: renewing returns a new one and retires this one.
    pub refresh_token: String,
}

/// The signed-in staff user, their institution and what they may do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub user: StaffUser,
    pub institution: Institution,
    /// The name of the user's role.
    pub role: String,
    pub permissions: Vec<Permission>,
}

/// A staff user of an institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
}

/// A credit union using Leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Institution {
    pub id: InstitutionId,
    pub slug: String,
    pub name: String,
}

/// A product or service the institution offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogItem {
    pub id: CatalogItemId,
    pub slug: String,
    pub name: String,
    pub kind: CatalogKind,
    /// What a converted lead becomes (`personal_loan`, `auto_loan`, ...); none for services.
    pub product_type: Option<String>,
    pub description: String,
    pub active: bool,
    /// The form an applicant fills in: steps, each with its fields.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: serde_json::Value,
}

/// The catalog item a lead is for, as the leads table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ItemRef {
    pub slug: String,
    pub name: String,
    pub kind: CatalogKind,
}

/// Who applied, as the leads table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicantRef {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// How far the applicant got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Progress {
    /// The last form step reached.
    pub step: Option<String>,
    /// Share of the form completed, 0 to 100.
    pub percent: i16,
    pub last_activity_at: DateTime<Utc>,
}

/// A staff user a lead is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
}

/// One row of the leads table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LeadSummary {
    pub id: LeadId,
    /// The lead's human-readable reference, unique within the institution.
    pub reference: String,
    pub status: LeadStatus,
    pub archived: bool,
    pub applicant: ApplicantRef,
    pub member_id: MemberId,
    /// Whether the member's identity is established.
    pub registered: bool,
    pub item: ItemRef,
    pub amount: Option<Money>,
    pub channel: Channel,
    pub assignee: Option<UserRef>,
    pub progress: Progress,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Since when the applicant has owed an answer to a request; null when they owe none.
    pub waiting_since: Option<DateTime<Utc>>,
}

/// One page of the leads table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LeadPage {
    pub items: Vec<LeadSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the previous page; null on the first page.
    pub prev_cursor: Option<String>,
    /// How many leads match the filter.
    pub total: i64,
    /// False when `total` is a lower bound: more leads match than were counted.
    pub total_exact: bool,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The applicant's identity as the lead holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicantDetail {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
    /// The SSN or ITIN with all but the last four digits hidden (`***-**-1234`).
    pub ssn_masked: Option<String>,
}

/// One form answer and where its value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Answer {
    pub value: serde_json::Value,
    /// `applicant`, `proxy` (typed by staff for the member) or `import`.
    pub source: String,
}

/// The outcome recorded on a decided or closed lead.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Decision {
    /// Adverse-action reason codes of a decline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decline_reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserRef>,
}

/// Who did something on a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Actor {
    /// `staff`, `applicant`, `integration` or `system`.
    pub kind: String,
    pub user: Option<UserRef>,
}

/// One entry of a lead's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Activity {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// What happened (`lead.created`, `lead.imported`, `lead.converted`, ...).
    pub action: String,
    /// The values before and after, where the action changed any.
    pub detail: serde_json::Value,
}

/// An active financial product of a member, created from an approved lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HeldProduct {
    pub id: i64,
    pub lead_id: Option<LeadId>,
    pub product_type: String,
    pub amount: Option<Money>,
    /// Annual rate in percent.
    pub rate_percent: Option<f64>,
    pub term_months: Option<i32>,
    pub opened_on: NaiveDate,
}

/// Everything a lead holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LeadDetail {
    pub id: LeadId,
    pub reference: String,
    pub status: LeadStatus,
    pub archived: bool,
    pub member_id: MemberId,
    pub registered: bool,
    pub applicant: ApplicantDetail,
    pub item: ItemRef,
    pub amount: Option<Money>,
    pub term_months: Option<i32>,
    pub channel: Channel,
    /// The staff user who started the lead, when staff did.
    pub created_by: Option<UserRef>,
    pub assignee: Option<UserRef>,
    pub progress: Progress,
    /// The key of the record this lead was imported from.
    pub external_id: Option<String>,
    pub answers: BTreeMap<String, Answer>,
    pub decision: Option<Decision>,
    pub held_product: Option<HeldProduct>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; also sent as the `ETag`.
    pub version: i32,
    /// Since when the applicant has owed an answer to a request; null when they owe none.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Oldest first.
    pub requests: Vec<LeadRequest>,
    /// Oldest first.
    pub documents: Vec<Document>,
    /// Newest first.
    pub timeline: Vec<Activity>,
}

/// The applicant of a lead that staff start on a member's behalf.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApplicant {
    /// Legal name.
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "crate::days::optional")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub address: Option<Address>,
    /// SSN or ITIN; stored encrypted and only ever shown masked.
    #[serde(default)]
    pub ssn: Option<String>,
    /// False for a walk-in whose identity staff did not verify: the member stays
    /// unregistered and the lead is hidden from the default leads table.
    #[serde(default = "default_true")]
    pub authenticated: bool,
}

fn default_true() -> bool {
    true
}

/// A lead started by staff on a borrower's behalf.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    /// The catalog item's slug.
    pub item: String,
    pub applicant: NewApplicant,
    /// US dollars, at most two decimals; products only.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub term_months: Option<i32>,
    /// Form answers by field key.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// A member as lists show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberSummary {
    pub id: MemberId,
    /// The institution's own number for the member.
    pub member_number: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub registered: bool,
    /// Whether the member has an applicant-portal login.
    pub has_login: bool,
    pub created_at: DateTime<Utc>,
}

/// One page of members.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberPage {
    pub items: Vec<MemberSummary>,
    pub next_cursor: Option<String>,
}

/// A member with every lead they ever started and the products they hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberProfile {
    pub member: MemberSummary,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
    pub ssn_masked: Option<String>,
    /// Newest first, whatever their status, archived or not.
    pub leads: Vec<LeadSummary>,
    pub products: Vec<HeldProduct>,
}

/// The service's health.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
}

/// Who a lead is assigned to; `null` unassigns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub assignee: Option<UserId>,
}

/// A staff-only note. Notes are kept for good: they cannot be edited or deleted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// 1 to 4,000 characters.
    pub text: String,
}

/// The adverse-action reasons of a decline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// One to four reason codes: `debt_to_income`, `employment_history`,
    /// `credit_history`, `collateral`, `insufficient_cash`, `unverifiable_information`,
    /// `incomplete_application`, `mortgage_insurance_denied`, `other`.
    pub reasons: Vec<String>,
    /// Required with `other`: the reason in words.
    #[serde(default)]
    pub other_reason: Option<String>,
}

/// Why a lead is closed without a product.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `withdrawn`, `abandoned`, `incomplete`, `duplicate`, `not_accepted` or `other`.
    pub reason: String,
    /// Required with `other`.
    #[serde(default)]
    pub detail: Option<String>,
}

/// The terms of the product an approved lead becomes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConvertRequest {
    /// US dollars; the lead's amount when absent.
    #[serde(default)]
    pub amount: Option<f64>,
    /// Annual rate, 0 to 100.
    #[serde(default)]
    pub rate_percent: Option<f64>,
    /// 1 to 600 months; the lead's term when absent.
    #[serde(default)]
    pub term_months: Option<i32>,
    /// Today when absent.
    #[serde(default, deserialize_with = "crate::days::optional")]
    pub opened_on: Option<NaiveDate>,
}

/// A full SSN, shown once; the reveal is on the lead's timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RevealedSsn {
    pub ssn: String,
}

/// One entry of the institution's audit trail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The staff user who acted; absent for the system and for applicants.
    pub actor: Option<UserRef>,
    /// `lead.approved`, `note.added`, `ssn.revealed`, `leads.exported`, `staff.signed_in`,
    /// `staff.sign_in_failed`, ...
    pub action: String,
    pub lead_id: Option<LeadId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
}

/// One page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` for older events; null on the last page.
    pub next_cursor: Option<String>,
}

/// One action applied to many leads: those chosen by id, or every lead a leads-table
/// filter matches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// `assign` or `archive`.
    pub action: String,
    /// For `assign`: the staff user, or null to unassign.
    #[serde(default)]
    pub assignee: Option<UserId>,
    /// The leads chosen one by one, at most 1,000.
    #[serde(default)]
    pub ids: Option<Vec<LeadId>>,
    /// Or every lead this filter of the leads table matches, at most 10,000 (its query
    /// parameters as an object; `cursor` and `limit` are ignored).
    #[serde(default)]
    pub filter: Option<crate::lead_query::LeadQuery>,
}

/// What a bulk action changed and what it left alone, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkResult {
    pub changed: Vec<LeadId>,
    pub skipped: Vec<BulkSkip>,
}

/// A lead a bulk action did not change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkSkip {
    pub id: LeadId,
    /// The lead's status when it was skipped; absent when there is no such lead.
    pub status: Option<String>,
    pub reason: String,
}
