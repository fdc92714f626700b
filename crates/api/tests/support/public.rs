//! Calls to the public API, as a borrower's browser makes them.

use reqwest::Method;
use serde_json::{json, Value};

use super::{token_after, TestApp};

/// The password test borrowers choose.
pub const PASSWORD: &str = "a long borrower passphrase";

/// Sends `method` to `path` with `token` as Bearer when given: the status and the JSON
/// body (`null` when there is none).
pub async fn send(
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

/// Starts a personal loan at acme, anonymously or as a signed-in borrower: its id and
/// token.
pub async fn start(app: &TestApp, session: Option<&str>) -> (i64, String) {
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

/// The ids of a list of objects.
pub fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_i64())
        .collect()
}

/// Asks for an account for `email` (from the application of `lead_token`, if any) and
/// confirms it through the mailed link: the borrower's session token.
pub async fn register(app: &TestApp, email: &str, lead_token: Option<&str>) -> String {
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
