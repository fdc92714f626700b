//! Requests to the applicant and the documents of a lead.
//!
//! Staff make a request with `POST /leads/{id}/requests`; the applicant answers through
//! the link mailed to them, under `/public/requests/{token}`, with no account. The token
//! is the only credential there: it opens one request of one lead, until it expires or
//! the request is answered.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use leads_domain::wire::{LeadDetail, MakeRequest, PublicRequest};
use leads_domain::{Permission, Problem};
use leads_persistence::documents;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::routes::actions::{answer_detail, if_match};
use crate::routes::leads::load_detail;
use crate::services::documents as files;
use crate::services::requests::{self, Link, Opener};
use crate::state::AppState;
use crate::upload::read_form;

/// The address links in mail lead to: the configured public address; else the `Host`
/// this request was sent to, if it is a plain host name or address (forwarding headers
/// are not trusted); else the address the request arrived at.
pub(crate) fn link_base(state: &AppState, req: &HttpRequest) -> String {
    if let Some(url) = &state.config.public_url {
        return url.clone();
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| plain_host(h));
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{}", req.app_config().local_addr()),
    }
}

/// A host name or IP address with an optional port, and nothing else.
fn plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// Asks the applicant for information or a document. The applicant is mailed a link,
/// valid for 72 hours by default, to a page where they answer and upload without an
/// account. The lead then counts as waiting on the applicant until it is answered.
#[utoipa::path(
    tag = "lead actions",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the request is based on"),
    ),
    request_body = MakeRequest,
    responses(
        (status = 201, description = "Requested; the mail is on its way", body = LeadDetail),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lead is archived, or the applicant has no email address", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The lead changed since the ETag given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/requests")]
pub async fn make(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let if_match = if_match(&req)?;
    let body: MakeRequest = body.parse()?;
    let asked = requests::check(&body)?;
    let base = link_base(&state, &req);
    let ttl = state.config.request_link_ttl;
    let cipher = state.keys.cipher.clone();
    let id = path.into_inner();
    let detail = state
        .db(move |conn| {
            let link = Link {
                base: &base,
                ttl,
                cipher: &cipher,
            };
            requests::make(conn, &staff, id, if_match, &asked, &link)?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Created(), detail))
}

/// What a request link opens: who asks, what for, and whether it is still open.
#[utoipa::path(
    tag = "applicant",
    params(("token" = String, Path, description = "The token of the link mailed to the applicant")),
    responses(
        (status = 200, description = "The request", body = PublicRequest),
        (status = 404, description = "No request has this link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/requests/{token}")]
pub async fn public_get(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let request = state
        .db(move |conn| requests::public_view(conn, &token))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(request))
}

/// Answers a request: `multipart/form-data` with a text part `answer` and any number of
/// parts `file` (PDF, JPEG, PNG or HEIC, 20 MB in all by default). A request is answered
/// once; a refused answer stores nothing.
#[utoipa::path(
    tag = "applicant",
    params(("token" = String, Path, description = "The token of the link mailed to the applicant")),
    request_body(content = String, content_type = "multipart/form-data",
        description = "Parts: `answer` (text) and `file` (zero or more files)"),
    responses(
        (status = 204, description = "Answered"),
        (status = 400, description = "The body cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request has this link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired, or the application is closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The files are too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No answer, or a file of a type not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/requests/{token}/answer")]
pub async fn public_answer(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    answer_request(&state, Opener::Link(path.into_inner()), &req, payload).await
}

/// Reads, stores and records an answer to the request `opener` opens.
pub(crate) async fn answer_request(
    state: &AppState,
    opener: Opener,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let checked = opener.clone();
    state
        .db(move |conn| requests::check_open(conn, &checked))
        .await?;
    let form = read_form(req, payload, state.config.upload_limit, &["answer"]).await?;
    let text = form.texts.get("answer").map_or("", String::as_str);
    let text = requests::check_answer(text, form.files.len())?;
    let store = state.documents.clone();
    let uploads = form.files;
    let stored = web::block(move || files::store_all(store.as_ref(), &uploads))
        .await
        .map_err(ApiError::internal)??;
    let store = state.documents.clone();
    state
        .db(move |conn| {
            let answered = requests::answer(conn, &opener, &text, &stored);
            if answered.is_err() {
                files::discard(store.as_ref(), &stored);
            }
            answered
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds documents to a lead: `multipart/form-data` with parts `file` (PDF, JPEG, PNG or
/// HEIC; 20 MB in all by default). A refused upload stores nothing.
#[utoipa::path(
    tag = "lead actions",
    params(("id" = i64, Path, description = "The lead's id")),
    request_body(content = String, content_type = "multipart/form-data",
        description = "Parts `file`, one or more"),
    responses(
        (status = 201, description = "Added", body = LeadDetail),
        (status = 400, description = "The body cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such lead in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lead is archived", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The files are too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, or a file of a type not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/{id}/documents")]
pub async fn upload(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let id = path.into_inner();
    let checked = staff.clone();
    state
        .db(move |conn| requests::check_open_lead(conn, &checked, id))
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
    let detail = state
        .db(move |conn| {
            let added = requests::add_staff_documents(conn, &staff, id, &stored);
            if added.is_err() {
                files::discard(store.as_ref(), &stored);
            }
            added?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(answer_detail(HttpResponse::Created(), detail))
}

/// Downloads a document of a lead, always as an attachment.
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = i64, Path, description = "The lead's id"),
        ("document_id" = i64, Path, description = "The document's id"),
    ),
    responses(
        (status = 200, description = "The file, as it was uploaded", content_type = "application/octet-stream"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document of a lead of the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/leads/{id}/documents/{document_id}")]
pub async fn download(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let (lead_id, id) = path.into_inner();
    let row = state
        .db(move |conn| Ok(documents::get(conn, staff.institution_id, lead_id, id)?))
        .await?;
    let store = state.documents.clone();
    let key = row.storage_key.clone();
    let bytes = web::block(move || store.get(&key))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::storage::attachment(&row.file_name),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(bytes))
}
