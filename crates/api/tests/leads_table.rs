//! The leads table: filters, sorts, keyset pages and totals.

mod support;

use chrono::Duration;
use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::LeadPage;
use leads_domain::LeadId;
use support::{Seed, TestApp};

fn query() -> LeadQuery {
    LeadQuery::default()
}

fn names(page: &LeadPage) -> Vec<String> {
    page.items
        .iter()
        .map(|l| l.applicant.name.clone().unwrap_or_default())
        .collect()
}

fn at(minutes_ago: i64) -> chrono::NaiveDateTime {
    leads_persistence::time::now() - Duration::minutes(minutes_ago)
}

async fn unregistered_leads_are_hidden_by_default(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.seed(inst, Seed::new("Known Member"));
    app.seed(
        inst,
        Seed {
            registered: false,
            ..Seed::new("Anonymous Starter")
        },
    );
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;

    let default = staff.leads(&query()).await?;
    let unregistered = staff
        .leads(&LeadQuery {
            borrower: Some("unregistered".into()),
            ..query()
        })
        .await?;
    let all = staff
        .leads(&LeadQuery {
            borrower: Some("all".into()),
            ..query()
        })
        .await?;

    assert_eq!(names(&default), ["Known Member"]);
    assert_eq!(names(&unregistered), ["Anonymous Starter"]);
    assert_eq!(all.total, 2);
    assert!(all.total_exact);
    Ok(())
}

on_both_databases!(unregistered_leads_are_hidden_by_default);

async fn status_filters_accept_several_and_unsubmitted(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.seed(
        inst,
        Seed {
            status: "in_progress",
            ..Seed::new("Started")
        },
    );
    app.seed(
        inst,
        Seed {
            status: "submitted",
            ..Seed::new("Waiting")
        },
    );
    app.seed(
        inst,
        Seed {
            status: "declined",
            ..Seed::new("Declined")
        },
    );
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;

    let page = staff
        .leads(&LeadQuery {
            status: Some("unsubmitted,declined".into()),
            sort: Some("name".into()),
            ..query()
        })
        .await?;

    assert_eq!(names(&page), ["Declined", "Started"]);
    Ok(())
}

on_both_databases!(status_filters_accept_several_and_unsubmitted);

async fn product_kind_channel_and_assignee_filters_narrow_the_table(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    let staff = app.staff("acme", "manager@acme.org", "manager").await;
    let me = staff.me().await?.user.id.0;
    app.seed(
        inst,
        Seed {
            item: "auto-loan",
            assignee: Some(me),
            ..Seed::new("Car Buyer")
        },
    );
    app.seed(
        inst,
        Seed {
            item: "lost-card",
            amount_cents: None,
            channel: "online_banking",
            ..Seed::new("Card Loser")
        },
    );
    app.seed(
        inst,
        Seed {
            item: "personal-loan",
            channel: "lender_proxy",
            ..Seed::new("Walk In")
        },
    );

    let autos = staff
        .leads(&LeadQuery {
            item: Some("auto-loan".into()),
            ..query()
        })
        .await?;
    let services = staff
        .leads(&LeadQuery {
            kind: Some("service".into()),
            ..query()
        })
        .await?;
    let banking = staff
        .leads(&LeadQuery {
            channel: Some("online_banking".into()),
            ..query()
        })
        .await?;
    let mine = staff
        .leads(&LeadQuery {
            assignee: Some("me".into()),
            ..query()
        })
        .await?;
    let by_id = staff
        .leads(&LeadQuery {
            assignee: Some(me.to_string()),
            ..query()
        })
        .await?;
    let nobody = staff
        .leads(&LeadQuery {
            assignee: Some("none".into()),
            sort: Some("name".into()),
            ..query()
        })
        .await?;

    assert_eq!(names(&autos), ["Car Buyer"]);
    assert_eq!(names(&services), ["Card Loser"]);
    assert_eq!(names(&banking), ["Card Loser"]);
    assert_eq!(names(&mine), ["Car Buyer"]);
    assert_eq!(names(&by_id), ["Car Buyer"]);
    assert_eq!(names(&nobody), ["Card Loser", "Walk In"]);
    Ok(())
}

on_both_databases!(product_kind_channel_and_assignee_filters_narrow_the_table);

