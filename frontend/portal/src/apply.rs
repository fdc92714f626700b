//! The borrower's side: an institution's splash page (`/apply/{institution}`) and an
//! application (`/apply/{institution}/{item}`). The application exists from the moment
//! the borrower starts it; every answer is saved as it is given, and the same browser
//! resumes where it left off.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use std::collections::BTreeMap;

use leads_domain::wire::{
    ApplicationStarted, ApplicationUpdate, CatalogItem, Consent, NewApplication, PublicApplication,
    PublicInstitution,
};
use leads_domain::LeadStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::applicant::{forget_session, session_token, sign_in_from_online_banking, take_fragment};
use crate::fields::{about_fields, closing, form_field};
use crate::offers::{offers, Brand, BrandBar, Splash};

/// The steps before the form's own: who the applicant is.
const ABOUT: &str = "about";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn saved_key(institution: &str, item: &str) -> String {
    format!("leads.application.{institution}.{item}")
}

/// The application this browser started for the item, if any: its id and token.
fn saved(institution: &str, item: &str) -> Option<(i64, String)> {
    let text = storage()?.get_item(&saved_key(institution, item)).ok()??;
    let (id, token) = text.split_once(' ')?;
    Some((id.parse().ok()?, token.to_string()))
}

fn remember(institution: &str, item: &str, id: i64, token: &str) {
    if let Some(store) = storage() {
        let _ = store.set_item(&saved_key(institution, item), &format!("{id} {token}"));
    }
}

fn forget(institution: &str, item: &str) {
    if let Some(store) = storage() {
        let _ = store.remove_item(&saved_key(institution, item));
    }
}

/// In a frame (embedded by `widget.js`), tells the page around it how tall the content
/// is, whenever that changes, so the frame can fit it. Only the height is sent.
fn report_height() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return;
    }
    let last = std::cell::Cell::new(0_i32);
    let interval = gloo_timers::callback::Interval::new(250, move || {
        let Some(height) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .map(|e| e.scroll_height())
        else {
            return;
        };
        if height != last.get() {
            last.set(height);
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"leadsHeight".into(), &height.into());
            let _ = parent.post_message(&message, "*");
        }
    });
    interval.forget();
}

/// Routes the borrower's pages by address.
#[component]
pub fn ApplyPage(path: String) -> impl IntoView {
    report_height();
    let parts: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|p| {
            js_sys::decode_uri_component(p)
                .map(String::from)
                .unwrap_or_default()
        })
        .collect();
    let brand = Brand(RwSignal::new(String::new()));
    provide_context(brand);
    view! {
        <main id="main" class="apply">
            <BrandBar brand/>
            {match parts.as_slice() {
                [institution] => view! { <Splash institution=institution.clone()/> }.into_any(),
                [institution, item] => view! {
                    <Application institution=institution.clone() item=item.clone()/>
                }.into_any(),
                _ => view! { <p class="state state-error">"There is no such page."</p> }.into_any(),
            }}
        </main>
    }
}

/// A form step as the page shows it.
#[derive(Clone)]
struct Step {
    key: String,
    title: String,
    fields: Vec<Value>,
}

