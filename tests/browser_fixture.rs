//! What every browser test stands on: a server with the demo's applications and a few
//! leads started by staff, a headless browser on its sign-in page, and a macro that runs
//! a scenario on both databases, saving a screenshot when it fails.

#![allow(dead_code)]

use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::{NewApplicant, NewLead};
use leads_e2e::browser::{self, Browser};
pub use leads_e2e::{Backend, Env, Server};

pub const PASSWORD: &str = "correct horse battery staple";
pub const OWNER: &str = "owner@demo.example.org";
pub const MANAGER: &str = "manager@demo.example.org";
pub const VIEWER: &str = "viewer@demo.example.org";
/// The demo's imported applications are all registered members'.
pub const DEMO_LEADS: usize = 97;

/// A server holding the demo's real applications plus a few started by staff, and a
/// browser on the sign-in page.
pub struct Portal {
    pub browser: Browser,
    pub server: Server,
    pub owner_password: String,
    pub env: Env,
}

impl Portal {
    pub async fn start(backend: Backend) -> anyhow::Result<Option<Self>> {
        if !browser::available() {
            return Ok(None);
        }
        let Some(env) = Env::new(backend) else {
            return Ok(None);
        };
        let demo = env.run(&["demo", "--no-serve"], "")?;
        anyhow::ensure!(demo.status.success(), "demo failed: {demo:?}");
        let printed = String::from_utf8_lossy(&demo.stdout).into_owned();
        let owner_password = printed
            .lines()
            .find_map(|line| line.trim().strip_prefix("Password"))
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| anyhow::anyhow!("no password in {printed}"))?
            .to_string();
        for (email, role) in [(MANAGER, "manager"), (VIEWER, "viewer")] {
            let made = env.create_user("demo", email, role, PASSWORD)?;
            anyhow::ensure!(made.status.success(), "user create failed: {made:?}");
        }
        let server = env.serve(&["serve"])?;

        let tokens = server.client().login(MANAGER, PASSWORD).await?;
        let manager = server.client().with_token(tokens.access_token);
        for (name, item, verified) in [
            ("Wanda Walkin", "personal-loan", false),
            ("Uma Unverified", "personal-loan", false),
            ("Avery Autoloan", "auto-loan", true),
            ("Sally Submitted", "auto-loan", true),
        ] {
            let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
            manager
                .create_lead(&NewLead {
                    item: item.into(),
                    applicant: NewApplicant {
                        name: name.into(),
                        email,
                        phone: None,
                        date_of_birth: None,
                        address: None,
                        ssn: None,
                        authenticated: verified,
                    },
                    amount: Some(15000.0),
                    term_months: None,
                    answers: Default::default(),
                })
                .await?;
        }

        // A borrower's own submission arrives through the applicant's side; here the
        // application is marked submitted in the database.
        {
            use diesel::RunQueryDsl;
            let pool = leads_persistence::build_pool(env.db.url(), &Default::default());
            let mut conn = pool.get()?;
            diesel::sql_query(
                "UPDATE leads SET status = 'submitted' WHERE applicant_name = 'Sally Submitted'",
            )
            .execute(&mut *conn)?;
        }

        let browser = Browser::start(&server.base).await?;
        browser.open("/").await?;
        Ok(Some(Self {
            browser,
            server,
            owner_password,
            env,
        }))
    }

    pub async fn api_total(&self, query: LeadQuery) -> anyhow::Result<i64> {
        let tokens = self.server.client().login(MANAGER, PASSWORD).await?;
        let staff = self.server.client().with_token(tokens.access_token);
        Ok(staff.leads(&query).await?.total)
    }
}

/// Runs a scenario on both databases; a failure saves a screenshot first.
macro_rules! in_the_browser {
    ($scenario:ident) => {
        mod $scenario {
            use super::*;

            async fn run(backend: Backend, name: &str) -> anyhow::Result<()> {
                let Some(portal) = Portal::start(backend).await? else {
                    return Ok(());
                };
                let outcome = super::$scenario(&portal).await;
                if let Err(error) = &outcome {
                    let logged = portal.browser.errors().await.unwrap_or_default();
                    if !logged.is_empty() {
                        eprintln!("{name}: the page logged {logged:#?}");
                    }
                    match portal.browser.screenshot(name).await {
                        Ok(path) => {
                            eprintln!("{name} failed: {error:#}; screenshot {}", path.display())
                        }
                        Err(shot) => eprintln!("{name} failed: {error:#}; no screenshot: {shot}"),
                    }
                }
                let Portal { browser, .. } = portal;
                browser.close().await;
                outcome
            }

            #[tokio::test]
            async fn on_sqlite() -> anyhow::Result<()> {
                run(Backend::Sqlite, concat!(stringify!($scenario), "-sqlite")).await
            }

            #[tokio::test]
            async fn on_postgres() -> anyhow::Result<()> {
                run(
                    Backend::Postgres,
                    concat!(stringify!($scenario), "-postgres"),
                )
                .await
            }
        }
    };
}

/// The member column: the first cell with text (a checkbox cell comes first for users
/// who may work leads).
pub fn names(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            row.iter()
                .find(|c| !c.is_empty())
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

pub fn column(rows: &[Vec<String>], index: usize) -> Vec<String> {
    rows.iter()
        .map(|row| row.get(index).cloned().unwrap_or_default())
        .collect()
}

pub fn dollars(cell: &str) -> Option<f64> {
    cell.trim_start_matches('$').replace(',', "").parse().ok()
}

/// The text of every button on the page.
pub async fn buttons(b: &Browser) -> anyhow::Result<Vec<String>> {
    let found = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('button')).map(x =>
                 Array.from(x.childNodes)
                     .filter(n => !(n.getAttribute && n.getAttribute('aria-hidden')))
                     .map(n => n.textContent).join('').trim());",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

impl Portal {
    /// The link starting with `marker` in a mail the server wrote to its mail directory
    /// (read as the recipient's mail program would, soft line breaks joined), once the
    /// mailer has written it.
    pub async fn mailed_link(&self, marker: &str) -> anyhow::Result<String> {
        let mail_dir = self.env.data_dir.path().join("mail");
        self.browser
            .until(&format!("a mail with {marker}"), || async {
                let Ok(entries) = std::fs::read_dir(&mail_dir) else {
                    return Ok(None);
                };
                for entry in entries.filter_map(Result::ok) {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    let text = text.replace("=\r\n", "").replace("=3D", "=");
                    if let Some(at) = text.find(marker) {
                        let link: String = text[at..]
                            .chars()
                            .take_while(|c| !c.is_whitespace())
                            .collect();
                        return Ok(Some(link));
                    }
                }
                Ok(None)
            })
            .await
    }
}
