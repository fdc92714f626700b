//! Registered borrowers: applicant-portal accounts confirmed through a mailed link, the
//! anonymous application moving to the registered member, signing in with a password
//! or through online banking's signed hand-over, the applicant portal's applications
//! and requests, and forms edited by catalog managers.

mod support;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use support::multipart::post_form;
use support::{token_after, TestApp};

const PASSWORD: &str = "a long borrower passphrase";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const RSA_PRIVATE: &str = include_str!("fixtures/banking-rsa.key");
const RSA_PUBLIC: &str = include_str!("fixtures/banking-rsa.pub");
const EC_PRIVATE: &str = include_str!("fixtures/banking-ec.key");
const EC_PUBLIC: &str = include_str!("fixtures/banking-ec.pub");
const BANKING: &str = "https://banking.acme.test";

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Starts a personal loan, anonymously or as a signed-in borrower: its id and token.
async fn start(app: &TestApp, session: Option<&str>) -> (i64, String) {
    let body = json!({ "institution": "acme", "item": "personal-loan" });
    let (status, started) = send(
        app,
        Method::POST,
        "/api/v1/public/applications",
        session,
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    (
        started["id"].as_i64().expect("an id"),
        started["token"].as_str().expect("a token").to_string(),
    )
}

/// Asks for an account for `email` (from the application of `lead_token`, if any) and
/// confirms it through the mailed link: the borrower's session token.
async fn register(app: &TestApp, email: &str, lead_token: Option<&str>) -> String {
    let body = json!({ "institution": "acme", "email": email, "password": PASSWORD,
                       "name": "Dana Doe" });
    let (status, problem) = send(
        app,
        Method::POST,
        "/api/v1/public/accounts",
        lead_token,
        Some(body),
    )
    .await;
    assert_eq!(status, 202, "{problem}");
    let (_, mail) = app.mail_to("acme", email).expect("a confirmation mail");
    let token = token_after(&mail, "/applicant/acme/confirm#").expect("a link");
    let confirm = json!({ "token": token, "password": PASSWORD });
    let (status, session) = send(
        app,
        Method::POST,
        "/api/v1/public/accounts/confirm",
        None,
        Some(confirm),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    session["token"].as_str().expect("a session").to_string()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_i64())
        .collect()
}

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
    assert_eq!(open, json!([]));
    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(detail["requests"][0]["status"], "answered", "{detail}");
    assert_eq!(detail["documents"][0]["file_name"], "stub.pdf");
    Ok(())
}

on_both_databases!(requests_reach_a_registered_borrower_in_the_portal);

fn hand_over(private: &str, algorithm: Algorithm, claims: Value) -> String {
    let key = match algorithm {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(private.as_bytes()),
        _ => EncodingKey::from_ec_pem(private.as_bytes()),
    }
    .expect("a test key");
    encode(&Header::new(algorithm), &claims, &key).expect("a signed hand-over")
}

/// A hand-over for acme's member `member`, with an id of its own.
fn claims(member: &str, lifetime: i64) -> Value {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let now = chrono::Utc::now().timestamp();
    let jti = format!("handover-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    json!({ "iss": BANKING, "aud": "leads:acme", "sub": member, "iat": now,
            "exp": now + lifetime, "jti": jti,
            "name": "Robin Roe", "email": "robin@example.org", "phone": "907-555-0143" })
}

