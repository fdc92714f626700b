//! Registered borrowers: applicant-portal accounts confirmed through a mailed link, the
//! anonymous application moving to the registered member, signing in with a password,
//! the applicant portal's applications and requests, and links and passwords that hold
//! against replacement and guessing.

mod support;

use reqwest::Method;
use serde_json::json;
use support::multipart::post_form;
use support::public::{ids, register, send, start, PASSWORD};
use support::{token_after, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

async fn an_anonymous_applicant_registers_and_their_lead_becomes_registered(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let (lead, lead_token) = start(&app, None).await;
    let (other, _) = start(&app, None).await;
    let table = app.raw_json("owner@acme.org", "/api/v1/leads").await;
    assert!(
        !ids(&table["items"]).contains(&lead),
        "unregistered leads are hidden"
    );

    let body = json!({ "institution": "acme", "email": "dana@example.org", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        Some(&lead_token),
        Some(body),
    )
    .await;
    assert_eq!(status, 202);
    let sign_in =
        json!({ "institution": "acme", "email": "dana@example.org", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(sign_in.clone()),
    )
    .await;
    assert_eq!(status, 401, "an unconfirmed account signs nobody in");

    let (_, mail) = app.mail_to("acme", "dana@example.org").expect("a mail");
    let token = token_after(&mail, "/applicant/acme/confirm#").expect("a link");
    let wrong = json!({ "token": token, "password": "not the password at all" });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts/confirm",
        None,
        Some(wrong),
    )
    .await;
    assert_eq!(status, 401, "the link alone confirms nothing");
    let right = json!({ "token": token, "password": PASSWORD });
    let (status, session) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts/confirm",
        None,
        Some(right.clone()),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["borrower"]["email"], "dana@example.org");
    assert_eq!(session["borrower"]["signed_in_via"], "password");
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts/confirm",
        None,
        Some(right),
    )
    .await;
    assert_eq!(status, 410, "a link works once");

    let session = session["token"].as_str().expect("a token").to_string();
    let (status, mine) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/applications",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&mine),
        vec![lead],
        "the application moved to the member"
    );
    assert_eq!(mine[0]["status"], "in_progress");
    let table = app.raw_json("owner@acme.org", "/api/v1/leads").await;
    assert!(
        ids(&table["items"]).contains(&lead),
        "now among registered leads"
    );
    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(detail["registered"], true);
    let member = detail["member_id"].as_i64().expect("a member");
    let profile = app
        .raw_json("owner@acme.org", &format!("/api/v1/members/{member}"))
        .await;
    assert_eq!(profile["member"]["has_login"], true, "{profile}");

    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(sign_in),
    )
    .await;
    assert_eq!(status, 200, "signs in once confirmed");
    let wrong = json!({ "institution": "acme", "email": "dana@example.org", "password": "wrong password!!" });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(wrong),
    )
    .await;
    assert_eq!(status, 401);

    let resume = format!("/api/v1/public/me/applications/{lead}/token");
    let (status, opened) = send(&app, Method::POST, &resume, Some(&session), None).await;
    assert_eq!(status, 200);
    let lead_path = format!("/api/v1/public/applications/{lead}");
    let (status, _) = send(
        &app,
        Method::GET,
        &lead_path,
        opened["token"].as_str(),
        None,
    )
    .await;
    assert_eq!(status, 200, "the portal's token resumes the application");
    let foreign = format!("/api/v1/public/me/applications/{other}/token");
    let (status, _) = send(&app, Method::POST, &foreign, Some(&session), None).await;
    assert_eq!(status, 404, "another applicant's lead is not theirs");
    let (status, _) = send(&app, Method::GET, &lead_path, Some(&session), None).await;
    assert_eq!(status, 401, "a session is not an application's token");
    let (status, _) = send(&app, Method::GET, "/api/v1/leads", Some(&session), None).await;
    assert_eq!(status, 401, "nor a staff token");
    let (status, _) = send(
        &app,
        Method::GET,
        "/api/v1/public/me",
        Some(&lead_token),
        None,
    )
    .await;
    assert_eq!(status, 401, "and an application's token is not a session");

    // Asking again for the same email changes nothing but mails a reminder.
    let again = json!({ "institution": "acme", "email": "dana@example.org", "password": "another long password" });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        None,
        Some(again),
    )
    .await;
    assert_eq!(status, 202);
    let (_, reminder) = app.mail_to("acme", "dana@example.org").expect("a reminder");
    assert!(reminder.contains("You already have one"), "{reminder}");
    assert!(!reminder.contains("confirm#"));
    let old = json!({ "institution": "acme", "email": "dana@example.org", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(old),
    )
    .await;
    assert_eq!(status, 200, "the password stays the account's");
    Ok(())
}

