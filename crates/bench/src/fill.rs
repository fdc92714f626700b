//! Fills a database with institutions, members and leads shaped like a real portfolio.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use leads_domain::{Channel, LeadStatus};
use leads_persistence::catalog::{self, CatalogItemRow};
use leads_persistence::leads::NewLeadRow;
use leads_persistence::members::{MemberRow, NewMember};
use leads_persistence::schema::{leads, members};
use leads_persistence::{DbConnection, StoreError};
use rand::rngs::StdRng;
use rand::Rng;

const PEOPLE: &str = include_str!("../../api/fixtures/febrl_synthetic_identities_dataset1.csv");

/// Given names and surnames to combine into members' names.
pub struct Names {
    pub given: Vec<String>,
    pub surnames: Vec<String>,
}

impl Names {
    pub fn load() -> Self {
        let mut given = Vec::new();
        let mut surnames = Vec::new();
        for line in PEOPLE.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() > 2 {
                given.push(cells[1].to_string());
                surnames.push(cells[2].to_string());
            }
        }
        for list in [&mut given, &mut surnames] {
            list.retain(|n| n.len() > 2);
            list.sort();
            list.dedup();
        }
        Self { given, surnames }
    }
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

const STATUSES: [(&str, u32); 6] = [
    ("in_progress", 20),
    ("submitted", 15),
    ("approved", 5),
    ("declined", 15),
    ("converted", 35),
    ("closed", 10),
];
const CHANNELS: [&str; 5] = [
    "public_link",
    "online_banking",
    "lender_proxy",
    "integration",
    "automation",
];

fn pick_status(rng: &mut StdRng) -> &'static str {
    let mut roll = rng.gen_range(0..100);
    for (status, weight) in STATUSES {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    "submitted"
}

/// Inserts `count` rows in batches on the inner connection (batch inserts are not
/// available through the multi-backend connection).
fn insert_batches<T>(
    conn: &mut DbConnection,
    rows: &[T],
    per_batch_sqlite: usize,
    per_batch_pg: usize,
    insert: impl Fn(&mut DbConnection, &[T]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let size = match conn {
        DbConnection::Sqlite(_) => per_batch_sqlite,
        DbConnection::Pg(_) => per_batch_pg,
    };
    for chunk in rows.chunks(size) {
        insert(conn, chunk)?;
    }
    Ok(())
}

fn insert_members(conn: &mut DbConnection, rows: &[NewMember]) -> Result<(), StoreError> {
    match conn {
        DbConnection::Pg(pg) => diesel::insert_into(members::table)
            .values(rows)
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_into(members::table)
            .values(rows)
            .execute(lite)?,
    };
    Ok(())
}

fn insert_leads(conn: &mut DbConnection, rows: &[NewLeadRow]) -> Result<(), StoreError> {
    match conn {
        DbConnection::Pg(pg) => diesel::insert_into(leads::table).values(rows).execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_into(leads::table)
            .values(rows)
            .execute(lite)?,
    };
    Ok(())
}

/// Fills one institution with `lead_count` leads of about `lead_count / 2.5` members.
pub fn fill_institution(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    names: &Names,
    institution_id: i64,
    lead_count: usize,
    assignee: i64,
) -> Result<(), StoreError> {
    let items: Vec<CatalogItemRow> = catalog::list(conn, institution_id)?;
    let now = leads_persistence::time::now();
    let member_count = (lead_count * 2 / 5).max(1);

    let mut new_members = Vec::with_capacity(member_count);
    for number in 0..member_count {
        let name = format!(
            "{} {}",
            title(&names.given[rng.gen_range(0..names.given.len())]),
            title(&names.surnames[rng.gen_range(0..names.surnames.len())])
        );
        let email = format!(
            "{}.{number}@example.org",
            name.to_lowercase().replace(' ', ".")
        );
        let mut member = NewMember::new(institution_id, Some(name), Some(email));
        member.member_number = format!("M{institution_id:02}{number:07}");
        member.registered = rng.gen_bool(0.85);
        member.phone = Some(format!("907{:07}", rng.gen_range(0..10_000_000)));
        member.search_text = leads_persistence::search_text(&[
            member.name.as_deref(),
            member.email.as_deref(),
            member.phone.as_deref(),
            Some(&member.member_number),
        ]);
        new_members.push(member);
    }
    conn.write(|conn| insert_batches(conn, &new_members, 1000, 2000, insert_members))?;
    let stored: Vec<MemberRow> = members::table
        .filter(members::institution_id.eq(institution_id))
        .order(members::id.asc())
        .select(MemberRow::as_select())
        .load(conn)?;

    let mut rows = Vec::with_capacity(lead_count);
    for number in 0..lead_count {
        let member = &stored[rng.gen_range(0..stored.len())];
        let item = &items[rng.gen_range(0..items.len())];
        let created_at: NaiveDateTime = now - Duration::seconds(rng.gen_range(0..3 * 365 * 86_400));
        let updated_at = (created_at + Duration::seconds(rng.gen_range(0..30 * 86_400))).min(now);
        let amount_cents = (item.kind == "product").then(|| rng.gen_range(1_000..500_000) * 100);
        let mut row = NewLeadRow {
            reference: format!("B{institution_id:02}{number:07}"),
            status: pick_status(rng).into(),
            archived: rng.gen_bool(0.05),
            assignee_id: rng.gen_bool(0.1).then_some(assignee),
            channel: CHANNELS[rng.gen_range(0..CHANNELS.len())].into(),
            amount_cents,
            term_months: amount_cents.map(|_| 60),
            answers: r#"{"purpose":{"value":"consolidation","source":"applicant"}}"#.into(),
            progress_step: Some("employment".into()),
            progress_percent: rng.gen_range(0..=100),
            last_activity_at: updated_at,
            updated_at,
            ..NewLeadRow::new(
                member,
                item.id,
                LeadStatus::Submitted,
                Channel::PublicLink,
                created_at,
            )
        };
        row.derive_columns();
        rows.push(row);
    }
    conn.write(|conn| insert_batches(conn, &rows, 1000, 2000, insert_leads))
}
