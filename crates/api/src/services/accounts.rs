//! Registered borrowers: applicant-portal accounts (asked for, confirmed through a mailed
//! link, signed in to), and members handed over signed in by online banking.
//!
//! An account signs nobody in until the link mailed to its email is opened and the
//! account's password given again, so that neither a stranger who types someone's
//! email nor one who intercepts the link alone can take over that member's record.

use chrono::TimeDelta;
use leads_domain::text::person_name;
use leads_domain::wire::{Borrower as BorrowerView, PublicInstitution, Registration};
use leads_domain::{Email, FieldError, Phone};
use leads_persistence::accounts::{self, AccountRow, Unconfirmed};
use leads_persistence::members::{self, MemberRow, NewMember};
use leads_persistence::outbox::{self, NewMail};
use leads_persistence::time::now;
use leads_persistence::{institutions, leads, DbConnection, StoreError};
use serde_json::json;

use crate::auth::applicant::Applicant;
use crate::auth::borrower::{Borrower, Via};
use crate::auth::password;
use crate::errors::ApiError;
use crate::keys::Cipher;
use crate::services::activity::{self, ActorKind};
use crate::services::applications::named;
use crate::services::requests::new_token;

/// How long a confirmation link works.
const CONFIRM_HOURS: i64 = 24;

/// Where mailed links lead, and how the messages are sealed.
pub struct Mailing<'a> {
    /// The product's address as borrowers reach it, without a trailing `/`.
    pub base: &'a str,
    pub cipher: &'a Cipher,
}

/// A registration whose values passed their checks.
pub struct Checked {
    pub institution: String,
    pub email: Email,
    pub name: Option<String>,
    pub password: String,
}

