//! The mail outbox, as staff see it: what went out, what waits for another attempt and
//! why, and what was given up on and can be sent again.

use actix_web::{get, post, web, HttpResponse};
use leads_domain::wire::{MailMessage, MailPage};
use leads_domain::{FieldError, LeadId, Permission, Problem};
use leads_persistence::outbox::{self, MailRow};
use leads_persistence::time::from_db;
use serde::Deserialize;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// Filters of the outbox.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MailQuery {
    /// `pending`, `sent` or `failed`.
    pub status: Option<String>,
    /// Page size, 1 to 200; 50 by default.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn message(row: &MailRow) -> MailMessage {
    MailMessage {
        id: row.id,
        lead_id: row.lead_id.map(LeadId),
        recipient: row.recipient.clone(),
        subject: row.subject.clone(),
        status: row.status.clone(),
        attempts: row.attempts,
        next_attempt_at: from_db(row.next_attempt_at),
        last_error: row.last_error.clone(),
        sent_at: row.sent_at.map(from_db),
        created_at: from_db(row.created_at),
    }
}

/// The institution's outgoing mail, newest first. Needs `audit.read`.
#[utoipa::path(
    tag = "mail",
    params(MailQuery),
    responses(
        (status = 200, description = "One page of the outbox", body = MailPage),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks audit.read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter values, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/mail")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<MailQuery>,
) -> Result<web::Json<MailPage>, ApiError> {
    staff.require(Permission::AuditRead)?;
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError::new("limit", "must be 1 to 200"));
    }
    if let Some(status) = query.status.as_deref() {
        if !matches!(status, "pending" | "sent" | "failed") {
            errors.push(FieldError::new("status", "must be pending, sent or failed"));
        }
    }
    let before_id = query
        .cursor
        .as_deref()
        .map(|c| c.parse::<i64>().ok().filter(|id| *id > 0).ok_or(()));
    if matches!(before_id, Some(Err(()))) {
        errors.push(FieldError::new("cursor", "is not a cursor of this list"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let before_id = before_id.and_then(Result::ok);
    let page = state
        .db(move |conn| {
            let mut rows = outbox::list(
                conn,
                staff.institution_id,
                query.status.as_deref(),
                before_id,
                limit + 1,
            )?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor = rows.last().filter(|_| more).map(|r| r.id.to_string());
            Ok(MailPage {
                items: rows.iter().map(message).collect(),
                next_cursor,
            })
        })
        .await?;
    Ok(web::Json(page))
}

/// Puts a message that was given up on back in line. Needs `audit.read`.
#[utoipa::path(
    tag = "mail",
    params(("id" = i64, Path, description = "The message's id")),
    responses(
        (status = 204, description = "It will be sent again shortly"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks audit.read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message in the institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The message has not failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/mail/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::AuditRead)?;
    let id = path.into_inner();
    state
        .db(move |conn| {
            let now = leads_persistence::time::now();
            if outbox::retry(conn, staff.institution_id, id, now)? {
                return Ok(());
            }
            let exists = outbox::list(conn, staff.institution_id, None, Some(id + 1), 1)?
                .into_iter()
                .any(|row| row.id == id);
            if exists {
                Err(ApiError::Conflict(
                    "Only a failed message is sent again.".into(),
                ))
            } else {
                Err(ApiError::NotFound)
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
