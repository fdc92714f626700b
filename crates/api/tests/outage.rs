//! The database going away and coming back: 503 problem documents meanwhile, and
//! recovery without a restart.

mod support;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use leads_domain::lead_query::LeadQuery;
use support::proxy::Proxy;
use support::{new_lead, Backend, TestApp, TestDb};

async fn status(url: String) -> u16 {
    match reqwest::get(url).await {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    }
}

#[actix_web::test]
async fn a_lost_postgres_answers_503_and_the_server_recovers() -> anyhow::Result<()> {
    let Some(db) = TestDb::create(Backend::Postgres) else {
        return Ok(());
    };
    let proxy = Proxy::start("127.0.0.1:5432".parse()?)?;
    let TestDb::Postgres { name, .. } = &db else {
        anyhow::bail!("a PostgreSQL database");
    };
    let via_proxy =
        leads_testing::without_tls(&format!("postgres://postgres@{}/{name}", proxy.address));
    let app = TestApp::spawn_on(Arc::new(db), Some(via_proxy)).await;
    app.institution("acme");
    let staff = app.staff("acme", "owner@acme.org", "owner").await;
    assert!(staff.leads(&LeadQuery::default()).await.is_ok());

    proxy.cut();
    let ready = status(format!("{}/readyz", app.base)).await;
    let table = staff.leads(&LeadQuery::default()).await;

    assert_eq!(ready, 503);
    let error = table.err();
    assert_eq!(error.as_ref().and_then(|e| e.status()), Some(503));
    assert!(matches!(error, Some(leads_client::ClientError::Problem(_))));

    proxy.restore();
    let base = app.base.clone();
    let recovered = support::eventually(Duration::from_secs(15), || {
        let url = format!("{base}/readyz");
        async move { status(url).await == 200 }
    })
    .await;

    assert!(recovered, "readiness did not come back");
    assert!(staff.leads(&LeadQuery::default()).await.is_ok());
    Ok(())
}

#[actix_web::test]
async fn a_locked_sqlite_database_answers_503_and_the_server_recovers() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    app.institution("acme");
    let staff = app.staff("acme", "owner@acme.org", "owner").await;
    let mut holder = diesel::SqliteConnection::establish(app.db.url())?;

    holder.batch_execute("BEGIN EXCLUSIVE")?;
    let locked = staff
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await;
    holder.batch_execute("ROLLBACK")?;
    let unlocked = staff
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await;

    assert_eq!(locked.err().and_then(|e| e.status()), Some(503));
    assert!(unlocked.is_ok(), "{unlocked:?}");
    Ok(())
}
