//! A thin layer over the browser's fetch: JSON in and out, the bearer token, one
//! renewal of an expired access token, and problem documents turned into messages.
//! The project's `client` crate uses reqwest, which would add about 100 KB (gzip) to
//! the download; this layer adds a few.

use std::cell::Cell;

use gloo_net::http::{Request, RequestBuilder, Response};
use leads_domain::problem::Problem;
use leads_domain::wire::{LoginRequest, Me, RefreshRequest, TokenResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;

use leptos::prelude::*;

use crate::session::{Auth, Session};

/// Why a request failed, in words for the user.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem document.
    Problem(Problem),
    /// The server could not be reached or answered something unreadable.
    Network(String),
    /// The session ended; the sign-in page is showing.
    SignedOut,
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            // A refusal naming fields says what is wrong with each, in words; the
            // general detail ("see errors for each field") would only point at them.
            ApiError::Problem(problem) if !problem.errors.is_empty() => problem
                .errors
                .iter()
                .map(|error| format!("{} {}.", field_words(&error.field), error.reason))
                .collect::<Vec<_>>()
                .join(" "),
            ApiError::Problem(problem) => problem
                .detail
                .clone()
                .unwrap_or_else(|| problem.title.clone()),
            ApiError::Network(_) => {
                "The server could not be reached, or its answer not read. Please try again.".into()
            }
            ApiError::SignedOut => "Your session has ended.".into(),
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(problem) => Some(problem.status),
            _ => None,
        }
    }
}

/// A field's path as words: `applicant.email` is "Email", `answers.term_months` is
/// "Term months".
fn field_words(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let words = last.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

thread_local! {
    /// Set while a token renewal is under way, so that requests failing together renew
    /// once: a refresh token works only once, and presenting it twice ends the session.
    static RENEWING: Cell<bool> = const { Cell::new(false) };
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.status() == 204 || response.status() == 202 {
        // No content (or only "accepted"): only a type that can be nothing can be read
        // from it.
        return serde_json::from_str("null").map_err(|e| ApiError::Network(e.to_string()));
    }
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Network(e.to_string()));
    }
    let status = response.status();
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Network(format!("status {status}"))),
    }
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    request
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// GETs a public resource, with no session.
pub async fn get_public<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(send(Request::get(path).build()).await?).await
}

/// POSTs JSON to a public resource, with no session.
pub async fn post_public<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    read(send(Request::post(path).json(body)).await?).await
}

/// Sends a request with an application's token (not a staff session): `GET`, `PATCH`
/// or `POST`, with a JSON body or none.
pub async fn as_applicant<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let builder = match method {
        "PATCH" => Request::patch(path),
        "POST" => Request::post(path),
        _ => Request::get(path),
    }
    .header("Authorization", &format!("Bearer {token}"));
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    };
    read(send(request).await?).await
}

/// POSTs a form with files to a public resource, with a borrower's or applicant's token
/// when given; nothing comes back.
pub async fn post_form_public(
    path: &str,
    form: web_sys::FormData,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let mut builder = Request::post(path);
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let response = send(builder.body(form)).await?;
    if response.ok() {
        return Ok(());
    }
    read::<serde_json::Value>(response).await.map(|_| ())
}

fn json_post<B: Serialize>(path: &str, body: &B) -> Result<Request, gloo_net::Error> {
    Request::post(path).json(body)
}

pub async fn login(email: String, password: String) -> Result<TokenResponse, ApiError> {
    let body = LoginRequest { email, password };
    read(send(json_post("/api/v1/auth/login", &body)).await?).await
}

pub async fn refresh(refresh_token: String) -> Result<TokenResponse, ApiError> {
    let body = RefreshRequest { refresh_token };
    read(send(json_post("/api/v1/auth/refresh", &body)).await?).await
}

pub async fn logout(refresh_token: String) {
    let body = RefreshRequest { refresh_token };
    // Signing out here happens whatever the server says.
    let _ = send(json_post("/api/v1/auth/logout", &body)).await;
}

pub async fn me(access: &str) -> Result<Me, ApiError> {
    let request = Request::get("/api/v1/me")
        .header("Authorization", &format!("Bearer {access}"))
        .build();
    read(send(request).await?).await
}