/// Checks a registration's values, naming every one that is wrong.
pub fn check(body: Registration) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&body.email)
        .map_err(|reason| errors.push(FieldError::new("email", reason)))
        .ok();
    if let Err(reason) = password::check_strength(&body.password) {
        errors.push(FieldError::new("password", reason));
    }
    let name = match body.name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => person_name(raw)
            .map_err(|reason| errors.push(FieldError::new("name", reason)))
            .ok(),
    };
    match email {
        Some(email) if errors.is_empty() => Ok(Checked {
            institution: body.institution,
            email,
            name,
            password: body.password,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Records the request for an account and mails the confirmation link; or, when the
/// email already has an account, mails a reminder to sign in instead. The answer is the
/// same either way, so that it tells nobody whether an email has an account.
pub fn register(
    conn: &mut DbConnection,
    checked: &Checked,
    password_hash: &str,
    from_lead: Option<Applicant>,
    mailing: &Mailing<'_>,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let institution = named(conn, &checked.institution)?;
        let pending_lead_id = match from_lead {
            Some(applicant) if applicant.institution_id != institution.id => {
                return Err(ApiError::invalid(
                    "institution",
                    "is not the institution of the application",
                ))
            }
            Some(applicant) => {
                let lead = leads::get(conn, institution.id, applicant.lead_id)?;
                (!lead.registered).then_some(lead.id)
            }
            None => None,
        };
        let email = checked.email.as_str();
        let portal = format!("{}/applicant/{}", mailing.base, institution.slug);
        if let Some(found) = accounts::find(conn, institution.id, email)? {
            if found.verified_at.is_some() {
                let body = format!(
                    "Hello,\n\nSomeone asked for an account with {} for this email address. \
                     You already have one: sign in at\n{portal}\n\nIf it was not you, you \
                     can ignore this message.\n",
                    institution.name
                );
                return send(conn, institution.id, email, "Your account", &body, mailing);
            }
        }
        let (token, hash) = new_token();
        let expires_at = now() + TimeDelta::hours(CONFIRM_HOURS);
        accounts::save_unconfirmed(
            conn,
            &Unconfirmed {
                institution_id: institution.id,
                email,
                name: checked.name.as_deref(),
                password_hash,
                token_hash: &hash,
                expires_at,
                pending_lead_id,
            },
        )?;
        let body = format!(
            "Hello,\n\nConfirm your account with {} by opening this link and giving your \
             password again:\n{portal}/confirm#{token}\n\nThe link works for {CONFIRM_HOURS} \
             hours. If you did not ask for an account, you can ignore this message.\n",
            institution.name
        );
        send(
            conn,
            institution.id,
            email,
            "Confirm your account",
            &body,
            mailing,
        )
    })
}

fn send(
    conn: &mut DbConnection,
    institution_id: i64,
    to: &str,
    subject: &str,
    body: &str,
    mailing: &Mailing<'_>,
) -> Result<(), ApiError> {
    let sealed = mailing.cipher.encrypt(body).map_err(ApiError::internal)?;
    outbox::insert(
        conn,
        &NewMail::to(institution_id, None, to, subject, &sealed),
    )?;
    Ok(())
}

/// The unconfirmed account a confirmation link opens, while the link works.
pub fn awaiting(conn: &mut DbConnection, token: &str) -> Result<AccountRow, ApiError> {
    let hash = crate::storage::sha256_hex(token.as_bytes());
    let account = match accounts::by_token_hash(conn, &hash) {
        Ok(found) => found,
        Err(StoreError::NotFound) => {
            return Err(ApiError::Gone(
                "This link does not work (it may have been used already). Sign in, or ask \
                 for an account again."
                    .into(),
            ))
        }
        Err(other) => return Err(other.into()),
    };
    if account.verify_expires_at.is_none_or(|at| at < now()) {
        return Err(ApiError::Gone(
            "This link has expired. Please ask for an account again.".into(),
        ));
    }
    Ok(account)
}

/// Confirms the account: it becomes the login of the registered member with its email
/// (made when there is none), and the application it was asked for from moves to that
/// member. Answers the member.
pub fn confirm(conn: &mut DbConnection, account: &AccountRow) -> Result<MemberRow, ApiError> {
    conn.write(|conn| {
        let member =
            match members::find_by_email(conn, account.institution_id, &account.email, true)? {
                Some(found) => found,
                None => {
                    let mut new = NewMember::new(
                        account.institution_id,
                        account.name.clone(),
                        Some(account.email.clone()),
                    );
                    new.registered = true;
                    new.has_login = true;
                    members::insert(conn, new)?
                }
            };
        accounts::register_member(conn, member.id, true)?;
        if !accounts::confirm(conn, account, member.id, now())? {
            return Err(ApiError::Gone(
                "This link has been used, or the account was asked for again since. \
                 Please sign in, or use the newest link."
                    .into(),
            ));
        }
        accounts::record_sign_in(conn, account.id)?;
        if let Some(lead_id) = account.pending_lead_id {
            let lead = leads::get(conn, account.institution_id, lead_id)?;
            if !lead.registered {
                accounts::move_lead(conn, account.institution_id, lead_id, member.id, true)?;
                activity::record(
                    conn,
                    account.institution_id,
                    lead_id,
                    ActorKind::Applicant,
                    "applicant.registered",
                    json!({
                        "before": { "member": lead.member_id, "registered": false },
                        "after": { "member": member.id, "registered": true },
                    }),
                )?;
            }
        }
        Ok(members::get(conn, account.institution_id, member.id)?)
    })
}

/// The confirmed account with this email at the institution with this slug.
pub fn find_confirmed(
    conn: &mut DbConnection,
    institution: &str,
    email: &str,
) -> Result<Option<AccountRow>, ApiError> {
    let institution = match institutions::find_by_slug(conn, institution) {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    Ok(accounts::find(conn, institution.id, email)?.filter(|a| a.verified_at.is_some()))
}

/// What online banking says of its signed-in member, already checked.
pub struct Handed {
    /// The hand-over's own id, and when it expires: it signs in once.
    pub jti: String,
    pub expires_at: chrono::NaiveDateTime,
    pub member_number: String,
    pub name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

/// The member online banking signed in: the institution's registered member with that
/// number, or a new registered member with the details online banking gave. The
/// hand-over is spent first: a second use of it is refused.
pub fn handed_over(
    conn: &mut DbConnection,
    institution_id: i64,
    handed: &Handed,
) -> Result<MemberRow, ApiError> {
    // Outside the transaction below: a repeated id must not abort it.
    if !accounts::use_handover(conn, institution_id, &handed.jti, handed.expires_at)? {
        return Err(ApiError::Unauthorized(
            "Online banking's sign-in has been used already.",
        ));
    }
    conn.write(|conn| {
        let member = match members::find_by_number(conn, institution_id, &handed.member_number)? {
            // A number given to an applicant not yet identified is not the bank's, and
            // never makes them someone else.
            Some(found) if !found.registered => {
                return Err(ApiError::Conflict(
                    "This member number belongs to an applicant who is not a member here.".into(),
                ))
            }
            Some(found) => found,
            None => {
                let email = handed.email.as_ref().map(|e| e.as_str().to_string());
                if let Some(email) = &email {
                    if members::find_by_email(conn, institution_id, email, true)?.is_some() {
                        return Err(ApiError::Conflict(
                            "Another member already has this email address.".into(),
                        ));
                    }
                }
                let mut new = NewMember::new(institution_id, handed.name.clone(), email);
                new.member_number = handed.member_number.clone();
                new.phone = handed.phone.as_ref().map(|p| p.as_str().to_string());
                new.registered = true;
                members::insert(conn, new)?
            }
        };
        accounts::register_member(conn, member.id, false)?;
        Ok(members::get(conn, institution_id, member.id)?)
    })
}

/// The borrower as the applicant portal shows them.
pub fn profile(conn: &mut DbConnection, borrower: Borrower) -> Result<BorrowerView, ApiError> {
    let member = members::get(conn, borrower.institution_id, borrower.member_id)?;
    let institution = institutions::get(conn, borrower.institution_id)?;
    Ok(view(
        &member,
        institution.slug,
        institution.name,
        borrower.via,
    ))
}

pub fn view(member: &MemberRow, slug: String, name: String, via: Via) -> BorrowerView {
    BorrowerView {
        institution: PublicInstitution { slug, name },
        name: member.name.clone(),
        email: member.email.clone(),
        phone: member.phone.clone(),
        signed_in_via: via.as_str().into(),
    }
}

/// How long a password-reset link works.
const RESET_MINUTES: i64 = 60;

/// Mails a link to choose a new password, when the email has a confirmed account at the
/// institution; otherwise does nothing, so that the answer tells nobody which emails
/// have accounts.
pub fn ask_reset(
    conn: &mut DbConnection,
    institution: &str,
    email: &str,
    mailing: &Mailing<'_>,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let institution = named(conn, institution)?;
        let Some(account) =
            accounts::find(conn, institution.id, email)?.filter(|a| a.verified_at.is_some())
        else {
            return Ok(());
        };
        let (token, hash) = new_token();
        accounts::start_reset(
            conn,
            account.id,
            &hash,
            now() + TimeDelta::minutes(RESET_MINUTES),
        )?;
        let body = format!(
            "Hello,\n\nChoose a new password for your account with {} here:\n\
             {}/applicant/{}/reset#{token}\n\nThe link works for {RESET_MINUTES} minutes. If \
             you did not ask for it, you can ignore this message: your password stays as \
             it is.\n",
            institution.name, mailing.base, institution.slug
        );
        send(
            conn,
            institution.id,
            email,
            "Choose a new password",
            &body,
            mailing,
        )
    })
}

/// The account a password-reset link opens, while the link works.
pub fn resetting(conn: &mut DbConnection, token: &str) -> Result<AccountRow, ApiError> {
    let hash = crate::storage::sha256_hex(token.as_bytes());
    let gone = || {
        ApiError::Gone(
            "This link does not work any more (it may have been used or expired). Ask for \
             a new one."
                .into(),
        )
    };
    let account = match accounts::by_reset_hash(conn, &hash) {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(gone()),
        Err(other) => return Err(other.into()),
    };
    if account.reset_expires_at.is_none_or(|at| at < now()) {
        return Err(gone());
    }
    Ok(account)
}

/// Sets the new password through the link `account` was opened by, and answers the
/// account's member.
pub fn reset(
    conn: &mut DbConnection,
    account: &AccountRow,
    password_hash: &str,
) -> Result<MemberRow, ApiError> {
    conn.write(|conn| {
        if !accounts::finish_reset(conn, account, password_hash)? {
            return Err(ApiError::Gone(
                "This link has been used already. Sign in, or ask for a new one.".into(),
            ));
        }
        let member_id = account.member_id.ok_or(StoreError::NotFound)?;
        Ok(members::get(conn, account.institution_id, member_id)?)
    })
}

/// The signed-in borrower's confirmed account, for changing its password; a borrower
/// online banking signed in who never made one has none.
pub fn own_account(conn: &mut DbConnection, borrower: Borrower) -> Result<AccountRow, ApiError> {
    match accounts::of_member(conn, borrower.institution_id, borrower.member_id)? {
        Some(account) if account.verified_at.is_some() => Ok(account),
        _ => Err(ApiError::Conflict(
            "There is no password to change: this sign-in has no account with a password.".into(),
        )),
    }
}

/// Sets the new password of `seen`, and mails the account's owner that it changed, in
/// one transaction.
pub fn change_password(
    conn: &mut DbConnection,
    seen: &AccountRow,
    password_hash: &str,
    mailing: &Mailing<'_>,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        if !accounts::change_password(conn, seen, password_hash)? {
            return Err(ApiError::Conflict(
                "The password was changed at the same moment; sign in again.".into(),
            ));
        }
        let institution = institutions::get(conn, seen.institution_id)?;
        let body = format!(
            "Hello,\n\nThe password of your account with {name} was just changed.\n\n\
             If you did not change it, choose a new one at once with \"Forgot your \
             password?\" on the sign-in page, and tell {name}.\n",
            name = institution.name
        );
        let subject = format!("{}: your password was changed", institution.name);
        send(
            conn,
            seen.institution_id,
            &seen.email,
            &subject,
            &body,
            mailing,
        )
    })
}
