//! The applicant portal (`/applicant/{institution}`): a borrower signs in, or asks for an
//! account and confirms it from the mailed link; then sees their applications with their
//! status, resumes one still in progress, and answers the requests staff sent them.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use std::collections::HashMap;

use leads_domain::wire::{
    ApplicationStarted, Borrower, BorrowerApplication, BorrowerRequest, BorrowerSession,
    OnlineBankingSignIn, PublicInstitution,
};
use leads_domain::LeadStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::applicant_access::{ChangePassword, LinkForm, Register, SignIn, CONFIRM, RESET};
use crate::format;
use crate::respond::AnswerForm;

/// The borrower's session is kept for this tab only: closing it, on a shared computer
/// say, signs the borrower out.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn session_key(institution: &str) -> String {
    format!("leads.borrower.{institution}")
}

/// The signed-in borrower's token at this institution, if this browser holds one.
pub fn session_token(institution: &str) -> Option<String> {
    storage()?.get_item(&session_key(institution)).ok()?
}

pub(crate) fn keep_session(institution: &str, token: &str) {
    if let Some(store) = storage() {
        let _ = store.set_item(&session_key(institution), token);
    }
}

pub fn forget_session(institution: &str) {
    if let Some(store) = storage() {
        let _ = store.remove_item(&session_key(institution));
    }
}

/// The part of the address after `#` and `prefix`, taken out of the address so that it
/// is neither bookmarked nor shared.
pub fn take_fragment(prefix: &str) -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let value = hash.strip_prefix('#')?.strip_prefix(prefix)?.to_string();
    if let Ok(history) = window.history() {
        let clean = window.location().pathname().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(value)
}

/// Exchanges online banking's hand-over for a borrower's sign-in, kept for the
/// institution as a password sign-in would be.
pub async fn sign_in_from_online_banking(
    institution: &str,
    assertion: String,
) -> Result<(), ApiError> {
    let body = OnlineBankingSignIn {
        institution: institution.to_string(),
        assertion,
    };
    let session =
        api::post_public::<_, BorrowerSession>("/api/v1/public/online-banking/sessions", &body)
            .await?;
    keep_session(institution, &session.token);
    Ok(())
}

pub(crate) fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

#[component]
pub fn ApplicantPage(path: String) -> impl IntoView {
    let mut parts = path.trim_end_matches('/').split('/');
    let slug = parts.next().unwrap_or_default().to_string();
    let institution = RwSignal::new(None::<PublicInstitution>);
    let unknown = RwSignal::new(false);
    {
        let path = format!("/api/v1/public/institutions/{}", api::encode(&slug));
        spawn_local(async move {
            match api::get_public::<PublicInstitution>(&path).await {
                Ok(found) => institution.set(Some(found)),
                Err(error) if error.status() == Some(404) => unknown.set(true),
                Err(_) => {}
            }
        });
    }
    let name = move || {
        institution
            .get()
            .map_or_else(|| "Your applications".to_string(), |i| i.name)
    };
    let page = match parts.next() {
        None => view! { <Portal slug=slug.clone()/> }.into_any(),
        Some("confirm") => view! { <LinkForm slug=slug.clone() page=CONFIRM/> }.into_any(),
        Some("reset") => view! { <LinkForm slug=slug.clone() page=RESET/> }.into_any(),
        Some(_) => view! { <p class="state">"There is no such page."</p> }.into_any(),
    };
    view! {
        <main id="main" class="apply">
            <div class="brand respond-brand">
                <span class="logo" aria-hidden="true">"L"</span>
                <span class="brand-name">{name}</span>
            </div>
            {move || unknown.get().then(|| view! {
                <p class="state state-error" role="alert">
                    "There is no credit union at this address. Please check the link you followed."
                </p>
            })}
            <div hidden=move || unknown.get()>{page}</div>
        </main>
    }
}