async fn online_banking_signs_members_in_with_the_institutions_key(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    app.staff("acme", "viewer@acme.org", "viewer").await;
    let sign_in = |assertion: String| json!({ "institution": "acme", "assertion": assertion });
    let good = hand_over(RSA_PRIVATE, Algorithm::RS256, claims("M-1001", 300));
    let path = "/api/v1/public/online-banking/sessions";
    let (status, _) = send(&app, Method::POST, path, None, Some(sign_in(good.clone()))).await;
    assert_eq!(status, 422, "no key is configured yet");

    let key = json!({ "algorithm": "RS256", "public_key": RSA_PUBLIC, "issuer": BANKING });
    let (status, _) = app
        .raw_put("viewer@acme.org", "/api/v1/online-banking-key", &key)
        .await;
    assert_eq!(status, 403);
    let broken = json!({ "algorithm": "RS256", "public_key": "not a key", "issuer": "" });
    let (status, text) = app
        .raw_put("owner@acme.org", "/api/v1/online-banking-key", &broken)
        .await;
    assert_eq!(status, 422);
    assert!(
        text.contains("public_key") && text.contains("issuer"),
        "{text}"
    );
    let private = json!({ "algorithm": "RS256", "public_key": RSA_PRIVATE, "issuer": BANKING });
    let (status, text) = app
        .raw_put("owner@acme.org", "/api/v1/online-banking-key", &private)
        .await;
    assert_eq!(status, 422, "a private key is never kept: {text}");
    let (status, text) = app
        .raw_put("owner@acme.org", "/api/v1/online-banking-key", &key)
        .await;
    assert_eq!(status, 200, "{text}");

    let (status, session) = send(&app, Method::POST, path, None, Some(sign_in(good.clone()))).await;
    assert_eq!(status, 200, "{session}");
    let (status, _) = send(&app, Method::POST, path, None, Some(sign_in(good))).await;
    assert_eq!(status, 401, "a hand-over signs in once");
    assert_eq!(session["borrower"]["signed_in_via"], "online_banking");
    let token = session["token"].as_str().expect("a session").to_string();
    let (lead, lead_token) = start(&app, Some(&token)).await;
    let lead_path = format!("/api/v1/public/applications/{lead}");
    let (_, application) = send(&app, Method::GET, &lead_path, Some(&lead_token), None).await;
    assert_eq!(
        application["applicant"]["name"], "Robin Roe",
        "prefilled from the member"
    );
    assert_eq!(application["applicant"]["email"], "robin@example.org");
    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(detail["channel"], "online_banking");
    assert_eq!(detail["registered"], true);
    let table = app.raw_json("owner@acme.org", "/api/v1/leads").await;
    assert!(
        ids(&table["items"]).contains(&lead),
        "shown among registered leads"
    );

    let mut wrong_issuer = claims("M-1001", 300);
    wrong_issuer["iss"] = json!("https://elsewhere.test");
    let mut wrong_audience = claims("M-1001", 300);
    wrong_audience["aud"] = json!("leads");
    let mut other_institution = claims("M-1001", 300);
    other_institution["aud"] = json!("leads:other");
    let mut not_yet = claims("M-1001", 300);
    not_yet["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    let refused = [
        (
            "signed with another key",
            hand_over(EC_PRIVATE, Algorithm::ES256, claims("M-1001", 300)),
        ),
        (
            "expired",
            hand_over(RSA_PRIVATE, Algorithm::RS256, claims("M-1001", -600)),
        ),
        (
            "lasting a day",
            hand_over(RSA_PRIVATE, Algorithm::RS256, claims("M-1001", 86_400)),
        ),
        (
            "another issuer",
            hand_over(RSA_PRIVATE, Algorithm::RS256, wrong_issuer),
        ),
        (
            "another audience",
            hand_over(RSA_PRIVATE, Algorithm::RS256, wrong_audience),
        ),
        (
            "for another institution",
            hand_over(RSA_PRIVATE, Algorithm::RS256, other_institution),
        ),
        (
            "not valid yet",
            hand_over(RSA_PRIVATE, Algorithm::RS256, not_yet),
        ),
        ("not a token", "abc.def.ghi".to_string()),
    ];
    for (what, assertion) in refused {
        let (status, _) = send(&app, Method::POST, path, None, Some(sign_in(assertion))).await;
        assert_eq!(status, 401, "{what}");
    }
    let mut bad_email = claims("M-1001", 300);
    bad_email["email"] = json!("robin at example");
    let assertion = hand_over(RSA_PRIVATE, Algorithm::RS256, bad_email);
    let (status, problem) = send(&app, Method::POST, path, None, Some(sign_in(assertion))).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "assertion.email");

    // A number the product gave an anonymous applicant never makes someone them.
    let (walk_in, _) = start(&app, None).await;
    let number = {
        let detail = app
            .raw_json("owner@acme.org", &format!("/api/v1/leads/{walk_in}"))
            .await;
        let member = detail["member_id"].as_i64().expect("a member");
        let profile = app
            .raw_json("owner@acme.org", &format!("/api/v1/members/{member}"))
            .await;
        profile["member"]["member_number"]
            .as_str()
            .expect("a number")
            .to_string()
    };
    let assertion = hand_over(RSA_PRIVATE, Algorithm::RS256, claims(&number, 300));
    let (status, _) = send(&app, Method::POST, path, None, Some(sign_in(assertion))).await;
    assert_eq!(status, 409);

    // The institution moves to an ES256 key; the same member number is the same member.
    let key = json!({ "algorithm": "ES256", "public_key": EC_PUBLIC, "issuer": BANKING });
    let (status, _) = app
        .raw_put("owner@acme.org", "/api/v1/online-banking-key", &key)
        .await;
    assert_eq!(status, 200);
    let assertion = hand_over(EC_PRIVATE, Algorithm::ES256, claims("M-1001", 300));
    let (status, session) = send(&app, Method::POST, path, None, Some(sign_in(assertion))).await;
    assert_eq!(status, 200, "{session}");
    let (_, mine) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/applications",
        session["token"].as_str(),
        None,
    )
    .await;
    assert_eq!(ids(&mine), vec![lead]);

    // Without a login of their own, the member is mailed a link, and also finds the
    // request when online banking signs them in.
    let ask = json!({ "title": "Proof of address", "description": "A utility bill." });
    let (status, _) = app
        .raw_post(
            "owner@acme.org",
            &format!("/api/v1/leads/{lead}/requests"),
            &ask,
        )
        .await;
    assert_eq!(status, 201);
    let (_, mail) = app.mail_to("acme", "robin@example.org").expect("a mail");
    assert!(mail.contains("/respond/"), "{mail}");
    let (_, open) = send(
        &app,
        Method::GET,
        "/api/v1/public/me/requests",
        session["token"].as_str(),
        None,
    )
    .await;
    assert_eq!(open[0]["title"], "Proof of address");
    let audit = app
        .raw_json(
            "owner@acme.org",
            "/api/v1/audit?action=online_banking_key.changed",
        )
        .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(2), "{audit}");
    Ok(())
}

