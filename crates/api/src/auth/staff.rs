//! The `Staff` extractor: a verified staff access token.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use leads_domain::Permission;
use leads_persistence::{users, StoreError};

use crate::auth::tokens::{verify_staff, StaffClaims};
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
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = verify(req);
        Box::pin(async move {
            let (state, claims) = verified?;
            current_access(&state, claims).await
        })
    }
}

const EXPIRED: &str = "The access token is invalid or has expired.";

fn verify(req: &HttpRequest) -> Result<(web::Data<AppState>, StaffClaims), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;
    let token = bearer(req).ok_or(ApiError::Unauthorized(
        "Send a staff access token as Bearer.",
    ))?;
    let claims = verify_staff(&state.keys.jwt, &state.config.issuer, token)
        .ok_or(ApiError::Unauthorized(EXPIRED))?;
    Ok((state, claims))
}

/// The user's standing now, not when the token was issued: a deactivated user is
/// refused at once, and a changed role takes effect on the next request.
async fn current_access(state: &AppState, claims: StaffClaims) -> Result<Staff, ApiError> {
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| ApiError::Unauthorized(EXPIRED))?;
    let institution_id = claims.inst;
    state
        .db(move |conn| {
            let user = match users::get(conn, institution_id, user_id) {
                Ok(user) if user.active => user,
                Ok(_) | Err(StoreError::NotFound) => {
                    return Err(ApiError::Unauthorized("The account is no longer active."));
                }
                Err(other) => return Err(other.into()),
            };
            // A new password ends the sessions that began before it.
            let valid_after = user.sessions_valid_after.map(|at| at.and_utc().timestamp());
            if valid_after.is_some_and(|after| claims.iat < after) {
                return Err(ApiError::Unauthorized(EXPIRED));
            }
            Ok(Staff {
                user_id,
                institution_id,
                permissions: users::permissions(conn, user.role_id)?,
            })
        })
        .await
}
