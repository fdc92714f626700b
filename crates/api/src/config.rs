//! Configuration, read once at start from environment variables. Every variable is
//! documented in the README with its default; nothing is needed for a first run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A value that must never reach a log line.
#[derive(Clone, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite database and generated keys live.
    pub data_dir: PathBuf,
    /// A `postgres://` URL, or a SQLite file path; the SQLite file in `data_dir` by default.
    pub database_url: String,
    pub bind: SocketAddr,
    pub pool_size: u32,
    pub db_timeout: Duration,
    /// Base64 of at least 32 bytes; generated into `data_dir` when absent.
    pub jwt_secret: Option<Secret>,
    /// Base64 of exactly 32 bytes; generated into `data_dir` when absent.
    pub encryption_key: Option<Secret>,
    pub issuer: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub json_limit: usize,
    /// The built lender portal, served at `/` when it holds an `index.html`.
    pub portal_dir: PathBuf,
    /// The built borrower's pages, served for `/apply/` and `/respond/`.
    pub apply_dir: PathBuf,
    /// The address applicants reach the product at, for links in mail; by default the
    /// address the staff member who caused the mail used.
    pub public_url: Option<String>,
    /// `smtp://` or `smtps://`, `[user:password@]host[:port]`, `?tls=required` for
    /// STARTTLS; without it, mail is written as `.eml` files
    /// under `data_dir/mail`.
    pub smtp_url: Option<Secret>,
    /// Certificate authorities (PEM) trusted for the relay besides the system's.
    pub smtp_ca_file: Option<PathBuf>,
    pub mail_from: String,
    /// How long a link in a request to an applicant works.
    pub request_link_ttl: Duration,
    /// The largest document accepted, in bytes.
    pub upload_limit: usize,
    /// How long an applicant's token works.
    pub applicant_token_ttl: Duration,
    /// How many applications one address may start in ten minutes.
    pub start_limit: u32,
    /// Proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: Vec<crate::client_address::Network>,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests can pass their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(lookup("LEADS_DATA_DIR").unwrap_or_else(|| "./data".into()));
        // A SQLite database is named by its path, with or without `sqlite://`.
        let database_url = lookup("DATABASE_URL")
            .map(|url| {
                url.strip_prefix("sqlite://")
                    .map_or(url.clone(), str::to_string)
            })
            .unwrap_or_else(|| data_dir.join("leads.db").to_string_lossy().into_owned());
        let bind: SocketAddr = parse(&lookup, "LEADS_BIND", "127.0.0.1:8080")?;
        Ok(Self {
            database_url,
            bind,
            public_url: lookup("LEADS_PUBLIC_URL")
                .map(|url| {
                    let url = url.trim_end_matches('/').to_string();
                    let web = url.starts_with("https://") || url.starts_with("http://");
                    if web && !url.contains(char::is_whitespace) {
                        Ok(url)
                    } else {
                        Err(ConfigError {
                            name: "LEADS_PUBLIC_URL",
                            reason: format!("'{url}' is not an http:// or https:// address"),
                        })
                    }
                })
                .transpose()?,
            pool_size: parse(&lookup, "LEADS_DB_POOL_SIZE", "8")?,
            db_timeout: Duration::from_millis(parse(&lookup, "LEADS_DB_TIMEOUT_MS", "5000")?),
            jwt_secret: lookup("LEADS_JWT_SECRET").map(Secret),
            encryption_key: lookup("LEADS_ENCRYPTION_KEY").map(Secret),
            issuer: lookup("LEADS_ISSUER").unwrap_or_else(|| "leads".into()),
            access_token_ttl: Duration::from_secs(parse(&lookup, "LEADS_ACCESS_TOKEN_TTL", "900")?),
            refresh_token_ttl: Duration::from_secs(parse(
                &lookup,
                "LEADS_REFRESH_TOKEN_TTL",
                "2592000",
            )?),
            json_limit: parse(&lookup, "LEADS_JSON_LIMIT", "1048576")?,
            portal_dir: PathBuf::from(
                lookup("LEADS_PORTAL_DIR").unwrap_or_else(|| "frontend/dist".into()),
            ),
            apply_dir: PathBuf::from(
                lookup("LEADS_APPLY_DIR").unwrap_or_else(|| "frontend/dist-apply".into()),
            ),
            smtp_url: lookup("LEADS_SMTP_URL").map(Secret),
            smtp_ca_file: lookup("LEADS_SMTP_CA_FILE").map(PathBuf::from),
            mail_from: lookup("LEADS_MAIL_FROM")
                .unwrap_or_else(|| "Leads <no-reply@leads.invalid>".into()),
            request_link_ttl: Duration::from_secs(
                3600 * within(&lookup, "LEADS_REQUEST_LINK_HOURS", "72", 1, 24 * 366)?,
            ),
            upload_limit: usize::try_from(within(
                &lookup,
                "LEADS_UPLOAD_LIMIT",
                "20971520",
                1024,
                1 << 30,
            )?)
            .unwrap_or(usize::MAX),
            applicant_token_ttl: Duration::from_secs(within(
                &lookup,
                "LEADS_APPLICANT_TOKEN_TTL",
                "2592000",
                60,
                366 * 86_400,
            )?),
            start_limit: u32::try_from(within(&lookup, "LEADS_START_LIMIT", "30", 1, 100_000)?)
                .unwrap_or(u32::MAX),
            trusted_proxies: crate::client_address::parse_list(
                &lookup("LEADS_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|reason| ConfigError {
                name: "LEADS_TRUSTED_PROXIES",
                reason,
            })?,
            data_dir,
        })
    }
}

/// A whole number between `low` and `high`.
fn within(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
    low: u64,
    high: u64,
) -> Result<u64, ConfigError> {
    let value: u64 = parse(lookup, name, default)?;
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError {
            name,
            reason: format!("{value} is not between {low} and {high}"),
        })
    }
}

fn parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = lookup(name).unwrap_or_else(|| default.to_string());
    raw.parse().map_err(|e: T::Err| ConfigError {
        name,
        reason: format!("'{raw}' is not valid: {e}"),
    })
}
