//! Saved views of the leads table: a name for a filter and sort.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::saved_views;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_views)]
pub struct ViewRow {
    pub id: i64,
    pub institution_id: i64,
    pub owner_user_id: i64,
    pub name: String,
    pub query: String,
    pub shared: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = saved_views)]
pub struct NewView {
    pub institution_id: i64,
    pub owner_user_id: i64,
    pub name: String,
    pub query: String,
    pub shared: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, view: &NewView) -> Result<ViewRow, StoreError> {
    diesel::insert_into(saved_views::table)
        .values(view)
        .execute(conn)?;
    Ok(saved_views::table
        .filter(saved_views::owner_user_id.eq(view.owner_user_id))
        .filter(saved_views::name.eq(&view.name))
        .select(ViewRow::as_select())
        .first(conn)?)
}

/// The views `user_id` sees: their own and those shared in the institution, by name.
pub fn visible_to(
    conn: &mut DbConnection,
    institution_id: i64,
    user_id: i64,
) -> Result<Vec<ViewRow>, StoreError> {
    Ok(saved_views::table
        .filter(saved_views::institution_id.eq(institution_id))
        .filter(
            saved_views::owner_user_id
                .eq(user_id)
                .or(saved_views::shared.eq(true)),
        )
        .order((saved_views::name.asc(), saved_views::id.asc()))
        .select(ViewRow::as_select())
        .load(conn)?)
}

/// Removes one of the user's own views. False when they have no such view.
pub fn delete_own(
    conn: &mut DbConnection,
    institution_id: i64,
    user_id: i64,
    id: i64,
) -> Result<bool, StoreError> {
    let deleted = diesel::delete(
        saved_views::table
            .filter(saved_views::institution_id.eq(institution_id))
            .filter(saved_views::owner_user_id.eq(user_id))
            .filter(saved_views::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}
