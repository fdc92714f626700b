//! Reports on the institution's leads.

use std::collections::BTreeMap;

use actix_web::{get, web};
use chrono::{TimeDelta, Utc};
use leads_domain::wire::{FunnelReport, FunnelRow, FunnelStep};
use leads_domain::{Channel, FieldError, Permission, Problem};
use leads_persistence::{catalog, reports};
use serde::Deserialize;

use crate::auth::staff::Staff;
use crate::errors::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;
use crate::views;

/// The days a funnel counts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FunnelQuery {
    /// First day (`YYYY-MM-DD`, UTC); 30 days before `to` by default.
    pub from: Option<String>,
    /// Last day; today by default.
    pub to: Option<String>,
}

/// The counts of one item and channel.
#[derive(Default)]
struct Tally {
    started: i64,
    /// Leads not submitted, by the last step they reached.
    stopped_at: BTreeMap<Option<String>, i64>,
    submitted: i64,
}

/// Longest range a funnel covers.
const MAX_DAYS: i64 = 3660;

/// For each product or service and channel: how many applications were started in the
/// range, how many reached each step of the form, and how many were submitted. Needs
/// `leads.read`.
#[utoipa::path(
    tag = "reports",
    params(FunnelQuery),
    responses(
        (status = 200, description = "The funnel", body = FunnelReport),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks leads.read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid days, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/reports/funnel")]
pub async fn funnel(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<FunnelQuery>,
) -> Result<web::Json<FunnelReport>, ApiError> {
    staff.require(Permission::LeadsRead)?;
    let mut errors = Vec::new();
    let day = |name: &str, text: Option<&str>, errors: &mut Vec<FieldError>| {
        text.and_then(|t| {
            let parsed = leads_domain::days::parse(t);
            if parsed.is_none() {
                errors.push(FieldError::new(name, "must be a day (YYYY-MM-DD)"));
            }
            parsed
        })
    };
    let to = day("to", query.to.as_deref(), &mut errors).unwrap_or_else(|| Utc::now().date_naive());
    let from =
        day("from", query.from.as_deref(), &mut errors).unwrap_or_else(|| to - TimeDelta::days(30));
    if errors.is_empty() && from > to {
        errors.push(FieldError::new("from", "must not be after to"));
    }
    if errors.is_empty() && (to - from).num_days() > MAX_DAYS {
        errors.push(FieldError::new("from", "must be within ten years of to"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let report = state
        .db(move |conn| {
            let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
            let end = (to + TimeDelta::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default();
            let (open, submitted) = reports::funnel(conn, staff.institution_id, start, end)?;
            let items = catalog::list(conn, staff.institution_id)?;
            let mut rows: BTreeMap<(i64, String), Tally> = BTreeMap::new();
            for count in open {
                let row = rows
                    .entry((count.catalog_item_id, count.channel))
                    .or_default();
                row.started += count.leads;
                *row.stopped_at.entry(count.step).or_default() += count.leads;
            }
            for count in submitted {
                let row = rows
                    .entry((count.catalog_item_id, count.channel))
                    .or_default();
                row.started += count.leads;
                row.submitted += count.leads;
            }
            let mut report = Vec::new();
            for ((item_id, channel), tally) in rows {
                let Tally {
                    started,
                    stopped_at,
                    submitted: done,
                } = tally;
                let Some(item) = items.iter().find(|i| i.id == item_id) else {
                    continue;
                };
                let form: serde_json::Value = serde_json::from_str(&item.form)?;
                let steps: Vec<(String, String)> = form["steps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some((
                            s["key"].as_str()?.to_string(),
                            s["title"].as_str().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect();
                // A lead stopped at step i has reached every step up to i.
                let funnel_steps = steps
                    .iter()
                    .enumerate()
                    .map(|(index, (key, title))| {
                        let beyond: i64 = steps[index..]
                            .iter()
                            .map(|(later, _)| {
                                stopped_at.get(&Some(later.clone())).copied().unwrap_or(0)
                            })
                            .sum();
                        FunnelStep {
                            key: key.clone(),
                            title: title.clone(),
                            reached: beyond + done,
                        }
                    })
                    .collect();
                report.push(FunnelRow {
                    item: views::item_ref(item)?,
                    channel: Channel::parse(&channel).ok_or_else(|| {
                        ApiError::internal(anyhow::anyhow!("stored channel {channel}"))
                    })?,
                    started,
                    steps: funnel_steps,
                    submitted: done,
                });
            }
            Ok(FunnelReport {
                from,
                to,
                rows: report,
            })
        })
        .await?;
    Ok(web::Json(report))
}
