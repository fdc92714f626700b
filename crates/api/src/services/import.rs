//! Writing imported HMDA records as leads, in one transaction.
//!
//! `action_taken` maps onto the lead's life so that the lead says what the record says:
//! 1 originated → converted, with the member's product; 2 and 8 approved but not
//! accepted → closed (not accepted); 3 and 7 denied → declined with the denial reasons;
//! 4 withdrawn → closed (withdrawn); 5 incomplete → closed (incomplete); 6 purchased
//! loans were never applications to this institution and are skipped.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use leads_domain::status::{CloseReason, DeclineReason};
use leads_domain::wire::{Answer, Decision};
use leads_domain::{Channel, LeadStatus};
use leads_persistence::leads::{self, NewLeadRow, StoredIdentity};
use leads_persistence::members::{self, NewMember};
use leads_persistence::products::{self, NewHeldProduct};
use leads_persistence::{catalog, DbConnection, StoreError};
use serde_json::{json, Value};

use crate::import::hmda::{HmdaRecord, Parsed, Rejected};
use crate::import::identities::Identity;
use crate::services::activity::{self, ActorKind};

/// The catalog item HMDA records become leads for.
pub const MORTGAGE_ITEM: &str = "mortgage";

#[derive(Debug, Default, PartialEq)]
pub struct ImportReport {
    pub imported: usize,
    /// Records whose key was imported before.
    pub already_imported: usize,
    /// Purchased loans (`action_taken` 6), which are not applications.
    pub purchased: usize,
    pub rejected: Vec<Rejected>,
}

impl ImportReport {
    pub fn skipped(&self) -> usize {
        self.already_imported + self.purchased
    }
}

/// What the import could not do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} records are invalid; nothing was imported", .0.rejected.len())]
    Invalid(ImportReport),
    #[error("the institution has no catalog item '{MORTGAGE_ITEM}'")]
    NoMortgageItem,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> Self {
        ImportError::Store(error.into())
    }
}

/// Imports the parsed records into an institution. With rejected records and without
/// `skip_invalid`, nothing is written.
pub fn import(
    conn: &mut DbConnection,
    institution_id: i64,
    parsed: Parsed,
    skip_invalid: bool,
    identities: &[Identity],
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        rejected: parsed.rejected,
        ..ImportReport::default()
    };
    if !report.rejected.is_empty() && !skip_invalid {
        return Err(ImportError::Invalid(report));
    }
    conn.write(|conn| {
        let item =
            catalog::find_by_slug(conn, institution_id, MORTGAGE_ITEM).map_err(|e| match e {
                StoreError::NotFound => ImportError::NoMortgageItem,
                other => other.into(),
            })?;
        for (index, record) in parsed.records.iter().enumerate() {
            if record.action_taken == 6 {
                report.purchased += 1;
                continue;
            }
            if leads::find_by_external_id(conn, institution_id, &record.key)?.is_some() {
                report.already_imported += 1;
                continue;
            }
            let identity = (!identities.is_empty()).then(|| &identities[index % identities.len()]);
            import_record(conn, institution_id, item.id, record, identity)?;
            report.imported += 1;
        }
        Ok(report)
    })
}

fn at_midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

fn outcome(record: &HmdaRecord) -> (LeadStatus, Option<Decision>) {
    let closed = |reason: CloseReason| Decision {
        close_reason: Some(reason.as_str().into()),
        ..Decision::default()
    };
    match record.action_taken {
        1 => (LeadStatus::Converted, None),
        2 | 8 => (LeadStatus::Closed, Some(closed(CloseReason::NotAccepted))),
        3 | 7 => {
            let reasons: Vec<String> = record
                .denial_reasons
                .iter()
                .map(|code| denial_reason(*code).as_str().to_string())
                .collect();
            // A denial reported without reasons has no decision details to show.
            let decision = (!reasons.is_empty()).then(|| Decision {
                decline_reasons: reasons,
                ..Decision::default()
            });
            (LeadStatus::Declined, decision)
        }
        4 => (LeadStatus::Closed, Some(closed(CloseReason::Withdrawn))),
        _ => (LeadStatus::Closed, Some(closed(CloseReason::Incomplete))),
    }
}

