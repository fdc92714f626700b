//! Working a lead: each action allowed, refused for want of permission, and refused in
//! a state that does not allow it; versions guarding against lost updates; notes that
//! cannot be changed; the SSN revealed and the reveal recorded.

mod support;

use leads_domain::wire::{CloseRequest, ConvertRequest, DeclineRequest};
use leads_domain::{LeadId, UserId};
use serde_json::json;
use support::desk::{desk, only_in, problem, status_of, timeline_len, NO_BODY};
use support::{Seed, TestApp};

async fn approving_is_for_submitted_leads_and_deciders(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    only_in(&desk, &["submitted"], "approve", NO_BODY).await?;

    let id = desk.lead("submitted");
    let refused = desk.viewer.lead_action(id, "approve", NO_BODY, None).await;
    assert_eq!(status_of(&refused), Some(403));
    assert_eq!(desk.manager.lead(id).await?.status.as_str(), "submitted");

    let approved = desk
        .manager
        .lead_action(id, "approve", NO_BODY, None)
        .await?;
    let decision = approved.decision.expect("a decision");
    assert_eq!(
        decision.decided_by.map(|u| u.id),
        Some(UserId(desk.manager_id))
    );
    assert!(decision.decided_at.is_some());
    let entry = &approved.timeline[0];
    assert_eq!(entry.action, "lead.approved");
    assert_eq!(entry.detail["before"]["status"], "submitted");
    assert_eq!(entry.detail["after"]["status"], "approved");
    Ok(())
}

on_both_databases!(approving_is_for_submitted_leads_and_deciders);

async fn declining_takes_one_to_four_known_reasons(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let reasons = json!({ "reasons": ["debt_to_income", "credit_history"] });
    only_in(&desk, &["submitted"], "decline", Some(&reasons)).await?;

    let id = desk.lead("submitted");
    for bad in [
        json!({ "reasons": [] }),
        json!({ "reasons": ["debt_to_income", "collateral", "credit_history", "insufficient_cash", "employment_history"] }),
        json!({ "reasons": ["not_a_reason"] }),
        json!({ "reasons": ["other"] }),
        json!({ "reasons": ["collateral", "collateral"] }),
        json!({ "reasons": ["collateral"], "status": "approved" }),
    ] {
        let refused = desk
            .manager
            .lead_action(id, "decline", Some(&bad), None)
            .await;
        assert_eq!(status_of(&refused), Some(422), "{bad}");
    }
    let refused = desk
        .viewer
        .lead_action(id, "decline", Some(&reasons), None)
        .await;
    assert_eq!(status_of(&refused), Some(403));
    assert_eq!(desk.manager.lead(id).await?.status.as_str(), "submitted");

    let body = DeclineRequest {
        reasons: vec!["other".into(), "collateral".into()],
        other_reason: Some("Vehicle title not in the applicant's name".into()),
    };
    let declined = desk
        .manager
        .lead_action(id, "decline", Some(&body), None)
        .await?;
    assert_eq!(declined.status.as_str(), "declined");
    let decision = declined.decision.expect("a decision");
    assert_eq!(
        decision.decline_reasons,
        [
            "other: Vehicle title not in the applicant's name",
            "collateral"
        ]
    );
    Ok(())
}

on_both_databases!(declining_takes_one_to_four_known_reasons);

async fn closing_records_a_reason_while_the_lead_is_open(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let body = json!({ "reason": "withdrawn" });
    only_in(
        &desk,
        &["in_progress", "submitted", "approved"],
        "close",
        Some(&body),
    )
    .await?;

    let id = desk.lead("in_progress");
    let unknown = desk
        .manager
        .lead_action(id, "close", Some(&json!({ "reason": "bored" })), None)
        .await;
    assert_eq!(status_of(&unknown), Some(422));
    let other = desk
        .manager
        .lead_action(id, "close", Some(&json!({ "reason": "other" })), None)
        .await;
    assert_eq!(status_of(&other), Some(422), "other needs its words");
    let refused = desk
        .viewer
        .lead_action(id, "close", Some(&body), None)
        .await;
    assert_eq!(status_of(&refused), Some(403));

    let request = CloseRequest {
        reason: "duplicate".into(),
        detail: Some("Same as L-123".into()),
    };
    let closed = desk
        .manager
        .lead_action(id, "close", Some(&request), None)
        .await?;
    assert_eq!(closed.status.as_str(), "closed");
    assert_eq!(
        closed.decision.and_then(|d| d.close_reason).as_deref(),
        Some("duplicate: Same as L-123")
    );
    Ok(())
}

