//! One action on many leads: assign or archive those chosen, or every lead a filter
//! matches. Each lead gets the same checks as the single action; the answer lists what
//! changed and what was skipped, and why.

use actix_web::{post, web};
use leads_domain::wire::{BulkRequest, BulkResult, BulkSkip};
use leads_domain::{FieldError, LeadId, Permission, Problem};
use leads_persistence::leads::{self, ListLeads};

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::JsonBytes;
use crate::routes::leads::item_ids;
use crate::services::actions::{self, Action, BulkOutcome, BULK_FILTERED, BULK_IDS};
use crate::state::AppState;

/// Assigns or archives many leads at once.
///
/// Each lead is changed in its own transaction with its own timeline entry. Should the
/// database fail part-way, the answer is 503 and the leads already changed stay changed.
#[utoipa::path(
    tag = "lead actions",
    request_body = BulkRequest,
    responses(
        (status = 200, description = "What changed and what was skipped", body = BulkResult),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.work", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown action, no or both selections, too many leads, or a bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/leads/bulk")]
pub async fn bulk(
    state: web::Data<AppState>,
    staff: Staff,
    body: JsonBytes,
) -> Result<web::Json<BulkResult>, ApiError> {
    staff.require(Permission::LeadsWork)?;
    let body: BulkRequest = body.parse()?;
    let action = match body.action.as_str() {
        "assign" => Action::Assign(body.assignee.map(|u| u.0)),
        "archive" if body.assignee.is_none() => Action::Archive,
        "archive" => return Err(ApiError::invalid("assignee", "is only for assign")),
        _ => return Err(ApiError::invalid("action", "must be assign or archive")),
    };
    let filter = match (&body.ids, &body.filter) {
        (Some(ids), None) => {
            if ids.is_empty() || ids.len() > BULK_IDS {
                return Err(ApiError::invalid("ids", "must hold 1 to 1,000 lead ids"));
            }
            None
        }
        (None, Some(query)) => {
            let mut filter = query.parse().map_err(|errors| {
                ApiError::Invalid(
                    errors
                        .into_iter()
                        .map(|e| FieldError::new(format!("filter.{}", e.field), e.reason))
                        .collect(),
                )
            })?;
            filter.cursor = None;
            filter.limit = leads_domain::lead_query::MAX_PAGE;
            Some(filter)
        }
        _ => {
            return Err(ApiError::invalid(
                "ids",
                "give either ids or filter, not both or neither",
            ))
        }
    };
    let ids = body.ids.clone();

    let result = state
        .db(move |conn| {
            if let Action::Assign(assignee) = &action {
                actions::check_assignee(conn, &staff, *assignee)?;
            }
            let chosen: Vec<i64> = match (ids, filter) {
                (Some(ids), _) => {
                    let mut ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
                    ids.dedup();
                    ids
                }
                (None, Some(mut filter)) => {
                    let items = item_ids(conn, staff.institution_id, &filter.items, filter.kind)?;
                    let mut found = Vec::new();
                    loop {
                        let list = ListLeads {
                            count: false,
                            institution_id: staff.institution_id,
                            filter: &filter,
                            item_ids: items.clone(),
                            me: staff.user_id,
                        };
                        let page = leads::list(conn, &list)?.map_err(|_| {
                            ApiError::internal(anyhow::anyhow!("a bulk page cursor was refused"))
                        })?;
                        found.extend(page.rows.iter().map(|row| row.id));
                        if found.len() > BULK_FILTERED {
                            return Err(ApiError::invalid(
                                "filter",
                                "matches more than 10,000 leads; narrow it",
                            ));
                        }
                        match page.next_cursor {
                            Some(next) => filter.cursor = Some(next),
                            None => break,
                        }
                    }
                    found
                }
                (None, None) => Vec::new(),
            };
            let mut result = BulkResult {
                changed: Vec::new(),
                skipped: Vec::new(),
            };
            for id in chosen {
                match actions::perform_one_of_many(conn, &staff, id, &action)? {
                    BulkOutcome::Changed => result.changed.push(LeadId(id)),
                    BulkOutcome::Skipped { status, reason } => result.skipped.push(BulkSkip {
                        id: LeadId(id),
                        status,
                        reason,
                    }),
                }
            }
            Ok(result)
        })
        .await?;
    Ok(web::Json(result))
}
