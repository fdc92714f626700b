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
    std::env::var("LEADS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
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
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                let url = format!("{base}/{name}");
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