on_both_databases!(an_anonymous_applicant_registers_and_their_lead_becomes_registered);

async fn bad_registrations_are_refused_field_by_field(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.institution("other");
    let body = json!({ "institution": "acme", "email": "not an email", "password": "short",
                       "name": "123" });
    let (status, problem) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["email", "password", "name"]);
    let unknown =
        json!({ "institution": "nowhere", "email": "a@example.org", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        None,
        Some(unknown),
    )
    .await;
    assert_eq!(status, 422);
    let (_, lead_token) = start(&app, None).await;
    let elsewhere =
        json!({ "institution": "other", "email": "a@example.org", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        Some(&lead_token),
        Some(elsewhere),
    )
    .await;
    assert_eq!(
        status, 422,
        "an application moves only within its institution"
    );
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts",
        Some("forged"),
        Some(json!({
        "institution": "acme", "email": "a@example.org", "password": PASSWORD })),
    )
    .await;
    assert_eq!(
        status, 401,
        "a token that does not verify is refused, not ignored"
    );
    let bogus = json!({ "token": "no-such-link", "password": PASSWORD });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts/confirm",
        None,
        Some(bogus),
    )
    .await;
    assert_eq!(status, 410);
    assert!(
        app.mail_to("acme", "a@example.org").is_none(),
        "nothing was mailed"
    );
    Ok(())
}

on_both_databases!(bad_registrations_are_refused_field_by_field);

async fn requests_reach_a_registered_borrower_in_the_portal(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    let (lead, lead_token) = start(&app, None).await;
    let session = register(&app, "dana@example.org", Some(&lead_token)).await;
    let stranger = register(&app, "eve@example.org", None).await;

    let ask = json!({ "title": "Proof of income", "description": "Your latest pay stub.",
                      "upload_prompt": "Pay stub (PDF)" });
    let (status, text) = app
        .raw_post(
            "owner@acme.org",
            &format!("/api/v1/leads/{lead}/requests"),
            &ask,
        )
        .await;
    assert_eq!(status, 201, "{text}");
    let (_, mail) = app.mail_to("acme", "dana@example.org").expect("a notice");
    assert!(mail.contains("/applicant/acme"), "{mail}");
    assert!(
        !mail.contains("/respond/"),
        "a registered borrower gets no account-less link"
    );

    let (status, open) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/requests",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(open.as_array().map(Vec::len), Some(1));
    assert_eq!(open[0]["title"], "Proof of income");
    assert_eq!(open[0]["application"], lead);
    assert!(open[0].get("answered_at").is_none(), "{open}");
    let (_, mine) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/applications",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(mine[0]["open_requests"], 1);
    let (_, none) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/requests",
        Some(&stranger),
        None,
    )
    .await;
    assert_eq!(none, json!([]), "another borrower sees nothing of it");

    let request = open[0]["id"].as_i64().expect("an id");
    let url = format!("{}/api/v1/public/me/requests/{request}/answer", app.base);
    let (status, _) = post_form(&url, Some(&stranger), &[("answer", "mine now")], &[]).await;
    assert_eq!(status, 404, "another borrower cannot answer it");
    let (status, _) = post_form(&url, Some(&lead_token), &[("answer", "x")], &[]).await;
    assert_eq!(status, 401, "an application's token is not a session");
    let (status, text) = post_form(
        &url,
        Some(&session),
        &[("answer", "Attached.")],
        &[("stub.pdf", PDF)],
    )
    .await;
    assert_eq!(status, 204, "{text}");
    let (status, _) = post_form(&url, Some(&session), &[("answer", "Again.")], &[]).await;
    assert_eq!(status, 409, "answered once");

    let (_, open) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/requests",
        Some(&session),
        None,
    )
    .await;
    let listed = open.as_array().expect("a list");
    assert_eq!(
        listed.len(),
        1,
        "the answered request stays in view: {open}"
    );
    assert_eq!(listed[0]["title"], "Proof of income");
    assert!(listed[0]["answered_at"].is_string(), "{open}");
    let (_, mine) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/applications",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(mine[0]["open_requests"], 0, "nothing waits any more");
    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(detail["requests"][0]["status"], "answered", "{detail}");
    assert_eq!(detail["documents"][0]["file_name"], "stub.pdf");
    Ok(())
}

on_both_databases!(requests_reach_a_registered_borrower_in_the_portal);

