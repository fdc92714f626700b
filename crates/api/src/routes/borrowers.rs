//! The registered borrower: asking for an account and confirming it, signing in with a
//! password or through online banking, and the applicant portal's own routes.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use leads_domain::wire::{
    ApplicationStarted, Borrower as BorrowerView, BorrowerApplication, BorrowerRequest,
    BorrowerSession, BorrowerSignIn, Confirmation, OnlineBankingSignIn, PasswordChange,
    PasswordReset, Registration, ResetRequest,
};
use leads_domain::{Email, LeadId, Problem};
use leads_persistence::{accounts as stored, institutions, StoreError};

use crate::auth::applicant;
use crate::auth::banking;
use crate::auth::borrower::{Borrower, Via};
use crate::auth::password;
use crate::auth::tokens::{issue_applicant, issue_borrower};
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::routes::requests::answer_request;
use crate::services::accounts::{self, Mailing};
use crate::services::applications::named;
use crate::services::borrowers;
use crate::services::requests::Opener;
use crate::state::AppState;

/// How long a borrower stays signed in.
const SESSION_SECONDS: u64 = 8 * 3600;
const WRONG_CREDENTIALS: &str = "The email or password is wrong.";
use leads_persistence::users::LOCK_MINUTES;

fn session(
    state: &AppState,
    member: &leads_persistence::members::MemberRow,
    slug: String,
    name: String,
    via: Via,
) -> Result<HttpResponse, ApiError> {
    let token = issue_borrower(
        &state.keys.jwt,
        &state.config.issuer,
        member.id,
        member.institution_id,
        via.as_str(),
        std::time::Duration::from_secs(SESSION_SECONDS),
    )
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(BorrowerSession {
            token,
            expires_in: SESSION_SECONDS as i64,
            borrower: accounts::view(member, slug, name, via),
        }))
}

/// Asks for an applicant-portal account: a link to confirm it is mailed to the email.
/// Sent with an application's token, that application moves to the account's member
/// once confirmed, and staff see it among registered leads. The answer is 202 whether
/// or not the email already has an account (which is then mailed a reminder instead).
#[utoipa::path(
    tag = "applicant portal",
    request_body = Registration,
    responses(
        (status = 202, description = "The confirmation link is on its way"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "An application token was sent that does not verify", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each field named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/accounts")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: Registration = body.parse()?;
    let from_lead = applicant::optional(&req)?;
    let checked = accounts::check(body)?;
    let address = crate::client_address::of(&req, &state.config.trusted_proxies);
    if let Some(address) = address {
        state.starts.admit(address).map_err(ApiError::TooMany)?;
    }
    let secret = checked.password.clone();
    let hash = web::block(move || password::hash(&secret))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let base = own_base(&state, &req);
    let cipher = state.keys.cipher.clone();
    state
        .db(move |conn| {
            let mailing = Mailing {
                base: &base,
                cipher: &cipher,
            };
            accounts::register(conn, &checked, &hash, from_lead, &mailing)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Where links in mail to people who are not yet known lead: the configured public
/// address, or else the server's own. Never a `Host` a stranger sent, which could point
/// the link at another site.
fn own_base(state: &AppState, req: &HttpRequest) -> String {
    match &state.config.public_url {
        Some(url) => url.clone(),
        None => format!("http://{}", req.app_config().local_addr()),
    }
}

/// Confirms an account with the mailed link's token and the account's password, and
/// signs the borrower in.
#[utoipa::path(
    tag = "applicant portal",
    request_body = Confirmation,
    responses(
        (status = 200, description = "Confirmed and signed in", body = BorrowerSession),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired, was used, or was replaced by a newer one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords: the account is locked for 15 minutes", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/accounts/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: Confirmation = body.parse()?;
    let token = body.token;
    let account = state
        .db(move |conn| accounts::awaiting(conn, &token))
        .await?;
    let id = account.id;
    let allowed = state
        .db(move |conn| Ok(stored::begin_attempt(conn, id)?))
        .await?;
    if !allowed {
        return Err(ApiError::TooMany(LOCK_MINUTES as u64 * 60));
    }
    let stored_hash = account.password_hash.clone();
    let given = body.password;
    let matches = web::block(move || password::verify(&given, &stored_hash))
        .await
        .map_err(ApiError::internal)?;
    if !matches {
        return Err(ApiError::Unauthorized(
            "The password is not the one given when the account was asked for.",
        ));
    }
    let (member, institution) = state
        .db(move |conn| {
            let member = accounts::confirm(conn, &account)?;
            let institution = institutions::get(conn, member.institution_id)?;
            Ok((member, institution))
        })
        .await?;
    session(
        &state,
        &member,
        institution.slug,
        institution.name,
        Via::Password,
    )
}

/// Asks for a link to choose a new password. The answer is 202 whatever the email; the
/// link (valid an hour) is mailed only when the email has a confirmed account. Counts
/// against the same per-address limit as starting applications.
#[utoipa::path(
    tag = "applicant portal",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "A link is on its way if the email has an account"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such institution", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/accounts/password-reset")]
pub async fn ask_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: ResetRequest = body.parse()?;
    if let Some(address) = crate::client_address::of(&req, &state.config.trusted_proxies) {
        state.starts.admit(address).map_err(ApiError::TooMany)?;
    }
    let base = own_base(&state, &req);
    let cipher = state.keys.cipher.clone();
    // An address that cannot be an email has no account, and is never looked up.
    if let Ok(email) = Email::parse(&body.email) {
        state
            .db(move |conn| {
                let mailing = Mailing {
                    base: &base,
                    cipher: &cipher,
                };
                accounts::ask_reset(conn, &body.institution, email.as_str(), &mailing)
            })
            .await?;
    }
    Ok(HttpResponse::Accepted().finish())
}

/// Chooses a new password with the mailed link's token, and signs the borrower in. The
/// link works once; a lock from wrong passwords ends.
#[utoipa::path(
    tag = "applicant portal",
    request_body = PasswordReset,
    responses(
        (status = 200, description = "The new password is set; signed in", body = BorrowerSession),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired or was used", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is too short or too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/accounts/password-reset/confirm")]
