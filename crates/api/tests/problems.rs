//! Every error is a problem document, and refused input writes nothing.

mod support;

use leads_domain::lead_query::LeadQuery;
use leads_domain::Problem;
use serde_json::json;
use support::TestApp;

async fn problem(response: reqwest::Response) -> anyhow::Result<(u16, String, Problem)> {
    let status = response.status().as_u16();
    let content_type = support::media_type(&response);
    let problem: Problem = response.json().await?;
    Ok((status, content_type, problem))
}

async fn token(app: &support::TestApp) -> anyhow::Result<String> {
    app.institution("acme");
    support_login(app).await
}

async fn support_login(app: &support::TestApp) -> anyhow::Result<String> {
    leads_api::admin::create_user(
        &mut app.conn(),
        "acme",
        "owner@acme.org",
        None,
        "owner",
        support::PASSWORD,
    )?;
    Ok(app
        .client
        .login("owner@acme.org", support::PASSWORD)
        .await?
        .access_token)
}

async fn post_lead(
    app: &support::TestApp,
    token: &str,
    body: &serde_json::Value,
) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
}

async fn get(
    app: &support::TestApp,
    token: &str,
    path: &str,
) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
}

async fn lead_count(app: &support::TestApp, token: &str) -> anyhow::Result<i64> {
    let all = LeadQuery {
        borrower: Some("all".into()),
        ..LeadQuery::default()
    };
    Ok(app.client.with_token(token).leads(&all).await?.total)
}

