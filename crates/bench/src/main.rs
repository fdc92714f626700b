//! `leads-bench`: fills SQLite and PostgreSQL with a million leads across 20
//! institutions, then times the queries a lender runs, through the HTTP API and
//! directly against the database, and prints p50 and p95 of each.
//!
//! Usage: `cargo run --release -p leads-bench -- [--leads N] [--samples N] [sqlite|postgres]...`

mod fill;

use std::time::{Duration, Instant};

use leads_api::keys::Keys;
use leads_api::{admin, AppState, Config};
use leads_client::Client;
use leads_domain::lead_query::LeadQuery;
use leads_domain::MemberId;
use leads_persistence::leads::{self, ListLeads};
use leads_persistence::{catalog, members, products, DbConnection, Pool};
use leads_testing::{Backend, TestDb};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const INSTITUTIONS: usize = 20;
const PASSWORD: &str = "benchmark password";

struct Options {
    leads: usize,
    samples: usize,
    backends: Vec<Backend>,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        leads: 1_000_000,
        samples: 200,
        backends: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--leads" => options.leads = args.next().unwrap_or_default().parse()?,
            "--samples" => options.samples = args.next().unwrap_or_default().parse()?,
            "sqlite" => options.backends.push(Backend::Sqlite),
            "postgres" => options.backends.push(Backend::Postgres),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    if options.backends.is_empty() {
        options.backends = vec![Backend::Sqlite, Backend::Postgres];
    }
    Ok(options)
}

fn main() -> anyhow::Result<()> {
    let options = options()?;
    println!("| database | query | API p50 ms | API p95 ms | database p50 ms | database p95 ms |");
    println!("|---|---|---|---|---|---|");
    for backend in &options.backends {
        let Some(db) = TestDb::create(*backend) else {
            eprintln!("{backend:?} is not available; skipped");
            continue;
        };
        run(*backend, &db, &options)?;
    }
    Ok(())
}

fn config(db: &TestDb, data_dir: &std::path::Path) -> anyhow::Result<Config> {
    let data_dir = data_dir.to_string_lossy().into_owned();
    let url = db.url().to_string();
    Ok(Config::from_lookup(move |name| match name {
        "LEADS_DATA_DIR" => Some(data_dir.clone()),
        "DATABASE_URL" => Some(url.clone()),
        "LEADS_BIND" => Some("127.0.0.1:0".into()),
        _ => None,
    })?)
}

/// What one institution's lender works with.
struct Lender {
    institution_id: i64,
    user_id: i64,
    client: Client,
    member_ids: Vec<i64>,
}

fn run(backend: Backend, db: &TestDb, options: &Options) -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    let config = config(db, data_dir.path())?;
    let pool = admin::open_database(&config)?;
    let mut rng = StdRng::seed_from_u64(2026);
    let names = fill::Names::load();

    let started = Instant::now();
    let mut setup = Vec::new();
    {
        let mut conn = pool.get()?;
        for index in 0..INSTITUTIONS {
            let slug = format!("cu-{index:02}");
            let institution =
                admin::create_institution(&mut conn, &slug, &format!("Credit Union {index}"))?;
            let email = format!("lender@{slug}.org");
            let user = admin::create_user(&mut conn, &slug, &email, None, "manager", PASSWORD)?;
            let share = options.leads / INSTITUTIONS;
            fill::fill_institution(&mut conn, &mut rng, &names, institution.id, share, user.id)?;
            setup.push((institution.id, user.id, email));
        }
        analyze(&mut conn)?;
        if let (Ok(path), leads_persistence::Dialect::Sqlite) =
            (std::env::var("LEADS_BENCH_COPY"), conn.dialect())
        {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))?;
        }
    }
    eprintln!(
        "{backend:?}: {} leads written in {:.0} s",
        options.leads,
        started.elapsed().as_secs_f64()
    );

    let keys = Keys::load(&config)?;
    let state = AppState::new(pool.clone(), keys, config);
    actix_web::rt::System::new().block_on(async {
        let (server, address) = leads_api::start(state, Some(2))?;
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let base = format!("http://{address}");
        let mut lenders = Vec::new();
        for (institution_id, user_id, email) in setup {
            let tokens = Client::new(&base).login(&email, PASSWORD).await?;
            let member_ids = {
                let mut conn = pool.get()?;
                members::search(&mut conn, institution_id, None, None, 1000)?
                    .into_iter()
                    .map(|m| m.id)
                    .collect()
            };
            lenders.push(Lender {
                institution_id,
                user_id,
                client: Client::new(&base).with_token(tokens.access_token),
                member_ids,
            });
        }
        measure_all(backend, &pool, &lenders, &names, options.samples).await?;
        handle.stop(true).await;
        anyhow::Ok(())
    })
}

/// Refreshes the planner's statistics after the bulk load, as an operator would.
fn analyze(conn: &mut DbConnection) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(match conn.dialect() {
        leads_persistence::Dialect::Sqlite => "ANALYZE",
        leads_persistence::Dialect::Postgres => "VACUUM ANALYZE",
    })?;
    Ok(())
}

fn query(pairs: &[(&str, &str)]) -> LeadQuery {
    let mut query = LeadQuery::default();
    for (key, value) in pairs {
        let value = Some(value.to_string());
        match *key {
            "status" => query.status = value,
            "item" => query.item = value,
            "q" => query.q = value,
            "sort" => query.sort = value,
            _ => {}
        }
    }
    query
}

