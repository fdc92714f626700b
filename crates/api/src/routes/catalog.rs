//! The institution's products and services.

use actix_web::{get, put, web};
use leads_domain::form_definition;
use leads_domain::wire::{CatalogItem, FormChange};
use leads_domain::{FieldError, Permission, Problem};
use leads_persistence::catalog;
use serde_json::json;

use crate::auth::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::services::activity;
use crate::state::AppState;
use crate::views;

/// Lists the institution's products and services in display order.
#[utoipa::path(
    tag = "catalog",
    responses(
        (status = 200, description = "The catalog", body = Vec<CatalogItem>),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/catalog")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<web::Json<Vec<CatalogItem>>, ApiError> {
    let items = state
        .db(move |conn| {
            let rows = catalog::list(conn, staff.institution_id)?;
            Ok(rows
                .iter()
                .map(views::catalog_item)
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(web::Json(items))
}

/// One product or service of the institution, with its form.
#[utoipa::path(
    tag = "catalog",
    params(("id" = i64, Path, description = "The catalog item's id")),
    responses(
        (status = 200, description = "The catalog item", body = CatalogItem),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/catalog/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<web::Json<CatalogItem>, ApiError> {
    let id = path.into_inner();
    let item = state
        .db(move |conn| {
            let row = catalog::get(conn, staff.institution_id, id)?;
            Ok(views::catalog_item(&row)?)
        })
        .await?;
    Ok(web::Json(item))
}

/// The largest form definition accepted, in bytes of JSON.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Replaces the form of a product or service. Needs `catalog.manage`. The form is
/// checked whole, and every fault named by where it is (`form.steps[0].fields[2].type`).
/// Applications already begun keep their answers: answers to fields the form no longer
/// asks stay on the lead, shown apart from the form's own. The change is on the audit
/// trail with the form before and after.
#[utoipa::path(
    tag = "catalog",
    params(("id" = i64, Path, description = "The catalog item's id")),
    request_body = FormChange,
    responses(
        (status = 200, description = "The item with its new form", body = CatalogItem),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks catalog.manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The form is not sound, each fault named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/catalog/{id}/form")]
pub async fn set_form(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
    body: JsonBytes,
) -> Result<web::Json<CatalogItem>, ApiError> {
    staff.require(Permission::CatalogManage)?;
    let body: FormChange = body.parse()?;
    let problems = form_definition::check(&body.form);
    if !problems.is_empty() {
        return Err(ApiError::Invalid(
            problems
                .into_iter()
                .map(|(at, reason)| FieldError::new(at, reason))
                .collect(),
        ));
    }
    let text = body.form.to_string();
    if text.len() > MAX_FORM_BYTES {
        return Err(ApiError::invalid("form", "must be at most 256 KB"));
    }
    let id = path.into_inner();
    let item = state
        .db(move |conn| {
            conn.write(|conn| {
                let before = catalog::get(conn, staff.institution_id, id)?;
                let old: serde_json::Value = serde_json::from_str(&before.form)?;
                catalog::set_form(conn, staff.institution_id, id, &text)?;
                activity::audit(
                    conn,
                    staff.institution_id,
                    Some(staff.user_id),
                    "catalog.form_changed",
                    json!({ "item": id, "before": old, "after": body.form }),
                )?;
                let row = catalog::get(conn, staff.institution_id, id)?;
                Ok::<_, ApiError>(views::catalog_item(&row)?)
            })
        })
        .await?;
    Ok(web::Json(item))
}
