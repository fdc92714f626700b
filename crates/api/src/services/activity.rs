//! Timeline entries, written in the same transaction as the change they record.

use leads_persistence::activities::{self, NewActivity};
use leads_persistence::audit::{self, NewAuditEvent};
use leads_persistence::{DbConnection, StoreError};

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub enum ActorKind {
    Staff(i64),
    Applicant,
    System,
}

pub fn record(
    conn: &mut DbConnection,
    institution_id: i64,
    lead_id: i64,
    actor: ActorKind,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    let (actor_kind, actor_user_id) = match actor {
        ActorKind::Staff(id) => ("staff", Some(id)),
        ActorKind::Applicant => ("applicant", None),
        ActorKind::System => ("system", None),
    };
    let at = leads_persistence::time::now();
    let detail = detail.to_string();
    activities::insert(
        conn,
        &NewActivity {
            institution_id,
            lead_id,
            actor_kind: actor_kind.into(),
            actor_user_id,
            action: action.into(),
            detail: detail.clone(),
            created_at: at,
        },
    )?;
    audit::insert(
        conn,
        &NewAuditEvent {
            institution_id,
            at,
            actor_user_id,
            action: action.into(),
            lead_id: Some(lead_id),
            detail,
        },
    )
}

/// An audit entry that belongs to no lead (a sign-in, an export).
pub fn audit(
    conn: &mut DbConnection,
    institution_id: i64,
    actor_user_id: Option<i64>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    audit::insert(
        conn,
        &NewAuditEvent {
            institution_id,
            at: leads_persistence::time::now(),
            actor_user_id,
            action: action.into(),
            lead_id: None,
            detail: detail.to_string(),
        },
    )
}
