//! What staff do to a lead: assign, note, decide, close, convert, archive, reveal the
//! SSN. Each answers the lead as it now is, with its new `ETag`. State-changing actions
//! honour `If-Match`: a version that is no longer current answers 412 and changes
//! nothing.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use leads_domain::wire::{
    AssignRequest, CloseRequest, ConvertRequest, DeclineRequest, LeadDetail, NoteRequest,
    RevealedSsn,
};
use leads_domain::{Permission, Problem};

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::routes::leads::{etag, load_detail};
use crate::services::actions::{self, Action};
use crate::state::AppState;

/// What `If-Match` asks for: nothing (absent or `*`), or the versions it names, any of
/// which may be current. Comparison is strong: a weak tag (`W/"3"`) and anything that is
/// not a quoted version match no version.
pub(crate) fn if_match(req: &HttpRequest) -> Result<Option<Vec<i32>>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let versions: Vec<i32> = text
        .split(',')
        .filter_map(|tag| {
            let digits = tag.trim().strip_prefix('"')?.strip_suffix('"')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        })
        .collect();
    // With no version named, none can match, and the change is refused.
    Ok(Some(versions))
}

async fn act(
    state: web::Data<AppState>,
    staff: Staff,
    id: i64,
    if_match: Option<Vec<i32>>,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let detail = state
        .db(move |conn| {
            let _changed = actions::perform(conn, &staff, id, if_match, action)?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Ok(), detail))
}

pub(crate) fn answer_detail(
    mut builder: actix_web::HttpResponseBuilder,
    detail: LeadDetail,
) -> HttpResponse {
    builder
        .insert_header((header::ETAG, etag(&detail)))
        .json(detail)
}

/// Assigns the lead to a staff user of the institution, or unassigns it (`null`).
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "Assigned", body = LeadDetail),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lead is archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a user of this institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let if_match = if_match(&req)?;
    let body: AssignRequest = body.parse()?;
    let action = Action::Assign(body.assignee.map(|u| u.0));
    act(state, staff, path.into_inner(), if_match, action).await
}

/// Adds a staff-only note to the timeline. Notes cannot be edited or deleted.
#[utoipa::path(
    tag = "lead actions",
    params(("id" = i64, Path, description = "The lead's id")),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "Noted", body = LeadDetail),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/notes")]
pub async fn note(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let body: NoteRequest = body.parse()?;
    let id = path.into_inner();
    let detail = state
        .db(move |conn| {
            actions::add_note(conn, &staff, id, &body.text)?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Created(), detail))
}

/// Approves a submitted application. Irreversible.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the decision is based on"),
    ),
    responses(
        (status = 200, description = "Approved", body = LeadDetail),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted, or archived; current_status says which", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsDecide)?;
    let if_match = if_match(&req)?;
    act(state, staff, path.into_inner(), if_match, Action::Approve).await
}

/// Declines a submitted application with one to four adverse-action reasons.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the decision is based on"),
    ),
    request_body = DeclineRequest,
    responses(
        (status = 200, description = "Declined", body = LeadDetail),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not submitted, or archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reasons missing, unknown or too many", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsDecide)?;
    let if_match = if_match(&req)?;
    let body: DeclineRequest = body.parse()?;
    let action =
        actions::decline(&body.reasons, body.other_reason.as_deref()).map_err(ApiError::Invalid)?;
    act(state, staff, path.into_inner(), if_match, action).await
}

/// Closes a lead without a product.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    request_body = CloseRequest,
    responses(
        (status = 200, description = "Closed", body = LeadDetail),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Declined, converted, closed or archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reason", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsDecide)?;
    let if_match = if_match(&req)?;
    let body: CloseRequest = body.parse()?;
    let action = actions::close(&body.reason, body.detail.as_deref()).map_err(ApiError::Invalid)?;
    act(state, staff, path.into_inner(), if_match, action).await
}

/// Converts an approved lead into the member's held product.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    request_body = ConvertRequest,
    responses(
        (status = 200, description = "Converted", body = LeadDetail),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not approved, a service, or archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid terms", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/convert")]
pub async fn convert(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsDecide)?;
    let if_match = if_match(&req)?;
    let body: ConvertRequest = body.parse()?;
    let action = actions::convert(
        body.amount,
        body.rate_percent,
        body.term_months,
        body.opened_on,
    )
    .map_err(ApiError::Invalid)?;
    act(state, staff, path.into_inner(), if_match, action).await
}

/// Archives the lead: it leaves the default table and becomes read-only for good.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Archived", body = LeadDetail),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/archive")]
pub async fn archive(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let if_match = if_match(&req)?;
    act(state, staff, path.into_inner(), if_match, Action::Archive).await
}

/// The applicant's full SSN, once. The reveal is recorded on the lead's timeline.
#[utoipa::path(
    tag = "lead actions",
    params(("id" = i64, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "The SSN", body = RevealedSsn),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks pii.reveal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The applicant gave no SSN", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/reveal-ssn")]
pub async fn reveal_ssn(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<web::Json<RevealedSsn>, ApiError> {
    staff.require(Permission::PiiReveal)?;
    let id = path.into_inner();
    let cipher = state.keys.cipher.clone();
    let ssn = state
        .db(move |conn| actions::reveal_ssn(conn, &cipher, &staff, id))
        .await?;
    Ok(web::Json(RevealedSsn { ssn }))
}