on_both_databases!(closing_records_a_reason_while_the_lead_is_open);

async fn converting_an_approved_loan_gives_the_member_a_product(
    app: TestApp,
) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let terms = json!({ "rate_percent": 6.25, "term_months": 60 });
    only_in(&desk, &["approved"], "convert", Some(&terms)).await?;

    let id = desk.lead("approved");
    let refused = desk
        .viewer
        .lead_action(id, "convert", Some(&terms), None)
        .await;
    assert_eq!(status_of(&refused), Some(403));
    let bad = desk
        .manager
        .lead_action(id, "convert", Some(&json!({ "rate_percent": 250.0 })), None)
        .await;
    assert_eq!(status_of(&bad), Some(422));

    let request = ConvertRequest {
        amount: Some(18_500.0),
        rate_percent: Some(7.5),
        term_months: Some(48),
        opened_on: None,
    };
    let converted = desk
        .manager
        .lead_action(id, "convert", Some(&request), None)
        .await?;
    assert_eq!(converted.status.as_str(), "converted");
    let held = converted.held_product.expect("a held product");
    assert_eq!(held.amount.map(|m| m.cents()), Some(1_850_000));
    assert_eq!(held.rate_percent, Some(7.5));
    assert_eq!(held.term_months, Some(48));
    let profile = desk.manager.member(converted.member_id).await?;
    assert!(profile.products.iter().any(|p| p.lead_id == Some(id)));
    Ok(())
}

on_both_databases!(converting_an_approved_loan_gives_the_member_a_product);

async fn a_service_is_not_converted(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let inst = desk.app.institution_id("acme");
    let id = LeadId(desk.app.seed(
        inst,
        Seed {
            status: "approved",
            item: "change-of-address",
            amount_cents: None,
            ..Seed::new("Service Seeker")
        },
    ));
    let refused = desk
        .manager
        .lead_action(id, "convert", Some(&json!({})), None)
        .await;
    assert_eq!(status_of(&refused), Some(409));
    assert!(desk
        .manager
        .member(desk.manager.lead(id).await?.member_id)
        .await?
        .products
        .is_empty());
    Ok(())
}

on_both_databases!(a_service_is_not_converted);

async fn assigning_names_a_colleague_and_never_an_outsider(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let me = json!({ "assignee": desk.manager_id });
    only_in(
        &desk,
        &[
            "in_progress",
            "submitted",
            "approved",
            "declined",
            "converted",
            "closed",
        ],
        "assign",
        Some(&me),
    )
    .await?;

    desk.app.institution("other");
    let outsider = desk
        .app
        .staff("other", "outsider@other.org", "manager")
        .await;
    let outsider_id = outsider.me().await?.user.id.0;
    let id = desk.lead("submitted");
    let refused = desk
        .manager
        .lead_action(
            id,
            "assign",
            Some(&json!({ "assignee": outsider_id })),
            None,
        )
        .await;
    assert_eq!(status_of(&refused), Some(422));
    let foreign = outsider.lead_action(id, "assign", Some(&me), None).await;
    assert_eq!(status_of(&foreign), Some(404), "another institution's lead");
    let viewer = desk.viewer.lead_action(id, "assign", Some(&me), None).await;
    assert_eq!(status_of(&viewer), Some(403));

    let assigned = desk
        .manager
        .lead_action(id, "assign", Some(&me), None)
        .await?;
    assert_eq!(
        assigned.assignee.map(|u| u.id),
        Some(UserId(desk.manager_id))
    );
    let unassigned = desk
        .manager
        .lead_action(id, "assign", Some(&json!({ "assignee": null })), None)
        .await?;
    assert!(unassigned.assignee.is_none());
    let entry = &unassigned.timeline[0];
    assert_eq!(entry.detail["before"]["assignee"]["id"], desk.manager_id);
    assert!(entry.detail["after"]["assignee"].is_null());
    Ok(())
}

