//! Leads: one application for one catalog item by one member.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use leads_domain::lead_query::EXACT_TOTAL_CAP;
use leads_domain::lead_query::{
    ArchivedFilter, AssigneeFilter, BorrowerFilter, LeadFilter, SortKey,
};
use leads_domain::{Channel, LeadStatus};
use rand::Rng;

use diesel::dsl::sql;
use diesel::sql_types::{Bool, Text};

use crate::connection::{DbConnection, Dialect, MultiBackend};
use crate::cursor::{Cursor, CursorValue};
use crate::error::StoreError;
use crate::members::MemberRow;
use crate::schema::leads;

/// A lead as stored. The field order is the table's column order.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = leads)]
pub struct LeadRow {
    pub id: i64,
    pub institution_id: i64,
    pub reference: String,
    pub member_id: i64,
    pub catalog_item_id: i64,
    pub status: String,
    pub archived: bool,
    pub registered: bool,
    pub assignee_id: Option<i64>,
    pub channel: String,
    pub created_by_user_id: Option<i64>,
    pub amount_cents: Option<i64>,
    pub amount_sort: i64,
    pub term_months: Option<i32>,
    pub applicant_name: Option<String>,
    pub sort_name: String,
    pub applicant_email: Option<String>,
    pub applicant_phone: Option<String>,
    /// JSON: date of birth and address.
    pub identity: String,
    pub ssn_encrypted: Option<String>,
    pub ssn_last4: Option<String>,
    /// JSON: field key to `{value, source}`.
    pub answers: String,
    pub progress_step: Option<String>,
    pub progress_percent: i16,
    pub last_activity_at: NaiveDateTime,
    pub external_id: Option<String>,
    /// JSON: decline reasons, close reason, who decided and when.
    pub decision: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub search_text: String,
    /// Since when the applicant has owed an answer to a request.
    pub waiting_since: Option<NaiveDateTime>,
    pub submitted_order: NaiveDateTime,
    pub waiting_order: NaiveDateTime,
}

/// Where a lead that has no time for an aging order sorts: at the end of time.
pub fn never() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(NaiveDateTime::MAX)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = leads)]
pub struct NewLeadRow {
    pub institution_id: i64,
    pub reference: String,
    pub member_id: i64,
    pub catalog_item_id: i64,
    pub status: String,
    pub archived: bool,
    pub registered: bool,
    pub assignee_id: Option<i64>,
    pub channel: String,
    pub created_by_user_id: Option<i64>,
    pub amount_cents: Option<i64>,
    pub amount_sort: i64,
    pub term_months: Option<i32>,
    pub applicant_name: Option<String>,
    pub sort_name: String,
    pub applicant_email: Option<String>,
    pub applicant_phone: Option<String>,
    pub identity: String,
    pub ssn_encrypted: Option<String>,
    pub ssn_last4: Option<String>,
    pub answers: String,
    pub progress_step: Option<String>,
    pub progress_percent: i16,
    pub last_activity_at: NaiveDateTime,
    pub external_id: Option<String>,
    pub decision: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub search_text: String,
    pub submitted_order: NaiveDateTime,
}

impl NewLeadRow {
    /// A lead of `member` for a catalog item, begun at `at`, with the applicant's name,
    /// email and phone as the member record has them, no answers, no amount, and a new
    /// reference. Callers set what differs with struct update syntax.
    pub fn new(
        member: &MemberRow,
        catalog_item_id: i64,
        status: LeadStatus,
        channel: Channel,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            institution_id: member.institution_id,
            reference: random_code("L"),
            member_id: member.id,
            catalog_item_id,
            status: status.as_str().into(),
            archived: false,
            registered: member.registered,
            assignee_id: None,
            channel: channel.as_str().into(),
            created_by_user_id: None,
            amount_cents: None,
            amount_sort: 0,
            term_months: None,
            applicant_name: member.name.clone(),
            sort_name: String::new(),
            applicant_email: member.email.clone(),
            applicant_phone: member.phone.clone(),
            identity: "{}".into(),
            ssn_encrypted: None,
            ssn_last4: None,
            answers: "{}".into(),
            progress_step: None,
            progress_percent: 0,
            last_activity_at: at,
            external_id: None,
            decision: None,
            submitted_at: None,
            created_at: at,
            updated_at: at,
            version: 1,
            search_text: String::new(),
            submitted_order: never(),
        }
    }

    /// Fills the columns derived from others: the sort and search columns.
    pub fn derive_columns(&mut self) {
        self.submitted_order = self.submitted_at.unwrap_or_else(never);
        self.amount_sort = self.amount_cents.unwrap_or(-1);
        self.sort_name = self
            .applicant_name
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        self.search_text = crate::search_text(&[
            self.applicant_name.as_deref(),
            self.applicant_email.as_deref(),
            self.applicant_phone.as_deref(),
            Some(&self.reference),
        ]);
    }
}

/// A random code of a prefix and eight characters of Crockford's base32 (no I, L, O, U),
/// readable over the phone.
pub fn random_code(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let body: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}{body}")
}

