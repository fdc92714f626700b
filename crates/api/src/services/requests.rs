//! Requests to the applicant: staff ask, the applicant answers through a short-lived
//! link that reaches them by mail. Making a request writes the request, the timeline
//! entry and the message in one transaction; answering closes the request for good.

use std::time::Duration;

use base64::Engine;
use chrono::{TimeDelta, Utc};
use leads_domain::text::{clean_line, clean_text};
use leads_domain::wire::{MakeRequest, PublicRequest};
use leads_domain::{Email, FieldError};
use leads_persistence::leads::{self, LeadChange, LeadRow};
use leads_persistence::outbox::{self, NewMail};
use leads_persistence::requests::{self, NewRequest, RequestRow};
use leads_persistence::time::{from_db, now};
use leads_persistence::{catalog, institutions, members, DbConnection};
use rand::RngCore;

use crate::auth::borrower::Borrower;
use crate::keys::Cipher;
use serde_json::json;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::services::actions::{current, MAX_NOTE};
use crate::services::activity::{self, ActorKind};
use crate::services::documents::{self, Stored, Uploader};

const MAX_TITLE: usize = 200;
/// How far ahead a request may be due.
const MAX_DUE_DAYS: i64 = 366;

/// A request checked and ready to make.
pub struct Asked {
    title: String,
    description: String,
    upload_prompt: Option<String>,
    due_on: Option<chrono::NaiveDate>,
}

/// Checks what staff ask, naming every field at fault.
pub fn check(body: &MakeRequest) -> Result<Asked, ApiError> {
    let mut errors = Vec::new();
    let title = clean_line(&body.title, MAX_TITLE)
        .map_err(|r| errors.push(FieldError::new("title", r)))
        .ok();
    let description = clean_text(&body.description, MAX_NOTE)
        .map_err(|r| errors.push(FieldError::new("description", r)))
        .ok();
    let upload_prompt = match body.upload_prompt.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => clean_line(text, MAX_TITLE)
            .map_err(|r| errors.push(FieldError::new("upload_prompt", r)))
            .ok(),
    };
    if let Some(due) = body.due_on {
        let today = Utc::now().date_naive();
        if due < today {
            errors.push(FieldError::new("due_on", "must be today or later"));
        } else if due > today + TimeDelta::days(MAX_DUE_DAYS) {
            errors.push(FieldError::new("due_on", "must be within a year"));
        }
    }
    match (title, description) {
        (Some(title), Some(description)) if errors.is_empty() => Ok(Asked {
            title,
            description,
            upload_prompt,
            due_on: body.due_on,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// A new link token and the hash that is stored of it.
pub(crate) fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = crate::storage::sha256_hex(token.as_bytes());
    (token, hash)
}

/// Where the request's link leads, and how the message carrying it is sealed.
pub struct Link<'a> {
    /// The product's address as applicants reach it, without a trailing `/`.
    pub base: &'a str,
    /// How long the link works at least; it works until the end of the due day when
    /// that is later.
    pub ttl: Duration,
    pub cipher: &'a Cipher,
}

/// Asks the applicant of lead `id` for something, and mails them the link to answer.
pub fn make(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    if_match: Option<Vec<i32>>,
    asked: &Asked,
    link: &Link<'_>,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let row = current(conn, staff, id, if_match)?;
        if row.archived {
            return Err(ApiError::WrongState {
                status: row.status.clone(),
                detail: "The lead is archived and can no longer be changed.".into(),
            });
        }
        let email = row
            .applicant_email
            .as_deref()
            .and_then(|e| Email::parse(e).ok());
        // A borrower with an applicant-portal login answers there, where they sign in;
        // anyone else needs a link, and an address to mail it to.
        let portal = members::get(conn, row.institution_id, row.member_id)?.has_login;
        if email.is_none() && !portal {
            return Err(ApiError::Conflict(
                "The applicant has no email address that can receive the request.".into(),
            ));
        }
        let (token, hash) = new_token();
        let at = now();
        let ttl = TimeDelta::from_std(link.ttl).map_err(ApiError::internal)?;
        let end_of_due_day = asked
            .due_on
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0));
        let expires = (at + ttl).max(end_of_due_day.unwrap_or(at));
        let request = requests::insert(
            conn,
            &NewRequest {
                institution_id: staff.institution_id,
                lead_id: id,
                title: asked.title.clone(),
                description: asked.description.clone(),
                upload_prompt: asked.upload_prompt.clone(),
                due_on: asked.due_on,
                status: "open".into(),
                token_hash: (!portal).then_some(hash),
                token_expires_at: (!portal).then_some(expires),
                created_by_user_id: staff.user_id,
                created_at: at,
            },
        )?;
        bump(conn, &row)?;
        let oldest = requests::oldest_open(conn, id)?;
        requests::set_waiting(conn, id, oldest)?;
        activity::record(
            conn,
            staff.institution_id,
            id,
            ActorKind::Staff(staff.user_id),
            "request.made",
            json!({ "after": {
                "request": request.id,
                "title": request.title,
                "upload_prompt": request.upload_prompt,
                "due_on": request.due_on,
            }}),
        )?;
        let institution = institutions::get(conn, staff.institution_id)?;
        let item = catalog::get(conn, staff.institution_id, row.catalog_item_id)?;
        let Some(email) = email else {
            return Ok(());
        };
        let way = if portal {
            Way::Portal(format!("{}/applicant/{}", link.base, institution.slug))
        } else {
            Way::Link(format!("{}/respond/{token}", link.base), expires)
        };
        let body = mail_body(&row, &request, &institution.name, &item.name, &way);
        outbox::insert(
            conn,
            &NewMail::to(
                staff.institution_id,
                Some(id),
                email.as_str(),
                &format!("{}: we need something from you", institution.name),
                &link.cipher.encrypt(&body).map_err(ApiError::internal)?,
            ),
        )?;
        Ok(())
    })
}

