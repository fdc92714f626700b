//! The leads table as CSV: every lead the filter matches, streamed page by page so a
//! large export never sits in memory, with cells that a spreadsheet would run as a
//! formula neutralised. Every export is on the audit trail with its filter and size.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::LeadSummary;
use leads_domain::{Permission, Problem};
use leads_persistence::leads::{self, ListLeads};
use serde_json::json;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::QueryParams;
use crate::routes::leads::item_ids;
use crate::services::activity;
use crate::state::AppState;
use crate::views::{self, Lookups};

/// Leads per database page while exporting.
const PAGE: i64 = 500;

const COLUMNS: &[&str] = &[
    "reference",
    "status",
    "archived",
    "registered",
    "member_name",
    "member_email",
    "product_or_service",
    "channel",
    "amount",
    "progress_percent",
    "assigned_to",
    "created_at",
    "updated_at",
];

/// A cell as a spreadsheet will read it: text that would start a formula gets a leading
/// apostrophe, so it stays text.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn row(lead: &LeadSummary) -> Vec<String> {
    vec![
        lead.reference.clone(),
        lead.status.as_str().into(),
        lead.archived.to_string(),
        lead.registered.to_string(),
        lead.applicant.name.clone().unwrap_or_default(),
        lead.applicant.email.clone().unwrap_or_default(),
        lead.item.name.clone(),
        lead.channel.as_str().into(),
        lead.amount
            .map(|m| format!("{:.2}", m.cents() as f64 / 100.0))
            .unwrap_or_default(),
        lead.progress.percent.to_string(),
        lead.assignee
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        lead.created_at.to_rfc3339(),
        lead.updated_at.to_rfc3339(),
    ]
}

fn csv_line(cells: &[String]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(|c| neutralise(c)))
        .map_err(ApiError::internal)?;
    writer.into_inner().map_err(ApiError::internal)
}

/// Every lead matching the leads table's filter, as CSV (`cursor` and `limit` are
/// ignored). Needs `leads.export`.
#[utoipa::path(
    tag = "leads",
    params(LeadQuery),
    responses(
        (status = 200, description = "The matching leads", content_type = "text/csv", body = String),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.export", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter values, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/leads/export.csv")]
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<LeadQuery>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Permission::LeadsExport)?;
    let mut filter = query.parse().map_err(ApiError::Invalid)?;
    filter.cursor = None;
    filter.limit = PAGE;
    let recorded_filter = json!(LeadQuery {
        cursor: None,
        limit: None,
        ..query
    });
    // Unknown items are refused before the answer starts.
    let items = {
        let filter = filter.clone();
        state
            .db(move |conn| item_ids(conn, staff.institution_id, &filter.items, filter.kind))
            .await?
    };

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let pool = state.pool.clone();
    std::thread::Builder::new()
        .name("leads-export".into())
        .spawn(move || {
            let mut rows = 0_u64;
            let outcome = (|| -> Result<bool, ApiError> {
                let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
                if sender.blocking_send(csv_line(&header)?).is_err() {
                    return Ok(false);
                }
                loop {
                    let mut conn = pool.get().map_err(leads_persistence::StoreError::from)?;
                    let list = ListLeads {
                        count: false,
                        institution_id: staff.institution_id,
                        filter: &filter,
                        item_ids: items.clone(),
                        me: staff.user_id,
                    };
                    let page = leads::list(&mut conn, &list)?.map_err(|_| {
                        ApiError::internal(anyhow::anyhow!("export cursor refused"))
                    })?;
                    let lookups = Lookups::load(&mut conn, staff.institution_id, &page.rows, &[])?;
                    drop(conn);
                    let mut chunk = Vec::new();
                    for lead in &page.rows {
                        chunk.extend(csv_line(&row(&views::lead_summary(lead, &lookups)?))?);
                        rows += 1;
                    }
                    if sender.blocking_send(chunk).is_err() {
                        return Ok(false);
                    }
                    match page.next_cursor {
                        Some(next) => filter.cursor = Some(next),
                        None => return Ok(true),
                    }
                }
            })();
            let complete = match outcome {
                Ok(complete) => complete,
                Err(error) => {
                    tracing::error!(error.cause = %error, "export failed part-way");
                    false
                }
            };
            let recorded = pool
                .get()
                .map_err(leads_persistence::StoreError::from)
                .and_then(|mut conn| {
                    activity::audit(
                        &mut conn,
                        staff.institution_id,
                        Some(staff.user_id),
                        "leads.exported",
                        json!({ "filter": recorded_filter, "rows": rows, "complete": complete }),
                    )
                });
            if let Err(error) = recorded {
                tracing::error!(error.cause = %error, "the export could not be recorded");
            }
        })
        .map_err(ApiError::internal)?;

    let body = futures_util::stream::poll_fn(move |cx| {
        receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok::<_, actix_web::Error>(web::Bytes::from(bytes))))
    });
    let name = format!("leads-{}.csv", chrono::Utc::now().format("%Y-%m-%d-%H%M%S"));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_starts_are_neutralised_and_plain_text_is_not() {
        for risky in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        for plain in ["Jane O'Neil", "1-2", "", "a=b"] {
            assert_eq!(neutralise(plain), plain);
        }
    }
}
