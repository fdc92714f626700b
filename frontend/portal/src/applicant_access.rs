//! The ways into the applicant portal: signing in, asking for an account, confirming it
//! from the mailed link, and choosing a new password when the old one is forgotten or,
//! signed in, when the borrower wants another.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use leads_domain::wire::{
    BorrowerSession, BorrowerSignIn, PasswordChange, PasswordReset, PublicApplication,
    Registration, ResetRequest,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::applicant::{go, keep_session, take_fragment};

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

#[component]
pub(crate) fn SignIn(slug: String, signed: RwSignal<Option<String>>) -> impl IntoView {
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

#[component]
pub(crate) fn Register(slug: String, from: Option<String>) -> impl IntoView {
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

/// What a page opened by a mailed link asks for.
#[derive(Clone, Copy)]
pub(crate) struct LinkPage {
    title: &'static str,
    /// Where the link's token and the password are sent.
    path: &'static str,
    field: &'static str,
    autocomplete: &'static str,
    hint: &'static str,
    button: &'static str,
}

/// The page the confirmation link opens: the password once more, and the account is on.
pub(crate) const CONFIRM: LinkPage = LinkPage {
    title: "Confirm your account",
    path: "/api/v1/public/accounts/confirm",
    field: "Password",
    autocomplete: "current-password",
    hint: "The password you chose when you asked for the account.",
    button: "Confirm account",
};

/// The page a password-reset link opens: a new password.
pub(crate) const RESET: LinkPage = LinkPage {
    title: "Choose a new password",
    path: "/api/v1/public/accounts/password-reset/confirm",
    field: "New password",
    autocomplete: "new-password",
    hint: "At least 12 characters.",
    button: "Save the new password",
};

/// A page opened by a mailed link (its token in the fragment): a password, and the
/// borrower is signed in. A link that no longer works leaves only the way back.
#[component]
pub(crate) fn LinkForm(slug: String, page: LinkPage) -> impl IntoView {
    let token = StoredValue::new(take_fragment("").filter(|t| !t.is_empty()));
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let dead = RwSignal::new(false);
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = token.get_value() else {
            return;
        };
        failure.set(None);
        busy.set(true);
        // Confirming and resetting send the same two things.
        let body = PasswordReset {
            token,
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result = api::post_public::<_, BorrowerSession>(page.path, &body).await;
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
        <section class="card" aria-labelledby="link-title">
            <h1 id="link-title">{page.title}</h1>
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
                        <Entry label=page.field kind="password" autocomplete=page.autocomplete value=password required=true/>
                        <p class="muted">{page.hint}</p>
                        <button type="submit" class="button button-primary" disabled=move || busy.get()>{page.button}</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

/// Changing the password while signed in, folded away until asked for.
#[component]
pub(crate) fn ChangePassword(token: String) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let path = "/api/v1/public/me/password";
            let done =
                api::as_applicant::<_, ()>("POST", path, &token.get_value(), Some(&body)).await;
            if done.is_ok() {
                current.set(String::new());
                new.set(String::new());
            }
            outcome.set(Some(done.map_err(|e| e.message())));
            busy.set(false);
        });
    };
    view! {
        <details class="card">
            <summary>"Change your password"</summary>
            <form class="respond-form" on:submit=change>
                <Entry label="Current password" kind="password" autocomplete="current-password"
                    value=current required=true/>
                <Entry label="New password" kind="password" autocomplete="new-password"
                    value=new required=true/>
                <p class="muted">"At least 12 characters. We will email you that it changed."</p>
                {move || outcome.get().map(|done| match done {
                    Ok(()) => view! {
                        <p class="state state-done" role="status">"Your password has been changed."</p>
                    }.into_any(),
                    Err(message) => view! {
                        <p class="state state-error" role="alert">{message}</p>
                    }.into_any(),
                })}
                <button type="submit" class="button" disabled=move || busy.get()>"Change password"</button>
            </form>
        </details>
    }
}
