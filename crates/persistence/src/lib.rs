//! Storage of Leads: the diesel schema, row types and queries, one code path over SQLite
//! and PostgreSQL.
//!
//! Every query takes the institution id it works within, so no function here can read
//! or change another tenant's rows.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod catalog;
pub mod connection;
pub mod cursor;
pub mod documents;
pub mod error;
pub mod institutions;
pub mod leads;
pub mod members;
pub mod origins;
pub mod outbox;
pub mod products;
pub mod reports;
pub mod requests;
pub mod schema;
pub mod time;
pub mod users;
pub mod views;

pub use connection::{build_pool, run_migrations, DbConnection, Dialect, Pool, PoolOptions};
pub use error::StoreError;

/// Lower-cases and joins the parts a search may match.
pub fn search_text(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