pub async fn reset(state: web::Data<AppState>, body: JsonBytes) -> Result<HttpResponse, ApiError> {
    let body: PasswordReset = body.parse()?;
    password::check_strength(&body.password)
        .map_err(|reason| ApiError::invalid("password", reason))?;
    let token = body.token;
    let account = state
        .db(move |conn| accounts::resetting(conn, &token))
        .await?;
    let secret = body.password;
    let hash = web::block(move || password::hash(&secret))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let (member, institution) = state
        .db(move |conn| {
            let member = accounts::reset(conn, &account, &hash)?;
            let institution = institutions::get(conn, member.institution_id)?;
            Ok((member, institution))
        })
        .await?;
    session(
        &state,
        &member,
        institution.slug,
        institution.name,
        Via::Password,
    )
}

/// Signs a borrower in to the applicant portal with email and password. Ten attempts
/// in a row without a success lock the account for 15 minutes.
#[utoipa::path(
    tag = "applicant portal",
    request_body = BorrowerSignIn,
    responses(
        (status = 200, description = "Signed in", body = BorrowerSession),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or the account is locked", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/sessions")]
pub async fn sign_in(
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: BorrowerSignIn = body.parse()?;
    let email = Email::parse(&body.email).ok();
    let institution = body.institution.clone();
    let account = state
        .db(move |conn| match email {
            Some(email) => accounts::find_confirmed(conn, &institution, email.as_str()),
            None => Ok(None),
        })
        .await?;
    // Every attempt on an account is counted before its password is checked, so that
    // guesses sent together are held to the same limit as guesses sent in turn.
    let allowed = match &account {
        Some(found) => {
            let id = found.id;
            state
                .db(move |conn| Ok(stored::begin_attempt(conn, id)?))
                .await?
        }
        None => false,
    };
    let given = body.password;
    // One hash verification whatever the case, so that the time taken does not tell a
    // known email from an unknown or locked one.
    let verified = web::block(move || match account {
        Some(account) if allowed => {
            password::verify(&given, &account.password_hash).then_some(account)
        }
        _ => {
            password::verify(&given, password::decoy());
            None
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let Some(account) = verified else {
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
    };
    let (member, institution) = state
        .db(move |conn| {
            stored::record_sign_in(conn, account.id)?;
            let member_id = account.member_id.ok_or(StoreError::NotFound)?;
            let member = leads_persistence::members::get(conn, account.institution_id, member_id)?;
            let institution = institutions::get(conn, account.institution_id)?;
            Ok((member, institution))
        })
        .await?;
    session(
        &state,
        &member,
        institution.slug,
        institution.name,
        Via::Password,
    )
}

/// Online banking signs its member in: its server passes a JWT signed with the key the
/// institution configured. The borrower is registered, and what they start is prefilled
/// from the member record and has the channel `online_banking`.
#[utoipa::path(
    tag = "applicant portal",
    request_body = OnlineBankingSignIn,
    responses(
        (status = 200, description = "Signed in", body = BorrowerSession),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The assertion does not verify against the institution's key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A new member's email belongs to another member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such institution, none configured, or bad member details", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/online-banking/sessions")]
pub async fn online_banking(
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: OnlineBankingSignIn = body.parse()?;
    let slug = body.institution.clone();
    let (institution, key) = state
        .db(move |conn| {
            let institution = named(conn, &slug)?;
            let key = stored::banking_key(conn, institution.id)?.ok_or_else(|| {
                ApiError::invalid(
                    "institution",
                    "does not sign members in through online banking",
                )
            })?;
            Ok((institution, key))
        })
        .await?;
    let audience = format!("{}:{}", state.config.issuer, institution.slug);
    let handed = banking::verify(&key, &audience, &body.assertion)?;
    let institution_id = institution.id;
    let member = state
        .db(move |conn| accounts::handed_over(conn, institution_id, &handed))
        .await?;
    session(
        &state,
        &member,
        institution.slug,
        institution.name,
        Via::OnlineBanking,
    )
}

/// The signed-in borrower.
#[utoipa::path(
    tag = "applicant portal",
    responses(
        (status = 200, description = "The borrower", body = BorrowerView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/public/me")]
pub async fn me(
    state: web::Data<AppState>,
    borrower: Borrower,
) -> Result<web::Json<BorrowerView>, ApiError> {
    let found = state
        .db(move |conn| accounts::profile(conn, borrower))
        .await?;
    Ok(web::Json(found))
}

/// Changes the signed-in borrower's password: the current one must be given, and wrong
/// guesses count towards the same lock as signing in. A reset link still waiting stops
/// working, and the borrower is mailed that the password changed.
#[utoipa::path(
    tag = "applicant portal",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No password to change", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one too short or too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords: locked for a while", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    borrower: Borrower,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: PasswordChange = body.parse()?;
    password::check_strength(&body.new_password)
        .map_err(|reason| ApiError::invalid("new_password", reason))?;
    let account = state
        .db(move |conn| accounts::own_account(conn, borrower))
        .await?;
    let id = account.id;
    if !state
        .db(move |conn| Ok(stored::begin_attempt(conn, id)?))
        .await?
    {
        return Err(ApiError::TooMany(LOCK_MINUTES as u64 * 60));
    }
    let (given, new) = (body.current_password, body.new_password);
    let stored_hash = account.password_hash.clone();
    let hash = web::block(move || {
        if password::verify(&given, &stored_hash) {
            password::hash(&new).map(Some)
        } else {
            Ok(None)
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?
    .ok_or_else(|| ApiError::invalid("current_password", "is not your current password"))?;
    let base = own_base(&state, &req);
    let cipher = state.keys.cipher.clone();
    state
        .db(move |conn| {
            let mailing = Mailing {
                base: &base,
                cipher: &cipher,
            };
            accounts::change_password(conn, &account, &hash, &mailing)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The borrower's applications, newest first, with their status and how many requests
/// from staff wait for an answer.
#[utoipa::path(
    tag = "applicant portal",
    responses(
        (status = 200, description = "The applications", body = [BorrowerApplication]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/public/me/applications")]
pub async fn applications(
    state: web::Data<AppState>,
    borrower: Borrower,
) -> Result<web::Json<Vec<BorrowerApplication>>, ApiError> {
    let found = state
        .db(move |conn| borrowers::applications(conn, borrower))
        .await?;
    Ok(web::Json(found))
}

/// A token for one of the borrower's applications, to resume (or read) it through the
/// application's own routes.
#[utoipa::path(
    tag = "applicant portal",
    params(("id" = i64, Path, description = "The application's (lead's) id")),
    responses(
        (status = 200, description = "The application's token", body = ApplicationStarted),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of the borrower's applications", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/me/applications/{id}/token")]
pub async fn application_token(
    state: web::Data<AppState>,
    borrower: Borrower,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    state
        .db(move |conn| borrowers::own_lead(conn, borrower, id))
        .await?;
    let token = issue_applicant(
        &state.keys.jwt,
        &state.config.issuer,
        id,
        borrower.institution_id,
        std::time::Duration::from_secs(SESSION_SECONDS),
    )
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApplicationStarted {
            id: LeadId(id),
            token,
        }))
}

/// The requests from staff: those waiting for the borrower's answer, oldest first, then
/// those answered (with `answered_at`), the latest first. Requests on archived
/// applications and requests staff withdrew are left out.
#[utoipa::path(
    tag = "applicant portal",
    responses(
        (status = 200, description = "Open requests, then answered ones", body = [BorrowerRequest]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/public/me/requests")]
pub async fn requests(
    state: web::Data<AppState>,
    borrower: Borrower,
) -> Result<web::Json<Vec<BorrowerRequest>>, ApiError> {
    let found = state
        .db(move |conn| borrowers::requests(conn, borrower))
        .await?;
    Ok(web::Json(found))
}

/// Answers one of the borrower's requests: `multipart/form-data` with a part `answer`
/// (text) and parts `file`, as through a mailed link.
#[utoipa::path(
    tag = "applicant portal",
    params(("id" = i64, Path, description = "The request's id")),
    request_body(content = String, content_type = "multipart/form-data",
        description = "Part `answer` (text) and parts `file`"),
    responses(
        (status = 204, description = "Answered"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a request of the borrower's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already answered", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The application is closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The files are too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No answer, or a file of a type not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/public/me/requests/{id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    borrower: Borrower,
    path: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let opener = Opener::Borrower(borrower, path.into_inner());
    answer_request(&state, opener, &req, payload).await
}
