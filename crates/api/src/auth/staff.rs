//! The `Staff` extractor: a verified staff access token.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use leads_domain::Permission;

use crate::auth::tokens::verify_staff;
use crate::errors::ApiError;
use crate::state::AppState;

/// The signed-in staff user of a request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub institution_id: i64,
    pub permissions: Vec<Permission>,
}

impl Staff {
    /// Refuses with 403 unless the user holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(permission))
        }
    }
}

pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Staff, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;
    let token = bearer(req).ok_or(ApiError::Unauthorized(
        "Send a staff access token as Bearer.",
    ))?;
    let claims = verify_staff(&state.keys.jwt, &state.config.issuer, token).ok_or(
        ApiError::Unauthorized("The access token is invalid or has expired."),
    )?;
    let user_id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::Unauthorized("The access token is invalid or has expired."))?;
    Ok(Staff {
        user_id,
        institution_id: claims.inst,
        permissions: claims
            .perms
            .iter()
            .filter_map(|p| Permission::parse(p))
            .collect(),
    })
}
