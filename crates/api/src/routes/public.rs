//! What a borrower reaches without a staff account: what an institution offers, and
//! their own application, opened by the token it was started with.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use leads_domain::wire::{
    ApplicationStarted, ApplicationUpdate, CatalogItem, Consent, NewApplication, PublicApplication,
    PublicInstitution,
};
use leads_domain::{LeadId, Problem};
use leads_persistence::{catalog, institutions};

use crate::auth::applicant::Applicant;
use crate::auth::borrower;
use crate::auth::tokens::issue_applicant;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::services::documents as files;
use crate::services::{applicant_mail, applications};
use crate::state::AppState;
use crate::upload::read_form;
use crate::views;

/// An institution by its slug.
#[utoipa::path(
    tag = "applicant",
    params(("slug" = String, Path, description = "The institution's slug")),
    responses(
        (status = 200, description = "The institution", body = PublicInstitution),
        (status = 404, description = "No such institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/institutions/{slug}")]
pub async fn institution(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<web::Json<PublicInstitution>, ApiError> {
    let slug = path.into_inner();
    let found = state
        .db(move |conn| Ok(institutions::find_by_slug(conn, &slug)?))
        .await?;
    Ok(web::Json(PublicInstitution {
        slug: found.slug,
        name: found.name,
    }))
}

/// The products and services an institution offers, with their forms.
#[utoipa::path(
    tag = "applicant",
    params(("slug" = String, Path, description = "The institution's slug")),
    responses(
        (status = 200, description = "What it offers, in its order", body = [CatalogItem]),
        (status = 404, description = "No such institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/institutions/{slug}/catalog")]
pub async fn offered(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<web::Json<Vec<CatalogItem>>, ApiError> {
    let slug = path.into_inner();
    let items = state
        .db(move |conn| {
            let found = institutions::find_by_slug(conn, &slug)?;
            let rows = catalog::list(conn, found.id)?;
            Ok(rows
                .iter()
                .filter(|row| row.active)
                .map(views::catalog_item)
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(web::Json(items))
}

/// Starts an application at once, so that progress is seen from the first answer. The
/// answer carries the token that opens this application, and only it, for 30 days.
/// One address may start 30 applications in ten minutes. Sent with a signed-in
/// borrower's token, the application is theirs, begins with their details, and has the
/// channel `online_banking` when online banking signed them in.
#[utoipa::path(
    tag = "applicant",
    request_body = NewApplication,
    responses(
        (status = 201, description = "Started", body = ApplicationStarted,
         headers(("Location" = String, description = "The application's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token was sent that is not a signed-in borrower's", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such institution or item", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many started from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/applications")]
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewApplication = body.parse()?;
    let borrower = borrower::optional(&req)?;
    let address = crate::client_address::of(&req, &state.config.trusted_proxies);
    if let Some(address) = address {
        state.starts.admit(address).map_err(ApiError::TooMany)?;
    }
    // Only applications started count against the limit.
    let started = state
        .db(move |conn| applications::start(conn, &body.institution, &body.item, borrower))
        .await;
    let (id, institution_id) = match started {
        Ok(started) => started,
        Err(error) => {
            if let Some(address) = address {
                state.starts.refund(address);
            }
            return Err(error);
        }
    };
    let token = issue_applicant(
        &state.keys.jwt,
        &state.config.issuer,
        id,
        institution_id,
        state.config.applicant_token_ttl,
    )
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/public/applications/{id}"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApplicationStarted {
            id: LeadId(id),
            token,
        }))
}

async fn current(
    state: &AppState,
    applicant: Applicant,
) -> Result<web::Json<PublicApplication>, ApiError> {
    let found = state
        .db(move |conn| applications::view(conn, applicant))
        .await?;
    Ok(web::Json(found))
}

/// The application, to resume it: answers, progress and the form.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    responses(
        (status = 200, description = "The application", body = PublicApplication),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/public/applications/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
) -> Result<web::Json<PublicApplication>, ApiError> {
    applicant.open(path.into_inner())?;
    current(&state, applicant).await
}

/// Saves answers as they are typed (partial answers are fine), the step reached and the
/// applicant's contact details. Types and limits are checked on every save; unknown
/// fields, and fields the applicant may not set, are refused.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    request_body = ApplicationUpdate,
    responses(
        (status = 200, description = "Saved", body = PublicApplication),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already submitted or closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid answers, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/public/applications/{id}")]
pub async fn save(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
    body: JsonBytes,
) -> Result<web::Json<PublicApplication>, ApiError> {
    applicant.open(path.into_inner())?;
    let update: ApplicationUpdate = body.parse()?;
    state
        .db(move |conn| applications::save(conn, applicant, &update, None))
        .await?;
    current(&state, applicant).await
}

/// Submits the application. Every required answer missing is named at once; a
/// submitted application can no longer be changed by the applicant.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    responses(
        (status = 200, description = "Submitted", body = PublicApplication),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already submitted or closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required answers missing, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/applications/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
) -> Result<web::Json<PublicApplication>, ApiError> {
    applicant.open(path.into_inner())?;
    let cipher = state.keys.cipher.clone();
    state
        .db(move |conn| applications::submit(conn, applicant, None, None, &cipher))
        .await?;
    current(&state, applicant).await
}

/// Uploads files with the application: `multipart/form-data`, parts `file` (PDF, JPEG,
/// PNG or HEIC, told by content; 20 MB in all by default). While the application is in
/// progress only; a refused upload stores nothing.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    request_body(content = String, content_type = "multipart/form-data",
        description = "Parts `file`, one or more"),
    responses(
        (status = 201, description = "Added", body = PublicApplication),
        (status = 400, description = "The body cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already submitted or closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The files are too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, or a file of a type not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/applications/{id}/documents")]
pub async fn upload(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    applicant.open(path.into_inner())?;
    state
        .db(move |conn| applications::check_open(conn, applicant))
        .await?;
    let form = read_form(&req, payload, state.config.upload_limit, &[]).await?;
    if form.files.is_empty() {
        return Err(ApiError::invalid("file", "is required"));
    }
    let store = state.documents.clone();
    let uploads = form.files;
    let stored = web::block(move || files::store_all(store.as_ref(), &uploads))
        .await
        .map_err(ApiError::internal)??;
    let store = state.documents.clone();
    state
        .db(move |conn| {
            let added = applications::add_documents(conn, applicant, &stored);
            if added.is_err() {
                files::discard(store.as_ref(), &stored);
            }
            added
        })
        .await?;
    let found = state
        .db(move |conn| applications::view(conn, applicant))
        .await?;
    Ok(HttpResponse::Created().json(found))
}

/// Mails the applicant a link to continue the application in any browser. The link
/// carries a new token of the application in its fragment, which browsers never send to
/// a server. The applicant must have given an email address.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    responses(
        (status = 204, description = "The mail is on its way"),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted or closed, or no email address given", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/applications/{id}/resume-link")]
