//! The `Borrower` extractor: a signed-in borrower, who reaches their own member's
//! applications and requests.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::auth::staff::bearer;
use crate::auth::tokens::verify_borrower;
use crate::errors::ApiError;
use crate::state::AppState;

/// How a borrower signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Password,
    OnlineBanking,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Password => "password",
            Via::OnlineBanking => "online_banking",
        }
    }
}

/// A signed-in borrower: the member they are, in their institution.
#[derive(Debug, Clone, Copy)]
pub struct Borrower {
    pub member_id: i64,
    pub institution_id: i64,
    pub via: Via,
}

impl FromRequest for Borrower {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify(req))
    }
}

/// The borrower of a request that may also come from an anonymous applicant: `None`
/// without an `Authorization` header, refused when one is sent that is not a borrower's.
pub fn optional(req: &HttpRequest) -> Result<Option<Borrower>, ApiError> {
    if req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
    {
        verify(req).map(Some)
    } else {
        Ok(None)
    }
}

fn verify(req: &HttpRequest) -> Result<Borrower, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;
    let token = bearer(req).ok_or(ApiError::Unauthorized("Sign in first."))?;
    let claims = verify_borrower(&state.keys.jwt, &state.config.issuer, token).ok_or(
        ApiError::Unauthorized("The sign-in has expired or is invalid; please sign in again."),
    )?;
    let member_id = claims
        .member_id()
        .ok_or(ApiError::Unauthorized("The sign-in token is invalid."))?;
    let via = match claims.via.as_str() {
        "online_banking" => Via::OnlineBanking,
        "password" => Via::Password,
        _ => return Err(ApiError::Unauthorized("The sign-in token is invalid.")),
    };
    Ok(Borrower {
        member_id,
        institution_id: claims.inst,
        via,
    })
}
