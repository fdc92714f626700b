//! Sign-in, tokens and permissions.

mod support;

use diesel::prelude::*;
use leads_api::auth::tokens::{self, StaffClaims};
use leads_domain::lead_query::LeadQuery;
use leads_domain::Permission;
use leads_persistence::schema::{role_permissions, roles, staff_users};
use support::{new_lead, TestApp, PASSWORD};

fn claims(
    app: &support::TestApp,
    user: (i64, i64),
    audience: &str,
    expires_in: i64,
) -> StaffClaims {
    let now = chrono::Utc::now().timestamp();
    StaffClaims {
        sub: user.0.to_string(),
        inst: user.1,
        aud: audience.into(),
        iss: app.state.config.issuer.clone(),
        iat: now,
        exp: now + expires_in,
    }
}

async fn a_signed_in_user_sees_their_institution_and_permissions(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    let manager = app.staff("acme", "Manager@Acme.org", "manager").await;

    let me = manager.me().await?;

    assert_eq!(me.user.email, "manager@acme.org");
    assert_eq!(me.institution.slug, "acme");
    assert_eq!(me.role, "manager");
    assert!(me.permissions.contains(&Permission::LeadsDecide));
    assert!(!me.permissions.contains(&Permission::UsersManage));
    Ok(())
}

on_both_databases!(a_signed_in_user_sees_their_institution_and_permissions);

async fn a_wrong_password_or_unknown_email_is_refused_alike(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;

    let wrong = app.client.login("owner@acme.org", "not the password").await;
    let unknown = app.client.login("nobody@acme.org", PASSWORD).await;

    let (wrong, unknown) = (wrong.err(), unknown.err());
    assert_eq!(wrong.as_ref().and_then(|e| e.status()), Some(401));
    assert_eq!(unknown.as_ref().and_then(|e| e.status()), Some(401));
    assert_eq!(wrong.map(|e| e.to_string()), unknown.map(|e| e.to_string()));
    Ok(())
}

on_both_databases!(a_wrong_password_or_unknown_email_is_refused_alike);

async fn a_refresh_token_renews_once(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let first = app.client.login("owner@acme.org", PASSWORD).await?;

    let renewed = app.client.refresh(&first.refresh_token).await?;
    let replayed = app.client.refresh(&first.refresh_token).await;

    assert_eq!(renewed.token_type, "Bearer");
    assert!(app
        .client
        .with_token(renewed.access_token)
        .me()
        .await
        .is_ok());
    assert_eq!(replayed.err().and_then(|e| e.status()), Some(401));
    Ok(())
}

on_both_databases!(a_refresh_token_renews_once);

async fn signing_out_retires_the_refresh_token_and_only_that_one(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let here = app.client.login("owner@acme.org", PASSWORD).await?;
    let elsewhere = app.client.login("owner@acme.org", PASSWORD).await?;

    app.client.logout(&here.refresh_token).await?;
    app.client.logout(&here.refresh_token).await?;

    assert!(app.client.refresh(&elsewhere.refresh_token).await.is_ok());
    let after = app.client.refresh(&here.refresh_token).await;
    assert_eq!(after.err().and_then(|e| e.status()), Some(401));
    Ok(())
}

on_both_databases!(signing_out_retires_the_refresh_token_and_only_that_one);

