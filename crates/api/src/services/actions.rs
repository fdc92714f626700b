//! What staff do to a lead. Each action checks the lead's state, applies its change only
//! if the lead is still at the version the caller read (when one is given), and writes
//! its timeline entry, with the values before and after, in the same transaction.

use chrono::Utc;
use leads_domain::status::{CloseReason, DeclineReason};
use leads_domain::text::{clean_line, clean_text};
use leads_domain::wire::{Decision, UserRef};
use leads_domain::{CatalogKind, FieldError, LeadStatus, Money, Permission, UserId};
use leads_persistence::leads::{self, LeadChange, LeadRow};
use leads_persistence::products::{self, NewHeldProduct};
use leads_persistence::{catalog, users, DbConnection, StoreError};
use serde_json::{json, Value};

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::keys::Cipher;
use crate::services::activity::{self, ActorKind};

/// Longest note, in characters.
pub const MAX_NOTE: usize = 4000;

/// A change of the lead's state, checked.
#[derive(Debug, Clone)]
pub enum Action {
    Assign(Option<i64>),
    Approve,
    Decline {
        reasons: Vec<DeclineReason>,
        other: Option<String>,
    },
    Close {
        reason: CloseReason,
        detail: Option<String>,
    },
    Convert(Terms),
    Archive,
}

/// The held product's terms, as asked (absent values come from the lead).
#[derive(Debug, Clone, Default)]
pub struct Terms {
    pub amount: Option<Money>,
    pub rate_bps: Option<i32>,
    pub term_months: Option<i32>,
    pub opened_on: Option<chrono::NaiveDate>,
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Assign(_) => "lead.assigned",
            Action::Approve => "lead.approved",
            Action::Decline { .. } => "lead.declined",
            Action::Close { .. } => "lead.closed",
            Action::Convert(_) => "lead.converted",
            Action::Archive => "lead.archived",
        }
    }

    /// The statuses the action is allowed from, and how to say so.
    fn allowed_from(&self) -> (&'static [LeadStatus], &'static str) {
        use LeadStatus::*;
        match self {
            Action::Assign(_) | Action::Archive => (
                &[InProgress, Submitted, Approved, Declined, Converted, Closed],
                "",
            ),
            Action::Approve | Action::Decline { .. } => {
                (&[Submitted], "Only a submitted application can be decided.")
            }
            Action::Close { .. } => (
                &[InProgress, Submitted, Approved],
                "Only a lead in progress, submitted or approved can be closed.",
            ),
            Action::Convert(_) => (&[Approved], "Only an approved lead can be converted."),
        }
    }
}

/// Checks decline reasons: one to four known codes, `other` with its words.
pub fn decline(codes: &[String], other: Option<&str>) -> Result<Action, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut reasons = Vec::new();
    if codes.is_empty() || codes.len() > 4 {
        errors.push(FieldError::new("reasons", "must hold one to four reasons"));
    }
    for (i, code) in codes.iter().enumerate() {
        match DeclineReason::parse(code) {
            Some(reason) if !reasons.contains(&reason) => reasons.push(reason),
            Some(_) => errors.push(FieldError::new(format!("reasons[{i}]"), "is given twice")),
            None => errors.push(FieldError::new(
                format!("reasons[{i}]"),
                format!("must be one of {}", DeclineReason::choices()),
            )),
        }
    }
    let other = match (reasons.contains(&DeclineReason::Other), other) {
        (true, Some(text)) => match clean_line(text, 500) {
            Ok(text) => Some(text),
            Err(reason) => {
                errors.push(FieldError::new("other_reason", reason));
                None
            }
        },
        (true, None) => {
            errors.push(FieldError::new(
                "other_reason",
                "is required with the reason other",
            ));
            None
        }
        (false, Some(_)) => {
            errors.push(FieldError::new(
                "other_reason",
                "is only for the reason other",
            ));
            None
        }
        (false, None) => None,
    };
    if errors.is_empty() {
        Ok(Action::Decline { reasons, other })
    } else {
        Err(errors)
    }
}

