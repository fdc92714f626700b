//! The sign-in page: the only thing shown before a session exists.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::session::Auth;

#[component]
pub fn SignIn() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (email_value, password_value) = (email.get_untracked(), password.get_untracked());
        if email_value.trim().is_empty() || password_value.is_empty() {
            error.set(Some("Enter your email and password.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = match api::login(email_value.trim().to_string(), password_value).await {
                Ok(tokens) => api::start_session(auth, tokens).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            if let Err(e) = outcome {
                password.set(String::new());
                error.set(Some(match e.status() {
                    Some(401) => "The email or password is not right.".into(),
                    _ => e.message(),
                }));
            }
        });
    };

    view! {
        <main class="sign-in" id="main">
            <form class="card sign-in-card" on:submit=submit novalidate>
                <div class="brand brand-large">
                    <span class="logo" aria-hidden="true">"L"</span>
                    <span class="brand-name">"Leads"</span>
                </div>
                <h1>"Sign in"</h1>
                <p class="muted">"The lender portal of your credit union."</p>
                {move || auth.notice.get().map(|notice| view! {
                    <p class="notice" role="status">{notice}</p>
                })}
                {move || error.get().map(|message| view! {
                    <p class="state state-error" role="alert">{message}</p>
                })}
                <label class="field">
                    <span>"Email"</span>
                    <input
                        type="email"
                        name="email"
                        autocomplete="username"
                        required
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="button button-primary button-wide" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