async fn date_ranges_and_archived_choices_filter(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.seed(
        inst,
        Seed {
            created_at: at(60 * 24 * 10),
            ..Seed::new("Old Lead")
        },
    );
    app.seed(
        inst,
        Seed {
            created_at: at(5),
            ..Seed::new("New Lead")
        },
    );
    app.seed(
        inst,
        Seed {
            archived: true,
            created_at: at(3),
            ..Seed::new("Archived Lead")
        },
    );
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;
    let three_days_ago = (chrono::Utc::now() - Duration::days(3)).to_rfc3339();
    let five_days_ago = (chrono::Utc::now() - Duration::days(5))
        .date_naive()
        .to_string();

    let recent = staff
        .leads(&LeadQuery {
            created_from: Some(three_days_ago.clone()),
            ..query()
        })
        .await?;
    let old = staff
        .leads(&LeadQuery {
            created_to: Some(five_days_ago),
            ..query()
        })
        .await?;
    let updated = staff
        .leads(&LeadQuery {
            updated_from: Some(three_days_ago),
            ..query()
        })
        .await?;
    let only = staff
        .leads(&LeadQuery {
            archived: Some("only".into()),
            ..query()
        })
        .await?;
    let include = staff
        .leads(&LeadQuery {
            archived: Some("include".into()),
            ..query()
        })
        .await?;

    assert_eq!(names(&recent), ["New Lead"]);
    assert_eq!(names(&old), ["Old Lead"]);
    assert_eq!(names(&updated), ["New Lead"]);
    assert_eq!(names(&only), ["Archived Lead"]);
    assert_eq!(names(&include), ["Archived Lead", "New Lead", "Old Lead"]);
    Ok(())
}

on_both_databases!(date_ranges_and_archived_choices_filter);

async fn search_ignores_case_and_matches_email_phone_and_reference(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.seed(
        inst,
        Seed {
            phone: Some("9075550142".into()),
            ..Seed::new("Olga Petrova")
        },
    );
    let other = app.seed(inst, Seed::new("Sam Reyes"));
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;
    let reference = staff.lead(LeadId(other)).await?.reference;

    let by_name = staff
        .leads(&LeadQuery {
            q: Some("PETROV".into()),
            ..query()
        })
        .await?;
    let by_email = staff
        .leads(&LeadQuery {
            q: Some("sam.reyes@".into()),
            ..query()
        })
        .await?;
    let by_phone = staff
        .leads(&LeadQuery {
            q: Some("(907) 555-01".into()),
            ..query()
        })
        .await?;
    let by_reference = staff
        .leads(&LeadQuery {
            q: Some(reference.to_lowercase()),
            ..query()
        })
        .await?;
    let wildcard = staff
        .leads(&LeadQuery {
            q: Some("%".into()),
            ..query()
        })
        .await?;

    assert_eq!(names(&by_name), ["Olga Petrova"]);
    assert_eq!(names(&by_email), ["Sam Reyes"]);
    assert_eq!(names(&by_phone), ["Olga Petrova"]);
    assert_eq!(names(&by_reference), ["Sam Reyes"]);
    assert_eq!(wildcard.total, 0, "a % is searched for, not a wildcard");
    Ok(())
}

on_both_databases!(search_ignores_case_and_matches_email_phone_and_reference);

async fn every_sort_orders_both_ways(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    app.seed(
        inst,
        Seed {
            amount_cents: Some(500_000),
            created_at: at(30),
            ..Seed::new("bravo")
        },
    );
    app.seed(
        inst,
        Seed {
            amount_cents: None,
            item: "travel-notice",
            created_at: at(20),
            ..Seed::new("Charlie")
        },
    );
    app.seed(
        inst,
        Seed {
            amount_cents: Some(9_000_000),
            created_at: at(10),
            ..Seed::new("Alpha")
        },
    );
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;
    let sorted = |sort: &str| LeadQuery {
        sort: Some(sort.into()),
        ..query()
    };

    assert_eq!(
        names(&staff.leads(&sorted("name")).await?),
        ["Alpha", "bravo", "Charlie"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("-name")).await?),
        ["Charlie", "bravo", "Alpha"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("created_at")).await?),
        ["bravo", "Charlie", "Alpha"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("-created_at")).await?),
        ["Alpha", "Charlie", "bravo"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("updated_at")).await?),
        ["bravo", "Charlie", "Alpha"]
    );
    assert_eq!(
        names(&staff.leads(&query()).await?),
        ["Alpha", "Charlie", "bravo"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("amount")).await?),
        ["Charlie", "bravo", "Alpha"]
    );
    assert_eq!(
        names(&staff.leads(&sorted("-amount")).await?),
        ["Alpha", "bravo", "Charlie"]
    );
    Ok(())
}

on_both_databases!(every_sort_orders_both_ways);