on_both_databases!(assigning_names_a_colleague_and_never_an_outsider);

async fn an_archived_lead_is_read_only_for_good(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.lead("submitted");
    let refused = desk.viewer.lead_action(id, "archive", NO_BODY, None).await;
    assert_eq!(status_of(&refused), Some(403));

    let archived = desk
        .manager
        .lead_action(id, "archive", NO_BODY, None)
        .await?;
    assert!(archived.archived);
    for (action, body) in [
        ("archive", None),
        ("approve", None),
        ("assign", Some(json!({ "assignee": desk.manager_id }))),
        ("decline", Some(json!({ "reasons": ["collateral"] }))),
        ("close", Some(json!({ "reason": "withdrawn" }))),
    ] {
        let result = desk
            .manager
            .lead_action(id, action, body.as_ref(), None)
            .await;
        assert_eq!(
            status_of(&result),
            Some(409),
            "{action} on an archived lead"
        );
    }
    let still = desk.manager.lead(id).await?;
    assert_eq!(still.status.as_str(), "submitted");
    assert!(still.assignee.is_none());
    // Notes stay possible: the record keeps growing.
    let noted = desk
        .manager
        .lead_action(
            id,
            "notes",
            Some(&json!({ "text": "Archived at the member's request." })),
            None,
        )
        .await?;
    assert_eq!(noted.timeline[0].action, "note.added");
    Ok(())
}

on_both_databases!(an_archived_lead_is_read_only_for_good);

async fn a_stale_version_changes_nothing(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.lead("submitted");
    let read = desk.manager.lead(id).await?;

    let first = desk
        .manager
        .lead_action(
            id,
            "assign",
            Some(&json!({ "assignee": desk.manager_id })),
            Some(read.version),
        )
        .await?;
    assert_eq!(first.version, read.version + 1);

    // A colleague who read the same version now decides on what they saw.
    let stale = problem(
        desk.manager
            .lead_action(id, "approve", NO_BODY, Some(read.version))
            .await,
    );
    assert_eq!(stale.status, 412);
    assert_eq!(stale.current_status.as_deref(), Some("submitted"));
    assert!(stale
        .detail
        .unwrap_or_default()
        .contains(&first.version.to_string()));
    let after = desk.manager.lead(id).await?;
    assert_eq!(after.status.as_str(), "submitted");
    assert_eq!(after.version, first.version);

    let fresh = desk
        .manager
        .lead_action(id, "approve", NO_BODY, Some(first.version))
        .await?;
    assert_eq!(fresh.status.as_str(), "approved");

    let path = format!("/api/v1/leads/{}/archive", id.0);
    let garbage = desk
        .app
        .raw_status("manager@acme.org", "POST", &path, Some("not-a-version"))
        .await;
    assert_eq!(garbage, 412, "a tag that names no version matches none");
    for tag in ["W/\"2\"", "2", "\"99999999999999999999\""] {
        let current = desk.manager.lead(id).await?.version;
        let weak = desk
            .app
            .raw_status(
                "manager@acme.org",
                "POST",
                &path,
                Some(&tag.replace('2', &current.to_string())),
            )
            .await;
        assert_eq!(weak, 412, "{tag}");
    }
    assert!(!desk.manager.lead(id).await?.archived);

    // A list of tags passes when any of them is current.
    let current = desk.manager.lead(id).await?.version;
    let listed = desk
        .app
        .raw_status(
            "manager@acme.org",
            "POST",
            &path,
            Some(&format!("\"1\", \"{current}\"")),
        )
        .await;
    assert_eq!(listed, 200);
    assert!(desk.manager.lead(id).await?.archived);
    Ok(())
}

on_both_databases!(a_stale_version_changes_nothing);

