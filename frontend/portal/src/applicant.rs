//! The applicant portal (`/applicant/{institution}`): a borrower signs in, or asks for an
//! account and confirms it from the mailed link; then sees their applications with their
//! status, resumes one still in progress, and answers the requests staff sent them.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use std::collections::HashMap;

use leads_domain::wire::{
    ApplicationStarted, Borrower, BorrowerApplication, BorrowerRequest, BorrowerSession,
    BorrowerSignIn, Confirmation, OnlineBankingSignIn, PasswordReset, PublicApplication,
    PublicInstitution, Registration, ResetRequest,
};
use leads_domain::LeadStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::format;
use crate::respond::AnswerForm;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn session_key(institution: &str) -> String {
    format!("leads.borrower.{institution}")
}

/// The signed-in borrower's token at this institution, if this browser holds one.
pub fn session_token(institution: &str) -> Option<String> {
    storage()?.get_item(&session_key(institution)).ok()?
}

fn keep_session(institution: &str, token: &str) {
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

/// A labelled one-line entry bound to `value`.
#[component]
fn Entry(
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type=kind autocomplete=autocomplete required=required
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

fn go(path: &str) {
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
        Some("confirm") => view! { <ConfirmAccount slug=slug.clone()/> }.into_any(),
        Some("reset") => view! { <ChooseNewPassword slug=slug.clone()/> }.into_any(),
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

#[component]
fn SignIn(slug: String, signed: RwSignal<Option<String>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        busy.set(true);
        let body = BorrowerSignIn {
            institution: slug.get_value(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result =
                api::post_public::<_, BorrowerSession>("/api/v1/public/sessions", &body).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    keep_session(&slug.get_value(), &session.token);
                    signed.set(Some(session.token));
                }
                Err(error) => failure.set(Some(error.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in to your applications"</h1>
            <form class="respond-form" on:submit=submit>
                {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                <Entry label="Email" kind="email" autocomplete="username" value=email required=true/>
                <Entry label="Password" kind="password" autocomplete="current-password" value=password required=true/>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Sign in"</button>
                <p class="muted">"Just asked for an account? Open the link we emailed you first."</p>
            </form>
            <Forgotten slug=slug.get_value()/>
        </section>
    }
}

/// "Forgot your password?": an email to send a link to choose a new one.
#[component]
fn Forgotten(slug: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let asked = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let body = ResetRequest {
            institution: slug.get_value(),
            email: email.get_untracked(),
        };
        spawn_local(async move {
            let path = "/api/v1/public/accounts/password-reset";
            match api::post_public::<_, ()>(path, &body).await {
                Ok(()) => asked.set(true),
                Err(error) => failure.set(Some(error.message())),
            }
        });
    };
    view! {
        {move || match (open.get(), asked.get()) {
            (false, _) => view! {
                <button type="button" class="link-button" on:click=move |_| open.set(true)>
                    "Forgot your password?"
                </button>
            }.into_any(),
            (true, true) => view! {
                <p class="state state-done" role="status">
                    "If an account has this email, we sent it a link to choose a new password."
                </p>
            }.into_any(),
            (true, false) => view! {
                <form class="respond-form" on:submit=submit>
                    {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                    <Entry label="Email for the link" kind="email" autocomplete="email" value=email required=true/>
                    <button type="submit" class="button">"Send me a link"</button>
                </form>
            }.into_any(),
        }}
    }
}

/// The page a password-reset link opens: a new password, and the borrower is signed in.
#[component]
fn ChooseNewPassword(slug: String) -> impl IntoView {
    let token = StoredValue::new(take_fragment("").filter(|t| !t.is_empty()));
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A link that no longer works leaves nothing to fill in, only the way back.
    let dead = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = token.get_value() else {
            return;
        };
        failure.set(None);
        busy.set(true);
        let body = PasswordReset {
            token,
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let path = "/api/v1/public/accounts/password-reset/confirm";
            let result = api::post_public::<_, BorrowerSession>(path, &body).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    keep_session(&slug.get_value(), &session.token);
                    go(&format!("/applicant/{}", slug.get_value()));
                }
                Err(error) => {
                    dead.set(error.status() == Some(410));
                    failure.set(Some(error.message()));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="reset-title">
            <h1 id="reset-title">"Choose a new password"</h1>
            {match token.get_value() {
                None => view! {
                    <p class="state state-error" role="alert">
                        "This link is incomplete. Open the link from the email as it was sent."
                    </p>
                }.into_any(),
                Some(_) => view! {
                    {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                    {move || dead.get().then(|| view! {
                        <a class="button" href=format!("/applicant/{}", slug.get_value())>"Go to sign in"</a>
                    })}
                    <form class="respond-form" on:submit=submit hidden=move || dead.get()>
                        <Entry label="New password" kind="password" autocomplete="new-password" value=password required=true/>
                        <p class="muted">"At least 12 characters."</p>
                        <button type="submit" class="button button-primary" disabled=move || busy.get()>"Save the new password"</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Register(slug: String, from: Option<String>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let asked = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    // The application's token, from `{id}.{token}`: its application moves to the account.
    let from = from.and_then(|f| {
        f.split_once('.')
            .map(|(id, token)| (id.to_string(), token.to_string()))
    });
    // The name and email the applicant gave in that application fill the form.
    if let Some((id, token)) = from.clone() {
        spawn_local(async move {
            let path = format!("/api/v1/public/applications/{}", api::encode(&id));
            let found =
                api::as_applicant::<(), PublicApplication>("GET", &path, &token, None).await;
            if let Ok(found) = found {
                name.set(found.applicant.name.unwrap_or_default());
                email.set(found.applicant.email.unwrap_or_default());
            }
        });
    }
    let application = StoredValue::new(from.map(|(_, token)| token));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        busy.set(true);
        let typed = name.get_untracked();
        let body = Registration {
            institution: slug.get_value(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            name: (!typed.trim().is_empty()).then_some(typed),
        };
        spawn_local(async move {
            let path = "/api/v1/public/accounts";
            let result = match application.get_value() {
                Some(token) => api::as_applicant::<_, ()>("POST", path, &token, Some(&body)).await,
                None => api::post_public::<_, ()>(path, &body).await,
            };
            busy.set(false);
            match result {
                Ok(()) => asked.set(true),
                Err(error) => failure.set(Some(error.message())),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="register-title">
            <h2 id="register-title">"New here? Create your account"</h2>
            {application.get_value().map(|_| view! {
                <p class="muted">"The application you just sent will be in your account."</p>
            })}
            {move || if asked.get() {
                view! {
                    <p class="state state-done" role="status">
                        "Check your email: we sent you a link to confirm your account."
                    </p>
                }.into_any()
            } else {
                view! {
                    <form class="respond-form" on:submit=submit>
                        {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                        <Entry label="Your name" kind="text" autocomplete="name" value=name/>
                        <Entry label="Your email" kind="email" autocomplete="email" value=email required=true/>
                        <Entry label="Choose a password" kind="password" autocomplete="new-password" value=password required=true/>
                        <p class="muted">"At least 12 characters."</p>
                        <button type="submit" class="button" disabled=move || busy.get()>"Create account"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// The page the confirmation link opens: the password once more, and the account is on.
#[component]
fn ConfirmAccount(slug: String) -> impl IntoView {
    let token = StoredValue::new(take_fragment("").filter(|t| !t.is_empty()));
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A link that no longer works leaves nothing to fill in, only the way back.
    let dead = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = token.get_value() else {
            return;
        };
        failure.set(None);
        busy.set(true);
        let body = Confirmation {
            token,
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result =
                api::post_public::<_, BorrowerSession>("/api/v1/public/accounts/confirm", &body)
                    .await;
            busy.set(false);
            match result {
                Ok(session) => {
                    keep_session(&slug.get_value(), &session.token);
                    go(&format!("/applicant/{}", slug.get_value()));
                }
                Err(error) => {
                    dead.set(error.status() == Some(410));
                    failure.set(Some(error.message()));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="confirm-title">
            <h1 id="confirm-title">"Confirm your account"</h1>
            {match token.get_value() {
                None => view! {
                    <p class="state state-error" role="alert">
                        "This link is incomplete. Open the link from the email as it was sent."
                    </p>
                }.into_any(),
                Some(_) => view! {
                    {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                    {move || dead.get().then(|| view! {
                        <a class="button" href=format!("/applicant/{}", slug.get_value())>"Go to sign in"</a>
                    })}
                    <form class="respond-form" on:submit=submit hidden=move || dead.get()>
                        <Entry label="Password" kind="password" autocomplete="current-password" value=password required=true/>
                        <p class="muted">"The password you chose when you asked for the account."</p>
                        <button type="submit" class="button button-primary" disabled=move || busy.get()>"Confirm account"</button>
                    </form>
                }.into_any(),
            }}
        </section>
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
                let who = held.borrower.name.clone().or(held.borrower.email.clone()).unwrap_or_default();
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
                            view! { <Applications list=held.applications.clone() resume=resume waiting=waiting/> }.into_any()
                        }}
                    </section>
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
                    let open = application.status == LeadStatus::InProgress && !application.archived;
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
    view! {
        <section class="card" aria-labelledby="requests-title">
            <h2 id="requests-title">"Requests for you"</h2>
            {if held.is_empty() {
                view! { <p class="muted">"Nothing is waiting for your answer."</p> }.into_any()
            } else {
                held.into_iter().map(|request| {
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
        </section>
    }
}
