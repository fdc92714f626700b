//! The leads table: filtering, keyset paging and counting.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use leads_domain::lead_query::EXACT_TOTAL_CAP;
use leads_domain::lead_query::{
    ArchivedFilter, AssigneeFilter, BorrowerFilter, LeadFilter, SortKey,
};

use super::{like_pattern, LeadRow};
use crate::connection::{DbConnection, Dialect, MultiBackend};
use crate::cursor::{Cursor, CursorValue};
use crate::error::StoreError;
use crate::schema::leads;

/// The leads table's query, with catalog filters already turned into item ids.
pub struct ListLeads<'a> {
    pub institution_id: i64,
    pub filter: &'a LeadFilter,
    /// `None` when no item or kind filter applies.
    pub item_ids: Option<Vec<i64>>,
    /// The user asking, for `assignee=me`.
    pub me: i64,
    /// Whether to count the matches (an export walking every page does not need to).
    pub count: bool,
}

/// One page of leads and the count of all that match.
pub struct LeadRowPage {
    pub rows: Vec<LeadRow>,
    pub next_cursor: Option<String>,
    pub prev_cursor: Option<String>,
    pub total: i64,
    pub total_exact: bool,
}

/// A cursor that does not belong to this query.
#[derive(Debug)]
pub struct BadCursor;

type BoxedLeads<'a> = leads::BoxedQuery<'a, MultiBackend>;

/// The leads matching the filter, in no order.
fn matching<'a>(list: &'a ListLeads<'a>, dialect: Dialect) -> BoxedLeads<'a> {
    let f = list.filter;
    let mut query = leads::table
        .filter(leads::institution_id.eq(list.institution_id))
        .into_boxed::<MultiBackend>();

    query = match f.borrower {
        BorrowerFilter::Registered => query.filter(leads::registered.eq(true)),
        BorrowerFilter::Unregistered => query.filter(leads::registered.eq(false)),
        BorrowerFilter::All => query,
    };
    query = match f.archived {
        ArchivedFilter::Exclude => query.filter(leads::archived.eq(false)),
        ArchivedFilter::Only => query.filter(leads::archived.eq(true)),
        ArchivedFilter::Include => query,
    };
    if !f.statuses.is_empty() {
        let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(leads::status.eq_any(statuses));
    }
    if !f.channels.is_empty() {
        let channels: Vec<&str> = f.channels.iter().map(|c| c.as_str()).collect();
        query = query.filter(leads::channel.eq_any(channels));
    }
    if let Some(ids) = &list.item_ids {
        query = query.filter(leads::catalog_item_id.eq_any(ids.clone()));
    }
    query = match f.assignee {
        None => query,
        Some(AssigneeFilter::Nobody) => query.filter(leads::assignee_id.is_null()),
        Some(AssigneeFilter::Me) => query.filter(leads::assignee_id.eq(list.me)),
        Some(AssigneeFilter::User(id)) => query.filter(leads::assignee_id.eq(id)),
    };
    if let Some(at) = f.created_from {
        query = query.filter(leads::created_at.ge(crate::time::to_db(at)));
    }
    if let Some(at) = f.created_to {
        query = query.filter(leads::created_at.le(crate::time::to_db(at)));
    }
    if let Some(at) = f.updated_from {
        query = query.filter(leads::updated_at.ge(crate::time::to_db(at)));
    }
    if let Some(at) = f.updated_to {
        query = query.filter(leads::updated_at.le(crate::time::to_db(at)));
    }
    if let Some(text) = &f.search {
        let text = search_form(text);
        query = match fts_query(dialect, list.institution_id, &text) {
            Some(fts) => query.filter(
                sql::<Bool>("leads.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ")
                    .bind::<Text, _>(fts)
                    .sql(")"),
            ),
            None => query.filter(leads::search_text.like(like_pattern(&text)).escape('\\')),
        };
    }
    query
}

/// On SQLite, searches of three characters or more use the trigram full-text index:
/// the text as a quoted phrase (which matches as a substring) within the institution's
/// tenant token. Shorter ones, and PostgreSQL (whose trigram index serves `LIKE`), use
/// `LIKE`.
pub(crate) fn fts_query(dialect: Dialect, institution_id: i64, text: &str) -> Option<String> {
    if dialect != Dialect::Sqlite || text.chars().count() < 3 {
        return None;
    }
    let phrase = text.replace('"', "\"\"");
    Some(format!(
        "search_text : \"{phrase}\" AND tenant : \"{}\"",
        tenant_token(institution_id)
    ))
}

/// The institution's token in the full-text indexes; the migration's triggers compute
/// the same three characters.
fn tenant_token(institution_id: i64) -> String {
    const BASE: i64 = 20_992;
    const FIRST: u32 = 19_968;
    [(institution_id / BASE) % BASE, institution_id % BASE, 0]
        .iter()
        .filter_map(|offset| char::from_u32(FIRST + *offset as u32))
        .collect()
}

/// A search that looks like a phone number matches the stored digits.
pub(crate) fn search_form(text: &str) -> String {
    let is_phone = text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " -.()+".contains(c));
    if is_phone {
        text.chars().filter(|c| c.is_ascii_digit()).collect()
    } else {
        text.to_string()
    }
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// Rows after `(value, id)` in the order of `column` then id. The first, redundant
/// condition bounds the index range so the scan starts at the cursor instead of
/// skipping every row before it.
macro_rules! after {
    ($query:expr, $column:expr, $value:expr, $id:expr, $descending:expr) => {
        if $descending {
            $query.filter($column.le($value.clone())).filter(
                $column
                    .lt($value.clone())
                    .or($column.eq($value).and(leads::id.lt($id))),
            )
        } else {
            $query.filter($column.ge($value.clone())).filter(
                $column
                    .gt($value.clone())
                    .or($column.eq($value).and(leads::id.gt($id))),
            )
        }
    };
}