async fn walking_all_pages_returns_every_lead_once_while_leads_are_added(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    let same_time = at(60);
    for i in 0..23 {
        // Equal sort values force the id to break ties across page boundaries.
        let created_at = if i % 2 == 0 { same_time } else { at(i) };
        app.seed(
            inst,
            Seed {
                amount_cents: Some(1000 * (i % 4)),
                created_at,
                ..Seed::new(&format!("Member {i:02}"))
            },
        );
    }
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;

    for sort in ["-updated_at", "created_at", "name", "-amount", "amount"] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = staff
                .leads(&LeadQuery {
                    sort: Some(sort.into()),
                    limit: Some(5),
                    cursor: cursor.clone(),
                    ..query()
                })
                .await?;
            seen.extend(page.items.iter().map(|l| l.id.0));
            app.seed(
                inst,
                Seed {
                    created_at: at(-1),
                    ..Seed::new(&format!("Newcomer {sort} {pages}"))
                },
            );
            pages += 1;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort}: a lead came twice");
        let originals = seen.len() - seen.iter().filter(|id| **id > 23).count();
        assert!(
            originals >= 23,
            "{sort}: only {originals} of the 23 first leads were seen"
        );
    }
    Ok(())
}

on_both_databases!(walking_all_pages_returns_every_lead_once_while_leads_are_added);

async fn previous_pages_walk_back_to_the_first_in_every_sort(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    for i in 0..12 {
        app.seed(
            inst,
            Seed {
                created_at: at(-(i % 4)),
                ..Seed::new(&format!("Member {i}"))
            },
        );
    }
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;

    for sort in ["-updated_at", "created_at", "name", "-amount", "amount"] {
        let ask = |cursor: Option<String>| LeadQuery {
            sort: Some(sort.into()),
            limit: Some(5),
            cursor,
            ..query()
        };
        let ids = |page: &LeadPage| -> Vec<i64> { page.items.iter().map(|l| l.id.0).collect() };
        let mut forward = vec![staff.leads(&ask(None)).await?];
        assert!(
            forward[0].prev_cursor.is_none(),
            "{sort}: the first page has no previous"
        );
        while let Some(next) = forward.last().and_then(|p| p.next_cursor.clone()) {
            forward.push(staff.leads(&ask(Some(next))).await?);
        }
        assert_eq!(forward.len(), 3, "{sort}: 12 leads in pages of 5");

        let mut page = forward.pop().expect("three pages");
        while let Some(prev) = page.prev_cursor.clone() {
            page = staff.leads(&ask(Some(prev))).await?;
            let expected = forward.pop().expect("no more pages back than forward");
            assert_eq!(
                ids(&page),
                ids(&expected),
                "{sort}: a page read backwards differs"
            );
            assert!(
                page.next_cursor.is_some(),
                "{sort}: a page before has a next"
            );
        }
        assert!(forward.is_empty(), "{sort}: walking back stopped early");
    }
    Ok(())
}

on_both_databases!(previous_pages_walk_back_to_the_first_in_every_sort);

async fn a_cursor_of_another_sort_or_garbage_is_refused(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    for i in 0..3 {
        app.seed(inst, Seed::new(&format!("Member {i}")));
    }
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;
    let first = staff
        .leads(&LeadQuery {
            limit: Some(1),
            ..query()
        })
        .await?;

    let other_sort = staff
        .leads(&LeadQuery {
            sort: Some("name".into()),
            cursor: first.next_cursor.clone(),
            ..query()
        })
        .await;
    let garbage = staff
        .leads(&LeadQuery {
            cursor: Some("bm90IGEgY3Vyc29y".into()),
            ..query()
        })
        .await;
    let other_search = staff
        .leads(&LeadQuery {
            q: Some("member".into()),
            cursor: first.next_cursor.clone(),
            ..query()
        })
        .await;
    let cursor = first.next_cursor.clone().unwrap_or_default();

    assert_eq!(other_sort.err().and_then(|e| e.status()), Some(422));
    assert_eq!(garbage.err().and_then(|e| e.status()), Some(422));
    assert_eq!(other_search.err().and_then(|e| e.status()), Some(422));
    assert!(
        !cursor.to_lowercase().contains("member"),
        "the cursor shows a name"
    );
    Ok(())
}

on_both_databases!(a_cursor_of_another_sort_or_garbage_is_refused);

async fn the_total_is_exact_below_the_cap_and_a_page_is_bounded(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    for i in 0..7 {
        app.seed(inst, Seed::new(&format!("Member {i}")));
    }
    let staff = app.staff("acme", "viewer@acme.org", "viewer").await;

    let page = staff
        .leads(&LeadQuery {
            limit: Some(2),
            ..query()
        })
        .await?;
    let too_big = staff
        .leads(&LeadQuery {
            limit: Some(201),
            ..query()
        })
        .await;

    assert_eq!(page.items.len(), 2);
    assert_eq!((page.total, page.total_exact), (7, true));
    assert_eq!(too_big.err().and_then(|e| e.status()), Some(422));
    Ok(())
}

on_both_databases!(the_total_is_exact_below_the_cap_and_a_page_is_bounded);
