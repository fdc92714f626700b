//! Staff starting a lead on a borrower's behalf, and the member profile it lands on.

mod support;

use diesel::prelude::*;
use leads_client::MemberQuery;
use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::Address;
use leads_domain::{Channel, LeadStatus};
use leads_persistence::schema::{leads, members};
use support::{new_lead, TestApp};

async fn a_proxy_lead_is_created_with_its_member_and_timeline(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let mut body = new_lead("personal-loan", "Ann Lee", "Ann.Lee@Example.org");
    body.applicant.ssn = Some("123-45-6789".into());
    body.applicant.phone = Some("(907) 555-0100".into());
    body.applicant.address = Some(Address {
        line1: "1 Main St".into(),
        city: "Anchorage".into(),
        state: "AK".into(),
        postal_code: "99501".into(),
        ..Address::default()
    });
    body.amount = Some(12_500.0);
    body.answers.insert("purpose".into(), "new roof".into());

    let lead = manager.create_lead(&body).await?;

    assert_eq!(lead.status, LeadStatus::InProgress);
    assert_eq!(lead.channel, Channel::LenderProxy);
    assert!(lead.registered);
    assert_eq!(lead.applicant.email.as_deref(), Some("ann.lee@example.org"));
    assert_eq!(lead.applicant.ssn_masked.as_deref(), Some("***-**-6789"));
    assert_eq!(lead.answers["purpose"].source, "proxy");
    assert_eq!(
        lead.created_by.as_ref().map(|u| u.name.as_str()),
        Some("manager")
    );
    assert_eq!(lead.timeline[0].action, "lead.created");
    let stored: (Option<String>, Option<String>) = leads::table
        .find(lead.id.0)
        .select((leads::ssn_encrypted, leads::ssn_last4))
        .first(&mut *app.conn())?;
    assert!(
        stored.0.is_some_and(|s| !s.contains("123456789")),
        "the SSN is not encrypted at rest"
    );
    assert_eq!(stored.1.as_deref(), Some("6789"));
    Ok(())
}

on_both_databases!(a_proxy_lead_is_created_with_its_member_and_timeline);

async fn the_member_is_found_by_email_within_the_institution(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.institution("other");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let outsider = app.staff("other", "manager@other.org", "manager").await;

    let first = manager
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await?;
    let second = manager
        .create_lead(&new_lead("credit-card", "Ann Lee", "ANN@example.org"))
        .await?;
    let elsewhere = outsider
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await?;
    let profile = manager.member(first.member_id).await?;

    assert_eq!(first.member_id, second.member_id);
    assert_ne!(first.member_id, elsewhere.member_id);
    assert_eq!(profile.leads.len(), 2);
    Ok(())
}

on_both_databases!(the_member_is_found_by_email_within_the_institution);

async fn an_unverified_walk_in_stays_unregistered_and_hidden(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let mut body = new_lead("personal-loan", "Walk In", "walkin@example.org");
    body.applicant.authenticated = false;

    let lead = manager.create_lead(&body).await?;
    let default = manager.leads(&LeadQuery::default()).await?;
    let unregistered = manager
        .leads(&LeadQuery {
            borrower: Some("unregistered".into()),
            ..LeadQuery::default()
        })
        .await?;
    let registered: bool = members::table
        .find(lead.member_id.0)
        .select(members::registered)
        .first(&mut *app.conn())?;

    assert!(!lead.registered);
    assert!(!registered);
    assert_eq!(default.total, 0);
    assert_eq!(unregistered.items[0].id, lead.id);
    Ok(())
}

on_both_databases!(an_unverified_walk_in_stays_unregistered_and_hidden);

