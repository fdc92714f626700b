//! The CSV export of the leads table and the institution's audit trail.

mod support;

use leads_domain::LeadId;
use serde_json::{json, Value};
use support::{Seed, TestApp};

const NO_BODY: Option<&Value> = None;

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

async fn the_export_holds_the_filtered_leads_with_formulas_neutralised(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.staff("acme", "manager@acme.org", "manager").await;
    app.staff("acme", "viewer@acme.org", "viewer").await;
    let owner = app.staff("acme", "owner@acme.org", "owner").await;
    for (name, status) in [
        ("=HYPERLINK(\"http://evil\",\"x\")", "submitted"),
        ("+Plus Person", "submitted"),
        ("@At Person", "declined"),
        ("-Minus Person", "submitted"),
        ("Plain Person", "submitted"),
    ] {
        app.seed(
            inst,
            Seed {
                status,
                ..Seed::new(name)
            },
        );
    }
    for i in 0..620 {
        app.seed(
            inst,
            Seed {
                status: "closed",
                ..Seed::new(&format!("Bulk Person {i}"))
            },
        );
    }

    let (status, kind, body) = app
        .raw_get(
            "manager@acme.org",
            "/api/v1/leads/export.csv?status=submitted&sort=name",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let rows = parse_csv(&body);
    assert_eq!(rows[0][0], "reference");
    let names: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names.contains(&"'=HYPERLINK(\"http://evil\",\"x\")"),
        "{names:?}"
    );
    assert!(names.contains(&"'+Plus Person"));
    assert!(names.contains(&"'-Minus Person"));
    assert!(names.contains(&"Plain Person"));

    // More than one database page: every lead once.
    let (_, _, all) = app
        .raw_get("manager@acme.org", "/api/v1/leads/export.csv?status=closed")
        .await;
    let rows = parse_csv(&all);
    assert_eq!(rows.len(), 621, "a header and 620 leads");
    let mut references: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(references.len(), 620);

    let (viewer, _, _) = app
        .raw_get("viewer@acme.org", "/api/v1/leads/export.csv")
        .await;
    assert_eq!(viewer, 403);
    let (bad, kind, _) = app
        .raw_get(
            "manager@acme.org",
            "/api/v1/leads/export.csv?item=no-such-thing",
        )
        .await;
    assert_eq!((bad, kind.as_str()), (422, "application/problem+json"));

    // Each export is on the audit trail, with its filter and its size.
    let found = support::eventually(std::time::Duration::from_secs(5), || async {
        let page = app
            .raw_json("owner@acme.org", "/api/v1/audit?action=leads.exported")
            .await;
        page["items"].as_array().map(Vec::len) == Some(2)
    })
    .await;
    assert!(found, "two exports recorded");
    let page = app
        .raw_json("owner@acme.org", "/api/v1/audit?action=leads.exported")
        .await;
    let newest = &page["items"][0];
    assert_eq!(newest["detail"]["rows"], 620);
    assert_eq!(newest["detail"]["filter"]["status"], "closed");
    assert_eq!(newest["detail"]["complete"], true);
    assert!(newest["actor"]["name"].is_string());
    drop(owner);
    Ok(())
}

on_both_databases!(the_export_holds_the_filtered_leads_with_formulas_neutralised);

async fn the_audit_trail_holds_sign_ins_changes_and_reveals(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    app.staff("acme", "owner@acme.org", "owner").await;
    let wrong = app
        .client
        .login("manager@acme.org", "not the password")
        .await;
    assert!(wrong.is_err());
    let id = LeadId(app.seed(
        inst,
        Seed {
            status: "submitted",
            ..Seed::new("Audited Person")
        },
    ));
    manager.lead_action(id, "approve", NO_BODY, None).await?;
    manager
        .lead_action(id, "notes", Some(&json!({ "text": "Looks fine." })), None)
        .await?;

    let everything = app
        .raw_json("owner@acme.org", "/api/v1/audit?limit=200")
        .await;
    let actions: Vec<&str> = everything["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for wanted in [
        "staff.signed_in",
        "staff.sign_in_failed",
        "lead.approved",
        "note.added",
    ] {
        assert!(
            actions.contains(&wanted),
            "{wanted} missing from {actions:?}"
        );
    }

    let of_lead = app
        .raw_json("owner@acme.org", &format!("/api/v1/audit?lead={}", id.0))
        .await;
    let lead_actions: Vec<&str> = of_lead["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(lead_actions, ["note.added", "lead.approved"]);

    // Keyset pages walk the trail once, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit?limit=2&cursor={c}"),
            None => "/api/v1/audit?limit=2".to_string(),
        };
        let page = app.raw_json("owner@acme.org", &path).await;
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["id"].as_i64()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "pages repeat or skip events");

    let (refused, _, _) = app.raw_get("manager@acme.org", "/api/v1/audit").await;
    assert_eq!(refused, 403, "managers lack audit.read");
    let (bad, _, body) = app
        .raw_get("owner@acme.org", "/api/v1/audit?from=yesterday&limit=0")
        .await;
    assert_eq!(bad, 422);
    assert!(
        body.contains("\"from\"") && body.contains("\"limit\""),
        "{body}"
    );

    // Another institution's trail is not visible.
    app.institution("other");
    app.staff("other", "owner@other.org", "owner").await;
    let theirs = app
        .raw_json("owner@other.org", "/api/v1/audit?action=lead.approved")
        .await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
    Ok(())
}

on_both_databases!(the_audit_trail_holds_sign_ins_changes_and_reveals);
