//! The leads table, a lead's detail, and leads started by staff for a borrower.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use leads_domain::lead_query::{LeadFilter, LeadQuery};
use leads_domain::wire::{LeadDetail, LeadPage, NewLead};
use leads_domain::{CatalogKind, Permission, Problem};
use leads_persistence::leads::{self, ListLeads};
use leads_persistence::{activities, catalog, documents, products, requests, DbConnection};
use sha2::{Digest, Sha256};

use crate::auth::Staff;
use crate::errors::ApiError;
use crate::extract::{JsonBytes, QueryParams};
use crate::keys::Cipher;
use crate::services::new_lead;
use crate::state::AppState;
use crate::views::{self, Lookups};

/// The leads table: filtered, sorted, and paged by cursor.
///
/// Leads of unregistered borrowers are hidden unless `borrower` asks for them, and
/// archived leads unless `archived` does. `total` is exact up to 10,000 matches; beyond,
/// it is 10,000 and `total_exact` is false.
#[utoipa::path(
    tag = "leads",
    params(LeadQuery),
    responses(
        (status = 200, description = "One page of leads", body = LeadPage),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/leads")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<LeadQuery>,
) -> Result<web::Json<LeadPage>, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let mut filter = query.parse().map_err(ApiError::Invalid)?;
    let cipher = state.keys.cipher.clone();
    let fingerprint = fingerprint(&filter);
    if let Some(sealed) = filter.cursor.take() {
        filter.cursor = Some(open_cursor(&cipher, &sealed, &fingerprint)?);
    }

    let page = state
        .db(move |conn| {
            let item_ids = item_ids(conn, staff.institution_id, &filter.items, filter.kind)?;
            let list = ListLeads {
                count: true,
                institution_id: staff.institution_id,
                filter: &filter,
                item_ids,
                me: staff.user_id,
            };
            let page = leads::list(conn, &list)?.map_err(|_| {
                ApiError::invalid(
                    "cursor",
                    "does not belong to this query; start again without it",
                )
            })?;
            let lookups = Lookups::load(conn, staff.institution_id, &page.rows, &[])?;
            let items = page
                .rows
                .iter()
                .map(|row| views::lead_summary(row, &lookups))
                .collect::<Result<Vec<_>, _>>()?;
            let seal = |inner: Option<String>| {
                inner
                    .map(|inner| cipher.seal(format!("{fingerprint}|{inner}").as_bytes()))
                    .transpose()
                    .map_err(ApiError::internal)
            };
            Ok(LeadPage {
                items,
                next_cursor: seal(page.next_cursor)?,
                prev_cursor: seal(page.prev_cursor)?,
                total: page.total,
                total_exact: page.total_exact,
            })
        })
        .await?;
    Ok(web::Json(page))
}

/// Cursors are sealed with the server's key, so that they say nothing of the rows they
/// point at (a name, an amount) and cannot be forged, and carry the filter they were
/// made for, so that a cursor of another filter is refused.
fn fingerprint(filter: &LeadFilter) -> String {
    let mut key = filter.clone();
    key.cursor = None;
    key.limit = 0;
    let digest = Sha256::digest(format!("{key:?}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn open_cursor(cipher: &Cipher, sealed: &str, fingerprint: &str) -> Result<String, ApiError> {
    let refused = || {
        ApiError::invalid(
            "cursor",
            "does not belong to this query; start again without it",
        )
    };
    let plain = cipher.open(sealed).ok_or_else(refused)?;
    let text = String::from_utf8(plain).map_err(|_| refused())?;
    match text.split_once('|') {
        Some((made_for, inner)) if made_for == fingerprint => Ok(inner.to_string()),
        _ => Err(refused()),
    }
}

/// The catalog item ids the `item` and `kind` filters allow; `None` when neither is set.
pub fn item_ids(
    conn: &mut DbConnection,
    institution_id: i64,
    slugs: &[String],
    kind: Option<CatalogKind>,
) -> Result<Option<Vec<i64>>, ApiError> {
    if slugs.is_empty() && kind.is_none() {
        return Ok(None);
    }
    let items = catalog::list(conn, institution_id)?;
    let unknown: Vec<&String> = slugs
        .iter()
        .filter(|slug| !items.iter().any(|item| &item.slug == *slug))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::invalid(
            "item",
            format!("no product or service is called {}", names.join(", ")),
        ));
    }
    Ok(Some(
        items
            .iter()
            .filter(|item| slugs.is_empty() || slugs.contains(&item.slug))
            .filter(|item| kind.is_none() || item.kind().ok() == kind)
            .map(|item| item.id)
            .collect(),
    ))
}

/// Everything a lead holds, with its timeline (newest first). The SSN is masked.
#[utoipa::path(
    tag = "leads",
    params(("id" = i64, Path, description = "The lead's id")),
    responses(
        (status = 200, description = "The lead", body = LeadDetail,
         headers(("ETag" = String, description = "The lead's version"))),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No lead with this id in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/leads/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let id = path.into_inner();
    let detail = state
        .db(move |conn| load_detail(conn, staff.institution_id, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(&detail)))
        .json(detail))
}

pub fn etag(detail: &LeadDetail) -> String {
    format!("\"{}\"", detail.version)
}

pub fn load_detail(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
) -> Result<LeadDetail, ApiError> {
    let row = leads::get(conn, institution_id, id)?;
    let timeline = activities::of_lead(conn, institution_id, id)?;
    let requests = requests::of_lead(conn, id)?;
    let documents = documents::of_lead(conn, id)?;
    let actors: Vec<i64> = timeline
        .iter()
        .filter_map(|a| a.actor_user_id)
        .chain(requests.iter().map(|r| r.created_by_user_id))
        .collect();
    let lookups = Lookups::load(conn, institution_id, std::slice::from_ref(&row), &actors)?;
    let product = products::of_lead(conn, institution_id, id)?;
    let record = views::LeadRecord {
        activities: &timeline,
        product: product.as_ref(),
        requests: &requests,
        documents: &documents,
    };
    Ok(views::lead_detail(&row, &lookups, &record)?)
}

/// Starts a lead on a borrower's behalf (channel `lender_proxy`).
///
/// The member is found by email within the institution, or created. With
/// `"authenticated": false` the applicant is a walk-in whose identity was not verified:
/// a new member stays unregistered and the lead is hidden from the default table.
#[utoipa::path(
    tag = "leads",
    request_body = NewLead,
    responses(
        (status = 201, description = "The lead was started", body = LeadDetail,
         headers(("Location" = String, description = "The new lead's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.proxy", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsProxy)?;
    let body: NewLead = body.parse()?;
    let checked = new_lead::check(&body).map_err(ApiError::Invalid)?;
    let cipher = state.keys.cipher.clone();
    let detail = state
        .db(move |conn| {
            let id = new_lead::create_for_staff(conn, &cipher, &staff, checked)?;
            load_detail(conn, staff.institution_id, id)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/leads/{}", detail.id)))
        .insert_header((header::ETAG, etag(&detail)))
        .json(detail))
}