async fn an_unknown_item_or_an_amount_on_a_service_is_refused(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let mut service = new_lead("travel-notice", "Ann Lee", "ann@example.org");
    service.amount = Some(1.0);

    let unknown = manager
        .create_lead(&new_lead("yacht-loan", "Ann Lee", "ann@example.org"))
        .await;
    let with_amount = manager.create_lead(&service).await;
    let mut disagreeing = new_lead("personal-loan", "Ann Lee", "ann@example.org");
    disagreeing.amount = Some(100.0);
    disagreeing.answers.insert("amount".into(), 200.into());
    let (status, problem) = app
        .raw_post(
            "manager@acme.org",
            "/api/v1/leads",
            &serde_json::to_value(&disagreeing)?,
        )
        .await;
    let members = manager.members(&MemberQuery::default()).await?;

    assert_eq!(unknown.err().and_then(|e| e.status()), Some(422));
    assert_eq!(with_amount.err().and_then(|e| e.status()), Some(422));
    assert_eq!(status, 422, "{problem}");
    assert!(problem.contains("differs from answers.amount"), "{problem}");
    assert!(
        members.items.is_empty(),
        "a refused lead left its member behind"
    );
    Ok(())
}

on_both_databases!(an_unknown_item_or_an_amount_on_a_service_is_refused);

async fn members_are_searched_and_paged(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    for name in ["Ann Lee", "Bo Chan", "Cy Diaz"] {
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        manager
            .create_lead(&new_lead("auto-loan", name, &email))
            .await?;
    }

    let found = manager
        .members(&MemberQuery {
            q: Some("CHAN".into()),
            ..MemberQuery::default()
        })
        .await?;
    let first = manager
        .members(&MemberQuery {
            limit: Some(2),
            ..MemberQuery::default()
        })
        .await?;
    let rest = manager
        .members(&MemberQuery {
            limit: Some(2),
            cursor: first.next_cursor.clone(),
            ..MemberQuery::default()
        })
        .await?;

    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].name.as_deref(), Some("Bo Chan"));
    assert_eq!(first.items.len() + rest.items.len(), 3);
    assert!(rest.next_cursor.is_none());
    Ok(())
}

on_both_databases!(members_are_searched_and_paged);

async fn concurrent_leads_for_one_email_share_one_member(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;

    let attempts = (0..12).map(|_| {
        let manager = manager.clone();
        async move {
            manager
                .create_lead(&new_lead("auto-loan", "Race Person", "race@example.org"))
                .await
        }
    });
    let leads = futures_util::future::join_all(attempts).await;

    let mut members: Vec<i64> = Vec::new();
    for lead in leads {
        members.push(lead?.member_id.0);
    }
    members.dedup();
    assert_eq!(members.len(), 1, "one email became several members");
    Ok(())
}

on_both_databases!(concurrent_leads_for_one_email_share_one_member);

async fn a_walk_in_is_never_attached_to_a_verified_member(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let verified = manager
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await?;
    let mut impostor = new_lead("personal-loan", "Mallory", "ann@example.org");
    impostor.applicant.authenticated = false;

    let walk_in = manager.create_lead(&impostor).await?;
    let again = manager
        .create_lead(&new_lead("credit-card", "Ann Lee", "ann@example.org"))
        .await?;
    let hidden = manager.lead(walk_in.id).await?;

    assert_ne!(walk_in.member_id, verified.member_id);
    assert!(!walk_in.registered);
    assert_eq!(again.member_id, verified.member_id);
    assert!(!hidden.registered, "the walk-in's lead became registered");
    assert_eq!(manager.member(verified.member_id).await?.leads.len(), 2);
    Ok(())
}

on_both_databases!(a_walk_in_is_never_attached_to_a_verified_member);

async fn a_started_lead_answers_201_with_its_location_and_version(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    leads_api::admin::create_user(
        &mut app.conn(),
        "acme",
        "m@acme.org",
        None,
        "manager",
        support::PASSWORD,
    )?;
    let token = app
        .client
        .login("m@acme.org", support::PASSWORD)
        .await?
        .access_token;
    let body = new_lead("auto-loan", "Ann Lee", "ann@example.org");

    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/leads", app.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?;

    let status = response.status().as_u16();
    let location = support::header(&response, "location");
    let etag = support::header(&response, "etag");
    let lead: leads_domain::wire::LeadDetail = response.json().await?;
    assert_eq!(status, 201);
    assert_eq!(location, Some(format!("/api/v1/leads/{}", lead.id)));
    assert_eq!(etag, Some(format!("\"{}\"", lead.version)));
    Ok(())
}

on_both_databases!(a_started_lead_answers_201_with_its_location_and_version);

