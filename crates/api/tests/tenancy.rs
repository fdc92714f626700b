//! Nothing crosses the line between institutions.

mod support;

use leads_domain::lead_query::LeadQuery;
use leads_domain::{LeadId, MemberId};
use support::{Seed, TestApp};

async fn another_institutions_records_answer_404(app: TestApp) -> anyhow::Result<()> {
    let acme = app.institution("acme");
    let other = app.institution("other");
    let theirs = app.seed(other, Seed::new("Their Member"));
    let ours = app.seed(acme, Seed::new("Our Member"));
    let staff = app.staff("acme", "owner@acme.org", "owner").await;
    let their_member = {
        let mut conn = app.conn();
        leads_persistence::leads::get(&mut conn, other, theirs)?.member_id
    };

    let lead = staff.lead(LeadId(theirs)).await;
    let member = staff.member(MemberId(their_member)).await;
    let missing = staff.lead(LeadId(999_999)).await;
    let their_items = app
        .staff("other", "owner@other.org", "owner")
        .await
        .catalog()
        .await?;
    let their_item = staff.catalog_item(their_items[0].id).await;
    let our_items = staff.catalog().await?;
    let our_item = staff.catalog_item(our_items[0].id).await?;
    let table = staff
        .leads(&LeadQuery {
            borrower: Some("all".into()),
            ..LeadQuery::default()
        })
        .await?;

    let lead = lead.err();
    let missing = missing.err();
    assert_eq!(lead.as_ref().and_then(|e| e.status()), Some(404));
    assert_eq!(member.err().and_then(|e| e.status()), Some(404));
    assert_eq!(
        lead.map(|e| e.to_string()),
        missing.map(|e| e.to_string()),
        "the answer leaks existence"
    );
    assert_eq!(
        table.items.iter().map(|l| l.id.0).collect::<Vec<_>>(),
        [ours]
    );
    assert_eq!(their_item.err().and_then(|e| e.status()), Some(404));
    assert_eq!(our_item.slug, our_items[0].slug);
    Ok(())
}

on_both_databases!(another_institutions_records_answer_404);

async fn a_search_finds_only_the_institutions_own_leads(app: TestApp) -> anyhow::Result<()> {
    let acme = app.institution("acme");
    let other = app.institution("other");
    let ours = app.seed(acme, Seed::new("Dana Whitfield"));
    app.seed(other, Seed::new("Dana Whitfield"));
    let staff = app.staff("acme", "owner@acme.org", "owner").await;

    for q in ["whitfield", "dana", "wh"] {
        let page = staff
            .leads(&LeadQuery {
                q: Some(q.into()),
                ..LeadQuery::default()
            })
            .await?;
        let found: Vec<i64> = page.items.iter().map(|l| l.id.0).collect();
        assert_eq!(found, [ours], "searching {q}");
    }
    let members = staff
        .members(&leads_client::MemberQuery {
            q: Some("whitfield".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(members.items.len(), 1);
    Ok(())
}

on_both_databases!(a_search_finds_only_the_institutions_own_leads);

async fn filtering_by_another_institutions_user_finds_nothing(app: TestApp) -> anyhow::Result<()> {
    let acme = app.institution("acme");
    app.institution("other");
    let outsider = app.staff("other", "manager@other.org", "manager").await;
    let outsider_id = outsider.me().await?.user.id.0;
    app.seed(
        acme,
        Seed {
            assignee: None,
            ..Seed::new("Our Member")
        },
    );
    let staff = app.staff("acme", "owner@acme.org", "owner").await;

    let page = staff
        .leads(&LeadQuery {
            assignee: Some(outsider_id.to_string()),
            ..LeadQuery::default()
        })
        .await?;

    assert_eq!(page.total, 0);
    Ok(())
}

on_both_databases!(filtering_by_another_institutions_user_finds_nothing);
