//! Mail waiting to be sent. A message is added in the transaction of the change that
//! causes it, and leaves the `pending` state only when the mailer has delivered it or
//! has given up on it after its last attempt.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::email_outbox;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct MailRow {
    pub id: i64,
    pub institution_id: i64,
    pub lead_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = email_outbox)]
pub struct NewMail {
    pub institution_id: i64,
    pub lead_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl NewMail {
    /// A message to `recipient`, due at once.
    pub fn to(
        institution_id: i64,
        lead_id: Option<i64>,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Self {
        let now = crate::time::now();
        Self {
            institution_id,
            lead_id,
            recipient: recipient.into(),
            subject: subject.into(),
            body: body.into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        }
    }
}

pub fn insert(conn: &mut DbConnection, mail: &NewMail) -> Result<(), StoreError> {
    diesel::insert_into(email_outbox::table)
        .values(mail)
        .execute(conn)?;
    Ok(())
}

/// Pending messages whose next attempt is due, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<MailRow>, StoreError> {
    Ok(email_outbox::table
        .filter(email_outbox::status.eq("pending"))
        .filter(email_outbox::next_attempt_at.le(now))
        .order((email_outbox::next_attempt_at.asc(), email_outbox::id.asc()))
        .limit(limit)
        .select(MailRow::as_select())
        .load(conn)?)
}

pub fn mark_sent(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> Result<(), StoreError> {
    diesel::update(email_outbox::table.filter(email_outbox::id.eq(id)))
        .set((
            email_outbox::status.eq("sent"),
            email_outbox::sent_at.eq(at),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
            email_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or, without one, given up
/// (`failed`) and kept for staff to see and send again.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    let status = if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    };
    diesel::update(email_outbox::table.filter(email_outbox::id.eq(id)))
        .set((
            email_outbox::status.eq(status),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
            email_outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    if let Some(at) = retry_at {
        diesel::update(email_outbox::table.filter(email_outbox::id.eq(id)))
            .set(email_outbox::next_attempt_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

/// Puts a message that was given up on back in line, due now. False when there is no
/// such failed message in the institution.
pub fn retry(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        email_outbox::table
            .filter(email_outbox::institution_id.eq(institution_id))
            .filter(email_outbox::id.eq(id))
            .filter(email_outbox::status.eq("failed")),
    )
    .set((
        email_outbox::status.eq("pending"),
        email_outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The institution's messages, newest first, optionally of one status, before an id.
pub fn list(
    conn: &mut DbConnection,
    institution_id: i64,
    status: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<MailRow>, StoreError> {
    let mut query = email_outbox::table
        .filter(email_outbox::institution_id.eq(institution_id))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(email_outbox::status.eq(status.to_string()));
    }
    if let Some(before) = before_id {
        query = query.filter(email_outbox::id.lt(before));
    }
    Ok(query
        .order(email_outbox::id.desc())
        .limit(limit)
        .select(MailRow::as_select())
        .load(conn)?)
}