async fn expired_wrongly_signed_and_wrong_audience_tokens_are_refused(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    let me = app
        .staff("acme", "owner@acme.org", "owner")
        .await
        .me()
        .await?;
    let user = (me.user.id.0, me.institution.id.0);
    let key = app.state.keys.jwt.clone();
    let expired = tokens::sign(&key, &claims(&app, user, "staff", -120))?;
    let foreign = tokens::sign(
        b"some other key of thirty-two bytes!",
        &claims(&app, user, "staff", 600),
    )?;
    let applicant = tokens::sign(&key, &claims(&app, user, "applicant", 600))?;
    let no_audience = tokens::sign(
        &key,
        &serde_json::json!({
            "sub": user.0.to_string(), "inst": user.1, "iss": "leads",
            "iat": 0, "exp": chrono::Utc::now().timestamp() + 600
        }),
    )?;
    let other_institution = tokens::sign(&key, &claims(&app, (user.0, user.1 + 1), "staff", 600))?;
    let valid = tokens::sign(&key, &claims(&app, user, "staff", 600))?;

    for token in [
        expired,
        foreign,
        applicant,
        no_audience,
        other_institution,
        "garbage".to_string(),
    ] {
        let answer = app
            .client
            .with_token(token)
            .leads(&LeadQuery::default())
            .await;
        assert_eq!(answer.err().and_then(|e| e.status()), Some(401));
    }
    let missing = app.client.leads(&LeadQuery::default()).await;
    assert_eq!(missing.err().and_then(|e| e.status()), Some(401));
    assert!(app
        .client
        .with_token(valid)
        .leads(&LeadQuery::default())
        .await
        .is_ok());
    Ok(())
}

on_both_databases!(expired_wrongly_signed_and_wrong_audience_tokens_are_refused);

async fn a_deactivated_or_demoted_user_loses_access_at_once(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    let manager = app.staff("acme", "manager@acme.org", "manager").await;
    let leaving = app.staff("acme", "leaving@acme.org", "manager").await;
    let manager_id = manager.me().await?.user.id.0;
    let leaving_id = leaving.me().await?.user.id.0;
    let viewer_role = leads_persistence::users::role_id(&mut app.conn(), inst, "viewer")?;

    diesel::update(staff_users::table.find(manager_id))
        .set(staff_users::role_id.eq(viewer_role))
        .execute(&mut *app.conn())?;
    diesel::update(staff_users::table.find(leaving_id))
        .set(staff_users::active.eq(false))
        .execute(&mut *app.conn())?;

    let demoted = manager
        .create_lead(&new_lead("auto-loan", "Ann Lee", "ann@example.org"))
        .await;
    let gone = leaving.leads(&LeadQuery::default()).await;
    assert_eq!(demoted.err().and_then(|e| e.status()), Some(403));
    assert_eq!(gone.err().and_then(|e| e.status()), Some(401));
    assert!(manager.leads(&LeadQuery::default()).await.is_ok());
    Ok(())
}

on_both_databases!(a_deactivated_or_demoted_user_loses_access_at_once);

async fn a_replayed_refresh_token_ends_every_session_of_its_user(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let first = app.client.login("owner@acme.org", PASSWORD).await?;
    let second = app.client.refresh(&first.refresh_token).await?;

    let replayed = app.client.refresh(&first.refresh_token).await;
    let successor = app.client.refresh(&second.refresh_token).await;

    assert_eq!(replayed.err().and_then(|e| e.status()), Some(401));
    assert_eq!(successor.err().and_then(|e| e.status()), Some(401));
    assert!(app.client.login("owner@acme.org", PASSWORD).await.is_ok());
    Ok(())
}

on_both_databases!(a_replayed_refresh_token_ends_every_session_of_its_user);

async fn a_viewer_reads_but_cannot_start_a_lead(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let viewer = app.staff("acme", "viewer@acme.org", "viewer").await;

    let created = viewer
        .create_lead(&new_lead("personal-loan", "Ann Lee", "ann@example.org"))
        .await;
    let table = viewer
        .leads(&LeadQuery {
            borrower: Some("all".into()),
            ..LeadQuery::default()
        })
        .await?;

    assert_eq!(created.err().and_then(|e| e.status()), Some(403));
    assert_eq!(table.total, 0, "the refused lead was written");
    Ok(())
}

on_both_databases!(a_viewer_reads_but_cannot_start_a_lead);