fn denial_reason(code: u8) -> DeclineReason {
    match code {
        1 => DeclineReason::DebtToIncome,
        2 => DeclineReason::EmploymentHistory,
        3 => DeclineReason::CreditHistory,
        4 => DeclineReason::Collateral,
        5 => DeclineReason::InsufficientCash,
        6 => DeclineReason::UnverifiableInformation,
        7 => DeclineReason::IncompleteApplication,
        8 => DeclineReason::MortgageInsuranceDenied,
        _ => DeclineReason::Other,
    }
}

fn answers(record: &HmdaRecord) -> BTreeMap<String, Answer> {
    let loan_type = match record.loan_type {
        1 => "conventional",
        2 => "fha",
        3 => "va",
        _ => "usda",
    };
    let mut values: Vec<(&str, Value)> = vec![
        ("loan_type", json!(loan_type)),
        ("loan_purpose", json!(loan_purpose(record.loan_purpose))),
        ("hmda_action_taken", json!(record.action_taken)),
    ];
    let year = record.year.or(record.action_date.map(|d| d.year()));
    if let Some(year) = year {
        values.push(("hmda_year", json!(year)));
    }
    if let Some(income) = record.income_thousands {
        values.push(("annual_income", json!(income * 1000)));
    }
    let place = &record.location;
    let property: serde_json::Map<String, Value> = [
        ("street", &place.street),
        ("city", &place.city),
        ("state", &place.state),
        ("zip", &place.zip),
        ("county", &place.county),
        ("census_tract", &place.census_tract),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.as_ref().map(|v| (key.to_string(), json!(v))))
    .collect();
    if !property.is_empty() {
        values.push(("property", Value::Object(property)));
    }
    values
        .into_iter()
        .map(|(key, value)| {
            let answer = Answer {
                value,
                source: "import".into(),
            };
            (key.to_string(), answer)
        })
        .collect()
}

fn loan_purpose(code: u8) -> &'static str {
    match code {
        1 => "purchase",
        2 => "home_improvement",
        3 | 31 => "refinancing",
        32 => "cash_out_refinancing",
        4 => "other",
        _ => "not_applicable",
    }
}

fn import_record(
    conn: &mut DbConnection,
    institution_id: i64,
    item_id: i64,
    record: &HmdaRecord,
    identity: Option<&Identity>,
) -> Result<(), ImportError> {
    let now = leads_persistence::time::now();
    let created_at = record.application_date.map_or(now, at_midnight);
    let updated_at = record.action_date.map_or(now, at_midnight).max(created_at);

    let mut member = NewMember::new(
        institution_id,
        identity.map(|p| p.name.clone()),
        identity.map(|p| p.email.clone()),
    );
    member.registered = true;
    member.date_of_birth = identity.and_then(|p| p.date_of_birth);
    member.address = identity
        .and_then(|p| p.address.as_ref())
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let member = members::insert(conn, member)?;

    let (status, decision) = outcome(record);
    let identity_json = StoredIdentity {
        date_of_birth: member.date_of_birth,
        address: identity
            .and_then(|p| p.address.as_ref())
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    };
    let lead = leads::insert(
        conn,
        NewLeadRow {
            amount_cents: Some(record.amount_cents),
            identity: serde_json::to_string(&identity_json).map_err(StoreError::from)?,
            answers: serde_json::to_string(&answers(record)).map_err(StoreError::from)?,
            progress_percent: 100,
            last_activity_at: updated_at,
            external_id: Some(record.key.clone()),
            decision: decision
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(StoreError::from)?,
            submitted_at: Some(created_at),
            updated_at,
            ..NewLeadRow::new(&member, item_id, status, Channel::Automation, created_at)
        },
    )?;
    if status == LeadStatus::Converted {
        products::insert(
            conn,
            &NewHeldProduct {
                institution_id,
                member_id: member.id,
                lead_id: Some(lead.id),
                product_type: "mortgage".into(),
                amount_cents: Some(record.amount_cents),
                rate_bps: None,
                term_months: None,
                opened_on: record.action_date.unwrap_or(updated_at.date()),
                created_at: now,
            },
        )?;
    }
    activity::record(
        conn,
        institution_id,
        lead.id,
        ActorKind::System,
        "lead.imported",
        json!({
            "source": "hmda",
            "external_id": record.key,
            "line": record.line,
            "action_taken": record.action_taken,
            "status": status.as_str(),
        }),
    )?;
    Ok(())
}
