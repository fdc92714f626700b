//! The `leads` binary as an operator and a new user meet it.

use leads_domain::lead_query::LeadQuery;
use leads_e2e::{Backend, Env};

const BAD_FILE: &str = "1|Bank|2019\n2|too|few\n3|what\n";

fn envs() -> Vec<Env> {
    [Backend::Sqlite, Backend::Postgres]
        .into_iter()
        .filter_map(Env::new)
        .collect()
}

#[tokio::test]
async fn the_demo_serves_real_applications_with_the_credentials_it_prints() -> anyhow::Result<()> {
    for env in envs() {
        let server = env.serve(&["demo"])?;
        let password = server
            .printed
            .iter()
            .find_map(|line| line.trim().strip_prefix("Password"))
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| anyhow::anyhow!("no password in {:#?}", server.printed))?;

        let tokens = server
            .client()
            .login("owner@demo.example.org", password)
            .await?;
        let owner = server.client().with_token(tokens.access_token);
        let page = owner.leads(&LeadQuery::default()).await?;

        assert_eq!(page.total, 97);
        assert!(page.items.iter().all(|lead| lead.applicant.name.is_some()));
        assert!(server
            .printed
            .iter()
            .any(|line| line.contains("/api/docs/")));
    }
    Ok(())
}

#[tokio::test]
async fn an_operator_creates_an_institution_and_a_user_who_can_sign_in() -> anyhow::Result<()> {
    for env in envs() {
        let institution = env.create_institution("north", "North CU")?;
        let user = env.create_user(
            "north",
            "ops@north.org",
            "manager",
            "a long enough password",
        )?;
        let duplicate = env.create_institution("north", "Again")?;
        let weak = env.create_user("north", "x@north.org", "owner", "short")?;
        let server = env.serve(&["serve"])?;

        let tokens = server
            .client()
            .login("ops@north.org", "a long enough password")
            .await?;
        let me = server.client().with_token(tokens.access_token).me().await?;

        assert!(institution.status.success());
        assert!(
            user.status.success(),
            "{}",
            String::from_utf8_lossy(&user.stderr)
        );
        assert!(!duplicate.status.success());
        assert!(!weak.status.success());
        assert_eq!(
            (me.institution.slug.as_str(), me.role.as_str()),
            ("north", "manager")
        );
    }
    Ok(())
}

#[tokio::test]
async fn importing_a_bad_file_lists_each_bad_line_and_imports_nothing() -> anyhow::Result<()> {
    for env in envs() {
        env.create_institution("north", "North CU")?;
        let file = env.data_dir.path().join("bad.txt");
        std::fs::write(&file, BAD_FILE)?;
        let path = file.to_string_lossy().into_owned();

        let refused = env.run(&["import", "hmda", "--institution", "north", &path], "")?;
        let skipped = env.run(
            &[
                "import",
                "hmda",
                "--institution",
                "north",
                "--skip-invalid",
                &path,
            ],
            "",
        )?;

        let errors = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success());
        assert!(
            errors.contains("line 2:") && errors.contains("line 3:"),
            "{errors}"
        );
        assert!(skipped.status.success());
        let summary = String::from_utf8_lossy(&skipped.stdout);
        assert!(
            summary.contains("imported 0") && summary.contains("rejected 2"),
            "{summary}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_log_never_holds_credentials_or_personal_data() -> anyhow::Result<()> {
    let Some(env) = Env::new(Backend::Sqlite) else {
        return Ok(());
    };
    env.create_institution("north", "North CU")?;
    let password = "a secret password 42";
    env.create_user("north", "ops@north.org", "owner", password)?;
    let server = env.serve(&["serve"])?;
    let client = server.client();

    let tokens = client.login("ops@north.org", password).await?;
    let _ = client.login("ops@north.org", "a wrong guess 99").await;
    let owner = client.with_token(tokens.access_token.clone());
    let mut lead = leads_domain::wire::NewLead {
        item: "auto-loan".into(),
        applicant: leads_domain::wire::NewApplicant {
            name: "Zebulon Quartermaine".into(),
            email: "zebulon.q@example.org".into(),
            phone: Some("907-555-0199".into()),
            date_of_birth: None,
            address: None,
            ssn: Some("219-09-9999".into()),
            authenticated: true,
        },
        amount: Some(1000.0),
        term_months: None,
        answers: Default::default(),
    };
    owner.create_lead(&lead).await?;
    lead.applicant.email = "not an email".into();
    let _ = owner.create_lead(&lead).await;
    let search = LeadQuery {
        q: Some("quartermaine".into()),
        ..LeadQuery::default()
    };
    owner.leads(&search).await?;
    drop(server);

    let log = std::fs::read_to_string(env.log_path())?;
    assert!(
        log.contains("http.route=/api/v1/leads"),
        "no request lines in {log}"
    );
    for secret in [
        password,
        "a wrong guess",
        "ops@north.org",
        "Zebulon",
        "quartermaine",
        "zebulon.q",
        "219-09-9999",
        "219099999",
        "555-0199",
        tokens.access_token.as_str(),
        tokens.refresh_token.as_str(),
    ] {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
    Ok(())
}
