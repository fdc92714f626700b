//! The applicant's side: starting an application, saving it as it is typed, resuming
//! it, and submitting it; tokens that open one application and nothing else; what staff
//! see of it meanwhile.

mod support;

use leads_domain::lead_query::LeadQuery;
use serde_json::{json, Value};
use support::multipart::post_form;
use support::TestApp;

struct Started {
    id: i64,
    token: String,
}

async fn start(app: &TestApp, item: &str) -> Started {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/public/applications", app.base))
        .json(&json!({ "institution": "acme", "item": item }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("JSON");
    Started {
        id: body["id"].as_i64().expect("an id"),
        token: body["token"].as_str().expect("a token").to_string(),
    }
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect()
}

async fn an_application_is_saved_resumed_and_submitted(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let staff = app.staff("acme", "owner@acme.org", "owner").await;
    let offered = reqwest::get(format!(
        "{}/api/v1/public/institutions/acme/catalog",
        app.base
    ))
    .await?
    .json::<Value>()
    .await?;
    assert!(offered
        .as_array()
        .into_iter()
        .flatten()
        .any(|i| i["slug"] == "personal-loan" && i["form"]["steps"].is_array()));

    let started = start(&app, "personal-loan").await;
    let path = format!("/api/v1/public/applications/{}", started.id);
    let (status, fresh) = send(&app, reqwest::Method::GET, &path, &started.token, None).await;
    assert_eq!(status, 200);
    assert_eq!(fresh["status"], "in_progress");
    assert_eq!(fresh["progress"]["percent"], 0);

    // Staff see the start at once, among unregistered leads, and not by default.
    let lead = staff.lead(leads_domain::LeadId(started.id)).await?;
    assert_eq!(lead.channel.as_str(), "public_link");
    assert!(!lead.registered);
    let default = staff.leads(&LeadQuery::default()).await?;
    assert!(default.items.iter().all(|l| l.id.0 != started.id));

    // Partial saves: types and limits are checked, required fields are not yet.
    let (status, saved) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &started.token,
        Some(
            json!({ "answers": { "amount": 12000, "term_months": 48 }, "step": "loan",
                     "applicant": { "name": "Pat Applicant", "email": "pat@example.org" } }),
        ),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["answers"]["amount"], 12000);
    assert_eq!(saved["progress"]["step"], "loan");
    let percent = saved["progress"]["percent"].as_i64().unwrap_or_default();
    assert!(percent > 0 && percent < 100, "{percent}");

    for (bad, field) in [
        (json!({ "answers": { "amount": "lots" } }), "answers.amount"),
        (json!({ "answers": { "amount": 10 } }), "answers.amount"),
        (
            json!({ "answers": { "favourite_colour": "blue" } }),
            "answers.favourite_colour",
        ),
        (
            json!({ "answers": { "housing": "castle" } }),
            "answers.housing",
        ),
        (json!({ "step": "nowhere" }), "step"),
        (
            json!({ "applicant": { "email": "not an email" } }),
            "applicant.email",
        ),
    ] {
        let (status, problem) = send(
            &app,
            reqwest::Method::PATCH,
            &path,
            &started.token,
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(fields(&problem), [field], "{bad}");
    }
    for forbidden in [
        json!({ "status": "approved" }),
        json!({ "institution": 2 }),
        json!({ "channel": "lender_proxy" }),
        json!({ "id": 1 }),
        json!({ "created_at": "2020-01-01" }),
    ] {
        let (status, _) = send(
            &app,
            reqwest::Method::PATCH,
            &path,
            &started.token,
            Some(forbidden.clone()),
        )
        .await;
        assert_eq!(status, 422, "{forbidden}");
    }
    let (_, after_refusals) = send(&app, reqwest::Method::GET, &path, &started.token, None).await;
    assert_eq!(
        after_refusals["answers"], saved["answers"],
        "refusals changed nothing"
    );

    // Submitting names every required answer still missing.
    let submit = format!("{path}/submit");
    let (status, problem) = send(&app, reqwest::Method::POST, &submit, &started.token, None).await;
    assert_eq!(status, 422);
    assert!(
        app.mail_to("acme", "pat@example.org").is_none(),
        "a refused submission mails nothing"
    );
    let mut missing = fields(&problem);
    missing.sort();
    assert_eq!(
        missing,
        [
            "answers.annual_income",
            "answers.housing",
            "consent.credit_pull"
        ]
    );

    // Resumed later with the same token, finished and submitted.
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &started.token,
        Some(
            json!({ "answers": { "annual_income": 64000, "housing": "rent" }, "step": "housing",
                     "protection_interest": true }),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let consent = format!("{path}/consent");
    for bad in [
        json!({ "credit_pull": "yes" }),
        json!({ "credit_pull": true, "disclosures": ["Not A Key"] }),
        json!({ "credit_pull": true, "signed_by": "someone" }),
    ] {
        let (status, _) = send(
            &app,
            reqwest::Method::POST,
            &consent,
            &started.token,
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &consent,
        &started.token,
        Some(json!({ "credit_pull": true, "disclosures": ["privacy", "e-sign"] })),
    )
    .await;
    assert_eq!(status, 204);
    // Files go with the form while it is in progress, checked by their content.
    let upload = format!("{}{path}/documents", app.base);
    let pdf: &[u8] = b"%PDF-1.4\n%%EOF\n";
    let (status, body) = post_form(&upload, Some(&started.token), &[], &[("id.pdf", pdf)]).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"id.pdf\""), "{body}");
    let (status, _) = post_form(
        &upload,
        Some(&started.token),
        &[],
        &[("id.pdf", b"<html></html>")],
    )
    .await;
    assert_eq!(status, 422);
    let other = start(&app, "personal-loan").await;
    let (status, _) = post_form(&upload, Some(&other.token), &[], &[("id.pdf", pdf)]).await;
    assert_eq!(status, 404, "another application's token");

    let (status, back) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &started.token,
        Some(json!({ "step": "loan" })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        back["progress"]["step"], "housing",
        "the step reached stays reached"
    );

    let (status, submitted) =
        send(&app, reqwest::Method::POST, &submit, &started.token, None).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert!(submitted["submitted_at"].is_string());
    let (subject, receipt) = app
        .mail_to("acme", "pat@example.org")
        .expect("a receipt for the applicant");
    assert!(subject.contains("we have your application"), "{subject}");
    let reference = submitted["reference"].as_str().expect("a reference");
    assert!(receipt.contains(reference), "{receipt}");
    assert!(
        !receipt.contains("http"),
        "a receipt carries no link: {receipt}"
    );

    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &started.token,
        Some(json!({ "answers": { "amount": 99000 } })),
    )
    .await;
    assert_eq!(
        status, 409,
        "a submitted application is not edited by the applicant"
    );

    let lead = staff.lead(leads_domain::LeadId(started.id)).await?;
    assert_eq!(lead.status.as_str(), "submitted");
    assert_eq!(lead.applicant.name.as_deref(), Some("Pat Applicant"));
    assert_eq!(lead.amount.map(|m| m.cents()), Some(1_200_000));
    assert_eq!(lead.answers["housing"].source, "applicant");
    assert_eq!(
        lead.answers["payment_protection_interest"].value,
        json!(true)
    );
    let consented = lead
        .timeline
        .iter()
        .find(|a| a.action == "consent.given")
        .expect("the consent on the record");
    assert_eq!(consented.detail["after"]["credit_pull"], true);
    assert_eq!(consented.detail["after"]["ip_address"], "127.0.0.1");
    assert_eq!(lead.timeline[0].action, "application.submitted");
    assert_eq!(lead.timeline[0].actor.kind, "applicant");
    assert_eq!(lead.documents.len(), 1);
    assert_eq!(lead.documents[0].uploaded_by, "applicant");
    let unregistered = staff
        .leads(&LeadQuery {
            borrower: Some("unregistered".into()),
            q: Some("pat applicant".into()),
            ..LeadQuery::default()
        })
        .await?;
    assert_eq!(unregistered.items.len(), 1);
    Ok(())
}

on_both_databases!(an_application_is_saved_resumed_and_submitted);

async fn a_token_opens_its_own_application_and_nothing_else(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let mine = start(&app, "personal-loan").await;
    let theirs = start(&app, "lost-card").await;

    let other = format!("/api/v1/public/applications/{}", theirs.id);
    let (status, _) = send(&app, reqwest::Method::GET, &other, &mine.token, None).await;
    assert_eq!(status, 404, "another application");
    let (status, _) = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/leads",
        &mine.token,
        None,
    )
    .await;
    assert_eq!(status, 401, "a staff route");
    let (status, _) = send(&app, reqwest::Method::GET, "/api/v1/me", &mine.token, None).await;
    assert_eq!(status, 401, "a staff route");

    let staff_token = app
        .client
        .login("owner@acme.org", support::PASSWORD)
        .await?
        .access_token;
    let own = format!("/api/v1/public/applications/{}", mine.id);
    let (status, _) = send(&app, reqwest::Method::GET, &own, &staff_token, None).await;
    assert_eq!(status, 401, "a staff token is not an applicant's");

    let mut tampered = mine.token.clone();
    tampered.pop();
    tampered.push(if mine.token.ends_with('A') { 'B' } else { 'A' });
    let (status, _) = send(&app, reqwest::Method::GET, &own, &tampered, None).await;
    assert_eq!(status, 401, "a tampered token");
    let expired = leads_api::auth::tokens::issue_applicant(
        b"another secret that is long enough to sign",
        "leads",
        mine.id,
        app.institution_id("acme"),
        std::time::Duration::from_secs(60),
    )?;
    let (status, _) = send(&app, reqwest::Method::GET, &own, &expired, None).await;
    assert_eq!(status, 401, "a token signed by another key");

    for bad in [
        json!({ "institution": "nowhere", "item": "personal-loan" }),
        json!({ "institution": "acme", "item": "yacht" }),
        json!({ "institution": "acme", "item": "personal-loan", "channel": "online_banking" }),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/public/applications", app.base))
            .json(&bad)
            .send()
            .await?;
        assert_eq!(response.status(), 422, "{bad}");
    }
    Ok(())
}

