//! The leads table beyond filters: saved views, named and shared; and the aging orders,
//! by time since submission and time waiting on the applicant.

mod support;

use leads_domain::lead_query::LeadQuery;
use leads_domain::LeadId;
use serde_json::json;
use support::desk::{asked, desk};
use support::{Seed, TestApp};

async fn saved_views_are_named_shared_and_checked(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let post = |email: &'static str, body: serde_json::Value| {
        let app = &desk.app;
        async move { app.raw_post(email, "/api/v1/views", &body).await }
    };
    let (status, body) = post(
        "manager@acme.org",
        json!({ "name": "My submitted", "query": "status=submitted&sort=-amount&cursor=abc" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let saved: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(
        saved["query"], "status=submitted&sort=-amount",
        "the cursor is not kept"
    );
    assert_eq!(saved["mine"], true);
    let (status, _) = post(
        "manager@acme.org",
        json!({ "name": "Team queue", "query": "assignee=none", "shared": true }),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        "manager@acme.org",
        json!({ "name": "My submitted", "query": "" }),
    )
    .await;
    assert_eq!(status, 409, "names are unique per user");
    for bad in [
        json!({ "name": "", "query": "" }),
        json!({ "name": "x", "query": "status=bogus" }),
        json!({ "name": "x", "query": "sort=height" }),
        json!({ "name": "x", "query": "", "owner": 1 }),
    ] {
        let (status, _) = post("manager@acme.org", bad.clone()).await;
        assert_eq!(status, 422, "{bad}");
    }

    let mine = desk.app.raw_json("manager@acme.org", "/api/v1/views").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    let theirs = desk.app.raw_json("viewer@acme.org", "/api/v1/views").await;
    let names: Vec<&str> = theirs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, ["Team queue"], "only shared views reach others");
    assert_eq!(theirs[0]["mine"], false);

    let shared_id = theirs[0]["id"].as_i64().unwrap_or_default();
    let status = desk
        .app
        .raw_status(
            "viewer@acme.org",
            "DELETE",
            &format!("/api/v1/views/{shared_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "only the owner removes a view");
    let status = desk
        .app
        .raw_status(
            "manager@acme.org",
            "DELETE",
            &format!("/api/v1/views/{shared_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    Ok(())
}

on_both_databases!(saved_views_are_named_shared_and_checked);

async fn the_table_sorts_by_time_waiting_and_since_submission(app: TestApp) -> anyhow::Result<()> {
    let desk = desk(app).await;
    let inst = desk.app.institution_id("acme");
    let mut ids = Vec::new();
    for (name, days_ago) in [("Ada Early", 9), ("Bea Middle", 5), ("Cy Late", 1)] {
        let id = desk.app.seed(
            inst,
            Seed {
                status: "submitted",
                ..Seed::new(name)
            },
        );
        {
            use diesel::prelude::*;
            use leads_persistence::schema::leads;
            let at = leads_persistence::time::now() - chrono::TimeDelta::days(days_ago);
            diesel::update(leads::table.filter(leads::id.eq(id)))
                .set((leads::submitted_at.eq(at), leads::submitted_order.eq(at)))
                .execute(&mut desk.app.conn())?;
        }
        ids.push(LeadId(id));
    }
    let unsubmitted = desk.lead("in_progress");
    let names = |page: &leads_domain::wire::LeadPage| -> Vec<LeadId> {
        page.items.iter().map(|l| l.id).collect()
    };

    let query = |sort: &str| LeadQuery {
        sort: Some(sort.into()),
        ..LeadQuery::default()
    };
    let oldest_first = desk.manager.leads(&query("submitted_at")).await?;
    assert_eq!(names(&oldest_first), [ids[0], ids[1], ids[2], unsubmitted]);
    assert!(oldest_first.items[0].submitted_at.is_some());
    assert!(oldest_first.items[3].submitted_at.is_none());

    // Asked of the newest first, then of the oldest: the oldest request waits longest.
    desk.manager
        .lead_action(ids[2], "requests", Some(&asked()), None)
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    desk.manager
        .lead_action(ids[0], "requests", Some(&asked()), None)
        .await?;
    let waiting = desk.manager.leads(&query("waiting_since")).await?;
    let order = names(&waiting);
    assert_eq!(&order[..2], [ids[2], ids[0]]);
    assert!(waiting.items[0].waiting_since.is_some());
    assert!(waiting.items[2].waiting_since.is_none());

    // Paging by that order reaches every lead once.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = desk
            .manager
            .leads(&LeadQuery {
                sort: Some("waiting_since".into()),
                limit: Some(1),
                cursor: cursor.clone(),
                ..LeadQuery::default()
            })
            .await?;
        seen.extend(names(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, order);
    Ok(())
}

on_both_databases!(the_table_sorts_by_time_waiting_and_since_submission);