/// Checks a close reason; `other` needs its words.
pub fn close(code: &str, detail: Option<&str>) -> Result<Action, Vec<FieldError>> {
    let reason = CloseReason::parse(code).ok_or_else(|| {
        vec![FieldError::new(
            "reason",
            format!("must be one of {}", CloseReason::choices()),
        )]
    })?;
    let detail = match detail {
        Some(text) => Some(clean_line(text, 500).map_err(|r| vec![FieldError::new("detail", r)])?),
        None if reason == CloseReason::Other => {
            return Err(vec![FieldError::new(
                "detail",
                "is required with the reason other",
            )])
        }
        None => None,
    };
    Ok(Action::Close { reason, detail })
}

/// Checks conversion terms.
pub fn convert(
    amount: Option<f64>,
    rate_percent: Option<f64>,
    term_months: Option<i32>,
    opened_on: Option<chrono::NaiveDate>,
) -> Result<Action, Vec<FieldError>> {
    let mut errors = Vec::new();
    let amount = amount.and_then(|dollars| match Money::from_dollars(dollars) {
        Ok(money) if money.cents() > 0 => Some(money),
        Ok(_) => {
            errors.push(FieldError::new("amount", "must be more than zero"));
            None
        }
        Err(reason) => {
            errors.push(FieldError::new("amount", reason));
            None
        }
    });
    let rate_bps = rate_percent.and_then(|rate| {
        if rate.is_finite() && (0.0..=100.0).contains(&rate) {
            Some((rate * 100.0).round() as i32)
        } else {
            errors.push(FieldError::new("rate_percent", "must be between 0 and 100"));
            None
        }
    });
    if term_months.is_some_and(|t| !(1..=600).contains(&t)) {
        errors.push(FieldError::new("term_months", "must be 1 to 600 months"));
    }
    if errors.is_empty() {
        Ok(Action::Convert(Terms {
            amount,
            rate_bps,
            term_months,
            opened_on,
        }))
    } else {
        Err(errors)
    }
}

fn to_json(decision: &Decision) -> Result<String, ApiError> {
    serde_json::to_string(decision).map_err(ApiError::internal)
}

fn status_of(row: &LeadRow) -> Result<LeadStatus, ApiError> {
    LeadStatus::parse(&row.status)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown status {}", row.status)))
}

/// The lead, if the caller's version is still current.
pub(crate) fn current(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    if_match: Option<Vec<i32>>,
) -> Result<LeadRow, ApiError> {
    let row = leads::get(conn, staff.institution_id, id)?;
    if let Some(versions) = if_match {
        if !versions.contains(&row.version) {
            return Err(ApiError::Stale {
                version: row.version,
                status: row.status.clone(),
            });
        }
    }
    Ok(row)
}

fn user_ref(conn: &mut DbConnection, staff: &Staff, id: i64) -> Result<Value, ApiError> {
    let user = users::get(conn, staff.institution_id, id)?;
    Ok(json!({ "id": user.id, "name": user.name }))
}