/// Where the applicant answers: through a link that works until a time, or in the
/// applicant portal they sign in to.
enum Way {
    Link(String, chrono::NaiveDateTime),
    Portal(String),
}

fn mail_body(
    lead: &LeadRow,
    request: &RequestRow,
    institution: &str,
    item: &str,
    way: &Way,
) -> String {
    let greeting = match lead.applicant_name.as_deref() {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".into(),
    };
    let mut text = format!(
        "{greeting}\n\n{institution} needs something more for your application ({item}, \
         reference {}):\n\n{}\n\n{}\n",
        lead.reference, request.title, request.description
    );
    if let Some(prompt) = &request.upload_prompt {
        text.push_str(&format!("\nPlease upload: {prompt}\n"));
    }
    if let Some(due) = request.due_on {
        text.push_str(&format!(
            "\nPlease answer by {}.\n",
            due.format("%B %-d, %Y")
        ));
    }
    match way {
        Way::Link(url, expires) => text.push_str(&format!(
            "\nAnswer here, no account needed:\n{url}\n\nThe link works until {} UTC.\n",
            expires.format("%B %-d, %Y %H:%M")
        )),
        Way::Portal(url) => {
            text.push_str(&format!("\nSign in to your account to answer:\n{url}\n"))
        }
    }
    text
}

/// Moves the lead to its next version, so that copies read before go stale.
fn bump(conn: &mut DbConnection, row: &LeadRow) -> Result<(), ApiError> {
    let change = LeadChange {
        archived: Some(row.archived),
        ..LeadChange::default()
    };
    if !leads::change(conn, row.institution_id, row.id, row.version, &change)? {
        let now = leads::get(conn, row.institution_id, row.id)?;
        return Err(ApiError::Stale {
            version: now.version,
            status: now.status,
        });
    }
    Ok(())
}

/// The request a link's token opens, if the link still works.
fn by_token(conn: &mut DbConnection, token: &str) -> Result<RequestRow, ApiError> {
    let hash = crate::storage::sha256_hex(token.as_bytes());
    let request = requests::by_token_hash(conn, &hash)?;
    if request
        .token_expires_at
        .is_some_and(|expires| expires < now())
        && request.status == "open"
    {
        return Err(ApiError::Gone(
            "This link has expired. Please contact your credit union for a new one.".into(),
        ));
    }
    Ok(request)
}

/// The request as its applicant sees it.
pub fn public_view(conn: &mut DbConnection, token: &str) -> Result<PublicRequest, ApiError> {
    let request = by_token(conn, token)?;
    let lead = leads::get(conn, request.institution_id, request.lead_id)?;
    if lead.archived && request.status == "open" {
        return Err(ApiError::Gone(
            "This application is closed and no longer takes answers.".into(),
        ));
    }
    let institution = institutions::get(conn, request.institution_id)?;
    let item = catalog::get(conn, request.institution_id, lead.catalog_item_id)?;
    Ok(PublicRequest {
        institution: institution.name,
        item: item.name,
        title: request.title,
        description: request.description,
        upload_prompt: request.upload_prompt,
        due_on: request.due_on,
        status: request.status,
        expires_at: request.token_expires_at.map(from_db),
    })
}

