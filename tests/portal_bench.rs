//! Measures the lender portal in headless Chromium against the real server on SQLite:
//! the time from navigation to the first rows of the leads table, and the time to
//! re-render 200 rows after a filter change. Prints figures; asserts nothing about them.
//!
//! `cargo run --release -p leads-e2e --bin portal-bench -- [--leads N] [--samples N]`

use std::time::Duration;

use leads_domain::wire::{NewApplicant, NewLead};
use leads_e2e::browser::{self, Browser};
use leads_e2e::{Backend, Env};

const PASSWORD: &str = "portal bench password";

fn argument(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(at) => Ok(args
            .get(at + 1)
            .ok_or_else(|| anyhow::anyhow!("{name} needs a number"))?
            .parse()?),
        None => Ok(default),
    }
}

fn summary(label: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{label:<44} p50 {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms   (n={})",
        at(0.5),
        at(0.95),
        at(1.0),
        values.len()
    );
}

/// The User Timing marks the portal leaves around a table load, in ms since navigation.
async fn marks(b: &Browser) -> anyhow::Result<Option<(f64, f64, f64)>> {
    let found = b
        .client
        .execute(
            "const at = (n) => { const e = performance.getEntriesByName(n, 'mark'); return e.length ? e[e.length - 1].startTime : null; };
             return [at('leads:request'), at('leads:data'), at('leads:rendered')];",
            vec![],
        )
        .await?;
    let values: Vec<Option<f64>> = serde_json::from_value(found)?;
    Ok(match values.as_slice() {
        [Some(a), Some(b), Some(c)] if c >= b && b >= a => Some((*a, *b, *c)),
        _ => None,
    })
}

async fn clear_marks(b: &Browser) -> anyhow::Result<()> {
    b.client
        .execute("performance.clearMarks();", vec![])
        .await?;
    Ok(())
}

/// What the server sends of each file of the built portal: raw, gzip and brotli.
async fn sizes(base: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut files: Vec<String> = Vec::new();
    let mut pending = vec![browser::portal_dir()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(browser::portal_dir()) {
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    // The server compresses in the background after start: wait until it is done.
    let started = std::time::Instant::now();
    let compressible = files.iter().filter(|f| {
        let size = std::fs::metadata(browser::portal_dir().join(f)).map_or(0, |m| m.len());
        size > 512 && !f.ends_with(".woff2")
    });
    for file in compressible {
        loop {
            let answer = http
                .get(format!("{base}/{file}"))
                .header("accept-encoding", "br")
                .send()
                .await?;
            if answer
                .headers()
                .get("content-encoding")
                .is_some_and(|e| e == "br")
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(120),
                "{file} was never sent compressed"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "portal file (as served)", "raw", "gzip", "brotli"
    );
    let mut totals = [0usize; 3];
    for file in &files {
        let mut row = [0usize; 3];
        for (i, encoding) in ["identity", "gzip", "br"].iter().enumerate() {
            let body = http
                .get(format!("{base}/{file}"))
                .header("accept-encoding", *encoding)
                .send()
                .await?
                .bytes()
                .await?;
            row[i] = body.len();
            totals[i] += body.len();
        }
        println!("{file:<44} {:>10} {:>10} {:>10}", row[0], row[1], row[2]);
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "total", totals[0], totals[1], totals[2]
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let leads = argument("--leads", 400)?;
    let samples = argument("--samples", 20)?;
    anyhow::ensure!(
        browser::available(),
        "needs Chromium, ChromeDriver and the built portal"
    );
    let env = Env::new(Backend::Sqlite).ok_or_else(|| anyhow::anyhow!("no database"))?;
    anyhow::ensure!(env
        .create_institution("bench", "Bench Credit Union")?
        .status
        .success());
    anyhow::ensure!(env
        .create_user("bench", "owner@bench.example.org", "owner", PASSWORD)?
        .status
        .success());
    let server = env.serve(&["serve"])?;
    let tokens = server
        .client()
        .login("owner@bench.example.org", PASSWORD)
        .await?;
    let owner = server.client().with_token(tokens.access_token);
    for i in 0..leads {
        owner
            .create_lead(&NewLead {
                item: if i % 3 == 0 {
                    "auto-loan"
                } else {
                    "personal-loan"
                }
                .into(),
                applicant: NewApplicant {
                    name: format!("Bench Borrower {i:04}"),
                    email: format!("borrower{i}@example.com"),
                    phone: None,
                    date_of_birth: None,
                    address: None,
                    ssn: None,
                    authenticated: true,
                },
                amount: Some(1000.0 + (i * 37 % 50_000) as f64),
                term_months: None,
                answers: Default::default(),
            })
            .await?;
    }
    sizes(&server.base).await?;
    println!();
    println!("{leads} leads on SQLite, {samples} samples each, headless Chromium at 1280x900");

    let b = Browser::start(&server.base).await?;
    b.open("/?limit=200").await?;
    b.sign_in("owner@bench.example.org", PASSWORD).await?;
    b.settled_rows("Leads").await?;

    // A reload: the portal starts, resumes the session and shows the first rows.
    let mut first_rows = Vec::new();
    for _ in 0..samples {
        b.client.refresh().await?;
        let rendered = b
            .until("the first rows after a reload", || async {
                Ok(marks(&b).await?.map(|(_, _, rendered)| rendered))
            })
            .await?;
        first_rows.push(rendered);
    }

    // Filter changes on a 200-row table, alternating two filters that both fill it.
    let mut fetch = Vec::new();
    let mut render = Vec::new();
    let mut total = Vec::new();
    for i in 0..samples {
        b.settled_rows("Leads").await?;
        clear_marks(&b).await?;
        let choice = if i % 2 == 0 { "Personal Loan" } else { "All" };
        b.choose("Product or service", choice).await?;
        let (asked, arrived, rendered) =
            b.until("a re-render", || async { marks(&b).await }).await?;
        let rows = b.settled_rows("Leads").await?.len();
        anyhow::ensure!(rows == 200, "expected 200 rows, got {rows}");
        fetch.push(arrived - asked);
        render.push(rendered - arrived);
        total.push(rendered - asked);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.close().await;

    summary("navigation to first rows (reload, 200 rows)", first_rows);
    summary("filter change: request to data", fetch);
    summary("filter change: data to rendered frame", render);
    summary("filter change: request to rendered frame", total);
    Ok(())
}
