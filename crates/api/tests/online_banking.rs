//! Online banking signing its members in: the institution's key (RS256 or ES256), the
//! hand-over's checks, and what a member signed in this way starts.

mod support;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use support::public::{ids, send, start};
use support::TestApp;

const RSA_PRIVATE: &str = include_str!("fixtures/banking-rsa.key");
const RSA_PUBLIC: &str = include_str!("fixtures/banking-rsa.pub");
const EC_PRIVATE: &str = include_str!("fixtures/banking-ec.key");
const EC_PUBLIC: &str = include_str!("fixtures/banking-ec.pub");
const BANKING: &str = "https://banking.acme.test";

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