async fn concurrent_decisions_on_one_version_let_exactly_one_through(
    app: TestApp,
) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.lead("submitted");
    let version = desk.manager.lead(id).await?.version;
    let reasons = json!({ "reasons": ["collateral"] });
    let (approve, decline) = tokio::join!(
        desk.manager
            .lead_action(id, "approve", NO_BODY, Some(version)),
        desk.manager
            .lead_action(id, "decline", Some(&reasons), Some(version)),
    );
    let winners = [approve.is_ok(), decline.is_ok()]
        .iter()
        .filter(|w| **w)
        .count();
    assert_eq!(winners, 1, "approve {approve:?}, decline {decline:?}");
    let loser = if approve.is_ok() { decline } else { approve };
    assert_eq!(status_of(&loser), Some(412));
    let decided = desk.manager.lead(id).await?;
    assert_eq!(
        decided
            .timeline
            .iter()
            .filter(|a| a.action.starts_with("lead."))
            .count(),
        decided
            .timeline
            .iter()
            .filter(|a| a.action == "lead.created")
            .count()
            + 1
    );
    Ok(())
}

on_both_databases!(concurrent_decisions_on_one_version_let_exactly_one_through);

async fn notes_are_kept_and_have_no_way_to_change(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.lead("in_progress");
    let noted = desk
        .manager
        .lead_action(
            id,
            "notes",
            Some(&json!({ "text": "Called the member.\nWill send pay stubs." })),
            None,
        )
        .await?;
    let note = &noted.timeline[0];
    assert_eq!(note.action, "note.added");
    assert_eq!(
        note.detail["text"],
        "Called the member.\nWill send pay stubs."
    );
    assert_eq!(
        note.actor.user.as_ref().map(|u| u.id),
        Some(UserId(desk.manager_id))
    );

    for bad in [
        json!({ "text": "   " }),
        json!({ "text": "x".repeat(4001) }),
        json!({}),
    ] {
        let refused = desk
            .manager
            .lead_action(id, "notes", Some(&bad), None)
            .await;
        assert_eq!(status_of(&refused), Some(422), "{bad}");
    }
    let viewer = desk
        .viewer
        .lead_action(id, "notes", Some(&json!({ "text": "hi" })), None)
        .await;
    assert_eq!(status_of(&viewer), Some(403));

    let path = format!("/api/v1/leads/{}/notes", id.0);
    for method in ["PUT", "PATCH", "DELETE"] {
        let status = desk
            .app
            .raw_status("manager@acme.org", method, &path, None)
            .await;
        assert_eq!(status, 405, "{method} on notes");
    }
    let entry = format!("/api/v1/leads/{}/notes/{}", id.0, note.id);
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let status = desk
            .app
            .raw_status("manager@acme.org", method, &entry, None)
            .await;
        assert_eq!(status, 404, "{method} one note");
    }
    assert_eq!(timeline_len(&desk.manager, id).await, noted.timeline.len());
    Ok(())
}

on_both_databases!(notes_are_kept_and_have_no_way_to_change);

async fn revealing_an_ssn_needs_its_permission_and_is_recorded(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let owner = desk.app.staff("acme", "owner@acme.org", "owner").await;
    let mut lead = support::new_lead("personal-loan", "Sam Secret", "sam@example.com");
    lead.applicant.ssn = Some("123-45-6789".into());
    let created = desk.manager.create_lead(&lead).await?;
    assert_eq!(created.applicant.ssn_masked.as_deref(), Some("***-**-6789"));

    let manager = desk.manager.reveal_ssn(created.id).await;
    assert_eq!(
        manager.err().and_then(|e| e.status()),
        Some(403),
        "managers lack pii.reveal"
    );
    let shown = owner.reveal_ssn(created.id).await?;
    assert_eq!(shown.ssn, "123-45-6789");
    let after = owner.lead(created.id).await?;
    let entry = &after.timeline[0];
    assert_eq!(entry.action, "ssn.revealed");
    assert!(
        !entry.detail.to_string().contains("6789"),
        "the timeline keeps no SSN"
    );
    assert_eq!(after.version, created.version, "a reveal changes nothing");

    let none = owner.reveal_ssn(desk.lead("submitted")).await;
    assert_eq!(none.err().and_then(|e| e.status()), Some(409));
    Ok(())
}

on_both_databases!(revealing_an_ssn_needs_its_permission_and_is_recorded);
