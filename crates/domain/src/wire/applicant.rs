//! The borrower's side on the wire: what an institution offers, an application as its
//! applicant sees and saves it, consent, the funnel report, embedding and submitting on
//! a member's behalf.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::ids::LeadId;
use crate::status::{Channel, LeadStatus};

use super::{CatalogItem, Document, ItemRef, Progress};

/// An institution as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicInstitution {
    pub slug: String,
    pub name: String,
}

/// Starting an application.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// The institution's slug.
    pub institution: String,
    /// The product's or service's slug.
    pub item: String,
}

/// A started application: its lead, and the token that opens it (and nothing else).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationStarted {
    pub id: LeadId,
    /// Send as `Authorization: Bearer` to the application's routes.
    pub token: String,
}

/// How to reach the applicant; each part may be given on any save.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicantContact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// An autosave: answers given so far (`null` clears one), the step reached, and the
/// applicant's contact details.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicationUpdate {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// The key of the form step the applicant is on.
    #[serde(default)]
    pub step: Option<String>,
    #[serde(default)]
    pub applicant: Option<ApplicantContact>,
    /// Whether the applicant would like to hear about the payment protection the item
    /// offers (only for items that offer it).
    #[serde(default)]
    pub protection_interest: Option<bool>,
}

/// What the applicant agreed to, recorded with the time and their address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Permission to obtain the applicant's credit report; products need it before they
    /// are submitted.
    pub credit_pull: bool,
    /// The disclosures the applicant accepted, by key (`privacy`, `e-sign`, ...).
    #[serde(default)]
    pub disclosures: Vec<String>,
}

/// An application as its applicant sees it, to resume it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicApplication {
    pub id: LeadId,
    pub reference: String,
    pub status: LeadStatus,
    /// True when the institution has closed the application to further changes.
    pub archived: bool,
    pub institution: PublicInstitution,
    /// The product or service, with its form.
    pub item: CatalogItem,
    pub applicant: ApplicantContact,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: BTreeMap<String, serde_json::Value>,
    pub progress: Progress,
    /// The files the applicant has uploaded, oldest first.
    pub documents: Vec<Document>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// How far applications for one item through one channel got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FunnelRow {
    pub item: ItemRef,
    pub channel: Channel,
    pub started: i64,
    /// In the form's order: how many reached each step (or were submitted).
    pub steps: Vec<FunnelStep>,
    pub submitted: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FunnelStep {
    pub key: String,
    pub title: String,
    pub reached: i64,
}

/// Started, step by step, submitted: applications begun in a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FunnelReport {
    pub from: NaiveDate,
    /// The last day counted.
    pub to: NaiveDate,
    pub rows: Vec<FunnelRow>,
}

/// The web origins allowed to embed the institution's application pages and to call
/// the public API from a browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmbedOrigins {
    /// Such as `https://www.example-cu.org`: scheme, host and port only; at most 20.
    pub origins: Vec<String>,
}

/// Staff submitting an application on the member's behalf.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProxySubmit {
    /// That the member gave their consent to a credit pull; products need it.
    #[serde(default)]
    pub credit_pull_consent: bool,
}