async fn answers_must_fit_the_fields_of_the_form(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let mut body = new_lead("personal-loan", "Ann Lee", "ann@example.org");
    body.answers.insert("annual_income".into(), "lots".into());
    body.answers.insert("housing".into(), "castle".into());
    body.answers.insert("term_months".into(), 12.into());

    let refused = manager.create_lead(&body).await;

    let fields: Vec<String> = match refused {
        Err(leads_client::ClientError::Problem(problem)) => {
            problem.errors.into_iter().map(|e| e.field).collect()
        }
        other => vec![format!("{other:?}")],
    };
    assert_eq!(fields, ["answers.annual_income", "answers.housing"]);
    Ok(())
}

on_both_databases!(answers_must_fit_the_fields_of_the_form);

async fn staff_fill_in_and_submit_the_form_for_the_member(app: TestApp) -> anyhow::Result<()> {
    let desk = support::desk::desk(app).await;
    // The amount and term given beside the answers are the form's answers too.
    let mut started = new_lead("personal-loan", "Pia Proxy", "pia@example.org");
    started.amount = Some(9000.0);
    started.term_months = Some(24);
    let lead = desk.manager.create_lead(&started).await?;
    assert_eq!(lead.answers["amount"].value, serde_json::json!(9000));
    assert_eq!(lead.answers["term_months"].value, serde_json::json!(24));
    assert_eq!(lead.amount.map(|m| m.cents()), Some(900_000));
    let id = lead.id.0;
    let answers = format!("/api/v1/leads/{id}/answers");
    let submit = format!("/api/v1/leads/{id}/submit");

    let (status, _) = desk
        .app
        .raw_patch(
            "viewer@acme.org",
            &answers,
            &serde_json::json!({ "answers": { "amount": 9000 } }),
        )
        .await;
    assert_eq!(status, 403, "a viewer enters nothing");
    let (status, body) = desk
        .app
        .raw_patch(
            "manager@acme.org",
            &answers,
            &serde_json::json!({ "answers": { "amount": "much", "colour": "red" } }),
        )
        .await;
    assert_eq!(status, 422, "{body}");

    // A refused submission writes nothing, not even the consent given with it.
    let (status, body) = desk
        .app
        .raw_post(
            "manager@acme.org",
            &submit,
            &serde_json::json!({ "credit_pull_consent": true }),
        )
        .await;
    assert_eq!(status, 422);
    for missing in ["answers.annual_income", "answers.housing"] {
        assert!(body.contains(missing), "{missing} in {body}");
    }
    for given in [
        "answers.amount",
        "answers.term_months",
        "consent.credit_pull",
    ] {
        assert!(!body.contains(given), "{given} in {body}");
    }
    let refused = desk.manager.lead(lead.id).await?;
    assert!(
        refused.timeline.iter().all(|a| a.action != "consent.given"),
        "a consent kept from a refused submission"
    );
    let (status, body) = desk
        .app
        .raw_post("manager@acme.org", &submit, &serde_json::json!({}))
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("consent.credit_pull"), "{body}");
    let (status, _) = desk
        .app
        .raw_patch(
            "manager@acme.org",
            &answers,
            &serde_json::json!({ "answers": { "annual_income": 48000, "housing": "own" } }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = desk
        .app
        .raw_post(
            "manager@acme.org",
            &submit,
            &serde_json::json!({ "credit_pull_consent": true }),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let lead = desk.manager.lead(lead.id).await?;
    assert_eq!(lead.status.as_str(), "submitted");
    assert_eq!(lead.channel.as_str(), "lender_proxy");
    assert_eq!(lead.answers["housing"].source, "proxy");
    let entered = lead
        .timeline
        .iter()
        .find(|a| a.action == "answers.entered")
        .expect("the entry of answers");
    assert_eq!(
        entered.actor.user.as_ref().map(|u| u.id.0),
        Some(desk.manager_id)
    );
    assert_eq!(lead.timeline[0].action, "application.submitted");
    assert_eq!(lead.timeline[0].actor.kind, "staff");
    let (status, _) = desk
        .app
        .raw_patch(
            "manager@acme.org",
            &answers,
            &serde_json::json!({ "answers": { "amount": 1000 } }),
        )
        .await;
    assert_eq!(status, 409, "a submitted application is not edited");
    Ok(())
}

on_both_databases!(staff_fill_in_and_submit_the_form_for_the_member);
