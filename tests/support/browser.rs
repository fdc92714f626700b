//! Headless Chromium driven through ChromeDriver, against the real server serving the
//! real built portal. Elements are found the way a user finds them: by their accessible
//! name (an `aria-label`, the text of their label, or their own text).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long a user-visible change may take before a step fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The built portal the server is pointed at.
pub fn portal_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("frontend")
        .join("dist")
}

/// The built borrower's pages the server is pointed at.
pub fn apply_dir() -> PathBuf {
    portal_dir().with_file_name("dist-apply")
}

fn chromium() -> String {
    std::env::var("LEADS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver() -> String {
    std::env::var("LEADS_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// Whether browser tests can run here. Outside CI a missing browser or an unbuilt portal
/// skips them with a note; under `CI=true` it fails them.
pub fn available() -> bool {
    let mut missing = Vec::new();
    if !portal_dir().join("index.html").is_file() || !apply_dir().join("index.html").is_file() {
        missing.push("the built portal (run scripts/build-portal)".to_string());
    }
    for tool in [chromium(), chromedriver()] {
        if !PathBuf::from(&tool).is_file() {
            missing.push(format!("{tool} (run scripts/setup-frontend)"));
        }
    }
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "browser tests need {missing:?} under CI=true"
    );
    eprintln!("skipping a browser test: missing {missing:?}");
    false
}

/// A browser session, with its driver process and profile folder, ended when dropped.
pub struct Browser {
    pub client: Client,
    pub base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Finds the element with an accessible name among those `selector` matches, marks it
/// with a fresh attribute and answers the attribute's value (or null).
const FIND_BY_NAME: &str = r#"
const [name, selector] = arguments;
const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
const spoken = (node) => {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE || node.getAttribute('aria-hidden') === 'true') return '';
  return Array.from(node.childNodes).map(spoken).join('');
};
const nameOf = (el) => {
  const aria = el.getAttribute('aria-label');
  if (aria) return clean(aria);
  if (el.labels && el.labels.length) return clean(spoken(el.labels[0]));
  if (el.matches('a, button, summary, [role="button"], [role="link"], [role="tab"]')) return clean(spoken(el));
  const legend = el.matches('fieldset') && el.querySelector('legend');
  if (legend) return clean(spoken(legend));
  if (el.matches('table') && el.caption) return clean(spoken(el.caption));
  return '';
};
const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
for (const el of document.querySelectorAll(selector)) {
  if (shown(el) && nameOf(el) === name) {
    window.__found = (window.__found || 0) + 1;
    el.setAttribute('data-found', String(window.__found));
    return String(window.__found);
  }
}
return null;
"#;

/// Keeps what the page writes to `console.error` (a panic of the portal lands there),
/// so that a failing test can say it.
const WATCH_ERRORS: &str = r#"
if (!window.__errors) {
  window.__errors = [];
  const original = console.error;
  console.error = (...args) => {
    window.__errors.push(args.map(String).join(' '));
    original(...args);
  };
  window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
}
"#;

const CONTROLS: &str = "a, button, summary, input, select, textarea, table, fieldset, [role]";

impl Browser {
    /// Starts ChromeDriver on a free port and a headless Chromium session at 1280×900.
    pub async fn start(base: &str) -> anyhow::Result<Self> {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            listener.local_addr()?.port()
        };
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let profile = tempfile::tempdir()?;
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--disable-extensions", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let Value::Object(capabilities) = capabilities else {
            anyhow::bail!("capabilities are an object");
        };
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => anyhow::bail!("ChromeDriver did not start a session: {error}"),
            }
        };
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            driver,
            _profile: profile,
        })
    }

    pub async fn open(&self, path: &str) -> anyhow::Result<()> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// The path and query shown in the address bar.
    pub async fn address(&self) -> anyhow::Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// Waits until `check` answers `Some`, or fails saying what was awaited.
    pub async fn until<T, F, Fut>(&self, what: &str, mut check: F) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
    {
        let started = Instant::now();
        loop {
            if let Some(found) = check().await? {
                return Ok(found);
            }
            if started.elapsed() > PATIENCE {
                anyhow::bail!("waited {PATIENCE:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible control whose accessible name is `name`, once it is there.
    pub async fn control(&self, name: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.named(name, CONTROLS).await
    }

    /// Like `control`, among the elements `selector` matches.
    pub async fn named(
        &self,
        name: &str,
        selector: &str,
    ) -> anyhow::Result<fantoccini::elements::Element> {
        self.client.execute(WATCH_ERRORS, vec![]).await?;
        let mark = self
            .until(&format!("an element named {name:?}"), || async {
                let found = self
                    .client
                    .execute(FIND_BY_NAME, vec![json!(name), json!(selector)])
                    .await?;
                Ok(found.as_str().map(str::to_string))
            })
            .await?;
        let selector = format!("[data-found=\"{mark}\"]");
        // Centred, so that the sticky header never covers what is clicked.
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
                vec![json!(selector)],
            )
            .await?;
        Ok(self.client.find(Locator::Css(&selector)).await?)
    }

    /// Whether a visible control named `name` is on the page now.
    pub async fn has_control(&self, name: &str) -> anyhow::Result<bool> {
        let found = self
            .client
            .execute(FIND_BY_NAME, vec![json!(name), json!(CONTROLS)])
            .await?;
        Ok(!found.is_null())
    }

    pub async fn click(&self, name: &str) -> anyhow::Result<()> {
        self.control(name).await?.click().await?;
        Ok(())
    }

    /// Replaces the text of the field named `name`.
    pub async fn fill(&self, name: &str, text: &str) -> anyhow::Result<()> {
        let field = self.control(name).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Chooses the option with visible text `choice` in the select named `name`, once the
    /// option is there (options may arrive after the select).
    pub async fn choose(&self, name: &str, choice: &str) -> anyhow::Result<()> {
        let select = self.control(name).await?;
        self.until(&format!("the option {choice:?} in {name:?}"), || async {
            Ok(select.select_by_label(choice).await.ok())
        })
        .await
    }

    /// The text of each cell of each body row of the table named `name`; a cell holding
    /// a link reads as the link's text, and the cells of row checkboxes are left out.
    pub async fn rows(&self, name: &str) -> anyhow::Result<Vec<Vec<String>>> {
        let table = self.named(name, "table").await?;
        let mark = table.attr("data-found").await?.unwrap_or_default();
        let rows = self
            .client
            .execute(
                "const t = document.querySelector(`[data-found=\"${arguments[0]}\"]`);
                 return Array.from(t.tBodies[0].rows).map(r =>
                     Array.from(r.cells).filter(c => !c.classList.contains('select')).map(c => (c.querySelector('a') || c).innerText.replace(/\\s+/g, ' ').trim()));",
                vec![json!(mark)],
            )
            .await?;
        Ok(serde_json::from_value(rows)?)
    }

    /// Waits until the table named `name` has rows and no request is pending, then
    /// answers them.
    pub async fn settled_rows(&self, name: &str) -> anyhow::Result<Vec<Vec<String>>> {
        self.until(&format!("rows in the table {name:?}"), || async {
            let busy = self
                .client
                .execute(
                    "return !!document.querySelector('[aria-busy=\"true\"]');",
                    vec![],
                )
                .await?;
            if busy.as_bool() == Some(true) {
                return Ok(None);
            }
            let rows = self.rows(name).await?;
            Ok((!rows.is_empty()).then_some(rows))
        })
        .await
    }

    /// The page's visible text.
    pub async fn text(&self) -> anyhow::Result<String> {
        let text = self
            .client
            .execute("return document.body.innerText;", vec![])
            .await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Presses Tab `times` times, as a keyboard user moving on would, and answers the
    /// name of each control focus lands on and whether it is inside a modal dialog (or
    /// nowhere in the page, as between the last control and the browser's own).
    pub async fn tab(&self, times: usize) -> anyhow::Result<Vec<(String, bool)>> {
        let mut landed = Vec::new();
        for _ in 0..times {
            self.client
                .active_element()
                .await?
                .send_keys("\u{e004}")
                .await?;
            let at = self
                .client
                .execute(
                    "const e = document.activeElement; \
                     return [e.getAttribute('aria-label') || e.textContent.trim(), \
                             e === document.body || !!e.closest('dialog[open]')];",
                    vec![],
                )
                .await?;
            let name = at[0].as_str().unwrap_or_default().to_string();
            landed.push((name, at[1].as_bool().unwrap_or(false)));
        }
        Ok(landed)
    }

    /// Waits until the page's text contains `wanted`.
    pub async fn sees(&self, wanted: &str) -> anyhow::Result<()> {
        self.until(&format!("the text {wanted:?}"), || async {
            Ok(self.text().await?.contains(wanted).then_some(()))
        })
        .await
    }

    /// Signs in through the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> anyhow::Result<()> {
        self.fill("Email", email).await?;
        self.fill("Password", password).await?;
        self.click("Sign in").await?;
        self.control("Sign out").await?;
        Ok(())
    }

    /// What the page wrote to `console.error` since its last load.
    pub async fn errors(&self) -> anyhow::Result<Vec<String>> {
        let found = self
            .client
            .execute("return window.__errors || [];", vec![])
            .await?;
        Ok(serde_json::from_value(found).unwrap_or_default())
    }

    /// Saves a screenshot under `target/browser-screenshots/`, answering its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("browser-screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the session and the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Dropping stops the driver.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