/// A `LIKE` pattern matching `text` anywhere, with the wildcards in `text` escaped by `\`.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Inserts a lead and returns it as stored.
pub fn insert(conn: &mut DbConnection, mut lead: NewLeadRow) -> Result<LeadRow, StoreError> {
    lead.derive_columns();
    diesel::insert_into(leads::table)
        .values(&lead)
        .execute(conn)?;
    Ok(leads::table
        .filter(leads::institution_id.eq(lead.institution_id))
        .filter(leads::reference.eq(&lead.reference))
        .select(LeadRow::as_select())
        .first(conn)?)
}

pub fn get(conn: &mut DbConnection, institution_id: i64, id: i64) -> Result<LeadRow, StoreError> {
    Ok(leads::table
        .filter(leads::institution_id.eq(institution_id))
        .filter(leads::id.eq(id))
        .select(LeadRow::as_select())
        .first(conn)?)
}

pub fn find_by_external_id(
    conn: &mut DbConnection,
    institution_id: i64,
    external_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(leads::table
        .filter(leads::institution_id.eq(institution_id))
        .filter(leads::external_id.eq(external_id))
        .select(leads::id)
        .first(conn)
        .optional()?)
}

/// How many leads an institution holds.
pub fn count(conn: &mut DbConnection, institution_id: i64) -> Result<i64, StoreError> {
    Ok(leads::table
        .filter(leads::institution_id.eq(institution_id))
        .count()
        .get_result(conn)?)
}

/// Every lead of a member, newest first, whatever its status.
pub fn of_member(
    conn: &mut DbConnection,
    institution_id: i64,
    member_id: i64,
) -> Result<Vec<LeadRow>, StoreError> {
    Ok(leads::table
        .filter(leads::institution_id.eq(institution_id))
        .filter(leads::member_id.eq(member_id))
        .order((leads::created_at.desc(), leads::id.desc()))
        .select(LeadRow::as_select())
        .load(conn)?)
}

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

/// A change staff make to a lead; fields left `None` stay as they are.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = leads)]
pub struct LeadChange {
    pub status: Option<String>,
    pub archived: Option<bool>,
    pub assignee_id: Option<Option<i64>>,
    pub decision: Option<Option<String>>,
}

/// Applies `change` if the lead is still at `version`, moving it to the next version.
/// False when someone changed it first (nothing is written then).
pub fn change(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
    version: i32,
    change: &LeadChange,
) -> Result<bool, StoreError> {
    let at = crate::time::now();
    let updated = diesel::update(
        leads::table
            .filter(leads::institution_id.eq(institution_id))
            .filter(leads::id.eq(id))
            .filter(leads::version.eq(version)),
    )
    .set((
        change,
        leads::updated_at.eq(at),
        leads::version.eq(version + 1),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// What the applicant's side changes on a lead: answers, progress, contact details and
/// submission, with the columns derived from them. Fields left `None` stay as they are.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = leads)]
pub struct ApplicationChange {
    pub answers: Option<String>,
    pub progress_step: Option<Option<String>>,
    pub progress_percent: Option<i16>,
    pub last_activity_at: Option<NaiveDateTime>,
    pub applicant_name: Option<Option<String>>,
    pub sort_name: Option<String>,
    pub applicant_email: Option<Option<String>>,
    pub applicant_phone: Option<Option<String>>,
    pub search_text: Option<String>,
    pub amount_cents: Option<Option<i64>>,
    pub amount_sort: Option<i64>,
    pub term_months: Option<Option<i32>>,
    pub status: Option<String>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub submitted_order: Option<NaiveDateTime>,
}

impl ApplicationChange {
    /// Fills the sort and search columns from the values `row` will have.
    pub fn derive_columns(&mut self, row: &LeadRow) {
        let name = self
            .applicant_name
            .clone()
            .unwrap_or_else(|| row.applicant_name.clone());
        let email = self
            .applicant_email
            .clone()
            .unwrap_or_else(|| row.applicant_email.clone());
        let phone = self
            .applicant_phone
            .clone()
            .unwrap_or_else(|| row.applicant_phone.clone());
        self.sort_name = Some(name.as_deref().unwrap_or("").trim().to_lowercase());
        self.search_text = Some(crate::search_text(&[
            name.as_deref(),
            email.as_deref(),
            phone.as_deref(),
            Some(&row.reference),
        ]));
        if let Some(amount) = self.amount_cents {
            self.amount_sort = Some(amount.unwrap_or(-1));
        }
        if let Some(submitted) = self.submitted_at {
            self.submitted_order = Some(submitted.unwrap_or_else(never));
        }
    }
}

/// Applies an applicant's change if the lead is still at `version`; false otherwise.
pub fn change_application(
    conn: &mut DbConnection,
    row: &LeadRow,
    change: &ApplicationChange,
) -> Result<bool, StoreError> {
    let mut change = change.clone();
    change.derive_columns(row);
    let at = crate::time::now();
    let updated = diesel::update(
        leads::table
            .filter(leads::id.eq(row.id))
            .filter(leads::version.eq(row.version)),
    )
    .set((
        &change,
        leads::updated_at.eq(at),
        leads::version.eq(row.version + 1),
    ))
    .execute(conn)?;
    Ok(updated == 1)
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

/// Identity details kept with a lead, as stored in its `identity` column.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<serde_json::Value>,
}
