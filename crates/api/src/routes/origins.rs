//! Which web sites may embed the institution's application pages.

use actix_web::{get, put, web};
use leads_domain::wire::EmbedOrigins;
use leads_domain::{FieldError, Permission, Problem};
use leads_persistence::origins;
use serde_json::json;

use crate::auth::staff::Staff;
use crate::embed::web_origin;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::services::activity;
use crate::state::AppState;

/// Most origins one institution allows.
const MAX_ORIGINS: usize = 20;

/// The origins allowed to embed the institution's application pages. Needs
/// `integrations.manage`.
#[utoipa::path(
    tag = "embedding",
    responses(
        (status = 200, description = "The allowed origins", body = EmbedOrigins),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks integrations.manage", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/embed-origins")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<web::Json<EmbedOrigins>, ApiError> {
    staff.require(Permission::IntegrationsManage)?;
    let found = state
        .db(move |conn| Ok(origins::of_institution(conn, staff.institution_id)?))
        .await?;
    Ok(web::Json(EmbedOrigins { origins: found }))
}

/// Replaces the origins allowed to embed the institution's application pages (in a
/// frame, through `widget.js`) and to call the public API from a browser. Needs
/// `integrations.manage`; the change is on the audit trail.
#[utoipa::path(
    tag = "embedding",
    request_body = EmbedOrigins,
    responses(
        (status = 200, description = "The allowed origins now", body = EmbedOrigins),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks integrations.manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An origin that is not one, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/embed-origins")]
pub async fn replace(
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBytes,
) -> Result<web::Json<EmbedOrigins>, ApiError> {
    staff.require(Permission::IntegrationsManage)?;
    let body: EmbedOrigins = body.parse()?;
    let mut errors = Vec::new();
    if body.origins.len() > MAX_ORIGINS {
        errors.push(FieldError::new("origins", format!("at most {MAX_ORIGINS}")));
    }
    let mut checked = Vec::new();
    for (index, raw) in body.origins.iter().enumerate() {
        match web_origin(raw) {
            Ok(origin) if !checked.contains(&origin) => checked.push(origin),
            Ok(_) => {}
            Err(reason) => errors.push(FieldError::new(format!("origins[{index}]"), reason)),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    checked.sort();
    let saved = state
        .db(move |conn| {
            conn.write(|conn| {
                let before = origins::of_institution(conn, staff.institution_id)?;
                if before == checked {
                    return Ok(checked);
                }
                origins::replace(conn, staff.institution_id, &checked)?;
                activity::audit(
                    conn,
                    staff.institution_id,
                    Some(staff.user_id),
                    "embed_origins.changed",
                    json!({ "before": before, "after": checked }),
                )?;
                Ok::<_, ApiError>(checked)
            })
        })
        .await?;
    Ok(web::Json(EmbedOrigins { origins: saved }))
}
