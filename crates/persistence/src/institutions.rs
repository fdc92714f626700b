//! Institutions (tenants), created with their built-in roles and default catalog.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use leads_domain::BuiltinRole;

use crate::catalog::seed_default_catalog;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{institutions, role_permissions, roles};
use crate::time::now;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = institutions)]
pub struct InstitutionRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

/// Creates an institution with the roles `owner`, `manager` and `viewer` and the
/// default products and services. Fails with `Conflict` when the slug is taken.
pub fn create(
    conn: &mut DbConnection,
    slug: &str,
    name: &str,
) -> Result<InstitutionRow, StoreError> {
    conn.write(|conn| {
        let created_at = now();
        diesel::insert_into(institutions::table)
            .values((
                institutions::slug.eq(slug),
                institutions::name.eq(name),
                institutions::created_at.eq(created_at),
            ))
            .execute(conn)?;
        let institution = find_by_slug(conn, slug)?;

        for role in BuiltinRole::ALL {
            diesel::insert_into(roles::table)
                .values((
                    roles::institution_id.eq(institution.id),
                    roles::name.eq(role.name()),
                    roles::builtin.eq(true),
                ))
                .execute(conn)?;
            let role_id: i64 = roles::table
                .filter(roles::institution_id.eq(institution.id))
                .filter(roles::name.eq(role.name()))
                .select(roles::id)
                .first(conn)?;
            for permission in role.permissions() {
                diesel::insert_into(role_permissions::table)
                    .values((
                        role_permissions::institution_id.eq(institution.id),
                        role_permissions::role_id.eq(role_id),
                        role_permissions::permission.eq(permission.as_str()),
                    ))
                    .execute(conn)?;
            }
        }

        seed_default_catalog(conn, institution.id)?;
        Ok(institution)
    })
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<InstitutionRow, StoreError> {
    Ok(institutions::table
        .filter(institutions::slug.eq(slug))
        .select(InstitutionRow::as_select())
        .first(conn)?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<InstitutionRow, StoreError> {
    Ok(institutions::table
        .find(id)
        .select(InstitutionRow::as_select())
        .first(conn)?)
}
