//! The `Applicant` extractor: a verified applicant token, which opens one lead only.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::auth::staff::bearer;
use crate::auth::tokens::verify_applicant;
use crate::errors::ApiError;
use crate::state::AppState;

/// The applicant of a request, and the one lead their token opens.
#[derive(Debug, Clone, Copy)]
pub struct Applicant {
    pub lead_id: i64,
    pub institution_id: i64,
}

impl Applicant {
    /// Refuses, as if it did not exist, any lead but the token's own.
    pub fn open(&self, lead_id: i64) -> Result<(), ApiError> {
        if lead_id == self.lead_id {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }
}

impl FromRequest for Applicant {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify(req))
    }
}

/// The application token of a request that may come without one: `None` when no
/// `Authorization` header is sent, refused when one is sent that does not verify.
pub fn optional(req: &HttpRequest) -> Result<Option<Applicant>, ApiError> {
    if req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
    {
        verify(req).map(Some)
    } else {
        Ok(None)
    }
}

fn verify(req: &HttpRequest) -> Result<Applicant, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;
    let token = bearer(req).ok_or(ApiError::Unauthorized(
        "Send the application's token as Bearer.",
    ))?;
    let claims = verify_applicant(&state.keys.jwt, &state.config.issuer, token).ok_or(
        ApiError::Unauthorized("The application's token is invalid or has expired."),
    )?;
    let lead_id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::Unauthorized("The application's token is invalid."))?;
    Ok(Applicant {
        lead_id,
        institution_id: claims.inst,
    })
}
