//! Staff sign-in, token renewal, and the signed-in user.

use actix_web::{get, post, web};
use leads_domain::wire::{Institution, LoginRequest, Me, RefreshRequest, StaffUser, TokenResponse};
use leads_domain::{Email, InstitutionId, Problem, UserId};
use leads_persistence::users::{self, Refresh, StaffUserRow};
use leads_persistence::{institutions, DbConnection, StoreError};

use crate::auth::{password, tokens, Staff};
use crate::errors::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

const WRONG_CREDENTIALS: &str = "The email or password is wrong.";

/// Signs a staff user in with email and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    // An address that cannot be an email is looked up as no one, never sent to the
    // database as it is.
    let email = Email::parse(&body.email).ok();
    let user = state
        .db(move |conn| {
            let Some(email) = email else { return Ok(None) };
            match users::find_by_email(conn, email.as_str()) {
                Ok(user) => Ok(Some(user)),
                Err(StoreError::NotFound) => Ok(None),
                Err(other) => Err(other.into()),
            }
        })
        .await?;

    // Every attempt on a known account is counted before its password is checked, so
    // that guesses sent together are held to the same limit as guesses sent in turn.
    let allowed = match &user {
        Some(found) if found.active => {
            let id = found.id;
            state
                .db(move |conn| Ok(users::begin_attempt(conn, id)?))
                .await?
        }
        _ => false,
    };
    let password = body.password;
    // Exactly one hash verification whatever the case, so that the time taken does not
    // tell a known email from an unknown or locked one.
    let verified = web::block(move || {
        let Some(user) = user else {
            password::verify(&password, password::decoy());
            return Err(None);
        };
        if !allowed {
            password::verify(&password, password::decoy());
            // Refused unchecked: locked, or no longer active.
            return Err(Some((user.id, user.institution_id, user.active)));
        }
        if password::verify(&password, &user.password_hash) {
            Ok(user)
        } else {
            Err(Some((user.id, user.institution_id, false)))
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let user = match verified {
        Ok(user) => user,
        Err(known) => {
            if let Some((user_id, institution_id, locked)) = known {
                state
                    .db(move |conn| {
                        crate::services::activity::audit(
                            conn,
                            institution_id,
                            Some(user_id),
                            "staff.sign_in_failed",
                            serde_json::json!({ "locked": locked }),
                        )?;
                        Ok(())
                    })
                    .await?;
                tracing::warn!(
                    user.id = user_id,
                    account.locked = locked,
                    "failed staff sign-in"
                );
            } else {
                tracing::warn!("failed staff sign-in for an unknown email");
            }
            return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
        }
    };

    let issuer = state.clone();
    let response = state
        .db(move |conn| {
            users::record_sign_in(conn, user.id)?;
            crate::services::activity::audit(
                conn,
                user.institution_id,
                Some(user.id),
                "staff.signed_in",
                serde_json::json!({}),
            )?;
            issue_tokens(&issuer, conn, &user)
        })
        .await?;
    tracing::info!(user.id = response.0, "staff signed in");
    Ok(web::Json(response.1))
}

/// Exchanges a refresh token for new tokens. Each refresh token works once.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "Renewed", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used or expired refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let hash = tokens::hash_refresh_token(body.refresh_token.trim());
    let issuer = state.clone();
    let issued = state
        .db(
            move |conn| match users::consume_refresh_token(conn, &hash)? {
                Refresh::Valid(user) if user.active => {
                    Ok(Some(issue_tokens(&issuer, conn, &user)?))
                }
                Refresh::Valid(_) | Refresh::Unknown => Ok(None),
                Refresh::Reused(user_id) => {
                    tracing::warn!(
                        user.id = user_id,
                        "a used refresh token came back; signed the user out"
                    );
                    Ok(None)
                }
            },
        )
        .await?;
    let (_, response) = issued.ok_or(ApiError::Unauthorized("The refresh token is not valid."))?;
    Ok(web::Json(response))
}

/// Signs out: the refresh token stops working. Unknown and used tokens are accepted
/// too, so that signing out twice is harmless.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let hash = tokens::hash_refresh_token(body.refresh_token.trim());
    state
        .db(move |conn| Ok(users::retire_refresh_token(conn, &hash)?))
        .await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}

fn issue_tokens(
    state: &AppState,
    conn: &mut DbConnection,
    user: &StaffUserRow,
) -> Result<(i64, TokenResponse), ApiError> {
    let ttl = state.config.access_token_ttl;
    let access_token = tokens::issue_staff(
        &state.keys.jwt,
        &state.config.issuer,
        user.id,
        user.institution_id,
        ttl,
    )
    .map_err(ApiError::internal)?;
    let (refresh_token, hash) = tokens::new_refresh_token();
    let expires_at = leads_persistence::time::now()
        + chrono::Duration::seconds(state.config.refresh_token_ttl.as_secs() as i64);
    users::store_refresh_token(conn, user, &hash, expires_at)?;
    Ok((
        user.id,
        TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: ttl.as_secs() as i64,
            refresh_token,
        },
    ))
}

/// The signed-in staff user, their institution and their effective permissions.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, staff: Staff) -> Result<web::Json<Me>, ApiError> {
    let me = state
        .db(move |conn| {
            let user =
                users::get(conn, staff.institution_id, staff.user_id).map_err(|e| match e {
                    StoreError::NotFound => ApiError::Unauthorized("The user no longer exists."),
                    other => other.into(),
                })?;
            let institution = institutions::get(conn, user.institution_id)?;
            Ok(Me {
                role: users::role_name(conn, user.role_id)?,
                permissions: users::permissions(conn, user.role_id)?,
                user: StaffUser {
                    id: UserId(user.id),
                    email: user.email,
                    name: user.name,
                },
                institution: Institution {
                    id: InstitutionId(institution.id),
                    slug: institution.slug,
                    name: institution.name,
                },
            })
        })
        .await?;
    Ok(web::Json(me))
}

/// The institution's active staff who may work leads, by name: who a lead can be
/// assigned to.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Active staff users", body = Vec<StaffUser>),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn staff_list(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<web::Json<Vec<StaffUser>>, ApiError> {
    staff.require(leads_domain::Permission::LeadsRead)?;
    let found = state
        .db(move |conn| {
            let mut workers = Vec::new();
            let mut roles: std::collections::HashMap<i64, bool> = Default::default();
            for (id, email, name, role_id) in users::active(conn, staff.institution_id)? {
                let works = match roles.get(&role_id) {
                    Some(works) => *works,
                    None => {
                        let works = users::permissions(conn, role_id)?
                            .contains(&leads_domain::Permission::LeadsWork);
                        roles.insert(role_id, works);
                        works
                    }
                };
                if works {
                    workers.push((id, email, name));
                }
            }
            Ok(workers)
        })
        .await?;
    Ok(web::Json(
        found
            .into_iter()
            .map(|(id, email, name)| StaffUser {
                id: UserId(id),
                email,
                name,
            })
            .collect(),
    ))
}
