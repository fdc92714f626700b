//! A lead started by staff on a borrower's behalf.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use leads_domain::forms;
use leads_domain::lead_query::valid_slug;
use leads_domain::problem::FieldErrors;
use leads_domain::text::{clean_line, person_name};
use leads_domain::wire::{Address, Answer, NewLead};
use leads_domain::{Channel, Email, FieldError, LeadStatus, Money, Phone, Ssn};
use leads_persistence::catalog;
use leads_persistence::leads::{self, NewLeadRow, StoredIdentity};
use leads_persistence::members::{self, MemberRow, NewMember};
use leads_persistence::{DbConnection, StoreError};
use serde_json::json;

use crate::auth::Staff;
use crate::errors::ApiError;
use crate::keys::Cipher;
use crate::services::activity::{self, ActorKind};

/// The most answers one request may carry.
const MAX_ANSWERS: usize = 200;

/// A new lead whose values passed every check that needs no database.
pub struct CheckedLead {
    pub item: String,
    pub name: String,
    pub email: Email,
    pub phone: Option<Phone>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
    pub ssn: Option<Ssn>,
    pub authenticated: bool,
    pub amount: Option<Money>,
    pub term_months: Option<i32>,
    pub answers: serde_json::Map<String, serde_json::Value>,
}

pub fn check(body: &NewLead) -> Result<CheckedLead, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let applicant = &body.applicant;

    if !valid_slug(&body.item) {
        errors.add("item", "must be the slug of a product or service");
    }
    let name = errors.check("applicant.name", person_name(&applicant.name));
    let amount = body
        .amount
        .and_then(|dollars| errors.check("amount", Money::from_dollars(dollars)));
    let email = errors.check("applicant.email", Email::parse(&applicant.email));
    let phone = applicant
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| errors.check("applicant.phone", Phone::parse(p)));
    let ssn = applicant
        .ssn
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| errors.check("applicant.ssn", Ssn::parse(s)));
    if let Some(born) = applicant.date_of_birth {
        let today = Utc::now().date_naive();
        if born > today {
            errors.add("applicant.date_of_birth", "must not be in the future");
        } else if born.year() < 1900 {
            errors.add("applicant.date_of_birth", "must be after 1900");
        }
    }
    if let Some(address) = &applicant.address {
        check_address(address, "applicant.address", &mut errors);
    }
    if let Some(term) = body.term_months {
        if !(1..=480).contains(&term) {
            errors.add("term_months", "must be between 1 and 480");
        }
    }
    if body.answers.len() > MAX_ANSWERS {
        errors.add("answers", "must have at most 200 answers");
    }

    errors.into_result()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(vec![FieldError::new(
            "applicant",
            "needs a name and an email",
        )]);
    };
    Ok(CheckedLead {
        item: body.item.clone(),
        name,
        email,
        phone,
        date_of_birth: applicant.date_of_birth,
        address: applicant.address.clone(),
        ssn,
        authenticated: applicant.authenticated,
        amount,
        term_months: body.term_months,
        answers: body.answers.clone(),
    })
}

fn check_address(address: &Address, field: &str, errors: &mut FieldErrors) {
    let required = [
        ("line1", &address.line1),
        ("city", &address.city),
        ("state", &address.state),
        ("postal_code", &address.postal_code),
    ];
    for (part, value) in required {
        if let Err(reason) = clean_line(value, 200) {
            errors.add(format!("{field}.{part}"), reason);
        }
    }
    let optional = [("line2", &address.line2), ("country", &address.country)];
    for (part, value) in optional {
        if let Some(Err(reason)) = value.as_deref().map(|v| clean_line(v, 200)) {
            errors.add(format!("{field}.{part}"), reason);
        }
    }
}