async fn a_user_without_leads_read_is_refused_the_table(app: TestApp) -> anyhow::Result<()> {
    let inst = app.institution("acme");
    {
        let mut conn = app.conn();
        diesel::insert_into(roles::table)
            .values((
                roles::institution_id.eq(inst),
                roles::name.eq("auditor"),
                roles::builtin.eq(false),
            ))
            .execute(&mut *conn)?;
        let role: i64 = roles::table
            .filter(roles::name.eq("auditor"))
            .select(roles::id)
            .first(&mut *conn)?;
        diesel::insert_into(role_permissions::table)
            .values((
                role_permissions::institution_id.eq(inst),
                role_permissions::role_id.eq(role),
                role_permissions::permission.eq("audit.read"),
            ))
            .execute(&mut *conn)?;
    }
    let auditor = app.staff("acme", "auditor@acme.org", "auditor").await;

    let table = auditor.leads(&LeadQuery::default()).await;
    let lead = auditor.lead(leads_domain::LeadId(1)).await;
    let members = auditor.members(&Default::default()).await;

    assert_eq!(table.err().and_then(|e| e.status()), Some(403));
    assert_eq!(lead.err().and_then(|e| e.status()), Some(403));
    assert_eq!(members.err().and_then(|e| e.status()), Some(403));
    Ok(())
}

on_both_databases!(a_user_without_leads_read_is_refused_the_table);

async fn ten_failed_sign_ins_lock_the_account_for_a_while(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let owner = app.staff("acme", "owner@acme.org", "owner").await;
    let owner_id = owner.me().await?.user.id.0;

    for _ in 0..10 {
        assert!(app
            .client
            .login("owner@acme.org", "wrong guess")
            .await
            .is_err());
    }
    let locked = app.client.login("owner@acme.org", PASSWORD).await;
    let still_locked = app.client.login("owner@acme.org", PASSWORD).await;
    diesel::update(staff_users::table.find(owner_id))
        .set(staff_users::locked_until.eq(None::<chrono::NaiveDateTime>))
        .execute(&mut *app.conn())?;
    let unlocked = app.client.login("owner@acme.org", PASSWORD).await;

    assert_eq!(locked.err().and_then(|e| e.status()), Some(401));
    assert_eq!(still_locked.err().and_then(|e| e.status()), Some(401));
    assert!(unlocked.is_ok());
    Ok(())
}

on_both_databases!(ten_failed_sign_ins_lock_the_account_for_a_while);

async fn guesses_sent_together_are_held_to_the_same_limit(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let guesses = (0..40).map(|_| app.client.login("owner@acme.org", "wrong guess"));
    let answers = futures_util::future::join_all(guesses).await;
    assert!(answers.iter().all(Result::is_err));

    let right = app.client.login("owner@acme.org", PASSWORD).await;
    assert_eq!(
        right.err().and_then(|e| e.status()),
        Some(401),
        "forty guesses at once lock the account as forty in turn would"
    );
    Ok(())
}

on_both_databases!(guesses_sent_together_are_held_to_the_same_limit);

async fn a_new_password_ends_every_session(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let owner = app.staff("acme", "owner@acme.org", "owner").await;
    let tokens = app.client.login("owner@acme.org", PASSWORD).await?;
    let user_id = owner.me().await?.user.id.0;
    // Sessions are compared by the second their token was issued.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;

    let hash = leads_api::auth::password::hash("another long password")?;
    leads_persistence::users::set_password(&mut app.conn(), user_id, &hash)?;

    assert_eq!(owner.me().await.err().and_then(|e| e.status()), Some(401));
    let refreshed = app.client.refresh(&tokens.refresh_token).await;
    assert_eq!(refreshed.err().and_then(|e| e.status()), Some(401));
    let fresh = app
        .client
        .login("owner@acme.org", "another long password")
        .await?;
    assert!(app.client.with_token(fresh.access_token).me().await.is_ok());
    Ok(())
}

on_both_databases!(a_new_password_ends_every_session);
