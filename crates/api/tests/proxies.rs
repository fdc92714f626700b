//! Behind a reverse proxy the operator trusts, the client is the address the proxy
//! forwarded: starts are limited per client, and a consent records the client's
//! address. From anyone else, `X-Forwarded-For` means nothing.

mod support;

use leads_domain::LeadId;
use serde_json::{json, Value};
use support::{Backend, TestApp};

/// Starts a personal loan at acme as if from `from`: the status, and the id and token.
async fn start_from(app: &TestApp, from: &str) -> (u16, Option<(i64, String)>) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/public/applications", app.base))
        .header("x-forwarded-for", from)
        .json(&json!({ "institution": "acme", "item": "personal-loan" }))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let started = body["id"]
        .as_i64()
        .zip(body["token"].as_str().map(str::to_string));
    (status, started)
}

/// Gives credit-pull consent as if from `from`, and reads back the address recorded.
async fn consent_from(app: &TestApp, started: &(i64, String), from: &str) -> Value {
    let (id, token) = started;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/public/applications/{id}/consent",
            app.base
        ))
        .bearer_auth(token)
        .header("x-forwarded-for", from)
        .json(&json!({ "credit_pull": true }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 204);
    let staff = app.staff("acme", "owner@acme.org", "owner").await;
    let lead = staff.lead(LeadId(*id)).await.expect("the lead");
    let consented = lead
        .timeline
        .iter()
        .find(|a| a.action == "consent.given")
        .expect("the consent on the record");
    consented.detail["after"]["ip_address"].clone()
}

async fn a_trusted_proxy_names_the_client(backend: Backend) -> anyhow::Result<()> {
    let set = [
        ("LEADS_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ("LEADS_START_LIMIT", "2"),
    ];
    let Some(app) = TestApp::spawn_configured(backend, &set).await else {
        return Ok(());
    };
    app.institution("acme");

    let (status, first) = start_from(&app, "203.0.113.9").await;
    assert_eq!(status, 201);
    // The client cannot escape its limit by writing another address to the left.
    let (status, _) = start_from(&app, "192.0.2.1, 203.0.113.9").await;
    assert_eq!(status, 201);
    let (status, _) = start_from(&app, "198.51.100.4, 203.0.113.9").await;
    assert_eq!(status, 429, "the third start of one client in ten minutes");
    // Another client behind the same proxy has a limit of its own, also through a
    // second trusted proxy.
    let (status, _) = start_from(&app, "203.0.113.10, 10.1.2.3").await;
    assert_eq!(status, 201);

    let first = first.expect("the first start");
    let recorded = consent_from(&app, &first, "198.51.100.77, 203.0.113.9").await;
    assert_eq!(recorded, "203.0.113.9");
    Ok(())
}

#[actix_web::test]
async fn a_trusted_proxy_names_the_client_on_sqlite() -> anyhow::Result<()> {
    a_trusted_proxy_names_the_client(Backend::Sqlite).await
}

#[actix_web::test]
async fn a_trusted_proxy_names_the_client_on_postgres() -> anyhow::Result<()> {
    a_trusted_proxy_names_the_client(Backend::Postgres).await
}

#[actix_web::test]
async fn without_a_trusted_proxy_the_header_is_ignored() -> anyhow::Result<()> {
    let set = [("LEADS_START_LIMIT", "2")];
    let app = TestApp::spawn_configured(Backend::Sqlite, &set)
        .await
        .expect("SQLite is always available");
    app.institution("acme");
    let (status, first) = start_from(&app, "203.0.113.1").await;
    assert_eq!(status, 201);
    let (status, _) = start_from(&app, "203.0.113.2").await;
    assert_eq!(status, 201);
    let (status, _) = start_from(&app, "203.0.113.3").await;
    assert_eq!(status, 429, "every start comes from the one peer");
    let recorded = consent_from(&app, &first.expect("a start"), "203.0.113.1").await;
    assert_eq!(recorded, "127.0.0.1");
    Ok(())
}
