//! The applicant's side of a lead: starting an application, saving it as it is typed,
//! and submitting it. A lead exists from the first moment, so staff see how far each
//! applicant got. Answers are checked against the item's form on every save (types and
//! limits); whether required fields are answered is checked at submission.

use std::collections::BTreeMap;

use leads_domain::forms;
use leads_domain::problem::FieldErrors;
use leads_domain::text::person_name;
use leads_domain::wire::{
    Answer, ApplicantContact, ApplicationUpdate, Consent, PublicApplication, PublicInstitution,
};
use leads_domain::{Channel, Email, LeadId, LeadStatus, Money, Phone};
use leads_persistence::catalog::{self, CatalogItemRow};
use leads_persistence::institutions::InstitutionRow;
use leads_persistence::leads::{self, ApplicationChange, LeadRow, NewLeadRow};
use leads_persistence::members::{self, NewMember};
use leads_persistence::time::{from_db, now};
use leads_persistence::{documents, institutions, DbConnection, StoreError};
use serde_json::{json, Value};

use crate::auth::applicant::Applicant;
use crate::auth::borrower::{Borrower, Via};
use crate::errors::ApiError;
use crate::services::activity::{self, ActorKind};
use crate::services::applicant_mail;
use crate::services::documents::{self as files, Stored, Uploader};
use crate::views;

/// The most answers one save may carry.
const MAX_ANSWERS: usize = 200;
/// The answer that records interest in payment protection.
const PROTECTION: &str = "payment_protection_interest";
/// The timeline entry of a consent.
const CONSENTED: &str = "consent.given";

/// Starts an application for an item an institution offers: a lead in progress, of a new
/// anonymous member, or of the signed-in borrower (with their details from the member
/// record, and channel `online_banking` when online banking signed them in). Answers
/// the lead's id and its institution's.
pub fn start(
    conn: &mut DbConnection,
    institution: &str,
    item: &str,
    borrower: Option<Borrower>,
) -> Result<(i64, i64), ApiError> {
    conn.write(|conn| {
        let institution = named(conn, institution)?;
        let item = match catalog::find_by_slug(conn, institution.id, item) {
            Ok(found) if found.active => found,
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(ApiError::invalid(
                    "item",
                    "is not a product or service this institution offers",
                ))
            }
            Err(other) => return Err(other.into()),
        };
        let (member, channel) = match borrower {
            Some(borrower) if borrower.institution_id != institution.id => {
                return Err(ApiError::invalid(
                    "institution",
                    "is not the institution you are signed in with",
                ))
            }
            Some(borrower) => {
                let channel = match borrower.via {
                    Via::OnlineBanking => Channel::OnlineBanking,
                    Via::Password => Channel::PublicLink,
                };
                (
                    members::get(conn, institution.id, borrower.member_id)?,
                    channel,
                )
            }
            None => (
                members::insert(conn, NewMember::new(institution.id, None, None))?,
                Channel::PublicLink,
            ),
        };
        let at = now();
        let new = NewLeadRow::new(&member, item.id, LeadStatus::InProgress, channel, at);
        let row = leads::insert(conn, new)?;
        activity::record(
            conn,
            institution.id,
            row.id,
            ActorKind::Applicant,
            "application.started",
            json!({ "after": {
                "status": "in_progress",
                "channel": channel.as_str(),
                "registered": member.registered,
            }}),
        )?;
        Ok((row.id, institution.id))
    })
}

/// The institution with `slug`; an unknown one is a fault of the request's field
/// `institution`.
pub fn named(conn: &mut DbConnection, slug: &str) -> Result<InstitutionRow, ApiError> {
    match institutions::find_by_slug(conn, slug) {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound) => Err(ApiError::invalid(
            "institution",
            "is not an institution here",
        )),
        Err(other) => Err(other.into()),
    }
}

pub(crate) fn lead_of(conn: &mut DbConnection, applicant: Applicant) -> Result<LeadRow, ApiError> {
    Ok(leads::get(
        conn,
        applicant.institution_id,
        applicant.lead_id,
    )?)
}

fn form_of(item: &CatalogItemRow) -> Result<Value, ApiError> {
    Ok(serde_json::from_str(&item.form)?)
}

