//! Working a lead: each action allowed, refused for want of permission, and refused in
//! a state that does not allow it; versions guarding against lost updates; notes that
//! cannot be changed; the SSN revealed and the reveal recorded.

mod support;

use leads_client::{Client, ClientError};
use leads_domain::wire::{CloseRequest, ConvertRequest, DeclineRequest, LeadDetail};
use leads_domain::{LeadId, UserId};
use serde_json::json;
use support::{Seed, TestApp};

const NO_BODY: Option<&serde_json::Value> = None;

struct Desk {
    app: TestApp,
    manager: Client,
    viewer: Client,
    manager_id: i64,
}

async fn desk(app: TestApp) -> Desk {
    app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let viewer = app.staff("acme", "viewer@acme.org", "viewer").await;
    let manager_id = manager.me().await.expect("me").user.id.0;
    Desk {
        app,
        manager,
        viewer,
        manager_id,
    }
}

impl Desk {
    fn lead(&self, status: &'static str) -> LeadId {
        let inst = self.app.institution_id("acme");
        LeadId(self.app.seed(
            inst,
            Seed {
                status,
                ..Seed::new(&format!("Borrower {status} {}", rand_suffix()))
            },
        ))
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("N{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn status_of(result: &Result<LeadDetail, ClientError>) -> Option<u16> {
    result.as_ref().err().and_then(ClientError::status)
}

fn problem(result: Result<LeadDetail, ClientError>) -> leads_domain::Problem {
    match result {
        Err(ClientError::Problem(problem)) => problem,
        other => panic!("expected a problem, got {other:?}"),
    }
}

async fn timeline_len(client: &Client, id: LeadId) -> usize {
    client.lead(id).await.expect("the lead").timeline.len()
}

/// Runs `action` on a fresh lead in each status, expecting it allowed only in `allowed`.
async fn only_in(
    desk: &Desk,
    allowed: &[&'static str],
    action: &str,
    body: Option<&serde_json::Value>,
) -> anyhow::Result<()> {
    for status in [
        "in_progress",
        "submitted",
        "approved",
        "declined",
        "converted",
        "closed",
    ] {
        let id = desk.lead(status);
        let before = timeline_len(&desk.manager, id).await;
        let result = desk.manager.lead_action(id, action, body, None).await;
        if allowed.contains(&status) {
            assert!(result.is_ok(), "{action} from {status}: {result:?}");
            assert_eq!(
                timeline_len(&desk.manager, id).await,
                before + 1,
                "{action}: one entry"
            );
        } else {
            let problem = problem(result);
            assert_eq!(problem.status, 409, "{action} from {status}");
            assert_eq!(problem.current_status.as_deref(), Some(status));
            let after = desk.manager.lead(id).await?;
            assert_eq!(
                after.status.as_str(),
                status,
                "{action} changed a refused lead"
            );
            assert_eq!(
                after.timeline.len(),
                before,
                "{action}: a refusal wrote history"
            );
        }
    }
    Ok(())
}

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

async fn colleagues_are_listed_for_assignment_and_outsiders_are_not(
    app: TestApp,
) -> anyhow::Result<()> {
    let desk = desk(app).await;
    desk.app.institution("other");
    desk.app
        .staff("other", "outsider@other.org", "manager")
        .await;
    let listed = desk.app.raw_json("viewer@acme.org", "/api/v1/users").await;
    let emails: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        ["manager@acme.org"],
        "only those who may work leads"
    );
    let viewer_id = desk.viewer.me().await?.user.id.0;
    let id = desk.lead("submitted");
    let refused = desk
        .manager
        .lead_action(id, "assign", Some(&json!({ "assignee": viewer_id })), None)
        .await;
    assert_eq!(
        status_of(&refused),
        Some(422),
        "a viewer cannot be given work"
    );
    Ok(())
}

on_both_databases!(colleagues_are_listed_for_assignment_and_outsiders_are_not);

async fn bulk_work_follows_the_single_action_rules(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let inst = desk.app.institution_id("acme");
    let open: Vec<LeadId> = (0..3).map(|_| desk.lead("submitted")).collect();
    let archived = LeadId(desk.app.seed(
        inst,
        Seed {
            status: "closed",
            archived: true,
            ..Seed::new("Archived Already")
        },
    ));
    desk.app.institution("other");
    let outsider = desk
        .app
        .staff("other", "outsider@other.org", "manager")
        .await;
    let foreign = LeadId(
        desk.app
            .seed(desk.app.institution_id("other"), Seed::new("Their Lead")),
    );

    // Chosen leads: the archived one and another institution's are skipped, with reasons.
    let mut chosen: Vec<i64> = open.iter().map(|id| id.0).collect();
    chosen.extend([archived.0, foreign.0]);
    let body = json!({ "action": "assign", "assignee": desk.manager_id, "ids": chosen });
    let result: leads_domain::wire::BulkResult = desk
        .app
        .raw_post_json("manager@acme.org", "/api/v1/leads/bulk", &body)
        .await?;
    assert_eq!(result.changed, open);
    assert_eq!(result.skipped.len(), 2);
    let skipped_archived = result
        .skipped
        .iter()
        .find(|s| s.id == archived)
        .expect("archived");
    assert_eq!(skipped_archived.status.as_deref(), Some("closed"));
    let single = desk
        .manager
        .lead_action(
            archived,
            "assign",
            Some(&json!({ "assignee": desk.manager_id })),
            None,
        )
        .await;
    assert_eq!(
        Some(skipped_archived.reason.clone()),
        single.err().and_then(|e| match e {
            ClientError::Problem(p) => p.detail,
            _ => None,
        }),
        "the same reason as one by one"
    );
    assert!(result
        .skipped
        .iter()
        .any(|s| s.id == foreign && s.status.is_none()));
    assert!(
        outsider.lead(foreign).await?.assignee.is_none(),
        "theirs untouched"
    );
    for id in &open {
        let lead = desk.manager.lead(*id).await?;
        assert_eq!(lead.assignee.map(|u| u.id), Some(UserId(desk.manager_id)));
        assert_eq!(lead.timeline[0].action, "lead.assigned");
    }

    // Everything a filter matches, archived included: archive what can be archived.
    let body =
        json!({ "action": "archive", "filter": { "borrower": "all", "archived": "include" } });
    let result: leads_domain::wire::BulkResult = desk
        .app
        .raw_post_json("manager@acme.org", "/api/v1/leads/bulk", &body)
        .await?;
    assert_eq!(result.changed.len(), 3, "{result:?}");
    assert_eq!(result.skipped.len(), 1);
    assert_eq!(result.skipped[0].id, archived);

    for (body, field) in [
        (json!({ "action": "delete", "ids": [open[0].0] }), "action"),
        (json!({ "action": "archive", "ids": [] }), "ids"),
        (json!({ "action": "archive" }), "ids"),
        (
            json!({ "action": "archive", "ids": [1], "filter": {} }),
            "ids",
        ),
        (
            json!({ "action": "archive", "filter": { "status": "nope" } }),
            "filter.status",
        ),
        (
            json!({ "action": "assign", "assignee": 999_999, "ids": [open[0].0] }),
            "assignee",
        ),
    ] {
        let (status, text) = desk
            .app
            .raw_post("manager@acme.org", "/api/v1/leads/bulk", &body)
            .await;
        assert_eq!(status, 422, "{body}: {text}");
        assert!(
            text.contains(&format!("\"field\":\"{field}\"")),
            "{body}: {text}"
        );
    }
    let (status, _) = desk
        .app
        .raw_post(
            "viewer@acme.org",
            "/api/v1/leads/bulk",
            &json!({ "action": "archive", "ids": [open[0].0] }),
        )
        .await;
    assert_eq!(status, 403);
    Ok(())
}

on_both_databases!(bulk_work_follows_the_single_action_rules);

async fn odd_bodies_and_no_op_changes_are_handled_plainly(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let id = desk.lead("in_progress");
    let path = format!("/api/v1/leads/{}/close", id.0);
    let (status, text) = desk
        .app
        .raw_post("manager@acme.org", &path, &json!(["duplicate", null]))
        .await;
    assert_eq!(status, 422, "a list is not an object: {text}");
    assert_eq!(desk.manager.lead(id).await?.status.as_str(), "in_progress");

    let before = desk.manager.lead(id).await?;
    let same = desk
        .manager
        .lead_action(
            id,
            "assign",
            Some(&json!({ "assignee": null })),
            Some(before.version),
        )
        .await?;
    assert_eq!(
        same.version, before.version,
        "assigning to whom it already is changes nothing"
    );
    assert_eq!(same.timeline.len(), before.timeline.len());

    let approved = desk.lead("approved");
    for day in ["2026-1-1", "+2026-01-01", "2026-02-30"] {
        let (status, text) = desk
            .app
            .raw_post(
                "manager@acme.org",
                &format!("/api/v1/leads/{}/convert", approved.0),
                &json!({ "opened_on": day }),
            )
            .await;
        assert_eq!(status, 422, "{day}: {text}");
        assert!(
            text.contains("must be a date (YYYY-MM-DD)"),
            "{day}: {text}"
        );
    }
    let tabbed = desk
        .manager
        .lead_action(id, "notes", Some(&json!({ "text": "a\tb" })), None)
        .await?;
    assert_eq!(tabbed.timeline[0].detail["text"], "a\tb");
    Ok(())
}

on_both_databases!(odd_bodies_and_no_op_changes_are_handled_plainly);
