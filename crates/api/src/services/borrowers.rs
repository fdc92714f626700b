//! What the applicant portal shows a signed-in borrower: their applications, and the
//! requests from staff waiting for their answer.

use std::collections::HashMap;

use leads_domain::wire::{BorrowerApplication, BorrowerRequest};
use leads_domain::{LeadId, LeadStatus};
use leads_persistence::time::from_db;
use leads_persistence::{catalog, leads, requests, DbConnection};

use crate::auth::borrower::Borrower;
use crate::errors::ApiError;

/// The borrower's applications, newest first, in every status.
pub fn applications(
    conn: &mut DbConnection,
    borrower: Borrower,
) -> Result<Vec<BorrowerApplication>, ApiError> {
    let rows = leads::of_member(conn, borrower.institution_id, borrower.member_id)?;
    let asked = requests::of_member(conn, borrower.institution_id, borrower.member_id)?;
    let mut waiting: HashMap<i64, i64> = HashMap::new();
    for (request, _, _) in asked.iter().filter(|(r, _, _)| r.status == "open") {
        *waiting.entry(request.lead_id).or_default() += 1;
    }
    let items = catalog::list(conn, borrower.institution_id)?;
    rows.into_iter()
        .map(|row| {
            let item = items
                .iter()
                .find(|item| item.id == row.catalog_item_id)
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("lead without its item")))?;
            Ok(BorrowerApplication {
                id: LeadId(row.id),
                reference: row.reference,
                item: item.name.clone(),
                item_slug: item.slug.clone(),
                status: LeadStatus::parse(&row.status).ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!("stored status {}", row.status))
                })?,
                archived: row.archived,
                percent: row.progress_percent,
                started_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
                open_requests: waiting.get(&row.id).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// The requests made of the borrower: those waiting for an answer, oldest first, then
/// those answered, the latest first.
pub fn requests(
    conn: &mut DbConnection,
    borrower: Borrower,
) -> Result<Vec<BorrowerRequest>, ApiError> {
    let asked = requests::of_member(conn, borrower.institution_id, borrower.member_id)?;
    let items = catalog::list(conn, borrower.institution_id)?;
    let (mut open, mut answered): (Vec<_>, Vec<_>) = asked
        .into_iter()
        .map(|(request, reference, item_id)| BorrowerRequest {
            id: request.id,
            application: LeadId(request.lead_id),
            reference,
            item: items
                .iter()
                .find(|item| item.id == item_id)
                .map_or_else(String::new, |item| item.name.clone()),
            title: request.title,
            description: request.description,
            upload_prompt: request.upload_prompt,
            due_on: request.due_on,
            asked_at: from_db(request.created_at),
            answered_at: request.answered_at.map(from_db),
        })
        .partition(|request| request.answered_at.is_none());
    answered.reverse();
    open.append(&mut answered);
    Ok(open)
}

/// Checks that lead `id` is one of the borrower's own; another's answers 404.
pub fn own_lead(conn: &mut DbConnection, borrower: Borrower, id: i64) -> Result<(), ApiError> {
    let row = leads::get(conn, borrower.institution_id, id)?;
    if row.member_id == borrower.member_id {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}
