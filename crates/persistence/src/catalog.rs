//! Catalog items: the products and services an institution offers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use leads_domain::CatalogKind;
use serde_json::json;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::catalog_items;
use crate::time::now;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = catalog_items)]
pub struct CatalogItemRow {
    pub id: i64,
    pub institution_id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub product_type: Option<String>,
    pub description: String,
    pub form: String,
    pub active: bool,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

impl CatalogItemRow {
    pub fn kind(&self) -> Result<CatalogKind, StoreError> {
        CatalogKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("catalog kind {}", self.kind)))
    }
}

/// An item every new institution starts with.
struct DefaultItem {
    slug: &'static str,
    name: &'static str,
    kind: CatalogKind,
    product_type: Option<&'static str>,
    description: &'static str,
    form: fn() -> serde_json::Value,
}

const DEFAULT_ITEMS: &[DefaultItem] = &[
    DefaultItem {
        slug: "personal-loan",
        name: "Personal Loan",
        kind: CatalogKind::Product,
        product_type: Some("personal_loan"),
        description: "An unsecured loan for any purpose, with a fixed rate and term.",
        form: loan_form,
    },
    DefaultItem {
        slug: "auto-loan",
        name: "Auto Loan",
        kind: CatalogKind::Product,
        product_type: Some("auto_loan"),
        description: "Financing for a new or used vehicle, or a refinance.",
        form: loan_form,
    },
    DefaultItem {
        slug: "heloc",
        name: "Home Equity Line of Credit",
        kind: CatalogKind::Product,
        product_type: Some("heloc"),
        description: "A revolving line of credit secured by the equity in a home.",
        form: loan_form,
    },
    DefaultItem {
        slug: "credit-card",
        name: "Credit Card",
        kind: CatalogKind::Product,
        product_type: Some("credit_card"),
        description: "A card with a credit limit set from the application.",
        form: loan_form,
    },
    DefaultItem {
        slug: "mortgage",
        name: "Mortgage",
        kind: CatalogKind::Product,
        product_type: Some("mortgage"),
        description: "A loan to buy, improve or refinance a home.",
        form: loan_form,
    },
    DefaultItem {
        slug: "change-of-address",
        name: "Change of Address",
        kind: CatalogKind::Service,
        product_type: None,
        description: "Tell us where you live now.",
        form: address_form,
    },
    DefaultItem {
        slug: "lost-card",
        name: "Report a Lost Card",
        kind: CatalogKind::Service,
        product_type: None,
        description: "Block a lost or stolen card and order a replacement.",
        form: lost_card_form,
    },
    DefaultItem {
        slug: "travel-notice",
        name: "Travel Notice",
        kind: CatalogKind::Service,
        product_type: None,
        description: "Let us know where and when you travel, so your card keeps working.",
        form: travel_form,
    },
];

fn loan_form() -> serde_json::Value {
    json!({
    "protection": {
        "provider": "TruStage",
        "title": "Payment protection",
        "description": "Optional coverage that can pay your loan if you die, become disabled \
                        or lose your job. Tell us if you would like to hear more; it does not \
                        affect the decision on your loan."
    },
    "steps": [
        {"key": "loan", "title": "Your loan", "fields": [
            {"key": "amount", "type": "money", "label": "Amount", "required": true, "min": 500},
            {"key": "term_months", "type": "number", "label": "Term in months", "required": true,
             "whole": true,
             "min": 6, "max": 360},
            {"key": "purpose", "type": "text", "label": "Purpose", "required": false}
        ]},
        {"key": "employment", "title": "Employment and income", "fields": [
            {"key": "employer", "type": "text", "label": "Employer", "required": false},
            {"key": "annual_income", "type": "money", "label": "Annual income", "required": true}
        ]},
        {"key": "housing", "title": "Housing", "fields": [
            {"key": "housing", "type": "select", "label": "Housing", "required": true,
             "options": ["own", "rent", "other"]},
            {"key": "monthly_housing_payment", "type": "money", "label": "Monthly payment",
             "required": false}
        ]}
    ]})
}

fn address_form() -> serde_json::Value {
    json!({"steps": [
        {"key": "address", "title": "New address", "fields": [
            {"key": "new_address", "type": "address", "label": "New address", "required": true},
            {"key": "effective_date", "type": "date", "label": "Effective date", "required": true}
        ]}
    ]})
}

fn lost_card_form() -> serde_json::Value {
    json!({"steps": [
        {"key": "card", "title": "Your card", "fields": [
            {"key": "card_last4", "type": "text", "label": "Last four digits", "required": true,
             "pattern": "^[0-9]{4}$"},
            {"key": "lost_on", "type": "date", "label": "When was it lost", "required": true}
        ]}
    ]})
}

fn travel_form() -> serde_json::Value {
    json!({"steps": [
        {"key": "trip", "title": "Your trip", "fields": [
            {"key": "destinations", "type": "text", "label": "Destinations", "required": true},
            {"key": "departs_on", "type": "date", "label": "Departure", "required": true},
            {"key": "returns_on", "type": "date", "label": "Return", "required": true}
        ]}
    ]})
}

pub(crate) fn seed_default_catalog(
    conn: &mut DbConnection,
    institution_id: i64,
) -> Result<(), StoreError> {
    let created_at = now();
    for (position, item) in DEFAULT_ITEMS.iter().enumerate() {
        diesel::insert_into(catalog_items::table)
            .values((
                catalog_items::institution_id.eq(institution_id),
                catalog_items::slug.eq(item.slug),
                catalog_items::name.eq(item.name),
                catalog_items::kind.eq(item.kind.as_str()),
                catalog_items::product_type.eq(item.product_type),
                catalog_items::description.eq(item.description),
                catalog_items::form.eq((item.form)().to_string()),
                catalog_items::active.eq(true),
                catalog_items::position.eq(position as i32),
                catalog_items::created_at.eq(created_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    institution_id: i64,
) -> Result<Vec<CatalogItemRow>, StoreError> {
    Ok(catalog_items::table
        .filter(catalog_items::institution_id.eq(institution_id))
        .order((catalog_items::position.asc(), catalog_items::id.asc()))
        .select(CatalogItemRow::as_select())
        .load(conn)?)
}

pub fn find_by_slug(
    conn: &mut DbConnection,
    institution_id: i64,
    slug: &str,
) -> Result<CatalogItemRow, StoreError> {
    Ok(catalog_items::table
        .filter(catalog_items::institution_id.eq(institution_id))
        .filter(catalog_items::slug.eq(slug))
        .select(CatalogItemRow::as_select())
        .first(conn)?)
}

pub fn get(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
) -> Result<CatalogItemRow, StoreError> {
    Ok(catalog_items::table
        .filter(catalog_items::institution_id.eq(institution_id))
        .filter(catalog_items::id.eq(id))
        .select(CatalogItemRow::as_select())
        .first(conn)?)
}

/// The items of an institution with the given ids.
pub fn by_ids(
    conn: &mut DbConnection,
    institution_id: i64,
    ids: &[i64],
) -> Result<Vec<CatalogItemRow>, StoreError> {
    Ok(catalog_items::table
        .filter(catalog_items::institution_id.eq(institution_id))
        .filter(catalog_items::id.eq_any(ids))
        .select(CatalogItemRow::as_select())
        .load(conn)?)
}

/// Replaces an item's form. Answers already given stay on their leads as they are.
pub fn set_form(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
    form: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(
        catalog_items::table
            .filter(catalog_items::institution_id.eq(institution_id))
            .filter(catalog_items::id.eq(id)),
    )
    .set(catalog_items::form.eq(form))
    .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
