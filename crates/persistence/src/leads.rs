//! Leads: one application for one catalog item by one member.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use leads_domain::{Channel, LeadStatus};
use rand::Rng;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::members::MemberRow;
use crate::schema::leads;

mod list;

pub(crate) use list::{fts_query, search_form};
pub use list::{list, BadCursor, LeadRowPage, ListLeads};

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

/// Identity details kept with a lead, as stored in its `identity` column.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<serde_json::Value>,
}
