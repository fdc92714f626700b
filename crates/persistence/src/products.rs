//! Products members hold, created when a lead is converted.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::held_products;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = held_products)]
pub struct HeldProductRow {
    pub id: i64,
    pub institution_id: i64,
    pub member_id: i64,
    pub lead_id: Option<i64>,
    pub product_type: String,
    pub amount_cents: Option<i64>,
    pub rate_bps: Option<i32>,
    pub term_months: Option<i32>,
    pub opened_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = held_products)]
pub struct NewHeldProduct {
    pub institution_id: i64,
    pub member_id: i64,
    pub lead_id: Option<i64>,
    pub product_type: String,
    pub amount_cents: Option<i64>,
    pub rate_bps: Option<i32>,
    pub term_months: Option<i32>,
    pub opened_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, product: &NewHeldProduct) -> Result<(), StoreError> {
    diesel::insert_into(held_products::table)
        .values(product)
        .execute(conn)?;
    Ok(())
}

pub fn of_member(
    conn: &mut DbConnection,
    institution_id: i64,
    member_id: i64,
) -> Result<Vec<HeldProductRow>, StoreError> {
    Ok(held_products::table
        .filter(held_products::institution_id.eq(institution_id))
        .filter(held_products::member_id.eq(member_id))
        .order(held_products::id.desc())
        .select(HeldProductRow::as_select())
        .load(conn)?)
}

pub fn of_lead(
    conn: &mut DbConnection,
    institution_id: i64,
    lead_id: i64,
) -> Result<Option<HeldProductRow>, StoreError> {
    Ok(held_products::table
        .filter(held_products::institution_id.eq(institution_id))
        .filter(held_products::lead_id.eq(lead_id))
        .select(HeldProductRow::as_select())
        .first(conn)
        .optional()?)
}