macro_rules! ordered {
    ($query:expr, $column:expr, $descending:expr) => {
        if $descending {
            $query.order(($column.desc(), leads::id.desc()))
        } else {
            $query.order(($column.asc(), leads::id.asc()))
        }
    };
}

/// Restricts a query to the rows after the cursor in the filter's order, or before it
/// for a backward cursor (`desc` is then the reverse of the filter's direction).
fn after_cursor<'a>(
    query: BoxedLeads<'a>,
    list: &ListLeads<'_>,
    cursor: &Cursor,
    desc: bool,
) -> Result<BoxedLeads<'a>, BadCursor> {
    let sort = list.filter.sort;
    if cursor.sort != sort.as_string() {
        return Err(BadCursor);
    }
    let id = cursor.id;
    Ok(match (sort.key, &cursor.value) {
        (
            SortKey::CreatedAt | SortKey::UpdatedAt | SortKey::SubmittedAt | SortKey::WaitingSince,
            CursorValue::Text(text),
        ) => {
            let at = NaiveDateTime::parse_from_str(text, TIME_FORMAT).map_err(|_| BadCursor)?;
            match sort.key {
                SortKey::CreatedAt => after!(query, leads::created_at, at, id, desc),
                SortKey::UpdatedAt => after!(query, leads::updated_at, at, id, desc),
                SortKey::SubmittedAt => after!(query, leads::submitted_order, at, id, desc),
                _ => after!(query, leads::waiting_order, at, id, desc),
            }
        }
        (SortKey::Name, CursorValue::Text(name)) => {
            after!(query, leads::sort_name, name.clone(), id, desc)
        }
        (SortKey::Amount, CursorValue::Number(amount)) => {
            after!(query, leads::amount_sort, *amount, id, desc)
        }
        _ => return Err(BadCursor),
    })
}

fn cursor_at(row: &LeadRow, list: &ListLeads<'_>, before: bool) -> Cursor {
    let sort = list.filter.sort;
    let value = match sort.key {
        SortKey::CreatedAt => CursorValue::Text(row.created_at.format(TIME_FORMAT).to_string()),
        SortKey::UpdatedAt => CursorValue::Text(row.updated_at.format(TIME_FORMAT).to_string()),
        SortKey::Name => CursorValue::Text(row.sort_name.clone()),
        SortKey::Amount => CursorValue::Number(row.amount_sort),
        SortKey::SubmittedAt => {
            CursorValue::Text(row.submitted_order.format(TIME_FORMAT).to_string())
        }
        SortKey::WaitingSince => {
            CursorValue::Text(row.waiting_order.format(TIME_FORMAT).to_string())
        }
    };
    Cursor {
        sort: sort.as_string(),
        value,
        id: row.id,
        before,
    }
}

/// One keyset page of the leads table.
pub fn list(
    conn: &mut DbConnection,
    list: &ListLeads<'_>,
) -> Result<Result<LeadRowPage, BadCursor>, StoreError> {
    if list.item_ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Ok(LeadRowPage {
            rows: Vec::new(),
            next_cursor: None,
            prev_cursor: None,
            total: 0,
            total_exact: true,
        }));
    }
    let filter = list.filter;
    let dialect = conn.dialect();
    let mut query = matching(list, dialect);
    let mut backwards = false;
    if let Some(text) = &filter.cursor {
        let Some(cursor) = Cursor::decode(text) else {
            return Ok(Err(BadCursor));
        };
        backwards = cursor.before;
        let desc = filter.sort.descending != backwards;
        query = match after_cursor(query, list, &cursor, desc) {
            Ok(query) => query,
            Err(bad) => return Ok(Err(bad)),
        };
    }
    // A backward page is read in the reverse order from its cursor, then turned round.
    let desc = filter.sort.descending != backwards;
    query = match filter.sort.key {
        SortKey::CreatedAt => ordered!(query, leads::created_at, desc),
        SortKey::UpdatedAt => ordered!(query, leads::updated_at, desc),
        SortKey::Name => ordered!(query, leads::sort_name, desc),
        SortKey::Amount => ordered!(query, leads::amount_sort, desc),
        SortKey::SubmittedAt => ordered!(query, leads::submitted_order, desc),
        SortKey::WaitingSince => ordered!(query, leads::waiting_order, desc),
    };
    let mut rows: Vec<LeadRow> = query.limit(filter.limit + 1).load(conn)?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    if backwards {
        rows.reverse();
    }
    let (more_after, more_before) = if backwards {
        (true, more)
    } else {
        (more, filter.cursor.is_some())
    };
    let next_cursor = match rows.last() {
        Some(last) if more_after => Some(cursor_at(last, list, false).encode()),
        _ => None,
    };
    let prev_cursor = match rows.first() {
        Some(first) if more_before => Some(cursor_at(first, list, true).encode()),
        _ => None,
    };

    let counted: Vec<i64> = if list.count {
        matching(list, dialect)
            .select(leads::id)
            .limit(EXACT_TOTAL_CAP + 1)
            .load(conn)?
    } else {
        Vec::new()
    };
    let total_exact = (counted.len() as i64) <= EXACT_TOTAL_CAP;
    Ok(Ok(LeadRowPage {
        rows,
        next_cursor,
        prev_cursor,
        total: (counted.len() as i64).min(EXACT_TOTAL_CAP),
        total_exact,
    }))
}