/// Creates the member if needed and the lead, with its first timeline entry, in one
/// transaction. Returns the lead's id.
pub fn create_for_staff(
    conn: &mut DbConnection,
    cipher: &Cipher,
    staff: &Staff,
    lead: CheckedLead,
) -> Result<i64, ApiError> {
    let institution_id = staff.institution_id;
    let ssn_encrypted = lead
        .ssn
        .as_ref()
        .map(|ssn| cipher.encrypt(ssn.digits()))
        .transpose()
        .map_err(ApiError::internal)?;

    conn.write(|conn| {
        let item =
            catalog::find_by_slug(conn, institution_id, &lead.item).map_err(|e| match e {
                StoreError::NotFound => {
                    ApiError::invalid("item", "no product or service has this slug")
                }
                other => other.into(),
            })?;
        let form: serde_json::Value = serde_json::from_str(&item.form)?;
        let fields = forms::fields(&form);
        let mut errors = FieldErrors::new();
        let given = with_amount_and_term(&lead, &fields, &mut errors);
        let mut checked = serde_json::Map::new();
        for (key, value) in &given {
            match fields.iter().find(|(name, _)| name == key) {
                None => errors.add(format!("answers.{key}"), "is not a field of this form"),
                Some((_, field)) => match forms::check_answer(field, value) {
                    Ok(()) => {
                        checked.insert(key.clone(), forms::normalize(field, value));
                    }
                    Err(reason) => errors.add(format!("answers.{key}"), reason),
                },
            }
        }
        if lead.amount.is_some() && !crate::views::is_product(&item) {
            errors.add("amount", "a service has no amount");
        }
        errors.into_result().map_err(ApiError::Invalid)?;

        let member = find_or_create_member(conn, institution_id, &lead, ssn_encrypted.clone())?;
        let amount = lead.amount.or_else(|| {
            let dollars = checked.get("amount")?.as_f64()?;
            Money::from_dollars(dollars).ok()
        });
        let term_months = lead.term_months.or_else(|| {
            let months = checked.get("term_months")?.as_i64()?;
            i32::try_from(months).ok()
        });
        let answers: BTreeMap<String, Answer> = checked
            .iter()
            .map(|(key, value)| {
                let answer = Answer {
                    value: value.clone(),
                    source: "proxy".into(),
                };
                (key.clone(), answer)
            })
            .collect();
        let identity = StoredIdentity {
            date_of_birth: lead.date_of_birth,
            address: lead
                .address
                .as_ref()
                .map(serde_json::to_value)
                .transpose()?,
        };
        let at = leads_persistence::time::now();
        let row = leads::insert(
            conn,
            NewLeadRow {
                created_by_user_id: Some(staff.user_id),
                amount_cents: amount.map(Money::cents),
                term_months,
                applicant_name: Some(lead.name.clone()),
                applicant_email: Some(lead.email.to_string()),
                applicant_phone: lead.phone.as_ref().map(|p| p.as_str().to_string()),
                identity: serde_json::to_string(&identity)?,
                ssn_encrypted,
                ssn_last4: lead.ssn.as_ref().map(|s| s.last4().to_string()),
                answers: serde_json::to_string(&answers)?,
                ..NewLeadRow::new(
                    &member,
                    item.id,
                    LeadStatus::InProgress,
                    Channel::LenderProxy,
                    at,
                )
            },
        )?;
        activity::record(
            conn,
            institution_id,
            row.id,
            ActorKind::Staff(staff.user_id),
            "lead.created",
            json!({"channel": "lender_proxy", "item": item.slug, "status": "in_progress"}),
        )?;
        Ok(row.id)
    })
}

/// The member the lead belongs to: for a verified applicant the registered member with
/// this email, for an unverified walk-in the unverified one; created when missing.
fn find_or_create_member(
    conn: &mut DbConnection,
    institution_id: i64,
    lead: &CheckedLead,
    ssn_encrypted: Option<String>,
) -> Result<MemberRow, ApiError> {
    let mut new = NewMember::new(
        institution_id,
        Some(lead.name.clone()),
        Some(lead.email.to_string()),
    );
    new.phone = lead.phone.as_ref().map(|p| p.as_str().to_string());
    new.date_of_birth = lead.date_of_birth;
    new.address = lead
        .address
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    new.ssn_last4 = lead.ssn.as_ref().map(|s| s.last4().to_string());
    new.ssn_encrypted = ssn_encrypted;
    new.registered = lead.authenticated;
    Ok(members::find_or_insert(conn, new)?)
}

/// The answers given, with the amount and term given beside them added as the answers
/// of the form's fields of those names, so that the form shows them and submitting
/// counts them. Given both ways, they must agree.
fn with_amount_and_term(
    lead: &CheckedLead,
    fields: &[(&str, &serde_json::Value)],
    errors: &mut FieldErrors,
) -> serde_json::Map<String, serde_json::Value> {
    let mut given = lead.answers.clone();
    let beside = [
        (
            "amount",
            lead.amount.map(|m| serde_json::json!(m.dollars())),
        ),
        (
            "term_months",
            lead.term_months.map(|t| serde_json::json!(t)),
        ),
    ];
    for (key, value) in beside {
        let Some(value) = value else { continue };
        if !fields.iter().any(|(name, _)| *name == key) {
            continue;
        }
        match given.get(key) {
            Some(answer) if answer.as_f64() != value.as_f64() => {
                errors.add(key, format!("differs from answers.{key}"));
            }
            Some(_) => {}
            None => {
                given.insert(key.to_string(), value);
            }
        }
    }
    given
}