/// The application as its applicant resumes it.
pub fn view(conn: &mut DbConnection, applicant: Applicant) -> Result<PublicApplication, ApiError> {
    let row = lead_of(conn, applicant)?;
    let item = catalog::get(conn, row.institution_id, row.catalog_item_id)?;
    let institution = institutions::get(conn, row.institution_id)?;
    let answers: BTreeMap<String, Answer> = serde_json::from_str(&row.answers)?;
    Ok(PublicApplication {
        id: LeadId(row.id),
        reference: row.reference.clone(),
        status: LeadStatus::parse(&row.status)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored status {}", row.status)))?,
        archived: row.archived,
        institution: PublicInstitution {
            slug: institution.slug,
            name: institution.name,
        },
        item: views::catalog_item(&item)?,
        applicant: ApplicantContact {
            name: row.applicant_name.clone(),
            email: row.applicant_email.clone(),
            phone: row.applicant_phone.clone(),
        },
        answers: answers.into_iter().map(|(k, a)| (k, a.value)).collect(),
        progress: views::progress(&row),
        documents: documents::of_lead(conn, row.id)?
            .iter()
            .filter(|d| d.uploaded_by == "applicant")
            .map(views::document)
            .collect(),
        submitted_at: row.submitted_at.map(from_db),
        updated_at: from_db(row.updated_at),
    })
}

pub(crate) fn still_open(row: &LeadRow) -> Result<(), ApiError> {
    if row.status != LeadStatus::InProgress.as_str() || row.archived {
        return Err(ApiError::WrongState {
            status: row.status.clone(),
            detail: "This application can no longer be changed here: it has been submitted, \
                     closed or archived."
                .into(),
        });
    }
    Ok(())
}

/// The fields an applicant answers by typing: files and SSNs are given otherwise.
fn answerable(form: &Value) -> Vec<(&str, &Value)> {
    forms::fields(form)
        .into_iter()
        .filter(|(_, field)| !matches!(field["type"].as_str(), Some("file" | "ssn")))
        .collect()
}

/// Saves what the applicant has typed so far. Saves arriving together (a field left
/// as a button is pressed) are merged: one that finds the lead changed under it is
/// applied again to the lead as it now is.
///
/// `by` is the staff user who enters the answers for the member, if not the applicant:
/// their answers are marked `proxy` and each save of theirs is on the timeline.
pub fn save(
    conn: &mut DbConnection,
    applicant: Applicant,
    update: &ApplicationUpdate,
    by: Option<i64>,
) -> Result<(), ApiError> {
    for _ in 0..5 {
        if save_once(conn, applicant, update, by)? {
            return Ok(());
        }
    }
    Err(ApiError::Conflict(
        "The application is being saved from elsewhere; load it again.".into(),
    ))
}

