//! HMDA records as leads.

mod support;

use leads_api::import::hmda;
use leads_api::services::import::{import, ImportError, ImportReport};
use leads_domain::lead_query::LeadQuery;
use leads_persistence::{leads, products};
use support::TestApp;

const SLICE_2011: &str = include_str!("../fixtures/hmda_lar_2011_AK_public_slice.csv");
const SAMPLE_2018: &str = include_str!("../fixtures/hmda_2018_sample.txt");

fn import_text(
    app: &support::TestApp,
    inst: i64,
    text: &str,
    skip_invalid: bool,
) -> Result<ImportReport, ImportError> {
    import(&mut app.conn(), inst, hmda::parse(text), skip_invalid, &[])
}

fn lead_by_key(app: &support::TestApp, inst: i64, key: &str) -> anyhow::Result<leads::LeadRow> {
    let mut conn = app.conn();
    let id = leads::find_by_external_id(&mut conn, inst, key)?
        .ok_or_else(|| anyhow::anyhow!("{key} missing"))?;
    Ok(leads::get(&mut conn, inst, id)?)
}

async fn each_action_taken_becomes_the_status_the_record_states(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");

    let report = import_text(&app, inst, SAMPLE_2018, false)?;

    assert_eq!(
        (report.imported, report.purchased, report.rejected.len()),
        (7, 1, 0)
    );
    let key = |n: u32| format!("uli-549300FRONTIERFCU0001LN0000000{n}");
    let expect = [
        (101, "converted", None),
        (102, "closed", Some(r#"{"close_reason":"not_accepted"}"#)),
        (
            103,
            "declined",
            Some(r#"{"decline_reasons":["debt_to_income","credit_history"]}"#),
        ),
        (104, "closed", Some(r#"{"close_reason":"withdrawn"}"#)),
        (105, "closed", Some(r#"{"close_reason":"incomplete"}"#)),
        (
            107,
            "declined",
            Some(r#"{"decline_reasons":["collateral"]}"#),
        ),
        (108, "closed", Some(r#"{"close_reason":"not_accepted"}"#)),
    ];
    for (number, status, decision) in expect {
        let lead = lead_by_key(&app, inst, &key(number))?;
        assert_eq!(lead.status, status, "record {number}");
        assert_eq!(lead.decision.as_deref(), decision, "record {number}");
        assert!(lead.registered, "record {number}");
    }
    assert!(
        leads::find_by_external_id(&mut app.conn(), inst, &key(106))?.is_none(),
        "a purchased loan was imported"
    );
    let originated = lead_by_key(&app, inst, &key(101))?;
    assert_eq!(originated.amount_cents, Some(24_500_000));
    assert_eq!(originated.created_at.date().to_string(), "2019-01-05");
    let product = products::of_lead(&mut app.conn(), inst, originated.id)?;
    assert_eq!(
        product.map(|p| (p.product_type, p.opened_on.to_string())),
        Some(("mortgage".into(), "2019-03-01".into()))
    );
    Ok(())
}

on_both_databases!(each_action_taken_becomes_the_status_the_record_states);

async fn the_2011_slice_imports_once_and_shows_in_the_default_table(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");

    let first = import_text(&app, inst, SLICE_2011, false)?;
    let again = import_text(&app, inst, SLICE_2011, false)?;
    let viewer = app.staff("acme", "viewer@acme.org", "viewer").await;
    let count = |status: &str| {
        let viewer = viewer.clone();
        let query = LeadQuery {
            status: Some(status.into()),
            ..LeadQuery::default()
        };
        async move { viewer.leads(&query).await.map(|p| p.total) }
    };

    assert_eq!((first.imported, first.purchased), (97, 3));
    assert_eq!(
        (again.imported, again.already_imported, again.purchased),
        (0, 97, 3)
    );
    assert_eq!(count("converted").await?, 68);
    assert_eq!(count("declined").await?, 16);
    assert_eq!(count("closed").await?, 13);
    Ok(())
}

on_both_databases!(the_2011_slice_imports_once_and_shows_in_the_default_table);

async fn a_file_with_bad_records_imports_nothing_unless_told_to_skip_them(
    app: TestApp,
) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    let mut lines: Vec<String> = SAMPLE_2018.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen("|180500|2|", "|lots|2|", 1);
    lines.push("2|too|few|fields".into());
    let broken = lines.join("\n");

    let refused = import_text(&app, inst, &broken, false);
    let first_key = "uli-549300FRONTIERFCU0001LN0000000101";
    let written_after_refusal = leads::find_by_external_id(&mut app.conn(), inst, first_key)?;
    let skipped = import_text(&app, inst, &broken, true)?;

    match refused {
        Err(ImportError::Invalid(report)) => {
            let lines: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
            assert_eq!(lines, [3, 10]);
            assert!(
                report.rejected[0].reason.contains("loan amount"),
                "{}",
                report.rejected[0].reason
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        written_after_refusal, None,
        "a refused file left a lead behind"
    );
    assert_eq!((skipped.imported, skipped.rejected.len()), (6, 2));
    Ok(())
}

on_both_databases!(a_file_with_bad_records_imports_nothing_unless_told_to_skip_them);