/// Performs `action` on lead `id` for `staff`: true when the lead changed, false when
/// it already was as asked.
pub fn perform(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    if_match: Option<Vec<i32>>,
    action: Action,
) -> Result<bool, ApiError> {
    conn.write(|conn| {
        let row = current(conn, staff, id, if_match)?;
        let status = status_of(&row)?;
        if row.archived {
            return Err(ApiError::WrongState {
                status: row.status.clone(),
                detail: "The lead is archived and can no longer be changed.".into(),
            });
        }
        if let Action::Assign(assignee) = &action {
            if *assignee == row.assignee_id {
                // Already so: nothing changes, and nobody's version goes stale.
                return Ok(false);
            }
        }
        let (allowed, why) = action.allowed_from();
        if !allowed.contains(&status) {
            return Err(ApiError::WrongState {
                status: row.status.clone(),
                detail: why.into(),
            });
        }

        // Only a decision records who made it by name.
        let decides = matches!(
            action,
            Action::Approve | Action::Decline { .. } | Action::Close { .. }
        );
        let me = if decides {
            Some(users::get(conn, staff.institution_id, staff.user_id)?)
        } else {
            None
        };
        let decided = |close_reason: Option<String>, decline_reasons: Vec<String>| Decision {
            decline_reasons,
            close_reason,
            decided_at: Some(Utc::now()),
            decided_by: me.as_ref().map(|me| UserRef {
                id: UserId(me.id),
                name: me.name.clone(),
            }),
        };
        let mut change = LeadChange::default();
        let detail = match &action {
            Action::Assign(assignee) => {
                let before = row
                    .assignee_id
                    .map(|a| user_ref(conn, staff, a))
                    .transpose()?;
                let after = match assignee {
                    Some(user_id) => {
                        let user = users::get(conn, staff.institution_id, *user_id).map_err(
                            |e| match e {
                                StoreError::NotFound => ApiError::invalid(
                                    "assignee",
                                    "is not a staff user of this institution",
                                ),
                                other => other.into(),
                            },
                        )?;
                        if !user.active {
                            return Err(ApiError::invalid("assignee", "is deactivated"));
                        }
                        if !users::permissions(conn, user.role_id)?.contains(&Permission::LeadsWork)
                        {
                            return Err(ApiError::invalid("assignee", "may not work leads"));
                        }
                        Some(json!({ "id": user.id, "name": user.name }))
                    }
                    None => None,
                };
                change.assignee_id = Some(*assignee);
                json!({ "before": { "assignee": before }, "after": { "assignee": after } })
            }
            Action::Approve => {
                change.status = Some(LeadStatus::Approved.as_str().into());
                change.decision = Some(Some(to_json(&decided(None, vec![]))?));
                json!({ "before": { "status": row.status }, "after": { "status": "approved" } })
            }
            Action::Decline { reasons, other } => {
                let codes: Vec<String> = reasons.iter().map(|r| r.as_str().to_string()).collect();
                let mut decision = decided(None, codes.clone());
                if let Some(text) = other {
                    decision.decline_reasons = codes
                        .iter()
                        .map(|c| {
                            if c == "other" {
                                format!("other: {text}")
                            } else {
                                c.clone()
                            }
                        })
                        .collect();
                }
                change.status = Some(LeadStatus::Declined.as_str().into());
                change.decision = Some(Some(to_json(&decision)?));
                json!({
                    "before": { "status": row.status },
                    "after": { "status": "declined", "reasons": codes, "other_reason": other },
                })
            }
            Action::Close { reason, detail } => {
                let words = match detail {
                    Some(text) => format!("{}: {text}", reason.as_str()),
                    None => reason.as_str().to_string(),
                };
                change.status = Some(LeadStatus::Closed.as_str().into());
                change.decision = Some(Some(to_json(&decided(Some(words), vec![]))?));
                json!({
                    "before": { "status": row.status },
                    "after": { "status": "closed", "reason": reason.as_str(), "detail": detail },
                })
            }
            Action::Convert(terms) => {
                let item = catalog::get(conn, staff.institution_id, row.catalog_item_id)?;
                let product_type = match (item.kind.as_str(), item.product_type) {
                    (kind, Some(product_type)) if kind == CatalogKind::Product.as_str() => {
                        product_type
                    }
                    _ => {
                        return Err(ApiError::WrongState {
                            status: row.status.clone(),
                            detail: "A service is not converted into a product.".into(),
                        })
                    }
                };
                let amount_cents = terms.amount.map(Money::cents).or(row.amount_cents);
                let term_months = terms.term_months.or(row.term_months);
                let opened_on = terms.opened_on.unwrap_or_else(|| Utc::now().date_naive());
                products::insert(
                    conn,
                    &NewHeldProduct {
                        institution_id: staff.institution_id,
                        member_id: row.member_id,
                        lead_id: Some(row.id),
                        product_type: product_type.clone(),
                        amount_cents,
                        rate_bps: terms.rate_bps,
                        term_months,
                        opened_on,
                        created_at: leads_persistence::time::now(),
                    },
                )?;
                change.status = Some(LeadStatus::Converted.as_str().into());
                json!({
                    "before": { "status": row.status },
                    "after": {
                        "status": "converted",
                        "product_type": product_type,
                        "amount_cents": amount_cents,
                        "rate_percent": terms.rate_bps.map(|b| f64::from(b) / 100.0),
                        "term_months": term_months,
                        "opened_on": opened_on,
                    },
                })
            }
            Action::Archive => {
                change.archived = Some(true);
                json!({ "before": { "archived": false }, "after": { "archived": true } })
            }
        };
        if !leads::change(conn, staff.institution_id, id, row.version, &change)? {
            let now = leads::get(conn, staff.institution_id, id)?;
            return Err(ApiError::Stale {
                version: now.version,
                status: now.status,
            });
        }
        activity::record(
            conn,
            staff.institution_id,
            id,
            ActorKind::Staff(staff.user_id),
            action.name(),
            detail,
        )?;
        Ok(true)
    })
}