/// One attempt at `save`: false when the lead changed between reading and writing.
fn save_once(
    conn: &mut DbConnection,
    applicant: Applicant,
    update: &ApplicationUpdate,
    by: Option<i64>,
) -> Result<bool, ApiError> {
    let source = if by.is_some() { "proxy" } else { "applicant" };
    conn.write(|conn| {
        let row = lead_of(conn, applicant)?;
        still_open(&row)?;
        let item = catalog::get(conn, row.institution_id, row.catalog_item_id)?;
        let form = form_of(&item)?;
        let fields = answerable(&form);
        let mut errors = FieldErrors::new();
        if update.answers.len() > MAX_ANSWERS {
            return Err(ApiError::invalid(
                "answers",
                format!("at most {MAX_ANSWERS} at once"),
            ));
        }
        for (key, value) in &update.answers {
            match fields.iter().find(|(k, _)| k == key) {
                None => errors.add(format!("answers.{key}"), "is not a field of this form"),
                Some((_, field)) => {
                    if let Err(reason) = forms::check_answer(field, value) {
                        errors.add(format!("answers.{key}"), reason);
                    }
                }
            }
        }
        if let Some(step) = &update.step {
            let steps = form["steps"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if !steps.iter().any(|s| s["key"].as_str() == Some(step)) {
                errors.add("step", "is not a step of this form");
            }
        }
        let mut change = ApplicationChange::default();
        if let Some(contact) = &update.applicant {
            let given = |text: &Option<String>| {
                text.as_deref()
                    .map(str::trim)
                    .map(|t| (!t.is_empty()).then(|| t.to_string()))
            };
            if let Some(name) = given(&contact.name) {
                change.applicant_name = Some(match name {
                    Some(name) => errors.check("applicant.name", person_name(&name)),
                    None => None,
                });
            }
            if let Some(email) = given(&contact.email) {
                change.applicant_email = Some(match email {
                    Some(email) => errors
                        .check("applicant.email", Email::parse(&email))
                        .map(|e| e.to_string()),
                    None => None,
                });
            }
            if let Some(phone) = given(&contact.phone) {
                change.applicant_phone = Some(match phone {
                    Some(phone) => errors
                        .check("applicant.phone", Phone::parse(&phone))
                        .map(|p| p.as_str().to_string()),
                    None => None,
                });
            }
        }
        let offers_protection = form["protection"].is_object();
        if update.protection_interest.is_some() && !offers_protection {
            errors.add(
                "protection_interest",
                "this product offers no payment protection",
            );
        }
        errors.into_result().map_err(ApiError::Invalid)?;

        let mut answers: BTreeMap<String, Answer> = serde_json::from_str(&row.answers)?;
        if let Some(interested) = update.protection_interest {
            let answer = Answer {
                value: json!(interested),
                source: source.into(),
            };
            answers.insert(PROTECTION.into(), answer);
        }
        for (key, value) in &update.answers {
            if value.is_null() {
                answers.remove(key);
            } else {
                let field = fields
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, field)| *field)
                    .unwrap_or(&Value::Null);
                let answer = Answer {
                    value: forms::normalize(field, value),
                    source: source.into(),
                };
                answers.insert(key.clone(), answer);
            }
        }
        let answered = fields
            .iter()
            .filter(|(key, _)| answers.contains_key(*key))
            .count();
        let percent = if fields.is_empty() {
            0
        } else {
            i16::try_from(answered * 100 / fields.len()).unwrap_or(100)
        };
        if update.answers.contains_key("amount") {
            change.amount_cents = Some(
                answers
                    .get("amount")
                    .and_then(|a| a.value.as_f64())
                    .and_then(|d| Money::from_dollars(d).ok())
                    .map(Money::cents),
            );
        }
        if update.answers.contains_key("term_months") {
            change.term_months = Some(
                answers
                    .get("term_months")
                    .and_then(|a| a.value.as_i64())
                    .and_then(|t| i32::try_from(t).ok()),
            );
        }
        change.answers = Some(serde_json::to_string(&answers)?);
        change.progress_percent = Some(percent);
        // The step reached only moves forward: going back to mend an answer, or a save
        // that arrives late, leaves it where it was.
        if let Some(step) = &update.step {
            let position = |key: Option<&str>| {
                form["steps"]
                    .as_array()
                    .and_then(|steps| steps.iter().position(|s| s["key"].as_str() == key))
            };
            if position(Some(step)) > position(row.progress_step.as_deref()) {
                change.progress_step = Some(Some(step.clone()));
            }
        }
        change.last_activity_at = Some(now());
        if !leads::change_application(conn, &row, &change)? {
            return Ok(false);
        }
        if let Some(user) = by {
            activity::record(
                conn,
                row.institution_id,
                row.id,
                ActorKind::Staff(user),
                "answers.entered",
                json!({ "after": { "answers": update.answers, "applicant": update.applicant } }),
            )?;
        }
        Ok(true)
    })
}

/// The slugs of the application's institution and item, for its address.
pub fn slugs(conn: &mut DbConnection, applicant: Applicant) -> Result<(String, String), ApiError> {
    let row = lead_of(conn, applicant)?;
    let institution = institutions::get(conn, row.institution_id)?;
    let item = catalog::get(conn, row.institution_id, row.catalog_item_id)?;
    Ok((institution.slug, item.slug))
}

/// Whether the applicant has agreed to a credit pull on this application.
fn credit_pull_given(conn: &mut DbConnection, row: &LeadRow) -> Result<bool, ApiError> {
    Ok(
        leads_persistence::activities::of_lead(conn, row.institution_id, row.id)?
            .iter()
            .filter(|a| a.action == CONSENTED)
            .filter_map(|a| serde_json::from_str::<Value>(&a.detail).ok())
            .any(|detail| detail["after"]["credit_pull"] == json!(true)),
    )
}

/// Records what the applicant agreed to, when, and from which address. Consents are
/// kept on the timeline for good; a later one adds to the record.
pub fn consent(
    conn: &mut DbConnection,
    applicant: Applicant,
    given: &Consent,
    address: Option<String>,
    by: Option<i64>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if given.disclosures.len() > 20 {
        errors.add("disclosures", "at most 20");
    }
    for (index, key) in given.disclosures.iter().enumerate() {
        let plain = !key.is_empty()
            && key.len() <= 60
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !plain {
            errors.add(
                format!("disclosures[{index}]"),
                "must be a key of lower-case letters, digits, - and _",
            );
        }
    }
    errors.into_result().map_err(ApiError::Invalid)?;
    conn.write(|conn| {
        let row = lead_of(conn, applicant)?;
        still_open(&row)?;
        record_consent(conn, &row, given, address, by)
    })
}

