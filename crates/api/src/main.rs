//! The `leads` command: the server and its operations.

use std::io::Read;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use leads_api::admin::{self, open_database};
use leads_api::import::{hmda, identities};
use leads_api::keys::Keys;
use leads_api::services::import::{self, ImportError};
use leads_api::{AppState, Config};
use leads_persistence::institutions;

#[derive(Parser)]
#[command(
    name = "leads",
    version,
    about = "Loan and service applications for credit unions"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server (the default).
    Serve,
    /// Applies pending database migrations and exits.
    Migrate,
    /// Manages institutions.
    Institution {
        #[command(subcommand)]
        action: InstitutionAction,
    },
    /// Manages staff users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Imports application records.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Sets up a demo institution with real HMDA applications and runs the server.
    Demo {
        /// Prepare the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Prints the OpenAPI document.
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum InstitutionAction {
    /// Creates an institution with the built-in roles and the default catalog.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Creates a staff user; the password is read from standard input.
    Create {
        #[arg(long)]
        institution: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (required, so it never shows in `ps`).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum ImportSource {
    /// HMDA Loan/Application Register records: the 2011 public CSV or the 2018+ filing format.
    Hmda {
        #[arg(long)]
        institution: String,
        /// Import the valid records and list the rest, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        file: PathBuf,
    },
}

fn main() {
    init_logging();
    if let Err(error) = run(Cli::parse()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LEADS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let pool = open_database(&config)?;
            serve_with(config, pool)
        }
        Command::Migrate => {
            open_database(&config)?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Institution {
            action: InstitutionAction::Create { slug, name },
        } => {
            let pool = open_database(&config)?;
            let institution = admin::create_institution(&mut *pool.get()?, &slug, &name)?;
            println!(
                "Created institution {} ({}).",
                institution.slug, institution.name
            );
            Ok(())
        }
        Command::User {
            action:
                UserAction::Create {
                    institution,
                    email,
                    role,
                    name,
                    password_stdin: _,
                },
        } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let pool = open_database(&config)?;
            let user = admin::create_user(
                &mut *pool.get()?,
                &institution,
                &email,
                name.as_deref(),
                &role,
                password,
            )?;
            println!("Created {role} {} (id {}).", user.email, user.id);
            Ok(())
        }
        Command::Import {
            source:
                ImportSource::Hmda {
                    institution,
                    skip_invalid,
                    file,
                },
        } => {
            let text = std::fs::read_to_string(&file)?;
            let pool = open_database(&config)?;
            import_hmda(&mut *pool.get()?, &institution, &text, skip_invalid, &[])
        }
        Command::Demo { no_serve } => demo(config, no_serve),
        Command::Openapi { output } => {
            let json = leads_api::openapi_document().to_pretty_json()? + "\n";
            match output {
                Some(path) => std::fs::write(path, json)?,
                None => print!("{json}"),
            }
            Ok(())
        }
    }
}

fn import_hmda(
    conn: &mut leads_persistence::DbConnection,
    institution: &str,
    text: &str,
    skip_invalid: bool,
    people: &[identities::Identity],
) -> anyhow::Result<()> {
    let institution = institutions::find_by_slug(conn, institution)
        .map_err(|_| anyhow::anyhow!("no institution has the slug '{institution}'"))?;
    let parsed = hmda::parse(text);
    let report = match import::import(conn, institution.id, parsed, skip_invalid, people) {
        Ok(report) => report,
        Err(ImportError::Invalid(report)) => {
            for rejected in &report.rejected {
                eprintln!("line {}: {}", rejected.line, rejected.reason);
            }
            anyhow::bail!(
                "{} invalid records; nothing was imported (use --skip-invalid to import the rest)",
                report.rejected.len()
            );
        }
        Err(other) => return Err(other.into()),
    };
    for rejected in &report.rejected {
        eprintln!("line {}: {} (rejected)", rejected.line, rejected.reason);
    }
    println!(
        "imported {}, skipped {} (purchased loans {}, already imported {}), rejected {}",
        report.imported,
        report.skipped(),
        report.purchased,
        report.already_imported,
        report.rejected.len()
    );
    Ok(())
}

const DEMO_SLUG: &str = "demo";
const DEMO_OWNER: &str = "owner@demo.example.org";
const DEMO_HMDA: &str = include_str!("../fixtures/hmda_lar_2011_AK_public_slice.csv");
const DEMO_PEOPLE: &str = include_str!("../fixtures/febrl_synthetic_identities_dataset1.csv");

fn demo(config: Config, no_serve: bool) -> anyhow::Result<()> {
    let pool = open_database(&config)?;
    let mut conn = pool.get()?;
    if institutions::find_by_slug(&mut conn, DEMO_SLUG).is_err() {
        admin::create_institution(&mut conn, DEMO_SLUG, "Demo Federal Credit Union")?;
    }
    let people = identities::parse_febrl(DEMO_PEOPLE);
    import_hmda(&mut conn, DEMO_SLUG, DEMO_HMDA, false, &people)?;
    let demo = institutions::find_by_slug(&mut conn, DEMO_SLUG)?;
    let held = leads_persistence::leads::count(&mut conn, demo.id)?;

    let password = admin::generate_password();
    match leads_persistence::users::find_by_email(&mut conn, DEMO_OWNER) {
        Ok(user) => {
            let hash = leads_api::auth::password::hash(&password)?;
            leads_persistence::users::set_password(&mut conn, user.id, &hash)?;
        }
        Err(_) => {
            admin::create_user(
                &mut conn,
                DEMO_SLUG,
                DEMO_OWNER,
                Some("Demo Owner"),
                "owner",
                &password,
            )?;
        }
    }
    drop(conn);

    let base = format!("http://{}", config.bind);
    println!();
    println!(
        "  Leads demo: {held} leads from real HMDA applications in 'Demo Federal Credit Union'."
    );
    if config.portal_dir.join("index.html").is_file() {
        println!("  Portal       {base}/");
    } else {
        println!("  Portal       not built (scripts/build-portal builds it)");
    }
    println!("  Sign in as   {DEMO_OWNER}");
    println!("  Password     {password}   (new on every demo start)");
    println!("  API docs     {base}/api/docs/");
    println!("  Token        curl -s -X POST {base}/api/v1/auth/login -H 'content-type: application/json' \\");
    println!("                 -d '{{\"email\":\"{DEMO_OWNER}\",\"password\":\"{password}\"}}'");
    println!();
    if no_serve {
        return Ok(());
    }
    serve_with(config, pool)
}

fn serve_with(config: Config, pool: leads_persistence::Pool) -> anyhow::Result<()> {
    let keys = Keys::load(&config)?;
    let portal = leads_api::portal::Portal::load(&config.portal_dir).map_err(|e| {
        anyhow::anyhow!("reading the portal in {}: {e}", config.portal_dir.display())
    })?;
    if portal.is_none() {
        tracing::warn!(
            portal.dir = %config.portal_dir.display(),
            "no built portal there (build it with scripts/build-portal); / shows the API reference"
        );
    }
    let borrower = leads_api::portal::Portal::load(&config.apply_dir).map_err(|e| {
        anyhow::anyhow!(
            "reading the borrower's pages in {}: {e}",
            config.apply_dir.display()
        )
    })?;
    if borrower.is_none() {
        tracing::warn!(
            pages.dir = %config.apply_dir.display(),
            "no built borrower's pages there (build them with scripts/build-portal)"
        );
    }
    let mailer = leads_api::mail::Mailer::from_config(&config, keys.cipher.clone())?;
    match mailer.mail_dir() {
        Some(dir) => println!("Mail is written as .eml files to {}", dir.display()),
        None => println!("Mail is sent through the configured SMTP relay"),
    }
    mailer.spawn(pool.clone())?;
    let state = AppState::new(pool, keys, config)
        .with_portal(portal)
        .with_borrower_pages(borrower);
    actix_web::rt::System::new().block_on(async move {
        let (server, address) = leads_api::start(state, None)?;
        tracing::info!(server.address = %address, "listening");
        println!("Listening on http://{address}");
        server.await
    })?;
    Ok(())
}