/// Adds a staff-only note. Notes change nothing else and may be added to any lead.
pub fn add_note(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    text: &str,
) -> Result<(), ApiError> {
    let text = clean_text(text, MAX_NOTE).map_err(|r| ApiError::invalid("text", r))?;
    conn.write(|conn| {
        leads::get(conn, staff.institution_id, id)?;
        activity::record(
            conn,
            staff.institution_id,
            id,
            ActorKind::Staff(staff.user_id),
            "note.added",
            json!({ "text": text }),
        )?;
        Ok(())
    })
}

/// The full SSN of the lead's applicant; the reveal is recorded before it is returned.
pub fn reveal_ssn(
    conn: &mut DbConnection,
    cipher: &Cipher,
    staff: &Staff,
    id: i64,
) -> Result<String, ApiError> {
    conn.write(|conn| {
        let row = leads::get(conn, staff.institution_id, id)?;
        let Some(sealed) = row.ssn_encrypted.as_deref() else {
            return Err(ApiError::Conflict("This applicant gave no SSN.".into()));
        };
        let digits = cipher.decrypt(sealed).map_err(ApiError::internal)?;
        let ssn = leads_domain::Ssn::parse(&digits)
            .map_err(|reason| ApiError::internal(anyhow::anyhow!("stored SSN {reason}")))?
            .revealed();
        activity::record(
            conn,
            staff.institution_id,
            id,
            ActorKind::Staff(staff.user_id),
            "ssn.revealed",
            json!({}),
        )?;
        Ok(ssn)
    })
}

/// Most leads one bulk request names by id.
pub const BULK_IDS: usize = 1000;
/// Most leads one bulk request reaches through a filter.
pub const BULK_FILTERED: usize = 10_000;

/// The outcome of one lead of a bulk action.
pub enum BulkOutcome {
    Changed,
    Skipped {
        status: Option<String>,
        reason: String,
    },
}

/// Applies `action` to one lead of a bulk request, under the same rules as the single
/// action: a state that does not allow it, or a lead that does not exist in the
/// institution, is skipped with the reason; anything else stops the request.
pub fn perform_one_of_many(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    action: &Action,
) -> Result<BulkOutcome, ApiError> {
    match perform(conn, staff, id, None, action.clone()) {
        Ok(true) => Ok(BulkOutcome::Changed),
        Ok(false) => Ok(BulkOutcome::Skipped {
            status: None,
            reason: "It already is as asked; nothing changed.".into(),
        }),
        Err(ApiError::WrongState { status, detail }) => Ok(BulkOutcome::Skipped {
            status: Some(status),
            reason: detail,
        }),
        Err(ApiError::NotFound) => Ok(BulkOutcome::Skipped {
            status: None,
            reason: "There is no such lead in this institution.".into(),
        }),
        Err(other) => Err(other),
    }
}

/// Checks an assignee once for a whole bulk request.
pub fn check_assignee(
    conn: &mut DbConnection,
    staff: &Staff,
    assignee: Option<i64>,
) -> Result<(), ApiError> {
    let Some(user_id) = assignee else {
        return Ok(());
    };
    match users::get(conn, staff.institution_id, user_id) {
        Ok(user) if !user.active => Err(ApiError::invalid("assignee", "is deactivated")),
        Ok(user) if !users::permissions(conn, user.role_id)?.contains(&Permission::LeadsWork) => {
            Err(ApiError::invalid("assignee", "may not work leads"))
        }
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::invalid(
            "assignee",
            "is not a staff user of this institution",
        )),
        Err(other) => Err(other.into()),
    }
}
