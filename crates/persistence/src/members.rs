//! Members: everyone who ever applied to an institution.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::members;
use crate::time::now;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: i64,
    pub institution_id: i64,
    pub member_number: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<String>,
    pub ssn_encrypted: Option<String>,
    pub ssn_last4: Option<String>,
    pub registered: bool,
    pub has_login: bool,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = members)]
pub struct NewMember {
    pub institution_id: i64,
    pub member_number: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<String>,
    pub ssn_encrypted: Option<String>,
    pub ssn_last4: Option<String>,
    pub registered: bool,
    pub has_login: bool,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewMember {
    /// A member known only by what they typed; `member_number` is set by [`insert`].
    pub fn new(institution_id: i64, name: Option<String>, email: Option<String>) -> Self {
        let at = now();
        Self {
            institution_id,
            member_number: String::new(),
            name,
            email,
            phone: None,
            date_of_birth: None,
            address: None,
            ssn_encrypted: None,
            ssn_last4: None,
            registered: false,
            has_login: false,
            search_text: String::new(),
            created_at: at,
            updated_at: at,
        }
    }
}

/// Inserts a member; a member number is given when the caller has none.
pub fn insert(conn: &mut DbConnection, mut member: NewMember) -> Result<MemberRow, StoreError> {
    if member.member_number.is_empty() {
        member.member_number = crate::leads::random_code("M");
    }
    member.search_text = crate::search_text(&[
        member.name.as_deref(),
        member.email.as_deref(),
        member.phone.as_deref(),
        Some(&member.member_number),
    ]);
    diesel::insert_into(members::table)
        .values(&member)
        .execute(conn)?;
    Ok(members::table
        .filter(members::institution_id.eq(member.institution_id))
        .filter(members::member_number.eq(&member.member_number))
        .select(MemberRow::as_select())
        .first(conn)?)
}

/// The member with this email, among the registered members or among the unverified ones.
pub fn find_by_email(
    conn: &mut DbConnection,
    institution_id: i64,
    email: &str,
    registered: bool,
) -> Result<Option<MemberRow>, StoreError> {
    Ok(members::table
        .filter(members::institution_id.eq(institution_id))
        .filter(members::email.eq(email))
        .filter(members::registered.eq(registered))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// The member with the new member's email and registration, created when there is none.
/// Safe against a concurrent creation of the same member: the loser of the race finds
/// the winner's row.
pub fn find_or_insert(conn: &mut DbConnection, member: NewMember) -> Result<MemberRow, StoreError> {
    let institution_id = member.institution_id;
    let registered = member.registered;
    let Some(email) = member.email.clone() else {
        return insert(conn, member);
    };
    if let Some(found) = find_by_email(conn, institution_id, &email, registered)? {
        return Ok(found);
    }
    match conn.transaction(|conn| insert(conn, member)) {
        Err(StoreError::Conflict(_)) => {
            find_by_email(conn, institution_id, &email, registered)?.ok_or(StoreError::NotFound)
        }
        other => other,
    }
}

/// The member with this member number in the institution.
pub fn find_by_number(
    conn: &mut DbConnection,
    institution_id: i64,
    number: &str,
) -> Result<Option<MemberRow>, StoreError> {
    Ok(members::table
        .filter(members::institution_id.eq(institution_id))
        .filter(members::member_number.eq(number))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, institution_id: i64, id: i64) -> Result<MemberRow, StoreError> {
    Ok(members::table
        .filter(members::institution_id.eq(institution_id))
        .filter(members::id.eq(id))
        .select(MemberRow::as_select())
        .first(conn)?)
}

/// Members newest first, optionally matching a search text, after the member id `before`.
pub fn search(
    conn: &mut DbConnection,
    institution_id: i64,
    text: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MemberRow>, StoreError> {
    let mut query = members::table
        .filter(members::institution_id.eq(institution_id))
        .select(MemberRow::as_select())
        .order(members::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(text) = text.map(crate::leads::search_form) {
        let text = text.as_str();
        query = match crate::leads::fts_query(conn.dialect(), institution_id, text) {
            Some(phrase) => query.filter(
                sql::<Bool>(
                    "members.id IN (SELECT rowid FROM members_fts WHERE members_fts MATCH ",
                )
                .bind::<Text, _>(phrase)
                .sql(")"),
            ),
            None => query.filter(
                members::search_text
                    .like(crate::leads::like_pattern(text))
                    .escape('\\'),
            ),
        };
    }
    if let Some(before) = before {
        query = query.filter(members::id.lt(before));
    }
    Ok(query.load(conn)?)
}