/// Signed in: the borrower's own pages; otherwise the ways in.
#[component]
fn Portal(slug: String) -> impl IntoView {
    let token = RwSignal::new(session_token(&slug));
    let notice = RwSignal::new(None::<String>);
    // An application this browser just submitted, to follow in the account asked for.
    let from = StoredValue::new(take_fragment("from="));
    let slug = StoredValue::new(slug);
    view! {
        {move || notice.get().map(|m| view! { <p class="state" role="status">{m}</p> })}
        {move || match token.get() {
            Some(current) => view! {
                <Home slug=slug.get_value() token=current signed=token notice=notice/>
            }.into_any(),
            None => view! {
                <SignIn slug=slug.get_value() signed=token/>
                <Register slug=slug.get_value() from=from.get_value()/>
            }.into_any(),
        }}
    }
}

/// What the signed-in borrower has with the institution.
#[derive(Clone)]
struct Holdings {
    borrower: Borrower,
    applications: Vec<BorrowerApplication>,
    requests: Vec<BorrowerRequest>,
}

async fn holdings(token: &str) -> Result<Holdings, ApiError> {
    Ok(Holdings {
        borrower: api::as_applicant::<(), _>("GET", "/api/v1/public/me", token, None).await?,
        applications: api::as_applicant::<(), _>(
            "GET",
            "/api/v1/public/me/applications",
            token,
            None,
        )
        .await?,
        requests: api::as_applicant::<(), _>("GET", "/api/v1/public/me/requests", token, None)
            .await?,
    })
}

#[component]
fn Home(
    slug: String,
    token: String,
    signed: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let shown = RwSignal::new(None::<Result<Holdings, ApiError>>);
    let slug = StoredValue::new(slug);
    let token = StoredValue::new(token);
    let end = move |message: &str| {
        forget_session(&slug.get_value());
        notice.set(Some(message.to_string()));
        signed.set(None);
    };
    spawn_local(async move {
        let found = holdings(&token.get_value()).await;
        if found.as_ref().is_err_and(|e| e.status() == Some(401)) {
            end("Your sign-in has ended. Please sign in again.");
            return;
        }
        shown.set(Some(found));
    });
    let resume = move |application: BorrowerApplication| {
        spawn_local(async move {
            let path = format!("/api/v1/public/me/applications/{}/token", application.id.0);
            let opened = api::as_applicant::<(), ApplicationStarted>(
                "POST",
                &path,
                &token.get_value(),
                None,
            )
            .await;
            match opened {
                Ok(opened) => go(&format!(
                    "/apply/{}/{}#resume={}.{}",
                    slug.get_value(),
                    application.item_slug,
                    opened.id.0,
                    opened.token
                )),
                Err(error) => notice.set(Some(error.message())),
            }
        });
    };
    view! {
        {move || match shown.get() {
            None => view! { <p class="state" role="status">"Loading your applications…"</p> }.into_any(),
            Some(Err(error)) => view! { <p class="state state-error" role="alert">{error.message()}</p> }.into_any(),
            Some(Ok(held)) => {
                // Requests still waiting, by application: one answered here counts down.
                let waiting = RwSignal::new(
                    held.applications
                        .iter()
                        .map(|a| (a.id.0, a.open_requests))
                        .collect::<HashMap<i64, i64>>(),
                );
                let who = held.borrower.name.clone().or(held.borrower.email.clone());
                let who = who.unwrap_or_default();
                let with_password = held.borrower.signed_in_via == "password";
                view! {
                    <section class="card">
                        <div class="applicant-head">
                            <p>"Signed in as "<strong>{who}</strong></p>
                            <button type="button" class="button button-quiet"
                                on:click=move |_| end("You have signed out.")>"Sign out"</button>
                        </div>
                        <a class="button" href=format!("/apply/{}", slug.get_value())>"Start a new application"</a>
                    </section>
                    <Requests held=held.requests.clone() token=token.get_value() waiting=waiting/>
                    <section class="card" aria-labelledby="applications-title">
                        <h2 id="applications-title">"Your applications"</h2>
                        {if held.applications.is_empty() {
                            view! { <p class="muted">"You have no applications yet."</p> }.into_any()
                        } else {
                            let list = held.applications.clone();
                            view! { <Applications list=list resume=resume waiting=waiting/> }
                                .into_any()
                        }}
                    </section>
                    {with_password.then(|| view! { <ChangePassword token=token.get_value()/> })}
                }.into_any()
            }
        }}
    }
}

