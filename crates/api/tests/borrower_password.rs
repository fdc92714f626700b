//! A signed-in borrower changes their password: only with the current one, with wrong
//! guesses held to the sign-in lock, a mail saying it changed, and a waiting reset link
//! that stops working.

mod support;

use reqwest::Method;
use serde_json::json;
use support::public::{register, send, PASSWORD};
use support::{token_after, TestApp};

const NEW_PASSWORD: &str = "another long passphrase";
const CHANGE: &str = "/api/v1/public/me/password";

async fn sign_in(app: &TestApp, password: &str) -> u16 {
    let body = json!({ "institution": "acme", "email": "dana@example.org", "password": password });
    send(
        app,
        Method::POST,
        "/api/v1/public/sessions",
        None,
        Some(body),
    )
    .await
    .0
}

async fn a_borrower_changes_their_password(app: TestApp) -> anyhow::Result<()> {
    app.institution("acme");
    let session = register(&app, "dana@example.org", None).await;
    // A reset link asked for earlier stops working once the password is changed.
    let ask = json!({ "institution": "acme", "email": "dana@example.org" });
    let reset = "/api/v1/public/accounts/password-reset";
    let (status, _) = send(&app, Method::POST, reset, None, Some(ask)).await;
    assert_eq!(status, 202);
    let (_, mail) = app
        .mail_to("acme", "dana@example.org")
        .expect("a reset mail");
    let link = token_after(&mail, "/applicant/acme/reset#").expect("a link");

    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    let (status, _) = send(
        &app,
        Method::POST,
        CHANGE,
        None,
        Some(change(PASSWORD, NEW_PASSWORD)),
    )
    .await;
    assert_eq!(status, 401, "only a signed-in borrower");
    let (status, problem) = send(
        &app,
        Method::POST,
        CHANGE,
        Some(&session),
        Some(change("not the password", NEW_PASSWORD)),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        problem["errors"][0]["field"], "current_password",
        "{problem}"
    );
    let (status, problem) = send(
        &app,
        Method::POST,
        CHANGE,
        Some(&session),
        Some(change(PASSWORD, "short")),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "new_password", "{problem}");
    let (status, _) = send(
        &app,
        Method::POST,
        CHANGE,
        Some(&session),
        Some(
            json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD, "email": "x@y.z" }),
        ),
    )
    .await;
    assert_eq!(status, 422, "nothing else is changed this way");
    assert_eq!(
        sign_in(&app, PASSWORD).await,
        200,
        "refusals changed nothing"
    );

    let (status, body) = send(
        &app,
        Method::POST,
        CHANGE,
        Some(&session),
        Some(change(PASSWORD, NEW_PASSWORD)),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(sign_in(&app, PASSWORD).await, 401);
    assert_eq!(sign_in(&app, NEW_PASSWORD).await, 200);
    let (subject, notice) = app.mail_to("acme", "dana@example.org").expect("a notice");
    assert!(subject.contains("your password was changed"), "{subject}");
    assert!(notice.contains("Forgot your password?"), "{notice}");
    let confirm = json!({ "token": link, "password": "a third long passphrase" });
    let (status, _) = send(
        &app,
        Method::POST,
        "/api/v1/public/accounts/password-reset/confirm",
        None,
        Some(confirm),
    )
    .await;
    assert_eq!(status, 410, "the earlier reset link no longer works");

    // Guessing the current password through a stolen session meets the sign-in lock.
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, _) = send(
            &app,
            Method::POST,
            CHANGE,
            Some(&session),
            Some(change("a wrong guess of it", "yet another passphrase")),
        )
        .await;
        statuses.push(status);
    }
    assert!(statuses[..10].iter().all(|s| *s == 422), "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");
    assert_eq!(
        sign_in(&app, NEW_PASSWORD).await,
        401,
        "the account is locked"
    );
    Ok(())
}

on_both_databases!(a_borrower_changes_their_password);
