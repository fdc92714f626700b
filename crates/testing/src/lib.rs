//! Each test gets its own database: a temporary SQLite file, or a fresh PostgreSQL
//! database that is dropped when the test ends.
//!
//! PostgreSQL tests need a server (by default `postgres://postgres@127.0.0.1:5432`,
//! `LEADS_TEST_PG` overrides). Without one they say so and are skipped, except under
//! `CI=true`, where a missing server fails them.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::Rng;

pub fn pg_admin_url() -> String {
    let url = std::env::var("LEADS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    without_tls(&url)
}

/// `url` asking for a connection without TLS, unless it already says how.
///
/// Tests talk to a server on loopback, where TLS protects nothing. It also costs
/// stability: libpq's TLS library frees its global state when the process exits,
/// while the threads of a finished test's server may still be closing connections,
/// and that race can abort the test process after every test has passed.
pub fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
pub enum TestDb {
    Sqlite { dir: tempfile::TempDir, url: String },
    Postgres { name: String, url: String },
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is not reachable outside CI.
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = dir.path().join("leads.db").to_string_lossy().into_owned();
                Some(TestDb::Sqlite { dir, url })
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let mut admin = match PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(error) if std::env::var("CI").as_deref() != Ok("true") => {
                        eprintln!("PostgreSQL is not reachable at {admin_url} ({error}); skipping this test");
                        return None;
                    }
                    Err(error) => panic!("PostgreSQL is required under CI=true: {error}"),
                };
                let name = format!("leads_test_{:016x}", rand::thread_rng().gen::<u64>());
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create the test database");
                let (path, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
                let base = path.rsplit_once('/').map_or(path, |(b, _)| b);
                let url = format!("{base}/{name}?{query}");
                Some(TestDb::Postgres { name, url })
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { name, .. } = self {
            if let Ok(mut admin) = PgConnection::establish(&pg_admin_url()) {
                let dropped =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                if let Err(error) = dropped {
                    eprintln!("could not drop the test database {name}: {error}");
                }
            }
        }
    }
}