#[component]
fn Applications(
    list: Vec<BorrowerApplication>,
    resume: impl Fn(BorrowerApplication) + Copy + Send + Sync + 'static,
    waiting: RwSignal<HashMap<i64, i64>>,
) -> impl IntoView {
    view! {
        <table class="table" aria-label="Your applications">
            <thead>
                <tr>
                    <th scope="col">"Application"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Progress"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|application| {
                    let open =
                        application.status == LeadStatus::InProgress && !application.archived;
                    let id = application.id.0;
                    let count = move || waiting.with(|w| w.get(&id).copied().unwrap_or(0));
                    let label = format!("Resume {}", application.item);
                    let this = application.clone();
                    view! {
                        <tr>
                            <td>
                                <strong>{application.item.clone()}</strong>
                                <div class="muted">{application.reference.clone()}</div>
                            </td>
                            <td>
                                <span class=format::status_class(application.status)>
                                    {format::status_label(application.status)}
                                </span>
                                {move || match count() {
                                    0 => None,
                                    1 => Some(view! { <div class="muted">"1 request waiting for you"</div> }.into_any()),
                                    n => Some(view! { <div class="muted">{format!("{n} requests waiting for you")}</div> }.into_any()),
                                }}
                            </td>
                            <td>{format!("{}%", application.percent)}</td>
                            <td>{format::day(application.started_at)}</td>
                            <td>
                                {open.then(|| view! {
                                    <button type="button" class="button" aria-label=label
                                        on:click=move |_| resume(this.clone())>"Resume"</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Requests(
    held: Vec<BorrowerRequest>,
    token: String,
    waiting: RwSignal<HashMap<i64, i64>>,
) -> impl IntoView {
    let (open, answered): (Vec<_>, Vec<_>) =
        held.into_iter().partition(|r| r.answered_at.is_none());
    view! {
        <section class="card" aria-labelledby="requests-title">
            <h2 id="requests-title">"Requests for you"</h2>
            {if open.is_empty() {
                view! { <p class="muted">"Nothing is waiting for your answer."</p> }.into_any()
            } else {
                open.into_iter().map(|request| {
                    let path = format!("/api/v1/public/me/requests/{}/answer", request.id);
                    let sent = RwSignal::new(false);
                    let application = request.application.0;
                    Effect::new(move |counted: Option<bool>| {
                        let answered = sent.get();
                        if answered && counted != Some(true) {
                            waiting.update(|w| {
                                if let Some(n) = w.get_mut(&application) {
                                    *n = (*n - 1).max(0);
                                }
                            });
                        }
                        answered
                    });
                    view! {
                        <article class="card-inset">
                            <h3>{request.title.clone()}</h3>
                            <p class="muted">{format!("{} · {}", request.item, request.reference)}</p>
                            <p class="request-text">{request.description.clone()}</p>
                            {request.upload_prompt.clone().map(|p| view! { <p><strong>"Please upload: "</strong>{p}</p> })}
                            {request.due_on.map(|d| view! { <p class="muted">{format!("Please answer by {}.", format::date(d))}</p> })}
                            <AnswerForm path=path token=Some(token.clone()) sent=sent/>
                        </article>
                    }
                }).collect_view().into_any()
            }}
            {(!answered.is_empty()).then(|| view! {
                <h3>"Answered"</h3>
                <ul class="answered-requests">
                    {answered.into_iter().map(|request| view! {
                        <li>
                            <strong>{request.title}</strong>
                            <span class="muted">{format!(
                                " · {} · {} · answered {}",
                                request.item,
                                request.reference,
                                request.answered_at.map(format::day).unwrap_or_default(),
                            )}</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