fn steps_of(item: &CatalogItem) -> Vec<Step> {
    let mut steps = vec![Step {
        key: ABOUT.into(),
        title: "About you".into(),
        fields: Vec::new(),
    }];
    for step in item.form["steps"].as_array().into_iter().flatten() {
        let fields = step["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| !matches!(f["type"].as_str(), Some("file" | "ssn")))
            .cloned()
            .collect();
        steps.push(Step {
            key: step["key"].as_str().unwrap_or_default().to_string(),
            title: step["title"].as_str().unwrap_or_default().to_string(),
            fields,
        });
    }
    steps
}

/// Errors by field, from a refusal.
fn field_errors(error: &ApiError) -> BTreeMap<String, String> {
    match error {
        ApiError::Problem(problem) => problem
            .errors
            .iter()
            .map(|e| (e.field.clone(), e.reason.clone()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

#[component]
fn Application(institution: String, item: String) -> impl IntoView {
    let shown = RwSignal::new(None::<Result<PublicApplication, ApiError>>);
    let token = RwSignal::new(None::<String>);
    let at = RwSignal::new(0usize);
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The newest saved state: saving as the borrower types must not redraw the fields
    // they are typing in, so only a new step or a new application redraws the page.
    let latest = StoredValue::new(None::<PublicApplication>);
    let percent = RwSignal::new(0_i16);
    let names = StoredValue::new((institution.clone(), item.clone()));
    let brand = expect_context::<Brand>();
    let loaded = move |found: Result<PublicApplication, ApiError>| {
        if let Ok(application) = &found {
            latest.set_value(Some(application.clone()));
            percent.set(application.progress.percent);
            brand.set(&application.institution.name);
        }
        shown.set(Some(found));
    };

    // What is applied for, shown before starting; an address naming something not
    // offered says so instead of offering to start.
    let offer = RwSignal::new(None::<Result<(PublicInstitution, CatalogItem), String>>);
    {
        let (institution, item) = (institution.clone(), item.clone());
        spawn_local(async move {
            let found = match offers(&institution, brand).await {
                Ok((about, items)) => items
                    .into_iter()
                    .find(|i| i.slug == item)
                    .map(|i| (about, i))
                    .ok_or_else(|| "This is not something offered here.".to_string()),
                Err(error) => Err(error.message()),
            };
            offer.set(Some(found));
        });
    }

    // A link mailed to continue carries the application in its fragment: keep it as
    // this browser's, and take it out of the address.
    if let Some(window) = web_sys::window() {
        let hash = window.location().hash().unwrap_or_default();
        if let Some((id, mailed)) = hash
            .strip_prefix("#resume=")
            .and_then(|rest| rest.split_once('.'))
        {
            if let Ok(id) = id.parse::<i64>() {
                remember(&institution, &item, id, mailed);
            }
            if let Ok(history) = window.history() {
                let clean = window.location().pathname().unwrap_or_default();
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
            }
        }
    }
    let told = RwSignal::new(None::<String>);

    // Online banking hands its signed-in member over in the fragment; until the sign-in
    // is exchanged, nothing is started.
    if let Some(assertion) = take_fragment("online-banking=") {
        busy.set(true);
        let institution = institution.clone();
        spawn_local(async move {
            if let Err(error) = sign_in_from_online_banking(&institution, assertion).await {
                notice.set(Some(error.message()));
            }
            busy.set(false);
        });
    }

    // Resume what this browser started, or wait for the borrower to start.
    if let Some((id, saved_token)) = saved(&institution, &item) {
        spawn_local(async move {
            let path = format!("/api/v1/public/applications/{id}");
            match api::as_applicant::<(), PublicApplication>("GET", &path, &saved_token, None).await
            {
                Ok(found) => {
                    let step = found.progress.step.clone();
                    let resume_at = steps_of(&found.item)
                        .iter()
                        .position(|s| Some(&s.key) == step.as_ref())
                        .unwrap_or(0);
                    at.set(resume_at);
                    token.set(Some(saved_token));
                    loaded(Ok(found));
                }
                Err(_) => {
                    let (i, t) = names.get_value();
                    forget(&i, &t);
                    shown.set(None);
                }
            }
        });
    }

    let start = move |_| {
        busy.set(true);
        let (institution, item) = names.get_value();
        spawn_local(async move {
            let body = NewApplication {
                institution: institution.clone(),
                item: item.clone(),
            };
            // A borrower signed in to the applicant portal applies as themselves, with
            // their details filled in; a sign-in that has ended is dropped.
            let path = "/api/v1/public/applications";
            let mut started = match session_token(&institution) {
                Some(session) => api::as_applicant("POST", path, &session, Some(&body)).await,
                None => api::post_public::<_, ApplicationStarted>(path, &body).await,
            };
            if started.as_ref().is_err_and(|e| e.status() == Some(401)) {
                forget_session(&institution);
                started = api::post_public::<_, ApplicationStarted>(path, &body).await;
            }
            let found = match started {
                Ok(started) => {
                    remember(&institution, &item, started.id.0, &started.token);
                    let path = format!("/api/v1/public/applications/{}", started.id.0);
                    let found = api::as_applicant::<(), PublicApplication>(
                        "GET",
                        &path,
                        &started.token,
                        None,
                    )
                    .await;
                    token.set(Some(started.token));
                    found
                }
                Err(error) => Err(error),
            };
            busy.set(false);
            loaded(found);
        });
    };

    // Saves one change at once; the server checks it and says what is wrong.
    let save = move |update: ApplicationUpdate, then: Option<Box<dyn FnOnce()>>| {
        let (Some(current), Some(token)) = (latest.get_value(), token.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            let path = format!("/api/v1/public/applications/{}", current.id.0);
            let result =
                api::as_applicant::<_, PublicApplication>("PATCH", &path, &token, Some(&update))
                    .await;
            match result {
                Ok(saved) => {
                    errors.update(|e| {
                        for key in update.answers.keys() {
                            e.remove(&format!("answers.{key}"));
                        }
                        if update.applicant.is_some() {
                            e.retain(|k, _| !k.starts_with("applicant."));
                        }
                    });
                    percent.set(saved.progress.percent);
                    latest.set_value(Some(saved));
                    if let Some(next) = then {
                        next();
                    }
                }
                Err(error) => {
                    let found = field_errors(&error);
                    if found.is_empty() {
                        notice.set(Some(error.message()));
                    }
                    errors.update(|e| e.extend(found));
                }
            }
        });
    };

    let agreed = RwSignal::new(false);
    let submit = move |_| {
        let (Some(Ok(current)), Some(token)) = (shown.get_untracked(), token.get_untracked())
        else {
            return;
        };
        busy.set(true);
        notice.set(None);
        spawn_local(async move {
            if agreed.get_untracked() {
                let path = format!("/api/v1/public/applications/{}/consent", current.id.0);
                let consent = Consent {
                    credit_pull: true,
                    disclosures: vec!["privacy".into(), "e-sign".into()],
                };
                if let Err(error) =
                    api::as_applicant::<_, ()>("POST", &path, &token, Some(&consent)).await
                {
                    busy.set(false);
                    notice.set(Some(error.message()));
                    return;
                }
            }
            let path = format!("/api/v1/public/applications/{}/submit", current.id.0);
            let result =
                api::as_applicant::<(), PublicApplication>("POST", &path, &token, None).await;
            busy.set(false);
            match result {
                Ok(done) => loaded(Ok(done)),
                Err(error) => {
                    let found = field_errors(&error);
                    if found.is_empty() {
                        notice.set(Some(error.message()));
                    } else {
                        notice.set(Some(
                            "Some answers are still needed; they are marked below.".into(),
                        ));
                        // Show the first step with something missing.
                        let steps = steps_of(&current.item);
                        let first = steps.iter().position(|step| {
                            (step.key == ABOUT && found.keys().any(|k| k.starts_with("applicant.")))
                                || step.fields.iter().any(|f| {
                                    let key = f["key"].as_str().unwrap_or_default();
                                    found.contains_key(&format!("answers.{key}"))
                                })
                        });
                        if let Some(first) = first {
                            at.set(first);
                        }
                        errors.set(found);
                    }
                }
            }
        });
    };

    let mail_link = move |_| {
        let (Some(current), Some(token)) = (latest.get_value(), token.get_untracked()) else {
            return;
        };
        notice.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/public/applications/{}/resume-link", current.id.0);
            match api::as_applicant::<(), ()>("POST", &path, &token, None).await {
                Ok(()) => told.set(Some(
                    "We have emailed you a link to continue this application.".into(),
                )),
                Err(error) => notice.set(Some(error.message())),
            }
        });
    };

    let start_over = move |_| {
        let (institution, item) = names.get_value();
        forget(&institution, &item);
        token.set(None);
        shown.set(None);
        at.set(0);
        errors.set(BTreeMap::new());
    };

    view! {
        {move || match shown.get() {
            None => match offer.get() {
                None => view! { <p class="state" role="status">"Loading…"</p> }.into_any(),
                Some(Err(message)) => {
                    let href = format!("/apply/{}", api::encode(&names.get_value().0));
                    view! {
                        <section class="card">
                            <p class="state state-error" role="alert">{message}</p>
                            <a href=href>"See what is offered"</a>
                        </section>
                    }.into_any()
                }
                Some(Ok((about, offered))) => view! {
                    <section class="card">
                        <h1>{format!("Apply for {}", offered.name)}</h1>
                        <p class="muted">{format!("with {}", about.name)}</p>
                        <p>{offered.description}</p>
                        <p>"Your answers are saved as you go, so you can leave and come back in this browser."</p>
                        <button type="button" class="button button-primary" disabled=move || busy.get() on:click=start>
                            "Start application"
                        </button>
                    </section>
                }.into_any(),
            },
            Some(Err(error)) => view! {
                <section class="card"><p class="state state-error" role="alert">{error.message()}</p></section>
            }.into_any(),
            Some(Ok(application)) if closed(&application) => view! {
                <section class="card">
                    <h1>{application.item.name.clone()}</h1>
                    <p class="state" role="status">
                        {format!("This application is closed. Please contact {} if you have questions.", application.institution.name)}
                    </p>
                    <button type="button" class="button" on:click=start_over>"Start another application"</button>
                </section>
            }.into_any(),
            Some(Ok(application)) if application.status != LeadStatus::InProgress => view! {
                <section class="card">
                    <h1>{application.item.name.clone()}</h1>
                    <p class="state state-done" role="status">
                        {format!("Thank you. Your application {} has been submitted to {}.", application.reference, application.institution.name)}
                    </p>
                    <p>
                        <a href=follow_link(&application, token.get_untracked())>
                            "Follow your application in your account"
                        </a>
                    </p>
                    <button type="button" class="button" on:click=start_over>"Start another application"</button>
                </section>
            }.into_any(),
            Some(Ok(application)) => {
                let newest = latest.get_value().unwrap_or_else(|| application.clone());
                let steps = steps_of(&application.item);
                let count = steps.len();
                let index = at.get().min(count - 1);
                let step = steps[index].clone();
                let last = index + 1 == count;
                let next_key = steps.get(index + 1).map(|s| s.key.clone());
                let go_on = move |_| {
                    notice.set(None);
                    let update = ApplicationUpdate {
                        step: next_key.clone(),
                        ..ApplicationUpdate::default()
                    };
                    save(update, Some(Box::new(move || at.set(index + 1))));
                };
                view! {
                    <section class="card">
                        <p class="muted">{format!("{} · {}", application.institution.name, application.item.name)}</p>
                        <h1>{step.title.clone()}</h1>
                        <p class="muted">{move || format!("Step {} of {} · {}% complete · saved as you go", index + 1, count, percent.get())}</p>
                        {move || notice.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                        {move || told.get().map(|m| view! { <p class="state state-done" role="status">{m}</p> })}
                        <div class="apply-fields">
                            {if step.key == ABOUT {
                                about_fields(&newest.applicant, errors, save).into_any()
                            } else {
                                step.fields.iter().map(|field| {
                                    form_field(field.clone(), newest.answers.clone(), errors, save)
                                }).collect_view().into_any()
                            }}
                            {last.then(|| closing(&application, &newest, agreed, errors, save))}
                        </div>
                        <p class="later">
                            <button type="button" class="link-button" on:click=mail_link>
                                "Email me a link to continue later"
                            </button>
                        </p>
                        <div class="apply-nav">
                            {(index > 0).then(|| view! {
                                <button type="button" class="button" on:click=move |_| at.set(index - 1)>"Back"</button>
                            })}
                            {if last {
                                view! {
                                    <button type="button" class="button button-primary" disabled=move || busy.get() on:click=submit>
                                        "Submit application"
                                    </button>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="button button-primary" disabled=move || busy.get() on:click=go_on>
                                        "Continue"
                                    </button>
                                }.into_any()
                            }}
                        </div>
                    </section>
                }.into_any()
            }
        }}
    }
}

/// Where the applicant follows their application: their account, when they are signed
/// in; otherwise the applicant portal's door, carrying this application so that an
/// account asked for there takes it along.
fn follow_link(application: &PublicApplication, token: Option<String>) -> String {
    let slug = &application.institution.slug;
    match (session_token(slug), token) {
        (None, Some(token)) => format!("/applicant/{slug}#from={}.{token}", application.id.0),
        _ => format!("/applicant/{slug}"),
    }
}

/// Whether the institution closed the application before it was submitted.
fn closed(application: &PublicApplication) -> bool {
    application.archived && application.status == LeadStatus::InProgress
}
