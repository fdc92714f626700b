//! Saved views of the leads table: a user names the current filter and sort, and may
//! share it with the institution.

use actix_web::{delete, get, post, web, HttpResponse};
use leads_domain::lead_query::LeadQuery;
use leads_domain::text::clean_line;
use leads_domain::wire::{NewSavedView, SavedView, UserRef};
use leads_domain::{FieldError, Permission, Problem, UserId};
use leads_persistence::views::{self, NewView, ViewRow};
use leads_persistence::{users, StoreError};

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::state::AppState;

/// Most views one user keeps.
const MAX_VIEWS: usize = 100;

fn view(row: &ViewRow, names: &[(i64, String)], me: i64) -> SavedView {
    SavedView {
        id: row.id,
        name: row.name.clone(),
        query: row.query.clone(),
        shared: row.shared,
        owner: UserRef {
            id: UserId(row.owner_user_id),
            name: names
                .iter()
                .find(|(id, _)| *id == row.owner_user_id)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
        },
        mine: row.owner_user_id == me,
    }
}

/// The user's own views and those shared in the institution, by name.
#[utoipa::path(
    tag = "views",
    responses(
        (status = 200, description = "The views", body = [SavedView]),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/views")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<web::Json<Vec<SavedView>>, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let found = state
        .db(move |conn| {
            let rows = views::visible_to(conn, staff.institution_id, staff.user_id)?;
            let mut owners: Vec<i64> = rows.iter().map(|r| r.owner_user_id).collect();
            owners.sort_unstable();
            owners.dedup();
            let names = users::names(conn, staff.institution_id, &owners)?;
            Ok(rows
                .iter()
                .map(|r| view(r, &names, staff.user_id))
                .collect())
        })
        .await?;
    Ok(web::Json(found))
}

/// Checks a view's query the way the leads table reads it, and keeps it without a cursor.
fn check_query(raw: &str) -> Result<String, FieldError> {
    let raw = raw.trim().trim_start_matches('?');
    if raw.len() > 2000 {
        return Err(FieldError::new("query", "is too long"));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .filter(|(name, _)| name != "cursor")
        .collect();
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let query: LeadQuery = serde_urlencoded::from_str(&kept).map_err(|error| {
        FieldError::new(
            "query",
            format!("is not a query of the leads table: {error}"),
        )
    })?;
    query.parse().map_err(|errors| {
        let first = errors.first().map_or_else(
            || "is not a query of the leads table".to_string(),
            |e| format!("{}: {}", e.field, e.reason),
        );
        FieldError::new("query", first)
    })?;
    Ok(kept)
}

/// Saves a view for the user, shared with the institution when asked.
#[utoipa::path(
    tag = "views",
    request_body = NewSavedView,
    responses(
        (status = 201, description = "Saved", body = SavedView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user already has a view of this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/views")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let body: NewSavedView = body.parse()?;
    let mut errors = Vec::new();
    let name = clean_line(&body.name, 80)
        .map_err(|r| errors.push(FieldError::new("name", r)))
        .ok();
    let query = check_query(&body.query).map_err(|e| errors.push(e)).ok();
    let (Some(name), Some(query)) = (name, query) else {
        return Err(ApiError::Invalid(errors));
    };
    let saved = state
        .db(move |conn| {
            conn.write(|conn| {
                let mine = views::visible_to(conn, staff.institution_id, staff.user_id)?
                    .into_iter()
                    .filter(|v| v.owner_user_id == staff.user_id)
                    .count();
                if mine >= MAX_VIEWS {
                    return Err(ApiError::Conflict(format!(
                        "You already keep {MAX_VIEWS} views; remove one first."
                    )));
                }
                let row = views::insert(
                    conn,
                    &NewView {
                        institution_id: staff.institution_id,
                        owner_user_id: staff.user_id,
                        name,
                        query,
                        shared: body.shared,
                        created_at: leads_persistence::time::now(),
                    },
                )
                .map_err(|e| match e {
                    StoreError::Conflict(_) => {
                        ApiError::Conflict("You already have a view of this name.".into())
                    }
                    other => other.into(),
                })?;
                let names = users::names(conn, staff.institution_id, &[staff.user_id])?;
                Ok(view(&row, &names, staff.user_id))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(saved))
}

/// Removes one of the user's own views.
#[utoipa::path(
    tag = "views",
    params(("id" = i64, Path, description = "The view's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The user has no such view", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/views/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let id = path.into_inner();
    state
        .db(move |conn| {
            if views::delete_own(conn, staff.institution_id, staff.user_id, id)? {
                Ok(())
            } else {
                Err(ApiError::NotFound)
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
