//! Forms edited by catalog managers: the definition checked whole, answers already
//! given kept, and answers checked against the form as it is at submission.

mod support;

use reqwest::Method;
use serde_json::json;
use support::public::{send, start};
use support::TestApp;

async fn forms_are_edited_by_catalog_managers_and_old_answers_stay(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    app.staff("acme", "manager@acme.org", "manager").await;
    let (lead, lead_token) = start(&app, None).await;
    let lead_path = format!("/api/v1/public/applications/{lead}");
    let save = json!({ "answers": { "purpose": "A used car", "amount": 600 } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(save),
    )
    .await;
    assert_eq!(status, 200);

    let catalog = app.raw_json("owner@acme.org", "/api/v1/catalog").await;
    let item = catalog
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["slug"] == "personal-loan")
        .expect("the personal loan");
    let form_path = format!("/api/v1/catalog/{}/form", item["id"]);
    let new_form = json!({ "form": { "steps": [
        { "key": "loan", "title": "Your loan", "fields": [
            { "key": "amount", "type": "money", "label": "Amount", "required": true, "min": 1000 },
            { "key": "vehicle_year", "type": "number", "label": "Vehicle year", "whole": true,
              "min": 1990, "max": 2030, "help": "As on the title" }
        ]}
    ]}});
    let (status, _) = app.raw_put("manager@acme.org", &form_path, &new_form).await;
    assert_eq!(status, 403, "a manager does not hold catalog.manage");
    let broken = json!({ "form": { "steps": [{ "key": "loan", "title": "Loan", "fields": [
        { "key": "status", "type": "text", "label": "Status" },
        { "key": "colour", "type": "paint", "label": "Colour" }
    ]}]}});
    let (status, text) = app.raw_put("owner@acme.org", &form_path, &broken).await;
    assert_eq!(status, 422);
    assert!(text.contains("form.steps[0].fields[0].key"), "{text}");
    assert!(text.contains("form.steps[0].fields[1].type"), "{text}");
    let (status, text) = app.raw_put("owner@acme.org", &form_path, &new_form).await;
    assert_eq!(status, 200, "{text}");

    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(
        detail["answers"]["purpose"]["value"], "A used car",
        "old answers stay readable"
    );
    let stale = json!({ "answers": { "purpose": "Something else" } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(stale),
    )
    .await;
    assert_eq!(status, 422, "the form no longer asks it");
    let fresh = json!({ "answers": { "vehicle_year": 2019 } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(fresh),
    )
    .await;
    assert_eq!(status, 200, "the new field is answered");
    let submit = format!("{lead_path}/submit");
    let (status, problem) = send(&app, Method::POST, &submit, Some(&lead_token), None).await;
    assert_eq!(status, 422);
    let faults: Vec<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        faults.contains(&"answers.amount"),
        "an answer the new form no longer accepts: {faults:?}"
    );
    let (_, offered) = send(
        &app,
        Method::GET,
        "/api/v1/public/institutions/acme/catalog",
        None,
        None,
    )
    .await;
    let loan = offered
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["slug"] == "personal-loan")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        loan["form"], new_form["form"],
        "applicants get the new form"
    );
    let audit = app
        .raw_json(
            "owner@acme.org",
            "/api/v1/audit?action=catalog.form_changed",
        )
        .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
    Ok(())
}

on_both_databases!(forms_are_edited_by_catalog_managers_and_old_answers_stay);
