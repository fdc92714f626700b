//! Test harness: each test gets its own database (a temporary SQLite file, or a fresh
//! PostgreSQL database dropped afterwards) and its own server on a free port.

#![allow(dead_code)]

pub mod desk;
pub mod multipart;
pub mod proxy;
pub mod public;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use leads_api::keys::Keys;
use leads_api::{admin, AppState, Config};
use leads_client::Client;
use leads_domain::wire::{NewApplicant, NewLead};
use leads_domain::{Channel, LeadStatus};
use leads_persistence::leads::{self, NewLeadRow};
use leads_persistence::members::{self, NewMember};
use leads_persistence::{DbConnection, Pool};

pub const PASSWORD: &str = "correct horse battery staple";

pub use leads_testing::{Backend, TestDb};

/// A running server on its own database.
pub struct TestApp {
    pub client: Client,
    pub base: String,
    pub pool: Pool,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    server: actix_web::dev::ServerHandle,
    pub db: Arc<TestDb>,
}

pub fn test_config(db_url: &str, data_dir: &std::path::Path) -> Config {
    configured(db_url, data_dir, &[])
}

/// The test configuration with some variables set to other values.
fn configured(db_url: &str, data_dir: &std::path::Path, set: &[(&str, &str)]) -> Config {
    let data_dir = data_dir.to_string_lossy().into_owned();
    let url = db_url.to_string();
    let set: Vec<(String, String)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |name| match set.iter().find(|(k, _)| k == name) {
        Some((_, value)) => Some(value.clone()),
        None => match name {
            "LEADS_DATA_DIR" => Some(data_dir.clone()),
            "DATABASE_URL" => Some(url.clone()),
            "LEADS_BIND" => Some("127.0.0.1:0".into()),
            "LEADS_DB_POOL_SIZE" => Some("4".into()),
            "LEADS_DB_TIMEOUT_MS" => Some("1500".into()),
            "LEADS_UPLOAD_LIMIT" => Some("1048576".into()),
            _ => None,
        },
    })
    .expect("test configuration")
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = Arc::new(TestDb::create(backend)?);
        Some(Self::spawn_on(db, None).await)
    }

    /// A server on `db`, reaching it through `database_url` when given (a proxy, say).
    pub async fn spawn_on(db: Arc<TestDb>, database_url: Option<String>) -> Self {
        Self::spawn_serving(db, database_url, None, None, &[]).await
    }

    /// A server whose configuration sets these variables.
    pub async fn spawn_configured(backend: Backend, set: &[(&str, &str)]) -> Option<Self> {
        let db = Arc::new(TestDb::create(backend)?);
        Some(Self::spawn_serving(db, None, None, None, set).await)
    }

    /// A SQLite server that also serves the portal built into `portal_dir`.
    pub async fn spawn_with_portal(portal_dir: &std::path::Path) -> Self {
        Self::spawn_with_pages(portal_dir, None).await
    }

    /// Like `spawn_with_portal`, with the borrower's pages built into `apply_dir`.
    pub async fn spawn_with_pages(
        portal_dir: &std::path::Path,
        apply_dir: Option<&std::path::Path>,
    ) -> Self {
        let db = Arc::new(TestDb::create(Backend::Sqlite).expect("a SQLite database"));
        let load = |dir: &std::path::Path| {
            let pages = leads_api::portal::Portal::load(dir)
                .expect("read the pages")
                .expect("an index.html");
            pages.wait_compressed();
            pages
        };
        let portal = load(portal_dir);
        let borrower = apply_dir.map(load);
        Self::spawn_serving(db, None, Some(portal), borrower, &[]).await
    }

    async fn spawn_serving(
        db: Arc<TestDb>,
        database_url: Option<String>,
        portal: Option<leads_api::portal::Portal>,
        borrower: Option<leads_api::portal::Portal>,
        set: &[(&str, &str)],
    ) -> Self {
        let data_dir = tempfile::tempdir().expect("data directory");
        let config = configured(db.url(), data_dir.path(), set);
        let pool = admin::open_database(&config).expect("open the test database");
        let served = match database_url {
            Some(url) => {
                let config = test_config(&url, data_dir.path());
                leads_persistence::build_pool(
                    &url,
                    &leads_persistence::PoolOptions {
                        max_size: config.pool_size,
                        connect_timeout: config.db_timeout,
                    },
                )
            }
            None => pool.clone(),
        };
        let keys = Keys::load(&config).expect("keys");
        let state = AppState::new(served, keys, config)
            .with_portal(portal)
            .with_borrower_pages(borrower);
        let (server, address) = leads_api::start(state.clone(), Some(1)).expect("start the server");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let base = format!("http://{address}");
        Self {
            client: Client::new(&base),
            base,
            pool,
            state,
            data_dir,
            server: handle,
            db,
        }
    }

    pub fn conn(&self) -> leads_persistence::connection::PooledConnection {
        self.pool.get().expect("a database connection")
    }

    /// The id of an institution made before.
    pub fn institution_id(&self, slug: &str) -> i64 {
        leads_persistence::institutions::find_by_slug(&mut self.conn(), slug)
            .expect("the institution")
            .id
    }

    /// Sends `method` to `path` as `email` (signed in afresh), with `If-Match` when given,
    /// and answers the status.
    pub async fn raw_status(
        &self,
        email: &str,
        method: &str,
        path: &str,
        if_match: Option<&str>,
    ) -> u16 {
        let tokens = self.client.login(email, PASSWORD).await.expect("sign in");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(tokens.access_token);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.expect("an answer").status().as_u16()
    }

    /// GETs `path` as `email`: the status, the content type and the body.
    pub async fn raw_get(&self, email: &str, path: &str) -> (u16, String, String) {
        let tokens = self.client.login(email, PASSWORD).await.expect("sign in");
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(tokens.access_token)
            .send()
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        let kind = header(&response, "content-type").unwrap_or_default();
        (status, kind, response.text().await.expect("a body"))
    }

    /// Sends `body` to `path` with `method` as `email`: the status and the body's text.
    pub async fn raw_send(
        &self,
        method: reqwest::Method,
        email: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, String) {
        let tokens = self.client.login(email, PASSWORD).await.expect("sign in");
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(tokens.access_token)
            .json(body)
            .send()
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// POSTs `body` to `path` as `email`: the status and the body's text.
    pub async fn raw_post(
        &self,
        email: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, String) {
        self.raw_send(reqwest::Method::POST, email, path, body)
            .await
    }

    /// PATCHes `body` to `path` as `email`: the status and the body's text.
    pub async fn raw_patch(
        &self,
        email: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, String) {
        self.raw_send(reqwest::Method::PATCH, email, path, body)
            .await
    }

    /// PUTs `body` to `path` as `email`: the status and the body's text.
    pub async fn raw_put(
        &self,
        email: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, String) {
        self.raw_send(reqwest::Method::PUT, email, path, body).await
    }

    /// POSTs `body` to `path` as `email`, expecting success, and reads the answer.
    pub async fn raw_post_json<T: serde::de::DeserializeOwned>(
        &self,
        email: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<T> {
        let (status, text) = self.raw_post(email, path, body).await;
        anyhow::ensure!(status == 200, "{status}: {text}");
        Ok(serde_json::from_str(&text)?)
    }

    /// GETs `path` as `email` and answers the JSON body.
    pub async fn raw_json(&self, email: &str, path: &str) -> serde_json::Value {
        let tokens = self.client.login(email, PASSWORD).await.expect("sign in");
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(tokens.access_token)
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON")
    }

    pub fn institution(&self, slug: &str) -> i64 {
        admin::create_institution(&mut self.conn(), slug, &format!("{slug} credit union"))
            .expect("create institution")
            .id
    }

    /// Creates a staff user and returns a client signed in as them.
    pub async fn staff(&self, institution: &str, email: &str, role: &str) -> Client {
        admin::create_user(&mut self.conn(), institution, email, None, role, PASSWORD)
            .expect("create user");
        let tokens = self.client.login(email, PASSWORD).await.expect("sign in");
        self.client.with_token(tokens.access_token)
    }
}

impl Drop for TestApp {
    /// Stops the test's server with the test, rather than at the end of the process.
    fn drop(&mut self) {
        actix_web::rt::spawn(self.server.stop(false));
    }
}

/// A lead written straight to the database, for tests of reading.
#[derive(Debug, Clone)]
pub struct Seed {
    pub item: &'static str,
    pub name: String,
    pub status: &'static str,
    pub registered: bool,
    pub archived: bool,
    pub amount_cents: Option<i64>,
    pub channel: &'static str,
    pub assignee: Option<i64>,
    pub phone: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Seed {
    pub fn new(name: &str) -> Self {
        Self {
            item: "personal-loan",
            name: name.into(),
            status: "submitted",
            registered: true,
            archived: false,
            amount_cents: Some(1_000_000),
            channel: "public_link",
            assignee: None,
            phone: None,
            created_at: leads_persistence::time::now(),
        }
    }
}

impl TestApp {
    /// Writes a member and their lead; returns the lead's id.
    pub fn seed(&self, institution_id: i64, seed: Seed) -> i64 {
        let mut conn = self.conn();
        seed_lead(&mut conn, institution_id, seed)
    }
}

pub fn seed_lead(conn: &mut DbConnection, institution_id: i64, seed: Seed) -> i64 {
    let item = leads_persistence::catalog::find_by_slug(conn, institution_id, seed.item)
        .expect("catalog item");
    let email = format!("{}@example.org", seed.name.to_lowercase().replace(' ', "."));
    let mut member = NewMember::new(institution_id, Some(seed.name.clone()), Some(email.clone()));
    member.registered = seed.registered;
    let member = members::insert(conn, member).expect("member");
    let row = leads::insert(
        conn,
        NewLeadRow {
            archived: seed.archived,
            assignee_id: seed.assignee,
            channel: seed.channel.into(),
            status: seed.status.into(),
            amount_cents: seed.amount_cents,
            applicant_phone: seed.phone.clone(),
            ..NewLeadRow::new(
                &member,
                item.id,
                LeadStatus::Submitted,
                Channel::PublicLink,
                seed.created_at,
            )
        },
    )
    .expect("lead");
    row.id
}

/// A lead body with sensible values; tests change what they look at.
pub fn new_lead(item: &str, name: &str, email: &str) -> NewLead {
    NewLead {
        item: item.into(),
        applicant: NewApplicant {
            name: name.into(),
            email: email.into(),
            phone: None,
            date_of_birth: None,
            address: None,
            ssn: None,
            authenticated: true,
        },
        amount: None,
        term_months: None,
        answers: serde_json::Map::new(),
    }
}

/// A response header as text, when present.
pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?;
    Some(value.to_string())
}

/// The media type of a response, without parameters such as `charset`.
pub fn media_type(response: &reqwest::Response) -> String {
    let value = header(response, "content-type").unwrap_or_default();
    value.split(';').next().unwrap_or("").trim().to_string()
}

impl TestApp {
    /// The newest message in the outbox of `institution` to `recipient`, as sent: its
    /// subject and its body unsealed.
    pub fn mail_to(&self, institution: &str, recipient: &str) -> Option<(String, String)> {
        let id = self.institution_id(institution);
        let sent = leads_persistence::outbox::list(&mut self.conn(), id, None, None, 200)
            .expect("the outbox");
        let mail = sent.into_iter().find(|m| m.recipient == recipient)?;
        let body = self
            .state
            .keys
            .cipher
            .decrypt(&mail.body)
            .expect("a sealed body");
        Some((mail.subject, body))
    }
}

/// The token that follows `marker` in a message.
pub fn token_after(body: &str, marker: &str) -> Option<String> {
    let at = body.find(marker)?;
    Some(
        body[at + marker.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

/// Waits until `check` holds or the time is up.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Runs the test function `$name(app: TestApp)` twice, once on SQLite and once on
/// PostgreSQL, each on a fresh database and server.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[actix_web::test]
            async fn on_sqlite() -> anyhow::Result<()> {
                let app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                super::$name(app).await
            }

            #[actix_web::test]
            async fn on_postgres() -> anyhow::Result<()> {
                match $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => Ok(()),
                }
            }
        }
    };
}
