//! The institution's audit trail.

use actix_web::{get, web};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use leads_domain::wire::{AuditEvent, AuditPage, UserRef};
use leads_domain::{FieldError, LeadId, Permission, Problem, UserId};
use leads_persistence::audit::{self, AuditFilter};
use leads_persistence::users;
use serde::Deserialize;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Filters of the audit trail.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// A staff user's id.
    pub actor: Option<i64>,
    /// An action, such as `lead.approved`, `ssn.revealed`, `leads.exported`,
    /// `staff.signed_in` or `staff.sign_in_failed`.
    pub action: Option<String>,
    /// A lead's id.
    pub lead: Option<i64>,
    /// At or after this time (RFC 3339) or day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// At or before this time, or on or before this day.
    pub to: Option<String>,
    /// Page size, 1 to 200; 50 by default.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn moment(text: &str, end_of_day: bool) -> Option<NaiveDateTime> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_utc());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end_of_day {
        NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)?
    } else {
        NaiveTime::MIN
    };
    Some(day.and_time(time))
}

/// Every change of a lead, SSN reveal, export, sign-in and failed sign-in of the
/// institution, newest first. Needs `audit.read`.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the trail", body = AuditPage),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks audit.read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter values, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    staff.require(Permission::AuditRead)?;
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 200"));
    }
    let from = query.from.as_deref().map(|t| moment(t, false));
    if from == Some(None) {
        errors.push(FieldError::new(
            "from",
            "must be a time (RFC 3339) or a day (YYYY-MM-DD)",
        ));
    }
    let to = query.to.as_deref().map(|t| moment(t, true));
    if to == Some(None) {
        errors.push(FieldError::new(
            "to",
            "must be a time (RFC 3339) or a day (YYYY-MM-DD)",
        ));
    }
    let before_id = query.cursor.as_deref().map(str::parse::<i64>);
    if matches!(before_id, Some(Err(_))) {
        errors.push(FieldError::new("cursor", "is not a cursor of this list"));
    }
    if let Some(action) = &query.action {
        if action.len() > 100 {
            errors.push(FieldError::new("action", "is too long"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let filter = AuditFilter {
        actor_user_id: query.actor,
        action: query.action,
        lead_id: query.lead,
        from: from.flatten(),
        to: to.flatten(),
        before_id: before_id.and_then(Result::ok),
        limit: limit + 1,
    };
    let page = state
        .db(move |conn| {
            let mut rows = audit::list(conn, staff.institution_id, &filter)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let mut actors: Vec<i64> = rows.iter().filter_map(|r| r.actor_user_id).collect();
            actors.sort_unstable();
            actors.dedup();
            let names = users::names(conn, staff.institution_id, &actors)?;
            let items = rows
                .iter()
                .map(|row| AuditEvent {
                    id: row.id,
                    at: row.at.and_utc(),
                    actor: row.actor_user_id.map(|id| UserRef {
                        id: UserId(id),
                        name: names
                            .iter()
                            .find(|(user, _)| *user == id)
                            .map(|(_, name)| name.clone())
                            .unwrap_or_default(),
                    }),
                    action: row.action.clone(),
                    lead_id: row.lead_id.map(LeadId),
                    detail: serde_json::from_str(&row.detail).unwrap_or_default(),
                })
                .collect();
            let next_cursor = rows.last().filter(|_| more).map(|r| r.id.to_string());
            Ok(AuditPage { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}
