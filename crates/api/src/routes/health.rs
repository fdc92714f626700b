//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use leads_domain::wire::Health;
use leads_persistence::StoreError;

use crate::errors::ApiError;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database cannot be reached",
         body = leads_domain::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| ApiError::from(StoreError::Unavailable(e.to_string())))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
    }))
}