fn record_consent(
    conn: &mut DbConnection,
    row: &LeadRow,
    given: &Consent,
    address: Option<String>,
    by: Option<i64>,
) -> Result<(), ApiError> {
    activity::record(
        conn,
        row.institution_id,
        row.id,
        by.map_or(ActorKind::Applicant, ActorKind::Staff),
        CONSENTED,
        json!({ "after": {
            "credit_pull": given.credit_pull,
            "disclosures": given.disclosures,
            "ip_address": address,
        }}),
    )?;
    Ok(())
}

/// Checks that the application still takes files, before a body is read.
pub fn check_open(conn: &mut DbConnection, applicant: Applicant) -> Result<(), ApiError> {
    still_open(&lead_of(conn, applicant)?)
}

/// Records files the applicant uploaded with the form.
pub fn add_documents(
    conn: &mut DbConnection,
    applicant: Applicant,
    stored: &[Stored],
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let row = lead_of(conn, applicant)?;
        still_open(&row)?;
        for file in stored {
            files::record(
                conn,
                file,
                row.institution_id,
                row.id,
                None,
                Uploader::Applicant,
            )?;
        }
        let change = ApplicationChange {
            last_activity_at: Some(now()),
            ..ApplicationChange::default()
        };
        if !leads::change_application(conn, &row, &change)? {
            return Err(ApiError::Conflict(
                "The application changed at the same moment; send the files again.".into(),
            ));
        }
        activity::record(
            conn,
            row.institution_id,
            row.id,
            ActorKind::Applicant,
            "document.added",
            json!({ "after": {
                "documents": stored.iter().map(|f| f.file_name.clone()).collect::<Vec<_>>(),
            }}),
        )?;
        Ok(())
    })
}

/// Submits the application, or names every required answer still missing. `by` is the
/// staff user submitting it on the member's behalf, if not the applicant, with the
/// consent they recorded for the member (and its address), which is kept only if the
/// submission succeeds. The applicant is mailed a receipt in the same transaction, so
/// there is never one without the other.
pub fn submit(
    conn: &mut DbConnection,
    applicant: Applicant,
    by: Option<i64>,
    consent: Option<(&Consent, Option<String>)>,
    cipher: &crate::keys::Cipher,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let row = lead_of(conn, applicant)?;
        still_open(&row)?;
        if let Some((given, address)) = consent {
            record_consent(conn, &row, given, address, by)?;
        }
        let item = catalog::get(conn, row.institution_id, row.catalog_item_id)?;
        let form = form_of(&item)?;
        let answers: BTreeMap<String, Answer> = serde_json::from_str(&row.answers)?;
        let mut errors = FieldErrors::new();
        if row.applicant_name.is_none() {
            errors.add("applicant.name", "is required");
        }
        if row.applicant_email.is_none() {
            errors.add("applicant.email", "is required");
        }
        for (key, field) in answerable(&form) {
            let required = field["required"].as_bool().unwrap_or(false);
            match answers.get(key) {
                None if required => errors.add(format!("answers.{key}"), "is required"),
                None => {}
                // The form may have changed since the answer was given.
                Some(answer) => {
                    if let Err(reason) = forms::check_answer(field, &answer.value) {
                        errors.add(format!("answers.{key}"), reason);
                    }
                }
            }
        }
        if views::is_product(&item) && !credit_pull_given(conn, &row)? {
            errors.add(
                "consent.credit_pull",
                "is required: a loan cannot be decided without a credit report",
            );
        }
        errors.into_result().map_err(ApiError::Invalid)?;
        let at = now();
        let change = ApplicationChange {
            status: Some(LeadStatus::Submitted.as_str().into()),
            submitted_at: Some(Some(at)),
            progress_percent: Some(100),
            last_activity_at: Some(at),
            ..ApplicationChange::default()
        };
        if !leads::change_application(conn, &row, &change)? {
            return Err(ApiError::Conflict(
                "The application changed at the same moment; load it again.".into(),
            ));
        }
        activity::record(
            conn,
            row.institution_id,
            row.id,
            by.map_or(ActorKind::Applicant, ActorKind::Staff),
            "application.submitted",
            json!({ "before": { "status": row.status }, "after": { "status": "submitted" } }),
        )?;
        applicant_mail::receipt(conn, &row, &item.name, by.is_some(), cipher)
    })
}
