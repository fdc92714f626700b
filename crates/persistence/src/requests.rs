//! Requests from staff to the applicant, and the answers to them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{lead_requests, leads};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lead_requests)]
pub struct RequestRow {
    pub id: i64,
    pub institution_id: i64,
    pub lead_id: i64,
    pub title: String,
    pub description: String,
    pub upload_prompt: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub token_hash: Option<String>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lead_requests)]
pub struct NewRequest {
    pub institution_id: i64,
    pub lead_id: i64,
    pub title: String,
    pub description: String,
    pub upload_prompt: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub token_hash: Option<String>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub created_by_user_id: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, request: &NewRequest) -> Result<RequestRow, StoreError> {
    diesel::insert_into(lead_requests::table)
        .values(request)
        .execute(conn)?;
    Ok(lead_requests::table
        .filter(lead_requests::lead_id.eq(request.lead_id))
        .order(lead_requests::id.desc())
        .select(RequestRow::as_select())
        .first(conn)?)
}

/// The lead's requests, oldest first.
pub fn of_lead(conn: &mut DbConnection, lead_id: i64) -> Result<Vec<RequestRow>, StoreError> {
    Ok(lead_requests::table
        .filter(lead_requests::lead_id.eq(lead_id))
        .order(lead_requests::id.asc())
        .select(RequestRow::as_select())
        .load(conn)?)
}

/// The request a link's token hash belongs to, whatever its state.
pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> Result<RequestRow, StoreError> {
    Ok(lead_requests::table
        .filter(lead_requests::token_hash.eq(hash))
        .select(RequestRow::as_select())
        .first(conn)?)
}

/// Marks an open request answered. False when it was answered first.
pub fn answer(
    conn: &mut DbConnection,
    id: i64,
    text: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        lead_requests::table
            .filter(lead_requests::id.eq(id))
            .filter(lead_requests::status.eq("open")),
    )
    .set((
        lead_requests::status.eq("answered"),
        lead_requests::answer.eq(text),
        lead_requests::answered_at.eq(at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Since when the applicant has owed an answer: the oldest open request of the lead.
pub fn oldest_open(
    conn: &mut DbConnection,
    lead_id: i64,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(lead_requests::table
        .filter(lead_requests::lead_id.eq(lead_id))
        .filter(lead_requests::status.eq("open"))
        .select(diesel::dsl::min(lead_requests::created_at))
        .first(conn)?)
}

/// Records on the lead since when its applicant has owed an answer, with the order the
/// table sorts by.
pub fn set_waiting(
    conn: &mut DbConnection,
    lead_id: i64,
    since: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    diesel::update(leads::table.filter(leads::id.eq(lead_id)))
        .set((
            leads::waiting_since.eq(since),
            leads::waiting_order.eq(since.unwrap_or_else(crate::leads::never)),
        ))
        .execute(conn)?;
    Ok(())
}

/// One request of the institution.
pub fn get(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
) -> Result<RequestRow, StoreError> {
    Ok(lead_requests::table
        .filter(lead_requests::institution_id.eq(institution_id))
        .filter(lead_requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)?)
}

/// The open and answered requests on a member's leads that are not archived, in the
/// order they were made, each with its lead's reference and catalog item.
pub fn of_member(
    conn: &mut DbConnection,
    institution_id: i64,
    member_id: i64,
) -> Result<Vec<(RequestRow, String, i64)>, StoreError> {
    Ok(lead_requests::table
        .inner_join(leads::table.on(leads::id.eq(lead_requests::lead_id)))
        .filter(leads::institution_id.eq(institution_id))
        .filter(leads::member_id.eq(member_id))
        .filter(leads::archived.eq(false))
        .filter(lead_requests::status.eq_any(["open", "answered"]))
        .order(lead_requests::id.asc())
        .select((
            RequestRow::as_select(),
            leads::reference,
            leads::catalog_item_id,
        ))
        .load(conn)?)
}
