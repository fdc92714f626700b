//! The key the institution's online banking signs its members' hand-overs with.

use actix_web::{get, put, web};
use leads_domain::wire::BankingKey;
use leads_domain::{FieldError, Permission, Problem};
use leads_persistence::accounts;
use serde_json::json;

use crate::auth::banking::decoding_key;
use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::services::activity;
use crate::state::AppState;

/// The online-banking key configured, if any. Needs `integrations.manage`.
#[utoipa::path(
    tag = "embedding",
    responses(
        (status = 200, description = "The key", body = BankingKey),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks integrations.manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No key is configured", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/online-banking-key")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<web::Json<BankingKey>, ApiError> {
    staff.require(Permission::IntegrationsManage)?;
    let row = state
        .db(move |conn| {
            accounts::banking_key(conn, staff.institution_id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(BankingKey {
        algorithm: row.algorithm,
        public_key: row.public_key,
        issuer: row.issuer,
    }))
}

/// Sets the public key (RS256 or ES256, PEM) and issuer of the institution's online
/// banking, which then signs members in through `POST /public/online-banking/sessions`.
/// Needs `integrations.manage`; the change is on the audit trail.
#[utoipa::path(
    tag = "embedding",
    request_body = BankingKey,
    responses(
        (status = 200, description = "The key now", body = BankingKey),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks integrations.manage", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a key of the algorithm, or no issuer", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/online-banking-key")]
pub async fn set(
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBytes,
) -> Result<web::Json<BankingKey>, ApiError> {
    staff.require(Permission::IntegrationsManage)?;
    let body: BankingKey = body.parse()?;
    let mut errors = Vec::new();
    match body.algorithm.as_str() {
        "RS256" | "ES256" => {
            if let Err(reason) = decoding_key(&body.algorithm, &body.public_key) {
                errors.push(FieldError::new("public_key", reason));
            }
        }
        _ => errors.push(FieldError::new("algorithm", "must be RS256 or ES256")),
    }
    let issuer = body.issuer.trim().to_string();
    if issuer.is_empty() || issuer.len() > 200 || issuer.chars().any(char::is_control) {
        errors.push(FieldError::new("issuer", "must be 1 to 200 characters"));
    }
    if body.public_key.len() > 16 * 1024 {
        errors.push(FieldError::new("public_key", "must be at most 16 KB"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let saved = state
        .db(move |conn| {
            conn.write(|conn| {
                let row = accounts::set_banking_key(
                    conn,
                    staff.institution_id,
                    &body.algorithm,
                    body.public_key.trim(),
                    &issuer,
                )?;
                activity::audit(
                    conn,
                    staff.institution_id,
                    Some(staff.user_id),
                    "online_banking_key.changed",
                    json!({ "after": { "algorithm": row.algorithm, "issuer": row.issuer } }),
                )?;
                Ok::<_, ApiError>(row)
            })
        })
        .await?;
    Ok(web::Json(BankingKey {
        algorithm: saved.algorithm,
        public_key: saved.public_key,
        issuer: saved.issuer,
    }))
}