pub async fn resume_link(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    applicant.open(path.into_inner())?;
    let (institution_slug, item_slug) = state
        .db(move |conn| applications::slugs(conn, applicant))
        .await?;
    let token = issue_applicant(
        &state.keys.jwt,
        &state.config.issuer,
        applicant.lead_id,
        applicant.institution_id,
        state.config.applicant_token_ttl,
    )
    .map_err(ApiError::internal)?;
    let link = format!(
        "{}/apply/{institution_slug}/{item_slug}#resume={}.{token}",
        crate::routes::requests::link_base(&state, &req),
        applicant.lead_id
    );
    let cipher = state.keys.cipher.clone();
    state
        .db(move |conn| applicant_mail::resume_link(conn, applicant, &link, &cipher))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Records the applicant's consent to a credit pull and the disclosures they accepted,
/// with the time and the address they sent it from. A product's application is
/// submitted only after the credit-pull consent.
#[utoipa::path(
    tag = "applicant",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    request_body = Consent,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token of this application", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the application the token opens", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted or closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/applications/{id}/consent")]
pub async fn consent(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    applicant.open(path.into_inner())?;
    let given: Consent = body.parse()?;
    let address =
        crate::client_address::of(&req, &state.config.trusted_proxies).map(|a| a.to_string());
    state
        .db(move |conn| applications::consent(conn, applicant, &given, address, None))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
