//! The institution's products and services.

use actix_web::{get, web};
use leads_domain::wire::CatalogItem;
use leads_domain::Problem;
use leads_persistence::catalog;

use crate::auth::Staff;
use crate::errors::ApiError;
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
