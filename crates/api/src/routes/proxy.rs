//! Staff filling in and submitting an application on a member's behalf, with the same
//! form and checks the member would meet.

use actix_web::{patch, post, web, HttpRequest, HttpResponse};
use leads_domain::wire::{ApplicationUpdate, Consent, LeadDetail, ProxySubmit};
use leads_domain::{Permission, Problem};

use crate::auth::applicant::Applicant;
use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::routes::actions::answer_detail;
use crate::routes::leads::load_detail;
use crate::services::applications;
use crate::state::AppState;

/// Saves answers entered for the member (partial; `null` clears one), checked against
/// the form as the member's own are. They are marked `proxy`, and each save is on the
/// timeline with who entered it.
#[utoipa::path(
    tag = "lead actions",
    params(("id" = i64, Path, description = "The lead's id")),
    request_body = ApplicationUpdate,
    responses(
        (status = 200, description = "Saved", body = LeadDetail),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.proxy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted, closed or archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid answers, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/leads/{id}/answers")]
pub async fn answers(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsProxy)?;
    let update: ApplicationUpdate = body.parse()?;
    let id = path.into_inner();
    let lead = Applicant {
        lead_id: id,
        institution_id: staff.institution_id,
    };
    let detail = state
        .db(move |conn| {
            applications::save(conn, lead, &update, Some(staff.user_id))?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Ok(), detail))
}

/// Submits the application on the member's behalf, or names every required answer
/// still missing. A product needs `credit_pull_consent`: the member's consent, taken by
/// the staff user, who is recorded with it.
#[utoipa::path(
    tag = "lead actions",
    params(("id" = i64, Path, description = "The lead's id")),
    request_body = ProxySubmit,
    responses(
        (status = 200, description = "Submitted", body = LeadDetail),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.proxy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted, closed or archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required answers missing, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsProxy)?;
    let asked: ProxySubmit = body.parse()?;
    let id = path.into_inner();
    let lead = Applicant {
        lead_id: id,
        institution_id: staff.institution_id,
    };
    let address =
        crate::client_address::of(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    let cipher = state.keys.cipher.clone();
    let detail = state
        .db(move |conn| {
            let given = Consent {
                credit_pull: true,
                disclosures: Vec::new(),
            };
            let consent = asked.credit_pull_consent.then_some((&given, address));
            applications::submit(conn, lead, Some(staff.user_id), consent, &cipher)?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Ok(), detail))
}