on_both_databases!(online_banking_signs_members_in_with_the_institutions_key);

async fn forms_are_edited_by_catalog_managers_and_old_answers_stay(
    app: TestApp,
) -> anyhow::Result<()> {
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    app.staff("acme", "manager@acme.org", "manager").await;
    let (lead, lead_token) = start(&app, None).await;
    let lead_path = format!("/api/v1/public/applications/{lead}");
    let save = json!({ "answers": { "purpose": "A used car", "amount": 600 } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(save),
    )
    .await;
    assert_eq!(status, 200);

    let catalog = app.raw_json("owner@acme.org", "/api/v1/catalog").await;
    let item = catalog
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["slug"] == "personal-loan")
        .expect("the personal loan");
    let form_path = format!("/api/v1/catalog/{}/form", item["id"]);
    let new_form = json!({ "form": { "steps": [
        { "key": "loan", "title": "Your loan", "fields": [
            { "key": "amount", "type": "money", "label": "Amount", "required": true, "min": 1000 },
            { "key": "vehicle_year", "type": "number", "label": "Vehicle year", "whole": true,
              "min": 1990, "max": 2030, "help": "As on the title" }
        ]}
    ]}});
    let (status, _) = app.raw_put("manager@acme.org", &form_path, &new_form).await;
    assert_eq!(status, 403, "a manager does not hold catalog.manage");
    let broken = json!({ "form": { "steps": [{ "key": "loan", "title": "Loan", "fields": [
        { "key": "status", "type": "text", "label": "Status" },
        { "key": "colour", "type": "paint", "label": "Colour" }
    ]}]}});
    let (status, text) = app.raw_put("owner@acme.org", &form_path, &broken).await;
    assert_eq!(status, 422);
    assert!(text.contains("form.steps[0].fields[0].key"), "{text}");
    assert!(text.contains("form.steps[0].fields[1].type"), "{text}");
    let (status, text) = app.raw_put("owner@acme.org", &form_path, &new_form).await;
    assert_eq!(status, 200, "{text}");

    let detail = app
        .raw_json("owner@acme.org", &format!("/api/v1/leads/{lead}"))
        .await;
    assert_eq!(
        detail["answers"]["purpose"]["value"], "A used car",
        "old answers stay readable"
    );
    let stale = json!({ "answers": { "purpose": "Something else" } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(stale),
    )
    .await;
    assert_eq!(status, 422, "the form no longer asks it");
    let fresh = json!({ "answers": { "vehicle_year": 2019 } });
    let (status, _) = send(
        &app,
        Method::PATCH,
        &lead_path,
        Some(&lead_token),
        Some(fresh),
    )
    .await;
    assert_eq!(status, 200, "the new field is answered");
    let submit = format!("{lead_path}/submit");
    let (status, problem) = send(&app, Method::POST, &submit, Some(&lead_token), None).await;
    assert_eq!(status, 422);
    let faults: Vec<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        faults.contains(&"answers.amount"),
        "an answer the new form no longer accepts: {faults:?}"
    );
    let (_, offered) = send(
        &app,
        Method::GET,
        "/api/v1/public/institutions/acme/catalog",
        None,
        None,
    )
    .await;
    let loan = offered
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["slug"] == "personal-loan")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        loan["form"], new_form["form"],
        "applicants get the new form"
    );
    let audit = app
        .raw_json(
            "owner@acme.org",
            "/api/v1/audit?action=catalog.form_changed",
        )
        .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
    Ok(())
}

on_both_databases!(forms_are_edited_by_catalog_managers_and_old_answers_stay);

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