/// Signs in with tokens just issued: loads who the user is and starts the session.
pub async fn start_session(auth: Auth, tokens: TokenResponse) -> Result<(), ApiError> {
    let me = me(&tokens.access_token).await?;
    auth.sign_in(Session {
        access: tokens.access_token,
        refresh: tokens.refresh_token,
        me,
    });
    Ok(())
}

async fn pause(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Renews the access token after `stale` was refused. True when a fresh one is in place.
async fn renew(auth: Auth, stale: &str) -> bool {
    while RENEWING.with(Cell::get) {
        pause(50).await;
    }
    let Some(session) = auth.session.get_untracked() else {
        return false;
    };
    if session.access != stale {
        return true;
    }
    RENEWING.with(|r| r.set(true));
    let renewed = refresh(session.refresh).await;
    RENEWING.with(|r| r.set(false));
    match renewed {
        Ok(tokens) => {
            auth.replace_tokens(tokens.access_token, tokens.refresh_token);
            true
        }
        Err(ApiError::Network(_)) => false,
        Err(_) => {
            auth.sign_out(Some(
                "Your session has expired. Please sign in again.".into(),
            ));
            false
        }
    }
}

/// Sends a request built by `build` with the session's token, renewing it once if the
/// server refuses it as expired.
async fn authorised<T: DeserializeOwned>(
    auth: Auth,
    build: impl Fn(RequestBuilder) -> Result<Request, gloo_net::Error>,
    make: impl Fn() -> RequestBuilder,
) -> Result<T, ApiError> {
    for attempt in 0..2 {
        let Some(session) = auth.session.get_untracked() else {
            return Err(ApiError::SignedOut);
        };
        let request = make().header("Authorization", &format!("Bearer {}", session.access));
        let response = send(build(request)).await?;
        if response.status() == 401 {
            if attempt == 0 && renew(auth, &session.access).await {
                continue;
            }
            if auth.session.get_untracked().is_some() {
                auth.sign_out(Some("Your session has ended. Please sign in again.".into()));
            }
            return Err(ApiError::SignedOut);
        }
        return read(response).await;
    }
    Err(ApiError::SignedOut)
}

pub async fn get<T: DeserializeOwned>(auth: Auth, path: String) -> Result<T, ApiError> {
    authorised(auth, |r| r.build(), || Request::get(&path)).await
}

pub async fn patch<B: Serialize, T: DeserializeOwned>(
    auth: Auth,
    path: String,
    body: &B,
) -> Result<T, ApiError> {
    authorised(auth, |r| r.json(body), || Request::patch(&path)).await
}

pub async fn delete(auth: Auth, path: String) -> Result<(), ApiError> {
    authorised(auth, |r| r.build(), || Request::delete(&path)).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    auth: Auth,
    path: String,
    body: &B,
) -> Result<T, ApiError> {
    authorised(auth, |r| r.json(body), || Request::post(&path)).await
}

/// A change based on version `version` of a lead: the server refuses it with 412 if
/// someone changed the lead since.
pub async fn post_versioned<B: Serialize, T: DeserializeOwned>(
    auth: Auth,
    path: String,
    body: &B,
    version: i32,
) -> Result<T, ApiError> {
    let tag = format!("\"{version}\"");
    authorised(
        auth,
        |r| r.json(body),
        || Request::post(&path).header("If-Match", &tag),
    )
    .await
}

/// GETs a file (an export) with the session's token: its bytes.
pub async fn download(auth: Auth, path: String) -> Result<Vec<u8>, ApiError> {
    for attempt in 0..2 {
        let Some(session) = auth.session.get_untracked() else {
            return Err(ApiError::SignedOut);
        };
        let request = Request::get(&path)
            .header("Authorization", &format!("Bearer {}", session.access))
            .build();
        let response = send(request).await?;
        if response.status() == 401 && attempt == 0 && renew(auth, &session.access).await {
            continue;
        }
        if !response.ok() {
            return Err(read::<serde_json::Value>(response)
                .await
                .err()
                .unwrap_or(ApiError::SignedOut));
        }
        return response
            .binary()
            .await
            .map_err(|e| ApiError::Network(e.to_string()));
    }
    Err(ApiError::SignedOut)
}

/// Hands `bytes` to the browser as a downloaded file called `name`.
pub fn save_file(bytes: &[u8], name: &str, kind: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "the file could not be made".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the file could not be made".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link".to_string())?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
