//! The institution's audit trail: rows are added, never changed or removed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::audit_events;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    pub institution_id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub lead_id: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub institution_id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub lead_id: Option<i64>,
    pub detail: String,
}

pub fn insert(conn: &mut DbConnection, event: &NewAuditEvent) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// Which events to list; every condition is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<i64>,
    pub action: Option<String>,
    pub lead_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Only events older than this id (the previous page's last).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Newest first, one page.
pub fn list(
    conn: &mut DbConnection,
    institution_id: i64,
    filter: &AuditFilter,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = audit_events::table
        .filter(audit_events::institution_id.eq(institution_id))
        .into_boxed();
    if let Some(actor) = filter.actor_user_id {
        query = query.filter(audit_events::actor_user_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(lead) = filter.lead_id {
        query = query.filter(audit_events::lead_id.eq(lead));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::at.le(to));
    }
    if let Some(before) = filter.before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    Ok(query
        .order(audit_events::id.desc())
        .limit(filter.limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}