async fn malformed_json_is_a_400_problem_and_writes_nothing(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let http = reqwest::Client::new();

    let response = http
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"item": "personal-loan", "applicant": {"#)
        .send()
        .await?;

    let (status, content_type, body) = problem(response).await?;
    assert_eq!(
        (status, content_type.as_str()),
        (400, "application/problem+json")
    );
    assert_eq!(body.status, 400);
    assert_eq!(lead_count(&app, &token).await?, 0);
    Ok(())
}

on_both_databases!(malformed_json_is_a_400_problem_and_writes_nothing);

async fn invalid_values_name_every_field_and_write_nothing(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let body = json!({
        "item": "personal-loan",
        "applicant": {"name": " ", "email": "not-an-email", "phone": "call me", "ssn": "000-12-3456"},
        "amount": 100.001,
        "term_months": 0
    });

    let response = post_lead(&app, &token, &body).await?;

    let (status, _, body) = problem(response).await?;
    let fields: Vec<&str> = body.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(status, 422);
    assert_eq!(
        fields,
        [
            "applicant.name",
            "amount",
            "applicant.email",
            "applicant.phone",
            "applicant.ssn",
            "term_months"
        ]
    );
    assert_eq!(lead_count(&app, &token).await?, 0);
    Ok(())
}

on_both_databases!(invalid_values_name_every_field_and_write_nothing);

async fn fields_the_caller_may_not_set_are_refused(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let body = json!({
        "item": "personal-loan",
        "applicant": {"name": "Ann Lee", "email": "ann@example.org"},
        "status": "approved"
    });

    let response = post_lead(&app, &token, &body).await?;
    let (status, _, problem_body) = problem(response).await?;
    let answers = json!({
        "item": "personal-loan",
        "applicant": {"name": "Ann Lee", "email": "ann@example.org"},
        "answers": {"status": "approved"}
    });
    let response = post_lead(&app, &token, &answers).await?;
    let (answers_status, _, answers_problem) = problem(response).await?;

    assert_eq!(status, 422);
    assert_eq!(problem_body.errors[0].field, "status");
    assert_eq!(answers_status, 422);
    assert_eq!(answers_problem.errors[0].field, "answers.status");
    assert_eq!(lead_count(&app, &token).await?, 0);
    Ok(())
}

on_both_databases!(fields_the_caller_may_not_set_are_refused);

async fn unknown_routes_wrong_methods_and_bad_ids_are_problems(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let http = reqwest::Client::new();

    let unknown = http
        .get(format!("{}/api/v1/nothing-here", app.base))
        .send()
        .await?;
    let wrong_method = http
        .delete(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .send()
        .await?;
    let allow = support::header(&wrong_method, "allow");
    let bad_id = get(&app, &token, "/api/v1/leads/abc").await?;
    let bad_query = get(&app, &token, "/api/v1/leads?limit=lots").await?;
    let unknown_param = get(&app, &token, "/api/v1/leads?colour=red").await?;

    assert_eq!(problem(unknown).await?.0, 404);
    assert_eq!(problem(wrong_method).await?.0, 405);
    assert_eq!(allow.as_deref(), Some("GET, POST"));
    assert_eq!(problem(bad_id).await?.0, 404);
    let (status, _, body) = problem(bad_query).await?;
    assert_eq!((status, body.errors[0].field.as_str()), (422, "limit"));
    let (status, _, body) = problem(unknown_param).await?;
    assert_eq!((status, body.errors[0].field.as_str()), (422, "colour"));
    Ok(())
}

on_both_databases!(unknown_routes_wrong_methods_and_bad_ids_are_problems);

async fn oversized_and_non_json_bodies_are_refused(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let http = reqwest::Client::new();
    let huge = format!(
        r#"{{"item": "personal-loan", "padding": "{}"}}"#,
        "x".repeat(2 << 20)
    );

    let too_large = http
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await?;
    let not_json = http
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("item=personal-loan")
        .send()
        .await?;

    assert_eq!(problem(too_large).await?.0, 413);
    assert_eq!(problem(not_json).await?.0, 415);
    assert_eq!(lead_count(&app, &token).await?, 0);
    Ok(())
}

on_both_databases!(oversized_and_non_json_bodies_are_refused);

async fn control_characters_are_refused_not_stored_or_crashed_on(
    app: TestApp,
) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let body = json!({"item": "auto-loan", "applicant": {"name": "Ann\u{0}Lee", "email": "ann@example.org"}});

    let create = post_lead(&app, &token, &body).await?;
    let search = get(&app, &token, "/api/v1/leads?q=lee%00").await?;
    let only_nul = get(&app, &token, "/api/v1/leads?q=%00").await?;
    let members = get(&app, &token, "/api/v1/members?q=a%00b").await?;

    let (status, _, created) = problem(create).await?;
    assert_eq!(
        (status, created.errors[0].field.as_str()),
        (422, "applicant.name")
    );
    assert_eq!(problem(search).await?.2.errors[0].field, "q");
    assert_eq!(problem(only_nul).await?.0, 422);
    assert_eq!(problem(members).await?.0, 422);
    assert_eq!(lead_count(&app, &token).await?, 0);
    Ok(())
}

on_both_databases!(control_characters_are_refused_not_stored_or_crashed_on);

async fn missing_and_mistyped_fields_are_named_in_plain_words(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;
    let missing = json!({"item": "auto-loan", "applicant": {"name": "Ann Lee"}});
    let mistyped = json!({"item": "auto-loan", "applicant": {"name": "Ann Lee", "email": "a@b.org"}, "term_months": "ten"});

    let missing = post_lead(&app, &token, &missing).await?;
    let mistyped = post_lead(&app, &token, &mistyped).await?;

    let missing = problem(missing).await?.2.errors[0].clone();
    let mistyped = problem(mistyped).await?.2.errors[0].clone();
    assert_eq!(
        (missing.field.as_str(), missing.reason.as_str()),
        ("applicant.email", "is required")
    );
    assert_eq!(mistyped.field, "term_months");
    assert_eq!(mistyped.reason, "must be a whole number in range");
    Ok(())
}

on_both_databases!(missing_and_mistyped_fields_are_named_in_plain_words);

async fn a_viewer_learns_nothing_of_a_body_it_may_not_send(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    leads_api::admin::create_user(
        &mut app.conn(),
        "acme",
        "viewer@acme.org",
        None,
        "viewer",
        support::PASSWORD,
    )?;
    let token = app
        .client
        .login("viewer@acme.org", support::PASSWORD)
        .await?
        .access_token;
    let http = reqwest::Client::new();

    let response = http
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .json(&json!({"item": 5}))
        .send()
        .await?;
    let cache = get(&app, &token, "/api/v1/me").await?;

    assert_eq!(problem(response).await?.0, 403);
    let header = |name: &str| support::header(&cache, name);
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header("x-request-id").is_some());
    Ok(())
}

on_both_databases!(a_viewer_learns_nothing_of_a_body_it_may_not_send);

async fn head_is_answered_like_get_without_a_body(app: TestApp) -> anyhow::Result<()> {
    let token = token(&app).await?;

    let response = reqwest::Client::new()
        .head(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .send()
        .await?;

    assert_eq!(response.status().as_u16(), 200);
    assert!(response.bytes().await?.is_empty());
    Ok(())
}

on_both_databases!(head_is_answered_like_get_without_a_body);
