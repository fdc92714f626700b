//! A lead's timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::lead_activities;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lead_activities)]
pub struct ActivityRow {
    pub id: i64,
    pub institution_id: i64,
    pub lead_id: i64,
    pub actor_kind: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lead_activities)]
pub struct NewActivity {
    pub institution_id: i64,
    pub lead_id: i64,
    pub actor_kind: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, activity: &NewActivity) -> Result<(), StoreError> {
    diesel::insert_into(lead_activities::table)
        .values(activity)
        .execute(conn)?;
    Ok(())
}

/// A lead's activities, newest first.
pub fn of_lead(
    conn: &mut DbConnection,
    institution_id: i64,
    lead_id: i64,
) -> Result<Vec<ActivityRow>, StoreError> {
    Ok(lead_activities::table
        .filter(lead_activities::institution_id.eq(institution_id))
        .filter(lead_activities::lead_id.eq(lead_id))
        .order(lead_activities::id.desc())
        .select(ActivityRow::as_select())
        .load(conn)?)
}
