//! The OpenAPI document: committed, served, complete, and true to what the server does.

mod support;

use leads_domain::wire::NewApplicant;
use serde_json::{json, Value};
use support::{new_lead, Backend, Seed, TestApp, PASSWORD};

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn the_committed_document_matches_the_code() -> anyhow::Result<()> {
    let generated = leads_api::openapi_document().to_pretty_json()? + "\n";

    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date; regenerate it with \
         `cargo run -p leads-api --bin leads -- openapi --output openapi/openapi.json`"
    );
    Ok(())
}

#[test]
fn every_operation_documents_its_errors() -> anyhow::Result<()> {
    let doc: Value = serde_json::from_str(COMMITTED)?;
    let paths = doc["paths"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("no paths"))?;

    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let responses = operation["responses"]
                .as_object()
                .ok_or_else(|| anyhow::anyhow!("no responses"))?;
            let codes: Vec<&String> = responses.keys().collect();
            if path != "/healthz" {
                assert!(
                    codes.iter().any(|c| c.starts_with('5')),
                    "{method} {path} documents no 5xx"
                );
            }
            if operation.get("security").is_some() {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents no 401"
                );
            }
            for (code, response) in responses {
                if code.starts_with('4') || code.starts_with('5') {
                    let problem = &response["content"]["application/problem+json"];
                    assert!(
                        !problem.is_null(),
                        "{method} {path} {code} is not a problem document"
                    );
                }
            }
        }
    }
    Ok(())
}

/// Sends a request and checks the answer against the document's schema for its status.
async fn conforms(
    doc: &Value,
    method: &str,
    template: &str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<u16> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let content_type = support::media_type(&response);
    let body: Value = response.json().await?;
    let documented = &doc["paths"][template][method]["responses"][status.to_string()];
    anyhow::ensure!(
        !documented.is_null(),
        "{method} {template} answered an undocumented {status}"
    );
    let schema = &documented["content"][&content_type]["schema"];
    anyhow::ensure!(
        !schema.is_null(),
        "{method} {template} {status}: {content_type} is not documented"
    );
    let mut errors = Vec::new();
    support::schema::check(doc, schema, &body, "$", &mut errors);
    anyhow::ensure!(
        errors.is_empty(),
        "{method} {template} {status}: {errors:#?}"
    );
    Ok(status)
}

#[actix_web::test]
async fn the_served_document_describes_the_real_answers() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    let inst = app.institution("acme");
    app.seed(
        inst,
        Seed {
            assignee: None,
            ..Seed::new("Seeded Member")
        },
    );
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let mut body = new_lead("personal-loan", "Ann Lee", "ann@example.org");
    body.applicant = NewApplicant {
        ssn: Some("123-45-6789".into()),
        ..body.applicant
    };
    let lead = manager.create_lead(&body).await?;
    let http = reqwest::Client::new();
    let base = &app.base;
    let doc: Value = http
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await?
        .json()
        .await?;
    let tokens = app.client.login("manager@acme.org", PASSWORD).await?;
    let token = tokens.access_token.clone();
    let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(&token);

    assert_eq!(
        doc,
        serde_json::from_str::<Value>(COMMITTED)?,
        "the server serves another document"
    );
    let docs_page = http.get(format!("{base}/api/docs/")).send().await?;
    assert_eq!(docs_page.status().as_u16(), 200);

    let checks = [
        (
            "get",
            "/api/v1/leads",
            get("/api/v1/leads?borrower=all&limit=1"),
            200,
        ),
        ("get", "/api/v1/leads", get("/api/v1/leads?sort=shoe"), 422),
        (
            "get",
            "/api/v1/leads",
            http.get(format!("{base}/api/v1/leads")),
            401,
        ),
        (
            "get",
            "/api/v1/leads/{id}",
            get(&format!("/api/v1/leads/{}", lead.id)),
            200,
        ),
        (
            "get",
            "/api/v1/leads/{id}",
            get("/api/v1/leads/987654"),
            404,
        ),
        ("get", "/api/v1/members", get("/api/v1/members?q=ann"), 200),
        (
            "get",
            "/api/v1/members/{id}",
            get(&format!("/api/v1/members/{}", lead.member_id)),
            200,
        ),
        ("get", "/api/v1/me", get("/api/v1/me"), 200),
        ("get", "/api/v1/catalog", get("/api/v1/catalog"), 200),
        (
            "post",
            "/api/v1/leads",
            http.post(format!("{base}/api/v1/leads"))
                .bearer_auth(&token)
                .json(&body),
            201,
        ),
        (
            "post",
            "/api/v1/leads",
            http.post(format!("{base}/api/v1/leads"))
                .bearer_auth(&token)
                .json(&json!({"item": 1})),
            422,
        ),
        (
            "post",
            "/api/v1/auth/login",
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": "manager@acme.org", "password": PASSWORD})),
            200,
        ),
        (
            "post",
            "/api/v1/auth/login",
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": "x@y.org", "password": "nope"})),
            401,
        ),
        (
            "post",
            "/api/v1/auth/refresh",
            http.post(format!("{base}/api/v1/auth/refresh"))
                .json(&json!({"refresh_token": tokens.refresh_token})),
            200,
        ),
        ("get", "/healthz", http.get(format!("{base}/healthz")), 200),
        ("get", "/readyz", http.get(format!("{base}/readyz")), 200),
    ];
    for (method, template, request, expected) in checks {
        let status = conforms(&doc, method, template, request).await?;
        assert_eq!(status, expected, "{method} {template}");
    }
    let viewer = app.staff("acme", "viewer@acme.org", "viewer").await;
    assert_eq!(
        viewer
            .create_lead(&body)
            .await
            .err()
            .and_then(|e| e.status()),
        Some(403)
    );
    Ok(())
}

#[test]
fn the_checker_notices_missing_undocumented_and_mistyped_properties() -> anyhow::Result<()> {
    let doc: Value = serde_json::from_str(COMMITTED)?;
    let schema = json!({"$ref": "#/components/schemas/Problem"});
    let good = json!({"type": "about:blank", "title": "Not found", "status": 404});
    let bad = json!({"type": "about:blank", "status": "404", "secret": true});

    let mut good_errors = Vec::new();
    support::schema::check(&doc, &schema, &good, "$", &mut good_errors);
    let mut bad_errors = Vec::new();
    support::schema::check(&doc, &schema, &bad, "$", &mut bad_errors);

    assert_eq!(good_errors, Vec::<String>::new());
    assert_eq!(bad_errors.len(), 3, "{bad_errors:#?}");
    Ok(())
}