on_both_databases!(a_token_opens_its_own_application_and_nothing_else);

#[actix_web::test]
async fn starting_is_limited_per_address() -> anyhow::Result<()> {
    let app = TestApp::spawn(support::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    app.institution("acme");
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..31 {
        let response = client
            .post(format!("{}/api/v1/public/applications", app.base))
            .json(&json!({ "institution": "acme", "item": "travel-notice" }))
            .send()
            .await?;
        let retry = response.headers().get("retry-after").is_some();
        statuses.push((response.status().as_u16(), retry));
    }
    assert!(
        statuses[..30].iter().all(|(s, _)| *s == 201),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], (429, true));
    Ok(())
}

async fn the_funnel_counts_starts_steps_and_submissions(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let save = |started: &Started, body: Value| {
        let path = format!("/api/v1/public/applications/{}", started.id);
        let token = started.token.clone();
        let app = &app;
        async move {
            let (status, saved) =
                send(app, reqwest::Method::PATCH, &path, &token, Some(body)).await;
            assert_eq!(status, 200, "{saved}");
        }
    };
    let _idle = start(&app, "personal-loan").await;
    let first = start(&app, "personal-loan").await;
    save(
        &first,
        json!({ "step": "loan", "answers": { "amount": 5000 } }),
    )
    .await;
    let second = start(&app, "personal-loan").await;
    save(&second, json!({ "step": "employment" })).await;
    let done = start(&app, "personal-loan").await;
    save(
        &done,
        json!({ "step": "housing",
                "answers": { "amount": 9000, "term_months": 24, "annual_income": 50000, "housing": "own" },
                "applicant": { "name": "Dana Done", "email": "dana@example.org" } }),
    )
    .await;
    let consent = format!("/api/v1/public/applications/{}/consent", done.id);
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &consent,
        &done.token,
        Some(json!({ "credit_pull": true })),
    )
    .await;
    assert_eq!(status, 204);
    let submit = format!("/api/v1/public/applications/{}/submit", done.id);
    let (status, _) = send(&app, reqwest::Method::POST, &submit, &done.token, None).await;
    assert_eq!(status, 200);
    start(&app, "travel-notice").await;

    let report = app
        .raw_json("owner@acme.org", "/api/v1/reports/funnel")
        .await;
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    let loan = rows
        .iter()
        .find(|r| r["item"]["slug"] == "personal-loan" && r["channel"] == "public_link")
        .expect("a row for the personal loan");
    assert_eq!(loan["started"], 4);
    let reached: Vec<(String, i64)> = loan["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["key"].as_str().unwrap_or_default().to_string(),
                s["reached"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        reached,
        [
            ("loan".to_string(), 3),
            ("employment".to_string(), 2),
            ("housing".to_string(), 1)
        ]
    );
    assert_eq!(loan["submitted"], 1);
    let travel = rows
        .iter()
        .find(|r| r["item"]["slug"] == "travel-notice")
        .expect("a row for the travel notice");
    assert_eq!(travel["started"], 1);
    assert_eq!(travel["submitted"], 0);

    let long_ago = app
        .raw_json(
            "owner@acme.org",
            "/api/v1/reports/funnel?from=2001-01-01&to=2001-01-31",
        )
        .await;
    assert_eq!(long_ago["rows"], json!([]));
    for bad in [
        "from=yesterday",
        "from=2026-02-01&to=2026-01-01",
        "from=1900-01-01",
    ] {
        let (status, _, _) = app
            .raw_get("owner@acme.org", &format!("/api/v1/reports/funnel?{bad}"))
            .await;
        assert_eq!(status, 422, "{bad}");
    }
    Ok(())
}