async fn links_and_passwords_hold_against_replacement_and_guessing(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.institution("other");
    let accounts = "/api/v1/public/accounts";
    let ask = |password: &str| json!({ "institution": "acme", "email": "kim@example.org", "password": password });
    let (status, _) = send(&app, Method::POST, accounts, None, Some(ask(PASSWORD))).await;
    assert_eq!(status, 202);
    let (_, first) = app.mail_to("acme", "kim@example.org").expect("a mail");
    let first = token_after(&first, "/applicant/acme/confirm#").expect("a link");
    // Someone asks again for the same email: the first link stops working, and the new
    // one needs the new password.
    let (status, _) = send(
        &app,
        Method::POST,
        accounts,
        None,
        Some(ask("someone else's password")),
    )
    .await;
    assert_eq!(status, 202);
    let confirm = "/api/v1/public/accounts/confirm";
    let (status, _) = send(
        &app,
        Method::POST,
        confirm,
        None,
        Some(json!({ "token": first, "password": PASSWORD })),
    )
    .await;
    assert_eq!(status, 410, "a replaced link confirms nothing");
    let (_, second) = app.mail_to("acme", "kim@example.org").expect("a mail");
    let second = token_after(&second, "/applicant/acme/confirm#").expect("a link");
    let (status, _) = send(
        &app,
        Method::POST,
        confirm,
        None,
        Some(json!({ "token": second, "password": PASSWORD })),
    )
    .await;
    assert_eq!(status, 401, "the new link needs the new password");
    let (status, _) = send(
        &app,
        Method::POST,
        confirm,
        None,
        Some(json!({ "token": second, "password": "someone else's password" })),
    )
    .await;
    assert_eq!(status, 200);

    // Guesses sent together are counted together: forty at once lock the account, and
    // the right password is then refused too.
    let wrong = json!({ "institution": "acme", "email": "kim@example.org",
                        "password": "a wrong guess, long enough" });
    let guesses = (0..40).map(|_| {
        send(
            &app,
            Method::POST,
            "/api/v1/public/sessions",
            None,
            Some(wrong.clone()),
        )
    });
    let answers = futures_util::future::join_all(guesses).await;
    assert!(answers.iter().all(|(status, _)| *status == 401));
    let right = json!({ "institution": "acme", "email": "kim@example.org",
                        "password": "someone else's password" });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(right),
    )
    .await;
    assert_eq!(status, 401, "locked after ten attempts in a row");

    // An application of another institution is refused alike, account or not.
    let body = json!({ "institution": "other", "item": "personal-loan" });
    let (_, started) = send(
        &app,
        Method::POST,
        "/api/v1/public/applications",
        None,
        Some(body),
    )
    .await;
    let foreign = started["token"].as_str().expect("a token").to_string();
    for email in ["kim@example.org", "nobody@example.org"] {
        let body = json!({ "institution": "acme", "email": email, "password": PASSWORD });
        let (status, _) = send(&app, Method::POST, accounts, Some(&foreign), Some(body)).await;
        assert_eq!(status, 422, "{email}");
    }
    Ok(())
}

on_both_databases!(links_and_passwords_hold_against_replacement_and_guessing);

async fn a_forgotten_password_is_replaced_through_a_mailed_link(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    register(&app, "lee@example.org", None).await;
    let ask = "/api/v1/public/accounts/password-reset";
    for email in ["lee@example.org", "stranger@example.org", "not an email"] {
        let body = json!({ "institution": "acme", "email": email });
        let (status, _) = send(&app, Method::POST, ask, None, Some(body)).await;
        assert_eq!(status, 202, "the same answer for {email}");
    }
    assert!(
        app.mail_to("acme", "stranger@example.org").is_none(),
        "no mail for an email without an account"
    );
    let (subject, mail) = app.mail_to("acme", "lee@example.org").expect("a mail");
    assert_eq!(subject, "Choose a new password");
    let token = token_after(&mail, "/applicant/acme/reset#").expect("a link");

    let reset = "/api/v1/public/accounts/password-reset/confirm";
    let short = json!({ "token": token, "password": "short" });
    let (status, _) = send(&app, Method::POST, reset, None, Some(short)).await;
    assert_eq!(status, 422);
    let new = json!({ "token": token, "password": "a brand new passphrase" });
    let (status, session) = send(&app, Method::POST, reset, None, Some(new.clone())).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["borrower"]["email"], "lee@example.org");
    let (status, _) = send(&app, Method::POST, reset, None, Some(new)).await;
    assert_eq!(status, 410, "a link works once");

    let sign_in = |password: &str| json!({ "institution": "acme", "email": "lee@example.org", "password": password });
    let sessions = "/api/v1/public/sessions";
    let (status, _) = send(&app, Method::POST, sessions, None, Some(sign_in(PASSWORD))).await;
    assert_eq!(status, 401, "the old password no longer works");
    let (status, _) = send(
        &app,
        Method::POST,
        sessions,
        None,
        Some(sign_in("a brand new passphrase")),
    )
    .await;
    assert_eq!(status, 200);
    Ok(())
}

on_both_databases!(a_forgotten_password_is_replaced_through_a_mailed_link);