/// Who opens a request to answer it: whoever holds its mailed link, or the signed-in
/// borrower whose application it belongs to.
#[derive(Debug, Clone)]
pub enum Opener {
    Link(String),
    Borrower(Borrower, i64),
}

impl Opener {
    fn open(&self, conn: &mut DbConnection) -> Result<RequestRow, ApiError> {
        match self {
            Opener::Link(token) => by_token(conn, token),
            Opener::Borrower(borrower, id) => {
                let request = requests::get(conn, borrower.institution_id, *id)?;
                let lead = leads::get(conn, request.institution_id, request.lead_id)?;
                if lead.member_id != borrower.member_id {
                    return Err(ApiError::NotFound);
                }
                Ok(request)
            }
        }
    }
}

/// Checks that the request can be opened and is open, before anything is stored.
pub fn check_open(conn: &mut DbConnection, opener: &Opener) -> Result<(), ApiError> {
    let request = opener.open(conn)?;
    if request.status != "open" {
        return Err(ApiError::Conflict(
            "This request has already been answered.".into(),
        ));
    }
    Ok(())
}

/// Checks the applicant's words: they may be empty only when files come with them.
pub fn check_answer(text: &str, files: usize) -> Result<String, ApiError> {
    if text.trim().is_empty() {
        if files == 0 {
            return Err(ApiError::invalid(
                "answer",
                "write an answer or attach a file",
            ));
        }
        return Ok(String::new());
    }
    clean_text(text, MAX_NOTE).map_err(|r| ApiError::invalid("answer", r))
}

/// Records the applicant's answer and the files they stored with it.
pub fn answer(
    conn: &mut DbConnection,
    opener: &Opener,
    text: &str,
    files: &[Stored],
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let request = opener.open(conn)?;
        let lead = leads::get(conn, request.institution_id, request.lead_id)?;
        if lead.archived {
            return Err(ApiError::Gone(
                "This application is closed and no longer takes answers.".into(),
            ));
        }
        if !requests::answer(conn, request.id, text, now())? {
            return Err(ApiError::Conflict(
                "This request has already been answered.".into(),
            ));
        }
        let mut names = Vec::new();
        for file in files {
            documents::record(
                conn,
                file,
                request.institution_id,
                request.lead_id,
                Some(request.id),
                Uploader::Applicant,
            )?;
            names.push(file.file_name.clone());
        }
        bump(conn, &lead)?;
        let oldest = requests::oldest_open(conn, lead.id)?;
        requests::set_waiting(conn, lead.id, oldest)?;
        activity::record(
            conn,
            request.institution_id,
            lead.id,
            ActorKind::Applicant,
            "request.answered",
            json!({ "after": {
                "request": request.id,
                "title": request.title,
                "answer": text,
                "documents": names,
            }}),
        )?;
        Ok(())
    })
}

/// Checks that staff may add documents to lead `id` now, before its body is read.
pub fn check_open_lead(conn: &mut DbConnection, staff: &Staff, id: i64) -> Result<(), ApiError> {
    let row = leads::get(conn, staff.institution_id, id)?;
    if row.archived {
        return Err(ApiError::WrongState {
            status: row.status,
            detail: "The lead is archived and can no longer be changed.".into(),
        });
    }
    Ok(())
}

/// Adds documents staff upload to a lead that is not archived.
pub fn add_staff_documents(
    conn: &mut DbConnection,
    staff: &Staff,
    id: i64,
    files: &[Stored],
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let row = leads::get(conn, staff.institution_id, id)?;
        if row.archived {
            return Err(ApiError::WrongState {
                status: row.status.clone(),
                detail: "The lead is archived and can no longer be changed.".into(),
            });
        }
        for file in files {
            documents::record(
                conn,
                file,
                staff.institution_id,
                id,
                None,
                Uploader::Staff(staff.user_id),
            )?;
        }
        bump(conn, &row)?;
        activity::record(
            conn,
            staff.institution_id,
            id,
            ActorKind::Staff(staff.user_id),
            "document.added",
            json!({ "after": {
                "documents": files.iter().map(|f| f.file_name.clone()).collect::<Vec<_>>(),
            }}),
        )?;
        Ok(())
    })
}
