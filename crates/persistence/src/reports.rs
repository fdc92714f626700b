//! Counts for reports, grouped in the database so that a report reads no lead rows.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::leads;

/// How many leads of an item and channel stopped at a step (`None`: before any) without
/// being submitted.
pub struct StepCount {
    pub catalog_item_id: i64,
    pub channel: String,
    pub step: Option<String>,
    pub leads: i64,
}

/// How many leads of an item and channel were submitted.
pub struct SubmittedCount {
    pub catalog_item_id: i64,
    pub channel: String,
    pub leads: i64,
}

/// The leads started in `[from, to)`, by item, channel and the last step reached, those
/// not submitted and those submitted apart.
pub fn funnel(
    conn: &mut DbConnection,
    institution_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<(Vec<StepCount>, Vec<SubmittedCount>), StoreError> {
    let in_range = leads::institution_id
        .eq(institution_id)
        .and(leads::created_at.ge(from))
        .and(leads::created_at.lt(to));
    let open: Vec<(i64, String, Option<String>, i64)> = leads::table
        .filter(in_range)
        .filter(leads::submitted_at.is_null())
        .group_by((leads::catalog_item_id, leads::channel, leads::progress_step))
        .select((
            leads::catalog_item_id,
            leads::channel,
            leads::progress_step,
            count_star(),
        ))
        .load(conn)?;
    let submitted: Vec<(i64, String, i64)> = leads::table
        .filter(in_range)
        .filter(leads::submitted_at.is_not_null())
        .group_by((leads::catalog_item_id, leads::channel))
        .select((leads::catalog_item_id, leads::channel, count_star()))
        .load(conn)?;
    Ok((
        open.into_iter()
            .map(|(catalog_item_id, channel, step, leads)| StepCount {
                catalog_item_id,
                channel,
                step,
                leads,
            })
            .collect(),
        submitted
            .into_iter()
            .map(|(catalog_item_id, channel, leads)| SubmittedCount {
                catalog_item_id,
                channel,
                leads,
            })
            .collect(),
    ))
}