/// Builds the query of the i-th sample.
type QueryMaker<'a> = Box<dyn Fn(usize) -> LeadQuery + 'a>;

fn percentile(samples: &mut [Duration], pct: usize) -> f64 {
    samples.sort();
    let index = (samples.len() * pct / 100).min(samples.len().saturating_sub(1));
    samples[index].as_secs_f64() * 1000.0
}

async fn measure_all(
    backend: Backend,
    pool: &Pool,
    lenders: &[Lender],
    names: &fill::Names,
    samples: usize,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    let surnames: Vec<String> = (0..samples)
        .map(|_| names.surnames[rng.gen_range(0..names.surnames.len())].clone())
        .collect();

    let cases: Vec<(&str, QueryMaker)> = vec![
        ("default first page", Box::new(|_| LeadQuery::default())),
        (
            "status + product filter",
            Box::new(|_| {
                query(&[
                    ("status", "submitted,approved"),
                    ("item", "personal-loan,auto-loan"),
                ])
            }),
        ),
        (
            "search by name",
            Box::new(|i| query(&[("q", surnames[i].as_str())])),
        ),
        (
            "sort by amount",
            Box::new(|_| query(&[("sort", "-amount")])),
        ),
    ];
    for (label, make) in &cases {
        let (mut api, mut database) = (Vec::new(), Vec::new());
        for i in 0..samples {
            let lender = &lenders[i % lenders.len()];
            let query = make(i);
            // Alternate which goes first, so neither always finds the other's pages cached.
            if i % 2 == 1 {
                database.push(time_database(pool, lender, &query)?);
            }
            let started = Instant::now();
            lender.client.leads(&query).await?;
            api.push(started.elapsed());
            if i % 2 == 0 {
                database.push(time_database(pool, lender, &query)?);
            }
        }
        report(backend, label, &mut api, &mut database);
    }

    // A page deep into the default table: found by walking, then fetched repeatedly.
    // The API seals its cursors, so the database side walks to the same page itself.
    let mut deep = Vec::new();
    for lender in lenders {
        let mut query = LeadQuery {
            limit: Some(50),
            ..LeadQuery::default()
        };
        let mut raw = query.clone();
        for _ in 0..40 {
            let page = lender.client.leads(&query).await?;
            query.cursor = page.next_cursor;
            raw.cursor = raw_next_cursor(pool, lender, &raw)?;
        }
        deep.push((query, raw));
    }
    let (mut api, mut database) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let lender = &lenders[i % lenders.len()];
        let (query, raw) = &deep[i % lenders.len()];
        if i % 2 == 1 {
            database.push(time_database(pool, lender, raw)?);
        }
        let started = Instant::now();
        lender.client.leads(query).await?;
        api.push(started.elapsed());
        if i % 2 == 0 {
            database.push(time_database(pool, lender, raw)?);
        }
    }
    report(
        backend,
        "page 41 through the cursor",
        &mut api,
        &mut database,
    );

    let (mut api, mut database) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let lender = &lenders[i % lenders.len()];
        let member = lender.member_ids[rng.gen_range(0..lender.member_ids.len())];
        let started = Instant::now();
        lender.client.member(MemberId(member)).await?;
        api.push(started.elapsed());
        let started = Instant::now();
        let mut conn = pool.get()?;
        members::get(&mut conn, lender.institution_id, member)?;
        leads::of_member(&mut conn, lender.institution_id, member)?;
        products::of_member(&mut conn, lender.institution_id, member)?;
        database.push(started.elapsed());
    }
    report(backend, "member profile", &mut api, &mut database);
    Ok(())
}

/// The database layer's own cursor after the page `query` asks for.
fn raw_next_cursor(
    pool: &Pool,
    lender: &Lender,
    query: &LeadQuery,
) -> anyhow::Result<Option<String>> {
    let filter = query.parse().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let list = ListLeads {
        count: true,
        institution_id: lender.institution_id,
        filter: &filter,
        item_ids: None,
        me: lender.user_id,
    };
    let page = leads::list(&mut *pool.get()?, &list)?.map_err(|_| anyhow::anyhow!("bad cursor"))?;
    Ok(page.next_cursor)
}

/// The same page and count queries the API runs, straight on a pooled connection.
fn time_database(pool: &Pool, lender: &Lender, query: &LeadQuery) -> anyhow::Result<Duration> {
    let filter = query.parse().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut conn = pool.get()?;
    let started = Instant::now();
    let item_ids = if filter.items.is_empty() {
        None
    } else {
        let items = catalog::list(&mut conn, lender.institution_id)?;
        Some(
            items
                .iter()
                .filter(|i| filter.items.contains(&i.slug))
                .map(|i| i.id)
                .collect(),
        )
    };
    let list = ListLeads {
        count: true,
        institution_id: lender.institution_id,
        filter: &filter,
        item_ids,
        me: lender.user_id,
    };
    leads::list(&mut conn, &list)?.map_err(|_| anyhow::anyhow!("bad cursor"))?;
    Ok(started.elapsed())
}

fn report(backend: Backend, label: &str, api: &mut [Duration], database: &mut [Duration]) {
    println!(
        "| {backend:?} | {label} | {:.1} | {:.1} | {:.1} | {:.1} |",
        percentile(api, 50),
        percentile(api, 95),
        percentile(database, 50),
        percentile(database, 95)
    );
}
