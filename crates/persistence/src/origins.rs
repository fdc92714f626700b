//! The web origins allowed to embed an institution's application pages.

use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{embed_origins, institutions};

/// The institution's allowed origins, in order.
pub fn of_institution(
    conn: &mut DbConnection,
    institution_id: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(embed_origins::table
        .filter(embed_origins::institution_id.eq(institution_id))
        .order(embed_origins::origin.asc())
        .select(embed_origins::origin)
        .load(conn)?)
}

/// The allowed origins of the institution with `slug` (none for an unknown slug).
pub fn of_slug(conn: &mut DbConnection, slug: &str) -> Result<Vec<String>, StoreError> {
    Ok(embed_origins::table
        .inner_join(institutions::table.on(institutions::id.eq(embed_origins::institution_id)))
        .filter(institutions::slug.eq(slug))
        .order(embed_origins::origin.asc())
        .select(embed_origins::origin)
        .load(conn)?)
}

/// Whether any institution allows `origin`.
pub fn anyone_allows(conn: &mut DbConnection, origin: &str) -> Result<bool, StoreError> {
    let found: i64 = embed_origins::table
        .filter(embed_origins::origin.eq(origin))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Replaces the institution's allowed origins with `origins`.
pub fn replace(
    conn: &mut DbConnection,
    institution_id: i64,
    origins: &[String],
) -> Result<(), StoreError> {
    diesel::delete(embed_origins::table.filter(embed_origins::institution_id.eq(institution_id)))
        .execute(conn)?;
    let at = crate::time::now();
    for origin in origins {
        diesel::insert_into(embed_origins::table)
            .values((
                embed_origins::institution_id.eq(institution_id),
                embed_origins::origin.eq(origin),
                embed_origins::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
