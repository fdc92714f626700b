//! One connection type over SQLite and PostgreSQL, its pool, and the migrations.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::StoreError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to whichever database the deployment uses.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }
}

/// SQLite settings applied to every new connection: write-ahead logging so readers
/// never wait for the writer, a busy timeout so concurrent writers queue instead of
/// failing, foreign keys enforced, and the file memory-mapped (up to 1 GiB of address
/// space, shared by all connections through the page cache) with a 16 MiB cache per
/// connection, so that the leads table does not read through system calls.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 5000; \
     PRAGMA foreign_keys = ON; \
     PRAGMA synchronous = NORMAL; \
     PRAGMA mmap_size = 1073741824; \
     PRAGMA cache_size = -16384;";

/// Opens connections of the dialect the URL names and reports the real reason when a
/// connection fails (diesel's own `establish` on the enum only says the URL is invalid).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    dialect: Dialect,
}

impl Manager {
    pub fn new(url: &str) -> Self {
        let url = url.strip_prefix("sqlite://").unwrap_or(url).to_string();
        Self {
            dialect: Dialect::of_url(&url),
            url,
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match self.dialect {
            Dialect::Postgres => PgConnection::establish(&self.url).map(DbConnection::Pg),
            Dialect::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection whose server went away is dropped here when it returns to the
        // pool, so the pool reconnects once the database is back.
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// Pool settings that matter to operators.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 8,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the pool without waiting for a first connection, so that a server can start
/// (and answer 503) while its database is down.
pub fn build_pool(url: &str, options: &PoolOptions) -> Pool {
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.connect_timeout)
        .test_on_check_out(false)
        .build_unchecked(Manager::new(url))
}

/// Applies every migration not yet applied, in the dialect of the connection.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let applied = match conn {
        DbConnection::Pg(pg) => pg.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(lite) => lite.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.len())
}

impl DbConnection {
    pub fn dialect(&self) -> Dialect {
        match self {
            DbConnection::Pg(_) => Dialect::Postgres,
            DbConnection::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Runs `work` in a transaction that takes the write lock at once on SQLite, so that
    /// read-then-write transactions do not fail under contention. An error from `work`
    /// rolls everything back.
    pub fn write<T, E>(
        &mut self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError> + From<diesel::result::Error>,
    {
        if !matches!(self, DbConnection::Sqlite(_)) {
            return self.transaction(work);
        }
        // diesel's own transaction manager opens the transaction, so that nested
        // transactions (such as batch inserts) become savepoints inside it.
        if let DbConnection::Sqlite(lite) = self {
            AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")
                .map_err(StoreError::from)?;
        }
        let result = work(self);
        let DbConnection::Sqlite(lite) = self else {
            return result;
        };
        match result {
            Ok(value) => match AnsiTransactionManager::commit_transaction(lite) {
                Ok(()) => Ok(value),
                Err(error) => {
                    if let Err(rollback) = AnsiTransactionManager::rollback_transaction(lite) {
                        tracing::error!(error.cause = %rollback, "rollback failed");
                    }
                    Err(StoreError::from(error).into())
                }
            },
            Err(error) => {
                if let Err(rollback) = AnsiTransactionManager::rollback_transaction(lite) {
                    tracing::error!(error.cause = %rollback, "rollback failed");
                }
                Err(error)
            }
        }
    }
}