on_both_databases!(the_funnel_counts_starts_steps_and_submissions);

async fn a_resume_link_is_mailed_and_opens_the_application(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let started = start(&app, "personal-loan").await;
    let path = format!("/api/v1/public/applications/{}", started.id);
    let mail = format!("{path}/resume-link");
    let (status, _) = send(&app, reqwest::Method::POST, &mail, &started.token, None).await;
    assert_eq!(status, 409, "no address to send it to yet");
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &started.token,
        Some(json!({ "applicant": { "email": "later@example.org" } })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(&app, reqwest::Method::POST, &mail, &started.token, None).await;
    assert_eq!(status, 204);

    let institution = app.institution_id("acme");
    let sent = leads_persistence::outbox::list(&mut app.conn(), institution, None, None, 10)?;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient, "later@example.org");
    let body = app.state.keys.cipher.decrypt(&sent[0].body)?;
    let marker = format!("/apply/acme/personal-loan#resume={}.", started.id);
    let at = body.find(&marker).expect("the link in the message");
    let token: String = body[at + marker.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let (status, resumed) = send(&app, reqwest::Method::GET, &path, &token, None).await;
    assert_eq!(status, 200, "the mailed token opens the application");
    assert_eq!(resumed["applicant"]["email"], "later@example.org");
    Ok(())
}

on_both_databases!(a_resume_link_is_mailed_and_opens_the_application);
