//! Operations behind the `leads` subcommands, shared with the tests.

use std::path::Path;

use leads_domain::lead_query::valid_slug;
use leads_domain::{BuiltinRole, Email};
use leads_persistence::institutions::{self, InstitutionRow};
use leads_persistence::users::{self, NewStaffUser, StaffUserRow};
use leads_persistence::{build_pool, run_migrations, DbConnection, Pool, PoolOptions, StoreError};

use crate::auth::password;
use crate::config::Config;

/// Opens the pool and applies pending migrations, creating the data directory for a
/// SQLite database.
pub fn open_database(config: &Config) -> anyhow::Result<Pool> {
    private_dir(&config.data_dir)?;
    // A plain path is created owner-only here; a `file:` URI is left to SQLite.
    let url = &config.database_url;
    if !url.starts_with("postgres") && !url.starts_with("file:") {
        let file = Path::new(&config.database_url);
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            private_dir(parent)?;
        }
        private_file(file)?;
    }
    let pool = build_pool(
        &config.database_url,
        &PoolOptions {
            max_size: config.pool_size,
            connect_timeout: config.db_timeout,
        },
    );
    let mut conn = pool.get()?;
    let applied = run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(migrations.applied = applied, "database migrated");
    }
    Ok(pool)
}

/// Creates a directory readable by the owner only (it holds keys and the database).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates the SQLite file readable by the owner only; SQLite gives its journal files
/// the same permissions.
fn private_file(file: &Path) -> std::io::Result<()> {
    if file.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file).map(drop)
}

pub fn create_institution(
    conn: &mut DbConnection,
    slug: &str,
    name: &str,
) -> anyhow::Result<InstitutionRow> {
    anyhow::ensure!(
        valid_slug(slug),
        "the slug must be lower-case letters, digits and dashes"
    );
    anyhow::ensure!(!name.trim().is_empty(), "the name must not be empty");
    match institutions::create(conn, slug, name.trim()) {
        Err(StoreError::Conflict(_)) => {
            anyhow::bail!("an institution with the slug '{slug}' exists")
        }
        other => Ok(other?),
    }
}

pub fn create_user(
    conn: &mut DbConnection,
    institution: &str,
    email: &str,
    name: Option<&str>,
    role: &str,
    plain_password: &str,
) -> anyhow::Result<StaffUserRow> {
    let email = Email::parse(email).map_err(|reason| anyhow::anyhow!("the email {reason}"))?;
    password::check_strength(plain_password)
        .map_err(|reason| anyhow::anyhow!("the password {reason}"))?;
    let institution = match institutions::find_by_slug(conn, institution) {
        Err(StoreError::NotFound) => anyhow::bail!("no institution has the slug '{institution}'"),
        other => other?,
    };
    if users::role_id(conn, institution.id, role).is_err() {
        let builtin: Vec<&str> = BuiltinRole::ALL.iter().map(|r| r.name()).collect();
        anyhow::bail!("no role '{role}' (built in: {})", builtin.join(", "));
    }
    let hash = password::hash(plain_password)?;
    let name = name.map_or_else(
        || email.as_str().split('@').next().unwrap_or("").to_string(),
        str::to_string,
    );
    let user = NewStaffUser {
        institution_id: institution.id,
        email: email.as_str(),
        name: &name,
        password_hash: &hash,
        role,
    };
    match users::create(conn, &user) {
        Err(StoreError::Conflict(_)) => anyhow::bail!("a staff user with this email exists"),
        other => Ok(other?),
    }
}

/// A random password of 20 letters and digits.
pub fn generate_password() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 20)
}
