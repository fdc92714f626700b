//! Documents of a lead. A row is written only after its bytes are stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::documents;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub institution_id: i64,
    pub lead_id: i64,
    pub request_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_by_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocument {
    pub institution_id: i64,
    pub lead_id: i64,
    pub request_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_by_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, document: &NewDocument) -> Result<DocumentRow, StoreError> {
    diesel::insert_into(documents::table)
        .values(document)
        .execute(conn)?;
    Ok(documents::table
        .filter(documents::storage_key.eq(&document.storage_key))
        .select(DocumentRow::as_select())
        .first(conn)?)
}

/// The lead's documents, oldest first.
pub fn of_lead(conn: &mut DbConnection, lead_id: i64) -> Result<Vec<DocumentRow>, StoreError> {
    Ok(documents::table
        .filter(documents::lead_id.eq(lead_id))
        .order(documents::id.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// One document of one lead of the institution.
pub fn get(
    conn: &mut DbConnection,
    institution_id: i64,
    lead_id: i64,
    id: i64,
) -> Result<DocumentRow, StoreError> {
    Ok(documents::table
        .filter(documents::institution_id.eq(institution_id))
        .filter(documents::lead_id.eq(lead_id))
        .filter(documents::id.eq(id))
        .select(DocumentRow::as_select())
        .first(conn)?)
}
