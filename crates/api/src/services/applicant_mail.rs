//! Mail to an applicant about their application: the link to continue it elsewhere,
//! and the receipt when it is submitted. Every message is sealed at rest.

use leads_domain::Email;
use leads_persistence::leads::LeadRow;
use leads_persistence::outbox::NewMail;
use leads_persistence::DbConnection;
use leads_persistence::{catalog, institutions};
use serde_json::json;

use crate::auth::applicant::Applicant;
use crate::errors::ApiError;
use crate::services::activity::{self, ActorKind};
use crate::services::applications::{lead_of, still_open};

/// Mails the applicant a link that opens the application again, in any browser. The
/// message is sealed at rest like every message carrying a link.
pub fn resume_link(
    conn: &mut DbConnection,
    applicant: Applicant,
    link: &str,
    cipher: &crate::keys::Cipher,
) -> Result<(), ApiError> {
    conn.write(|conn| {
        let row = lead_of(conn, applicant)?;
        still_open(&row)?;
        let Some(email) = row
            .applicant_email
            .as_deref()
            .and_then(|e| Email::parse(e).ok())
        else {
            return Err(ApiError::Conflict(
                "Give your email address first; the link is sent there.".into(),
            ));
        };
        let institution = institutions::get(conn, row.institution_id)?;
        let item = catalog::get(conn, row.institution_id, row.catalog_item_id)?;
        let body = format!(
            "Hello,\n\nHere is the link to continue your application for {} with {} \
             (reference {}):\n\n{link}\n\nAnyone with this link can see and change the \
             application, so keep it to yourself.\n",
            item.name, institution.name, row.reference
        );
        let subject = format!("{}: continue your application", institution.name);
        queue_mail(conn, &row, &email, &subject, &body, cipher)?;
        activity::record(
            conn,
            row.institution_id,
            row.id,
            ActorKind::Applicant,
            "application.resume_link_sent",
            json!({}),
        )?;
        Ok(())
    })
}

/// Tells the applicant the application has arrived: what, with whom, its reference, and
/// what happens next. It carries no link, so it gives nothing away if forwarded.
pub(crate) fn receipt(
    conn: &mut DbConnection,
    row: &LeadRow,
    item: &str,
    by_staff: bool,
    cipher: &crate::keys::Cipher,
) -> Result<(), ApiError> {
    let Some(email) = row
        .applicant_email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
    else {
        return Ok(());
    };
    let institution = institutions::get(conn, row.institution_id)?;
    let how = if by_staff {
        "was submitted for you by our staff"
    } else {
        "has been submitted"
    };
    let body = format!(
        "Hello,\n\nYour application for {item} with {} {how}. Its reference is {}.\n\n\
         We will look at it and let you know our decision by email. If we need anything \
         more from you, we will ask by email too.\n\nIf you did not apply, please tell \
         {} and quote the reference.\n",
        institution.name, row.reference, institution.name
    );
    let subject = format!("{}: we have your application", institution.name);
    queue_mail(conn, row, &email, &subject, &body, cipher)
}

/// Puts a message to the applicant about their lead in the outbox, its body sealed.
fn queue_mail(
    conn: &mut DbConnection,
    row: &LeadRow,
    to: &Email,
    subject: &str,
    body: &str,
    cipher: &crate::keys::Cipher,
) -> Result<(), ApiError> {
    let sealed = cipher.encrypt(body).map_err(ApiError::internal)?;
    let mail = NewMail::to(
        row.institution_id,
        Some(row.id),
        to.as_str(),
        subject,
        &sealed,
    );
    leads_persistence::outbox::insert(conn, &mail)?;
    Ok(())
}
