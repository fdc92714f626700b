//! Work on many leads at once, who may be given work, and requests that are odd in
//! shape or change nothing.

mod support;

use leads_client::ClientError;
use leads_domain::{LeadId, UserId};
use serde_json::json;
use support::desk::{desk, status_of};
use support::{Seed, TestApp};

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

    // Asked again, nothing changes, and the answer says so rather than counting them.
    let again = json!({ "action": "assign", "assignee": desk.manager_id, "ids": [open[0].0] });
    let result: leads_domain::wire::BulkResult = desk
        .app
        .raw_post_json("manager@acme.org", "/api/v1/leads/bulk", &again)
        .await?;
    assert!(result.changed.is_empty(), "{:?}", result.changed);
    assert_eq!(result.skipped.len(), 1);
    assert!(result.skipped[0].reason.contains("already"));

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
